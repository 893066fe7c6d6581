//! The fix model: a [`Fix`] is a set of non-overlapping [`Edit`]s on the original
//! bytes of one file, with an [`Applicability`] that says whether `--write` may apply
//! it on its own.
//!
//! Edits are byte ranges on the text that was parsed, never line or node
//! replacements: every byte outside the ranges stays exactly as it was, which is
//! what keeps CRLF endings, tabs, BOMs and trailing spaces intact.

pub mod apply;
pub mod bridge;
pub mod rewrite;

use std::ops::Range;
use std::sync::Arc;

/// A half-open byte range `[start, end)` in a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TextRange {
    pub start: usize,
    pub end: usize,
}

impl TextRange {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end, "range {start}..{end} is reversed");
        Self { start, end }
    }

    pub fn of(node: tree_sitter::Node) -> Self {
        Self::new(node.start_byte(), node.end_byte())
    }

    pub fn as_range(self) -> Range<usize> {
        self.start..self.end
    }

    /// Two ranges overlap when they share a byte, or when both insert at the same
    /// point (two insertions at one offset have no defined order).
    pub fn overlaps(self, other: TextRange) -> bool {
        (self.start < other.end && other.start < self.end)
            || (self.start == other.start && (self.is_empty() || other.is_empty()))
    }

    /// Overlap, or meet at a point: what two different fixes must not do. A
    /// fix whose edit ends where another's begins may depend on that text
    /// (`asyncio.run(asyncio.run(f()))` would become `await await f()`), so
    /// the second waits for the next pass, against the new text.
    pub fn touches(self, other: TextRange) -> bool {
        self.start <= other.end && other.start <= self.end
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// Replace the bytes in `range` with `content`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    pub range: TextRange,
    pub content: String,
}

impl Edit {
    pub fn replace(range: TextRange, content: impl Into<String>) -> Self {
        Self {
            range,
            content: content.into(),
        }
    }

    pub fn insert(at: usize, content: impl Into<String>) -> Self {
        Self::replace(TextRange::new(at, at), content)
    }

    pub fn delete(range: TextRange) -> Self {
        Self::replace(range, "")
    }
}

/// Whether a fix keeps the meaning the author intended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Changes only what was broken; `--write` applies it.
    Safe,
    /// Changes behaviour beyond the broken call (ordering, eagerness, threads);
    /// applied only with `--unsafe-fixes`.
    Unsafe,
}

/// Edits by file, in file order, shared between the findings of a group.
pub type FileEdits = Arc<[(usize, Arc<[Edit]>)]>;

/// The edits of a fix in files other than its finding's, by file in order:
/// a list that the findings of one group share, less the finding's own file.
#[derive(Debug, Clone)]
pub struct Elsewhere {
    files: FileEdits,
    /// The file of the list left out (the finding's own).
    own: Option<usize>,
}

impl Default for Elsewhere {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

impl Elsewhere {
    /// `files`, by file in order, none of them the finding's own.
    pub fn new(files: Vec<(usize, Arc<[Edit]>)>) -> Self {
        Self {
            files: files.into(),
            own: None,
        }
    }

    /// Each other file and its edits, by file in order.
    pub fn iter(&self) -> impl Iterator<Item = &(usize, Arc<[Edit]>)> {
        let own = self.own;
        self.files
            .iter()
            .filter(move |(file, _)| Some(*file) != own)
    }

    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

impl PartialEq for Elsewhere {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Elsewhere {}

impl<'a> IntoIterator for &'a Elsewhere {
    type Item = &'a (usize, Arc<[Edit]>);
    type IntoIter = Box<dyn Iterator<Item = Self::Item> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

/// A set of edits that together resolve one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// Edits in the finding's own file, sorted by range start, non-overlapping.
    /// Shared: the findings a group fix serves (a chain of helpers made
    /// async together) hold the same edits.
    pub edits: Arc<[Edit]>,
    /// Edits in other files of the run (by their index in the project), for
    /// fixes that change a function and its callers together. A fix is applied
    /// whole or not at all.
    pub elsewhere: Elsewhere,
    pub applicability: Applicability,
    /// What the fix does and what it changes, in one sentence or two.
    pub message: String,
    /// The fix stays right whatever the fixes of findings inside its range
    /// do: it keeps its own parentheses around the awaitable and edits only
    /// outside them (`asyncio.run(asyncio.run(f()))` becomes `await (...)`
    /// around whatever the inner fix makes). Such a fix goes in the same pass
    /// as those inside it, so a chain of any depth is fixed in one pass.
    pub encloses_fixes: bool,
}

impl Fix {
    pub fn new(mut edits: Vec<Edit>, applicability: Applicability, message: String) -> Self {
        edits.sort_by_key(|edit| edit.range);
        edits.dedup();
        Self {
            edits: edits.into(),
            elsewhere: Elsewhere::default(),
            applicability,
            message,
            encloses_fixes: false,
        }
    }

