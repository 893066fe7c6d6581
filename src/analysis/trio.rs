//! Functions that trio drives: no asyncio loop runs under them.
//!
//! An `async def` run by `trio.run(f)` (or `anyio.run(f, backend="trio")`)
//! runs in trio's loop, not asyncio's: `asyncio.run()` inside it starts a
//! fresh asyncio loop and works, and `await` on an asyncio coroutine there
//! breaks. Such runs are left alone, like guarded bridges.
//!
//! The decision is per module, by function name, and leans towards reporting:
//! - the trio entries are the names passed first to `trio.run` or to
//!   `anyio.run(..., backend="trio")`, `trio`/`anyio` bound by an import;
//! - the asyncio entries are the names in the first argument of every other
//!   call named `run`, `run_until_complete`, `create_task`, `ensure_future`,
//!   `gather` or `wait_for`, and of every `await` outside a function (a
//!   notebook cell runs under asyncio's loop);
//! - each set grows by the names its functions call, directly or through
//!   other functions of the module;
//! - a function reached from trio and not from asyncio is trio's: the loop
//!   runs in it (and in the sync code it calls) are trio's business.
//!
//! A function of the module called from another module that runs it with
//! asyncio is not seen here.

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use crate::syntax::parents::Up;

/// Calls whose first argument ends up in an asyncio loop.
const ASYNCIO_STARTERS: [&str; 6] = [
    "run",
    "run_until_complete",
    "create_task",
    "ensure_future",
    "gather",
    "wait_for",
];

/// The functions of a module (by node id) that only trio drives.
#[derive(Debug, Default)]
pub struct TrioDriven {
    functions: HashSet<usize>,
}

impl TrioDriven {
    pub fn find(root: Node, source: &str) -> Self {
        // Cheap way out for the files that never name trio.
        if !source.contains("trio") {
            return Self::default();
        }
        let (trio_names, anyio_names) = library_names(root, source);
        if trio_names.is_empty() && anyio_names.is_empty() {
            return Self::default();
        }
        let mut functions: HashMap<&str, Vec<Node>> = HashMap::new();
        let mut calls: HashMap<&str, HashSet<&str>> = HashMap::new();
        let mut trio_seeds = HashSet::new();
        let mut asyncio_seeds = HashSet::new();
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            match node.kind_str() {
                "function_definition" => {
                    if let Some(name) = node.child_by_field("name") {
                        functions
                            .entry(&source[name.byte_range()])
                            .or_default()
                            .push(node);
                    }
                }
                "call" => {
                    let name = last_name(node, source);
                    if let Some(caller) = enclosing_function_name(node, source)
                        && let Some(name) = name
                    {
                        calls.entry(caller).or_default().insert(name);
                    }
                    let first = first_argument(node);
                    if is_trio_entry(node, source, &trio_names, &anyio_names) {
                        trio_seeds.extend(first.and_then(|f| callee_of(f, source)));
                    } else if name.is_some_and(|n| ASYNCIO_STARTERS.contains(&n)) {
                        asyncio_seeds.extend(first.and_then(|f| callee_of(f, source)));
                    }
                }
                "await" if enclosing_function_name(node, source).is_none() => {
                    asyncio_seeds.extend(node.named_child(0).and_then(|v| callee_of(v, source)));
                }
                _ => {}
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
        if trio_seeds.is_empty() {
            return Self::default();
        }
        let by_trio = reach(trio_seeds, &calls);
        let by_asyncio = reach(asyncio_seeds, &calls);
        let functions = by_trio
            .difference(&by_asyncio)
            .filter_map(|name| functions.get(name))
            .flatten()
            .map(|f| f.id())
            .collect();
        Self { functions }
    }

    /// Whether `node` runs in a function that only trio drives.
    pub fn drives(&self, node: Node) -> bool {
        if self.functions.is_empty() {
            return false;
        }
        let mut current = node.up();
        while let Some(n) = current {
            match n.kind_str() {
                "function_definition" => return self.functions.contains(&n.id()),
                "lambda" => return false,
                _ => current = n.up(),
            }
        }
        false
    }
}

/// Names bound to trio and to anyio by `import trio` / `import trio as t`.
fn library_names<'s>(root: Node, source: &'s str) -> (HashSet<&'s str>, HashSet<&'s str>) {
    let mut trio = HashSet::new();
    let mut anyio = HashSet::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.kind_str() == "import_statement" {
            let mut cursor = node.walk();
            for imported in node.named_children(&mut cursor) {
                let (module, bound) = match imported.kind_str() {
                    "dotted_name" => (imported, imported),
                    "aliased_import" => match (
                        imported.child_by_field("name"),
                        imported.child_by_field("alias"),
                    ) {
                        (Some(name), Some(alias)) => (name, alias),
                        _ => continue,
                    },
                    _ => continue,
                };
                match &source[module.byte_range()] {
                    "trio" => trio.insert(&source[bound.byte_range()]),
                    "anyio" => anyio.insert(&source[bound.byte_range()]),
                    _ => false,
                };
            }
            continue;
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    (trio, anyio)
}

/// `trio.run(f, ...)`, or `anyio.run(f, ..., backend="trio")`.
fn is_trio_entry(call: Node, source: &str, trio: &HashSet<&str>, anyio: &HashSet<&str>) -> bool {
    let Some(function) = call
        .child_by_field("function")
        .filter(|f| f.kind_str() == "attribute")
    else {
        return false;
    };
    let (Some(object), Some(attribute)) = (
        function.child_by_field("object"),
        function.child_by_field("attribute"),
    ) else {
        return false;
    };
    if &source[attribute.byte_range()] != "run" || object.kind_str() != "identifier" {
        return false;
    }
    let object = &source[object.byte_range()];
    if trio.contains(object) {
        return true;
    }
    anyio.contains(object)
        && call.child_by_field("arguments").is_some_and(|list| {
            let mut cursor = list.walk();
            list.named_children(&mut cursor).any(|argument| {
                argument.kind_str() == "keyword_argument"
                    && argument
                        .child_by_field("name")
                        .is_some_and(|n| &source[n.byte_range()] == "backend")
                    && argument
                        .child_by_field("value")
                        .is_some_and(|v| matches!(&source[v.byte_range()], "\"trio\"" | "'trio'"))
            })
        })
}

/// The last name of what `call` calls.
fn last_name<'s>(call: Node, source: &'s str) -> Option<&'s str> {
    super::threads::callee_name(call, source)
}

