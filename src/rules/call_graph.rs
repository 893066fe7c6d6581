//! The project-wide rules' walk over the call graph: every call site on the
//! loop that reaches a loop-blocking function (UNN007 from an `async def` or a
//! notebook cell, UNN008 from a loop callback), and every nested run directly
//! in a callback the loop runs (UNN009), and runs reached from a function a
//! framework calls on its loop (UNN016). The graph says what blocks and what
//! runs on the loop; this decides what is reported, and which nested runs the
//! per-file rules must leave to it.

use std::collections::HashSet;

use crate::analysis::graph::summary::Place;
use crate::analysis::graph::{FnRef, Graph, LoopContext, Reason};
use crate::diagnostic::Diagnostic;
use crate::evidence::map::{Entry, ProvenChain};

/// What the graph found: diagnostics per file, and per file the nested runs the
/// graph reports itself (so the per-file rules skip them).
pub struct Findings {
    pub diagnostics: Vec<Vec<Diagnostic>>,
    pub covered_runs: Vec<HashSet<usize>>,
}

/// Everything the graph reports, with fixes.
pub fn findings(graph: &Graph, unsafe_names: &crate::analysis::graph::fixes::NameUses) -> Findings {
    findings_with(graph, unsafe_names, &[])
}

/// [`findings`], with the chains tracebacks prove (UNN011): a call site or a
/// run a chain claims is reported by UNN011 only.
pub fn findings_with(
    graph: &Graph,
    unsafe_names: &crate::analysis::graph::fixes::NameUses,
    chains: &[ProvenChain],
) -> Findings {
    let count = graph.files.len();
    let mut diagnostics = vec![Vec::new(); count];
    let mut covered_runs = vec![HashSet::new(); count];
    // Functions called from outside the project by code that awaits them.
    let external: HashSet<FnRef> = chains
        .iter()
        .filter(|c| {
            matches!(
                c.entry,
                Entry::External {
                    accepts_coroutines: true,
                    ..
                }
            )
        })
        .map(|c| c.functions[0])
        .collect();
    let planner =
        crate::analysis::graph::fixes::Planner::with_external(graph, unsafe_names, external);
    let mut claimed: HashSet<(usize, usize)> = HashSet::new();
    let mut walked: HashSet<FnRef> = HashSet::new();
    for chain in chains {
        if let Entry::ProjectCall { file, call } = chain.entry {
            claimed.insert((file, call));
        }
        let (run_fn, run) = chain.run;
        covered_runs[run_fn.file].insert(graph.function(run_fn).runs[run].range.start);
        let (file, diagnostic) = super::traceback_proven_nested_run(graph, &planner, chain);
        if !diagnostics[file].contains(&diagnostic) {
            diagnostics[file].push(diagnostic);
        }
    }

    for file in 0..count {
        let summary = graph.files[file].summary;
        for (index, call) in summary.calls.iter().enumerate() {
            if let Some(function) = graph.library_target(file, index)
                && !call.guarded
                && let Some(context) = graph.loop_context(file, call)
            {
                diagnostics[file].push(super::library_run_in_async::direct(
                    graph, &planner, file, index, context, function,
                ));
                continue;
            }
            let Some(target) = graph.target(file, index) else {
                continue;
            };
            // `await helper()` of a sync helper raises as well (the nested run
            // goes first): it is a finding too, whose fix keeps the `await`.
            if call.guarded
                || !graph.blocking.contains_key(&target)
                || claimed.contains(&(file, index))
            {
                continue;
            }
            let Some(context) = graph.loop_context(file, call) else {
                continue;
            };
            // The runs inside nested sync defs (or a notebook's defs) along
            // the chain are reported through this call site, not again by
            // UNN004.
            // A link walked for an earlier finding had the rest of its chain
            // walked then too.
            let mut link = Some(target);
            while let Some(f) = link.filter(|f| walked.insert(*f)) {
                let function = graph.function(f);
                if function.parent.is_some() || graph.files[f.file].summary.top_level_await {
                    for run in &function.runs {
                        covered_runs[f.file].insert(run.range.start);
                    }
                }
                link = match graph.blocking.get(&f) {
                    Some(Reason::Calls(next, _)) => Some(*next),
                    _ => None,
                };
            }
            if graph.ends_in_library(target) {
                diagnostics[file].push(super::library_run_in_async::through_helper(
                    graph, &planner, file, index, context, target,
                ));
                continue;
            }
            let (caller, in_generator) = match context {
                LoopContext::Callback(caller) => {
                    diagnostics[file].push(super::blocking_call_in_callback(
                        graph, file, index, caller, target,
                    ));
                    continue;
                }
                LoopContext::Async(caller) => (Some(caller), false),
                LoopContext::AsyncGenerator(caller) => (Some(caller), true),
                LoopContext::Cell => (None, false),
                LoopContext::Entry(entry) => {
                    diagnostics[file].push(super::run_on_framework_loop(
                        graph,
                        &planner,
                        file,
                        entry,
                        super::run_on_framework_loop::Reached::Call(index, target),
                    ));
                    continue;
                }
            };
            let diagnostic = super::blocking_call_in_async(
                graph,
                &planner,
                file,
                index,
                caller,
                target,
                in_generator,
            );
            diagnostics[file].push(diagnostic);
        }
        // Nested runs directly in a callback the loop runs.
        for (function, summary) in summary.functions.iter().enumerate() {
            let f = FnRef { file, function };
            if summary.is_async || !graph.is_callback(f) {
                continue;
            }
            for run in &summary.runs {
                covered_runs[file].insert(run.range.start);
                diagnostics[file].push(super::nested_run_in_callback(
                    graph,
                    &planner,
                    file,
                    Some(f),
                    run,
                ));
            }
        }
        // Nested runs directly in a function a framework calls on its loop.
        for (function, summary) in summary.functions.iter().enumerate() {
            let f = FnRef { file, function };
            if summary.is_async || graph.entry(f).is_none() || graph.is_callback(f) {
                continue;
            }
            for (index, run) in summary.runs.iter().enumerate() {
                covered_runs[file].insert(run.range.start);
                diagnostics[file].push(super::run_on_framework_loop(
                    graph,
                    &planner,
                    file,
                    f,
                    super::run_on_framework_loop::Reached::Run(index),
                ));
            }
        }
        for run in &summary.lambda_runs {
            if let Place::Lambda(start) = run.place
                && graph.is_lambda_callback(file, start)
            {
                covered_runs[file].insert(run.range.start);
                diagnostics[file].push(super::nested_run_in_callback(
                    graph, &planner, file, None, run,
                ));
            }
        }
    }
    Findings {
        diagnostics,
        covered_runs,
    }
}
