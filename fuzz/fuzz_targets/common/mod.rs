//! What both fuzz targets check on a text: no panic, a fixed text that parses
//! (tree-sitter), idempotent fixes, and no finding without `asyncio` or
//! `run_until_complete` in the text.

use std::cell::RefCell;

use tree_sitter::Parser;
use unnest::syntax::parse::new_parser;
use unnest::project::text::check_text;

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

/// Lines of `text` as (content, ending), endings `\n`, `\r\n` or a lone `\r`.
#[allow(dead_code)] // only the line_endings target uses it
fn lines_with_endings(text: &str) -> Vec<(&str, &str)> {
    let bytes = text.as_bytes();
    let (mut lines, mut start, mut i) = (Vec::new(), 0, 0);
    while i < bytes.len() {
        let end = match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => i + 2,
            b'\r' | b'\n' => i + 1,
            _ => {
                i += 1;
                continue;
            }
        };
        lines.push((&text[start..i], &text[i..end]));
        start = end;
        i = end;
    }
    if start < text.len() {
        lines.push((&text[start..], ""));
    }
    lines
}

/// A line whose content the fixes did not change keeps its line ending (by
/// a longest-common-subsequence match of the lines' contents).
#[allow(dead_code)] // only the line_endings target uses it
pub fn check_endings_kept(text: &str) {
    PARSER.with_borrow_mut(|parser| {
        for unsafe_fixes in [false, true] {
            let Ok(report) = check_text(parser, text, unsafe_fixes) else {
                continue;
            };
            let Ok(Some(fixed)) = report.fixed else {
                continue;
            };
            let (old, new) = (lines_with_endings(text), lines_with_endings(&fixed.text));
            // Lines before the first changed content and after the last.
            let head = old.iter().zip(&new).take_while(|(a, b)| a.0 == b.0).count();
            let tail = old[head..]
                .iter()
                .rev()
                .zip(new[head..].iter().rev())
                .take_while(|(a, b)| a.0 == b.0)
                .count();
            for k in 0..head {
                if k + 1 < old.len() {
                    assert_eq!(old[k].1, new[k].1, "line {} lost its ending", k + 1);
                }
            }
            for k in 0..tail {
                let (a, b) = (old[old.len() - 1 - k], new[new.len() - 1 - k]);
                assert_eq!(a.1, b.1, "line {} from the end lost its ending", k + 1);
            }
        }
    });
}
