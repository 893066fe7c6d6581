//! Guarded bridges: sync code that checks for a running loop and calls
//! `asyncio.run` only when there is none. Such code is correct and left alone,
//! and so is code in a function that only trio drives (see `super::trio`).
//!
//! Recognised guards, between the call and its enclosing function (inside an
//! `async def`, not the last, whose early exit never happens there):
//! - an `except` clause of a `try` whose body calls `get_running_loop()`;
//! - an `if`/`elif`/`while` or conditional expression whose condition calls
//!   `get_running_loop()`, `_get_running_loop()` or `is_running()`, or tests a
//!   variable assigned from one of them in the same function;
//! - an earlier `if` in an enclosing block whose condition is such a test and
//!   whose body ends in `return` or `raise`, directly or as the last statement
//!   of a `with` (`with ThreadPoolExecutor(1) as ex: return ...`): the
//!   early-exit form;
//! - the body of a `try` with an `except` clause that names `RuntimeError`:
//!   the run is tried, and the handler is the fallback for a running loop.
//!   Only in sync code: inside an `async def` the run always fails there, and
//!   `await` would skip the fallback, so the run is reported with an unsafe
//!   fix instead (see [`Guards::falls_back_on_runtime_error`]).

use crate::syntax::parents::Up;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use tree_sitter::Node;

const GUARD_WORDS: [&str; 2] = ["running_loop", "is_running"];

fn mentions_guard(text: &str) -> bool {
    GUARD_WORDS.iter().any(|w| text.contains(w))
}

/// Guard checks for one file, remembering the loop variables of each function
/// (finding them walks the function, which must not happen once per call).
pub struct Guards<'s> {
    source: &'s str,
    /// Every guard names `running_loop`, `is_running` or `RuntimeError`: a
    /// file that names none has none, and the search is skipped.
    has_guard_words: bool,
    /// It names `RuntimeError` somewhere: searched once, not per call.
    mentions_runtime_error: bool,
    loop_variables: RefCell<HashMap<usize, Rc<Vec<&'s str>>>>,
    /// For each block: where its first early-exit guard ends, if it has one.
    early_exits: RefCell<HashMap<usize, Option<usize>>>,
    /// The functions trio drives, where no asyncio loop runs.
    trio: super::trio::TrioDriven,
}

impl<'s> Guards<'s> {
    pub fn new(source: &'s str) -> Self {
        let mentions_runtime_error = source.contains("RuntimeError");
        Self {
            source,
            has_guard_words: mentions_guard(source) || mentions_runtime_error,
            mentions_runtime_error,
            loop_variables: RefCell::new(HashMap::new()),
            early_exits: RefCell::new(HashMap::new()),
            trio: Default::default(),
        }
    }

    /// The same guards, also counting the functions that trio drives.
    pub fn with_trio(mut self, trio: super::trio::TrioDriven) -> Self {
        self.trio = trio;
        self
    }

