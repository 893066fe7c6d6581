//! Parsing Python with tree-sitter.

use crate::syntax::parents::Up;
use std::borrow::Cow;

use tree_sitter::{Parser, Tree};

use crate::syntax::grammar::language;

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
///
/// The holes are blanked (every byte but line ends becomes a space) rather
/// than left out with tree-sitter's included ranges: its lexer finds its
/// range by a walk over all of them at each token, which made a file with
/// thousands of holes quadratic. Blank lines are nothing to Python, so the
/// tree is the same.
pub fn parse_without(parser: &mut Parser, text: &str, holes: &[(u32, u32)]) -> Tree {
    if holes.is_empty() {
        return parse(parser, text);
    }
    let mut bytes = line_ends(text).into_owned().into_bytes();
    for &(start, end) in holes {
        let end = (end as usize).min(bytes.len());
        for byte in &mut bytes[(start as usize).min(end)..end] {
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
    }
    // Holes are whole statements, so they start and end at character
    // boundaries, and a space for each of their bytes keeps the text UTF-8.
    let blanked = String::from_utf8(bytes).expect("holes end at character boundaries");
    parse_read(parser, &blanked)
}

/// The byte offset of the first syntax error in `tree`, if any. Besides what
/// tree-sitter flags, `await await x` counts: tree-sitter-python accepts it,
/// CPython does not. `text` is what `tree` was parsed from (or a text with
/// more in it): it tells when no `await await` can be there, which saves a
/// walk of the whole tree.
pub fn first_error(tree: &Tree, text: &str) -> Option<usize> {
    let root = tree.root_node();
    if !root.has_error() {
        return may_double_await(text).then(|| double_await(tree)).flatten();
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

/// Whether some `await` in `text` is followed by another, with nothing
/// between but blanks, line continuations and comments (conservative: the
/// words may be in strings, or parts of longer names).
fn may_double_await(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, b"await").any(|at| {
        let mut i = at + 5;
        while i < bytes.len() {
            match bytes[i] {
                b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'\\' => i += 1,
                b'#' => {
                    while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                        i += 1;
                    }
                }
                _ => break,
            }
        }
        bytes[i.min(bytes.len())..].starts_with(b"await")
    })
}

/// The first `await` whose operand is itself an unparenthesised `await`.
fn double_await(tree: &Tree) -> Option<usize> {
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        // A comment or line continuation between the two is a named child
        // of the outer one.
        if node.kind_str() == "await"
            && node
                .named_children(&mut node.walk())
                .find(|n| !n.is_extra())
                .is_some_and(|n| n.kind_str() == "await")
        {
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
        assert!(first_error(&partial, text).is_none());
        let find = |tree: &Tree| {
            let at = text.find("return 2").unwrap();
            let node = tree
                .root_node()
                .descendant_for_byte_range(at, at + 8)
                .unwrap();
            (
                node.kind_str().to_owned(),
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
        for (text, error) in [
            ("async def f():\n    await await g()\n", Some(19)),
            ("async def f():\n    await (await g())\n", None),
            (
                "async def f():\n    return (await  # why\n        await g())\n",
                Some(27),
            ),
            (
                "async def f():\n    return (await \\\r\n        await g())\n",
                Some(27),
            ),
            ("async def f():\n    await g(awaited)\n", None),
        ] {
            let tree = parse(&mut parser, text);
            assert_eq!(first_error(&tree, text), error, "{text:?}");
        }
    }
}
