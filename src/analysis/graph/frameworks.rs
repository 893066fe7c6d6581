//! Which sync functions a framework calls on its own running event loop: the
//! loop entry points. A run reached from one raises RuntimeError though no
//! `async def` of the project is in sight.
//!
//! Two sources: the built-in table [`FRAMEWORKS`] below, one row per way a
//! framework calls project code on its loop, each with the framework's own
//! code that shows it; and the `loop-entry-points` the configuration declares
//! (see `crate::input::config`).
//!
//! To add a framework: add a row to [`FRAMEWORKS`] (with `words`, the names
//! that must appear in a file for the row to apply, so that triage parses
//! it), and a test in `tests/frameworks.rs` with a stand-in of the framework
//! that calls the code the way the real one does. Add a row only when the
//! framework's code shows that it calls the function on its loop; a framework
//! that runs sync code in a worker thread (Starlette's and FastAPI's sync
//! routes and dependencies) must have no row.

use std::collections::HashMap;

use super::summary::{Callee, ImportTarget, ModuleSummary, Slot};
use super::{FileView, FnRef};
use crate::input::config::DeclaredEntry;

/// Why a function runs on the loop.
#[derive(Debug, Clone)]
pub struct Entry {
    /// "ComfyUI runs a node's `FUNCTION` method on its event loop", or the
    /// declared pattern.
    pub why: String,
    /// Where that is shown: the framework's code, or the configuration file.
    pub source: String,
    /// The framework awaits a coroutine function in its place: the entry
    /// may become `async def`.
    pub async_ok: bool,
    /// Why making it async is unsafe, for the fix's message.
    pub unsafe_note: &'static str,
    /// The decorator that registers it (and returns it unchanged), which a
    /// fix may leave in place.
    pub decorator: Option<String>,
}

/// How a framework finds the functions it calls.
#[derive(Debug)]
pub enum How {
    /// A class names one of its methods in a string class attribute
    /// (`FUNCTION = "generate"`); the class counts when it defines method
    /// `marker` or is a value of a module-level dict `registry` anywhere in
    /// the project.
    MethodNamedBy {
        attribute: &'static str,
        marker: &'static str,
        registry: &'static str,
    },
    /// Methods with one of these names, on a class that counts as above
    /// (defines `marker` or is listed in `registry`).
    NamedMethods {
        names: &'static [&'static str],
        marker: &'static str,
        registry: &'static str,
    },
    /// A function passed as keyword `keyword` (alone or in a list) to a call
    /// of one of `callees` imported from a module under one of `packages`;
    /// with `generator_only`, only a sync generator function counts.
    Keyword {
        callees: &'static [&'static str],
        keyword: &'static str,
        generator_only: bool,
    },
    /// `recv.method("event", f)` with `event` one of `events`, in a file that
    /// imports one of the packages.
    Register {
        method: &'static str,
        events: &'static [&'static str],
    },
    /// `@recv.method("event")` on the function, in a file that imports one
    /// of the packages; the decorator returns the function unchanged.
    Decorator {
        method: &'static str,
        events: &'static [&'static str],
    },
}

/// One way a framework calls sync project code on its running loop.
#[derive(Debug)]
pub struct Framework {
    pub name: &'static str,
    /// What runs on the loop, in words.
    pub what: &'static str,
    /// The framework's code that shows it.
    pub source: &'static str,
    /// Packages one of whose modules the file must import (none: the shape
    /// alone decides).
    pub packages: &'static [&'static str],
    /// A file that names none of these is never an entry's file.
    pub words: &'static [&'static str],
    pub how: How,
    /// The framework awaits a coroutine function given in place of the sync
    /// one.
    pub async_ok: bool,
    pub unsafe_note: &'static str,
}

const STARLETTE_APPS: &[&str] = &["Starlette", "FastAPI", "Router", "APIRouter"];
const STARLETTE_PACKAGES: &[&str] = &["starlette", "fastapi"];
const STARTUP_SOURCE: &str = "`Router.startup` in https://github.com/encode/starlette/blob/0.47.3/starlette/routing.py and `APIRouter._startup` in https://github.com/fastapi/fastapi/blob/master/fastapi/routing.py: `if is_async_callable(handler): await handler()`, else `handler()`";
const STARTUP_NOTE: &str =
    "unsafe: code outside the files given that calls the handler itself would get a coroutine";

