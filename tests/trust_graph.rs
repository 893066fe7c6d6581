//! The call graph's fixes must be trusted: each program here fails today with
//! a nested-loop RuntimeError; after `unnest --write` it runs and prints what
//! it should, every rewritten file compiles under CPython, a second run finds
//! nothing, and triage (a partial parse) gives the same fixes as parsing every
//! file whole. Correct programs stay byte-identical.
//!
//! A fix must also reach the nested run it is for (a helper made async that
//! still calls a sync function holding a run only moves the RuntimeError),
//! and its line-based edits must cut lines where CPython does: at LF, CRLF
//! and a lone CR. A fix that cannot reach its run is refused and the finding
//! stays, with its reason.

use std::path::Path;
use std::process::{Command, Output};

fn unnest(dir: &Path, args: &[&str], parse_all: bool) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_unnest"));
    command
        .env_remove("NO_COLOR")
        .env_remove("VIRTUAL_ENV")
        .current_dir(dir)
        .args(args);
    if parse_all {
        command.env("UNNEST_PARSE_ALL", "1");
    } else {
        command.env_remove("UNNEST_PARSE_ALL");
    }
    command.output().expect("the unnest binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn python(dir: &Path, args: &[&str]) -> Output {
    Command::new("python3")
        .args(args)
        .current_dir(dir)
        .env("PYTHONIOENCODING", "utf-8")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("python3 runs")
}

fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, content) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
}

/// Every `.py` file under `dir` compiles; every notebook's code cells compile
/// with top-level await allowed (IPython syntax skipped).
fn assert_compiles(dir: &Path) {
    let script = r#"
import ast, json, pathlib, sys
for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.py')):
    compile(p.read_text(), str(p), 'exec')
for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.ipynb')):
    for i, cell in enumerate(json.loads(p.read_text())['cells']):
        if cell['cell_type'] != 'code':
            continue
        src = cell['source'] if isinstance(cell['source'], str) else ''.join(cell['source'])
        if src.lstrip().startswith('%%'):
            continue
        lines = [('pass' if l.strip().startswith(('%', '!')) else l) for l in src.splitlines()]
        compile('\n'.join(lines), f'{p}:cell {i + 1}', 'exec', flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
"#;
    let out = python(dir, &["-c", script, "."]);
    assert!(
        out.status.success(),
        "the rewritten text does not compile:\n{}",
        text(&out.stderr)
    );
}

/// The dry run's diff, with triage and with every file parsed whole: they
/// must be the same.
fn same_with_and_without_triage(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["--color", "never"];
    all.extend(args);
    all.push(".");
    let triaged = unnest(dir, &all, false);
    let whole = unnest(dir, &all, true);
    assert_eq!(
        text(&triaged.stdout),
        text(&whole.stdout),
        "triage changes the fixes"
    );
    assert_eq!(
        text(&triaged.stderr),
        text(&whole.stderr),
        "triage changes the findings"
    );
    text(&triaged.stdout)
}

/// The program `main.py` of `files` fails today with a RuntimeError; after
/// `unnest --write [args] .` it prints `expected`, compiles, and a second run
/// finds nothing. Returns the fixed files' directory for further checks.
fn fixed_program_runs(files: &[(&str, &str)], args: &[&str], expected: &str) -> tempfile::TempDir {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    write_files(dir, files);
    let before = python(dir, &["main.py"]);
    assert!(
        !before.status.success() && text(&before.stderr).contains("RuntimeError")
            || text(&before.stderr).contains("cannot be called from a running event loop"),
        "the program does not fail today, so it proves nothing:\n{}{}",
        text(&before.stdout),
        text(&before.stderr)
    );
    let diff = same_with_and_without_triage(dir, args);
    let mut write = vec!["--write"];
    write.extend(args);
    write.push(".");
    let fixed = unnest(dir, &write, false);
    assert_eq!(
        fixed.status.code(),
        Some(0),
        "unnest --write left findings or failed:\n{}{}\n--- the fix\n{diff}",
        text(&fixed.stdout),
        text(&fixed.stderr)
    );
    assert_compiles(dir);
    let after = python(dir, &["main.py"]);
    assert!(
        after.status.success() && text(&after.stdout) == expected && after.stderr.is_empty(),
        "the rewritten program misbehaves (exit {:?})\n--- stdout\n{}--- expected\n{expected}--- stderr\n{}--- the fix\n{diff}",
        after.status.code(),
        text(&after.stdout),
        text(&after.stderr)
    );
    let again = unnest(dir, &["--check", "--unsafe-fixes", "."], false);
    assert!(
        again.status.code() == Some(0) && again.stdout.is_empty(),
        "a second run still finds:\n{}\n--- the fix\n{diff}",
        text(&again.stdout)
    );
    temp
}

/// `unnest --check --unsafe-fixes` finds nothing in `files`, `--write
/// --unsafe-fixes` leaves them byte-identical, and `main.py` runs as
/// `expected`.
fn correct_program_stays(files: &[(&str, &str)], expected: &str) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    write_files(dir, files);
    let before = python(dir, &["main.py"]);
    assert!(
        before.status.success() && text(&before.stdout) == expected,
        "the correct program does not run as expected:\n{}{}",
        text(&before.stdout),
        text(&before.stderr)
    );
    for parse_all in [false, true] {
        let check = unnest(dir, &["--check", "--unsafe-fixes", "."], parse_all);
        assert!(
            check.status.code() == Some(0) && check.stdout.is_empty(),
            "a correct program is reported:\n{}",
            text(&check.stdout)
        );
    }
    let write = unnest(dir, &["--write", "--unsafe-fixes", "."], false);
    assert_eq!(write.status.code(), Some(0), "{}", text(&write.stderr));
    for (path, content) in files {
        assert_eq!(
            std::fs::read_to_string(dir.join(path)).unwrap(),
            *content,
            "{path} was changed"
        );
    }
}

