//! Fixes that span functions and files:
//!
//! 1. a thin wrapper (`def w(x): return asyncio.run(co(x))`) is inlined at an
//!    async call site as `await co(x)`, importing `co` where needed;
//! 2. a sync function whose every call site is in async code becomes
//!    `async def`, its nested runs become `await`, and every call site is
//!    awaited, through chains, in one fix that is applied whole or not at all;
//! 3. a bare `asyncio.run(X)` in a loop callback becomes
//!    `asyncio.create_task(X)` with a strong reference kept in a module-level set.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use super::summary::{CallSite, FunctionSummary, ImportTarget, Place, RunSite};
use super::{FnRef, Graph};
use crate::edit::{Applicability, Edit, Fix, TextRange};

/// The module-level set that keeps callback tasks alive.
pub const TASK_SET: &str = "_background_tasks";

/// Names that are used in ways the index cannot follow: as values (passed,
/// stored, returned), or called through something unresolved. A function with
/// such a name is never made async: a caller might be missed.
#[derive(Debug, Default)]
pub struct NameUses {
    pub as_values: HashSet<String>,
    pub unresolved_calls: HashSet<String>,
}

impl NameUses {
    pub fn collect(graph: &Graph) -> Self {
        let mut uses = NameUses::default();
        for (file, view) in graph.files.iter().enumerate() {
            uses.as_values
                .extend(view.summary.value_uses.iter().cloned());
            // `asyncio.run(...)` is asyncio's, by binding: it never calls a
            // project function named `run` (a ComfyUI node's usual name).
            let summary = view.summary;
            let runs: HashSet<TextRange> = summary
                .functions
                .iter()
                .flat_map(|f| &f.runs)
                .chain(&summary.lambda_runs)
                .map(|r| r.range)
                .collect();
            let asyncio_run = summary.asyncio_name.as_ref().map(|a| format!("{a}.run"));
            for (index, call) in view.summary.calls.iter().enumerate() {
                if runs.contains(&call.range)
                    || asyncio_run.as_deref() == Some(call.callee_text.as_str())
                {
                    continue;
                }
                if graph.target(file, index).is_none() {
                    let last = call
                        .callee_text
                        .rsplit('.')
                        .next()
                        .unwrap_or(&call.callee_text);
                    uses.unresolved_calls.insert(last.trim().to_owned());
                }
            }
        }
        uses
    }
}

/// What a group made async edits, shared by the findings it fixes.
struct GroupEdits {
    /// Sorted by file, each file's edits by range, without duplicates.
    by_file: crate::edit::FileEdits,
    call_sites: usize,
    falls_back: bool,
    /// The library twins its members' calls now await.
    twins: Vec<String>,
}

/// A group's edits as built for one finding and kept for the others: `None`
/// when they depend on the order of its members.
type Shared = Option<Option<Rc<GroupEdits>>>;

/// The functions of a graph numbered from 0, file after file: what the
/// group search keeps of each function is in a list by number, since every
/// finding of a chain of N helpers searches a group of N, and hashing each
/// member made the findings quadratic in hashing alone.
#[derive(Clone)]
struct Numbers {
    /// Where each file's functions start.
    first: Rc<[usize]>,
    count: usize,
}

impl Numbers {
    fn new(graph: &Graph) -> Self {
        let mut first = Vec::with_capacity(graph.files.len());
        let mut count = 0;
        for file in graph.files {
            first.push(count);
            count += file.summary.functions.len();
        }
        Self {
            first: first.into(),
            count,
        }
    }

    fn of(&self, f: FnRef) -> usize {
        self.first[f.file] + f.function
    }
}

/// Which functions one group search has met: a number per function, the
/// search's own when met.
struct Marks {
    numbers: Numbers,
    marks: Vec<u32>,
    /// The current search's number.
    search: u32,
}

impl Marks {
    fn new(numbers: Numbers) -> Self {
        Self {
            marks: vec![0; numbers.count],
            numbers,
            search: 0,
        }
    }

    /// Start a new search, from `start`, met.
    fn start(&mut self, start: FnRef) {
        self.search += 1;
        self.mark(start);
    }

    /// Mark `f` met; whether it was not before, in this search.
    fn mark(&mut self, f: FnRef) -> bool {
        let mark = &mut self.marks[self.numbers.of(f)];
        let new = *mark != self.search;
        *mark = self.search;
        new
    }
}

/// A group found for an earlier finding: its members, sorted, and its edits
/// (`None` when they depend on the order of its members).
struct KnownGroup {
    key: Vec<FnRef>,
    edits: Shared,
}

pub struct Planner<'g, 'a> {
    graph: &'g Graph<'a>,
    hierarchy: Hierarchy<'a>,
    /// Functions that may become `async def`: the largest set whose members'
    /// call sites are all in async code or in other members.
    convertible: HashSet<FnRef>,
    /// Functions that code outside the project calls on the loop and awaits
    /// when they return a coroutine (shown by a traceback).
    external: HashSet<FnRef>,
    /// The edits of each group (by its members, sorted) built so far (`None`
    /// when it has none); an outer `None` for a group whose edits depend on
    /// the order of its members, built for each finding.
    groups: RefCell<HashMap<Vec<FnRef>, Shared, Fast>>,
    /// Each group member's neighbours in the group search (its blocking
    /// callees, then its sync callers), or `None` when a blocking callee
    /// cannot become async: found once, as every finding of a long chain
    /// searches the same group again.
    /// By [`Numbers`], `None` until found.
    neighbours: RefCell<Vec<Option<Neighbours>>>,
    /// The last group each function was found in (see
    /// [`Planner::make_async`]).
    member_of: RefCell<HashMap<FnRef, Rc<KnownGroup>, Fast>>,
    /// The group search's marks of the functions it has met (see
    /// [`Marks`]).
    marks: RefCell<Marks>,
    /// The functions of the graph, numbered.
    numbers: Numbers,
    /// Blocking functions that may not become async by themselves, and why
    /// (for UNN012's message).
    refused: HashMap<FnRef, &'static str>,
}

/// A group member's neighbours, or `None` when the member cannot be in a
/// group (see [`Planner::neighbours`]).
type Neighbours = Option<Rc<[FnRef]>>;

/// A hasher for the planner's tables, whose keys are function references
/// read once per group member and finding.
type Fast = foldhash::fast::FixedState;