/// The built-in table. Each row has a test in `tests/frameworks.rs`.
pub const FRAMEWORKS: &[Framework] = &[
    Framework {
        name: "ComfyUI",
        what: "ComfyUI calls a node class's `FUNCTION` method on its event loop",
        source: "`_async_map_node_over_list` in https://github.com/comfyanonymous/ComfyUI/blob/master/execution.py, under `asyncio.run` in `PromptExecutor.execute`: it calls `f(**inputs)`, or awaits a task when `inspect.iscoroutinefunction(f)`",
        packages: &[],
        words: &["FUNCTION", "NODE_CLASS_MAPPINGS"],
        how: How::MethodNamedBy {
            attribute: "FUNCTION",
            marker: "INPUT_TYPES",
            registry: "NODE_CLASS_MAPPINGS",
        },
        async_ok: true,
        unsafe_note: "unsafe: ComfyUI versions from before async nodes call the node method without awaiting it",
    },
    Framework {
        name: "ComfyUI",
        what: "ComfyUI calls a node class's `VALIDATE_INPUTS` and `check_lazy_status` methods on its event loop",
        source: "`validate_inputs` and `execute` in https://github.com/comfyanonymous/ComfyUI/blob/master/execution.py: `await _async_map_node_over_list(..., \"VALIDATE_INPUTS\")` and `(..., \"check_lazy_status\")`, which call `f(**inputs)`, or await a task when `inspect.iscoroutinefunction(f)`",
        packages: &[],
        words: &["VALIDATE_INPUTS", "check_lazy_status"],
        how: How::NamedMethods {
            names: &["VALIDATE_INPUTS", "check_lazy_status"],
            marker: "INPUT_TYPES",
            registry: "NODE_CLASS_MAPPINGS",
        },
        async_ok: true,
        unsafe_note: "unsafe: ComfyUI versions from before async nodes call the method without awaiting it",
    },
    Framework {
        name: "Starlette/FastAPI",
        what: "Starlette and FastAPI call sync `on_startup`/`on_shutdown` handlers on the event loop",
        source: STARTUP_SOURCE,
        packages: STARLETTE_PACKAGES,
        words: &["on_startup", "on_shutdown"],
        how: How::Keyword {
            callees: STARLETTE_APPS,
            keyword: "on_startup",
            generator_only: false,
        },
        async_ok: true,
        unsafe_note: STARTUP_NOTE,
    },
    Framework {
        name: "Starlette/FastAPI",
        what: "Starlette and FastAPI call sync `on_startup`/`on_shutdown` handlers on the event loop",
        source: STARTUP_SOURCE,
        packages: STARLETTE_PACKAGES,
        words: &["on_shutdown"],
        how: How::Keyword {
            callees: STARLETTE_APPS,
            keyword: "on_shutdown",
            generator_only: false,
        },
        async_ok: true,
        unsafe_note: STARTUP_NOTE,
    },
    Framework {
        name: "Starlette/FastAPI",
        what: "Starlette and FastAPI call handlers given to `add_event_handler(\"startup\"|\"shutdown\", f)` on the event loop",
        source: STARTUP_SOURCE,
        packages: STARLETTE_PACKAGES,
        words: &["add_event_handler"],
        how: How::Register {
            method: "add_event_handler",
            events: &["startup", "shutdown"],
        },
        async_ok: true,
        unsafe_note: STARTUP_NOTE,
    },
    Framework {
        name: "Starlette/FastAPI",
        what: "Starlette and FastAPI call `@app.on_event(\"startup\"|\"shutdown\")` handlers on the event loop",
        source: STARTUP_SOURCE,
        packages: STARLETTE_PACKAGES,
        words: &["on_event"],
        how: How::Decorator {
            method: "on_event",
            events: &["startup", "shutdown"],
        },
        async_ok: true,
        unsafe_note: STARTUP_NOTE,
    },
    Framework {
        name: "Starlette/FastAPI",
        what: "Starlette and FastAPI run a sync generator `lifespan` on the event loop (its code before and after `yield` runs in `__aenter__`/`__aexit__`)",
        source: "`Router.__init__` in https://github.com/encode/starlette/blob/0.47.3/starlette/routing.py: a lifespan for which `inspect.isgeneratorfunction` holds is wrapped in `_AsyncLiftContextManager`, whose `async def __aenter__` calls `self._cm.__enter__()`",
        packages: STARLETTE_PACKAGES,
        words: &["lifespan"],
        how: How::Keyword {
            callees: STARLETTE_APPS,
            keyword: "lifespan",
            generator_only: true,
        },
        async_ok: false,
        unsafe_note: "",
    },
];