// Item: `await helper()` where the helper is sync and runs a loop.

const AWAITED_SYNC_HELPER: &str = r#"import asyncio


async def fetch(r):
    return r * 3


def _load(r):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(fetch(r))
    finally:
        loop.close()


async def main():
    print(await _load(2))
    value = await _load(3)
    print(value)


asyncio.run(main())
"#;

#[test]
fn awaited_sync_helper_that_runs_a_loop_is_made_async_keeping_the_await() {
    let dir = fixed_program_runs(&[("main.py", AWAITED_SYNC_HELPER)], &[], "6\n9\n");
    let fixed = std::fs::read_to_string(dir.path().join("main.py")).unwrap();
    assert!(fixed.contains("async def _load(r):"), "{fixed}");
    assert!(fixed.contains("print(await _load(2))"), "{fixed}");
    assert!(!fixed.contains("await await"), "{fixed}");
}

#[test]
fn awaited_sync_helper_is_reported_in_check() {
    let temp = tempfile::tempdir().unwrap();
    write_files(temp.path(), &[("main.py", AWAITED_SYNC_HELPER)]);
    let check = unnest(temp.path(), &["--check", "."], false);
    let out = text(&check.stdout);
    assert_eq!(out.matches("UNN007").count(), 2, "{out}");
    assert!(out.contains("main.py:17:17: UNN007"), "{out}");
}

// Item: `concurrent.futures` done callbacks run in a worker thread.

#[test]
fn concurrent_futures_done_callback_is_not_a_loop_callback() {
    let program = r#"import asyncio
import concurrent.futures
import threading
import time


async def work():
    return 5


def on_done(fut):
    # A worker thread runs this: no loop runs here, so asyncio.run works.
    print("done", asyncio.run(work()), fut.result(), threading.current_thread() is not threading.main_thread())


def task(seconds):
    time.sleep(seconds)
    return 1


async def main():
    with concurrent.futures.ThreadPoolExecutor() as ex:
        ex.submit(task, 0.2).add_done_callback(on_done)
        future = ex.submit(task, 0.6)
        future.add_done_callback(on_done)


asyncio.run(main())
"#;
    correct_program_stays(&[("main.py", program)], "done 5 1 True\ndone 5 1 True\n");
}

#[test]
fn asyncio_future_done_callbacks_are_loop_callbacks() {
    let program = r#"import asyncio


async def work():
    return 5


def on_done(fut):
    asyncio.run(work())


def other(fut):
    asyncio.run(work())


async def main(loop, unknown):
    asyncio.ensure_future(work()).add_done_callback(on_done)
    task = loop.create_task(work())
    task.add_done_callback(on_done)
    unknown.add_done_callback(other)
"#;
    let temp = tempfile::tempdir().unwrap();
    write_files(temp.path(), &[("main.py", program)]);
    for parse_all in [false, true] {
        let check = unnest(temp.path(), &["--check", "."], parse_all);
        let out = text(&check.stdout);
        assert!(out.contains("main.py:9:5: UNN009"), "{out}");
        // The receiver of `other` is unknown: it may be a concurrent future.
        assert!(!out.contains("main.py:13:"), "{out}");
    }
}

// Item: `from m import *` of a project module.

