//! Byte-level tests that skip files before any parse.
//!
//! A file can matter in two ways. It can run a loop itself, which needs
//! `asyncio` (any import of asyncio's `run` or `Runner` names it) or
//! `run_until_complete`. Or it can reach such a run through a function of
//! another file, which it must import, naming both the function and its module;
//! those names are known only once the first files are analysed, so
//! [`NameFilter`] is asked again as chains grow. A file that does neither holds
//! no finding, whatever `async def`s or loop callbacks it has.

use std::borrow::Cow;

use aho_corasick::AhoCorasick;
use memchr::memmem;

use crate::syntax::lexer::is_word_byte;

/// What the byte-level tests read of a file: for a notebook, its code cells
/// as one text (in its JSON, escapes hide lines and words: `"import x\n"`
/// starts no line with `import`, and `\nrun` has no word `run`), else the
/// file's bytes. `None` for a notebook that does not load: no byte test can
/// rule it out, since loading it is what reports why it is refused.
pub fn python_bytes<'b>(path: &std::path::Path, bytes: &'b [u8]) -> Option<Cow<'b, [u8]>> {
    if path.extension().is_none_or(|e| e != "ipynb") {
        return Some(Cow::Borrowed(bytes));
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let notebook = crate::input::notebook::Notebook::parse(text).ok()?;
    Some(Cow::Owned(notebook.module.into_bytes()))
}

/// Whether `bytes` may run a loop: never false for a file that does.
pub fn may_hold_finding(bytes: &[u8]) -> bool {
    memmem::find(bytes, b"asyncio").is_some()
        || memmem::find(bytes, b"run_until_complete").is_some()
}

/// Whether `matcher` finds one of its patterns in `bytes` as a whole word.
pub fn has_whole_word(matcher: &AhoCorasick, bytes: &[u8]) -> bool {
    // Most texts hold none of the patterns: the plain search, which skips
    // ahead with its prefilter, rules them out before the overlapping one,
    // which looks at every byte.
    matcher.is_match(bytes)
        && matcher.find_overlapping_iter(bytes).any(|m| {
            let before = m.start().checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(m.end()).copied();
            !before.is_some_and(is_word_byte) && !after.is_some_and(is_word_byte)
        })
}

/// The import statements of a file, one per line: every line whose first word
/// is `import` or `from` and holds `import`, with its continuation lines
/// (parentheses, backslashes). A file that calls a function of another module
/// names that module in one of them (`from app.users import get_user`,
/// `import app.users`, `from app import users`), so [`NameFilter::may_import`]
/// can rule a file out from these few lines, kept from the first read, without
/// reading it again.
pub fn import_lines(bytes: &[u8]) -> String {
    let mut out = Vec::new();
    let mut done_until = 0;
    for at in memmem::find_iter(bytes, b"import") {
        if at < done_until {
            continue;
        }
        // A lone CR ends a line too, as in CPython.
        let start = memchr::memrchr2(b'\n', b'\r', &bytes[..at]).map_or(0, |i| i + 1);
        let first = bytes[start..at]
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t'))
            .map_or(at, |i| start + i);
        let rest = &bytes[first..];
        if !(rest.starts_with(b"import") || rest.starts_with(b"from")) {
            continue;
        }
        // To the end of the statement: past open parentheses and backslashes.
        let mut end = at;
        let mut depth = 0i32;
        while end < bytes.len() {
            match bytes[end] {
                b'(' => depth += 1,
                b')' => depth -= 1,
                b'\\' if bytes.get(end + 1) == Some(&b'\n') => end += 1,
                b'\\' if bytes.get(end + 1) == Some(&b'\r') => {
                    end += 1;
                    if bytes.get(end + 1) == Some(&b'\n') {
                        end += 1;
                    }
                }
                b'\n' | b'\r' if depth <= 0 => break,
                _ => {}
            }
            end += 1;
        }
        out.extend_from_slice(&bytes[first..end]);
        out.push(b'\n');
        done_until = end;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A word's hash, as files set aside keep their words: two words that
/// collide only make a file be looked at again.
pub fn word_hash(word: &[u8]) -> u32 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0).hash_one(word) as u32
}

/// What a file left aside keeps of its import statements (from
/// [`import_lines`]): the hash of each word in them, and whether one holds a
/// `*`. A few dozen bytes instead of the lines: a large tree leaves most of
/// its files aside. A word is a longest run of ASCII letters, digits and `_`;
/// a plain name stands as a whole word in the lines, by that or by the
/// lexer's definition (which counts non-ASCII bytes in), only if it is one of
/// those runs, so a name is never missed; a hash that collides only reads a
/// file again.
#[derive(Debug, Clone, Default)]
pub struct ImportWords {
    hashes: Box<[u32]>,
    star: bool,
}

