//! Unified diffs that `git apply` and `patch -p1` accept: `a/` and `b/` prefixes
//! on paths relative to the working directory, exact bytes (CRLF included), and
//! the "No newline at end of file" marker where a file has no final newline.

use similar::TextDiff;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

pub fn unified_diff(display: &str, old: &str, new: &str, color: bool) -> String {
    let diff = TextDiff::configure()
        .newline_terminated(true)
        .diff_lines(old, new);
    let patch = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{display}"), &format!("b/{display}"))
        .to_string();
    if color { colorize(&patch) } else { patch }
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
