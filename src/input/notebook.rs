//! Jupyter notebooks: the code cells as one Python module, and edits written
//! back into the notebook's JSON without churn.
//!
//! The code cells, in order, form one module (names from earlier cells are known
//! in later ones). IPython syntax that is not Python is masked before parsing:
//! `%line` magics, `!shell` lines and `?help` lines become the statement `0`
//! padded with spaces (same length, so offsets hold, and still a statement
//! inside a block), and a `%%cell` magic masks its whole cell. A masked line is
//! never edited; it is put back as it was when the cell is written.
//!
//! Writing replaces only the JSON string elements of the `source` lines that
//! changed, in the file's text: outputs, metadata, key order, indentation and
//! execution counts stay byte for byte. The format only says a `source` list's
//! elements are concatenated; when they are not one line each (as nbformat
//! writes them), a changed cell's list is written anew, one line per element,
//! and no other cell's.

use std::ops::Range;

use similar::{ChangeTag, TextDiff};

use crate::input::source::{LineIndex, Location};

/// Ends every cell in the module text. A comment, so edits never touch it, and
/// one no notebook would hold.
pub(crate) const BOUNDARY: &str = "# \u{2063}unnest-cell-boundary\u{2063}\n";

/// One code cell.
#[derive(Debug, Clone)]
pub struct CodeCell {
    /// The cell's index among all cells of the notebook, from 0.
    pub index: usize,
    /// The source as in the notebook.
    pub source: String,
    /// Where the source sits in the JSON text.
    span: SourceSpan,
    /// Where the cell starts in the module text.
    pub start: usize,
    /// The cell's source did not end with a newline; one was added.
    added_newline: bool,
    /// The cell's lines that are IPython syntax, by line number.
    magic_lines: Vec<usize>,
    /// For a `source` list: the decoded length of each element.
    item_lens: Vec<usize>,
    /// The cell's `execution_count` (the `7` of IPython's `Cell In[7]`).
    pub execution_count: Option<u32>,
    /// The tracebacks its saved outputs hold: each `error` output's
    /// `traceback` lines joined, and each stream output that prints one.
    pub saved_tracebacks: Vec<String>,
}

#[derive(Debug, Clone)]
enum SourceSpan {
    /// `"source": ["line\n", "line"]`: the array and each element.
    Lines {
        array: Range<usize>,
        items: Vec<Range<usize>>,
        /// The elements are the source split as nbformat splits it (one
        /// line each): a changed line can be edited in place.
        in_layout: bool,
    },
    /// `"source": "text"`.
    Text(Range<usize>),
}

/// A notebook read as a module of its code cells.
#[derive(Debug, Clone)]
pub struct Notebook {
    pub cells: Vec<CodeCell>,
    /// The code cells as one Python text, masked, each ending in a boundary.
    pub module: String,
}

