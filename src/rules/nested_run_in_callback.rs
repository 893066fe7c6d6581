//! UNN009: a nested run directly in a callback the loop runs.

use super::Rule;
use crate::analysis::graph::fixes::{Planner, TASK_SET};
use crate::analysis::graph::summary::RunSite;
use crate::analysis::graph::{FnRef, Graph};
use crate::diagnostic::Diagnostic;

pub const DOC: &str = r#"# UNN009 nested-run-in-callback: a nested run in a callback the loop runs

## What it finds
`asyncio.run()`, `run_until_complete()` or `Runner.run()` directly in a sync
function or lambda handed to the event loop (`call_soon`, `call_later`,
`add_done_callback`, ...).

## Why it is wrong
The callback runs on the loop's thread, where the call raises RuntimeError; the
loop only logs `Exception in callback ...`, so nothing else shows the failure.

## Example
```python
def on_done(fut):
    asyncio.run(notify(fut.result()))

task.add_done_callback(on_done)
```

## Fix (unsafe)
Where the call is a statement of its own, the coroutine is scheduled on the
running loop, with a strong reference kept so that it is not garbage-collected
mid-flight (the pattern from the Python docs):
```python
_background_tasks = set()

def on_done(fut):
    task = asyncio.create_task(notify(fut.result()))
    _background_tasks.add(task)
    task.add_done_callback(_background_tasks.discard)
```
Unsafe: the callback no longer waits for the coroutine, and an exception in it
is only logged. Elsewhere (a result is used, `run_until_complete`, a lambda):
reported without a fix.
"#;

pub fn diagnostic(
    graph: &Graph,
    planner: &Planner,
    file: usize,
    function: Option<FnRef>,
    run: &RunSite,
) -> Diagnostic {
    let summary = function.map(|f| graph.function(f));
    let who = match summary {
        Some(summary) => format!("the loop callback `{}()`", summary.name),
        None => "a lambda the loop runs as a callback".to_owned(),
    };
    let mut message = format!(
        "`{}()` in {who} raises RuntimeError on the loop's thread, and the loop only logs it",
        run.callee_text
    );
    let fix = match summary {
        Some(summary) => planner.create_task(file, Some(summary), run),
        None => None,
    };
    if fix.is_none() {
        message.push_str(&format!(
            " (no automatic fix: schedule the coroutine with `asyncio.create_task` and keep a reference, as in `{TASK_SET}`)"
        ));
    }
    Diagnostic {
        rule: Rule::NestedRunInCallback,
        message,
        range: run.range,
        fix,
    }
}
