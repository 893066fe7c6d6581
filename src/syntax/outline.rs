//! A lexical outline of a Python file, built without a parse by the lexer
//! ([`super::lexer`], where [`Outline::scan`] lives): where each `def` and
//! `class` starts and ends (by indentation), its logical lines, and every
//! identifier outside strings and comments.
//!
//! `crate::scan::triage` uses it to tell, for a file that mentions asyncio,
//! whether anything in it can lead to a finding, before paying for a
//! tree-sitter parse: most such files run loops only in sync code (tests,
//! scripts) that nothing on a loop calls. The outline only has to be
//! conservative, never exact: a name seen in an f-string's text or a format
//! spec counts as mentioned, and when the lexer meets something it cannot
//! follow (a tab in an indentation, an unterminated string or bracket) it says
//! so in [`Outline::followed`], and the file is parsed whatever the outline
//! says.

use std::collections::HashMap;

/// The words of a text and where each occurs. Every word occurrence of
/// every file read goes through here: a list per word cost an allocation
/// and regrowths per distinct word, so the occurrences go into one list as
/// they are met, and [`Words::finish`] groups them by word (in order) into
/// one list of starts.
#[derive(Debug, Default)]
pub struct Words {
    ids: HashMap<Box<str>, u32, foldhash::fast::FixedState>,
    /// While words are added, each occurrence's word id (its start is at the
    /// same place in `starts`); emptied once finished.
    met: Vec<u32>,
    /// Once finished, the occurrences of word `id` are
    /// `starts[bounds[id]..bounds[id + 1]]`.
    bounds: Vec<u32>,
    starts: Vec<u32>,
    finished: bool,
}

impl Words {
    /// Room for the words of a text of `len` bytes.
    pub fn with_capacity(len: usize) -> Self {
        Self {
            ids: HashMap::with_capacity_and_hasher(len / 64, Default::default()),
            met: Vec::with_capacity(len / 8),
            bounds: Vec::new(),
            starts: Vec::with_capacity(len / 8),
            finished: false,
        }
    }

    /// Record an occurrence of `word` at `at` (occurrences come in order).
    pub fn add(&mut self, word: &str, at: u32) {
        debug_assert!(!self.finished, "words are added before they are read");
        let next = self.ids.len() as u32;
        let id = match self.ids.get(word) {
            Some(&id) => id,
            None => {
                self.ids.insert(word.into(), next);
                next
            }
        };
        self.met.push(id);
        self.starts.push(at);
    }

    /// Group the occurrences by word, keeping their order (a counting sort).
    pub fn finish(&mut self) {
        if self.finished {
            return;
        }
        self.finished = true;
        let met = std::mem::take(&mut self.met);
        let mut bounds = vec![0u32; self.ids.len() + 1];
        for &id in &met {
            bounds[id as usize + 1] += 1;
        }
        for i in 1..bounds.len() {
            bounds[i] += bounds[i - 1];
        }
        let mut next = bounds.clone();
        let mut grouped = vec![0u32; self.starts.len()];
        for (&id, &at) in met.iter().zip(&self.starts) {
            grouped[next[id as usize] as usize] = at;
            next[id as usize] += 1;
        }
        self.bounds = bounds;
        self.starts = grouped;
    }

    /// The starts of `word`'s occurrences, in order.
    pub fn get(&self, word: &str) -> &[u32] {
        debug_assert!(
            self.finished || self.ids.is_empty(),
            "words are read once finished"
        );
        match self.ids.get(word) {
            Some(&id) => {
                &self.starts
                    [self.bounds[id as usize] as usize..self.bounds[id as usize + 1] as usize]
            }
            None => &[],
        }
    }

    /// How many distinct words there are.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The distinct words, in no order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.ids.keys().map(|w| &**w)
    }
}

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
    pub words: Words,
    /// False when the lexer met text it cannot follow with certainty.
    pub followed: bool,
}

impl Outline {
    /// The occurrences of `word` in code.
    pub fn occurrences(&self, word: &str) -> &[u32] {
        self.words.get(word)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::lexer::marks;
    use std::ops::Range;

    fn names(outline: &Outline, text: &str) -> Vec<String> {
        outline
            .blocks
            .iter()
            .map(|b| text[b.name.0 as usize..b.name.1 as usize].to_owned())
            .collect()
    }

    #[test]
    fn words_list_every_occurrence_of_each_word_in_order() {
        let text = "run(x, café)\nx.run = run_until(x)\n# run\ny = 'run'\nrun\n";
        let outline = Outline::scan(text);
        let at = |word: &str| -> Vec<usize> {
            outline
                .occurrences(word)
                .iter()
                .map(|&a| a as usize)
                .collect()
        };
        // Not in the comment or the string.
        assert_eq!(at("run"), [0, 16, 51]);
        assert_eq!(at("x"), [4, 14, 32]);
        assert_eq!(at("café"), [7]);
        assert_eq!(at("run_until"), [22]);
        assert!(at("missing").is_empty());
        let mut keys: Vec<&str> = outline.words.keys().collect();
        keys.sort_unstable();
        assert_eq!(keys, ["café", "run", "run_until", "x", "y"]);
        assert_eq!(outline.words.len(), 5);
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
