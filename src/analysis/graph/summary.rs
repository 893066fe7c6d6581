//! What one file contributes to the project index, as owned data: its functions (with the
//! nested runs directly in their bodies), its imports, every call with what it
//! calls resolved by binding, and the functions it hands to the event loop.
//!
//! Everything here is owned data, so the trees can be dropped or re-parsed while
//! the index lives on.

use std::collections::{HashMap, HashSet};

use super::nest_asyncio::NestAsyncio;
use crate::edit::{Edit, TextRange};

/// Where an imported name points.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ImportTarget {
    /// `import a.b` binds `a` to module `a`; `import a.b as c` binds `c` to `a.b`.
    Module(String),
    /// `from m import n [as x]`: name `n` of module `m` (a function, a class, a
    /// re-export, or a submodule `m.n`).
    Symbol(String, String),
}

/// What a call calls, as far as this file can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callee {
    /// A function defined in this file (an index into `functions`).
    Local(usize),
    /// Name `n` of module `m`, to be resolved in the index.
    Symbol(String, String),
    /// `Class.method` in this file (`self.m()`, `cls.m()`, `Class.m()`).
    Method(String, String),
    /// A name bound nowhere in this file, which may come from one of its
    /// `from m import *` statements.
    Star(String),
    /// A method called on an instance of a class imported from module `m`
    /// (`c = Client(); c.fetch()`, `def f(c: Client)`): `(m, Class, method)`.
    /// Only installed libraries' methods are looked up this way.
    Instance(String, String, String),
    /// Anything else; the final name called, for conservative checks.
    Unknown(String),
}

/// Where a call or a nested run sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Directly in the body of function `usize` (async or not).
    Function(usize),
    /// In a generator expression inside function `usize`.
    Generator(usize),
    /// In a lambda that starts at this byte.
    Lambda(usize),
    /// At module level (which runs under a loop in a notebook).
    Module,
    /// In a class body.
    Other,
}

#[derive(Debug, Clone)]
pub struct CallSite {
    pub range: TextRange,
    pub callee: Callee,
    /// The called expression as written (`get_user`, `db.load`).
    pub callee_text: String,
    pub place: Place,
    /// Inside a guarded bridge (`try: get_running_loop() except RuntimeError:`).
    pub guarded: bool,
    /// In the body of a `try` whose `except` names `RuntimeError`: under a
    /// loop that fallback is what runs today, and an `await` would skip it.
    pub falls_back: bool,
    /// Already the operand of `await`.
    pub awaited: bool,
    /// Edits that put `await` in front of this call, with parentheses where
    /// precedence needs them.
    pub await_edits: Vec<Edit>,
    /// The arguments, when they are plain enough to bind to parameters.
    pub arguments: Option<Arguments>,
    /// When the call is what a `for` statement or a list, set or dict
    /// comprehension iterates: the edit that makes it `async for`, as a
    /// generator made async needs.
    pub async_for_edit: Option<Edit>,
    /// The quote of the f-string whose braces hold the call, where a string
    /// literal with the same quote is a syntax error before Python 3.12.
    pub fstring_quote: Option<char>,
}

/// A call's arguments as text: for inlining a thin wrapper.
#[derive(Debug, Clone, Default)]
pub struct Arguments {
    pub positional: Vec<String>,
    pub keywords: Vec<(String, String)>,
}

/// A nested run directly in a function's body.
#[derive(Debug, Clone)]
pub struct RunSite {
    pub range: TextRange,
    /// `asyncio.run`, `loop.run_until_complete`, `runner.run`.
    pub callee_text: String,
    pub place: Place,
    /// The edits that make it `await X`, when its arguments allow.
    pub await_edits: Option<Vec<Edit>>,
    /// For a bare-statement `asyncio.run(X)`: the statement and `X`, for a
    /// `create_task` fix.
    pub statement: Option<BareStatement>,
}

#[derive(Debug, Clone)]
pub struct BareStatement {
    pub range: TextRange,
    pub indent: String,
    pub line_ending: &'static str,
    pub awaitable: String,
}

#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    /// After a bare `*`: only a keyword can bind it.
    pub keyword_only: bool,
    /// The default's text when it is a literal that means the same anywhere.
    pub default: Option<String>,
    pub has_default: bool,
}

/// `def w(a, b): [docstring] return asyncio.run(target(a, key=b))`.
#[derive(Debug, Clone)]
pub struct ThinWrapper {
    pub target: Callee,
    pub target_text: String,
    /// The target call's arguments: `(keyword, parameter index)`.
    pub arguments: Vec<(Option<String>, usize)>,
}

