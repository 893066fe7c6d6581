//! Byte-level tests that skip files before any parse.
//!
//! A file can matter in two ways. It can run a loop itself, which needs
//! `asyncio` (any import of asyncio's `run` or `Runner` names it) or
//! `run_until_complete`. Or it can reach such a run through a function of
//! another file, which it must import, naming both the function and its module;
//! those names are known only once the first files are analysed, so
//! [`NameFilter`] is asked again as chains grow. A file that does neither holds
//! no finding, whatever `async def`s or loop callbacks it has.

use aho_corasick::AhoCorasick;
use memchr::memmem;

/// Whether `bytes` may run a loop: never false for a file that does.
pub fn may_hold_finding(bytes: &[u8]) -> bool {
    memmem::find(bytes, b"asyncio").is_some()
        || memmem::find(bytes, b"run_until_complete").is_some()
}

/// Matches files that mention a function's name together with its module's
/// name: a file that calls a function of another module has to import it, so
/// it names both (`from app.users import get_user`, `users.get_user(...)`).
/// A re-export (`from app import get_user` after `app/__init__.py` imports it)
/// is found through the package's `__init__.py`, which names both itself.
pub struct NameFilter {
    matcher: Option<AhoCorasick>,
    /// Pattern indexes: `(name, module)` pairs into the matcher's patterns.
    pairs: Vec<(usize, usize)>,
}

impl NameFilter {
    pub fn new<'a, I>(names: I) -> Self
    where
        I: IntoIterator<Item = &'a (String, String)>,
    {
        let mut patterns: Vec<&str> = Vec::new();
        let index_of = |word: &'a str, patterns: &mut Vec<&'a str>| {
            patterns.iter().position(|p| *p == word).unwrap_or_else(|| {
                patterns.push(word);
                patterns.len() - 1
            })
        };
        let mut pairs = Vec::new();
        for (name, module) in names {
            let n = index_of(name, &mut patterns);
            let m = index_of(module, &mut patterns);
            pairs.push((n, m));
        }
        let matcher = (!patterns.is_empty())
            .then(|| AhoCorasick::new(&patterns).expect("function names form a valid automaton"));
        Self { matcher, pairs }
    }

    pub fn matches(&self, bytes: &[u8]) -> bool {
        let Some(matcher) = &self.matcher else {
            return false;
        };
        let mut seen = vec![false; matcher.patterns_len()];
        for found in matcher.find_overlapping_iter(bytes) {
            seen[found.pattern().as_usize()] = true;
        }
        self.pairs.iter().any(|&(n, m)| seen[n] && seen[m])
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
