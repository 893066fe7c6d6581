//! The files of one run as a project: loaded in parallel, indexed together, and
//! fixed together, pass after pass, so that a fix that changes a helper in one
//! file and its callers in others is applied whole or not at all.

#[cfg(debug_assertions)]
mod debug_panic;
pub mod file;
pub mod importers;
pub mod load;
pub mod text;

pub use file::ProjectFile;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tree_sitter::Parser;

use crate::analysis::graph::fixes::NameUses;
use crate::analysis::graph::{FileView, Graph};
use crate::diagnostic::Diagnostic;
use crate::edit::Edit;
use crate::edit::apply::apply_edits;
use crate::error::Error;
use crate::evidence::map::ProvenChain;
use crate::evidence::traceback::{Format, Traceback};
use crate::input::source::{LineIndex, SourceFile};
use crate::rules::call_graph::findings_with;
use crate::rules::check_file;
use crate::syntax::parse::{first_error, new_parser, parse};
use crate::write::verify::{introduced_python_error, unchanged_outside};

/// Fixes can uncover or unblock others (a helper made async exposes its own
/// callers' helpers); passes repeat until nothing applies, this often at most.
const MAX_PASSES: usize = 10;

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

/// A fix put to the reviewer: the finding it fixes, in `files[file]`, and the
/// fix, whose edits may touch other files.
pub struct Proposal<'a> {
    pub files: &'a [ProjectFile],
    pub file: usize,
    pub diagnostic: &'a Diagnostic,
    pub fix: &'a crate::edit::Fix,
}

/// Asked about each fix (`--interactive`).
pub type Reviewer<'r> = dyn FnMut(&Proposal) -> Decision + 'r;

/// The state of a review across passes.
#[derive(Debug, Default)]
struct Review {
    accept_all: bool,
    quit: bool,
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
    /// The configuration's `loop-entry-points`.
    pub loop_entries: Vec<crate::input::config::DeclaredEntry>,
    /// Every fix applied, in the order the passes applied them, for the
    /// migration report.
    pub applied_fixes: Vec<AppliedFix>,
    /// Per file, the edits of each pass applied to it (old range, new
    /// length), to place a later pass's finding in the text first read.
    history: BTreeMap<usize, Vec<PassEdits>>,
    /// Tracebacks given on the command line (`--traceback`).
    pub tracebacks: Vec<Traceback>,
    /// What mapping the tracebacks onto the files as first analysed said.
    evidence: std::sync::OnceLock<EvidenceReport>,
    /// The files read and not parsed, which may import a module (UNN015).
    others: Vec<importers::Unparsed>,
    /// Who imports each module whose module level runs a loop, found once:
    /// no fix adds or moves an import or such a run.
    importers: std::sync::OnceLock<std::collections::HashMap<String, Vec<importers::Importer>>>,
    /// The installed libraries' loop-running functions (empty without an
    /// environment).
    pub library: crate::analysis::graph::library::LibraryIndex,
    /// Set when the run is asked to stop (SIGINT or SIGTERM during
    /// `--write`): fixing stops between passes, leaving what the passes so
    /// far applied in memory for the writer to refuse.
    pub stop: Option<&'static std::sync::atomic::AtomicBool>,
}

/// The edits of one pass in one file: old start, old end, new length.
type PassEdits = Vec<(usize, usize, usize)>;

/// A fix applied by a pass: its finding, where that finding was in the text
/// first read (a finding a pass uncovers, at the edit that uncovered it),
/// and every file the fix edited (the finding's own first).
#[derive(Debug, Clone)]
pub struct AppliedFix {
    pub file: usize,
    pub diagnostic: Diagnostic,
    /// Where the finding starts in the file's `original` text.
    pub start: usize,
    pub files: Vec<usize>,
}

/// What the tracebacks said about the files as first analysed.
#[derive(Debug, Default, Clone)]
pub struct EvidenceReport {
    /// Worth knowing: a line that moved, a run in library code.
    pub notes: Vec<String>,
    /// Why a traceback given on the command line could not be used.
    pub problems: Vec<String>,
}

impl Project {
    /// A project of `files` with nothing else known yet: no fix applied, no
    /// evidence, no entry points or libraries.
    fn of(files: Vec<ProjectFile>, errors: Vec<Error>, scanned: usize) -> Project {
        Project {
            files,
            errors,
            suppressed: std::sync::OnceLock::new(),
            scanned,
            links: Vec::new(),
            applied_fixes: Vec::new(),
            history: BTreeMap::new(),
            loop_entries: Vec::new(),
            tracebacks: Vec::new(),
            evidence: std::sync::OnceLock::new(),
            others: Vec::new(),
            importers: std::sync::OnceLock::new(),
            library: Default::default(),
            stop: None,
        }
    }

