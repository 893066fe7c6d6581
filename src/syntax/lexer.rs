//! The one lexer of Python text in unnest. It works on bytes and only slices
//! text at ASCII bytes, so any UTF-8 text is safe; a lone CR ends a line, as
//! in CPython. It decides what of a text is code, string or comment, and
//! serves three callers:
//!
//! - [`Outline::scan`]: the outline the triage reads (blocks, logical lines,
//!   identifiers), stopping at the first thing it cannot follow;
//! - [`marks`] without IPython syntax: the comments, for `# noqa`;
//! - [`marks`] in a notebook cell: also the lines of IPython syntax
//!   (`%magic`, `!shell`, `obj?`), which the notebook masks before parsing.
//!
//! Told to be lenient (for [`marks`]), it goes on past what it cannot follow.

use std::ops::Range;

use super::outline::{Block, BlockKind, Line, Outline, Words};

/// Whether `b` can be part of a Python identifier. Every non-ASCII byte
/// counts: over-counting only makes a word look longer, which the callers
/// take as "not this word" or "one more word", both safe for them.
pub fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// f-strings nest; deeper than this the file is left to the parser.
const MAX_NESTING: usize = 32;

impl Outline {
    pub fn scan(text: &str) -> Outline {
        let mut lexer = Lexer::new(text, false, false);
        if lexer.outline.followed {
            lexer.run();
        }
        lexer.outline.words.finish();
        lexer.outline
    }

    /// The identifier after `as` that follows the word ending at `end`
    /// (`run as arun`), if any.
    pub fn alias_after(text: &str, end: u32) -> Option<&str> {
        let bytes = text.as_bytes();
        let skip = |mut i: usize| {
            while i < bytes.len() {
                match bytes[i] {
                    b' ' | b'\t' | b'\r' | b'\n' | b'\\' | b'\x0c' => i += 1,
                    b'#' => {
                        while i < bytes.len() && !matches!(bytes[i], b'\n' | b'\r') {
                            i += 1
                        }
                    }
                    _ => break,
                }
            }
            i
        };
        let at = skip(end as usize);
        if !text[at..].starts_with("as") || bytes.get(at + 2).is_some_and(|&b| is_word_byte(b)) {
            return None;
        }
        let start = skip(at + 2);
        let stop = (start..bytes.len())
            .find(|&i| !is_word_byte(bytes[i]))
            .unwrap_or(bytes.len());
        (stop > start).then(|| &text[start..stop])
    }
}

/// What [`marks`] finds: byte ranges in the text.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Marks {
    /// Every comment, from its `#` to the end of its line.
    pub comments: Vec<Range<usize>>,
    /// With `ipython`: the logical lines that are IPython syntax, not Python
    /// (`%magic`, `!shell`, `?help` at a line's start, `obj?` anywhere), from
    /// their first non-blank byte to the end of their last line (line ends
    /// excluded).
    pub foreign: Vec<Range<usize>>,
}

/// The comments of `text` and, with `ipython` (a notebook cell), its lines of
/// IPython syntax. Never gives up: text it cannot follow (a tab in an
/// indentation, an unbalanced bracket, an unterminated string) is lexed on as
/// best it can, string by string and line by line.
pub fn marks(text: &str, ipython: bool) -> Marks {
    let mut lexer = Lexer::new(text, true, ipython);
    if lexer.outline.followed {
        lexer.run();
    }
    lexer.marks
}

fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

struct Lexer<'t> {
    text: &'t str,
    bytes: &'t [u8],
    at: usize,
    outline: Outline,
    /// Open blocks: their indentation and index.
    stack: Vec<(usize, u32)>,
    nesting: usize,
    /// Go on past what the outline cannot follow (for [`marks`]).
    lenient: bool,
    /// Recognise IPython syntax (for [`marks`] in a notebook cell).
    ipython: bool,
    /// The current logical line holds a `?` in code: IPython's help syntax.
    help: bool,
    marks: Marks,
}

