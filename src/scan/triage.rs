//! Which files need a parse: decided from their [`Outline`]s, before any.
//!
//! A finding sits where code on the loop runs a loop or calls a function that
//! does, directly or through other sync functions. So a file needs a parse when
//! its outline shows one of these *seeds*:
//! - a run (`run`, `run_until_complete`, or an alias of `run`) inside an
//!   `async def` (at any depth);
//! - a name of a possibly blocking function inside an `async def`;
//! - a loop callback registration (`call_soon`, `add_done_callback`, ...) on a
//!   logical line that names a possibly blocking function, or holds a lambda
//!   and a run;
//! - a notebook, a mention of `nest_asyncio`, or text the outline cannot follow.
//!
//! *Possibly blocking* is a name-level over-approximation of the call graph's
//! loop-blocking functions: a sync `def` holding a run or naming a possibly
//! blocking function, to a fixpoint. Methods and nested functions count within
//! their file; top-level functions also in files that mention their name with
//! their module's (the call graph resolves no other way across files), and so do
//! the names a module re-exports by importing them.
//!
//! A file that needs a parse also needs the files that define the possibly
//! blocking functions it names, so that a finding's chain is whole. What a fix
//! needs besides (every caller of a function made async) is the project's to
//! add after the first analysis ([`crate::project`]).
//!
//! Every test here is conservative: words count wherever they occur in code, a
//! module's name anywhere in a file's bytes. A test in `tests/` runs every
//! fixture with and without triage and compares the findings.

use std::collections::{HashMap, HashSet};

use crate::asyncio_api::LOOP_CALLBACKS;
use crate::syntax::lexer::is_word_byte;
use crate::syntax::outline::{BlockKind, Outline, Unit};

/// What triage knows of one file.
pub struct Outlined {
    /// The Python text outlined: a file's text, a notebook's cells.
    pub text: String,
    pub outline: Outline,
    /// The last part of the module's name (`users` for `app.users`).
    pub module_last: String,
    /// It mentions asyncio or `run_until_complete`: its runs may be asyncio's.
    pub may_run: bool,
    /// Parse it whatever its outline says (a notebook).
    pub always: bool,
    /// It may hold a framework's loop entry point (it names a word of a
    /// built-in row, or its module matches a declared one): its sync code may
    /// run on a loop, so it is parsed whole.
    pub entry_points: bool,
    /// Its `from m import *` statements re-export (see [`crate::analysis::graph`]: not
    /// in asyncio's own package, whose names the analysis knows by meaning).
    pub star_reexports: bool,
}

impl Outlined {
    pub fn new(text: String, module: &str, may_run: bool, always: bool) -> Self {
        let mut outline = Outline::scan(&text);
        if !outline.followed {
            outline = crude_outline(&text);
        }
        Self {
            outline,
            module_last: module.rsplit('.').next().unwrap_or(module).to_owned(),
            text,
            may_run,
            always,
            entry_points: false,
            star_reexports: module != crate::asyncio_api::ASYNCIO_PACKAGE,
        }
    }
}

/// Every identifier-like word of `text`, strings and comments included, for a
/// file the lexer could not follow: with no blocks, only its mentions count.
fn crude_outline(text: &str) -> Outline {
    let bytes = text.as_bytes();
    let mut outline = Outline::default();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if is_word_byte(b) && !b.is_ascii_digit() {
            let start = i;
            while i < bytes.len() && is_word_byte(bytes[i]) {
                i += 1;
            }
            outline.words.add(&text[start..i], start as u32);
        } else {
            i += 1;
        }
    }
    outline.words.finish();
    outline
}

/// A top-level function (or re-export) that may block, by name and the last
/// part of its module's name.
pub type Export = (String, String);

