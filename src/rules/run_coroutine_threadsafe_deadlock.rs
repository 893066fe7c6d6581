//! UNN014: `asyncio.run_coroutine_threadsafe(coro, loop).result()` where
//! `loop` is the loop running on the calling thread: the thread waits for
//! work that only it could run.

use crate::syntax::parents::Up;
use tree_sitter::{Node, Tree};

use super::{AWAIT_DIFFERENCES, Rule, describe_function};
use crate::analysis::bindings::Meaning;
use crate::analysis::running_loop::{asyncio_function, running_loop};
use crate::analysis::runs::Checker;
use crate::analysis::scope::{Context, context_with, scopes_of};
use crate::diagnostic::Diagnostic;
use crate::edit::rewrite::{await_value_of, call_start, is_awaited};
use crate::edit::{Applicability, Fix, TextRange};

pub const DOC: &str = r#"# UNN014 run-coroutine-threadsafe-deadlock: `run_coroutine_threadsafe(coro, loop).result()` on the loop's own thread

## What it finds
`asyncio.run_coroutine_threadsafe(coro, loop).result()` (with or without a
timeout) where `loop` is the loop running on the calling thread: a call of
`asyncio.get_running_loop()`, or a name the same function binds only to it, in any
function; or `asyncio.get_event_loop()` (called there, or bound to a name in the
same function) in code that runs on the loop, an `async def` or a notebook cell.

A loop from anywhere else (a parameter, an attribute, a loop started in another
thread) is the legitimate use of this API and is left alone.

## Why it is wrong
`run_coroutine_threadsafe` schedules the coroutine on `loop` and returns a
`concurrent.futures.Future`; `.result()` blocks the calling thread until the
coroutine is done. When that thread is the one running `loop`, the loop cannot
run the coroutine while the thread waits: the program hangs for ever. With a
timeout, it hangs for the whole timeout and then raises `TimeoutError`, every
time.

## Example
```python
async def handler():
    loop = asyncio.get_running_loop()
    user = asyncio.run_coroutine_threadsafe(fetch_user(1), loop).result()
```

## Fix
In an `async def` (or a notebook cell), without a timeout (safe):
```python
async def handler():
    loop = asyncio.get_running_loop()
    user = await fetch_user(1)
```
With a timeout, `.result(5)` becomes `await asyncio.wait_for(fetch_user(1), 5)`
(unsafe): on timeout `wait_for` cancels the coroutine, and before Python 3.11
it raises `asyncio.TimeoutError`, which is not the
`concurrent.futures.TimeoutError` an `except` around `.result()` catches (from
3.11 on both are the builtin `TimeoutError`). This needs asyncio imported as a
module; with only `from asyncio import run_coroutine_threadsafe`, no fix.

In a sync `def` there is no automatic fix: make it `async def` and await the
coroutine, or make the call from another thread than the loop's.
"#;

/// Every such wait in the file, with its fix where one is possible.
pub(super) fn find(tree: &Tree, checker: &Checker) -> Vec<Diagnostic> {
    if !checker.source.contains("run_coroutine_threadsafe") {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
        if node.kind_str() == "call"
            && let Some(diagnostic) = check(node, checker)
        {
            found.push(diagnostic);
        }
    }
    found
}

/// The two arguments of `run_coroutine_threadsafe(coro, loop)`, by position
/// or keyword.
fn coro_and_loop<'t>(submit: Node<'t>, source: &str) -> Option<(Node<'t>, Node<'t>)> {
    let arguments = submit.child_by_field("arguments")?;
    let (mut coro, mut the_loop) = (None, None);
    let mut positional = 0;
    let mut cursor = arguments.walk();
    for child in arguments.named_children(&mut cursor) {
        match child.kind_str() {
            "comment" => {}
            "keyword_argument" => {
                let name = child.child_by_field("name")?;
                let value = child.child_by_field("value")?;
                match &source[name.byte_range()] {
                    "coro" => coro = Some(value),
                    "loop" => the_loop = Some(value),
                    _ => return None,
                }
            }
            "list_splat" | "dictionary_splat" => return None,
            _ => {
                match positional {
                    0 => coro = Some(child),
                    1 => the_loop = Some(child),
                    _ => return None,
                }
                positional += 1;
            }
        }
    }
    Some((coro?, the_loop?))
}

/// The timeout given to `.result(...)`: `Ok(None)` for none (or `None`),
/// `Err(())` for arguments that are not one timeout.
fn timeout_of<'t>(result_call: Node<'t>, source: &str) -> Result<Option<Node<'t>>, ()> {
    let arguments = result_call.child_by_field("arguments").ok_or(())?;
    let mut timeout = None;
    let mut cursor = arguments.walk();
    for child in arguments.named_children(&mut cursor) {
        let value = match child.kind_str() {
            "comment" => continue,
            "keyword_argument" => {
                let name = child.child_by_field("name").ok_or(())?;
                if &source[name.byte_range()] != "timeout" {
                    return Err(());
                }
                child.child_by_field("value").ok_or(())?
            }
            "list_splat" | "dictionary_splat" => return Err(()),
            _ => child,
        };
        if timeout.replace(value).is_some() {
            return Err(());
        }
    }
    Ok(timeout.filter(|t| &source[t.byte_range()] != "None"))
}

