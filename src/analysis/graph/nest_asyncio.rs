//! Where a module patches asyncio with `nest_asyncio`, and the edits that
//! would take the patch out: its `apply()` statement, its imports when nothing
//! else uses the name, and `pass` where a block would be left empty. UNN010
//! (`crate::rules`) decides whether the patch is still needed.

use std::collections::HashSet;

use tree_sitter::Node;

use crate::edit::{Edit, TextRange};
use crate::syntax::lines;
use crate::syntax::parents::Up;

/// Where a module patches asyncio with `nest_asyncio`.
#[derive(Debug, Clone, Default)]
pub struct NestAsyncio {
    /// The `nest_asyncio.apply(...)` statements: the call, and the whole
    /// line(s) of the statement when it stands alone on them.
    pub applies: Vec<(TextRange, Option<TextRange>)>,
    /// The `import nest_asyncio` statements alone on their lines.
    pub imports: Vec<TextRange>,
    /// How many times the name `nest_asyncio` is used other than by these.
    pub other_uses: usize,
    /// The edits that remove the patch (see [`removal`]).
    pub removal: Option<Vec<crate::edit::Edit>>,
}

/// The edits that remove the one `nest_asyncio.apply()` statement of a module
/// (`applies`: each apply call's statement, when the call is one) and, when
/// `drop_imports`, its `import nest_asyncio` statements; `None` unless there is
/// exactly one apply and it is a statement of its own.
///
/// Python has no empty block: a block whose statements all go keeps a `pass`
/// in the place of the first. A `try` whose body goes and whose handlers only
/// `pass` (the optional-import form) goes whole, since it then does nothing.
pub fn removal(
    applies: &[Option<Node>],
    imports: &[Node],
    drop_imports: bool,
    source: &str,
) -> Option<Vec<Edit>> {
    let [Some(apply)] = applies else {
        return None;
    };
    let mut removed: Vec<Node> = vec![*apply];
    if drop_imports {
        removed.extend(
            imports
                .iter()
                .copied()
                .filter(|i| whole_lines(*i, source).is_some()),
        );
    }
    // A `try` whose body empties and that does nothing else is removed as a
    // whole, which may in turn empty the block around it.
    loop {
        let ids: HashSet<usize> = removed.iter().map(|n| n.id()).collect();
        let emptied_try = removed.iter().find_map(|statement| {
            let block = statement.up()?;
            let try_statement = block.up().filter(|t| t.kind_str() == "try_statement")?;
            let is_body = try_statement
                .child_by_field("body")
                .is_some_and(|b| b.id() == block.id());
            (is_body
                && all_removed(block, &ids)
                && only_passing_handlers(try_statement, source)
                && whole_lines(try_statement, source).is_some())
            .then_some((block, try_statement))
        });
        let Some((block, try_statement)) = emptied_try else {
            break;
        };
        removed.retain(|n| n.up().is_none_or(|p| p.id() != block.id()));
        removed.push(try_statement);
    }
    let ids: HashSet<usize> = removed.iter().map(|n| n.id()).collect();
    removed.sort_by_key(|n| n.start_byte());
    let mut edits = Vec::new();
    let mut passed_blocks = HashSet::new();
    for statement in &removed {
        let block = statement.up().filter(|b| b.kind_str() == "block");
        let needs_pass = block.is_some_and(|b| all_removed(b, &ids));
        match whole_lines(*statement, source) {
            // A statement sharing its line (`if x: nest_asyncio.apply()`,
            // `f(); nest_asyncio.apply()`): `pass` takes its place, which is
            // valid wherever a simple statement is.
            None => edits.push(Edit::replace(TextRange::of(*statement), "pass")),
            Some(lines) => {
                let first_of_emptied = needs_pass
                    && block.is_some_and(|b| passed_blocks.insert(b.id()))
                    && !block.is_some_and(|b| {
                        removed.iter().any(|r| {
                            r.up().is_some_and(|p| p.id() == b.id())
                                && whole_lines(*r, source).is_none()
                        })
                    });
                if first_of_emptied {
                    let indent = &source[lines.start..statement.start_byte()];
                    let ending = lines::break_before(source, lines.end).unwrap_or("");
                    edits.push(Edit::replace(lines, format!("{indent}pass{ending}")));
                } else {
                    edits.push(Edit::delete(lines));
                }
            }
        }
    }
    Some(edits)
}

/// Whether every statement of `block` is in `removed` (comments do not count:
/// a block of comments alone is still empty).
fn all_removed(block: Node, removed: &HashSet<usize>) -> bool {
    let mut cursor = block.walk();
    block
        .named_children(&mut cursor)
        .filter(|c| c.kind_str() != "comment")
        .all(|c| removed.contains(&c.id()))
}

/// A `try` with neither `else` nor `finally`, whose every handler is `pass`:
/// once its body is gone it does nothing.
fn only_passing_handlers(try_statement: Node, source: &str) -> bool {
    let mut cursor = try_statement.walk();
    try_statement
        .named_children(&mut cursor)
        .skip(1)
        .filter(|c| c.kind_str() != "comment")
        .all(|clause| {
            matches!(clause.kind_str(), "except_clause" | "except_group_clause")
                && clause
                    .named_child(clause.named_child_count().saturating_sub(1) as u32)
                    .filter(|b| b.kind_str() == "block")
                    .is_some_and(|body| {
                        let mut cursor = body.walk();
                        body.named_children(&mut cursor)
                            .filter(|c| c.kind_str() != "comment")
                            .all(|s| matches!(source[s.byte_range()].trim(), "pass" | "..."))
                    })
        })
}

/// The lines `node` stands on, newline included, when nothing else does.
pub fn whole_lines(node: Node, source: &str) -> Option<TextRange> {
    lines::whole_lines(source, node.start_byte(), node.end_byte())
        .map(|range| TextRange::new(range.start, range.end))
}
