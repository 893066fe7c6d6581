//! A whole run: discover the files, load and analyse them as one project,
//! then print or write in a stable (sorted) order and choose the exit status.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::cli::{Args, Format, Mode};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, ExitStatus};
use crate::evidence::traceback::Traceback;
use crate::input::config::Config;
use crate::input::discover::discover;
use crate::output::progress::Progress;
use crate::output::{
    Positions, Stdout, diff, json, plural, report, review, summary, text, use_color,
    use_color_stderr,
};
use crate::project::{Decision, Project, ProjectFile, Proposal};
use crate::registry::Rule;
use crate::write::stage;

mod isolate;
pub mod record;

/// Messages go to stderr as with `std::eprintln!`, except that a stderr that
/// cannot be written (`2>/dev/full`, a closed pipe) loses them instead of
/// panicking: the exit status still tells the outcome.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

macro_rules! eprint {
    ($($arg:tt)*) => {{
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

pub fn run(args: &Args) -> ExitStatus {
    if let Some(code) = &args.explain {
        return explain(code);
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let configs = match configs_for(args, &cwd) {
        Ok(configs) => configs,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitStatus::Error;
        }
    };
    // `unsafe-fixes = true` in the configuration of the first path stands for
    // the flag.
    let mut args = args.clone();
    args.unsafe_fixes |= configs
        .first()
        .and_then(|c| c.unsafe_fixes)
        .unwrap_or(false);
    let args = &args;
    let mode = args.mode();
    if let Err(err) = check_outputs(args) {
        eprintln!("error: {err}");
        return ExitStatus::Error;
    }
    let tracebacks = match read_traceback(args) {
        Ok(tracebacks) => tracebacks,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitStatus::Error;
        }
    };
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if args.interactive {
            eprintln!(
                "error: --interactive reads its answers from stdin, so it cannot read the text from stdin too; use --write with `-`"
            );
            return ExitStatus::Error;
        }
        return run_stdin(args, mode, &configs[0], &cwd, tracebacks);
    }
    let discovered = match discover(&args.paths, &args.exclude, &configs) {
        Ok(discovered) => discovered,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitStatus::Error;
        }
    };
    if mode == Mode::Write {
        // Without a handler the signal would end the process mid-write and
        // leave a temporary file behind (the target itself is replaced by a
        // rename, so it is never partial).
        let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
    }
    let started = std::time::Instant::now();
    let environment = match find_environment(args, &cwd) {
        Ok(environment) => environment,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitStatus::Error;
        }
    };
    if args.verbose {
        match &environment {
            Some(environment) => eprintln!("{}", environment.describe()),
            None => eprintln!(
                "environment: none (no --python, VIRTUAL_ENV, .venv or venv); installed libraries are not looked at"
            ),
        }
    }
    let library_notes = std::sync::Mutex::new(Vec::new());
    let libraries = |tops: &std::collections::BTreeSet<String>| match &environment {
        Some(environment) => {
            let cache = (!args.no_cache)
                .then(|| crate::environment::cache::folder(&cwd))
                .flatten();
            let (index, notes) =
                crate::environment::summaries::libraries(environment, tops, cache.as_deref());
            if let Ok(mut all) = library_notes.lock() {
                all.extend(notes);
            }
            index
        }
        None => Default::default(),
    };
    let progress = Progress::new(discovered.files.len(), args.quiet);
    // The declared loop entry points of every configuration of the run.
    let loop_entries: Vec<_> = configs
        .iter()
        .flat_map(|c| c.loop_entry_points.iter().cloned())
        .collect();
    // A notebook that saved a nested run's traceback is evidence by itself:
    // the chain it shows may pass through files triage would leave out.
    let parse_all = discovered.files.iter().any(|f| saves_loop_error(f));
    let process = |files: &[PathBuf], tick: &(dyn Fn() + Sync), review: bool| {
        let mut project = Project::load_with(
            files,
            &cwd,
            tick,
            &loop_entries,
            &libraries,
            tracebacks.clone(),
            parse_all,
        );
        for file in &mut project.files {
            // The configuration of the path given that holds this file.
            let absolute = std::fs::canonicalize(&file.source.path)
                .unwrap_or_else(|_| file.source.path.clone());
            let config = args
                .paths
                .iter()
                .zip(&configs)
                .find(|(path, _)| {
                    std::fs::canonicalize(path).is_ok_and(|p| absolute.starts_with(p))
                })
                .map_or(&configs[0], |(_, config)| config);
            file.ignored = config.ignored_rules(&file.source.path);
        }
        if mode == Mode::Write {
            // A signal stops the fix passes too, not only the writes.
            project.stop = Some(&INTERRUPTED);
        }
        let (first, remaining) = match mode {
            Mode::Check => {
                let found = project.analyze();
                (found.clone(), found)
            }
            Mode::Write if review => {
                let color = use_color_stderr(args.color);
                let mut ask = |proposal: &Proposal| {
                    ask_on_stdin(
                        &review::hunk(proposal, color),
                        &review::location(proposal),
                        proposal.diagnostic,
                    )
                };
                project.fix_reviewed(args.unsafe_fixes, Some(&mut ask))
            }
            Mode::Diff | Mode::Write => project.fix(args.unsafe_fixes),
        };
        (project, first, remaining)
    };
    let mut errors = discovered.errors;
    let processed =
        isolate::guarded(|| process(&discovered.files, &|| progress.tick(), args.interactive));
    progress.finish();
    let (mut project, first, remaining) = match processed {
        Ok(processed) => processed,
        Err(panic) => isolate::recover(
            &discovered.files,
            &cwd,
            &panic,
            mode,
            &mut errors,
            &|files, counts| process(files, &|| {}, counts && args.interactive),
        ),
    };
    project.scanned = discovered.files.len();
    if args.verbose || std::env::var_os("UNNEST_TRACE").is_some() {
        for note in library_notes.lock().map(|n| n.clone()).unwrap_or_default() {
            eprintln!("{note}");
        }
    }
    if args.verbose {
        for file in &project.files {
            eprintln!("parsed {}", file.source.display);
        }
    }
    errors.append(&mut project.errors);
    let evidence = project.evidence();
    for note in &evidence.notes {
        eprintln!("note: {note}");
    }
    errors.extend(
        evidence
            .problems
            .iter()
            .map(|p| Error::Usage(format!("traceback: {p}"))),
    );

    let mut out = Stdout::lock();
    // `--report -` or `--summary-json -` takes stdout for itself.
    let stdout_taken = [&args.report, &args.summary_json]
        .into_iter()
        .any(|p| p.as_ref().is_some_and(|p| p.as_os_str() == "-"));
    let mut sink = std::io::sink();
    let mut main_out: &mut dyn Write = if stdout_taken { &mut sink } else { &mut out };
    let mut written = None;
    let findings = match mode {
        Mode::Write => {
            let report = write_fixes(
                &project,
                &first,
                &remaining,
                args,
                &mut main_out,
                &mut errors,
            );
            let left = report.left;
            written = Some(report);
            left
        }
        Mode::Check | Mode::Diff => print_findings(
            &project.files,
            &first,
            args,
            mode,
            &mut main_out,
            &mut errors,
        ),
    };
    if args.statistics {
        let counted = if mode == Mode::Write {
            &remaining
        } else {
            &first
        };
        // A table after JSON would make it invalid: machine formats keep
        // stdout to themselves.
        if args.format == Format::Text && !stdout_taken {
            print_statistics(counted, &mut out);
        } else {
            print_statistics(counted, &mut std::io::stderr());
        }
    }
    errors.sort_by_key(|e| e.to_string());
    if args.report.is_some() || args.summary_json.is_some() {
        let outcome = report::Outcome::new(&report::Run {
            files: &project.files,
            mode,
            first: &first,
            remaining: &remaining,
            applied: &project.applied_fixes,
            written: written.as_ref().map(|w| w.on_disk.as_slice()),
            errors: &errors,
            scanned: project.scanned,
            unsafe_fixes: args.unsafe_fixes,
            interactive: args.interactive,
        });
        let mut failed = Vec::new();
        if let Some(path) = &args.report {
            let took = format!("{:.2?}", started.elapsed());
            let command = report::command_line(std::env::args_os());
            let text = report::markdown(&outcome, &command, Some(&took));
            failed.extend(write_output(path, &text, &mut out));
        }
        if let Some(path) = &args.summary_json {
            failed.extend(write_output(path, &summary::json(&outcome), &mut out));
        }
        errors.extend(failed);
    }
    if let Err(err) = out.finish() {
        errors.push(stdout_error(err));
    }
    for err in &errors {
        eprintln!("error: {err}");
    }
    let summary = Summary {
        scanned: project.scanned,
        first: &first,
        written: written.as_ref(),
        errors: errors.len(),
        suppressed: project.suppressed(),
    };
    if !args.quiet {
        eprintln!("{}", summary.line(args, mode));
    }
    if args.verbose {
        eprintln!("took {:.2?}", started.elapsed());
    }
    // The process ends next: freeing every tree and summary one by one would
    // only cost time (a few percent of a large run).
    std::mem::forget(project);
    if !errors.is_empty() {
        ExitStatus::Error
    } else if findings > 0 {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
}