const STAR_B: &str = r#"import asyncio

__all__ = ["load"]


async def fetch(r):
    return r * 3


def load(r):
    value = asyncio.run(fetch(r))
    return value
"#;

#[test]
fn star_import_of_a_project_module_is_followed() {
    let main = r#"import asyncio

from pkg.b import *


async def main():
    print(load(2))


asyncio.run(main())
"#;
    fixed_program_runs(
        &[
            ("pkg/__init__.py", ""),
            ("pkg/b.py", STAR_B),
            ("main.py", main),
        ],
        &["--unsafe-fixes"],
        "6\n",
    );
}

#[test]
fn star_reexport_in_a_package_init_is_followed() {
    let main = r#"import asyncio

from pkg import load


async def main():
    print(load(4))


asyncio.run(main())
"#;
    fixed_program_runs(
        &[
            ("pkg/__init__.py", "from .b import *\n"),
            ("pkg/b.py", STAR_B),
            ("main.py", main),
        ],
        &["--unsafe-fixes"],
        "12\n",
    );
}

#[test]
fn star_import_honours_a_literal_all() {
    // `c.load` runs a loop but `c.__all__` leaves it out: the star import of
    // `c` does not rebind `load`, which stays `d.load`.
    let c = r#"import asyncio

__all__ = ["helper"]


async def fetch(r):
    return r


def helper():
    return 1


def load(r):
    return asyncio.run(fetch(r)) + 100
"#;
    let d = "def load(r):\n    return r * 2\n";
    let main = r#"import asyncio

from d import *
from c import *


async def main():
    print(load(5), helper())


asyncio.run(main())
"#;
    correct_program_stays(&[("c.py", c), ("d.py", d), ("main.py", main)], "10 1\n");
}

// Item: where a fix adds an import.

const HELPERS: &str = r#"import asyncio


async def fetch(n):
    return n + 1


def load(n):
    return asyncio.run(fetch(n))
"#;

#[test]
fn added_import_goes_after_a_docstring_behind_comments() {
    let main = r#"#!/usr/bin/env python3
# The entry point.
"""Docstring of main."""


async def main():
    from helpers import load

    print(load(2), __doc__)


import asyncio

asyncio.run(main())
"#;
    let dir = fixed_program_runs(
        &[("helpers.py", HELPERS), ("main.py", main)],
        &[],
        "3 Docstring of main.\n",
    );
    let fixed = std::fs::read_to_string(dir.path().join("main.py")).unwrap();
    assert!(
        fixed.starts_with(
            "#!/usr/bin/env python3\n# The entry point.\n\"\"\"Docstring of main.\"\"\"\nfrom helpers import fetch\n"
        ),
        "{fixed}"
    );
}

#[test]
fn added_import_goes_after_future_imports_behind_comments() {
    let main = r#"# The entry point.
"""Docstring of main."""
# Annotations stay strings.
from __future__ import annotations


async def main() -> None:
    from helpers import load

    print(load(2), __doc__)


import asyncio

asyncio.run(main())
"#;
    let dir = fixed_program_runs(
        &[("helpers.py", HELPERS), ("main.py", main)],
        &[],
        "3 Docstring of main.\n",
    );
    let fixed = std::fs::read_to_string(dir.path().join("main.py")).unwrap();
    assert!(
        fixed.contains("from __future__ import annotations\nfrom helpers import fetch\n"),
        "{fixed}"
    );
}

fn notebook(cells: &[(&str, &str)]) -> String {
    let cells: Vec<serde_json::Value> = cells
        .iter()
        .map(|(kind, source)| {
            let lines: Vec<&str> = source.split_inclusive('\n').collect();
            let mut cell = serde_json::json!({
                "cell_type": kind,
                "metadata": {},
                "source": lines,
            });
            if *kind == "code" {
                cell["execution_count"] = serde_json::Value::Null;
                cell["outputs"] = serde_json::json!([]);
            }
            cell
        })
        .collect();
    let notebook = serde_json::json!({
        "cells": cells,
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    });
    serde_json::to_string_pretty(&notebook).unwrap() + "\n"
}

