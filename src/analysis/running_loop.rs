//! Which expressions are proven to be the event loop running on the calling
//! thread: a call of `asyncio.get_running_loop()` (which returns only a
//! running loop, and raises when none runs), a call of
//! `asyncio.get_event_loop()` in code that runs on the loop (there it returns
//! the running loop), and a name that the same function binds only to one of
//! those. Such a loop cannot be run again, nor can this thread wait for work it
//! hands to it.

use tree_sitter::Node;

use super::bindings::Meaning;
use super::runs::Checker;
use super::scope::{Scope, ScopeKind, scopes_of};
use crate::syntax::parents::Up;

/// How an expression was proven to be the running loop, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// `get_running_loop()`.
    GetRunningLoop,
    /// `get_event_loop()`, in code that runs on the loop.
    GetEventLoop,
}

impl Proof {
    /// The getter's name, for messages.
    pub fn getter(self) -> &'static str {
        match self {
            Proof::GetRunningLoop => "get_running_loop",
            Proof::GetEventLoop => "get_event_loop",
        }
    }
}

/// Which of asyncio's functions `call` calls, when it calls one by a name the
/// bindings prove to be asyncio's (`asyncio.f`, `aio.f`, `f` imported from
/// asyncio).
pub fn asyncio_function<'s>(call: Node, checker: &Checker<'s>) -> Option<&'s str> {
    if call.kind_str() != "call" {
        return None;
    }
    let source = checker.source;
    let function = call.child_by_field("function")?;
    let scopes = scopes_of(call);
    match function.kind_str() {
        "identifier" => match checker
            .bindings
            .resolve(&source[function.byte_range()], &scopes)
        {
            Meaning::AsyncioMember(name) => Some(name),
            _ => None,
        },
        "attribute" => {
            let object = function.child_by_field("object")?;
            let attribute = function.child_by_field("attribute")?;
            (object.kind_str() == "identifier"
                && checker
                    .bindings
                    .resolve(&source[object.byte_range()], &scopes)
                    == Meaning::AsyncioModule)
                .then(|| &source[attribute.byte_range()])
        }
        _ => None,
    }
}

/// Whether `expr` is proven to be the loop running on the calling thread.
/// `on_loop` says the code around `expr` runs on the loop (an `async def`, a
/// notebook cell), where `get_event_loop()` returns the running loop too.
pub fn running_loop(expr: Node, checker: &Checker, on_loop: bool) -> Option<Proof> {
    let expr = unparenthesized(expr);
    match expr.kind_str() {
        "call" => getter_proof(expr, checker, on_loop),
        "identifier" => {
            let scopes = scopes_of(expr);
            let own = own_scope(&scopes)?;
            let name = &checker.source[expr.byte_range()];
            let (_, found) = checker.bindings.lookup(name, &scopes);
            if found.is_empty() {
                return None;
            }
            let mut proof = None;
            for binding in found {
                // Bound in this very function, by `name = <getter>()`.
                if own_scope(&scopes_of(binding.node)).is_none_or(|s| s.node.id() != own.node.id())
                {
                    return None;
                }
                let parent = binding.node.up()?;
                // `loop = ...` or `loop: T = ...`; not a tuple or a chain.
                if parent.kind_str() != "assignment"
                    || parent
                        .child_by_field("left")
                        .is_none_or(|l| l.id() != binding.node.id())
                {
                    return None;
                }
                let value = parent.child_by_field("right")?;
                let this = getter_proof(unparenthesized(value), checker, on_loop)?;
                // The weaker proof stands for all: `get_event_loop` when any
                // binding is that one.
                if proof.is_none() || this == Proof::GetEventLoop {
                    proof = Some(this);
                }
            }
            proof
        }
        _ => None,
    }
}

/// The scope a name used at `scopes` belongs to when it is local: the
/// innermost function, lambda or module, past comprehensions. A class body is
/// no function: `None`.
fn own_scope<'t>(scopes: &[Scope<'t>]) -> Option<Scope<'t>> {
    let scope = scopes
        .iter()
        .copied()
        .find(|s| !matches!(s.kind, ScopeKind::Comprehension { .. }))?;
    (scope.kind != ScopeKind::Class).then_some(scope)
}

fn getter_proof(call: Node, checker: &Checker, on_loop: bool) -> Option<Proof> {
    let no_arguments = call
        .child_by_field("arguments")
        .is_some_and(|a| a.kind_str() == "argument_list" && a.named_child_count() == 0);
    if !no_arguments {
        return None;
    }
    match asyncio_function(call, checker)? {
        "get_running_loop" => Some(Proof::GetRunningLoop),
        "get_event_loop" if on_loop => Some(Proof::GetEventLoop),
        _ => None,
    }
}

fn unparenthesized(mut node: Node) -> Node {
    while node.kind_str() == "parenthesized_expression" {
        match node.named_child(0) {
            Some(inner) if node.named_child_count() == 1 => node = inner,
            _ => break,
        }
    }
    node
}
