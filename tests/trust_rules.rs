//! What the rules promise about trust: a fix never leaves code that does not
//! compile, a correct bridge stays as it is, a call that needs a callable is
//! recognised by the call and not by a variable's name, trio code is left
//! alone, and one `--write` reaches the fixed point.

use std::path::Path;
use std::process::{Command, Output};

fn unnest(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_unnest"))
        .env_remove("VIRTUAL_ENV")
        .current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("the unnest binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The text of `source` after one `unnest --write` with `args`.
fn written(source: &str, args: &[&str]) -> String {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("app.py"), source).unwrap();
    let mut all = vec!["--write"];
    all.extend(args);
    all.push("app.py");
    let output = unnest(temp.path(), &all);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
    std::fs::read_to_string(temp.path().join("app.py")).unwrap()
}

/// `--check` lines for `source` (with unsafe fixes counted).
fn check(source: &str) -> String {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("app.py"), source).unwrap();
    let output = unnest(
        temp.path(),
        &["--check", "--unsafe-fixes", "--color", "never", "app.py"],
    );
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        stderr(&output)
    );
    stdout(&output)
}

/// The diff of a dry run with unsafe fixes, and the `--check` lines: what a
/// snapshot shows.
fn render(source: &str) -> String {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("app.py"), source).unwrap();
    let diff = unnest(
        temp.path(),
        &["--unsafe-fixes", "--color", "never", "app.py"],
    );
    format!(
        "## --check\n{}\n## --unsafe-fixes diff\n{}",
        check(source),
        stdout(&diff)
    )
}

/// Compiles `text` with CPython, or fails naming the text.
fn assert_compiles(text: &str) {
    let output = Command::new("python3")
        .args([
            "-c",
            "import sys; compile(sys.stdin.read(), '<fixed>', 'exec')",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(text.as_bytes())?;
            child.wait_with_output()
        })
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "does not compile under CPython:\n{text}\n{}",
        stderr(&output)
    );
}

fn python(dir: &Path, file: &str) -> Output {
    Command::new("python3")
        .arg(file)
        .current_dir(dir)
        .env("PYTHONIOENCODING", "utf-8")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("python3 runs")
}

/// The execution check of `tests/exec/broken`, for the programs of
/// `tests/trust/` (kept apart because their fixes remove `nest_asyncio`
/// statements, which the property tests' corpus does not model): `NAME.py`
/// fails today with a RuntimeError; after `unnest --write` (with the
/// arguments of a first line `# unnest-args: ...`) it prints `NAME.out`, with
/// nothing on stderr, compiles, and a second run finds nothing.
fn runs_once_rewritten(name: &str) {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/trust");
    let source = std::fs::read_to_string(folder.join(format!("{name}.py"))).unwrap();
    let expected = std::fs::read_to_string(folder.join(format!("{name}.out"))).unwrap();
    let temp = tempfile::tempdir().unwrap();
    let file = format!("{name}.py");
    std::fs::write(temp.path().join(&file), &source).unwrap();
    let before = python(temp.path(), &file);
    assert!(
        !before.status.success() && stderr(&before).contains("RuntimeError"),
        "{name} does not fail today, so it proves nothing"
    );
    let mut args = vec!["--write"];
    if let Some(extra) = source
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# unnest-args:"))
    {
        args.extend(extra.split_whitespace());
    }
    args.push(&file);
    let fixed = unnest(temp.path(), &args);
    assert_eq!(fixed.status.code(), Some(0), "{}", stderr(&fixed));
    let text = std::fs::read_to_string(temp.path().join(&file)).unwrap();
    let after = python(temp.path(), &file);
    assert!(
        after.status.success() && stdout(&after) == expected && after.stderr.is_empty(),
        "{name}: rewritten program misbehaves\n--- stdout\n{}--- stderr\n{}--- source\n{text}",
        stdout(&after),
        stderr(&after)
    );
    assert_compiles(&text);
    let again = unnest(temp.path(), &["--check", "--unsafe-fixes", &file]);
    assert_eq!(
        stdout(&again),
        "",
        "{name}: a second run still finds something"
    );
}

/// `tests/trust/NAME.py` stays byte-identical under `--write --unsafe-fixes`,
/// has no finding, and runs printing `NAME.out`.
fn stays_unchanged(name: &str) {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/trust");
    let file = format!("{name}.py");
    let source = std::fs::read(folder.join(&file)).unwrap();
    let expected = std::fs::read_to_string(folder.join(format!("{name}.out"))).unwrap();
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join(&file), &source).unwrap();
    let output = unnest(temp.path(), &["--write", "--unsafe-fixes", &file]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    assert_eq!(
        std::fs::read(temp.path().join(&file)).unwrap(),
        source,
        "{name} was changed"
    );
    let run = python(temp.path(), &file);
    assert!(
        run.status.success() && stdout(&run) == expected,
        "{name} does not run as expected\n{}{}",
        stdout(&run),
        stderr(&run)
    );
}