/// What one round of triage found in a file.
#[derive(Debug, Default)]
pub struct Facts {
    /// The first seed found: where, and what it is (for `UNNEST_TRACE`).
    pub seed: Option<(u32, &'static str)>,
    /// Where every seed is: with any, the file needs a parse.
    pub seeds: Vec<u32>,
    /// A seed that concerns the whole file (a notebook, `nest_asyncio`, text
    /// the outline cannot follow): parse all of it.
    pub whole: bool,
    /// Names of possibly blocking functions of other files it mentions, each
    /// with the module it comes from.
    pub external: Vec<Export>,
    /// What it offers other files.
    pub exports: Vec<Export>,
}

/// The exports of all files, by name: the module names that offer it.
pub type ExportTable = HashMap<String, Vec<String>>;

/// One file's seeds and exports, given what other files export.
pub fn facts<'t>(file: &'t Outlined, table: &ExportTable) -> Facts {
    let text = file.text.as_str();
    let outline = &file.outline;
    let mut facts = Facts::default();
    if !outline.followed {
        // No blocks: every `def` name may block, every mention may matter.
        facts.seed_whole("text the outline cannot follow");
        facts.external = external(file, table);
        facts.exports = def_names(text)
            .into_iter()
            .map(|n| (n.to_owned(), file.module_last.clone()))
            .collect();
        return facts;
    }
    if file.always {
        facts.seed_whole("a notebook");
    }
    if file.entry_points {
        facts.seed_whole("a framework's loop entry point");
    }
    if !outline.occurrences("nest_asyncio").is_empty() {
        facts.seed_whole("nest_asyncio");
    }

    let line_of = |at: u32| outline.line_at(at);
    let lines_with = |words: &[&str]| -> HashSet<usize> {
        words
            .iter()
            .flat_map(|w| outline.occurrences(w))
            .filter_map(|&at| line_of(at))
            .collect()
    };
    let callback_names: Vec<&str> = LOOP_CALLBACKS.iter().map(|(name, _)| *name).collect();
    let callback_lines = lines_with(&callback_names);
    let lambda_lines = lines_with(&["lambda"]);
    let def_names: HashSet<u32> = outline.blocks.iter().map(|b| b.name.0).collect();

    let mut blocking = vec![false; outline.blocks.len()];
    let mut queue: Vec<&'t str> = Vec::new();
    fn mark<'t>(file: &'t Outlined, block: u32, queue: &mut Vec<&'t str>, blocking: &mut [bool]) {
        if !blocking[block as usize] {
            blocking[block as usize] = true;
            queue.push(block_name(&file.text, &file.outline, block));
        }
    }

    // Runs.
    if file.may_run {
        // A wait on `run_coroutine_threadsafe`, and `run_until_complete` in a
        // file that names `get_running_loop`, may be wrong wherever they are.
        // Both need the loop taken in the same function (UNN013, UNN014):
        // only the defs that name `get_running_loop` (or `get_event_loop`,
        // or an alias of either) can hold one.
        let defs_naming = |names: &[&str]| -> HashSet<Option<u32>> {
            let mut all: Vec<&str> = names.to_vec();
            for name in names {
                for &at in outline.occurrences(name) {
                    if let Some(alias) = Outline::alias_after(text, at + name.len() as u32) {
                        all.push(alias);
                    }
                }
            }
            all.iter()
                .flat_map(|name| outline.occurrences(name))
                .map(|&at| outline.def_at(at))
                .collect()
        };
        let any_loop = defs_naming(&["get_running_loop", "get_event_loop"]);
        for &at in outline.occurrences("run_coroutine_threadsafe") {
            if any_loop.contains(&outline.def_at(at)) {
                facts.seed(at, "a run_coroutine_threadsafe call");
            }
        }
        let running_loop = defs_naming(&["get_running_loop"]);
        for at in run_calls(file) {
            if text[at as usize..].starts_with("run_until_complete")
                && running_loop.contains(&outline.def_at(at))
            {
                facts.seed(at, "run_until_complete in a def naming get_running_loop");
            }
            {
                let line = line_of(at);
                if line.is_some_and(|l| callback_lines.contains(&l) && lambda_lines.contains(&l)) {
                    facts.seed(at, "a run in a lambda handed to the loop");
                }
                match outline.def_at(at) {
                    Some(d) if outline.within_async(d) => facts.seed(at, "a run in an async def"),
                    Some(d) => mark(file, d, &mut queue, &mut blocking),
                    // A run at import time: which modules import this one
                    // is known once all are read (UNN015).
                    None if !under_main_guard(text, outline, at) => {
                        facts.seed(at, "a run at module level")
                    }
                    None => {}
                }
            }
        }
    }

    // Names of other files' possibly blocking functions, and their aliases.
    facts.external = external(file, table);
    for (name, _) in &facts.external {
        for &at in outline.occurrences(name) {
            // The name as it stands in the file, which outlives `facts`.
            queue.push(&text[at as usize..at as usize + name.len()]);
            // An import binds the alias if there is one, else the name; at
            // module level or not, the module offers it to others.
            let alias = Outline::alias_after(text, at + name.len() as u32);
            if let Some(alias) = alias {
                queue.push(alias);
            }
            if line_of(at).is_some_and(|l| outline.lines[l].is_import) {
                let bound = alias.unwrap_or(name);
                facts
                    .exports
                    .push((bound.to_owned(), file.module_last.clone()));
            }
        }
    }

    // The fixpoint over names. The call graph resolves `f()`, `self.f()`,
    // `cls.f()`, `Class.f()` and `module.f()`; `obj.f()` it cannot follow, so
    // such a mention makes nothing blocking.
    let mut receivers: HashSet<&str> = ["self", "cls"].into_iter().collect();
    for (index, block) in outline.blocks.iter().enumerate() {
        if block.kind == BlockKind::Class {
            receivers.insert(block_name(text, outline, index as u32));
        }
    }
    for (_, module) in &facts.external {
        if let Some(&at) = outline.occurrences(module).first() {
            receivers.insert(&text[at as usize..at as usize + module.len()]);
        }
    }
    for &at in outline.occurrences("as") {
        if line_of(at).is_some_and(|l| outline.lines[l].is_import)
            && let Some(alias) = Outline::alias_after(text, at)
        {
            receivers.insert(alias);
        }
    }
    let external_modules: HashSet<String> = facts.external.iter().map(|(_, m)| m.clone()).collect();
    let local_names: HashSet<&str> = (0..outline.blocks.len() as u32)
        .map(|b| block_name(text, outline, b))
        .collect();
    // `from m import *` binds every name `m` offers.
    let star_import_names_external = outline.lines.iter().any(|line| {
        line.is_import
            && text[line.start as usize..line.end as usize].contains('*')
            && external_modules.iter().any(|m| {
                outline
                    .occurrences(m)
                    .iter()
                    .any(|&a| line.start <= a && a < line.end)
            })
    });
    let mut done: HashSet<&str> = HashSet::new();
    while let Some(name) = queue.pop() {
        if !done.insert(name) {
            continue;
        }
        // Another file's function is called by a bare name only after `from m
        // import name [as alias]`: an import line naming one of the modules
        // that offer it.
        let bare_ok = local_names.contains(name)
            || star_import_names_external
            || outline.occurrences(name).iter().any(|&at| {
                line_of(at).is_some_and(|l| {
                    let line = outline.lines[l];
                    line.is_import
                        && external_modules.iter().any(|m| {
                            outline
                                .occurrences(m)
                                .iter()
                                .any(|&a| line.start <= a && a < line.end)
                        })
                })
            });
        for &at in outline.occurrences(name) {
            let resolvable = match receiver_before(text, at) {
                None => bare_ok,
                Some(receiver) => receivers.contains(receiver),
            };
            if def_names.contains(&at) || !resolvable {
                continue;
            }
            // A callback is handed over, not called.
            if line_of(at).is_some_and(|l| callback_lines.contains(&l)) {
                facts.seed(at, "a blocking function handed to the loop");
            }
            if !called_at(text, at + name.len() as u32) {
                continue;
            }
            match outline.def_at(at) {
                Some(d)
                    if outline.blocks[d as usize].kind == (BlockKind::Def { is_async: true }) =>
                {
                    facts.seed(at, "a blocking function called in an async def")
                }
                Some(d) => mark(file, d, &mut queue, &mut blocking),
                None => {}
            }
        }
    }

    // A module re-exports what it imports with `*` from a module that offers it.
    for line in outline
        .lines
        .iter()
        .filter(|l| l.is_import && file.star_reexports)
    {
        let line_text = &text[line.start as usize..line.end as usize];
        if !line_text.contains('*') {
            continue;
        }
        for (name, offered_by) in table {
            for module in offered_by {
                let named = outline
                    .occurrences(module)
                    .iter()
                    .any(|&a| line.start <= a && a < line.end);
                if named {
                    // Its chain runs through the module it comes from.
                    facts.external.push((name.clone(), module.clone()));
                    facts.exports.push((name.clone(), file.module_last.clone()));
                }
            }
        }
    }
    for (index, block) in outline.blocks.iter().enumerate() {
        if blocking[index] && block.parent.is_none() {
            let name = &text[block.name.0 as usize..block.name.1 as usize];
            facts
                .exports
                .push((name.to_owned(), file.module_last.clone()));
        }
    }
    facts.exports.sort();
    facts.exports.dedup();
    facts.external.sort();
    facts.external.dedup();
    facts
}