impl Notebook {
    /// Read a notebook from its JSON text. Fails, with the reason, on invalid
    /// JSON or a notebook that is not nbformat 4.
    pub fn parse(json: &str) -> Result<Self, String> {
        let root = Parser::new(json).document()?;
        let Value::Object(entries) = &root.value else {
            return Err("the notebook is not a JSON object".into());
        };
        once(entries, &["nbformat", "cells"], "the notebook")?;
        let get = |key: &str| entries.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        match get("nbformat").map(|v| &v.value) {
            // `4.0` is 4 too, as Python's JSON reader and nbformat see it.
            Some(Value::Number(n)) if n.parse::<f64>() == Ok(4.0) => {}
            Some(Value::Number(n)) => {
                return Err(format!("it is nbformat {n}; only nbformat 4 is supported"));
            }
            Some(Value::String(text)) => {
                return Err(format!(
                    "its nbformat is {}, a string, not a number",
                    json_string(text)
                ));
            }
            Some(_) => return Err("its nbformat is not a number".into()),
            None => return Err("it has no nbformat version".into()),
        }
        let Some(Value::Array(cells)) = get("cells").map(|v| &v.value) else {
            return Err("it has no list of cells".into());
        };
        let mut notebook = Notebook {
            cells: Vec::new(),
            module: String::new(),
        };
        // A notebook of another language (an R or Julia kernel) is left
        // alone: its code cells are not Python, so none is read as Python.
        if let Some(language) = language(get("metadata").map(|v| &v.value))
            && !language.eq_ignore_ascii_case("python")
        {
            return Ok(notebook);
        }
        for (index, cell) in cells.iter().enumerate() {
            let Value::Object(fields) = &cell.value else {
                return Err(format!("cell {} is not a JSON object", index + 1));
            };
            once(
                fields,
                &["cell_type", "source"],
                &format!("cell {}", index + 1),
            )?;
            let field = |key: &str| fields.iter().find(|(k, _)| k == key).map(|(_, v)| v);
            let is_code = matches!(field("cell_type").map(|v| &v.value), Some(Value::String(t)) if t == "code");
            if !is_code {
                continue;
            }
            let (source, span) = match field("source") {
                Some(Spanned {
                    value: Value::String(text),
                    span,
                }) => (text.clone(), SourceSpan::Text(span.clone())),
                Some(Spanned {
                    value: Value::Array(items),
                    span,
                }) => {
                    let mut text = String::new();
                    let mut ranges = Vec::new();
                    for item in items {
                        let Value::String(line) = &item.value else {
                            return Err(format!(
                                "cell {} has a source line that is not a string",
                                index + 1
                            ));
                        };
                        text.push_str(line);
                        ranges.push(item.span.clone());
                    }
                    let in_layout = items
                        .iter()
                        .map(|item| match &item.value {
                            Value::String(line) => line.as_str(),
                            _ => "",
                        })
                        .eq(nbformat_lines(&text));
                    (
                        text,
                        SourceSpan::Lines {
                            array: span.clone(),
                            items: ranges,
                            in_layout,
                        },
                    )
                }
                _ => return Err(format!("cell {} has no source", index + 1)),
            };
            let item_lens = match field("source").map(|v| &v.value) {
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|item| match &item.value {
                        Value::String(line) => line.len(),
                        _ => 0,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            notebook.push_cell(index, source, span, item_lens);
            if let Some(cell) = notebook.cells.last_mut() {
                cell.execution_count = match field("execution_count").map(|v| &v.value) {
                    Some(Value::Number(n)) => n.parse().ok(),
                    _ => None,
                };
                if let Some(Value::Array(outputs)) = field("outputs").map(|v| &v.value) {
                    cell.saved_tracebacks = outputs.iter().filter_map(saved_traceback).collect();
                }
            }
        }
        Ok(notebook)
    }

    fn push_cell(&mut self, index: usize, source: String, span: SourceSpan, item_lens: Vec<usize>) {
        let start = self.module.len();
        let (masked, magic_lines) = mask(&source);
        self.module.push_str(&masked);
        let added_newline = !source.ends_with('\n') && !source.is_empty();
        if added_newline {
            self.module.push('\n');
        }
        self.module.push_str(BOUNDARY);
        self.cells.push(CodeCell {
            index,
            source,
            span,
            start,
            added_newline,
            magic_lines,
            item_lens,
            execution_count: None,
            saved_tracebacks: Vec::new(),
        });
    }

    /// The cell holding byte `offset` of the module text, and the offset
    /// within the cell's source. An offset in the text unnest puts between
    /// cells (where a parser may place an error) is taken as the end of the
    /// cell before it, so the offset returned always lies in the source.
    pub fn locate(&self, offset: usize) -> (&CodeCell, usize) {
        let position = self.cells.partition_point(|c| c.start <= offset).max(1) - 1;
        let cell = &self.cells[position];
        let mut within = offset.saturating_sub(cell.start).min(cell.source.len());
        while !cell.source.is_char_boundary(within) {
            within -= 1;
        }
        (cell, within)
    }

    /// The cell (its index in the notebook) and the 1-based row and column
    /// of byte `offset` of `text`, this notebook's module text before or after
    /// fixes.
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize, usize) {
        let before = &text[..offset.min(text.len())];
        let cell = before.matches(BOUNDARY).count().min(self.cells.len() - 1);
        let start = before.rfind(BOUNDARY).map_or(0, |i| i + BOUNDARY.len());
        let at = LineIndex::new(&before[start..]).location(&before[start..], offset - start);
        (self.cells[cell].index, at.row, at.column)
    }

    /// Where byte `offset` of `text` (this notebook's module text, before or
    /// after fixes) is in the notebook's own JSON text `json`: its line and
    /// character column there, for formats whose readers open the `.ipynb`
    /// file itself. `None` when `text` is not this notebook's module text.
    /// Any chunking of a cell's `source`, and any escaping, is followed.
    pub fn file_location(&self, json: &str, text: &str, offset: usize) -> Option<Location> {
        let raw = self.file_offset(json, text, offset)?;
        Some(LineIndex::new(json).location(json, raw))
    }

    /// Like [`Notebook::file_location`], as a byte offset of `json`.
    pub fn file_offset(&self, json: &str, text: &str, offset: usize) -> Option<usize> {
        if text != self.module || self.cells.is_empty() {
            return None;
        }
        let (cell, at) = self.locate(offset.min(text.len()));
        // An offset in the added newline or the boundary: the source's end.
        let at = at.min(cell.source.len());
        let raw = match &cell.span {
            SourceSpan::Text(span) => json_offset(json, span.start + 1, at),
            SourceSpan::Lines { array, items, .. } => {
                // The element holding `at` (at the very end: the last one).
                let mut start = 0;
                let mut found = None;
                for (item, &len) in items.iter().zip(&cell.item_lens) {
                    found = Some((item, at - start));
                    if at < start + len {
                        break;
                    }
                    start += len;
                }
                match found {
                    Some((item, within)) => json_offset(json, item.start + 1, within),
                    // `"source": []`: the array itself.
                    None => array.start,
                }
            }
        };
        let mut raw = raw.min(json.len());
        while !json.is_char_boundary(raw) {
            raw -= 1;
        }
        Some(raw)
    }

    /// The module text of each cell in `text` (before or after fixes),
    /// without the boundaries.
    pub fn pieces<'t>(&self, text: &'t str) -> Vec<&'t str> {
        let mut pieces: Vec<&str> = text.split(BOUNDARY).collect();
        pieces.pop();
        pieces
    }

    /// The cells' sources after fixes turned the module text into `fixed`:
    /// masked lines put back, added newlines taken away. `None` when the fixed
    /// text cannot be mapped back (a boundary or a masked line was touched).
    pub fn cell_sources(&self, fixed: &str) -> Option<Vec<String>> {
        let pieces: Vec<&str> = fixed.split(BOUNDARY).collect();
        if pieces.len() != self.cells.len() + 1 || !pieces[self.cells.len()].is_empty() {
            return None;
        }
        let mut sources = Vec::new();
        for (cell, piece) in self.cells.iter().zip(&pieces) {
            let (masked, _) = mask(&cell.source);
            let mut old = masked;
            if cell.added_newline {
                old.push('\n');
            }
            let mut new = if old == *piece {
                cell.source.clone()
            } else {
                restore_magic(cell, &old, piece)?
            };
            if cell.added_newline && old != *piece {
                new = new.strip_suffix('\n')?.to_owned();
            }
            sources.push(new);
        }
        Some(sources)
    }

    /// The notebook's JSON text with the changed cells' sources replaced, only
    /// where they changed. `sources` comes from [`Notebook::cell_sources`].
    pub fn write_sources(&self, json: &str, sources: &[String]) -> Result<String, String> {
        let edits = self.source_edits(json, sources);
        let mut out = String::with_capacity(json.len() + 256);
        let mut last = 0;
        for (range, text) in edits {
            out.push_str(&json[last..range.start]);
            out.push_str(&text);
            last = range.end;
        }
        out.push_str(&json[last..]);
        // What is written must still be a notebook, holding the new sources.
        let written = Notebook::parse(&out)
            .map_err(|e| format!("the rewritten notebook does not load: {e}"))?;
        if written.cells.iter().map(|c| &c.source).ne(sources.iter()) {
            return Err("the rewritten notebook does not hold the fixed cells".into());
        }
        serde_json::from_str::<serde_json::Value>(&out)
            .map_err(|e| format!("the rewritten notebook is not valid JSON: {e}"))?;
        Ok(out)
    }

    /// The replacements of JSON text [`Notebook::write_sources`] makes,
    /// sorted: each changed line's string, or a changed cell's whole
    /// `source` value.
    pub fn source_edits(&self, json: &str, sources: &[String]) -> Vec<(Range<usize>, String)> {
        let mut edits: Vec<(Range<usize>, String)> = Vec::new();
        for (cell, new) in self.cells.iter().zip(sources) {
            if *new == cell.source {
                continue;
            }
            match &cell.span {
                SourceSpan::Text(span) => edits.push((span.clone(), json_string(new))),
                SourceSpan::Lines {
                    array,
                    items,
                    in_layout,
                } => {
                    // The elements may chunk the text any way (the format
                    // only says they are concatenated): unless they are
                    // nbformat's lines, the array is written anew in
                    // nbformat's layout, and only this cell's.
                    let lines = nbformat_lines(new);
                    let old_lines = nbformat_lines(&cell.source);
                    if *in_layout && lines.len() == old_lines.len() {
                        for ((span, line), old) in items.iter().zip(&lines).zip(&old_lines) {
                            if line != old {
                                edits.push((span.clone(), json_string(line)));
                            }
                        }
                    } else {
                        edits.push((array.clone(), json_array(json, array, items, &lines)));
                    }
                }
            }
        }
        edits.sort_by_key(|(range, _)| range.start);
        edits
    }
}

