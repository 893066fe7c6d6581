//! JSON diagnostics shaped like Ruff's `--output-format json`: one object per
//! finding with `code`, `message`, `filename`, `location`, `end_location` and
//! `fix` (`applicability`, `message`, `edits`).

use serde::Serialize;

use super::Positions;
use std::borrow::Cow;
use std::ops::Range;

use similar::{DiffOp, TextDiff};

use crate::diagnostic::Diagnostic;
use crate::edit::Applicability;
use crate::edit::Edit;
use crate::edit::apply::apply_edits;
use crate::input::notebook::Notebook;
use crate::input::source::{LineIndex, Location};
use crate::project::ProjectFile;

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
    /// The fix as replacements in each file's own text (for a notebook, its
    /// `.ipynb` JSON), for the formats whose readers apply fixes to the file
    /// itself (SARIF). `None` when that text cannot be worked out exactly.
    #[serde(skip)]
    pub file_changes: Option<Vec<FileChange<'a>>>,
}

/// The replacements one fix makes in one file, in that file's own text.
pub struct FileChange<'a> {
    pub filename: &'a str,
    pub replacements: Vec<Replacement>,
}

/// Replace the text from `start` to `end` (rows and character columns of the
/// file as it is on disk, BOM left out as in every other position) with
/// `content`.
pub struct Replacement {
    pub start: Location,
    pub end: Location,
    pub content: String,
}

#[derive(Serialize)]
pub struct JsonEdit<'a> {
    /// Set only for an edit in another file than the finding's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<&'a str>,
    /// In a notebook: the cell the edit is in (numbered from 1), since a fix
    /// can change several cells and the location counts within the cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<usize>,
    pub content: &'a str,
    pub location: Location,
    pub end_location: Location,
}

/// What placing the findings of one file needs, worked out once for all of
/// them (a notebook's JSON can be megabytes): positions in `text`, the
/// file's analysed text before or after fixes, and for a notebook the JSON
/// text `text` is the module of, with its line index.
pub struct Place<'a> {
    file: &'a ProjectFile,
    text: &'a str,
    positions: Positions<'a>,
    notebook: Option<NotebookText<'a>>,
}

struct NotebookText<'a> {
    notebook: Cow<'a, Notebook>,
    /// The JSON text, BOM aside, as analysed (lone CRs read as LF).
    json: Cow<'a, str>,
    index: LineIndex,
}

impl<'a> Place<'a> {
    pub fn new(file: &'a ProjectFile, text: &'a str) -> Self {
        let notebook = file.notebook.as_ref().and_then(|notebook| {
            let (notebook, json) = if *text == notebook.module {
                (
                    Cow::Borrowed(notebook),
                    Cow::Borrowed(file.source.text.as_str()),
                )
            } else {
                // After fixes: the notebook as it is written.
                let contents = file.contents().ok()?;
                let json = contents
                    .strip_prefix('\u{feff}')
                    .map(str::to_owned)
                    .unwrap_or(contents);
                let notebook = Notebook::parse(&json).ok()?;
                if notebook.module != text {
                    return None;
                }
                (Cow::Owned(notebook), Cow::Owned(json))
            };
            let index = LineIndex::new(&json);
            Some(NotebookText {
                notebook,
                json,
                index,
            })
        });
        Self {
            file,
            text,
            positions: Positions::new(file, text),
            notebook,
        }
    }

    /// Where byte `offset` of `text` is in a notebook's JSON text.
    fn file_location(&self, offset: usize) -> Option<Location> {
        let nb = self.notebook.as_ref()?;
        let at = nb.notebook.file_offset(&nb.json, self.text, offset)?;
        Some(nb.index.location(&nb.json, at))
    }

    /// `edits`, which point into `text`, as replacements in the file's own
    /// text. A notebook's edits are in its module of code cells: they become
    /// the changes of the JSON source strings that `--write` makes, so that
    /// applying them gives the notebook `--write` writes. `None` when the
    /// edits cannot be mapped back to the file (then no fix is offered).
    fn replacements(&self, edits: &[Edit]) -> Option<Vec<Replacement>> {
        let source = &self.file.source;
        // A lone-CR file gets its line ends back when written.
        let on_disk = |text: &str| {
            if source.cr_only {
                text.replace('\n', "\r")
            } else {
                text.to_owned()
            }
        };
        if self.file.notebook.is_none() {
            return Some(
                edits
                    .iter()
                    .map(|edit| Replacement {
                        start: self.positions.at(edit.range.start).1,
                        end: self.positions.at(edit.range.end).1,
                        content: on_disk(&edit.content),
                    })
                    .collect(),
            );
        }
        let nb = self.notebook.as_ref()?;
        let fixed = apply_edits(self.text, edits);
        let sources = nb.notebook.cell_sources(&fixed)?;
        let mut out = Vec::new();
        for (range, content) in nb.notebook.source_edits(&nb.json, &sources) {
            // Each changed `source` value, narrowed to what differs.
            for r in replacements(&on_disk(&nb.json[range.clone()]), &on_disk(&content)) {
                let shift = |at: Location| {
                    let base = nb.index.location(&nb.json, range.start);
                    if at.row == 1 {
                        Location {
                            row: base.row,
                            column: base.column + at.column - 1,
                        }
                    } else {
                        Location {
                            row: base.row + at.row - 1,
                            column: at.column,
                        }
                    }
                };
                out.push(Replacement {
                    start: shift(r.start),
                    end: shift(r.end),
                    content: r.content,
                });
            }
        }
        Some(out)
    }
}

