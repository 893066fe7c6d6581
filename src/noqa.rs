//! Suppression comments on the line where a finding starts (for a call over
//! several lines, its first line), as Ruff reads them:
//!
//! - `# noqa` suppresses every finding on the line;
//! - `# noqa: UNN001, UNN002` only those codes (other tools' codes are ignored);
//! - `# unnest: ignore` every finding of unnest on the line.

use crate::diagnostic::Diagnostic;

/// Whether a comment on the first line of `d` in `text` suppresses it.
pub fn suppresses(text: &str, d: &Diagnostic) -> bool {
    let start = text[..d.range.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[d.range.start..]
        .find('\n')
        .map_or(text.len(), |i| d.range.start + i);
    let Some(hash) = text[start..end].find('#') else {
        return false;
    };
    comment_suppresses(&text[start + hash..end], d.rule.code())
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
