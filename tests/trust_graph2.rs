//! The call graph's fixes must reach the nested run they are for (a helper
//! made async that still calls a sync function holding a run only moves the
//! RuntimeError), and its line-based edits must cut lines where CPython does:
//! at LF, CRLF and a lone CR. Each fixed program runs as it should, compiles,
//! and a second run finds nothing; a fix that cannot reach its run is refused
//! and the finding stays, with its reason.

use std::path::Path;
use std::process::{Command, Output};

fn unnest(dir: &Path, args: &[&str], parse_all: bool) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_unnest"));
    command.env_remove("NO_COLOR").current_dir(dir).args(args);
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