/// Decorators that leave a function's calls as they are.
const PLAIN_DECORATORS: [&str; 2] = ["staticmethod", "classmethod"];

impl<'g, 'a> Planner<'g, 'a> {
    pub fn new(graph: &'g Graph<'a>, names: &NameUses) -> Self {
        Self::with_external(graph, names, HashSet::new())
    }

    /// [`Planner::new`], where `external` are functions called from outside
    /// the project by code that accepts a coroutine function: they may
    /// become async without a call site in the project.
    pub fn with_external(graph: &'g Graph<'a>, names: &NameUses, external: HashSet<FnRef>) -> Self {
        // A method overridden in a subclass (or overriding one in a base
        // class) is called through `self.m()` on objects the index cannot tell
        // apart: such methods stay sync.
        let hierarchy = Hierarchy::new(graph);
        let mut refused = HashMap::new();
        let mut convertible: HashSet<FnRef> = graph
            .blocking
            .keys()
            .copied()
            .filter(|&f| {
                let function = graph.function(f);
                let reason = if !may_become_async(function, names, graph.entry(f)) {
                    Some(refusal(function, names))
                } else if hierarchy.is_overridden(function) {
                    Some("a subclass or base class defines a method of its name")
                } else {
                    None
                };
                if let Some(reason) = reason {
                    refused.insert(f, reason);
                    return false;
                }
                // Made async, it would still call a library's sync function
                // that has no twin to await: a finding left behind.
                library_calls(graph, f)
                    .all(|(index, library)| twin_edits(graph, f.file, index, library).is_ok())
            })
            .collect();
        // A helper that returns what a call gives (other than its nested
        // run's result) may return an awaitable: `await helper()` then means
        // awaiting that, which an async helper would not give. Decided by
        // the text alone, so that it does not depend on which files are read.
        let returns_call = |f: FnRef| {
            let function = graph.function(f);
            function
                .return_calls
                .iter()
                .any(|range| function.runs.iter().all(|run| run.range != *range))
        };
        // The largest such set, by a worklist: a function leaves it when one
        // of its call sites disqualifies it; then the functions it calls are
        // checked again, since their call sites in it no longer qualify.
        let qualifies = |f: FnRef, convertible: &HashSet<FnRef>| {
            let callers = graph.callers(f);
            // The framework awaits an entry point that accepts coroutine
            // functions: its one caller outside the files is fine.
            let awaited_by_framework = graph.entry(f).is_some_and(|e| e.async_ok);
            (!callers.is_empty() || awaited_by_framework || external.contains(&f))
                && callers.iter().all(|&(file, index)| {
                    let call = graph.call(file, index);
                    // A generator made async is iterated with `async for`;
                    // an awaited call site needs no edit.
                    let editable = if graph.function(f).is_generator {
                        call.async_for_edit.is_some() && !call.awaited
                    } else if call.awaited {
                        !returns_call(f)
                    } else {
                        !call.await_edits.is_empty()
                    };
                    if call.guarded || !editable {
                        return false;
                    }
                    match call.place {
                        Place::Function(caller) => {
                            let caller = FnRef {
                                file,
                                function: caller,
                            };
                            graph.function(caller).is_async || convertible.contains(&caller)
                        }
                        // A notebook cell can await at top level.
                        Place::Module => graph.files[file].summary.top_level_await,
                        _ => false,
                    }
                })
        };
        let mut queue: Vec<FnRef> = convertible.iter().copied().collect();
        while let Some(f) = queue.pop() {
            if !convertible.contains(&f) || qualifies(f, &convertible) {
                continue;
            }
            convertible.remove(&f);
            for &index in graph.calls_in(f) {
                if let Some(callee) = graph.target(f.file, index)
                    && convertible.contains(&callee)
                {
                    queue.push(callee);
                }
            }
        }
        let numbers = Numbers::new(graph);
        Planner {
            graph,
            hierarchy,
            convertible,
            external,
            groups: RefCell::default(),
            neighbours: RefCell::new(vec![None; numbers.count]),
            member_of: RefCell::default(),
            marks: RefCell::new(Marks::new(numbers.clone())),
            numbers,
            refused,
        }
    }

    /// The fix for a function that code outside the project calls on the
    /// loop and awaits: make it and the chain below it `async def`. Always
    /// unsafe: that the caller accepts a coroutine function is read from its
    /// code, not proven. `file` is the file of the finding.
    pub fn fix_for_external(&self, file: usize, target: FnRef) -> Option<Fix> {
        if !self.external.contains(&target) {
            return None;
        }
        let mut fix = self.make_async(file, target)?;
        fix.applicability = Applicability::Unsafe;
        fix.message.push_str(
            "; unsafe: the code outside the project that calls it must accept a coroutine function",
        );
        Some(fix)
    }

    /// The fix for an async call site (`file`, `index`) of the blocking
    /// function `target`, if one is safe to build.
    pub fn fix_for_call(&self, file: usize, index: usize, target: FnRef) -> Option<Fix> {
        let Some(mut fix) = self.inline_wrapper(file, index, target) else {
            return self.make_async(file, target);
        };
        if self.graph.call(file, index).falls_back {
            unsafe_for_fallback(&mut fix);
        }
        Some(fix)
    }

    /// The fix for a loop entry point that reaches a run: it becomes
    /// `async def` with the chain below it.
    pub fn fix_for_entry(&self, file: usize, entry: FnRef) -> Option<Fix> {
        self.graph.entry(entry).filter(|e| e.async_ok)?;
        self.make_async(file, entry)
    }

