//! Applying fixes to a text: pick fixes whose edits do not collide, splice them
//! in, and repeat on the result until nothing more applies (a fix that collides
//! with another is retried on the next pass, against the new text).

use crate::diagnostic::Diagnostic;
use crate::fix::Edit;

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

/// The fixes to apply in one pass: applicable ones, in source order, skipping
/// any that collide with one already taken. Returns how many were taken and
/// their edits, sorted.
pub fn select(diagnostics: &[Diagnostic], unsafe_fixes: bool) -> (usize, Vec<&Edit>) {
    let mut taken: Vec<&crate::fix::Fix> = Vec::new();
    for fix in diagnostics.iter().filter_map(|d| d.fix.as_ref()) {
        if fix.is_applicable(unsafe_fixes) && !taken.iter().any(|t| t.overlaps(fix)) {
            taken.push(fix);
        }
    }
    let mut edits: Vec<&Edit> = taken.iter().flat_map(|fix| fix.edits.iter()).collect();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    (taken.len(), edits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::TextRange;

    #[test]
    fn splices_in_order() {
        let edits = [
            Edit::replace(TextRange::new(0, 12), "await "),
            Edit::delete(TextRange::new(15, 16)),
        ];
        assert_eq!(apply_edits("asyncio.run(f())", &edits), "await f()");
    }
}
