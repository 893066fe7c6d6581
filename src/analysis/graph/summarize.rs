//! The one walk over a parsed file that fills its [`ModuleSummary`]: every
//! function, class, import and call, with each call resolved by binding, the
//! nested runs placed in the functions that hold them, and thin wrappers
//! marked. The rules' per-file checks reuse the same runs (see
//! `crate::rules::check_file`).

use crate::syntax::parents::Up;
use std::collections::{HashMap, HashSet};

use tree_sitter::Tree;

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
use super::summary::{CallSite, Callback, ModuleSummary, Place};
use super::wrappers::thin_wrapper;
use crate::analysis::bindings::Meaning;
use crate::analysis::runs::{Checker, NestedRun};
use crate::analysis::scope::scopes_of;
use crate::edit::TextRange;
use crate::edit::rewrite;

/// The summary of one file: its functions, calls, imports and runs, from
/// one parse, one set of bindings and one search for runs (the same runs the
/// per-file rules check, see `crate::rules::check_file`).
pub fn summarize<'t>(
    tree: &'t Tree,
    checker: &Checker<'t>,
    runs: &[NestedRun<'t>],
    module: &str,
    is_package: bool,
) -> ModuleSummary {
    let source = checker.source;
    let root = tree.root_node();
    // One walk over the tree sorts out the nodes the index needs; it is
    // cheaper than a query, which would try its patterns at every node.
    let mut function_nodes = Vec::new();
    let mut class_nodes = Vec::new();
    let mut call_nodes = Vec::new();
    let mut import_nodes = Vec::new();
    let mut value_uses = HashSet::new();
    let mut cursor = root.walk();
    'walk: loop {
        let node = cursor.node();
        match node.kind() {
            "function_definition" => function_nodes.push(node),
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
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
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
    for node in &function_nodes {
        summary
            .functions
            .push(function_summary(*node, &by_node, source));
    }
    for node in &class_nodes {
        let bases = node
            .child_by_field_name("superclasses")
            .map(|list| {
                let mut cursor = list.walk();
                list.named_children(&mut cursor)
                    .filter(|b| matches!(b.kind(), "identifier" | "attribute"))
                    .map(|b| {
                        let text = &source[b.byte_range()];
                        text.rsplit('.').next().unwrap_or(text).to_owned()
                    })
                    .collect()
            })
            .unwrap_or_default();
        summary.classes.push((qualname_of(*node, source), bases));
    }
    for node in &import_nodes {
        if node.up().is_some_and(|p| p.kind() == "module") {
            for (name, target) in import_bindings(*node, source, module, is_package) {
                summary.imports.insert(name, target);
            }
            let mut cursor = node.walk();
            if node.kind() == "import_from_statement"
                && node
                    .named_children(&mut cursor)
                    .any(|c| c.kind() == "wildcard_import")
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
    };
    let (mut apply_statements, mut import_statements) = (Vec::new(), Vec::new());
    for call in call_nodes {
        let scopes = scopes_of(call);
        let place = place_of(call, &by_node);
        if let Some(registered) = loop_callback(call, source) {
            let callback = match registered.kind() {
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
                .filter(|p| p.kind() == "expression_statement" && p.named_child_count() == 1);
            apply_statements.push(statement);
            summary.nest_asyncio.applies.push((
                TextRange::of(call),
                statement.and_then(|s| whole_lines(s, source)),
            ));
        }
    }
    for node in &import_nodes {
        if node.kind() == "import_statement"
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
        let place = place_of(run.call, &by_node);
        match place {
            Place::Function(index) | Place::Generator(index) => {
                summary.functions[index]
                    .runs
                    .push(run_site(run, place, source));
            }
            Place::Lambda(_) => summary.lambda_runs.push(run_site(run, place, source)),
            Place::Module | Place::Other => {}
        }
    }
    for (index, node) in function_nodes.iter().enumerate() {
        summary.functions[index].thin_wrapper =
            thin_wrapper(*node, &summary.functions[index], &resolver);
    }
    summary
}
