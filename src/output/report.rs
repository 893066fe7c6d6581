//! The migration report (`--report`): what a run fixed, what it left for a
//! person and why, and what it skipped, as GitHub-flavoured Markdown meant
//! to be pasted as a pull-request description. [`Outcome`] decides what
//! counts as fixed, left or refused; `--summary-json` prints the same
//! outcome as counts. Everything is sorted and names files as displayed
//! (relative to the working directory), so two runs over the same files
//! give the same report but for the time taken.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Positions, diff, plural};
use crate::cli::Mode;
use crate::diagnostic::Diagnostic;
use crate::error::Error;
use crate::project::{AppliedFix, ProjectFile};
use crate::registry::Rule;

/// What the report is made from: a whole run, after it printed or wrote.
pub struct Run<'a> {
    pub files: &'a [ProjectFile],
    pub mode: Mode,
    /// Findings in the files as first read, per file.
    pub first: &'a [Vec<Diagnostic>],
    /// Findings left after the fixes, per file.
    pub remaining: &'a [Vec<Diagnostic>],
    pub applied: &'a [AppliedFix],
    /// `--write`: which files are on disk as fixed.
    pub written: Option<&'a [bool]>,
    /// Every error of the run, sorted.
    pub errors: &'a [Error],
    pub scanned: usize,
    pub unsafe_fixes: bool,
    pub interactive: bool,
}

/// A finding that was fixed (or, with `--check`, that `--write` would fix).
#[derive(Debug, Clone)]
pub struct Fixed {
    pub path: String,
    /// `12`, or `cell 3:2` in a notebook.
    pub line: String,
    key: (Option<usize>, usize, usize),
    pub rule: Rule,
    pub message: String,
    pub safe: bool,
}

/// Fixes whose files are changed together: one file, or all the files a
/// cross-file fix edits (a helper made async and its callers).
#[derive(Debug, Clone)]
pub struct Group {
    pub files: Vec<String>,
    pub fixes: Vec<Fixed>,
    /// The change of every file of the group (empty with `--check`).
    pub diff: String,
}

/// Why a finding was left for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Why {
    /// No automatic fix exists; the message says why.
    NoFix,
    /// The fix is unsafe and `--unsafe-fixes` was not given.
    Unsafe,
    /// The fix failed verification (or edits a file whose fixes did).
    Refused,
    /// `--write`: fixed, but its file could not be written.
    NotWritten,
    /// `--interactive`: declined in review.
    Declined,
    /// A fix exists and applies, but another took its place this run.
    Skipped,
}

impl Why {
    /// Whether the finding counts as refused rather than left for a person.
    pub fn refused(self) -> bool {
        matches!(self, Why::Refused | Why::NotWritten)
    }
}

/// A finding without an applied fix.
#[derive(Debug, Clone)]
pub struct Left {
    pub path: String,
    pub line: String,
    key: (Option<usize>, usize, usize),
    pub rule: Rule,
    /// The message without its "(no automatic fix ...)" note.
    pub message: String,
    /// `async def handler()` → `load()` → `asyncio.run()`, for the rules
    /// that follow the call graph.
    pub chain: Option<String>,
    pub why: Why,
    pub reason: String,
    pub next: String,
}

/// Counts for one rule; found = fixed + left + refused.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub found: usize,
    pub fixed: usize,
    pub left: usize,
    pub refused: usize,
}

/// The outcome of a run, as the report and the summary tell it.
pub struct Outcome {
    pub mode: Mode,
    pub scanned: usize,
    pub groups: Vec<Group>,
    pub left: Vec<Left>,
    pub errors: Vec<String>,
    /// Rules with findings, in code order.
    pub rules: Vec<(Rule, Counts)>,
    /// Files the fixes change (written, with `--write`).
    pub files_changed: usize,
}

