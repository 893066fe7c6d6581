//! The project index: every function of every file the run covers, what each
//! calls (resolved by binding, across modules), which sync functions block the
//! loop, and which code runs on the loop.
//!
//! A sync function is loop-blocking when it runs `asyncio.run`,
//! `run_until_complete` or `Runner.run` unguarded, or calls a loop-blocking
//! function unguarded; this is computed to a fixpoint, layer by layer, so each
//! function keeps the shortest chain that makes it blocking. Loop context is the
//! body of an `async def` and the sync functions and lambdas handed to the loop
//! (`call_soon`, `call_later`, `add_done_callback`, ...).

pub mod fixes;
pub mod frameworks;
mod functions;
mod imports;
pub mod library;
pub mod module_refs;
pub mod modules;
pub mod nest_asyncio;
mod nodes;
mod resolve;
mod sites;
pub mod summarize;
pub mod summary;
mod wrappers;

use std::collections::{HashMap, HashSet};

use self::summary::{CallSite, Callback, Callee, ImportTarget, ModuleSummary, Place};
use crate::input::source::LineIndex;

use crate::asyncio_api::ASYNCIO_PACKAGE;

/// A function in the index: file and index within the file's summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FnRef {
    pub file: usize,
    pub function: usize,
}

/// Why a function blocks the loop.
#[derive(Debug, Clone, Copy)]
pub enum Reason {
    /// It runs a loop itself: index into its `runs`.
    Runs(usize),
    /// It calls a blocking function: the call site (file, index into `calls`).
    Calls(FnRef, usize),
    /// It calls an installed library's function that runs a loop: the call
    /// site (index into its file's `calls`) and the library function.
    Library(usize, usize),
}

/// What the graph needs of each file besides its summary: its name and text,
/// for messages.
pub struct FileView<'a> {
    pub display: &'a str,
    pub text: &'a str,
    pub index: &'a LineIndex,
    pub summary: &'a ModuleSummary,
    /// For a notebook, to name cells in messages.
    pub notebook: Option<&'a crate::input::notebook::Notebook>,
}

pub struct Graph<'a> {
    pub files: &'a [FileView<'a>],
    modules: HashMap<&'a str, usize>,
    pub blocking: HashMap<FnRef, Reason>,
    /// Where each blocking function's chain of `Reason::Calls` ends (see
    /// [`ChainEnd`]): every finding of a long chain asks, so it is found
    /// once for all.
    chain_ends: HashMap<FnRef, ChainEnd>,
    /// Resolved callee of every call site, by (file, call index).
    targets: HashMap<(usize, usize), FnRef>,
    callbacks: HashSet<FnRef>,
    lambda_callbacks: HashSet<(usize, usize)>,
    /// Sync functions a framework calls on its running loop.
    entries: HashMap<FnRef, frameworks::Entry>,
    /// The installed libraries' loop-running functions.
    pub library: &'a library::LibraryIndex,
    /// Call sites that call one of them: (file, call index) to its index.
    library_targets: HashMap<(usize, usize), usize>,
    /// Resolve `c.m()` on an instance of a class of another file (see
    /// [`Callee::Instance`]): done for a library's own files only, so the
    /// project's findings stay what they were.
    instances: bool,
    /// The call sites that resolve to each function, sorted: asked for once
    /// per function by the fixpoints and the fixes, so built once.
    callers: HashMap<FnRef, Vec<(usize, usize)>>,
    /// The indexes of the calls each function's body (generator expressions
    /// included) makes, in order.
    calls_in: HashMap<FnRef, Vec<usize>>,
    /// Per file, each function by qualified name, and each top-level
    /// function by name (the first, as a scan would find it).
    qualnames: Vec<HashMap<&'a str, usize>>,
    top_level: Vec<HashMap<&'a str, usize>>,
}

static NO_LIBRARY: std::sync::LazyLock<library::LibraryIndex> =
    std::sync::LazyLock::new(library::LibraryIndex::default);