/// `--traceback FILE` (`-`: stdin): the traceback, which must end in a
/// nested event-loop error; the message says why not.
fn read_traceback(args: &Args) -> Result<Vec<Traceback>, String> {
    let Some(path) = &args.traceback else {
        return Ok(Vec::new());
    };
    let (name, bytes) = if path.as_os_str() == "-" {
        if args.paths.iter().any(|p| p.as_os_str() == "-") {
            return Err("`--traceback -` and the path `-` cannot both read stdin".to_owned());
        }
        if args.interactive {
            return Err(
                "`--traceback -` and --interactive cannot both read stdin; save the traceback to a file"
                    .to_owned(),
            );
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .map_err(|err| format!("cannot read the traceback from stdin: {err}"))?;
        ("stdin".to_owned(), bytes)
    } else if crate::evidence::records::is_records_folder(path) {
        return read_records(path);
    } else {
        let name = path.display().to_string();
        let bytes = std::fs::read(path)
            .map_err(|err| format!("{name}: cannot read the traceback: {err}"))?;
        (name, bytes)
    };
    // Logs are not always UTF-8; the frames that matter are.
    let text = String::from_utf8_lossy(&bytes);
    match crate::evidence::traceback::parse(&text) {
        Ok(traceback) => Ok(vec![traceback]),
        Err(why) => Err(format!(
            "{name}: {why}; --traceback takes the traceback of a nested run (`asyncio.run() cannot be called from a running event loop`, `This event loop is already running`, `Cannot run the event loop while another loop is running`, `Runner.run() cannot be called from a running event loop`)"
        )),
    }
}

/// `--traceback DIR`: every distinct nested run `unnest record` wrote to
/// DIR, each a proven chain like a traceback.
fn read_records(dir: &std::path::Path) -> Result<Vec<Traceback>, String> {
    let name = dir.display();
    let records = crate::evidence::records::read(dir)
        .map_err(|err| format!("{name}: cannot read the records: {err}"))?;
    if records.processes == 0 && records.runs.is_empty() {
        return Err(format!(
            "{name}: no records of `unnest record` here (it writes one .jsonl file per Python process)"
        ));
    }
    let deadlocks = records.runs.iter().filter(|r| r.error.is_none()).count();
    if deadlocks > 0 {
        eprintln!(
            "note: {name}: {deadlocks} recorded `run_coroutine_threadsafe(...)` on the caller's own loop deadlock rather than raise; UNN014 finds them in the code"
        );
    }
    Ok(records
        .runs
        .iter()
        .filter_map(|run| run.as_traceback())
        .collect())
}

/// Whether a notebook's bytes hold a saved nested-run error (cheap: its
/// outputs are checked properly when it is analysed).
fn saves_loop_error(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|e| e == "ipynb")
        && std::fs::read(path).is_ok_and(|bytes| {
            let text = String::from_utf8_lossy(&bytes);
            [
                "cannot be called from a running event loop",
                "This event loop is already running",
                "while another loop is running",
            ]
            .iter()
            .any(|m| text.contains(m))
        })
}

