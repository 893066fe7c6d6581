//! A lexical outline of a Python file, built without a parse: where each
//! `def` and `class` starts and ends (by indentation), its logical lines, and
//! every identifier outside strings and comments.
//!
//! [`crate::triage`] uses it to tell, for a file that mentions asyncio, whether
//! anything in it can lead to a finding, before paying for a tree-sitter parse:
//! most such files run loops only in sync code (tests, scripts) that nothing on
//! a loop calls. The outline only has to be conservative, never exact: a name
//! seen in an f-string's text or a format spec counts as mentioned, and when the
//! lexer meets something it cannot follow (a tab in an indentation, an
//! unterminated string or bracket) it says so in [`Outline::followed`], and the
//! file is parsed whatever the outline says.
//!
//! The same lexer, told to go on past what it cannot follow, is the one place
//! that decides what of a Python text is code, string or comment: [`marks`]
//! gives the comments (for `# noqa`) and, in a notebook cell, the lines of
//! IPython syntax. It works on bytes and only slices text at ASCII bytes, so
//! any UTF-8 text is safe; a lone CR ends a line, as in CPython.

use std::collections::HashMap;
use std::ops::Range;

use crate::prefilter::is_word_byte;

/// A `def` or `class` block.
#[derive(Debug, Clone)]
pub struct Block {
    pub kind: BlockKind,
    /// The name after `def`/`class`: its start and end bytes.
    pub name: (u32, u32),
    /// The start of the line holding `def`/`class`.
    pub start: u32,
    /// Just after the header's `:`; the body runs from here to `end`. What the
    /// header holds (defaults, annotations, bases) runs in the enclosing block.
    pub body_start: u32,
    /// The start of the first logical line indented no deeper than the header.
    pub end: u32,
    /// The innermost block around this one.
    pub parent: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Def { is_async: bool },
    Class,
}

/// A logical line: physical lines joined by brackets, backslashes and
/// triple-quoted strings.
#[derive(Debug, Clone, Copy)]
pub struct Line {
    pub start: u32,
    pub end: u32,
    /// Its first token is `import` or `from`.
    pub is_import: bool,
}

#[derive(Debug, Default)]
pub struct Outline {
    /// Blocks in the order their headers appear.
    pub blocks: Vec<Block>,
    pub lines: Vec<Line>,
    /// Every identifier in code (f-string expressions included), with the
    /// start of each occurrence, in order.
    pub words: HashMap<Box<str>, Vec<u32>, foldhash::fast::FixedState>,
    /// False when the lexer met text it cannot follow with certainty.
    pub followed: bool,
}

/// f-strings nest; deeper than this the file is left to the parser.
const MAX_NESTING: usize = 32;

impl Outline {
    pub fn scan(text: &str) -> Outline {
        let mut lexer = Lexer::new(text, false, false);
        if lexer.outline.followed {
            lexer.run();
        }
        lexer.outline
    }

    /// The occurrences of `word` in code.
    pub fn occurrences(&self, word: &str) -> &[u32] {
        self.words.get(word).map_or(&[], Vec::as_slice)
    }

    /// The innermost block whose body holds `at`.
    pub fn block_at(&self, at: u32) -> Option<u32> {
        // Blocks nest, so the innermost one holding `at` is the last to start
        // before it or one of that block's ancestors.
        let last = self.blocks.partition_point(|b| b.start <= at);
        let mut current = last.checked_sub(1).map(|i| i as u32);
        while let Some(index) = current {
            let block = &self.blocks[index as usize];
            if block.body_start <= at && at < block.end {
                return Some(index);
            }
            current = block.parent;
        }
        None
    }

    /// The innermost `def` whose body holds `at` (through class bodies).
    pub fn def_at(&self, at: u32) -> Option<u32> {
        let mut current = self.block_at(at);
        while let Some(index) = current {
            let block = &self.blocks[index as usize];
            if matches!(block.kind, BlockKind::Def { .. }) {
                return Some(index);
            }
            current = block.parent;
        }
        None
    }

    /// Whether `block` or a block around it is an `async def`.
    pub fn within_async(&self, block: u32) -> bool {
        let mut current = Some(block);
        while let Some(index) = current {
            let block = &self.blocks[index as usize];
            if block.kind == (BlockKind::Def { is_async: true }) {
                return true;
            }
            current = block.parent;
        }
        false
    }