    /// Fix 1: `await co(args)` in place of a thin wrapper's call. A nested
    /// wrapper whose every call is inlined would be left holding its run
    /// inside code that now runs on the loop: all its calls are inlined in
    /// one fix, and it becomes `async def` with its run awaited (uncalled, it
    /// is harmless; the text around it stays as it was).
    fn inline_wrapper(&self, file: usize, index: usize, target: FnRef) -> Option<Fix> {
        let graph = self.graph;
        let wrapper = graph.function(target);
        let shape = wrapper.thin_wrapper.as_ref()?;
        let (mut edits, co_name) = self.inline_edits(file, index, target)?;
        let mut note = "the wrapper stays for sync callers";
        if wrapper.parent.is_some()
            && wrapper.decorators.is_empty()
            && target.file == file
            && let Some(Some(run_edits)) = wrapper.runs.first().map(|r| r.await_edits.as_ref())
            && !graph.files[file].summary.value_uses.contains(&wrapper.name)
        {
            let callers = graph.callers(target);
            let mut all = Vec::new();
            let every_call_inlined = callers.iter().all(|&(caller_file, caller_index)| {
                let call = graph.call(file, caller_index);
                if caller_file != file || call.place == Place::Function(target.function) {
                    return false;
                }
                if caller_index == index {
                    return true;
                }
                let on_loop = matches!(
                    graph.loop_context(file, call),
                    Some(super::LoopContext::Async(_) | super::LoopContext::Cell)
                );
                match self.inline_edits(file, caller_index, target) {
                    // A call with an `except RuntimeError` fallback keeps the
                    // wrapper (and this fix safe): it is fixed on its own.
                    Some((more, _)) if on_loop && !call.guarded && !call.falls_back => {
                        all.extend(more);
                        true
                    }
                    _ => false,
                }
            });
            if every_call_inlined {
                edits.extend(all);
                edits.push(Edit::insert(wrapper.def_start, "async "));
                edits.extend(run_edits.iter().cloned());
                edits.sort_by_key(|e| (e.range.start, e.range.end));
                edits.dedup();
                note = "the wrapper, left without callers, becomes `async def` so that it holds no run";
            }
        }
        Some(Fix::new(
            edits,
            Applicability::Safe,
            format!(
                "Inline `{}()`, a thin wrapper around `asyncio.run({}(...))`: await `{}()` here instead (it runs in the caller's task and loop; {note})",
                wrapper.name, shape.target_text, co_name
            ),
        ))
    }

    /// The edits that inline the thin wrapper `target` at call site (`file`,
    /// `index`), and the coroutine's name.
    fn inline_edits(
        &self,
        file: usize,
        index: usize,
        target: FnRef,
    ) -> Option<(Vec<Edit>, String)> {
        let graph = self.graph;
        let wrapper = graph.function(target);
        let shape = wrapper.thin_wrapper.as_ref()?;
        // A call of a decorated wrapper goes through the decorator (a cache,
        // a retry, logging, a check): calling the coroutine directly would
        // skip it.
        if !wrapper
            .decorators
            .iter()
            .all(|d| PLAIN_DECORATORS.contains(&d.as_str()))
        {
            return None;
        }
        let call = graph.call(file, index);
        let (prefix, suffix) = if call.awaited {
            ("", "")
        } else {
            await_wrapping(call)?
        };
        let coroutine = graph.resolve(target.file, &shape.target)?;
        let co = graph.function(coroutine);
        if !co.is_async || co.parent.is_some() {
            return None;
        }
        let parameters = wrapper.parameters.as_ref()?;
        if wrapper.class.is_some() || co.class.is_some() {
            // A method wrapper `def w(self, x): return asyncio.run(self.co(x))`
            // called as `recv.w(...)` becomes `await recv.co(...)`: the same
            // object, so the same dispatch. Not when `w` may be overridden,
            // nor through `Class.w(obj, ...)`.
            let receiver = method_receiver(call, wrapper)?;
            // The receiver is an instance only in a plain method (in a
            // classmethod, `cls.w(x)` would bind `x` to `self`).
            let Place::Function(caller) = call.place else {
                return None;
            };
            let caller = graph.function(FnRef {
                file,
                function: caller,
            });
            if !caller.decorators.is_empty() || caller.class != wrapper.class {
                return None;
            }
            let own = parameters.first()?;
            if co.class != wrapper.class
                || !wrapper.decorators.is_empty()
                || self.hierarchy.is_overridden(wrapper)
                || shape.target_text != format!("{}.{}", own.name, co.name)
            {
                return None;
            }
            let passes: Vec<(Option<String>, usize)> = shape
                .arguments
                .iter()
                .map(|(keyword, index)| Some((keyword.clone(), index.checked_sub(1)?)))
                .collect::<Option<_>>()?;
            let arguments = bind_arguments(call, &parameters[1..], &passes)?;
            let text = format!(
                "{prefix}{receiver}.{}({}){suffix}",
                co.name,
                arguments.join(", ")
            );
            return Some((vec![Edit::replace(call.range, text)], co.name.clone()));
        }
        let arguments = bind_arguments(call, parameters, &shape.arguments)?;
        let caller = graph.files[file].summary;
        let (name, import) = self.name_in_module(file, coroutine, call)?;
        let text = format!("{prefix}{name}({}){suffix}", arguments.join(", "));
        let mut edits = vec![Edit::replace(call.range, text)];
        if let Some(line) = import {
            edits.push(import_edit(
                caller,
                graph.files[file].text,
                &line,
                call.range.start,
            ));
        }
        Some((edits, co.name.clone()))
    }

    /// The name `coroutine` has in `file` at `call`, and an import line to add
    /// when it has none there yet.
    fn name_in_module(
        &self,
        file: usize,
        coroutine: FnRef,
        call: &CallSite,
    ) -> Option<(String, Option<String>)> {
        let graph = self.graph;
        let summary = graph.files[file].summary;
        let co = graph.function(coroutine);
        // The names the caller binds, and those of the functions around it,
        // whose locals its body sees as closures.
        let mut caller_locals = Vec::new();
        let mut scope = match call.place {
            Place::Function(f) | Place::Generator(f) => Some(f),
            _ => None,
        };
        while let Some(f) = scope {
            caller_locals.push(&summary.functions[f].locals);
            scope = summary.functions[f].parent;
        }
        let free_here = |name: &str| caller_locals.iter().all(|locals| !locals.contains(name));
        if coroutine.file == file {
            return free_here(&co.name).then(|| (co.name.clone(), None));
        }
        for (name, target) in &summary.imports {
            if let ImportTarget::Symbol(module, original) = target
                && graph.resolve_symbol(module, original, 0) == Some(coroutine)
                && free_here(name)
            {
                return Some((name.clone(), None));
            }
        }
        let module = &graph.files[coroutine.file].summary.module;
        // A new `from m import co` runs whenever this module is imported. When
        // `m` imports this module back, that line can run while `m` is only
        // partly initialized, before `co` exists, which the call through the
        // wrapper never needed: reach `co` through a module name this file
        // already binds (looked up at the call, as the wrapper was), or do
        // not inline.
        if graph.imports_reach(coroutine.file, file) {
            return summary
                .imports
                .iter()
                .filter(|(name, target)| {
                    let bound = match target {
                        ImportTarget::Module(m) => m == module,
                        ImportTarget::Symbol(m, n) => format!("{m}.{n}") == *module,
                    };
                    bound && free_here(name)
                })
                .map(|(name, _)| (format!("{name}.{}", co.name), None))
                .min();
        }
        if summary.module_names.contains(&co.name) || !free_here(&co.name) {
            return None;
        }
        Some((
            co.name.clone(),
            Some(format!("from {module} import {}", co.name)),
        ))
    }

