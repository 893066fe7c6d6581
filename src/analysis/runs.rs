//! The analysis of one file: which calls run an event loop, where they run, and
//! what each finding is.
//!
//! The candidates come from `queries/calls.scm`; [`bindings`] decides which of
//! them are asyncio's, [`scope`] where each runs, [`guards`], [`threads`] and
//! [`trio`] which are correct as they stand. The rules in `crate::rules` turn what is left
//! into diagnostics with fixes.

use crate::syntax::parents::Up;

use tree_sitter::{Node, QueryCursor, StreamingIterator, Tree};

use super::bindings::{Bindings, Meaning};
use super::scope::{Context, Scope, scopes_of};
use super::{guards, scope, trio};
use crate::syntax::parents::Visit;
use crate::syntax::queries::{CALLS, captured};

/// What kind of loop-running call a candidate is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind<'t> {
    /// `asyncio.run(...)` under any alias.
    AsyncioRun,
    /// `<receiver>.run_until_complete(...)`.
    RunUntilComplete { receiver: Node<'t> },
    /// `asyncio.Runner(...).run(...)` or `runner.run(...)` on a Runner.
    RunnerRun,
}

impl RunKind<'_> {
    /// The keyword that can name the awaitable (`main=`, `future=`) and the
    /// keywords that may be dropped when `False` or `None`; `None` for a
    /// Runner, whose call has no `await` equivalent.
    pub fn awaitable_parameters(&self) -> Option<(&'static str, &'static [&'static str])> {
        match self {
            RunKind::AsyncioRun => Some(("main", &["debug"])),
            RunKind::RunUntilComplete { .. } => Some(("future", &[])),
            RunKind::RunnerRun => None,
        }
    }
}

/// A call that runs an event loop to completion, with where it runs.
#[derive(Debug, Clone)]
pub struct NestedRun<'t> {
    pub call: Node<'t>,
    pub kind: RunKind<'t>,
    pub scopes: Vec<Scope<'t>>,
    pub context: Context<'t>,
}

impl<'t> NestedRun<'t> {
    /// The called expression as written: `aio.run`, `loop.run_until_complete`.
    pub fn callee<'s>(&self, source: &'s str) -> &'s str {
        let function = self.call.child_by_field("function").unwrap_or(self.call);
        &source[crate::edit::rewrite::call_start(self.call)..function.end_byte()]
    }

    /// The range a finding about this call points at.
    pub fn range(&self) -> crate::edit::TextRange {
        crate::edit::TextRange::new(
            crate::edit::rewrite::call_start(self.call),
            self.call.end_byte(),
        )
    }

    pub fn arguments(&self) -> Option<Node<'t>> {
        self.call.child_by_field("arguments")
    }
}

/// What the rules need besides the call: the text and the bindings.
pub struct Checker<'t> {
    pub source: &'t str,
    /// Every node of the tree, from its one walk.
    pub nodes: &'t [Visit<'t>],
    pub bindings: Bindings<'t>,
    pub guards: guards::Guards<'t>,
    /// Module level runs under a loop that allows top-level `await`: the
    /// cells of a Jupyter notebook.
    pub top_level_await: bool,
}

impl<'t> Checker<'t> {
    /// The checker of a tree whose walk is `nodes` (see
    /// [`crate::syntax::parents::ParentMap::nodes`]), parsed from `source`.
    pub fn new(nodes: &'t [Visit<'t>], source: &'t str) -> Self {
        Self {
            source,
            nodes,
            bindings: Bindings::collect(nodes, source),
            guards: guards::Guards::new(source)
                .with_trio(trio::TrioDriven::find(nodes[0].node, source)),
            top_level_await: false,
        }
    }
}

impl NestedRun<'_> {
    /// Whether a guard keeps this run from happening under a running loop.
    pub fn is_guarded(&self, checker: &Checker) -> bool {
        let in_async = matches!(
            self.context,
            Context::Async { .. } | Context::Generator { .. }
        );
        checker.guards.is_guarded(self.call, in_async)
    }
}

/// Every call in the file that runs an event loop, with where it runs.
pub fn find_runs<'t>(tree: &'t Tree, checker: &Checker<'t>) -> Vec<NestedRun<'t>> {
    let source = checker.source;
    let candidates = candidates(tree, source);
    let mut runs = Vec::new();
    let lazy_annotations = scope::has_lazy_annotations(tree.root_node(), source);
    for (call, named) in candidates {
        let kind = match named {
            Named::Method { receiver, method } => match &source[method.byte_range()] {
                "run_until_complete" => Some(RunKind::RunUntilComplete { receiver }),
                _ => run_method_kind(receiver, call, checker),
            },
            Named::Function(function) => {
                let name = &source[function.byte_range()];
                if checker.bindings.binds_asyncio_member(name) {
                    let scopes = scopes_of(call);
                    (checker.bindings.resolve(name, &scopes) == Meaning::AsyncioMember("run"))
                        .then_some(RunKind::AsyncioRun)
                } else {
                    None
                }
            }
        };
        if let Some(kind) = kind {
            if scope::in_unevaluated_annotation(call, lazy_annotations) {
                continue;
            }
            let scopes = scopes_of(call);
            let context = scope::context_with(&scopes, checker.top_level_await);
            runs.push(NestedRun {
                call,
                kind,
                scopes,
                context,
            });
        }
    }
    runs
}

