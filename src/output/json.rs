//! JSON diagnostics shaped like Ruff's `--output-format json`: one object per
//! finding with `code`, `message`, `filename`, `location`, `end_location` and
//! `fix` (`applicability`, `message`, `edits`).

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::fix::Applicability;
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
    pub content: &'a str,
    pub location: Location,
    pub end_location: Location,
}

pub fn diagnostic<'a>(
    filename: &'a str,
    text: &str,
    index: &LineIndex,
    d: &'a Diagnostic,
) -> JsonDiagnostic<'a> {
    JsonDiagnostic {
        code: d.rule.code(),
        message: &d.message,
        filename,
        location: index.location(text, d.range.start),
        end_location: index.location(text, d.range.end),
        fix: d.fix.as_ref().map(|fix| JsonFix {
            applicability: fix.applicability,
            message: &fix.message,
            edits: fix
                .edits
                .iter()
                .map(|edit| JsonEdit {
                    content: &edit.content,
                    location: index.location(text, edit.range.start),
                    end_location: index.location(text, edit.range.end),
                })
                .collect(),
        }),
    }
}
