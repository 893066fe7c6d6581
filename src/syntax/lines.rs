//! Physical lines as CPython reads them: LF, CRLF and a lone CR each end a
//! line. Every line-based edit of the graph's fixes (whole-line removals,
//! import and task-set insertion points) finds its lines here, so that a file
//! mixing line endings is cut where Python cuts it.

/// The start of the line holding byte `at`.
pub fn line_start(text: &str, at: usize) -> usize {
    memchr::memrchr2(b'\n', b'\r', &text.as_bytes()[..at]).map_or(0, |i| i + 1)
}

/// The end of the line holding byte `at`, its line break excluded.
pub fn line_end(text: &str, at: usize) -> usize {
    memchr::memchr2(b'\n', b'\r', &text.as_bytes()[at..]).map_or(text.len(), |i| at + i)
}

/// The start of the line after the one holding byte `at`, or `None` on the
/// last line (which has no line break).
pub fn next_line_start(text: &str, at: usize) -> Option<usize> {
    let end = line_end(text, at);
    match text.as_bytes().get(end)? {
        b'\r' if text.as_bytes().get(end + 1) == Some(&b'\n') => Some(end + 2),
        _ => Some(end + 1),
    }
}

/// The whole lines that bytes `start..end` of `text` stand on, with a
/// trailing comment and the line break, when nothing else (but indentation)
/// shares them.
pub fn whole_lines(text: &str, start: usize, end: usize) -> Option<std::ops::Range<usize>> {
    let first = line_start(text, start);
    if !text[first..start].trim().is_empty() {
        return None;
    }
    let last = next_line_start(text, end).unwrap_or(text.len());
    let after = text[end..last].trim();
    (after.is_empty() || after.starts_with('#')).then_some(first..last)
}

/// The lines of `text`, each with its line break.
pub fn lines_inclusive(text: &str) -> impl Iterator<Item = &str> {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= text.len() {
            return None;
        }
        let start = at;
        at = next_line_start(text, at).unwrap_or(text.len());
        Some(&text[start..at])
    })
}

/// The line break that ends the line before byte `at` (a line start), so
/// that a line inserted there ends as its neighbour does; `None` at the start.
pub fn break_before(text: &str, at: usize) -> Option<&'static str> {
    let before = &text[..at];
    if before.ends_with("\r\n") {
        Some("\r\n")
    } else if before.ends_with('\r') {
        Some("\r")
    } else if before.ends_with('\n') {
        Some("\n")
    } else {
        None
    }
}

/// Whether `text` ends with a line break (LF, CRLF or a lone CR).
pub fn ends_with_line_break(text: &str) -> bool {
    text.ends_with(['\n', '\r'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_ending_ends_a_line() {
        let text = "a\rb\r\nc\nd";
        assert_eq!(
            lines_inclusive(text).collect::<Vec<_>>(),
            ["a\r", "b\r\n", "c\n", "d"]
        );
        assert_eq!(line_start(text, 2), 2);
        assert_eq!(line_end(text, 2), 3);
        assert_eq!(next_line_start(text, 2), Some(5));
        assert_eq!(next_line_start(text, 0), Some(2));
        assert_eq!(next_line_start(text, 7), None);
        assert_eq!(line_start(text, 7), 7);
        assert!(ends_with_line_break("x\r") && !ends_with_line_break("x"));
        assert_eq!(break_before(text, 2), Some("\r"));
        assert_eq!(break_before(text, 5), Some("\r\n"));
        assert_eq!(break_before(text, 7), Some("\n"));
        assert_eq!(break_before(text, 0), None);
    }
}
