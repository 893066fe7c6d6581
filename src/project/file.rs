//! One file of a run as the project holds it: its source, its notebook
//! cells when it is one, its summary for the call graph (its tree is dropped
//! once summarized) and the findings of the per-file rules; and, as fixes
//! apply, its text now and whether it may still be written.

use tree_sitter::Parser;

#[cfg(debug_assertions)]
use super::debug_panic;
use crate::analysis::graph::FileView;
use crate::analysis::graph::modules::{is_package, module_name};
use crate::analysis::graph::summary::ModuleSummary;
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::input::notebook::Notebook;
use crate::input::source::{LineIndex, SourceFile};
use crate::rules::check_file;
use crate::scan::triage::Plan;
use crate::syntax::parse::{first_error, parse_without};

/// One parsed file and its current text (which fixes change in memory).
pub struct ProjectFile {
    pub source: SourceFile,
    /// For a notebook: its code cells, whose module text is what is analysed.
    pub notebook: Option<Notebook>,
    pub module: String,
    pub is_package: bool,
    /// The Python text now, after the fixes applied so far.
    pub text: String,
    pub index: LineIndex,
    pub summary: ModuleSummary,
    /// The findings of the per-file rules in `text`.
    pub local: Vec<Diagnostic>,
    /// Fixes touching this file were refused; it is reported and not written.
    pub failed: bool,
    /// How many fixes whose finding is in this file were applied.
    pub applied: usize,
    /// Rules the configuration turns off for this file.
    pub ignored: Vec<crate::registry::Rule>,
}

impl ProjectFile {
    pub(crate) fn new(parser: &mut Parser, source: SourceFile) -> Result<Self, Error> {
        Self::with_plan(parser, source, &Plan::default())
    }

    /// Parse and analyse `source` without the statements `plan` leaves out.
    pub(crate) fn with_plan(
        parser: &mut Parser,
        source: SourceFile,
        plan: &Plan,
    ) -> Result<Self, Error> {
        #[cfg(debug_assertions)]
        debug_panic::file(&source.path);
        let notebook = if source.path.extension().is_some_and(|e| e == "ipynb") {
            let notebook = Notebook::parse(&source.text).map_err(|reason| Error::Decode {
                path: source.display.clone(),
                reason: format!("is not a notebook unnest can edit: {reason}"),
            })?;
            Some(notebook)
        } else {
            None
        };
        let text = notebook
            .as_ref()
            .map_or_else(|| source.text.clone(), |n| n.module.clone());
        let index = LineIndex::new(&text);
        let tree = parse_without(parser, &text, &plan.holes);
        let error = first_error(&tree, &text);
        if !plan.holes.is_empty() && error.is_some() {
            // Whatever is wrong, the whole text tells best: a real error is
            // reported where it is, and a partial parse that went wrong costs
            // only the time.
            return Self::new(parser, source);
        }
        if let Some(at) = error {
            let location = match &notebook {
                Some(notebook) => {
                    let (cell, offset) = notebook.locate(at);
                    let at = LineIndex::new(&cell.source).location(&cell.source, offset);
                    format!("cell {}:{}:{}", cell.index + 1, at.row, at.column)
                }
                None => {
                    let at = index.location(&text, at);
                    format!("{}:{}", at.row, at.column)
                }
            };
            return Err(Error::Syntax {
                path: source.display,
                location,
            });
        }
        let module = module_name(&source.path);
        let package = is_package(&source.path);
        let (mut summary, local) = check_file(&tree, &text, &module, package, notebook.is_some());
        // The summary holds what the project needs of the tree; a fix pass
        // parses the text it makes. Trees are the largest part of a parsed
        // file, and a large tree parses hundreds.
        drop(tree);
        summary.module_names.extend(plan.hole_names.iter().cloned());
        Ok(Self {
            local,
            text,
            notebook,
            module,
            is_package: package,
            index,
            summary,
            source,
            failed: false,
            applied: 0,
            ignored: Vec::new(),
        })
    }

    /// The Python text as first analysed: the file's text, or a notebook's
    /// module text. Diagnostics of the first pass point into it. (Read from
    /// the source, not kept again: a large tree parses hundreds of files.)
    pub fn original(&self) -> &str {
        self.notebook
            .as_ref()
            .map_or(&self.source.text, |notebook| &notebook.module)
    }

    /// Whether fixes changed the text.
    pub fn is_changed(&self) -> bool {
        self.text != self.original()
    }

    /// The file's new contents: the fixed text, or for a notebook its JSON with
    /// the changed cell sources replaced; with the BOM and line endings it had.
    pub fn contents(&self) -> Result<String, Error> {
        let refused = |reason: String| Error::Unverified {
            path: self.source.display.clone(),
            reason,
        };
        let text = match &self.notebook {
            None => self.text.clone(),
            Some(notebook) => {
                let sources = notebook.cell_sources(&self.text).ok_or_else(|| {
                    refused("the fixed cells cannot be mapped back to the notebook".into())
                })?;
                let written = notebook
                    .write_sources(&self.source.text, &sources)
                    .map_err(refused)?;
                crate::write::verify::notebook_holds(&written, &sources).map_err(refused)?;
                written
            }
        };
        Ok(self.source.with_bom(&text))
    }

    pub(crate) fn view(&self) -> FileView<'_> {
        FileView {
            display: &self.source.display,
            text: &self.text,
            index: &self.index,
            summary: &self.summary,
            notebook: self.notebook.as_ref(),
        }
    }
}