impl Outcome {
    pub fn new(run: &Run) -> Self {
        let files = run.files;
        let on_disk = |i: usize| {
            run.written
                .is_none_or(|written| written.get(i).copied().unwrap_or(false))
        };
        // The fixes that count, each with where its finding is.
        let mut fixes: Vec<(usize, Fixed, Vec<usize>)> = Vec::new();
        let mut left = Vec::new();
        if run.mode == Mode::Check {
            for (i, (file, diagnostics)) in files.iter().zip(run.first).enumerate() {
                let positions = Positions::new(file, file.original());
                for d in diagnostics {
                    match d.fix.as_ref().filter(|f| f.is_applicable(run.unsafe_fixes)) {
                        Some(fix) => {
                            let mut touched = vec![i];
                            touched.extend(fix.elsewhere.iter().map(|(f, _)| *f));
                            let (cell, at) = positions.at(d.range.start);
                            fixes.push((i, fixed(file, d, cell, at.row, at.column), touched));
                        }
                        None => left.push(left_for(run, i, d, &positions)),
                    }
                }
            }
        } else {
            // Placed in the text first read, the old side of the diff.
            let mut places: BTreeMap<usize, Positions> = BTreeMap::new();
            for fix in run.applied.iter().filter(|f| on_disk(f.file)) {
                let file = &files[fix.file];
                let (cell, at) = places
                    .entry(fix.file)
                    .or_insert_with(|| Positions::new(file, file.original()))
                    .at(fix.start);
                fixes.push((
                    fix.file,
                    fixed(file, &fix.diagnostic, cell, at.row, at.column),
                    fix.files.clone(),
                ));
            }
            for (i, file) in files.iter().enumerate() {
                // A file that was not written still holds what was first found.
                let (diagnostics, text) = if file.is_changed() && !on_disk(i) {
                    (&run.first[i], file.original())
                } else {
                    (&run.remaining[i], file.text.as_str())
                };
                let positions = Positions::new(file, text);
                for d in diagnostics {
                    left.push(left_for(run, i, d, &positions));
                }
            }
        }
        left.sort_by(|a, b| {
            (&a.path, a.key, a.rule, &a.message).cmp(&(&b.path, b.key, b.rule, &b.message))
        });

        // Files one fix edits together form a group, transitively.
        let mut parent: Vec<usize> = (0..files.len()).collect();
        fn root(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        for (_, _, touched) in &fixes {
            for &other in touched {
                let (a, b) = (root(&mut parent, touched[0]), root(&mut parent, other));
                parent[a.max(b)] = a.min(b);
            }
        }
        let mut by_root: BTreeMap<usize, (Vec<usize>, Vec<Fixed>)> = BTreeMap::new();
        for (file, fixed, touched) in fixes {
            let entry = by_root.entry(root(&mut parent, file)).or_default();
            entry.0.extend(touched);
            entry.1.push(fixed);
        }
        let mut groups: Vec<Group> = by_root
            .into_values()
            .map(|(mut members, mut fixed)| {
                members.sort_by(|&a, &b| files[a].source.display.cmp(&files[b].source.display));
                members.dedup();
                fixed.sort_by(|a, b| {
                    (&a.path, a.key, a.rule, &a.message).cmp(&(&b.path, b.key, b.rule, &b.message))
                });
                let diff = if run.mode == Mode::Check {
                    String::new()
                } else {
                    members.iter().map(|&i| file_diff(&files[i])).collect()
                };
                Group {
                    files: members
                        .iter()
                        .map(|&i| files[i].source.display.clone())
                        .collect(),
                    fixes: fixed,
                    diff,
                }
            })
            .collect();
        groups.sort_by(|a, b| a.files.cmp(&b.files));

        let mut counts: BTreeMap<Rule, Counts> = BTreeMap::new();
        for fixed in groups.iter().flat_map(|g| &g.fixes) {
            let c = counts.entry(fixed.rule).or_default();
            c.found += 1;
            c.fixed += 1;
        }
        for l in &left {
            let c = counts.entry(l.rule).or_default();
            c.found += 1;
            if l.why.refused() {
                c.refused += 1;
            } else {
                c.left += 1;
            }
        }
        let files_changed = if run.mode == Mode::Check {
            0
        } else {
            files
                .iter()
                .enumerate()
                .filter(|&(i, f)| f.is_changed() && on_disk(i))
                .count()
        };
        Outcome {
            mode: run.mode,
            scanned: run.scanned,
            groups,
            left,
            errors: run.errors.iter().map(ToString::to_string).collect(),
            rules: counts.into_iter().collect(),
            files_changed,
        }
    }

    pub fn total(&self) -> Counts {
        let mut total = Counts::default();
        for (_, c) in &self.rules {
            total.found += c.found;
            total.fixed += c.fixed;
            total.left += c.left;
            total.refused += c.refused;
        }
        total
    }

    /// The first line: a title that also serves as a commit subject.
    pub fn title(&self) -> String {
        let total = self.total();
        let person = total.left + total.refused;
        let fixed = total.fixed;
        let mut title = match self.mode {
            Mode::Write if fixed == 0 && person == 0 => "unnest: nothing to fix".to_owned(),
            Mode::Write => format!(
                "unnest: fixed {} in {}",
                plural(fixed, "finding"),
                plural(self.files_changed, "file")
            ),
            Mode::Diff => format!(
                "unnest (dry run): {} to fix in {}",
                plural(fixed, "finding"),
                plural(self.files_changed, "file")
            ),
            Mode::Check => format!("unnest --check: {} with a fix", plural(fixed, "finding")),
        };
        if person > 0 {
            let verb = if person == 1 { "needs" } else { "need" };
            let _ = write!(title, "; {person} {verb} a person");
        }
        title
    }

    /// The word for what happened to a fixable finding in this mode.
    fn fixed_word(&self) -> &'static str {
        match self.mode {
            Mode::Write => "fixed",
            Mode::Diff => "fixed (dry run)",
            Mode::Check => "fixable",
        }
    }
}

