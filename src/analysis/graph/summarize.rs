//! The one walk over a parsed file that fills its [`ModuleSummary`]: every
//! function, class, import and call, with each call resolved by binding, the
//! nested runs placed in the functions that hold them, and thin wrappers
//! marked. The rules' per-file checks reuse the same runs (see
//! `crate::rules::check_file`).

use crate::syntax::parents::Up;
use std::collections::{HashMap, HashSet};

use tree_sitter::{Node, Tree};

use rayon::prelude::*;

use super::functions::function_summary;
use super::imports::{
    all_names, cell_import_points, from_module, import_bindings, import_insertion_point,
    module_level_names,
};
use super::nest_asyncio::whole_lines;
use super::nest_asyncio::{self, NestAsyncio};
use super::nodes::{is_private_name, is_value_use, qualname_of};
use super::resolve::Resolver;
use super::sites::{
    async_for_edit, fstring_quote, loop_callback, place_of, plain_arguments, run_site,
};
use super::summary::{CallSite, Callback, ModuleSummary, Passed, Place, Slot};
use super::wrappers::thin_wrapper;
use crate::analysis::bindings::Meaning;
use crate::analysis::runs::{Checker, NestedRun};
use crate::analysis::scope::scopes_of;
use crate::edit::TextRange;
use crate::edit::rewrite;
use crate::syntax::parents::ParentMap;

/// The summary of one file: its functions, calls, imports and runs, from
/// one parse, one set of bindings and one search for runs (the same runs the
/// per-file rules check, see `crate::rules::check_file`).
/// From this many functions on, a module's are summarised in parallel.
const PARALLEL_FUNCTIONS: usize = 256;