/// The JSON form of `d`, a finding of the file `place` is about.
pub fn diagnostic<'a>(
    files: &'a [ProjectFile],
    place: &Place<'a>,
    d: &'a Diagnostic,
) -> JsonDiagnostic<'a> {
    let file = place.file;
    let positions = &place.positions;
    let (cell, location) = positions.at(d.range.start);
    let file_region = match &place.notebook {
        Some(_) => place
            .file_location(d.range.start)
            .zip(place.file_location(d.range.end)),
        None => None,
    };
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
                    cell: positions.at(edit.range.start).0,
                    content: &edit.content,
                    location: positions.at(edit.range.start).1,
                    end_location: positions.at(edit.range.end).1,
                })
                .collect();
            let mut file_changes = place.replacements(&fix.edits).map(|replacements| {
                vec![FileChange {
                    filename: &file.source.display,
                    replacements,
                }]
            });
            for (other, other_edits) in &fix.elsewhere {
                let other = &files[*other];
                // Edits of other files point into the same version of them as
                // the finding does: the text first analysed.
                let other_place = Place::new(other, other.original());
                let other_positions = &other_place.positions;
                edits.extend(other_edits.iter().map(|edit| JsonEdit {
                    filename: Some(&other.source.display),
                    cell: other_positions.at(edit.range.start).0,
                    content: &edit.content,
                    location: other_positions.at(edit.range.start).1,
                    end_location: other_positions.at(edit.range.end).1,
                }));
                file_changes = file_changes.and_then(|mut changes| {
                    changes.push(FileChange {
                        filename: &other.source.display,
                        replacements: other_place.replacements(other_edits)?,
                    });
                    Some(changes)
                });
            }
            JsonFix {
                applicability: fix.applicability,
                message: &fix.message,
                edits,
                file_changes,
            }
        }),
    }
}

/// The smallest replacements that turn `old` into `new`: a line diff, each
/// changed run of lines narrowed to the characters that differ.
fn replacements(old: &str, new: &str) -> Vec<Replacement> {
    // Only the lines between the common head and tail are diffed: a
    // notebook's outputs can be megabytes, on one line.
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let same = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let head = a[..same]
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |i| i + 1);
    let room = a.len().min(b.len()) - head;
    let same = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(room)
        .take_while(|(x, y)| x == y)
        .count();
    let tail = match a[a.len() - same..].iter().position(|&c| c == b'\n') {
        Some(i) => same - i - 1,
        None => 0,
    };
    let old_lines: Vec<&str> = old[head..old.len() - tail].split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new[head..new.len() - tail].split_inclusive('\n').collect();
    let diff = TextDiff::configure().diff_slices(&old_lines, &new_lines);
    let offsets = |lines: &[&str]| {
        let mut at = vec![head];
        for line in lines {
            at.push(at.last().unwrap() + line.len());
        }
        at
    };
    let (old_at, new_at) = (offsets(&old_lines), offsets(&new_lines));
    let index = LineIndex::new(old);
    let mut out = Vec::new();
    // Runs of changed lines: consecutive operations that are not equal.
    let mut run: Option<(Range<usize>, Range<usize>)> = None;
    let ops = diff.ops();
    for (i, op) in ops.iter().enumerate() {
        if !matches!(op, DiffOp::Equal { .. }) {
            let (o, n) = (op.old_range(), op.new_range());
            run = Some(match run {
                Some((ro, rn)) => (ro.start..o.end, rn.start..n.end),
                None => (o, n),
            });
        }
        let ends = i + 1 == ops.len() || matches!(ops[i + 1], DiffOp::Equal { .. });
        if let (true, Some((o, n))) = (ends, run.take()) {
            let old_part = &old[old_at[o.start]..old_at[o.end]];
            let new_part = &new[new_at[n.start]..new_at[n.end]];
            let prefix: usize = old_part
                .chars()
                .zip(new_part.chars())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a.len_utf8())
                .sum();
            let suffix: usize = old_part[prefix..]
                .chars()
                .rev()
                .zip(new_part[prefix..].chars().rev())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a.len_utf8())
                .sum();
            // Whole words read better in a viewer: `asyncio.run(` to
            // `await `, not `syncio.run(` to `wait `.
            let word = |c: char| c.is_alphanumeric() || c == '_';
            let mut prefix = prefix;
            while let Some(c) = old_part[..prefix].chars().next_back().filter(|&c| word(c)) {
                prefix -= c.len_utf8();
            }
            let mut suffix = suffix;
            while let Some(c) = old_part[old_part.len() - suffix..]
                .chars()
                .next()
                .filter(|&c| word(c))
            {
                suffix -= c.len_utf8();
            }
            // A boundary between a CR and its LF would fall inside one line
            // end, which rows and columns cannot name: take the pair whole.
            let split = |text: &str, at: usize| {
                at > 0 && text[..at].ends_with('\r') && text[at..].starts_with('\n')
            };
            if split(old, old_at[o.start] + prefix) {
                prefix -= 1;
            }
            if split(old, old_at[o.end] - suffix) {
                suffix -= 1;
            }
            let start = old_at[o.start] + prefix;
            let end = old_at[o.end] - suffix;
            out.push(Replacement {
                start: index.location(old, start),
                end: index.location(old, end),
                content: new_part[prefix..new_part.len() - suffix].to_owned(),
            });
        }
    }
    out
}
