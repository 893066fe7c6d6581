//! `--traceback` end to end: small projects whose sync code a "framework"
//! outside the given PATH calls on its running loop. Each test runs the
//! program, captures its real traceback, runs `unnest --traceback` on it,
//! applies the fix, and runs the program again. Notebooks carry their own
//! tracebacks in their saved outputs.

mod common;

use std::fs;
use std::io::Write as _;
use std::path::Path;
use std::process::{Output, Stdio};

use common::{python, run_in, stderr, stdout, unnest};

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let files: Vec<(&str, &[u8])> = files.iter().map(|(p, c)| (*p, c.as_bytes())).collect();
    common::tree(&files)
}

/// Runs `script` and returns its traceback (stderr); it must fail with a
/// nested-loop error today.
fn capture(dir: &Path, script: &str) -> String {
    let output = python(dir, script);
    let err = stderr(&output);
    assert!(
        !output.status.success() && err.contains("RuntimeError") && err.contains("event loop"),
        "{script} must fail with a nested run today:\n{}\n{err}",
        stdout(&output)
    );
    fs::write(dir.join("tb.txt"), &err).unwrap();
    err
}

/// Runs `script`, which must now succeed and print `expected`.
fn runs(dir: &Path, script: &str, expected: &str) {
    let output = python(dir, script);
    assert!(
        output.status.success(),
        "{script} fails after the fix:\n{}",
        stderr(&output)
    );
    assert_eq!(stdout(&output), expected);
    assert!(
        !stderr(&output).contains("never awaited"),
        "{}",
        stderr(&output)
    );
}

fn read(dir: &Path, path: &str) -> String {
    fs::read_to_string(dir.join(path)).unwrap()
}

/// A framework that awaits what a node returns when it is awaitable.
const AWAITING_ENGINE: &str = "import asyncio
import inspect


async def run_graph(nodes, value):
    for node in nodes:
        result = node(value)
        if inspect.isawaitable(result):
            result = await result
        value = result
    return value


def main(nodes, value):
    print(asyncio.run(run_graph(nodes, value)))
";

/// A framework that needs a plain value from each node.
const PLAIN_ENGINE: &str = "import asyncio


async def run_graph(nodes, value):
    for node in nodes:
        value = node(value)
    return value


def main(nodes, value):
    print(asyncio.run(run_graph(nodes, value)))
";

const NODES: &str = "from app.helpers import fetch_double


def double_node(x):
    return fetch_double(x)
";

/// Two sync helpers between the node and the run.
const HELPERS: &str = "import asyncio


async def _double(x):
    await asyncio.sleep(0)
    return x * 2


def compute(x):
    return asyncio.run(_double(x))


def fetch_double(x):
    return compute(x)
";

const MAIN: &str = "from fw.engine import main
from app.nodes import double_node

main([double_node], 21)
";

/// The framework lives in a fake virtualenv's site-packages, which is not
/// passed to unnest; `main.py` puts it on the path.
fn graph_project(engine: &str) -> tempfile::TempDir {
    let site = "venv/lib/python3.12/site-packages";
    let main = format!("import sys\nsys.path.insert(0, '{site}')\n{MAIN}");
    tree(&[
        (&format!("{site}/fw/__init__.py"), ""),
        (&format!("{site}/fw/engine.py"), engine),
        ("app/__init__.py", ""),
        ("app/nodes.py", NODES),
        ("app/helpers.py", HELPERS),
        ("main.py", &main),
    ])
}

