//! `unnest record [--out DIR] -- CMD [ARGS]...`: runs a command (a test
//! suite, a server, a notebook execution) with a recording hook in front of
//! Python's import path, for that process and every Python process it starts,
//! and collects every nested event-loop run as a stack, even those the code
//! catches and hides. The command's output and exit status are passed
//! through; recording never changes what the program does. What is recorded
//! is then proof for `unnest --traceback DIR`, like a traceback.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use clap::Parser;

use crate::evidence::records;

/// The hook, imported by Python at startup as `sitecustomize`.
const HOOK: &str = include_str!("record_hook.py");

/// Run a command and record every event-loop run it starts under a running
/// loop, including the ones its code catches.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "unnest record",
    bin_name = "unnest record",
    version,
    after_help = "Then fix what was recorded: unnest --traceback DIR [PATH]...\n\
                  Python started with -I, -E or -S does not load the hook; unnest says so."
)]
pub struct RecordArgs {
    /// Where the records go (one JSON-lines file per Python process). Records
    /// of an earlier run there are removed first.
    #[arg(long, value_name = "DIR", default_value = ".unnest/records")]
    pub out: PathBuf,

    /// The command to run, after `--`: `unnest record -- python -m pytest -q`.
    #[arg(required = true, last = true, value_name = "CMD")]
    pub command: Vec<OsString>,
}

/// Whether the command line asks for `unnest record` (a path named `record`
/// is still reachable as `./record`).
pub fn is_record_command(args: &[OsString]) -> bool {
    args.get(1).is_some_and(|a| a == "record")
}

pub fn record(args: &RecordArgs) -> ExitCode {
    match run(args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &RecordArgs) -> Result<ExitCode, String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current folder: {e}"))?;
    let out = cwd.join(&args.out);
    std::fs::create_dir_all(&out).map_err(|e| {
        format!(
            "{}: cannot create the records folder: {e}",
            args.out.display()
        )
    })?;
    clear(&out)
        .map_err(|e| format!("{}: cannot clear earlier records: {e}", args.out.display()))?;
    let hook = tempfile::Builder::new()
        .prefix("unnest-record-")
        .tempdir()
        .map_err(|e| format!("cannot create a folder for the recording hook: {e}"))?;
    std::fs::write(hook.path().join("sitecustomize.py"), HOOK)
        .map_err(|e| format!("cannot write the recording hook: {e}"))?;
    let mut python_path = vec![hook.path().to_path_buf()];
    if let Some(existing) = std::env::var_os("PYTHONPATH") {
        python_path.extend(std::env::split_paths(&existing));
    }
    let python_path =
        std::env::join_paths(python_path).map_err(|e| format!("cannot extend PYTHONPATH: {e}"))?;

    let (program, rest) = args.command.split_first().expect("clap requires a command");
    // The command gets Ctrl-C itself (same process group); unnest waits for
    // it to end and still reports what was recorded.
    let _ = ctrlc::set_handler(|| {});
    let status = Command::new(program)
        .args(rest)
        .env("PYTHONPATH", python_path)
        .env("UNNEST_RECORD_DIR", &out)
        .env("UNNEST_RECORD_ROOT", &cwd)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", Path::new(program).display()))?;

    let records = records::read(&out)
        .map_err(|e| format!("{}: cannot read the records: {e}", args.out.display()))?;
    report(&records, &args.out);
    Ok(exit_code(status))
}

/// Removes the records of an earlier run, and nothing else: a `.jsonl` file
/// is one of ours only when it is a regular file whose first line is the
/// hook's `process` record (a folder may hold other JSON-lines data).
fn clear(out: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(out)? {
        let entry = entry?;
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "jsonl")
            && entry.file_type()?.is_file()
            && is_record_file(&path)
        {
            std::fs::remove_file(path)?;
        }
    }
    Ok(())
}

/// Whether `path` starts as the hook starts every file it writes.
fn is_record_file(path: &Path) -> bool {
    use std::io::Read;
    const FIRST: &[u8] = br#"{"kind": "process""#;
    let mut head = Vec::with_capacity(FIRST.len());
    std::fs::File::open(path)
        .and_then(|file| file.take(FIRST.len() as u64).read_to_end(&mut head))
        .is_ok_and(|_| head == FIRST)
}

/// What was recorded, on stderr (stdout is the command's).
fn report(records: &records::Records, out: &Path) {
    let out = out.display();
    if records.processes == 0 {
        eprintln!(
            "unnest record: no Python process loaded the recording hook, so nothing could be \
             recorded (was Python started with -I, -E or -S, or is the command not Python?)"
        );
        return;
    }
    let processes = match records.processes {
        1 => "1 Python process".to_owned(),
        n => format!("{n} Python processes"),
    };
    if records.runs.is_empty() {
        eprintln!("unnest record: no nested event-loop run in {processes}");
        return;
    }
    let distinct = match records.runs.len() {
        1 => "1 nested event-loop run".to_owned(),
        n => format!("{n} distinct nested event-loop runs"),
    };
    eprintln!(
        "unnest record: {distinct} recorded ({} in all) in {processes}, in {out}:",
        records.total()
    );
    for run in &records.runs {
        if let Some(call) = run.frames.last() {
            let times = if run.seen == 1 {
                String::new()
            } else {
                format!(" ({} times)", run.seen)
            };
            eprintln!(
                "  {}:{} in {}: {}{times}",
                call.file,
                call.line.unwrap_or(0),
                call.function.as_deref().unwrap_or("?"),
                run.call
            );
        }
    }
    eprintln!("Fix them with: unnest --traceback {out} [PATH]...");
    if !records.unreadable.is_empty() {
        eprintln!(
            "unnest record: {} unreadable record lines skipped (a process ended while writing?)",
            records.unreadable.len()
        );
    }
}

/// The command's exit status, as a shell would give it.
fn exit_code(status: std::process::ExitStatus) -> ExitCode {
    if let Some(code) = status.code() {
        return ExitCode::from(code.clamp(0, 255) as u8);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return ExitCode::from((128 + signal).clamp(0, 255) as u8);
        }
    }
    ExitCode::from(1)
}
