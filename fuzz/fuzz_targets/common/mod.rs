//! What both fuzz targets check on a text: no panic, a fixed text that parses
//! (tree-sitter), idempotent fixes, and no finding without `asyncio` or
//! `run_until_complete` in the text.

use std::cell::RefCell;

use tree_sitter::Parser;
use unnest::parse::new_parser;
use unnest::pipeline::check_text;

thread_local! {
    static PARSER: RefCell<Parser> = RefCell::new(new_parser());
}

/// With `UNNEST_FUZZ_REFUSAL_IS_CRASH=1`, fixes that the pipeline's own
/// verification refuses (on a text that parses) count as a crash too: they
/// mean the rewrite built a text that does not parse.
fn refusal_is_crash() -> bool {
    std::env::var_os("UNNEST_FUZZ_REFUSAL_IS_CRASH").is_some_and(|v| v == "1")
}

pub fn check(text: &str) {
    PARSER.with_borrow_mut(|parser| {
        for unsafe_fixes in [false, true] {
            let Ok(report) = check_text(parser, text, unsafe_fixes) else {
                continue;
            };
            if !text.contains("asyncio") && !text.contains("run_until_complete") {
                assert!(
                    report.diagnostics.is_empty(),
                    "a finding in a text without `asyncio` or `run_until_complete`"
                );
            }
            let fixed = match report.fixed {
                Ok(Some(fixed)) => fixed,
                Ok(None) => continue,
                Err(reason) => {
                    assert!(!refusal_is_crash(), "the fixes were refused: {reason}");
                    continue;
                }
            };
            let again = match check_text(parser, &fixed.text, unsafe_fixes) {
                Ok(again) => again,
                Err(at) => panic!(
                    "the fixed text does not parse (byte {at}, unsafe_fixes={unsafe_fixes}):\n{}",
                    fixed.text
                ),
            };
            match again.fixed {
                Ok(None) => {}
                Ok(Some(more)) => panic!(
                    "not idempotent (unsafe_fixes={unsafe_fixes}): {} more fix(es) on\n{}",
                    more.applied, fixed.text
                ),
                Err(reason) => panic!(
                    "a second run refused its fixes (unsafe_fixes={unsafe_fixes}): {reason}\n{}",
                    fixed.text
                ),
            }
        }
    });
}