    /// The same fix, marked as staying right around the fixes inside it.
    pub fn enclosing_fixes(mut self) -> Self {
        self.encloses_fixes = true;
        self
    }

    /// The same fix, also editing other files. `own` is the index of the
    /// finding's file: edits for it join `edits`.
    pub fn spanning(mut self, own: usize, by_file: Vec<(usize, Vec<Edit>)>) -> Self {
        let mut mine = self.edits.to_vec();
        let mut elsewhere: Vec<(usize, Arc<[Edit]>)> = self.elsewhere.iter().cloned().collect();
        for (file, mut edits) in by_file {
            if file == own {
                mine.append(&mut edits);
            } else {
                edits.sort_by_key(|e| e.range);
                edits.dedup();
                elsewhere.push((file, edits.into()));
            }
        }
        mine.sort_by_key(|e| e.range);
        mine.dedup();
        self.edits = mine.into();
        elsewhere.sort_by_key(|(file, _)| *file);
        self.elsewhere = Elsewhere::new(elsewhere);
        self
    }

    /// As [`Fix::spanning`] for a fix with no edits of its own yet, with
    /// edits already sorted by range and without duplicates, by file in
    /// order: shared, not copied.
    pub fn spanning_sorted(mut self, own: usize, by_file: &FileEdits) -> Self {
        debug_assert!(self.edits.is_empty() && self.elsewhere.is_empty());
        if let Some((_, edits)) = by_file.iter().find(|(file, _)| *file == own) {
            self.edits = edits.clone();
        }
        // The list is shared by every finding of the group, each leaving out
        // its own file: a chain of N files no longer holds N lists of N.
        self.elsewhere = Elsewhere {
            files: by_file.clone(),
            own: Some(own),
        };
        self
    }

    /// What the fixes of one group's findings share, which makes them the
    /// same edits ([`Fix::spanning_sorted`] gives each the group's list of
    /// every file's edits): `None` for a fix of its own.
    pub fn group_key(&self) -> Option<usize> {
        let files = &self.elsewhere.files;
        (self.elsewhere.own.is_some() && !files.is_empty())
            .then_some(Arc::as_ptr(files) as *const () as usize)
    }

    /// Every edit of the fix with the index of its file.
    pub fn all_edits(&self, own: usize) -> impl Iterator<Item = (usize, &Edit)> {
        self.edits.iter().map(move |e| (own, e)).chain(
            self.elsewhere
                .iter()
                .flat_map(|(file, edits)| edits.iter().map(move |e| (*file, e))),
        )
    }

    pub fn is_applicable(&self, unsafe_fixes: bool) -> bool {
        self.applicability == Applicability::Safe || unsafe_fixes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_that_touch_do_not_overlap() {
        assert!(!TextRange::new(0, 3).overlaps(TextRange::new(3, 5)));
        assert!(TextRange::new(0, 4).overlaps(TextRange::new(3, 5)));
    }

    #[test]
    fn touching_ranges_touch() {
        assert!(TextRange::new(0, 3).touches(TextRange::new(3, 5)));
        assert!(!TextRange::new(0, 3).touches(TextRange::new(4, 5)));
    }

    #[test]
    fn insertions_at_one_point_overlap() {
        assert!(TextRange::new(3, 3).overlaps(TextRange::new(3, 3)));
        assert!(TextRange::new(3, 3).overlaps(TextRange::new(3, 6)));
        assert!(!TextRange::new(3, 3).overlaps(TextRange::new(1, 3)));
    }
}
