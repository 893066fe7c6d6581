//! What each name means in each scope: asyncio, one of asyncio's functions, or
//! something else.
//!
//! The resolution follows Python's rules rather than the text: a name bound
//! anywhere in a function is local to all of it, class bodies are invisible to the
//! functions inside them, `global` and `nonlocal` redirect a name, and a name
//! bound both by `import asyncio` and by an assignment in one scope is taken as
//! not asyncio's. So `subprocess.run`, a parameter called `run` and a local
//! `asyncio = FakeLoop()` are never mistaken for asyncio.

use crate::parents::Up;
use std::collections::HashMap;

use tree_sitter::{Node, QueryCursor, StreamingIterator, Tree};

use super::scope::{Scope, ScopeKind, scopes_of};
use crate::queries::{BINDINGS, IMPORTS, captured};

/// What a name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// The `asyncio` module (`import asyncio`, `import asyncio as aio`).
    AsyncioModule,
    /// A member imported from asyncio (`from asyncio import run as arun`).
    AsyncioMember(&'static str),
    /// Anything else: a local, a parameter, another module's import.
    Other,
    /// No binding in any enclosing scope: a builtin, or undefined.
    Unbound,
}

/// The members of asyncio whose names matter to the analysis; `from asyncio
/// import *` binds them all.
const MEMBERS: [&str; 6] = [
    "run",
    "Runner",
    "get_event_loop",
    "new_event_loop",
    "get_running_loop",
    "to_thread",
];

#[derive(Debug, Clone, Copy)]
enum Kind {
    Meaning(Meaning),
    Global,
    Nonlocal,
}

#[derive(Debug, Clone, Copy)]
pub struct Binding<'t> {
    /// The identifier that is bound.
    pub node: Node<'t>,
    kind: Kind,
}

/// Every binding in one file, by scope and name.
pub struct Bindings<'t> {
    /// For each name, its bindings by the id of the scope they belong to.
    by_name: HashMap<&'t str, HashMap<usize, Vec<Binding<'t>>>>,
    /// Scopes holding `from asyncio import *`.
    star_scopes: Vec<usize>,
    module: usize,
}

impl<'t> Bindings<'t> {
    pub fn collect(tree: &'t Tree, source: &'t str) -> Self {
        let root = tree.root_node();
        let mut meanings: HashMap<usize, Meaning> = HashMap::new();
        let mut star_scopes = Vec::new();

        let imports = &*IMPORTS;
        let (module, alias, name, star) = (
            imports.capture("module"),
            imports.capture("alias"),
            imports.capture("name"),
            imports.capture("star"),
        );
        let mut cursor = QueryCursor::new();
        let mut matches = cursor.matches(&imports.query, root, source.as_bytes());
        while let Some(m) = matches.next() {
            let get = |index| captured(m, index);
            if let Some(star) = get(star) {
                star_scopes.push(binding_scope(star).node.id());
            } else if let Some(module_node) = get(module) {
                let bound = get(alias).unwrap_or(module_node);
                meanings.insert(bound.id(), Meaning::AsyncioModule);
            } else if let Some(name_node) = get(name) {
                let member = &source[name_node.byte_range()];
                let meaning = match MEMBERS.iter().find(|&&m| m == member) {
                    Some(&known) => Meaning::AsyncioMember(known),
                    None => Meaning::Other,
                };
                let bound = get(alias).unwrap_or(name_node);
                meanings.insert(bound.id(), meaning);
            }
        }

        let bindings = &*BINDINGS;
        let (binding, global, nonlocal) = (
            bindings.capture("binding"),
            bindings.capture("global"),
            bindings.capture("nonlocal"),
        );
        let mut by_name: HashMap<&'t str, HashMap<usize, Vec<Binding<'t>>>> = HashMap::new();
        let mut cursor = QueryCursor::new();
        let mut captures = cursor.captures(&bindings.query, root, source.as_bytes());
        while let Some((m, index)) = captures.next() {
            let capture = m.captures()[*index];
            let node = capture.node;
            let kind = if capture.index == binding {
                Kind::Meaning(meanings.get(&node.id()).copied().unwrap_or(Meaning::Other))
            } else if capture.index == global {
                Kind::Global
            } else if capture.index == nonlocal {
                Kind::Nonlocal
            } else {
                continue;
            };
            let scope = binding_scope(node);
            let list = by_name
                .entry(&source[node.byte_range()])
                .or_default()
                .entry(scope.node.id())
                .or_default();
            // One identifier can match two patterns (`*a` in a tuple pattern).
            if !list.iter().any(|b| b.node.id() == node.id()) {
                list.push(Binding { node, kind });
            }
        }
        Self {
            by_name,
            star_scopes,
            module: root.id(),
        }
    }

