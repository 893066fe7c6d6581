//! Function summaries: for each `def` its qualified name, whether it is async
//! or a generator, its parameters (with defaults that are plain literals),
//! its locals, and the `return` calls that a thin wrapper is made of.

use crate::syntax::parents::Up;
use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::nodes::{is_binding_in, qualname_of};
use super::summary::{FunctionSummary, Parameter};
use crate::analysis::scope::{ScopeKind, is_async_def, scopes_of};
use crate::edit::TextRange;
use crate::edit::rewrite;
use crate::syntax::parents::Visit;

/// Literal node kinds whose text means the same in any module.
pub(super) const LITERALS: [&str; 7] = [
    "integer", "float", "string", "true", "false", "none", "ellipsis",
];

/// The summary of the `def` at `place` in the tree's walk `nodes`.
pub(super) fn function_summary(
    nodes: &[Visit],
    place: usize,
    by_node: &HashMap<usize, usize>,
    source: &str,
) -> FunctionSummary {
    let node = nodes[place].node;
    let name_node = node.child_by_field("name").unwrap_or(node);
    let name = source[name_node.byte_range()].to_owned();
    let scopes = scopes_of(node);
    let parent = scopes
        .iter()
        .find(|s| matches!(s.kind, ScopeKind::Function { .. }))
        .and_then(|s| by_node.get(&s.node.id()).copied());
    let class = scopes
        .first()
        .filter(|s| s.kind == ScopeKind::Class)
        .map(|s| qualname_of(s.node, source));
    let decorators = node
        .up()
        .filter(|p| p.kind_str() == "decorated_definition")
        .map(|p| {
            let mut cursor = p.walk();
            p.named_children(&mut cursor)
                .filter(|c| c.kind_str() == "decorator")
                .map(|d| {
                    source[d.byte_range()]
                        .trim_start_matches('@')
                        .trim()
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default();
    let body = body_of(nodes, place, source);
    let def_start = {
        let mut cursor = node.walk();
        node.children(&mut cursor)
            .find(|c| c.kind_str() == "def")
            .map_or(node.start_byte(), |d| d.start_byte())
    };
    FunctionSummary {
        qualname: qualname_of(node, source),
        name,
        is_async: is_async_def(node),
        def_start,
        name_range: TextRange::of(name_node),
        parent,
        class,
        decorators,
        parameters: node
            .child_by_field("parameters")
            .and_then(|p| parameters(p, source)),
        runs: Vec::new(),
        thin_wrapper: None,
        locals: body.locals,
        names: body.names,
        is_generator: body.yields,
        sync_generator_only: body.yields && body.sync_only,
        return_calls: body.return_calls,
    }
}

/// What one walk over a `def` finds.
#[derive(Default)]
struct Body {
    /// Its own body (not its nested functions, classes and lambdas) yields.
    yields: bool,
    /// Its own body holds what an async generator cannot: `yield from`,
    /// `return VALUE`.
    sync_only: bool,
    /// The calls its own body returns.
    return_calls: Vec<TextRange>,
    /// Names bound in its own body (assigned, imported, defined,
    /// parameters).
    locals: HashSet<String>,
    /// Every identifier written in it, nested scopes included.
    names: HashSet<String>,
}

/// What the `def` at `place` in the tree's walk `nodes` holds, from the
/// nodes that follow it there: one pass for what its own body holds and for
/// every name in it.
fn body_of(nodes: &[Visit], place: usize, source: &str) -> Body {
    let mut body = Body::default();
    // The place of the nested function, class or lambda the pass is in: its
    // nodes are not the function's own.
    let mut nested: Option<usize> = None;
    for (at, visit) in nodes.iter().enumerate().skip(place + 1) {
        let Some(parent) = visit.parent_place().filter(|&p| p >= place) else {
            break;
        };
        if nested.is_some_and(|start| parent < start) {
            nested = None;
        }
        if !visit.node.is_named() {
            continue;
        }
        let kind = visit.kind();
        if kind == "identifier" {
            body.names
                .insert(source[visit.node.byte_range()].to_owned());
        }
        if nested.is_some() {
            continue;
        }
        if matches!(kind, "function_definition" | "class_definition" | "lambda") {
            if let Some(name) = visit.node.child_by_field("name") {
                body.locals.insert(source[name.byte_range()].to_owned());
            }
            nested = Some(at);
        } else {
            body.own_node(visit.node, kind, nodes[parent].node, source);
        }
    }
    body
}

impl Body {
    /// What a named node of kind `kind` in the function's own body adds.
    fn own_node(&mut self, node: Node, kind: &str, parent: Node, source: &str) {
        match kind {
            "identifier" if is_binding_in(node, parent) => {
                self.locals.insert(source[node.byte_range()].to_owned());
            }
            "yield" => {
                self.yields = true;
                let mut cursor = node.walk();
                if node.children(&mut cursor).any(|c| c.kind_str() == "from") {
                    self.sync_only = true;
                }
            }
            // Even `return None`: "'return' with value in async generator".
            "return_statement" => {
                let mut cursor = node.walk();
                for value in node.named_children(&mut cursor) {
                    if value.kind_str() == "comment" {
                        continue;
                    }
                    self.sync_only = true;
                    let mut value = value;
                    while value.kind_str() == "parenthesized_expression"
                        && let Some(inner) = value.named_child(0)
                    {
                        value = inner;
                    }
                    if value.kind_str() == "call" {
                        self.return_calls
                            .push(TextRange::new(rewrite::call_start(value), value.end_byte()));
                    }
                }
            }
            _ => {}
        }
    }
}

/// The parameters of a `def`, or `None` when they hold `*args` or `**kwargs`,
/// which the thin-wrapper fix does not bind.
pub(super) fn parameters(node: Node, source: &str) -> Option<Vec<Parameter>> {
    let mut list = Vec::new();
    let mut keyword_only = false;
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        let (name, default, has_default) = match child.kind_str() {
            "identifier" => (child, None, false),
            "default_parameter" | "typed_default_parameter" => {
                let name = child.child_by_field("name")?;
                let value = child.child_by_field("value")?;
                (name, constant_text(value, source), true)
            }
            "typed_parameter" => (child.named_child(0)?, None, false),
            "keyword_separator" => {
                keyword_only = true;
                continue;
            }
            "positional_separator" | "comment" => continue,
            _ => return None,
        };
        if name.kind_str() != "identifier" {
            return None;
        }
        list.push(Parameter {
            name: source[name.byte_range()].to_owned(),
            keyword_only,
            default,
            has_default,
        });
    }
    Some(list)
}

/// The text of a literal that means the same in any module: a number, `True`,
/// `None`, or a string without interpolation.
pub(super) fn constant_text(node: Node, source: &str) -> Option<String> {
    let text = &source[node.byte_range()];
    let plain = match node.kind_str() {
        "string" => !text
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .any(|c| c == 'f' || c == 'F'),
        kind => LITERALS.contains(&kind),
    };
    plain.then(|| text.to_owned())
}