    /// Fix 2: make `target` async together with every sync function that must
    /// follow, and await every call site.
    fn make_async(&self, file: usize, target: FnRef) -> Option<Fix> {
        if !self.convertible.contains(&target) {
            return None;
        }
        let graph = self.graph;
        // The group: `target` and, transitively, the sync functions that call a
        // member (all convertible, by the planner's fixpoint), and the blocking
        // functions a member calls. A member made async that still called a
        // sync function holding a run would only move the RuntimeError down
        // the chain: every such callee must become async in the same group,
        // or there is no fix.
        let known = self.member_of.borrow().get(&target).cloned();
        let mut group = vec![target];
        self.marks.borrow_mut().start(target);
        let mut next = 0;
        while next < group.len() {
            let member = group[next];
            next += 1;
            let neighbours = self.neighbours(member)?;
            let mut marks = self.marks.borrow_mut();
            for &neighbour in neighbours.iter() {
                if marks.mark(neighbour) {
                    group.push(neighbour);
                }
            }
        }
        // The group's edits depend on its members alone, and on their order
        // only when two differ at one place (then they are built again for
        // each finding): a chain of N helpers has N findings that share one
        // group, built once.
        //
        // A target in a group found before, whose search found as many
        // members, found that same group (what a member reaches, its group
        // reaches too): its edits are known without sorting or hashing the
        // members again, which every finding of a long chain would.
        let shared = match known.filter(|k| k.key.len() == group.len()) {
            Some(known) => known.edits.clone(),
            None => {
                let mut key = group.clone();
                key.sort_unstable();
                let shared = self.groups.borrow().get(&key).cloned().flatten();
                match shared {
                    Some(edits) => Some(edits),
                    None => {
                        let built = self.group_edits(&group).map(Rc::new);
                        // A failed group fails whatever the order (a collision is
                        // between ranges).
                        let order_free = built.as_ref().is_none_or(|edits| {
                            edits.by_file.iter().all(|(_, edits)| {
                                edits
                                    .windows(2)
                                    .all(|w| w[0].range != w[1].range || w[0] == w[1])
                            })
                        });
                        let shared = order_free.then(|| built.clone());
                        self.groups.borrow_mut().insert(key.clone(), shared.clone());
                        let known = Rc::new(KnownGroup {
                            key,
                            edits: shared.clone(),
                        });
                        let mut member_of = self.member_of.borrow_mut();
                        for &member in &group {
                            member_of.insert(member, known.clone());
                        }
                        // Order-dependent edits are built for this finding.
                        shared.or(Some(built))
                    }
                }
            }
        };
        let edits = match shared {
            Some(edits) => edits?,
            None => self.group_edits(&group).map(Rc::new)?,
        };
        let GroupEdits {
            by_file,
            call_sites,
            falls_back,
            twins,
        } = &*edits;
        let (call_sites, falls_back) = (*call_sites, *falls_back);
        let entry_note = group
            .iter()
            .find_map(|&f| graph.entry(f))
            .map(|e| e.unsafe_note);
        let private = entry_note.is_none() && group.iter().all(|&f| graph.function(f).is_private());
        // A long group is named shortened: each of its findings carries this
        // message.
        let names = super::elide(
            group.len(),
            |i| format!("`{}()`", graph.function(group[i]).name),
            ", ",
        );
        // A library twin's path may differ from the sync one: never safe.
        let helpers_private = private;
        let private = private && twins.is_empty();
        let applicability = if private {
            Applicability::Safe
        } else {
            Applicability::Unsafe
        };
        let entry_note = entry_note.map(|note| format!("; {note}"));
        let note = if private {
            ""
        } else if let Some(note) = &entry_note {
            note.as_str()
        } else {
            "; unsafe because callers outside the files given cannot be seen"
        };
        let how = if group.iter().any(|&f| graph.function(f).is_generator) {
            "await it or iterate it with `async for`"
        } else {
            "await it"
        };
        let message = if twins.is_empty() {
            format!(
                "Make {names} `async def`, await the coroutines its nested runs were given, and {how} at {} call site{}{note}",
                call_sites,
                if call_sites == 1 { "" } else { "s" }
            )
        } else {
            let mut twins = twins.clone();
            twins.sort();
            twins.dedup();
            let twins = super::elide(twins.len(), |i| format!("`{}()`", twins[i]), ", ");
            format!(
                "Make {names} `async def`, await the library's async twin {twins} there with the same arguments, and {how} at {} call site{} (unsafe: the library's sync and async paths may differ{})",
                call_sites,
                if call_sites == 1 { "" } else { "s" },
                match &entry_note {
                    Some(note) => note.clone(),
                    None if helpers_private => String::new(),
                    None => "; callers outside the files given cannot be seen".to_owned(),
                }
            )
        };
        let mut fix = Fix::new(Vec::new(), applicability, message).spanning_sorted(file, by_file);
        if falls_back {
            unsafe_for_fallback(&mut fix);
        }
        Some(fix)
    }