/// The notebook's language as its metadata names it: the kernel's
/// `language`, else `language_info.name`; `None` when neither says.
/// The traceback a saved output holds: an `error` output's `traceback`
/// lines (IPython's, with their colour codes), or a stream output's text
/// that holds one (`traceback.print_exc()`, a logged exception). Strings may
/// be one string or a list of lines, as nbformat allows.
fn saved_traceback(output: &Spanned) -> Option<String> {
    let Value::Object(fields) = &output.value else {
        return None;
    };
    let field = |key: &str| fields.iter().find(|(k, _)| k == key).map(|(_, v)| &v.value);
    let text_of = |value: Option<&Value>, separator: &str| -> Option<String> {
        match value? {
            Value::String(text) => Some(text.clone()),
            Value::Array(items) => Some(
                items
                    .iter()
                    .filter_map(|item| match &item.value {
                        Value::String(line) => Some(line.as_str()),
                        _ => None,
                    })
                    .collect::<Vec<_>>()
                    .join(separator),
            ),
            _ => None,
        }
    };
    match field("output_type")? {
        Value::String(kind) if kind == "error" => text_of(field("traceback"), "\n"),
        Value::String(kind) if kind == "stream" => {
            text_of(field("text"), "").filter(|text| text.contains("Traceback"))
        }
        _ => None,
    }
}

