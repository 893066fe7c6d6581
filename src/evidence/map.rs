//! Maps a traceback of a nested run onto the project's files, and decides the
//! chain it proves: from the call that runs the loop outward to the first
//! frame that is on the loop.
//!
//! What it decides:
//! - which file a frame is in: the project file whose path shares the
//!   longest suffix with the frame's (`/` or `\`, any machine's absolute
//!   path); a frame in `site-packages`, or whose path exists here and is not
//!   a project file, is outside the project; a notebook frame (`Cell In[7]`)
//!   is the cell run as `In[7]` in the only notebook that has one;
//! - that the frame is that file's: its quoted source line is there, at the
//!   line given or nearby (then a note says it moved); otherwise the frame is
//!   not matched, and nothing is inferred;
//! - which call of the line the frame stands for, so the call graph can
//!   learn a callee it could not resolve (dynamic dispatch, an instance of
//!   an unknown class);
//! - where the chain ends: a call in an `async def` or a notebook cell of the
//!   project, or code outside the project (a loop callback, a coroutine, sync
//!   framework code), and whether that outside caller accepts a coroutine
//!   function (its source, when readable, awaits the result or tests for a
//!   coroutine).

use std::path::Path;

use super::traceback::{Frame, FrameKind, LoopError, Traceback};
use crate::analysis::graph::summary::{CallSite, Callee, ModuleSummary, Place};
use crate::analysis::graph::{FileView, FnRef};
use crate::edit::TextRange;

/// How far from the line a traceback gives a moved line is looked for.
const NEARBY_LINES: usize = 40;

/// Where the chain's outermost project function is called from.
#[derive(Debug, Clone)]
pub enum Entry {
    /// A call in the project that runs on the loop (an `async def`, a
    /// notebook cell's top level): `(file, call index)`.
    ProjectCall { file: usize, call: usize },
    /// Code outside the project calls it. `caller` is the calling frame
    /// (`None` when the traceback shows none); `accepts_coroutines` when that
    /// caller is a coroutine whose code awaits what it gets.
    External {
        caller: Option<Frame>,
        accepts_coroutines: bool,
        callback: bool,
    },
    /// Somewhere no fix can start from (module level of a module imported on
    /// the loop, a lambda): the reason.
    Unfixable(String),
}

/// The chain a traceback proves.
#[derive(Debug, Clone)]
pub struct ProvenChain {
    /// The project functions the chain runs through, outermost first; the
    /// last one holds the run.
    pub functions: Vec<FnRef>,
    /// The run: its function and index in that function's `runs`.
    pub run: (FnRef, usize),
    /// Calls whose callee the traceback shows: `((file, call), callee)`.
    pub edges: Vec<((usize, usize), FnRef)>,
    pub entry: Entry,
    /// The chain, frame by frame, outermost first (`path:line in f`).
    pub frames: Vec<String>,
    pub error: LoopError,
    /// How many times the run of the program showed it (see
    /// [`Traceback::seen`]).
    pub seen: usize,
}

/// What mapping a traceback gave.
#[derive(Debug, Default)]
pub struct Mapping {
    pub chain: Option<ProvenChain>,
    /// Things the user should know (a moved line, a run in library code).
    pub notes: Vec<String>,
    /// Why the traceback could not be used (a frame not matched).
    pub problem: Option<String>,
}

/// A frame found in a project file.
#[derive(Debug, Clone)]
struct Found {
    file: usize,
    /// The line's byte range in the file's (module) text.
    line: TextRange,
    /// The line number as shown to the user (in the cell for a notebook).
    row: usize,
}

#[derive(Debug, Clone)]
enum Located {
    Outside,
    Project(Found),
}

