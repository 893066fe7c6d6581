//! The fuzz bytes as a text (UTF-8, lossy) whose line endings the first byte's
//! bits choose, line by line: `\n`, `\r\n` or a lone `\r`. Checks what
//! `pipeline_bytes` checks, and that a line whose content the fixes did not
//! change keeps its line ending.

#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest)
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    let mut mixed = String::new();
    for (i, line) in text.split_inclusive('\n').enumerate() {
        match line.strip_suffix('\n') {
            Some(body) => {
                mixed.push_str(body);
                mixed.push_str(match (choice >> (2 * (i % 4))) & 3 {
                    0 | 3 => "\n",
                    1 => "\r\n",
                    _ => "\r",
                });
            }
            None => mixed.push_str(line),
        }
    }
    common::check(&mixed);
    common::check_endings_kept(&mixed);
});