/// The function a first argument names: `f` for `f`, `f(...)`, `m.f`, `m.f(...)`.
fn callee_of<'s>(node: Node, source: &'s str) -> Option<&'s str> {
    match node.kind_str() {
        "identifier" => Some(&source[node.byte_range()]),
        "attribute" => node
            .child_by_field("attribute")
            .map(|a| &source[a.byte_range()]),
        "call" => last_name(node, source),
        "await" | "parenthesized_expression" => {
            node.named_child(0).and_then(|n| callee_of(n, source))
        }
        _ => None,
    }
}

fn first_argument(call: Node) -> Option<Node> {
    let list = call.child_by_field("arguments")?;
    let mut cursor = list.walk();
    list.named_children(&mut cursor)
        .find(|c| c.kind_str() != "comment")
        .map(|c| match c.kind_str() {
            "keyword_argument" => c.child_by_field("value").unwrap_or(c),
            _ => c,
        })
}

/// The name of the innermost function around `node`.
fn enclosing_function_name<'s>(node: Node, source: &'s str) -> Option<&'s str> {
    let mut current = node.up();
    while let Some(n) = current {
        if n.kind_str() == "function_definition" {
            return n
                .child_by_field("name")
                .map(|name| &source[name.byte_range()]);
        }
        current = n.up();
    }
    None
}

/// `seeds` and every name their functions call, transitively.
fn reach<'s>(
    seeds: HashSet<&'s str>,
    calls: &HashMap<&'s str, HashSet<&'s str>>,
) -> HashSet<&'s str> {
    let mut reached = seeds.clone();
    let mut work: Vec<&str> = seeds.into_iter().collect();
    while let Some(name) = work.pop() {
        for &callee in calls.get(name).into_iter().flatten() {
            if reached.insert(callee) {
                work.push(callee);
            }
        }
    }
    reached
}
