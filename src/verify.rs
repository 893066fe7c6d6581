//! Checks made on every fixed text before it is shown or written: it parses,
//! and every byte outside the edits is the byte that was there.

use crate::fix::Edit;

/// Whether `new` equals `old` outside `edits` (sorted, non-overlapping), with
/// each edit's content in its place. This is what [`crate::apply::apply_edits`]
/// promises; checking it costs one pass over the text.
pub fn unchanged_outside(old: &str, new: &str, edits: &[&Edit]) -> bool {
    let (mut old_at, mut new_at) = (0, 0);
    for edit in edits {
        let keep = edit.range.start - old_at;
        if old.get(old_at..edit.range.start) != new.get(new_at..new_at + keep) {
            return false;
        }
        new_at += keep;
        if new.get(new_at..new_at + edit.content.len()) != Some(edit.content.as_str()) {
            return false;
        }
        new_at += edit.content.len();
        old_at = edit.range.end;
    }
    old.get(old_at..) == new.get(new_at..)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::TextRange;

    #[test]
    fn detects_a_stray_change() {
        let edits = [Edit::replace(TextRange::new(4, 5), "y")];
        let refs: Vec<&Edit> = edits.iter().collect();
        assert!(unchanged_outside("a = x\n", "a = y\n", &refs));
        assert!(!unchanged_outside("a = x\n", "b = y\n", &refs));
        assert!(!unchanged_outside("a = x\n", "a = y\r\n", &refs));
    }
}
