//! The files of one run as a project: loaded in parallel, indexed together, and
//! fixed together, pass after pass, so that a fix that changes a helper in one
//! file and its callers in others is applied whole or not at all.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tree_sitter::{Parser, Tree};

use crate::apply::apply_edits;
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::fix::Edit;
use crate::graph::fixes::NameUses;
use crate::graph::modules::{is_package, module_name};
use crate::graph::summary::{ModuleSummary, summarize_and_check};
use crate::graph::{FileView, Graph, findings};
use crate::notebook::Notebook;
use crate::parse::{first_error, new_parser, parse, parse_without};
use crate::source::{LineIndex, SourceFile};
use crate::triage::Plan;
use crate::verify::{introduced_python_error, unchanged_outside};

/// Fixes can uncover or unblock others (a helper made async exposes its own
/// callers' helpers); passes repeat until nothing applies, this often at most.
const MAX_PASSES: usize = 10;

/// One parsed file and its current text (which fixes change in memory).
pub struct ProjectFile {
    pub source: SourceFile,
    /// For a notebook: its code cells, whose module text is what is analysed.
    pub notebook: Option<Notebook>,
    pub module: String,
    pub is_package: bool,
    /// The Python text as first analysed: the file's text, or a notebook's
    /// module text. Diagnostics of the first pass point into it.
    pub original: String,
    /// The Python text now, after the fixes applied so far.
    pub text: String,
    pub tree: Tree,
    pub index: LineIndex,
    pub summary: ModuleSummary,
    /// The findings of the per-file rules in `text`.
    pub local: Vec<Diagnostic>,
    /// Fixes touching this file were refused; it is reported and not written.
    pub failed: bool,
    /// How many fixes whose finding is in this file were applied.
    pub applied: usize,
    /// Rules the configuration turns off for this file.
    pub ignored: Vec<crate::rules::Rule>,
}

impl ProjectFile {
    pub(crate) fn new(parser: &mut Parser, source: SourceFile) -> Result<Self, Error> {
        Self::with_plan(parser, source, &Plan::default())
    }

    /// Parse and analyse `source` without the statements `plan` leaves out.
    pub(crate) fn with_plan(
        parser: &mut Parser,
        source: SourceFile,
        plan: &Plan,
    ) -> Result<Self, Error> {
        #[cfg(debug_assertions)]
        debug_panic::file(&source.path);
        let notebook = if source.path.extension().is_some_and(|e| e == "ipynb") {
            let notebook = Notebook::parse(&source.text).map_err(|reason| Error::Decode {
                path: source.display.clone(),
                reason: format!("is not a notebook unnest can edit: {reason}"),
            })?;
            Some(notebook)
        } else {
            None
        };
        let text = notebook
            .as_ref()
            .map_or_else(|| source.text.clone(), |n| n.module.clone());
        let index = LineIndex::new(&text);
        let tree = parse_without(parser, &text, &plan.holes);
        if !plan.holes.is_empty() && first_error(&tree).is_some() {
            // Whatever is wrong, the whole text tells best: a real error is
            // reported where it is, and a partial parse that went wrong costs
            // only the time.
            return Self::new(parser, source);
        }
        if let Some(at) = first_error(&tree) {
            let location = match &notebook {
                Some(notebook) => {
                    let (cell, offset) = notebook.locate(at);
                    let at = LineIndex::new(&cell.source).location(&cell.source, offset);
                    format!("cell {}:{}:{}", cell.index + 1, at.row, at.column)
                }
                None => {
                    let at = index.location(&text, at);
                    format!("{}:{}", at.row, at.column)
                }
            };
            return Err(Error::Syntax {
                path: source.display,
                location,
            });
        }
        let module = module_name(&source.path);
        let package = is_package(&source.path);
        let (mut summary, local) =
            summarize_and_check(&tree, &text, &module, package, notebook.is_some());
        summary.module_names.extend(plan.hole_names.iter().cloned());
        Ok(Self {
            local,
            original: text.clone(),
            text,
            notebook,
            module,
            is_package: package,
            tree,
            index,
            summary,
            source,
            failed: false,
            applied: 0,
            ignored: Vec::new(),
        })
    }

    /// Whether fixes changed the text.
    pub fn is_changed(&self) -> bool {
        self.text != self.original
    }