/// `--interactive`: show a fix on stderr and read the answer from stdin. The
/// end of stdin counts as quitting.
fn ask_on_stdin(hunk: &str, at: &str, d: &Diagnostic) -> Decision {
    eprintln!("{at}: {} {}", d.rule.code(), d.message);
    if let Some(fix) = &d.fix {
        eprintln!("fix: {}", fix.message);
    }
    eprint!("{hunk}");
    loop {
        eprint!("Apply this fix? [y]es, [n]o, [a]ll remaining, [q]uit: ");
        let mut answer = String::new();
        match std::io::stdin().read_line(&mut answer) {
            Ok(0) | Err(_) => {
                eprintln!();
                return Decision::Quit;
            }
            Ok(_) => {}
        }
        match answer.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => return Decision::Yes,
            "n" | "no" => return Decision::No,
            "a" | "all" => return Decision::All,
            "q" | "quit" => return Decision::Quit,
            _ => eprintln!("Please answer y, n, a or q."),
        }
    }
}

/// The environment of the run: `--python`, else `VIRTUAL_ENV`, else `.venv`
/// or `venv` in a folder given on the command line or the current folder.
fn find_environment(
    args: &Args,
    cwd: &std::path::Path,
) -> Result<Option<crate::environment::Environment>, Error> {
    let mut roots: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.is_dir())
        .map(|p| cwd.join(p))
        .collect();
    roots.push(cwd.to_owned());
    crate::environment::find(
        args.python.as_deref(),
        std::env::var_os("VIRTUAL_ENV").as_deref(),
        &roots,
    )
}