/// How a candidate call names what it calls.
#[derive(Clone, Copy)]
enum Named<'t> {
    /// `receiver.run(...)`, `receiver.run_until_complete(...)`.
    Method {
        receiver: Node<'t>,
        method: Node<'t>,
    },
    /// `name(...)`.
    Function(Node<'t>),
}

/// The calls that may run a loop, by their shape alone, as
/// `queries/calls.scm` finds them (in its order): a method named `run` or
/// `run_until_complete`, or a bare name, called with arguments.
fn candidates<'t>(tree: &'t Tree, source: &str) -> Vec<(Node<'t>, Named<'t>)> {
    let calls = &*CALLS;
    let (call_index, receiver_index, method_index, function_index) = (
        calls.capture("call"),
        calls.capture("receiver"),
        calls.capture("method"),
        calls.capture("function"),
    );
    let mut found = Vec::new();
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(&calls.query, tree.root_node(), source.as_bytes());
    while let Some(m) = matches.next() {
        let get = |index| captured(m, index);
        let Some(call) = get(call_index) else {
            continue;
        };
        let named = match (get(receiver_index), get(method_index), get(function_index)) {
            (Some(receiver), Some(method), _) => Named::Method { receiver, method },
            (_, _, Some(function)) => Named::Function(function),
            _ => continue,
        };
        found.push((call, named));
    }
    found
}

/// Whether `call` runs a loop: the test of [`find_runs`] for one call found
/// otherwise (the argument of another run).
pub fn is_run_call(call: Node, checker: &Checker) -> bool {
    let source = checker.source;
    let Some(function) = crate::edit::rewrite::callee(call) else {
        return false;
    };
    match function.kind_str() {
        "attribute" => {
            let (Some(receiver), Some(method)) = (
                function.child_by_field("object"),
                function.child_by_field("attribute"),
            ) else {
                return false;
            };
            match &source[method.byte_range()] {
                "run_until_complete" => true,
                "run" => run_method_kind(receiver, call, checker).is_some(),
                _ => false,
            }
        }
        "identifier" => {
            let name = &source[function.byte_range()];
            checker.bindings.binds_asyncio_member(name)
                && checker.bindings.resolve(name, &scopes_of(call)) == Meaning::AsyncioMember("run")
        }
        _ => false,
    }
}

/// What `receiver.run(...)` is: `asyncio.run` when the receiver is asyncio, a
/// Runner's `run` when it is a Runner, else nothing of ours.
fn run_method_kind<'t>(
    receiver: Node<'t>,
    call: Node<'t>,
    checker: &Checker,
) -> Option<RunKind<'t>> {
    let source = checker.source;
    let scopes = scopes_of(call);
    // `[*asyncio.run(x)]` parses as `(*asyncio).run(x)`: see `rewrite::call_start`.
    let receiver = match receiver.kind_str() {
        "list_splat" => receiver.named_child(0)?,
        _ => receiver,
    };
    match receiver.kind_str() {
        "identifier" => {
            let name = &source[receiver.byte_range()];
            let (meaning, found) = checker.bindings.lookup(name, &scopes);
            if meaning == Meaning::AsyncioModule {
                return Some(RunKind::AsyncioRun);
            }
            // `with asyncio.Runner() as runner:` / `runner = asyncio.Runner()`
            let is_runner = !found.is_empty()
                && found.iter().all(|b| {
                    bound_value(b.node).is_some_and(|value| is_runner_call(value, checker))
                });
            is_runner.then_some(RunKind::RunnerRun)
        }
        "call" => is_runner_call(receiver, checker).then_some(RunKind::RunnerRun),
        _ => None,
    }
}

/// Whether `node` is a call of asyncio's `Runner`.
fn is_runner_call(node: Node, checker: &Checker) -> bool {
    if node.kind_str() != "call" {
        return false;
    }
    let Some(function) = node.child_by_field("function") else {
        return false;
    };
    let source = checker.source;
    let scopes = scopes_of(node);
    match function.kind_str() {
        "identifier" => {
            checker
                .bindings
                .resolve(&source[function.byte_range()], &scopes)
                == Meaning::AsyncioMember("Runner")
        }
        "attribute" => {
            let object = function.child_by_field("object");
            let attribute = function.child_by_field("attribute");
            match (object, attribute) {
                (Some(object), Some(attribute)) => {
                    object.kind_str() == "identifier"
                        && &source[attribute.byte_range()] == "Runner"
                        && checker
                            .bindings
                            .resolve(&source[object.byte_range()], &scopes)
                            == Meaning::AsyncioModule
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// The value a name is bound to by `name = value` or `with value as name`.
fn bound_value(identifier: Node) -> Option<Node> {
    let parent = identifier.up()?;
    match parent.kind_str() {
        "assignment" => parent.child_by_field("right"),
        "as_pattern_target" => parent.up()?.named_child(0),
        _ => None,
    }
}
