//! Unified diffs that `git apply` and `patch -p1` accept: `a/` and `b/` prefixes
//! on paths relative to the working directory, exact bytes (CRLF included), and
//! the "No newline at end of file" marker where a file has no final newline.

use similar::udiff::UnifiedHunkHeader;
use similar::{ChangeTag, TextDiff};

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

pub fn unified_diff(display: &str, old: &str, new: &str, color: bool) -> String {
    // Lines end at LF only, as git and patch see them: a lone CR is part of
    // a line (a file of lone-CR lines is one line without a final newline).
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let diff = TextDiff::configure().diff_slices(&old_lines, &new_lines);
    let mut patch = String::new();
    for ops in diff
        .grouped_ops(3)
        .into_iter()
        .filter(|ops| !ops.is_empty())
    {
        if patch.is_empty() {
            let (a, b) = (header_name("a/", display), header_name("b/", display));
            patch.push_str(&format!("--- {a}\n+++ {b}\n"));
        }
        patch.push_str(&format!("{}\n", UnifiedHunkHeader::new(&ops)));
        for op in &ops {
            for change in diff.iter_changes(op) {
                let sign = match change.tag() {
                    ChangeTag::Equal => ' ',
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                };
                patch.push(sign);
                patch.push_str(change.value());
                if !change.value().ends_with('\n') {
                    patch.push_str("\n\\ No newline at end of file\n");
                }
            }
        }
    }
    if color { colorize(&patch) } else { patch }
}

/// A file name in a `---`/`+++` header, as git writes it: C-quoted when it
/// holds a quote, a backslash, a control character or a non-ASCII byte, and
/// followed by a tab when it holds a space (so that `patch` does not end the
/// name at the space).
fn header_name(prefix: &str, name: &str) -> String {
    let full = format!("{prefix}{name}");
    let needs_quotes = full
        .bytes()
        .any(|b| b == b'"' || b == b'\\' || !(0x20..0x7f).contains(&b));
    if needs_quotes {
        let mut quoted = String::from("\"");
        for b in full.bytes() {
            match b {
                b'"' => quoted.push_str("\\\""),
                b'\\' => quoted.push_str("\\\\"),
                b'\t' => quoted.push_str("\\t"),
                b'\n' => quoted.push_str("\\n"),
                b'\r' => quoted.push_str("\\r"),
                0x07 => quoted.push_str("\\a"),
                0x08 => quoted.push_str("\\b"),
                0x0b => quoted.push_str("\\v"),
                0x0c => quoted.push_str("\\f"),
                b if !(0x20..0x7f).contains(&b) => quoted.push_str(&format!("\\{b:03o}")),
                b => quoted.push(b as char),
            }
        }
        quoted.push('"');
        quoted
    } else if full.contains(' ') {
        format!("{full}\t")
    } else {
        full
    }
}

fn colorize(patch: &str) -> String {
    let mut out = String::with_capacity(patch.len() + 256);
    for line in patch.split_inclusive('\n') {
        let style = if line.starts_with("---") || line.starts_with("+++") {
            BOLD
        } else if line.starts_with("@@") {
            CYAN
        } else if line.starts_with('-') {
            RED
        } else if line.starts_with('+') {
            GREEN
        } else {
            ""
        };
        if style.is_empty() {
            out.push_str(line);
        } else {
            let body = line.trim_end_matches(['\n', '\r']);
            out.push_str(style);
            out.push_str(body);
            out.push_str(RESET);
            out.push_str(&line[body.len()..]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_as_git_quotes_them() {
        assert_eq!(header_name("a/", "x.py"), "a/x.py");
        assert_eq!(header_name("a/", "my app.py"), "a/my app.py\t");
        assert_eq!(header_name("a/", "t\tb.py"), "\"a/t\\tb.py\"");
        assert_eq!(header_name("b/", "n\n\"q\".py"), "\"b/n\\n\\\"q\\\".py\"");
        assert_eq!(header_name("a/", "é.py"), "\"a/\\303\\251.py\"");
    }
}
