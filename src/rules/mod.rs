//! The rules, one a file, each with its documentation in `DOC`: what it finds,
//! why it is wrong, an example, and its fix.
//!
//! [`check`] asks the rules in order; the first that claims a call reports it, so
//! every call gives one finding at most.

pub mod call_graph;
pub mod noqa;

mod asyncio_run_in_async;
mod await_impossible;
mod blocking_call_in_async;
mod blocking_call_in_callback;
mod in_generator_expression;
pub mod library_run_in_async;
mod nested_run_in_callback;
pub mod run_at_import_time;
mod run_called_for_callable;
mod run_coroutine_threadsafe_deadlock;
mod run_on_framework_loop;
mod run_until_complete_in_async;
mod run_until_complete_on_running_loop;
mod runner_run_in_async;
mod traceback_proven_nested_run;
mod unnecessary_nest_asyncio;

use crate::syntax::parents::Up;
use tree_sitter::{Node, Tree};

use crate::analysis::graph::summarize::summarize;
use crate::analysis::graph::summary::ModuleSummary;
use crate::analysis::runs::{Checker, NestedRun, find_runs};
use crate::diagnostic::Diagnostic;
use crate::edit::rewrite;
use crate::edit::{Applicability, Fix};
pub use crate::registry::Rule;

pub use blocking_call_in_async::diagnostic as blocking_call_in_async;
pub use blocking_call_in_callback::diagnostic as blocking_call_in_callback;
pub use nested_run_in_callback::diagnostic as nested_run_in_callback;
pub use run_on_framework_loop::diagnostic as run_on_framework_loop;
pub use traceback_proven_nested_run::diagnostic as traceback_proven_nested_run;
pub use unnecessary_nest_asyncio::diagnostic as unnecessary_nest_asyncio;