fn language(metadata: Option<&Value>) -> Option<&str> {
    fn field<'v>(value: Option<&'v Value>, key: &str) -> Option<&'v Value> {
        match value {
            Some(Value::Object(entries)) => entries
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| &v.value),
            _ => None,
        }
    }
    fn text(value: Option<&Value>) -> Option<&str> {
        match value {
            Some(Value::String(text)) => Some(text),
            _ => None,
        }
    }
    text(field(field(metadata, "kernelspec"), "language"))
        .or_else(|| text(field(field(metadata, "language_info"), "name")))
}

/// Fails when one of `keys` appears more than once in `entries`: JSON
/// readers disagree on which copy counts (Python's keeps the last), so an
/// edit could land in the one they ignore.
fn once(entries: &[(String, Spanned)], keys: &[&str], what: &str) -> Result<(), String> {
    for key in keys {
        if entries.iter().filter(|(k, _)| k == key).count() > 1 {
            return Err(format!(
                "{what} has the key \"{key}\" twice, and JSON readers differ on which one counts"
            ));
        }
    }
    Ok(())
}

/// Put the masked lines of `cell` back into `new`, the fixed masked text: the
/// lines equal in `old` (the masked text before fixes) and `new` map one to
/// one, and every masked line must be among them.
fn restore_magic(cell: &CodeCell, old: &str, new: &str) -> Option<String> {
    if cell.magic_lines.is_empty() {
        return Some(new.to_owned());
    }
    let original: Vec<&str> = cell.source.split_inclusive('\n').collect();
    let diff = TextDiff::from_lines(old, new);
    let mut out = String::new();
    let mut restored = 0;
    for change in diff.iter_all_changes() {
        match change.tag() {
            ChangeTag::Equal => {
                let line = change.old_index()?;
                if cell.magic_lines.contains(&line) {
                    out.push_str(original.get(line)?);
                    restored += 1;
                } else {
                    out.push_str(change.value());
                }
            }
            ChangeTag::Insert => out.push_str(change.value()),
            ChangeTag::Delete => {
                if cell.magic_lines.contains(&change.old_index()?) {
                    return None;
                }
            }
        }
    }
    (restored == cell.magic_lines.len()).then_some(out)
}

