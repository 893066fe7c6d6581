//! The runs that are wrong wherever they are: UNN013 (`run_until_complete`
//! on the loop `get_running_loop()` returned), UNN014
//! (`run_coroutine_threadsafe(coro, loop).result()` on the loop's own thread)
//! and UNN015 (a module-level run in a module the project imports).
//!
//! Each broken program is run with python3 first: it must fail (a
//! RuntimeError, or a hang that a timeout ends, for a deadlock). Where a fix
//! exists, the program runs and prints what it should after `unnest --write`;
//! where none does, `--check` reports it with the rule's explanation. The
//! programs that are right must stay silent.

mod common;

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{run_in, stderr, stdout};

/// How long a program may take before it counts as deadlocked.
const DEADLOCK: Duration = Duration::from_secs(5);

/// Write `files` (path, text) under a new temporary folder.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let temp = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = temp.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    temp
}

/// What a run of `python3 FILE` in `dir` did.
#[derive(Debug)]
enum Ran {
    Finished(Output),
    /// Still running after [`DEADLOCK`]: killed.
    Hung,
}

fn python(dir: &Path, file: &str) -> Ran {
    let mut child = Command::new("python3")
        .arg(file)
        .current_dir(dir)
        .env("PYTHONIOENCODING", "utf-8")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let (mut out, mut err) = (Vec::new(), Vec::new());
            child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
            child.stderr.take().unwrap().read_to_end(&mut err).unwrap();
            return Ran::Finished(Output {
                status,
                stdout: out,
                stderr: err,
            });
        }
        if started.elapsed() > DEADLOCK {
            child.kill().unwrap();
            child.wait().unwrap();
            return Ran::Hung;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The program fails today with a RuntimeError saying `message`.
fn assert_raises(dir: &Path, file: &str, message: &str) {
    match python(dir, file) {
        Ran::Finished(output) => assert!(
            !output.status.success() && stderr(&output).contains(message),
            "{file} should fail with {message:?} today:\n{}",
            stderr(&output)
        ),
        Ran::Hung => panic!("{file} should raise, not hang"),
    }
}

/// The program hangs today.
fn assert_deadlocks(dir: &Path, file: &str) {
    if let Ran::Finished(output) = python(dir, file) {
        panic!(
            "{file} should deadlock today, but ended ({:?}):\n{}{}",
            output.status.code(),
            stdout(&output),
            stderr(&output)
        );
    }
}

/// The program runs, prints `expected` and nothing on stderr.
fn assert_runs(dir: &Path, file: &str, expected: &str) {
    match python(dir, file) {
        Ran::Finished(output) => assert!(
            output.status.success() && stdout(&output) == expected && output.stderr.is_empty(),
            "{file} should print {expected:?}; exit {:?}\n--- stdout\n{}--- stderr\n{}--- source\n{}",
            output.status.code(),
            stdout(&output),
            stderr(&output),
            std::fs::read_to_string(dir.join(file)).unwrap()
        ),
        Ran::Hung => panic!(
            "{file} hangs:\n{}",
            std::fs::read_to_string(dir.join(file)).unwrap()
        ),
    }
}

/// `unnest --write ARGS` in `dir`, which must end with nothing left to fix;
/// then `--check` finds nothing. (`run_in` compiles every written text.)
fn fix_all(dir: &Path, args: &[&str]) {
    let mut write = vec!["--write"];
    write.extend_from_slice(args);
    write.push(".");
    let fixed = run_in(dir, &write);
    assert_eq!(
        fixed.status.code(),
        Some(0),
        "{}{}",
        stdout(&fixed),
        stderr(&fixed)
    );
    let again = run_in(dir, &["--check", "."]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "a second run finds nothing:\n{}{}",
        stdout(&again),
        stderr(&again)
    );
}

/// `unnest --check .` in `dir`: its exit code and what it printed.
fn check(dir: &Path) -> (Option<i32>, String) {
    let output = run_in(dir, &["--check", "."]);
    (output.status.code(), stdout(&output) + &stderr(&output))
}

/// The same with every file parsed whole: triage must not change a finding.
fn check_parse_all(dir: &Path) -> (Option<i32>, String) {
    let output = common::unnest()
        .current_dir(dir)
        .env("UNNEST_PARSE_ALL", "1")
        .args(["--check", "."])
        .output()
        .unwrap();
    (output.status.code(), stdout(&output) + &stderr(&output))
}

/// The finding lines of `--check` output with `code`.
fn findings<'a>(output: &'a str, code: &str) -> Vec<&'a str> {
    output
        .lines()
        .filter(|l| l.contains(&format!(": {code} ")))
        .collect()
}