fn block_name<'t>(text: &'t str, outline: &Outline, block: u32) -> &'t str {
    let (start, end) = outline.blocks[block as usize].name;
    &text[start as usize..end as usize]
}

/// Where `file` may call asyncio's `run`, `run_until_complete` or a Runner's
/// `run`, as the call graph recognises them: `run_until_complete` on anything;
/// `X.run` where `X` is asyncio under any name it is imported as, or anything
/// when the file names `Runner`; a bare `run` (or its alias) when the file
/// imports it from asyncio.
fn run_calls(file: &Outlined) -> Vec<u32> {
    let text = file.text.as_str();
    let outline = &file.outline;
    let import_line = |at: u32| {
        outline
            .line_at(at)
            .map(|l| outline.lines[l])
            .filter(|l| l.is_import)
    };
    let mut asyncio_names = vec!["asyncio"];
    let mut bare_names = Vec::new();
    for &at in outline.occurrences("asyncio") {
        let Some(line) = import_line(at) else {
            continue;
        };
        if let Some(alias) = Outline::alias_after(text, at + 7) {
            asyncio_names.push(alias);
        }
        if text[line.start as usize..line.end as usize].contains('*') {
            bare_names.push("run");
        }
    }
    for &at in outline.occurrences("run") {
        let from_asyncio = import_line(at).is_some_and(|l| {
            outline
                .occurrences("asyncio")
                .iter()
                .any(|&a| l.start <= a && a < l.end)
        });
        if from_asyncio {
            bare_names.push(Outline::alias_after(text, at + 3).unwrap_or("run"));
        }
    }
    let runner = !outline.occurrences("Runner").is_empty();
    let mut calls: Vec<u32> = outline.occurrences("run_until_complete").to_vec();
    for &at in outline.occurrences("run") {
        let counts = match receiver_before(text, at) {
            Some(receiver) => runner || asyncio_names.contains(&receiver),
            None => bare_names.contains(&"run"),
        };
        if counts {
            calls.push(at);
        }
    }
    for alias in bare_names.iter().filter(|n| **n != "run") {
        for &at in outline.occurrences(alias) {
            if receiver_before(text, at).is_none() {
                calls.push(at);
            }
        }
    }
    calls.retain(|&at| {
        let end = text[at as usize..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(text.len(), |i| at as usize + i);
        called_at(text, end as u32)
    });
    calls
}

/// Whether a call's parentheses open at `end` (after spaces).
fn called_at(text: &str, end: u32) -> bool {
    text[end as usize..]
        .trim_start_matches([' ', '\t', '\\', '\n', '\r'])
        .starts_with('(')
}

/// For a word at `at` that follows a `.`: the word before the dot (empty when
/// something else is, as in `f().run`). `None` for a word after no dot.
fn receiver_before(text: &str, at: u32) -> Option<&str> {
    let bytes = text.as_bytes();
    let skip_back = |mut i: usize| {
        while i > 0 && matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'\r' | b'\\') {
            i -= 1;
        }
        i
    };
    let dot = skip_back(at as usize);
    if dot == 0 || bytes[dot - 1] != b'.' {
        return None;
    }
    let end = skip_back(dot - 1);
    let start = bytes[..end]
        .iter()
        .rposition(|&b| !is_word_byte(b))
        .map_or(0, |i| i + 1);
    Some(&text[start..end])
}