/// The cell's text with IPython syntax masked, and the masked line numbers
/// (counted by `\n`, as [`restore_magic`] splits lines). What is IPython syntax
/// outside a `%%cell` magic, the Python lexer of [`crate::syntax::outline`] decides:
/// only at a logical line's start or as a `?` in code, never in a string.
fn mask(source: &str) -> (String, Vec<usize>) {
    let cell_magic = source.trim_start_matches([' ', '\t']).starts_with("%%");
    let foreign = if cell_magic {
        std::iter::once(0..source.len()).collect()
    } else {
        crate::syntax::lexer::marks(source, true).foreign
    };
    let bytes = source.as_bytes();
    let mut masked = bytes.to_vec();
    let mut magic_lines: Vec<usize> = Vec::new();
    let mut line = 0;
    let mut counted = 0;
    for range in foreign {
        line += memchr::memchr_iter(b'\n', &bytes[counted..range.start]).count();
        counted = range.end;
        // Each physical line of the range becomes blanks: the first non-blank
        // byte `0` (a statement), the rest spaces; line ends kept. A cell
        // magic's every line is a statement of its own, at no indentation; a
        // line magic keeps its indentation, and the lines an `obj?` goes on
        // over are blank. ASCII for every byte, so offsets and UTF-8 hold.
        let mut first = true;
        let mut blank = true;
        for at in range {
            let b = bytes[at];
            if b == b'\n' || b == b'\r' {
                line += usize::from(b == b'\n');
                blank = true;
                first |= cell_magic;
                continue;
            }
            if blank && !cell_magic && matches!(b, b' ' | b'\t' | b'\x0c') {
                continue;
            }
            blank = false;
            if magic_lines.last() != Some(&line) {
                magic_lines.push(line);
            }
            masked[at] = if first { b'0' } else { b' ' };
            first = false;
        }
    }
    let masked = String::from_utf8(masked).expect("only ASCII bytes replaced whole characters");
    (masked, magic_lines)
}

/// `text` split as nbformat splits a cell's source (Python's
/// `str.splitlines(keepends=True)`): after each LF, CRLF, lone CR, and the
/// other line boundaries Python knows.
fn nbformat_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let end = match c {
            '\r' if chars.peek().is_some_and(|&(_, next)| next == '\n') => {
                chars.next();
                at + 2
            }
            '\n' | '\r' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}'
            | '\u{2029}' => at + c.len_utf8(),
            _ => continue,
        };
        lines.push(&text[start..end]);
        start = end;
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// The byte of `json` where the string whose text starts at `from` (just
/// after its opening quote) has `decoded` bytes of decoded text before it:
/// each escape is followed (`\n`, `\u00e9`, surrogate pairs).
fn json_offset(json: &str, from: usize, decoded: usize) -> usize {
    let bytes = json.as_bytes();
    let mut at = from;
    let mut left = decoded;
    while left > 0 && at < bytes.len() && bytes[at] != b'"' {
        if bytes[at] != b'\\' {
            // Raw text decodes to itself.
            at += 1;
            left -= 1;
            continue;
        }
        let unit = |i: usize| {
            json.get(i..i + 4)
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
        };
        match (bytes.get(at + 1), unit(at + 2)) {
            (Some(b'u'), Some(high)) if (0xD800..0xDC00).contains(&high) => {
                at += 12;
                left = left.saturating_sub(4);
            }
            (Some(b'u'), Some(code)) => {
                at += 6;
                let len = char::from_u32(code).map_or(3, char::len_utf8);
                left = left.saturating_sub(len);
            }
            _ => {
                at += 2;
                left -= 1;
            }
        }
    }
    at
}

/// A JSON string as nbformat writes it: non-ASCII kept as is.
fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

/// A new `source` array, spaced as the old one: what came before its first
/// element, between its first two, and after its last.
fn json_array(json: &str, array: &Range<usize>, items: &[Range<usize>], lines: &[&str]) -> String {
    let (indent, separator, closing) = match (items.first(), items.last()) {
        (Some(first), Some(last)) => {
            let indent = &json[array.start + 1..first.start];
            let separator = match items.get(1) {
                Some(second) => json[first.end..second.start].to_owned(),
                None if indent.contains('\n') => format!(",{indent}"),
                None => ", ".to_owned(),
            };
            (indent, separator, &json[last.end..array.end - 1])
        }
        _ => ("", ", ".to_owned(), ""),
    };
    let elements: Vec<String> = lines.iter().map(|l| json_string(l)).collect();
    format!("[{indent}{}{closing}]", elements.join(&separator))
}