#[test]
fn chain_of_two_sync_helpers_under_a_framework_that_awaits_becomes_async() {
    let temp = graph_project(AWAITING_ENGINE);
    let dir = temp.path();
    capture(dir, "main.py");
    // The call graph alone sees nothing: no async code of the project calls
    // the chain.
    let plain = run_in(dir, &["--check", "app"]);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));

    let check = run_in(dir, &["--check", "--traceback", "tb.txt", "app"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let line = stdout(&check);
    assert!(line.contains("UNN011"), "{line}");
    assert!(
        line.contains("fw/engine.py:7 in run_graph → app/nodes.py:5 in double_node → app/helpers.py:14 in fetch_double → `asyncio.run()` (app/helpers.py:10 in compute)"),
        "{line}"
    );
    assert!(
        line.contains("awaits a coroutine function's result"),
        "{line}"
    );

    // Public functions called from outside: unsafe.
    let safe_only = run_in(dir, &["--write", "--traceback", "tb.txt", "app"]);
    assert_eq!(safe_only.status.code(), Some(1), "{}", stderr(&safe_only));
    assert_eq!(read(dir, "app/helpers.py"), HELPERS);

    let diff = run_in(dir, &["--unsafe-fixes", "--traceback", "tb.txt", "app"]);
    assert_eq!(diff.status.code(), Some(1), "{}", stderr(&diff));
    assert!(
        stdout(&diff).contains("+async def double_node(x):"),
        "{}",
        stdout(&diff)
    );
    assert_eq!(read(dir, "app/nodes.py"), NODES);

    let write = run_in(
        dir,
        &["--write", "--unsafe-fixes", "--traceback", "tb.txt", "app"],
    );
    assert_eq!(write.status.code(), Some(0), "{}", stderr(&write));
    assert!(
        read(dir, "app/helpers.py").contains("async def compute(x):\n    return await _double(x)")
    );
    assert!(
        read(dir, "app/helpers.py")
            .contains("async def fetch_double(x):\n    return await compute(x)")
    );
    runs(dir, "main.py", "42\n");
    let again = run_in(dir, &["--check", "app"]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    // The same traceback again: the chain it shows is fixed.
    let again = run_in(dir, &["--check", "--traceback", "tb.txt", "app"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("looks fixed already"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn framework_that_needs_a_plain_value_is_reported_with_a_thread_bridge() {
    let temp = graph_project(PLAIN_ENGINE);
    let dir = temp.path();
    capture(dir, "main.py");
    let check = run_in(dir, &["--check", "--traceback", "tb.txt", "app"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let line = stdout(&check);
    assert!(
        line.contains("called by `fw/engine.py:6 in run_graph`"),
        "{line}"
    );
    assert!(line.contains("must accept a coroutine function"), "{line}");
    assert!(line.contains("[fix: unsafe, use --unsafe-fixes]"), "{line}");

    let json = run_in(dir, &["--format", "json", "--traceback", "tb.txt", "app"]);
    let items: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(items[0]["code"], "UNN011");
    assert_eq!(items[0]["fix"]["applicability"], "unsafe");
    let message = items[0]["fix"]["message"].as_str().unwrap();
    assert!(
        message.contains("worker thread") && message.contains("loop thread blocks"),
        "{message}"
    );

    let write = run_in(
        dir,
        &["--write", "--unsafe-fixes", "--traceback", "tb.txt", "app"],
    );
    assert_eq!(write.status.code(), Some(0), "{}", stderr(&write));
    let fixed = read(dir, "app/helpers.py");
    assert!(
        fixed.contains("return _run_in_worker_thread(lambda: asyncio.run(_double(x)))"),
        "{fixed}"
    );
    // The chain stays sync: its caller needs a plain value.
    assert!(fixed.contains("\ndef fetch_double(x):"), "{fixed}");
    runs(dir, "main.py", "42\n");
    let again = run_in(dir, &["--check", "--traceback", "tb.txt", "app"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
}

#[test]
fn method_called_by_dynamic_dispatch_becomes_async() {
    let temp = tree(&[
        ("fw/__init__.py", ""),
        (
            "fw/server.py",
            "import asyncio\n\n\ndef serve(service, requests):\n    async def loop():\n        for kind, value in requests:\n            print(await service.dispatch(kind, value))\n\n    asyncio.run(loop())\n",
        ),
        ("app/__init__.py", ""),
        (
            "app/service.py",
            "import asyncio\n\n\nasync def _lookup(value):\n    await asyncio.sleep(0)\n    return value + 1\n\n\nclass Service:\n    async def dispatch(self, kind, value):\n        handler = getattr(self, f\"on_{kind}\")\n        return handler(value)\n\n    def on_increment(self, value):\n        return asyncio.run(_lookup(value))\n",
        ),
        (
            "main.py",
            "from fw.server import serve\nfrom app.service import Service\n\nserve(Service(), [(\"increment\", 1), (\"increment\", 41)])\n",
        ),
    ]);
    let dir = temp.path();
    capture(dir, "main.py");
    let plain = run_in(dir, &["--check", "app"]);
    assert_eq!(plain.status.code(), Some(0), "{}", stdout(&plain));
    let check = run_in(dir, &["--check", "--traceback", "tb.txt", "app"]);
    let line = stdout(&check);
    assert!(line.starts_with("app/service.py:12:16: UNN011"), "{line}");
    assert!(
        line.contains(
            "app/service.py:12 in dispatch → `asyncio.run()` (app/service.py:15 in on_increment)"
        ),
        "{line}"
    );
    let write = run_in(
        dir,
        &["--write", "--unsafe-fixes", "--traceback", "tb.txt", "app"],
    );
    assert_eq!(write.status.code(), Some(0), "{}", stderr(&write));
    let fixed = read(dir, "app/service.py");
    assert!(fixed.contains("return await handler(value)"), "{fixed}");
    assert!(
        fixed.contains("async def on_increment(self, value):\n        return await _lookup(value)"),
        "{fixed}"
    );
    runs(dir, "main.py", "2\n42\n");
}

const ESC: &str = "\u{1b}";

/// IPython 8's coloured traceback of `c.fetch()` in cell `In[2]`, calling the
/// method of cell `In[1]`, as a notebook saves it (one string per entry).
fn ipython_traceback() -> Vec<String> {
    let c = |code: &str, text: &str| format!("{ESC}[{code}m{text}{ESC}[39m");
    vec![
        c(
            "31",
            "---------------------------------------------------------------------------",
        ),
        format!(
            "{}                              Traceback (most recent call last)",
            c("31", "RuntimeError")
        ),
        format!(
            "{}{}{}{}\n{} c = Client()\n{}{} {}(c.fetch())\n",
            c("36", "Cell"),
            c("36", " "),
            c("32", "In[2]"),
            c("32", ", line 2"),
            c("32", "      1"),
            c("32", "----> "),
            c("32", "2"),
            c("38;5;28", "print"),
        ),
        format!(
            "{}{}{}{}, in {}{}\n{}     def fetch(self):\n{}{}         return asyncio.run(self._get())\n",
            c("36", "Cell"),
            c("36", " "),
            c("32", "In[1]"),
            c("32", ", line 10"),
            c("36", "Client.fetch"),
            c("34", "(self)"),
            c("32", "      9"),
            c("32", "----> "),
            c("32", "10"),
        ),
        format!(
            "{}, in {}{}\n{}     raise RuntimeError(\n",
            c(
                "36",
                &format!(
                    "File {}",
                    c("32", "/usr/lib/python3.12/asyncio/runners.py:190")
                )
            ),
            c("36", "run"),
            c("34", "(main, debug, loop_factory)"),
            c("32", "--> 190"),
        ),
        format!(
            "{}: asyncio.run() cannot be called from a running event loop",
            c("31", "RuntimeError")
        ),
    ]
}

const CELL_1: &str = "import asyncio\n\n\nclass Client:\n    async def _get(self):\n        await asyncio.sleep(0)\n        return 42\n\n    def fetch(self):\n        return asyncio.run(self._get())\n";
const CELL_2: &str = "c = Client()\nprint(c.fetch())\n";

fn notebook(outputs: serde_json::Value) -> String {
    notebook_with(CELL_1, outputs)
}

fn notebook_with(cell_1: &str, outputs: serde_json::Value) -> String {
    let lines = |s: &str| -> Vec<String> { s.split_inclusive('\n').map(str::to_owned).collect() };
    let nb = serde_json::json!({
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}},
        "cells": [
            {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": lines(cell_1)},
            {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": outputs, "source": lines(CELL_2)},
        ]
    });
    serde_json::to_string_pretty(&nb).unwrap() + "\n"
}

/// Runs a notebook's code cells in order on one running loop, as a kernel
/// does (top-level `await` allowed).
const KERNEL: &str = "import ast, asyncio, inspect, json, sys
cells = [c for c in json.load(open(sys.argv[1]))['cells'] if c['cell_type'] == 'code']
async def kernel():
    ns = {}
    for cell in cells:
        source = ''.join(cell['source'])
        code = compile(source, '<cell>', 'exec', flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        result = eval(code, ns)
        if inspect.iscoroutine(result):
            await result
asyncio.run(kernel())
";

#[test]
fn notebook_with_a_saved_error_output_is_evidence_without_a_flag() {
    let outputs = serde_json::json!([{
        "output_type": "error",
        "ename": "RuntimeError",
        "evalue": "asyncio.run() cannot be called from a running event loop",
        "traceback": ipython_traceback(),
    }]);
    let temp = tree(&[("nb.ipynb", &notebook(outputs)), ("kernel.py", KERNEL)]);
    let dir = temp.path();
    // The notebook fails today, run as a kernel runs it.
    let before = common::python_args(dir, &["kernel.py", "nb.ipynb"]);
    assert!(
        stderr(&before).contains("running event loop"),
        "{}",
        stderr(&before)
    );

    let check = run_in(dir, &["--check", "nb.ipynb"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let line = stdout(&check);
    assert!(line.contains("UNN011"), "{line}");
    assert!(
        line.contains(
            "nb.ipynb:cell 2:2 in <module> → `asyncio.run()` (nb.ipynb:cell 1:10 in fetch)"
        ),
        "{line}"
    );
    let write = run_in(dir, &["--write", "--unsafe-fixes", "nb.ipynb"]);
    assert_eq!(write.status.code(), Some(0), "{}", stderr(&write));
    let fixed: serde_json::Value = serde_json::from_str(&read(dir, "nb.ipynb")).unwrap();
    let source = |i: usize| -> String {
        fixed["cells"][i]["source"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect()
    };
    assert!(source(0).contains("    async def fetch(self):\n        return await self._get()\n"));
    // The saved output stays, and now shows a fixed chain.
    let again = run_in(dir, &["--check", "nb.ipynb"]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    assert_eq!(source(1), "c = Client()\nprint(await c.fetch())\n");
    let after = common::python_args(dir, &["kernel.py", "nb.ipynb"]);
    assert!(after.status.success(), "{}", stderr(&after));
    assert_eq!(stdout(&after), "42\n");
}

#[test]
fn a_stale_saved_output_is_only_noted() {
    let outputs = serde_json::json!([{
        "output_type": "error",
        "ename": "RuntimeError",
        "evalue": "asyncio.run() cannot be called from a running event loop",
        "traceback": ipython_traceback(),
    }]);
    // The cell was edited after the run that saved the traceback.
    let text = notebook_with(
        &CELL_1.replace("return asyncio.run(self._get())", "return 42"),
        outputs,
    );
    let temp = tree(&[("nb.ipynb", &text)]);
    let check = run_in(temp.path(), &["--check", "nb.ipynb"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert!(
        stderr(&check).contains("was not used"),
        "{}",
        stderr(&check)
    );
}

#[test]
fn a_traceback_that_is_not_a_nested_run_exits_2_naming_the_exception() {
    let temp = tree(&[
        ("app/x.py", "def f():\n    return {}['k']\n"),
        (
            "tb.txt",
            "Traceback (most recent call last):\n  File \"/srv/app/x.py\", line 2, in f\n    return {}['k']\nKeyError: 'k'\n",
        ),
    ]);
    let output = run_in(temp.path(), &["--traceback", "tb.txt", "app"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("tb.txt") && err.contains("KeyError"), "{err}");
    assert_eq!(stdout(&output), "");
}

#[test]
fn an_unreadable_traceback_file_exits_2() {
    let temp = tree(&[("app/x.py", "x = 1\n")]);
    let output = run_in(temp.path(), &["--traceback", "missing.txt", "app"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("missing.txt: cannot read the traceback"),
        "{err}"
    );
}

#[test]
fn a_frame_that_cannot_be_matched_is_named_and_nothing_is_guessed() {
    let temp = graph_project(PLAIN_ENGINE);
    let dir = temp.path();
    capture(dir, "main.py");
    fs::write(
        dir.join("app/nodes.py"),
        NODES.replace(
            "return fetch_double(x)",
            "value = fetch_double(x)\n    return value",
        ),
    )
    .unwrap();
    let output = run_in(dir, &["--traceback", "tb.txt", "app"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("could not be matched") && err.contains("app/nodes.py:5 in double_node"),
        "{err}"
    );
    assert_eq!(stdout(&output), "");
}

#[test]
fn a_moved_line_is_found_nearby_and_said() {
    let temp = graph_project(PLAIN_ENGINE);
    let dir = temp.path();
    capture(dir, "main.py");
    let moved = HELPERS.replace(
        "import asyncio\n",
        "\"\"\"Helpers.\"\"\"\n\nimport asyncio\n",
    );
    fs::write(dir.join("app/helpers.py"), &moved).unwrap();
    let output = run_in(dir, &["--check", "--traceback", "tb.txt", "app"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("app/helpers.py: the traceback's line 10 (`return asyncio.run(_double(x))`) is now line 12"),
        "{err}"
    );
    assert!(
        stdout(&output).contains("app/helpers.py:12:12: UNN011"),
        "{}",
        stdout(&output)
    );
    let write = run_in(
        dir,
        &["--write", "--unsafe-fixes", "--traceback", "tb.txt", "app"],
    );
    assert_eq!(write.status.code(), Some(0), "{}", stderr(&write));
    runs(dir, "main.py", "42\n");
}

#[test]
fn the_traceback_can_come_from_stdin() {
    let temp = graph_project(AWAITING_ENGINE);
    let dir = temp.path();
    let traceback = capture(dir, "main.py");
    let mut child = unnest()
        .current_dir(dir)
        .args(["--check", "--traceback", "-", "app"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(traceback.as_bytes())
        .unwrap();
    let output: Output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stdout(&output).contains("UNN011"), "{}", stdout(&output));
    // stdin cannot hold both.
    let both = run_in(dir, &["--traceback", "-", "-"]);
    assert_eq!(both.status.code(), Some(2));
    assert!(
        stderr(&both).contains("cannot both read stdin"),
        "{}",
        stderr(&both)
    );
    let asking = run_in(dir, &["--interactive", "--traceback", "-", "app"]);
    assert_eq!(asking.status.code(), Some(2));
    assert!(
        stderr(&asking).contains("--interactive cannot both read stdin"),
        "{}",
        stderr(&asking)
    );
}

#[test]
fn the_chain_message_reads_frame_by_frame() {
    let temp = graph_project(PLAIN_ENGINE);
    let dir = temp.path();
    capture(dir, "main.py");
    let check = run_in(
        dir,
        &["--check", "--unsafe-fixes", "--traceback", "tb.txt", "app"],
    );
    insta::assert_snapshot!(stdout(&check));
}

#[test]
fn frames_from_another_machine_and_windows_paths_map_by_suffix() {
    let temp = graph_project(AWAITING_ENGINE);
    let dir = temp.path();
    let traceback = capture(dir, "main.py");
    let root = dir.canonicalize().unwrap().display().to_string();
    let elsewhere = traceback
        .replace(&root, "/home/ci/build")
        .replace(&dir.display().to_string(), "/home/ci/build");
    let windows: String = elsewhere
        .lines()
        .map(|line| match line.strip_prefix("  File \"/home/ci/build/") {
            Some(rest) => format!("  File \"C:\\Users\\ci\\build\\{}", rest.replace('/', "\\")),
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\r\n");
    for (name, text) in [("other.txt", &elsewhere), ("windows.txt", &windows)] {
        assert!(!text.contains(&root), "{text}");
        fs::write(dir.join(name), text).unwrap();
        let check = run_in(dir, &["--check", "--traceback", name, "app"]);
        assert_eq!(check.status.code(), Some(1), "{name}: {}", stderr(&check));
        assert!(
            stdout(&check).contains("fw/engine.py:7 in run_graph → app/nodes.py:5 in double_node"),
            "{name}: {}",
            stdout(&check)
        );
    }
}

#[test]
fn a_callback_the_framework_schedules_gets_a_task() {
    let temp = tree(&[
        ("fw/__init__.py", ""),
        (
            "fw/bus.py",
            "import asyncio\n\n\ndef start(handler):\n    async def main():\n        loop = asyncio.get_running_loop()\n        loop.call_soon(handler, \"ping\")\n        await asyncio.sleep(0.05)\n\n    asyncio.run(main())\n",
        ),
        ("app/__init__.py", ""),
        (
            "app/plugin.py",
            "import asyncio\n\n\nasync def notify(event):\n    print(\"got\", event)\n\n\ndef on_event(event):\n    asyncio.run(notify(event))\n",
        ),
        (
            "main.py",
            "from fw.bus import start\nfrom app.plugin import on_event\n\nstart(on_event)\n",
        ),
    ]);
    let dir = temp.path();
    // The loop logs the callback's exception and goes on.
    let before = python(dir, "main.py");
    let log = stderr(&before);
    assert!(
        log.contains("running event loop") && stdout(&before).is_empty(),
        "{log}"
    );
    fs::write(dir.join("tb.txt"), &log).unwrap();
    let check = run_in(dir, &["--check", "--traceback", "tb.txt", "app"]);
    let line = stdout(&check);
    assert!(
        line.contains(
            "asyncio/events.py:80 in _run → `asyncio.run()` (app/plugin.py:9 in on_event)"
        ) || line.contains("asyncio/events.py:")
            && line.contains("the loop calls it as a callback"),
        "{line}"
    );
    let write = run_in(
        dir,
        &["--write", "--unsafe-fixes", "--traceback", "tb.txt", "app"],
    );
    assert_eq!(write.status.code(), Some(0), "{}", stderr(&write));
    assert!(read(dir, "app/plugin.py").contains("asyncio.create_task(notify(event))"));
    runs(dir, "main.py", "got ping\n");
}

#[test]
fn a_frame_two_project_files_could_hold_is_not_guessed() {
    let temp = tree(&[
        ("one/app/helpers.py", HELPERS),
        ("two/app/helpers.py", HELPERS),
        (
            "tb.txt",
            "Traceback (most recent call last):\n  File \"/home/ci/app/helpers.py\", line 14, in fetch_double\n    return compute(x)\n  File \"/home/ci/app/helpers.py\", line 10, in compute\n    return asyncio.run(_double(x))\nRuntimeError: asyncio.run() cannot be called from a running event loop\n",
        ),
    ]);
    let output = run_in(
        temp.path(),
        &["--check", "--traceback", "tb.txt", "one", "two"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains(
            "could not be matched: it could be any of one/app/helpers.py, two/app/helpers.py"
        ),
        "{err}"
    );
    assert_eq!(stdout(&output), "");
}

#[test]
fn the_running_loop_itself_gets_no_thread_bridge() {
    let helpers = HELPERS.replace(
        "return asyncio.run(_double(x))",
        "return asyncio.get_event_loop().run_until_complete(_double(x))",
    );
    let temp = graph_project(PLAIN_ENGINE);
    let dir = temp.path();
    fs::write(dir.join("app/helpers.py"), &helpers).unwrap();
    let traceback = capture(dir, "main.py");
    assert!(
        traceback.contains("This event loop is already running"),
        "{traceback}"
    );
    let write = run_in(
        dir,
        &["--write", "--unsafe-fixes", "--traceback", "tb.txt", "app"],
    );
    assert_eq!(write.status.code(), Some(1), "{}", stderr(&write));
    assert!(
        stdout(&write).contains("no automatic fix: the loop it runs is the one already running"),
        "{}",
        stdout(&write)
    );
    assert_eq!(read(dir, "app/helpers.py"), helpers);
}

#[test]
fn a_printed_traceback_in_a_stream_output_maps_by_the_kernels_cell_files() {
    let printed = "Traceback (most recent call last):\n  File \"/tmp/ipykernel_4242/3061580462.py\", line 2, in <module>\n    print(c.fetch())\n  File \"/tmp/ipykernel_4242/1197368810.py\", line 10, in fetch\n    return asyncio.run(self._get())\n  File \"/usr/lib/python3.12/asyncio/runners.py\", line 190, in run\n    raise RuntimeError(\nRuntimeError: asyncio.run() cannot be called from a running event loop\n";
    let outputs = serde_json::json!([{"output_type": "stream", "name": "stderr", "text": printed}]);
    let temp = tree(&[("nb.ipynb", &notebook(outputs)), ("kernel.py", KERNEL)]);
    let dir = temp.path();
    let check = run_in(dir, &["--check", "nb.ipynb"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    assert!(
        stdout(&check).contains(
            "nb.ipynb:cell 2:2 in <module> → `asyncio.run()` (nb.ipynb:cell 1:10 in fetch)"
        ),
        "{}",
        stdout(&check)
    );
    let write = run_in(dir, &["--write", "--unsafe-fixes", "nb.ipynb"]);
    assert_eq!(write.status.code(), Some(0), "{}", stderr(&write));
    let after = common::python_args(dir, &["kernel.py", "nb.ipynb"]);
    assert_eq!(stdout(&after), "42\n", "{}", stderr(&after));
}

#[test]
fn a_notebook_traceback_given_by_flag_maps_to_the_cell_run_as_that_count() {
    let temp = tree(&[
        ("nb.ipynb", &notebook(serde_json::json!([]))),
        ("tb.txt", &ipython_traceback().join("\n")),
    ]);
    let dir = temp.path();
    let plain = run_in(dir, &["--check", "nb.ipynb"]);
    assert_eq!(plain.status.code(), Some(0), "{}", stdout(&plain));
    let check = run_in(dir, &["--check", "--traceback", "tb.txt", "nb.ipynb"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    assert!(
        stdout(&check).contains("nb.ipynb:cell 2:2:7: UNN011"),
        "{}",
        stdout(&check)
    );
}
