//! What the command line promises when things go wrong around it: closed or
//! full stdout, files that cannot be written, panics, odd file names, and the
//! summary counting only what happened.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BROKEN: &str = "import asyncio\n\n\nasync def main():\n    return asyncio.run(work())\n";
const FIXED: &str = "import asyncio\n\n\nasync def main():\n    return await work()\n";

fn unnest() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_unnest"));
    command
        .env_remove("NO_COLOR")
        .env_remove("UNNEST_DEBUG_PANIC");
    command
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    unnest().current_dir(dir).args(args).output().unwrap()
}

fn with_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    use std::io::Write as _;
    let mut child = unnest()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let temp = tempfile::tempdir().unwrap();
    for (path, contents) in files {
        let full = temp.path().join(path);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, contents).unwrap();
    }
    temp
}

fn read(dir: &Path, path: &str) -> String {
    String::from_utf8(fs::read(dir.join(path)).unwrap()).unwrap()
}

/// Run with stdout on `/dev/full`, where every write fails with ENOSPC.
#[cfg(target_os = "linux")]
fn to_full_disk(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    use std::io::Write as _;
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let mut child = unnest()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(full)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_stdout_is_an_error_not_a_panic_or_silence() {
    let temp = tree(&[("a.py", BROKEN.as_bytes())]);
    for (args, input) in [
        (&["--explain", "UNN001"][..], &b""[..]),
        (&["--write", "-"], BROKEN.as_bytes()),
        (&["--write", "-"], b"x = '\xff'\n"),
        (&["--check", "a.py"], b""),
        (&["a.py"], b""),
    ] {
        let output = to_full_disk(temp.path(), args, input);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("cannot write to stdout"),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
    }
}

#[test]
fn a_closed_stdout_ends_quietly() {
    let temp = tree(&[]);
    for i in 0..300 {
        fs::write(temp.path().join(format!("m{i:03}.py")), BROKEN).unwrap();
    }
    for args in [&["--explain", "UNN001"][..], &["."], &["--check", "."]] {
        let mut child = unnest()
            .current_dir(temp.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before (or while) unnest writes.
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{args:?}: {:?} {}",
            output.status,
            stderr(&output)
        );
        assert!(!stderr(&output).contains("error"), "{}", stderr(&output));
        assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
    }
}

#[test]
fn statistics_go_to_stderr_with_machine_formats() {
    let temp = tree(&[("a.py", BROKEN.as_bytes())]);
    for format in ["json", "sarif"] {
        let output = run_in(
            temp.path(),
            &["--check", "--statistics", "--format", format],
        );
        let _: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("stdout stays one JSON document");
        assert!(stderr(&output).contains("1  UNN001"), "{}", stderr(&output));
    }
    let output = run_in(
        temp.path(),
        &["--check", "--statistics", "--format", "json-lines"],
    );
    for line in stdout(&output).lines() {
        let _: serde_json::Value = serde_json::from_str(line).expect("every line is JSON");
    }
    assert!(stderr(&output).contains("1  UNN001"), "{}", stderr(&output));
    let text = run_in(temp.path(), &["--check", "--statistics"]);
    assert!(stdout(&text).contains("1  UNN001"), "{}", stdout(&text));
}

#[test]
fn write_stdin_passes_invalid_utf8_through() {
    let temp = tree(&[]);
    let input = b"import asyncio\nx = '\xff'\n";
    let output = with_stdin(temp.path(), &["--write", "-"], input);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(output.stdout, input);
    assert!(
        stderr(&output).contains("not valid UTF-8"),
        "{}",
        stderr(&output)
    );
}
