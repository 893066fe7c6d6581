//! Helpers shared by the integration tests: running the built binary.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub fn unnest() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_unnest"));
    command.env_remove("NO_COLOR");
    command
}

/// Run unnest in `dir` with `args`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    unnest()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the unnest binary runs")
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
