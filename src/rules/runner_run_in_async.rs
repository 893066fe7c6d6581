//! UNN003: `asyncio.Runner().run()` inside an async function.

use super::{Rule, describe_function};
use crate::analysis::runs::{Checker, NestedRun, RunKind};
use crate::analysis::scope::Context;
use crate::diagnostic::Diagnostic;

pub const DOC: &str = r#"# UNN003 runner-run-in-async: `Runner.run()` inside an async function

## What it finds
`asyncio.Runner().run(X)`, or `runner.run(X)` where `runner` comes from
`with asyncio.Runner() as runner:` or `runner = asyncio.Runner()`, directly in the
body of an `async def`.

## Why it is wrong
`Runner.run()` cannot be called from a running event loop and raises
RuntimeError; inside `with asyncio.Runner()`, the Runner's `close()` raises again
and hides the first error.

## Example
```python
async def main():
    with asyncio.Runner() as runner:
        runner.run(work())
```

## Fix (manual)
Await the coroutine (`await work()`) and remove the Runner. No automatic fix:
the Runner's context, debug flag and loop factory have no equivalent inside a
running loop, and the `with` block around the call has to go too.
"#;

pub(super) fn check(run: &NestedRun, checker: &Checker) -> Option<Diagnostic> {
    let (RunKind::RunnerRun, Context::Async { function }) = (run.kind, run.context) else {
        return None;
    };
    Some(Diagnostic {
        rule: Rule::RunnerRunInAsync,
        message: format!(
            "`{}()` inside {} raises RuntimeError, because a loop already runs there; await the coroutine and drop the Runner (no automatic fix)",
            run.callee(checker.source),
            describe_function(function, checker.source)
        ),
        range: run.range(),
        fix: None,
    })
}