fn fixed(file: &ProjectFile, d: &Diagnostic, cell: Option<usize>, row: usize, col: usize) -> Fixed {
    Fixed {
        path: file.source.display.clone(),
        line: line_label(cell, row),
        key: (cell, row, col),
        rule: d.rule,
        message: d.message.clone(),
        safe: d
            .fix
            .as_ref()
            .is_none_or(|f| f.applicability == crate::edit::Applicability::Safe),
    }
}

fn line_label(cell: Option<usize>, row: usize) -> String {
    match cell {
        Some(cell) => format!("cell {cell}:{row}"),
        None => row.to_string(),
    }
}

/// A finding of `files[file]` left without an applied fix, with why and
/// what to do next.
fn left_for(run: &Run, file: usize, d: &Diagnostic, positions: &Positions) -> Left {
    let files = run.files;
    let display = &files[file].source.display;
    let (cell, at) = positions.at(d.range.start);
    let note = Note::of(&d.message);
    let explain = format!("see `unnest --explain {}`", d.rule.code());
    let error_about = |path: &str| {
        let prefix = format!("{path}: ");
        run.errors
            .iter()
            .map(ToString::to_string)
            .find_map(|e| e.strip_prefix(&prefix).map(str::to_owned))
    };
    let (why, reason, next) = match &d.fix {
        None => (
            Why::NoFix,
            note.reason.clone(),
            note.advice.clone().unwrap_or(explain),
        ),
        Some(fix) if !fix.is_applicable(run.unsafe_fixes) => (
            Why::Unsafe,
            format!("its fix is unsafe and was not applied: {}", fix.message),
            "review the unsafe fix (`unnest --unsafe-fixes` shows it), then apply it with `--write --unsafe-fixes` or by hand".to_owned(),
        ),
        Some(_)
            if files[file].is_changed()
                && run
                    .written
                    .is_some_and(|w| w.get(file) != Some(&true)) =>
        {
            (
                Why::NotWritten,
                format!(
                    "fixed, but not written: {}",
                    error_about(display).unwrap_or_else(|| "see the errors below".to_owned())
                ),
                "fix the cause of the write error, then run unnest again".to_owned(),
            )
        }
        Some(fix) => {
            let failed = fix
                .all_edits(file)
                .map(|(f, _)| f)
                .find(|&f| files[f].failed);
            match failed {
                Some(f) => {
                    let other = &files[f].source.display;
                    let why = error_about(other).unwrap_or_else(|| "it failed verification".into());
                    let reason = if f == file {
                        why
                    } else {
                        format!("its fix also edits `{other}`: {why}")
                    };
                    (
                        Why::Refused,
                        reason,
                        "fix it by hand; unnest never applies a fix that fails its checks (please report the file)".to_owned(),
                    )
                }
                None if run.interactive => (
                    Why::Declined,
                    "declined in review".to_owned(),
                    "run `unnest --interactive` again to reconsider".to_owned(),
                ),
                None => (
                    Why::Skipped,
                    "another fix took its place in this run".to_owned(),
                    "run unnest again".to_owned(),
                ),
            }
        }
    };
    Left {
        path: display.clone(),
        line: line_label(cell, at.row),
        key: (cell, at.row, at.column),
        rule: d.rule,
        chain: chain(d.rule, &note.head),
        message: note.head,
        why,
        reason,
        next,
    }
}

