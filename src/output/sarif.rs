//! SARIF 2.1.0, the format GitHub code scanning reads: every rule described in
//! `tool.driver.rules` from its documentation, and each finding a result with
//! its region and, where it has one, its fix.

use serde_json::{Value, json};

use super::json::JsonDiagnostic;
use crate::input::source::Location;
use crate::registry::Rule;

pub fn log(items: &[JsonDiagnostic]) -> Value {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|rule| {
            json!({
                "id": rule.code(),
                "name": rule.name(),
                "shortDescription": { "text": rule.summary() },
                "fullDescription": { "text": rule.doc() },
                "help": { "text": rule.doc(), "markdown": rule.doc() },
                "defaultConfiguration": { "level": "warning" },
            })
        })
        .collect();
    let results: Vec<Value> = items.iter().map(result).collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "unnest",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            // Columns count characters, as in the text output.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn region(start: Location, end: Location) -> Value {
    json!({
        "startLine": start.row,
        "startColumn": start.column,
        "endLine": end.row,
        "endColumn": end.column,
    })
}

fn result(item: &JsonDiagnostic) -> Value {
    let index = Rule::ALL
        .iter()
        .position(|r| r.code() == item.code)
        .unwrap_or(0);
    // A notebook's finding is placed in the `.ipynb` file's own lines.
    let (start, end) = item
        .file_region
        .unwrap_or((item.location, item.end_location));
    let mut result = json!({
        "ruleId": item.code,
        "ruleIndex": index,
        "level": "warning",
        "message": { "text": item.message },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(item.filename) },
                "region": region(start, end),
            }
        }],
    });
    if let Some(cell) = item.cell {
        result["properties"] = json!({ "notebookCell": cell });
    }
    // A fix is offered only where it is exact in every file it changes (in
    // a notebook: the `.ipynb` JSON text `--write` would write).
    if let Some(fix) = &item.fix
        && let Some(changes) = &fix.file_changes
    {
        let changes: Vec<Value> = changes
            .iter()
            .map(|change| {
                let replacements: Vec<Value> = change
                    .replacements
                    .iter()
                    .map(|r| {
                        json!({
                            "deletedRegion": region(r.start, r.end),
                            "insertedContent": { "text": r.content },
                        })
                    })
                    .collect();
                json!({
                    "artifactLocation": { "uri": uri(change.filename) },
                    "replacements": replacements,
                })
            })
            .collect();
        result["fixes"] = json!([{
            "description": { "text": fix.message },
            "artifactChanges": changes,
        }]);
    }
    result
}

/// A path as a SARIF `uri` (a URI reference): every byte but unreserved
/// characters and `/` percent-encoded, so that a `#`, `?`, `%`, space or
/// non-ASCII character in a file name is read as part of the path.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