    /// The file's new contents: the fixed text, or for a notebook its JSON with
    /// the changed cell sources replaced; with the BOM and line endings it had.
    pub fn contents(&self) -> Result<String, Error> {
        let refused = |reason: String| Error::Unverified {
            path: self.source.display.clone(),
            reason,
        };
        let text = match &self.notebook {
            None => self.text.clone(),
            Some(notebook) => {
                let sources = notebook.cell_sources(&self.text).ok_or_else(|| {
                    refused("the fixed cells cannot be mapped back to the notebook".into())
                })?;
                let written = notebook
                    .write_sources(&self.source.text, &sources)
                    .map_err(refused)?;
                crate::verify::notebook_holds(&written, &sources).map_err(refused)?;
                written
            }
        };
        Ok(self.source.with_bom(&text))
    }

    pub(crate) fn view(&self) -> FileView<'_> {
        FileView {
            display: &self.source.display,
            text: &self.text,
            index: &self.index,
            summary: &self.summary,
            notebook: self.notebook.as_ref(),
        }
    }
}

/// An answer in `--interactive` review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Yes,
    No,
    /// Yes, and to every fix after it.
    All,
    /// No, and stop: keep what was accepted.
    Quit,
}

/// Asked about each fix: its diff, where the finding is (`path:line:col`, or
/// `path:cell N:line:col` in a notebook), the finding.
pub type Reviewer<'r> = dyn FnMut(&str, &str, &Diagnostic) -> Decision + 'r;

/// The state of a review across passes.
#[derive(Debug, Default)]
struct Review {
    accept_all: bool,
    quit: bool,
    color: bool,
    rejected: HashSet<String>,
    /// Accepted fixes, not asked about again when a pass is retried.
    accepted: HashSet<String>,
}

pub struct Project {
    pub files: Vec<ProjectFile>,
    pub errors: Vec<Error>,
    /// Findings that `# noqa` comments suppressed in the first analysis.
    suppressed: std::sync::OnceLock<usize>,
    /// Files looked at, parsed or not.
    pub scanned: usize,
    /// Pairs of files (by index) that one applied fix edits together, or
    /// whose finding is in one and whose edits are in the other: such files
    /// are written all together or not at all.
    pub links: Vec<(usize, usize)>,
}

impl Project {
    /// Load the files of `paths` that can hold a finding or matter to a
    /// fix (see [`crate::load`]).
    pub fn load(paths: &[PathBuf], cwd: &Path) -> Self {
        Self::load_with_progress(paths, cwd, &|| {})
    }

    /// [`Project::load`], calling `tick` once per file looked at.
    pub fn load_with_progress(paths: &[PathBuf], cwd: &Path, tick: &(dyn Fn() + Sync)) -> Self {
        let loaded = crate::load::load(paths, cwd, tick);
        Project {
            files: loaded.files,
            errors: loaded.errors,
            suppressed: std::sync::OnceLock::new(),
            scanned: paths.len(),
            links: Vec::new(),
        }
    }

    /// A project of in-memory texts, for tests and fuzzing.
    pub fn from_texts(texts: &[(&str, &str)]) -> Result<Self, Error> {
        let mut parser = new_parser();
        let mut files = Vec::new();
        for (name, text) in texts {
            let source = SourceFile::decode(
                PathBuf::from(name),
                (*name).to_owned(),
                text.as_bytes().to_vec(),
            )?;
            files.push(ProjectFile::new(&mut parser, source)?);
        }
        Ok(Project {
            scanned: files.len(),
            files,
            errors: Vec::new(),
            suppressed: std::sync::OnceLock::new(),
            links: Vec::new(),
        })
    }

