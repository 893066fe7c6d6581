//! UNN005: a nested run inside a generator expression in an async function.

use crate::syntax::parents::Up;
use tree_sitter::Node;

use super::{AWAIT_DIFFERENCES, Rule, describe_function};
use crate::analysis::bindings::Meaning;
use crate::analysis::runs::{Checker, NestedRun};
use crate::analysis::scope::{Context, scopes_of};
use crate::diagnostic::Diagnostic;
use crate::edit::rewrite;
use crate::edit::{Applicability, Edit, Fix, TextRange};

pub const DOC: &str = r#"# UNN005 in-generator-expression: a nested run inside a generator expression

## What it finds
`asyncio.run()` or `run_until_complete()` inside a generator expression in an
`async def` (not in its first iterable, which is evaluated outside it).

## Why it is wrong
The call raises RuntimeError like any nested run, but `await` cannot simply
replace it: `await` inside a generator expression makes it an async generator,
and `sum()`, `list()` or `any()` then raise
`TypeError: 'async_generator' object is not iterable`.

## Example
```python
async def total(ids):
    return sum(asyncio.run(price(i)) for i in ids)
```

## Fix (unsafe)
Where the consumer is `sum`, `list`, `tuple`, `set`, `sorted`, `min` or `max`,
which read every item anyway, the generator becomes a list comprehension:
```python
async def total(ids):
    return sum([await price(i) for i in ids])
```
Unsafe because every item is now computed before the consumer starts. Consumers
that stop early (`any`, `all`, `next`) get no fix: a list would lose that.
"#;

/// Builtins that consume every item, so a list holds the same items.
const EXHAUSTIVE_CONSUMERS: [&str; 7] = ["sum", "list", "tuple", "set", "sorted", "min", "max"];

pub(super) fn check(run: &NestedRun, checker: &Checker) -> Option<Diagnostic> {
    let Context::Generator {
        function,
        innermost,
        generators,
    } = run.context
    else {
        return None;
    };
    let source = checker.source;
    let callee = run.callee(source);
    let mut message = format!(
        "`{callee}()` inside a generator expression in {} raises RuntimeError, because a loop already runs there; `await` here would make it an async generator",
        describe_function(function, source)
    );
    let Some((keyword, droppable)) = run.kind.awaitable_parameters() else {
        message.push_str(" (no automatic fix for `Runner.run()`)");
        return Some(finding(run, message, None));
    };
    if generators > 1 {
        message.push_str(" (no automatic fix: the call sits in nested generator expressions)");
        return Some(finding(run, message, None));
    }
    let consumer = match consumer(innermost, checker) {
        Consumer::Exhaustive(name) => name,
        Consumer::Other(name) => {
            message.push_str(&format!(
                " (no automatic fix: `{name}()` is not known to read every item, and a list comprehension would compute them all first)"
            ));
            return Some(finding(run, message, None));
        }
        Consumer::Unknown => {
            message.push_str(" (no automatic fix: what consumes the generator is not known)");
            return Some(finding(run, message, None));
        }
    };
    let awaitable = match run
        .arguments()
        .map(|a| rewrite::awaitable(a, source, keyword, droppable))
    {
        Some(Ok(awaitable)) => awaitable,
        Some(Err(reason)) => {
            message.push_str(&format!(" (no automatic fix: {reason})"));
            return Some(finding(run, message, None));
        }
        None => return Some(finding(run, message, None)),
    };
    let mut edits = rewrite::await_call(run.call, &awaitable, source);
    edits.extend(list_brackets(innermost));
    let fix = Fix::new(
        edits,
        Applicability::Unsafe,
        format!(
            "Make the generator expression a list comprehension for `{consumer}()` and await each item: every item is computed before `{consumer}()` starts; {AWAIT_DIFFERENCES}"
        ),
    );
    Some(finding(run, message, Some(fix)))
}

fn finding(run: &NestedRun, message: String, fix: Option<Fix>) -> Diagnostic {
    Diagnostic {
        rule: Rule::InGeneratorExpression,
        message,
        range: run.range(),
        fix,
    }
}

enum Consumer<'s> {
    /// A builtin that reads every item: a list holds the same items.
    Exhaustive(&'s str),
    /// A function that may stop early (`any`, `next`) or one of the project's.
    Other(&'s str),
    /// The generator is not the first argument of a named function.
    Unknown,
}

/// What consumes `generator`, when it is the only or first argument of a call.
fn consumer<'s>(generator: Node, checker: &Checker<'s>) -> Consumer<'s> {
    let Some(parent) = generator.up() else {
        return Consumer::Unknown;
    };
    let call = match parent.kind_str() {
        "call" => Some(parent),
        "argument_list" => parent
            .named_child(0)
            .filter(|first| first.id() == generator.id())
            .and_then(|_| parent.up()),
        _ => None,
    };
    let Some(function) = call.and_then(|c| c.child_by_field("function")) else {
        return Consumer::Unknown;
    };
    let name = &checker.source[function.byte_range()];
    if function.kind_str() != "identifier" {
        return Consumer::Other(name);
    }
    let builtin = EXHAUSTIVE_CONSUMERS.contains(&name)
        && checker.bindings.resolve(name, &scopes_of(function)) == Meaning::Unbound;
    if builtin {
        Consumer::Exhaustive(name)
    } else {
        Consumer::Other(name)
    }
}

/// Edits that make `generator` a list comprehension: its own parentheses become
/// brackets, or, when it shares the call's parentheses, brackets go inside them.
fn list_brackets(generator: Node) -> [Edit; 2] {
    let (start, end) = (generator.start_byte(), generator.end_byte());
    if generator.up().is_some_and(|p| p.kind_str() == "call") {
        [Edit::insert(start + 1, "["), Edit::insert(end - 1, "]")]
    } else {
        [
            Edit::replace(TextRange::new(start, start + 1), "["),
            Edit::replace(TextRange::new(end - 1, end), "]"),
        ]
    }
}
