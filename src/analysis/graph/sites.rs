//! Call and run sites: where a call or a nested run sits (function,
//! generator expression, lambda, module level), what a fix needs to know
//! about it (its plain arguments, whether it is a bare statement, an f-string
//! around it, a `for` to make `async for`), and which calls hand a callable to
//! the loop as a callback.

use crate::syntax::parents::Up;
use std::collections::HashMap;

use tree_sitter::Node;

use super::nodes::{is_binding, is_field_node};
use super::summary::{Arguments, BareStatement, Place, RunSite};
use crate::analysis::runs::{NestedRun, RunKind};
use crate::analysis::scope::{Scope, ScopeKind, own_nodes, scopes_of};
use crate::analysis::threads::callee_name;
use crate::asyncio_api::LOOP_CALLBACKS;
use crate::edit::rewrite;
use crate::edit::{Edit, TextRange};
use crate::syntax::lines;

/// The edit that makes the `for` iterating `call` an `async for`: `call` is
/// the iterable of a `for` statement, or of a `for` clause of a list, set or
/// dict comprehension (a generator expression with `async for` becomes an
/// async generator, which its consumer cannot iterate).
pub(super) fn async_for_edit(call: Node) -> Option<Edit> {
    let parent = call.up()?;
    if !is_field_node(parent, "right", call) {
        return None;
    }
    match parent.kind_str() {
        "for_statement" => {}
        "for_in_clause"
            if parent.up().is_some_and(|c| {
                matches!(
                    c.kind_str(),
                    "list_comprehension" | "set_comprehension" | "dictionary_comprehension"
                )
            }) => {}
        _ => return None,
    }
    let mut cursor = parent.walk();
    let mut children = parent.children(&mut cursor);
    let first = children.next()?;
    // Already `async for`, or not the shape expected.
    (first.kind_str() == "for").then(|| Edit::insert(first.start_byte(), "async "))
}

/// Where a node sits: directly in a function, in a generator expression in one,
/// in a lambda, or elsewhere.
pub(super) fn place_of(scopes: &[Scope], by_node: &HashMap<usize, usize>) -> Place {
    let mut in_generator = false;
    for scope in scopes {
        match scope.kind {
            ScopeKind::Comprehension { generator } => in_generator |= generator,
            ScopeKind::Function { .. } => {
                let index = by_node[&scope.node.id()];
                return if in_generator {
                    Place::Generator(index)
                } else {
                    Place::Function(index)
                };
            }
            ScopeKind::Lambda => return Place::Lambda(scope.node.start_byte()),
            ScopeKind::Module if !in_generator => return Place::Module,
            ScopeKind::Class | ScopeKind::Module => return Place::Other,
        }
    }
    Place::Other
}

pub(super) fn run_site(run: &NestedRun, place: Place, source: &str) -> RunSite {
    let awaitable = run
        .kind
        .awaitable_parameters()
        .and_then(|(keyword, droppable)| {
            rewrite::awaitable(run.arguments()?, source, keyword, droppable).ok()
        });
    let await_edits = awaitable
        .as_ref()
        .map(|a| rewrite::await_call(run.call, a, source));
    let statement = match (&run.kind, &awaitable) {
        (RunKind::AsyncioRun, Some(awaitable)) => bare_statement(run.call, awaitable.value, source),
        _ => None,
    };
    RunSite {
        range: run.range(),
        callee_text: run.callee(source).to_owned(),
        place,
        await_edits,
        statement,
    }
}

/// `asyncio.run(X)` as a statement of its own on its own line(s).
pub(super) fn bare_statement(call: Node, value: Node, source: &str) -> Option<BareStatement> {
    let statement = call
        .up()
        .filter(|p| p.kind_str() == "expression_statement" && p.named_child_count() == 1)?;
    let line_start = lines::line_start(source, statement.start_byte());
    let indent = &source[line_start..statement.start_byte()];
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    let rest = &source[statement.end_byte()..];
    let line_end = lines::line_end(source, statement.end_byte()) - statement.end_byte();
    let after = rest[..line_end].trim();
    if !(after.is_empty() || after.starts_with('#')) {
        return None;
    }
    let value_text = &source[value.byte_range()];
    let arguments = call.child_by_field("arguments")?;
    // The statement is replaced whole: a comment inside the call would be lost.
    let mut stack = vec![arguments];
    while let Some(node) = stack.pop() {
        if node.kind_str() == "comment"
            && !(value.start_byte() <= node.start_byte() && node.end_byte() <= value.end_byte())
        {
            return None;
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    Some(BareStatement {
        range: TextRange::of(statement),
        indent: indent.to_owned(),
        line_ending: if rest[line_end..].starts_with("\r\n") {
            "\r\n"
        } else if rest[line_end..].starts_with('\r') {
            "\r"
        } else {
            "\n"
        },
        awaitable: value_text.to_owned(),
    })
}

/// The callable a loop-callback registration hands over, if `call` is one.
pub(super) fn loop_callback<'t>(call: Node<'t>, source: &str) -> Option<Node<'t>> {
    let name = callee_name(call, source)?;
    let &(_, position) = LOOP_CALLBACKS.iter().find(|(n, _)| *n == name)?;
    // `loop.call_soon(cb)` is a method call; a bare `call_soon(cb)` is not ours.
    let function = call.child_by_field("function")?;
    if function.kind_str() != "attribute" {
        return None;
    }
    // `concurrent.futures` futures have `add_done_callback` too, and run the
    // callback in a worker thread, where a nested run works: only asyncio's
    // futures and tasks, known by where they come from, are the loop's.
    if name == "add_done_callback" && !is_asyncio_future(function.child_by_field("object")?, source)
    {
        return None;
    }
    let arguments = call.child_by_field("arguments")?;
    let mut cursor = arguments.walk();
    arguments
        .named_children(&mut cursor)
        .filter(|c| !matches!(c.kind_str(), "comment" | "keyword_argument"))
        .nth(position)
}