// UNN013 ---------------------------------------------------------------------

const RUNNING_LOOP_ASYNC: &str = r#"import asyncio
from asyncio import get_running_loop as current_loop


async def work(n):
    await asyncio.sleep(0)
    return n * 2


async def main():
    loop = asyncio.get_running_loop()
    a = loop.run_until_complete(work(1))
    b = current_loop().run_until_complete(work(2))
    c = asyncio.get_running_loop().run_until_complete(work(3)) + 1
    print(a, b, c)


asyncio.run(main())
"#;

#[test]
fn unn013_in_an_async_def_is_fixed_to_await_and_the_program_runs() {
    let temp = project(&[("app.py", RUNNING_LOOP_ASYNC)]);
    let dir = temp.path();
    assert_raises(dir, "app.py", "This event loop is already running");
    let (code, output) = check(dir);
    assert_eq!(code, Some(1), "{output}");
    // UNN013 claims the three calls: UNN002 reports none of them.
    assert_eq!(findings(&output, "UNN013").len(), 3, "{output}");
    assert!(findings(&output, "UNN002").is_empty(), "{output}");
    assert!(output.contains("always raises RuntimeError"), "{output}");
    assert!(output.contains("[fix: safe]"), "{output}");
    assert_eq!(check_parse_all(dir), (code, output));
    fix_all(dir, &[]);
    assert_runs(dir, "app.py", "2 4 7\n");
    let fixed = std::fs::read_to_string(dir.join("app.py")).unwrap();
    assert!(fixed.contains("    a = await work(1)\n"), "{fixed}");
    assert!(fixed.contains("    c = await work(3) + 1\n"), "{fixed}");
}

#[test]
fn unn013_in_a_sync_helper_is_reported_and_its_async_caller_fixed() {
    // The helper is wrong wherever it is called from: reported without a
    // fix of its own. Its async caller is UNN007's: the helper becomes async,
    // and the next pass turns the run into `await`.
    let source = r#"import asyncio


async def work():
    return "done"


def _helper():
    return asyncio.get_running_loop().run_until_complete(work())


async def main():
    print(_helper())


asyncio.run(main())
"#;
    let temp = project(&[("app.py", source)]);
    let dir = temp.path();
    assert_raises(dir, "app.py", "This event loop is already running");
    let (code, output) = check(dir);
    assert_eq!(code, Some(1), "{output}");
    let reported = findings(&output, "UNN013");
    assert_eq!(reported.len(), 1, "{output}");
    assert!(
        reported[0].contains("`get_running_loop()` returns only a loop that is running")
            && reported[0].contains("no automatic fix"),
        "{output}"
    );
    assert_eq!(findings(&output, "UNN007").len(), 1, "{output}");
    fix_all(dir, &[]);
    assert_runs(dir, "app.py", "done\n");
}

#[test]
fn unn013_in_a_sync_def_is_reported_without_a_fix() {
    let source = r#"import asyncio as aio


def fetch(coro):
    loop = aio.get_running_loop()
    return loop.run_until_complete(coro)
"#;
    let temp = project(&[("lib.py", source)]);
    let dir = temp.path();
    let (code, output) = check(dir);
    assert_eq!(code, Some(1), "{output}");
    let reported = findings(&output, "UNN013");
    assert_eq!(reported.len(), 1, "{output}");
    assert!(reported[0].starts_with("lib.py:6:12: UNN013 `loop.run_until_complete()` always raises RuntimeError (\"This event loop is already running\")"), "{output}");
    assert!(
        reported[0].contains("with none running, `get_running_loop()` itself raises"),
        "{output}"
    );
    assert_eq!(check_parse_all(dir), (code, output));
    let written = run_in(dir, &["--write", "."]);
    assert_eq!(written.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(dir.join("lib.py")).unwrap(), source);
}

