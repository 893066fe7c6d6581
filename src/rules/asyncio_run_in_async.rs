//! UNN001: `asyncio.run()` inside an async function.

use super::{Rule, await_finding};
use crate::analysis::runs::{Checker, NestedRun, RunKind};
use crate::analysis::scope::Context;
use crate::diagnostic::Diagnostic;
use crate::edit::Applicability;

pub const DOC: &str = r#"# UNN001 asyncio-run-in-async: `asyncio.run()` inside an async function

## What it finds
A call of `asyncio.run(X)` (through any alias: `import asyncio as aio`,
`from asyncio import run as arun`) directly in the body of an `async def`.

Not under trio: an `async def` that only trio drives has no asyncio loop, so
`asyncio.run()` in it works and `await` would break it. unnest decides per
module, by name: a function reached (through the module's own calls) from a
function passed to `trio.run(f)` or `anyio.run(f, backend="trio")` (with
`trio`/`anyio` imported), and from none that goes to asyncio (`asyncio.run`,
`run_until_complete`, `create_task`, a notebook cell's `await`, ...), is left
alone, with the sync helpers it calls. A function another module runs with
asyncio is not seen.

## Why it is wrong
An `async def` body only runs while an event loop runs on its thread, and
`asyncio.run()` refuses to start a second one:
`RuntimeError: asyncio.run() cannot be called from a running event loop`.
The coroutine object built for the call is never awaited.

## Example
```python
async def handler():
    user = asyncio.run(fetch_user(1))
```

## Fix (safe)
```python
async def handler():
    user = await fetch_user(1)
```
`await` runs the coroutine in the caller's task and loop: context-variable changes
are visible to the caller, and tasks it starts are not cancelled when it returns.
Parentheses are added only where precedence needs them (`(await f()).x`,
`await (a or b)`), comments inside the call are kept, and `debug=False` or
`debug=None` is dropped. `debug=True`, `loop_factory=` and `*args`/`**kwargs`
have no equivalent inside a running loop: reported without a fix.

The fix is unsafe in the body of a `try` whose `except` names `RuntimeError`
(`try: asyncio.run(X)` / `except RuntimeError: fallback`): that is a
deliberate probe, the fallback is what runs today, and `await` would skip it.
"#;

pub(super) fn check(run: &NestedRun, checker: &Checker) -> Option<Diagnostic> {
    let (RunKind::AsyncioRun, Context::Async { function }) = (run.kind, run.context) else {
        return None;
    };
    await_finding(
        run,
        checker,
        Rule::AsyncioRunInAsync,
        function,
        Applicability::Safe,
        "",
    )
}