/// A message split around its "(no automatic fix...)" note.
struct Note {
    head: String,
    reason: String,
    advice: Option<String>,
}

impl Note {
    fn of(message: &str) -> Self {
        let Some(at) = message
            .rfind(" (no automatic fix")
            .filter(|_| message.ends_with(')'))
        else {
            return Note {
                head: message.to_owned(),
                reason: "no automatic fix".to_owned(),
                advice: None,
            };
        };
        let head = &message[..at];
        let inner = &message[at + 2..message.len() - 1];
        // "no automatic fix: why; what to do", or "...; what to do (no
        // automatic fix)".
        match inner.split_once(": ") {
            Some((_, detail)) => match detail.rsplit_once("; ") {
                Some((why, advice)) => Note {
                    head: head.to_owned(),
                    reason: format!("no automatic fix: {why}"),
                    advice: Some(advice.to_owned()),
                },
                None => Note {
                    head: head.to_owned(),
                    reason: inner.to_owned(),
                    advice: None,
                },
            },
            None => Note {
                head: head.to_owned(),
                reason: inner.to_owned(),
                advice: head.rsplit_once("; ").map(|(_, a)| a.to_owned()),
            },
        }
    }
}

/// `caller` → `helper()` → `asyncio.run()`, from a call-graph message
/// ("X calls `a()` (p:1), which calls `b()` (p:2): that raises ...").
fn chain(rule: Rule, message: &str) -> Option<String> {
    if !matches!(
        rule,
        Rule::BlockingCallInAsync | Rule::BlockingCallInCallback
    ) {
        return None;
    }
    let head = &message[..message.find(": that raises")?];
    let (caller, rest) = head.split_once(" calls ")?;
    let mut links = vec![caller.to_owned()];
    let mut parts = rest.split('`');
    while let (Some(between), Some(name)) = (parts.next(), parts.next()) {
        // A long chain's message leaves out its middle links ("… N more …").
        if let Some(start) = between.find('…')
            && let Some(end) = between.rfind('…')
            && end > start
        {
            links.push(between[start..end + '…'.len_utf8()].to_owned());
        }
        links.push(format!("`{name}`"));
    }
    (links.len() > 1).then(|| links.join(" → "))
}

