//! Reads pytest's traceback formats. `--tb=short`: `path:12: in func`, the
//! quoted source (indented, with markers), `E   RuntimeError: …` at the end.
//! `--tb=long`: each frame is a block of its function's source,
//! from the `def` line, with the frame's line marked by `>`, closed by the
//! location line `path:12: ` (`path:12: RuntimeError` for the last frame,
//! with `E` lines in its block); blocks are separated by `_ _ _` rules.
//! `--tb=line`: the `E` line, then `path:12: RuntimeError: message`.
//! A location line must name a `.py` file or a `<pseudo-file>`, so other
//! `name:N:` text (`sys:1: RuntimeWarning…`) is not taken for one.

use super::{Format, Frame, RaisedException, Section, exception_line, kind_of_path, non_empty};

/// What follows `path:N: ` on a location line.
enum Rest<'a> {
    /// `--tb=long`, a frame that is not the last.
    Empty,
    /// `--tb=short`: `in func`.
    In(&'a str),
    /// `--tb=long`, the last frame: `RuntimeError`.
    Name(&'a str),
    /// `--tb=line`: `RuntimeError: message`.
    Line(RaisedException),
}

struct Location<'a> {
    file: &'a str,
    line: u32,
    rest: Rest<'a>,
}

/// The section whose first location line is `lines[start]`; a long
/// frame's block is not looked for before `floor`.
pub(super) fn read(
    lines: &[String],
    start: usize,
    floor: usize,
) -> Option<(Section, usize, super::text::Prefix)> {
    let loc = location(&lines[start])?;
    let (section, next) = match loc.rest {
        Rest::Line(exception) => {
            // Only after the `E` line, which `--tb=line` prints first.
            let after_e = start.checked_sub(1).is_some_and(|p| is_e_line(&lines[p]));
            if !after_e {
                return None;
            }
            let frame = new_frame(loc.file, loc.line, None);
            (
                section(Format::PytestLine, vec![frame], Some(exception)),
                start + 1,
            )
        }
        Rest::In(_) | Rest::Empty | Rest::Name(_) => frames(lines, start, floor),
    };
    Some((section, next, super::text::Prefix::default()))
}

/// The frames from the location line at `start` on, in the long and the
/// short layout alike: `--tb=auto` prints the first and last frames long
/// and the others short, in one section.
fn frames(lines: &[String], start: usize, floor: usize) -> (Section, usize) {
    // A long frame's block runs back to the test's `___ name ___` header, a
    // `_ _ _` rule, or a chain connector.
    let mut block_start = start;
    while block_start > floor {
        let prev = &lines[block_start - 1];
        if is_rule(prev) || is_header(prev) || super::link_line(prev).is_some() {
            break;
        }
        block_start -= 1;
    }
    let mut frames = Vec::new();
    let mut any_long = false;
    let mut exception = None;
    let mut first_e: Option<usize> = None;
    let mut j = start;
    while j < lines.len() {
        let l = &lines[j];
        let loc = location(l);
        if first_e.is_some()
            && !matches!(
                loc,
                Some(Location {
                    rest: Rest::Name(_),
                    ..
                })
            )
        {
            if is_e_line(l) {
                j += 1;
                continue;
            }
            // `--tb=short`'s `E` lines close the section.
            break;
        }
        match loc {
            Some(Location {
                file,
                line,
                rest: Rest::In(function),
            }) => {
                let mut frame = new_frame(file, line, Some(function));
                j += 1;
                let mut first = true;
                while j < lines.len() && lines[j].starts_with(' ') {
                    if first && !super::is_marker_line(&lines[j]) {
                        frame.source = non_empty(&lines[j]);
                    }
                    first = false;
                    j += 1;
                }
                frames.push(frame);
                block_start = j;
            }
            Some(Location {
                file,
                line,
                rest: rest @ (Rest::Empty | Rest::Name(_)),
            }) => {
                any_long = true;
                let block = &lines[block_start..j];
                let function = block.iter().find_map(|b| def_name(b));
                let mut frame = new_frame(file, line, function);
                frame.source = block
                    .iter()
                    .find_map(|b| b.strip_prefix('>'))
                    .and_then(non_empty);
                frames.push(frame);
                j += 1;
                block_start = j;
                if let Rest::Name(name) = rest {
                    let e_line = block.iter().find(|b| is_e_line(b));
                    exception = Some(match e_line {
                        Some(e) => from_e_line(e, Some(name)),
                        None => RaisedException {
                            name: name.to_string(),
                            message: String::new(),
                        },
                    });
                    first_e = None;
                    break;
                }
            }
            Some(Location {
                rest: Rest::Line(_),
                ..
            }) => break,
            None if is_rule(l) => {
                j += 1;
                block_start = j;
            }
            None if is_header(l) || super::link_line(l).is_some() => break,
            None => {
                if is_e_line(l) && first_e.is_none() && j == block_start {
                    // `E` right after a short frame's body: the exception,
                    // unless a long location line follows with its name.
                    first_e = Some(j);
                }
                j += 1;
            }
        }
    }
    if let Some(at) = first_e {
        exception = Some(from_e_line(&lines[at], None));
    }
    let format = if any_long {
        Format::PytestLong
    } else {
        Format::PytestShort
    };
    (section(format, frames, exception), j)
}

