//! Byte-level tests that skip files before any parse.
//!
//! A file can matter in two ways. It can hold a finding or loop context of its
//! own, which needs one of a few words: `async` (which `asyncio` contains),
//! `run_until_complete`, or a loop-callback method. Or it can sit in a chain
//! through a sync helper, which needs the name of a loop-blocking function;
//! those names are known only once the first files are analysed, so
//! [`NameFilter`] is asked again as the chain grows.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

/// Words without which a file holds no finding and no loop context.
const WORDS: [&str; 9] = [
    "async",
    "run_until_complete",
    "call_soon",
    "call_later",
    "call_at",
    "add_reader",
    "add_writer",
    "add_signal_handler",
    "add_done_callback",
];

static MATCHER: LazyLock<AhoCorasick> =
    LazyLock::new(|| AhoCorasick::new(WORDS).expect("the prefilter words form a valid automaton"));

/// Whether `bytes` may hold a finding or code that runs on the loop. Never
/// false for a file that does.
pub fn may_hold_finding(bytes: &[u8]) -> bool {
    MATCHER.is_match(bytes)
}

/// Matches files that mention any of a set of names.
pub struct NameFilter {
    matcher: Option<AhoCorasick>,
}

impl NameFilter {
    pub fn new<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let names: Vec<S> = names.into_iter().collect();
        let matcher = (!names.is_empty())
            .then(|| AhoCorasick::new(&names).expect("function names form a valid automaton"));
        Self { matcher }
    }

    pub fn matches(&self, bytes: &[u8]) -> bool {
        self.matcher.as_ref().is_some_and(|m| m.is_match(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_one_of_the_words() {
        assert!(may_hold_finding(b"import asyncio\n"));
        assert!(may_hold_finding(b"loop.run_until_complete(f())"));
        assert!(may_hold_finding(b"async def f(): pass"));
        assert!(may_hold_finding(b"loop.call_soon(cb)"));
        assert!(!may_hold_finding(
            b"import subprocess\nsubprocess.run(['ls'])\n"
        ));
    }

    #[test]
    fn names() {
        let filter = NameFilter::new(["get_user", "load"]);
        assert!(filter.matches(b"from app import get_user\n"));
        assert!(!filter.matches(b"print(1)\n"));
        assert!(!NameFilter::new(Vec::<String>::new()).matches(b"load"));
    }
}
