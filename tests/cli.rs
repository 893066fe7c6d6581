//! The command-line contract, through the built binary: exit codes, what goes
//! to stdout and stderr, the dry-run patch, in-place writes, walking.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{run_in, stderr, stdout, tree};

const BROKEN: &str = "import asyncio\n\n\nasync def main():\n    return asyncio.run(work())\n";
const FIXED: &str = "import asyncio\n\n\nasync def main():\n    return await work()\n";
const UNFIXABLE: &str = "import asyncio\n\n\nasync def main():\n    class Config:\n        value = asyncio.run(work())\n    return Config\n";
const CLEAN: &str = "import asyncio\n\nasyncio.run(main())\n";

fn read(dir: &Path, path: &str) -> Vec<u8> {
    fs::read(dir.join(path)).unwrap()
}

#[test]
fn nothing_found_exits_0_with_empty_stdout() {
    let temp = tree(&[("app.py", CLEAN.as_bytes())]);
    for args in [&[][..], &["--check"], &["--write"]] {
        let output = run_in(temp.path(), args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(stdout(&output), "", "{args:?}");
        assert!(
            stderr(&output).contains("Scanned 1 file"),
            "{}",
            stderr(&output)
        );
    }
    assert_eq!(read(temp.path(), "app.py"), CLEAN.as_bytes());
}

#[test]
fn dry_run_prints_a_patch_writes_nothing_and_exits_1() {
    let temp = tree(&[("pkg/app.py", BROKEN.as_bytes())]);
    let output = run_in(temp.path(), &[]);
    assert_eq!(output.status.code(), Some(1));
    let patch = stdout(&output);
    assert!(
        patch.starts_with("--- a/pkg/app.py\n+++ b/pkg/app.py\n"),
        "{patch}"
    );
    assert!(patch.contains("-    return asyncio.run(work())\n+    return await work()\n"));
    assert!(!patch.contains('\x1b'), "no colour in a pipe");
    assert_eq!(read(temp.path(), "pkg/app.py"), BROKEN.as_bytes());
    assert!(stderr(&output).contains("1 fixable"), "{}", stderr(&output));
}

#[test]
fn check_prints_one_line_per_finding() {
    let temp = tree(&[("a.py", BROKEN.as_bytes()), ("b.py", UNFIXABLE.as_bytes())]);
    let output = run_in(temp.path(), &["--check"]);
    assert_eq!(output.status.code(), Some(1));
    let lines: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("a.py:5:12: UNN001 "), "{}", lines[0]);
    assert!(lines[1].starts_with("b.py:6:17: UNN004 "), "{}", lines[1]);
    assert_eq!(read(temp.path(), "a.py"), BROKEN.as_bytes());
}

