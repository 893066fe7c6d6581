//! Reads IPython's and Jupyter's traceback format: a rule of dashes, the
//! header `RuntimeError    Traceback (most recent call last)`, frames whose
//! header is `Cell In[7], line 3[, in f()]` (IPython ≥ 8.6), `Input In [7],
//! in <cell line: 3>()` (8.0–8.5), `File ~/x.py:12[, in f(a, b)]` (≥ 8.0)
//! or `path in f(a, b)` / `<ipython-input-7-…> in <module>` (≤ 7), each
//! followed by numbered context lines where an arrow (`----> 3 code`) marks
//! the frame's line, and the exception line. A log prefix is taken from the
//! dashes line when one stands in front of it.

use super::text::Prefix;
use super::{Format, Frame, FrameKind, Section, exception_line, kind_of_path, non_empty};

const HEADER: &str = "Traceback (most recent call last)";

/// The section whose header is at `lines[start]`. `chained` is the prefix
/// of the section this one is chained to: IPython prints no rule of dashes
/// before a chained section's header.
pub(super) fn read(
    lines: &[String],
    start: usize,
    chained: Option<&Prefix>,
) -> Option<(Section, usize, Prefix)> {
    let line = lines[start].trim_end();
    let before = line.strip_suffix(HEADER)?;
    let prefix = start
        .checked_sub(1)
        .and_then(|p| dashes_prefix(&lines[p]))
        .or_else(|| chained.cloned())
        .filter(|p| p.strip(before).is_some())
        .unwrap_or_default();
    let name = prefix.strip(before)?;
    // The exception's name, padded to a column by at least one blank.
    if !name.ends_with(' ') || !super::is_dotted_identifier(name.trim()) {
        return None;
    }
    let mut frames: Vec<Frame> = Vec::new();
    let mut current: Option<Frame> = None;
    let mut exception = None;
    let mut j = start + 1;
    while j < lines.len() {
        let Some(l) = prefix.strip_blank_tolerant(&lines[j]) else {
            if lines[j].contains(HEADER) {
                break;
            }
            j += 1;
            continue;
        };
        if l.trim().is_empty() || l.trim_start().starts_with("(...)") {
            j += 1;
            continue;
        }
        if let Some(frame) = frame_header(l) {
            frames.extend(current.replace(frame));
            j += 1;
            continue;
        }
        if let Some((arrow, number, code)) = context_line(l) {
            if let (true, Some(frame)) = (arrow, current.as_mut()) {
                frame.line = frame.line.or(Some(number));
                if frame.source.is_none() {
                    frame.source = non_empty(code);
                }
            }
            j += 1;
            continue;
        }
        if !l.starts_with(' ')
            && let Some(e) = exception_line(l)
        {
            exception = Some(e);
            j += 1;
        }
        break;
    }
    frames.extend(current);
    let section = Section {
        format: Format::IPython,
        frames,
        exception,
        link_to_next: None,
        first_line: start + 1,
    };
    Some((section, j, prefix))
}

/// The prefix in front of IPython's rule of dashes, if the line is one.
fn dashes_prefix(line: &str) -> Option<Prefix> {
    let line = line.trim_end();
    let body = line.trim_end_matches('-');
    (line.len() - body.len() >= 20).then(|| Prefix::new(body))
}

