//! Checks made on every fixed text before it is shown or written: every byte
//! outside the edits is the byte that was there, it parses (tree-sitter, in
//! the project), and it compiles as CPython would compile it
//! ([`introduced_python_error`]).
//!
//! tree-sitter recovers from errors silently in places (an empty block,
//! `await await x`), and a valid parse is not a valid program: `await` in a
//! sync function, a lambda or a class body is a compile-time error in CPython,
//! not a parse error. So each fixed text is parsed again with Ruff's parser,
//! which follows CPython's grammar and reports its syntax errors, and walked
//! with Ruff's semantic syntax checks for the errors CPython raises when it
//! compiles (`'await' outside async function` and its kin). Notebook cells are
//! checked one by one, with top-level `await` allowed as IPython allows it.
//!
//! A fix is refused when the fixed text has an error the text before it did
//! not have. Comparing with the text before (only when the fixed text has an
//! error, so it costs nothing otherwise) keeps a file that already did not
//! compile, or that Ruff's parser reads more strictly than CPython, from
//! refusing fixes that did not make it worse.

use std::cell::RefCell;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, PythonVersion};
use ruff_python_parser::semantic_errors::{
    LazyImportContext, SemanticSyntaxChecker, SemanticSyntaxContext, SemanticSyntaxError,
    SemanticSyntaxErrorKind,
};
use ruff_python_parser::{Mode, ParseOptions};
use ruff_text_size::TextRange;

use crate::edit::Edit;
use crate::input::notebook::Notebook;

/// Whether `new` equals `old` outside `edits` (sorted, non-overlapping), with
/// each edit's content in its place. This is what [`crate::edit::apply::apply_edits`]
/// promises; checking it costs one pass over the text.
pub fn unchanged_outside(old: &str, new: &str, edits: &[&Edit]) -> bool {
    let (mut old_at, mut new_at) = (0, 0);
    for edit in edits {
        let keep = edit.range.start - old_at;
        if old.get(old_at..edit.range.start) != new.get(new_at..new_at + keep) {
            return false;
        }
        new_at += keep;
        if new.get(new_at..new_at + edit.content.len()) != Some(edit.content.as_str()) {
            return false;
        }
        new_at += edit.content.len();
        old_at = edit.range.end;
    }
    old.get(old_at..) == new.get(new_at..)
}

/// Whether the notebook JSON `written` reads back with exactly `sources` as
/// its code cells' sources: what was verified as module text is what a
/// kernel will run, whatever the JSON layout of the sources.
pub fn notebook_holds(written: &str, sources: &[String]) -> Result<(), String> {
    let notebook = Notebook::parse(written)
        .map_err(|e| format!("the rewritten notebook does not load: {e}"))?;
    if notebook.cells.len() != sources.len() {
        return Err("the rewritten notebook has other code cells".into());
    }
    for (cell, source) in notebook.cells.iter().zip(sources) {
        if cell.source != *source {
            return Err(format!(
                "cell {} of the rewritten notebook does not hold the fixed source",
                cell.index + 1
            ));
        }
    }
    Ok(())
}

/// A syntax error CPython would report when compiling a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonError {
    /// Byte offset in the checked text.
    pub offset: usize,
    pub message: String,
    /// A parse error (rather than a compile-time check on a text that parses).
    pub parse: bool,
}

