//! `unnest record -- CMD`: the recording hook collects every nested
//! event-loop run of a program and of the Python processes it starts, even
//! those the program catches, and changes nothing the program does.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::unnest;

fn record_in(dir: &Path, args: &[&str]) -> Output {
    unnest()
        .current_dir(dir)
        .arg("record")
        .args(args)
        .env_remove("PYTHONPATH")
        .output()
        .expect("the unnest binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every recorded nested run in `dir/.unnest/records`: (call, the last frame's
/// file, line and function), sorted.
fn recorded(dir: &Path) -> Vec<(String, String, u64, String)> {
    let records = unnest::evidence::records::read(&dir.join(".unnest/records")).unwrap();
    let mut out: Vec<_> = records
        .runs
        .iter()
        .map(|run| {
            let last = run.frames.last().unwrap();
            (
                run.call.clone(),
                last.file.clone(),
                u64::from(last.line.unwrap_or(0)),
                last.function.clone().unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

fn has_pytest() -> bool {
    Command::new("python3")
        .args(["-c", "import pytest"])
        .status()
        .is_ok_and(|s| s.success())
}

/// A project whose tests hit three nested runs that no traceback shows: a
/// framework stand-in calls a sync hook on its loop (the error is raised and
/// caught by the framework), a wrapper swallows the error and returns its
/// text, and a subprocess started by a test hits one.
fn swallowing_project(dir: &Path) {
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    write(
        "framework.py",
        "import asyncio\n\n\nasync def _drive(hook):\n    try:\n        return hook()\n    except RuntimeError as error:\n        return f\"hook failed: {error}\"\n\n\ndef call_hook_on_loop(hook):\n    return asyncio.run(_drive(hook))\n",
    );
    write(
        "app.py",
        "import asyncio\n\n\nasync def fetch():\n    return 42\n\n\ndef on_start():\n    return asyncio.run(fetch())\n\n\ndef tool():\n    try:\n        return asyncio.run(fetch())\n    except Exception as error:\n        return str(error)\n\n\nasync def agent():\n    return tool()\n",
    );
    write(
        "child.py",
        "import asyncio\n\n\nasync def inner():\n    return 1\n\n\nasync def outer():\n    return asyncio.run(inner())\n\n\ntry:\n    asyncio.run(outer())\nexcept RuntimeError:\n    print(\"child swallowed it\")\n",
    );
    write(
        "test_app.py",
        "import asyncio\nimport subprocess\nimport sys\n\nimport app\nimport framework\n\n\ndef test_hook():\n    assert framework.call_hook_on_loop(app.on_start).startswith(\"hook failed\")\n\n\ndef test_tool():\n    assert \"running event loop\" in asyncio.run(app.agent())\n\n\ndef test_child():\n    out = subprocess.run([sys.executable, \"child.py\"], capture_output=True, text=True)\n    assert out.stdout == \"child swallowed it\\n\"\n",
    );
}

#[test]
fn record_collects_nested_runs_that_code_swallows_in_a_test_suite_and_its_subprocesses() {
    if !has_pytest() {
        eprintln!("skipped: pytest is not installed (.ci/run installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    swallowing_project(dir.path());
    let output = record_in(
        dir.path(),
        &[
            "--",
            "python3",
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("3 passed"), "{stdout}\n{}", stderr(&output));
    assert_eq!(
        output.status.code(),
        Some(0),
        "pytest's status is passed through"
    );
    assert_eq!(
        recorded(dir.path()),
        [
            ("asyncio.run".into(), "app.py".into(), 9, "on_start".into()),
            ("asyncio.run".into(), "app.py".into(), 14, "tool".into()),
            ("asyncio.run".into(), "child.py".into(), 9, "outer".into()),
        ]
    );
    let err = stderr(&output);
    assert!(
        err.contains("3 distinct nested event-loop runs recorded"),
        "{err}"
    );
    assert!(err.contains("unnest --traceback .unnest/records"), "{err}");
}

#[test]
fn recorded_stack_runs_from_the_outermost_frame_through_the_loop_to_the_call() {
    let dir = tempfile::tempdir().unwrap();
    swallowing_project(dir.path());
    std::fs::write(
        dir.path().join("main.py"),
        "import app\nimport framework\n\nprint(framework.call_hook_on_loop(app.on_start))\n",
    )
    .unwrap();
    let output = record_in(dir.path(), &["--", "python3", "main.py"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let records = unnest::evidence::records::read(&dir.path().join(".unnest/records")).unwrap();
    assert_eq!(records.processes, 1);
    let [run] = records.runs.as_slice() else {
        panic!("{:?}", records.runs)
    };
    let frames: Vec<(String, String)> = run
        .frames
        .iter()
        .map(|f| {
            let file = f.file.rsplit(['/', '\\']).next().unwrap().to_owned();
            (file, f.function.clone().unwrap_or_default())
        })
        .collect();
    // Project files are named relative to the folder the command ran in.
    assert_eq!(run.frames[0].file, "main.py");
    assert_eq!(frames.first().unwrap().1, "<module>");
    assert!(
        frames.contains(&("framework.py".into(), "_drive".into())),
        "{frames:?}"
    );
    assert!(
        frames.contains(&("events.py".into(), "_run".into())),
        "the loop's own frames are kept, as in a traceback: {frames:?}"
    );
    assert_eq!(
        frames.last().unwrap(),
        &("app.py".into(), "on_start".into())
    );
    assert_eq!(
        run.frames.last().unwrap().source.as_deref(),
        Some("return asyncio.run(fetch())")
    );
    assert!(
        !run.frames.iter().any(|f| f.file.contains("sitecustomize")),
        "the hook's own frames are not recorded"
    );
}

#[test]
fn recording_changes_nothing_a_program_prints_or_returns() {
    let dir = tempfile::tempdir().unwrap();
    let program = "import asyncio, sys\n\nasync def main():\n    await asyncio.sleep(0)\n    print('out', sorted({'b': 1, 'a': 2}))\n    print('err', file=sys.stderr)\n    loop = asyncio.get_running_loop()\n    fut = loop.create_future()\n    loop.call_soon(fut.set_result, 7)\n    return await fut\n\nvalue = asyncio.run(main())\nloop = asyncio.new_event_loop()\nprint(loop.run_until_complete(asyncio.sleep(0, 'done')))\nloop.close()\nsys.exit(value)\n";
    std::fs::write(dir.path().join("p.py"), program).unwrap();
    let plain = Command::new("python3")
        .arg("p.py")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let recorded_run = record_in(dir.path(), &["--", "python3", "p.py"]);
    assert_eq!(plain.stdout, recorded_run.stdout);
    assert_eq!(plain.status.code(), Some(7));
    assert_eq!(
        recorded_run.status.code(),
        Some(7),
        "the exit status is passed through"
    );
    let err = stderr(&recorded_run);
    assert!(
        err.starts_with("err\n"),
        "the program's stderr comes first: {err}"
    );
    assert!(
        err.contains("no nested event-loop run in 1 Python process"),
        "{err}"
    );
}

#[test]
fn python_that_skips_the_hook_is_reported_as_such_not_as_nothing_found() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.py"),
        "import asyncio\n\nasync def f():\n    asyncio.run(asyncio.sleep(0))\n\ntry:\n    asyncio.run(f())\nexcept RuntimeError:\n    pass\n",
    )
    .unwrap();
    for flag in ["-I", "-E", "-S"] {
        let output = record_in(dir.path(), &["--", "python3", flag, "p.py"]);
        assert_eq!(output.status.code(), Some(0));
        let err = stderr(&output);
        assert!(
            err.contains("no Python process loaded the recording hook"),
            "{flag}: {err}"
        );
    }
}

#[test]
fn the_users_own_sitecustomize_still_runs_and_earlier_records_are_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir(&site).unwrap();
    std::fs::write(
        site.join("sitecustomize.py"),
        "import builtins\nbuiltins.MARK = 'mine'\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("p.py"), "print(MARK)\n").unwrap();
    std::fs::create_dir_all(dir.path().join(".unnest/records")).unwrap();
    std::fs::write(
        dir.path().join(".unnest/records/old.jsonl"),
        "{\"kind\": \"process\", \"pid\": 1}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join(".unnest/records/keep.txt"), "not ours").unwrap();
    let output = unnest()
        .current_dir(dir.path())
        .args(["record", "--", "python3", "p.py"])
        .env("PYTHONPATH", &site)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "mine\n",
        "{}",
        stderr(&output)
    );
    let records = unnest::evidence::records::read(&dir.path().join(".unnest/records")).unwrap();
    assert_eq!(records.processes, 1, "the old record is gone");
    assert!(dir.path().join(".unnest/records/keep.txt").exists());
}

#[test]
fn a_command_that_cannot_start_is_an_error_and_a_missing_command_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = record_in(dir.path(), &["--", "no-such-command-here"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot run no-such-command-here"),
        "{}",
        stderr(&output)
    );
    let output = record_in(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("CMD"), "{}", stderr(&output));
}

/// The whole flow: record a test suite whose nested runs are all
/// hidden (a framework catches one, a wrapper swallows one, a subprocess
/// hits one), fix from the records, and the suite passes with nothing left
/// to record.
#[test]
fn record_then_fix_from_the_records_makes_the_suite_pass_with_nothing_left() {
    if !has_pytest() {
        eprintln!("skipped: pytest is not installed (.ci/run installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for folder in ["fw", "app", "tests"] {
        std::fs::create_dir(root.join(folder)).unwrap();
    }
    let write = |name: &str, text: &str| std::fs::write(root.join(name), text).unwrap();
    // A framework outside the paths given to unnest: it runs hooks on its
    // loop, awaits a hook that returns a coroutine, and catches what fails.
    write(
        "fw/engine.py",
        "import asyncio\nimport inspect\n\n\nasync def _drive(hook):\n    try:\n        result = hook()\n        if inspect.isawaitable(result):\n            result = await result\n        return result\n    except RuntimeError as error:\n        return f\"hook failed: {error}\"\n\n\ndef run_hook(hook):\n    return asyncio.run(_drive(hook))\n",
    );
    write("fw/__init__.py", "");
    write("app/__init__.py", "");
    write(
        "app/hooks.py",
        "import asyncio\n\n\nasync def fetch():\n    return 42\n\n\ndef on_start():\n    return asyncio.run(fetch())\n",
    );
    write(
        "app/tools.py",
        "import asyncio\n\n\nasync def search():\n    return 42\n\n\ndef tool():\n    try:\n        return asyncio.run(search())\n    except Exception as error:\n        return str(error)\n\n\nasync def agent():\n    return tool()\n",
    );
    write(
        "app/child.py",
        "import asyncio\n\n\nasync def inner():\n    return 1\n\n\nasync def outer():\n    return asyncio.run(inner())\n\n\ntry:\n    print(asyncio.run(outer()))\nexcept RuntimeError:\n    print(\"child swallowed it\")\n",
    );
    write(
        "tests/test_app.py",
        "import asyncio\nimport subprocess\nimport sys\n\nfrom app import hooks, tools\nfrom fw import engine\n\n\ndef test_hook():\n    assert engine.run_hook(hooks.on_start) == 42\n\n\ndef test_tool():\n    assert asyncio.run(tools.agent()) == 42\n\n\ndef test_child():\n    out = subprocess.run([sys.executable, \"app/child.py\"], capture_output=True, text=True)\n    assert out.stdout == \"1\\n\"\n",
    );
    let pytest = [
        "--",
        "python3",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests",
    ];
    let first = record_in(root, &pytest);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        stdout.contains("3 failed"),
        "the suite fails today: {stdout}"
    );
    assert_eq!(first.status.code(), Some(1));
    assert_eq!(
        recorded(root),
        [
            (
                "asyncio.run".into(),
                "app/child.py".into(),
                9,
                "outer".into()
            ),
            (
                "asyncio.run".into(),
                "app/hooks.py".into(),
                9,
                "on_start".into()
            ),
            (
                "asyncio.run".into(),
                "app/tools.py".into(),
                10,
                "tool".into()
            ),
        ]
    );

    let fix = common::run_in(
        root,
        &[
            "--traceback",
            ".unnest/records",
            "--write",
            "--unsafe-fixes",
            "app",
        ],
    );
    assert_eq!(fix.status.code(), Some(0), "{}", stderr(&fix));
    let hooks = std::fs::read_to_string(root.join("app/hooks.py")).unwrap();
    assert!(
        hooks.contains("async def on_start():\n    return await fetch()"),
        "{hooks}"
    );

    let second = record_in(root, &pytest);
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(
        stdout.contains("3 passed"),
        "the suite passes after the fix: {stdout}\n{}",
        stderr(&second)
    );
    assert_eq!(second.status.code(), Some(0));
    assert!(recorded(root).is_empty(), "{:?}", recorded(root));
    assert!(
        stderr(&second).contains("no nested event-loop run in 2 Python processes"),
        "{}",
        stderr(&second)
    );
}

#[test]
fn a_records_folder_without_records_is_an_error_for_traceback() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    std::fs::write(dir.path().join("a.py"), "x = 1\n").unwrap();
    let output = common::run_in(dir.path(), &["--traceback", "empty", "a.py"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no records of `unnest record` here"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_hook_is_python_3_8_syntax() {
    // The hook runs in whatever Python the command starts, 3.8 to 3.14.
    let hook = concat!(env!("CARGO_MANIFEST_DIR"), "/src/run/record_hook.py");
    let output = Command::new("python3")
        .args([
            "-c",
            "import ast, sys; ast.parse(open(sys.argv[1]).read(), feature_version=(3, 8)); print('ok')",
            hook,
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "ok\n",
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn only_the_hooks_own_records_are_cleared_from_the_out_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("data");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("train.jsonl"), "{\"a\": 1}\n").unwrap();
    std::fs::write(
        out.join("old.jsonl"),
        "{\"kind\": \"process\", \"pid\": 1}\n",
    )
    .unwrap();
    let output = record_in(
        dir.path(),
        &["--out", "data", "--", "python3", "-c", "print(1)"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(out.join("train.jsonl")).unwrap(),
        "{\"a\": 1}\n",
        "data that is not a record stays"
    );
    assert!(
        !out.join("old.jsonl").exists(),
        "an earlier record is replaced"
    );
}

#[test]
fn a_recorded_run_the_code_guards_is_said_to_be_guarded_not_outside_the_project() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.py"),
        "import asyncio\n\n\nasync def co():\n    return 1\n\n\ndef tool():\n    try:\n        return asyncio.run(co())\n    except RuntimeError:\n        return \"swallowed\"\n\n\nasync def main():\n    print(tool())\n\n\nasyncio.run(main())\n",
    )
    .unwrap();
    let recorded_run = record_in(dir.path(), &["--", "python3", "a.py"]);
    assert_eq!(String::from_utf8_lossy(&recorded_run.stdout), "swallowed\n");
    let output = common::run_in(dir.path(), &["--traceback", ".unnest/records", "a.py"]);
    let err = stderr(&output);
    assert!(
        err.contains(
            "a.py:10 in tool: `asyncio.run()` raised under the running loop, and the code guards it"
        ),
        "{err}"
    );
    assert!(!err.contains("outside the project"), "{err}");
}
