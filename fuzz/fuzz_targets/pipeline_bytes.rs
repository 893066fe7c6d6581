//! Arbitrary bytes, when they are UTF-8, through `check_text`: no panic, the
//! fixed text parses, the fixes are idempotent.

#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    // check_text takes &str: only valid UTF-8 reaches it (the CLI skips other files).
    if let Ok(text) = std::str::from_utf8(data) {
        common::check(text);
    }
});