/// The exports of other files that `file` mentions, with their module's name.
fn external(file: &Outlined, table: &ExportTable) -> Vec<Export> {
    let mut found = Vec::new();
    let mut modules: HashMap<&str, bool> = HashMap::new();
    // The smaller side is walked: the table grows with every module of a
    // chain, while a file names few of its entries.
    let named: Vec<(&String, &Vec<String>)> = if file.outline.words.len() < table.len() {
        file.outline
            .words
            .keys()
            .filter_map(|word| table.get_key_value(word))
            .collect()
    } else {
        table
            .iter()
            .filter(|(name, _)| !file.outline.occurrences(name).is_empty())
            .collect()
    };
    for (name, offered_by) in named {
        for module in offered_by {
            // A module is named as a whole word wherever it is imported.
            let named = *modules
                .entry(module)
                .or_insert_with(|| !file.outline.occurrences(module).is_empty());
            if named {
                found.push((name.clone(), module.clone()));
            }
        }
    }
    found.sort();
    found
}

/// The names after `def` in text the lexer could not follow.
fn def_names(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    for (at, _) in text.match_indices("def") {
        let before = text[..at].bytes().next_back();
        if before.is_some_and(is_word_byte) {
            continue;
        }
        let rest = &text[at + 3..];
        let trimmed = rest.trim_start_matches([' ', '\t', '\\', '\n', '\r']);
        if trimmed.len() == rest.len() {
            continue;
        }
        let end = trimmed
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(trimmed.len());
        if end > 0 {
            names.push(&trimmed[..end]);
        }
    }
    names
}