/// Maps `traceback` onto `files` (the project's, with their paths on disk).
/// `notebook` limits notebook frames to one file: the notebook whose saved
/// output holds the traceback.
pub fn map(
    traceback: &Traceback,
    files: &[FileView],
    paths: &[&Path],
    notebook: Option<usize>,
) -> Mapping {
    let mut mapping = Mapping::default();
    let mut located = Vec::new();
    for frame in &traceback.frames {
        match locate(frame, files, paths, notebook, &mut mapping.notes) {
            Ok(l) => located.push(l),
            Err(problem) => {
                match problem {
                    Unmatched::Fixed(file) => mapping.notes.push(format!(
                        "{file}: the chain of the traceback looks fixed already (its lines now await, or run in a worker thread)"
                    )),
                    Unmatched::Problem(problem) => mapping.problem = Some(problem),
                }
                return mapping;
            }
        }
    }
    let Some(inner) = located
        .iter()
        .rposition(|l| matches!(l, Located::Project(_)))
    else {
        mapping.problem = Some(
            "no frame of the traceback is in the files given; pass the project's folder".to_owned(),
        );
        return mapping;
    };
    let Located::Project(found) = &located[inner] else {
        unreachable!()
    };
    let view = &files[found.file];
    let summary = view.summary;
    let frame = &traceback.frames[inner];
    let here = label(files, found, frame);
    // The run: a nested run on the innermost project frame's line.
    let run = summary
        .functions
        .iter()
        .enumerate()
        .find_map(|(f, function)| {
            function
                .runs
                .iter()
                .position(|run| overlaps(run.range, found.line))
                .map(|r| {
                    (
                        FnRef {
                            file: found.file,
                            function: f,
                        },
                        r,
                    )
                })
        });
    let Some((run_fn, run_index)) = run else {
        let calls = calls_on(summary, found.line);
        // A run the code guards on purpose (`except RuntimeError:` with a
        // fallback, a check for a running loop) is no run of the summary's:
        // what runs on the loop is the fallback, as the code intends.
        if let Some(guarded) = calls.iter().find(|c| c.guarded || c.falls_back) {
            mapping.notes.push(format!(
                "{here}: `{}()` raised under the running loop, and the code guards it (a fallback on RuntimeError, or a check for a running loop): the fallback is what runs there, so no fix is proposed; remove the guard to have it made async",
                guarded.callee_text
            ));
            return mapping;
        }
        let what = calls
            .first()
            .map(|c| format!("`{}()`", c.callee_text))
            .unwrap_or_else(|| "library code".to_owned());
        mapping.notes.push(format!(
            "{here}: the loop is run by {what}, outside the project's files; unnest fixes runs in the project's own code"
        ));
        return mapping;
    };
    let run_function = &summary.functions[run_fn.function];
    if let Some(problem) = other_function(frame, Some(&run_function.name), view.display) {
        mapping.problem = Some(problem);
        return mapping;
    }
    let run_site = &run_function.runs[run_index];
    if run_function.is_async {
        mapping.notes.push(format!(
            "{here}: `{}()` is directly in `async def {}`, which the rules find without a traceback",
            run_site.callee_text, run_function.name
        ));
        return mapping;
    }
    let mut functions = vec![run_fn];
    let mut edges = Vec::new();
    let mut shown = vec![format!("`{}()` ({})", run_site.callee_text, here)];
    let mut entry = None;
    for k in (0..inner).rev() {
        let frame = &traceback.frames[k];
        match &located[k] {
            Located::Project(found) => {
                let target = functions[0];
                let Some((call, site)) = call_for(files, found, target) else {
                    mapping.problem = Some(format!(
                        "frame `{}` could not be matched: no call on that line of {}",
                        frame_text(frame),
                        files[found.file].display
                    ));
                    return mapping;
                };
                let name = match site.place {
                    Place::Function(g) => {
                        Some(files[found.file].summary.functions[g].name.as_str())
                    }
                    _ => None,
                };
                if let Some(problem) = other_function(frame, name, files[found.file].display) {
                    mapping.problem = Some(problem);
                    return mapping;
                }
                edges.push(((found.file, call), target));
                shown.push(label(files, found, frame));
                match site.place {
                    Place::Function(g) => {
                        let caller = FnRef {
                            file: found.file,
                            function: g,
                        };
                        if files[found.file].summary.functions[g].is_async {
                            entry = Some(Entry::ProjectCall {
                                file: found.file,
                                call,
                            });
                            break;
                        }
                        functions.insert(0, caller);
                    }
                    Place::Module if files[found.file].summary.top_level_await => {
                        entry = Some(Entry::ProjectCall {
                            file: found.file,
                            call,
                        });
                        break;
                    }
                    Place::Module => {
                        entry = Some(Entry::Unfixable(format!(
                            "the module level of {} runs on the loop (the module is run or imported inside it); move the call into a startup hook or an `async def`",
                            files[found.file].display
                        )));
                        break;
                    }
                    _ => {
                        entry = Some(Entry::Unfixable(
                            "the call is in a lambda, a class body or a generator expression"
                                .to_owned(),
                        ));
                        break;
                    }
                }
            }
            Located::Outside => {
                shown.push(outside_label(frame));
                let kind = on_loop_kind(&traceback.frames, k);
                entry = Some(Entry::External {
                    caller: Some(frame.clone()),
                    accepts_coroutines: kind == LoopKind::Coroutine && accepts_coroutines(frame),
                    callback: kind == LoopKind::Callback,
                });
                // The frames further out that show the loop runs it.
                if kind == LoopKind::Sync
                    && let Some(j) = (0..k)
                        .rev()
                        .find(|&j| on_loop_kind(&traceback.frames, j) != LoopKind::Sync)
                {
                    shown.push(format!("… {}", outside_label(&traceback.frames[j])));
                }
                break;
            }
        }
    }
    shown.reverse();
    mapping.chain = Some(ProvenChain {
        functions,
        run: (run_fn, run_index),
        edges,
        entry: entry.unwrap_or(Entry::External {
            caller: None,
            accepts_coroutines: false,
            callback: false,
        }),
        frames: shown,
        seen: traceback.seen,
        error: traceback.error,
    });
    mapping
}

