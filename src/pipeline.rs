//! One file through the pipeline: read → prefilter → decode → parse → analyse →
//! fix (repeatedly, verifying each pass).

use std::path::Path;

use tree_sitter::Parser;

use crate::analyze::analyze;
use crate::apply::{apply_edits, select};
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::parse::{first_error, parse};
use crate::prefilter::may_hold_finding;
use crate::source::{LineIndex, SourceFile, display_path};
use crate::verify::unchanged_outside;

/// Fixes can uncover or unblock others (two fixes on one generator expression);
/// passes repeat until nothing applies, this many times at most.
const MAX_PASSES: usize = 10;

/// What processing one file gave.
#[derive(Debug)]
pub enum Outcome {
    /// The file cannot hold a finding and was not parsed.
    Skipped {
        display: String,
    },
    Report(Box<FileReport>),
    Failed(Error),
}

#[derive(Debug)]
pub struct FileReport {
    pub source: SourceFile,
    pub index: LineIndex,
    /// Findings in the file as it is.
    pub diagnostics: Vec<Diagnostic>,
    /// The file after every applicable fix; `None` when no fix applies.
    pub fixed: Option<Fixed>,
}

#[derive(Debug)]
pub struct Fixed {
    /// The fixed text, without the BOM.
    pub text: String,
    pub index: LineIndex,
    /// How many fixes were applied over all passes.
    pub applied: usize,
    /// Findings left in the fixed text.
    pub remaining: Vec<Diagnostic>,
}

impl FileReport {
    /// The findings that no applicable fix covers.
    pub fn unfixed(&self, unsafe_fixes: bool) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(move |d| {
            !d.fix
                .as_ref()
                .is_some_and(|f| f.is_applicable(unsafe_fixes))
        })
    }
}

pub fn process(
    parser: &mut Parser,
    path: &Path,
    cwd: &Path,
    fix: bool,
    unsafe_fixes: bool,
) -> Outcome {
    let display = display_path(path, cwd);
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(source) => {
            return Outcome::Failed(Error::Read {
                path: display,
                source,
            });
        }
    };
    if !may_hold_finding(&bytes) {
        return Outcome::Skipped { display };
    }
    let source = match SourceFile::decode(path.to_owned(), display, bytes) {
        Ok(source) => source,
        Err(err) => return Outcome::Failed(err),
    };
    let index = LineIndex::new(&source.text);
    let tree = parse(parser, &source.text);
    if let Some(at) = first_error(&tree) {
        let location = index.location(&source.text, at);
        return Outcome::Failed(Error::Syntax {
            path: source.display,
            location: format!("{}:{}", location.row, location.column),
        });
    }
    let diagnostics = analyze(&tree, &source.text);
    let fixed = if fix {
        match fix_all(parser, &source.text, diagnostics.clone(), unsafe_fixes) {
            Ok(fixed) => fixed,
            Err(reason) => {
                return Outcome::Failed(Error::Unverified {
                    path: source.display,
                    reason,
                });
            }
        }
    } else {
        None
    };
    Outcome::Report(Box::new(FileReport {
        source,
        index,
        diagnostics,
        fixed,
    }))
}

/// What [`check_text`] found in a text.
#[derive(Debug)]
pub struct TextReport {
    /// The findings in the text as it is.
    pub diagnostics: Vec<Diagnostic>,
    /// The text after every applicable fix (`Ok(None)` when none applies), or
    /// why the fixes were refused.
    pub fixed: Result<Option<Fixed>, String>,
}

/// The whole analysis and fixing of one Python text, without files: what the
/// property tests and fuzz targets drive. `Err` holds the offset of the first
/// syntax error when the text does not parse.
pub fn check_text(parser: &mut Parser, text: &str, unsafe_fixes: bool) -> Result<TextReport, usize> {
    let tree = parse(parser, text);
    if let Some(at) = first_error(&tree) {
        return Err(at);
    }
    let diagnostics = analyze(&tree, text);
    let fixed = fix_all(parser, text, diagnostics.clone(), unsafe_fixes);
    Ok(TextReport { diagnostics, fixed })
}

/// Apply every applicable fix, pass after pass, checking after each pass that
/// the text still parses and that nothing outside the edits moved.
fn fix_all(
    parser: &mut Parser,
    text: &str,
    mut diagnostics: Vec<Diagnostic>,
    unsafe_fixes: bool,
) -> Result<Option<Fixed>, String> {
    let mut current = text.to_owned();
    let mut applied = 0;
    for _ in 0..MAX_PASSES {
        let (count, edits) = select(&diagnostics, unsafe_fixes);
        if count == 0 {
            break;
        }
        let next = apply_edits(&current, edits.iter().copied());
        if !unchanged_outside(&current, &next, &edits) {
            return Err("the fixes would change text outside their edits".into());
        }
        let tree = parse(parser, &next);
        if let Some(at) = first_error(&tree) {
            let location = LineIndex::new(&next).location(&next, at);
            return Err(format!(
                "the fixed text would not parse (line {}, column {})",
                location.row, location.column
            ));
        }
        applied += count;
        diagnostics = analyze(&tree, &next);
        current = next;
    }
    if applied == 0 {
        return Ok(None);
    }
    Ok(Some(Fixed {
        index: LineIndex::new(&current),
        text: current,
        applied,
        remaining: diagnostics,
    }))
}