impl<'a> Graph<'a> {
    pub fn build(files: &'a [FileView<'a>]) -> Self {
        Self::build_with(files, &[], &[], &NO_LIBRARY)
    }

    /// The graph of an installed library's files, where methods called on
    /// instances of its classes are resolved too.
    pub fn build_library(files: &'a [FileView<'a>]) -> Self {
        Self::build_inner(files, &[], &[], &NO_LIBRARY, true)
    }

    /// [`Graph::build_library`], with calls into the other installed
    /// packages `deps` that the library imports.
    pub fn build_library_with(files: &'a [FileView<'a>], deps: &'a library::LibraryIndex) -> Self {
        Self::build_inner(files, &[], &[], deps, true)
    }

    /// The graph, with the configuration's declared loop entry points
    /// besides the built-in ones; with calls whose callee only a run of the
    /// program showed (a traceback): `((file, call index), callee)`, which
    /// count as resolved calls everywhere, the loop-blocking fixpoint
    /// included; and with calls into the installed `library`.
    pub fn build_with(
        files: &'a [FileView<'a>],
        declared: &[crate::input::config::DeclaredEntry],
        proven: &[((usize, usize), FnRef)],
        library: &'a library::LibraryIndex,
    ) -> Self {
        Self::build_inner(files, declared, proven, library, false)
    }

    fn build_inner(
        files: &'a [FileView<'a>],
        declared: &[crate::input::config::DeclaredEntry],
        proven: &[((usize, usize), FnRef)],
        library: &'a library::LibraryIndex,
        instances: bool,
    ) -> Self {
        let mut modules = HashMap::new();
        for (index, file) in files.iter().enumerate() {
            modules.entry(file.summary.module.as_str()).or_insert(index);
        }
        let mut qualnames = Vec::with_capacity(files.len());
        let mut top_level = Vec::with_capacity(files.len());
        for file in files {
            let mut by_qualname = HashMap::new();
            let mut by_name = HashMap::new();
            for (index, f) in file.summary.functions.iter().enumerate() {
                by_qualname.entry(f.qualname.as_str()).or_insert(index);
                if f.parent.is_none() && f.class.is_none() {
                    by_name.entry(f.name.as_str()).or_insert(index);
                }
            }
            qualnames.push(by_qualname);
            top_level.push(by_name);
        }
        let mut graph = Graph {
            files,
            modules,
            blocking: HashMap::new(),
            chain_ends: HashMap::new(),
            targets: HashMap::new(),
            callbacks: HashSet::new(),
            lambda_callbacks: HashSet::new(),
            entries: HashMap::new(),
            library,
            library_targets: HashMap::new(),
            instances,
            callers: HashMap::new(),
            calls_in: HashMap::new(),
            qualnames,
            top_level,
        };
        for (file, view) in files.iter().enumerate() {
            for (index, call) in view.summary.calls.iter().enumerate() {
                if let Some(target) = graph.resolve(file, &call.callee) {
                    graph.targets.insert((file, index), target);
                } else if let Some(function) = graph.resolve_library(&call.callee) {
                    graph.library_targets.insert((file, index), function);
                }
            }
            for callback in &view.summary.callbacks {
                match callback {
                    Callback::Function(callee) => {
                        if let Some(target) = graph.resolve(file, callee) {
                            graph.callbacks.insert(target);
                        }
                    }
                    Callback::Lambda(start) => {
                        graph.lambda_callbacks.insert((file, *start));
                    }
                }
            }
        }
        for &(site, target) in proven {
            graph.targets.insert(site, target);
        }
        graph.entries = frameworks::entries(
            files,
            declared,
            |file, callee| graph.resolve(file, callee),
            |module, name| graph.resolve_class(module, name, 0),
        );
        for (&site, &target) in &graph.targets {
            graph.callers.entry(target).or_default().push(site);
        }
        for sites in graph.callers.values_mut() {
            sites.sort_unstable();
        }
        for (file, view) in files.iter().enumerate() {
            for (index, call) in view.summary.calls.iter().enumerate() {
                if let Place::Function(function) | Place::Generator(function) = call.place {
                    graph
                        .calls_in
                        .entry(FnRef { file, function })
                        .or_default()
                        .push(index);
                }
            }
        }
        graph.compute_blocking();
        graph.compute_chain_ends();
        graph
    }

    /// Why `function` runs on a framework's loop, if it does.
    pub fn entry(&self, function: FnRef) -> Option<&frameworks::Entry> {
        self.entries.get(&function)
    }

    /// The entry points, in a stable order.
    pub fn entry_points(&self) -> Vec<FnRef> {
        let mut all: Vec<FnRef> = self.entries.keys().copied().collect();
        all.sort();
        all
    }

    /// The file and qualname of class `name` of `module`, following imports.
    fn resolve_class(&self, module: &str, name: &str, depth: usize) -> Option<(usize, String)> {
        if depth > 8 {
            return None;
        }
        let &file = self.modules.get(module)?;
        let summary = self.files[file].summary;
        if summary.classes.iter().any(|(c, _)| c == name) {
            return Some((file, name.to_owned()));
        }
        match summary.imports.get(name)? {
            ImportTarget::Symbol(m, n) => self.resolve_class(m, n, depth + 1),
            ImportTarget::Module(_) => None,
        }
    }

    pub fn function(&self, f: FnRef) -> &'a summary::FunctionSummary {
        &self.files[f.file].summary.functions[f.function]
    }

    pub fn call(&self, file: usize, index: usize) -> &'a CallSite {
        &self.files[file].summary.calls[index]
    }

    pub fn target(&self, file: usize, index: usize) -> Option<FnRef> {
        self.targets.get(&(file, index)).copied()
    }

    /// The function a callee refers to, following imports and re-exports.
    pub fn resolve(&self, file: usize, callee: &Callee) -> Option<FnRef> {
        match callee {
            Callee::Local(function) => Some(FnRef {
                file,
                function: *function,
            }),
            Callee::Method(class, name) => {
                let qualname = format!("{class}.{name}");
                self.qualnames[file]
                    .get(qualname.as_str())
                    .map(|&function| FnRef { file, function })
            }
            Callee::Symbol(module, name) => self.resolve_symbol(module, name, 0),
            Callee::Star(name) => self.resolve_starred(file, name, 0),
            Callee::Instance(module, class, method) if self.instances => {
                let (file, class) = self.resolve_class(module, class, 0)?;
                let qualname = format!("{class}.{method}");
                self.files[file]
                    .summary
                    .functions
                    .iter()
                    .rposition(|f| f.qualname == qualname)
                    .map(|function| FnRef { file, function })
            }
            Callee::Instance(..) | Callee::Unknown(_) => None,
        }
    }

    /// The installed library function a callee refers to, when no file of
    /// the run defines the module it names.
    fn resolve_library(&self, callee: &Callee) -> Option<usize> {
        if self.library.is_empty() {
            return None;
        }
        match callee {
            Callee::Symbol(module, name) if !self.modules.contains_key(module.as_str()) => {
                self.library.get(module, name)
            }
            Callee::Instance(module, class, method)
                if !self.modules.contains_key(module.as_str()) =>
            {
                self.library.get(module, &format!("{class}.{method}"))
            }
            _ => None,
        }
    }

    /// The library function call site (`file`, `index`) calls, if any.
    pub fn library_target(&self, file: usize, index: usize) -> Option<usize> {
        self.library_targets.get(&(file, index)).copied()
    }

    /// Whether the chain that makes `function` blocking ends in a library
    /// function rather than in a run of the project's own.
    pub fn ends_in_library(&self, function: FnRef) -> bool {
        self.chain_ends
            .get(&function)
            .is_some_and(|end| matches!(self.blocking.get(&end.last), Some(Reason::Library(..))))
    }

    /// Fill [`Graph::chain_ends`]: each function's end from its next link's,
    /// walking down only as far as the first link already known.
    fn compute_chain_ends(&mut self) {
        let mut ends: HashMap<FnRef, ChainEnd> = HashMap::with_capacity(self.blocking.len());
        let mut path = Vec::new();
        for &start in self.blocking.keys() {
            let mut current = start;
            path.clear();
            let known = loop {
                if let Some(&end) = ends.get(&current) {
                    break Some(end);
                }
                if path.contains(&current) {
                    // A cycle (the layering makes none): its links get no
                    // end, and their messages are built by a walk.
                    break None;
                }
                path.push(current);
                match self.blocking.get(&current) {
                    Some(Reason::Calls(next, _)) if self.blocking.contains_key(next) => {
                        current = *next
                    }
                    _ => {
                        let last = path.pop().expect("just pushed");
                        let end = ChainEnd {
                            last,
                            before_last: None,
                            links: 1,
                        };
                        ends.insert(last, end);
                        break Some(end);
                    }
                }
            };
            let Some(mut below) = known else {
                continue;
            };
            for &link in path.iter().rev() {
                let end = ChainEnd {
                    last: below.last,
                    before_last: below.before_last.or((below.links == 1).then_some(link)),
                    links: below.links + 1,
                };
                ends.insert(link, end);
                below = end;
            }
        }
        self.chain_ends = ends;
    }

    pub fn resolve_symbol(&self, module: &str, name: &str, depth: usize) -> Option<FnRef> {
        if depth > 8 {
            return None;
        }
        let &file = self.modules.get(module)?;
        let summary = self.files[file].summary;
        if let Some(&function) = self.top_level[file].get(name) {
            return Some(FnRef { file, function });
        }
        match summary.imports.get(name) {
            Some(ImportTarget::Symbol(m, n)) => self.resolve_symbol(m, n, depth + 1),
            Some(ImportTarget::Module(_)) => None,
            None => self.resolve_starred(file, name, depth + 1),
        }
    }

    /// Whether importing module `from` may import the module of file `to`
    /// (itself included) through module-level imports: `import m`,
    /// `from m import n` (and the submodule `m.n`), `from m import *`, and the
    /// packages each of those runs first.
    pub fn imports_reach(&self, from: usize, to: usize) -> bool {
        let mut seen = HashSet::from([from]);
        let mut stack = vec![from];
        while let Some(file) = stack.pop() {
            if file == to {
                return true;
            }
            let summary = self.files[file].summary;
            let mut named: Vec<String> = summary.star_imports.clone();
            for target in summary.imports.values() {
                match target {
                    ImportTarget::Module(m) => named.push(m.clone()),
                    ImportTarget::Symbol(m, n) => {
                        named.push(m.clone());
                        named.push(format!("{m}.{n}"));
                    }
                }
            }
            for module in &named {
                // `import a.b.c` runs `a`, `a.b` and `a.b.c`.
                let mut end = 0;
                while end < module.len() {
                    end = module[end..]
                        .find('.')
                        .map_or(module.len(), |dot| end + dot);
                    if let Some(&next) = self.modules.get(&module[..end])
                        && seen.insert(next)
                    {
                        stack.push(next);
                    }
                    end += 1;
                }
            }
        }
        false
    }

    /// What `name` is in `file` through its `from m import *` statements: the
    /// last one that exports it (its `__all__` when literal, else its public
    /// names) and resolves.
    fn resolve_starred(&self, file: usize, name: &str, depth: usize) -> Option<FnRef> {
        if depth > 8 || self.files[file].summary.module == ASYNCIO_PACKAGE {
            return None;
        }
        self.files[file]
            .summary
            .star_imports
            .iter()
            .rev()
            .find_map(|module| {
                let &from = self.modules.get(module.as_str())?;
                let exported = match &self.files[from].summary.all_names {
                    Some(names) => names.iter().any(|n| n == name),
                    None => !name.starts_with('_'),
                };
                exported
                    .then(|| self.resolve_symbol(module, name, depth + 1))
                    .flatten()
            })
    }

    fn compute_blocking(&mut self) {
        for (file, view) in self.files.iter().enumerate() {
            for (function, summary) in view.summary.functions.iter().enumerate() {
                if !summary.is_async && !summary.runs.is_empty() {
                    self.blocking
                        .insert(FnRef { file, function }, Reason::Runs(0));
                }
            }
        }
        let mut library: Vec<(&(usize, usize), &usize)> = self.library_targets.iter().collect();
        library.sort();
        for (&(file, index), &function) in library {
            let call = self.call(file, index);
            if call.guarded || call.awaited {
                continue;
            }
            if let Place::Function(caller) | Place::Generator(caller) = call.place {
                let caller = FnRef {
                    file,
                    function: caller,
                };
                if !self.function(caller).is_async {
                    self.blocking
                        .entry(caller)
                        .or_insert(Reason::Library(index, function));
                }
            }
        }
        // Layer by layer, each layer from the callers of the one before: a
        // caller of a function blocking since an earlier layer would have been
        // found in that layer, so the earliest call of a new layer's function
        // is the earliest call it makes of any blocking function.
        let mut layer: Vec<FnRef> = self.blocking.keys().copied().collect();
        while !layer.is_empty() {
            let mut found: HashMap<FnRef, (usize, FnRef)> = HashMap::new();
            for target in &layer {
                for &(file, index) in self.callers.get(target).into_iter().flatten() {
                    let call = self.call(file, index);
                    if call.guarded || call.awaited {
                        continue;
                    }
                    let (Place::Function(caller) | Place::Generator(caller)) = call.place else {
                        continue;
                    };
                    let caller = FnRef {
                        file,
                        function: caller,
                    };
                    if self.function(caller).is_async || self.blocking.contains_key(&caller) {
                        continue;
                    }
                    let earliest = found.entry(caller).or_insert((index, *target));
                    if index < earliest.0 {
                        *earliest = (index, *target);
                    }
                }
            }
            layer = found.keys().copied().collect();
            for (caller, (index, target)) in found {
                self.blocking.insert(caller, Reason::Calls(target, index));
            }
        }
    }

    /// Where a call site runs, as far as the loop is concerned.
    pub fn loop_context(&self, file: usize, call: &CallSite) -> Option<LoopContext> {
        match call.place {
            Place::Function(f) | Place::Generator(f) => {
                let function = FnRef { file, function: f };
                if self.function(function).is_async {
                    Some(if matches!(call.place, Place::Generator(_)) {
                        LoopContext::AsyncGenerator(function)
                    } else {
                        LoopContext::Async(function)
                    })
                } else if self.callbacks.contains(&function) {
                    Some(LoopContext::Callback(Some(function)))
                } else if self.entries.contains_key(&function) {
                    Some(LoopContext::Entry(function))
                } else {
                    None
                }
            }
            Place::Lambda(start) => self
                .lambda_callbacks
                .contains(&(file, start))
                .then_some(LoopContext::Callback(None)),
            Place::Module if self.files[file].summary.top_level_await => Some(LoopContext::Cell),
            Place::Module | Place::Other => None,
        }
    }

    pub fn is_callback(&self, function: FnRef) -> bool {
        self.callbacks.contains(&function)
    }

    pub fn is_lambda_callback(&self, file: usize, start: usize) -> bool {
        self.lambda_callbacks.contains(&(file, start))
    }

    /// Every call site that resolves to `function`.
    pub fn callers(&self, function: FnRef) -> &[(usize, usize)] {
        self.callers.get(&function).map_or(&[], Vec::as_slice)
    }

    /// The indexes of the calls `function`'s body makes (its generator
    /// expressions included), in order.
    pub fn calls_in(&self, function: FnRef) -> &[usize] {
        self.calls_in.get(&function).map_or(&[], Vec::as_slice)
    }

    /// `path:line` of a byte offset in a file (`path:cell N:line` in a
    /// notebook).
    pub fn place(&self, file: usize, offset: usize) -> String {
        let view = &self.files[file];
        match view.notebook {
            Some(notebook) => {
                let (cell, row, _) = notebook.position(view.text, offset);
                format!("{}:cell {}:{row}", view.display, cell + 1)
            }
            None => format!(
                "{}:{}",
                view.display,
                view.index.location(view.text, offset).row
            ),
        }
    }

    /// The chain that makes `function` blocking, as message text:
    /// "`get_user()` (app/users.py:12), which calls `asyncio.run()` (app/users.py:13)".
    /// A chain of more than [`LONG`] links is shortened (see [`elide`]): each
    /// finding of a long chain carries its own message, so the full text would
    /// make the output grow with the square of the chain's length.
    pub fn chain(&self, function: FnRef) -> String {
        // The links are collected as references and only the ones printed are
        // formatted; a long chain's last two come from its known end.
        let mut links = Vec::new();
        let mut current = function;
        let mut seen = HashSet::new();
        let mut last = None;
        let long = self
            .chain_ends
            .get(&function)
            .filter(|end| end.links > LONG);
        let mut count = 0;
        while seen.insert(current) {
            links.push(current);
            if let Some(end) = long
                && links.len() == 2
            {
                last = match self.blocking.get(&end.last) {
                    Some(Reason::Calls(..)) | None => None,
                    Some(reason) => Some(*reason),
                };
                count = end.links + usize::from(last.is_some());
                // The two links before the end's reason.
                links.resize(end.links, end.last);
                if let Some(before) = end.before_last {
                    links[end.links - 2] = before;
                }
                break;
            }
            match self.blocking.get(&current) {
                Some(Reason::Calls(next, _)) => current = *next,
                Some(reason) => {
                    last = Some(*reason);
                    break;
                }
                None => break,
            }
        }
        if long.is_none() {
            count = links.len() + usize::from(last.is_some());
        }
        let text = |i: usize| -> String {
            match links.get(i) {
                Some(&f) => {
                    let summary = self.function(f);
                    format!(
                        "`{}()` ({})",
                        summary.name,
                        self.place(f.file, summary.name_range.start)
                    )
                }
                None => {
                    let owner = *links.last().expect("a chain has a first link");
                    match last {
                        Some(Reason::Library(_, function)) => {
                            self.library.function(function).describe()
                        }
                        Some(Reason::Runs(run)) => {
                            let run = &self.function(owner).runs[run];
                            format!(
                                "`{}()` ({})",
                                run.callee_text,
                                self.place(owner.file, run.range.start)
                            )
                        }
                        _ => unreachable!("only the last link is not a function"),
                    }
                }
            }
        };
        elide(count, text, ", which calls ")
    }
}