/// The configuration of each path given: `--isolated` means the defaults,
/// `--config` one file for all, else the closest file at or above each path.
fn configs_for(args: &Args, cwd: &std::path::Path) -> Result<Vec<Config>, Error> {
    let paths: Vec<PathBuf> = args
        .paths
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                // Text from stdin is configured as the file it stands for.
                args.stdin_filename
                    .as_ref()
                    .map_or_else(|| cwd.to_owned(), |name| cwd.join(name))
            } else {
                p.clone()
            }
        })
        .collect();
    if args.isolated {
        return Ok(paths.iter().map(|p| Config::default_at(p)).collect());
    }
    if let Some(file) = &args.config {
        let config = Config::read(file)?;
        return Ok(vec![config; paths.len()]);
    }
    paths.iter().map(|p| Config::find(p)).collect()
}

/// `unnest -`: one file's text from stdin, for editors and pipelines. With
/// `--write` the fixed text goes to stdout (the text as it was when nothing
/// applies); otherwise the diff or the diagnostics, as for a file.
fn run_stdin(
    args: &Args,
    mode: Mode,
    config: &Config,
    cwd: &std::path::Path,
    tracebacks: Vec<Traceback>,
) -> ExitStatus {
    if args.paths.len() != 1 {
        eprintln!("error: `-` (stdin) cannot be combined with other paths");
        return ExitStatus::Error;
    }
    let mut bytes = Vec::new();
    if let Err(err) = std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes) {
        eprintln!("error: cannot read stdin: {err}");
        return ExitStatus::Error;
    }
    let name = args
        .stdin_filename
        .as_ref()
        .map_or_else(|| "-".to_owned(), |p| p.to_string_lossy().into_owned());
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            eprintln!(
                "error: {name}: skipped: the file is not valid UTF-8 (at byte {})",
                err.utf8_error().valid_up_to()
            );
            if mode == Mode::Write {
                // A pipeline still gets its bytes back, untouched.
                let mut out = Stdout::lock();
                let _ = out.write_all(err.as_bytes());
                if let Err(err) = out.finish() {
                    eprintln!("error: {}", stdout_error(err));
                }
            }
            return ExitStatus::Error;
        }
    };
    let processed = isolate::guarded(|| {
        let mut project = Project::from_texts(&[(&name, &text)])?;
        project.loop_entries = config.loop_entry_points.clone();
        project.tracebacks = tracebacks.clone();
        if let Some(name) = &args.stdin_filename {
            project.files[0].ignored = config.ignored_rules(&cwd.join(name));
        }
        let (first, remaining) = match mode {
            Mode::Check => {
                let found = project.analyze();
                (found.clone(), found)
            }
            Mode::Diff | Mode::Write => project.fix(args.unsafe_fixes),
        };
        Ok((project, first, remaining))
    })
    .unwrap_or_else(|message| {
        Err(Error::Internal {
            path: name.clone(),
            message,
        })
    });
    let (project, first, remaining) = match processed {
        Ok(processed) => processed,
        Err(err) => {
            eprintln!("error: {err}");
            if mode == Mode::Write {
                // A pipeline still gets its text back, untouched.
                let mut out = Stdout::lock();
                let _ = out.write_all(text.as_bytes());
                if let Err(err) = out.finish() {
                    eprintln!("error: {}", stdout_error(err));
                }
            }
            return ExitStatus::Error;
        }
    };
    let mut out = Stdout::lock();
    let file = &project.files[0];
    let mut status = ExitStatus::Clean;
    let evidence = project.evidence();
    for note in &evidence.notes {
        eprintln!("note: {note}");
    }
    for problem in &evidence.problems {
        eprintln!("error: traceback: {problem}");
        status = ExitStatus::Error;
    }
    let findings = if mode == Mode::Write {
        let contents = match file.contents() {
            Ok(contents) => contents,
            Err(err) => {
                eprintln!("error: {err}");
                status = ExitStatus::Error;
                text.clone()
            }
        };
        let _ = write!(out, "{contents}");
        let positions = Positions::new(file, &file.text);
        for d in &remaining[0] {
            eprintln!(
                "{}",
                text::diagnostic_line(&name, &positions, d, args.unsafe_fixes)
            );
        }
        remaining[0].len()
    } else {
        let mut errors = Vec::new();
        let findings = print_findings(&project.files, &first, args, mode, &mut out, &mut errors);
        for err in errors {
            eprintln!("error: {err}");
            status = ExitStatus::Error;
        }
        findings
    };
    if let Err(err) = out.finish() {
        eprintln!("error: {}", stdout_error(err));
        status = ExitStatus::Error;
    }
    for err in &project.errors {
        eprintln!("error: {err}");
        status = ExitStatus::Error;
    }
    if status == ExitStatus::Error {
        status
    } else if findings > 0 {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
}

