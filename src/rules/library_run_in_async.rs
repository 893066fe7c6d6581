//! UNN012: code on the loop calls an installed library's sync function that
//! runs a loop of its own, directly or through the project's helpers.

use super::Rule;
use crate::analysis::graph::fixes::Planner;
use crate::analysis::graph::{FnRef, Graph, LoopContext};
use crate::diagnostic::Diagnostic;

pub const DOC: &str = r#"# UNN012 library-run-in-async: code on the loop calls a library function that runs a loop

## What it finds
A call from an `async def`, a notebook cell or a loop callback to a function
or method of an installed library that runs `asyncio.run()`,
`run_until_complete()` or `Runner.run()` unguarded, directly or through the
library's own helpers; or a call to a sync helper of the project that calls
one. The environment is found as type checkers find it (`--python`,
`VIRTUAL_ENV`, `.venv` or `venv` at the project root); its code is read,
never imported or run, and nothing in it is reported or changed. A method
counts when the receiver's class is known: constructed in the same scope
(`c = Client(...)`) or an annotated parameter (`c: Client`).

## Why it is wrong
The library is fine for sync callers, but on a running loop its nested run
raises RuntimeError. Most such libraries ship an async twin to await instead.
The message names the library function with its package, version and
`file:line`, and the twin when there is one.

## Example
```python
from gql import Client

async def handler(client: Client, query):
    return client.execute(query)   # runs loop.run_until_complete() inside
```

## Fix
`await twin(...)` with the same arguments: a coroutine function of the same
module or class named `name_async`, `async_name` or `aname`, or the same name
in a parallel module (`pkg.asyncio.x`, `pkg.aio.x`, `pkg.x_async`), whose
parameters accept every argument the sync one does. A function twin is
imported (`from pkg.x import name_async`); a method twin is called on the same
receiver, or, for a method of a class of a parallel module, on a receiver
built from that class (`c = Client(...)` becomes `c = AsyncClient(...)`) when
it is built in the same function, used there for that call only, and takes
the same constructor arguments (else no fix, the twin named). Through the project's sync helpers, the helpers become `async def`
as UNN007's fix makes them (every caller awaits them, or there is no fix),
and their library call awaits the twin; the message says which helper cannot
follow when one cannot (called from sync code, decorated, used as a value,
overridden). Unsafe: the library's sync and async paths may differ. No fix
without a twin, or in a loop callback.
"#;

/// A direct call of library function `function` at (`file`, `index`).
pub fn direct(
    graph: &Graph,
    planner: &Planner,
    file: usize,
    index: usize,
    context: LoopContext,
    function: usize,
) -> Diagnostic {
    let call = graph.call(file, index);
    let library = graph.library.function(function);
    let who = who(graph, context);
    let mut message = format!(
        "{who} calls {}, which calls {}: that raises RuntimeError, because a loop already runs there",
        library.describe(),
        library.runs
    );
    if let Some(twin) = &library.twin {
        message.push_str(&format!(
            "; await its async twin `{}.{}()` instead",
            twin.module, twin.qualname
        ));
    }
    let fix = match context {
        LoopContext::Callback(_) => {
            message.push_str(" (no automatic fix in a loop callback)");
            None
        }
        // A sync function the framework calls: `await` is not possible in it.
        LoopContext::Entry(_) => {
            message.push_str(
                " (no automatic fix: the function a framework calls is sync; make it async where the framework awaits coroutine functions)",
            );
            None
        }
        _ => match planner.library_twin_fix(file, index, function) {
            Ok(fix) => Some(fix),
            Err(reason) => {
                message.push_str(&format!(" (no automatic fix: {reason})"));
                None
            }
        },
    };
    Diagnostic {
        rule: Rule::LibraryRunInAsync,
        message,
        range: call.range,
        fix,
    }
}

/// A call of the project's helper `target`, whose chain ends in a library
/// function: the helpers become async and await the library's twin, when
/// they all can.
pub fn through_helper(
    graph: &Graph,
    planner: &Planner,
    file: usize,
    index: usize,
    context: LoopContext,
    target: FnRef,
) -> Diagnostic {
    let call = graph.call(file, index);
    let mut message = format!(
        "{} calls {}: that raises RuntimeError, because a loop already runs there",
        who(graph, context),
        graph.chain(target)
    );
    let fix = match context {
        LoopContext::Callback(_) => {
            message.push_str(" (no automatic fix in a loop callback)");
            None
        }
        LoopContext::Entry(_) => {
            message.push_str(
                " (no automatic fix: the function a framework calls is sync; make it and the helper async where the framework awaits coroutine functions)",
            );
            None
        }
        _ => match planner.library_helper_fix(file, target) {
            Ok(fix) => {
                message.push_str("; make the helper async and await the library's async twin");
                Some(fix)
            }
            Err(reason) => {
                message.push_str(&format!(" (no automatic fix: {reason})"));
                None
            }
        },
    };
    Diagnostic {
        rule: Rule::LibraryRunInAsync,
        message,
        range: call.range,
        fix,
    }
}

fn who(graph: &Graph, context: LoopContext) -> String {
    match context {
        LoopContext::Async(f) | LoopContext::AsyncGenerator(f) => {
            format!("`async def {}()`", graph.function(f).name)
        }
        LoopContext::Callback(Some(f)) => {
            format!("the loop callback `{}()`", graph.function(f).name)
        }
        LoopContext::Callback(None) => "a lambda the loop runs as a callback".to_owned(),
        LoopContext::Cell => "A notebook cell".to_owned(),
        LoopContext::Entry(f) => format!(
            "`{}()`, which a framework calls on its running loop,",
            graph.function(f).name
        ),
    }
}