    /// Load the files of `paths` that can hold a finding or matter to a
    /// fix (see [`crate::project::load`]).
    pub fn load(paths: &[PathBuf], cwd: &Path) -> Self {
        Self::load_with_progress(paths, cwd, &|| {})
    }

    /// [`Project::load`], calling `tick` once per file looked at.
    pub fn load_with_progress(paths: &[PathBuf], cwd: &Path, tick: &(dyn Fn() + Sync)) -> Self {
        Self::load_with(
            paths,
            cwd,
            tick,
            &[],
            &|_| Default::default(),
            Vec::new(),
            false,
        )
    }

    /// [`Project::load_with_progress`], with the configuration's declared
    /// loop entry points, the installed libraries that `libraries`
    /// summarizes (see [`crate::project::load::load_with`]), and tracebacks
    /// that prove chains; with tracebacks (or `parse_all`) every file is
    /// parsed whole.
    pub fn load_with(
        paths: &[PathBuf],
        cwd: &Path,
        tick: &(dyn Fn() + Sync),
        loop_entries: &[crate::input::config::DeclaredEntry],
        libraries: &crate::project::load::Libraries,
        tracebacks: Vec<Traceback>,
        parse_all: bool,
    ) -> Self {
        let parse_all = parse_all || !tracebacks.is_empty();
        let loaded =
            crate::project::load::load_with(paths, cwd, tick, loop_entries, libraries, parse_all);
        Project {
            loop_entries: loop_entries.to_vec(),
            tracebacks,
            others: loaded.others,
            library: loaded.library,
            ..Project::of(loaded.files, loaded.errors, paths.len())
        }
    }

    /// What the tracebacks said when the files were first analysed.
    pub fn evidence(&self) -> EvidenceReport {
        self.evidence.get().cloned().unwrap_or_default()
    }

    /// The chains the tracebacks prove in the files as they are now: those
    /// given, and those saved in notebooks' outputs.
    fn proven_chains(&self, views: &[FileView]) -> Vec<ProvenChain> {
        let paths: Vec<&Path> = self.files.iter().map(|f| f.source.path.as_path()).collect();
        let mut report = EvidenceReport::default();
        let mut chains = Vec::new();
        for traceback in &self.tracebacks {
            let mapping = crate::evidence::map::map(traceback, views, &paths, None);
            report.notes.extend(mapping.notes);
            match mapping.problem {
                // A record folder holds every nested run of a test suite,
                // some in code outside the paths given (a `-c` script, a
                // tool): one that does not map is said, and the others used.
                Some(problem) if traceback.format == Format::Record => {
                    let frame = traceback.frames.last().map_or(String::new(), |f| {
                        format!(" at {}:{}", f.file, f.line.unwrap_or(0))
                    });
                    report
                        .notes
                        .push(format!("the recorded run{frame} was not used: {problem}"));
                }
                problem => report.problems.extend(problem),
            }
            chains.extend(mapping.chain);
        }
        for (i, file) in self.files.iter().enumerate() {
            let Some(notebook) = &file.notebook else {
                continue;
            };
            for cell in &notebook.cells {
                for text in &cell.saved_tracebacks {
                    let Ok(traceback) = crate::evidence::traceback::parse(text) else {
                        continue;
                    };
                    // A saved output that no longer fits its cell is stale,
                    // which is normal in a notebook: said, not an error.
                    let mapping = crate::evidence::map::map(&traceback, views, &paths, Some(i));
                    report.notes.extend(mapping.notes);
                    if let Some(problem) = mapping.problem {
                        report.notes.push(format!(
                            "{}: the traceback saved in cell {} was not used: {problem}",
                            file.source.display,
                            cell.index + 1
                        ));
                    }
                    chains.extend(mapping.chain);
                }
            }
        }
        let _ = self.evidence.set(report);
        chains
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
        let scanned = files.len();
        Ok(Project::of(files, Vec::new(), scanned))
    }

