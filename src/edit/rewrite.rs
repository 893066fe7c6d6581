//! The transformer: edits that turn `RUNNER(X)` into `await X` with the right
//! parentheses, keeping every comment and every byte of `X`.
//!
//! Precedence follows `../shared/docs/asyncio-facts.md`: `(await X)` only where
//! the call is followed by `.attr`, `[...]` or `(...)`; `await (X)` only where X is
//! not a primary. A call that spans lines or holds comments outside `X` keeps its
//! own parentheses as a group (`await (` ... `)`), so its comments and line
//! breaks stay legal where they are.

use crate::syntax::parents::Up;
use tree_sitter::Node;

use crate::edit::{Edit, TextRange};

/// Node kinds that need no parentheses after `await`.
const PRIMARY: [&str; 21] = [
    "identifier",
    "attribute",
    "subscript",
    "call",
    "string",
    "concatenated_string",
    "integer",
    "float",
    "true",
    "false",
    "none",
    "ellipsis",
    "list",
    "tuple",
    "dictionary",
    "set",
    "list_comprehension",
    "set_comprehension",
    "dictionary_comprehension",
    "generator_expression",
    "parenthesized_expression",
];

pub fn is_primary(node: Node) -> bool {
    PRIMARY.contains(&node.kind_str())
}

/// The argument to await and what else the argument list holds.
#[derive(Debug, Clone)]
pub struct Awaitable<'t> {
    /// `X`.
    pub value: Node<'t>,
    /// `X`, or the `main=X` keyword argument around it.
    pub item: Node<'t>,
    /// Arguments that are dropped (`debug=False`).
    pub dropped: Vec<Node<'t>>,
}

/// Why a call's arguments allow no automatic fix.
pub type NoFix = String;

/// Reads `(X)`, `(main=X)` and `(X, debug=False)` style argument lists.
///
/// `keyword` is the parameter that names the awaitable (`main` for `asyncio.run`,
/// `future` for `run_until_complete`); `droppable` lists keywords that may go when
/// their value is `False` or `None`.
pub fn awaitable<'t>(
    arguments: Node<'t>,
    source: &str,
    keyword: &str,
    droppable: &[&str],
) -> Result<Awaitable<'t>, NoFix> {
    if arguments.kind_str() != "argument_list" {
        return Err("its argument is a bare generator expression".into());
    }
    let mut value = None;
    let mut dropped = Vec::new();
    let mut cursor = arguments.walk();
    for child in arguments.named_children(&mut cursor) {
        match child.kind_str() {
            "comment" => {}
            "list_splat" | "dictionary_splat" => {
                return Err(format!(
                    "`{}` unpacks arguments that cannot be checked",
                    &source[child.byte_range()]
                ));
            }
            "keyword_argument" => {
                let name = child
                    .child_by_field("name")
                    .map(|n| &source[n.byte_range()]);
                let arg = child.child_by_field("value");
                match (name, arg) {
                    (Some(name), Some(arg)) if name == keyword => {
                        if value.replace((arg, child)).is_some() {
                            return Err("it is given more than one awaitable".into());
                        }
                    }
                    (Some(name), Some(arg))
                        if droppable.contains(&name) && is_falsy_constant(arg, source) =>
                    {
                        if has_comment(child) {
                            return Err(format!("a comment sits inside `{name}=...`"));
                        }
                        dropped.push(child);
                    }
                    _ => {
                        return Err(format!(
                            "`{}` has no equivalent inside a running loop",
                            &source[child.byte_range()]
                        ));
                    }
                }
            }
            _ => {
                if value.replace((child, child)).is_some() {
                    return Err("it is given more than one positional argument".into());
                }
            }
        }
    }
    let (value, item) = value.ok_or_else(|| NoFix::from("it is given no awaitable"))?;
    Ok(Awaitable {
        value,
        item,
        dropped,
    })
}

/// `False`, `None` or `0`, in parentheses or not: a `debug=` that asks for
/// nothing.
fn is_falsy_constant(node: Node, source: &str) -> bool {
    let text =
        source[node.byte_range()].trim_matches(|c: char| c == '(' || c == ')' || c.is_whitespace());
    matches!(text, "False" | "None" | "0")
}

fn has_comment(node: Node) -> bool {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if n.kind_str() == "comment" {
            return true;
        }
        let mut cursor = n.walk();
        stack.extend(n.children(&mut cursor));
    }
    false
}