/// The change of one file as `--write` writes it (for a notebook, of its
/// JSON), without colour.
fn file_diff(file: &ProjectFile) -> String {
    let source = &file.source;
    match &file.notebook {
        None => diff::unified_diff(&source.display, file.original(), &file.text, false),
        Some(_) => match file.contents() {
            Ok(new) => diff::unified_diff(&source.display, &source.text, &new, false),
            Err(_) => String::new(),
        },
    }
}

/// `text` as Markdown prose: angle brackets outside code spans escaped, so
/// that a `<lambda>` is not taken for HTML.
fn prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// A code span or fence long enough for `text`'s own backticks.
fn ticks(text: &str, least: usize) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat(least.max(longest + 1))
}

fn code(text: &str) -> String {
    let t = ticks(text, 1);
    if text.starts_with('`') || text.ends_with('`') {
        format!("{t} {text} {t}")
    } else {
        format!("{t}{text}{t}")
    }
}

/// Diffs longer than this are folded.
const FOLD_LINES: usize = 30;

/// GitHub refuses a pull-request description longer than this many
/// characters.
const DESCRIPTION_LIMIT: usize = 65_536;

/// A diff line longer than this is cut (a notebook's outputs can be one
/// line of megabytes).
const LINE_LIMIT: usize = 300;

/// The report as Markdown. `command` is the command line as typed (the
/// program's name as `unnest`); `took` the time taken, or `None` to leave it
/// out. When the diffs would make it too long for a pull-request
/// description, they are left out, and the report says so.
pub fn markdown(outcome: &Outcome, command: &str, took: Option<&str>) -> String {
    let full = render(outcome, command, took, true);
    if full.chars().count() <= DESCRIPTION_LIMIT {
        return full;
    }
    render(outcome, command, took, false)
}