impl Facts {
    /// Whether a seed was found: the file needs a parse.
    pub fn seeded(&self) -> bool {
        !self.seeds.is_empty()
    }

    fn seed(&mut self, at: u32, what: &'static str) {
        self.seed.get_or_insert((at, what));
        self.seeds.push(at);
    }

    fn seed_whole(&mut self, what: &'static str) {
        self.seed(0, what);
        self.whole = true;
    }
}

/// What of a file to parse: everything but the `holes`, statements (units)
/// that nothing found can depend on.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Byte ranges left out, in order.
    pub holes: Vec<(u32, u32)>,
    /// The names the top-level statements left out bind: still module-level
    /// names, which a fix must not shadow with an import.
    pub hole_names: Vec<String>,
}

/// Which units of a needed file to parse. Kept: the units holding a seed, the
/// units named in `demanded` (functions other files' chains run through), the
/// units that mention one of `words` (names a fix depends on), and, to a
/// fixpoint, every unit whose name the kept text mentions, so that each name in
/// it binds as in the whole file. The first statement and everything up to the
/// last top-level import stay, so a new import goes where it would; a kept class
/// keeps its other statements, and one member at least.
pub fn plan(file: &Outlined, facts: &Facts, demanded: &HashSet<String>, words: &[String]) -> Plan {
    let text = file.text.as_str();
    let outline = &file.outline;
    if facts.whole || !outline.followed {
        return Plan::default();
    }
    let units = outline.units(text);
    let name_of = |u: &Unit| block_name(text, outline, u.block);
    let mut kept = vec![false; units.len()];
    // Units are sorted by start, top-level ones each followed by their
    // members, and siblings do not overlap: the innermost unit holding `at`
    // is the last one starting at or before it, or that one's class.
    let innermost = |at: u32| {
        let last = units.partition_point(|u| u.start <= at).checked_sub(1)?;
        if at < units[last].end {
            return Some(last);
        }
        units[last].class.filter(|&class| at < units[class].end)
    };
    // The head of the file: the first statement, the imports.
    let head_end = outline
        .lines
        .iter()
        .filter(|l| l.is_import && text.as_bytes()[l.start as usize] != b' ')
        .map(|l| l.end)
        .next_back()
        .unwrap_or(0)
        .max(outline.lines.first().map_or(0, |l| l.end));
    for (i, unit) in units.iter().enumerate() {
        let top = unit.class.unwrap_or(i);
        if units[top].start < head_end {
            kept[i] = true;
        }
    }
    for &at in &facts.seeds {
        if let Some(i) = innermost(at) {
            kept[i] = true;
        }
    }
    // The words, and the names this file imports them as.
    let mut local_words: Vec<&str> = words.iter().map(String::as_str).collect();
    for word in words {
        for &at in outline.occurrences(word) {
            local_words.extend(Outline::alias_after(text, at + word.len() as u32));
        }
    }
    for word in local_words {
        for &at in outline.occurrences(word) {
            if let Some(i) = innermost(at) {
                kept[i] = true;
            }
        }
    }
    for (i, unit) in units.iter().enumerate() {
        if demanded.contains(name_of(unit)) {
            kept[i] = true;
        }
    }
    // To a fixpoint: a class with a kept member is kept; a unit whose name
    // occurs outside the units left out is kept. An occurrence is outside
    // them when no unit holds it, or its innermost unit is kept (a kept
    // member's class is kept too). So each occurrence of a name waits on one
    // unit, and a worklist visits each occurrence once, however long the
    // chain of units that name each other (and however many classes share a
    // method's name).
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (j, unit) in units.iter().enumerate() {
        by_name.entry(name_of(unit)).or_default().push(j);
    }
    let named: Vec<&Vec<usize>> = by_name.values().collect();
    let mut waiting: Vec<Vec<usize>> = vec![Vec::new(); units.len()];
    let mut fired = vec![false; named.len()];
    let mut queue: Vec<usize> = Vec::new();
    for (n, &holders) in named.iter().enumerate() {
        if holders.iter().all(|&j| kept[j]) {
            continue;
        }
        for &at in outline.occurrences(name_of(&units[holders[0]])) {
            match innermost(at) {
                None => {
                    fired[n] = true;
                    break;
                }
                Some(holder) => waiting[holder].push(n),
            }
        }
    }
    let keep = |j: usize, kept: &mut Vec<bool>, queue: &mut Vec<usize>| {
        if !kept[j] {
            kept[j] = true;
            queue.push(j);
        }
    };
    for (n, holders) in named.iter().enumerate() {
        if fired[n] {
            for &j in holders.iter() {
                keep(j, &mut kept, &mut queue);
            }
        }
    }
    queue.extend((0..units.len()).filter(|&i| kept[i]));
    while let Some(i) = queue.pop() {
        if let Some(class) = units[i].class {
            keep(class, &mut kept, &mut queue);
        }
        for n in std::mem::take(&mut waiting[i]) {
            if !fired[n] {
                fired[n] = true;
                for &j in named[n].iter() {
                    keep(j, &mut kept, &mut queue);
                }
            }
        }
    }
    // A kept class whose members are all left out must keep one, unless its
    // body has a statement of its own.
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); units.len()];
    for (m, unit) in units.iter().enumerate() {
        if let Some(class) = unit.class {
            members[class].push(m);
        }
    }
    for c in 0..units.len() {
        let members = &members[c];
        if !kept[c] || members.is_empty() || members.iter().any(|&m| kept[m]) {
            continue;
        }
        let block = &outline.blocks[units[c].block as usize];
        let first = outline
            .lines
            .partition_point(|l| l.start < block.body_start);
        let own_statement = outline.lines[first..]
            .iter()
            .take_while(|l| l.start < block.end)
            .any(|l| {
                // Members are sorted and do not overlap.
                let after = members.partition_point(|&m| units[m].start <= l.start);
                after == 0 || l.start >= units[members[after - 1]].end
            });
        if !own_statement {
            kept[members[0]] = true;
        }
    }
    let holes = holes_of(&units, &kept);
    let hole_names = units
        .iter()
        .zip(&kept)
        .filter(|(u, k)| u.class.is_none() && !**k)
        .map(|(u, _)| name_of(u).to_owned())
        .collect();
    Plan { holes, hole_names }
}