/// Whether `call` is already the operand of `await`, through parentheses.
/// tree-sitter-python reads `await a ** b` as `await (a ** b)`, where Python
/// reads `(await a) ** b`, so the left operand of `**` under an `await` is
/// awaited too.
pub fn is_awaited(call: Node) -> bool {
    let mut node = call;
    while let Some(parent) = node.up() {
        match parent.kind_str() {
            "parenthesized_expression" => node = parent,
            "binary_operator"
                if parent
                    .child_by_field("operator")
                    .is_some_and(|o| o.kind_str() == "**")
                    && parent
                        .child_by_field("left")
                        .is_some_and(|left| left.id() == node.id()) =>
            {
                node = parent
            }
            "await" => return true,
            _ => return false,
        }
    }
    false
}

/// Whether `call` is followed by `.attr`, `[...]` or `(...)`, where `await X`
/// would bind to the trailer instead of to the call's value.
fn has_trailer(call: Node) -> bool {
    let Some(parent) = call.up() else {
        return false;
    };
    let field = match parent.kind_str() {
        "attribute" => "object",
        "subscript" => "value",
        "call" => "function",
        _ => return false,
    };
    parent
        .child_by_field(field)
        .is_some_and(|n| n.id() == call.id())
}

/// The expression `call` calls. tree-sitter-python parses `f(1, *g(x))` and
/// `t = 1, *g(x)` as a call of `*g`: the star belongs outside the call, so the
/// callee is what the star wraps.
pub fn callee(call: Node) -> Option<Node> {
    let function = call.child_by_field("function")?;
    match function.kind_str() {
        "list_splat" => function.named_child(0),
        _ => Some(function),
    }
}

/// Where `call` really starts. tree-sitter-python parses a leading
/// `*asyncio.run(x)` in a list, set or tuple display as a call of the attribute
/// `(*asyncio).run` (and `*a.b().c(x)` likewise, with the star on the leftmost
/// name); the star belongs outside the call and must stay.
pub fn call_start(call: Node) -> usize {
    let mut node = call;
    loop {
        let next = match node.kind_str() {
            "call" => node.child_by_field("function"),
            "attribute" => node.child_by_field("object"),
            "subscript" => node.child_by_field("value"),
            "list_splat" => {
                return node
                    .named_child(0)
                    .map_or(call.start_byte(), |n| n.start_byte());
            }
            _ => None,
        };
        match next {
            Some(next) => node = next,
            None => return call.start_byte(),
        }
    }
}

/// Edits that replace `call` (which runs `awaitable` to completion) with an
/// `await` of it.
pub fn await_call(call: Node, awaitable: &Awaitable, source: &str) -> Vec<Edit> {
    await_call_around(call, awaitable, source, false)
}