/// What the first tokens of a logical line declare.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Header {
    None,
    /// Seen `async`: a `def` may follow.
    Async,
    /// Seen `def`/`class`: the name comes next.
    Keyword(BlockKind),
    /// A block was opened: its `:` is still to come.
    Open(u32),
    Done,
}

impl<'t> Lexer<'t> {
    fn new(text: &'t str, lenient: bool, ipython: bool) -> Self {
        Lexer {
            text,
            bytes: text.as_bytes(),
            at: 0,
            outline: Outline {
                followed: text.len() < u32::MAX as usize,
                words: Words::with_capacity(text.len()),
                ..Outline::default()
            },
            stack: Vec::new(),
            nesting: 0,
            lenient,
            ipython,
            help: false,
            marks: Marks::default(),
        }
    }

    /// Stop at text the outline cannot follow; a lenient lexer goes on, and
    /// each caller says how.
    fn fail(&mut self) {
        if self.lenient {
            return;
        }
        self.outline.followed = false;
        self.at = self.bytes.len();
    }

    /// The end of the physical line at `self.at`, line end excluded.
    fn line_end(&self) -> usize {
        memchr::memchr2(b'\n', b'\r', &self.bytes[self.at..])
            .map_or(self.bytes.len(), |i| self.at + i)
    }

    fn run(&mut self) {
        let len = self.bytes.len();
        while self.at < len && self.outline.followed {
            // The start of a physical line outside any bracket or string.
            let line_start = self.at;
            let mut indent = 0;
            while self.at < len {
                match self.bytes[self.at] {
                    b' ' => indent += 1,
                    // Tabs and form feeds count in ways the outline does not
                    // follow.
                    b'\t' | b'\x0c' => {
                        let rest = &self.bytes[self.at..];
                        let blank = rest
                            .iter()
                            .position(|&b| !matches!(b, b' ' | b'\t' | b'\x0c'))
                            .is_none_or(|i| matches!(rest[i], b'\n' | b'\r' | b'#'));
                        if !blank && !self.lenient {
                            return self.fail();
                        }
                    }
                    _ => break,
                }
                self.at += 1;
            }
            match self.bytes.get(self.at) {
                None => break,
                Some(b'\n' | b'\r') => {
                    self.newline();
                    continue;
                }
                Some(b'#') => {
                    self.comment();
                    continue;
                }
                // IPython escapes: the physical line is not Python.
                Some(b'%' | b'!' | b'?') if self.ipython => {
                    let end = self.line_end();
                    self.marks.foreign.push(self.at..end);
                    self.at = end;
                    if self.at < len {
                        self.newline();
                    }
                    continue;
                }
                _ => {}
            }
            let start = line_start as u32;
            while self.stack.last().is_some_and(|&(i, _)| i >= indent) {
                let (_, block) = self.stack.pop().expect("checked");
                self.outline.blocks[block as usize].end = start;
            }
            let line = self.outline.lines.len();
            self.outline.lines.push(Line {
                start,
                end: start,
                is_import: false,
            });
            let first = self.at;
            self.help = false;
            self.logical_line(line, indent);
            // An escape at the very end steps one past it.
            self.at = self.at.min(len);
            self.outline.lines[line].end = self.at as u32;
            if self.help {
                // `obj?`: the whole logical line, up to its last line end.
                let bytes = self.bytes;
                let mut end = self.at;
                while end > first && matches!(bytes[end - 1], b'\n' | b'\r') {
                    end -= 1;
                }
                self.marks.foreign.push(first..end);
            }
        }
        if self.outline.followed {
            for (_, block) in self.stack.drain(..) {
                self.outline.blocks[block as usize].end = len as u32;
            }
        }
    }

    fn newline(&mut self) {
        if self.bytes[self.at] == b'\r' && self.bytes.get(self.at + 1) == Some(&b'\n') {
            self.at += 1;
        }
        self.at += 1;
    }

    fn comment(&mut self) {
        let start = self.at;
        self.at = self.line_end();
        if self.lenient {
            self.marks.comments.push(start..self.at);
        }
    }