fn holes_of(units: &[Unit], kept: &[bool]) -> Vec<(u32, u32)> {
    let mut holes: Vec<(u32, u32)> = Vec::new();
    for (i, unit) in units.iter().enumerate() {
        let inside_hole = unit.class.is_some_and(|c| !kept[c]);
        if !kept[i] && !inside_hole {
            holes.push((unit.start, unit.end));
        }
    }
    holes
}

/// Build the table of exports from every file's facts.
pub fn table(facts: &[Facts]) -> ExportTable {
    let mut table: ExportTable = HashMap::new();
    for (name, module) in facts.iter().flat_map(|f| &f.exports) {
        let modules = table.entry(name.clone()).or_default();
        if !modules.contains(module) {
            modules.push(module.clone());
        }
    }
    table
}

/// The files that need a parse: the seeded ones (and `roots`), and the files
/// that export what a file in the set mentions, transitively; for each, the
/// names other files demand of it. `module_lasts[i]` is file `i`'s module's
/// last name.
pub fn needed(
    facts: &[Facts],
    module_lasts: &[&str],
    roots: &[bool],
) -> (Vec<bool>, Vec<HashSet<String>>) {
    let mut by_module: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, module) in module_lasts.iter().enumerate() {
        by_module.entry(module).or_default().push(index);
    }
    let mut needed: Vec<bool> = facts
        .iter()
        .zip(roots)
        .map(|(f, root)| f.seeded() || *root)
        .collect();
    let mut demanded: Vec<HashSet<String>> = vec![HashSet::new(); facts.len()];
    // What a file demands of others depends on its facts alone, not on what
    // is demanded of it: each file is visited once.
    let exported: Vec<HashSet<&str>> = facts
        .iter()
        .map(|f| f.exports.iter().map(|(n, _)| n.as_str()).collect())
        .collect();
    let mut visited = vec![false; facts.len()];
    let mut queue: Vec<usize> = (0..facts.len()).filter(|&i| needed[i]).collect();
    while let Some(file) = queue.pop() {
        if std::mem::replace(&mut visited[file], true) {
            continue;
        }
        for (name, module) in &facts[file].external {
            for &other in by_module.get(module.as_str()).into_iter().flatten() {
                if exported[other].contains(name.as_str()) && demanded[other].insert(name.clone()) {
                    // Its function may call others, in turn demanded.
                    if !needed[other] {
                        needed[other] = true;
                    }
                    queue.push(other);
                }
            }
        }
    }
    (needed, demanded)
}