/// Dry run and `--check`: print diffs or diagnostics; returns how many findings
/// there are.
fn print_findings(
    files: &[ProjectFile],
    found: &[Vec<Diagnostic>],
    args: &Args,
    mode: Mode,
    out: &mut impl Write,
    errors: &mut Vec<Error>,
) -> usize {
    let color = use_color(args.color);
    let mut findings = 0;
    let mut json_items = Vec::new();
    for (file, diagnostics) in files.iter().zip(found) {
        let display = &file.source.display;
        findings += diagnostics.len();
        if args.format != Format::Text {
            let place = json::Place::new(file, file.original());
            json_items.extend(
                diagnostics
                    .iter()
                    .map(|d| json::diagnostic(files, &place, d)),
            );
            continue;
        }
        // Diagnostics of the first pass point into the text first analysed.
        let positions = Positions::new(file, file.original());
        match mode {
            Mode::Check => {
                for d in diagnostics {
                    let _ = writeln!(
                        out,
                        "{}",
                        text::diagnostic_line(display, &positions, d, args.unsafe_fixes)
                    );
                }
            }
            _ => {
                if file.is_changed() {
                    let patch =
                        isolate::guarded(|| file_diff(file, color)).unwrap_or_else(|message| {
                            Err(Error::Internal {
                                path: display.clone(),
                                message,
                            })
                        });
                    match patch {
                        Ok(patch) => {
                            let _ = write!(out, "{patch}");
                        }
                        Err(err) => errors.push(err),
                    }
                }
                // Findings the diff cannot show go to stderr, so the patch on
                // stdout stays clean.
                for d in diagnostics.iter().filter(|d| {
                    !d.fix
                        .as_ref()
                        .is_some_and(|f| f.is_applicable(args.unsafe_fixes))
                }) {
                    eprintln!(
                        "{}",
                        text::diagnostic_line(display, &positions, d, args.unsafe_fixes)
                    );
                }
            }
        }
    }
    crate::output::emit(args.format, &json_items, out);
    findings
}

/// The dry-run diff of one file: a patch of the file as `--write` would
/// write it. For a notebook that is a patch of its JSON, which reads well
/// since only the changed cells' source strings differ, and which `git apply`
/// takes like any other.
fn file_diff(file: &ProjectFile, color: bool) -> Result<String, Error> {
    let source = &file.source;
    let (old, new) = match &file.notebook {
        None => (
            source.with_bom(file.original()),
            source.with_bom(&file.text),
        ),
        Some(_) => (source.with_bom(&source.text), file.contents()?),
    };
    Ok(diff::unified_diff(&source.display, &old, &new, color))
}

/// Set by SIGINT or SIGTERM: `--write` finishes the file it is writing and
/// writes no other, so every file is either old or new.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// What `--write` did.
struct Written {
    /// Findings left in the files as they are now on disk.
    left: usize,
    /// Fixes written (a fix counts once its whole group is written).
    fixes: usize,
    /// Files written.
    files: usize,
    /// Changed files that were not written.
    refused: usize,
    /// Per file: whether it is on disk as fixed.
    on_disk: Vec<bool>,
}