/// What each rule is, in words: kept beside the rules, since the words are
/// theirs; the registry only numbers and names them.
impl Rule {
    /// The rule's documentation, in Markdown.
    pub fn doc(self) -> &'static str {
        match self {
            Rule::AsyncioRunInAsync => asyncio_run_in_async::DOC,
            Rule::RunUntilCompleteInAsync => run_until_complete_in_async::DOC,
            Rule::RunnerRunInAsync => runner_run_in_async::DOC,
            Rule::AwaitImpossible => await_impossible::DOC,
            Rule::InGeneratorExpression => in_generator_expression::DOC,
            Rule::RunCalledForCallable => run_called_for_callable::DOC,
            Rule::BlockingCallInAsync => blocking_call_in_async::DOC,
            Rule::BlockingCallInCallback => blocking_call_in_callback::DOC,
            Rule::NestedRunInCallback => nested_run_in_callback::DOC,
            Rule::UnnecessaryNestAsyncio => unnecessary_nest_asyncio::DOC,
            Rule::TracebackProvenNestedRun => traceback_proven_nested_run::DOC,
            Rule::LibraryRunInAsync => library_run_in_async::DOC,
            Rule::RunUntilCompleteOnRunningLoop => run_until_complete_on_running_loop::DOC,
            Rule::RunCoroutineThreadsafeDeadlock => run_coroutine_threadsafe_deadlock::DOC,
            Rule::RunAtImportTime => run_at_import_time::DOC,
            Rule::RunOnFrameworkLoop => run_on_framework_loop::DOC,
        }
    }

    /// What the rule finds and how it fixes it, in one line each: the rule
    /// table of the README and the head of `--explain` (a test keeps the
    /// README in step).
    pub fn table_row(self) -> (&'static str, &'static str) {
        match self {
            Rule::AsyncioRunInAsync => (
                "`asyncio.run(X)` (any alias, positional or `main=`) directly in an `async def`",
                "`await X` (safe)",
            ),
            Rule::RunUntilCompleteInAsync => (
                "`<any loop>.run_until_complete(X)` directly in an `async def`",
                "`await X` (safe; unsafe when the receiver is a call of your own, since it no longer runs, or when the function also calls the receiver's `close()` or `stop()`, which raise on the running loop)",
            ),
            Rule::RunnerRunInAsync => (
                "`asyncio.Runner().run(X)`, or `runner.run(X)` on a Runner, in an `async def`",
                "none: remove the Runner and `await X`",
            ),
            Rule::AwaitImpossible => (
                "a nested run in a sync `def`, a `lambda` or a class body inside an `async def`",
                "none: make it async, or hand it to `asyncio.to_thread`",
            ),
            Rule::InGeneratorExpression => (
                "a nested run inside a generator expression in an `async def`",
                "a list comprehension with `await` (unsafe), when the consumer is `sum`, `list`, `tuple`, `set`, `sorted`, `min` or `max`",
            ),
            Rule::RunCalledForCallable => (
                "under a loop: `to_thread(asyncio.run(X))`, `run_in_executor(None, asyncio.run(X))`, `ex.submit(asyncio.run(X))` (any receiver), `Thread(target=asyncio.run(X))`; `call_soon(asyncio.run(X))` and other loop callbacks, `map(asyncio.run(X), xs)`",
                "pass `asyncio.run, X` (`args=(X,)` for `Thread`) so X runs in the thread (unsafe); none for a loop callback or `map`",
            ),
            Rule::BlockingCallInAsync => (
                "an `async def` calls a sync function that runs a loop, directly or through a chain of sync functions, in any module",
                "inline a thin wrapper as `await co(...)` (safe); or make the helper `async def` and await every call site (safe for nested and `_private` helpers, unsafe for public ones)",
            ),
            Rule::BlockingCallInCallback => (
                "a loop callback (`call_soon`, `call_later`, `add_done_callback`, ...) calls such a sync function",
                "none: schedule the coroutine, or run the helper in a thread",
            ),
            Rule::NestedRunInCallback => (
                "`asyncio.run()` directly in a loop callback",
                "`asyncio.create_task(X)` with a kept reference (unsafe), for a bare statement",
            ),
            Rule::UnnecessaryNestAsyncio => (
                "`nest_asyncio.apply()` where no nested run remains",
                "remove it and its import, `pass` where a block would be empty (unsafe)",
            ),
            Rule::TracebackProvenNestedRun => (
                "a nested run that a traceback (`--traceback FILE`, or a notebook's saved error output) proves runs on the loop, through any chain of sync functions, dynamic dispatch or framework code",
                "make the chain `async def` and await it at every call site (as UNN007; unsafe for public functions, dynamic dispatch and framework callers that await); when a framework caller needs a plain value, run the loop in a worker thread (unsafe)",
            ),
            Rule::LibraryRunInAsync => (
                "an `async def`, a notebook cell or a loop callback calls an installed library's sync function that runs a loop (directly or through the project's helpers; see [Installed libraries](#installed-libraries))",
                "`await twin(...)`, the library's async twin with the same arguments, imported where needed; through the project's helpers, the helpers made `async def` and awaited as UNN007 does (unsafe); none without a twin, or when a helper cannot become async (the message says why)",
            ),
            Rule::RunUntilCompleteOnRunningLoop => (
                "`asyncio.get_running_loop().run_until_complete(X)`, or `loop.run_until_complete(X)` where the same function binds `loop` only to `get_running_loop()`: it always raises",
                "`await X` in an `async def` (safe, unsafe as for UNN002); none in a sync `def`",
            ),
            Rule::RunCoroutineThreadsafeDeadlock => (
                "`asyncio.run_coroutine_threadsafe(X, loop).result()` where `loop` is the calling thread's running loop (`get_running_loop()`, or `get_event_loop()` in an `async def`): it deadlocks",
                "`await X` in an `async def` (safe); with a timeout `await asyncio.wait_for(X, timeout)` (unsafe); none in a sync `def`",
            ),
            Rule::RunAtImportTime => (
                "a module-level `asyncio.run()` (not under `if __name__ == \"__main__\":`) in a module another project module imports, or that a `uvicorn` app string names",
                "none: move the work to a startup or lifespan hook",
            ),
            Rule::RunOnFrameworkLoop => (
                "a sync function a framework calls on its running loop (a ComfyUI node's `FUNCTION` method, a Starlette/FastAPI startup or shutdown handler or sync generator lifespan, a declared `loop-entry-points` entry) runs a loop, directly or through sync helpers",
                "make it `async def` and await the chain (unsafe), where the framework awaits coroutine functions; else run the loop in a worker thread (unsafe), since the caller cannot await",
            ),
        }
    }

    /// The first line of the documentation.
    pub fn summary(self) -> &'static str {
        self.doc()
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("# ")
    }
}

/// The summary of one parsed file, and the findings of the per-file rules in
/// it: both from one parse, one set of bindings and one search for runs.
/// `top_level_await` marks a notebook, whose module level runs under a loop.
pub fn check_file(
    tree: &Tree,
    source: &str,
    module: &str,
    is_package: bool,
    top_level_await: bool,
) -> (ModuleSummary, Vec<Diagnostic>) {
    let parents = crate::syntax::parents::ParentMap::install(tree);
    let mut checker = Checker::new(parents.nodes(), source);
    checker.top_level_await = top_level_await;
    let runs = find_runs(tree, &checker);
    let summary = summarize(tree, &checker, &runs, module, is_package);
    let mut diagnostics = check_runs(&runs, &checker);
    let waits = run_coroutine_threadsafe_deadlock::find(tree, &checker);
    if !waits.is_empty() {
        diagnostics.extend(waits);
        diagnostics.sort_by_key(|d| (d.range.start, d.rule));
    }
    (summary, diagnostics)
}

/// The per-file rules' findings for `runs`, in source order. Each finding
/// starts where its run starts, so the project-wide rules can drop the ones
/// they report themselves.
pub fn check_runs(runs: &[NestedRun], checker: &Checker) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = runs
        .iter()
        .filter(|run| !run.is_guarded(checker))
        .filter_map(|run| check(run, checker))
        .collect();
    diagnostics.sort_by_key(|d| (d.range.start, d.rule));
    diagnostics
}

