//! The worst-case trees of `bench/gen_worst.py`, at small sizes: a chain of
//! modules, one module of many blocks, one named like its own parameters, and
//! one whose classes share a base that defines the same method. The indexes
//! and worklists that make these fast must not change what is found or fixed:
//! with triage and without it (`UNNEST_PARSE_ALL=1`), the findings (JSON), the
//! text diagnostics and the proposed patch are the same, byte for byte; and
//! `--write --unsafe-fixes` reaches the fixed point in one run.

mod common;

use std::path::Path;
use std::process::Command;

use common::{run_in, stdout, unnest};

/// Generate a tree with `bench/gen_worst.py` into `dir`.
fn generate(dir: &Path, args: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/gen_worst.py");
    let status = Command::new("python3")
        .arg(script)
        .args(args)
        .status()
        .expect("python3 runs");
    assert!(status.success(), "gen_worst.py {args:?} failed");
    assert!(dir.is_dir());
}

/// The findings as JSON, the text diagnostics and the patch, with the
/// environment `env` (`UNNEST_PARSE_ALL=1`: every file parsed whole;
/// `UNNEST_KEPT_TEXT=0`: every file that may be set aside set aside, as a
/// large tree past its budget does).
fn outputs(dir: &Path, env: Option<(&str, &str)>) -> [String; 3] {
    let run = |args: &[&str]| {
        let mut command = unnest();
        if let Some((name, value)) = env {
            command.env(name, value);
        }
        let output = command
            .current_dir(dir)
            .args(args)
            .output()
            .expect("unnest runs");
        stdout(&output)
    };
    [
        run(&["--unsafe-fixes", "--format", "json", "."]),
        run(&["--check", "--color", "never", "."]),
        run(&["--unsafe-fixes", "--color", "never", "."]),
    ]
}

fn check_tree(args: &[&str], findings_at_least: usize) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("tree");
    let mut full: Vec<&str> = vec![args[0], dir.to_str().unwrap()];
    full.extend(&args[1..]);
    generate(&dir, &full);

    let triaged = outputs(&dir, None);
    let all = outputs(&dir, Some(("UNNEST_PARSE_ALL", "1")));
    let set_aside = outputs(&dir, Some(("UNNEST_KEPT_TEXT", "0")));
    for (name, other) in [("parsing all", &all), ("files set aside", &set_aside)] {
        for (what, (a, b)) in ["findings", "diagnostics", "patch"]
            .iter()
            .zip(triaged.iter().zip(other.iter()))
        {
            assert!(
                a == b,
                "{args:?}: {what} differ\nwith triage:\n{a}\n{name}:\n{b}"
            );
        }
    }
    let findings = triaged[0].matches("\"code\"").count();
    assert!(
        findings >= findings_at_least,
        "{args:?}: {findings} findings, expected at least {findings_at_least}"
    );
    assert!(!triaged[2].is_empty(), "{args:?}: no patch proposed");

    // One `--write` run fixes everything it can; a second finds nothing.
    let first = run_in(&dir, &["--write", "--unsafe-fixes", "."]);
    assert!(
        first.status.code().is_some_and(|c| c <= 1),
        "{args:?}: --write failed: {}",
        common::stderr(&first)
    );
    let second = run_in(&dir, &["--check", "--color", "never", "."]);
    assert!(
        second.status.success(),
        "{args:?}: findings left after one --write run:\n{}",
        stdout(&second)
    );
}

#[test]
fn chain_of_modules() {
    check_tree(&["chain", "--modules", "30"], 60);
}

#[test]
fn chain_of_modules_through_module_attributes() {
    check_tree(&["chain", "--modules", "20", "--style", "attr"], 40);
}

#[test]
fn giant_module() {
    check_tree(&["giant", "--blocks", "40"], 40);
}

#[test]
fn giant_module_named_like_its_parameters() {
    check_tree(
        &["giant", "--blocks", "40", "--module", "x", "--param", "x"],
        40,
    );
}

#[test]
fn giant_module_with_a_shared_base_class() {
    check_tree(&["giant", "--blocks", "30", "--base"], 30);
}