#[test]
fn write_fixes_in_place_and_a_second_run_finds_nothing() {
    let temp = tree(&[("a.py", BROKEN.as_bytes())]);
    let output = run_in(temp.path(), &["--write"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(read(temp.path(), "a.py"), FIXED.as_bytes());
    assert!(
        stderr(&output).contains("fixed 1 finding in 1 file"),
        "{}",
        stderr(&output)
    );
    let again = run_in(temp.path(), &["--write"]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(stdout(&again), "");
    assert_eq!(read(temp.path(), "a.py"), FIXED.as_bytes());
}

#[test]
fn write_exits_1_when_findings_remain() {
    let temp = tree(&[("a.py", BROKEN.as_bytes()), ("b.py", UNFIXABLE.as_bytes())]);
    let output = run_in(temp.path(), &["--write"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(read(temp.path(), "a.py"), FIXED.as_bytes());
    assert_eq!(read(temp.path(), "b.py"), UNFIXABLE.as_bytes());
    assert!(
        stdout(&output).starts_with("b.py:6:17: UNN004"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn unsafe_fixes_need_the_flag() {
    let source =
        "import asyncio\n\n\nasync def f(ids):\n    return sum(asyncio.run(g(i)) for i in ids)\n";
    let temp = tree(&[("a.py", source.as_bytes())]);
    let output = run_in(temp.path(), &["--write"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(read(temp.path(), "a.py"), source.as_bytes());
    assert!(
        stderr(&output).contains("fixed 0 findings"),
        "{}",
        stderr(&output)
    );
    let output = run_in(temp.path(), &["--write", "--unsafe-fixes"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        String::from_utf8(read(temp.path(), "a.py"))
            .unwrap()
            .contains("sum([await g(i) for i in ids])")
    );
}

/// `unnest . > fix.patch && git apply fix.patch` gives exactly what `--write`
/// gives, for CRLF, a BOM, tabs, a missing final newline and nested folders.
#[test]
fn git_apply_of_the_dry_run_equals_write() {
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("a.py", BROKEN.as_bytes().to_vec()),
        ("sub/crlf.py", BROKEN.replace('\n', "\r\n").into_bytes()),
        ("sub/bom.py", format!("\u{feff}{BROKEN}").into_bytes()),
        (
            "sub/deeper/tabs.py",
            BROKEN.replace("    ", "\t").into_bytes(),
        ),
        ("no_newline.py", BROKEN.trim_end().as_bytes().to_vec()),
        ("b.py", UNFIXABLE.as_bytes().to_vec()),
    ];
    let borrowed: Vec<(&str, &[u8])> = files.iter().map(|(p, c)| (*p, c.as_slice())).collect();
    let patched = tree(&borrowed);
    let written = tree(&borrowed);

    let dry = run_in(patched.path(), &["."]);
    assert_eq!(dry.status.code(), Some(1));
    let patch = patched.path().join("fix.patch");
    fs::write(&patch, &dry.stdout).unwrap();
    let git = Command::new("git")
        .args(["apply", "--unsafe-paths", "fix.patch"])
        .current_dir(patched.path())
        .output()
        .expect("git runs");
    assert!(
        git.status.success(),
        "git apply: {}",
        String::from_utf8_lossy(&git.stderr)
    );
    fs::remove_file(&patch).unwrap();

    let write = run_in(written.path(), &["--write", "."]);
    assert_eq!(write.status.code(), Some(1), "b.py keeps a finding");
    for (path, original) in &files {
        let after = read(written.path(), path);
        assert_eq!(read(patched.path(), path), after, "{path}");
        if *path != "b.py" {
            assert_ne!(&after, original, "{path} was fixed");
        }
    }
    let crlf = read(written.path(), "sub/crlf.py");
    assert_eq!(crlf, FIXED.replace('\n', "\r\n").as_bytes());
    assert!(read(written.path(), "sub/bom.py").starts_with("\u{feff}".as_bytes()));
    assert!(!read(written.path(), "no_newline.py").ends_with(b"\n"));
}

#[test]
fn diffs_come_in_sorted_order() {
    let temp = tree(&[
        ("z.py", BROKEN.as_bytes()),
        ("a/b.py", BROKEN.as_bytes()),
        ("m.py", BROKEN.as_bytes()),
    ]);
    let output = run_in(temp.path(), &[]);
    let headers: Vec<String> = stdout(&output)
        .lines()
        .filter(|l| l.starts_with("+++ "))
        .map(str::to_owned)
        .collect();
    assert_eq!(headers, ["+++ b/a/b.py", "+++ b/m.py", "+++ b/z.py"]);
}

#[test]
fn a_missing_path_is_an_error_but_other_paths_are_processed() {
    let temp = tree(&[("a.py", BROKEN.as_bytes())]);
    let output = run_in(temp.path(), &["--check", "missing.py", "a.py"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("missing.py: no such file or directory"),
        "{}",
        stderr(&output)
    );
    assert!(
        stdout(&output).contains("a.py:5:12: UNN001"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_file_with_a_syntax_error_is_reported_and_left_alone() {
    let bad = "import asyncio\n\nasync def main(:\n    asyncio.run(work())\n";
    let temp = tree(&[("bad.py", bad.as_bytes()), ("good.py", BROKEN.as_bytes())]);
    let output = run_in(temp.path(), &["--write"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("bad.py:3:") && err.contains("syntax error"),
        "{err}"
    );
    assert_eq!(read(temp.path(), "bad.py"), bad.as_bytes());
    assert_eq!(read(temp.path(), "good.py"), FIXED.as_bytes());
}

#[test]
fn undecodable_files_are_reported_and_left_alone() {
    let latin1 = b"# -*- coding: latin-1 -*-\nimport asyncio\nx = '\xe9'\n".to_vec();
    let binary = b"import asyncio\n\0\0".to_vec();
    let invalid = b"import asyncio\nx = '\xff'\n".to_vec();
    let temp = tree(&[
        ("latin1.py", &latin1),
        ("binary.py", &binary),
        ("invalid.py", &invalid),
    ]);
    let output = run_in(temp.path(), &["--write"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("latin1.py: skipped: the file declares the encoding `latin-1`"),
        "{err}"
    );
    assert!(
        err.contains("binary.py: skipped: the file contains NUL bytes"),
        "{err}"
    );
    assert!(
        err.contains("invalid.py: skipped: the file is not valid UTF-8"),
        "{err}"
    );
    assert_eq!(read(temp.path(), "latin1.py"), latin1);
    assert_eq!(read(temp.path(), "binary.py"), binary);
    assert_eq!(read(temp.path(), "invalid.py"), invalid);
}

#[test]
fn walking_respects_gitignore_default_skips_and_excludes() {
    let temp = tree(&[
        (".gitignore", b"ignored/\n"),
        ("ignored/a.py", BROKEN.as_bytes()),
        (".venv/lib/a.py", BROKEN.as_bytes()),
        ("venv/a.py", BROKEN.as_bytes()),
        ("build/a.py", BROKEN.as_bytes()),
        ("node_modules/a.py", BROKEN.as_bytes()),
        ("__pycache__/a.py", BROKEN.as_bytes()),
        ("generated/a.py", BROKEN.as_bytes()),
        ("src/a.py", BROKEN.as_bytes()),
        ("src/notes.txt", BROKEN.as_bytes()),
    ]);
    let output = run_in(temp.path(), &["--check", "--exclude", "generated"]);
    assert_eq!(stdout(&output).lines().count(), 1, "{}", stdout(&output));
    assert!(
        stdout(&output).starts_with("src/a.py:"),
        "{}",
        stdout(&output)
    );
    // An explicit file is processed even where the walk would skip it.
    let output = run_in(temp.path(), &["--check", "venv/a.py"]);
    assert!(
        stdout(&output).starts_with("venv/a.py:"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn json_output_is_shaped_like_ruffs() {
    let temp = tree(&[("a.py", BROKEN.as_bytes()), ("b.py", UNFIXABLE.as_bytes())]);
    let output = run_in(temp.path(), &["--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    let items = value.as_array().unwrap();
    assert_eq!(items.len(), 2);
    let first = &items[0];
    assert_eq!(first["code"], "UNN001");
    assert_eq!(first["filename"], "a.py");
    assert_eq!(
        first["location"],
        serde_json::json!({"row": 5, "column": 12})
    );
    assert_eq!(
        first["end_location"],
        serde_json::json!({"row": 5, "column": 31})
    );
    assert_eq!(first["fix"]["applicability"], "safe");
    let edits = first["fix"]["edits"].as_array().unwrap();
    assert_eq!(edits[0]["content"], "await ");
    assert_eq!(
        edits[0]["location"],
        serde_json::json!({"row": 5, "column": 12})
    );
    assert_eq!(items[1]["code"], "UNN004");
    assert!(items[1]["fix"].is_null());
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let temp = tree(&[("a.py", BROKEN.as_bytes())]);
    let plain = run_in(temp.path(), &[]);
    assert!(!stdout(&plain).contains('\x1b'));
    let coloured = run_in(temp.path(), &["--color", "always"]);
    assert!(
        stdout(&coloured).contains("\x1b[31m-    return asyncio.run(work())\x1b[0m"),
        "{}",
        stdout(&coloured)
    );
}

#[test]
fn usage_errors_exit_2() {
    let temp = tree(&[("a.py", BROKEN.as_bytes())]);
    assert_eq!(
        run_in(temp.path(), &["--write", "--check"]).status.code(),
        Some(2)
    );
    assert_eq!(
        run_in(temp.path(), &["--format", "xml"]).status.code(),
        Some(2)
    );
    let output = run_in(temp.path(), &["--exclude", "a{", "."]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--exclude"), "{}", stderr(&output));
}

#[cfg(unix)]
#[test]
fn write_keeps_permissions_and_writes_through_symlinks() {
    use std::os::unix::fs::PermissionsExt;
    let temp = tree(&[("real/a.py", BROKEN.as_bytes())]);
    let file = temp.path().join("real/a.py");
    fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink("real/a.py", temp.path().join("link.py")).unwrap();
    let output = run_in(temp.path(), &["--write", "link.py"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        fs::symlink_metadata(temp.path().join("link.py"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read(&file).unwrap(), FIXED.as_bytes());
    assert_eq!(
        fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o640
    );
    let leftovers: Vec<_> = fs::read_dir(temp.path().join("real")).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
}

#[test]
fn cr_line_endings_are_kept() {
    let source = BROKEN.replace('\n', "\r");
    let temp = tree(&[("a.py", source.as_bytes())]);
    let output = run_in(temp.path(), &["--write"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        read(temp.path(), "a.py"),
        FIXED.replace('\n', "\r").as_bytes()
    );
}

#[cfg(unix)]
#[test]
fn read_only_files_and_links_out_of_the_tree_are_left_alone() {
    use std::os::unix::fs::PermissionsExt;
    let outside = tree(&[("target.py", BROKEN.as_bytes())]);
    let temp = tree(&[
        ("locked.py", BROKEN.as_bytes()),
        ("open.py", BROKEN.as_bytes()),
    ]);
    fs::set_permissions(
        temp.path().join("locked.py"),
        fs::Permissions::from_mode(0o444),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("target.py"),
        temp.path().join("link.py"),
    )
    .unwrap();
    let output = run_in(temp.path(), &["--write", "."]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("locked.py: cannot write: it is read-only"),
        "{err}"
    );
    // The walk does not follow links, so the file outside is never reached.
    assert!(err.contains("Scanned 2 files"), "{err}");
    assert_eq!(read(temp.path(), "locked.py"), BROKEN.as_bytes());
    assert_eq!(read(outside.path(), "target.py"), BROKEN.as_bytes());
    assert_eq!(read(temp.path(), "open.py"), FIXED.as_bytes());
}

#[test]
fn a_file_named_several_ways_is_processed_once() {
    let temp = tree(&[("a.py", BROKEN.as_bytes())]);
    let absolute = temp.path().join("a.py");
    let output = run_in(
        temp.path(),
        &["--write", "a.py", "./a.py", absolute.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(read(temp.path(), "a.py"), FIXED.as_bytes());
    assert!(
        stderr(&output).contains("Scanned 1 file"),
        "{}",
        stderr(&output)
    );
}

/// An interrupt during `--write` leaves every file either as it was or fully
/// fixed, and no temporary file behind. The signal is sent once the first file
/// has been written, so it lands in the middle of the writes.
#[cfg(unix)]
#[test]
fn an_interrupt_leaves_every_file_old_or_new() {
    let temp = tempfile::tempdir().unwrap();
    let count = 2000;
    for i in 0..count {
        let dir = temp.path().join(format!("pkg{:02}", i % 40));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(format!("m{i:04}.py")), BROKEN).unwrap();
    }
    let first = temp.path().join("pkg00/m0000.py");
    let child = common::unnest()
        .current_dir(temp.path())
        .args(["--write", "."])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while fs::read(&first).unwrap() == BROKEN.as_bytes() {
        assert!(started.elapsed().as_secs() < 120, "no file was written");
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let output = child.wait_with_output().unwrap();
    let mut fixed = 0;
    for entry in ignore::WalkBuilder::new(temp.path()).hidden(false).build() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with(".unnest-"), "temporary file left: {name}");
        if entry.file_type().is_some_and(|t| t.is_file()) {
            let contents = fs::read(entry.path()).unwrap();
            assert!(
                contents == BROKEN.as_bytes() || contents == FIXED.as_bytes(),
                "{name} is partial"
            );
            fixed += usize::from(contents == FIXED.as_bytes());
        }
    }
    eprintln!("interrupted mid-write: {fixed} of {count} files fixed");
    assert!(fixed >= 1);
    if fixed < count {
        assert_eq!(output.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&output.stderr).contains("interrupted:"));
    }
}

#[cfg(unix)]
#[test]
fn a_link_to_a_file_outside_the_paths_given_is_not_written() {
    let outside = tree(&[("target.py", BROKEN.as_bytes())]);
    let temp = tree(&[("inside.py", BROKEN.as_bytes())]);
    std::os::unix::fs::symlink(
        outside.path().join("target.py"),
        temp.path().join("link.py"),
    )
    .unwrap();
    let output = run_in(temp.path(), &["--write", "link.py", "inside.py"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("link.py: cannot write: it is a symbolic link to"),
        "{}",
        stderr(&output)
    );
    assert_eq!(read(outside.path(), "target.py"), BROKEN.as_bytes());
    assert_eq!(read(temp.path(), "inside.py"), FIXED.as_bytes());
}

#[test]
fn mixed_line_endings_form_feeds_and_trailing_spaces_are_kept() {
    let source = "import asyncio\r\n\x0c\n\nasync def main():  \r\n    return asyncio.run(work())   \n\tpass\r";
    let fixed =
        "import asyncio\r\n\x0c\n\nasync def main():  \r\n    return await work()   \n\tpass\r";
    let temp = tree(&[("a.py", source.as_bytes())]);
    let output = run_in(temp.path(), &["--write"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(read(temp.path(), "a.py"), fixed.as_bytes());
}

#[test]
fn very_large_files_are_skipped_when_walking_or_named() {
    let mut big = String::from(BROKEN);
    while big.len() <= (16 << 20) {
        big.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    let temp = tree(&[("big.py", big.as_bytes()), ("small.py", BROKEN.as_bytes())]);
    let output = run_in(temp.path(), &["--check", "."]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("big.py: skipped: 16 MiB is more than"),
        "{}",
        stderr(&output)
    );
    assert!(
        stdout(&output).starts_with("small.py:5:12: UNN001"),
        "{}",
        stdout(&output)
    );
    // Found by reading it (no `stat` per file while walking): named, or
    // with --write, it is skipped the same way and left as it was.
    let output = run_in(temp.path(), &["--write", "big.py", "small.py"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("big.py: skipped: 16 MiB is more than the 16 MiB"),
        "{}",
        stderr(&output)
    );
    assert_eq!(read(temp.path(), "big.py"), big.as_bytes());
    assert_ne!(read(temp.path(), "small.py"), BROKEN.as_bytes());
}

#[test]
fn nest_asyncio_goes_once_no_nested_run_remains() {
    let source = "import asyncio\nimport nest_asyncio\n\nnest_asyncio.apply()\n\n\nasync def main():\n    return asyncio.run(work())\n";
    let temp = tree(&[("a.py", source.as_bytes())]);
    let check = run_in(temp.path(), &["--check"]);
    assert!(
        !stdout(&check).contains("UNN010"),
        "not while a nested run remains"
    );
    let output = run_in(temp.path(), &["--write", "--unsafe-fixes"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        String::from_utf8(read(temp.path(), "a.py")).unwrap(),
        "import asyncio\n\n\n\nasync def main():\n    return await work()\n"
    );
    let safe_only = tree(&[("a.py", source.as_bytes())]);
    let output = run_in(safe_only.path(), &["--write"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "UNN010 remains, its fix being unsafe"
    );
    assert!(stdout(&output).contains("UNN010"), "{}", stdout(&output));
}

#[test]
fn noqa_comments_suppress_findings_and_their_fixes() {
    let source = "import asyncio\n\n\nasync def main():\n    a = asyncio.run(work())  # noqa\n    b = asyncio.run(work())  # noqa: UNN001\n    c = asyncio.run(work())  # noqa: E501\n    d = asyncio.run(  # unnest: ignore\n        work()\n    )\n";
    let temp = tree(&[("a.py", source.as_bytes())]);
    let check = run_in(temp.path(), &["--check"]);
    let lines: Vec<String> = stdout(&check).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("a.py:7:9: UNN001"), "{}", lines[0]);
    assert!(
        stderr(&check).contains("3 suppressed by noqa"),
        "{}",
        stderr(&check)
    );
    let write = run_in(temp.path(), &["--write"]);
    assert_eq!(write.status.code(), Some(0));
    let after = String::from_utf8(read(temp.path(), "a.py")).unwrap();
    assert_eq!(
        after,
        source.replace("c = asyncio.run(work())", "c = await work()")
    );
}

#[test]
fn explain_prints_a_rules_documentation() {
    let temp = tree(&[]);
    let output = run_in(temp.path(), &["--explain", "UNN007"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).starts_with("UNN007 (blocking-call-in-async)"),
        "{}",
        stdout(&output)
    );
    assert!(stdout(&output).contains("# UNN007 blocking-call-in-async"));
    assert!(stdout(&output).contains("## Fix"));
    let output = run_in(temp.path(), &["--explain", "UNN999"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no rule `UNN999`"));
}

#[test]
fn github_json_lines_and_statistics() {
    let temp = tree(&[("a.py", BROKEN.as_bytes()), ("b.py", UNFIXABLE.as_bytes())]);
    let github = run_in(temp.path(), &["--check", "--format", "github"]);
    let lines: Vec<String> = stdout(&github).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].starts_with("::warning file=a.py,line=5,col=12,endLine=5,endColumn=31,title=UNN001::`asyncio.run()` inside"),
        "{}",
        lines[0]
    );
    let json_lines = run_in(temp.path(), &["--check", "--format", "json-lines"]);
    let objects: Vec<serde_json::Value> = stdout(&json_lines)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(objects.len(), 2);
    assert_eq!(objects[1]["code"], "UNN004");
    let statistics = run_in(
        temp.path(),
        &["--check", "--statistics", "--format", "json-lines"],
    );
    // The table goes to stderr, so that stdout stays JSON.
    let printed = stderr(&statistics);
    let table: Vec<&str> = printed
        .lines()
        .filter(|l| !l.starts_with("Scanned"))
        .collect();
    assert_eq!(table.len(), 2, "{table:?}");
    assert!(
        table[0]
            .trim_start()
            .starts_with("1  UNN001  asyncio-run-in-async"),
        "{}",
        table[0]
    );
}

/// `--format sarif` is valid SARIF 2.1.0 (checked against the schema in
/// `tests/schemas/`), describes every rule, and carries regions and fixes.
#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let temp = tree(&[("a.py", BROKEN.as_bytes()), ("b.py", UNFIXABLE.as_bytes())]);
    let output = run_in(temp.path(), &["--check", "--format", "sarif"]);
    assert_eq!(output.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).expect("SARIF is JSON");
    let schema: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // And a log the schema rejects, so the check can fail.
    assert!(!validator.is_valid(&serde_json::json!({"version": "2.1.0", "runs": "no"})));
    let run = &log["runs"][0];
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().unwrap().len(),
        unnest::rules::Rule::ALL.len()
    );
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["ruleId"], "UNN001");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 5, "startColumn": 12, "endLine": 5, "endColumn": 31})
    );
    let replacement = &results[0]["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(replacement["insertedContent"]["text"], "await ");
    assert!(results[1].get("fixes").is_none());
}

fn with_stdin(dir: &Path, args: &[&str], input: &str) -> std::process::Output {
    use std::io::Write as _;
    let mut child = common::unnest()
        .current_dir(dir)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn stdin_round_trips() {
    let temp = tree(&[]);
    let fixed = with_stdin(
        temp.path(),
        &["-", "--stdin-filename", "app.py", "--write"],
        BROKEN,
    );
    assert_eq!(fixed.status.code(), Some(0), "{}", stderr(&fixed));
    assert_eq!(stdout(&fixed), FIXED);
    common::assert_compile(&[("app.py (stdin)".to_owned(), stdout(&fixed))]);
    let diff = with_stdin(temp.path(), &["-", "--stdin-filename", "app.py"], BROKEN);
    assert_eq!(diff.status.code(), Some(1));
    assert!(
        stdout(&diff).starts_with("--- a/app.py\n+++ b/app.py\n"),
        "{}",
        stdout(&diff)
    );
    let check = with_stdin(
        temp.path(),
        &["-", "--stdin-filename", "app.py", "--check"],
        FIXED,
    );
    assert_eq!(check.status.code(), Some(0));
    assert_eq!(stdout(&check), "");
    // Broken input comes back untouched, with the reason and exit 2.
    let broken = "import asyncio\nasync def f(:\n";
    let output = with_stdin(
        temp.path(),
        &["-", "--stdin-filename", "app.py", "--write"],
        broken,
    );
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), broken);
    assert!(stderr(&output).contains("app.py:2:"), "{}", stderr(&output));
}

#[test]
fn configuration_is_found_above_each_path() {
    let temp = tree(&[
        (
            "pyproject.toml",
            b"[project]\nname = \"x\"\n\n[tool.unnest]\nignore = [\"UNN004\"]\nextend-exclude = [\"generated\"]\nper-file-ignores = { \"tests/*\" = [\"UNN001\"] }\n",
        ),
        ("src/app/a.py", BROKEN.as_bytes()),
        ("src/app/b.py", UNFIXABLE.as_bytes()),
        ("tests/test_a.py", BROKEN.as_bytes()),
        ("generated/c.py", BROKEN.as_bytes()),
        ("other/unnest.toml", b"unsafe-fixes = true\n"),
        ("other/d.py", b"import asyncio\n\n\nasync def f(ids):\n    return sum(asyncio.run(g(i)) for i in ids)\n"),
    ]);
    // From a nested folder, the pyproject.toml above applies.
    let output = run_in(&temp.path().join("src"), &["--check"]);
    assert_eq!(stdout(&output).lines().count(), 1, "{}", stdout(&output));
    assert!(
        stdout(&output).starts_with("app/a.py:5:12: UNN001"),
        "{}",
        stdout(&output)
    );
    let output = run_in(temp.path(), &["--check", "src", "tests", "generated"]);
    assert_eq!(stdout(&output).lines().count(), 1, "{}", stdout(&output));
    // unnest.toml sets unsafe fixes for its folder.
    let output = run_in(&temp.path().join("other"), &["--write"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        String::from_utf8(read(temp.path(), "other/d.py"))
            .unwrap()
            .contains("[await g(i) for i in ids]")
    );
    // --isolated ignores all configuration; --config names one.
    let output = run_in(&temp.path().join("src"), &["--check", "--isolated"]);
    assert_eq!(stdout(&output).lines().count(), 2, "{}", stdout(&output));
    let output = run_in(
        temp.path(),
        &["--check", "--config", "pyproject.toml", "src"],
    );
    assert_eq!(stdout(&output).lines().count(), 1, "{}", stdout(&output));
}

#[test]
fn a_bad_configuration_is_an_error_naming_the_file_and_key() {
    let cases: [(&[u8], &str); 4] = [
        (
            b"[tool.unnest]\nignores = [\"UNN001\"]\n",
            "unknown key `ignores`",
        ),
        (
            b"[tool.unnest]\nignore = [\"UNN999\"]\n",
            "`ignore` names an unknown rule `UNN999`",
        ),
        (
            b"[tool.unnest]\nunsafe-fixes = \"yes\"\n",
            "`unsafe-fixes` must be true or false",
        ),
        (b"[tool.unnest\n", "invalid TOML"),
    ];
    for (config, reason) in cases {
        let temp = tree(&[("pyproject.toml", config), ("a.py", BROKEN.as_bytes())]);
        let output = run_in(temp.path(), &["--write"]);
        assert_eq!(output.status.code(), Some(2), "{reason}");
        assert!(
            stderr(&output).contains("pyproject.toml: ") && stderr(&output).contains(reason),
            "{}",
            stderr(&output)
        );
        assert_eq!(
            read(temp.path(), "a.py"),
            BROKEN.as_bytes(),
            "nothing is written"
        );
    }
}

#[test]
fn quiet_verbose_and_no_progress_bar_in_a_pipe() {
    let temp = tree(&[("a.py", BROKEN.as_bytes()), ("b.py", CLEAN.as_bytes())]);
    let quiet = run_in(temp.path(), &["--check", "--quiet"]);
    assert_eq!(stderr(&quiet), "");
    assert!(stdout(&quiet).starts_with("a.py:5:12: UNN001"));
    let verbose = run_in(temp.path(), &["--check", "--verbose"]);
    assert!(
        stderr(&verbose).contains("parsed a.py"),
        "{}",
        stderr(&verbose)
    );
    assert!(stderr(&verbose).contains("took "), "{}", stderr(&verbose));
    // A run of 3,000 files in a pipe: no bar, no carriage returns.
    let big = tempfile::tempdir().unwrap();
    for i in 0..3000 {
        fs::write(big.path().join(format!("m{i}.py")), BROKEN).unwrap();
    }
    let output = common::unnest()
        .current_dir(big.path())
        .env_remove("CI")
        .args(["--check"])
        .output()
        .unwrap();
    assert!(
        !stderr(&output).contains('\r') && !stderr(&output).contains("files "),
        "{}",
        stderr(&output)
    );
}

/// `--interactive` asks about each fix on stderr and reads answers from stdin:
/// `y`, `n`, `a` (all remaining), `q` (quit, keeping what was accepted).
#[test]
fn interactive_review_with_piped_answers() {
    let source = "import asyncio\n\n\nasync def main():\n    a = asyncio.run(one())\n    b = asyncio.run(two())\n    c = asyncio.run(three())\n    d = asyncio.run(four())\n";
    let fix = |line: &str| {
        line.replace("asyncio.run(", "await ")
            .replacen("())", "()", 1)
    };
    let lines: Vec<&str> = source.lines().collect();
    // Fixes come top-down, as the file reads.
    let cases: [(&str, [bool; 4]); 4] = [
        ("y\nn\ny\nn\n", [true, false, true, false]),
        ("n\na\n", [false, true, true, true]),
        ("y\nq\n", [true, false, false, false]),
        ("maybe\ny\n", [true, false, false, false]),
    ];
    for (answers, fixed) in cases {
        let temp = tree(&[("a.py", source.as_bytes())]);
        let output = with_stdin(temp.path(), &["--interactive", "a.py"], answers);
        let after = String::from_utf8(read(temp.path(), "a.py")).unwrap();
        common::assert_compile(&[(format!("a.py ({answers:?})"), &after)]);
        for (i, line) in lines[4..].iter().enumerate() {
            let expected = if fixed[i] {
                fix(line)
            } else {
                (*line).to_owned()
            };
            assert!(
                after.contains(&format!("{expected}\n")),
                "{answers:?}: line {i} of\n{after}\n{}",
                stderr(&output)
            );
        }
        assert!(stderr(&output).contains("Apply this fix? [y]es, [n]o, [a]ll remaining, [q]uit"));
        assert!(
            stderr(&output).contains("+    a = await one()"),
            "the hunk is shown"
        );
    }
}

/// The README's rule table is the rules' own text (what `--explain` prints).
#[test]
fn the_readme_rule_table_is_the_rules_text() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for rule in unnest::rules::Rule::ALL {
        let (finds, fix) = rule.table_row();
        let row = format!("| {} | {} | {finds} | {fix} |", rule.code(), rule.name());
        assert!(
            readme.contains(&row),
            "the README's row for {} should read:\n{row}",
            rule.code()
        );
        let explain = run_in(
            Path::new(env!("CARGO_MANIFEST_DIR")),
            &["--explain", rule.code()],
        );
        assert!(stdout(&explain).contains(&format!("Finds: {finds}")));
    }
}

#[test]
fn a_broken_file_that_names_a_fixed_function_is_reported_once() {
    // Fixing `get_user` needs every file that names it, and one of them does
    // not parse: it is reported once, and the run ends.
    let temp = tree(&[
        (
            "helper.py",
            b"import asyncio\n\n\nasync def fetch():\n    return 1\n\n\ndef _get_user():\n    return asyncio.run(fetch())\n",
        ),
        (
            "app.py",
            b"from helper import _get_user\n\n\nasync def main():\n    return _get_user()\n",
        ),
        (
            "bad.py",
            b"from helper import _get_user\n\ndef f(:\n    return _get_user()\n",
        ),
    ]);
    let output = run_in(temp.path(), &["--check"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let err = stderr(&output);
    assert_eq!(err.matches("bad.py").count(), 1, "{err}");
    assert!(
        stdout(&output).contains("app.py:5:12: UNN007"),
        "{}",
        stdout(&output)
    );
}