pub fn summarize<'t>(
    tree: &'t Tree,
    checker: &Checker<'t>,
    runs: &[NestedRun<'t>],
    module: &str,
    is_package: bool,
) -> ModuleSummary {
    let source = checker.source;
    let root = tree.root_node();
    // The tree's one walk sorts out the nodes the index needs.
    let mut function_nodes = Vec::new();
    // Where each is in the walk.
    let mut function_places = Vec::new();
    let mut class_nodes = Vec::new();
    let mut call_nodes = Vec::new();
    let mut import_nodes = Vec::new();
    let mut value_uses = HashSet::new();
    for (place, visit) in checker.nodes.iter().enumerate() {
        let node = visit.node;
        match visit.kind() {
            "function_definition" => {
                function_nodes.push(node);
                function_places.push(place);
            }
            "class_definition" => class_nodes.push(node),
            "call" => call_nodes.push(node),
            "import_statement" | "import_from_statement" => import_nodes.push(node),
            "identifier" if is_value_use(node) => {
                value_uses.insert(source[node.byte_range()].to_owned());
            }
            // `getattr(module, "_load")`, `globals()["_load"]`: a private
            // name written as a string may be looked up by it, and called as
            // it was. (Public names are never made async safely anyway.)
            "string_content" if is_private_name(&source[node.byte_range()]) => {
                value_uses.insert(source[node.byte_range()].to_owned());
            }
            _ => {}
        }
    }

    let by_node: HashMap<usize, usize> = function_nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id(), i))
        .collect();
    let mut summary = ModuleSummary {
        module: module.to_owned(),
        is_package,
        functions: Vec::new(),
        classes: Vec::new(),
        top_level_await: checker.top_level_await,
        imports: HashMap::new(),
        star_imports: Vec::new(),
        all_names: all_names(root, source),
        module_names: HashSet::new(),
        asyncio_name: None,
        calls: Vec::new(),
        lambda_runs: Vec::new(),
        callbacks: Vec::new(),
        passed: Vec::new(),
        class_strings: Vec::new(),
        dict_values: Vec::new(),
        import_time_runs: Vec::new(),
        value_uses,
        nest_asyncio: NestAsyncio::default(),
        import_at: import_insertion_point(root, source),
        cell_import_points: if checker.top_level_await {
            cell_import_points(root, source)
        } else {
            Vec::new()
        },
        line_ending: if source.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        },
    };
    // A large module's functions are summarised on several threads, each
    // with the tree's parent map; a small one's on this thread, which is
    // cheaper than handing them out.
    summary.functions = match ParentMap::installed(tree) {
        Some(parents) if function_nodes.len() >= PARALLEL_FUNCTIONS => function_places
            .par_iter()
            .with_min_len(PARALLEL_FUNCTIONS / 4)
            .map_init(
                || parents.enter(),
                |_, &place| function_summary(checker.nodes, place, &by_node, source),
            )
            .collect(),
        _ => function_places
            .iter()
            .map(|&place| function_summary(checker.nodes, place, &by_node, source))
            .collect(),
    };
    for node in &class_nodes {
        let bases = node
            .child_by_field("superclasses")
            .map(|list| {
                let mut cursor = list.walk();
                list.named_children(&mut cursor)
                    .filter(|b| matches!(b.kind_str(), "identifier" | "attribute"))
                    .map(|b| {
                        let text = &source[b.byte_range()];
                        text.rsplit('.').next().unwrap_or(text).to_owned()
                    })
                    .collect()
            })
            .unwrap_or_default();
        let qualname = qualname_of(*node, source);
        summary
            .class_strings
            .extend(class_strings(*node, source).map(|(n, v)| (qualname.clone(), n, v)));
        summary.classes.push((qualname, bases));
    }
    summary.dict_values = module_dicts(root, source);
    for node in &import_nodes {
        if node.up().is_some_and(|p| p.kind_str() == "module") {
            for (name, target) in import_bindings(*node, source, module, is_package) {
                summary.imports.insert(name, target);
            }
            let mut cursor = node.walk();
            if node.kind_str() == "import_from_statement"
                && node
                    .named_children(&mut cursor)
                    .any(|c| c.kind_str() == "wildcard_import")
                && let Some(from) = from_module(*node, source, module, is_package)
            {
                summary.star_imports.push(from);
            }
        }
    }
    summary.module_names = module_level_names(root, source);
    summary.asyncio_name = summary.module_names.iter().find_map(|name| {
        let scopes = scopes_of(root);
        (checker.bindings.resolve(name, &scopes) == Meaning::AsyncioModule).then(|| name.clone())
    });

    let resolver = Resolver {
        checker,
        by_node: &by_node,
        module,
        is_package,
        stars: !summary.star_imports.is_empty(),
        self_fields: Default::default(),
        receivers: Default::default(),
    };
    let (mut apply_statements, mut import_statements) = (Vec::new(), Vec::new());
    for call in call_nodes {
        let scopes = scopes_of(call);
        let place = place_of(&scopes, &by_node);
        if let Some(registered) = loop_callback(call, source) {
            let callback = match registered.kind_str() {
                "lambda" => Some(Callback::Lambda(registered.start_byte())),
                _ => resolver
                    .callee_of_reference(registered)
                    .map(Callback::Function),
            };
            summary.callbacks.extend(callback);
        }
        let Some(function) = rewrite::callee(call) else {
            continue;
        };
        let callee = resolver.callee(function, &scopes);
        for (slot, reference) in named_arguments(call, source) {
            if let Some(callee) = resolver.callee_of_reference(reference) {
                summary.passed.push(Passed {
                    call: summary.calls.len(),
                    slot,
                    callee,
                });
            }
        }
        summary.calls.push(CallSite {
            range: TextRange::new(rewrite::call_start(call), call.end_byte()),
            callee,
            callee_text: source[function.byte_range()].to_owned(),
            place,
            guarded: {
                let in_async = matches!(
                    crate::analysis::scope::context_of(&scopes),
                    crate::analysis::scope::Context::Async { .. }
                        | crate::analysis::scope::Context::Generator { .. }
                );
                checker.guards.is_guarded(call, in_async)
            },
            falls_back: checker.guards.falls_back_on_runtime_error(call),
            awaited: rewrite::is_awaited(call),
            await_edits: rewrite::await_edits(call),
            arguments: plain_arguments(call, source),
            async_for_edit: async_for_edit(call),
            fstring_quote: fstring_quote(call, source),
        });
        if source[function.byte_range()] == *"nest_asyncio.apply" {
            let statement = call
                .up()
                .filter(|p| p.kind_str() == "expression_statement" && p.named_child_count() == 1);
            apply_statements.push(statement);
            summary.nest_asyncio.applies.push((
                TextRange::of(call),
                statement.and_then(|s| whole_lines(s, source)),
            ));
        }
    }
    for node in &import_nodes {
        if node.kind_str() == "import_statement"
            && source[node.byte_range()]
                .split_whitespace()
                .collect::<Vec<_>>()
                == ["import", "nest_asyncio"]
            && let Some(lines) = whole_lines(*node, source)
        {
            summary.nest_asyncio.imports.push(lines);
            import_statements.push(*node);
        }
    }
    let mentions = source.matches("nest_asyncio").count();
    summary.nest_asyncio.other_uses = mentions
        .saturating_sub(summary.nest_asyncio.applies.len() + summary.nest_asyncio.imports.len());
    summary.nest_asyncio.removal = nest_asyncio::removal(
        &apply_statements,
        &import_statements,
        summary.nest_asyncio.other_uses == 0,
        source,
    );

    for run in runs {
        if run.is_guarded(checker) {
            continue;
        }
        let place = place_of(&run.scopes, &by_node);
        match place {
            Place::Function(index) | Place::Generator(index) => {
                summary.functions[index]
                    .runs
                    .push(run_site(run, place, source));
            }
            Place::Lambda(_) => summary.lambda_runs.push(run_site(run, place, source)),
            Place::Module | Place::Other => {}
        }
        if crate::analysis::import_time::runs_at_import(run, checker) {
            summary.import_time_runs.push(run_site(run, place, source));
        }
    }
    for (index, node) in function_nodes.iter().enumerate() {
        summary.functions[index].thin_wrapper =
            thin_wrapper(*node, &summary.functions[index], &resolver);
    }
    summary
}

