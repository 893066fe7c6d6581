//! Questions about one tree-sitter node that the summary asks many times:
//! whether an identifier binds a name or uses a value, which field of its
//! parent a node is, the qualified name of a `def` or `class`.

use crate::syntax::parents::Up;

use tree_sitter::Node;

/// `Outer.method`, `outer.<locals>.inner`, as Python's `__qualname__`.
pub(super) fn qualname_of(node: Node, source: &str) -> String {
    let mut parts = Vec::new();
    let mut first = true;
    for n in std::iter::once(node).chain(node.ancestors()) {
        match n.kind_str() {
            "function_definition" | "class_definition" => {
                if let Some(name) = n.child_by_field("name") {
                    if n.kind_str() == "function_definition" && !first {
                        parts.push("<locals>".to_owned());
                    }
                    parts.push(source[name.byte_range()].to_owned());
                    first = false;
                }
            }
            _ => {}
        }
    }
    parts.reverse();
    parts.join(".")
}

/// `_name`: a private identifier, not a dunder.
pub(super) fn is_private_name(text: &str) -> bool {
    text.starts_with('_')
        && !text.ends_with("__")
        && text.chars().all(|c| c == '_' || c.is_alphanumeric())
        && text.chars().any(|c| c != '_')
}

/// Whether an identifier is bound where it stands (a target, a parameter, an
/// import, a `global`), as opposed to read.
pub(super) fn is_binding(identifier: Node) -> bool {
    identifier
        .up()
        .is_some_and(|parent| is_binding_in(identifier, parent))
}

/// [`is_binding`] for an identifier whose parent is known.
pub(super) fn is_binding_in(identifier: Node, parent: Node) -> bool {
    let is = |field: &str| is_field_node(parent, field, identifier);
    match parent.kind_str() {
        "assignment" | "augmented_assignment" | "for_statement" | "for_in_clause" => is("left"),
        "named_expression" | "default_parameter" | "typed_default_parameter" => is("name"),
        "pattern_list"
        | "tuple_pattern"
        | "list_pattern"
        | "as_pattern_target"
        | "parameters"
        | "lambda_parameters"
        | "typed_parameter"
        | "list_splat_pattern"
        | "dictionary_splat_pattern"
        | "global_statement"
        | "nonlocal_statement"
        | "delete_statement" => true,
        "aliased_import" => is("alias"),
        "dotted_name" => parent.up().is_some_and(|p| {
            matches!(p.kind_str(), "import_statement" | "import_from_statement")
                && !is_field_node(p, "module_name", parent)
        }),
        _ => false,
    }
}

/// An identifier used as a value: not a call's function, not a definition's or
/// parameter's name, not part of an import, not a keyword argument's name.
pub(super) fn is_value_use(identifier: Node) -> bool {
    let Some(parent) = identifier.up() else {
        return false;
    };
    let is = |field: &str, node: Node| {
        node.child_by_field(field)
            .is_some_and(|n| n.id() == identifier.id())
    };
    match parent.kind_str() {
        "call" if is("function", parent) => false,
        "attribute" if is("attribute", parent) => parent
            .up()
            .is_none_or(|g| !(g.kind_str() == "call" && is_field_node(g, "function", parent))),
        "attribute" => true,
        "function_definition" | "class_definition" | "keyword_argument" if is("name", parent) => {
            false
        }
        "dotted_name"
        | "aliased_import"
        | "parameters"
        | "default_parameter"
        | "typed_parameter"
        | "typed_default_parameter"
        | "global_statement"
        | "nonlocal_statement" => false,
        _ => true,
    }
}

pub(super) fn is_field_node(parent: Node, field: &str, child: Node) -> bool {
    parent
        .child_by_field(field)
        .is_some_and(|n| n.id() == child.id())
}
