//! Import bindings and import points: what each `import` / `from ... import`
//! binds (absolute module and name, relative imports resolved), `__all__`,
//! the module's top-level names, and where a fix may insert a new import
//! line (after the docstring and `__future__` imports; in a notebook, per
//! cell).

use crate::syntax::parents::Up;
use std::collections::HashSet;

use tree_sitter::Node;

use super::summary::ImportTarget;
use crate::analysis::graph::modules::resolve_relative;
use crate::analysis::scope::own_nodes;
use crate::syntax::lines;

/// The names an import statement binds, with what each points at.
pub(super) fn import_bindings(
    statement: Node,
    source: &str,
    module: &str,
    is_package: bool,
) -> Vec<(String, ImportTarget)> {
    let text = |n: Node| source[n.byte_range()].to_owned();
    let mut bound = Vec::new();
    let mut cursor = statement.walk();
    let names: Vec<Node> = statement
        .children_by_field_name("name", &mut cursor)
        .collect();
    if statement.kind_str() == "import_statement" {
        for name in names {
            match name.kind_str() {
                "aliased_import" => {
                    if let (Some(dotted), Some(alias)) =
                        (name.child_by_field("name"), name.child_by_field("alias"))
                    {
                        bound.push((text(alias), ImportTarget::Module(text(dotted))));
                    }
                }
                _ => {
                    let full = text(name);
                    let first = full.split('.').next().unwrap_or(&full).to_owned();
                    bound.push((first.clone(), ImportTarget::Module(first)));
                }
            }
        }
        return bound;
    }
    let Some(from_module) = from_module(statement, source, module, is_package) else {
        return bound;
    };
    for name in names {
        let (original, alias) = match name.kind_str() {
            "aliased_import" => match (name.child_by_field("name"), name.child_by_field("alias")) {
                (Some(original), Some(alias)) => (text(original), text(alias)),
                _ => continue,
            },
            _ => (text(name), text(name)),
        };
        bound.push((alias, ImportTarget::Symbol(from_module.clone(), original)));
    }
    bound
}

/// The absolute module a `from ... import` statement imports from.
pub(super) fn from_module(
    statement: Node,
    source: &str,
    module: &str,
    is_package: bool,
) -> Option<String> {
    let text = |n: Node| source[n.byte_range()].to_owned();
    let from = statement.child_by_field("module_name")?;
    if from.kind_str() == "relative_import" {
        let dots = source[from.byte_range()]
            .chars()
            .take_while(|c| *c == '.')
            .count();
        let rest = {
            let mut cursor = from.walk();
            from.named_children(&mut cursor)
                .find(|c| c.kind_str() == "dotted_name")
                .map(text)
                .unwrap_or_default()
        };
        resolve_relative(module, is_package, dots, &rest)
    } else {
        Some(text(from))
    }
}

/// `__all__`'s names when the module assigns it exactly once, at module
/// level, a list or tuple of plain string literals.
pub(super) fn all_names(root: Node, source: &str) -> Option<Vec<String>> {
    let mut found = None;
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        let mut inner = statement.walk();
        for node in statement.named_children(&mut inner) {
            let target = match node.kind_str() {
                "assignment" | "augmented_assignment" => node.child_by_field("left"),
                _ => None,
            };
            if target.is_none_or(|t| &source[t.byte_range()] != "__all__") {
                continue;
            }
            if found.is_some() || node.kind_str() == "augmented_assignment" {
                return None;
            }
            let value = node.child_by_field("right")?;
            if !matches!(value.kind_str(), "list" | "tuple") {
                return None;
            }
            let mut names = Vec::new();
            let mut items = value.walk();
            for item in value.named_children(&mut items) {
                let literal = &source[item.byte_range()];
                let body = literal
                    .strip_prefix('"')
                    .and_then(|l| l.strip_suffix('"'))
                    .or_else(|| {
                        literal
                            .strip_prefix('\'')
                            .and_then(|l| l.strip_suffix('\''))
                    })?;
                if item.kind_str() != "string" || body.contains(['\\', '"', '\'']) {
                    return None;
                }
                names.push(body.to_owned());
            }
            found = Some(names);
        }
    }
    found
}

