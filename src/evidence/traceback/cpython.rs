//! Reads CPython's own traceback format (3.8–3.14; also logging's and
//! pytest `--tb=native`'s): `Traceback (most recent call last):`, frames
//! `  File "path", line N, in name` each followed by the quoted source and,
//! from 3.11, marker lines (`^^^`, `~~~^^^`; 3.13 quotes several lines of a
//! multi-line expression), `[Previous line repeated N more times]`, and the
//! exception line. The text in front of the header is taken as a log prefix
//! that every line of the traceback carries.

use super::text::Prefix;
use super::{
    Format, Frame, Section, exception_line, is_marker_line, kind_of_path, non_empty, repeated_line,
};

const HEADER: &str = "Traceback (most recent call last):";

/// The section whose header is at `lines[start]`, the index after it, and
/// the log prefix its lines carry.
pub(super) fn read(lines: &[String], start: usize) -> Option<(Section, usize, Prefix)> {
    let line = &lines[start];
    let at = line.find(HEADER)?;
    if line[at + HEADER.len()..].trim_end() != "" {
        return None;
    }
    let prefix = Prefix::new(&line[..at]);
    let mut frames: Vec<Frame> = Vec::new();
    let mut exception = None;
    let mut j = start + 1;
    while j < lines.len() {
        let Some(l) = prefix.strip_blank_tolerant(&lines[j]) else {
            // Another writer's line between two lines of this traceback;
            // another traceback's header ends this one.
            if lines[j].contains("Traceback (most recent call last)") {
                break;
            }
            j += 1;
            continue;
        };
        if let Some(rest) = l.strip_prefix("  File \"") {
            j += 1;
            let mut frame = frame(rest);
            // The frame's body: the quoted source, then marker lines or the
            // rest of a multi-line expression, all indented by four.
            let mut first = true;
            while j < lines.len() {
                let Some(body) = prefix.strip(&lines[j]) else {
                    break;
                };
                if !body.starts_with("    ") {
                    break;
                }
                if first && !is_marker_line(body) {
                    frame.source = non_empty(body);
                }
                first = false;
                j += 1;
            }
            frames.push(frame);
            continue;
        }
        if let Some(n) = repeated_line(l) {
            if let Some(last) = frames.last_mut() {
                last.repeated = last.repeated.saturating_add(n);
            }
            j += 1;
            continue;
        }
        if l.starts_with(' ') && !l.trim().is_empty() {
            // An indented line that is neither a frame nor a body line
            // (a stray continuation); it carries nothing we use.
            j += 1;
            continue;
        }
        if let Some(e) = exception_line(l) {
            exception = Some(e);
            j += 1;
        }
        break;
    }
    let section = Section {
        format: Format::CPython,
        frames,
        exception,
        link_to_next: None,
        first_line: start + 1,
    };
    Some((section, j, prefix))
}

/// A frame from what follows `  File "`: `path", line N, in name`.
fn frame(rest: &str) -> Frame {
    let rest = rest.trim_end();
    let (file, after) = match rest.rfind("\", line ") {
        Some(k) => (&rest[..k], &rest[k + "\", line ".len()..]),
        // `File "path"` alone, or cut off: keep what is there.
        None => match rest.rfind('"') {
            Some(k) => (&rest[..k], ""),
            None => (rest, ""),
        },
    };
    let digits_end = after
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(after.len());
    let line = after[..digits_end].parse().ok();
    let function = after
        .find(", in ")
        .map(|k| after[k + ", in ".len()..].to_string())
        .filter(|f| !f.is_empty());
    Frame {
        file: file.to_string(),
        line,
        function,
        source: None,
        kind: kind_of_path(file),
        repeated: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_lines() {
        let f = frame(r#"C:\Users\ana\proj\app.py", line 12, in <lambda>"#);
        assert_eq!(f.file, r"C:\Users\ana\proj\app.py");
        assert_eq!(f.line, Some(12));
        assert_eq!(f.function.as_deref(), Some("<lambda>"));
        let g = frame(r#"odd", line name.py", line 3, in f"#);
        assert_eq!(g.file, r#"odd", line name.py"#);
        assert_eq!(g.line, Some(3));
        let cut = frame(r#"/srv/app/x.py", li"#);
        assert_eq!(cut.file, "/srv/app/x.py");
        assert_eq!(cut.line, None);
        assert_eq!(cut.function, None);
    }
}
