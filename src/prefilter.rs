//! A byte-level test that skips files before any parse: a file whose bytes hold
//! neither `asyncio` nor `run_until_complete` cannot produce a finding, since
//! every finding needs an asyncio import or a `run_until_complete` call.

use memchr::memmem;

/// Whether `bytes` may hold a finding. Never false for a file that does.
pub fn may_hold_finding(bytes: &[u8]) -> bool {
    memmem::find(bytes, b"asyncio").is_some()
        || memmem::find(bytes, b"run_until_complete").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_one_of_the_words() {
        assert!(may_hold_finding(b"import asyncio\n"));
        assert!(may_hold_finding(b"loop.run_until_complete(f())"));
        assert!(!may_hold_finding(
            b"import subprocess\nsubprocess.run(['ls'])\n"
        ));
    }
}
