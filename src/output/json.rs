//! JSON diagnostics shaped like Ruff's `--output-format json`: one object per
//! finding with `code`, `message`, `filename`, `location`, `end_location` and
//! `fix` (`applicability`, `message`, `edits`).

use serde::Serialize;

use super::Positions;
use crate::diagnostic::Diagnostic;
use crate::fix::Applicability;
use crate::notebook::Notebook;
use crate::project::ProjectFile;
use crate::source::Location;

#[derive(Serialize)]
pub struct JsonDiagnostic<'a> {
    pub code: &'static str,
    pub message: &'a str,
    pub filename: &'a str,
    /// The notebook cell, numbered from 1; `null` outside notebooks.
    pub cell: Option<usize>,
    pub location: Location,
    pub end_location: Location,
    pub fix: Option<JsonFix<'a>>,
    /// In a notebook: the start and end in the `.ipynb` file's own text, for
    /// the formats whose readers open that file (GitHub, SARIF).
    #[serde(skip)]
    pub file_region: Option<(Location, Location)>,
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

/// The JSON form of `d`, a finding in `file` whose positions point into `text`
/// (the file's analysed text, before or after fixes).
pub fn diagnostic<'a>(
    files: &'a [ProjectFile],
    file: &'a ProjectFile,
    text: &str,
    d: &'a Diagnostic,
) -> JsonDiagnostic<'a> {
    let positions = Positions::new(file, text);
    let (cell, location) = positions.at(d.range.start);
    let file_region = file.notebook.as_ref().and_then(|notebook| {
        let region = |notebook: &Notebook, json: &str| {
            Some((
                notebook.file_location(json, text, d.range.start)?,
                notebook.file_location(json, text, d.range.end)?,
            ))
        };
        // After fixes, the positions are in the notebook as it is written.
        region(notebook, &file.source.text).or_else(|| {
            let json = file.contents().ok()?;
            let json = json.strip_prefix('\u{feff}').unwrap_or(&json);
            region(&Notebook::parse(json).ok()?, json)
        })
    });
    JsonDiagnostic {
        code: d.rule.code(),
        message: &d.message,
        filename: &file.source.display,
        cell,
        location,
        end_location: positions.at(d.range.end).1,
        file_region,
        fix: d.fix.as_ref().map(|fix| {
            let mut edits: Vec<JsonEdit> = fix
                .edits
                .iter()
                .map(|edit| JsonEdit {
                    filename: None,
                    content: &edit.content,
                    location: positions.at(edit.range.start).1,
                    end_location: positions.at(edit.range.end).1,
                })
                .collect();
            for (other, other_edits) in &fix.elsewhere {
                let other = &files[*other];
                // Edits of other files point into the same version of them as
                // the finding does: the text first analysed.
                let other_positions = Positions::new(other, &other.original);
                edits.extend(other_edits.iter().map(|edit| JsonEdit {
                    filename: Some(&other.source.display),
                    content: &edit.content,
                    location: other_positions.at(edit.range.start).1,
                    end_location: other_positions.at(edit.range.end).1,
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

/// Print `items` in `format`: a JSON array, one JSON object per line, or
/// GitHub Actions workflow commands. Nothing for the text format.
pub fn emit(format: crate::cli::Format, items: &[JsonDiagnostic], out: &mut impl std::io::Write) {
    use crate::cli::Format;
    match format {
        Format::Text => {}
        Format::Json => {
            let _ = serde_json::to_writer_pretty(&mut *out, items);
            let _ = writeln!(out);
        }
        Format::Sarif => {
            let _ = serde_json::to_writer_pretty(&mut *out, &super::sarif::log(items));
            let _ = writeln!(out);
        }
        Format::JsonLines => {
            for item in items {
                let _ = serde_json::to_writer(&mut *out, item);
                let _ = writeln!(out);
            }
        }
        Format::Github => {
            for item in items {
                let (start, end) = item
                    .file_region
                    .unwrap_or((item.location, item.end_location));
                let title = match item.cell {
                    Some(cell) => format!("{} (cell {cell})", item.code),
                    None => item.code.to_owned(),
                };
                let _ = writeln!(
                    out,
                    "::warning file={},line={},col={},endLine={},endColumn={},title={}::{}",
                    escape_property(item.filename),
                    start.row,
                    start.column,
                    end.row,
                    end.column,
                    escape_property(&title),
                    escape_data(item.message),
                );
            }
        }
    }
}

/// Workflow command data: `%`, CR and LF are escaped.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow command properties: also `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
