//! Splicing edits into a text. Which fixes go together in a pass is decided
//! in `crate::project`.

use crate::edit::Edit;

/// Splice `edits` (sorted by start, non-overlapping) into `text`.
pub fn apply_edits<'e>(text: &str, edits: impl IntoIterator<Item = &'e Edit>) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut last = 0;
    for edit in edits {
        debug_assert!(edit.range.start >= last, "edits overlap or are unsorted");
        out.push_str(&text[last..edit.range.start]);
        out.push_str(&edit.content);
        last = edit.range.end;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::TextRange;

    #[test]
    fn splices_in_order() {
        let edits = [
            Edit::replace(TextRange::new(0, 12), "await "),
            Edit::delete(TextRange::new(15, 16)),
        ];
        assert_eq!(apply_edits("asyncio.run(f())", &edits), "await f()");
    }
}