fn render(outcome: &Outcome, command: &str, took: Option<&str>, diffs: bool) -> String {
    let mut md = String::new();
    let total = outcome.total();
    let fixed_word = outcome.fixed_word();
    let _ = writeln!(md, "# {}\n", outcome.title());
    let mut line = format!(
        "Scanned {}: {}, {} {fixed_word}, {} left for a person, {} refused",
        plural(outcome.scanned, "file"),
        plural(total.found, "finding"),
        total.fixed,
        total.left,
        total.refused
    );
    if !outcome.errors.is_empty() {
        let _ = write!(line, "; {}", plural(outcome.errors.len(), "error"));
    }
    let _ = writeln!(md, "{line}.\n");
    if !outcome.rules.is_empty() {
        let _ = writeln!(
            md,
            "| rule | found | {fixed_word} | left for a person | refused |\n|---|---:|---:|---:|---:|"
        );
        for (rule, c) in &outcome.rules {
            let _ = writeln!(
                md,
                "| {} {} | {} | {} | {} | {} |",
                rule.code(),
                rule.name(),
                c.found,
                c.fixed,
                c.left,
                c.refused
            );
        }
        let _ = writeln!(
            md,
            "| **total** | {} | {} | {} | {} |\n",
            total.found, total.fixed, total.left, total.refused
        );
    }

    if !outcome.groups.is_empty() {
        let heading = match outcome.mode {
            Mode::Write => "Fixed",
            Mode::Diff => "Fixed (dry run: nothing written)",
            Mode::Check => "Fixable with `--write`",
        };
        let _ = writeln!(md, "## {heading}\n");
        if !diffs {
            let _ = writeln!(
                md,
                "The changes are left out: with them this report would be longer than a pull-request description may be. The diff of the branch shows them.\n"
            );
        }
        for group in &outcome.groups {
            let names: Vec<String> = group.files.iter().map(|f| code(f)).collect();
            let _ = write!(md, "### {}", names.join(", "));
            if group.files.len() > 1 {
                md.push_str(" (changed together: all or none)");
            }
            md.push_str("\n\n");
            for fix in &group.fixes {
                let _ = writeln!(
                    md,
                    "- {} {} {}{}: {}",
                    code(&format!("{}:{}", fix.path, fix.line)),
                    fix.rule.code(),
                    fix.rule.name(),
                    if fix.safe { "" } else { " (unsafe fix)" },
                    prose(&fix.message)
                );
            }
            md.push('\n');
            if diffs && !group.diff.is_empty() {
                let lines = group.diff.lines().count();
                let diff: String = group
                    .diff
                    .lines()
                    .map(|line| match line.char_indices().nth(LINE_LIMIT) {
                        Some((at, _)) => format!("{} [line cut]\n", &line[..at]),
                        None => format!("{line}\n"),
                    })
                    .collect();
                let fence = ticks(&diff, 3);
                let block = format!("{fence}diff\n{diff}{fence}\n");
                if lines > FOLD_LINES {
                    let _ = writeln!(
                        md,
                        "<details><summary>The change ({lines} lines)</summary>\n\n{block}\n</details>\n"
                    );
                } else {
                    let _ = writeln!(md, "{block}");
                }
            }
        }
    }

    if !outcome.left.is_empty() {
        let _ = writeln!(md, "## Needs a person ({})\n", outcome.left.len());
        for l in &outcome.left {
            let _ = writeln!(
                md,
                "- {} {} {}: {}",
                code(&format!("{}:{}", l.path, l.line)),
                l.rule.code(),
                l.rule.name(),
                prose(&l.message)
            );
            if let Some(chain) = &l.chain {
                let _ = writeln!(md, "  - chain: {}", prose(chain));
            }
            let _ = writeln!(md, "  - why not fixed: {}", prose(&l.reason));
            let _ = writeln!(md, "  - next step: {}", prose(&l.next));
        }
        md.push('\n');
    }

    if !outcome.errors.is_empty() {
        let _ = writeln!(md, "## Files skipped or refused\n");
        for e in &outcome.errors {
            let _ = writeln!(md, "- {}", prose(e));
        }
        md.push('\n');
    }

    let _ = writeln!(md, "---\n");
    let _ = writeln!(md, "- command: {}", code(command));
    let _ = writeln!(md, "- unnest {}", env!("CARGO_PKG_VERSION"));
    if let Some(took) = took {
        let _ = writeln!(md, "- time taken: {took}");
    }
    md
}

