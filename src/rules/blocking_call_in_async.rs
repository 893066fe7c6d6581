//! UNN007: an async function calls a sync function that runs a nested loop.

use super::Rule;
use crate::analysis::graph::fixes::Planner;
use crate::analysis::graph::{FnRef, Graph};
use crate::diagnostic::Diagnostic;

pub const DOC: &str = r#"# UNN007 blocking-call-in-async: an async function calls a sync function that runs a loop

## What it finds
A call from the body of an `async def` to a sync function that runs
`asyncio.run()`, `run_until_complete()` or `Runner.run()`, directly or through a
chain of other sync functions, in any module of the run. Calls are resolved by
binding (imports, aliases, re-exports, `self.method()`), never by bare name.
Guarded bridges and calls handed to threads break the chain. A call the
author already awaits (`await load(r)`, where `load` is sync) counts too: it
raises just the same.

## Why it is wrong
The helper runs on the caller's loop, so its nested run raises RuntimeError.
The message names the whole chain with locations.

## Example
```python
# app/users.py
def get_user(uid):
    return asyncio.run(fetch_user(uid))

# app/api.py
async def handler(uid):
    return get_user(uid)
```

## Fix
- A thin wrapper (optional docstring, then `return asyncio.run(co(params))`) is
  inlined at the async call site: `return await fetch_user(uid)`, importing
  `fetch_user` where needed. The wrapper stays for sync callers. Safe.
- Otherwise, when every call site of the helper in the run is in async code
  (directly, or in other helpers that follow) and the helper is never used as a
  value: the helper becomes `async def`, its nested runs become `await`, and
  every call site is awaited, across files. Safe for nested and `_private`
  functions; unsafe for public names, whose callers outside the run cannot be
  seen. No call site is ever left un-awaited; a call the author awaited keeps
  its one `await`.
- A helper that `yield`s becomes an async generator: each call site is iterated
  with `async for` (a `for` statement or a list, set or dict comprehension),
  never awaited. Any other use of its result (`list(gen())`, a variable, a
  generator expression), `yield from` or `return value`: no fix.
- Otherwise (a result needed in sync code, `__init__`, a property, a decorated
  function): reported with the chain, no fix.
"#;

pub fn diagnostic(
    graph: &Graph,
    planner: &Planner,
    file: usize,
    index: usize,
    caller: Option<FnRef>,
    target: FnRef,
    in_generator: bool,
) -> Diagnostic {
    let call = graph.call(file, index);
    let caller = match caller {
        Some(caller) => format!("`async def {}()`", graph.function(caller).name),
        None => "A notebook cell".to_owned(),
    };
    let mut message = format!(
        "{caller} calls {}: that raises RuntimeError, because a loop already runs there",
        graph.chain(target)
    );
    let fix = if in_generator {
        message.push_str(" (no automatic fix: the call sits in a generator expression)");
        None
    } else {
        let fix = planner.fix_for_call(file, index, target);
        if fix.is_none() {
            message.push_str(
                " (no automatic fix: the helper has sync callers, is used as a value, or cannot become async; make it async or call the coroutine with `await`)",
            );
        }
        fix
    };
    Diagnostic {
        rule: Rule::BlockingCallInAsync,
        message,
        range: call.range,
        fix,
    }
}
