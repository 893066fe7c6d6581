//! UNN013: `run_until_complete()` on the loop that `get_running_loop()`
//! returned: it raises wherever it is.

use super::{Rule, await_finding_saying, describe_function};
use crate::analysis::running_loop::running_loop;
use crate::analysis::runs::{Checker, NestedRun, RunKind};
use crate::analysis::scope::Context;
use crate::diagnostic::Diagnostic;
use crate::edit::Applicability;

pub const DOC: &str = r#"# UNN013 run-until-complete-on-running-loop: `run_until_complete()` on the loop `get_running_loop()` returned

## What it finds
`asyncio.get_running_loop().run_until_complete(X)`, and `loop.run_until_complete(X)`
where the same function binds `loop` only to `asyncio.get_running_loop()` (through
any alias of asyncio or of `get_running_loop`), in any function, async or not.

## Why it is wrong
`get_running_loop()` returns only a loop that is running (with none, it raises
`RuntimeError: no running event loop`), and a running loop cannot be run again:
`RuntimeError: This event loop is already running`. So the call raises every time,
wherever it is; the coroutine object built for it is never awaited.

## Example
```python
async def refresh():
    loop = asyncio.get_running_loop()
    data = loop.run_until_complete(download())

def sync_refresh():
    return asyncio.get_running_loop().run_until_complete(download())
```

## Fix
In an `async def` (or a notebook cell), safe:
```python
async def refresh():
    loop = asyncio.get_running_loop()
    data = await download()
```
The fix is unsafe, as for UNN002, when the function also calls `loop.close()` or
`loop.stop()`, or when the call sits in a `try` whose `except` names
`RuntimeError` (that fallback is what runs today).

In a sync `def` there is no automatic fix: `await` is impossible there. Make the
function `async def` and await it, or let its caller await the coroutine.

This rule claims such a call before UNN002 (`run-until-complete-in-async`) and
UNN004 (`await-impossible`), so it is reported once, by the rule that proves it
always raises.
"#;

pub(super) fn check(run: &NestedRun, checker: &Checker) -> Option<Diagnostic> {
    let RunKind::RunUntilComplete { receiver } = run.kind else {
        return None;
    };
    let source = checker.source;
    let on_loop = matches!(run.context, Context::Async { .. });
    // Only `get_running_loop()` proves it here: `get_event_loop()` may return
    // a loop that is not running yet, which `run_until_complete` runs.
    let proof = running_loop(receiver, checker, on_loop)
        .filter(|p| *p == crate::analysis::running_loop::Proof::GetRunningLoop)?;
    let callee = run.callee(source);
    let why = format!(
        "`{callee}()` always raises RuntimeError (\"This event loop is already running\"): `{}()` returns only a loop that is running",
        proof.getter()
    );
    match run.context {
        Context::Async { function } => {
            let (applicability, note) = match super::run_until_complete_in_async::stops_loop(
                function, receiver, source,
            ) {
                Some(stop) => (
                    Applicability::Unsafe,
                    format!(
                        "; unsafe because `{stop}()` stays, and on the running loop it raises RuntimeError"
                    ),
                ),
                None => (Applicability::Safe, String::new()),
            };
            await_finding_saying(
                run,
                checker,
                Rule::RunUntilCompleteOnRunningLoop,
                format!(
                    "{why}, the one running {}; await the coroutine instead",
                    describe_function(function, source)
                ),
                applicability,
                &note,
            )
        }
        Context::Generator { .. } | Context::NoAwait { .. } | Context::Sync => Some(Diagnostic {
            rule: Rule::RunUntilCompleteOnRunningLoop,
            message: format!(
                "{why}, and a running loop cannot be run again (with none running, `{}()` itself raises); no automatic fix: `await` is impossible here, so make this function `async def` and await the coroutine",
                proof.getter()
            ),
            range: run.range(),
            fix: None,
        }),
    }
}