/// A frame header line, without the line number when only the arrow gives
/// it.
fn frame_header(l: &str) -> Option<Frame> {
    if l.starts_with(char::is_whitespace) {
        return None;
    }
    if let Some(rest) = l.strip_prefix("Cell In[") {
        let close = rest.find(']')?;
        let count: u32 = rest[..close].parse().ok()?;
        let after = rest[close + 1..].strip_prefix(", line ")?;
        let (line, function) = number_then_function(after)?;
        return Some(Frame {
            file: format!("Cell In[{count}]"),
            line: Some(line),
            function: Some(function.unwrap_or_else(|| "<module>".to_string())),
            source: None,
            kind: FrameKind::NotebookCell {
                execution_count: Some(count),
            },
            repeated: 0,
        });
    }
    if let Some(rest) = l.strip_prefix("Input In [") {
        let close = rest.find(']')?;
        let count: u32 = rest[..close].parse().ok()?;
        let called = rest[close + 1..].strip_prefix(", in ")?;
        let (line, function) = match called.strip_prefix("<cell line: ") {
            Some(n) => {
                let end = n.find('>')?;
                (n[..end].parse().ok(), "<module>".to_string())
            }
            None => (None, function_name(called)?),
        };
        return Some(Frame {
            file: format!("Input In [{count}]"),
            line,
            function: Some(function),
            source: None,
            kind: FrameKind::NotebookCell {
                execution_count: Some(count),
            },
            repeated: 0,
        });
    }
    if let Some(rest) = l.strip_prefix("File ") {
        // `path:12` or `path:12, in f(a)`; the path may hold colons (`C:\`),
        // never one followed by a number and `, in ` or the end.
        for (at, _) in rest.match_indices(':') {
            let after = &rest[at + 1..];
            let digits = after
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(after.len());
            let tail = &after[digits..];
            if digits == 0 || !(tail.trim().is_empty() || tail.starts_with(", in ")) {
                continue;
            }
            let (line, function) = number_then_function(after)?;
            let file = &rest[..at];
            return Some(Frame {
                file: file.to_string(),
                line: Some(line),
                function: Some(function.unwrap_or_else(|| "<module>".to_string())),
                source: None,
                kind: kind_of_path(file),
                repeated: 0,
            });
        }
        return None;
    }
    // IPython 7 and older: `path in f(a, b)`, line from the arrow. The
    // last ` in ` splits: a path may hold one, a parameter list does not.
    let at = l.rfind(" in ")?;
    let file = &l[..at];
    let looks_like_path = file.contains(['/', '\\'])
        || file.ends_with(".py")
        || (file.starts_with('<') && file.ends_with('>'));
    if !looks_like_path || file.contains(": ") {
        return None;
    }
    let function = function_name(&l[at + " in ".len()..])?;
    Some(Frame {
        file: file.to_string(),
        line: None,
        function: Some(function),
        source: None,
        kind: kind_of_path(file),
        repeated: 0,
    })
}

/// `12` or `12, in f(a, b)`: the number and the function, if named.
fn number_then_function(s: &str) -> Option<(u32, Option<String>)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let line = s[..end].parse().ok()?;
    let rest = &s[end..];
    if rest.trim().is_empty() {
        return Some((line, None));
    }
    let called = rest.strip_prefix(", in ")?;
    Some((line, Some(function_name(called)?)))
}

/// `f` of `f(a, b)`, `Runner.run` of `Runner.run(self)`, `<module>`.
fn function_name(called: &str) -> Option<String> {
    let called = called.trim_end();
    let name = match called.find('(') {
        Some(k) if called.ends_with(')') => &called[..k],
        Some(_) => return None,
        None => called,
    };
    let ok = !name.is_empty()
        && !name.contains(char::is_whitespace)
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '<' | '>'));
    ok.then(|| name.to_string())
}

/// A numbered context line: `(arrow, number, code)` for `----> 5 code`,
/// `      4 code` or `     12` (an empty source line).
fn context_line(l: &str) -> Option<(bool, u32, &str)> {
    let t = l.trim_start();
    let (arrow, t) = match t.strip_prefix('-') {
        Some(_) => {
            let after = t.trim_start_matches('-').strip_prefix('>')?;
            (true, after.trim_start())
        }
        None => (false, t),
    };
    let end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let number = t[..end].parse().ok()?;
    let code = &t[end..];
    if !(code.is_empty() || code.starts_with(' ')) {
        return None;
    }
    Some((arrow, number, code.strip_prefix(' ').unwrap_or(code)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_of_each_ipython_generation() {
        let c = frame_header("Cell In[3], line 2, in compute(n)").unwrap();
        assert_eq!((c.file.as_str(), c.line), ("Cell In[3]", Some(2)));
        assert_eq!(c.function.as_deref(), Some("compute"));
        let m = frame_header("Cell In[12], line 5").unwrap();
        assert_eq!(m.function.as_deref(), Some("<module>"));
        let i = frame_header("Input In [4], in <cell line: 7>()").unwrap();
        assert_eq!((i.line, i.function.as_deref()), (Some(7), Some("<module>")));
        let f = frame_header(r"File C:\proj\x.py:12, in Runner.run(self, coro)").unwrap();
        assert_eq!(f.file, r"C:\proj\x.py");
        assert_eq!(
            (f.line, f.function.as_deref()),
            (Some(12), Some("Runner.run"))
        );
        let old = frame_header("<ipython-input-7-1f2e3d> in <module>").unwrap();
        assert_eq!(
            old.kind,
            FrameKind::NotebookCell {
                execution_count: Some(7)
            }
        );
        assert!(frame_header("ValueError: bad /a in f").is_none());
        assert!(frame_header("RuntimeError: x").is_none());
    }

    #[test]
    fn context_lines() {
        assert_eq!(
            context_line("----> 5 asyncio.run(main())"),
            Some((true, 5, "asyncio.run(main())"))
        );
        assert_eq!(context_line("      3 "), Some((false, 3, "")));
        assert_eq!(
            context_line("--> 186     raise X("),
            Some((true, 186, "    raise X("))
        );
        assert_eq!(context_line("-- not"), None);
    }
}