#[derive(Debug, Clone)]
pub struct FunctionSummary {
    pub name: String,
    pub qualname: String,
    pub is_async: bool,
    /// Where `async ` goes: the start of the `def` line's `def`.
    pub def_start: usize,
    pub name_range: TextRange,
    /// The function this one is nested in.
    pub parent: Option<usize>,
    /// The class this function is a method of.
    pub class: Option<String>,
    pub decorators: Vec<String>,
    pub parameters: Option<Vec<Parameter>>,
    pub runs: Vec<RunSite>,
    pub thin_wrapper: Option<ThinWrapper>,
    /// Names bound in the function, for picking a fresh local name.
    pub locals: HashSet<String>,
    /// Every name written in the function, nested scopes included: a new
    /// local must avoid these too, since binding a name the body reads as a
    /// global or a closure would make every read of it local.
    pub names: HashSet<String>,
    /// The calls its `return` statements return, as call ranges.
    pub return_calls: Vec<TextRange>,
    /// Its body yields: made async, it becomes an async generator, which is
    /// iterated with `async for`, not awaited.
    pub is_generator: bool,
    /// It yields, and its body holds `yield from` or `return VALUE`, which an
    /// async generator cannot.
    pub sync_generator_only: bool,
}

impl FunctionSummary {
    /// Functions whose callers outside the project cannot be seen: nested
    /// functions and `_private` names (of functions and of their classes).
    pub fn is_private(&self) -> bool {
        self.parent.is_some()
            || (self.name.starts_with('_') && !self.name.starts_with("__"))
            || self
                .class
                .as_deref()
                .is_some_and(|c| c.rsplit('.').next().unwrap_or(c).starts_with('_'))
    }

    pub fn is_protocol_method(&self) -> bool {
        self.name.starts_with("__") && self.name.ends_with("__")
    }
}

/// A function handed to the event loop to run as a callback.
#[derive(Debug, Clone)]
pub enum Callback {
    Function(Callee),
    /// A lambda, by its start byte.
    Lambda(usize),
}

/// Where an argument stands in a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    Positional(usize),
    Keyword(String),
}

/// A function named (not called) as an argument of a call, alone or in a
/// list or tuple literal: `Starlette(on_startup=[init])`,
/// `app.add_event_handler("startup", init)`.
#[derive(Debug, Clone)]
pub struct Passed {
    /// Index into `calls`.
    pub call: usize,
    pub slot: Slot,
    pub callee: Callee,
}

#[derive(Debug, Clone)]
pub struct ModuleSummary {
    pub module: String,
    pub is_package: bool,
    pub functions: Vec<FunctionSummary>,
    /// Every class: its qualname and the last names of its bases.
    pub classes: Vec<(String, Vec<String>)>,
    /// A notebook: module level runs under the kernel's loop.
    pub top_level_await: bool,
    /// Module-level names bound by imports.
    pub imports: HashMap<String, ImportTarget>,
    /// The modules of its module-level `from m import *` statements, in order.
    pub star_imports: Vec<String>,
    /// `__all__` when it is assigned once, at module level, a literal list or
    /// tuple of strings: what `from this import *` gives (else its public
    /// names).
    pub all_names: Option<Vec<String>>,
    /// Every module-level name, however bound.
    pub module_names: HashSet<String>,
    /// The module-level name bound to asyncio, if any.
    pub asyncio_name: Option<String>,
    pub calls: Vec<CallSite>,
    /// Nested runs directly in lambdas.
    pub lambda_runs: Vec<RunSite>,
    pub callbacks: Vec<Callback>,
    /// Functions named as call arguments (for the frameworks' entry points).
    pub passed: Vec<Passed>,
    /// String literals assigned to a name directly in a class body:
    /// `(class qualname, name, value)` (`FUNCTION = "generate"`).
    pub class_strings: Vec<(String, String, String)>,
    /// Module-level `NAME = {key: value, ...}`: the name, and the values that
    /// are plain or dotted names.
    pub dict_values: Vec<(String, Vec<String>)>,
    /// Runs that happen when the module is imported (see
    /// `crate::analysis::import_time`), for UNN015.
    pub import_time_runs: Vec<RunSite>,
    /// Names used other than as a call's function or a definition.
    pub value_uses: HashSet<String>,
    /// `nest_asyncio.apply()` statements, and `import nest_asyncio` lines, as
    /// whole-line ranges (for UNN010).
    pub nest_asyncio: NestAsyncio,
    /// Where a new import line can go, and the line ending to end it with.
    pub import_at: usize,
    /// In a notebook, per cell: where its text ends, and where a new import
    /// line goes in it (see [`ModuleSummary::import_at_for`]).
    pub cell_import_points: Vec<(usize, usize)>,
    pub line_ending: &'static str,
}

impl ModuleSummary {
    /// Where a new import line goes for a name used at byte `used_at`: after
    /// the module's leading docstring, `__future__` imports and imports; in a
    /// notebook, in the cell that uses it, after that cell's own imports (and
    /// its leading magics, such as `%pip install`).
    pub fn import_at_for(&self, used_at: usize) -> usize {
        self.cell_import_points
            .iter()
            .find(|(end, _)| used_at < *end)
            .map_or(self.import_at, |(_, at)| *at)
    }
}