/// The end of the chain of calls that makes a function blocking: its last
/// function (which runs a loop or calls a library that does), the one
/// before it, and how many functions the chain has (the function's own
/// included).
#[derive(Debug, Clone, Copy)]
struct ChainEnd {
    last: FnRef,
    before_last: Option<FnRef>,
    links: usize,
}

/// Lists longer than this many items are printed shortened by [`elide`].
pub const LONG: usize = 6;

/// The `count` items that `item` formats, joined with `separator`; past
/// [`LONG`] items only the first two and last two, with "… N more …" between,
/// so that a message naming a long chain or a large group stays short. Only
/// the items printed are formatted.
pub fn elide(count: usize, mut item: impl FnMut(usize) -> String, separator: &str) -> String {
    if count <= LONG {
        return (0..count).map(item).collect::<Vec<_>>().join(separator);
    }
    format!(
        "{}{separator}{}, … {} more …{separator}{}{separator}{}",
        item(0),
        item(1),
        count - 4,
        item(count - 2),
        item(count - 1)
    )
}

/// Code that runs on the event loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopContext {
    /// The body of an `async def`.
    Async(FnRef),
    /// A generator expression in an `async def`.
    AsyncGenerator(FnRef),
    /// A sync function or lambda (`None`) the loop runs as a callback.
    Callback(Option<FnRef>),
    /// A notebook cell's top level.
    Cell,
    /// A sync function a framework calls on its running loop (see
    /// [`frameworks`]).
    Entry(FnRef),
}
