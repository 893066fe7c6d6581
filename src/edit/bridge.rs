//! The thread bridge: when sync code that starts an event loop is called on
//! a thread whose loop already runs, and its caller cannot be made to await
//! a coroutine (framework code outside the project), the loop is started on
//! a worker thread instead, and the calling thread waits for it.
//!
//! This decides only how the edits look: a module-level helper,
//! `_run_in_worker_thread(run)`, and the call `RUNNER(X)` wrapped as
//! `_run_in_worker_thread(lambda: RUNNER(X))`. Whether a bridge is the right
//! fix, and that it is unsafe, is for the rules to decide.

use super::{Edit, TextRange};

/// The helper's name.
pub const BRIDGE_HELPER: &str = "_run_in_worker_thread";

/// What the bridge costs, for fix messages.
pub const BRIDGE_COST: &str = "the loop thread blocks while it waits, so nothing else runs on that loop meanwhile, and objects bound to the running loop (its futures, tasks, locks, connections) must not be used from the worker thread's loop";

/// Where the bridge goes in one file.
pub struct BridgeSite<'a> {
    /// The file's text.
    pub text: &'a str,
    /// The call that starts a loop (`asyncio.run(X)`).
    pub call: TextRange,
    /// Where the helper is defined if the module lacks it: at module level,
    /// before the code that uses it runs (after the imports).
    pub helper_at: usize,
    /// The line ending to write.
    pub line_ending: &'a str,
    /// The module already binds [`BRIDGE_HELPER`].
    pub helper_bound: bool,
}

/// The helper's definition, with `end` as line ending.
fn helper_text(end: &str) -> String {
    [
        &format!("def {BRIDGE_HELPER}(run):"),
        "    \"\"\"Call `run`, which starts an event loop, on a worker thread and wait",
        "    for its result: this thread's loop is already running. The loop thread",
        "    is blocked while it waits.\"\"\"",
        "    import concurrent.futures",
        "",
        "    with concurrent.futures.ThreadPoolExecutor(1) as pool:",
        "        return pool.submit(run).result()",
    ]
    .join(end)
}

/// The edits of a bridge, or `None` when the call cannot be moved into a
/// `lambda` without changing what it means (`:=` would bind in the lambda,
/// `yield` and `await` would belong to it), or when the module binds the
/// helper's name to something else.
pub fn thread_bridge(site: &BridgeSite) -> Option<Vec<Edit>> {
    let call_text = site.text.get(site.call.as_range())?;
    if call_text.contains(":=")
        || contains_word(call_text, "yield")
        || contains_word(call_text, "await")
    {
        return None;
    }
    let end = site.line_ending;
    let mut edits = Vec::new();
    let definition = format!("def {BRIDGE_HELPER}(run):");
    if site.helper_bound {
        if !site.text.contains(&definition) {
            return None;
        }
    } else {
        let at = site.helper_at;
        if at > site.text.len() || !site.text.is_char_boundary(at) {
            return None;
        }
        let before = &site.text[..at];
        // Two blank lines around the definition, counting those already there.
        let lead = if before.is_empty() {
            String::new()
        } else if before.ends_with('\n') || before.ends_with('\r') {
            format!("{end}{end}")
        } else {
            format!("{end}{end}{end}")
        };
        let after = &site.text[at..];
        let trail = if after.starts_with(['\n', '\r']) {
            end.to_owned()
        } else {
            format!("{end}{end}{end}")
        };
        edits.push(Edit::insert(
            at,
            format!("{lead}{}{trail}", helper_text(end)),
        ));
    }
    edits.push(Edit::insert(
        site.call.start,
        format!("{BRIDGE_HELPER}(lambda: "),
    ));
    edits.push(Edit::insert(site.call.end, ")"));
    if !site.helper_bound && site.helper_at == site.call.start {
        // The helper would land where the call starts: only when the call
        // is the module's first statement, which is not code on a loop.
        return None;
    }
    Some(edits)
}

fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let is_name = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        !is_name(before) && !is_name(after)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::apply::apply_edits;

    #[test]
    fn wraps_the_call_and_defines_the_helper_after_the_imports() {
        let text = "import asyncio\n\ndef f():\n    return asyncio.run(g())\n";
        let start = text.find("asyncio.run").unwrap();
        let call = TextRange::new(start, start + "asyncio.run(g())".len());
        let edits = thread_bridge(&BridgeSite {
            text,
            call,
            helper_at: "import asyncio\n".len(),
            line_ending: "\n",
            helper_bound: false,
        })
        .unwrap();
        let fixed = apply_edits(text, edits.iter());
        assert!(fixed.contains("return _run_in_worker_thread(lambda: asyncio.run(g()))\n"));
        assert!(fixed.starts_with("import asyncio\n\n\ndef _run_in_worker_thread(run):\n"));
    }

    #[test]
    fn refuses_what_a_lambda_would_change() {
        for call_text in ["asyncio.run(g(x := 1))", "asyncio.run((yield))"] {
            let text = format!("def f():\n    {call_text}\n");
            let call = TextRange::new(13, 13 + call_text.len());
            let site = BridgeSite {
                text: &text,
                call,
                helper_at: 0,
                line_ending: "\n",
                helper_bound: false,
            };
            assert!(thread_bridge(&site).is_none(), "{call_text}");
        }
    }
}
