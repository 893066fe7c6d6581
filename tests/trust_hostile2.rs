//! Hostile programs for the fixes unnest offers: each one fails today with
//! `RuntimeError: ... running event loop`; after `--write` every file must
//! compile, the program must print what it was meant to print, and a second
//! `--check --unsafe-fixes` must find nothing left to fix. Each test names what
//! it protects.

use std::fs;
use std::process::Command;

mod common;
use common::run_in;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Write `files` into a fresh folder, run `unnest --write` with `flags` there,
/// then check that every file compiles, that `main.py` prints `expected`, and
/// that nothing the write would apply is left.
fn fixed_program_prints(files: &[(&str, &str)], flags: &[&str], expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    for (name, contents) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, contents).unwrap();
    }
    let mut args = vec!["--write", "-q"];
    args.extend_from_slice(flags);
    let written = run_in(dir.path(), &args);
    assert!(
        written.status.success() || written.status.code() == Some(1),
        "unnest --write failed: {}",
        text(&written.stderr)
    );
    for (name, _) in files {
        let path = dir.path().join(name);
        let out = Command::new("python3")
            .args([
                "-c",
                "import sys; compile(open(sys.argv[1]).read(), sys.argv[1], 'exec')",
            ])
            .arg(&path)
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "{name} does not compile after the fix:\n{}\n{}",
            fs::read_to_string(&path).unwrap(),
            text(&out.stderr)
        );
    }
    let ran = Command::new("python3")
        .arg("main.py")
        .current_dir(dir.path())
        .output()
        .expect("python3 runs");
    let main = fs::read_to_string(dir.path().join("main.py")).unwrap();
    assert_eq!(
        text(&ran.stdout),
        expected,
        "the fixed program prints something else:\n{main}\nstderr:\n{}",
        text(&ran.stderr)
    );
    assert!(ran.status.success(), "{}", text(&ran.stderr));
    // What the write applied must leave nothing it would apply again.
    let again = run_in(dir.path(), &["--check", "--unsafe-fixes", "-q"]);
    let left = text(&again.stdout);
    let applied = if flags.contains(&"--unsafe-fixes") {
        "[fix"
    } else {
        "[fix: safe"
    };
    assert!(
        !left.contains(applied),
        "a fixable finding is left after the fix:\n{left}\n{main}"
    );
}

#[test]
fn a_starred_run_after_another_argument_is_found_and_fixed() {
    let program = "\
import asyncio

async def fetch(x):
    return x

def helper(x):
    return asyncio.run(fetch(x))

async def main():
    print(1, *asyncio.run(fetch([8])))
    print(1, *helper([7]))
    print(1, *asyncio.get_event_loop().run_until_complete(fetch([6])))

asyncio.run(main())
";
    fixed_program_prints(&[("main.py", program)], &[], "1 8\n1 7\n1 6\n");
}

#[test]
fn a_starred_imported_run_after_another_argument_is_found_and_fixed() {
    let program = "\
import asyncio
from asyncio import run

async def fetch(x):
    return x

async def main():
    print(1, *run(fetch([5])))

asyncio.run(main())
";
    fixed_program_prints(&[("main.py", program)], &[], "1 5\n");
}

#[test]
fn an_inlined_wrapper_adds_no_import_that_a_circular_import_breaks() {
    // `pkg.b` imports `pkg.a` back: a new `from pkg.b import fetch` at the
    // top of `pkg/a.py` would run while `pkg.b` is half initialized.
    let b = "\
import asyncio
from pkg import a

async def fetch(x):
    return x + 1

def helper(x):
    return asyncio.run(fetch(x))

async def serve():
    print(await a.handler())
";
    let a = "\
from pkg import b

async def handler():
    return b.helper(1)
";
    let main = "\
import asyncio
import pkg.b

asyncio.run(pkg.b.serve())
";
    fixed_program_prints(
        &[
            ("pkg/__init__.py", ""),
            ("pkg/a.py", a),
            ("pkg/b.py", b),
            ("main.py", main),
        ],
        &[],
        "2\n",
    );
}

#[test]
fn an_inlined_wrapper_does_not_call_a_name_an_enclosing_function_rebinds() {
    let program = "\
import asyncio

async def fetch(x):
    return x

def helper(x):
    return asyncio.run(fetch(x))

async def main():
    fetch = \"shadow\"
    async def inner():
        return helper(1)
    print(await inner(), fetch)

asyncio.run(main())
";
    // Inlining would call the string; making `helper` async is what is left.
    fixed_program_prints(&[("main.py", program)], &["--unsafe-fixes"], "1 shadow\n");
}