// A small JSON reader that keeps the byte range of every value, which
// `serde_json` does not give.

#[derive(Debug)]
struct Spanned {
    value: Value,
    span: Range<usize>,
}

#[derive(Debug)]
enum Value {
    Null,
    Bool,
    Number(String),
    String(String),
    Array(Vec<Spanned>),
    Object(Vec<(String, Spanned)>),
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Self { text, at: 0 }
    }

    fn document(&mut self) -> Result<Spanned, String> {
        let value = self.value()?;
        self.blank();
        if self.at != self.text.len() {
            return Err(self.error("text after the JSON value"));
        }
        Ok(value)
    }

    fn error(&self, what: &str) -> String {
        let line = self.text[..self.at.min(self.text.len())]
            .matches('\n')
            .count()
            + 1;
        format!("invalid JSON at line {line}: {what}")
    }

    fn blank(&mut self) {
        let rest = &self.text[self.at..];
        self.at += rest.len() - rest.trim_start_matches([' ', '\t', '\n', '\r']).len();
    }

    fn value(&mut self) -> Result<Spanned, String> {
        self.blank();
        let start = self.at;
        let value = match self.text.as_bytes().get(self.at) {
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.word("true", Value::Bool)?,
            Some(b'f') => self.word("false", Value::Bool)?,
            Some(b'n') => self.word("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => {
                let rest = &self.text[self.at..];
                let len = rest
                    .find(|c: char| !matches!(c, '0'..='9' | '-' | '+' | '.' | 'e' | 'E'))
                    .unwrap_or(rest.len());
                self.at += len;
                Value::Number(rest[..len].to_owned())
            }
            _ => return Err(self.error("expected a value")),
        };
        Ok(Spanned {
            value,
            span: start..self.at,
        })
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, String> {
        if self.text[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        self.blank();
        if self.text.as_bytes().get(self.at) == Some(&byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected `{}`", byte as char)))
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.blank();
        self.text.as_bytes().get(self.at).copied()
    }

    fn object(&mut self) -> Result<Value, String> {
        self.expect(b'{')?;
        let mut entries = Vec::new();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Value::Object(entries));
        }
        loop {
            self.blank();
            let key = self.string()?;
            self.expect(b':')?;
            let value = self.value()?;
            entries.push((key, value));
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Value::Object(entries));
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self) -> Result<Value, String> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    /// A string literal, decoded; the cursor is on its opening quote.
    fn string(&mut self) -> Result<String, String> {
        if self.text.as_bytes().get(self.at) != Some(&b'"') {
            return Err(self.error("expected a string"));
        }
        let start = self.at;
        let mut end = self.at + 1;
        let bytes = self.text.as_bytes();
        while end < bytes.len() && bytes[end] != b'"' {
            end += if bytes[end] == b'\\' { 2 } else { 1 };
        }
        if end >= bytes.len() {
            return Err(self.error("unterminated string"));
        }
        self.at = end + 1;
        serde_json::from_str(&self.text[start..self.at]).map_err(|e| self.error(&e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOTEBOOK: &str = r##"{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": ["# Title\n", "asyncio.run(x)"]
  },
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {},
   "outputs": [],
   "source": [
    "import asyncio\n",
    "%time x = 1\n",
    "asyncio.run(main())"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": "%%time\nasyncio.run(main())\n"
  }
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
"##;

    #[test]
    fn code_cells_form_one_masked_module() {
        let notebook = Notebook::parse(NOTEBOOK).unwrap();
        assert_eq!(notebook.cells.len(), 2);
        assert_eq!(notebook.cells[0].index, 1);
        assert_eq!(
            notebook.module,
            format!(
                "import asyncio\n0          \nasyncio.run(main())\n{BOUNDARY}0     \n0                  \n{BOUNDARY}"
            )
        );
        let at = notebook.module.find("asyncio.run").unwrap();
        let (cell, offset) = notebook.locate(at);
        assert_eq!((cell.index, offset), (1, 27));
    }

    #[test]
    fn only_changed_source_strings_are_rewritten() {
        let notebook = Notebook::parse(NOTEBOOK).unwrap();
        let fixed = notebook
            .module
            .replacen("asyncio.run(main())", "await main()", 1);
        let sources = notebook.cell_sources(&fixed).unwrap();
        assert_eq!(sources[0], "import asyncio\n%time x = 1\nawait main()");
        assert_eq!(sources[1], "%%time\nasyncio.run(main())\n");
        let json = notebook.write_sources(NOTEBOOK, &sources).unwrap();
        assert_eq!(
            json,
            NOTEBOOK.replacen("\"asyncio.run(main())\"\n", "\"await main()\"\n", 1)
        );
    }

    #[test]
    fn a_changed_line_count_rebuilds_the_array_in_its_layout() {
        let notebook = Notebook::parse(NOTEBOOK).unwrap();
        let fixed = notebook
            .module
            .replacen("asyncio.run(main())", "await main()\nprint(1)", 1);
        let sources = notebook.cell_sources(&fixed).unwrap();
        let json = notebook.write_sources(NOTEBOOK, &sources).unwrap();
        assert!(json.contains(
            "   \"source\": [\n    \"import asyncio\\n\",\n    \"%time x = 1\\n\",\n    \"await main()\\n\",\n    \"print(1)\"\n   ]"
        ), "{json}");
    }

    #[test]
    fn a_source_given_as_one_string_stays_one_string() {
        let json = "{\"cells\": [{\"cell_type\": \"code\", \"source\": \"x = asyncio.run(f())\\ny = 1\"}], \"nbformat\": 4}";
        let notebook = Notebook::parse(json).unwrap();
        let fixed = notebook.module.replacen("asyncio.run(f())", "await f()", 1);
        let sources = notebook.cell_sources(&fixed).unwrap();
        assert_eq!(sources[0], "x = await f()\ny = 1");
        let written = notebook.write_sources(json, &sources).unwrap();
        assert_eq!(written, json.replacen("asyncio.run(f())", "await f()", 1));
    }

    #[test]
    fn masking_any_text_keeps_its_length_and_never_panics() {
        let pieces = [
            "é", "•", "–", "🎉", "漢", "'", "\"", "'''", "\"\"\"", "\\", "#", "%", "!", "?", "\n",
            "\r", "\r\n", "\t", " ", "(", ")", "{", "}", "f'", "x", "%%", "0",
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut longest = 0;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..next() % 40 {
                text.push_str(pieces[(next() % pieces.len() as u64) as usize]);
            }
            longest = longest.max(text.len());
            let (masked, _) = mask(&text);
            assert_eq!(masked.len(), text.len(), "{text:?}");
            crate::syntax::outline::Outline::scan(&text);
            let found = crate::syntax::lexer::marks(&text, true);
            for range in found.comments.iter().chain(&found.foreign) {
                assert!(text.get(range.clone()).is_some(), "{text:?} {range:?}");
            }
        }
        assert!(longest > 40);
    }

    #[test]
    fn lines_split_as_nbformat_splits_them() {
        assert_eq!(
            nbformat_lines("a\r\nb\rc\x0cd\u{2028}é\n\nf"),
            ["a\r\n", "b\r", "c\x0c", "d\u{2028}", "é\n", "\n", "f"]
        );
        assert!(nbformat_lines("").is_empty());
    }

    #[test]
    fn bad_notebooks_are_refused() {
        assert!(Notebook::parse("{").unwrap_err().contains("invalid JSON"));
        assert!(
            Notebook::parse(r#"{"nbformat": 3, "cells": []}"#)
                .unwrap_err()
                .contains("nbformat 3")
        );
    }

    #[test]
    fn masks_magics_outside_strings_only() {
        let (masked, lines) =
            mask("x = '''\n%not magic\n'''\n!ls\nobj?\ny = (1\n% 2)\n  %time é\n");
        assert_eq!(
            masked,
            "x = '''\n%not magic\n'''\n0  \n0   \ny = (1\n% 2)\n  0       \n"
        );
        assert_eq!(lines, vec![3, 4, 7]);
        let (masked, lines) = mask("%%bash\n  echo ü\n\nls\n");
        assert_eq!(masked, "0     \n0        \n\n0 \n", "bytes kept");
        assert_eq!(lines, vec![0, 1, 3]);
    }
}
