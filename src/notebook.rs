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
//! execution counts stay byte for byte.

use std::ops::Range;

use similar::{ChangeTag, TextDiff};

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
}

#[derive(Debug, Clone)]
enum SourceSpan {
    /// `"source": ["line\n", "line"]`: the array and each element.
    Lines {
        array: Range<usize>,
        items: Vec<Range<usize>>,
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
        let get = |key: &str| entries.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        match get("nbformat").map(|v| &v.value) {
            Some(Value::Number(n)) if n == "4" => {}
            Some(Value::Number(n)) => {
                return Err(format!("it is nbformat {n}; only nbformat 4 is supported"));
            }
            _ => return Err("it has no nbformat version".into()),
        }
        let Some(Value::Array(cells)) = get("cells").map(|v| &v.value) else {
            return Err("it has no list of cells".into());
        };
        let mut notebook = Notebook {
            cells: Vec::new(),
            module: String::new(),
        };
        for (index, cell) in cells.iter().enumerate() {
            let Value::Object(fields) = &cell.value else {
                return Err(format!("cell {} is not a JSON object", index + 1));
            };
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
                    (
                        text,
                        SourceSpan::Lines {
                            array: span.clone(),
                            items: ranges,
                        },
                    )
                }
                _ => return Err(format!("cell {} has no source", index + 1)),
            };
            notebook.push_cell(index, source, span);
        }
        Ok(notebook)
    }

    fn push_cell(&mut self, index: usize, source: String, span: SourceSpan) {
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
        });
    }

    /// The cell holding byte `offset` of the module text, and the offset
    /// within the cell's source.
    pub fn locate(&self, offset: usize) -> (&CodeCell, usize) {
        let position = self.cells.partition_point(|c| c.start <= offset).max(1) - 1;
        let cell = &self.cells[position];
        (cell, offset - cell.start)
    }

    /// The cell (its index in the notebook) and the 1-based row and column
    /// of byte `offset` of `text`, this notebook's module text before or after
    /// fixes.
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize, usize) {
        let before = &text[..offset.min(text.len())];
        let cell = before.matches(BOUNDARY).count().min(self.cells.len() - 1);
        let start = before.rfind(BOUNDARY).map_or(0, |i| i + BOUNDARY.len());
        let in_cell = &before[start..];
        let row = in_cell.matches('\n').count() + 1;
        let line_start = in_cell.rfind('\n').map_or(0, |i| i + 1);
        (
            self.cells[cell].index,
            row,
            in_cell[line_start..].chars().count() + 1,
        )
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
        let mut edits: Vec<(Range<usize>, String)> = Vec::new();
        for (cell, new) in self.cells.iter().zip(sources) {
            if *new == cell.source {
                continue;
            }
            match &cell.span {
                SourceSpan::Text(span) => edits.push((span.clone(), json_string(new))),
                SourceSpan::Lines { array, items } => {
                    let lines: Vec<&str> = new.split_inclusive('\n').collect();
                    let old_lines: Vec<&str> = cell.source.split_inclusive('\n').collect();
                    if lines.len() == old_lines.len() {
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
        let mut out = String::with_capacity(json.len() + 256);
        let mut last = 0;
        for (range, text) in edits {
            out.push_str(&json[last..range.start]);
            out.push_str(&text);
            last = range.end;
        }
        out.push_str(&json[last..]);
        // What is written must still be a notebook.
        Notebook::parse(&out).map_err(|e| format!("the rewritten notebook does not load: {e}"))?;
        serde_json::from_str::<serde_json::Value>(&out)
            .map_err(|e| format!("the rewritten notebook is not valid JSON: {e}"))?;
        Ok(out)
    }
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

/// The cell's text with IPython syntax masked, and the masked line numbers.
fn mask(source: &str) -> (String, Vec<usize>) {
    let lines: Vec<&str> = source.split_inclusive('\n').collect();
    let cell_magic = lines
        .first()
        .is_some_and(|first| first.trim_start().starts_with("%%"));
    let mut masked = String::with_capacity(source.len());
    let mut magic_lines = Vec::new();
    let mut in_string: Option<&str> = None;
    for (number, line) in lines.iter().enumerate() {
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start();
        let is_magic = cell_magic
            || (in_string.is_none()
                && (trimmed.starts_with('%')
                    || trimmed.starts_with('!')
                    || trimmed.starts_with('?')
                    || (trimmed.ends_with('?') && !trimmed.starts_with('#'))));
        if is_magic {
            magic_lines.push(number);
            let indent = &body[..body.len() - trimmed.len()];
            masked.push_str(indent);
            if !trimmed.is_empty() {
                masked.push('0');
                masked.extend(std::iter::repeat_n(' ', trimmed.len() - 1));
            }
            masked.push_str(&line[body.len()..]);
        } else {
            in_string = triple_quote_state(body, in_string);
            masked.push_str(line);
        }
    }
    (masked, magic_lines)
}

/// Whether a triple-quoted string is open after `line`, given the state
/// before it. Single-quoted strings and comments are skipped.
fn triple_quote_state<'q>(line: &str, mut open: Option<&'q str>) -> Option<&'q str> {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(quote) = open {
            if line[i..].starts_with(quote) {
                open = None;
                i += 3;
            } else {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            continue;
        }
        match bytes[i] {
            b'#' => break,
            b'"' | b'\'' => {
                let triple: &'q str = if bytes[i] == b'"' { "\"\"\"" } else { "'''" };
                if line[i..].starts_with(triple) {
                    open = Some(triple);
                    i += 3;
                } else {
                    // A one-line string: skip to its closing quote.
                    let quote = bytes[i];
                    i += 1;
                    while i < bytes.len() && bytes[i] != quote {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    open
}

/// A JSON string as nbformat writes it: non-ASCII kept as is.
fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

/// A new `source` array in the layout of the old one: each element on its own
/// line, indented as the first one was.
fn json_array(json: &str, array: &Range<usize>, items: &[Range<usize>], lines: &[&str]) -> String {
    let (indent, closing) = match (items.first(), items.last()) {
        (Some(first), Some(last)) => (
            json[array.start + 1..first.start].to_owned(),
            json[last.end..array.end - 1].to_owned(),
        ),
        _ => ("\n".to_owned(), "\n".to_owned()),
    };
    let elements: Vec<String> = lines.iter().map(|l| json_string(l)).collect();
    format!(
        "[{indent}{}{closing}]",
        elements.join(&format!(",{indent}"))
    )
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
        let (masked, lines) = mask("x = '''\n%not magic\n'''\n!ls\nobj?\n");
        assert_eq!(masked, "x = '''\n%not magic\n'''\n0  \n0   \n");
        assert_eq!(lines, vec![3, 4]);
    }
}