/// The command line as a shell would take it back, the program as `unnest`.
pub fn command_line(args: impl Iterator<Item = std::ffi::OsString>) -> String {
    let mut words = vec!["unnest".to_owned()];
    for arg in args.skip(1) {
        let arg = arg.to_string_lossy().into_owned();
        let plain = !arg.is_empty()
            && arg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
        if plain {
            words.push(arg);
        } else {
            words.push(format!("'{}'", arg.replace('\'', r"'\''")));
        }
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A long chain's message names its first and last links only; the
    /// report's arrow chain keeps the count of the links left out.
    #[test]
    fn a_shortened_chain_keeps_its_count() {
        let links = ["a", "b", "c", "d", "e", "f", "g"];
        let text = crate::analysis::graph::elide(
            links.len(),
            |i| format!("`{}()` (m.py:{i})", links[i]),
            ", which calls ",
        );
        assert_eq!(
            text,
            "`a()` (m.py:0), which calls `b()` (m.py:1), … 3 more …, which calls `f()` (m.py:5), which calls `g()` (m.py:6)"
        );
        let short = crate::analysis::graph::elide(3, |i| links[i].to_owned(), ", ");
        assert_eq!(short, "a, b, c");
        let message = format!("`async def h()` calls {text}: that raises RuntimeError");
        assert_eq!(
            chain(Rule::BlockingCallInAsync, &message).as_deref(),
            Some("`async def h()` → `a()` → `b()` → … 3 more … → `f()` → `g()`")
        );
    }

    #[test]
    fn the_note_gives_the_reason_and_the_next_step() {
        let note = Note::of(
            "`async def f()` calls `g()` (a.py:1), which calls `asyncio.run()` (a.py:2): that raises RuntimeError, because a loop already runs there (no automatic fix: the helper has sync callers; make it async)",
        );
        assert_eq!(note.reason, "no automatic fix: the helper has sync callers");
        assert_eq!(note.advice.as_deref(), Some("make it async"));
        assert!(note.head.ends_with("already runs there"));
        assert_eq!(
            chain(Rule::BlockingCallInAsync, &note.head).as_deref(),
            Some("`async def f()` → `g()` → `asyncio.run()`")
        );
        let note = Note::of("x raises; await the coroutine (no automatic fix)");
        assert_eq!(note.reason, "no automatic fix");
        assert_eq!(note.advice.as_deref(), Some("await the coroutine"));
        let note = Note::of("plain message");
        assert_eq!(note.head, "plain message");
        assert_eq!(note.advice, None);
    }

    /// A finding whose fix failed verification, in its own file or in
    /// another file the fix edits, is refused, with the verifier's reason.
    #[test]
    fn a_fix_that_failed_verification_is_refused() {
        use crate::edit::{Applicability, Edit, Fix, TextRange};
        let mut project =
            crate::project::Project::from_texts(&[("a.py", "x = f(1)\n"), ("b.py", "y = g(2)\n")])
                .unwrap();
        project.files[1].failed = true;
        let mut fix = Fix::new(
            vec![Edit::replace(TextRange::new(4, 8), "h(1)")],
            Applicability::Safe,
            String::new(),
        );
        let finding = |fix: Fix| Diagnostic {
            rule: Rule::BlockingCallInAsync,
            message: "m".to_owned(),
            range: TextRange::new(4, 8),
            fix: Some(fix),
        };
        let own = finding(fix.clone());
        fix.elsewhere = crate::edit::Elsewhere::new(vec![(
            1,
            vec![Edit::replace(TextRange::new(4, 8), "g(3)")].into(),
        )]);
        let found = vec![vec![finding(fix)], vec![own]];
        let errors = [Error::Unverified {
            path: "b.py".to_owned(),
            reason: "the fixed text would not parse (line 1, column 5)".to_owned(),
        }];
        let outcome = Outcome::new(&Run {
            files: &project.files,
            mode: Mode::Diff,
            first: &found,
            remaining: &found,
            applied: &[],
            written: None,
            errors: &errors,
            scanned: 2,
            unsafe_fixes: false,
            interactive: false,
        });
        let reasons: Vec<(&str, Why, &str)> = outcome
            .left
            .iter()
            .map(|l| (l.path.as_str(), l.why, l.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                (
                    "a.py",
                    Why::Refused,
                    "its fix also edits `b.py`: fixes refused: the fixed text would not parse (line 1, column 5); they were not applied, and the file keeps only fixes that verified"
                ),
                (
                    "b.py",
                    Why::Refused,
                    "fixes refused: the fixed text would not parse (line 1, column 5); they were not applied, and the file keeps only fixes that verified"
                ),
            ]
        );
        assert_eq!(outcome.total().refused, 2);
        assert_eq!(outcome.total().left, 0);
    }

    #[test]
    fn code_spans_outgrow_the_text_backticks() {
        assert_eq!(code("a.py:3"), "`a.py:3`");
        assert_eq!(code("x `y` z"), "``x `y` z``");
        assert_eq!(ticks("```", 3), "````");
        assert_eq!(prose("a <b> `<c>`"), "a &lt;b&gt; `<c>`");
    }

    #[test]
    fn the_command_line_is_quoted_for_a_shell() {
        let args = ["/abs/path/unnest", "--write", "my file.py", "it's"]
            .into_iter()
            .map(std::ffi::OsString::from);
        assert_eq!(command_line(args), r"unnest --write 'my file.py' 'it'\''s'");
    }
}