#[test]
fn a_callback_task_gets_a_name_the_callback_does_not_read() {
    // `task = asyncio.create_task(notify(task))` would make the global
    // `task` a local that is read before it is bound.
    let program = "\
import asyncio

task = \"global task\"

async def notify(x):
    print(\"notified\", x)

def on_tick():
    asyncio.run(notify(task))

async def main():
    loop = asyncio.get_running_loop()
    loop.call_soon(on_tick)
    await asyncio.sleep(0.05)

asyncio.run(main())
";
    fixed_program_prints(
        &[("main.py", program)],
        &["--unsafe-fixes"],
        "notified global task\n",
    );
}

#[test]
fn a_decorated_wrapper_is_not_inlined_past_its_decorator() {
    let program = "\
import asyncio
import functools

async def fetch(x):
    return x

def trace(f):
    @functools.wraps(f)
    def inner(*args):
        print(\"call\", f.__name__)
        return f(*args)
    return inner

@trace
def helper(x):
    return asyncio.run(fetch(x))

@functools.lru_cache
def cached(x):
    return asyncio.run(fetch(x))

async def main():
    print(helper(7), cached(1))

asyncio.run(main())
";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("main.py");
    fs::write(&path, program).unwrap();
    run_in(dir.path(), &["--write", "--unsafe-fixes", "-q"]);
    let fixed = fs::read_to_string(&path).unwrap();
    assert!(
        fixed.contains("print(helper(7), cached(1))"),
        "the decorators were skipped:\n{fixed}"
    );
    let check = run_in(dir.path(), &["--check", "--unsafe-fixes", "-q"]);
    assert!(
        !text(&check.stdout).contains("[fix"),
        "{}",
        text(&check.stdout)
    );
}

#[test]
fn a_run_until_complete_whose_loop_is_closed_after_is_not_a_safe_fix() {
    let program = "\
import asyncio

async def fetch(x):
    return x

async def main():
    loop = asyncio.get_event_loop()
    r = loop.run_until_complete(fetch(1))
    loop.close()
    print(r)

asyncio.run(main())
";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("main.py");
    fs::write(&path, program).unwrap();
    run_in(dir.path(), &["--write", "-q"]);
    assert_eq!(fs::read_to_string(&path).unwrap(), program);
    let check = run_in(dir.path(), &["--check", "-q"]);
    assert!(
        text(&check.stdout).contains("[fix: unsafe"),
        "{}",
        text(&check.stdout)
    );
}

#[test]
fn a_private_helper_looked_up_by_its_name_as_a_string_is_not_made_async() {
    // `globals()["_load"](4)` calls the helper where no `await` can follow.
    let program = "\
import asyncio

async def fetch(x):
    return x

def _load(x):
    y = x + 1
    return asyncio.run(fetch(y))

async def main():
    print(_load(0))

def sync():
    return globals()[\"_load\"](4)

print(sync())
asyncio.run(main())
";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("main.py");
    fs::write(&path, program).unwrap();
    run_in(dir.path(), &["--write", "-q"]);
    assert_eq!(fs::read_to_string(&path).unwrap(), program);
}

#[test]
fn a_helper_call_with_an_except_runtime_error_fallback_keeps_working_under_safe_fixes() {
    // Today the fallback runs; an inlined or awaited helper would skip it.
    let program = "\
import asyncio

async def fetch(x):
    print(\"fetch\", x)
    return x

def helper(x):
    return asyncio.run(fetch(x))

def _priv(x):
    y = x
    return asyncio.run(fetch(y))

async def main():
    try:
        v = helper(1)
    except RuntimeError:
        v = \"fallback\"
    try:
        w = _priv(2)
    except (ValueError, RuntimeError):
        w = \"fallback2\"
    print(v, w)

asyncio.run(main())
";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("main.py");
    fs::write(&path, program).unwrap();
    run_in(dir.path(), &["--write", "-q"]);
    assert_eq!(fs::read_to_string(&path).unwrap(), program);
    let check = run_in(dir.path(), &["--check", "-q"]);
    assert_eq!(
        text(&check.stdout).matches("[fix: unsafe").count(),
        2,
        "{}",
        text(&check.stdout)
    );
}

#[test]
fn a_nested_wrapper_inlined_elsewhere_keeps_its_call_with_a_runtime_error_fallback() {
    // Inlining every call of `load` at once would also await the one whose
    // fallback runs today.
    let program = "\
import asyncio

async def fetch(x):
    return x

async def main():
    def load(x):
        return asyncio.run(fetch(x))
    a = load(1)
    try:
        b = load(2)
    except RuntimeError:
        b = \"fallback\"
    print(a, b)

asyncio.run(main())
";
    fixed_program_prints(&[("main.py", program)], &[], "1 fallback\n");
}

#[test]
fn a_helper_name_rebound_through_global_is_not_inlined() {
    // After `global helper; helper = ...` the call no longer reaches the def.
    let program = "\
import asyncio

async def fetch(x):
    return x

def helper(x):
    return asyncio.run(fetch(x))

async def main():
    global helper
    helper = lambda x: x * 100
    print(helper(1))

asyncio.run(main())
";
    fixed_program_prints(&[("main.py", program)], &["--unsafe-fixes"], "100\n");
}
