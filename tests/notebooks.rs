//! Jupyter notebooks through the binary: cells run as a kernel runs them once
//! fixed, only the changed source strings of the JSON change, and bad
//! notebooks are refused whole.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{run_in, stderr, stdout};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Run a notebook's code cells in one event loop with top-level `await`, as
/// `tests/exec/run_notebook.py` does.
fn run_notebook(path: &Path) -> std::process::Output {
    Command::new("python3")
        .arg(root().join("tests/exec/run_notebook.py"))
        .arg(path)
        .env("PYTHONIOENCODING", "utf-8")
        .output()
        .expect("python3 runs")
}

#[test]
fn notebooks_run_in_a_kernel_once_rewritten() {
    let dir = root().join("tests/exec/notebooks");
    let mut notebooks: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ipynb"))
        .collect();
    notebooks.sort();
    assert!(!notebooks.is_empty());
    for notebook in notebooks {
        let name = notebook.file_name().unwrap().to_str().unwrap();
        let temp = tempfile::tempdir().unwrap();
        fs::copy(&notebook, temp.path().join(name)).unwrap();
        let before = run_notebook(&temp.path().join(name));
        assert!(
            !before.status.success() && stderr(&before).contains("RuntimeError"),
            "{name} does not fail today"
        );
        let fixed = run_in(temp.path(), &["--write", "--unsafe-fixes", name]);
        assert_eq!(fixed.status.code(), Some(0), "{name}: {}", stderr(&fixed));
        let after = run_notebook(&temp.path().join(name));
        let expected = fs::read_to_string(notebook.with_extension("out")).unwrap();
        assert!(after.status.success(), "{name}: {}", stderr(&after));
        assert_eq!(stdout(&after), expected, "{name}");
        let again = run_in(temp.path(), &["--check", "--unsafe-fixes", name]);
        assert_eq!(again.status.code(), Some(0), "{name}: {}", stdout(&again));
    }
}

/// Outputs, metadata, key order, indentation, execution counts and the final
/// newline stay byte for byte; only source strings of changed lines differ,
/// and the result loads as JSON (and as nbformat 4, where nbformat is
/// installed).
#[test]
fn only_changed_source_strings_change() {
    for fixture in [
        "tests/fixtures/notebooks/prices.ipynb",
        "tests/exec/notebooks/prices.ipynb",
    ] {
        let original = fs::read_to_string(root().join(fixture)).unwrap();
        let temp = tempfile::tempdir().unwrap();
        fs::write(temp.path().join("nb.ipynb"), &original).unwrap();
        let output = run_in(temp.path(), &["--write", "--unsafe-fixes", "nb.ipynb"]);
        assert_ne!(output.status.code(), Some(2), "{}", stderr(&output));
        let written = fs::read_to_string(temp.path().join("nb.ipynb")).unwrap();
        assert_ne!(written, original, "{fixture} has fixes");
        assert!(written.ends_with("}\n"));
        let script = r#"
import json, sys
old = json.load(open(sys.argv[1], encoding="utf-8"))
new = json.load(open(sys.argv[2], encoding="utf-8"))
assert list(old) == list(new)
assert {k: v for k, v in old.items() if k != "cells"} == {k: v for k, v in new.items() if k != "cells"}
assert len(old["cells"]) == len(new["cells"])
for a, b in zip(old["cells"], new["cells"]):
    assert list(a) == list(b), (list(a), list(b))
    assert {k: v for k, v in a.items() if k != "source"} == {k: v for k, v in b.items() if k != "source"}
try:
    import nbformat
except ImportError:
    print("nbformat not installed: validation skipped")
else:
    nbformat.validate(nbformat.read(sys.argv[2], as_version=4))
    print("nbformat 4: valid")
"#;
        let check = Command::new("python3")
            .args(["-c", script])
            .arg(root().join(fixture))
            .arg(temp.path().join("nb.ipynb"))
            .output()
            .unwrap();
        assert!(check.status.success(), "{fixture}: {}", stderr(&check));
        eprintln!("{fixture}: {}", stdout(&check).trim());
        // Line by line: every line that differs is a JSON string element.
        let (old_lines, new_lines): (Vec<&str>, Vec<&str>) =
            (original.lines().collect(), written.lines().collect());
        let diff = similar::TextDiff::from_slices(&old_lines, &new_lines);
        for change in diff.iter_all_changes() {
            if change.tag() != similar::ChangeTag::Equal {
                let line = change.value().trim_start();
                assert!(
                    line.starts_with('"'),
                    "{fixture}: a non-string line changed: {line}"
                );
            }
        }
    }
}

#[test]
fn bad_notebooks_are_refused_and_left_alone() {
    let cases = [
        ("broken.ipynb", "{\"cells\": [asyncio", "invalid JSON"),
        (
            "old.ipynb",
            "{\"nbformat\": 3, \"worksheets\": [], \"x\": \"asyncio\"}",
            "nbformat 3",
        ),
    ];
    let temp = tempfile::tempdir().unwrap();
    for (name, text, _) in cases {
        fs::write(temp.path().join(name), text).unwrap();
    }
    let output = run_in(temp.path(), &["--write", "."]);
    assert_eq!(output.status.code(), Some(2));
    for (name, text, reason) in cases {
        assert!(
            stderr(&output).contains(&format!(
                "{name}: skipped: the file is not a notebook unnest can edit"
            )) && stderr(&output).contains(reason),
            "{}",
            stderr(&output)
        );
        assert_eq!(fs::read_to_string(temp.path().join(name)).unwrap(), text);
    }
}