    /// What `name` means when used at a place whose scopes are `scopes`
    /// (innermost first, from [`scopes_of`]).
    pub fn resolve(&self, name: &str, scopes: &[Scope<'t>]) -> Meaning {
        self.lookup(name, scopes).0
    }

    /// Like [`Bindings::resolve`], also returning the bindings that decided it.
    pub fn lookup(&self, name: &str, scopes: &[Scope<'t>]) -> (Meaning, Vec<Binding<'t>>) {
        let mut skip_to_function = false;
        for (depth, scope) in scopes.iter().enumerate() {
            let is_function = matches!(scope.kind, ScopeKind::Function { .. } | ScopeKind::Lambda);
            // A class body is visible only to code directly inside it.
            if scope.kind == ScopeKind::Class && depth > 0 {
                continue;
            }
            if skip_to_function && !is_function {
                continue;
            }
            skip_to_function = false;
            let found = self.get(scope.node.id(), name);
            if found.iter().any(|b| matches!(b.kind, Kind::Global)) {
                return self.module_lookup(name);
            }
            if found.iter().any(|b| matches!(b.kind, Kind::Nonlocal)) {
                skip_to_function = true;
                continue;
            }
            if !found.is_empty() {
                return (agree(&found), found);
            }
            if self.star_scopes.contains(&scope.node.id()) && MEMBERS.contains(&name) {
                let member = MEMBERS
                    .iter()
                    .find(|&&m| m == name)
                    .copied()
                    .unwrap_or("run");
                return (Meaning::AsyncioMember(member), Vec::new());
            }
        }
        (Meaning::Unbound, Vec::new())
    }

    fn module_lookup(&self, name: &str) -> (Meaning, Vec<Binding<'t>>) {
        let found = self.get(self.module, name);
        if found.is_empty() {
            let member = MEMBERS.iter().find(|&&m| m == name);
            return match member {
                Some(&m) if self.star_scopes.contains(&self.module) => {
                    (Meaning::AsyncioMember(m), Vec::new())
                }
                _ => (Meaning::Unbound, Vec::new()),
            };
        }
        (agree(&found), found)
    }

    fn get(&self, scope: usize, name: &str) -> Vec<Binding<'t>> {
        self.by_name
            .get(name)
            .and_then(|scopes| scopes.get(&scope))
            .cloned()
            .unwrap_or_default()
    }

    /// Whether any scope binds `name` to asyncio's `run` (or asyncio itself is
    /// imported). A quick test to skip files that cannot hold a finding through a
    /// bare name.
    pub fn binds_asyncio_member(&self, name: &str) -> bool {
        self.by_name.get(name).is_some_and(|scopes| {
            scopes
                .values()
                .flatten()
                .any(|b| matches!(b.kind, Kind::Meaning(Meaning::AsyncioMember(_))))
        }) || (!self.star_scopes.is_empty() && MEMBERS.contains(&name))
    }
}

/// The meaning of a name bound several times in one scope: asyncio's only when
/// every binding agrees.
fn agree(found: &[Binding]) -> Meaning {
    let mut meanings = found.iter().map(|b| match b.kind {
        Kind::Meaning(meaning) => meaning,
        Kind::Global | Kind::Nonlocal => Meaning::Other,
    });
    let first = meanings.next().unwrap_or(Meaning::Other);
    if meanings.all(|m| m == first) {
        first
    } else {
        Meaning::Other
    }
}

/// The scope a binding identifier belongs to: the innermost scope around it,
/// except that a walrus binds in the nearest scope that is not a comprehension.
fn binding_scope(node: Node<'_>) -> Scope<'_> {
    let scopes = scopes_of(node);
    let walrus = node.up().is_some_and(|p| p.kind() == "named_expression");
    scopes
        .iter()
        .copied()
        .find(|s| !(walrus && matches!(s.kind, ScopeKind::Comprehension { .. })))
        .unwrap_or(scopes[scopes.len() - 1])
}
