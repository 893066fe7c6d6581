//! Reading a file into text the parser can take: UTF-8, with its BOM set aside so
//! that it is written back, and a line index to turn byte offsets into the 1-based
//! rows and character columns that diagnostics show.

use std::path::{Path, PathBuf};

use crate::error::Error;

const BOM: &str = "\u{feff}";

/// One Python source file, decoded.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path to read and write.
    pub path: PathBuf,
    /// The path as printed: relative to the working directory where possible.
    pub display: String,
    /// Whether the file starts with a UTF-8 byte order mark.
    pub bom: bool,
    /// The text after the BOM: what is parsed and edited. In a file whose
    /// lines end in a lone CR (old Mac style, which Python accepts but the
    /// parser does not), each CR is read as LF here and written back as CR.
    pub text: String,
    /// The file's lines end in a lone CR.
    pub cr_only: bool,
}

impl SourceFile {
    /// Decode `bytes` read from `path`. Fails, naming the file, on what cannot be
    /// edited safely: NUL bytes, invalid UTF-8, or a coding cookie that names
    /// another encoding in a file that is not plain ASCII.
    pub fn decode(path: PathBuf, display: String, bytes: Vec<u8>) -> Result<Self, Error> {
        check_text(&display, &bytes)?;
        // SAFETY: `check_text` accepts only valid UTF-8. The bytes become the
        // text without a copy.
        let mut text = unsafe { String::from_utf8_unchecked(bytes) };
        let bom = text.starts_with(BOM);
        if bom {
            text.drain(..BOM.len());
        }
        // CR and LF are one byte each, so the swap keeps every offset.
        let cr_only = text.contains('\r') && !text.contains('\n');
        if cr_only {
            text = text.replace('\r', "\n");
        }
        Ok(Self {
            path,
            display,
            bom,
            text,
            cr_only,
        })
    }

    /// The bytes as read, to compare against before a write: the text with
    /// its BOM and lone CRs put back gives them exactly (a file whose lines
    /// end in a lone CR holds no LF), so they are not kept beside it.
    pub fn original(&self) -> Vec<u8> {
        self.with_bom(&self.text).into_bytes()
    }

    /// The full file contents for `text`, with the BOM and CR line endings
    /// put back.
    pub fn with_bom(&self, text: &str) -> String {
        let text = if self.cr_only {
            text.replace('\n', "\r")
        } else {
            text.to_owned()
        };
        if self.bom {
            format!("{BOM}{text}")
        } else {
            text
        }
    }
}

/// The text of `bytes`, or why they cannot be edited safely: NUL bytes,
/// invalid UTF-8, or a coding cookie that names another encoding in a file
/// that is not plain ASCII. Cheap next to reading the file, so every file
/// read goes through it, parsed or not: a file that is not text is named,
/// never passed over in silence.
pub fn check_text<'a>(display: &str, bytes: &'a [u8]) -> Result<&'a str, Error> {
    if memchr::memchr(0, bytes).is_some() {
        return Err(Error::decode(
            display,
            "contains NUL bytes; not a text file",
        ));
    }
    if bytes.is_ascii() {
        // Most source is plain ASCII: no other check, and no third pass over
        // the bytes (every file read comes through here).
        // SAFETY: ASCII bytes are valid UTF-8.
        return Ok(unsafe { std::str::from_utf8_unchecked(bytes) });
    }
    // The cookie is read before decoding, so that a Latin-1 file is named as
    // such rather than as broken UTF-8.
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
    if let Some(encoding) = coding_cookie(&head)
        && !is_utf8_name(&encoding)
    {
        let reason = format!("declares the encoding `{encoding}`; only UTF-8 is supported");
        return Err(Error::decode(display, &reason));
    }
    std::str::from_utf8(bytes).map_err(|err| {
        let reason = format!("is not valid UTF-8 (at byte {})", err.valid_up_to());
        Error::decode(display, &reason)
    })
}

