//! UNN010: `nest_asyncio.apply()` where no nested run remains.

use std::collections::HashSet;

use tree_sitter::Node;

use super::Rule;
use crate::diagnostic::Diagnostic;
use crate::fix::{Applicability, Edit, Fix, TextRange};
use crate::graph::lines;
use crate::graph::summary::{NestAsyncio, whole_lines};
use crate::parents::Up;

pub const DOC: &str = r#"# UNN010 unnecessary-nest-asyncio: `nest_asyncio.apply()` with no nested run left

## What it finds
A call of `nest_asyncio.apply()` in a module or notebook where no nested run
remains: none was there, or unnest's fixes removed them all.

## Why it is wrong
`nest_asyncio` monkeypatches asyncio so that nested runs work. Its repository
is archived; it breaks with uvloop, slows task creation, and breaks
`asyncio.current_task()` on Python 3.14. Once no nested run remains, the patch
only costs.

## Example
```python
import nest_asyncio
nest_asyncio.apply()

result = await main()
```

## Fix (unsafe)
Remove the `apply()` call, and `import nest_asyncio` when nothing else uses it.
A block left empty gets `pass` (`if __name__ == "__main__":`, `def setup():`,
`if x: nest_asyncio.apply()`); a `try` that only imported and applied the patch,
whose handlers only `pass`, goes whole.
Unsafe, because code outside the files given (a library, another notebook run
in the same kernel) may still rely on the patch.
"#;

/// The finding for a module whose only remaining trace of nested runs is
/// `nest_asyncio`, if it has one.
pub fn diagnostic(nest: &NestAsyncio) -> Option<Diagnostic> {
    let &(call, _) = nest.applies.first()?;
    let mut fix = None;
    if let Some(edits) = &nest.removal {
        fix = Some(Fix::new(
            edits.clone(),
            Applicability::Unsafe,
            "Remove `nest_asyncio.apply()` and, when nothing else uses it, `import nest_asyncio`: unsafe because code outside these files may still rely on the patch".to_owned(),
        ));
    }
    Some(Diagnostic {
        rule: Rule::UnnecessaryNestAsyncio,
        message: "`nest_asyncio.apply()` patches asyncio for nested runs, but none remains here; the archived patch can go".to_owned(),
        range: call,
        fix,
    })
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
            let try_statement = block.up().filter(|t| t.kind() == "try_statement")?;
            let is_body = try_statement
                .child_by_field_name("body")
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
        let block = statement.up().filter(|b| b.kind() == "block");
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
        .filter(|c| c.kind() != "comment")
        .all(|c| removed.contains(&c.id()))
}

/// A `try` with neither `else` nor `finally`, whose every handler is `pass`:
/// once its body is gone it does nothing.
fn only_passing_handlers(try_statement: Node, source: &str) -> bool {
    let mut cursor = try_statement.walk();
    try_statement
        .named_children(&mut cursor)
        .skip(1)
        .filter(|c| c.kind() != "comment")
        .all(|clause| {
            matches!(clause.kind(), "except_clause" | "except_group_clause")
                && clause
                    .named_child(clause.named_child_count().saturating_sub(1) as u32)
                    .filter(|b| b.kind() == "block")
                    .is_some_and(|body| {
                        let mut cursor = body.walk();
                        body.named_children(&mut cursor)
                            .filter(|c| c.kind() != "comment")
                            .all(|s| matches!(source[s.byte_range()].trim(), "pass" | "..."))
                    })
        })
}
