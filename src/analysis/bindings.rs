//! What each name means in each scope: asyncio, one of asyncio's functions, or
//! something else.
//!
//! The resolution follows Python's rules rather than the text: a name bound
//! anywhere in a function is local to all of it, class bodies are invisible to the
//! functions inside them, `global` and `nonlocal` redirect a name, and a name
//! bound both by `import asyncio` and by an assignment in one scope is taken as
//! not asyncio's. So `subprocess.run`, a parameter called `run` and a local
//! `asyncio = FakeLoop()` are never mistaken for asyncio.

use crate::syntax::parents::{Up, Visit};
use std::collections::HashMap;

use tree_sitter::Node;

use super::scope::{Scope, ScopeKind, scopes_of};

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
const MEMBERS: [&str; 7] = [
    "run",
    "Runner",
    "get_event_loop",
    "new_event_loop",
    "get_running_loop",
    "to_thread",
    "run_coroutine_threadsafe",
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
    /// Every binding of the file, from one walk over the tree. Which
    /// identifiers bind is a matter of where they sit (see [`binding_kind`]);
    /// imports of asyncio give their names a meaning of asyncio's.
    pub fn collect(nodes: &[Visit<'t>], source: &'t str) -> Self {
        let mut by_name: HashMap<&'t str, HashMap<usize, Vec<Binding<'t>>>> = HashMap::new();
        let mut star_scopes = Vec::new();
        for visit in nodes {
            let node = visit.node;
            match visit.kind() {
                "identifier" => {
                    if let Some(kind) = binding_kind(visit, nodes, source) {
                        let scope = binding_scope(node);
                        by_name
                            .entry(&source[node.byte_range()])
                            .or_default()
                            .entry(scope.node.id())
                            .or_default()
                            .push(Binding { node, kind });
                    }
                }
                "wildcard_import"
                    if visit.parent(nodes).is_some_and(|p| {
                        p.kind() == "import_from_statement" && from_asyncio(p.node, source)
                    }) =>
                {
                    star_scopes.push(binding_scope(node).node.id());
                }
                _ => {}
            }
        }
        // `global name` in a function makes its assignments to `name` bind
        // the module's name: they count among the module's bindings too (a
        // function rebinding a module-level `def` means the name no longer
        // stands for that def alone).
        let module = nodes[0].node.id();
        for scopes in by_name.values_mut() {
            let redirected: Vec<Binding<'t>> = scopes
                .iter()
                .filter(|(scope, found)| {
                    **scope != module && found.iter().any(|b| matches!(b.kind, Kind::Global))
                })
                .flat_map(|(_, found)| {
                    found
                        .iter()
                        .filter(|b| !matches!(b.kind, Kind::Global | Kind::Nonlocal))
                        .copied()
                })
                .collect();
            if !redirected.is_empty() {
                let at_module = scopes.entry(module).or_default();
                at_module.extend(redirected);
                at_module.sort_by_key(|b| b.node.start_byte());
            }
        }
        Self {
            by_name,
            star_scopes,
            module,
        }
    }

    /// What `name` means when used at a place whose scopes are `scopes`
    /// (innermost first, from [`scopes_of`]).
    pub fn resolve(&self, name: &str, scopes: &[Scope<'t>]) -> Meaning {
        self.lookup(name, scopes).0
    }

    /// Like [`Bindings::resolve`], also returning the bindings that decided it.
    pub fn lookup(&self, name: &str, scopes: &[Scope<'t>]) -> (Meaning, &[Binding<'t>]) {
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
                return (agree(found), found);
            }
            if self.star_scopes.contains(&scope.node.id()) && MEMBERS.contains(&name) {
                let member = MEMBERS
                    .iter()
                    .find(|&&m| m == name)
                    .copied()
                    .unwrap_or("run");
                return (Meaning::AsyncioMember(member), &[]);
            }
        }
        (Meaning::Unbound, &[])
    }

    fn module_lookup(&self, name: &str) -> (Meaning, &[Binding<'t>]) {
        let found = self.get(self.module, name);
        if found.is_empty() {
            let member = MEMBERS.iter().find(|&&m| m == name);
            return match member {
                Some(&m) if self.star_scopes.contains(&self.module) => {
                    (Meaning::AsyncioMember(m), &[])
                }
                _ => (Meaning::Unbound, &[]),
            };
        }
        (agree(found), found)
    }

    fn get(&self, scope: usize, name: &str) -> &[Binding<'t>] {
        self.by_name
            .get(name)
            .and_then(|scopes| scopes.get(&scope))
            .map_or(&[], Vec::as_slice)
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

/// Whether the identifier visited at `visit` (of the walk `nodes`) binds a
/// name, and how; the walk tells its parent and grandparent, with the fields
/// they sit in. The
/// forms: parameters, assignment targets (plain, augmented, unpacked, walrus),
/// `for` targets, `as` targets, `def`/`class` names, `del`, imports, match
/// captures, `type` aliases, and `global`/`nonlocal` (which redirect).
fn binding_kind(visit: &Visit, nodes: &[Visit], source: &str) -> Option<Kind> {
    let bound = Some(Kind::Meaning(Meaning::Other));
    let (identifier, field) = (visit.node, visit.field());
    let parent_visit = visit.parent(nodes)?;
    let (parent, parent_field) = (parent_visit.node, parent_visit.field());
    let grandparent_visit = parent_visit.parent(nodes);
    let grandparent_node = grandparent_visit.map(|g| g.node);
    let grandparent = grandparent_visit.map(|g| g.kind());
    match parent_visit.kind() {
        "parameters"
        | "lambda_parameters"
        | "typed_parameter"
        | "list_splat_pattern"
        | "dictionary_splat_pattern"
        | "pattern_list"
        | "tuple_pattern"
        | "list_pattern"
        | "as_pattern_target"
        | "delete_statement"
        | "splat_pattern" => bound,
        "global_statement" => Some(Kind::Global),
        "nonlocal_statement" => Some(Kind::Nonlocal),
        "default_parameter"
        | "typed_default_parameter"
        | "named_expression"
        | "function_definition"
        | "class_definition"
            if field == Some("name") =>
        {
            bound
        }
        "assignment" | "augmented_assignment" | "for_statement" | "for_in_clause"
            if field == Some("left") =>
        {
            bound
        }
        "tuple" | "list" if grandparent == Some("as_pattern_target") => bound,
        "expression_list" if grandparent == Some("delete_statement") => bound,
        "type" if grandparent == Some("type_alias_statement") && parent_field == Some("left") => {
            bound
        }
        "as_pattern" => {
            // `case [x] as y`: the name after a pattern.
            let mut cursor = parent.walk();
            let after_pattern = parent
                .named_children(&mut cursor)
                .take_while(|c| c.id() != identifier.id())
                .any(|c| c.kind_str() == "case_pattern");
            after_pattern.then_some(Kind::Meaning(Meaning::Other))
        }
        "dotted_name" => {
            let only = parent.named_child_count() == 1;
            let first = parent
                .named_child(0)
                .is_some_and(|c| c.id() == identifier.id());
            match grandparent? {
                // `import a.b` binds `a`.
                "import_statement" if first && parent_field == Some("name") => {
                    let meaning = if &source[identifier.byte_range()] == "asyncio" {
                        Meaning::AsyncioModule
                    } else {
                        Meaning::Other
                    };
                    Some(Kind::Meaning(meaning))
                }
                "import_from_statement" if only && parent_field == Some("name") => {
                    let statement = grandparent_node?;
                    Some(Kind::Meaning(imported_meaning(
                        statement,
                        &source[identifier.byte_range()],
                        source,
                    )))
                }
                "case_pattern" | "keyword_pattern" if only => bound,
                _ => None,
            }
        }
        "aliased_import" if field == Some("alias") => {
            let statement = grandparent_node?;
            let original = parent.child_by_field("name")?;
            let single = original.named_child_count() == 1;
            let meaning = match statement.kind_str() {
                // `import asyncio as aio`
                "import_statement" => {
                    if single && &source[original.byte_range()] == "asyncio" {
                        Meaning::AsyncioModule
                    } else {
                        Meaning::Other
                    }
                }
                // `from asyncio import run as arun`
                "import_from_statement" if single => {
                    imported_meaning(statement, &source[original.byte_range()], source)
                }
                "import_from_statement" => Meaning::Other,
                _ => return None,
            };
            Some(Kind::Meaning(meaning))
        }
        _ => None,
    }
}

/// Whether `statement` is `from asyncio import ...`.
fn from_asyncio(statement: Node, source: &str) -> bool {
    statement.child_by_field("module_name").is_some_and(|m| {
        m.kind_str() == "dotted_name"
            && m.named_child_count() == 1
            && &source[m.byte_range()] == "asyncio"
    })
}

/// What `name` means when `statement` (a `from ... import`) imports it.
fn imported_meaning(statement: Node, name: &str, source: &str) -> Meaning {
    if !from_asyncio(statement, source) {
        return Meaning::Other;
    }
    match MEMBERS.iter().find(|&&m| m == name) {
        Some(&known) => Meaning::AsyncioMember(known),
        None => Meaning::Other,
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
    let walrus = node
        .up()
        .is_some_and(|p| p.kind_str() == "named_expression");
    scopes
        .iter()
        .copied()
        .find(|s| !(walrus && matches!(s.kind, ScopeKind::Comprehension { .. })))
        .unwrap_or(scopes[scopes.len() - 1])
}
