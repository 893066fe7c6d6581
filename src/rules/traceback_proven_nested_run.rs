//! UNN011: a nested run that a traceback proves runs on the event loop.
//! The chain comes from `crate::evidence::map`; this decides the finding's
//! place, its message and its fix.

use super::Rule;
use crate::analysis::graph::Graph;
use crate::analysis::graph::fixes::Planner;
use crate::diagnostic::Diagnostic;
use crate::edit::{Applicability, Fix};
use crate::evidence::map::{Entry, ProvenChain, outside_label};
use crate::evidence::traceback::LoopError;

pub const DOC: &str = r#"# UNN011 traceback-proven-nested-run: a traceback proves a nested run

## What it finds
A run (`asyncio.run()`, `run_until_complete()`, `Runner.run()`) that a
traceback shows raising because a loop already runs on its thread. The
traceback is given with `--traceback FILE` (`-` for stdin), or is saved in a
notebook's outputs (an `error` output, or a printed traceback), which counts
without any flag. The frames are mapped onto the files given: by the longest
matching path suffix, confirmed by each frame's quoted line (found nearby
when the file changed since; a frame that cannot be found is named and
nothing is inferred). Every project function from the run outward to the
first frame on the loop (an `async def`, a notebook cell, a loop callback,
or a framework's coroutine) is proven to run on the loop, whatever the call
graph could see: dynamic dispatch (`getattr(obj, name)()`), a method of an
instance of an unknown class, a framework calling a plugin.

## Why it is wrong
The run raises `RuntimeError` every time that chain runs.

## Example
```text
Traceback (most recent call last):
  ...
  File "/srv/venv/lib/python3.12/site-packages/flow/engine.py", line 41, in run_graph
    value = node(value)
  File "/home/ci/app/nodes.py", line 5, in double_node
    return fetch_double(x)
  File "/home/ci/app/helpers.py", line 9, in fetch_double
    return asyncio.run(_double(x))
RuntimeError: asyncio.run() cannot be called from a running event loop
```

## Fix
- Called from an `async def` or a notebook cell of the project: the
  functions of the chain become `async def`, their runs `await`, and every
  call site in the project is awaited; a thin wrapper is inlined (as UNN007;
  unsafe for public functions, and for a call that dispatches dynamically,
  since every function it can call must then be a coroutine function).
- Called by code outside the project that awaits what it gets (its source
  line awaits, or the code near the call tests `iscoroutinefunction` /
  `isawaitable`): the same, unsafe.
- Called by code outside the project that needs a plain value: reported with
  the calling frame; that caller must accept a coroutine function to fix it
  properly. The unsafe fix is a thread bridge: the run moves to a worker
  thread with a fresh loop (`_run_in_worker_thread(lambda: asyncio.run(...))`,
  a small helper the fix defines), and the loop thread waits for it. It
  costs: the loop is blocked while it waits, and objects bound to the
  running loop must not be used from the worker thread. No bridge for
  `This event loop is already running` (the run is on the running loop
  itself).
"#;

/// The finding for a proven chain, in the file it belongs to.
pub fn diagnostic(graph: &Graph, planner: &Planner, chain: &ProvenChain) -> (usize, Diagnostic) {
    let (run_fn, run_index) = chain.run;
    let function = graph.function(run_fn);
    let run = &function.runs[run_index];
    let source = match chain.seen {
        0 | 1 => "the traceback proves".to_owned(),
        n => format!("recorded {n} times, the run proves"),
    };
    let proof = format!(
        "`{}()` raises RuntimeError ({}): {source} this chain runs on the event loop: {}",
        run.callee_text,
        chain.error.message(),
        chain.frames.join(" → ")
    );
    let names: Vec<String> = chain
        .functions
        .iter()
        .map(|&f| format!("`{}()`", graph.function(f).name))
        .collect();
    let bridge = |why: &str| -> Option<Fix> {
        if chain.error == LoopError::AlreadyRunning {
            return None;
        }
        super::thread_bridge_fix(graph, run_fn.file, run_fn.file, run, why)
    };
    match &chain.entry {
        Entry::ProjectCall { file, call } => {
            let site = graph.call(*file, *call);
            let mut fix = planner.fix_for_call(*file, *call, chain.functions[0]);
            let dynamic = !site
                .callee_text
                .ends_with(&graph.function(chain.functions[0]).name);
            if dynamic && let Some(fix) = fix.as_mut() {
                fix.applicability = Applicability::Unsafe;
                fix.message.push_str(&format!(
                    "; unsafe: `{}(...)` dispatches dynamically, and every function it can call must then return a coroutine",
                    site.callee_text
                ));
            }
            let mut message = proof;
            if fix.is_none() {
                message.push_str(&format!(
                    "; make {} `async def` and await them (no automatic fix: a call site or a use of them cannot be awaited)",
                    names.join(", ")
                ));
            }
            (
                *file,
                Diagnostic {
                    rule: Rule::TracebackProvenNestedRun,
                    message,
                    range: site.range,
                    fix,
                },
            )
        }
        Entry::External {
            caller,
            accepts_coroutines,
            callback,
        } => {
            let outer = names.first().cloned().unwrap_or_default();
            let caller_text = caller.as_ref().map_or_else(
                || "code the traceback does not show".to_owned(),
                outside_label,
            );
            let mut message = proof;
            let fix = if *accepts_coroutines {
                message.push_str(&format!(
                    "; {outer} is called by `{caller_text}`, outside the project, which awaits a coroutine function's result"
                ));
                planner
                    .fix_for_external(run_fn.file, chain.functions[0])
                    .or_else(|| bridge("the chain cannot be made async"))
            } else {
                let what = if *callback {
                    "the loop calls it as a callback"
                } else {
                    "it needs a plain value"
                };
                message.push_str(&format!(
                    "; {outer} is called by `{caller_text}`, outside the project ({what}): that caller must accept a coroutine function for {} to become `async def`",
                    names.join(", ")
                ));
                // A bare run directly in a callback: schedule it instead.
                let scheduled = (*callback && chain.functions.len() == 1)
                    .then(|| planner.create_task(run_fn.file, Some(function), run))
                    .flatten();
                let fix = scheduled.or_else(|| bridge("its caller cannot await it"));
                if fix.is_none() {
                    message.push_str(if chain.error == LoopError::AlreadyRunning {
                        "; no automatic fix: the loop it runs is the one already running, so a worker thread cannot run it either"
                    } else {
                        "; no automatic fix: the run cannot be moved into a worker thread here"
                    });
                }
                fix
            };
            (
                run_fn.file,
                Diagnostic {
                    rule: Rule::TracebackProvenNestedRun,
                    message,
                    range: run.range,
                    fix,
                },
            )
        }
        Entry::Unfixable(reason) => (
            run_fn.file,
            Diagnostic {
                rule: Rule::TracebackProvenNestedRun,
                message: format!("{proof}; no automatic fix: {reason}"),
                range: run.range,
                fix: None,
            },
        ),
    }
}
