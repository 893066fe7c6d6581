//! What the command line promises when things go wrong around it: closed or
//! full stdout, files that cannot be written, panics, odd file names, and the
//! summary counting only what happened.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

mod common;
use common::{run_in, stderr, stdout, tree, unnest};

const BROKEN: &str = "import asyncio\n\n\nasync def main():\n    return asyncio.run(work())\n";
const FIXED: &str = "import asyncio\n\n\nasync def main():\n    return await work()\n";

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
    // A child that refuses its arguments exits before reading: its closed
    // stdin is not this test's failure.
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
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
    // A child that refuses its arguments exits before reading: its closed
    // stdin is not this test's failure.
    let _ = child.stdin.take().unwrap().write_all(input);
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

#[cfg(unix)]
#[test]
fn a_closed_stdout_ends_quietly() {
    let temp = tree(&[]);
    for i in 0..300 {
        fs::write(temp.path().join(format!("m{i:03}.py")), BROKEN).unwrap();
    }
    for args in ["--explain UNN001", ".", "--check .", "--format json ."] {
        // The reader closes its end before unnest writes anything.
        let script = format!(
            "(sleep 0.3; exec \"$0\" {args}) | (exec 0<&-; sleep 1); echo \"status ${{PIPESTATUS[0]}}\" >&2"
        );
        let output = Command::new("bash")
            .current_dir(temp.path())
            .args(["-c", &script, env!("CARGO_BIN_EXE_unnest")])
            .env_remove("UNNEST_DEBUG_PANIC")
            .output()
            .unwrap();
        let err = stderr(&output);
        let expected = if args.starts_with("--explain") {
            "status 0"
        } else {
            "status 1"
        };
        assert!(err.contains(expected), "{args}: {err}");
        assert!(!err.contains("error"), "{args}: {err}");
        assert!(!err.contains("panicked"), "{args}: {err}");
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

const HELPER: &str = "import asyncio\n\n\ndef _load(req):\n    data = asyncio.run(fetch(req))\n    return data + 1\n\n\nasync def fetch(req):\n    return req\n";
const CALLER: &str =
    "from pkg.helpers import _load\n\n\nasync def handle(req):\n    return _load(req)\n";

fn set_read_only(path: &Path, read_only: bool) {
    let mut permissions = fs::metadata(path).unwrap().permissions();
    permissions.set_readonly(read_only);
    fs::set_permissions(path, permissions).unwrap();
}

/// Compile `text` with CPython, as every fixed text must.
fn compiles(text: &str) {
    let output = Command::new("python3")
        .args([
            "-c",
            "import sys; compile(sys.stdin.read(), 'fixed', 'exec')",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(text.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(output.status.success(), "{text}\n{}", stderr(&output));
}

#[test]
fn a_cross_file_fix_is_written_whole_or_not_at_all() {
    let temp = tree(&[
        ("pkg/__init__.py", b""),
        ("pkg/helpers.py", HELPER.as_bytes()),
        ("pkg/views.py", CALLER.as_bytes()),
    ]);
    let helpers = temp.path().join("pkg/helpers.py");
    set_read_only(&helpers, true);
    let output = run_in(temp.path(), &["--write", "."]);
    set_read_only(&helpers, false);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    // Neither file of the group changed, and no temporary file is left.
    assert_eq!(read(temp.path(), "pkg/helpers.py"), HELPER);
    assert_eq!(read(temp.path(), "pkg/views.py"), CALLER);
    let names: Vec<String> = fs::read_dir(temp.path().join("pkg"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    assert!(
        err.contains("pkg/helpers.py: cannot write: it is read-only"),
        "{err}"
    );
    assert!(
        err.contains("pkg/views.py: not written: fixed together with pkg/helpers.py"),
        "{err}"
    );
    assert!(
        err.contains("fixed 0 findings in 0 files, 2 fixed files not written"),
        "{err}"
    );
    // The finding is still reported, where it is on disk.
    assert!(
        stdout(&output).starts_with("pkg/views.py:5:12: UNN007"),
        "{}",
        stdout(&output)
    );
    // Once writable, the next run fixes both.
    let output = run_in(temp.path(), &["--write", "."]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("fixed 1 finding in 2 files"),
        "{}",
        stderr(&output)
    );
    let views = read(temp.path(), "pkg/views.py");
    assert!(views.contains("return await _load(req)"), "{views}");
    assert!(read(temp.path(), "pkg/helpers.py").contains("async def _load(req)"));
    compiles(&views);
    compiles(&read(temp.path(), "pkg/helpers.py"));
}

#[test]
fn the_summary_counts_only_fixes_written_and_names_the_rest() {
    let temp = tree(&[("a.py", BROKEN.as_bytes()), ("b.py", BROKEN.as_bytes())]);
    set_read_only(&temp.path().join("b.py"), true);
    let output = run_in(temp.path(), &["--write", "."]);
    set_read_only(&temp.path().join("b.py"), false);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert_eq!(read(temp.path(), "a.py"), FIXED);
    assert_eq!(read(temp.path(), "b.py"), BROKEN);
    assert!(err.contains("b.py: cannot write: it is read-only"), "{err}");
    assert!(
        err.contains("fixed 1 finding in 1 file, 1 fixed file not written (see the errors), 1 finding remaining"),
        "{err}"
    );
    assert!(
        stdout(&output).starts_with("b.py:5:12: UNN001"),
        "{}",
        stdout(&output)
    );
}

/// The fixes written are counted beside the findings left without a fix (a
/// helper that must stay sync below one made async: no fix, since it would
/// only move the nested run).
#[test]
fn the_summary_counts_the_fixes_written_beside_a_finding_left() {
    let source = "import asyncio\n\n\ndef _load(req):\n    data = asyncio.run(fetch(req))\n    return data + 1\n\n\ndef _mid(req):\n    return _load(req) * 2\n\n\nasync def fetch(req):\n    return req\n\n\nasync def handle(req):\n    return _mid(req)\n\n\nasync def direct(req):\n    return asyncio.run(fetch(req))\n\n\nclass C:\n    x = _load(1)\n";
    let temp = tree(&[("a.py", source.as_bytes())]);
    let output = run_in(temp.path(), &["--write", "."]);
    let err = stderr(&output);
    assert_ne!(read(temp.path(), "a.py"), source);
    compiles(&read(temp.path(), "a.py"));
    assert!(
        err.contains("fixed 1 finding in 1 file, 1 finding remaining"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn a_file_with_several_hard_links_is_not_split_from_them() {
    let temp = tree(&[("a.py", BROKEN.as_bytes())]);
    fs::hard_link(temp.path().join("a.py"), temp.path().join("other.txt")).unwrap();
    let output = run_in(temp.path(), &["--write", "a.py"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("a.py: cannot write: it has 2 hard links"),
        "{err}"
    );
    assert_eq!(read(temp.path(), "a.py"), BROKEN);
    assert_eq!(read(temp.path(), "other.txt"), BROKEN);
}

/// Files that are not text are named with the reason even when they mention
/// no loop word (the byte prefilter would otherwise pass over them).
#[test]
fn a_py_file_that_is_not_text_is_named_even_without_a_loop_word() {
    let temp = tree(&[
        ("nul.py", b"x = 1\0\n"),
        ("latin.py", b"x = '\xe9'\n"),
        ("ok.py", b"x = 1\n"),
    ]);
    let output = run_in(temp.path(), &["--check", "."]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("nul.py: skipped: the file contains NUL bytes"),
        "{err}"
    );
    assert!(
        err.contains("latin.py: skipped: the file is not valid UTF-8"),
        "{err}"
    );
    assert!(err.contains("2 errors"), "{err}");
}

#[test]
fn a_tool_table_with_a_bad_unnest_entry_is_an_error() {
    let temp = tree(&[
        ("pyproject.toml", b"[tool]\nunnest = 5\n"),
        ("a.py", BROKEN.as_bytes()),
    ]);
    let output = run_in(temp.path(), &["--check", "."]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("pyproject.toml: `tool.unnest` must be a table"),
        "{}",
        stderr(&output)
    );
    // Written as an inline table, it is read.
    fs::write(
        temp.path().join("pyproject.toml"),
        "[tool]\nunnest = { ignore = [\"UNN001\"] }\n",
    )
    .unwrap();
    let output = run_in(temp.path(), &["--check", "."]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn check_with_unsafe_fixes_does_not_ask_for_them() {
    let source =
        "import asyncio\n\n\nasync def f(ids):\n    return sum(asyncio.run(g(i)) for i in ids)\n";
    let temp = tree(&[("a.py", source.as_bytes())]);
    let output = run_in(temp.path(), &["--check", "a.py"]);
    assert!(stdout(&output).contains("[fix: unsafe, use --unsafe-fixes]"));
    let output = run_in(temp.path(), &["--check", "--unsafe-fixes", "a.py"]);
    assert!(
        stdout(&output).contains("[fix: unsafe]"),
        "{}",
        stdout(&output)
    );
    assert!(!stdout(&output).contains("use --unsafe-fixes"));
}

#[test]
fn stdin_follows_the_configuration_of_its_file_name() {
    let temp = tree(&[
        (
            "pyproject.toml",
            b"[tool.unnest]\nper-file-ignores = { \"tests/*\" = [\"UNN001\"] }\n",
        ),
        ("sub/unnest.toml", b"ignore = [\"UNN001\"]\n"),
    ]);
    let ignored = with_stdin(
        temp.path(),
        &["--check", "-", "--stdin-filename", "tests/test_a.py"],
        BROKEN.as_bytes(),
    );
    assert_eq!(ignored.status.code(), Some(0), "{}", stderr(&ignored));
    assert_eq!(stdout(&ignored), "");
    let ignored = with_stdin(
        temp.path(),
        &["--check", "-", "--stdin-filename", "sub/a.py"],
        BROKEN.as_bytes(),
    );
    assert_eq!(ignored.status.code(), Some(0), "{}", stderr(&ignored));
    let reported = with_stdin(
        temp.path(),
        &["--check", "-", "--stdin-filename", "app.py"],
        BROKEN.as_bytes(),
    );
    assert_eq!(reported.status.code(), Some(1));
    assert!(stdout(&reported).starts_with("app.py:5:12: UNN001"));
    // --write leaves an ignored finding's text alone.
    let written = with_stdin(
        temp.path(),
        &["--write", "-", "--stdin-filename", "tests/test_a.py"],
        BROKEN.as_bytes(),
    );
    assert_eq!(stdout(&written), BROKEN);
}

fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "core.autocrlf=false",
        ])
        .args(args)
        .output()
        .unwrap()
}

/// Every file's bytes under `dir`, by name (the `.git` folder left out).
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// The dry run is a patch that `git apply` and `patch -p1` both take, and
/// either gives exactly what `--write` gives: for notebooks (a patch of the
/// `.ipynb` itself), a lone-CR file beside others, and names with spaces,
/// tabs, newlines, quotes and non-ASCII characters.
#[test]
fn the_dry_run_patch_applies_with_git_and_patch_for_any_file() {
    let notebook = fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/notebooks/prices.ipynb"),
    )
    .unwrap();
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("nb.ipynb", notebook),
        ("cr.py", BROKEN.replace('\n', "\r").into_bytes()),
        ("plain.py", BROKEN.as_bytes().to_vec()),
        ("with space.py", BROKEN.as_bytes().to_vec()),
        ("caf\u{e9} \u{2013} \u{5b57}.py", BROKEN.as_bytes().to_vec()),
        ("q\"uote.py", BROKEN.as_bytes().to_vec()),
    ];
    if cfg!(unix) {
        files.push(("tab\there.py", BROKEN.as_bytes().to_vec()));
        files.push(("new\nline.py", BROKEN.as_bytes().to_vec()));
    }
    let file_refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    let written = tree(&file_refs);
    let output = run_in(written.path(), &["--write", "--unsafe-fixes", "."]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let expected = snapshot(written.path());
    assert_ne!(expected, snapshot(tree(&file_refs).path()));

    for tool in ["git", "patch"] {
        let temp = tree(&file_refs);
        let dry = run_in(temp.path(), &["--unsafe-fixes", "."]);
        assert_eq!(dry.status.code(), Some(1), "{}", stderr(&dry));
        let patch = temp.path().join("../fix.patch");
        let patch = patch.with_file_name(format!(
            "{}.patch",
            temp.path().file_name().unwrap().to_string_lossy()
        ));
        fs::write(&patch, &dry.stdout).unwrap();
        let applied = if tool == "git" {
            git(temp.path(), &["init", "-q"]);
            git(temp.path(), &["apply", patch.to_str().unwrap()])
        } else {
            Command::new("patch")
                .current_dir(temp.path())
                .args(["-p1", "-s", "-i", patch.to_str().unwrap()])
                .output()
                .unwrap()
        };
        let _ = fs::remove_file(&patch);
        assert!(
            applied.status.success(),
            "{tool}: {}\n{}",
            stderr(&applied),
            stdout(&dry)
        );
        assert_eq!(snapshot(temp.path()), expected, "{tool}\n{}", stdout(&dry));
    }
}

/// The debug-only trigger (`UNNEST_DEBUG_PANIC`) makes handling one file
/// panic: that file is named, the others are still checked, exit 2.
#[test]
fn a_panic_in_one_file_is_an_error_naming_it_and_the_others_are_processed() {
    let temp = tree(&[
        ("a.py", BROKEN.as_bytes()),
        ("nb.py", BROKEN.as_bytes()),
        ("z.py", BROKEN.as_bytes()),
    ]);
    for args in [&["--check", "."][..], &["."], &["--format", "json", "."]] {
        let output = unnest()
            .current_dir(temp.path())
            .args(args)
            .env("UNNEST_DEBUG_PANIC", "nb.py")
            .output()
            .unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("error: internal error while checking nb.py: debug panic"),
            "{err}"
        );
        assert!(err.contains("please report it with the file"), "{err}");
        assert!(
            !err.contains("panicked at"),
            "the default message is kept quiet: {err}"
        );
        let out = stdout(&output);
        assert!(
            out.contains("a.py") && out.contains("z.py"),
            "{args:?}: {out}"
        );
        assert!(!out.contains("nb.py"), "{out}");
    }
    let output = unnest()
        .current_dir(temp.path())
        .args(["--write", "."])
        .env("UNNEST_DEBUG_PANIC", "nb.py")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(read(temp.path(), "a.py"), FIXED);
    assert_eq!(read(temp.path(), "z.py"), FIXED);
    assert_eq!(read(temp.path(), "nb.py"), BROKEN);
    // From stdin, the text passes through.
    let output = {
        use std::io::Write as _;
        let mut child = unnest()
            .current_dir(temp.path())
            .args(["--write", "-", "--stdin-filename", "nb.py"])
            .env("UNNEST_DEBUG_PANIC", "nb.py")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(BROKEN.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), BROKEN);
    assert!(stderr(&output).contains("internal error while checking nb.py"));
}

/// A panic that only the files together cause: each file is still reported
/// alone in a dry run, and `--write` writes nothing; exit 2.
#[test]
fn a_panic_of_the_files_together_still_reports_each_file() {
    let temp = tree(&[("a.py", BROKEN.as_bytes()), ("b.py", BROKEN.as_bytes())]);
    let output = unnest()
        .current_dir(temp.path())
        .args(["--check", "."])
        .env("UNNEST_DEBUG_PANIC_TOGETHER", "b.py")
        .output()
        .unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("internal error while checking the files together"),
        "{err}"
    );
    assert_eq!(stdout(&output).lines().count(), 2, "{}", stdout(&output));
    let output = unnest()
        .current_dir(temp.path())
        .args(["--write", "."])
        .env("UNNEST_DEBUG_PANIC_TOGETHER", "b.py")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("nothing was written"),
        "{}",
        stderr(&output)
    );
    assert_eq!(read(temp.path(), "a.py"), BROKEN);
    assert_eq!(read(temp.path(), "b.py"), BROKEN);
}

/// `--interactive` asks top-down, names `path:line:col` (cell-relative in a
/// notebook), shows a notebook's cells as the user sees them, and cannot
/// take both the text and the answers from stdin.
#[test]
fn interactive_asks_top_down_with_positions_in_the_users_coordinates() {
    let source = "import asyncio\n\n\nasync def main():\n    a = asyncio.run(one())\n    b = asyncio.run(two())\n";
    let temp = tree(&[("a.py", source.as_bytes())]);
    let output = with_stdin(temp.path(), &["--interactive", "a.py"], b"y\nn\n");
    let err = stderr(&output);
    let first = err.find("a.py:5:9: UNN001").expect(&err);
    let second = err.find("a.py:6:9: UNN001").expect(&err);
    assert!(first < second, "{err}");
    let after = read(temp.path(), "a.py");
    assert!(
        after.contains("    a = await one()\n    b = asyncio.run(two())\n"),
        "{after}"
    );
    compiles(&after);

    let notebook = fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/notebooks/prices.ipynb"),
    )
    .unwrap();
    let temp = tree(&[("nb.ipynb", &notebook)]);
    let output = with_stdin(temp.path(), &["--interactive", "nb.ipynb"], b"n\n");
    let err = stderr(&output);
    assert!(err.starts_with("nb.ipynb:cell 4:3:10: UNN001"), "{err}");
    assert!(err.contains("+result = await price(\"apple\")\n"), "{err}");
    // Nothing of the module unnest builds from the cells shows through: no
    // cell boundary, and the magics as written.
    assert!(!err.contains("unnest-cell-boundary"), "{err}");
    assert!(err.contains(" %load_ext autoreload\n"), "{err}");
    assert!(err.contains("--- a/nb.ipynb:cell 4"), "{err}");

    let output = with_stdin(temp.path(), &["--interactive", "-"], source.as_bytes());
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--interactive reads its answers from stdin"));
}

/// `--color always` wins over `NO_COLOR` (a flag over the environment, as in
/// Ruff), and `--color never` turns colour off in `--interactive` too.
#[test]
fn color_always_wins_over_no_color_and_never_reaches_interactive() {
    let temp = tree(&[("a.py", BROKEN.as_bytes())]);
    let output = unnest()
        .current_dir(temp.path())
        .args(["--color", "always", "a.py"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(stdout(&output).contains("\x1b[31m"), "{}", stdout(&output));
    let output = with_stdin(
        temp.path(),
        &["--interactive", "--color", "always", "a.py"],
        b"n\n",
    );
    assert!(stderr(&output).contains("\x1b[32m+"), "{}", stderr(&output));
    let output = with_stdin(
        temp.path(),
        &["--interactive", "--color", "never", "a.py"],
        b"n\n",
    );
    assert!(!stderr(&output).contains('\x1b'), "{}", stderr(&output));
}

/// Ruff's default excludes, by name at any depth; a folder named on the
/// command line is walked whatever its name.
#[test]
fn default_excludes_are_ruffs_by_name_at_any_depth() {
    let temp = tree(&[
        ("a.py", BROKEN.as_bytes()),
        ("src/build/m.py", BROKEN.as_bytes()),
        ("nb/.ipynb_checkpoints/m.py", BROKEN.as_bytes()),
        ("lib/site-packages/m.py", BROKEN.as_bytes()),
        ("venv/m.py", BROKEN.as_bytes()),
    ]);
    let output = run_in(temp.path(), &["--check", "."]);
    assert_eq!(stdout(&output).lines().count(), 1, "{}", stdout(&output));
    assert!(stdout(&output).starts_with("a.py:"));
    let output = run_in(temp.path(), &["--check", "src/build", "venv"]);
    assert_eq!(stdout(&output).lines().count(), 2, "{}", stdout(&output));
}

/// A nested run's outer fix keeps its own parentheses and goes in the same
/// pass as the inner one; refused in `--interactive`, the inner run keeps the
/// outer fix from being written too, or the inner run would later take the
/// outer `await` for one the author wrote.
#[test]
fn interactive_refusing_an_inner_nested_run_holds_back_the_outer_fix() {
    let source =
        "import asyncio\n\n\nasync def main():\n    return asyncio.run(asyncio.run(one()))\n";
    let temp = tree(&[("a.py", source.as_bytes())]);
    let output = with_stdin(temp.path(), &["--interactive", "a.py"], b"y\nn\nn\nn\n");
    let err = stderr(&output);
    assert!(err.contains("a.py:5:12: UNN001"), "{err}");
    assert_eq!(read(temp.path(), "a.py"), source, "{err}");

    let output = with_stdin(temp.path(), &["--interactive", "a.py"], b"y\ny\n");
    let after = read(temp.path(), "a.py");
    assert!(
        after.contains("    return await (await one())\n"),
        "{after}\n{}",
        stderr(&output)
    );
    compiles(&after);
}

/// Findings fixed by one group's edits (two async functions calling links
/// of one chain of sync helpers) are each counted as fixed, as Ruff counts
/// a diagnostic whose identical fix was applied for another; and the run
/// reaches the fixed point in one `--write`, after which the program runs.
#[test]
fn findings_that_share_one_group_fix_are_each_counted_fixed() {
    let source = "import asyncio\n\n\nasync def fetch(n):\n    return n\n\n\ndef _low(n):\n    return asyncio.run(fetch(n))\n\n\ndef _high(n):\n    return _low(n) + 1\n\n\nasync def one():\n    return _high(1)\n\n\nasync def two():\n    return _low(2)\n\n\nasync def main():\n    print(await one(), await two())\n\n\nif __name__ == \"__main__\":\n    asyncio.run(main())\n";
    let temp = tree(&[("a.py", source.as_bytes())]);
    let before = common::python(temp.path(), "a.py");
    assert!(
        String::from_utf8_lossy(&before.stderr).contains("RuntimeError"),
        "fails before the fix"
    );
    let output = run_in(temp.path(), &["--write", "."]);
    let err = stderr(&output);
    assert!(
        err.contains("fixed 2 findings in 1 file, 0 findings remaining"),
        "{err}"
    );
    compiles(&read(temp.path(), "a.py"));
    let after = common::python(temp.path(), "a.py");
    assert_eq!(String::from_utf8_lossy(&after.stdout), "2 2\n");
    let again = run_in(temp.path(), &["--check", "."]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
}