fn overlaps(range: TextRange, line: TextRange) -> bool {
    range.start < line.end && range.end > line.start
}

fn calls_on(summary: &ModuleSummary, line: TextRange) -> Vec<&CallSite> {
    summary
        .calls
        .iter()
        .filter(|c| overlaps(c.range, line))
        .collect()
}

/// The call on a frame's line that calls `target`: one that names it or
/// resolves to it, else the outermost call that starts on the line and
/// does not resolve elsewhere (`getattr(obj, name)(x)`, `handler(x)`).
fn call_for<'s>(
    files: &'s [FileView],
    found: &Found,
    target: FnRef,
) -> Option<(usize, &'s CallSite)> {
    let summary = files[found.file].summary;
    let name = &files[target.file].summary.functions[target.function].name;
    let on_line: Vec<(usize, &CallSite)> = summary
        .calls
        .iter()
        .enumerate()
        .filter(|(_, c)| overlaps(c.range, found.line))
        .collect();
    let resolves_here = |c: &CallSite| match &c.callee {
        Callee::Local(f) => target.file == found.file && *f == target.function,
        _ => false,
    };
    let last_name = |c: &CallSite| {
        c.callee_text
            .rsplit('.')
            .next()
            .map(str::trim)
            .unwrap_or_default()
            .to_owned()
    };
    if let Some(&hit) = on_line
        .iter()
        .find(|(_, c)| resolves_here(c) || last_name(c) == *name)
    {
        return Some(hit);
    }
    on_line
        .iter()
        .filter(|(_, c)| {
            c.range.start >= found.line.start && matches!(c.callee, Callee::Unknown(_))
        })
        .max_by_key(|(_, c)| {
            (
                c.range.end - c.range.start,
                std::cmp::Reverse(c.range.start),
            )
        })
        .copied()
}

fn components(path: &str) -> Vec<&str> {
    path.split(['/', '\\'])
        .filter(|c| !c.is_empty() && *c != ".")
        .collect()
}

