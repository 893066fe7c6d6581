//! UNN004: a nested run where `await` is impossible: a sync `def`, a lambda or a
//! class body inside an `async def`.

use crate::syntax::parents::Up;
use tree_sitter::Node;

use super::{Rule, describe_function};
use crate::analysis::runs::{Checker, NestedRun};
use crate::analysis::scope::{Context, ScopeKind};
use crate::analysis::threads::handed_to_thread;
use crate::diagnostic::Diagnostic;

pub const DOC: &str = r#"# UNN004 await-impossible: a nested run where `await` is impossible

## What it finds
`asyncio.run()`, `run_until_complete()` or `Runner.run()` inside a sync `def`, a
`lambda` or a class body that is itself inside an `async def`, when that code is
not handed to a thread (`asyncio.to_thread`, `loop.run_in_executor`,
`Thread(target=...)`, `executor.submit`).

## Why it is wrong
Code defined inside an `async def` usually runs there too, on the running loop,
where the call raises RuntimeError. `await` cannot replace it: `await` outside an
async function is a syntax error.

## Example
```python
async def main():
    def load():
        return asyncio.run(fetch())
    data = load()
```

## Fix (manual)
Make the helper `async def` and await it (`data = await load()`), or, when it must
stay sync, run it on a worker thread: `data = await asyncio.to_thread(load)`.
Nested functions and lambdas handed only to threads are left alone.
"#;

pub(super) fn check(run: &NestedRun, checker: &Checker) -> Option<Diagnostic> {
    let Context::NoAwait { boundary, function } = run.context else {
        return None;
    };
    let source = checker.source;
    let outer = describe_function(function, source);
    let (place, advice) = match boundary.kind {
        ScopeKind::Lambda => {
            if runs_on_thread(boundary.node, function, source) {
                return None;
            }
            (
                format!("a lambda in {outer}"),
                "use an async function instead, or run the lambda with `asyncio.to_thread`",
            )
        }
        ScopeKind::Class => {
            let name = boundary
                .node
                .child_by_field("name")
                .map_or("", |n| &source[n.byte_range()]);
            (
                format!("the body of class `{name}` in {outer}"),
                "compute the value in the async function with `await` and use it in the class",
            )
        }
        _ => {
            if runs_on_thread(boundary.node, function, source) {
                return None;
            }
            (
                format!(
                    "{} (defined in {outer})",
                    describe_function(boundary.node, source)
                ),
                "make it `async def` and await it, or run it with `asyncio.to_thread`",
            )
        }
    };
    Some(Diagnostic {
        rule: Rule::AwaitImpossible,
        message: format!(
            "`{}()` inside {place} raises RuntimeError when it runs on the loop, and `await` is not possible there; {advice} (no automatic fix)",
            run.callee(source)
        ),
        range: run.range(),
        fix: None,
    })
}

/// Whether the sync callable `boundary` (a `def` or a lambda) only ever runs on
/// worker threads: it is handed to a thread where it is written, or its name is
/// used in `function` only as a callable handed to a thread.
fn runs_on_thread(boundary: Node, function: Node, source: &str) -> bool {
    if handed_to_thread(boundary, source).is_some() {
        return true;
    }
    let name = match boundary.kind_str() {
        "function_definition" => boundary.child_by_field("name"),
        // `work = lambda: ...`
        _ => boundary
            .up()
            .filter(|p| p.kind_str() == "assignment")
            .and_then(|p| p.child_by_field("left"))
            .filter(|left| left.kind_str() == "identifier"),
    };
    let Some(name) = name else {
        return false;
    };
    let name_text = &source[name.byte_range()];
    let mut uses = Vec::new();
    let mut stack = vec![function];
    while let Some(node) = stack.pop() {
        if node.kind_str() == "identifier"
            && &source[node.byte_range()] == name_text
            && node.id() != name.id()
        {
            // `Helper.load` stands for the method `load`.
            let attribute = node.up().filter(|p| {
                p.kind_str() == "attribute"
                    && p.child_by_field("attribute")
                        .is_some_and(|a| a.id() == node.id())
            });
            uses.push(attribute.unwrap_or(node));
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    !uses.is_empty() && uses.iter().all(|u| handed_to_thread(*u, source).is_some())
}