    /// The files and errors of several projects as one, for reporting only
    /// (no fix links them).
    pub fn merged<'p>(parts: impl Iterator<Item = &'p mut Project>) -> Project {
        let mut project = Project::of(Vec::new(), Vec::new(), 0);
        let mut suppressed = 0;
        for part in parts {
            // File indices are the part's own: shift them past the files
            // already merged.
            let base = project.files.len();
            project
                .applied_fixes
                .extend(part.applied_fixes.drain(..).map(|mut fix| {
                    fix.file += base;
                    fix.files.iter_mut().for_each(|f| *f += base);
                    fix
                }));
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
        debug_panic::project(self.files.iter().map(|f| f.source.path.as_path()));
        let views: Vec<FileView> = self.files.iter().map(ProjectFile::view).collect();
        let chains = self.proven_chains(&views);
        let edges: Vec<_> = chains
            .iter()
            .flat_map(|c| c.edges.iter().copied())
            .collect();
        let graph = Graph::build_with(&views, &self.loop_entries, &edges, &self.library);
        let names = NameUses::collect(&graph);
        let found = findings_with(&graph, &names, &chains);
        let importers = self.importers.get_or_init(|| {
            let modules: Vec<String> = self
                .files
                .iter()
                .filter(|f| f.notebook.is_none() && !f.summary.import_time_runs.is_empty())
                .map(|f| f.module.clone())
                .collect();
            importers::importers(&modules, &self.files, &self.others)
        });
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
                // A run at import time that another rule reports keeps that
                // finding.
                if let Some(importers) = importers.get(&file.module)
                    && file.notebook.is_none()
                {
                    let places: Vec<(String, bool)> = importers
                        .iter()
                        .map(|i| (i.place.clone(), i.uvicorn))
                        .collect();
                    for run in &file.summary.import_time_runs {
                        if !diagnostics.iter().any(|d| d.range.start == run.range.start) {
                            diagnostics.push(crate::rules::run_at_import_time::diagnostic(
                                run,
                                &file.module,
                                &places,
                            ));
                        }
                    }
                }
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
                    let comments = crate::rules::noqa::Comments::new(&file.text);
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
        self.fix_reviewed(unsafe_fixes, None)
    }

    /// [`Project::fix`], asking `reviewer` about each fix first (`--interactive`).
    pub fn fix_reviewed(
        &mut self,
        unsafe_fixes: bool,
        mut reviewer: Option<&mut Reviewer>,
    ) -> (Vec<Vec<Diagnostic>>, Vec<Vec<Diagnostic>>) {
        let mut parser = new_parser();
        let first = self.analyze();
        let mut current = first.clone();
        let mut review = Review::default();
        for _ in 0..MAX_PASSES {
            if self.stopping() {
                break;
            }
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

    /// Whether the run was asked to stop (see [`Project::stop`]).
    pub fn stopping(&self) -> bool {
        self.stop
            .is_some_and(|stop| stop.load(std::sync::atomic::Ordering::SeqCst))
    }

    /// What a rejected fix is remembered by across passes (which move its
    /// offsets): the line of its finding, and its edits with the text they
    /// replace.
    fn fix_key(&self, file: usize, diagnostic: &Diagnostic, fix: &crate::edit::Fix) -> String {
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
            let mut chosen_set: HashSet<(usize, &Edit)> = HashSet::new();
            let mut chosen_groups: HashSet<usize> = HashSet::new();
            // Findings whose fix is edits already chosen for another (the
            // findings of one chain share one group's fix): fixed by them
            // too, and counted, as Ruff counts an identical fix.
            let mut echoes = Vec::new();
            let mut candidates = Vec::new();
            for (file, list) in diagnostics.iter().enumerate() {
                // Last first, and never a finding inside another's range in
                // the same pass: a run inside another run's argument is fixed
                // first, and the outer one waits for the next pass, where it
                // sees `await y` as its argument (and groups it) rather than
                // taking the `await` just inserted for an `await` the author
                // wrote. A fix that keeps its own parentheses around the
                // inner run (`Fix::encloses_fixes`) needs no such wait.
                let mut taken_ranges: Vec<crate::edit::TextRange> = Vec::new();
                // Applicable fixes left for a later pass: a fix that encloses
                // one of them waits too, or the inner run would later take the
                // enclosing fix's `await` for one the author wrote.
                let mut skipped_ranges: Vec<crate::edit::TextRange> = Vec::new();
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
                    // A group's findings are known by their shared list, in
                    // one lookup, before their edits are even listed: a group
                    // of N files has N findings with N files of edits each.
                    // (The report groups files through the fix first chosen,
                    // so an echo names only its own file.)
                    let echo = reviewing.is_none() && !waits;
                    if echo && fix.group_key().is_some_and(|k| chosen_groups.contains(&k)) {
                        echoes.push((file, diagnostic, vec![file]));
                        continue;
                    }
                    let edits: Vec<(usize, &Edit)> = fix.all_edits(file).collect();
                    // Other fixes are compared edit by edit, when short.
                    if echo
                        && !edits.is_empty()
                        && edits.len() <= 64
                        && edits.iter().all(|&(f, e)| chosen_set.contains(&(f, e)))
                    {
                        echoes.push((file, diagnostic, vec![file]));
                        continue;
                    }
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
                        chosen_set.insert((f, edit));
                    }
                    chosen_groups.extend(fix.group_key());
                    candidates.push((file, diagnostic, fix, edits, key));
                }
            }
            if let Some((reviewer, review)) = reviewing.as_mut() {
                candidates.sort_by_key(|(file, diagnostic, ..)| (*file, diagnostic.range.start));
                let mut kept = Vec::new();
                // Fixes refused now: a fix enclosing one of them waits, as
                // above, for the same reason.
                let mut refused: Vec<(usize, crate::edit::TextRange)> = Vec::new();
                for candidate in candidates {
                    let (file, diagnostic, fix, _, key) = &candidate;
                    let key = key.clone().unwrap_or_default();
                    let decision = if review.quit {
                        Decision::Quit
                    } else if review.accept_all || review.accepted.contains(&key) {
                        Decision::Yes
                    } else {
                        reviewer(&Proposal {
                            files: &self.files,
                            file: *file,
                            diagnostic,
                            fix,
                        })
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
            let mut applied_here = Vec::new();
            for (file, diagnostic, _, edits, _) in candidates {
                let mut touched = vec![file];
                for (f, edit) in edits {
                    if f != file {
                        links.push((file, f));
                        touched.push(f);
                    }
                    taken.entry(f).or_default().push(edit);
                }
                // The finding's own file first, then the others once each.
                touched[1..].sort_unstable();
                touched.dedup();
                count_by_file[file] += 1;
                applied_here.push((file, diagnostic, touched));
            }
            for (file, diagnostic, touched) in echoes {
                count_by_file[file] += 1;
                applied_here.push((file, diagnostic, touched));
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
                    match first_error(&tree, &new) {
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
            // Where each finding is in the text first read: readers of a
            // report look at the old side of the diff.
            let recorded: Vec<AppliedFix> = applied_here
                .into_iter()
                .map(|(file, diagnostic, files)| {
                    let mut start = diagnostic.range.start;
                    for pass in self.history.get(&file).into_iter().flatten().rev() {
                        start = offset_before(pass, start);
                    }
                    AppliedFix {
                        file,
                        diagnostic: diagnostic.clone(),
                        start,
                        files,
                    }
                })
                .collect();
            self.applied_fixes.extend(recorded);
            for (&file, edits) in &taken {
                let pass = edits
                    .iter()
                    .map(|e| (e.range.start, e.range.end, e.content.len()))
                    .collect();
                self.history.entry(file).or_default().push(pass);
            }
            self.links.extend(links);
            for (file, count) in count_by_file.into_iter().enumerate() {
                self.files[file].applied += count;
            }
            for (file, text, tree) in results {
                let target = &mut self.files[file];
                target.index = LineIndex::new(&text);
                (target.summary, target.local) = check_file(
                    &tree,
                    &text,
                    &target.module,
                    target.is_package,
                    target.notebook.is_some(),
                );
                target.text = text;
            }
            return Some(applied);
        }
    }
}

/// Where `offset` of the text after `edits` (old range, new length; sorted,
/// disjoint) was before them; an offset inside an edit's new text maps to
/// the edit's start.
fn offset_before(edits: &[(usize, usize, usize)], offset: usize) -> usize {
    let mut delta: isize = 0;
    for &(start, end, new_len) in edits {
        let new_start = start.saturating_add_signed(delta);
        if offset < new_start {
            break;
        }
        if offset < new_start + new_len {
            return start;
        }
        delta += new_len as isize - (end - start) as isize;
    }
    offset.saturating_add_signed(-delta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::{Applicability, Fix, TextRange};
    use crate::registry::Rule;

    #[test]
    fn offsets_map_back_through_a_pass() {
        // "ab" -> "aXYb" (insert at 1), then "cd" -> "c" (delete 4..5 of "abccd").
        let insert = [(1, 1, 2)];
        assert_eq!(offset_before(&insert, 0), 0);
        assert_eq!(offset_before(&insert, 2), 1);
        assert_eq!(offset_before(&insert, 3), 1);
        assert_eq!(offset_before(&insert, 4), 2);
        let delete = [(2, 4, 0)];
        assert_eq!(offset_before(&delete, 2), 4);
        assert_eq!(offset_before(&delete, 1), 1);
    }

    /// A run asked to stop applies no further pass: the files keep their
    /// text and the findings are those first found; unasked, the same
    /// project is fixed.
    #[test]
    fn a_stop_request_ends_the_fix_passes() {
        static STOP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);
        let text = "import asyncio\n\nasync def main():\n    asyncio.run(work())\n";
        let mut project = Project::from_texts(&[("a.py", text)]).unwrap();
        project.stop = Some(&STOP);
        let (first, remaining) = project.fix(false);
        assert_eq!(first[0].len(), 1);
        assert_eq!(remaining, first);
        assert!(!project.files[0].is_changed());
        STOP.store(false, std::sync::atomic::Ordering::SeqCst);
        let (_, remaining) = project.fix(false);
        assert!(remaining[0].is_empty());
        assert!(project.files[0].is_changed());
    }

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