/// Whether a file's bytes name a word of a built-in row as a whole word (not
/// `MAKE_FUNCTION`, `_on_event`): then triage must parse it whole, since an
/// entry point's code runs on the loop.
pub fn mentions_builtin(bytes: &[u8]) -> bool {
    use aho_corasick::{AhoCorasick, MatchKind};
    use std::sync::OnceLock;
    static MATCHERS: OnceLock<(AhoCorasick, AhoCorasick)> = OnceLock::new();
    let (any, every) = MATCHERS.get_or_init(|| {
        let words: Vec<&str> = FRAMEWORKS.iter().flat_map(|f| f.words).copied().collect();
        // This runs over every file a run reads. A leftmost search can use
        // the vectorised prefilter and rules most files out at memory speed;
        // only a file that names a word somewhere is searched again, every
        // match, for one that stands as a whole word.
        let any = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(&words)
            .expect("plain words form an automaton");
        let every = AhoCorasick::new(&words).expect("plain words form an automaton");
        (any, every)
    });
    any.is_match(bytes) && crate::scan::prefilter::has_whole_word(every, bytes)
}

/// Every entry point among the files: the built-in rows', then the declared
/// ones (the first reason found for a function is kept).
pub fn entries(
    files: &[FileView],
    declared: &[DeclaredEntry],
    resolve: impl Fn(usize, &Callee) -> Option<FnRef>,
    resolve_class: impl Fn(&str, &str) -> Option<(usize, String)>,
) -> HashMap<FnRef, Entry> {
    let mut found: HashMap<FnRef, Entry> = HashMap::new();
    let mut add = |f: FnRef, row: &Framework, decorator: Option<String>| {
        found.entry(f).or_insert_with(|| Entry {
            why: row.what.to_owned(),
            source: row.source.to_owned(),
            async_ok: row.async_ok,
            unsafe_note: row.unsafe_note,
            decorator,
        });
    };
    for row in FRAMEWORKS {
        match &row.how {
            How::MethodNamedBy {
                attribute,
                marker,
                registry,
            } => {
                let nodes = node_classes(files, marker, registry, &resolve_class);
                for (file, view) in files.iter().enumerate() {
                    let summary = view.summary;
                    for (class, name, method) in &summary.class_strings {
                        if name != attribute || !nodes.contains(&(file, class.clone())) {
                            continue;
                        }
                        if let Some(function) = summary
                            .functions
                            .iter()
                            .position(|f| f.class.as_deref() == Some(class) && f.name == *method)
                        {
                            add(FnRef { file, function }, row, None);
                        }
                    }
                }
            }
            How::NamedMethods {
                names,
                marker,
                registry,
            } => {
                let nodes = node_classes(files, marker, registry, &resolve_class);
                for (file, view) in files.iter().enumerate() {
                    for (function, f) in view.summary.functions.iter().enumerate() {
                        if names.contains(&f.name.as_str())
                            && f.class
                                .as_ref()
                                .is_some_and(|c| nodes.contains(&(file, c.clone())))
                        {
                            add(FnRef { file, function }, row, None);
                        }
                    }
                }
            }
            How::Keyword {
                callees,
                keyword,
                generator_only,
            } => {
                for (file, view) in files.iter().enumerate() {
                    let summary = view.summary;
                    for passed in &summary.passed {
                        let call = &summary.calls[passed.call];
                        if passed.slot != Slot::Keyword((*keyword).to_owned())
                            || !callees.contains(&last(&call.callee_text))
                            || !from_packages(summary, &call.callee_text, row.packages)
                        {
                            continue;
                        }
                        let Some(f) = resolve(file, &passed.callee) else {
                            continue;
                        };
                        let function = &files[f.file].summary.functions[f.function];
                        let sync_generator = function.is_generator && !function.is_async;
                        if *generator_only && !sync_generator {
                            continue;
                        }
                        add(f, row, None);
                    }
                }
            }
            How::Register { method, events } => {
                for (file, view) in files.iter().enumerate() {
                    let summary = view.summary;
                    if !imports_any(summary, row.packages) {
                        continue;
                    }
                    for passed in &summary.passed {
                        let call = &summary.calls[passed.call];
                        let event = call
                            .arguments
                            .as_ref()
                            .and_then(|a| a.positional.first())
                            .map(|e| e.trim_matches(['"', '\'']));
                        if passed.slot != Slot::Positional(1)
                            || last(&call.callee_text) != *method
                            || !call.callee_text.contains('.')
                            || !event.is_some_and(|e| events.contains(&e))
                        {
                            continue;
                        }
                        if let Some(f) = resolve(file, &passed.callee) {
                            add(f, row, None);
                        }
                    }
                }
            }
            How::Decorator { method, events } => {
                for (file, view) in files.iter().enumerate() {
                    let summary = view.summary;
                    if !imports_any(summary, row.packages) {
                        continue;
                    }
                    for (function, summary_fn) in summary.functions.iter().enumerate() {
                        for decorator in &summary_fn.decorators {
                            if registers(decorator, method, events) {
                                add(FnRef { file, function }, row, Some(decorator.clone()));
                            }
                        }
                    }
                }
            }
        }
    }
    for (file, view) in files.iter().enumerate() {
        let summary = view.summary;
        for (function, f) in summary.functions.iter().enumerate() {
            if f.is_async {
                continue;
            }
            if let Some(entry) = declared
                .iter()
                .find(|d| d.matches(&summary.module, &f.qualname))
            {
                found
                    .entry(FnRef { file, function })
                    .or_insert_with(|| Entry {
                        why: format!(
                            "it is a declared loop entry point (`{}` in `loop-entry-points`)",
                            entry.pattern
                        ),
                        source: entry.file.display().to_string(),
                        async_ok: entry.async_ok,
                        unsafe_note: "unsafe: every caller of a declared entry point must await it",
                        decorator: None,
                    });
            }
        }
    }
    found.retain(|f, _| !files[f.file].summary.functions[f.function].is_async);
    // A sync generator made `async def` is an async generator, not a
    // coroutine function: a framework that awaits coroutine functions would
    // call it and never run its body. It stays sync.
    for (f, entry) in &mut found {
        if files[f.file].summary.functions[f.function].is_generator {
            entry.async_ok = false;
        }
    }
    found
}

