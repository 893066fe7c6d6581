//! Parsing Python with tree-sitter.

use std::borrow::Cow;

use tree_sitter::{Parser, Point, Range, Tree};

use crate::syntax::queries::language;

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
    parse_read(parser, &line_ends(text))
}

/// `text` as tree-sitter must read it: a lone CR ends a line in CPython, but
/// tree-sitter-python reads it as a blank inside the line (a comment would run
/// on over the next line). So it is read as LF: one byte for one, so every
/// offset and node holds for `text` itself, and rows count it as a line end.
fn line_ends(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let lone = |i: usize| bytes.get(i + 1) != Some(&b'\n');
    if !memchr::memchr_iter(b'\r', bytes).any(lone) {
        return Cow::Borrowed(text);
    }
    let mut read = bytes.to_vec();
    for i in memchr::memchr_iter(b'\r', bytes) {
        if lone(i) {
            read[i] = b'\n';
        }
    }
    Cow::Owned(String::from_utf8(read).expect("an ASCII byte for an ASCII byte"))
}

fn parse_read(parser: &mut Parser, text: &str) -> Tree {
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
    let text: &str = &line_ends(text);
    // Rows count '\n', as tree-sitter counts them. Offsets only grow, so each
    // point counts the newlines since the last one.
    let bytes = text.as_bytes();
    let (mut at, mut row, mut line_start) = (0usize, 0usize, 0usize);
    let mut point = |offset: usize| {
        for newline in memchr::memchr_iter(b'\n', &bytes[at..offset]) {
            row += 1;
            line_start = at + newline + 1;
        }
        at = offset;
        Point {
            row,
            column: offset - line_start,
        }
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
        return parse_read(parser, text);
    }
    parser
        .set_included_ranges(&ranges)
        .expect("ranges are sorted and disjoint");
    let tree = parse_read(parser, text);
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
    fn a_parse_without_holes_keeps_real_offsets_and_points() {
        let text = "import a\n\ndef skipped():\n    return 1\n\nclass K:\n    def gone(self):\n        pass\n\n    def kept(self):\n        return 2\n";
        let skipped = text.find("def skipped").unwrap() as u32;
        let class = text.find("class K").unwrap() as u32;
        let gone = text.find("    def gone").unwrap() as u32;
        let kept = text.find("    def kept").unwrap() as u32;
        let mut parser = new_parser();
        let partial = parse_without(&mut parser, text, &[(skipped, class), (gone, kept)]);
        let whole = parse(&mut parser, text);
        assert!(first_error(&partial).is_none());
        let find = |tree: &Tree| {
            let at = text.find("return 2").unwrap();
            let node = tree
                .root_node()
                .descendant_for_byte_range(at, at + 8)
                .unwrap();
            (
                node.kind().to_owned(),
                node.byte_range(),
                node.start_position(),
            )
        };
        assert_eq!(find(&partial), find(&whole));
        let module_children = partial.root_node().named_child_count();
        assert_eq!(module_children, 2, "the import and the class");
    }

    #[test]
    fn double_await_is_an_error() {
        let mut parser = new_parser();
        let bad = parse(&mut parser, "async def f():\n    await await g()\n");
        assert_eq!(first_error(&bad), Some(19));
        let good = parse(&mut parser, "async def f():\n    await (await g())\n");
        assert_eq!(first_error(&good), None);
    }
}
