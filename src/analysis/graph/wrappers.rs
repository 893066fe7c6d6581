//! Thin-wrapper detection: a sync function whose body is only `return
//! asyncio.run(co(...))` (after an optional docstring), with arguments passed
//! straight through. Its callers on the loop can await `co(...)` directly
//! instead, without making the wrapper async.

use crate::syntax::parents::Up;
use tree_sitter::Node;

use super::resolve::Resolver;
use super::summary::{FunctionSummary, ThinWrapper};
use crate::analysis::scope::scopes_of;
use crate::edit::TextRange;
use crate::edit::rewrite;

/// The thin-wrapper shape: an optional docstring, then `return asyncio.run(CALL)`
/// where CALL passes the wrapper's parameters straight through.
pub(super) fn thin_wrapper<'t>(
    node: Node<'t>,
    summary: &FunctionSummary,
    resolver: &Resolver<'_, 't>,
) -> Option<ThinWrapper> {
    if summary.is_async || summary.runs.len() != 1 {
        return None;
    }
    let source = resolver.checker.source;
    let parameters = summary.parameters.as_ref()?;
    let body = node.child_by_field("body")?;
    let mut cursor = body.walk();
    let statements: Vec<Node> = body
        .named_children(&mut cursor)
        .filter(|s| s.kind_str() != "comment")
        .collect();
    let last = match statements.as_slice() {
        [only] => *only,
        [doc, last]
            if doc.kind_str() == "expression_statement"
                && doc.named_child(0).is_some_and(|s| s.kind_str() == "string") =>
        {
            *last
        }
        _ => return None,
    };
    if last.kind_str() != "return_statement" {
        return None;
    }
    let run_call = last.named_child(0).filter(|c| c.kind_str() == "call")?;
    let run = &summary.runs[0];
    if run.range != TextRange::new(rewrite::call_start(run_call), run_call.end_byte())
        || !run.callee_text.ends_with("run")
        || run.callee_text.ends_with("Runner().run")
    {
        return None;
    }
    let run_arguments = run_call.child_by_field("arguments")?;
    let awaitable = rewrite::awaitable(run_arguments, source, "main", &["debug"]).ok()?;
    let target = awaitable.value;
    if target.kind_str() != "call" {
        return None;
    }
    let function = target.child_by_field("function")?;
    let target_arguments = target.child_by_field("arguments")?;
    if target_arguments.kind_str() != "argument_list" {
        return None;
    }
    let mut arguments = Vec::new();
    let mut cursor = target_arguments.walk();
    for child in target_arguments.named_children(&mut cursor) {
        let (keyword, value) = match child.kind_str() {
            "keyword_argument" => (
                Some(source[child.child_by_field("name")?.byte_range()].to_owned()),
                child.child_by_field("value")?,
            ),
            "identifier" => (None, child),
            _ => return None,
        };
        if value.kind_str() != "identifier" {
            return None;
        }
        let index = parameters
            .iter()
            .position(|p| p.name == source[value.byte_range()])?;
        arguments.push((keyword, index));
    }
    let scopes = scopes_of(target);
    Some(ThinWrapper {
        target: resolver.callee(function, &scopes),
        target_text: source[function.byte_range()].to_owned(),
        arguments,
    })
}