/// Calls that return an asyncio future or task, whose done callbacks the
/// loop runs (`run_coroutine_threadsafe`'s future is completed on the loop).
pub(super) const ASYNCIO_FUTURE_MAKERS: [&str; 8] = [
    "create_task",
    "ensure_future",
    "gather",
    "create_future",
    "run_coroutine_threadsafe",
    "shield",
    "run_in_executor",
    "wrap_future",
];

/// Whether `receiver` is an asyncio future or task: a call of one of
/// [`ASYNCIO_FUTURE_MAKERS`], or a name whose every assignment in its scope
/// is one. Anything else (a parameter, an executor's future) is unknown.
pub(super) fn is_asyncio_future(receiver: Node, source: &str) -> bool {
    let makes_future = |node: Node| {
        node.kind_str() == "call"
            && callee_name(node, source).is_some_and(|n| ASYNCIO_FUTURE_MAKERS.contains(&n))
    };
    match receiver.kind_str() {
        "call" => makes_future(receiver),
        "parenthesized_expression" => receiver
            .named_child(0)
            .is_some_and(|inner| is_asyncio_future(inner, source)),
        "identifier" => {
            let name = &source[receiver.byte_range()];
            let Some(scope) = scopes_of(receiver)
                .into_iter()
                .find(|s| !matches!(s.kind, ScopeKind::Comprehension { .. }))
            else {
                return false;
            };
            let mut values = Vec::new();
            for node in own_nodes(scope.node) {
                if matches!(node.kind_str(), "assignment" | "named_expression") {
                    let (target, value) = match node.kind_str() {
                        "assignment" => ("left", "right"),
                        _ => ("name", "value"),
                    };
                    if node.child_by_field(target).is_some_and(|t| {
                        t.kind_str() == "identifier" && &source[t.byte_range()] == name
                    }) {
                        values.push(node.child_by_field(value));
                    }
                } else if node.kind_str() == "identifier"
                    && &source[node.byte_range()] == name
                    && is_binding(node)
                    && !node
                        .up()
                        .is_some_and(|p| matches!(p.kind_str(), "assignment" | "named_expression"))
                {
                    // Bound some other way: a parameter, a loop target.
                    return false;
                }
            }
            !values.is_empty() && values.into_iter().all(|v| v.is_some_and(&makes_future))
        }
        _ => false,
    }
}

pub(super) fn plain_arguments(call: Node, source: &str) -> Option<Arguments> {
    let arguments = call.child_by_field("arguments")?;
    if arguments.kind_str() != "argument_list" {
        return None;
    }
    let mut plain = Arguments::default();
    let mut cursor = arguments.walk();
    for child in arguments.named_children(&mut cursor) {
        match child.kind_str() {
            "comment" | "list_splat" | "dictionary_splat" => return None,
            "keyword_argument" => {
                let name = child.child_by_field("name")?;
                let value = child.child_by_field("value")?;
                plain.keywords.push((
                    source[name.byte_range()].to_owned(),
                    source[value.byte_range()].to_owned(),
                ));
            }
            _ => plain.positional.push(source[child.byte_range()].to_owned()),
        }
    }
    Some(plain)
}

/// The quote character of the f-string whose braces hold `node`, if any.
pub(super) fn fstring_quote(node: Node, source: &str) -> Option<char> {
    let mut ancestors = node.ancestors();
    ancestors.find(|parent| parent.kind_str() == "interpolation")?;
    let string = ancestors.next()?;
    source[string.byte_range()]
        .chars()
        .find(|c| *c == '"' || *c == '\'')
}