/// The first CPython syntax error in `new` that `old` does not have as well
/// (errors are matched by message, since offsets move). `None` too when
/// `old` itself does not parse (see below). `notebook`: the texts
/// are that notebook's module texts, checked cell by cell with top-level
/// `await` allowed.
pub fn introduced_python_error(
    old: &str,
    new: &str,
    notebook: Option<&Notebook>,
) -> Option<PythonError> {
    let errors = |text: &str| match notebook {
        None => python_errors(text, false),
        Some(notebook) => notebook
            .pieces(text)
            .into_iter()
            .flat_map(|piece| {
                let start = piece.as_ptr() as usize - text.as_ptr() as usize;
                python_errors(piece, true).into_iter().map(move |mut e| {
                    e.offset += start;
                    e
                })
            })
            .collect(),
    };
    let found = errors(new);
    if found.is_empty() {
        return None;
    }
    let before = errors(old);
    // A parser recovering from an error reports what follows it differently
    // when the text around changes: errors of a text that did not parse
    // cannot be matched with the fixed text's. Such a text cannot run as it
    // is; it keeps the tree-sitter check only.
    if before.iter().any(|e| e.parse) {
        return None;
    }
    let mut before: Vec<String> = before.into_iter().map(|e| e.message).collect();
    found.into_iter().find(
        |error| match before.iter().position(|m| *m == error.message) {
            Some(i) => {
                before.swap_remove(i);
                false
            }
            None => true,
        },
    )
}

/// The syntax errors CPython would report compiling `text` as a module
/// (`top_level_await`: as a notebook cell, with
/// `ast.PyCF_ALLOW_TOP_LEVEL_AWAIT`). Parse errors first; the compile-time
/// checks run only on a text that parses.
pub fn python_errors(text: &str, top_level_await: bool) -> Vec<PythonError> {
    let parsed = ruff_python_parser::parse_unchecked(text, ParseOptions::from(Mode::Module));
    if !parsed.errors().is_empty() {
        return parsed
            .errors()
            .iter()
            .map(|e| PythonError {
                offset: e.location.start().to_usize(),
                message: e.error.to_string(),
                parse: true,
            })
            .collect();
    }
    let ast::Mod::Module(module) = parsed.syntax() else {
        return Vec::new();
    };
    let mut walker = Scopes {
        checker: SemanticSyntaxChecker::new(),
        errors: RefCell::default(),
        source: text,
        scopes: vec![Scope::Module],
        notebook: top_level_await,
    };
    walker.visit_body(&module.body);
    walker
        .errors
        .into_inner()
        .into_iter()
        .filter(|e| reported_by_cpython(&e.kind))
        .map(|e| PythonError {
            offset: e.range.start().to_usize(),
            message: e.to_string(),
            parse: false,
        })
        .collect()
}

/// The compile-time errors acted on: those about where `await`, `yield` and
/// `return` may stand, which a fix that inserts `await` or moves code could
/// cause, and which the walk below tracks exactly. The other checks depend
/// on name bindings this walk does not follow, or on a target version.
fn reported_by_cpython(kind: &SemanticSyntaxErrorKind) -> bool {
    matches!(
        kind,
        SemanticSyntaxErrorKind::AwaitOutsideAsyncFunction(_)
            | SemanticSyntaxErrorKind::YieldOutsideFunction(_)
            | SemanticSyntaxErrorKind::ReturnOutsideFunction
            | SemanticSyntaxErrorKind::YieldFromInAsyncFunction
            | SemanticSyntaxErrorKind::DuplicateParameter(_)
            | SemanticSyntaxErrorKind::DuplicateKeywordArgument(_)
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Module,
    Class,
    Function {
        is_async: bool,
    },
    Lambda,
    /// A list, set or dict comprehension, or (`generator`) a generator
    /// expression.
    Comprehension {
        is_async: bool,
        generator: bool,
    },
}

/// Walks a module, keeping the stack of scopes the semantic checks ask about.
struct Scopes<'a> {
    checker: SemanticSyntaxChecker,
    errors: RefCell<Vec<SemanticSyntaxError>>,
    source: &'a str,
    scopes: Vec<Scope>,
    notebook: bool,
}