    fn loop_variables(&self, node: Node) -> Rc<Vec<&'s str>> {
        let Some(function) = enclosing_function(node) else {
            return Rc::default();
        };
        self.loop_variables
            .borrow_mut()
            .entry(function.id())
            .or_insert_with(|| {
                // A function that never names a loop check assigns no
                // variable from one: no need to walk it.
                if mentions_guard(&self.source[function.byte_range()]) {
                    Rc::new(loop_variables_in(function, self.source))
                } else {
                    Rc::default()
                }
            })
            .clone()
    }

    /// Where the first early-exit guard among `block`'s statements ends:
    /// every statement after it runs only when the guard let it through.
    fn early_exit(&self, block: Node) -> Option<usize> {
        if let Some(known) = self.early_exits.borrow().get(&block.id()) {
            return *known;
        }
        let variables = self.loop_variables(block);
        let mut cursor = block.walk();
        let end = block
            .named_children(&mut cursor)
            .filter(|s| s.kind_str() == "if_statement" && exits_early(*s))
            .find(|s| {
                s.child_by_field("condition")
                    .is_some_and(|c| is_guard_condition(c, self.source, &variables))
            })
            .map(|s| s.end_byte());
        self.early_exits.borrow_mut().insert(block.id(), end);
        end
    }

    /// Whether `call` only runs when no loop runs on its thread. Inside an
    /// `async def` (`in_async`) a loop always runs: a call in a branch that
    /// tests for one is dead code or deliberate and stays, but a call after an
    /// early exit always runs, so that form does not count there.
    pub fn is_guarded(&self, call: Node, in_async: bool) -> bool {
        // Under trio no asyncio loop runs: the run starts one, as it should.
        if self.trio.drives(call) {
            return true;
        }
        if !self.has_guard_words {
            return false;
        }
        let source = self.source;
        let mut child = call;
        for parent in call.ancestors() {
            match parent.kind_str() {
                "function_definition" | "lambda" | "module" => return false,
                "except_clause" | "except_group_clause" => {
                    let body = parent.up().and_then(|t| t.child_by_field("body"));
                    if body.is_some_and(|b| source[b.byte_range()].contains("get_running_loop")) {
                        return true;
                    }
                }
                "if_statement" | "elif_clause" | "while_statement" | "conditional_expression" => {
                    let condition = match parent.kind_str() {
                        "conditional_expression" => parent.named_child(1),
                        _ => parent.child_by_field("condition"),
                    };
                    if let Some(condition) = condition
                        && is_guard_condition(condition, source, &self.loop_variables(parent))
                    {
                        return true;
                    }
                }
                "try_statement" if !in_async && falls_back(parent, child, source) => {
                    return true;
                }
                // Inside an `async def` an early exit on "no loop" never
                // exits: what follows it always runs under the loop.
                "block" if !in_async => {
                    let guard_end = self.early_exit(parent);
                    if guard_end.is_some_and(|end| end <= child.start_byte()) {
                        return true;
                    }
                }
                _ => {}
            }
            child = parent;
        }
        false
    }

    /// Whether `call` sits in the body of a `try` (in its own function) that
    /// catches `RuntimeError`: the form that tries the run and falls back
    /// when a loop runs. Under a loop the fallback is what runs, and `await`
    /// would skip it.
    pub fn falls_back_on_runtime_error(&self, call: Node) -> bool {
        if !self.mentions_runtime_error {
            return false;
        }
        let mut child = call;
        for parent in call.ancestors() {
            match parent.kind_str() {
                "function_definition" | "lambda" | "module" => return false,
                "try_statement" if falls_back(parent, child, self.source) => return true,
                _ => {}
            }
            child = parent;
        }
        false
    }
}

/// Whether `child` is the body of `try_statement` and one of its handlers
/// names `RuntimeError` (alone or in a tuple).
fn falls_back(try_statement: Node, child: Node, source: &str) -> bool {
    if try_statement
        .child_by_field("body")
        .is_none_or(|body| body.id() != child.id())
    {
        return false;
    }
    let mut cursor = try_statement.walk();
    try_statement
        .named_children(&mut cursor)
        .filter(|c| matches!(c.kind_str(), "except_clause" | "except_group_clause"))
        .any(|clause| {
            clause
                .named_child(0)
                .filter(|caught| caught.kind_str() != "block")
                .is_some_and(|caught| {
                    identifiers(caught, source).any(|name| name == "RuntimeError")
                })
        })
}

/// Whether the consequence of `if_statement` ends by leaving the function.
fn exits_early(if_statement: Node) -> bool {
    if_statement
        .child_by_field("consequence")
        .is_some_and(ends_in_exit)
}

/// Whether the last statement of `block` is a `return` or `raise`, or a
/// `with` whose body ends so (`with ThreadPoolExecutor(1) as ex: return ...`).
fn ends_in_exit(block: Node) -> bool {
    block
        .named_child(block.named_child_count().saturating_sub(1) as u32)
        .is_some_and(|last| match last.kind_str() {
            "return_statement" | "raise_statement" => true,
            "with_statement" => last.child_by_field("body").is_some_and(ends_in_exit),
            _ => false,
        })
}

fn is_guard_condition(condition: Node, source: &str, variables: &[&str]) -> bool {
    let text = &source[condition.byte_range()];
    mentions_guard(text) || identifiers(condition, source).any(|name| variables.contains(&name))
}

fn enclosing_function(node: Node) -> Option<Node> {
    node.ancestors()
        .find(|n| matches!(n.kind_str(), "function_definition" | "module"))
}

/// Names assigned from a running-loop check in `function`:
/// `loop = asyncio.get_running_loop()`, `running = loop.is_running()`.
fn loop_variables_in<'s>(function: Node, source: &'s str) -> Vec<&'s str> {
    let mut names = Vec::new();
    let mut stack = vec![function];
    while let Some(node) = stack.pop() {
        if node.kind_str() == "assignment"
            && let (Some(left), Some(right)) =
                (node.child_by_field("left"), node.child_by_field("right"))
            && left.kind_str() == "identifier"
            && mentions_guard(&source[right.byte_range()])
        {
            names.push(&source[left.byte_range()]);
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    names
}

fn identifiers<'s>(node: Node, source: &'s str) -> impl Iterator<Item = &'s str> {
    let mut stack = vec![node];
    let mut found = Vec::new();
    while let Some(n) = stack.pop() {
        if n.kind_str() == "identifier" {
            found.push(&source[n.byte_range()]);
        }
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor));
    }
    found.into_iter()
}