fn check(call: Node, checker: &Checker) -> Option<Diagnostic> {
    let source = checker.source;
    let function = call.child_by_field("function")?;
    if function.kind_str() != "attribute" {
        return None;
    }
    let method = function.child_by_field("attribute")?;
    if &source[method.byte_range()] != "result" {
        return None;
    }
    let submit = function.child_by_field("object")?;
    if asyncio_function(submit, checker)? != "run_coroutine_threadsafe" {
        return None;
    }
    let (coro, the_loop) = coro_and_loop(submit, source)?;
    let timeout = timeout_of(call, source).ok()?;
    let context = context_with(&scopes_of(call), checker.top_level_await);
    let on_loop = matches!(context, Context::Async { .. });
    let proof = running_loop(the_loop, checker, on_loop)?;
    let loop_text = &source[the_loop.byte_range()];
    let submit_callee = submit
        .child_by_field("function")
        .map_or("run_coroutine_threadsafe", |f| &source[f.byte_range()]);
    let origin = if the_loop.kind_str() == "identifier" {
        format!("`{loop_text}` comes from `{}()`, so it is", proof.getter())
    } else {
        format!("`{loop_text}` returns")
    };
    let what = match timeout {
        None => "deadlocks".to_owned(),
        Some(t) => format!(
            "blocks for the whole timeout ({}) and then raises TimeoutError",
            &source[t.byte_range()]
        ),
    };
    let place = match context {
        Context::Async { function } => format!(" in {}", describe_function(function, source)),
        _ => String::new(),
    };
    let why = format!(
        "`{submit_callee}(..., {loop_text}).result()`{place} {what}: {origin} the loop running on this thread, and `.result()` blocks that thread, so the loop cannot run the coroutine it waits for"
    );
    let range = TextRange::new(call_start(call), call.end_byte());
    let Context::Async { function } = context else {
        return Some(Diagnostic {
            rule: Rule::RunCoroutineThreadsafeDeadlock,
            message: format!(
                "{why}; no automatic fix here: make this function `async def` and await the coroutine, or make the call from another thread"
            ),
            range,
            fix: None,
        });
    };
    let _ = function;
    let mut message = format!("{why}; await the coroutine instead");
    let fix = if is_awaited(call) {
        message.push_str(" (no automatic fix: the result is awaited itself)");
        None
    } else {
        let planned = match timeout {
            None => await_value_of(call, coro, source, None).map(|edits| {
                Fix::new(
                    edits,
                    Applicability::Safe,
                    format!(
                        "Replace `{submit_callee}(...).result()` with `await ...`: {AWAIT_DIFFERENCES}"
                    ),
                )
            }),
            Some(timeout) => asyncio_module_name(submit, checker)
                .ok_or_else(|| {
                    "asyncio is not imported as a module here, for `asyncio.wait_for`".to_owned()
                })
                .and_then(|asyncio| {
                    let open = format!("{asyncio}.wait_for(");
                    let close = format!(", {})", &source[timeout.byte_range()]);
                    await_value_of(call, coro, source, Some((&open, &close)))
                })
                .map(|edits| {
                    Fix::new(
                        edits,
                        Applicability::Unsafe,
                        "Replace `.result(timeout)` with `await asyncio.wait_for(..., timeout)`: unsafe because on timeout `wait_for` cancels the coroutine, and before Python 3.11 it raises `asyncio.TimeoutError`, which an `except concurrent.futures.TimeoutError` does not catch".to_owned(),
                    )
                }),
        };
        match planned {
            Ok(fix) => Some(fix),
            Err(reason) => {
                message.push_str(&format!(" (no automatic fix: {reason})"));
                None
            }
        }
    };
    Some(Diagnostic {
        rule: Rule::RunCoroutineThreadsafeDeadlock,
        message,
        range,
        fix,
    })
}

/// A name asyncio is bound to where the call is: `aio` in
/// `aio.run_coroutine_threadsafe(...)`, else `asyncio` when it means asyncio
/// there.
fn asyncio_module_name<'s>(submit: Node, checker: &Checker<'s>) -> Option<&'s str> {
    let source = checker.source;
    let function = submit.child_by_field("function")?;
    if function.kind_str() == "attribute" {
        return function
            .child_by_field("object")
            .map(|object| &source[object.byte_range()]);
    }
    (checker.bindings.resolve("asyncio", &scopes_of(submit)) == Meaning::AsyncioModule)
        .then_some("asyncio")
}
