//! What one file contributes to the project index: its functions (with the
//! nested runs directly in their bodies), its imports, every call with what it
//! calls resolved by binding, and the functions it hands to the event loop.
//!
//! Everything here is owned data, so the trees can be dropped or re-parsed while
//! the index lives on.

use crate::parents::Up;
use std::collections::{HashMap, HashSet};

use tree_sitter::{Node, Tree};

use crate::analyze::bindings::Meaning;
use crate::analyze::scope::{ScopeKind, is_async_def, own_nodes, scopes_of};
use crate::analyze::threads::callee_name;
use crate::analyze::{Checker, NestedRun, RunKind, find_runs};
use crate::fix::{Edit, TextRange};
use crate::graph::lines;
use crate::graph::modules::resolve_relative;
use crate::rewrite;

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

/// Where a module patches asyncio with `nest_asyncio`.
#[derive(Debug, Clone, Default)]
pub struct NestAsyncio {
    /// The `nest_asyncio.apply(...)` statements: the call, and the whole
    /// line(s) of the statement when it stands alone on them.
    pub applies: Vec<(TextRange, Option<TextRange>)>,
    /// The `import nest_asyncio` statements alone on their lines.
    pub imports: Vec<TextRange>,
    /// How many times the name `nest_asyncio` is used other than by these.
    pub other_uses: usize,
    /// The edits that remove the patch (see `rules::nest_asyncio_removal`).
    pub removal: Option<Vec<crate::fix::Edit>>,
}