fn section(format: Format, frames: Vec<Frame>, exception: Option<RaisedException>) -> Section {
    Section {
        format,
        frames,
        exception,
        link_to_next: None,
        first_line: 0,
    }
}

fn new_frame(file: &str, line: u32, function: Option<&str>) -> Frame {
    Frame {
        file: file.to_string(),
        line: Some(line),
        function: function.map(str::to_string),
        source: None,
        kind: kind_of_path(file),
        repeated: 0,
    }
}

fn location(l: &str) -> Option<Location<'_>> {
    if l.starts_with(char::is_whitespace) {
        return None;
    }
    for (at, _) in l.match_indices(':') {
        let file = &l[..at];
        let after = &l[at + 1..];
        let end = after
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after.len());
        let Ok(line) = after[..end].parse::<u32>() else {
            continue;
        };
        let Some(rest) = after[end..].strip_prefix(':') else {
            continue;
        };
        let file_ok = file.ends_with(".py") || (file.starts_with('<') && file.ends_with('>'));
        if !file_ok || !(rest.is_empty() || rest.starts_with(' ')) {
            continue;
        }
        let rest = rest.trim();
        let rest = if rest.is_empty() {
            Rest::Empty
        } else if let Some(function) = rest.strip_prefix("in ") {
            // One name (`f`, `<module>`, `Class.method`): prose that happens
            // to follow `path:N: in` is not a frame.
            if function.contains(char::is_whitespace) {
                return None;
            }
            Rest::In(function)
        } else {
            let e = exception_line(rest)?;
            if e.message.is_empty() {
                Rest::Name(&rest[..e.name.len()])
            } else {
                Rest::Line(e)
            }
        };
        return Some(Location { file, line, rest });
    }
    None
}

fn is_e_line(l: &str) -> bool {
    l == "E" || l.starts_with("E ")
}

/// The exception of an `E   RuntimeError: message` line; an `E` line that
/// is not one (`E   assert 1 == 2`) is the message of `name` (the location
/// line's) or of an `AssertionError`.
fn from_e_line(l: &str, name: Option<&str>) -> RaisedException {
    let text = l[1..].trim();
    if let Some(e) = exception_line(text)
        && name.is_none_or(|n| n == e.name)
    {
        return e;
    }
    RaisedException {
        name: name.unwrap_or("AssertionError").to_string(),
        message: text.to_string(),
    }
}

/// `_ _ _ _` between the frames of `--tb=long`.
fn is_rule(l: &str) -> bool {
    let t = l.trim_end();
    t.starts_with("_ _ _") && t.chars().all(|c| c == '_' || c == ' ')
}

/// `____ test_name ____` or `==== FAILURES ====`: the end of a test's
/// report or of the traceback section.
fn is_header(l: &str) -> bool {
    (l.starts_with("___") && !l.starts_with("_ ")) || l.starts_with("===")
}

/// `f` of a block line `    def f(`, `>   async def f(`.
fn def_name(l: &str) -> Option<&str> {
    let body = l.strip_prefix('>').unwrap_or(l).trim_start();
    let body = body.strip_prefix("async ").unwrap_or(body);
    let rest = body.strip_prefix("def ")?;
    let end = rest.find('(')?;
    let name = rest[..end].trim();
    (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_lines() {
        let l = location(r"C:\proj\tests\test_x.py:11: in test_x").unwrap();
        assert_eq!((l.file, l.line), (r"C:\proj\tests\test_x.py", 11));
        assert!(matches!(l.rest, Rest::In("test_x")));
        assert!(matches!(location("a.py:3: ").unwrap().rest, Rest::Empty));
        assert!(matches!(
            location("a.py:3: RuntimeError").unwrap().rest,
            Rest::Name("RuntimeError")
        ));
        assert!(location("sys:1: RuntimeWarning: coroutine 'f' was never awaited").is_none());
        assert!(location("  a.py:3: in f").is_none());
        assert!(location("app.py:12: in the middle of a request").is_none());
        assert!(location("x.py:3:1: E501 line too long").is_none());
    }

    #[test]
    fn def_lines() {
        assert_eq!(def_name("    async def handler():"), Some("handler"));
        assert_eq!(def_name(">   def f(x):"), Some("f"));
        assert_eq!(def_name("    define(x)"), None);
    }
}