#[test]
fn notebook_import_goes_into_the_cell_that_uses_it_never_a_magic_cell() {
    let nb = notebook(&[
        ("code", "%pip install requests\nimport os"),
        ("code", "%%capture\nprint('captured')"),
        ("markdown", "# Prices"),
        ("code", "import json\nfrom helpers import load"),
        (
            "code",
            "%matplotlib inline\n# Load one.\nimport sys\nvalue = load(2)\nprint(value)",
        ),
    ]);
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    write_files(dir, &[("helpers.py", HELPERS), ("nb.ipynb", &nb)]);
    // Beside the notebook, so that its folder is on `sys.path`, as in a kernel.
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/exec/run_notebook.py"),
        dir.join("run_notebook.py"),
    )
    .unwrap();
    let runner = "run_notebook.py";
    let before = python(dir, &[runner, "nb.ipynb"]);
    assert!(
        !before.status.success() && text(&before.stderr).contains("RuntimeError"),
        "{}",
        text(&before.stderr)
    );
    let diff = same_with_and_without_triage(dir, &[]);
    let fixed = unnest(dir, &["--write", "."], false);
    assert_eq!(fixed.status.code(), Some(0), "{}", text(&fixed.stderr));
    assert_compiles(dir);
    let after = python(dir, &[runner, "nb.ipynb"]);
    assert!(
        after.status.success() && text(&after.stdout) == "3\n",
        "{}{}\n--- the fix\n{diff}",
        text(&after.stdout),
        text(&after.stderr)
    );
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("nb.ipynb")).unwrap()).unwrap();
    let source = |cell: usize| -> String {
        written["cells"][cell]["source"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect()
    };
    assert_eq!(source(0), "%pip install requests\nimport os");
    assert_eq!(source(1), "%%capture\nprint('captured')");
    assert_eq!(source(3), "import json\nfrom helpers import load");
    assert_eq!(
        source(4),
        "%matplotlib inline\n# Load one.\nimport sys\nfrom helpers import fetch\nvalue = await fetch(2)\nprint(value)"
    );
    let again = unnest(dir, &["--check", "--unsafe-fixes", "."], false);
    assert!(again.stdout.is_empty(), "{}", text(&again.stdout));
}

// Item: a generator helper made async is iterated with `async for`.

#[test]
fn generator_helper_made_async_is_iterated_with_async_for() {
    let main = r#"import asyncio


async def fetch(i):
    return i * 2


def _numbers(n):
    for i in range(n):
        yield asyncio.run(fetch(i))


async def main():
    print([x for x in _numbers(3)])
    print(sorted({x + 1 for x in _numbers(2)}))
    for y in _numbers(2):
        print(y)


asyncio.run(main())
"#;
    let dir = fixed_program_runs(&[("main.py", main)], &[], "[0, 2, 4]\n[1, 3]\n0\n2\n");
    let fixed = std::fs::read_to_string(dir.path().join("main.py")).unwrap();
    assert!(fixed.contains("[x async for x in _numbers(3)]"), "{fixed}");
    assert!(fixed.contains("    async for y in _numbers(2):"), "{fixed}");
    assert!(!fixed.contains("await _numbers"), "{fixed}");
}

/// A generator that cannot be iterated with `async for` where it is used
/// (handed to `list()`), or that cannot be an async generator (`return
/// VALUE`, `yield from`), is reported without a fix, and nothing is written.
#[test]
fn generator_helper_that_cannot_be_async_for_gets_no_fix() {
    let main = r#"import asyncio


async def fetch(i):
    return i * 2


def _numbers(n):
    for i in range(n):
        yield asyncio.run(fetch(i))


def _counted(n):
    for i in range(n):
        yield asyncio.run(fetch(i))
    return n


def _delegating(n):
    yield asyncio.run(fetch(n))
    yield from range(n)


async def main():
    print(list(_numbers(3)))
    print([x for x in _counted(2)])
    print([x for x in _delegating(2)])
"#;
    let temp = tempfile::tempdir().unwrap();
    write_files(temp.path(), &[("main.py", main)]);
    let check = unnest(temp.path(), &["--check", "--unsafe-fixes", "."], false);
    let out = text(&check.stdout);
    assert_eq!(out.matches("UNN007").count(), 3, "{out}");
    assert!(!out.contains("[fix:"), "{out}");
    let write = unnest(temp.path(), &["--write", "--unsafe-fixes", "."], false);
    assert_eq!(write.status.code(), Some(1), "{}", text(&write.stderr));
    assert_eq!(
        std::fs::read_to_string(temp.path().join("main.py")).unwrap(),
        main
    );
}

// Item: a fix must not leave behind a wrapper that holds a run.