/// The encoding named by a PEP 263 cookie on the first or second line.
fn coding_cookie(text: &str) -> Option<String> {
    for line in text.lines().take(2) {
        let trimmed = line.trim_start();
        if !trimmed.starts_with('#') {
            // A cookie on line 2 counts only when line 1 is a comment or blank.
            if trimmed.is_empty() {
                continue;
            }
            return None;
        }
        if let Some(at) = trimmed.find("coding") {
            let rest = &trimmed[at + "coding".len()..];
            if let Some(rest) = rest.strip_prefix([':', '=']) {
                let name: String = rest
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                    .collect();
                if !name.is_empty() {
                    return Some(name);
                }
            }
        }
    }
    None
}

fn is_utf8_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase().replace('_', "-");
    lower == "utf-8" || lower == "utf8" || lower.starts_with("utf-8-")
}

/// Byte offsets of line starts, for turning offsets into rows and columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

/// A 1-based row and a 1-based column counted in characters, as Ruff reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Location {
    pub row: usize,
    pub column: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        let bytes = text.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            // A lone CR ends a line in Python as well as LF and CRLF.
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        Self { starts }
    }

    pub fn location(&self, text: &str, offset: usize) -> Location {
        let row = self.starts.partition_point(|&start| start <= offset) - 1;
        let start = self.starts[row];
        let column = text[start..offset].chars().count() + 1;
        Location {
            row: row + 1,
            column,
        }
    }

    /// The byte offset at which the line holding `offset` starts.
    pub fn line_start(&self, offset: usize) -> usize {
        self.starts[self.starts.partition_point(|&start| start <= offset) - 1]
    }
}

/// `path` as printed: relative to `cwd` when it lies below it, without a leading `./`.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let relative = if path.is_absolute() {
        path.strip_prefix(cwd).unwrap_or(path)
    } else {
        path
    };
    let relative = relative.strip_prefix(".").unwrap_or(relative);
    relative.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let text = "x = 'é'\ny = 1\n";
        let index = LineIndex::new(text);
        assert_eq!(index.location(text, 0), Location { row: 1, column: 1 });
        let y = text.find('y').unwrap();
        assert_eq!(index.location(text, y), Location { row: 2, column: 1 });
        let quote = text.rfind('\'').unwrap();
        assert_eq!(index.location(text, quote), Location { row: 1, column: 7 });
    }

    #[test]
    fn crlf_and_cr_end_lines() {
        let text = "a\r\nb\rc\n";
        let index = LineIndex::new(text);
        assert_eq!(index.location(text, 3).row, 2);
        assert_eq!(index.location(text, 5).row, 3);
    }

    #[test]
    fn cookies() {
        assert_eq!(
            coding_cookie("# -*- coding: latin-1 -*-\n").as_deref(),
            Some("latin-1")
        );
        assert_eq!(
            coding_cookie("#!/usr/bin/python\n# vim: set fileencoding=utf-8 :\n").as_deref(),
            Some("utf-8")
        );
        assert_eq!(coding_cookie("import os\n# coding: latin-1\n"), None);
        assert!(is_utf8_name("UTF_8"));
        assert!(!is_utf8_name("latin-1"));
    }

    #[test]
    fn rejects_what_cannot_be_edited() {
        let decode =
            |bytes: &[u8]| SourceFile::decode("f.py".into(), "f.py".into(), bytes.to_vec());
        assert!(decode(b"x = 1\0").is_err());
        assert!(decode(b"x = '\xff'").is_err());
        assert!(decode("# coding: latin-1\nx = 'é'\n".as_bytes()).is_err());
        assert!(decode(b"# coding: latin-1\nx = 1\n").is_ok());
        let with_bom = decode("\u{feff}x = 1\n".as_bytes()).unwrap();
        assert!(with_bom.bom);
        assert_eq!(with_bom.text, "x = 1\n");
        assert_eq!(
            with_bom.with_bom(&with_bom.text).as_bytes(),
            "\u{feff}x = 1\n".as_bytes()
        );
        let cr = decode(b"x = 1\ry = 2\r").unwrap();
        assert_eq!(cr.text, "x = 1\ny = 2\n");
        assert_eq!(cr.with_bom(&cr.text), "x = 1\ry = 2\r");
        let mixed = decode(b"x = 1\r\ny = 2\n").unwrap();
        assert_eq!(mixed.with_bom(&mixed.text), "x = 1\r\ny = 2\n");
    }
}
