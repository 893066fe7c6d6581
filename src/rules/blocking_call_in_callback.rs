//! UNN008: a loop callback calls a sync function that runs a nested loop.

use super::Rule;
use crate::analysis::graph::{FnRef, Graph};
use crate::diagnostic::Diagnostic;

pub const DOC: &str = r#"# UNN008 blocking-call-in-callback: a loop callback calls a sync function that runs a loop

## What it finds
A call, in a sync function or lambda handed to the event loop (`call_soon`,
`call_soon_threadsafe`, `call_later`, `call_at`, `add_reader`, `add_writer`,
`add_signal_handler`, `add_done_callback`, also through `functools.partial`), to
a sync function that runs a nested loop, directly or through a chain.

## Why it is wrong
The loop runs the callback on its own thread, where the nested run raises
RuntimeError. The loop only logs `Exception in callback ...` and goes on, so the
failure is silent.

## Example
```python
def on_message(msg):
    store(msg)          # store() calls asyncio.run(save(msg))

loop.call_soon(on_message, msg)
```

## Fix (manual)
A callback cannot await. Schedule the coroutine instead
(`asyncio.create_task(save(msg))`, keeping a reference), or run the helper in a
thread (`loop.run_in_executor(None, store, msg)`).
"#;

pub fn diagnostic(
    graph: &Graph,
    file: usize,
    index: usize,
    caller: Option<FnRef>,
    target: FnRef,
) -> Diagnostic {
    let call = graph.call(file, index);
    let who = match caller {
        Some(caller) => format!("the loop callback `{}()`", graph.function(caller).name),
        None => "a lambda the loop runs as a callback".to_owned(),
    };
    Diagnostic {
        rule: Rule::BlockingCallInCallback,
        message: format!(
            "{who} calls {}: that raises RuntimeError on the loop's thread, and the loop only logs it; schedule the coroutine with `create_task` or run the helper in a thread (no automatic fix)",
            graph.chain(target)
        ),
        range: call.range,
        fix: None,
    }
}