    /// The files and errors of several projects as one, for reporting only
    /// (no fix links them).
    pub fn merged<'p>(parts: impl Iterator<Item = &'p mut Project>) -> Project {
        let mut project = Project {
            files: Vec::new(),
            errors: Vec::new(),
            suppressed: std::sync::OnceLock::new(),
            scanned: 0,
            links: Vec::new(),
        };
        let mut suppressed = 0;
        for part in parts {
            project.files.append(&mut part.files);
            project.errors.append(&mut part.errors);
            project.scanned += part.scanned;
            suppressed += part.suppressed();
        }
        let _ = project.suppressed.set(suppressed);
        project
    }

    /// Every finding in every file, per file in source order.
    pub fn analyze(&self) -> Vec<Vec<Diagnostic>> {
        #[cfg(debug_assertions)]
        debug_panic::project(&self.files);
        let views: Vec<FileView> = self.files.iter().map(ProjectFile::view).collect();
        let graph = Graph::build(&views);
        let names = NameUses::collect(&graph);
        let found = findings(&graph, &names);
        let results: Vec<(Vec<Diagnostic>, usize)> = self
            .files
            .par_iter()
            .zip(
                found
                    .diagnostics
                    .into_par_iter()
                    .zip(found.covered_runs.into_par_iter()),
            )
            .map(|(file, (from_graph, covered))| {
                let mut diagnostics: Vec<Diagnostic> = file
                    .local
                    .iter()
                    .filter(|d| !covered.contains(&d.range.start))
                    .cloned()
                    .collect();
                diagnostics.extend(from_graph);
                // Every other finding is a nested run: with none left, a
                // `nest_asyncio.apply()` is dead weight.
                if diagnostics.is_empty()
                    && let Some(found) =
                        crate::rules::unnecessary_nest_asyncio(&file.summary.nest_asyncio)
                {
                    diagnostics.push(found);
                }
                diagnostics.sort_by_key(|d| (d.range.start, d.rule));
                diagnostics.retain(|d| !file.ignored.contains(&d.rule));
                let before = diagnostics.len();
                if !diagnostics.is_empty() {
                    let comments = crate::noqa::Comments::new(&file.text);
                    diagnostics.retain(|d| !comments.suppresses(d));
                }
                let suppressed = before - diagnostics.len();
                (diagnostics, suppressed)
            })
            .collect();
        let _ = self
            .suppressed
            .set(results.iter().map(|(_, suppressed)| suppressed).sum());
        results
            .into_iter()
            .map(|(diagnostics, _)| diagnostics)
            .collect()
    }

    /// How many findings `# noqa` comments suppressed, in the files as they
    /// were.
    pub fn suppressed(&self) -> usize {
        self.suppressed.get().copied().unwrap_or(0)
    }

    /// Apply every applicable fix, pass after pass. Returns the findings of
    /// the files as they were, and those that remain.
    pub fn fix(&mut self, unsafe_fixes: bool) -> (Vec<Vec<Diagnostic>>, Vec<Vec<Diagnostic>>) {
        self.fix_reviewed(unsafe_fixes, None, false)
    }

    /// [`Project::fix`], asking `reviewer` about each fix first (`--interactive`),
    /// with its diff coloured when `color` says.
    pub fn fix_reviewed(
        &mut self,
        unsafe_fixes: bool,
        mut reviewer: Option<&mut Reviewer>,
        color: bool,
    ) -> (Vec<Vec<Diagnostic>>, Vec<Vec<Diagnostic>>) {
        let mut parser = new_parser();
        let first = self.analyze();
        let mut current = first.clone();
        let mut review = Review {
            color,
            ..Review::default()
        };
        for _ in 0..MAX_PASSES {
            let reviewing = reviewer.as_deref_mut().map(|r| (r, &mut review));
            let Some(changed) = self.apply_pass(&mut parser, &current, unsafe_fixes, reviewing)
            else {
                break;
            };
            if changed > 0 {
                current = self.analyze();
            }
            if changed == 0 || review.quit {
                break;
            }
        }
        (first, current)
    }

    /// The text of `fix`'s edits as `diff`s of the files they touch, for a
    /// reviewer to read.
    fn fix_hunk(&self, file: usize, fix: &crate::fix::Fix, color: bool) -> String {
        let mut by_file: BTreeMap<usize, Vec<&Edit>> = BTreeMap::new();
        for (f, edit) in fix.all_edits(file) {
            by_file.entry(f).or_default().push(edit);
        }
        let mut out = String::new();
        for (f, mut edits) in by_file {
            edits.sort_by_key(|e| (e.range.start, e.range.end));
            let target = &self.files[f];
            let new = apply_edits(&target.text, edits.iter().copied());
            let display = &target.source.display;
            let cells = target.notebook.as_ref().and_then(|notebook| {
                Some((
                    notebook,
                    notebook.cell_sources(&target.text)?,
                    notebook.cell_sources(&new)?,
                ))
            });
            match cells {
                // A notebook is shown as its user sees it: the changed cells.
                Some((notebook, old_cells, new_cells)) => {
                    for (position, cell) in notebook.cells.iter().enumerate() {
                        if old_cells[position] != new_cells[position] {
                            out.push_str(&crate::output::diff::unified_diff(
                                &format!("{display}:cell {}", cell.index + 1),
                                &old_cells[position],
                                &new_cells[position],
                                color,
                            ));
                        }
                    }
                }
                None => out.push_str(&crate::output::diff::unified_diff(
                    display,
                    &target.source.with_bom(&target.text),
                    &target.source.with_bom(&new),
                    color,
                )),
            }
        }
        out
    }

    /// What a rejected fix is remembered by across passes (which move its
    /// offsets): the line of its finding, and its edits with the text they
    /// replace.
    fn fix_key(&self, file: usize, diagnostic: &Diagnostic, fix: &crate::fix::Fix) -> String {
        let text = &self.files[file].text;
        let start = text[..diagnostic.range.start]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let end = text[diagnostic.range.start..]
            .find('\n')
            .map_or(text.len(), |i| diagnostic.range.start + i);
        let mut key = format!("{file}:{:?}:", &text[start..end]);
        for (f, e) in fix.all_edits(file) {
            key.push_str(&format!(
                "{f}:{:?}->{:?};",
                &self.files[f].text[e.range.as_range()],
                e.content
            ));
        }
        key
    }

    /// One pass: take the applicable fixes that do not collide, apply them, and
    /// verify every file they touch. A file that fails verification is marked
    /// failed, and the pass is retried without the fixes that touch it.
    /// Returns how many fixes were applied, or `None` when none could be.
    fn apply_pass(
        &mut self,
        parser: &mut Parser,
        diagnostics: &[Vec<Diagnostic>],
        unsafe_fixes: bool,
        mut reviewing: Option<(&mut Reviewer, &mut Review)>,
    ) -> Option<usize> {
        loop {
            // The fixes chosen, as if every one were accepted: a reviewer
            // is then asked about them top-down, as the file reads.
            let mut chosen: BTreeMap<usize, Vec<&Edit>> = BTreeMap::new();
            let mut candidates = Vec::new();
            for (file, list) in diagnostics.iter().enumerate() {
                // Last first, and never a finding inside another's range in
                // the same pass: a run inside another run's argument is fixed
                // first, and the outer one waits for the next pass, where it
                // sees `await y` as its argument (and groups it) rather than
                // taking the `await` just inserted for an `await` the author
                // wrote. A fix that keeps its own parentheses around the
                // inner run (`Fix::encloses_fixes`) needs no such wait.
                let mut taken_ranges: Vec<crate::fix::TextRange> = Vec::new();
                // Applicable fixes left for a later pass: a fix that encloses
                // one of them waits too, or the inner run would later take the
                // enclosing fix's `await` for one the author wrote.
                let mut skipped_ranges: Vec<crate::fix::TextRange> = Vec::new();
                for diagnostic in list.iter().rev() {
                    let Some(fix) = diagnostic.fix.as_ref() else {
                        continue;
                    };
                    if !fix.is_applicable(unsafe_fixes) {
                        continue;
                    }
                    let waits = if fix.encloses_fixes {
                        skipped_ranges.iter().any(|r| r.touches(diagnostic.range))
                    } else {
                        taken_ranges.iter().any(|r| r.touches(diagnostic.range))
                    };
                    let edits: Vec<(usize, &Edit)> = fix.all_edits(file).collect();
                    // An enclosing fix does not depend on the text inside it:
                    // only a shared byte keeps it from going with the others.
                    let collides = |e: &Edit, edit: &Edit| {
                        if fix.encloses_fixes {
                            e.range.overlaps(edit.range)
                        } else {
                            e.range.touches(edit.range)
                        }
                    };
                    let blocked = edits.iter().any(|(f, edit)| {
                        self.files[*f].failed
                            || chosen
                                .get(f)
                                .is_some_and(|t| t.iter().any(|e| collides(e, edit)))
                    });
                    if waits || blocked {
                        skipped_ranges.push(diagnostic.range);
                        continue;
                    }
                    let mut key = None;
                    if let Some((_, review)) = reviewing.as_ref() {
                        if review.quit {
                            skipped_ranges.push(diagnostic.range);
                            continue;
                        }
                        let k = self.fix_key(file, diagnostic, fix);
                        if review.rejected.contains(&k) {
                            skipped_ranges.push(diagnostic.range);
                            continue;
                        }
                        key = Some(k);
                    }
                    taken_ranges.push(diagnostic.range);
                    for &(f, edit) in &edits {
                        chosen.entry(f).or_default().push(edit);
                    }
                    candidates.push((file, diagnostic, fix, edits, key));
                }
            }
            if let Some((reviewer, review)) = reviewing.as_mut() {
                candidates.sort_by_key(|(file, diagnostic, ..)| (*file, diagnostic.range.start));
                let mut kept = Vec::new();
                // Fixes refused now: a fix enclosing one of them waits, as
                // above, for the same reason.
                let mut refused: Vec<(usize, crate::fix::TextRange)> = Vec::new();
                for candidate in candidates {
                    let (file, diagnostic, fix, _, key) = &candidate;
                    let key = key.clone().unwrap_or_default();
                    let decision = if review.quit {
                        Decision::Quit
                    } else if review.accept_all || review.accepted.contains(&key) {
                        Decision::Yes
                    } else {
                        let target = &self.files[*file];
                        let at = crate::output::Positions::new(target, &target.text)
                            .label(diagnostic.range.start);
                        let hunk = self.fix_hunk(*file, fix, review.color);
                        reviewer(
                            &hunk,
                            &format!("{}:{at}", target.source.display),
                            diagnostic,
                        )
                    };
                    match decision {
                        Decision::Yes | Decision::All => {
                            review.accept_all |= decision == Decision::All;
                            review.accepted.insert(key);
                            kept.push(candidate);
                        }
                        Decision::No => {
                            review.rejected.insert(key);
                            refused.push((*file, diagnostic.range));
                        }
                        Decision::Quit => {
                            review.quit = true;
                            refused.push((*file, diagnostic.range));
                        }
                    }
                }
                kept.retain(|(file, diagnostic, fix, ..)| {
                    !(fix.encloses_fixes
                        && refused
                            .iter()
                            .any(|(f, r)| f == file && r.touches(diagnostic.range)))
                });
                candidates = kept;
            }
            let mut taken: BTreeMap<usize, Vec<&Edit>> = BTreeMap::new();
            let mut count_by_file = vec![0; self.files.len()];
            let mut links = Vec::new();
            for (file, _, _, edits, _) in candidates {
                for (f, edit) in edits {
                    if f != file {
                        links.push((file, f));
                    }
                    taken.entry(f).or_default().push(edit);
                }
                count_by_file[file] += 1;
            }
            if taken.is_empty() {
                return None;
            }
            let mut results = Vec::new();
            let mut failed = false;
            for (&file, edits) in taken.iter_mut() {
                edits.sort_by_key(|e| (e.range.start, e.range.end));
                let old = &self.files[file].text;
                let new = apply_edits(old, edits.iter().copied());
                let problem = if !unchanged_outside(old, &new, edits) {
                    Some("the fixes would change text outside their edits".to_owned())
                } else {
                    let tree = parse(parser, &new);
                    match first_error(&tree) {
                        Some(at) => {
                            let location = LineIndex::new(&new).location(&new, at);
                            Some(format!(
                                "the fixed text would not parse (line {}, column {})",
                                location.row, location.column
                            ))
                        }
                        None => match introduced_python_error(
                            old,
                            &new,
                            self.files[file].notebook.as_ref(),
                        ) {
                            Some(error) => {
                                let location = LineIndex::new(&new).location(&new, error.offset);
                                Some(format!(
                                    "the fixed text would not compile (line {}, column {}): {}",
                                    location.row, location.column, error.message
                                ))
                            }
                            None => {
                                results.push((file, new, tree));
                                None
                            }
                        },
                    }
                };
                if let Some(reason) = problem {
                    let target = &mut self.files[file];
                    target.failed = true;
                    self.errors.push(Error::Unverified {
                        path: target.source.display.clone(),
                        reason,
                    });
                    failed = true;
                }
            }
            if failed {
                continue;
            }
            let applied = count_by_file.iter().sum();
            self.links.extend(links);
            for (file, count) in count_by_file.into_iter().enumerate() {
                self.files[file].applied += count;
            }
            for (file, text, tree) in results {
                let target = &mut self.files[file];
                target.index = LineIndex::new(&text);
                (target.summary, target.local) = summarize_and_check(
                    &tree,
                    &text,
                    &target.module,
                    target.is_package,
                    target.notebook.is_some(),
                );
                target.tree = tree;
                target.text = text;
            }
            return Some(applied);
        }
    }
}