/// The finding for one loop-running call, if any rule claims it.
pub fn check(run: &NestedRun, checker: &Checker) -> Option<Diagnostic> {
    run_called_for_callable::check(run, checker)
        .or_else(|| in_generator_expression::check(run, checker))
        .or_else(|| run_until_complete_on_running_loop::check(run, checker))
        .or_else(|| await_impossible::check(run, checker))
        .or_else(|| asyncio_run_in_async::check(run, checker))
        .or_else(|| run_until_complete_in_async::check(run, checker))
        .or_else(|| runner_run_in_async::check(run, checker))
}

/// The unsafe thread bridge around `run`, a nested run in file `file`, for
/// a finding in file `own`: the run starts its loop on a worker thread and
/// the caller waits, since (`why`) it cannot await.
fn thread_bridge_fix(
    graph: &crate::analysis::graph::Graph,
    own: usize,
    file: usize,
    run: &crate::analysis::graph::summary::RunSite,
    why: &str,
) -> Option<Fix> {
    use crate::edit::bridge::{BRIDGE_COST, BRIDGE_HELPER, BridgeSite, thread_bridge};
    let view = &graph.files[file];
    let summary = view.summary;
    let edits = thread_bridge(&BridgeSite {
        text: view.text,
        call: run.range,
        helper_at: summary.import_at_for(run.range.start),
        line_ending: summary.line_ending,
        helper_bound: summary.module_names.contains(BRIDGE_HELPER),
    })?;
    let fix = Fix::new(
        Vec::new(),
        Applicability::Unsafe,
        format!(
            "Run `{}()` on a fresh loop in a worker thread and wait for it ({why}): unsafe, because {BRIDGE_COST}",
            run.callee_text
        ),
    );
    Some(fix.spanning(own, vec![(file, edits)]))
}

/// `async def name` or `def name` for messages.
fn describe_function(function: Node, source: &str) -> String {
    if function.kind_str() == "module" {
        return "a notebook cell".to_owned();
    }
    let name = function
        .child_by_field("name")
        .map_or("<function>", |n| &source[n.byte_range()]);
    let keyword = if crate::analysis::scope::is_async_def(function) {
        "async def"
    } else {
        "def"
    };
    format!("`{keyword} {name}()`")
}

/// What `await X` changes compared with running X in a loop of its own; every
/// `await` fix says it.
const AWAIT_DIFFERENCES: &str = "it runs in the caller's task and loop, so context-variable \
    changes are visible to the caller and tasks it starts are not cancelled when it returns";

/// The diagnostic for a call that `await` can replace, shared by UNN001 and UNN002.
fn await_finding(
    run: &NestedRun,
    checker: &Checker,
    rule: Rule,
    function: Node,
    fix_applicability: Applicability,
    extra_fix_note: &str,
) -> Option<Diagnostic> {
    let message = format!(
        "`{}()` inside {} raises RuntimeError, because a loop already runs there; await the coroutine instead",
        run.callee(checker.source),
        describe_function(function, checker.source)
    );
    await_finding_saying(
        run,
        checker,
        rule,
        message,
        fix_applicability,
        extra_fix_note,
    )
}

/// [`await_finding`] with a message of the rule's own.
fn await_finding_saying(
    run: &NestedRun,
    checker: &Checker,
    rule: Rule,
    mut message: String,
    fix_applicability: Applicability,
    extra_fix_note: &str,
) -> Option<Diagnostic> {
    let source = checker.source;
    let callee = run.callee(source);
    let arguments = run.arguments();
    let (keyword, droppable) = run.kind.awaitable_parameters()?;
    // `try: asyncio.run(X)` / `except RuntimeError: fallback` is deliberate:
    // under the loop the fallback is what runs, and `await` would skip it.
    let (fix_applicability, extra_fix_note) = if checker
        .guards
        .falls_back_on_runtime_error(run.call)
    {
        (
            Applicability::Unsafe,
            format!(
                "{extra_fix_note}; unsafe here: the `except RuntimeError` fallback, which runs today, would no longer run"
            ),
        )
    } else {
        (fix_applicability, extra_fix_note.to_owned())
    };
    let fix = match arguments.map(|a| rewrite::awaitable(a, source, keyword, droppable)) {
        Some(Ok(awaitable)) => {
            let value_is_run = awaitable.value.kind_str() == "call"
                && crate::analysis::runs::is_run_call(awaitable.value, checker);
            let edits = rewrite::await_call_around(run.call, &awaitable, source, value_is_run);
            let fix = Fix::new(
                edits,
                fix_applicability,
                format!(
                    "Replace `{callee}(...)` with `await ...`: {AWAIT_DIFFERENCES}{extra_fix_note}"
                ),
            );
            Some(if value_is_run {
                fix.enclosing_fixes()
            } else {
                fix
            })
        }
        Some(Err(reason)) => {
            message.push_str(&format!(" (no automatic fix: {reason})"));
            None
        }
        None => None,
    };
    Some(Diagnostic {
        rule,
        message,
        range: run.range(),
        fix,
    })
}
