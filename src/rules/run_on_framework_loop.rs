//! UNN016: a run reached from a sync function that a framework calls on its
//! running loop (a built-in or declared loop entry point, see
//! `crate::analysis::graph::frameworks`).
//!
//! A rule of its own rather than UNN007: no `async def` of the project is in
//! the chain, and the message must say why the entry runs on the loop (the
//! framework's code, or the configuration line) and whether the framework
//! accepts a coroutine function in its place.

use super::Rule;
use crate::analysis::graph::fixes::Planner;
use crate::analysis::graph::{FnRef, Graph, Reason};
use crate::diagnostic::Diagnostic;
use crate::edit::Fix;

pub const DOC: &str = r#"# UNN016 run-on-framework-loop: a framework calls a sync function on its loop, and it runs a loop

## What it finds
A sync function that a framework calls on its own running event loop, which
runs `asyncio.run()`, `run_until_complete()` or `Runner.run()` directly or
through a chain of sync helpers, in any module. The entry points are:
- ComfyUI custom nodes: the method a node class names in `FUNCTION = "..."`
  (a class with an `INPUT_TYPES` method, or listed in `NODE_CLASS_MAPPINGS`).
  Current ComfyUI runs nodes under `asyncio.run()` and calls a sync node
  method directly (execution.py, `_async_map_node_over_list`); so it does a
  node class's `VALIDATE_INPUTS` and `check_lazy_status`.
- Starlette and FastAPI: sync handlers passed as `on_startup=[...]` /
  `on_shutdown=[...]`, to `add_event_handler("startup" | "shutdown", f)`, or
  decorated with `@app.on_event("startup" | "shutdown")`; and a sync
  generator function passed as `lifespan=` (its code runs in `__aenter__` and
  `__aexit__`). Sync route handlers and sync dependencies are NOT entry points:
  Starlette and FastAPI run them in a worker thread, where a run is fine.
- The `loop-entry-points` of the configuration.

## Why it is wrong
The framework's loop already runs in that thread, so the nested run raises
RuntimeError. The message names the entry, why it runs on the loop (with the
framework's code or the configuration file that shows it) and the chain.

## Example
```python
class Upscale:
    @classmethod
    def INPUT_TYPES(cls):
        return {"required": {"image": ("IMAGE",)}}

    FUNCTION = "run"

    def run(self, image):
        return (asyncio.run(remote_upscale(image)),)
```

## Fix (unsafe)
Where the framework awaits a coroutine function given in place of the sync
one (ComfyUI's node methods, Starlette/FastAPI startup and shutdown handlers,
a declared entry with `async-ok = true`): the entry becomes `async def`, its
nested runs become `await`, and the sync helpers on the chain become
`async def` and are awaited, as UNN007 does. Unsafe: an older version of the
framework, or a caller outside the files given, would call it without
awaiting. Otherwise (a sync generator `lifespan`, a declared entry without
`async-ok`, or an entry that is a generator, such as a ComfyUI node method
that yields: made `async def` it would be an async generator, which the
framework calls without awaiting and never runs) the caller cannot await, so the entry stays sync and the unsafe
fix is the thread bridge: the run the chain ends in starts its loop on a
worker thread, and the loop thread waits for it (it blocks meanwhile, and
objects bound to the running loop must not be used from the worker). An
async startup hook is often the better fix, by hand.
"#;

/// What the entry reaches.
#[derive(Debug, Clone, Copy)]
pub enum Reached {
    /// A call (index into the file's calls) of a loop-blocking function.
    Call(usize, FnRef),
    /// A nested run directly in the entry (index into its runs).
    Run(usize),
}

pub fn diagnostic(
    graph: &Graph,
    planner: &Planner,
    file: usize,
    entry: FnRef,
    reached: Reached,
) -> Diagnostic {
    let function = graph.function(entry);
    let why = graph.entry(entry).expect("an entry point");
    let head = format!(
        "`{}()` ({}) runs on a framework's event loop: {}",
        function.name,
        graph.place(entry.file, function.name_range.start),
        why.why,
    );
    let (mut message, range) = match reached {
        Reached::Call(index, target) => (
            format!(
                "{head}; it calls {}: that raises RuntimeError, because a loop already runs there",
                graph.chain(target)
            ),
            graph.call(file, index).range,
        ),
        Reached::Run(index) => {
            let run = &function.runs[index];
            (
                format!(
                    "{head}; its `{}()` raises RuntimeError, because a loop already runs there",
                    run.callee_text
                ),
                run.range,
            )
        }
    };
    message.push_str(&format!(" [source: {}]", why.source));
    let fix = if why.async_ok {
        let fix = planner.fix_for_entry(file, entry);
        if fix.is_none() {
            message.push_str(
                " (no automatic fix: the entry or a helper on the chain has sync callers, is used as a value, or cannot become async)",
            );
        }
        fix
    } else {
        let fix = bridge(graph, file, entry, reached);
        if fix.is_none() {
            message.push_str(
                " (no automatic fix: the framework calls it without awaiting, so it cannot become async; move the run to a thread or into an async startup hook)",
            );
        }
        fix
    };
    Diagnostic {
        rule: Rule::RunOnFrameworkLoop,
        message,
        range,
        fix,
    }
}

/// For a framework that calls the entry without awaiting: the unsafe thread
/// bridge around the run the chain ends in (the entry's own run, or the one
/// its callees reach), in whichever file that run is.
fn bridge(graph: &Graph, file: usize, entry: FnRef, reached: Reached) -> Option<Fix> {
    let (holder, index) = match reached {
        Reached::Run(index) => (entry, index),
        Reached::Call(_, target) => {
            let mut at = target;
            let mut seen = std::collections::HashSet::new();
            loop {
                if !seen.insert(at) {
                    return None;
                }
                match graph.blocking.get(&at)? {
                    Reason::Runs(index) => break (at, *index),
                    Reason::Calls(next, _) => at = *next,
                    // The run is in an installed library's code.
                    Reason::Library(..) => return None,
                }
            }
        }
    };
    let run = graph.function(holder).runs.get(index)?;
    let why = format!(
        "the framework calls `{}()` without awaiting, so it cannot become async",
        graph.function(entry).name
    );
    super::thread_bridge_fix(graph, file, holder.file, run, &why)
}
