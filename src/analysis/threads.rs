//! Calls that run a callable on another thread, where `asyncio.run` is correct:
//! no loop runs there.

use crate::syntax::parents::Up;
use tree_sitter::Node;

/// A call that hands a callable to a worker thread, and where that callable sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThreadHandOff {
    /// The called function's last name: `to_thread`, `run_in_executor`, ...
    pub name: &'static str,
    /// The positional index of the callable.
    pub position: usize,
    /// The keyword that can name the callable instead (`target=` for `Thread`).
    pub keyword: Option<&'static str>,
}

const HAND_OFFS: [ThreadHandOff; 9] = [
    ThreadHandOff {
        name: "to_thread",
        position: 0,
        keyword: None,
    },
    ThreadHandOff {
        name: "run_in_executor",
        position: 1,
        keyword: None,
    },
    ThreadHandOff {
        name: "submit",
        position: 0,
        keyword: None,
    },
    ThreadHandOff {
        name: "map",
        position: 0,
        keyword: None,
    },
    ThreadHandOff {
        name: "start_new_thread",
        position: 0,
        keyword: None,
    },
    ThreadHandOff {
        name: "Thread",
        position: 1,
        keyword: Some("target"),
    },
    ThreadHandOff {
        name: "Timer",
        position: 1,
        keyword: Some("function"),
    },
    // anyio's `to_thread.run_sync`, Starlette's `run_in_threadpool`
    ThreadHandOff {
        name: "run_sync",
        position: 0,
        keyword: None,
    },
    ThreadHandOff {
        name: "run_in_threadpool",
        position: 0,
        keyword: None,
    },
];

/// Whether an argument must be a callable depends on the call alone, never on
/// what its receiver is named: `ex.submit(f)` hands `f` to a thread as surely
/// as `executor.submit(f)`. Only `map` needs a receiver, since the builtin
/// `map(f, xs)` calls `f` on this thread.
const METHOD_ONLY: [&str; 1] = ["map"];

/// The last name of what `call` calls: `b` for `a.b(...)`, `f` for `f(...)`.
pub fn callee_name<'s>(call: Node, source: &'s str) -> Option<&'s str> {
    let function = crate::edit::rewrite::callee(call)?;
    let name = match function.kind_str() {
        "identifier" => function,
        "attribute" => function.child_by_field("attribute")?,
        _ => return None,
    };
    Some(&source[name.byte_range()])
}

pub fn hand_off(call: Node, source: &str) -> Option<ThreadHandOff> {
    let name = callee_name(call, source)?;
    if METHOD_ONLY.contains(&name)
        && call
            .child_by_field("function")
            .is_none_or(|f| f.kind_str() != "attribute")
    {
        return None;
    }
    HAND_OFFS.iter().copied().find(|h| h.name == name)
}

/// If `node` is the callable argument of a thread hand-off (directly, or as the
/// first argument of a `functools.partial` that is), that hand-off call.
pub fn handed_to_thread<'t>(node: Node<'t>, source: &str) -> Option<(Node<'t>, ThreadHandOff)> {
    let (call, slot) = argument_slot(node, source)?;
    if let Some(hand_off) = hand_off(call, source)
        && hand_off.accepts(slot)
    {
        return Some((call, hand_off));
    }
    if callee_name(call, source) == Some("partial") && slot == Slot::Positional(0) {
        return handed_to_thread(call, source);
    }
    None
}

/// Builtins that call their first argument on the current thread.
const CALLING_BUILTINS: [&str; 2] = ["map", "filter"];

/// If `node` is the callable argument of a call that calls it on the loop's
/// own thread (`call_soon`, `call_later`, `add_done_callback`, ... or the
/// builtin `map`), that call's name.
pub fn called_back_on_loop(node: Node, source: &str) -> Option<&'static str> {
    let (call, slot) = argument_slot(node, source)?;
    let name = callee_name(call, source)?;
    let bare = call
        .child_by_field("function")
        .is_some_and(|f| f.kind_str() == "identifier");
    if bare
        && slot == Slot::Positional(0)
        && let Some(builtin) = CALLING_BUILTINS.iter().find(|b| **b == name)
    {
        return Some(builtin);
    }
    crate::asyncio_api::LOOP_CALLBACKS
        .iter()
        .find(|(callback, position)| *callback == name && slot == Slot::Positional(*position))
        .map(|(callback, _)| *callback)
}

/// Where an argument sits in a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot<'s> {
    Positional(usize),
    Keyword(&'s str),
}

impl ThreadHandOff {
    pub fn accepts(&self, slot: Slot) -> bool {
        match slot {
            Slot::Positional(index) => index == self.position,
            Slot::Keyword(name) => Some(name) == self.keyword,
        }
    }
}

/// The call `node` is an argument of, and its slot there.
pub fn argument_slot<'t, 's>(node: Node<'t>, source: &'s str) -> Option<(Node<'t>, Slot<'s>)> {
    let parent = node.up()?;
    let (list, slot_node) = if parent.kind_str() == "keyword_argument" {
        (parent.up()?, parent)
    } else {
        (parent, node)
    };
    if list.kind_str() != "argument_list" {
        return None;
    }
    let call = list.up().filter(|c| c.kind_str() == "call")?;
    if slot_node.kind_str() == "keyword_argument" {
        let name = slot_node.child_by_field("name")?;
        return Some((call, Slot::Keyword(&source[name.byte_range()])));
    }
    let mut cursor = list.walk();
    let mut index = 0;
    for child in list.named_children(&mut cursor) {
        if child.id() == node.id() {
            return Some((call, Slot::Positional(index)));
        }
        match child.kind_str() {
            "comment" => {}
            "keyword_argument" | "dictionary_splat" => return None,
            _ => index += 1,
        }
    }
    None
}