#[test]
fn nested_wrapper_left_without_callers_holds_no_run() {
    let main = r#"import asyncio


async def fetch(k):
    return k + 1


def _outer(k):
    def _inner(k):
        return asyncio.run(fetch(k))
    return _inner(k)


async def main():
    def _get(k):
        """Fetch one."""
        return asyncio.run(fetch(k))

    print(_outer(1), _get(2), [_get(k) for k in (3, 4)])


asyncio.run(main())
"#;
    let dir = fixed_program_runs(&[("main.py", main)], &[], "2 3 [4, 5]\n");
    let fixed = std::fs::read_to_string(dir.path().join("main.py")).unwrap();
    // Left without callers, the wrappers hold no run any more.
    assert!(fixed.contains("    async def _inner(k):"), "{fixed}");
    assert!(fixed.contains("    async def _get(k):"), "{fixed}");
    assert!(!fixed.contains("asyncio.run(fetch"), "{fixed}");
}

#[test]
fn nested_wrapper_still_called_elsewhere_is_kept() {
    // `_get` is also handed to a thread, where it works: it stays.
    let main = r#"import asyncio


async def fetch(k):
    return k + 1


async def main():
    def _get(k):
        return asyncio.run(fetch(k))

    print(_get(2), await asyncio.to_thread(_get, 5))


asyncio.run(main())
"#;
    let dir = fixed_program_runs(&[("main.py", main)], &[], "3 6\n");
    let fixed = std::fs::read_to_string(dir.path().join("main.py")).unwrap();
    assert!(fixed.contains("def _get(k):"), "{fixed}");
}

#[test]
fn method_thin_wrapper_is_inlined_through_self_at_the_async_call_site() {
    let main = r#"import asyncio


class Store:
    def _fetch(self, k):
        return asyncio.run(self._afetch(k))

    async def _afetch(self, k):
        return k * 10

    def get(self, k):
        return self._fetch(k)

    async def all(self, keys):
        return [self._fetch(k) for k in keys]


print(Store().get(1))
print(asyncio.run(Store().all([2, 3])))
"#;
    let dir = fixed_program_runs(&[("main.py", main)], &[], "10\n[20, 30]\n");
    let fixed = std::fs::read_to_string(dir.path().join("main.py")).unwrap();
    assert!(
        fixed.contains("return [await self._afetch(k) for k in keys]"),
        "{fixed}"
    );
    // The sync caller keeps the wrapper.
    assert!(
        fixed.contains("return asyncio.run(self._afetch(k))"),
        "{fixed}"
    );
}

#[test]
fn awaited_thin_wrapper_is_inlined_with_one_await() {
    let main = r#"import asyncio


async def fetch(r):
    return r * 3


def load(r):
    return asyncio.run(fetch(r))


async def main():
    print(await load(2))


print(load(1))
asyncio.run(main())
"#;
    let dir = fixed_program_runs(&[("main.py", main)], &[], "3\n6\n");
    let fixed = std::fs::read_to_string(dir.path().join("main.py")).unwrap();
    assert!(fixed.contains("    print(await fetch(2))\n"), "{fixed}");
}

/// `await helper()` of a sync helper that returns a coroutine it made: made
/// async, the helper would give the coroutine, not its result. No fix.
#[test]
fn awaited_sync_helper_returning_a_coroutine_gets_no_fix() {
    let main = r#"import asyncio


async def setup():
    return None


async def fetch(r):
    return r * 3


def _load(r):
    asyncio.run(setup())
    return fetch(r)


async def main():
    print(await _load(2))
"#;
    let temp = tempfile::tempdir().unwrap();
    write_files(temp.path(), &[("main.py", main)]);
    let check = unnest(temp.path(), &["--check", "--unsafe-fixes", "."], false);
    let out = text(&check.stdout);
    assert!(out.contains("main.py:18:17: UNN007"), "{out}");
    assert!(!out.contains("[fix:"), "{out}");
}

#[test]
fn notebook_task_set_goes_into_the_callbacks_cell_not_a_pip_cell() {
    let nb = notebook(&[
        ("code", "%pip install requests"),
        (
            "code",
            "import asyncio\n\nasync def work():\n    print('worked')\n\ndef on_tick():\n    asyncio.run(work())",
        ),
        (
            "code",
            "asyncio.get_running_loop().call_soon(on_tick)\nawait asyncio.sleep(0.05)",
        ),
    ]);
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    write_files(dir, &[("nb.ipynb", &nb)]);
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/exec/run_notebook.py"),
        dir.join("run_notebook.py"),
    )
    .unwrap();
    let before = python(dir, &["run_notebook.py", "nb.ipynb"]);
    assert!(
        !text(&before.stdout).contains("worked"),
        "{}",
        text(&before.stdout)
    );
    same_with_and_without_triage(dir, &["--unsafe-fixes"]);
    let fixed = unnest(dir, &["--write", "--unsafe-fixes", "nb.ipynb"], false);
    assert_eq!(fixed.status.code(), Some(0), "{}", text(&fixed.stderr));
    assert_compiles(dir);
    let after = python(dir, &["run_notebook.py", "nb.ipynb"]);
    assert_eq!(text(&after.stdout), "worked\n", "{}", text(&after.stderr));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("nb.ipynb")).unwrap()).unwrap();
    let source = |cell: usize| -> String {
        written["cells"][cell]["source"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect()
    };
    assert_eq!(source(0), "%pip install requests");
    assert!(
        source(1).starts_with("import asyncio\n\n_background_tasks = set()\n"),
        "{}",
        source(1)
    );
}

