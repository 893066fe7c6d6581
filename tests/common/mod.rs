//! Helpers shared by the integration tests: running the built binary, and
//! compiling every fixed text with CPython.
//!
//! [`run_in`] compiles, with `python3`, every `.py` and `.ipynb` file that a
//! `--write` run changed under its folder: each fixed text the suite produces
//! through the binary is compiled by CPython, not only parsed by tree-sitter.
//! Tests that produce fixed texts another way hand them to [`assert_compile`].

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary, untouched by the environment's colour, parse-all,
/// debug-panic and virtual-environment settings (a test that wants one sets
/// it).
pub fn unnest() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_unnest"));
    command
        .env_remove("VIRTUAL_ENV")
        .env_remove("NO_COLOR")
        .env_remove("UNNEST_PARSE_ALL")
        .env_remove("UNNEST_DEBUG_PANIC")
        .env_remove("UNNEST_DEBUG_PANIC_TOGETHER");
    command
}

/// Run unnest in `dir` with `args`. After a `--write` run, every Python file
/// and notebook under `dir` that changed must compile under CPython.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    let writes = args.iter().any(|a| *a == "--write" || *a == "-w");
    let before = if writes {
        python_files(dir)
    } else {
        BTreeMap::new()
    };
    let output = unnest()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the unnest binary runs");
    if writes {
        let mut changed = Vec::new();
        let mut originals = Vec::new();
        for (path, bytes) in python_files(dir) {
            let original = before.get(&path);
            if original != Some(&bytes) {
                changed.push((path.display().to_string(), bytes));
                originals.push(original.cloned());
            }
        }
        let failures = compile_failures_given(&changed, &originals);
        assert!(
            failures.is_empty(),
            "`unnest {}` wrote texts CPython does not compile:\n{}",
            args.join(" "),
            failures.join("\n\n")
        );
    }
    output
}

/// The `.py` and `.ipynb` files under `dir` (not following links, skipping
/// hidden folders), with their bytes.
pub fn python_files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if kind.is_dir() && !hidden {
                stack.push(path);
            } else if kind.is_file()
                && path.extension().is_some_and(|e| e == "py" || e == "ipynb")
                && let Ok(bytes) = std::fs::read(&path)
            {
                files.insert(path, bytes);
            }
        }
    }
    files
}

/// Compiles each `(label, text)` in one `python3` process: a label ending in
/// `.ipynb` is a notebook's JSON, whose code cells are compiled one by one
/// with top-level `await` allowed (IPython magics masked); anything else is a
/// module, compiled from its bytes (so a BOM or coding cookie is honoured).
/// A text given with its original is checked only when the original compiles:
/// a fix must not break a file, it need not mend one.
const COMPILE: &str = include_str!("compile_check.py");

/// The texts among `items` (label, bytes) that CPython does not compile, with
/// the reason; all checked by one `python3` process.
pub fn compile_failures<T: AsRef<[u8]>>(items: &[(String, T)]) -> Vec<String> {
    compile_failures_given::<T, T>(items, &[])
}

/// As [`compile_failures`], with each text's original where `originals` has
/// one (`originals[i]` for `items[i]`): a text whose original does not compile
/// is not checked.
pub fn compile_failures_given<T: AsRef<[u8]>, O: AsRef<[u8]>>(
    items: &[(String, T)],
    originals: &[Option<O>],
) -> Vec<String> {
    if items.is_empty() {
        return Vec::new();
    }
    let hex = |bytes: &[u8]| -> String { bytes.iter().map(|b| format!("{b:02x}")).collect() };
    let payload: Vec<(&str, String, Option<String>)> = items
        .iter()
        .enumerate()
        .map(|(i, (label, bytes))| {
            let original = originals.get(i).and_then(Option::as_ref);
            (
                label.as_str(),
                hex(bytes.as_ref()),
                original.map(|o| hex(o.as_ref())),
            )
        })
        .collect();
    let mut child = Command::new("python3")
        .args(["-c", COMPILE])
        .env("PYTHONIOENCODING", "utf-8")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONWARNINGS", "ignore")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let input = serde_json::to_vec(&payload).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().expect("python3 runs");
    writer.join().unwrap().expect("python3 reads its input");
    assert!(
        output.status.success(),
        "the CPython compile check failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("the compile check prints JSON");
    report["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_owned())
        .collect()
}

/// Every fixed text in `items` (label, bytes; see [`compile_failures`])
/// compiles under CPython.
pub fn assert_compile<T: AsRef<[u8]>>(items: &[(String, T)]) {
    let failures = compile_failures(items);
    assert!(
        failures.is_empty(),
        "fixed texts CPython does not compile:\n{}",
        failures.join("\n\n")
    );
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Run `python3 FILE` in `dir`, with UTF-8 output.
pub fn python(dir: &Path, file: &str) -> Output {
    Command::new("python3")
        .arg(file)
        .current_dir(dir)
        .env("PYTHONIOENCODING", "utf-8")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("python3 runs")
}

/// Copy the tree under `from` into `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Copy every file of `from` (not recursive) into `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// Run `python3 ARGS...` in `dir`, with UTF-8 output.
pub fn python_args(dir: &Path, args: &[&str]) -> Output {
    Command::new("python3")
        .args(args)
        .current_dir(dir)
        .env("PYTHONIOENCODING", "utf-8")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("python3 runs")
}

/// A temporary folder holding `files` (path and bytes), folders made as
/// needed.
pub fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let temp = tempfile::tempdir().unwrap();
    for (path, contents) in files {
        let full = temp.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, contents).unwrap();
    }
    temp
}
