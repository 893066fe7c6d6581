//! Turns the raw input into lines fit for the format readers: line endings
//! (`\n`, `\r\n`, a lone `\r` that overwrote a terminal line), ANSI escape
//! sequences (colour, cursor and hyperlink codes) removed, and the log prefix
//! test that decides whether a line carries the same prefix as a
//! traceback's first line.

/// Splits `text` into lines without their terminators and without ANSI
/// escape sequences. A `\r` inside a line keeps only what follows it, as a
/// terminal would show it.
pub fn clean_lines(text: &str) -> Vec<String> {
    text.split('\n')
        .map(|line| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let line = match line.rfind('\r') {
                Some(at) => &line[at + 1..],
                None => line,
            };
            strip_ansi(line)
        })
        .collect()
}

/// Removes CSI (`ESC [ ... final`), OSC (`ESC ] ... BEL` or `ESC ] ... ESC \`)
/// and two-character escape sequences. A sequence cut off by the end of the
/// line is dropped.
pub fn strip_ansi(line: &str) -> String {
    if !line.contains('\x1b') {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                // Parameters and intermediates, then one final byte in @..~.
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\x07' {
                        break;
                    }
                    if c == '\x1b' {
                        if chars.peek() == Some(&'\\') {
                            chars.next();
                        }
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The prefix a log writer put in front of every line of a traceback, taken
/// from the traceback's first line. Lines match it when they have the same
/// characters at the same places, except that any digit matches any digit
/// (timestamps and process ids change from line to line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefix {
    chars: Vec<char>,
}

impl Prefix {
    pub fn new(prefix: &str) -> Self {
        Prefix {
            chars: prefix.chars().collect(),
        }
    }

    /// `line` without the prefix, or `None` when the line does not carry it
    /// (another writer's line interleaved with the traceback).
    pub fn strip<'a>(&self, line: &'a str) -> Option<&'a str> {
        if self.chars.is_empty() {
            return Some(line);
        }
        let mut it = line.char_indices();
        for &want in &self.chars {
            let (_, got) = it.next()?;
            let same = got == want || (got.is_ascii_digit() && want.is_ascii_digit());
            if !same {
                // A prefix that ends in padding may lose trailing blanks on
                // a blank traceback line ("ERROR [app]" + "").
                return None;
            }
        }
        Some(match it.next() {
            Some((at, _)) => &line[at..],
            None => "",
        })
    }

    /// Like [`Prefix::strip`], but also accepts the prefix with its trailing
    /// blanks trimmed when nothing follows it (log writers trim the right end
    /// of an empty line).
    pub fn strip_blank_tolerant<'a>(&self, line: &'a str) -> Option<&'a str> {
        if let Some(rest) = self.strip(line) {
            return Some(rest);
        }
        let trimmed: Vec<char> = {
            let mut c = self.chars.clone();
            while c.last().is_some_and(|c| c.is_whitespace()) {
                c.pop();
            }
            c
        };
        if trimmed.len() == self.chars.len() || line.chars().count() != trimmed.len() {
            return None;
        }
        Prefix { chars: trimmed }.strip(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansi_sequences_are_removed() {
        assert_eq!(
            strip_ansi("\x1b[1;35mRuntimeError\x1b[0m: x"),
            "RuntimeError: x"
        );
        assert_eq!(strip_ansi("a\x1b]8;;http://x\x1b\\b\x1b]8;;\x07c"), "abc");
        assert_eq!(strip_ansi("cut \x1b[38;5"), "cut ");
        assert_eq!(strip_ansi("é\x1b[31mü"), "éü");
    }

    #[test]
    fn line_endings_and_carriage_returns() {
        assert_eq!(clean_lines("a\r\nb\rc\n"), vec!["a", "c", ""]);
    }

    #[test]
    fn prefix_matches_digits_by_class() {
        let p = Prefix::new("2026-11-30 12:00:01,123 ERROR [app] ");
        assert_eq!(
            p.strip("2026-11-30 12:00:02,999 ERROR [app]   File"),
            Some("  File")
        );
        assert_eq!(p.strip("2026-11-30 12:00:02,999 INFO  [app]   File"), None);
        assert_eq!(p.strip("short"), None);
        assert_eq!(
            p.strip_blank_tolerant("2026-11-30 12:00:02,999 ERROR [app]"),
            Some("")
        );
    }
}