/// Which project file a frame is in, confirmed by its quoted line.
fn locate(
    frame: &Frame,
    files: &[FileView],
    paths: &[&Path],
    notebook: Option<usize>,
    notes: &mut Vec<String>,
) -> Result<Located, Unmatched> {
    match frame.kind {
        FrameKind::Unknown => Ok(Located::Outside),
        // The kernel's file of a cell (`/tmp/ipykernel_1/123.py`): the one
        // cell of the notebooks in scope whose line it quotes.
        FrameKind::NotebookCell {
            execution_count: None,
        } => {
            let (Some(row), Some(quoted)) = (frame.line, frame.source.as_deref()) else {
                return Ok(Located::Outside);
            };
            let quoted = quoted.trim();
            let index = (row as usize).max(1) - 1;
            let mut candidates = Vec::new();
            for (i, view) in files.iter().enumerate() {
                if notebook.is_some_and(|n| n != i) {
                    continue;
                }
                for cell in view.notebook.iter().flat_map(|n| &n.cells) {
                    let line = crate::syntax::lines::lines_inclusive(&cell.source).nth(index);
                    if line.is_some_and(|l| l.trim() == quoted) {
                        candidates.push((i, cell));
                    }
                }
            }
            let [(file, cell)] = candidates[..] else {
                return Ok(Located::Outside);
            };
            confirm(frame, &files[file], cell.start, &cell.source, notes)
                .map(|found| Located::Project(Found { file, ..found }))
        }
        FrameKind::NotebookCell {
            execution_count: Some(count),
        } => {
            let candidates: Vec<(usize, usize)> = files
                .iter()
                .enumerate()
                .filter(|(i, _)| notebook.is_none_or(|n| n == *i))
                .filter_map(|(i, view)| {
                    let cell = view
                        .notebook?
                        .cells
                        .iter()
                        .position(|c| c.execution_count == Some(count))?;
                    Some((i, cell))
                })
                .collect();
            let [(file, cell)] = candidates[..] else {
                return Ok(Located::Outside);
            };
            let view = &files[file];
            let cell = &view.notebook.expect("a notebook").cells[cell];
            confirm(frame, view, cell.start, &cell.source, notes)
                .map(|found| Located::Project(Found { file, ..found }))
        }
        FrameKind::File => {
            let theirs = components(&frame.file);
            if theirs.iter().any(|c| {
                c.eq_ignore_ascii_case("site-packages") || c.eq_ignore_ascii_case("dist-packages")
            }) {
                return Ok(Located::Outside);
            }
            let mut best = 0;
            let mut matches: Vec<usize> = Vec::new();
            for (i, path) in paths.iter().enumerate() {
                if files[i].notebook.is_some() {
                    continue;
                }
                let path = path.to_string_lossy();
                let ours = components(&path);
                let shared = ours
                    .iter()
                    .rev()
                    .zip(theirs.iter().rev())
                    .take_while(|(a, b)| a == b)
                    .count();
                if shared == 0 {
                    continue;
                }
                if shared > best {
                    best = shared;
                    matches.clear();
                }
                if shared == best {
                    matches.push(i);
                }
            }
            let file = match matches[..] {
                [] => return Ok(Located::Outside),
                [one] => one,
                _ => {
                    let names: Vec<&str> = matches.iter().map(|&i| files[i].display).collect();
                    return Err(Unmatched::Problem(format!(
                        "frame `{}` could not be matched: it could be any of {}",
                        frame_text(frame),
                        names.join(", ")
                    )));
                }
            };
            // A path that exists here and is another file: outside.
            let here = Path::new(&frame.file);
            if here.is_absolute()
                && let (Ok(a), Ok(b)) = (here.canonicalize(), paths[file].canonicalize())
                && a != b
            {
                return Ok(Located::Outside);
            }
            let view = &files[file];
            confirm(frame, view, 0, view.text, notes)
                .map(|found| Located::Project(Found { file, ..found }))
        }
    }
}