#[test]
fn run_until_complete_on_other_loops_is_not_unn013() {
    let source = r#"import asyncio


async def work():
    return 1


def fresh():
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(work())
    finally:
        loop.close()


def rebound(running):
    if running:
        loop = asyncio.get_running_loop()
    else:
        loop = asyncio.new_event_loop()
    return loop.run_until_complete(work())


def closure_only():
    loop = asyncio.get_running_loop()

    def inner():
        return loop.run_until_complete(work())

    return inner


async def given(loop):
    return loop.run_until_complete(work())


asyncio.set_event_loop(asyncio.new_event_loop())
loop = asyncio.get_event_loop()
print(fresh(), rebound(False), loop.run_until_complete(work()))
"#;
    let temp = project(&[("app.py", source)]);
    let dir = temp.path();
    assert_runs(dir, "app.py", "1 1 1\n");
    let (code, output) = check(dir);
    assert!(findings(&output, "UNN013").is_empty(), "{output}");
    // The run on a loop given as a parameter stays UNN002's.
    assert_eq!(findings(&output, "UNN002").len(), 1, "{output}");
    assert_eq!(code, Some(1));
}

// UNN014 ---------------------------------------------------------------------

#[test]
fn unn014_in_an_async_def_is_fixed_to_await_and_the_program_runs() {
    let source = r#"import asyncio


async def work(n):
    await asyncio.sleep(0)
    return n * 2


async def main():
    loop = asyncio.get_running_loop()
    a = asyncio.run_coroutine_threadsafe(work(1), loop).result()
    b = asyncio.run_coroutine_threadsafe(coro=work(2), loop=asyncio.get_event_loop()).result()
    c = asyncio.run_coroutine_threadsafe(
        work(3),
        loop,
    ).result().bit_length()
    print(a, b, c)


asyncio.run(main())
"#;
    let temp = project(&[("app.py", source)]);
    let dir = temp.path();
    assert_deadlocks(dir, "app.py");
    let (code, output) = check(dir);
    assert_eq!(code, Some(1), "{output}");
    let reported = findings(&output, "UNN014");
    assert_eq!(reported.len(), 3, "{output}");
    assert!(
        reported
            .iter()
            .all(|l| l.contains("deadlocks") && l.contains("[fix: safe]")),
        "{output}"
    );
    assert_eq!(check_parse_all(dir), (code, output));
    fix_all(dir, &[]);
    assert_runs(dir, "app.py", "2 4 3\n");
    let fixed = std::fs::read_to_string(dir.join("app.py")).unwrap();
    assert!(fixed.contains("    a = await work(1)\n"), "{fixed}");
    assert!(
        fixed.contains("    c = (await work(3)).bit_length()\n"),
        "{fixed}"
    );
}

#[test]
fn unn014_with_a_timeout_is_an_unsafe_wait_for() {
    let source = r#"import asyncio


async def work():
    return "in time"


async def main():
    loop = asyncio.get_running_loop()
    print(asyncio.run_coroutine_threadsafe(work(), loop).result(timeout=0.5))


asyncio.run(main())
"#;
    let temp = project(&[("app.py", source)]);
    let dir = temp.path();
    // It waits for the whole timeout, then raises: the coroutine never ran.
    assert_raises(dir, "app.py", "TimeoutError");
    let (code, output) = check(dir);
    assert_eq!(code, Some(1), "{output}");
    let reported = findings(&output, "UNN014");
    assert_eq!(reported.len(), 1, "{output}");
    assert!(
        reported[0].contains("blocks for the whole timeout (0.5) and then raises TimeoutError")
            && reported[0].contains("[fix: unsafe"),
        "{output}"
    );
    // Safe fixes only: nothing changes.
    let safe = run_in(dir, &["--write", "."]);
    assert_eq!(safe.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(dir.join("app.py")).unwrap(), source);
    fix_all(dir, &["--unsafe-fixes"]);
    assert_runs(dir, "app.py", "in time\n");
    let fixed = std::fs::read_to_string(dir.join("app.py")).unwrap();
    assert!(
        fixed.contains("    print(await asyncio.wait_for(work(), 0.5))\n"),
        "{fixed}"
    );
}

