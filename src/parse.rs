//! Parsing Python with tree-sitter.

use tree_sitter::{Parser, Tree};

use crate::queries::language;

pub fn new_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&language())
        .expect("the bundled Python grammar matches the tree-sitter version");
    parser
}

/// Parse `text`. tree-sitter always produces a tree; syntax errors show up as
/// ERROR or MISSING nodes, found by [`first_error`].
pub fn parse(parser: &mut Parser, text: &str) -> Tree {
    parser
        .parse(text, None)
        .expect("parsing without a timeout or cancellation flag always returns a tree")
}

/// The byte offset of the first syntax error in `tree`, if any.
pub fn first_error(tree: &Tree) -> Option<usize> {
    let root = tree.root_node();
    if !root.has_error() {
        return None;
    }
    let mut node = root;
    'descend: loop {
        if node.is_error() || node.is_missing() {
            return Some(node.start_byte());
        }
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if child.has_error() {
                node = child;
                continue 'descend;
            }
        }
        return Some(node.start_byte());
    }
}
