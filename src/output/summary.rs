//! The machine-readable summary of a run (`--summary-json`): one JSON
//! object of counts, per rule and in total, for dashboards that follow a
//! migration across many repositories. It holds what the Markdown report
//! counts (see [`super::report::Outcome`]) and nothing that changes between
//! two runs over the same files: no time, no absolute path.

use std::collections::BTreeMap;

use serde::Serialize;

use super::report::{Counts, Outcome};
use crate::cli::Mode;

#[derive(Serialize)]
pub struct Summary<'a> {
    pub version: &'static str,
    /// `write`, `dry-run` or `check`.
    pub mode: &'static str,
    pub files_scanned: usize,
    /// Files the fixes changed (`--write`: written; the dry run: would
    /// change; `--check`: 0).
    pub files_changed: usize,
    #[serde(flatten)]
    pub total: JsonCounts,
    /// Per rule code, rules with findings only.
    pub rules: BTreeMap<&'static str, JsonCounts>,
    pub errors: usize,
    /// The errors' messages (files skipped or refused), sorted.
    pub error_messages: &'a [String],
}

#[derive(Serialize)]
pub struct JsonCounts {
    pub findings: usize,
    /// Fixed (`--write`), fixed in the dry run, or fixable (`--check`).
    pub fixed: usize,
    pub left_for_a_person: usize,
    pub refused: usize,
}

impl From<Counts> for JsonCounts {
    fn from(c: Counts) -> Self {
        JsonCounts {
            findings: c.found,
            fixed: c.fixed,
            left_for_a_person: c.left,
            refused: c.refused,
        }
    }
}

pub fn summary(outcome: &Outcome) -> Summary<'_> {
    Summary {
        version: env!("CARGO_PKG_VERSION"),
        mode: match outcome.mode {
            Mode::Write => "write",
            Mode::Diff => "dry-run",
            Mode::Check => "check",
        },
        files_scanned: outcome.scanned,
        files_changed: outcome.files_changed,
        total: outcome.total().into(),
        rules: outcome
            .rules
            .iter()
            .map(|(rule, c)| (rule.code(), (*c).into()))
            .collect(),
        errors: outcome.errors.len(),
        error_messages: &outcome.errors,
    }
}

/// The summary as pretty JSON, with a final newline.
pub fn json(outcome: &Outcome) -> String {
    let mut text = serde_json::to_string_pretty(&summary(outcome)).unwrap_or_default();
    text.push('\n');
    text
}