/// [`await_call`], for a call whose awaitable may be a run fixed in the same
/// pass (`asyncio.run(asyncio.run(f()))`): then the call's own parentheses
/// stay as the group that the inner `await` needs (`await (await f())`), and
/// only the callee's text is replaced, so that the two fixes neither overlap
/// nor touch and a chain of any depth is fixed in one pass.
pub fn await_call_around(
    call: Node,
    awaitable: &Awaitable,
    source: &str,
    value_is_run: bool,
) -> Vec<Edit> {
    let value = awaitable.value;
    let already_awaited = is_awaited(call);
    let trailer = !already_awaited && has_trailer(call);
    let (prefix, suffix) = match (already_awaited, trailer) {
        (true, _) => ("", ""),
        (false, true) => ("(await ", ")"),
        (false, false) => ("await ", ""),
    };
    let before = TextRange::new(call_start(call), value.start_byte());
    let after = TextRange::new(value.end_byte(), call.end_byte());
    let outside_has_comment = comments_outside(call, value);
    // A line break in the removed text, or one in X that only the call's
    // parentheses made legal (`asyncio.run(d\n[0])`), needs a group.
    let spans_lines = source[before.as_range()].contains(['\n', '\r'])
        || source[after.as_range()].contains(['\n', '\r'])
        || has_unbracketed_line_break(value, source);

    let mut edits = bare_tuple_parentheses(call);
    if !outside_has_comment && !spans_lines && !value_is_run {
        let in_parens = call
            .up()
            .is_some_and(|p| p.kind_str() == "parenthesized_expression");
        let group = !(is_primary(value) || (already_awaited && in_parens));
        let (open, close) = if group { ("(", ")") } else { ("", "") };
        edits.push(Edit::replace(before, format!("{prefix}{open}")));
        edits.push(Edit::replace(after, format!("{close}{suffix}")));
        return normalize(edits);
    }

    // Keep the call's parentheses as a group and delete what is not `X` inside
    // them, leaving comments and line breaks where they are.
    let function = call
        .child_by_field("function")
        .expect("a call has a function");
    let arguments = call
        .child_by_field("arguments")
        .expect("a call has arguments");
    edits.push(Edit::replace(
        TextRange::new(call_start(call), function.end_byte()),
        prefix,
    ));
    if awaitable.item.id() != value.id() {
        // `main=X`: drop `main=` up to X, keeping what follows the `=`.
        let equals_end = awaitable
            .item
            .child_by_field("name")
            .and_then(|name| name.next_sibling())
            .map_or(value.start_byte(), |eq| eq.end_byte());
        let start = awaitable.item.start_byte();
        let end = skip_blanks(source, equals_end);
        edits.push(Edit::delete(TextRange::new(
            start,
            end.min(value.start_byte()),
        )));
    }
    let mut cursor = arguments.walk();
    let children: Vec<Node> = arguments.children(&mut cursor).collect();
    for (index, child) in children.iter().enumerate() {
        let drop_item = awaitable.dropped.iter().any(|d| d.id() == child.id());
        if drop_item || child.kind_str() == "," {
            let mut range = TextRange::of(*child);
            if drop_item {
                // A dropped argument takes a comma along, and the blanks
                // between: the one before it (`f(),  debug=False`), or, when
                // it comes first, the one after it (`debug=False, main=f()`).
                let previous = index.checked_sub(1).and_then(|i| children.get(i));
                let next = children.get(index + 1);
                match (previous, next) {
                    (Some(comma), _) if comma.kind_str() == "," => range.start = comma.start_byte(),
                    (_, Some(comma)) if comma.kind_str() == "," => {
                        range.end = skip_blanks(source, comma.end_byte());
                    }
                    _ => {}
                }
            }
            edits.push(Edit::delete(whole_line(source, range)));
        }
    }
    edits.push(Edit::insert(arguments.end_byte(), suffix));
    normalize(edits)
}

/// Edits that put `await` in front of `call`, keeping the call's text: for a
/// sync function that becomes `async def`, at each of its call sites.
pub fn await_edits(call: Node) -> Vec<Edit> {
    let mut edits = bare_tuple_parentheses(call);
    let start = call_start(call);
    if has_trailer(call) {
        edits.push(Edit::insert(start, "(await "));
        edits.push(Edit::insert(call.end_byte(), ")"));
    } else {
        edits.push(Edit::insert(start, "await "));
    }
    normalize(edits)
}

/// tree-sitter-python cannot parse a starred `await` in a bare tuple
/// (`t = *await x, 1`, `return 1, *await x`) although Python can. So that the
/// verifying re-parse accepts the fix, such a tuple gets parentheses of its own,
/// which do not change its meaning: `t = (*await x, 1)`.
fn bare_tuple_parentheses(call: Node) -> Vec<Edit> {
    let starred = if call_start(call) != call.start_byte() {
        Some(call)
    } else {
        call.up().filter(|p| p.kind_str() == "list_splat")
    };
    match starred
        .and_then(|s| s.up())
        .filter(|p| p.kind_str() == "expression_list")
    {
        Some(tuple) => vec![
            Edit::insert(tuple.start_byte(), "("),
            Edit::insert(tuple.end_byte(), ")"),
        ],
        None => Vec::new(),
    }
}

/// Node kinds whose brackets make a line break inside them legal.
const BRACKETED: [&str; 11] = [
    "argument_list",
    "parenthesized_expression",
    "list",
    "tuple",
    "dictionary",
    "set",
    "list_comprehension",
    "set_comprehension",
    "dictionary_comprehension",
    "generator_expression",
    "string",
];