fn snapshot(name: &str, value: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(true);
    settings.bind(|| insta::assert_snapshot!(name, value));
}

// ---- nest_asyncio removal leaves valid blocks ----

#[test]
fn nest_asyncio_removal_leaves_no_empty_block() {
    let cases: [(&str, &str); 9] = [
        // The optional-import form means nothing once the patch goes: all of it goes.
        (
            "try:\n    import nest_asyncio\n    nest_asyncio.apply()\nexcept ImportError:\n    pass\n\nx = 1\n",
            "\nx = 1\n",
        ),
        (
            "import nest_asyncio\n\nif __name__ == \"__main__\":\n    nest_asyncio.apply()\n",
            "\nif __name__ == \"__main__\":\n    pass\n",
        ),
        (
            "import nest_asyncio\n\n\ndef setup():\n    nest_asyncio.apply()  # for Jupyter\n",
            "\n\ndef setup():\n    pass\n",
        ),
        (
            "import nest_asyncio\nx = 1\nif x:\n    x = 2\nelse:\n    nest_asyncio.apply()\n",
            "x = 1\nif x:\n    x = 2\nelse:\n    pass\n",
        ),
        (
            "import nest_asyncio\ntry:\n    x = 1\nfinally:\n    nest_asyncio.apply()\n",
            "try:\n    x = 1\nfinally:\n    pass\n",
        ),
        (
            "import nest_asyncio\nwith open(__file__):\n    for _ in range(2):\n        # patch it\n        nest_asyncio.apply()\n",
            "with open(__file__):\n    for _ in range(2):\n        # patch it\n        pass\n",
        ),
        (
            "import nest_asyncio\nx = 1\nif x: nest_asyncio.apply()\n",
            "x = 1\nif x: pass\n",
        ),
        // A handler that does something keeps the `try`: only its body empties.
        (
            "def f():\n    try:\n        import nest_asyncio\n        nest_asyncio.apply()\n    except ImportError:\n        return None\n    return 1\n",
            "def f():\n    try:\n        pass\n    except ImportError:\n        return None\n    return 1\n",
        ),
        (
            "import nest_asyncio\r\nif True:\r\n    nest_asyncio.apply()\r\n",
            "if True:\r\n    pass\r\n",
        ),
    ];
    for (source, expected) in cases {
        assert_compiles(source);
        let fixed = written(source, &["--unsafe-fixes"]);
        assert_eq!(fixed, expected, "from:\n{source}");
        assert_compiles(&fixed);
        assert_eq!(check(&fixed), "", "a second run finds more in:\n{fixed}");
    }
}

#[test]
fn nest_asyncio_optional_import_goes_whole_and_the_program_runs() {
    runs_once_rewritten("nest_asyncio_optional");
}

#[test]
fn nest_asyncio_in_try_else_leaves_pass_and_the_program_runs() {
    runs_once_rewritten("nest_asyncio_blocks");
}

#[test]
fn nest_asyncio_removal_diff_snapshot() {
    snapshot(
        "nest_asyncio_removal",
        &render(
            "import asyncio\n\ntry:\n    import nest_asyncio\n    nest_asyncio.apply()\nexcept ImportError:\n    pass\n\n\ndef setup():\n    if __name__ == \"__main__\":\n        print(asyncio.get_event_loop_policy())\n",
        ),
    );
}

// ---- a callable slot is known by the call, not by a variable's name ----

const CALLABLE_SLOTS: &str = "import asyncio\n\n\nasync def work():\n    return 1\n\n\nasync def main(ex, jobs, loop, fut):\n    ex.submit(asyncio.run(work()))\n    jobs.submit(asyncio.run(work()))\n    loop.call_soon(asyncio.run(work()))\n    loop.call_later(1, asyncio.run(work()))\n    fut.add_done_callback(asyncio.run(work()))\n    list(map(asyncio.run(work()), [1]))\n    jobs.map(asyncio.run(work()), [1])\n";

#[test]
fn run_passed_where_a_callable_is_needed_is_unn006_whatever_the_receiver_is_named() {
    let found = check(CALLABLE_SLOTS);
    let rules: Vec<&str> = found
        .lines()
        .map(|l| l.split(' ').nth(1).unwrap())
        .collect();
    assert_eq!(rules, ["UNN006"; 7], "{found}");
    // No safe fix hands a result where a callable is needed.
    assert_eq!(written(CALLABLE_SLOTS, &[]), CALLABLE_SLOTS);
    let fixed = written(CALLABLE_SLOTS, &["--unsafe-fixes"]);
    assert!(
        fixed.contains("    ex.submit(asyncio.run, work())\n"),
        "{fixed}"
    );
    assert!(
        fixed.contains("    jobs.submit(asyncio.run, work())\n"),
        "{fixed}"
    );
    assert!(!fixed.contains("await"), "{fixed}");
    assert_compiles(&fixed);
}