#[test]
fn unn014_in_a_sync_def_is_reported_with_the_explanation() {
    let source = r#"import asyncio


async def work():
    return 1


def submit():
    loop = asyncio.get_running_loop()
    return asyncio.run_coroutine_threadsafe(work(), loop).result()


async def main():
    print(submit())


asyncio.run(main())
"#;
    let temp = project(&[("app.py", source)]);
    let dir = temp.path();
    assert_deadlocks(dir, "app.py");
    let (code, output) = check(dir);
    assert_eq!(code, Some(1), "{output}");
    let reported = findings(&output, "UNN014");
    assert_eq!(reported.len(), 1, "{output}");
    assert!(
        reported[0].starts_with("app.py:10:12: UNN014 `asyncio.run_coroutine_threadsafe(..., loop).result()` deadlocks: `loop` comes from `get_running_loop()`, so it is the loop running on this thread, and `.result()` blocks that thread"),
        "{output}"
    );
    assert!(reported[0].contains("no automatic fix"), "{output}");
    assert_eq!(check_parse_all(dir), (code, output));
}

#[test]
fn run_coroutine_threadsafe_with_a_loop_of_another_thread_is_left_alone() {
    // The legitimate uses: a thread waits for the loop of another thread.
    let source = r#"import asyncio
import threading


async def work(n):
    return n


def in_thread(loop):
    return asyncio.run_coroutine_threadsafe(work(1), loop).result()


async def main():
    loop = asyncio.get_running_loop()
    a = await loop.run_in_executor(None, in_thread, loop)
    b = await asyncio.to_thread(
        lambda: asyncio.run_coroutine_threadsafe(work(2), loop).result()
    )
    print(a, b)


asyncio.run(main())

background = asyncio.new_event_loop()
threading.Thread(target=background.run_forever, daemon=True).start()
asyncio.set_event_loop(background)


def submit():
    current = asyncio.get_event_loop()
    return asyncio.run_coroutine_threadsafe(work(3), current).result()


print(submit(), asyncio.run_coroutine_threadsafe(work(4), asyncio.get_event_loop()).result())
"#;
    let temp = project(&[("app.py", source)]);
    let dir = temp.path();
    assert_runs(dir, "app.py", "1 2\n3 4\n");
    let (code, output) = check(dir);
    assert_eq!(code, Some(0), "{output}");
    assert_eq!(check_parse_all(dir), (code, output));
}

// UNN015 ---------------------------------------------------------------------

const PLUGIN: &str = r#"import asyncio

STATE = {}


async def setup():
    STATE["ready"] = True


asyncio.run(setup())
"#;

const HOST: &str = r#"import asyncio
import importlib


async def main():
    plugin = importlib.import_module("plugins.greet")
    print("loaded", plugin.STATE)


asyncio.run(main())
"#;

#[test]
fn unn015_names_the_module_that_imports_it_inside_its_loop() {
    let temp = project(&[
        ("plugins/__init__.py", ""),
        ("plugins/greet.py", PLUGIN),
        ("host.py", HOST),
        // An importer that does not mention asyncio, which the prefilter
        // sets aside.
        (
            "tools/inspect_plugin.py",
            "def show():\n    from plugins import greet\n    return greet.STATE\n",
        ),
    ]);
    let dir = temp.path();
    assert_raises(
        dir,
        "host.py",
        "asyncio.run() cannot be called from a running event loop",
    );
    let (code, output) = check(dir);
    assert_eq!(code, Some(1), "{output}");
    let reported = findings(&output, "UNN015");
    assert_eq!(reported.len(), 1, "{output}");
    let line = reported[0];
    assert!(line.starts_with("plugins/greet.py:10:1: UNN015 `asyncio.run()` at module level runs when the module is imported: `host.py:6` (also `tools/inspect_plugin.py:2`) imports module `plugins.greet`"), "{output}");
    assert!(line.contains("startup or lifespan hook"), "{output}");
    assert!(line.contains("no automatic fix"), "{output}");
    // The scripts that run a loop at module level and that nothing imports
    // (`host.py`) are left alone.
    assert!(!output.contains("host.py:10"), "{output}");
    assert_eq!(check_parse_all(dir), (code, output));
    let written = run_in(dir, &["--write", "."]);
    assert_eq!(written.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(dir.join("plugins/greet.py")).unwrap(),
        PLUGIN
    );
}