/// Whether `node` holds a line break that is neither inside brackets of its
/// own, nor inside a string, nor after a backslash: such a break is legal only
/// thanks to brackets around `node`, which a rewrite must then keep.
fn has_unbracketed_line_break(node: Node, source: &str) -> bool {
    let text = &source[node.byte_range()];
    if !text.contains(['\n', '\r']) {
        return false;
    }
    let mut covered: Vec<(usize, usize)> = Vec::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if BRACKETED.contains(&n.kind_str()) {
            covered.push((n.start_byte(), n.end_byte()));
            continue;
        }
        if n.kind_str() == "subscript" {
            // Only from the `[` on: `d\n[0]` breaks before the bracket.
            let mut cursor = n.walk();
            if let Some(open) = n.children(&mut cursor).find(|c| c.kind_str() == "[") {
                covered.push((open.start_byte(), n.end_byte()));
            }
        }
        let mut cursor = n.walk();
        stack.extend(n.children(&mut cursor));
    }
    text.char_indices()
        .filter(|(_, c)| *c == '\n' || *c == '\r')
        .map(|(i, _)| node.start_byte() + i)
        .any(|at| {
            let escaped = source[..at].ends_with('\\') || source[..at].ends_with("\\\r");
            !escaped && !covered.iter().any(|&(start, end)| start < at && at < end)
        })
}

/// `range` widened to its whole line when nothing else stands on that line.
fn whole_line(source: &str, range: TextRange) -> TextRange {
    let line_start = source[..range.start]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1);
    let rest = &source[range.end..];
    let line_end = rest
        .find(['\n', '\r'])
        .map_or(source.len(), |i| range.end + i);
    let alone = source[line_start..range.start].trim().is_empty()
        && source[range.end..line_end].trim().is_empty();
    if !alone || line_end == source.len() {
        return range;
    }
    let newline_len = if source[line_end..].starts_with("\r\n") {
        2
    } else {
        1
    };
    TextRange::new(line_start, line_end + newline_len)
}

fn skip_blanks(source: &str, mut offset: usize) -> usize {
    while source[offset..].starts_with([' ', '\t']) {
        offset += 1;
    }
    offset
}

/// Sort edits, drop empty no-ops, and merge deletions that overlap (a dropped
/// argument and the comma after it are found twice).
fn normalize(mut edits: Vec<Edit>) -> Vec<Edit> {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut merged: Vec<Edit> = Vec::new();
    for edit in edits {
        if edit.range.is_empty() && edit.content.is_empty() {
            continue;
        }
        if let Some(last) = merged.last_mut()
            && last.content.is_empty()
            && edit.content.is_empty()
            && edit.range.start < last.range.end
        {
            last.range.end = last.range.end.max(edit.range.end);
            continue;
        }
        merged.push(edit);
    }
    merged
}

/// Whether the call holds a comment outside `value`.
fn comments_outside(call: Node, value: Node) -> bool {
    let mut stack = vec![call];
    while let Some(node) = stack.pop() {
        if node.id() == value.id() {
            continue;
        }
        if node.kind_str() == "comment" {
            return true;
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    false
}

/// Edits that replace the whole of `call` with `await VALUE`, where `value`
/// is an expression somewhere inside it (`run_coroutine_threadsafe(X,
/// loop).result()` becomes `await X`); with `wrap`, `await OPEN VALUE CLOSE`
/// (`await asyncio.wait_for(X, 5)`). `X` keeps every byte. Refused when a
/// comment sits in the text that goes, which no edit could keep in place.
pub fn await_value_of(
    call: Node,
    value: Node,
    source: &str,
    wrap: Option<(&str, &str)>,
) -> Result<Vec<Edit>, NoFix> {
    if comments_outside(call, value) {
        return Err("a comment sits in the text the fix removes".into());
    }
    let already_awaited = is_awaited(call);
    let (prefix, suffix) = match (already_awaited, !already_awaited && has_trailer(call)) {
        (true, _) => ("", ""),
        (false, true) => ("(await ", ")"),
        (false, false) => ("await ", ""),
    };
    // The call's brackets made any line break in X legal; the group keeps it so.
    let group = wrap.is_none()
        && (!is_primary(value) || has_unbracketed_line_break(value, source))
        && !(already_awaited
            && call
                .up()
                .is_some_and(|p| p.kind_str() == "parenthesized_expression"));
    let (open, close) = match wrap {
        Some(wrap) => wrap,
        None if group => ("(", ")"),
        None => ("", ""),
    };
    let mut edits = bare_tuple_parentheses(call);
    edits.push(Edit::replace(
        TextRange::new(call_start(call), value.start_byte()),
        format!("{prefix}{open}"),
    ));
    edits.push(Edit::replace(
        TextRange::new(value.end_byte(), call.end_byte()),
        format!("{close}{suffix}"),
    ));
    Ok(normalize(edits))
}
