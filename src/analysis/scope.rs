//! Which scopes a node is evaluated in.
//!
//! Python evaluates some parts of a definition outside it: default values,
//! annotations and decorators of a `def` run in the enclosing scope, a class's bases
//! too, and the first iterable of a comprehension is evaluated before the
//! comprehension's own scope exists. [`scopes_of`] follows those rules, so a call in
//! a default value of an `async def` is not "inside" it.

use crate::syntax::parents::Up;
use tree_sitter::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Function {
        is_async: bool,
    },
    Lambda,
    Class,
    /// A list, set or dict comprehension, or a generator expression.
    Comprehension {
        generator: bool,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct Scope<'t> {
    pub node: Node<'t>,
    pub kind: ScopeKind,
}

impl Scope<'_> {
    /// Scopes whose body may hold `await`-free code only: sync functions, lambdas
    /// and class bodies.
    pub fn is_function_like(&self) -> bool {
        matches!(
            self.kind,
            ScopeKind::Function { .. } | ScopeKind::Lambda | ScopeKind::Class | ScopeKind::Module
        )
    }
}

fn is_field(parent: Node, field: &str, child: Node) -> bool {
    parent
        .child_by_field(field)
        .is_some_and(|n| n.id() == child.id())
}

/// Whether `node` sits in an annotation Python never evaluates: every
/// annotation under `from __future__ import annotations` (`lazy`), a local
/// variable's annotation (`x: T = v` in a function), and a `type` alias's value.
pub fn in_unevaluated_annotation(node: Node, lazy: bool) -> bool {
    let mut ancestors = node.ancestors();
    if ancestors
        .find(|parent| parent.kind_str() == "type")
        .is_none()
    {
        return false;
    }
    if lazy {
        return true;
    }
    match ancestors.next() {
        Some(owner) if owner.kind_str() == "type_alias_statement" => true,
        Some(owner) if owner.kind_str() == "assignment" => scopes_of(owner)
            .first()
            .is_some_and(|s| matches!(s.kind, ScopeKind::Function { .. } | ScopeKind::Lambda)),
        _ => false,
    }
}

/// Whether the module starts with `from __future__ import annotations`.
pub fn has_lazy_annotations(root: Node, source: &str) -> bool {
    let mut cursor = root.walk();
    root.named_children(&mut cursor)
        .filter(|c| c.kind_str() == "future_import_statement")
        .any(|c| source[c.byte_range()].contains("annotations"))
}

fn has_async_for(comprehension: Node) -> bool {
    let mut cursor = comprehension.walk();
    comprehension
        .named_children(&mut cursor)
        .filter(|c| c.kind_str() == "for_in_clause")
        .any(|clause| clause.child(0).is_some_and(|t| t.kind_str() == "async"))
}

/// Every node of `scope` that belongs to its own scope, `scope` first: the
/// walk goes down to nested functions, classes and lambdas (which are
/// yielded themselves, so their names can be read) but not into them.
pub fn own_nodes(scope: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    let mut stack = vec![scope];
    // One cursor for the whole walk: `named_children` moves it to each node.
    let mut cursor = scope.walk();
    std::iter::from_fn(move || {
        let node = stack.pop()?;
        let nested = node.id() != scope.id()
            && matches!(
                node.kind_str(),
                "function_definition" | "class_definition" | "lambda"
            );
        if !nested {
            stack.extend(node.named_children(&mut cursor));
        }
        Some(node)
    })
}

pub fn is_async_def(node: Node) -> bool {
    node.kind_str() == "function_definition"
        && node.child(0).is_some_and(|c| c.kind_str() == "async")
}