    /// The edits that make `group` async and await its call sites, by file
    /// (sorted, not colliding), the number of call sites, and whether one
    /// of them has an `except RuntimeError` fallback.
    fn group_edits(&self, group: &[FnRef]) -> Option<GroupEdits> {
        let graph = self.graph;
        let mut by_file: BTreeMap<usize, Vec<Edit>> = BTreeMap::new();
        let mut call_sites = 0;
        let mut twins = Vec::new();
        for &member in group {
            let function = graph.function(member);
            by_file
                .entry(member.file)
                .or_default()
                .push(Edit::insert(function.def_start, "async "));
            for (index, library) in library_calls(graph, member) {
                let (edits, twin) = twin_edits(graph, member.file, index, library).ok()?;
                by_file.entry(member.file).or_default().extend(edits);
                twins.push(twin);
            }
            for run in &function.runs {
                by_file
                    .entry(member.file)
                    .or_default()
                    .extend(run.await_edits.clone()?);
            }
            for &(caller_file, index) in graph.callers(member) {
                call_sites += 1;
                let call = graph.call(caller_file, index);
                let edits = if function.is_generator {
                    call.async_for_edit.iter().cloned().collect()
                } else if call.awaited {
                    Vec::new()
                } else {
                    call.await_edits.clone()
                };
                by_file.entry(caller_file).or_default().extend(edits);
            }
        }
        // Edits of one fix must not collide with each other.
        for edits in by_file.values_mut() {
            edits.sort_by_key(|e| (e.range.start, e.range.end));
            if edits
                .windows(2)
                .any(|w| w[0].range.end > w[1].range.start && w[0] != w[1])
            {
                return None;
            }
        }
        let falls_back = group.iter().any(|&member| {
            graph
                .callers(member)
                .iter()
                .any(|&(caller_file, index)| graph.call(caller_file, index).falls_back)
        });
        Some(GroupEdits {
            by_file: by_file
                .into_iter()
                .map(|(file, mut edits)| {
                    edits.sort_by_key(|e| e.range);
                    edits.dedup();
                    (file, edits.into())
                })
                .collect(),
            call_sites,
            falls_back,
            twins,
        })
    }

    /// The blocking functions `member` calls unguarded, when every one of
    /// them can become async with it: `None` when one cannot (it has a sync
    /// caller, is decorated, a dunder, used as a value, overridden...) or is
    /// called where an `await` cannot go (a generator expression).
    /// `member`'s neighbours in [`Planner::make_async`]'s group search, in
    /// the order it visits them; `None` when a blocking callee cannot
    /// become async.
    fn neighbours(&self, member: FnRef) -> Option<Rc<[FnRef]>> {
        if let Some(known) = &self.neighbours.borrow()[self.numbers.of(member)] {
            return known.clone();
        }
        let graph = self.graph;
        let found = self.blocking_callees(member).map(|mut list| {
            for &(caller_file, index) in graph.callers(member) {
                if let Place::Function(caller) = graph.call(caller_file, index).place {
                    let caller = FnRef {
                        file: caller_file,
                        function: caller,
                    };
                    if !graph.function(caller).is_async {
                        list.push(caller);
                    }
                }
            }
            Rc::from(list)
        });
        self.neighbours.borrow_mut()[self.numbers.of(member)] = Some(found.clone());
        found
    }

    fn blocking_callees(&self, member: FnRef) -> Option<Vec<FnRef>> {
        let graph = self.graph;
        let mut callees = Vec::new();
        for &index in graph.calls_in(member) {
            let call = graph.call(member.file, index);
            if call.guarded || call.awaited {
                continue;
            }
            let Some(callee) = graph.target(member.file, index) else {
                continue;
            };
            if !graph.blocking.contains_key(&callee) {
                continue;
            }
            if matches!(call.place, Place::Generator(_)) || !self.convertible.contains(&callee) {
                return None;
            }
            callees.push(callee);
        }
        Some(callees)
    }

    /// Fix 3: `asyncio.create_task(X)` with a kept reference, for a bare
    /// `asyncio.run(X)` statement in a callback.
    pub fn create_task(
        &self,
        file: usize,
        function: Option<&FunctionSummary>,
        run: &RunSite,
    ) -> Option<Fix> {
        let statement = run.statement.as_ref()?;
        let view = &self.graph.files[file];
        let summary = view.summary;
        let mut edits = Vec::new();
        let asyncio = match &summary.asyncio_name {
            Some(name) => name.clone(),
            None if !summary.module_names.contains("asyncio") => {
                edits.push(import_edit(
                    summary,
                    view.text,
                    "import asyncio",
                    run.range.start,
                ));
                "asyncio".to_owned()
            }
            None => return None,
        };
        if !summary.module_names.contains(TASK_SET) {
            let at = summary.import_at_for(run.range.start);
            if at == view.text.len() && !crate::syntax::lines::ends_with_line_break(view.text) {
                return None;
            }
            // The set's lines end as the line before them (an LF right after
            // a lone CR would merge with it into one CRLF line end).
            let end =
                crate::syntax::lines::break_before(view.text, at).unwrap_or(summary.line_ending);
            edits.push(Edit::insert(at, format!("{end}{TASK_SET} = set(){end}")));
        } else if !defines_task_set(view.text) {
            return None;
        }
        let task = ["task", "_task", "unnest_task"].into_iter().find(|name| {
            function.is_none_or(|f| !f.locals.contains(*name) && !f.names.contains(*name))
        })?;
        let (indent, end) = (&statement.indent, statement.line_ending);
        edits.push(Edit::replace(
            statement.range,
            format!(
                "{task} = {asyncio}.create_task({}){end}{indent}{TASK_SET}.add({task}){end}{indent}{task}.add_done_callback({TASK_SET}.discard)",
                statement.awaitable
            ),
        ));
        Some(Fix::new(
            edits,
            Applicability::Unsafe,
            format!(
                "Schedule the coroutine with `{asyncio}.create_task()` and keep a reference in `{TASK_SET}`: unsafe because the callback no longer waits for it, and its exceptions are only logged"
            ),
        ))
    }
}

/// Classes by simple name, with their bases and the methods they define.
struct Hierarchy<'a> {
    bases: HashMap<&'a str, Vec<&'a str>>,
    methods: HashMap<&'a str, Vec<&'a str>>,
}

fn simple_name(qualname: &str) -> &str {
    qualname.rsplit('.').next().unwrap_or(qualname)
}

impl<'a> Hierarchy<'a> {
    fn new(graph: &Graph<'a>) -> Self {
        let mut bases: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut methods: HashMap<&str, Vec<&str>> = HashMap::new();
        for view in graph.files {
            for (class, class_bases) in &view.summary.classes {
                bases
                    .entry(simple_name(class))
                    .or_default()
                    .extend(class_bases.iter().map(String::as_str));
            }
            for function in &view.summary.functions {
                if let Some(class) = &function.class {
                    methods
                        .entry(function.name.as_str())
                        .or_default()
                        .push(simple_name(class));
                }
            }
        }
        Self { bases, methods }
    }