/// The frame's line in `source` (which starts at `base` in the view's
/// text), confirmed by the quoted line, or found nearby.
fn confirm(
    frame: &Frame,
    view: &FileView,
    base: usize,
    source: &str,
    notes: &mut Vec<String>,
) -> Result<Found, Unmatched> {
    let mut lines = Vec::new();
    let mut at = 0;
    for line in crate::syntax::lines::lines_inclusive(source) {
        lines.push((at, line));
        at += line.len();
    }
    let Some(wanted) = frame.line.map(|l| l as usize) else {
        return Err(Unmatched::Problem(format!(
            "frame `{}` could not be matched: the traceback gives no line number",
            frame_text(frame)
        )));
    };
    let found = |row: usize| {
        let (start, line) = lines[row - 1];
        Found {
            file: 0,
            line: TextRange::new(base + start, base + start + line.len()),
            row,
        }
    };
    let Some(quoted) = frame
        .source
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return if (1..=lines.len()).contains(&wanted) {
            Ok(found(wanted))
        } else {
            Err(Unmatched::Problem(format!(
                "frame `{}` could not be matched: {} has no line {wanted}",
                frame_text(frame),
                view.display
            )))
        };
    };
    let same = |row: usize| row >= 1 && row <= lines.len() && lines[row - 1].1.trim() == quoted;
    if same(wanted) {
        return Ok(found(wanted));
    }
    for distance in 1..=NEARBY_LINES {
        for row in [wanted.saturating_sub(distance), wanted + distance] {
            if row != 0 && same(row) {
                notes.push(format!(
                    "{}: the traceback's line {wanted} (`{quoted}`) is now line {row}; the file changed since the traceback",
                    view.display
                ));
                return Ok(found(row));
            }
        }
    }
    // A line that reads as the quoted one once unnest's own fix is taken
    // away: the chain was fixed since (a second run with the same traceback).
    let fixed = (wanted.saturating_sub(NEARBY_LINES).max(1)
        ..=(wanted + NEARBY_LINES).min(lines.len()))
        .any(|row| looks_fixed(lines[row - 1].1.trim(), quoted));
    if fixed {
        return Err(Unmatched::Fixed(view.display.to_owned()));
    }
    Err(Unmatched::Problem(format!(
        "frame `{}` could not be matched: `{quoted}` is not at or near line {wanted} of {} (it changed since the traceback); nothing was inferred from the traceback",
        frame_text(frame),
        view.display
    )))
}

/// Why a frame is not matched.
#[derive(Debug)]
enum Unmatched {
    /// Its line was fixed since the traceback (in this file).
    Fixed(String),
    /// Anything else: what to tell the user.
    Problem(String),
}

/// Whether `line` is `quoted` with `await` added, or with the run moved
/// into the thread bridge.
fn looks_fixed(line: &str, quoted: &str) -> bool {
    if line == quoted {
        return false;
    }
    if line.replace("await ", "") == quoted.replace("await ", "") {
        return true;
    }
    let bridge = format!("{}(lambda: ", crate::edit::bridge::BRIDGE_HELPER);
    line.replacen(&bridge, "", 1)
        .strip_suffix(')')
        .is_some_and(|rest| rest == quoted)
}

/// Why a frame's line is not in the function the frame names, if it is not:
/// `function` is the function the line is in (`None`: module level).
fn other_function(frame: &Frame, function: Option<&str>, display: &str) -> Option<String> {
    let named = frame.bare_function()?;
    let same = match function {
        Some(name) => named == name,
        None => named == "<module>",
    };
    (!same).then(|| {
        format!(
            "frame `{}` could not be matched: that line of {display} is in {}, not in `{named}`; nothing was inferred from the traceback",
            frame_text(frame),
            function.map_or_else(|| "module-level code".to_owned(), |f| format!("`{f}`"))
        )
    })
}

/// `file:line in function` as the traceback wrote it.
fn frame_text(frame: &Frame) -> String {
    let mut text = frame.file.clone();
    if let Some(line) = frame.line {
        text.push_str(&format!(":{line}"));
    }
    if let Some(function) = &frame.function {
        text.push_str(&format!(" in {function}"));
    }
    text
}

/// A project frame: `path:line in function` (`path:cell N:line` in a
/// notebook).
fn label(files: &[FileView], found: &Found, frame: &Frame) -> String {
    let view = &files[found.file];
    let place = match view.notebook {
        Some(notebook) => {
            let (cell, _) = notebook.locate(found.line.start);
            format!("{}:cell {}:{}", view.display, cell.index + 1, found.row)
        }
        None => format!("{}:{}", view.display, found.row),
    };
    match frame.bare_function() {
        Some(f) => format!("{place} in {f}"),
        None => place,
    }
}