/// A function handed to the event loop to run as a callback.
#[derive(Debug, Clone)]
pub enum Callback {
    Function(Callee),
    /// A lambda, by its start byte.
    Lambda(usize),
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

/// Methods that hand a callable to the loop, and the callable's position.
pub const LOOP_CALLBACKS: [(&str, usize); 8] = [
    ("call_soon", 0),
    ("call_soon_threadsafe", 0),
    ("call_later", 1),
    ("call_at", 1),
    ("add_reader", 1),
    ("add_writer", 1),
    ("add_signal_handler", 1),
    ("add_done_callback", 0),
];

/// Literal node kinds whose text means the same in any module.
const LITERALS: [&str; 7] = [
    "integer", "float", "string", "true", "false", "none", "ellipsis",
];

/// The summary of one file, and the findings of the per-file rules in it: both
/// from one parse, one set of bindings and one search for runs.
/// `top_level_await` marks a notebook, whose module level runs under a loop.
pub fn summarize_and_check(
    tree: &Tree,
    source: &str,
    module: &str,
    is_package: bool,
    top_level_await: bool,
) -> (ModuleSummary, Vec<crate::diagnostic::Diagnostic>) {
    let _parents = crate::parents::ParentMap::install(tree);
    let mut checker = Checker::new(tree, source);
    checker.top_level_await = top_level_await;
    let runs = find_runs(tree, &checker);
    let summary = summarize(tree, &checker, &runs, module, is_package);
    let diagnostics = crate::analyze::check_runs(&runs, &checker);
    (summary, diagnostics)
}

fn summarize<'t>(
    tree: &'t Tree,
    checker: &Checker<'t>,
    runs: &[NestedRun<'t>],
    module: &str,
    is_package: bool,
) -> ModuleSummary {
    let source = checker.source;
    let root = tree.root_node();
    // One walk over the tree sorts out the nodes the index needs; it is
    // cheaper than a query, which would try its patterns at every node.
    let mut function_nodes = Vec::new();
    let mut class_nodes = Vec::new();
    let mut call_nodes = Vec::new();
    let mut import_nodes = Vec::new();
    let mut value_uses = HashSet::new();
    let mut cursor = root.walk();
    'walk: loop {
        let node = cursor.node();
        match node.kind() {
            "function_definition" => function_nodes.push(node),
            "class_definition" => class_nodes.push(node),
            "call" => call_nodes.push(node),
            "import_statement" | "import_from_statement" => import_nodes.push(node),
            "identifier" if is_value_use(node) => {
                value_uses.insert(source[node.byte_range()].to_owned());
            }
            // `getattr(module, "_load")`, `globals()["_load"]`: a private
            // name written as a string may be looked up by it, and called as
            // it was. (Public names are never made async safely anyway.)
            "string_content" if is_private_name(&source[node.byte_range()]) => {
                value_uses.insert(source[node.byte_range()].to_owned());
            }
            _ => {}
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }

    let by_node: HashMap<usize, usize> = function_nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id(), i))
        .collect();
    let mut summary = ModuleSummary {
        module: module.to_owned(),
        is_package,
        functions: Vec::new(),
        classes: Vec::new(),
        top_level_await: checker.top_level_await,
        imports: HashMap::new(),
        star_imports: Vec::new(),
        all_names: all_names(root, source),
        module_names: HashSet::new(),
        asyncio_name: None,
        calls: Vec::new(),
        lambda_runs: Vec::new(),
        callbacks: Vec::new(),
        value_uses,
        nest_asyncio: NestAsyncio::default(),
        import_at: import_insertion_point(root, source),
        cell_import_points: if checker.top_level_await {
            cell_import_points(root, source)
        } else {
            Vec::new()
        },
        line_ending: if source.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        },
    };
    for node in &function_nodes {
        summary
            .functions
            .push(function_summary(*node, &by_node, source));
    }
    for node in &class_nodes {
        let bases = node
            .child_by_field_name("superclasses")
            .map(|list| {
                let mut cursor = list.walk();
                list.named_children(&mut cursor)
                    .filter(|b| matches!(b.kind(), "identifier" | "attribute"))
                    .map(|b| {
                        let text = &source[b.byte_range()];
                        text.rsplit('.').next().unwrap_or(text).to_owned()
                    })
                    .collect()
            })
            .unwrap_or_default();
        summary.classes.push((qualname_of(*node, source), bases));
    }
    for node in &import_nodes {
        if node.up().is_some_and(|p| p.kind() == "module") {
            for (name, target) in import_bindings(*node, source, module, is_package) {
                summary.imports.insert(name, target);
            }
            let mut cursor = node.walk();
            if node.kind() == "import_from_statement"
                && node
                    .named_children(&mut cursor)
                    .any(|c| c.kind() == "wildcard_import")
                && let Some(from) = from_module(*node, source, module, is_package)
            {
                summary.star_imports.push(from);
            }
        }
    }
    summary.module_names = module_level_names(root, source);
    summary.asyncio_name = summary.module_names.iter().find_map(|name| {
        let scopes = scopes_of(root);
        (checker.bindings.resolve(name, &scopes) == Meaning::AsyncioModule).then(|| name.clone())
    });

    let resolver = Resolver {
        checker,
        by_node: &by_node,
        module,
        is_package,
        stars: !summary.star_imports.is_empty(),
    };
    let (mut apply_statements, mut import_statements) = (Vec::new(), Vec::new());
    for call in call_nodes {
        let scopes = scopes_of(call);
        let place = place_of(call, &by_node);
        if let Some(registered) = loop_callback(call, source) {
            let callback = match registered.kind() {
                "lambda" => Some(Callback::Lambda(registered.start_byte())),
                _ => resolver
                    .callee_of_reference(registered)
                    .map(Callback::Function),
            };
            summary.callbacks.extend(callback);
        }
        let Some(function) = rewrite::callee(call) else {
            continue;
        };
        let callee = resolver.callee(function, &scopes);
        summary.calls.push(CallSite {
            range: TextRange::new(rewrite::call_start(call), call.end_byte()),
            callee,
            callee_text: source[function.byte_range()].to_owned(),
            place,
            guarded: {
                let in_async = matches!(
                    crate::analyze::scope::context_of(&scopes),
                    crate::analyze::scope::Context::Async { .. }
                        | crate::analyze::scope::Context::Generator { .. }
                );
                checker.guards.is_guarded(call, in_async)
            },
            falls_back: checker.guards.falls_back_on_runtime_error(call),
            awaited: rewrite::is_awaited(call),
            await_edits: rewrite::await_edits(call),
            arguments: plain_arguments(call, source),
            async_for_edit: async_for_edit(call),
            fstring_quote: fstring_quote(call, source),
        });
        if source[function.byte_range()] == *"nest_asyncio.apply" {
            let statement = call
                .up()
                .filter(|p| p.kind() == "expression_statement" && p.named_child_count() == 1);
            apply_statements.push(statement);
            summary.nest_asyncio.applies.push((
                TextRange::of(call),
                statement.and_then(|s| whole_lines(s, source)),
            ));
        }
    }
    for node in &import_nodes {
        if node.kind() == "import_statement"
            && source[node.byte_range()]
                .split_whitespace()
                .collect::<Vec<_>>()
                == ["import", "nest_asyncio"]
            && let Some(lines) = whole_lines(*node, source)
        {
            summary.nest_asyncio.imports.push(lines);
            import_statements.push(*node);
        }
    }
    let mentions = source.matches("nest_asyncio").count();
    summary.nest_asyncio.other_uses = mentions
        .saturating_sub(summary.nest_asyncio.applies.len() + summary.nest_asyncio.imports.len());
    summary.nest_asyncio.removal = crate::rules::nest_asyncio_removal(
        &apply_statements,
        &import_statements,
        summary.nest_asyncio.other_uses == 0,
        source,
    );

    for run in runs {
        if run.is_guarded(checker) {
            continue;
        }
        let place = place_of(run.call, &by_node);
        match place {
            Place::Function(index) | Place::Generator(index) => {
                summary.functions[index]
                    .runs
                    .push(run_site(run, place, source));
            }
            Place::Lambda(_) => summary.lambda_runs.push(run_site(run, place, source)),
            Place::Module | Place::Other => {}
        }
    }
    for (index, node) in function_nodes.iter().enumerate() {
        summary.functions[index].thin_wrapper =
            thin_wrapper(*node, &summary.functions[index], &resolver);
    }
    summary
}

/// Resolves what a name or attribute at some place refers to.
struct Resolver<'a, 't> {
    checker: &'a Checker<'t>,
    by_node: &'a HashMap<usize, usize>,
    module: &'a str,
    is_package: bool,
    /// The module has `from m import *` statements that may bind names.
    stars: bool,
}