/// `files` get `count` UNN007 findings, none with a fix and each saying why,
/// and `--write --unsafe-fixes` leaves every file byte-identical.
fn refused_and_still_reported(files: &[(&str, &str)], count: usize) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    write_files(dir, files);
    same_with_and_without_triage(dir, &["--unsafe-fixes"]);
    let check = unnest(
        dir,
        &["--check", "--unsafe-fixes", "--color", "never", "."],
        false,
    );
    let out = text(&check.stdout);
    assert_eq!(out.matches("UNN007").count(), count, "{out}");
    assert!(
        !out.contains("[fix:"),
        "a fix that does not reach the run:\n{out}"
    );
    assert_eq!(out.matches("(no automatic fix:").count(), count, "{out}");
    let write = unnest(dir, &["--write", "--unsafe-fixes", "."], false);
    assert_eq!(write.status.code(), Some(1), "{}", text(&write.stderr));
    for (path, content) in files {
        assert_eq!(
            std::fs::read_to_string(dir.join(path)).unwrap(),
            *content,
            "{path} was changed"
        );
    }
}

// A make-async fix must reach the run: every sync function on the chain from
// the async caller down to the run becomes async in the same fix, or none.

#[test]
fn make_async_fix_is_refused_when_a_helper_below_must_stay_sync() {
    // `_load` must stay sync (class `C` calls it at class level): making only
    // `_mid` async would leave `asyncio.run` running under the loop.
    let main = r#"import asyncio
def _load(req):
    data = asyncio.run(fetch(req)); return data + 1
def _mid(req):
    return _load(req) * 2
async def fetch(req): return req
async def handle(req): return _mid(req)
class C:
    x = _load(1)
"#;
    refused_and_still_reported(&[("main.py", main)], 1);
}

#[test]
fn make_async_fix_is_refused_when_the_blocking_callee_is_decorated() {
    let main = r#"import asyncio


def traced(f):
    return f


async def fetch(req):
    return req


@traced
def _load(req):
    return asyncio.run(fetch(req)) + 1


def _mid(req):
    return _load(req) * 2


async def handle(req):
    return _mid(req)
"#;
    refused_and_still_reported(&[("main.py", main)], 1);
}

#[test]
fn make_async_fix_is_refused_when_the_blocking_callee_is_a_dunder() {
    let main = r#"import asyncio


async def fetch(req):
    return req


class Store:
    def __getitem__(self, req):
        return asyncio.run(fetch(req)) + 1

    def _mid(self, req):
        return self.__getitem__(req) * 2

    async def handle(self, req):
        return self._mid(req)
"#;
    refused_and_still_reported(&[("main.py", main)], 1);
}

#[test]
fn make_async_fix_is_refused_when_the_blocking_callee_is_used_as_a_value() {
    let main = r#"import asyncio


async def fetch(req):
    return req


def _load(req):
    return asyncio.run(fetch(req)) + 1


LOADERS = [_load]


def _mid(req):
    return _load(req) * 2


async def handle(req):
    return _mid(req)
"#;
    refused_and_still_reported(&[("main.py", main)], 1);
}

#[test]
fn make_async_fix_is_refused_when_the_blocking_callee_is_overridden() {
    let main = r#"import asyncio


async def fetch(req):
    return req


class Base:
    def _load(self, req):
        return asyncio.run(fetch(req)) + 1

    def _mid(self, req):
        return self._load(req) * 2

    async def handle(self, req):
        return self._mid(req)


class Child(Base):
    def _load(self, req):
        return req
"#;
    refused_and_still_reported(&[("main.py", main)], 1);
}

#[test]
fn make_async_fix_is_refused_when_the_blocking_callee_in_another_module_must_stay_sync() {
    let helpers = r#"import asyncio


async def fetch(req):
    return req


def _load(req):
    return asyncio.run(fetch(req)) + 1


class Config:
    default = _load(1)
"#;
    let main = r#"from helpers import _load


def _mid(req):
    return _load(req) * 2


async def handle(req):
    return _mid(req)
"#;
    refused_and_still_reported(&[("helpers.py", helpers), ("main.py", main)], 1);
}