    /// Whether `descendant` inherits from `ancestor`, by name.
    fn inherits(&self, descendant: &str, ancestor: &str) -> bool {
        let mut stack = vec![descendant];
        let mut seen = HashSet::new();
        while let Some(class) = stack.pop() {
            if !seen.insert(class) {
                continue;
            }
            for base in self.bases.get(class).into_iter().flatten() {
                if *base == ancestor {
                    return true;
                }
                stack.push(base);
            }
        }
        false
    }

    fn is_overridden(&self, function: &FunctionSummary) -> bool {
        let Some(class) = function.class.as_deref().map(simple_name) else {
            return false;
        };
        self.methods
            .get(function.name.as_str())
            .into_iter()
            .flatten()
            .filter(|other| **other != class)
            .any(|other| self.inherits(other, class) || self.inherits(class, other))
    }
}

/// Why [`may_become_async`] refuses `function`.
fn refusal(function: &FunctionSummary, names: &NameUses) -> &'static str {
    if function.is_async {
        "it is async"
    } else if function.is_protocol_method() {
        "it is a special method, which Python calls sync"
    } else if function.sync_generator_only {
        "it is used where only a sync generator works"
    } else if !function.decorators.is_empty()
        && function
            .decorators
            .iter()
            .any(|d| !PLAIN_DECORATORS.contains(&d.as_str()))
    {
        "it is decorated, and the decorator may not take a coroutine function"
    } else if names.as_values.contains(&function.name) {
        "its name is used as a value (passed, stored or returned), so a caller may be missed"
    } else if names.unresolved_calls.contains(&function.name) {
        "a call the project cannot follow has its name, so a caller may be missed"
    } else {
        "one of its nested runs cannot be awaited where it stands"
    }
}

fn may_become_async(
    function: &FunctionSummary,
    names: &NameUses,
    entry: Option<&super::frameworks::Entry>,
) -> bool {
    // An entry point is named where it is registered (`on_startup=[init]`),
    // and its registering decorator returns it unchanged.
    let entry = entry.filter(|e| e.async_ok);
    !function.is_async
        && !function.is_protocol_method()
        && !function.sync_generator_only
        && function.decorators.iter().all(|d| {
            PLAIN_DECORATORS.contains(&d.as_str())
                || entry.is_some_and(|e| e.decorator.as_deref() == Some(d.as_str()))
        })
        && (entry.is_some() || !names.as_values.contains(&function.name))
        && !names.unresolved_calls.contains(&function.name)
        && function
            .runs
            .iter()
            .all(|run| matches!(run.place, Place::Function(_)) && run.await_edits.is_some())
}

/// The receiver of a method call `recv.m(...)` that binds the method's own
/// first parameter: a plain name that is not the class itself (`Class.m(x)`
/// passes `x` as that parameter).
fn method_receiver<'c>(call: &'c CallSite, wrapper: &FunctionSummary) -> Option<&'c str> {
    let (receiver, name) = call.callee_text.rsplit_once('.')?;
    let class = wrapper.class.as_deref()?;
    let class = class.rsplit('.').next().unwrap_or(class);
    let plain = !receiver.is_empty() && receiver.chars().all(|c| c.is_alphanumeric() || c == '_');
    (plain && name == wrapper.name && receiver != class).then_some(receiver)
}

/// `("await ", "")` or `("(await ", ")")` for a call site whose only await edits
/// are the plain ones (no bare-tuple parentheses).
impl Planner<'_, '_> {
    /// UNN012's fix: the library call at (`file`, `index`) becomes
    /// `await twin(...)` with the same arguments, importing the twin where it
    /// is a function, or calling it on the same receiver where it is a method.
    /// The reason when there is none.
    pub fn library_twin_fix(
        &self,
        file: usize,
        index: usize,
        function: usize,
    ) -> Result<Fix, &'static str> {
        let (edits, twin) = twin_edits(self.graph, file, index, function)?;
        Ok(Fix::new(
            edits,
            Applicability::Unsafe,
            format!(
                "Await the library's async twin `{twin}()` with the same arguments (unsafe: it runs in the caller's task and loop, and the library's sync and async paths may differ)"
            ),
        ))
    }

    /// UNN012's fix for a call of the project's sync helper `target` whose
    /// chain ends in a library function: the helpers become `async def` with
    /// the planner's group (as UNN007's fix makes them), their calls of the
    /// library become `await twin(...)`, and their call sites are awaited.
    /// The reason when there is none, naming the helper that cannot follow.
    pub fn library_helper_fix(&self, file: usize, target: FnRef) -> Result<Fix, String> {
        if let Some(fix) = self.make_async(file, target) {
            return Ok(fix);
        }
        Err(self.why_not_async(target))
    }

    /// Why the group of `target` cannot become async: the first helper of
    /// its chain that cannot, and why; else a caller that cannot await.
    fn why_not_async(&self, target: FnRef) -> String {
        let graph = self.graph;
        let mut current = target;
        let mut seen = HashSet::new();
        let mut chain = Vec::new();
        while seen.insert(current) {
            chain.push(current);
            match graph.blocking.get(&current) {
                Some(super::Reason::Calls(next, _)) => current = *next,
                _ => break,
            }
        }
        for &f in &chain {
            let function = graph.function(f);
            let name = &function.name;
            for (index, library) in library_calls(graph, f) {
                if let Err(reason) = twin_edits(graph, f.file, index, library) {
                    return format!(
                        "`{name}()` calls `{}()`, and {reason}",
                        graph.library.function(library).name()
                    );
                }
            }
            if let Some(reason) = self.refused.get(&f) {
                return format!("`{name}()` cannot become async: {reason}");
            }
            if !self.convertible.contains(&f) {
                let callers = graph.callers(f);
                if callers.is_empty() {
                    return format!("`{name}()` is also called from code outside the files given");
                }
                for &(caller_file, index) in callers {
                    let call = graph.call(caller_file, index);
                    let place = graph.place(caller_file, call.range.start);
                    let sync_caller = match call.place {
                        Place::Function(caller) => {
                            let caller = FnRef {
                                file: caller_file,
                                function: caller,
                            };
                            !graph.function(caller).is_async && !self.convertible.contains(&caller)
                        }
                        Place::Module => !graph.files[caller_file].summary.top_level_await,
                        _ => true,
                    };
                    if call.guarded {
                        return format!("`{name}()` is called in a guarded bridge ({place})");
                    }
                    if sync_caller {
                        return format!(
                            "`{name}()` is also called from sync code that cannot become async ({place})"
                        );
                    }
                }
                return format!("`{name}()` is called where an `await` cannot go");
            }
        }
        "the edits that make the helpers async collide".to_owned()
    }
}

