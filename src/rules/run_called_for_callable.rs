//! UNN006: `asyncio.run(X)` called where a callable was meant.

use super::Rule;
use crate::analysis::runs::{Checker, NestedRun, RunKind};
use crate::analysis::scope::Context;
use crate::analysis::threads::{called_back_on_loop, handed_to_thread};
use crate::diagnostic::Diagnostic;
use crate::edit::rewrite;
use crate::edit::{Applicability, Edit, Fix, TextRange};
use crate::syntax::parents::Up;

pub const DOC: &str = r#"# UNN006 run-called-for-callable: `asyncio.run(X)` called where a callable was meant

## What it finds
In code that runs on the loop (an `async def`, or sync code inside one),
`asyncio.run(X)` written as the callable argument of a call that runs its
callable on another thread: `loop.run_in_executor(None, asyncio.run(X))`,
`asyncio.to_thread(asyncio.run(X))`, `ex.submit(asyncio.run(X))`,
`Thread(target=asyncio.run(X))`; or that the loop calls back later:
`loop.call_soon(asyncio.run(X))`, `fut.add_done_callback(asyncio.run(X))`,
or that calls it on this thread: the builtins `map(asyncio.run(X), xs)` and
`filter(...)`.
The call decides, whatever its receiver is named: `ex.submit`, `pool.submit`
and `jobs.submit` alike (`map` only as a method, `executor.map`; the builtin
`map` calls on this thread).

## Why it is wrong
The call runs at once, on the current thread (inside a running loop it raises
RuntimeError), and the thread receives its result instead of a callable.

## Example
```python
async def main():
    await asyncio.to_thread(asyncio.run(crawl()))
```

## Fix (unsafe)
Pass `asyncio.run` and its argument separately, so the coroutine runs in the
worker thread, in a loop of its own:
```python
async def main():
    await asyncio.to_thread(asyncio.run, crawl())
```
`Thread(target=asyncio.run(X))` becomes `Thread(target=asyncio.run, args=(X,))`.
No fix for a loop callback or a builtin: they call on the loop's thread, where
`asyncio.run` raises too; await the coroutine, or schedule it with
`asyncio.create_task(X)`, by hand.
Unsafe because the work moves to another thread and no longer runs before the
call. No fix when more arguments follow, or `args=` is already given.
"#;

pub(super) fn check(run: &NestedRun, checker: &Checker) -> Option<Diagnostic> {
    // Where no loop runs, the eager call works, if not as meant: left alone,
    // like other sync code.
    if run.kind != RunKind::AsyncioRun || matches!(run.context, Context::Sync) {
        return None;
    }
    let source = checker.source;
    let callee = run.callee(source);
    let Some((hand_off_call, hand_off)) = handed_to_thread(run.call, source) else {
        let callback = called_back_on_loop(run.call, source)?;
        return Some(Diagnostic {
            rule: Rule::RunCalledForCallable,
            message: format!(
                "`{callee}(...)` runs now, on this thread, and `{callback}()` receives its result instead of a callable (no automatic fix: `{callback}()` calls it on the loop's thread, where `{callee}` raises too; await the coroutine, or schedule it with `asyncio.create_task`)"
            ),
            range: run.range(),
            fix: None,
        });
    };
    let mut message = format!(
        "`{callee}(...)` runs now, on this thread, and `{}()` receives its result instead of a callable",
        hand_off.name
    );
    let fix = fix(run, hand_off_call, hand_off.name, source);
    if fix.is_none() {
        message.push_str(&format!(
            " (no automatic fix: pass `{callee}` and its argument to `{}()` by hand)",
            hand_off.name
        ));
    }
    Some(Diagnostic {
        rule: Rule::RunCalledForCallable,
        message,
        range: run.range(),
        fix,
    })
}

fn fix(
    run: &NestedRun,
    hand_off_call: tree_sitter::Node,
    hand_off_name: &str,
    source: &str,
) -> Option<Fix> {
    let awaitable = rewrite::awaitable(run.arguments()?, source, "main", &[]).ok()?;
    if awaitable.item.id() != awaitable.value.id() {
        return None;
    }
    let list = hand_off_call.child_by_field("arguments")?;
    // Nothing may follow: extra arguments were meant for the callable.
    let mut cursor = list.walk();
    let last = list
        .named_children(&mut cursor)
        .filter(|c| c.kind_str() != "comment")
        .last()?;
    let slot_node = match run.call.up()?.kind_str() {
        "keyword_argument" => run.call.up()?,
        _ => run.call,
    };
    if last.id() != slot_node.id() {
        return None;
    }
    let function = run.call.child_by_field("function")?;
    let before = TextRange::new(function.end_byte(), awaitable.value.start_byte());
    let after = TextRange::new(awaitable.value.end_byte(), run.call.end_byte());
    if source[before.as_range()].trim() != "(" || source[after.as_range()].trim() != ")" {
        return None;
    }
    let callee = run.callee(source);
    let thread_like = matches!(hand_off_name, "Thread" | "Timer");
    let (open, close) = if thread_like {
        let has_args = {
            let mut cursor = list.walk();
            list.named_children(&mut cursor).any(|c| {
                c.kind_str() == "keyword_argument"
                    && c.child_by_field("name")
                        .is_some_and(|n| &source[n.byte_range()] == "args")
            })
        };
        if has_args {
            return None;
        }
        (", args=(", ",)")
    } else if hand_off_name == "start_new_thread" {
        return None;
    } else {
        (", ", "")
    };
    Some(Fix::new(
        vec![Edit::replace(before, open), Edit::replace(after, close)],
        Applicability::Unsafe,
        format!(
            "Pass `{callee}` and the coroutine separately, so the coroutine runs in the worker thread: it no longer runs before `{hand_off_name}()` is called"
        ),
    ))
}