/// The classes that count as nodes: those that define method `marker`, and
/// those a module-level dict `registry` lists, anywhere: (file, qualname).
fn node_classes(
    files: &[FileView],
    marker: &str,
    registry: &str,
    resolve_class: &impl Fn(&str, &str) -> Option<(usize, String)>,
) -> std::collections::HashSet<(usize, String)> {
    let mut nodes = std::collections::HashSet::new();
    for (file, view) in files.iter().enumerate() {
        for (name, values) in &view.summary.dict_values {
            if name == registry {
                nodes.extend(
                    values
                        .iter()
                        .filter_map(|value| class_of(file, view.summary, value, resolve_class)),
                );
            }
        }
        for f in &view.summary.functions {
            if f.name == marker
                && let Some(class) = &f.class
            {
                nodes.insert((file, class.clone()));
            }
        }
    }
    nodes
}

fn last(text: &str) -> &str {
    text.rsplit('.').next().unwrap_or(text).trim()
}

/// `recv.method("event")` with `event` one of `events`.
fn registers(decorator: &str, method: &str, events: &[&str]) -> bool {
    let Some((callee, rest)) = decorator.split_once('(') else {
        return false;
    };
    let argument = rest.trim_end().trim_end_matches(')').trim();
    let argument = argument.trim_end_matches(',').trim();
    callee.contains('.')
        && last(callee) == method
        && argument.len() >= 2
        && (argument.starts_with('"') && argument.ends_with('"')
            || argument.starts_with('\'') && argument.ends_with('\''))
        && events.contains(&&argument[1..argument.len() - 1])
}