impl ImportWords {
    pub fn new(imports: &[u8]) -> Self {
        let mut hashes: Vec<u32> = imports
            .split(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
            .filter(|w| !w.is_empty())
            .map(word_hash)
            .collect();
        hashes.sort_unstable();
        hashes.dedup();
        Self {
            hashes: hashes.into_boxed_slice(),
            star: memchr::memchr(b'*', imports).is_some(),
        }
    }

    /// Whether `word` may stand in the import lines as a whole word (always
    /// for a word that is not plain ASCII, which the hashes cannot tell).
    pub fn has_word(&self, word: &str) -> bool {
        let bytes = word.as_bytes();
        if bytes.is_empty()
            || !bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            return true;
        }
        self.hashes.binary_search(&word_hash(bytes)).is_ok()
    }

    /// Whether one of `modules` stands in the import lines as a whole word
    /// (`_run` is not named by `test_run`): without that, no file's function
    /// of those modules can be imported by them.
    pub fn name_any<'m>(&self, mut modules: impl Iterator<Item = &'m str>) -> bool {
        modules.any(|m| self.has_word(m))
    }

    /// Whether an import line holds a `*` (`from m import *`).
    pub fn star(&self) -> bool {
        self.star
    }
}

/// Patterns searched for every occurrence, fast. An overlapping search
/// visits every byte; this one is leftmost-longest, which skips ahead with the
/// vectorised prefilter, restarted one byte after each match's start. That
/// finds every position where some pattern starts, with the longest one there;
/// the others that start there are its prefixes, which are listed ahead, so
/// every occurrence of every pattern is seen (as the overlapping search sees
/// them), at a cost that grows with the matches, not the bytes.
pub struct Occurrences {
    matcher: AhoCorasick,
    /// For each pattern, the patterns that are a prefix of it (itself
    /// included, and any pattern listed twice).
    prefixes: Vec<Vec<usize>>,
    lengths: Vec<usize>,
}

impl Occurrences {
    /// `None` when there are no patterns.
    pub fn new<P: AsRef<[u8]>>(patterns: &[P]) -> Option<Self> {
        if patterns.is_empty() {
            return None;
        }
        let matcher = AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(patterns)
            .expect("names form a valid automaton");
        let bytes: Vec<&[u8]> = patterns.iter().map(AsRef::as_ref).collect();
        let prefixes = bytes
            .iter()
            .map(|long| {
                (0..bytes.len())
                    .filter(|&short| long.starts_with(bytes[short]))
                    .collect()
            })
            .collect();
        Some(Self {
            matcher,
            prefixes,
            lengths: bytes.iter().map(|b| b.len()).collect(),
        })
    }

    pub fn patterns_len(&self) -> usize {
        self.lengths.len()
    }

    /// Calls `found(start, pattern)` for every occurrence of every pattern,
    /// until it returns true; says whether it did.
    pub fn any(&self, bytes: &[u8], mut found: impl FnMut(usize, usize) -> bool) -> bool {
        let mut at = 0;
        while at <= bytes.len() {
            let input = aho_corasick::Input::new(bytes).span(at..bytes.len());
            let Some(m) = self.matcher.find(input) else {
                return false;
            };
            for &pattern in &self.prefixes[m.pattern().as_usize()] {
                if found(m.start(), pattern) {
                    return true;
                }
            }
            at = m.start() + 1;
        }
        false
    }

    /// Whether one of the patterns occurs in `bytes` as a whole word.
    pub fn has_whole_word(&self, bytes: &[u8]) -> bool {
        self.any(bytes, |start, pattern| {
            let before = start.checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(start + self.lengths[pattern]).copied();
            !before.is_some_and(is_word_byte) && !after.is_some_and(is_word_byte)
        })
    }
}

/// Matches files that mention a function's name together with its module's
/// name: a file that calls a function of another module has to import it, so
/// it names both (`from app.users import get_user`, `users.get_user(...)`).
/// A re-export (`from app import get_user` after `app/__init__.py` imports it)
/// is found through the package's `__init__.py`, which names both itself.
pub struct NameFilter {
    /// The module names, searched first: they are rarer than function names
    /// (`run`, `load`), and a file that names none of them is done with.
    modules: Option<Occurrences>,
    module_words: Vec<String>,
    names: Option<Occurrences>,
    /// For each name pattern, the module patterns it pairs with.
    pairs: Vec<Vec<usize>>,
}