    /// Lex one logical line, from its first token to just past its newline.
    fn logical_line(&mut self, line: usize, indent: usize) {
        let mut header = Header::None;
        let mut depth = 0usize;
        let mut first = true;
        let len = self.bytes.len();
        while self.at < len {
            let b = self.bytes[self.at];
            match b {
                b'\n' | b'\r' if depth == 0 => {
                    self.newline();
                    break;
                }
                b'\n' | b'\r' | b' ' | b'\t' | b'\x0c' => self.at += 1,
                b'#' => self.comment(),
                b'\\' => {
                    self.at += 1;
                    match self.bytes.get(self.at) {
                        Some(b'\n' | b'\r') => self.newline(),
                        _ if self.lenient => {}
                        _ => return self.fail(),
                    }
                }
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    self.at += 1;
                }
                b')' | b']' | b'}' => {
                    if depth == 0 {
                        if !self.lenient {
                            return self.fail();
                        }
                    } else {
                        depth -= 1;
                    }
                    self.at += 1;
                }
                b'?' if self.ipython => {
                    self.help = true;
                    self.at += 1;
                }
                b':' if depth == 0 => {
                    if let Header::Open(block) = header {
                        self.outline.blocks[block as usize].body_start = self.at as u32 + 1;
                        header = Header::Done;
                    }
                    self.at += 1;
                }
                b'\'' | b'"' => {
                    self.string();
                    first = false;
                }
                b'0'..=b'9' => {
                    self.number();
                    first = false;
                }
                _ if is_word_start(b) => {
                    let start = self.at;
                    let word = self.word();
                    if self.string_prefix(start) {
                        first = false;
                        continue;
                    }
                    header = self.header(header, first, word, start, line, indent);
                    first = false;
                }
                _ => {
                    self.at += 1;
                    first = false;
                }
            }
        }
        if depth != 0 || matches!(header, Header::Open(_)) {
            self.fail();
        }
    }

    /// Track `def name`, `async def name` and `class name` at a line's start.
    fn header(
        &mut self,
        header: Header,
        first: bool,
        word: &str,
        start: usize,
        line: usize,
        indent: usize,
    ) -> Header {
        match (header, word) {
            (Header::None, "def") if first => Header::Keyword(BlockKind::Def { is_async: false }),
            (Header::None, "class") if first => Header::Keyword(BlockKind::Class),
            (Header::None, "async") if first => Header::Async,
            (Header::Async, "def") => Header::Keyword(BlockKind::Def { is_async: true }),
            (Header::None, "import" | "from") if first => {
                self.outline.lines[line].is_import = true;
                Header::Done
            }
            (Header::Keyword(kind), _) => {
                let index = self.outline.blocks.len() as u32;
                self.outline.blocks.push(Block {
                    kind,
                    name: (start as u32, self.at as u32),
                    start: self.outline.lines[line].start,
                    body_start: u32::MAX,
                    end: u32::MAX,
                    parent: self.stack.last().map(|&(_, b)| b),
                });
                self.stack.push((indent, index));
                Header::Open(index)
            }
            (Header::None | Header::Async, _) => Header::Done,
            (other, _) => other,
        }
    }

    /// An identifier: recorded, and returned.
    fn word(&mut self) -> &'t str {
        let bytes: &'t [u8] = self.bytes;
        let start = self.at;
        // A local index: the field would be stored back at every byte.
        let end = start
            + bytes[start..]
                .iter()
                .position(|&b| !is_word_byte(b))
                .unwrap_or(bytes.len() - start);
        self.at = end;
        // Identifier bytes are ASCII word bytes or parts of UTF-8 sequences,
        // and a sequence never starts with a continuation byte here: the
        // word starts and ends on character boundaries of the text.
        let word = self.text.get(start..end).unwrap_or("");
        self.outline.words.add(word, start as u32);
        word
    }

    /// After the word at `start`: if it was a string prefix directly before a
    /// quote, lex the string and say so.
    fn string_prefix(&mut self, start: usize) -> bool {
        if !matches!(self.bytes.get(self.at), Some(b'\'' | b'"')) {
            return false;
        }
        let prefix = &self.bytes[start..self.at];
        let valid = prefix.len() <= 2
            && prefix
                .iter()
                .all(|b| matches!(b.to_ascii_lowercase(), b'r' | b'u' | b'b' | b'f'));
        if !valid {
            return false;
        }
        // The prefix was recorded as a word: harmless, it names nothing.
        // A backslash escapes the next byte for lexing, raw or not.
        let format = prefix.iter().any(|b| b.eq_ignore_ascii_case(&b'f'));
        self.string_body(format);
        true
    }

    fn number(&mut self) {
        while self.at < self.bytes.len()
            && (is_word_byte(self.bytes[self.at]) || self.bytes[self.at] == b'.')
        {
            self.at += 1;
        }
    }

    /// A string without prefix at the quote under `self.at`.
    fn string(&mut self) {
        self.string_body(false);
    }

    /// A string literal from its opening quote; an f-string's expressions are
    /// lexed as code.
    fn string_body(&mut self, format: bool) {
        let quote = self.bytes[self.at];
        let triple = self.bytes[self.at..].starts_with(&[quote; 3]);
        self.at += if triple { 3 } else { 1 };
        let len = self.bytes.len();
        while self.at < len {
            let b = self.bytes[self.at];
            if b == quote {
                if !triple {
                    self.at += 1;
                    return;
                }
                if self.bytes[self.at..].starts_with(&[quote; 3]) {
                    self.at += 3;
                    return;
                }
                self.at += 1;
            } else if b == b'\\' {
                self.at += 2;
            } else if (b == b'\n' || b == b'\r') && !triple {
                // An unterminated string: Python refuses the file.
                return self.fail();
            } else if format && b == b'{' {
                if self.bytes.get(self.at + 1) == Some(&b'{') {
                    self.at += 2;
                } else {
                    self.at += 1;
                    self.replacement_field();
                    if !self.outline.followed {
                        return;
                    }
                }
            } else {
                self.at += 1;
            }
        }
        self.fail();
    }

    /// Inside an f-string, after `{`: the expression, a conversion and a format
    /// spec (which may hold fields of its own), to the closing `}`.
    fn replacement_field(&mut self) {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            // A lenient lexer reads the rest as the string's text.
            self.nesting -= 1;
            return self.fail();
        }
        let mut depth = 0usize;
        let mut in_spec = false;
        let len = self.bytes.len();
        while self.at < len && self.outline.followed {
            let b = self.bytes[self.at];
            if in_spec {
                match b {
                    b'{' => {
                        self.at += 1;
                        self.replacement_field();
                    }
                    b'}' => {
                        self.at += 1;
                        self.nesting -= 1;
                        return;
                    }
                    b'\\' => self.at += 2,
                    _ => self.at += 1,
                }
                continue;
            }
            match b {
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    self.at += 1;
                }
                b')' | b']' => {
                    depth = depth.saturating_sub(1);
                    self.at += 1;
                }
                b'}' if depth == 0 => {
                    self.at += 1;
                    self.nesting -= 1;
                    return;
                }
                b'}' => {
                    depth -= 1;
                    self.at += 1;
                }
                b'!' if depth == 0 && self.bytes.get(self.at + 1) != Some(&b'=') => {
                    // A conversion (`!r`): its letter, then `:` or `}`.
                    self.at += 1;
                }
                b':' if depth == 0 => {
                    in_spec = true;
                    self.at += 1;
                }
                b'#' => self.comment(),
                b'\'' | b'"' => self.string(),
                b'0'..=b'9' => self.number(),
                _ if is_word_start(b) => {
                    let start = self.at;
                    self.word();
                    self.string_prefix(start);
                }
                _ => self.at += 1,
            }
        }
        self.fail();
    }
}