impl Scopes<'_> {
    /// The nearest scope that is not a comprehension.
    fn enclosing(&self) -> Scope {
        self.scopes
            .iter()
            .rev()
            .find(|s| !matches!(s, Scope::Comprehension { .. }))
            .copied()
            .unwrap_or(Scope::Module)
    }

    fn check(&mut self, f: impl FnOnce(&mut SemanticSyntaxChecker, &Self)) {
        let mut checker = std::mem::take(&mut self.checker);
        f(&mut checker, self);
        self.checker = checker;
    }

    fn within(&mut self, scope: Scope, f: impl FnOnce(&mut Self)) {
        self.scopes.push(scope);
        f(self);
        self.scopes.pop();
    }
}

impl SemanticSyntaxContext for Scopes<'_> {
    fn future_annotations_or_stub(&self) -> bool {
        false
    }

    fn lazy_import_context(&self) -> Option<LazyImportContext> {
        None
    }

    fn python_version(&self) -> PythonVersion {
        PythonVersion::latest()
    }

    fn source(&self) -> &str {
        self.source
    }

    fn global(&self, _name: &str) -> Option<TextRange> {
        None
    }

    fn has_nonlocal_binding(&self, _name: &str) -> bool {
        true
    }

    /// CPython: `await` needs the nearest function to be `async def`; a
    /// lambda or class in between ends the search.
    fn in_async_context(&self) -> bool {
        matches!(self.enclosing(), Scope::Function { is_async: true })
    }

    fn in_await_allowed_context(&self) -> bool {
        !matches!(self.enclosing(), Scope::Class | Scope::Module)
    }

    fn in_yield_allowed_context(&self) -> bool {
        matches!(
            self.scopes.last(),
            Some(Scope::Function { .. } | Scope::Lambda)
        )
    }

    fn in_sync_comprehension(&self) -> bool {
        self.scopes.iter().any(|s| {
            matches!(
                s,
                Scope::Comprehension {
                    is_async: false,
                    ..
                }
            )
        })
    }

    fn in_class_body_comprehension(&self) -> bool {
        for scope in self.scopes.iter().rev() {
            match scope {
                Scope::Comprehension { .. } => {}
                Scope::Class => return true,
                _ => return false,
            }
        }
        false
    }

    /// Top level, comprehensions at top level included: IPython's top-level
    /// `await` reaches into them as CPython's flag does.
    fn in_module_scope(&self) -> bool {
        self.enclosing() == Scope::Module
    }

    /// The current scope itself: `yield` in a comprehension is an error
    /// even inside a function.
    fn in_function_scope(&self) -> bool {
        matches!(
            self.scopes.last(),
            Some(Scope::Function { .. } | Scope::Lambda)
        )
    }

    /// A generator expression in a sync function is an async generator
    /// expression when it holds `await`, which CPython accepts.
    fn in_generator_context(&self) -> bool {
        for scope in self.scopes.iter().rev() {
            match scope {
                Scope::Comprehension {
                    generator: true, ..
                } => return true,
                Scope::Comprehension { .. } => {}
                _ => return false,
            }
        }
        false
    }

    fn in_notebook(&self) -> bool {
        self.notebook
    }

    fn report_semantic_error(&self, error: SemanticSyntaxError) {
        self.errors.borrow_mut().push(error);
    }

    fn in_loop_context(&self) -> bool {
        true
    }

    fn is_bound_parameter(&self, _name: &str) -> bool {
        false
    }
}