impl<'t> Resolver<'_, 't> {
    fn callee(&self, function: Node<'t>, scopes: &[crate::analyze::scope::Scope<'t>]) -> Callee {
        let source = self.checker.source;
        let text = &source[function.byte_range()];
        let last = text.rsplit('.').next().unwrap_or(text).trim().to_owned();
        let unknown = || Callee::Unknown(last.clone());
        match function.kind() {
            "identifier" => self.name(text, scopes).unwrap_or_else(unknown),
            "attribute" => {
                let (Some(object), Some(attribute)) = (
                    function.child_by_field_name("object"),
                    function.child_by_field_name("attribute"),
                ) else {
                    return unknown();
                };
                let attribute = source[attribute.byte_range()].to_owned();
                self.attribute(object, &attribute, scopes)
                    .unwrap_or_else(unknown)
            }
            _ => unknown(),
        }
    }

    /// The callee a plain reference (a name, `self.m`, `functools.partial(f)`)
    /// stands for.
    fn callee_of_reference(&self, node: Node<'t>) -> Option<Callee> {
        let source = self.checker.source;
        if node.kind() == "call" && callee_name(node, source) == Some("partial") {
            let first = node.child_by_field_name("arguments")?.named_child(0)?;
            return self.callee_of_reference(first);
        }
        let scopes = scopes_of(node);
        match self.callee(node, &scopes) {
            Callee::Unknown(_) => None,
            callee => Some(callee),
        }
    }

    fn name(&self, name: &str, scopes: &[crate::analyze::scope::Scope<'t>]) -> Option<Callee> {
        let (meaning, bindings) = self.checker.bindings.lookup(name, scopes);
        if meaning == Meaning::Unbound && self.stars {
            return Some(Callee::Star(name.to_owned()));
        }
        if meaning != Meaning::Other || bindings.len() != 1 {
            return None;
        }
        let binding = bindings[0].node;
        let parent = binding.up()?;
        match parent.kind() {
            "function_definition" => self.by_node.get(&parent.id()).map(|&i| Callee::Local(i)),
            _ => match self.import_target(binding)? {
                ImportTarget::Symbol(module, name) => Some(Callee::Symbol(module, name)),
                ImportTarget::Module(_) => None,
            },
        }
    }

    fn attribute(
        &self,
        object: Node<'t>,
        attribute: &str,
        scopes: &[crate::analyze::scope::Scope<'t>],
    ) -> Option<Callee> {
        let source = self.checker.source;
        match object.kind() {
            "identifier" => {
                let name = &source[object.byte_range()];
                if let Some(class) = self_class(object, scopes, source) {
                    return Some(Callee::Method(class, attribute.to_owned()));
                }
                let (meaning, bindings) = self.checker.bindings.lookup(name, scopes);
                if meaning != Meaning::Other || bindings.len() != 1 {
                    return None;
                }
                let binding = bindings[0].node;
                let parent = binding.up()?;
                if parent.kind() == "class_definition" {
                    return Some(Callee::Method(
                        qualname_of(parent, source),
                        attribute.to_owned(),
                    ));
                }
                match self.import_target(binding)? {
                    ImportTarget::Module(module) => {
                        Some(Callee::Symbol(module, attribute.to_owned()))
                    }
                    ImportTarget::Symbol(module, name) => Some(Callee::Symbol(
                        format!("{module}.{name}"),
                        attribute.to_owned(),
                    )),
                }
            }
            // `a.b.f()` after `import a.b`
            "attribute" => {
                let text = &source[object.byte_range()];
                let root = text.split('.').next()?;
                let (meaning, bindings) = self.checker.bindings.lookup(root, scopes);
                if meaning != Meaning::Other || bindings.len() != 1 {
                    return None;
                }
                match self.import_target(bindings[0].node)? {
                    ImportTarget::Module(module) if module == root => {
                        Some(Callee::Symbol(text.to_owned(), attribute.to_owned()))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// What an identifier bound by an import points at.
    fn import_target(&self, binding: Node) -> Option<ImportTarget> {
        let mut node = binding;
        let statement = loop {
            node = node.up()?;
            if matches!(node.kind(), "import_statement" | "import_from_statement") {
                break node;
            }
        };
        import_bindings(statement, self.checker.source, self.module, self.is_package)
            .into_iter()
            .find(|(name, _)| *name == self.checker.source[binding.byte_range()])
            .map(|(_, target)| target)
    }
}

/// The names an import statement binds, with what each points at.
fn import_bindings(
    statement: Node,
    source: &str,
    module: &str,
    is_package: bool,
) -> Vec<(String, ImportTarget)> {
    let text = |n: Node| source[n.byte_range()].to_owned();
    let mut bound = Vec::new();
    let mut cursor = statement.walk();
    let names: Vec<Node> = statement
        .children_by_field_name("name", &mut cursor)
        .collect();
    if statement.kind() == "import_statement" {
        for name in names {
            match name.kind() {
                "aliased_import" => {
                    if let (Some(dotted), Some(alias)) = (
                        name.child_by_field_name("name"),
                        name.child_by_field_name("alias"),
                    ) {
                        bound.push((text(alias), ImportTarget::Module(text(dotted))));
                    }
                }
                _ => {
                    let full = text(name);
                    let first = full.split('.').next().unwrap_or(&full).to_owned();
                    bound.push((first.clone(), ImportTarget::Module(first)));
                }
            }
        }
        return bound;
    }
    let Some(from_module) = from_module(statement, source, module, is_package) else {
        return bound;
    };
    for name in names {
        let (original, alias) = match name.kind() {
            "aliased_import" => match (
                name.child_by_field_name("name"),
                name.child_by_field_name("alias"),
            ) {
                (Some(original), Some(alias)) => (text(original), text(alias)),
                _ => continue,
            },
            _ => (text(name), text(name)),
        };
        bound.push((alias, ImportTarget::Symbol(from_module.clone(), original)));
    }
    bound
}

/// The absolute module a `from ... import` statement imports from.
fn from_module(statement: Node, source: &str, module: &str, is_package: bool) -> Option<String> {
    let text = |n: Node| source[n.byte_range()].to_owned();
    let from = statement.child_by_field_name("module_name")?;
    if from.kind() == "relative_import" {
        let dots = source[from.byte_range()]
            .chars()
            .take_while(|c| *c == '.')
            .count();
        let rest = {
            let mut cursor = from.walk();
            from.named_children(&mut cursor)
                .find(|c| c.kind() == "dotted_name")
                .map(text)
                .unwrap_or_default()
        };
        resolve_relative(module, is_package, dots, &rest)
    } else {
        Some(text(from))
    }
}

/// `__all__`'s names when the module assigns it exactly once, at module
/// level, a list or tuple of plain string literals.
fn all_names(root: Node, source: &str) -> Option<Vec<String>> {
    let mut found = None;
    let mut cursor = root.walk();
    for statement in root.named_children(&mut cursor) {
        let mut inner = statement.walk();
        for node in statement.named_children(&mut inner) {
            let target = match node.kind() {
                "assignment" | "augmented_assignment" => node.child_by_field_name("left"),
                _ => None,
            };
            if target.is_none_or(|t| &source[t.byte_range()] != "__all__") {
                continue;
            }
            if found.is_some() || node.kind() == "augmented_assignment" {
                return None;
            }
            let value = node.child_by_field_name("right")?;
            if !matches!(value.kind(), "list" | "tuple") {
                return None;
            }
            let mut names = Vec::new();
            let mut items = value.walk();
            for item in value.named_children(&mut items) {
                let literal = &source[item.byte_range()];
                let body = literal
                    .strip_prefix('"')
                    .and_then(|l| l.strip_suffix('"'))
                    .or_else(|| {
                        literal
                            .strip_prefix('\'')
                            .and_then(|l| l.strip_suffix('\''))
                    })?;
                if item.kind() != "string" || body.contains(['\\', '"', '\'']) {
                    return None;
                }
                names.push(body.to_owned());
            }
            found = Some(names);
        }
    }
    found
}

fn function_summary(node: Node, by_node: &HashMap<usize, usize>, source: &str) -> FunctionSummary {
    let name_node = node.child_by_field_name("name").unwrap_or(node);
    let name = source[name_node.byte_range()].to_owned();
    let scopes = scopes_of(node);
    let parent = scopes
        .iter()
        .find(|s| matches!(s.kind, ScopeKind::Function { .. }))
        .and_then(|s| by_node.get(&s.node.id()).copied());
    let class = scopes
        .first()
        .filter(|s| s.kind == ScopeKind::Class)
        .map(|s| qualname_of(s.node, source));
    let decorators = node
        .up()
        .filter(|p| p.kind() == "decorated_definition")
        .map(|p| {
            let mut cursor = p.walk();
            p.named_children(&mut cursor)
                .filter(|c| c.kind() == "decorator")
                .map(|d| {
                    source[d.byte_range()]
                        .trim_start_matches('@')
                        .trim()
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default();
    let (is_generator, sync_generator_only, return_calls) = body_shape(node);
    let def_start = {
        let mut cursor = node.walk();
        node.children(&mut cursor)
            .find(|c| c.kind() == "def")
            .map_or(node.start_byte(), |d| d.start_byte())
    };
    FunctionSummary {
        qualname: qualname_of(node, source),
        name,
        is_async: is_async_def(node),
        def_start,
        name_range: TextRange::of(name_node),
        parent,
        class,
        decorators,
        parameters: node
            .child_by_field_name("parameters")
            .and_then(|p| parameters(p, source)),
        runs: Vec::new(),
        thin_wrapper: None,
        locals: locals_of(node, source),
        names: names_in(node, source),
        is_generator,
        sync_generator_only,
        return_calls,
    }
}

/// Whether the body of `function` (not its nested functions, classes and
/// lambdas) yields, whether it holds what an async generator cannot
/// (`yield from`, `return VALUE`), and the calls it returns.
fn body_shape(function: Node) -> (bool, bool, Vec<TextRange>) {
    let (mut yields, mut sync_only) = (false, false);
    let mut return_calls = Vec::new();
    for node in own_nodes(function) {
        match node.kind() {
            "yield" => {
                yields = true;
                let mut cursor = node.walk();
                if node.children(&mut cursor).any(|c| c.kind() == "from") {
                    sync_only = true;
                }
            }
            // Even `return None`: "'return' with value in async generator".
            "return_statement" => {
                let mut cursor = node.walk();
                for value in node.named_children(&mut cursor) {
                    if value.kind() == "comment" {
                        continue;
                    }
                    sync_only = true;
                    let mut value = value;
                    while value.kind() == "parenthesized_expression"
                        && let Some(inner) = value.named_child(0)
                    {
                        value = inner;
                    }
                    if value.kind() == "call" {
                        return_calls
                            .push(TextRange::new(rewrite::call_start(value), value.end_byte()));
                    }
                }
            }
            _ => {}
        }
    }
    (yields, yields && sync_only, return_calls)
}

/// The edit that makes the `for` iterating `call` an `async for`: `call` is
/// the iterable of a `for` statement, or of a `for` clause of a list, set or
/// dict comprehension (a generator expression with `async for` becomes an
/// async generator, which its consumer cannot iterate).
fn async_for_edit(call: Node) -> Option<Edit> {
    let parent = call.up()?;
    if !is_field_node(parent, "right", call) {
        return None;
    }
    match parent.kind() {
        "for_statement" => {}
        "for_in_clause"
            if parent.up().is_some_and(|c| {
                matches!(
                    c.kind(),
                    "list_comprehension" | "set_comprehension" | "dictionary_comprehension"
                )
            }) => {}
        _ => return None,
    }
    let mut cursor = parent.walk();
    let mut children = parent.children(&mut cursor);
    let first = children.next()?;
    // Already `async for`, or not the shape expected.
    (first.kind() == "for").then(|| Edit::insert(first.start_byte(), "async "))
}

/// `Outer.method`, `outer.<locals>.inner`, as Python's `__qualname__`.
fn qualname_of(node: Node, source: &str) -> String {
    let mut parts = Vec::new();
    let mut current = Some(node);
    let mut first = true;
    while let Some(n) = current {
        match n.kind() {
            "function_definition" | "class_definition" => {
                if let Some(name) = n.child_by_field_name("name") {
                    if n.kind() == "function_definition" && !first {
                        parts.push("<locals>".to_owned());
                    }
                    parts.push(source[name.byte_range()].to_owned());
                    first = false;
                }
            }
            _ => {}
        }
        current = n.up();
    }
    parts.reverse();
    parts.join(".")
}

/// The parameters of a `def`, or `None` when they hold `*args` or `**kwargs`,
/// which the thin-wrapper fix does not bind.
fn parameters(node: Node, source: &str) -> Option<Vec<Parameter>> {
    let mut list = Vec::new();
    let mut keyword_only = false;
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        let (name, default, has_default) = match child.kind() {
            "identifier" => (child, None, false),
            "default_parameter" | "typed_default_parameter" => {
                let name = child.child_by_field_name("name")?;
                let value = child.child_by_field_name("value")?;
                (name, constant_text(value, source), true)
            }
            "typed_parameter" => (child.named_child(0)?, None, false),
            "keyword_separator" => {
                keyword_only = true;
                continue;
            }
            "positional_separator" | "comment" => continue,
            _ => return None,
        };
        if name.kind() != "identifier" {
            return None;
        }
        list.push(Parameter {
            name: source[name.byte_range()].to_owned(),
            keyword_only,
            default,
            has_default,
        });
    }
    Some(list)
}

/// The text of a literal that means the same in any module: a number, `True`,
/// `None`, or a string without interpolation.
fn constant_text(node: Node, source: &str) -> Option<String> {
    let text = &source[node.byte_range()];
    let plain = match node.kind() {
        "string" => !text
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .any(|c| c == 'f' || c == 'F'),
        kind => LITERALS.contains(&kind),
    };
    plain.then(|| text.to_owned())
}

/// Names bound in a function (assigned, imported, defined, parameters), not
/// looking into nested functions, classes and lambdas.
fn locals_of(function: Node, source: &str) -> HashSet<String> {
    let mut names = HashSet::new();
    for node in own_nodes(function) {
        if node.id() != function.id()
            && matches!(
                node.kind(),
                "function_definition" | "class_definition" | "lambda"
            )
        {
            if let Some(name) = node.child_by_field_name("name") {
                names.insert(source[name.byte_range()].to_owned());
            }
            continue;
        }
        if node.kind() == "identifier" && is_binding(node) {
            names.insert(source[node.byte_range()].to_owned());
        }
    }
    names
}

/// `_name`: a private identifier, not a dunder.
fn is_private_name(text: &str) -> bool {
    text.starts_with('_')
        && !text.ends_with("__")
        && text.chars().all(|c| c == '_' || c.is_alphanumeric())
        && text.chars().any(|c| c != '_')
}

/// Every identifier written in `node`.
fn names_in(node: Node, source: &str) -> HashSet<String> {
    let mut names = HashSet::new();
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        if node.kind() == "identifier" {
            names.insert(source[node.byte_range()].to_owned());
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    names
}

/// Whether an identifier is bound where it stands (a target, a parameter, an
/// import, a `global`), as opposed to read.
fn is_binding(identifier: Node) -> bool {
    let Some(parent) = identifier.up() else {
        return false;
    };
    let is = |field: &str| is_field_node(parent, field, identifier);
    match parent.kind() {
        "assignment" | "augmented_assignment" | "for_statement" | "for_in_clause" => is("left"),
        "named_expression" | "default_parameter" | "typed_default_parameter" => is("name"),
        "pattern_list"
        | "tuple_pattern"
        | "list_pattern"
        | "as_pattern_target"
        | "parameters"
        | "lambda_parameters"
        | "typed_parameter"
        | "list_splat_pattern"
        | "dictionary_splat_pattern"
        | "global_statement"
        | "nonlocal_statement"
        | "delete_statement" => true,
        "aliased_import" => is("alias"),
        "dotted_name" => parent.up().is_some_and(|p| {
            matches!(p.kind(), "import_statement" | "import_from_statement")
                && !is_field_node(p, "module_name", parent)
        }),
        _ => false,
    }
}

/// Where a node sits: directly in a function, in a generator expression in one,
/// in a lambda, or elsewhere.
fn place_of(node: Node, by_node: &HashMap<usize, usize>) -> Place {
    let scopes = scopes_of(node);
    let mut in_generator = false;
    for scope in &scopes {
        match scope.kind {
            ScopeKind::Comprehension { generator } => in_generator |= generator,
            ScopeKind::Function { .. } => {
                let index = by_node[&scope.node.id()];
                return if in_generator {
                    Place::Generator(index)
                } else {
                    Place::Function(index)
                };
            }
            ScopeKind::Lambda => return Place::Lambda(scope.node.start_byte()),
            ScopeKind::Module if !in_generator => return Place::Module,
            ScopeKind::Class | ScopeKind::Module => return Place::Other,
        }
    }
    Place::Other
}

fn run_site(run: &NestedRun, place: Place, source: &str) -> RunSite {
    let awaitable = run
        .kind
        .awaitable_parameters()
        .and_then(|(keyword, droppable)| {
            rewrite::awaitable(run.arguments()?, source, keyword, droppable).ok()
        });
    let await_edits = awaitable
        .as_ref()
        .map(|a| rewrite::await_call(run.call, a, source));
    let statement = match (&run.kind, &awaitable) {
        (RunKind::AsyncioRun, Some(awaitable)) => bare_statement(run.call, awaitable.value, source),
        _ => None,
    };
    RunSite {
        range: run.range(),
        callee_text: run.callee(source).to_owned(),
        place,
        await_edits,
        statement,
    }
}

/// `asyncio.run(X)` as a statement of its own on its own line(s).
fn bare_statement(call: Node, value: Node, source: &str) -> Option<BareStatement> {
    let statement = call
        .up()
        .filter(|p| p.kind() == "expression_statement" && p.named_child_count() == 1)?;
    let line_start = lines::line_start(source, statement.start_byte());
    let indent = &source[line_start..statement.start_byte()];
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    let rest = &source[statement.end_byte()..];
    let line_end = lines::line_end(source, statement.end_byte()) - statement.end_byte();
    let after = rest[..line_end].trim();
    if !(after.is_empty() || after.starts_with('#')) {
        return None;
    }
    let value_text = &source[value.byte_range()];
    let arguments = call.child_by_field_name("arguments")?;
    // The statement is replaced whole: a comment inside the call would be lost.
    let mut stack = vec![arguments];
    while let Some(node) = stack.pop() {
        if node.kind() == "comment"
            && !(value.start_byte() <= node.start_byte() && node.end_byte() <= value.end_byte())
        {
            return None;
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    Some(BareStatement {
        range: TextRange::of(statement),
        indent: indent.to_owned(),
        line_ending: if rest[line_end..].starts_with("\r\n") {
            "\r\n"
        } else if rest[line_end..].starts_with('\r') {
            "\r"
        } else {
            "\n"
        },
        awaitable: value_text.to_owned(),
    })
}

/// The callable a loop-callback registration hands over, if `call` is one.
fn loop_callback<'t>(call: Node<'t>, source: &str) -> Option<Node<'t>> {
    let name = callee_name(call, source)?;
    let &(_, position) = LOOP_CALLBACKS.iter().find(|(n, _)| *n == name)?;
    // `loop.call_soon(cb)` is a method call; a bare `call_soon(cb)` is not ours.
    let function = call.child_by_field_name("function")?;
    if function.kind() != "attribute" {
        return None;
    }
    // `concurrent.futures` futures have `add_done_callback` too, and run the
    // callback in a worker thread, where a nested run works: only asyncio's
    // futures and tasks, known by where they come from, are the loop's.
    if name == "add_done_callback"
        && !is_asyncio_future(function.child_by_field_name("object")?, source)
    {
        return None;
    }
    let arguments = call.child_by_field_name("arguments")?;
    let mut cursor = arguments.walk();
    arguments
        .named_children(&mut cursor)
        .filter(|c| !matches!(c.kind(), "comment" | "keyword_argument"))
        .nth(position)
}

/// Calls that return an asyncio future or task, whose done callbacks the
/// loop runs (`run_coroutine_threadsafe`'s future is completed on the loop).
const ASYNCIO_FUTURE_MAKERS: [&str; 8] = [
    "create_task",
    "ensure_future",
    "gather",
    "create_future",
    "run_coroutine_threadsafe",
    "shield",
    "run_in_executor",
    "wrap_future",
];

/// Whether `receiver` is an asyncio future or task: a call of one of
/// [`ASYNCIO_FUTURE_MAKERS`], or a name whose every assignment in its scope
/// is one. Anything else (a parameter, an executor's future) is unknown.
fn is_asyncio_future(receiver: Node, source: &str) -> bool {
    let makes_future = |node: Node| {
        node.kind() == "call"
            && callee_name(node, source).is_some_and(|n| ASYNCIO_FUTURE_MAKERS.contains(&n))
    };
    match receiver.kind() {
        "call" => makes_future(receiver),
        "parenthesized_expression" => receiver
            .named_child(0)
            .is_some_and(|inner| is_asyncio_future(inner, source)),
        "identifier" => {
            let name = &source[receiver.byte_range()];
            let Some(scope) = scopes_of(receiver)
                .into_iter()
                .find(|s| !matches!(s.kind, ScopeKind::Comprehension { .. }))
            else {
                return false;
            };
            let mut values = Vec::new();
            for node in own_nodes(scope.node) {
                if matches!(node.kind(), "assignment" | "named_expression") {
                    let (target, value) = match node.kind() {
                        "assignment" => ("left", "right"),
                        _ => ("name", "value"),
                    };
                    if node.child_by_field_name(target).is_some_and(|t| {
                        t.kind() == "identifier" && &source[t.byte_range()] == name
                    }) {
                        values.push(node.child_by_field_name(value));
                    }
                } else if node.kind() == "identifier"
                    && &source[node.byte_range()] == name
                    && is_binding(node)
                    && !node
                        .up()
                        .is_some_and(|p| matches!(p.kind(), "assignment" | "named_expression"))
                {
                    // Bound some other way: a parameter, a loop target.
                    return false;
                }
            }
            !values.is_empty() && values.into_iter().all(|v| v.is_some_and(&makes_future))
        }
        _ => false,
    }
}

/// The class of `self`/`cls` when `object` is the first parameter of a method
/// directly in a class body.
fn self_class(
    object: Node,
    scopes: &[crate::analyze::scope::Scope],
    source: &str,
) -> Option<String> {
    let function = scopes.iter().find(|s| {
        s.kind != ScopeKind::Comprehension { generator: false }
            && s.kind != ScopeKind::Comprehension { generator: true }
    })?;
    if !matches!(function.kind, ScopeKind::Function { .. }) {
        return None;
    }
    let class = scopes_of(function.node)
        .first()
        .filter(|s| s.kind == ScopeKind::Class)
        .map(|s| s.node)?;
    let first_parameter = function
        .node
        .child_by_field_name("parameters")?
        .named_child(0)
        .filter(|p| p.kind() == "identifier")?;
    (source[first_parameter.byte_range()] == source[object.byte_range()])
        .then(|| qualname_of(class, source))
}

fn plain_arguments(call: Node, source: &str) -> Option<Arguments> {
    let arguments = call.child_by_field_name("arguments")?;
    if arguments.kind() != "argument_list" {
        return None;
    }
    let mut plain = Arguments::default();
    let mut cursor = arguments.walk();
    for child in arguments.named_children(&mut cursor) {
        match child.kind() {
            "comment" | "list_splat" | "dictionary_splat" => return None,
            "keyword_argument" => {
                let name = child.child_by_field_name("name")?;
                let value = child.child_by_field_name("value")?;
                plain.keywords.push((
                    source[name.byte_range()].to_owned(),
                    source[value.byte_range()].to_owned(),
                ));
            }
            _ => plain.positional.push(source[child.byte_range()].to_owned()),
        }
    }
    Some(plain)
}

/// The thin-wrapper shape: an optional docstring, then `return asyncio.run(CALL)`
/// where CALL passes the wrapper's parameters straight through.
fn thin_wrapper<'t>(
    node: Node<'t>,
    summary: &FunctionSummary,
    resolver: &Resolver<'_, 't>,
) -> Option<ThinWrapper> {
    if summary.is_async || summary.runs.len() != 1 {
        return None;
    }
    let source = resolver.checker.source;
    let parameters = summary.parameters.as_ref()?;
    let body = node.child_by_field_name("body")?;
    let mut cursor = body.walk();
    let statements: Vec<Node> = body
        .named_children(&mut cursor)
        .filter(|s| s.kind() != "comment")
        .collect();
    let last = match statements.as_slice() {
        [only] => *only,
        [doc, last]
            if doc.kind() == "expression_statement"
                && doc.named_child(0).is_some_and(|s| s.kind() == "string") =>
        {
            *last
        }
        _ => return None,
    };
    if last.kind() != "return_statement" {
        return None;
    }
    let run_call = last.named_child(0).filter(|c| c.kind() == "call")?;
    let run = &summary.runs[0];
    if run.range != TextRange::new(rewrite::call_start(run_call), run_call.end_byte())
        || !run.callee_text.ends_with("run")
        || run.callee_text.ends_with("Runner().run")
    {
        return None;
    }
    let run_arguments = run_call.child_by_field_name("arguments")?;
    let awaitable = rewrite::awaitable(run_arguments, source, "main", &["debug"]).ok()?;
    let target = awaitable.value;
    if target.kind() != "call" {
        return None;
    }
    let function = target.child_by_field_name("function")?;
    let target_arguments = target.child_by_field_name("arguments")?;
    if target_arguments.kind() != "argument_list" {
        return None;
    }
    let mut arguments = Vec::new();
    let mut cursor = target_arguments.walk();
    for child in target_arguments.named_children(&mut cursor) {
        let (keyword, value) = match child.kind() {
            "keyword_argument" => (
                Some(source[child.child_by_field_name("name")?.byte_range()].to_owned()),
                child.child_by_field_name("value")?,
            ),
            "identifier" => (None, child),
            _ => return None,
        };
        if value.kind() != "identifier" {
            return None;
        }
        let index = parameters
            .iter()
            .position(|p| p.name == source[value.byte_range()])?;
        arguments.push((keyword, index));
    }
    let scopes = scopes_of(target);
    Some(ThinWrapper {
        target: resolver.callee(function, &scopes),
        target_text: source[function.byte_range()].to_owned(),
        arguments,
    })
}

/// The lines `node` stands on, newline included, when nothing else does.
pub(crate) fn whole_lines(node: Node, source: &str) -> Option<TextRange> {
    lines::whole_lines(source, node.start_byte(), node.end_byte())
        .map(|range| TextRange::new(range.start, range.end))
}

/// The quote character of the f-string whose braces hold `node`, if any.
fn fstring_quote(node: Node, source: &str) -> Option<char> {
    let mut current = node;
    while let Some(parent) = current.up() {
        if parent.kind() == "interpolation" {
            let string = parent.up()?;
            return source[string.byte_range()]
                .chars()
                .find(|c| *c == '"' || *c == '\'');
        }
        current = parent;
    }
    None
}

/// An identifier used as a value: not a call's function, not a definition's or
/// parameter's name, not part of an import, not a keyword argument's name.
fn is_value_use(identifier: Node) -> bool {
    let Some(parent) = identifier.up() else {
        return false;
    };
    let is = |field: &str, node: Node| {
        node.child_by_field_name(field)
            .is_some_and(|n| n.id() == identifier.id())
    };
    match parent.kind() {
        "call" if is("function", parent) => false,
        "attribute" if is("attribute", parent) => parent
            .up()
            .is_none_or(|g| !(g.kind() == "call" && is_field_node(g, "function", parent))),
        "attribute" => true,
        "function_definition" | "class_definition" | "keyword_argument" if is("name", parent) => {
            false
        }
        "dotted_name"
        | "aliased_import"
        | "parameters"
        | "default_parameter"
        | "typed_parameter"
        | "typed_default_parameter"
        | "global_statement"
        | "nonlocal_statement" => false,
        _ => true,
    }
}

fn is_field_node(parent: Node, field: &str, child: Node) -> bool {
    parent
        .child_by_field_name(field)
        .is_some_and(|n| n.id() == child.id())
}

/// Every name bound at module level.
fn module_level_names(root: Node, source: &str) -> HashSet<String> {
    let mut names = HashSet::new();
    for node in own_nodes(root) {
        if node.id() != root.id()
            && matches!(
                node.kind(),
                "function_definition" | "class_definition" | "lambda"
            )
        {
            if let Some(name) = node.child_by_field_name("name") {
                names.insert(source[name.byte_range()].to_owned());
            }
            continue;
        }
        if node.kind() == "identifier" {
            names.insert(source[node.byte_range()].to_owned());
        }
    }
    names
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

/// Per notebook cell (the module text between boundaries): its end, and where
/// a new import line goes in it.
fn cell_import_points(root: Node, source: &str) -> Vec<(usize, usize)> {
    let boundary = crate::notebook::BOUNDARY;
    let mut points = Vec::new();
    let mut start = 0;
    let mut children: Vec<Node> = {
        let mut cursor = root.walk();
        root.named_children(&mut cursor).collect()
    };
    children.reverse();
    for (offset, _) in source.match_indices(boundary) {
        let mut statements = Vec::new();
        while children
            .last()
            .is_some_and(|c| c.start_byte() < offset + boundary.len())
        {
            let child = children.pop().expect("checked");
            if child.start_byte() >= start && child.start_byte() < offset {
                statements.push(child);
            }
        }
        // The start of the line after the block, or the cell's start.
        let at = leading_block_end(&statements, source, true).map_or(start, |end| {
            lines::next_line_start(source, end).unwrap_or(offset)
        });
        points.push((offset + boundary.len(), at));
        start = offset + boundary.len();
    }
    points
}

/// The end of the last statement of a leading block of a docstring, comments
/// and imports (and, in a notebook cell, masked IPython lines) among
/// `statements`, the top-level statements of a module or cell in order.
fn leading_block_end(statements: &[Node], source: &str, cell: bool) -> Option<usize> {
    let mut at = None;
    let mut seen_statement = false;
    for child in statements {
        match child.kind() {
            "import_statement" | "import_from_statement" | "future_import_statement" => {
                at = Some(child.end_byte());
            }
            "comment" => continue,
            "expression_statement"
                if !seen_statement
                    && child.named_child(0).is_some_and(|s| s.kind() == "string") =>
            {
                at = Some(child.end_byte());
            }
            // A masked `%magic`/`!shell` line: the statement `0` padded
            // with spaces. A `%pip install` must run before a new import.
            "expression_statement" if cell && is_masked_line(*child, source) => {
                at = Some(child.end_byte());
            }
            _ => break,
        }
        seen_statement = true;
    }
    at
}

/// A notebook's masked IPython line: `0` and spaces, alone on its line.
fn is_masked_line(statement: Node, source: &str) -> bool {
    if &source[statement.byte_range()] != "0" {
        return false;
    }
    let line = &source[statement.end_byte()..lines::line_end(source, statement.end_byte())];
    line.trim_end_matches(' ').is_empty()
}

/// The byte offset where a new import line goes: after the last import of the
/// module's leading block of docstring, comments and imports.
fn import_insertion_point(root: Node, source: &str) -> usize {
    let statements: Vec<Node> = {
        let mut cursor = root.walk();
        root.named_children(&mut cursor).collect()
    };
    let at = leading_block_end(&statements, source, false);
    match at {
        // The start of the line after it.
        Some(end) => lines::next_line_start(source, end).unwrap_or(source.len()),
        None => {
            // After a shebang and coding comments at the very top.
            let mut offset = 0;
            for line in lines::lines_inclusive(source) {
                if line.starts_with('#') {
                    offset += line.len();
                } else {
                    break;
                }
            }
            offset
        }
    }
}