/// The groups of files that must be written together: files that one fix
/// changes together, transitively (`links`), each group sorted; a file no
/// fix links is a group of its own.
fn write_groups(count: usize, links: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..count).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for &(a, b) in links {
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..count {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    groups.into_values().collect()
}

/// `--write`: write every changed file, each group of files that fixes link
/// all or none (staged first, renamed once all are staged), then print what
/// remains in the files as they are on disk.
fn write_fixes(
    project: &Project,
    first: &[Vec<Diagnostic>],
    remaining: &[Vec<Diagnostic>],
    args: &Args,
    out: &mut impl Write,
    errors: &mut Vec<Error>,
) -> Written {
    let files = &project.files;
    // The folders the run covers: each folder given, and the folder of each
    // file given (a link given by name may point next to itself, not away).
    let roots: Vec<PathBuf> = args
        .paths
        .iter()
        .filter_map(|p| {
            if p.is_dir() {
                std::fs::canonicalize(p).ok()
            } else {
                let folder = p.parent().filter(|f| !f.as_os_str().is_empty());
                std::fs::canonicalize(folder.unwrap_or(std::path::Path::new("."))).ok()
            }
        })
        .collect();
    let mut written = vec![false; files.len()];
    let mut report = Written {
        left: 0,
        fixes: 0,
        files: 0,
        refused: 0,
        on_disk: Vec::new(),
    };
    let mut interrupted = 0;
    // Groups are staged a batch at a time, the batch's files synced together
    // (see `sync_all`), then each group renamed in place; a batch is bounded
    // so that its temporary files stay within the open-file limit.
    let groups: Vec<(Vec<usize>, Vec<usize>)> = write_groups(files.len(), &project.links)
        .into_iter()
        .map(|group| {
            let changed = group
                .iter()
                .copied()
                .filter(|&i| files[i].is_changed())
                .collect::<Vec<_>>();
            (group, changed)
        })
        .filter(|(_, changed)| !changed.is_empty())
        .collect();
    let mut pending = groups.into_iter().peekable();
    while pending.peek().is_some() {
        let mut batch = Vec::new();
        let mut size = 0;
        while let Some((_, changed)) = pending.peek() {
            if size > 0 && size + changed.len() > 256 {
                break;
            }
            size += changed.len();
            batch.push(pending.next().expect("peeked"));
        }
        let mut prepared = Vec::new();
        for (group, changed) in batch {
            if INTERRUPTED.load(Ordering::SeqCst) {
                interrupted += changed.len();
                report.refused += changed.len();
                continue;
            }
            let staged = stage_group(files, &changed, &roots);
            prepared.push((group, changed, staged));
        }
        let synced = {
            let all: Vec<&crate::write::Staged> = prepared
                .iter()
                .filter_map(|(_, _, staged)| staged.as_ref().ok())
                .flatten()
                .map(|(file, _)| file)
                .collect();
            crate::write::sync_all(&all)
        };
        let mut synced = synced.into_iter();
        for (_, changed, staged) in &mut prepared {
            let Ok(files_staged) = staged else {
                continue;
            };
            let results: Vec<Result<(), Error>> =
                synced.by_ref().take(files_staged.len()).collect();
            if let Some(at) = results.iter().position(Result::is_err) {
                let err = results
                    .into_iter()
                    .nth(at)
                    .expect("found")
                    .expect_err("an error");
                *staged = Err((changed[at], err));
            }
        }
        for (group, changed, staged) in prepared {
            if INTERRUPTED.load(Ordering::SeqCst) {
                // Dropped: the temporary files go, the group stays old.
                interrupted += changed.len();
                report.refused += changed.len();
                continue;
            }
            write_group(
                files,
                &group,
                &changed,
                staged,
                &roots,
                &mut written,
                &mut report,
                errors,
            );
        }
    }
    let mut json_items = Vec::new();
    // Interrupted before any write: every file is as first read, and so are
    // the findings of the files no fix changed.
    let untouched = INTERRUPTED.load(Ordering::SeqCst) && !written.contains(&true);
    for (i, file) in files.iter().enumerate() {
        // A file that was not written still holds what was first found.
        let (diagnostics, text) = if (untouched || file.is_changed()) && !written[i] {
            (&first[i], file.original())
        } else {
            (&remaining[i], file.text.as_str())
        };
        report.left += diagnostics.len();
        let positions = Positions::new(file, text);
        let place = (args.format != Format::Text).then(|| json::Place::new(file, text));
        for d in diagnostics {
            if let Some(place) = &place {
                json_items.push(json::diagnostic(files, place, d));
            } else {
                let line =
                    text::diagnostic_line(&file.source.display, &positions, d, args.unsafe_fixes);
                let _ = writeln!(out, "{line}");
            }
        }
    }
    crate::output::emit(args.format, &json_items, out);
    if interrupted > 0 {
        errors.push(Error::Usage(format!(
            "interrupted: {} not written; every file is either as it was or fully fixed",
            if interrupted == 1 {
                "1 fixed file was".to_owned()
            } else {
                format!("{interrupted} fixed files were")
            }
        )));
    } else if untouched {
        errors.push(Error::Usage(
            "interrupted before any fix was written: every file is as it was".to_owned(),
        ));
    }
    report.on_disk = written;
    report
}

/// Stage the changed files of one write group, stopping at the first that
/// cannot be: that file and why.
fn stage_group(
    files: &[ProjectFile],
    changed: &[usize],
    roots: &[PathBuf],
) -> Result<Vec<(crate::write::Staged, String)>, (usize, Error)> {
    let mut staged = Vec::new();
    for &i in changed {
        let source = &files[i].source;
        let contents = isolate::guarded(|| files[i].contents()).unwrap_or_else(|message| {
            Err(Error::Internal {
                path: source.display.clone(),
                message,
            })
        });
        let result = contents.and_then(|contents| {
            stage(
                &source.path,
                &source.display,
                roots,
                &source.original(),
                contents.as_bytes(),
            )
            .map(|file| (file, contents))
        });
        match result {
            Ok(file) => staged.push(file),
            // Dropping the staged files removes them: the group stays old.
            Err(err) => return Err((i, err)),
        }
    }
    Ok(staged)
}

/// Rename a write group's staged (and synced) files in place, all or none,
/// or report why the group is left as it was.
#[allow(clippy::too_many_arguments)]
fn write_group(
    files: &[ProjectFile],
    group: &[usize],
    changed: &[usize],
    staged: Result<Vec<(crate::write::Staged, String)>, (usize, Error)>,
    roots: &[PathBuf],
    written: &mut [bool],
    report: &mut Written,
    errors: &mut Vec<Error>,
) {
    let staged = match staged {
        Ok(staged) => staged,
        Err((culprit, err)) => {
            errors.push(err);
            if changed.len() > 1 {
                let others: Vec<&str> = changed
                    .iter()
                    .filter(|&&i| i != culprit)
                    .map(|&i| files[i].source.display.as_str())
                    .collect();
                let all: Vec<&str> = changed
                    .iter()
                    .map(|&i| files[i].source.display.as_str())
                    .collect();
                errors.push(Error::Usage(format!(
                    "{}: not written: fixed together with {}, which could not be written; the group ({}) is left as it was",
                    others.join(", "),
                    files[culprit].source.display,
                    all.join(", ")
                )));
            }
            report.refused += changed.len();
            return;
        }
    };
    let mut all = true;
    let mut committed: Vec<(usize, String)> = Vec::new();
    for ((file, contents), &i) in staged.into_iter().zip(changed) {
        if !all {
            // Dropped: the temporary file goes, the file stays old.
            continue;
        }
        match file.commit() {
            Ok(()) => {
                written[i] = true;
                committed.push((i, contents));
            }
            Err(err) => {
                all = false;
                errors.push(err);
            }
        }
    }
    if !all {
        // A rename failed after others of the group succeeded (the folder
        // changed under us): put those back, the same careful way.
        for (i, contents) in committed {
            let source = &files[i].source;
            let restored = stage(
                &source.path,
                &source.display,
                roots,
                contents.as_bytes(),
                &source.original(),
            )
            .and_then(|file| file.sync().and_then(|()| file.commit()));
            match restored {
                Ok(()) => written[i] = false,
                Err(err) => errors.push(err),
            }
        }
        let names: Vec<&str> = changed
            .iter()
            .map(|&i| files[i].source.display.as_str())
            .collect();
        errors.push(Error::Usage(format!(
            "{}: a rename failed, so the files of this group already written were put back as they were (any that could not be is named above)",
            names.join(", ")
        )));
    }
    report.files += changed.iter().filter(|&&i| written[i]).count();
    report.refused += changed.iter().filter(|&&i| !written[i]).count();
    if all {
        report.fixes += group.iter().map(|&i| files[i].applied).sum::<usize>();
    }
}

/// `--report` and `--summary-json`: at most one of them, and no machine
/// format, may have stdout; neither reads text from stdin.
fn check_outputs(args: &Args) -> Result<(), Error> {
    let to_stdout = [
        ("--report", &args.report),
        ("--summary-json", &args.summary_json),
    ]
    .into_iter()
    .filter(|(_, p)| p.as_ref().is_some_and(|p| p.as_os_str() == "-"))
    .map(|(flag, _)| flag)
    .collect::<Vec<_>>();
    if to_stdout.len() > 1 {
        return Err(Error::Usage(
            "--report - and --summary-json - cannot both write to stdout; give one a file".into(),
        ));
    }
    if let Some(flag) = to_stdout.first()
        && args.format != Format::Text
    {
        return Err(Error::Usage(format!(
            "{flag} - and --format {} cannot both write to stdout; give {flag} a file",
            clap::ValueEnum::to_possible_value(&args.format)
                .map_or_else(String::new, |v| v.get_name().to_owned())
        )));
    }
    // An output must never replace what the run reads: a Python file or
    // notebook (given or under a folder given), or the other output.
    let outputs: Vec<(&str, &std::path::Path)> = [
        ("--report", &args.report),
        ("--summary-json", &args.summary_json),
    ]
    .into_iter()
    .filter_map(|(flag, p)| p.as_deref().map(|p| (flag, p)))
    .filter(|(_, p)| p.as_os_str() != "-")
    .collect();
    let same = |a: &std::path::Path, b: &std::path::Path| match (a.canonicalize(), b.canonicalize())
    {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    for (flag, path) in &outputs {
        let source = path
            .extension()
            .is_some_and(|e| e == "py" || e == "pyi" || e == "ipynb");
        if args.paths.iter().any(|p| same(p, path)) || (source && path.exists()) {
            return Err(Error::Usage(format!(
                "{flag} {}: that is a file the run reads; give the output another path",
                path.display()
            )));
        }
    }
    if let [(_, a), (_, b)] = outputs.as_slice()
        && same(a, b)
    {
        return Err(Error::Usage(
            "--report and --summary-json name the same file; give them different paths".into(),
        ));
    }
    if (args.report.is_some() || args.summary_json.is_some())
        && args.paths.iter().any(|p| p.as_os_str() == "-")
    {
        return Err(Error::Usage(
            "--report and --summary-json describe a run over files, not text from stdin (`-`)"
                .into(),
        ));
    }
    Ok(())
}

/// Write `text` to `path`, or to stdout for `-`.
fn write_output(path: &std::path::Path, text: &str, out: &mut impl Write) -> Option<Error> {
    if path.as_os_str() == "-" {
        let _ = out.write_all(text.as_bytes());
        return None;
    }
    std::fs::write(path, text)
        .err()
        .map(|err| Error::Usage(format!("{}: cannot write: {err}", path.display())))
}

/// `--explain CODE`: the rule's documentation.
fn explain(code: &str) -> ExitStatus {
    match Rule::ALL
        .iter()
        .find(|r| r.code().eq_ignore_ascii_case(code) || r.name() == code)
    {
        Some(rule) => {
            let (finds, fix) = rule.table_row();
            let mut out = Stdout::lock();
            let _ = writeln!(
                out,
                "{} ({})\n\nFinds: {finds}\nFix: {fix}\n",
                rule.code(),
                rule.name()
            );
            let _ = writeln!(out, "{}", rule.doc().trim_end());
            match out.finish() {
                Ok(()) => ExitStatus::Clean,
                Err(err) => {
                    eprintln!("error: {}", stdout_error(err));
                    ExitStatus::Error
                }
            }
        }
        None => {
            let codes: Vec<&str> = Rule::ALL.iter().map(|r| r.code()).collect();
            eprintln!(
                "error: no rule `{code}`; the rules are {}",
                codes.join(", ")
            );
            ExitStatus::Error
        }
    }
}

/// Output lost on the way to stdout (a broken pipe is not an error).
fn stdout_error(err: std::io::Error) -> Error {
    Error::Usage(format!(
        "cannot write to stdout: {err}; the output is incomplete"
    ))
}

/// `--statistics`: findings per rule, most first.
fn print_statistics(found: &[Vec<Diagnostic>], out: &mut impl Write) {
    let mut counts: Vec<(Rule, usize, usize)> = Rule::ALL
        .iter()
        .map(|&rule| {
            let of_rule = || found.iter().flatten().filter(move |d| d.rule == rule);
            (
                rule,
                of_rule().count(),
                of_rule().filter(|d| d.fix.is_some()).count(),
            )
        })
        .filter(|(_, count, _)| *count > 0)
        .collect();
    counts.sort_by_key(|&(rule, count, _)| (std::cmp::Reverse(count), rule));
    for (rule, count, fixable) in counts {
        let _ = writeln!(
            out,
            "{count:>5}  {}  {:<28} {fixable} with a fix",
            rule.code(),
            rule.name()
        );
    }
}

struct Summary<'a> {
    scanned: usize,
    first: &'a [Vec<Diagnostic>],
    /// What `--write` did.
    written: Option<&'a Written>,
    errors: usize,
    suppressed: usize,
}

impl Summary<'_> {
    fn line(&self, args: &Args, mode: Mode) -> String {
        let all = || self.first.iter().flatten();
        let findings = all().count();
        let fixable = |unsafe_fixes: bool| {
            all()
                .filter(|d| {
                    d.fix
                        .as_ref()
                        .is_some_and(|f| f.is_applicable(unsafe_fixes))
                })
                .count()
        };
        let (safe, with_unsafe) = (fixable(false), fixable(true));
        let mut parts = vec![format!("Scanned {}", plural(self.scanned, "file"))];
        match (mode, self.written) {
            (Mode::Write, Some(written)) => {
                // The fixes written, whatever they uncovered: a fix that
                // makes a helper async fixes its finding and may reveal one
                // in the helper's own callers.
                parts.push(format!(
                    "fixed {} in {}",
                    plural(written.fixes, "finding"),
                    plural(written.files, "file")
                ));
                if written.refused > 0 {
                    parts.push(format!(
                        "{} not written (see the errors)",
                        plural(written.refused, "fixed file")
                    ));
                }
                parts.push(format!("{} remaining", plural(written.left, "finding")));
            }
            _ => {
                parts.push(plural(findings, "finding"));
                let fixable_now = if args.unsafe_fixes { with_unsafe } else { safe };
                parts.push(format!("{fixable_now} fixable"));
                if !args.unsafe_fixes && with_unsafe > safe {
                    parts.push(format!("{} more with --unsafe-fixes", with_unsafe - safe));
                }
                if findings > with_unsafe {
                    parts.push(format!("{} without a fix", findings - with_unsafe));
                }
            }
        }
        if self.suppressed > 0 {
            parts.push(format!("{} suppressed by noqa", self.suppressed));
        }
        if self.errors > 0 {
            parts.push(plural(self.errors, "error"));
        }
        let mut line = parts.join(", ");
        line.push('.');
        if mode == Mode::Diff && fixable(args.unsafe_fixes) > 0 {
            line.push_str(" Run with --write to apply.");
        }
        line
    }
}