#[test]
fn run_in_a_plain_argument_still_becomes_await() {
    let source = "import asyncio\n\n\nasync def main(ex, fn):\n    ex.submit(fn, asyncio.run(work()))\n    print(asyncio.run(work()))\n    sorted([1], key=None, reverse=asyncio.run(work()))\n";
    let fixed = written(source, &[]);
    assert_eq!(
        fixed,
        "import asyncio\n\n\nasync def main(ex, fn):\n    ex.submit(fn, await work())\n    print(await work())\n    sorted([1], key=None, reverse=await work())\n"
    );
    // Where no loop runs, the eager call works: left alone.
    let sync = "import asyncio\n\n\ndef main(ex):\n    ex.submit(asyncio.run(work()))\n";
    assert_eq!(check(sync), "");
}

#[test]
fn callable_slots_snapshot() {
    snapshot("callable_slots", &render(CALLABLE_SLOTS));
}

// ---- a run that falls back on RuntimeError is a bridge ----

#[test]
fn run_with_a_runtime_error_fallback_in_async_gets_only_an_unsafe_fix() {
    let source = "import asyncio\n\n\nasync def main():\n    try:\n        asyncio.run(work())\n    except RuntimeError:\n        print(\"no nesting\")\n";
    let found = check(source);
    assert!(
        found.starts_with("app.py:6:9: UNN001 ") && found.contains("[fix: unsafe"),
        "{found}"
    );
    assert_eq!(written(source, &[]), source);
    let fixed = written(source, &["--unsafe-fixes"]);
    assert!(fixed.contains("        await work()\n"), "{fixed}");
    assert_compiles(&fixed);
}

#[test]
fn sync_helpers_that_fall_back_on_runtime_error_do_not_block_the_loop() {
    let source = "import asyncio\nfrom concurrent.futures import ThreadPoolExecutor\n\n\ndef fallback(coro):\n    try:\n        return asyncio.run(coro)\n    except (ValueError, RuntimeError):\n        return None\n\n\ndef in_thread(coro):\n    try:\n        return asyncio.run(coro)\n    except RuntimeError:\n        with ThreadPoolExecutor(1) as ex:\n            return ex.submit(asyncio.run, coro).result()\n\n\ndef early(coro):\n    if asyncio._get_running_loop() is not None:\n        with ThreadPoolExecutor(1) as ex:\n            return ex.submit(asyncio.run, coro).result()\n    return asyncio.run(coro)\n\n\nasync def main():\n    return fallback(work()), in_thread(work()), early(work())\n";
    assert_eq!(check(source), "");
}

#[test]
fn other_handlers_and_exits_are_no_bridge() {
    // A handler for another error, or a `with` that does not leave, guards nothing.
    let source = "import asyncio\n\n\ndef other(coro):\n    try:\n        return asyncio.run(coro)\n    except ValueError:\n        return None\n\n\ndef stays(coro):\n    if asyncio._get_running_loop() is not None:\n        with open(__file__):\n            print(1)\n    return asyncio.run(coro)\n\n\ndef handler_runs(coro):\n    try:\n        pass\n    except RuntimeError:\n        return asyncio.run(coro)\n\n\nasync def main():\n    try:\n        asyncio.run(work())\n    except ValueError:\n        pass\n    return other(work()), stays(work()), handler_runs(work())\n";
    let found = check(source);
    let rules: Vec<&str> = found
        .lines()
        .map(|l| l.split(' ').nth(1).unwrap())
        .collect();
    assert_eq!(rules, ["UNN001", "UNN007", "UNN007", "UNN007"], "{found}");
    assert!(
        found.lines().next().unwrap().ends_with("[fix: safe]"),
        "{found}"
    );
}

// ---- trio drives its own loop ----

#[test]
fn functions_only_trio_drives_are_left_alone_and_run() {
    stays_unchanged("trio_driven");
}

#[test]
fn anyio_with_the_trio_backend_is_trio_and_without_it_is_asyncio() {
    let trio = "import asyncio\nimport anyio\n\n\nasync def main():\n    return asyncio.run(work())\n\n\nanyio.run(main, backend=\"trio\")\n";
    assert_eq!(check(trio), "");
    let asyncio = trio.replace(", backend=\"trio\"", "");
    assert!(
        check(&asyncio).starts_with("app.py:6:12: UNN001 "),
        "{}",
        check(&asyncio)
    );
    let aliased = "import asyncio\nimport trio as t\n\n\nasync def main():\n    return asyncio.run(work())\n\n\nt.run(main)\n";
    assert_eq!(check(aliased), "");
}