/// The calls of installed libraries' loop-running functions in `f`'s body
/// that run (unguarded, not awaited): (call index, library function).
fn library_calls<'g>(graph: &'g Graph, f: FnRef) -> impl Iterator<Item = (usize, usize)> + 'g {
    graph.calls_in(f).iter().filter_map(move |&index| {
        let call = graph.call(f.file, index);
        let library = graph.library_target(f.file, index)?;
        (!call.guarded && !call.awaited).then_some((index, library))
    })
}

/// The edits that make the library call at (`file`, `index`)
/// `await twin(...)`, and the twin's name; the reason when there is none.
fn twin_edits(
    graph: &Graph,
    file: usize,
    index: usize,
    function: usize,
) -> Result<(Vec<Edit>, String), &'static str> {
    let library = graph.library.function(function);
    let twin = library
        .twin
        .as_ref()
        .ok_or("the library has no async twin of it")?;
    let call = graph.call(file, index);
    if matches!(call.place, Place::Generator(_)) {
        return Err("the call sits in a generator expression");
    }
    let name = library.name();
    let written = call.callee_text.as_str();
    if !written.ends_with(name) {
        return Err("the call is not written with the function's name");
    }
    let (prefix, suffix) = if call.awaited {
        ("", "")
    } else {
        await_wrapping(call).ok_or("the call cannot be awaited where it stands")?
    };
    let start = call.range.start;
    let name_at = start + written.len() - name.len();
    let mut edits = Vec::new();
    if twin.is_method() {
        if !written.contains('.') {
            return Err("the method is not called on a receiver");
        }
        if let Some(class) = twin.other_class(&library.module) {
            edits.extend(class_swap_edits(graph, file, call, twin, class)?);
        }
        if !prefix.is_empty() {
            edits.push(Edit::insert(start, prefix));
        }
        edits.push(Edit::replace(
            TextRange::new(name_at, name_at + name.len()),
            twin.name(),
        ));
    } else {
        // The twin's own name, else `name_async` (a twin of the same name
        // in a parallel module).
        let alias = format!("{}_async", twin.name());
        let (local, import) = bind_import(graph, file, call, &twin.module, twin.name(), &alias)?;
        edits.extend(import);
        edits.push(Edit::replace(
            TextRange::new(start, start + written.len()),
            format!("{prefix}{local}"),
        ));
    }
    if !suffix.is_empty() {
        edits.push(Edit::insert(call.range.end, suffix));
    }
    Ok((edits, twin.name().to_owned()))
}

/// The name by which `name` of `module` is called at `call`: the name
/// itself or `alias`, whichever is already imported from there or free in
/// the call's scopes, with the import to add when it is not imported yet.
fn bind_import(
    graph: &Graph,
    file: usize,
    call: &CallSite,
    module: &str,
    name: &str,
    alias: &str,
) -> Result<(String, Option<Edit>), &'static str> {
    let summary = graph.files[file].summary;
    let mut locals = Vec::new();
    let mut scope = match call.place {
        Place::Function(f) | Place::Generator(f) => Some(f),
        _ => None,
    };
    while let Some(f) = scope {
        locals.push(&summary.functions[f].locals);
        scope = summary.functions[f].parent;
    }
    let is_it = |local: &str| {
        matches!(summary.imports.get(local),
            Some(ImportTarget::Symbol(m, n)) if m == module && n == name)
    };
    let free = |local: &str| {
        !summary.imports.contains_key(local)
            && !summary.module_names.contains(local)
            && locals.iter().all(|l| !l.contains(local))
    };
    let local = [name, alias]
        .into_iter()
        .find(|local| (is_it(local) || free(local)) && locals.iter().all(|l| !l.contains(*local)))
        .ok_or("the twin's name is bound to something else in this module")?;
    let import = (!is_it(local)).then(|| {
        let line = if local == name {
            format!("from {module} import {name}")
        } else {
            format!("from {module} import {name} as {local}")
        };
        import_edit(summary, graph.files[file].text, &line, call.range.start)
    });
    Ok((local.to_owned(), import))
}

/// For a method twin of a class of a parallel module: the edits that build
/// the receiver from that class (`c = Client(...)` becomes
/// `c = AsyncClient(...)`, imported). Only when the receiver is a name built
/// once, in the same function, before the call, and named nowhere else there
/// (another use would meet an object of the other class), and the twin class
/// is built with the same arguments.
fn class_swap_edits(
    graph: &Graph,
    file: usize,
    call: &CallSite,
    twin: &super::library::Twin,
    class: &str,
) -> Result<Vec<Edit>, &'static str> {
    const NOT_BUILT_HERE: &str =
        "its twin is a method of another class, and the receiver is not built in the same function";
    if !twin.constructor_accepts {
        return Err(
            "its twin is a method of another class, which is not built with the same arguments",
        );
    }
    let view = &graph.files[file];
    let (text, summary) = (view.text, view.summary);
    let receiver = call
        .callee_text
        .rsplit_once('.')
        .map(|(r, _)| r)
        .filter(|r| !r.is_empty() && r.bytes().all(crate::syntax::lexer::is_word_byte))
        .ok_or(NOT_BUILT_HERE)?;
    let super::summary::Callee::Instance(module, sync_class, _) = &call.callee else {
        return Err(NOT_BUILT_HERE);
    };
    let built = super::summary::Callee::Symbol(module.clone(), sync_class.clone());
    // `receiver = Class(...)`, alone on its line's start.
    let assigned = |c: &CallSite| {
        let line_start = text[..c.range.start]
            .rfind(['\n', '\r'])
            .map_or(0, |i| i + 1);
        let head = text[line_start..c.range.start].trim();
        head.strip_suffix('=')
            .is_some_and(|left| left.trim_end() == receiver)
    };
    let constructions: Vec<&CallSite> = summary
        .calls
        .iter()
        .filter(|c| {
            c.place == call.place
                && c.callee == built
                && c.range.end <= call.range.start
                && assigned(c)
        })
        .collect();
    let [construction] = constructions.as_slice() else {
        return Err(NOT_BUILT_HERE);
    };
    // Where the receiver's name may be used: from the function's `def` to
    // the next `def` indented as much or less (a superset of its body).
    let (from, to) = match call.place {
        Place::Function(f) => {
            let start = summary.functions[f].def_start;
            let indent = |at: usize| at - text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1);
            let end = summary
                .functions
                .iter()
                .map(|g| g.def_start)
                .filter(|&s| s > start && indent(s) <= indent(start))
                .min()
                .unwrap_or(text.len());
            (start, end)
        }
        Place::Module => (0, text.len()),
        _ => return Err(NOT_BUILT_HERE),
    };
    let uses = memchr::memmem::find_iter(&text.as_bytes()[from..to], receiver.as_bytes())
        .filter(|&at| {
            let (at, bytes) = (from + at, text.as_bytes());
            !at.checked_sub(1)
                .is_some_and(|b| crate::syntax::lexer::is_word_byte(bytes[b]) || bytes[b] == b'.')
                && !bytes
                    .get(at + receiver.len())
                    .is_some_and(|&b| crate::syntax::lexer::is_word_byte(b))
        })
        .count();
    if uses != 2 {
        return Err(
            "its twin is a method of another class, and the receiver is used elsewhere too, where an object of that class would behave differently",
        );
    }
    let alias = format!("Async{class}");
    let (local, import) = bind_import(graph, file, call, &twin.module, class, &alias)?;
    let mut edits: Vec<Edit> = import.into_iter().collect();
    let callee_end = construction.range.start + construction.callee_text.len();
    if text.get(construction.range.start..callee_end) != Some(construction.callee_text.as_str()) {
        return Err(NOT_BUILT_HERE);
    }
    edits.push(Edit::replace(
        TextRange::new(construction.range.start, callee_end),
        local,
    ));
    Ok(edits)
}