/// Whether the top-level statement around byte `at` is
/// `if __name__ == "__main__":` (either operand first, either quote): the
/// test of `crate::analysis::import_time`, made on text. Anything else (an
/// `else:` after it, `!=`) is not.
fn under_main_guard(text: &str, outline: &Outline, at: u32) -> bool {
    let Some(line) = outline
        .lines
        .iter()
        .take_while(|l| l.start <= at)
        .filter(|l| !matches!(text.as_bytes()[l.start as usize], b' ' | b'\t'))
        .last()
    else {
        return false;
    };
    let header: String = text[line.start as usize..line.end as usize]
        .chars()
        .take_while(|c| *c != ':')
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .replace('\'', "\"");
    matches!(
        header.as_str(),
        "if__name__==\"__main__\"" | "if\"__main__\"==__name__" | "if(__name__==\"__main__\")"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str, module: &str) -> Outlined {
        Outlined::new(text.to_owned(), module, text.contains("asyncio"), false)
    }

    fn seeded(text: &str) -> bool {
        facts(&file(text, "m"), &ExportTable::new()).seeded()
    }

    #[test]
    fn runs_in_sync_code_that_nothing_on_a_loop_calls_need_no_parse() {
        assert!(!seeded(
            "import asyncio\nclass T:\n    def test(self):\n        self.loop.run_until_complete(f())\n    async def g(self):\n        await h()\n"
        ));
        // A script's run under the main guard: no import runs it.
        assert!(!seeded(
            "import asyncio\nif __name__ == \"__main__\":\n    asyncio.run(main())\n"
        ));
        assert!(!seeded(
            "import asyncio\nif '__main__' == __name__: asyncio.run(main())\n"
        ));
    }

    #[test]
    fn runs_at_import_time_need_one() {
        // Whether another module imports it is known only once all are read.
        assert!(seeded("import asyncio\nasyncio.run(main())\n"));
        assert!(seeded(
            "import asyncio\nif __name__ == \"__main__\":\n    pass\nelse:\n    asyncio.run(main())\n"
        ));
        assert!(seeded(
            "import asyncio\nif __name__ != \"__main__\":\n    asyncio.run(main())\n"
        ));
    }

    #[test]
    fn runs_and_blocking_names_on_a_loop_need_one() {
        // A run in an async def, at any depth.
        assert!(seeded(
            "import asyncio\nasync def f():\n    def g():\n        asyncio.run(h())\n"
        ));
        // A helper that runs a loop, called from an async def, two steps away.
        assert!(seeded(
            "import asyncio\ndef a():\n    return asyncio.run(x())\ndef b():\n    return a()\nasync def c():\n    b()\n"
        ));
        // A callback registration naming a helper that runs a loop.
        assert!(seeded(
            "import asyncio\ndef cb():\n    asyncio.run(x())\ndef setup(loop):\n    loop.call_soon(\n        cb)\n"
        ));
        // A lambda handed to the loop that runs one.
        assert!(seeded(
            "import asyncio\ndef setup(loop):\n    loop.call_soon(lambda: asyncio.run(x()))\n"
        ));
        // An alias of run.
        assert!(seeded(
            "from asyncio import run as go\nasync def f():\n    go(x())\n"
        ));
        // A default runs in the enclosing async def.
        assert!(seeded(
            "import asyncio\ndef helper():\n    asyncio.run(x())\nasync def f():\n    def g(a=helper()):\n        pass\n"
        ));
        assert!(seeded("import nest_asyncio\nnest_asyncio.apply()\n"));
        assert!(seeded("import asyncio\ndef f():\n\treturn 1\n"));
    }

    #[test]
    fn plans_leave_out_what_nothing_found_depends_on() {
        let text = "import asyncio\n\ndef unrelated():\n    return 1\n\ndef helper():\n    return 2\n\nclass T:\n    x = 1\n\n    def test_a(self):\n        pass\n\n    async def test_b(self):\n        asyncio.run(f(helper()))\n\n@decorated\ndef run(x):\n    return x\n";
        let outlined = file(text, "m");
        let found = facts(&outlined, &ExportTable::new());
        assert!(found.seeded());
        let plan = plan(&outlined, &found, &HashSet::new(), &[]);
        let left_out: Vec<&str> = plan
            .holes
            .iter()
            .map(|&(a, b)| text[a as usize..b as usize].lines().next().unwrap())
            .collect();
        // `helper` is called by the kept method; `run` would shadow an import
        // of asyncio's `run` the kept code might use, so it stays too.
        assert_eq!(left_out, ["def unrelated():", "    def test_a(self):"]);
        assert_eq!(plan.hole_names, ["unrelated"]);
        // A word a fix depends on keeps the statements naming it.
        let plan = plan_with(&outlined, &found, &["unrelated".to_owned()]);
        assert_eq!(plan.holes.len(), 1);
    }

    fn plan_with(outlined: &Outlined, found: &Facts, words: &[String]) -> Plan {
        plan(outlined, found, &HashSet::new(), words)
    }

    #[test]
    fn across_files_through_exports_and_re_exports() {
        let users = file(
            "import asyncio\ndef get_user(i):\n    return asyncio.run(fetch(i))\n",
            "users",
        );
        let init = file("from .users import get_user as fetch_user\n", "app");
        let api = file(
            "from app import fetch_user\nasync def handler():\n    fetch_user(1)\n",
            "api",
        );
        let other = file("async def handler():\n    get_user(1)\n", "other");
        let files = [users, init, api, other];
        let mut table = ExportTable::new();
        let facts = loop {
            let facts: Vec<Facts> = files.iter().map(|f| facts(f, &table)).collect();
            let next = super::table(&facts);
            if next == table {
                break facts;
            }
            table = next;
        };
        assert_eq!(table["get_user"], ["users"]);
        // `api` imports it too, so `api.fetch_user` works as well.
        assert_eq!(table["fetch_user"], ["app", "api"]);
        let seeded: Vec<bool> = facts.iter().map(Facts::seeded).collect();
        // `other` names get_user but not its module: it cannot reach it.
        assert_eq!(seeded, [false, false, true, false]);
        let lasts: Vec<&str> = files.iter().map(|f| f.module_last.as_str()).collect();
        let (needed, demanded) = needed(&facts, &lasts, &[false; 4]);
        assert_eq!(needed, [true, true, true, false]);
        assert!(demanded[0].contains("get_user"));
        assert!(demanded[1].contains("fetch_user"));
    }
}