impl Visitor<'_> for Scopes<'_> {
    fn visit_stmt(&mut self, stmt: &ast::Stmt) {
        self.check(|checker, context| checker.visit_stmt(stmt, context));
        match stmt {
            ast::Stmt::ClassDef(ast::StmtClassDef {
                arguments,
                body,
                decorator_list,
                type_params,
                ..
            }) => {
                for decorator in decorator_list {
                    self.visit_decorator(decorator);
                }
                if let Some(type_params) = type_params {
                    self.visit_type_params(type_params);
                }
                if let Some(arguments) = arguments {
                    self.visit_arguments(arguments);
                }
                self.within(Scope::Class, |s| s.visit_body(body));
            }
            ast::Stmt::FunctionDef(ast::StmtFunctionDef {
                is_async,
                decorator_list,
                parameters,
                returns,
                body,
                type_params,
                ..
            }) => {
                // Decorators, defaults and annotations are evaluated where
                // the `def` stands; only the body is the function's.
                for decorator in decorator_list {
                    self.visit_decorator(decorator);
                }
                if let Some(type_params) = type_params {
                    self.visit_type_params(type_params);
                }
                self.visit_parameters(parameters);
                if let Some(returns) = returns {
                    self.visit_annotation(returns);
                }
                let scope = Scope::Function {
                    is_async: *is_async,
                };
                self.within(scope, |s| s.visit_body(body));
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &ast::Expr) {
        self.check(|checker, context| checker.visit_expr(expr, context));
        match expr {
            ast::Expr::Lambda(ast::ExprLambda {
                parameters, body, ..
            }) => {
                if let Some(parameters) = parameters {
                    self.visit_parameters(parameters);
                }
                self.within(Scope::Lambda, |s| s.visit_expr(body));
            }
            ast::Expr::ListComp(ast::ExprListComp {
                elt, generators, ..
            })
            | ast::Expr::SetComp(ast::ExprSetComp {
                elt, generators, ..
            })
            | ast::Expr::Generator(ast::ExprGenerator {
                elt, generators, ..
            }) => {
                let scope = Scope::Comprehension {
                    is_async: generators.iter().any(|g| g.is_async),
                    generator: expr.is_generator_expr(),
                };
                self.comprehension(scope, generators, |s| s.visit_expr(elt));
            }
            ast::Expr::DictComp(ast::ExprDictComp {
                key,
                value,
                generators,
                ..
            }) => {
                let scope = Scope::Comprehension {
                    is_async: generators.iter().any(|g| g.is_async),
                    generator: false,
                };
                self.comprehension(scope, generators, |s| {
                    if let Some(key) = key {
                        s.visit_expr(key);
                    }
                    s.visit_expr(value);
                });
            }
            _ => visitor::walk_expr(self, expr),
        }
    }
}

impl Scopes<'_> {
    /// The first iterable is evaluated in the enclosing scope; targets,
    /// conditions, later iterables and the element in the comprehension's.
    fn comprehension(
        &mut self,
        scope: Scope,
        generators: &[ast::Comprehension],
        element: impl FnOnce(&mut Self),
    ) {
        let Some((first, rest)) = generators.split_first() else {
            return element(self);
        };
        self.visit_expr(&first.iter);
        self.within(scope, |s| {
            s.visit_expr(&first.target);
            for condition in &first.ifs {
                s.visit_expr(condition);
            }
            for generator in rest {
                s.visit_comprehension(generator);
            }
            element(s);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::TextRange;

    #[test]
    fn detects_a_stray_change() {
        let edits = [Edit::replace(TextRange::new(4, 5), "y")];
        let refs: Vec<&Edit> = edits.iter().collect();
        assert!(unchanged_outside("a = x\n", "a = y\n", &refs));
        assert!(!unchanged_outside("a = x\n", "b = y\n", &refs));
        assert!(!unchanged_outside("a = x\n", "a = y\r\n", &refs));
    }

    /// Each text with whether CPython 3.11 compiles it (second field: as a
    /// notebook cell, with top-level `await`), as `compile()` answered.
    const COMPILED_BY_CPYTHON: &[(&str, bool, bool)] = &[
        ("x = await f()\n", false, false),
        ("x = await f()\n", true, true),
        ("def f():\n    await g()\n", false, false),
        ("def f():\n    await g()\n", true, false),
        ("async def f():\n    await g()\n", false, true),
        (
            "async def f():\n    return lambda: await g()\n",
            false,
            false,
        ),
        (
            "async def f():\n    class C:\n        x = await g()\n",
            false,
            false,
        ),
        ("def f():\n    return [await x for x in y]\n", false, false),
        ("def f():\n    return (await x for x in y)\n", false, true),
        (
            "async def f():\n    return [await x for x in y]\n",
            false,
            true,
        ),
        (
            "async def f():\n    return [x for x in await y]\n",
            false,
            true,
        ),
        ("def f():\n    return [x for x in await y]\n", false, false),
        (
            "async def f():\n    def g():\n        await h()\n",
            false,
            false,
        ),
        (
            "async def f():\n    @await d\n    def g():\n        pass\n",
            false,
            true,
        ),
        (
            "async def f():\n    def g(a=await d):\n        pass\n",
            false,
            true,
        ),
        ("[await x for x in y]\n", true, true),
        ("lambda: await x\n", true, false),
        ("class C:\n    await x\n", true, false),
        ("async def f():\n    await await x\n", false, false),
        ("if x:\n", false, false),
        ("if x:\n    # c\n", false, false),
        ("async def f():\n    yield from x\n", false, false),
        ("def f():\n    yield from x\n", false, true),
        ("return 1\n", false, false),
        ("async def f():\n    asyncio.run(x)\n", false, true),
        ("f(a=1, a=2)\n", false, false),
        (
            "def f():\n    x = (await y for y in z)\n    return [await q for q in x]\n",
            false,
            false,
        ),
        (
            "async def f():\n    return {await k: v for k, v in x}\n",
            false,
            true,
        ),
        (
            "def f():\n    return {await k: v for k, v in x}\n",
            false,
            false,
        ),
        ("async def f():\n    [(yield) for x in y]\n", false, false),
    ];

    #[test]
    fn python_errors_agree_with_cpython_compile() {
        for (text, notebook, compiles) in COMPILED_BY_CPYTHON {
            let errors = python_errors(text, *notebook);
            assert_eq!(
                errors.is_empty(),
                *compiles,
                "{text:?} (notebook: {notebook}): {errors:?}"
            );
        }
    }

    #[test]
    fn only_errors_the_fix_introduced_refuse_it() {
        let old = "def f():\n    await g()\n\nasync def h():\n    asyncio.run(k())\n";
        let good = "def f():\n    await g()\n\nasync def h():\n    await k()\n";
        assert_eq!(introduced_python_error(old, good, None), None);
        let bad = "def f():\n    await g()\n\ndef h():\n    await k()\n";
        let error = introduced_python_error(old, bad, None).unwrap();
        assert!(error.message.contains("await"), "{error:?}");
    }

    #[test]
    fn a_rewritten_notebook_must_hold_the_fixed_sources() {
        let notebook = |source: &str| {
            format!(r#"{{"nbformat": 4, "cells": [{{"cell_type": "code", "source": {source}}}]}}"#)
        };
        let fixed =
            vec!["class Shop:\n    async def get(self):\n        return await k()\n".to_owned()];
        let right = notebook(
            r#"["class Shop:\n", "    async def get(self):\n", "        return await k()\n"]"#,
        );
        assert_eq!(notebook_holds(&right, &fixed), Ok(()));
        // What chunked source lines written back line by line once gave.
        let corrupted = notebook(
            r#"["class", " Shop:\n", "        return await k()\n", "        return asyncio.run(k())\n"]"#,
        );
        assert!(notebook_holds(&corrupted, &fixed).is_err());
    }

    #[test]
    fn a_text_that_did_not_parse_keeps_its_fixes() {
        // `f"{lambda x: x}"` is an error in CPython; the fix elsewhere is not
        // to blame for how the parser recovers from it.
        let old = "async def h():\n    asyncio.run(k())\n\nx = f\"{lambda q: q}\"\n";
        let new = "async def h():\n    await k()\n\nx = f\"{lambda q: q}\"\n";
        assert!(!python_errors(old, false).is_empty());
        assert_eq!(introduced_python_error(old, new, None), None);
    }
}