fn await_wrapping(call: &CallSite) -> Option<(&'static str, &'static str)> {
    match call.await_edits.as_slice() {
        [only] if only.content == "await " => Some(("await ", "")),
        [open, close] if open.content == "(await " && close.content == ")" => {
            Some(("(await ", ")"))
        }
        _ => None,
    }
}

/// The coroutine call's argument texts, with the wrapper's parameters bound to
/// the call site's arguments (or to constant defaults). Each parameter must be
/// passed on exactly once, and the call site's arguments must keep their order,
/// so that every argument is evaluated once, in the order it was written.
fn bind_arguments(
    call: &CallSite,
    parameters: &[super::summary::Parameter],
    passes: &[(Option<String>, usize)],
) -> Option<Vec<String>> {
    let given = call.arguments.as_ref()?;
    let positional_slots = parameters.iter().filter(|p| !p.keyword_only).count();
    if given.positional.len() > positional_slots {
        return None;
    }
    let mut passed: Vec<usize> = passes.iter().map(|(_, index)| *index).collect();
    passed.sort_unstable();
    if passed != (0..parameters.len()).collect::<Vec<_>>() {
        return None;
    }
    let mut bound: Vec<Option<String>> = vec![None; parameters.len()];
    // The parameters in the order the call site evaluates their arguments.
    let mut written_order = Vec::new();
    for (index, text) in given.positional.iter().enumerate() {
        bound[index] = Some(text.clone());
        written_order.push(index);
    }
    for (keyword, text) in &given.keywords {
        let index = parameters.iter().position(|p| &p.name == keyword)?;
        if bound[index].replace(text.clone()).is_some() {
            return None;
        }
        written_order.push(index);
    }
    let inlined_order: Vec<usize> = passes
        .iter()
        .map(|(_, index)| *index)
        .filter(|index| written_order.contains(index))
        .collect();
    if inlined_order != written_order {
        return None;
    }
    for (slot, parameter) in bound.iter_mut().zip(parameters) {
        if slot.is_none() {
            let default = parameter.default.clone()?;
            *slot = Some(match call.fstring_quote {
                Some(quote) => outside_quote(&default, quote)?,
                None => default,
            });
        }
    }
    Some(
        passes
            .iter()
            .map(|(keyword, index)| {
                let value = bound[*index].clone().unwrap_or_default();
                match keyword {
                    Some(k) => format!("{k}={value}"),
                    None => value,
                }
            })
            .collect(),
    )
}

/// `literal` written so that it can stand inside the braces of an f-string
/// quoted with `quote`: before Python 3.12 it must not use the same quote. A
/// string in the other quote stays; one in the same quote is requoted when
/// that changes nothing else; anything else (a number, `None`) stays.
fn outside_quote(literal: &str, quote: char) -> Option<String> {
    let prefix_len = literal
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(literal.len());
    let (prefix, rest) = literal.split_at(prefix_len);
    let Some(own) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
        return Some(literal.to_owned());
    };
    if own != quote {
        return Some(literal.to_owned());
    }
    let other = if quote == '"' { '\'' } else { '"' };
    let body = rest.get(1..rest.len().checked_sub(1)?)?;
    if rest.len() < 2
        || body.contains([other, quote, '\\'])
        || rest.starts_with(&format!("{own}{own}{own}"))
    {
        return None;
    }
    Some(format!("{prefix}{other}{body}{other}"))
}

/// Make `fix` unsafe: a call it awaits sits in a `try` whose
/// `except RuntimeError` fallback runs today.
fn unsafe_for_fallback(fix: &mut Fix) {
    fix.applicability = Applicability::Unsafe;
    fix.message.push_str(
        "; unsafe here: the `except RuntimeError` fallback, which runs today, would no longer run",
    );
}

/// An edit that adds `line` as a new import after the module's imports.
fn import_edit(
    summary: &super::summary::ModuleSummary,
    text: &str,
    line: &str,
    used_at: usize,
) -> Edit {
    let at = summary.import_at_for(used_at);
    let end = crate::syntax::lines::break_before(text, at).unwrap_or(summary.line_ending);
    if at == text.len() && !text.is_empty() && !crate::syntax::lines::ends_with_line_break(text) {
        Edit::insert(at, format!("{end}{line}{end}"))
    } else {
        Edit::insert(at, format!("{line}{end}"))
    }
}

/// Whether the module already defines the task set as `_background_tasks = set()`.
fn defines_task_set(text: &str) -> bool {
    crate::syntax::lines::lines_inclusive(text)
        .map(|line| line.trim_end_matches(['\n', '\r']))
        .any(|line| line.replace(' ', "") == format!("{TASK_SET}=set()"))
}
