//! UNN002: `loop.run_until_complete()` inside an async function.

use crate::syntax::parents::Up;
use tree_sitter::Node;

use super::{Rule, await_finding};
use crate::analysis::runs::{Checker, NestedRun, RunKind};
use crate::analysis::scope::{Context, own_nodes};
use crate::analysis::threads::callee_name;
use crate::diagnostic::Diagnostic;
use crate::edit::Applicability;

pub const DOC: &str = r#"# UNN002 run-until-complete-in-async: `run_until_complete()` inside an async function

## What it finds
A call of `<loop>.run_until_complete(X)` directly in the body of an `async def`,
whatever the receiver: `loop`, `self.loop`, `asyncio.get_event_loop()`,
`asyncio.new_event_loop()`. A receiver proven to be the running loop
(`asyncio.get_running_loop()`, or a name the function binds only to it) is
UNN013's, which says that the call raises wherever it is.

## Why it is wrong
The loop running the `async def` cannot be run again
(`RuntimeError: This event loop is already running`), and another loop cannot
start on the same thread
(`RuntimeError: Cannot run the event loop while another loop is running`).

## Example
```python
async def refresh(loop):
    data = loop.run_until_complete(download())
```

## Fix (safe)
```python
async def refresh(loop):
    data = await download()
```
The receiver is dropped. When it is an expression that could do more than fetch
a loop (a call of your own, say), the fix is unsafe, since that call no longer
runs. Unsafe too in the body of a `try` whose `except` names `RuntimeError`:
that fallback is what runs today, and `await` would skip it. Unsafe as well when
the function also calls `close()` or `stop()` on the same receiver
(`loop.close()`) and does not bind it to `new_event_loop()` alone: after the fix
that may be the running loop, and closing it raises.
"#;

/// Receivers whose evaluation only fetches or makes a loop: dropping them loses
/// nothing.
const LOOP_GETTERS: [&str; 3] = ["get_event_loop", "new_event_loop", "get_running_loop"];

pub(super) fn check(run: &NestedRun, checker: &Checker) -> Option<Diagnostic> {
    let (RunKind::RunUntilComplete { receiver }, Context::Async { function }) =
        (run.kind, run.context)
    else {
        return None;
    };
    let (applicability, note) = if let Some(stop) = stops_loop(function, receiver, checker.source) {
        (
            Applicability::Unsafe,
            format!(
                "; unsafe because `{stop}()` stays, and on the loop that runs this function it raises RuntimeError"
            ),
        )
    } else if drops_nothing(receiver, checker.source) {
        (Applicability::Safe, String::new())
    } else {
        (
            Applicability::Unsafe,
            format!(
                "; unsafe because `{}` is no longer evaluated",
                &checker.source[receiver.byte_range()]
            ),
        )
    };
    await_finding(
        run,
        checker,
        Rule::RunUntilCompleteInAsync,
        function,
        applicability,
        &note,
    )
}

/// A `RECEIVER.close()` or `RECEIVER.stop()` in the body of `function` (not in
/// the functions it nests), as written. `loop = asyncio.get_event_loop()`
/// then `loop.run_until_complete(x)` then `loop.close()` is the usual shape:
/// after the fix the loop is the running one, which cannot be closed.
pub(super) fn stops_loop(function: Node, receiver: Node, source: &str) -> Option<String> {
    let receiver_text = &source[receiver.byte_range()];
    let body = function.child_by_field("body").unwrap_or(function);
    // A notebook's cells run as one module body.
    if only_fresh_loops(body, receiver_text, source) {
        return None;
    }
    for node in own_nodes(body) {
        if node.kind_str() == "call"
            && let Some(callee) = node.child_by_field("function")
            && callee.kind_str() == "attribute"
            && let (Some(object), Some(method)) = (
                callee.child_by_field("object"),
                callee.child_by_field("attribute"),
            )
            && &source[object.byte_range()] == receiver_text
            && matches!(&source[method.byte_range()], "close" | "stop")
        {
            return Some(source[callee.byte_range()].to_owned());
        }
    }
    None
}

/// Whether `name` is bound in `body` (not in the functions it nests), and
/// only ever to `new_event_loop()`: such a loop never runs this function, and
/// closing it stays harmless.
fn only_fresh_loops(body: Node, name: &str, source: &str) -> bool {
    let mut bound = false;
    for node in own_nodes(body) {
        if node.kind_str() == "assignment"
            && let Some(left) = node.child_by_field("left")
            && &source[left.byte_range()] == name
        {
            let fresh = node.child_by_field("right").is_some_and(|right| {
                right.kind_str() == "call" && callee_name(right, source) == Some("new_event_loop")
            });
            if !fresh {
                return false;
            }
            bound = true;
        }
    }
    bound
}

/// Whether evaluating `receiver` has no effect worth keeping: a name, an
/// attribute chain, a subscript by a name or literal, or a call of asyncio's
/// loop getters.
fn drops_nothing(receiver: Node, source: &str) -> bool {
    match receiver.kind_str() {
        "identifier" | "integer" | "string" => true,
        // `*loop.run_until_complete(x)` in a display parses as `(*loop).run_...`
        "list_splat" => receiver
            .named_child(0)
            .is_some_and(|inner| drops_nothing(inner, source)),
        // `loops[0]`, `self.loops[name]`
        "subscript" => {
            let value = receiver.child_by_field("value");
            let index = receiver.child_by_field("subscript");
            value.is_some_and(|v| drops_nothing(v, source))
                && index.is_some_and(|i| i.kind_str() != "call" && drops_nothing(i, source))
        }
        "attribute" => receiver
            .child_by_field("object")
            .is_some_and(|object| drops_nothing(object, source)),
        "call" => {
            callee_name(receiver, source).is_some_and(|name| LOOP_GETTERS.contains(&name))
                && receiver
                    .child_by_field("arguments")
                    .is_some_and(|a| a.named_child_count() == 0)
        }
        _ => false,
    }
}