/// Every name bound at module level.
pub(super) fn module_level_names(root: Node, source: &str) -> HashSet<String> {
    let mut names = HashSet::new();
    for node in own_nodes(root) {
        if node.id() != root.id()
            && matches!(
                node.kind_str(),
                "function_definition" | "class_definition" | "lambda"
            )
        {
            if let Some(name) = node.child_by_field("name") {
                names.insert(source[name.byte_range()].to_owned());
            }
            continue;
        }
        if node.kind_str() == "identifier" {
            names.insert(source[node.byte_range()].to_owned());
        }
    }
    names
}

/// Per notebook cell (the module text between boundaries): its end, and where
/// a new import line goes in it.
pub(super) fn cell_import_points(root: Node, source: &str) -> Vec<(usize, usize)> {
    let boundary = crate::input::notebook::BOUNDARY;
    let mut points = Vec::new();
    let mut start = 0;
    let mut children: Vec<Node> = {
        let mut cursor = root.walk();
        root.named_children(&mut cursor).collect()
    };
    children.reverse();
    for (offset, _) in source.match_indices(boundary) {
        let mut statements = Vec::new();
        while children
            .last()
            .is_some_and(|c| c.start_byte() < offset + boundary.len())
        {
            let child = children.pop().expect("checked");
            if child.start_byte() >= start && child.start_byte() < offset {
                statements.push(child);
            }
        }
        // The start of the line after the block, or the cell's start.
        let at = leading_block_end(&statements, source, true).map_or(start, |end| {
            lines::next_line_start(source, end).unwrap_or(offset)
        });
        points.push((offset + boundary.len(), at));
        start = offset + boundary.len();
    }
    points
}

/// The end of the last statement of a leading block of a docstring, comments
/// and imports (and, in a notebook cell, masked IPython lines) among
/// `statements`, the top-level statements of a module or cell in order.
pub(super) fn leading_block_end(statements: &[Node], source: &str, cell: bool) -> Option<usize> {
    let mut at = None;
    let mut seen_statement = false;
    for child in statements {
        match child.kind_str() {
            "import_statement" | "import_from_statement" | "future_import_statement" => {
                at = Some(child.end_byte());
            }
            "comment" => continue,
            "expression_statement"
                if !seen_statement
                    && child
                        .named_child(0)
                        .is_some_and(|s| s.kind_str() == "string") =>
            {
                at = Some(child.end_byte());
            }
            // A masked `%magic`/`!shell` line: the statement `0` padded
            // with spaces. A `%pip install` must run before a new import.
            "expression_statement" if cell && is_masked_line(*child, source) => {
                at = Some(child.end_byte());
            }
            _ => break,
        }
        seen_statement = true;
    }
    at
}

/// A notebook's masked IPython line: `0` and spaces, alone on its line.
pub(super) fn is_masked_line(statement: Node, source: &str) -> bool {
    if &source[statement.byte_range()] != "0" {
        return false;
    }
    let line = &source[statement.end_byte()..lines::line_end(source, statement.end_byte())];
    line.trim_end_matches(' ').is_empty()
}

/// The byte offset where a new import line goes: after the last import of the
/// module's leading block of docstring, comments and imports.
pub(super) fn import_insertion_point(root: Node, source: &str) -> usize {
    let statements: Vec<Node> = {
        let mut cursor = root.walk();
        root.named_children(&mut cursor).collect()
    };
    let at = leading_block_end(&statements, source, false);
    match at {
        // The start of the line after it.
        Some(end) => lines::next_line_start(source, end).unwrap_or(source.len()),
        None => {
            // After a shebang and coding comments at the very top.
            let mut offset = 0;
            for line in lines::lines_inclusive(source) {
                if line.starts_with('#') {
                    offset += line.len();
                } else {
                    break;
                }
            }
            offset
        }
    }
}