/// The arguments of `call` that name a function (a name or a dotted name),
/// alone or as the items of a list or tuple literal.
fn named_arguments<'t>(call: Node<'t>, source: &str) -> Vec<(Slot, Node<'t>)> {
    let mut found = Vec::new();
    let Some(arguments) = call
        .child_by_field("arguments")
        .filter(|a| a.kind_str() == "argument_list")
    else {
        return found;
    };
    let mut cursor = arguments.walk();
    let mut position = 0;
    for child in arguments.named_children(&mut cursor) {
        let (slot, value) = match child.kind_str() {
            "comment" | "list_splat" | "dictionary_splat" => continue,
            "keyword_argument" => {
                let (Some(name), Some(value)) =
                    (child.child_by_field("name"), child.child_by_field("value"))
                else {
                    continue;
                };
                (Slot::Keyword(source[name.byte_range()].to_owned()), value)
            }
            _ => {
                position += 1;
                (Slot::Positional(position - 1), child)
            }
        };
        let items: Vec<Node> = match value.kind_str() {
            "identifier" | "attribute" => vec![value],
            "list" | "tuple" => {
                let mut inner = value.walk();
                value
                    .named_children(&mut inner)
                    .filter(|n| matches!(n.kind_str(), "identifier" | "attribute"))
                    .collect()
            }
            _ => Vec::new(),
        };
        for item in items {
            found.push((slot.clone(), item));
        }
    }
    found
}

/// `name = "text"` statements directly in a class body, with a plain string
/// (no f-string, no concatenation).
fn class_strings<'s>(
    class: Node,
    source: &'s str,
) -> impl Iterator<Item = (String, String)> + use<'s> {
    let mut found = Vec::new();
    if let Some(body) = class.child_by_field("body") {
        let mut cursor = body.walk();
        for statement in body.named_children(&mut cursor) {
            if let Some((name, value)) = plain_assignment(statement, source)
                && let Some(text) = plain_string(value, source)
            {
                found.push((name, text));
            }
        }
    }
    found.into_iter()
}

/// Module-level `NAME = {key: value, ...}`, with the values that are plain or
/// dotted names.
fn module_dicts(root: Node, source: &str) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        let Some((name, value)) = plain_assignment(statement, source) else {
            continue;
        };
        if value.kind_str() != "dictionary" {
            continue;
        }
        let mut inner = value.walk();
        let values = value
            .named_children(&mut inner)
            .filter(|pair| pair.kind_str() == "pair")
            .filter_map(|pair| pair.child_by_field("value"))
            .filter(|v| matches!(v.kind_str(), "identifier" | "attribute"))
            .map(|v| source[v.byte_range()].to_owned())
            .collect();
        found.push((name, values));
    }
    found
}

/// `name = value` as a whole statement: the name and the value.
fn plain_assignment<'t>(statement: Node<'t>, source: &str) -> Option<(String, Node<'t>)> {
    if statement.kind_str() != "expression_statement" || statement.named_child_count() != 1 {
        return None;
    }
    let assignment = statement
        .named_child(0)
        .filter(|a| a.kind_str() == "assignment")?;
    let left = assignment
        .child_by_field("left")
        .filter(|l| l.kind_str() == "identifier")?;
    let right = assignment.child_by_field("right")?;
    Some((source[left.byte_range()].to_owned(), right))
}

/// The text of a plain string literal (no prefix but `u`, no interpolation,
/// no escapes).
fn plain_string(node: Node, source: &str) -> Option<String> {
    if node.kind_str() != "string" {
        return None;
    }
    let text = &source[node.byte_range()];
    let body = text.strip_prefix(['u', 'U']).unwrap_or(text);
    let quote = body.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = body.strip_prefix(quote)?.strip_suffix(quote)?;
    (!inner.is_empty() && !inner.contains(['\\', '"', '\'', '\n'])).then(|| inner.to_owned())
}
