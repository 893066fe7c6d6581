//! Snapshot tests: for every fixture under `tests/fixtures/`, the diagnostics of
//! `--check` and the diff of a dry run with `--unsafe-fixes`, as the binary
//! prints them. Snapshots live in the top-level `snapshots/` folder.

mod common;

use std::path::Path;

use common::{copy_tree, run_in, stderr, stdout};

/// The fixture's fixes written in a copy, safe ones only and with unsafe
/// ones: `run_in` has CPython compile every text they changed.
fn write_in_a_copy(fixture: &Path) {
    for args in [&["--write"][..], &["--write", "--unsafe-fixes"]] {
        let temp = tempfile::tempdir().unwrap();
        let name = fixture.file_name().unwrap().to_str().unwrap();
        let target = if fixture.is_dir() {
            copy_tree(fixture, temp.path());
            "."
        } else {
            std::fs::copy(fixture, temp.path().join(name)).unwrap();
            name
        };
        run_in(temp.path(), &[args, &[target]].concat());
    }
}

fn render(fixture: &Path) -> String {
    // A folder under `fixtures/projects/` is one project, run as `.` inside it.
    let (dir, name) = if fixture.is_dir() {
        (fixture, ".")
    } else {
        (
            fixture.parent().unwrap(),
            fixture.file_name().unwrap().to_str().unwrap(),
        )
    };
    let check = run_in(dir, &["--check", "--color", "never", name]);
    let diff = run_in(dir, &["--unsafe-fixes", "--color", "never", name]);
    let safe_only = run_in(dir, &["--color", "never", name]);
    write_in_a_copy(fixture);
    format!(
        "## unnest --check (exit {:?})\n{}{}\n## unnest --unsafe-fixes (exit {:?})\n{}{}\n## unnest, safe fixes only: {}\n",
        check.status.code(),
        stdout(&check),
        stderr(&check),
        diff.status.code(),
        // CR bytes are shown so that CRLF fixtures stay readable and reviewable.
        stdout(&diff).replace('\r', "␍"),
        stderr(&diff),
        if stdout(&safe_only) == stdout(&diff) {
            "the same diff".to_owned()
        } else {
            format!("\n{}", stdout(&safe_only).replace('\r', "␍"))
        }
    )
}

#[test]
fn fixtures() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::glob!("fixtures/*.py", |path| {
            insta::assert_snapshot!(render(path));
        });
        insta::glob!("fixtures/notebooks/*.ipynb", |path| {
            insta::assert_snapshot!(render(path));
        });
        insta::glob!("fixtures/projects/*", |path| {
            insta::assert_snapshot!(render(path));
        });
    });
}