#[test]
fn functions_asyncio_also_runs_or_trio_never_runs_are_reported() {
    // `main` goes to trio and to asyncio; `lonely` to neither; `trio.run` of
    // an object that is not trio's is no entry.
    let source = "import asyncio\nimport trio\n\n\nasync def main():\n    return asyncio.run(work())\n\n\nasync def lonely():\n    return asyncio.run(work())\n\n\ntrio.run(main)\nasyncio.run(main())\n";
    let found = check(source);
    assert_eq!(found.lines().count(), 2, "{found}");
    let fake = "import asyncio\n\n\nasync def main():\n    return asyncio.run(work())\n\n\nclass trio:\n    run = staticmethod(print)\n\n\ntrio.run(main)\n";
    assert_eq!(check(fake).lines().count(), 1, "{}", check(fake));
    // A sync helper called from trio code and from an asyncio-run function
    // blocks that one: reported there.
    let helper = "import asyncio\nimport trio\n\n\ndef fetch():\n    return asyncio.run(work())\n\n\nasync def under_trio():\n    return fetch()\n\n\nasync def under_asyncio():\n    return fetch()\n\n\ntrio.run(under_trio)\nasyncio.run(under_asyncio())\n";
    let found = check(helper);
    assert!(
        found.contains("UNN007 `async def under_asyncio()`") && !found.contains("under_trio()`"),
        "{found}"
    );
}

// ---- one --write reaches the fixed point ----

fn nested(depth: usize, inner: &str) -> String {
    (0..depth).fold(inner.to_owned(), |e, _| format!("asyncio.run({e})"))
}

#[test]
fn twelve_nested_runs_are_fixed_by_one_write() {
    let source = format!(
        "import asyncio\n\n\nasync def main():\n    return {}\n",
        nested(12, "work()")
    );
    let fixed = written(&source, &[]);
    let expected = format!(
        "import asyncio\n\n\nasync def main():\n    return {}await work(){}\n",
        "await (".repeat(11),
        ")".repeat(11)
    );
    assert_eq!(fixed, expected);
    assert_compiles(&fixed);
    assert_eq!(check(&fixed), "");
    // Deeper than any bound on passes a chain alone could hit.
    let deep = written(
        &format!(
            "import asyncio\n\n\nasync def main():\n    return {}\n",
            nested(40, "work()")
        ),
        &[],
    );
    assert_eq!(check(&deep), "", "{deep}");
    assert_compiles(&deep);
}

#[test]
fn nested_runs_with_keywords_trailers_and_an_authors_await_fix_in_one_write() {
    let source = "import asyncio\nfrom asyncio import run as r\n\n\nasync def main(c, loop):\n    del asyncio.run(main=asyncio.run(main=r(c)))[0]\n    v = await asyncio.run(asyncio.run(main=asyncio.run(f(c), debug=None)))\n    w = loop.run_until_complete(asyncio.run(c)).x\n    return v, w\n";
    let fixed = written(source, &[]);
    assert_eq!(
        fixed,
        "import asyncio\nfrom asyncio import run as r\n\n\nasync def main(c, loop):\n    del (await (await (await c)))[0]\n    v = await (await (await f(c)))\n    w = (await (await c)).x\n    return v, w\n"
    );
    assert_compiles(&fixed);
    assert_eq!(check(&fixed), "");
}

#[test]
fn nested_runs_snapshot() {
    snapshot(
        "nested_runs",
        &render(
            "import asyncio\n\n\nasync def main(c):\n    return asyncio.run(asyncio.run(asyncio.run(c)))\n",
        ),
    );
}

#[test]
fn a_bridge_in_another_module_does_not_block_the_loop() {
    let temp = tempfile::tempdir().unwrap();
    let pkg = temp.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("__init__.py"), "").unwrap();
    std::fs::write(
        pkg.join("util.py"),
        "import asyncio\n\n\ndef bridge(coro):\n    try:\n        return asyncio.run(coro)\n    except RuntimeError:\n        return None\n\n\ndef plain(coro):\n    return asyncio.run(coro)\n",
    )
    .unwrap();
    std::fs::write(
        pkg.join("app.py"),
        "from pkg.util import bridge, plain\n\n\nasync def main(c):\n    return bridge(c), plain(c)\n",
    )
    .unwrap();
    let output = unnest(temp.path(), &["--check", "--color", "never", "."]);
    let found = stdout(&output);
    assert_eq!(found.lines().count(), 1, "{found}");
    assert!(found.contains("calls `plain()`"), "{found}");
}