/// A frame outside the project: `package/file.py:line in function`.
pub fn outside_label(frame: &Frame) -> String {
    let parts = components(&frame.file);
    let short = if parts.len() >= 2 {
        parts[parts.len() - 2..].join("/")
    } else {
        frame.file.clone()
    };
    let mut text = short;
    if let Some(line) = frame.line {
        text.push_str(&format!(":{line}"));
    }
    if let Some(function) = frame.bare_function() {
        text.push_str(&format!(" in {function}"));
    }
    text
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LoopKind {
    /// A callback the loop calls (`events.py` `_run`).
    Callback,
    /// A coroutine (or a notebook cell, which the kernel runs as one).
    Coroutine,
    /// Sync code, as far as can be told.
    Sync,
}

fn is_asyncio(frame: &Frame, file: &str) -> bool {
    let parts = components(&frame.file);
    parts.len() >= 2 && parts[parts.len() - 2] == "asyncio" && parts[parts.len() - 1] == file
}

/// Whether frame `k` (outside the project) runs on the loop, and how.
fn on_loop_kind(frames: &[Frame], k: usize) -> LoopKind {
    let frame = &frames[k];
    if matches!(frame.kind, FrameKind::NotebookCell { .. }) {
        return LoopKind::Coroutine;
    }
    if is_asyncio(frame, "events.py") && frame.bare_function() == Some("_run") {
        return LoopKind::Callback;
    }
    if let Some(is_async) = readable_def_is_async(frame) {
        return if is_async {
            LoopKind::Coroutine
        } else {
            LoopKind::Sync
        };
    }
    if frame
        .source
        .as_deref()
        .is_some_and(|s| has_word(s, "await"))
    {
        return LoopKind::Coroutine;
    }
    // The first frame of a task's coroutine follows the loop's frames.
    if k > 0 {
        let outer = &frames[k - 1];
        let drives = (is_asyncio(outer, "base_events.py")
            && matches!(
                outer.bare_function(),
                Some("run_until_complete" | "run_forever" | "_run_once")
            ))
            || (is_asyncio(outer, "tasks.py")
                && outer.bare_function().is_some_and(|f| f.contains("step")))
            || (is_asyncio(outer, "runners.py") && outer.bare_function() == Some("run"));
        if drives {
            return LoopKind::Coroutine;
        }
    }
    LoopKind::Sync
}

fn has_word(text: &str, word: &str) -> bool {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|w| w == word)
}

