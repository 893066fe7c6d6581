//! The migration report (`--report`) and the JSON summary
//! (`--summary-json`) through the built binary: snapshots of both over a
//! project with a cross-file fix, a notebook, files refused or skipped and
//! findings that need a person; where they go (a file or stdout); and the
//! README's local example over several repositories, run as documented.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

mod common;
use common::{run_in, stderr, stdout, tree, unnest};

/// A helper made async in `pkg/helpers.py` and awaited in `pkg/views.py`:
/// one safe fix over two files.
const HELPER: &str = "import asyncio\n\n\ndef _load(req):\n    data = asyncio.run(fetch(req))\n    return data + 1\n\n\nasync def fetch(req):\n    return req\n";
const CALLER: &str =
    "from pkg.helpers import _load\n\n\nasync def handle(req):\n    return _load(req)\n";
/// No fix (the helper has a sync caller), and an unsafe one.
const PERSON: &str = "import asyncio\n\n\ndef load(key):\n    return asyncio.run(fetch(key)) + 1\n\n\ndef report():\n    return load(\"sync caller\")\n\n\nasync def fetch(key):\n    return key\n\n\nasync def handler(key):\n    return load(key)\n\n\nasync def total(keys):\n    return sum(asyncio.run(fetch(k)) for k in keys)\n";
const NOTEBOOK: &str = r#"{
 "cells": [
  {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [],
   "source": ["import asyncio\n", "\n", "async def price(item):\n", "    return len(item)\n"]},
  {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [],
   "source": ["print(asyncio.run(price(\"apple\")))\n"]}
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
"#;
/// Fixable, but made read-only by the tests that write: not written.
const LOCKED: &str = "import asyncio\n\n\nasync def main():\n    return asyncio.run(work())\n";

fn project() -> tempfile::TempDir {
    tree(&[
        ("pkg/__init__.py", b""),
        ("pkg/helpers.py", HELPER.as_bytes()),
        ("pkg/views.py", CALLER.as_bytes()),
        ("person.py", PERSON.as_bytes()),
        ("prices.ipynb", NOTEBOOK.as_bytes()),
        ("locked.py", LOCKED.as_bytes()),
        // Not UTF-8: skipped.
        ("latin1.py", b"import asyncio\nname = '\xe9t\xe9'\n"),
    ])
}

fn set_read_only(path: &Path, read_only: bool) {
    let mut permissions = fs::metadata(path).unwrap().permissions();
    permissions.set_readonly(read_only);
    fs::set_permissions(path, permissions).unwrap();
}

/// Run with `locked.py` read-only, so that its fix is not written.
fn run_locked(dir: &Path, args: &[&str]) -> Output {
    let locked = dir.join("locked.py");
    set_read_only(&locked, true);
    let output = run_in(dir, args);
    set_read_only(&locked, false);
    output
}

/// The report without the one line that changes from run to run.
fn without_time(report: &str) -> String {
    report
        .lines()
        .map(|line| {
            if line.starts_with("- time taken: ") {
                "- time taken: [time]"
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn snapshot(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn report_of_a_write() {
    let temp = project();
    let output = run_locked(temp.path(), &["--write", "--report", "-", "."]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let report = stdout(&output);
    assert!(
        !report.contains(&*temp.path().to_string_lossy()),
        "{report}"
    );
    snapshot("report_write", &without_time(&report));
}

#[test]
fn report_of_a_dry_run() {
    let temp = project();
    let output = run_in(temp.path(), &["--report", "-", "."]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    snapshot("report_dry_run", &without_time(&stdout(&output)));
}

#[test]
fn report_of_a_check() {
    let temp = project();
    let output = run_in(temp.path(), &["--check", "--report", "-", "."]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    snapshot("report_check", &without_time(&stdout(&output)));
}

#[test]
fn summary_of_a_write() {
    let temp = project();
    let output = run_locked(temp.path(), &["--write", "--summary-json", "-", "."]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    snapshot("summary_write", &stdout(&output));
}

#[test]
fn summary_of_a_check() {
    let temp = project();
    let output = run_in(temp.path(), &["--check", "--summary-json", "-", "."]);
    snapshot("summary_check", &stdout(&output));
}

/// The summary agrees with the summary line on stderr and with itself.
#[test]
fn the_summary_counts_what_the_run_did() {
    let temp = project();
    let output = run_locked(
        temp.path(),
        &["--write", "--summary-json", "summary.json", "."],
    );
    let err = stderr(&output);
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(temp.path().join("summary.json")).unwrap()).unwrap();
    let fixed = summary["fixed"].as_u64().unwrap();
    let files = summary["files_changed"].as_u64().unwrap();
    assert!(
        err.contains(&format!("fixed {fixed} findings in {files} files")),
        "{err}\n{summary}"
    );
    assert_eq!(summary["errors"], 2, "{summary}");
    let mut found = 0;
    for (code, counts) in summary["rules"].as_object().unwrap() {
        let n = |key: &str| counts[key].as_u64().unwrap();
        assert_eq!(
            n("findings"),
            n("fixed") + n("left_for_a_person") + n("refused"),
            "{code}: {counts}"
        );
        found += n("findings");
    }
    assert_eq!(summary["findings"].as_u64().unwrap(), found);
    // The dry run's stdout still holds the patch when the summary goes to a file.
    let dry = run_in(temp.path(), &["--summary-json", "s.json", "."]);
    assert!(stdout(&dry).is_empty() || stdout(&dry).starts_with("--- a/"));
    assert!(temp.path().join("s.json").exists());
}

#[test]
fn a_report_file_leaves_the_usual_output_alone() {
    let temp = project();
    let output = run_in(temp.path(), &["--report", "report.md", "."]);
    assert!(stdout(&output).starts_with("--- a/"), "{}", stdout(&output));
    let report = fs::read_to_string(temp.path().join("report.md")).unwrap();
    assert!(report.starts_with("# unnest (dry run): "), "{report}");
    // `-` takes stdout instead of the patch.
    let output = run_in(temp.path(), &["--report", "-", "."]);
    assert!(stdout(&output).starts_with("# unnest (dry run): "));
    assert_eq!(
        without_time(&stdout(&output)),
        without_time(&report.replace("--report report.md", "--report -"))
    );
}

#[test]
fn the_report_is_the_same_from_run_to_run() {
    let temp = project();
    let a = run_in(temp.path(), &["--unsafe-fixes", "--report", "-", "."]);
    let b = run_in(temp.path(), &["--unsafe-fixes", "--report", "-", "."]);
    assert_eq!(without_time(&stdout(&a)), without_time(&stdout(&b)));
    let report = stdout(&a);
    assert!(
        report.contains("- command: `unnest --unsafe-fixes --report - .`"),
        "{report}"
    );
    assert!(report.contains(&format!("- unnest {}", env!("CARGO_PKG_VERSION"))));
    assert!(report.lines().any(|l| l.starts_with("- time taken: ")));
}

#[test]
fn stdout_holds_one_output_only() {
    let temp = project();
    for (args, says) in [
        (
            &["--report", "-", "--summary-json", "-", "."][..],
            "cannot both write to stdout",
        ),
        (
            &["--report", "-", "--format", "json-lines", "."][..],
            "--report - and --format json-lines",
        ),
        (
            &["--summary-json", "s.json", "-"][..],
            "not text from stdin",
        ),
    ] {
        let output = unnest()
            .current_dir(temp.path())
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains(says), "{}", stderr(&output));
        assert!(stdout(&output).is_empty());
    }
}

#[test]
fn a_report_that_cannot_be_written_is_an_error() {
    let temp = tree(&[("ok.py", b"print(1)\n")]);
    let output = run_in(temp.path(), &["--report", "missing/report.md", "."]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("error: missing/report.md: cannot write: "),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_fix_declined_in_review_is_left_for_a_person() {
    let temp = tree(&[("a.py", LOCKED.as_bytes())]);
    let mut child = unnest()
        .current_dir(temp.path())
        .args(["--interactive", "--report", "r.md", "a.py"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        child.stdin.take().unwrap().write_all(b"n\n").unwrap();
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = fs::read_to_string(temp.path().join("r.md")).unwrap();
    assert!(
        report.starts_with("# unnest: fixed 0 findings in 0 files; 1 needs a person"),
        "{report}"
    );
    assert!(
        report.contains("  - why not fixed: declined in review"),
        "{report}"
    );
    assert_eq!(
        fs::read_to_string(temp.path().join("a.py")).unwrap(),
        LOCKED
    );
}

/// The shell example of the README's "Migrating many repositories", as
/// written there: the block that runs `xargs -P`.
fn documented_example() -> String {
    let readme = include_str!("../README.md");
    let section = readme
        .split("\n## Migrating many repositories")
        .nth(1)
        .expect("the README has the section");
    let mut blocks = section.split("```sh\n").skip(1);
    blocks
        .find(|b| b.split("```").next().unwrap().contains("xargs -P"))
        .expect("the section has the xargs example")
        .split("```")
        .next()
        .unwrap()
        .to_owned()
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {}", stderr(&output));
    stdout(&output).trim_end().to_owned()
}

/// Everything the example can change: each repository's branches with
/// their commits, its status, and the report files.
fn state(work: &Path, repos: &[&str]) -> String {
    let mut state = String::new();
    for repo in repos {
        let dir = work.join(repo);
        state += &git(&dir, &["for-each-ref", "--format=%(refname) %(objectname)"]);
        state += &git(&dir, &["status", "--porcelain", "--branch"]);
    }
    let mut reports: Vec<_> = fs::read_dir(work.join("reports"))
        .map(|r| r.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    reports.sort();
    for path in reports {
        state += &format!("{}:{}", path.display(), fs::read_to_string(&path).unwrap());
    }
    state
}

#[test]
fn the_documented_local_example_migrates_three_repositories() {
    let work = tempfile::tempdir().unwrap();
    let repos: [(&str, &[(&str, &str)]); 3] = [
        (
            "shop",
            &[
                ("pkg/__init__.py", ""),
                ("pkg/helpers.py", HELPER),
                ("pkg/views.py", CALLER),
            ],
        ),
        ("jobs", &[("jobs.py", LOCKED), ("person.py", PERSON)]),
        ("clean", &[("app.py", "print('nothing to fix')\n")]),
    ];
    let names: Vec<&str> = repos.iter().map(|(name, _)| *name).collect();
    for (name, files) in &repos {
        let dir = work.path().join(name);
        for (path, text) in *files {
            let full = dir.join(path);
            fs::create_dir_all(full.parent().unwrap()).unwrap();
            fs::write(full, text).unwrap();
        }
        git(&dir, &["init", "-q", "-b", "main"]);
        git(&dir, &["add", "."]);
        git(&dir, &["commit", "-q", "-m", "initial"]);
    }
    fs::write(work.path().join("repos.txt"), names.join("\n") + "\n").unwrap();
    let script = work.path().join("migrate.sh");
    fs::write(&script, documented_example()).unwrap();
    let binary = Path::new(env!("CARGO_BIN_EXE_unnest")).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(binary.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let run = || {
        let output = Command::new("sh")
            .arg(&script)
            .current_dir(work.path())
            .env("PATH", &path)
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
            .env_remove("NO_COLOR")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}\n{}",
            stdout(&output),
            stderr(&output)
        );
    };
    run();

    for (name, fixed) in [("shop", "pkg/helpers.py"), ("jobs", "jobs.py")] {
        let dir = work.path().join(name);
        assert_eq!(git(&dir, &["branch", "--show-current"]), "unnest-migration");
        // One commit on the branch, whose subject is the report's title.
        assert_eq!(git(&dir, &["rev-list", "--count", "main..HEAD"]), "1");
        let report = fs::read_to_string(work.path().join(format!("reports/{name}.md"))).unwrap();
        let title = report.lines().next().unwrap().strip_prefix("# ").unwrap();
        assert!(title.starts_with("unnest: fixed 1 finding in "), "{title}");
        assert_eq!(git(&dir, &["log", "-1", "--format=%s"]), title);
        let body = git(&dir, &["log", "-1", "--format=%b"]);
        assert!(body.starts_with("Scanned "), "{body}");
        assert!(git(&dir, &["show", "--stat", "--format="]).contains(fixed));
        // Nothing left uncommitted, and no report inside the repository.
        assert_eq!(git(&dir, &["status", "--porcelain"]), "");
    }
    let jobs = fs::read_to_string(work.path().join("reports/jobs.md")).unwrap();
    assert!(jobs.contains("## Needs a person (2)"), "{jobs}");
    assert!(
        fs::read_to_string(work.path().join("shop/pkg/helpers.py"))
            .unwrap()
            .contains("async def _load(req)")
    );
    // Nothing to fix: no commit and no report.
    let clean = work.path().join("clean");
    assert_eq!(git(&clean, &["rev-list", "--count", "main..HEAD"]), "0");
    assert!(!work.path().join("reports/clean.md").exists());
    let mut left: Vec<String> = fs::read_dir(work.path().join("reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["jobs.md", "shop.md"]);

    // A second run changes nothing: branches, commits, work trees, reports.
    let before = state(work.path(), &names);
    run();
    assert_eq!(state(work.path(), &names), before);
}

/// The README's example report and summary are what unnest prints for the
/// files it describes (but for the time taken and the version).
#[test]
fn the_readme_examples_are_what_unnest_prints() {
    let readme = include_str!("../README.md");
    let section = readme
        .split("\n## Migration report")
        .nth(1)
        .expect("the README has the section");
    let report = section
        .split("````markdown\n")
        .nth(1)
        .and_then(|rest| rest.split("\n````\n").next())
        .expect("the section shows a report");
    let summary = section
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("```\n").next())
        .expect("the section shows a summary");
    let person = format!(
        "{}\n",
        PERSON.split("\n\n\nasync def total").next().unwrap()
    );
    let files: &[(&str, &[u8])] = &[
        ("pkg/__init__.py", b""),
        ("pkg/helpers.py", HELPER.as_bytes()),
        ("pkg/views.py", CALLER.as_bytes()),
        ("person.py", person.as_bytes()),
    ];
    let as_documented = |text: &str| {
        without_time(text)
            .replace(env!("CARGO_PKG_VERSION"), "0.1.0")
            .trim_end()
            .to_owned()
    };
    let temp = tree(files);
    let output = run_in(temp.path(), &["--write", "--report", "-", "."]);
    assert_eq!(as_documented(&stdout(&output)), as_documented(report));
    let temp = tree(files);
    let output = run_in(temp.path(), &["--write", "--summary-json", "-", "."]);
    assert_eq!(as_documented(&stdout(&output)), as_documented(summary));
}

/// A report too long for a pull-request description leaves the diffs out
/// and says so; a diff line of megabytes (a notebook's output) is cut.
#[test]
fn a_report_stays_within_a_description() {
    let mut many = String::from("import asyncio\n");
    for i in 0..300 {
        many += &format!("\n\nasync def f{i}():\n    return asyncio.run(work())\n");
    }
    let output_line = format!(
        "   \"outputs\": [{{\"output_type\": \"stream\", \"name\": \"stdout\", \"text\": [\"{}\"]}}]}}\n",
        "x".repeat(5000)
    );
    let notebook = format!(
        "{{\n \"cells\": [\n  {{\"cell_type\": \"code\", \"execution_count\": 1, \"metadata\": {{}},\n   \"source\": [\"import asyncio\\n\", \"asyncio.run(main())\\n\"],\n{output_line} ],\n \"metadata\": {{}},\n \"nbformat\": 4,\n \"nbformat_minor\": 5\n}}\n"
    );
    let temp = tree(&[
        ("many.py", many.as_bytes()),
        ("nb.ipynb", notebook.as_bytes()),
    ]);
    let output = run_in(temp.path(), &["--report", "-", "."]);
    let report = stdout(&output);
    assert!(report.chars().count() <= 65_536, "{}", report.len());
    assert!(report.contains("The changes are left out"), "{report}");
    assert!(!report.contains("```diff"));
    assert!(report.contains("`many.py:1201` UNN001"), "{report}");
    let output = run_in(temp.path(), &["--report", "-", "nb.ipynb"]);
    let report = stdout(&output);
    assert!(report.contains("```diff"), "{report}");
    assert!(report.contains(&format!("{} [line cut]\n", "x".repeat(100))));
    assert!(!report.contains(&"x".repeat(300)));
}

/// Fixes applied in later passes (each inlined wrapper adds the same import,
/// so they go one pass after another) are placed where `--check` finds them
/// in the files as they were.
#[test]
fn fixed_findings_are_placed_in_the_files_as_they_were() {
    let temp = tempfile::tempdir().unwrap();
    common::copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/projects/chains"),
        temp.path(),
    );
    let check = stdout(&run_in(temp.path(), &["--check", "--unsafe-fixes", "."]));
    let mut found: Vec<String> = check
        .lines()
        .filter(|l| l.contains("[fix: "))
        .map(|l| {
            let mut parts = l.splitn(3, ':');
            format!("{}:{}", parts.next().unwrap(), parts.next().unwrap())
        })
        .collect();
    let report = stdout(&run_in(
        temp.path(),
        &["--unsafe-fixes", "--report", "-", "."],
    ));
    let mut fixed: Vec<&str> = report
        .split("## Fixed")
        .nth(1)
        .unwrap()
        .split("## Needs a person")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("- `")?.split('`').next())
        .collect();
    found.sort();
    fixed.sort();
    assert_eq!(fixed.len(), 4, "{report}");
    assert_eq!(fixed, found, "{report}\n{check}");
}

#[test]
fn an_output_path_that_is_a_file_the_run_reads_is_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let text = "import asyncio\n\n\nasync def co():\n    return 1\n\n\nasync def main():\n    return asyncio.run(co())\n";
    std::fs::write(dir.path().join("a.py"), text).unwrap();
    for args in [
        vec!["--report", "a.py", "."],
        vec!["--write", "--report", "a.py", "."],
        vec!["--summary-json", "a.py", "."],
        vec!["--report", "a.py", "a.py"],
        vec!["--report", "r.md", "--summary-json", "r.md", "."],
    ] {
        let output = common::run_in(dir.path(), &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(
            err.contains("that is a file the run reads") || err.contains("name the same file"),
            "{args:?}: {err}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.py")).unwrap(),
            text
        );
        assert!(!dir.path().join("r.md").exists());
    }
}