/// Panics on demand, to test that a panic is reported per file: honoured in
/// debug builds only, so a release never reads these variables.
#[cfg(debug_assertions)]
mod debug_panic {
    use std::path::Path;

    fn named(variable: &str, path: &Path) -> bool {
        std::env::var_os(variable).is_some_and(|name| path.file_name() == Some(name.as_os_str()))
    }

    /// `UNNEST_DEBUG_PANIC=NAME`: parsing the file NAME panics.
    pub fn file(path: &Path) {
        if named("UNNEST_DEBUG_PANIC", path) {
            panic!("debug panic while parsing {}", path.display());
        }
    }

    /// `UNNEST_DEBUG_PANIC_TOGETHER=NAME`: analysing the file NAME with
    /// others panics, and alone it does not.
    pub fn project(files: &[super::ProjectFile]) {
        if files.len() > 1
            && files
                .iter()
                .any(|f| named("UNNEST_DEBUG_PANIC_TOGETHER", &f.source.path))
        {
            panic!("debug panic while analysing the files together");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::{Applicability, Fix, TextRange};
    use crate::rules::Rule;

    /// A fix whose result does not parse is refused: the file keeps its text
    /// and is reported, and other fixes in other files still apply.
    #[test]
    fn fixes_that_break_the_syntax_are_refused() {
        let mut project =
            Project::from_texts(&[("a.py", "x = f(1)\n"), ("b.py", "y = g(2)\n")]).unwrap();
        let replacing = |content: &str| Diagnostic {
            rule: Rule::AsyncioRunInAsync,
            message: String::new(),
            range: TextRange::new(4, 8),
            fix: Some(Fix::new(
                vec![Edit::replace(TextRange::new(4, 8), content)],
                Applicability::Safe,
                String::new(),
            )),
        };
        let (breaking, fine) = (replacing("f(1"), replacing("g(3)"));
        let mut parser = new_parser();
        let applied = project.apply_pass(&mut parser, &[vec![breaking], vec![fine]], false, None);
        assert_eq!(applied, Some(1));
        assert!(project.files[0].failed);
        assert_eq!(project.files[0].text, "x = f(1)\n");
        assert_eq!(project.files[1].text, "y = g(3)\n");
        assert!(project.errors[0].to_string().contains("would not parse"));
    }

    /// tree-sitter parses `await` in a sync function; CPython refuses to
    /// compile it. Such a fix is refused, while the same edit in a notebook
    /// cell's top level, where `await` is allowed, is applied.
    #[test]
    fn fixes_that_would_not_compile_are_refused() {
        let notebook = r#"{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
  {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null,
   "source": ["x = f(1)\n"]}
]}"#;
        let mut project =
            Project::from_texts(&[("a.py", "def a():\n    x = f(1)\n"), ("b.ipynb", notebook)])
                .unwrap();
        let awaiting = |at: usize| Diagnostic {
            rule: Rule::AsyncioRunInAsync,
            message: String::new(),
            range: TextRange::new(at, at + 4),
            fix: Some(Fix::new(
                vec![Edit::replace(TextRange::new(at, at + 4), "await f(1)")],
                Applicability::Safe,
                String::new(),
            )),
        };
        let mut parser = new_parser();
        let fixes = [vec![awaiting(17)], vec![awaiting(4)]];
        let applied = project.apply_pass(&mut parser, &fixes, false, None);
        assert_eq!(applied, Some(1));
        assert!(project.files[0].failed);
        assert_eq!(project.files[0].text, "def a():\n    x = f(1)\n");
        assert!(project.files[1].text.starts_with("x = await f(1)\n"));
        let error = project.errors[0].to_string();
        assert!(
            error.contains("would not compile") && error.contains("await"),
            "{error}"
        );
    }
}
