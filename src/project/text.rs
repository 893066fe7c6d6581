//! The analysis and fixing of in-memory text, without files: what the property
//! tests and fuzz targets drive. The command line goes through
//! [`crate::project::Project`], which this wraps.

use tree_sitter::Parser;

use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::project::Project;

/// What [`check_text`] found in a text.
#[derive(Debug)]
pub struct TextReport {
    /// The findings in the text as it is.
    pub diagnostics: Vec<Diagnostic>,
    /// The text after every applicable fix (`Ok(None)` when none applies), or
    /// why the fixes were refused.
    pub fixed: Result<Option<Fixed>, String>,
}

#[derive(Debug)]
pub struct Fixed {
    /// The fixed text, as it would be written.
    pub text: String,
    /// How many fixes were applied over all passes.
    pub applied: usize,
    /// Findings left in the fixed text.
    pub remaining: Vec<Diagnostic>,
}

/// The whole analysis and fixing of one Python text, as a one-module project.
/// `Err` holds the offset of the first syntax error when the text does not
/// parse. (`parser` is kept for the callers' convenience; the project makes
/// its own.)
pub fn check_text(
    _parser: &mut Parser,
    text: &str,
    unsafe_fixes: bool,
) -> Result<TextReport, usize> {
    let mut project = match Project::from_texts(&[("text.py", text)]) {
        Ok(project) => project,
        Err(Error::Syntax { .. }) => {
            let mut parser = crate::syntax::parse::new_parser();
            let tree = crate::syntax::parse::parse(&mut parser, text);
            return Err(crate::syntax::parse::first_error(&tree, text).unwrap_or(0));
        }
        Err(_) => return Err(0),
    };
    let (first, remaining) = project.fix(unsafe_fixes);
    let file = &project.files[0];
    let fixed = if let Some(err) = project.errors.first() {
        Err(err.to_string())
    } else if file.applied == 0 {
        Ok(None)
    } else {
        Ok(Some(Fixed {
            // As it would be written: a text with only CR line endings is
            // analysed with LF ones and gets its CRs back here.
            // (`contents` fails only for notebooks; this text is a module.)
            text: file.contents().unwrap_or_else(|_| file.text.clone()),
            applied: file.applied,
            remaining: remaining.into_iter().next().unwrap_or_default(),
        }))
    };
    Ok(TextReport {
        diagnostics: first.into_iter().next().unwrap_or_default(),
        fixed,
    })
}