impl NameFilter {
    pub fn new<'a, I>(names: I) -> Self
    where
        I: IntoIterator<Item = &'a (String, String)>,
    {
        let mut name_patterns: Vec<&str> = Vec::new();
        let mut module_patterns: Vec<&str> = Vec::new();
        // Indexed, not searched: a long chain has a name per module.
        let mut indexes: [std::collections::HashMap<&'a str, usize>; 2] = Default::default();
        let index_of =
            |word: &'a str,
             patterns: &mut Vec<&'a str>,
             index: &mut std::collections::HashMap<&'a str, usize>| {
                *index.entry(word).or_insert_with(|| {
                    patterns.push(word);
                    patterns.len() - 1
                })
            };
        let mut pairs: Vec<Vec<usize>> = Vec::new();
        for (name, module) in names {
            let [name_index, module_index] = &mut indexes;
            let n = index_of(name, &mut name_patterns, name_index);
            let m = index_of(module, &mut module_patterns, module_index);
            if pairs.len() <= n {
                pairs.resize(n + 1, Vec::new());
            }
            pairs[n].push(m);
        }
        Self {
            modules: Occurrences::new(&module_patterns),
            module_words: module_patterns.iter().map(|m| (*m).to_owned()).collect(),
            names: Occurrences::new(&name_patterns),
            pairs,
        }
    }

    /// Whether the import statements `imports` (from [`import_lines`]) name
    /// one of the modules: without that, no pair can match as an import.
    pub fn may_import(&self, imports: &ImportWords) -> bool {
        imports.name_any(self.module_words.iter().map(String::as_str))
    }

    /// Whether `bytes` name a function and its module, anywhere.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        let (Some(modules), Some(names)) = (&self.modules, &self.names) else {
            return false;
        };
        let mut seen = vec![false; modules.patterns_len()];
        let mut any = false;
        modules.any(bytes, |_, pattern| {
            seen[pattern] = true;
            any = true;
            false
        });
        any && names.any(bytes, |_, pattern| {
            self.pairs[pattern].iter().any(|&m| seen[m])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_one_of_the_words() {
        assert!(may_hold_finding(b"import asyncio\n"));
        assert!(may_hold_finding(b"loop.run_until_complete(f())"));
        assert!(!may_hold_finding(b"async def f(): pass"));
        assert!(!may_hold_finding(
            b"import subprocess\nsubprocess.run(['ls'])\n"
        ));
    }

    #[test]
    fn import_lines_keep_whole_statements() {
        let text = b"\"\"\"doc\"\"\"\nimport os\nx = 'import'\n    from .users import (\n    get_user,\n)\nfrom a import \\\n  b\nprint(1)\n";
        assert_eq!(
            import_lines(text),
            "import os\nfrom .users import (\n    get_user,\n)\nfrom a import \\\n  b\n"
        );
        let filter = NameFilter::new(&[("get_user".to_owned(), "users".to_owned())]);
        let words = |text: &[u8]| ImportWords::new(import_lines(text).as_bytes());
        assert!(filter.may_import(&words(text)));
        assert!(!filter.may_import(&words(b"import os\nusers = 1\n")));
        assert!(!filter.may_import(&words(b"from app import all_users\n")));
        assert!(!words(text).star());
        assert!(words(b"from m import *\n").star());
        // A word that is not plain ASCII may always be there.
        assert!(words(b"import os\n").has_word("caf\u{e9}"));
        assert!(words(b"import caf\xc3\xa9\n").has_word("caf"));
    }

    #[test]
    fn every_occurrence_as_the_overlapping_search_finds_them() {
        let patterns = ["run", "run_until", "until", "unt", "run"];
        let found = Occurrences::new(&patterns).unwrap();
        let overlapping = AhoCorasick::new(patterns).unwrap();
        for text in [
            &b"x.run_until_complete(run())"[..],
            b"rununtil_run_untilrun",
            b"",
            b"nothing here",
        ] {
            let mut got = Vec::new();
            found.any(text, |start, pattern| {
                got.push((start, patterns[pattern]));
                false
            });
            let mut want: Vec<(usize, &str)> = overlapping
                .find_overlapping_iter(text)
                .map(|m| (m.start(), patterns[m.pattern().as_usize()]))
                .collect();
            // A pattern listed twice: each search may name either copy.
            for list in [&mut got, &mut want] {
                list.sort();
                list.dedup();
            }
            assert_eq!(got, want, "{}", String::from_utf8_lossy(text));
        }
        let words = Occurrences::new(&["FUNCTION", "on_event"]).unwrap();
        assert!(!words.has_whole_word(b"MAKE_FUNCTION _on_event on_events"));
        assert!(words.has_whole_word(b"x = 1\n    FUNCTION = 'run'"));
        assert!(words.has_whole_word(b"@app.on_event('startup')"));
    }

    #[test]
    fn names_with_their_modules() {
        let names = [
            ("get_user".to_owned(), "users".to_owned()),
            ("load".to_owned(), "store".to_owned()),
        ];
        let filter = NameFilter::new(&names);
        assert!(filter.matches(b"from app.users import get_user\n"));
        assert!(filter.matches(b"from . import store\nstore.load(1)\n"));
        assert!(!filter.matches(b"get_user = None\n"));
        assert!(!filter.matches(b"print(1)\n"));
        assert!(!NameFilter::new(&[]).matches(b"load store"));
    }
}