fn in_packages(module: &str, packages: &[&str]) -> bool {
    packages
        .iter()
        .any(|p| module == *p || module.starts_with(&format!("{p}.")))
}

/// Whether the called name comes from one of the packages: `Starlette`
/// after `from starlette.applications import Starlette`, `fastapi.FastAPI`
/// after `import fastapi`.
fn from_packages(summary: &ModuleSummary, callee_text: &str, packages: &[&str]) -> bool {
    let root = callee_text.split('.').next().unwrap_or(callee_text).trim();
    match summary.imports.get(root) {
        Some(ImportTarget::Module(m)) | Some(ImportTarget::Symbol(m, _)) => {
            in_packages(m, packages)
        }
        None => false,
    }
}

fn imports_any(summary: &ModuleSummary, packages: &[&str]) -> bool {
    summary.imports.values().any(|target| match target {
        ImportTarget::Module(m) | ImportTarget::Symbol(m, _) => in_packages(m, packages),
    })
}

/// The class a registry value names: a class of this file, or one imported.
fn class_of(
    file: usize,
    summary: &ModuleSummary,
    value: &str,
    resolve_class: &impl Fn(&str, &str) -> Option<(usize, String)>,
) -> Option<(usize, String)> {
    match value.rsplit_once('.') {
        None => {
            if summary.classes.iter().any(|(c, _)| c == value) {
                return Some((file, value.to_owned()));
            }
            match summary.imports.get(value)? {
                ImportTarget::Symbol(module, name) => resolve_class(module, name),
                ImportTarget::Module(_) => None,
            }
        }
        Some((object, name)) => match summary.imports.get(object)? {
            ImportTarget::Module(module) if !object.contains('.') => resolve_class(module, name),
            ImportTarget::Symbol(module, sub) if !object.contains('.') => {
                resolve_class(&format!("{module}.{sub}"), name)
            }
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_names_its_source_and_words() {
        for row in FRAMEWORKS {
            assert!(row.source.contains("https://github.com/"), "{}", row.name);
            assert!(!row.words.is_empty(), "{}", row.name);
            assert_eq!(row.async_ok, !row.unsafe_note.is_empty(), "{}", row.name);
        }
    }

    #[test]
    fn registering_decorators() {
        let events = &["startup", "shutdown"];
        assert!(registers("app.on_event(\"startup\")", "on_event", events));
        assert!(registers("router.on_event('shutdown')", "on_event", events));
        assert!(!registers("app.on_event(\"request\")", "on_event", events));
        assert!(!registers("on_event(\"startup\")", "on_event", events));
        assert!(!registers("app.get(\"/\")", "on_event", events));
        assert!(!registers("app.on_event(name)", "on_event", events));
    }

    #[test]
    fn builtin_words() {
        assert!(mentions_builtin(b"    FUNCTION = \"run\"\n"));
        assert!(mentions_builtin(b"app = FastAPI(lifespan=lifespan)\n"));
        assert!(!mentions_builtin(b"def handler():\n    return 1\n"));
        // Parts of other names do not count (the standard library's opcode
        // names, idlelib's `_on_event` handlers): those files stay unparsed.
        assert!(!mentions_builtin(b"op = MAKE_FUNCTION\n"));
        assert!(!mentions_builtin(b"self._on_event(e)\n"));
        assert!(mentions_builtin(b"@app.on_event(\"startup\")\n"));
    }
}
