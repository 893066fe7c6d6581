//! What `--interactive` shows about a proposed fix: where its finding is, and
//! its edits as diffs (a notebook as the cells that change).

use std::collections::BTreeMap;

use super::Positions;
use super::diff::unified_diff;
use crate::edit::Edit;
use crate::edit::apply::apply_edits;
use crate::project::Proposal;

/// Where the finding is: `path:line:col`, or `path:cell N:line:col` in a
/// notebook.
pub fn location(proposal: &Proposal) -> String {
    let target = &proposal.files[proposal.file];
    let at = Positions::new(target, &target.text).label(proposal.diagnostic.range.start);
    format!("{}:{at}", target.source.display)
}

/// The text of a proposed fix's edits as `diff`s of the files they touch,
/// for a reviewer to read.
pub fn hunk(proposal: &Proposal, color: bool) -> String {
    let Proposal {
        files, file, fix, ..
    } = *proposal;
    let mut by_file: BTreeMap<usize, Vec<&Edit>> = BTreeMap::new();
    for (f, edit) in fix.all_edits(file) {
        by_file.entry(f).or_default().push(edit);
    }
    let mut out = String::new();
    for (f, mut edits) in by_file {
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        let target = &files[f];
        let new = apply_edits(&target.text, edits.iter().copied());
        let display = &target.source.display;
        let cells = target.notebook.as_ref().and_then(|notebook| {
            Some((
                notebook,
                notebook.cell_sources(&target.text)?,
                notebook.cell_sources(&new)?,
            ))
        });
        match cells {
            // A notebook is shown as its user sees it: the changed cells.
            Some((notebook, old_cells, new_cells)) => {
                for (position, cell) in notebook.cells.iter().enumerate() {
                    if old_cells[position] != new_cells[position] {
                        out.push_str(&unified_diff(
                            &format!("{display}:cell {}", cell.index + 1),
                            &old_cells[position],
                            &new_cells[position],
                            color,
                        ));
                    }
                }
            }
            None => out.push_str(&unified_diff(
                display,
                &target.source.with_bom(&target.text),
                &target.source.with_bom(&new),
                color,
            )),
        }
    }
    out
}