#[test]
fn unn015_names_the_uvicorn_string_that_names_the_module() {
    let app = r#"import asyncio


async def warm_cache():
    return None


class App:
    cache = asyncio.run(warm_cache())


app = App()
"#;
    for (launcher, at) in [
        (
            "import uvicorn\n\n\nif __name__ == \"__main__\":\n    uvicorn.run(\"web.main:app\", port=8000)\n",
            "launch.py:5",
        ),
        (
            "import subprocess\n\nsubprocess.run([\"python\", \"-m\", \"uvicorn\", \"web.main:app\"])\n",
            "launch.py:3",
        ),
        (
            "import os\n\nos.system(\"uvicorn --port 8000 web.main:app\")\n",
            "launch.py:3",
        ),
    ] {
        let temp = project(&[
            ("web/__init__.py", ""),
            ("web/main.py", app),
            ("launch.py", launcher),
        ]);
        let dir = temp.path();
        let (code, output) = check(dir);
        assert_eq!(code, Some(1), "{output}");
        let reported = findings(&output, "UNN015");
        assert_eq!(reported.len(), 1, "{output}");
        assert!(
            reported[0].starts_with(&format!("web/main.py:9:13: UNN015 `asyncio.run()` at module level runs when the module is imported: the uvicorn app string at `{at}` names module `web.main`, and uvicorn imports it inside its running event loop")),
            "{output}"
        );
        assert_eq!(check_parse_all(dir), (code, output));
    }
}

#[test]
fn module_level_runs_that_no_import_reaches_are_left_alone() {
    let guarded = r#"import asyncio


async def main():
    print("main")


if __name__ == "__main__":
    asyncio.run(main())
"#;
    let in_function = r#"import asyncio


async def main():
    print("job")


def start():
    asyncio.run(main())
"#;
    let temp = project(&[
        ("pkg/__init__.py", ""),
        ("pkg/cli.py", guarded),
        ("pkg/jobs.py", in_function),
        ("script.py", PLUGIN),
        (
            "host.py",
            "import asyncio\nimport pkg.cli\nfrom pkg import jobs\n\n\nasync def main():\n    print(\"host\")\n\n\nasyncio.run(main())\n",
        ),
    ]);
    let dir = temp.path();
    assert_runs(dir, "host.py", "host\n");
    let (code, output) = check(dir);
    assert_eq!(code, Some(0), "{output}");
    assert_eq!(check_parse_all(dir), (code, output));
}

#[test]
fn a_run_under_the_else_of_the_main_guard_runs_at_import() {
    let module = r#"import asyncio


async def main():
    print("main")


if __name__ == "__main__":
    pass
else:
    asyncio.run(main())
"#;
    let temp = project(&[("jobs.py", module), ("host.py", "import jobs\n")]);
    let dir = temp.path();
    let (code, output) = check(dir);
    assert_eq!(code, Some(1), "{output}");
    assert!(
        output.starts_with("jobs.py:11:5: UNN015 `asyncio.run()` at module level runs when the module is imported: `host.py:1` imports module `jobs`"),
        "{output}"
    );
    assert_eq!(check_parse_all(dir), (code, output));
}

#[test]
fn unn015_names_the_notebook_cell_that_imports_it() {
    let notebook = r##"{
 "cells": [
  {"cell_type": "markdown", "metadata": {}, "source": ["# Report"]},
  {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [],
   "source": ["x = 1\n", "import jobs"]}
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
"##;
    let temp = project(&[("jobs.py", PLUGIN), ("report.ipynb", notebook)]);
    let dir = temp.path();
    let (code, output) = check(dir);
    assert_eq!(code, Some(1), "{output}");
    assert!(
        output.starts_with("jobs.py:10:1: UNN015 `asyncio.run()` at module level runs when the module is imported: the notebook cell at `report.ipynb:cell 2:2` imports module `jobs`, and a notebook runs its cells inside the kernel's event loop"),
        "{output}"
    );
    assert_eq!(check_parse_all(dir), (code, output));
}