#[test]
fn make_async_fix_is_refused_when_the_blocking_call_sits_in_a_generator_expression() {
    let main = r#"import asyncio


async def fetch(req):
    return req


def _load(req):
    return asyncio.run(fetch(req)) + 1


def _total(reqs):
    return sum(_load(r) for r in reqs)


async def handle(reqs):
    return _total(reqs)
"#;
    refused_and_still_reported(&[("main.py", main)], 1);
}

#[test]
fn make_async_fix_is_refused_when_a_caller_it_takes_along_calls_a_helper_that_must_stay_sync() {
    // Fixing `_load` takes its sync caller `_mid` along; `_mid` also calls
    // `_other`, which must stay sync: `async def _mid` would still run a loop.
    let main = r#"import asyncio


async def fetch(req):
    return req


def _load(req):
    return asyncio.run(fetch(req)) + 1


def _other(req):
    return asyncio.run(fetch(req)) - 1


def _mid(req):
    return _load(req) * _other(req)


async def handle(req):
    return _load(req) + _mid(req)


DEFAULT = _other(1)
"#;
    refused_and_still_reported(&[("main.py", main)], 2);
}

const CHAIN_ACROSS_MODULES: &str = r#"import asyncio
from helpers import _mid


async def main():
    print(_mid(3))


asyncio.run(main())
"#;

const CHAIN_HELPERS: &str = r#"import asyncio


async def fetch(req):
    return req


def _load(req):
    data = asyncio.run(fetch(req))
    return data + 1


def _mid(req):
    return _load(req) * 2
"#;

#[test]
fn make_async_fix_takes_the_whole_chain_down_to_the_run_in_one_fix() {
    let files = [
        ("main.py", CHAIN_ACROSS_MODULES),
        ("helpers.py", CHAIN_HELPERS),
    ];
    let temp = tempfile::tempdir().unwrap();
    write_files(temp.path(), &files);
    let check = unnest(temp.path(), &["--check", "--color", "never", "."], false);
    let out = text(&check.stdout);
    assert_eq!(out.matches("UNN007").count(), 1, "{out}");
    assert!(out.contains("[fix: safe]"), "{out}");
    // One fix, so `--interactive` or a refused file cannot leave half of it.
    let json = unnest(temp.path(), &["--format", "json", "."], false);
    let json = text(&json.stdout);
    assert!(
        json.contains("Make `_mid()`, `_load()` `async def`"),
        "the fix stops above the run:\n{json}"
    );
    let diff = text(&unnest(temp.path(), &["--color", "never", "."], false).stdout);
    assert!(diff.contains("+async def _load(req):"), "{diff}");
    assert!(diff.contains("+    data = await fetch(req)"), "{diff}");
    assert!(diff.contains("+    return await _load(req) * 2"), "{diff}");
    assert!(diff.contains("+    print(await _mid(3))"), "{diff}");
    let dir = fixed_program_runs(&files, &[], "8\n");
    let fixed = std::fs::read_to_string(dir.path().join("helpers.py")).unwrap();
    assert!(fixed.contains("async def _mid(req):"), "{fixed}");
}

// Lone CR line endings: CPython ends a line at LF, CRLF or a lone CR, and so
// must the lines the graph's fixes remove and insert at.

#[test]
fn nest_asyncio_lines_ended_by_a_lone_cr_are_removed() {
    let source = "import asyncio\rimport nest_asyncio\rnest_asyncio.apply()\rx = 1\n\nasync def f():\n    return 1\n";
    let temp = tempfile::tempdir().unwrap();
    write_files(temp.path(), &[("na.py", source)]);
    same_with_and_without_triage(temp.path(), &["--unsafe-fixes"]);
    let check = unnest(
        temp.path(),
        &["--check", "--unsafe-fixes", "--color", "never", "na.py"],
        false,
    );
    let out = text(&check.stdout);
    assert!(out.contains("UNN010") && out.contains("[fix:"), "{out}");
    let write = unnest(temp.path(), &["--write", "--unsafe-fixes", "na.py"], false);
    assert_eq!(write.status.code(), Some(0), "{}", text(&write.stderr));
    let fixed = std::fs::read_to_string(temp.path().join("na.py")).unwrap();
    assert_eq!(
        fixed,
        "import asyncio\rx = 1\n\nasync def f():\n    return 1\n"
    );
    assert_compiles(temp.path());
    let again = unnest(temp.path(), &["--check", "--unsafe-fixes", "na.py"], false);
    assert!(
        again.status.success() && again.stdout.is_empty(),
        "{}",
        text(&again.stdout)
    );
}