    /// The index of the logical line holding `at`.
    pub fn line_at(&self, at: u32) -> Option<usize> {
        let index = self
            .lines
            .partition_point(|l| l.start <= at)
            .checked_sub(1)?;
        (at < self.lines[index].end).then_some(index)
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

/// A statement that can be left out of a parse whole: a top-level `def` or
/// `class`, or a `def`/`class` directly in a top-level class's body; with its
/// decorators.
#[derive(Debug, Clone)]
pub struct Unit {
    pub start: u32,
    pub end: u32,
    pub block: u32,
    /// For a member of a class: the class's unit.
    pub class: Option<usize>,
}

impl Outline {
    /// The units, top-level ones each followed by their members.
    pub fn units(&self, text: &str) -> Vec<Unit> {
        let bytes = text.as_bytes();
        let indent = |at: u32| {
            bytes[at as usize..]
                .iter()
                .take_while(|&&b| b == b' ')
                .count()
        };
        let line_of_start = |start: u32| self.lines.partition_point(|l| l.start < start);
        // Decorators: the logical lines right before, at the same indentation,
        // that start with `@`.
        let with_decorators = |block: &Block| {
            let mut line = line_of_start(block.start);
            let mut start = block.start;
            let depth = indent(block.start);
            while line > 0 {
                let previous = self.lines[line - 1];
                let at = previous.start as usize + depth;
                if indent(previous.start) == depth && bytes.get(at) == Some(&b'@') {
                    start = previous.start;
                    line -= 1;
                } else {
                    break;
                }
            }
            start
        };
        let mut units = Vec::new();
        for (index, block) in self.blocks.iter().enumerate() {
            if block.parent.is_some() || indent(block.start) != 0 {
                continue;
            }
            let unit = units.len();
            units.push(Unit {
                start: with_decorators(block),
                end: block.end,
                block: index as u32,
                class: None,
            });
            if block.kind != BlockKind::Class {
                continue;
            }
            // Members sit at the indentation of the body's first line.
            let first = line_of_start(block.body_start);
            let Some(body) = self.lines.get(first).filter(|l| l.start < block.end) else {
                continue;
            };
            let member_indent = indent(body.start);
            for (member, inner) in self.blocks.iter().enumerate().skip(index + 1) {
                if inner.start >= block.end {
                    break;
                }
                if inner.parent == Some(index as u32) && indent(inner.start) == member_indent {
                    units.push(Unit {
                        start: with_decorators(inner),
                        end: inner.end,
                        block: member as u32,
                        class: Some(unit),
                    });
                }
            }
        }
        units
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
            bytes: text.as_bytes(),
            at: 0,
            outline: Outline {
                followed: text.len() < u32::MAX as usize,
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
        while self.at < bytes.len() && is_word_byte(bytes[self.at]) {
            self.at += 1;
        }
        // Identifier bytes are ASCII word bytes or parts of UTF-8 sequences,
        // and a sequence never starts with a continuation byte here.
        let word = std::str::from_utf8(&bytes[start..self.at]).unwrap_or("");
        match self.outline.words.get_mut(word) {
            Some(list) => list.push(start as u32),
            None => {
                self.outline.words.insert(word.into(), vec![start as u32]);
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn names(outline: &Outline, text: &str) -> Vec<String> {
        outline
            .blocks
            .iter()
            .map(|b| text[b.name.0 as usize..b.name.1 as usize].to_owned())
            .collect()
    }

    #[test]
    fn blocks_end_where_the_indentation_returns() {
        let text = "import asyncio\n\nclass A(B):\n    x = 1\n\n    async def m(self, a=(1,\n2)):\n        '''doc\nrun'''\n        return f(run)\n    # comment\n\n    def n(self): return 2\ndef g():\n    pass\n";
        let outline = Outline::scan(text);
        assert!(outline.followed);
        assert_eq!(names(&outline, text), ["A", "m", "n", "g"]);
        let m = &outline.blocks[1];
        assert_eq!(m.kind, BlockKind::Def { is_async: true });
        assert_eq!(m.parent, Some(0));
        assert_eq!(&text[m.end as usize..][..8], "    def ");
        let run = outline.occurrences("run");
        assert_eq!(run.len(), 1, "the docstring's run is not code");
        assert_eq!(outline.def_at(run[0]), Some(1));
        assert!(outline.within_async(1));
        // The default `(1, 2)` is in the header: it runs in the class body.
        let one = text.find("(1,").unwrap() as u32;
        assert_eq!(outline.block_at(one), Some(0));
        assert_eq!(outline.blocks[3].end as usize, text.len());
        assert!(outline.lines[0].is_import);
    }

    #[test]
    fn f_string_expressions_are_code() {
        let text =
            "x = f\"{helper(a)!r:>{width}} {'run'} {{skip}}\"\ny = rb'\\'' + \"#\"  # helper2\n";
        let outline = Outline::scan(text);
        assert!(outline.followed);
        assert_eq!(outline.occurrences("helper").len(), 1);
        assert_eq!(outline.occurrences("width").len(), 1);
        assert!(outline.occurrences("run").is_empty());
        assert!(outline.occurrences("skip").is_empty());
        assert!(outline.occurrences("helper2").is_empty());
        assert_eq!(outline.lines.len(), 2);
    }

    #[test]
    fn nested_quotes_of_python_3_12() {
        let text = "x = f\"{d[\"key\"]} {g(f'{h}')}\"\n";
        let outline = Outline::scan(text);
        assert!(outline.followed);
        assert_eq!(outline.occurrences("h").len(), 1);
        assert_eq!(outline.occurrences("g").len(), 1);
        assert!(outline.occurrences("key").is_empty());
    }

    #[test]
    fn what_it_cannot_follow_it_says() {
        for text in [
            "def f():\n\treturn 1\n",
            "x = 'open\n",
            "x = (1,\n",
            "x = 1)\n",
            "x = '''never closed\n",
            "def f(\n",
            "x = 1 \\ y\n",
        ] {
            assert!(!Outline::scan(text).followed, "{text:?}");
        }
        // Blank lines with tabs or form feeds are fine.
        assert!(Outline::scan("x = 1\n\t\n\x0c\ny = 2\n").followed);
    }

    #[test]
    fn units_are_top_level_blocks_and_class_members_with_decorators() {
        let text = "import a\n\n@dec\ndef f():\n    def g(): pass\n\nclass C:\n    '''doc'''\n    @staticmethod\n    def m():\n        pass\n    if x:\n        def hidden(): pass\n    class D:\n        pass\nif y:\n    def h(): pass\n";
        let outline = Outline::scan(text);
        let units = outline.units(text);
        let shown: Vec<(&str, Option<usize>)> = units
            .iter()
            .map(|u| (text[u.start as usize..].lines().next().unwrap(), u.class))
            .collect();
        assert_eq!(
            shown,
            [
                ("@dec", None),
                ("class C:", None),
                ("    @staticmethod", Some(1)),
                ("    class D:", Some(1)),
            ]
        );
        assert_eq!(&text[units[0].end as usize..][..5], "class");
    }

    #[test]
    fn aliases() {
        let text = "from asyncio import (run  # c\n    as arun)\n";
        let outline = Outline::scan(text);
        let end = outline.occurrences("run")[0] + 3;
        assert_eq!(Outline::alias_after(text, end), Some("arun"));
        assert_eq!(Outline::alias_after("run asx", 3), None);
    }

    #[test]
    fn marks_find_comments_and_ipython_lines_outside_strings() {
        let text = "s = '''café #1\n%x\n'''  # ü\r%time f()\nx = (1\n% 2)\t# c\nobj?\n\tif y: pass  # t\n!ls \"\n";
        let found = marks(text, true);
        let shown = |ranges: &[Range<usize>]| -> Vec<String> {
            ranges.iter().map(|r| text[r.clone()].to_owned()).collect()
        };
        assert_eq!(shown(&found.comments), ["# ü", "# c", "# t"]);
        assert_eq!(shown(&found.foreign), ["%time f()", "obj?", "!ls \""]);
        assert!(marks(text, false).foreign.is_empty());
    }

    #[test]
    fn line_continuations_and_crlf() {
        let text = "def f():\r\n    x = 1 + \\\r\n2\r\n    async def g(): pass\r\nz = 3\r\n";
        let outline = Outline::scan(text);
        assert!(outline.followed);
        assert_eq!(outline.lines.len(), 4);
        assert_eq!(outline.blocks[1].parent, Some(0));
        assert_eq!(&text[outline.blocks[0].end as usize..], "z = 3\r\n");
    }
}