/// The scopes `node` is evaluated in, innermost first; the last is the module.
pub fn scopes_of(node: Node<'_>) -> Vec<Scope<'_>> {
    let mut scopes = Vec::new();
    let mut child = node;
    // Set when the path from `node` went through a default value or an
    // annotation: those belong to the scope around the next function or lambda.
    let mut evaluated_outside = false;
    // Set when the path went through the iterable of a comprehension's `for`.
    let mut via_iterable: Option<Node> = None;
    for parent in node.ancestors() {
        match parent.kind_str() {
            "default_parameter" | "typed_default_parameter" if is_field(parent, "value", child) => {
                evaluated_outside = true;
            }
            "typed_parameter" | "typed_default_parameter" if is_field(parent, "type", child) => {
                evaluated_outside = true;
            }
            "function_definition" | "lambda" => {
                let inside = is_field(parent, "body", child)
                    || (is_field(parent, "parameters", child) && !evaluated_outside);
                if inside {
                    let kind = if parent.kind_str() == "lambda" {
                        ScopeKind::Lambda
                    } else {
                        ScopeKind::Function {
                            is_async: is_async_def(parent),
                        }
                    };
                    scopes.push(Scope { node: parent, kind });
                }
                evaluated_outside = false;
            }
            "class_definition" if is_field(parent, "body", child) => {
                scopes.push(Scope {
                    node: parent,
                    kind: ScopeKind::Class,
                });
            }
            "for_in_clause" => {
                via_iterable = is_field(parent, "right", child).then_some(parent);
            }
            "list_comprehension"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "generator_expression" => {
                let first_for = {
                    let mut cursor = parent.walk();
                    parent
                        .named_children(&mut cursor)
                        .find(|c| c.kind_str() == "for_in_clause")
                };
                let in_first_iterable = via_iterable
                    .is_some_and(|clause| first_for.is_some_and(|first| first.id() == clause.id()))
                    && first_for.is_some_and(|first| first.id() == child.id());
                if !in_first_iterable {
                    // `(x async for x in xs)` is an async generator already:
                    // `await` inside it changes nothing for its consumer.
                    let generator =
                        parent.kind_str() == "generator_expression" && !has_async_for(parent);
                    scopes.push(Scope {
                        node: parent,
                        kind: ScopeKind::Comprehension { generator },
                    });
                }
                via_iterable = None;
            }
            "module" => {
                scopes.push(Scope {
                    node: parent,
                    kind: ScopeKind::Module,
                });
            }
            _ => {}
        }
        child = parent;
    }
    if scopes.is_empty() {
        // `node` is the module itself.
        scopes.push(Scope {
            node,
            kind: ScopeKind::Module,
        });
    }
    scopes
}

/// Where a call runs, for deciding whether `await` can replace it.
#[derive(Debug, Clone, Copy)]
pub enum Context<'t> {
    /// Directly in the body of an `async def` (comprehensions other than
    /// generator expressions are no boundary).
    Async { function: Node<'t> },
    /// In an `async def`, but inside generator expressions: `await` there makes
    /// an async generator. `generators` counts them; `innermost` is the nearest.
    Generator {
        function: Node<'t>,
        innermost: Node<'t>,
        generators: usize,
    },
    /// In a sync `def`, a lambda or a class body that is itself inside an
    /// `async def`: the code may run on the loop, but `await` is a syntax error.
    NoAwait {
        boundary: Scope<'t>,
        function: Node<'t>,
    },
    /// At module level, or in sync code with no `async def` around it: a
    /// nested run there is not visible from this file alone.
    Sync,
}

/// Like [`context_of`]; with `top_level_await` (a notebook cell), module level
/// counts as a running loop where `await` is allowed, as in an `async def`
/// whose node is the module.
pub fn context_with<'t>(scopes: &[Scope<'t>], top_level_await: bool) -> Context<'t> {
    let context = context_of(scopes);
    if !top_level_await || !matches!(context, Context::Sync) {
        return context;
    }
    let module = scopes[scopes.len() - 1].node;
    let generators: Vec<Node> = scopes
        .iter()
        .take_while(|s| s.kind != ScopeKind::Module)
        .filter(|s| s.kind == ScopeKind::Comprehension { generator: true })
        .map(|s| s.node)
        .collect();
    let boundary = scopes.iter().copied().find(|s| s.is_function_like());
    match boundary {
        Some(b) if b.kind == ScopeKind::Module => match generators.first() {
            None => Context::Async { function: module },
            Some(&innermost) => Context::Generator {
                function: module,
                innermost,
                generators: generators.len(),
            },
        },
        // A class body at a notebook's top level runs at once, on the loop.
        // A sync def or lambda runs when called: its callers are the call
        // graph's to judge, as in a `.py` file.
        Some(boundary) if boundary.kind == ScopeKind::Class => Context::NoAwait {
            boundary,
            function: module,
        },
        _ => context,
    }
}

pub fn context_of<'t>(scopes: &[Scope<'t>]) -> Context<'t> {
    let mut generators = Vec::new();
    let Some(position) = scopes.iter().position(|scope| {
        if let ScopeKind::Comprehension { generator: true } = scope.kind {
            generators.push(scope.node);
        }
        scope.is_function_like()
    }) else {
        return Context::Sync;
    };
    let boundary = scopes[position];
    match boundary.kind {
        ScopeKind::Function { is_async: true } => match generators.first() {
            None => Context::Async {
                function: boundary.node,
            },
            Some(&innermost) => Context::Generator {
                function: boundary.node,
                innermost,
                generators: generators.len(),
            },
        },
        ScopeKind::Module => Context::Sync,
        _ => match scopes[position + 1..]
            .iter()
            .find(|scope| scope.kind == ScopeKind::Function { is_async: true })
        {
            Some(outer) => Context::NoAwait {
                boundary,
                function: outer.node,
            },
            None => Context::Sync,
        },
    }
}
