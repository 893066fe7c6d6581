//! Parsing Python with tree-sitter.

use tree_sitter::{Parser, Point, Range, Tree};

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

/// Parse `text` without the byte ranges in `holes` (sorted, disjoint, each a
/// whole statement): the tree has the rest, at its real offsets.
pub fn parse_without(parser: &mut Parser, text: &str, holes: &[(u32, u32)]) -> Tree {
    if holes.is_empty() {
        return parse(parser, text);
    }
    // Rows count '\n', as tree-sitter counts them.
    let point = |offset: usize| {
        let before = &text.as_bytes()[..offset];
        let row = memchr::memchr_iter(b'\n', before).count();
        let column = before.len() - memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
        Point { row, column }
    };
    let mut ranges = Vec::new();
    let mut from = 0usize;
    for &(start, end) in holes {
        let (start, end) = (start as usize, end as usize);
        if start > from {
            ranges.push(Range {
                start_byte: from,
                end_byte: start,
                start_point: point(from),
                end_point: point(start),
            });
        }
        from = from.max(end);
    }
    if from < text.len() {
        ranges.push(Range {
            start_byte: from,
            end_byte: text.len(),
            start_point: point(from),
            end_point: point(text.len()),
        });
    }
    if ranges.is_empty() {
        return parse(parser, text);
    }
    parser
        .set_included_ranges(&ranges)
        .expect("ranges are sorted and disjoint");
    let tree = parse(parser, text);
    parser
        .set_included_ranges(&[])
        .expect("no ranges means the whole text");
    tree
}

/// The byte offset of the first syntax error in `tree`, if any. Besides what
/// tree-sitter flags, `await await x` counts: tree-sitter-python accepts it,
/// CPython does not.
pub fn first_error(tree: &Tree) -> Option<usize> {
    let root = tree.root_node();
    if !root.has_error() {
        return double_await(tree);
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

/// The first `await` whose operand is itself an unparenthesised `await`.
fn double_await(tree: &Tree) -> Option<usize> {
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        if node.kind() == "await" && node.named_child(0).is_some_and(|n| n.kind() == "await") {
            return Some(node.start_byte());
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_await_is_an_error() {
        let mut parser = new_parser();
        let bad = parse(&mut parser, "async def f():\n    await await g()\n");
        assert_eq!(first_error(&bad), Some(19));
        let good = parse(&mut parser, "async def f():\n    await (await g())\n");
        assert_eq!(first_error(&good), None);
    }
}