#[test]
fn task_set_goes_after_an_import_ended_by_a_lone_cr() {
    let main = "import asyncio\rlabel = 'worked'\n\n\nasync def work():\n    print(label)\n\n\ndef on_tick():\n    asyncio.run(work())\n\n\nasync def main():\n    asyncio.get_running_loop().call_soon(on_tick)\n    await asyncio.sleep(0.05)\n\n\nasyncio.run(main())\n";
    let dir = fixed_program_runs(&[("main.py", main)], &["--unsafe-fixes"], "worked\n");
    let fixed = std::fs::read_to_string(dir.path().join("main.py")).unwrap();
    assert!(
        fixed.starts_with("import asyncio\r\r_background_tasks = set()\rlabel = 'worked'\n"),
        "{fixed:?}"
    );
}

#[test]
fn inserted_lines_end_as_their_neighbours_in_a_file_of_mixed_line_endings() {
    // LF lines, one CRLF line, and a callback whose lines end with a lone CR.
    let main = "import asyncio\n\n\nasync def work():\n    print('worked')\r\n\n\ndef on_tick():\r    asyncio.run(work())\r\r\nasync def main():\n    asyncio.get_running_loop().call_soon(on_tick)\n    await asyncio.sleep(0.05)\n\n\nasyncio.run(main())\n";
    let dir = fixed_program_runs(&[("main.py", main)], &["--unsafe-fixes"], "worked\n");
    let fixed = std::fs::read_to_string(dir.path().join("main.py")).unwrap();
    assert!(
        fixed.starts_with("import asyncio\n\n_background_tasks = set()\n\n\nasync def work():\n"),
        "{fixed:?}"
    );
    assert!(
        fixed.contains("def on_tick():\r    task = asyncio.create_task(work())\r    _background_tasks.add(task)\r    task.add_done_callback(_background_tasks.discard)\r\r\n"),
        "{fixed:?}"
    );
}

#[test]
fn added_import_goes_after_an_import_ended_by_a_lone_cr() {
    let helpers = "import asyncio\n\n\nasync def fetch(req):\n    return req * 2\n\n\ndef get(req):\n    return asyncio.run(fetch(req))\n";
    let main = "import asyncio\rfrom helpers import get\rlabel = 'got'\n\n\nasync def main():\n    print(label, get(4))\n\n\nasyncio.run(main())\n";
    let dir = fixed_program_runs(
        &[("main.py", main), ("helpers.py", helpers)],
        &[],
        "got 8\n",
    );
    let fixed = std::fs::read_to_string(dir.path().join("main.py")).unwrap();
    assert!(
        fixed.starts_with(
            "import asyncio\rfrom helpers import get\rfrom helpers import fetch\rlabel = 'got'\n"
        ),
        "{fixed:?}"
    );
}

/// The nest_asyncio removal finds its whole lines and block ends where CPython
/// does: an optional-import `try` whose lines end with a lone CR goes whole,
/// as it does with LF, and a block emptied among lone-CR lines gets `pass`.
#[test]
fn nest_asyncio_removal_in_blocks_of_lone_cr_lines_goes_whole_or_leaves_pass() {
    let cases = [
        (
            "import asyncio\ntry:\r    import nest_asyncio\r    nest_asyncio.apply()\rexcept ImportError:\r    pass\nx = 1\n\nasync def f():\n    return 1\n",
            "import asyncio\nx = 1\n\nasync def f():\n    return 1\n",
        ),
        (
            "import asyncio\rimport nest_asyncio\rif __name__ == '__main__':\r    nest_asyncio.apply()\rx = 1\n\nasync def f():\n    return 1\n",
            "import asyncio\rif __name__ == '__main__':\r    pass\rx = 1\n\nasync def f():\n    return 1\n",
        ),
    ];
    for (source, expected) in cases {
        let temp = tempfile::tempdir().unwrap();
        write_files(temp.path(), &[("na.py", source)]);
        same_with_and_without_triage(temp.path(), &["--unsafe-fixes"]);
        let write = unnest(temp.path(), &["--write", "--unsafe-fixes", "na.py"], false);
        assert_eq!(write.status.code(), Some(0), "{}", text(&write.stderr));
        let fixed = std::fs::read_to_string(temp.path().join("na.py")).unwrap();
        assert_eq!(fixed, expected);
        assert_compiles(temp.path());
    }
}