/// The lines of a frame's file, when it is readable here.
fn readable_lines(frame: &Frame) -> Option<Vec<String>> {
    if frame.kind != FrameKind::File {
        return None;
    }
    let text = std::fs::read_to_string(&frame.file).ok()?;
    Some(text.lines().map(str::to_owned).collect())
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The line (0-based) of the `def` the frame's line is in, and whether it
/// is `async def`, from the file's text when it is readable here.
fn enclosing_def(lines: &[String], row: usize) -> Option<(usize, bool)> {
    let mut current = indent(lines.get(row)?);
    for i in (0..row).rev() {
        let line = &lines[i];
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let depth = indent(line);
        if depth < current {
            let code = line.trim_start();
            if code.starts_with("async def ") {
                return Some((i, true));
            }
            if code.starts_with("def ") {
                return Some((i, false));
            }
            if code.starts_with("class ") {
                return None;
            }
            current = depth;
        }
    }
    None
}

fn readable_def_is_async(frame: &Frame) -> Option<bool> {
    let lines = readable_lines(frame)?;
    let row = (frame.line? as usize).checked_sub(1)?;
    enclosing_def(&lines, row).map(|(_, is_async)| is_async)
}

/// Whether a coroutine frame outside the project accepts a coroutine
/// function where it calls the project: its call line awaits, or its code
/// near the call tests for a coroutine (`iscoroutinefunction`,
/// `isawaitable`) or awaits the value the call gave.
fn accepts_coroutines(frame: &Frame) -> bool {
    let quoted = frame.source.as_deref().unwrap_or_default();
    if has_word(quoted, "await") {
        return true;
    }
    let Some(lines) = readable_lines(frame) else {
        return false;
    };
    let Some(row) = frame.line.and_then(|l| (l as usize).checked_sub(1)) else {
        return false;
    };
    let Some((def, _)) = enclosing_def(&lines, row) else {
        return false;
    };
    let end = (row + 8).min(lines.len());
    let near = &lines[def..end];
    if near.iter().any(|l| {
        l.contains("iscoroutinefunction") || l.contains("isawaitable") || l.contains("iscoroutine(")
    }) {
        return true;
    }
    // `result = f(x)` followed by `await result`.
    let assigned = lines[row]
        .split_once('=')
        .filter(|(left, right)| !right.starts_with('=') && !left.ends_with(['!', '<', '>']))
        .map(|(left, _)| left.trim().to_owned())
        .filter(|name| name.chars().all(|c| c.is_alphanumeric() || c == '_') && !name.is_empty());
    assigned.is_some_and(|name| {
        lines[row + 1..end]
            .iter()
            .any(|l| l.contains(&format!("await {name}")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(file: &str, line: u32, function: &str, source: &str) -> Frame {
        Frame {
            file: file.to_owned(),
            line: Some(line),
            function: Some(function.to_owned()),
            source: Some(source.to_owned()),
            kind: FrameKind::File,
            repeated: 0,
        }
    }

    #[test]
    fn a_line_fixed_by_unnest_reads_as_the_quoted_one() {
        let quoted = "return asyncio.run(_double(x))";
        assert!(!looks_fixed(
            "return await _double(x)",
            "return await _double(x)"
        ));
        assert!(looks_fixed("return await compute(x)", "return compute(x)"));
        assert!(looks_fixed(
            "return _run_in_worker_thread(lambda: asyncio.run(_double(x)))",
            quoted
        ));
        assert!(!looks_fixed("return compute(y)", "return compute(x)"));
    }

    #[test]
    fn outside_frames_are_shown_by_package_and_file() {
        let f = frame(
            r"C:\venv\Lib\site-packages\comfy\execution.py",
            338,
            "_async_map_node_over_list",
            "await process_inputs(inputs)",
        );
        assert_eq!(
            outside_label(&f),
            "comfy/execution.py:338 in _async_map_node_over_list"
        );
    }

    #[test]
    fn a_library_caller_accepts_coroutine_functions_when_its_code_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("engine.py");
        let code = "async def run(node, x):\n    result = node(x)\n    if inspect.isawaitable(result):\n        result = await result\n    return result\n\n\nasync def plain(node, x):\n    await asyncio.sleep(0)\n    value = node(x)\n    return value\n";
        std::fs::write(&path, code).unwrap();
        let file = path.display().to_string();
        let accepting = frame(&file, 2, "run", "result = node(x)");
        assert!(accepts_coroutines(&accepting));
        assert_eq!(readable_def_is_async(&accepting), Some(true));
        let plain = frame(&file, 10, "plain", "value = node(x)");
        assert!(!accepts_coroutines(&plain));
        // Unreadable: only the quoted line can tell.
        let gone = frame("/nowhere/engine.py", 4, "run", "return await node(x)");
        assert!(accepts_coroutines(&gone));
        assert!(!accepts_coroutines(&frame(
            "/nowhere/engine.py",
            4,
            "run",
            "return node(x)"
        )));
    }

    #[test]
    fn the_frame_after_the_loop_is_a_coroutine_and_events_run_a_callback() {
        let frames = vec![
            frame(
                "/usr/lib/python3.12/asyncio/base_events.py",
                691,
                "run_until_complete",
                "return future.result()",
            ),
            frame("/srv/lib/engine.py", 12, "main", "value = node(x)"),
            frame(
                "/usr/lib/python3.12/asyncio/events.py",
                88,
                "_run",
                "self._context.run(self._callback, *self._args)",
            ),
            frame("/srv/lib/engine.py", 30, "helper", "return node(x)"),
        ];
        assert_eq!(on_loop_kind(&frames, 1), LoopKind::Coroutine);
        assert_eq!(on_loop_kind(&frames, 2), LoopKind::Callback);
        assert_eq!(on_loop_kind(&frames, 3), LoopKind::Sync);
    }
}
