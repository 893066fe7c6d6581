//! JSON diagnostics shaped like Ruff's `--output-format json`: one object per
//! finding with `code`, `message`, `filename`, `location`, `end_location` and
//! `fix` (`applicability`, `message`, `edits`).

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::fix::Applicability;
use crate::project::ProjectFile;
use crate::source::{LineIndex, Location};

#[derive(Serialize)]
pub struct JsonDiagnostic<'a> {
    pub code: &'static str,
    pub message: &'a str,
    pub filename: &'a str,
    pub location: Location,
    pub end_location: Location,
    pub fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
pub struct JsonFix<'a> {
    pub applicability: Applicability,
    pub message: &'a str,
    pub edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
pub struct JsonEdit<'a> {
    /// Set only for an edit in another file than the finding's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<&'a str>,
    pub content: &'a str,
    pub location: Location,
    pub end_location: Location,
}

/// The JSON form of `d`, a finding in `file` whose positions point into `text`.
pub fn diagnostic<'a>(
    files: &'a [ProjectFile],
    file: &'a ProjectFile,
    text: &str,
    index: &LineIndex,
    d: &'a Diagnostic,
) -> JsonDiagnostic<'a> {
    JsonDiagnostic {
        code: d.rule.code(),
        message: &d.message,
        filename: &file.source.display,
        location: index.location(text, d.range.start),
        end_location: index.location(text, d.range.end),
        fix: d.fix.as_ref().map(|fix| {
            let mut edits: Vec<JsonEdit> = fix
                .edits
                .iter()
                .map(|edit| JsonEdit {
                    filename: None,
                    content: &edit.content,
                    location: index.location(text, edit.range.start),
                    end_location: index.location(text, edit.range.end),
                })
                .collect();
            for (other, other_edits) in &fix.elsewhere {
                let other = &files[*other];
                // Edits of other files point into the same version of them as
                // the finding does: the original text.
                let other_text = &other.source.text;
                let other_index = LineIndex::new(other_text);
                edits.extend(other_edits.iter().map(|edit| JsonEdit {
                    filename: Some(&other.source.display),
                    content: &edit.content,
                    location: other_index.location(other_text, edit.range.start),
                    end_location: other_index.location(other_text, edit.range.end),
                }));
            }
            JsonFix {
                applicability: fix.applicability,
                message: &fix.message,
                edits,
            }
        }),
    }
}
