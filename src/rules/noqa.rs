//! Suppression comments on the line where a finding starts (for a call over
//! several lines, its first line), as Ruff reads them:
//!
//! - `# noqa` suppresses every finding on the line;
//! - `# noqa: UNN001, UNN002` only those codes (other tools' codes are ignored);
//! - `# unnest: ignore` every finding of unnest on the line.

use std::ops::Range;

use crate::diagnostic::Diagnostic;

/// The comments of one text, as the Python lexer finds them: a `#` in a
/// string is not one.
pub struct Comments<'t> {
    text: &'t str,
    comments: Vec<Range<usize>>,
}

impl<'t> Comments<'t> {
    pub fn new(text: &'t str) -> Self {
        Self {
            text,
            comments: crate::syntax::lexer::marks(text, false).comments,
        }
    }

    /// Whether a comment on the first line of `d` suppresses it. Lines end at
    /// LF, CRLF or a lone CR, as in CPython.
    pub fn suppresses(&self, d: &Diagnostic) -> bool {
        let text = self.text;
        let at = d.range.start.min(text.len());
        let start = text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        let end = text[at..].find(['\n', '\r']).map_or(text.len(), |i| at + i);
        let first = self.comments.partition_point(|c| c.start < start);
        self.comments[first..]
            .iter()
            .take_while(|c| c.start < end)
            .any(|c| comment_suppresses(&text[c.clone()], d.rule.code()))
    }
}

/// Whether the comment text (from its first `#`) suppresses `code`.
fn comment_suppresses(comment: &str, code: &str) -> bool {
    let lower = comment.to_ascii_lowercase();
    if lower.contains("unnest: ignore") {
        return true;
    }
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("noqa") {
        let before = rest[..at].trim_end();
        let after = &rest[at + 4..];
        rest = after;
        if !before.ends_with('#') {
            continue;
        }
        let Some(codes) = after.trim_start().strip_prefix(':') else {
            // A bare `# noqa`.
            return true;
        };
        let listed = codes
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
            .take_while(|t| t.chars().all(|c| c.is_ascii_alphanumeric()));
        for token in listed {
            if token.eq_ignore_ascii_case(code) {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert!(comment_suppresses("# noqa", "UNN001"));
        assert!(comment_suppresses("#noqa", "UNN001"));
        assert!(comment_suppresses("# NOQA: UNN001", "UNN001"));
        assert!(comment_suppresses("# noqa: E501, UNN002", "UNN002"));
        assert!(!comment_suppresses("# noqa: E501", "UNN001"));
        assert!(!comment_suppresses("# noqa: UNN002", "UNN001"));
        assert!(comment_suppresses("# unnest: ignore", "UNN004"));
        assert!(!comment_suppresses("# see noqa docs", "UNN001"));
        assert!(comment_suppresses(
            "# type: ignore  # noqa: UNN001",
            "UNN001"
        ));
    }
}
