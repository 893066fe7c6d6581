//! Installed libraries (UNN012): a virtual environment built by each test,
//! with small packages written by the test, and projects whose `async def`s
//! call them. The execution tests run the project with python3 before (it
//! raises) and after `--write --unsafe-fixes` (it runs). Also: how the
//! environment is found, the cache, and real libraries when installed.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{stderr, stdout, unnest};

/// The fake distribution `fakelib 1.2.3`.
const FAKELIB: &[(&str, &str)] = &[
    (
        "fakelib/__init__.py",
        "from .client import Client, bridged, compute, fetch\n",
    ),
    (
        "fakelib/client.py",
        r#"import asyncio
import concurrent.futures


async def fetch_async(x, retries=1):
    await asyncio.sleep(0)
    return x * 2


def fetch(x, retries=1):
    """A sync wrapper with a twin."""
    return asyncio.run(fetch_async(x, retries))


async def _compute(x):
    return x + 1


def _runner(x):
    return asyncio.run(_compute(x))


def compute(x):
    """Runs a loop through a helper; no twin."""
    return _runner(x)


def bridged(x):
    """A guarded bridge: fine on a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_compute(x))
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _compute(x)).result()


class Client:
    def __init__(self, base):
        self.base = base

    async def aget(self, key):
        await asyncio.sleep(0)
        return f"{self.base}/{key}"

    def get(self, key):
        return asyncio.run(self.aget(key))
"#,
    ),
    (
        "fakelib/jobs.py",
        "import asyncio\n\nfrom .aio.jobs import submit as _submit\n\n\ndef submit(n, *, label=\"job\"):\n    return asyncio.run(_submit(n, label=label))\n",
    ),
    ("fakelib/aio/__init__.py", ""),
    (
        "fakelib/aio/jobs.py",
        "import asyncio\n\n\nasync def submit(n, *, label=\"job\"):\n    await asyncio.sleep(0)\n    return f\"{label}:{n}\"\n",
    ),
    (
        "fakelib-1.2.3.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: fakelib\nVersion: 1.2.3\n\nA test library.\n",
    ),
    ("fakelib-1.2.3.dist-info/top_level.txt", "fakelib\n"),
];

/// A virtual environment folder at `root` holding `files` in its
/// site-packages; returns the site-packages folder.
fn make_venv(root: &Path, files: &[(&str, &str)]) -> PathBuf {
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::write(
        root.join("pyvenv.cfg"),
        "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.12.0\n",
    )
    .unwrap();
    std::fs::write(root.join("bin/python"), "").unwrap();
    let site = root.join("lib/python3.12/site-packages");
    for (path, text) in files {
        let path = site.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    site
}
/// A temporary folder with a virtual environment holding `library` and a
/// project folder holding `files`: (the folder, the environment, its
/// site-packages, the project).
fn venv_project(
    library: &[(&str, &str)],
    files: &[(&str, &str)],
) -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let env = temp.path().join("env");
    let site = make_venv(&env, library);
    let project = temp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    for (name, text) in files {
        std::fs::write(project.join(name), text).unwrap();
    }
    (temp, env, site, project)
}

/// `file` fails under python3 today with the nested-run RuntimeError.
fn fails_on_the_running_loop(project: &Path, site: &Path, file: &str) {
    let before = python_with(project, site, file);
    assert!(
        stderr(&before).contains("cannot be called from a running event loop"),
        "{}",
        stderr(&before)
    );
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.clone(), std::fs::read(path).unwrap());
            }
        }
    }
    out
}

fn run(dir: &Path, args: &[&str]) -> Output {
    unnest().current_dir(dir).args(args).output().unwrap()
}

fn python_with(dir: &Path, site: &Path, file: &str) -> Output {
    Command::new("python3")
        .arg(file)
        .current_dir(dir)
        .env("PYTHONPATH", site)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONIOENCODING", "utf-8")
        .output()
        .expect("python3 runs")
}

const FIXABLE: &str = r#"import asyncio

from fakelib import Client, bridged, fetch
from fakelib.jobs import submit


class Service:
    def __init__(self):
        self.client = Client("http://s")

    async def load(self):
        return self.client.get("z")


async def main():
    a = fetch(2)
    b = bridged(3)
    client = Client("http://x")
    c = client.get("k")
    d = submit(4, label="run")
    print(a, b, c, d, await Service().load())


asyncio.run(main())
"#;

#[test]
fn library_wrappers_called_on_the_loop_fail_today_and_run_once_fixed() {
    let temp = tempfile::tempdir().unwrap();
    let site = make_venv(&temp.path().join("env"), FAKELIB);
    let project = temp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join("app.py"), FIXABLE).unwrap();

    let before = python_with(&project, &site, "app.py");
    assert!(!before.status.success());
    assert!(
        stderr(&before).contains("cannot be called from a running event loop"),
        "{}",
        stderr(&before)
    );

    let environment = snapshot(&temp.path().join("env"));
    let env = temp.path().join("env");
    let check = run(
        &project,
        &["--check", "--python", env.to_str().unwrap(), "app.py"],
    );
    let out = stdout(&check);
    // fetch (twin), Client.get (method twin, on a local and on a `self.`
    // attribute), submit (parallel-module twin); the guarded bridge stays
    // silent.
    assert_eq!(out.matches("UNN012").count(), 4, "{out}");
    assert!(
        out.contains("`fakelib.client.fetch()` (fakelib 1.2.3, "),
        "{out}"
    );
    assert!(out.contains("client.py:10)"), "{out}");
    assert!(out.contains("`fakelib.client.fetch_async()`"), "{out}");
    assert!(out.contains("`fakelib.client.Client.aget()`"), "{out}");
    assert!(out.contains("`fakelib.aio.jobs.submit()`"), "{out}");
    assert!(!out.contains("bridged"), "{out}");

    let write = run(
        &project,
        &[
            "--write",
            "--unsafe-fixes",
            "--python",
            env.to_str().unwrap(),
            "app.py",
        ],
    );
    assert!(write.status.success(), "{}", stderr(&write));
    let fixed = std::fs::read_to_string(project.join("app.py")).unwrap();
    assert!(fixed.contains("a = await fetch_async(2)"), "{fixed}");
    assert!(
        fixed.contains("from fakelib.client import fetch_async"),
        "{fixed}"
    );
    assert!(fixed.contains("c = await client.aget(\"k\")"), "{fixed}");
    assert!(
        fixed.contains("from fakelib.aio.jobs import submit as submit_async"),
        "{fixed}"
    );
    assert!(
        fixed.contains("d = await submit_async(4, label=\"run\")"),
        "{fixed}"
    );
    let after = python_with(&project, &site, "app.py");
    assert!(after.status.success(), "{}\n{fixed}", stderr(&after));
    assert!(
        fixed.contains("return await self.client.aget(\"z\")"),
        "{fixed}"
    );
    assert_eq!(stdout(&after), "4 4 http://x/k run:4 http://s/z\n");
    // Nothing in the environment changed (the cache is the project's).
    assert_eq!(snapshot(&env), environment);
}

#[test]
fn without_a_twin_or_in_a_callback_it_is_reported_without_a_fix() {
    let temp = tempfile::tempdir().unwrap();
    let env = temp.path().join("env");
    make_venv(&env, FAKELIB);
    let project = temp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("app.py"),
        "import asyncio\n\nfrom fakelib import compute, fetch\n\n\ndef helper(x):\n    return fetch(x)\n\n\ndef callback():\n    fetch(3)\n\n\nasync def main():\n    compute(1)\n    helper(2)\n    asyncio.get_running_loop().call_soon(callback)\n",
    )
    .unwrap();
    let check = run(
        &project,
        &[
            "--check",
            "--unsafe-fixes",
            "--python",
            env.to_str().unwrap(),
            ".",
        ],
    );
    let out = stdout(&check);
    assert_eq!(out.matches("UNN012").count(), 3, "{out}");
    assert!(
        out.contains("the loop callback `callback()` calls `fakelib.client.fetch()`")
            && out.contains("(no automatic fix in a loop callback)"),
        "{out}"
    );
    assert!(
        out.contains("`fakelib.client.compute()` (fakelib 1.2.3, ")
            && out.contains("no automatic fix: the library has no async twin of it"),
        "{out}"
    );
    // The helper has a twin to await and only async callers: fixed.
    assert!(
        out.contains("calls `helper()` (app.py:6), which calls `fakelib.client.fetch()`")
            && out.contains("make the helper async and await the library's async twin"),
        "{out}"
    );
    let write = run(
        &project,
        &[
            "--write",
            "--unsafe-fixes",
            "--python",
            env.to_str().unwrap(),
            ".",
        ],
    );
    assert_eq!(write.status.code(), Some(1), "{}", stderr(&write));
    let fixed = std::fs::read_to_string(project.join("app.py")).unwrap();
    assert!(
        fixed.contains("async def helper(x):\n    return await fetch_async(x)"),
        "{fixed}"
    );
    assert!(fixed.contains("    await helper(2)\n"), "{fixed}");
    assert!(fixed.contains("    compute(1)\n"), "{fixed}");
    common::assert_compile(&[("app.py".to_owned(), fixed)]);
}

/// The project's helpers between an `async def` and a library wrapper become
/// async, await the library's twin, and are awaited (issue: "directly or
/// through project helpers").
const THROUGH_HELPERS: &str = r#"import asyncio

from fakelib import Client
from fakelib.client import fetch


def double(x):
    return fetch(x, retries=2)


def total(x):
    first = double(x)
    return first + double(x + 1)


class Repo:
    def __init__(self):
        self.client = Client("http://r")

    def _load(self, key):
        return self.client.get(key)

    def load(self, key):
        return self._load(key).upper()

    async def show(self):
        return [self.load("k")]


async def main():
    print(total(1), await asyncio.gather(asyncio.sleep(0)), await Repo().show())


asyncio.run(main())
"#;

#[test]
fn through_project_helpers_the_helpers_become_async_and_await_the_twin() {
    let (_temp, env, site, project) = venv_project(FAKELIB, &[("app.py", THROUGH_HELPERS)]);
    fails_on_the_running_loop(&project, &site, "app.py");
    let python = env.to_str().unwrap();
    let check = run(
        &project,
        &["--check", "--unsafe-fixes", "--python", python, "."],
    );
    let out = stdout(&check);
    assert_eq!(out.matches("UNN012").count(), 2, "{out}");
    assert!(
        out.contains("calls `total()` (app.py:11), which calls `double()` (app.py:7), which calls `fakelib.client.fetch()`"),
        "{out}"
    );
    assert_eq!(out.matches("[fix: unsafe]").count(), 2, "{out}");
    let write = run(
        &project,
        &["--write", "--unsafe-fixes", "--python", python, "."],
    );
    assert!(
        write.status.success(),
        "{}\n{}",
        stdout(&write),
        stderr(&write)
    );
    let fixed = std::fs::read_to_string(project.join("app.py")).unwrap();
    for expected in [
        "from fakelib.client import fetch_async\n",
        "async def double(x):\n    return await fetch_async(x, retries=2)",
        "async def total(x):\n    first = await double(x)\n    return first + await double(x + 1)",
        "    async def _load(self, key):\n        return await self.client.aget(key)",
        "    async def load(self, key):\n        return (await self._load(key)).upper()",
        "        return [await self.load(\"k\")]",
        "print(await total(1), await asyncio.gather(asyncio.sleep(0)), await Repo().show())",
    ] {
        assert!(fixed.contains(expected), "{expected}\n{fixed}");
    }
    common::assert_compile(&[("app.py".to_owned(), fixed.clone())]);
    let after = python_with(&project, &site, "app.py");
    assert!(after.status.success(), "{}\n{fixed}", stderr(&after));
    assert_eq!(stdout(&after), "6 [None] ['HTTP://R/K']\n");
    // Nothing left to fix.
    let again = run(&project, &["--check", "--python", python, "."]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
}

#[test]
fn a_helper_that_cannot_become_async_is_reported_with_the_reason() {
    let temp = tempfile::tempdir().unwrap();
    let env = temp.path().join("env");
    make_venv(&env, FAKELIB);
    let project = temp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("app.py"),
        "import asyncio\nimport functools\n\nfrom fakelib import fetch\n\n\ndef helper(x):\n    return fetch(x)\n\n\ndef sync_main():\n    return helper(1)\n\n\n@functools.lru_cache\ndef cached(x):\n    return fetch(x)\n\n\nasync def main():\n    helper(2)\n    cached(3)\n\n\nif __name__ == \"__main__\":\n    asyncio.run(main())\n",
    )
    .unwrap();
    let python = env.to_str().unwrap();
    let check = run(
        &project,
        &["--check", "--unsafe-fixes", "--python", python, "."],
    );
    let out = stdout(&check);
    assert_eq!(out.matches("UNN012").count(), 2, "{out}");
    assert!(
        out.contains("(no automatic fix: `helper()` is also called from sync code that cannot become async (app.py:12))"),
        "{out}"
    );
    assert!(
        out.contains("(no automatic fix: `cached()` cannot become async: it is decorated"),
        "{out}"
    );
    let write = run(
        &project,
        &["--write", "--unsafe-fixes", "--python", python, "."],
    );
    assert_eq!(write.status.code(), Some(1), "{}", stderr(&write));
    assert!(
        !std::fs::read_to_string(project.join("app.py"))
            .unwrap()
            .contains("await"),
        "nothing is fixed"
    );
}

#[test]
fn the_environment_is_found_from_python_virtual_env_or_dot_venv() {
    let temp = tempfile::tempdir().unwrap();
    let project = temp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("app.py"),
        "from fakelib import fetch\n\n\nasync def main():\n    fetch(1)\n",
    )
    .unwrap();
    let elsewhere = temp.path().join("elsewhere");
    make_venv(&elsewhere, FAKELIB);
    let finds = |output: &Output| stdout(output).contains("UNN012");

    // None: nothing changes.
    let none = run(&project, &["--check", "--verbose", "."]);
    assert!(!finds(&none), "{}", stdout(&none));
    assert!(
        stderr(&none).contains("environment: none"),
        "{}",
        stderr(&none)
    );
    assert_eq!(none.status.code(), Some(0));

    // --python with a folder, and with the interpreter inside it.
    for python in [elsewhere.clone(), elsewhere.join("bin/python")] {
        let found = run(
            &project,
            &[
                "--check",
                "--verbose",
                "--python",
                python.to_str().unwrap(),
                ".",
            ],
        );
        assert!(finds(&found), "{}", stderr(&found));
        assert!(
            stderr(&found).contains("(from --python)"),
            "{}",
            stderr(&found)
        );
    }

    // VIRTUAL_ENV.
    let found = unnest()
        .current_dir(&project)
        .env("VIRTUAL_ENV", &elsewhere)
        .args(["--check", "--verbose", "."])
        .output()
        .unwrap();
    assert!(finds(&found));
    assert!(
        stderr(&found).contains("(from VIRTUAL_ENV)"),
        "{}",
        stderr(&found)
    );

    // .venv at the project root; --python wins over it.
    make_venv(&project.join(".venv"), &FAKELIB[5..]);
    let found = run(&project, &["--check", "--verbose", "."]);
    assert!(
        stderr(&found).contains("(from .venv at the project root)"),
        "{}",
        stderr(&found)
    );
    // That .venv has the distribution's metadata but not the package.
    assert!(!finds(&found));
    make_venv(&project.join(".venv"), FAKELIB);
    assert!(finds(&run(&project, &["--check", "."])));

    // A --python that leads nowhere is an error, named.
    let missing = run(&project, &["--check", "--python", "no/such/env", "."]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("--python no/such/env: no such file or folder"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn pth_path_entries_are_read_and_import_lines_are_not_run() {
    let temp = tempfile::tempdir().unwrap();
    let env = temp.path().join("env");
    let site = make_venv(&env, &FAKELIB[5..]);
    // The package lives elsewhere, as an editable install puts it.
    let src = temp.path().join("src");
    for (path, text) in &FAKELIB[..5] {
        let path = src.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let marker = temp.path().join("ran");
    std::fs::write(
        site.join("editable.pth"),
        format!(
            "# an editable install\n{}\nimport pathlib; pathlib.Path({:?}).write_text('x')\n",
            src.display(),
            marker.display().to_string()
        ),
    )
    .unwrap();
    let project = temp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("app.py"),
        "from fakelib import fetch\n\n\nasync def main():\n    fetch(1)\n",
    )
    .unwrap();
    let found = run(
        &project,
        &[
            "--check",
            "--verbose",
            "--python",
            env.to_str().unwrap(),
            ".",
        ],
    );
    assert!(stdout(&found).contains("UNN012"), "{}", stderr(&found));
    assert!(!marker.exists());
}

#[test]
fn a_second_run_reads_no_library_file_and_a_changed_file_is_read_again() {
    let temp = tempfile::tempdir().unwrap();
    let env = temp.path().join("env");
    let site = make_venv(&env, FAKELIB);
    let project = temp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("app.py"),
        "from fakelib import fetch\n\n\nasync def main():\n    fetch(1)\n",
    )
    .unwrap();
    let python = env.to_str().unwrap();
    let args = ["--check", "--verbose", "--python", python, "."];
    let first = run(&project, &args);
    assert!(
        stderr(&first).contains("library fakelib 1.2.3: read 5 files"),
        "{}",
        stderr(&first)
    );
    assert!(project.join(".unnest_cache/.gitignore").is_file());
    let second = run(&project, &args);
    assert!(
        stderr(&second).contains("library fakelib 1.2.3: from the cache, no file read"),
        "{}",
        stderr(&second)
    );
    assert_eq!(stdout(&first), stdout(&second));
    // The cache folder is not part of the project.
    assert!(
        stderr(&second).contains("Scanned 1 file"),
        "{}",
        stderr(&second)
    );

    // An edited file is read again, and what it now does counts.
    let client = site.join("fakelib/client.py");
    let text = std::fs::read_to_string(&client).unwrap();
    std::fs::write(
        &client,
        text.replace(
            "    return asyncio.run(fetch_async(x, retries))",
            "    return 0  # no loop any more",
        ),
    )
    .unwrap();
    let third = run(&project, &args);
    assert!(
        stderr(&third).contains("library fakelib 1.2.3: read 5 files"),
        "{}",
        stderr(&third)
    );
    assert!(!stdout(&third).contains("UNN012"), "{}", stdout(&third));

    // --no-cache neither reads nor writes it.
    std::fs::remove_dir_all(project.join(".unnest_cache")).unwrap();
    let uncached = run(
        &project,
        &[
            "--check",
            "--verbose",
            "--no-cache",
            "--python",
            python,
            ".",
        ],
    );
    assert!(
        stderr(&uncached).contains("read 5 files"),
        "{}",
        stderr(&uncached)
    );
    assert!(!project.join(".unnest_cache").exists());
}

/// Real libraries whose sync API runs a loop over their async API: gql
/// (`Client.execute` runs `run_until_complete(self.execute_async(...))`) and
/// uvicorn (`uvicorn.run`, `Server.run` run `asyncio.run(self.serve())`).
/// Runs when `UNNEST_LIBRARY_VENV` names a virtual environment that has them
/// (`.ci/run` makes one).
#[test]
fn real_libraries_gql_and_uvicorn() {
    let Some(env) = std::env::var_os("UNNEST_LIBRARY_VENV").map(PathBuf::from) else {
        println!("skipped: UNNEST_LIBRARY_VENV is not set (.ci/run sets it)");
        return;
    };
    let temp = tempfile::tempdir().unwrap();
    let project = temp.path();
    std::fs::write(
        project.join("app.py"),
        r#"import uvicorn
from gql import Client, gql


async def query(client: Client):
    return client.execute(gql("{ hello }"))


async def serve(app):
    uvicorn.run(app)
"#,
    )
    .unwrap();
    let check = run(
        project,
        &[
            "--check",
            "--verbose",
            "--python",
            env.to_str().unwrap(),
            ".",
        ],
    );
    let out = stdout(&check);
    if !stderr(&check).contains("library gql ") || !stderr(&check).contains("library uvicorn ") {
        println!(
            "skipped: gql and uvicorn are not installed in {}",
            env.display()
        );
        return;
    }
    assert!(
        out.contains("calls `gql.client.Client.execute()` (gql "),
        "{out}"
    );
    assert!(out.contains("`gql.client.Client.execute_async()`"), "{out}");
    assert!(
        out.contains("calls `uvicorn.main.run()` (uvicorn "),
        "{out}"
    );
    let diff = run(
        project,
        &["--unsafe-fixes", "--python", env.to_str().unwrap(), "."],
    );
    assert!(
        stdout(&diff).contains("+    return await client.execute_async(gql(\"{ hello }\"))"),
        "{}",
        stdout(&diff)
    );
}

#[test]
fn a_notebook_cell_that_calls_a_library_wrapper_awaits_its_twin() {
    let temp = tempfile::tempdir().unwrap();
    let env = temp.path().join("env");
    make_venv(&env, FAKELIB);
    let project = temp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    let notebook = serde_json::json!({
        "cells": [{
            "cell_type": "code",
            "execution_count": null,
            "id": "a1",
            "metadata": {},
            "outputs": [],
            "source": ["from fakelib import fetch\n", "x = fetch(2)\n", "x"]
        }],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5
    });
    std::fs::write(project.join("n.ipynb"), notebook.to_string()).unwrap();
    let python = env.to_str().unwrap();
    let check = run(&project, &["--check", "--python", python, "."]);
    assert!(
        stdout(&check).contains("UNN012 A notebook cell calls `fakelib.client.fetch()`"),
        "{}",
        stdout(&check)
    );
    let write = run(
        &project,
        &["--write", "--unsafe-fixes", "--python", python, "."],
    );
    assert!(write.status.success(), "{}", stderr(&write));
    let fixed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(project.join("n.ipynb")).unwrap()).unwrap();
    let source: String = fixed["cells"][0]["source"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(
        source.contains("from fakelib.client import fetch_async\n"),
        "{source}"
    );
    assert!(source.contains("x = await fetch_async(2)\n"), "{source}");
}

/// Receivers that name each other (`a = b.X()`, `b = a.Y()`, `c = c.C()`)
/// once sent the receiver resolution round in circles until the stack
/// overflowed (found by the notebook property test).
#[test]
fn receivers_that_name_each_other_are_no_endless_loop() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.py"),
        "import asyncio\n\n\nasync def main():\n    a = b.X()\n    b = a.Y()\n    c = c.Client()\n    a.run()\n    c.go()\n    return asyncio.run(a.z())\n",
    )
    .unwrap();
    let output = common::run_in(dir.path(), &["--check", "t.py"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("UNN001"));
}

/// Fields of `self` assigned from their own methods (`self.chars =
/// self.chars.translate(t)`, as `shlex.py` does) once overflowed the stack
/// when the whole file was parsed (`UNNEST_PARSE_ALL=1` on the standard
/// library); triage leaves `__init__` out, so both ways are checked.
#[test]
fn self_fields_that_name_each_other_are_no_endless_loop() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.py"),
        "import asyncio\n\n\nclass C:\n    def __init__(self, p):\n        self.a = self.b.X()\n        self.b = self.a.Y()\n        self.chars = \"abc\"\n        if p:\n            self.chars += \"~-\"\n            t = self.chars.maketrans(dict.fromkeys(p))\n            self.chars = self.chars.translate(t)\n\n    async def main(self):\n        return asyncio.run(self.z())\n",
    )
    .unwrap();
    for parse_all in ["0", "1"] {
        let output = unnest()
            .current_dir(dir.path())
            .args(["--check", "t.py"])
            .env("UNNEST_PARSE_ALL", parse_all)
            .env_remove("VIRTUAL_ENV")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert!(stdout(&output).contains("UNN001"), "{}", stdout(&output));
    }
}

/// A cache entry whose names point past its functions (edited by hand, or
/// written by another version) is ignored and rebuilt, not trusted into an
/// internal error.
#[test]
fn an_inconsistent_cache_entry_is_rebuilt_not_trusted() {
    let temp = tempfile::tempdir().unwrap();
    let env = temp.path().join("env");
    make_venv(&env, FAKELIB);
    let project = temp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("app.py"),
        "from fakelib import fetch\n\n\nasync def main():\n    fetch(1)\n",
    )
    .unwrap();
    let python = env.to_str().unwrap();
    let args = ["--check", "--verbose", "--python", python, "."];
    let first = run(&project, &args);
    let cache = std::fs::read_dir(project.join(".unnest_cache"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("a cache entry");
    let mut entry: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    entry["index"]["names"] = serde_json::json!([["fakelib", "fetch", 99]]);
    std::fs::write(&cache, entry.to_string()).unwrap();
    let second = run(&project, &args);
    assert_eq!(
        second.status.code(),
        first.status.code(),
        "{}",
        stderr(&second)
    );
    assert!(
        !stderr(&second).contains("internal error"),
        "{}",
        stderr(&second)
    );
    assert!(
        stderr(&second).contains("library fakelib 1.2.3: read 5 files"),
        "{}",
        stderr(&second)
    );
    assert_eq!(stdout(&first), stdout(&second));
}

/// `--python` naming a program that never answers gives up after a bound
/// (10 s) with the usual error, instead of hanging the run.
#[cfg(unix)]
#[test]
fn an_interpreter_that_never_answers_does_not_hang_the_run() {
    use std::os::unix::fs::PermissionsExt;
    let temp = tempfile::tempdir().unwrap();
    let hang = temp.path().join("hang");
    std::fs::write(&hang, "#!/bin/sh\nsleep 1000\n").unwrap();
    std::fs::set_permissions(&hang, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(temp.path().join("app.py"), "x = 1\n").unwrap();
    let started = std::time::Instant::now();
    let output = run(temp.path(), &["--python", hang.to_str().unwrap(), "app.py"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot find the site-packages of this interpreter"),
        "{}",
        stderr(&output)
    );
}

/// `twinlib 0.1`: one loop-running function or method per naming scheme of
/// its async twin.
const TWINLIB: &[(&str, &str)] = &[
    ("twinlib/__init__.py", ""),
    (
        "twinlib/core.py",
        r#"import asyncio


async def get_async(x):
    return f"get_async:{x}"


def get(x):
    return asyncio.run(get_async(x))


async def async_put(x):
    return f"async_put:{x}"


def put(x):
    return asyncio.run(async_put(x))


async def adelete(x):
    return f"adelete:{x}"


def delete(x):
    return asyncio.run(adelete(x))
"#,
    ),
    (
        "twinlib/tasks.py",
        "import asyncio\n\nfrom .asyncio.tasks import submit as _submit\n\n\ndef submit(x):\n    return asyncio.run(_submit(x))\n",
    ),
    ("twinlib/asyncio/__init__.py", ""),
    (
        "twinlib/asyncio/tasks.py",
        "async def submit(x):\n    return f\"asyncio.submit:{x}\"\n",
    ),
    (
        "twinlib/jobs.py",
        "import asyncio\n\nfrom .aio.jobs import queue as _queue\n\n\ndef queue(x):\n    return asyncio.run(_queue(x))\n",
    ),
    ("twinlib/aio/__init__.py", ""),
    (
        "twinlib/aio/jobs.py",
        "async def queue(x):\n    return f\"aio.queue:{x}\"\n",
    ),
    (
        "twinlib/store.py",
        "import asyncio\n\nfrom .store_async import save as _save\n\n\ndef save(x):\n    return asyncio.run(_save(x))\n",
    ),
    (
        "twinlib/store_async.py",
        "async def save(x):\n    return f\"store_async.save:{x}\"\n",
    ),
    (
        "twinlib/client.py",
        r#"import asyncio

from .aio.client import Client as _Client


class Client:
    def __init__(self, base, timeout=1):
        self.base = base

    def get(self, key):
        return asyncio.run(_Client(self.base).get(key))
"#,
    ),
    (
        "twinlib/aio/client.py",
        r#"class Client:
    def __init__(self, base, timeout=1):
        self.base = base

    async def get(self, key):
        return f"aio.Client({self.base}).get:{key}"
"#,
    ),
    (
        "twinlib/session.py",
        r#"import asyncio

from .asyncio.session import Session as _Session


class Session:
    def __init__(self, name):
        self.name = name

    def get(self, key):
        return asyncio.run(_Session(self.name).get(key))
"#,
    ),
    (
        "twinlib/asyncio/session.py",
        r#"class Session:
    def __init__(self, name):
        self.name = name

    async def get(self, key):
        return f"asyncio.Session({self.name}).get:{key}"
"#,
    ),
    (
        "twinlib-0.1.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: twinlib\nVersion: 0.1\n",
    ),
];

const EVERY_SCHEME: &str = r#"import asyncio

from twinlib.client import Client
from twinlib.core import delete, get, put
from twinlib.jobs import queue
from twinlib.session import Session
from twinlib.store import save
from twinlib.tasks import submit


async def main():
    client = Client("c")
    session = Session("s")
    print(get(1))
    print(put(2))
    print(delete(3))
    print(submit(4))
    print(queue(5))
    print(save(6))
    print(client.get("k"))
    print(session.get("k"))


asyncio.run(main())
"#;

/// One twin per naming scheme: `name_async`, `async_name`, `aname` in the
/// same module; the same name in `pkg.asyncio.x`, `pkg.aio.x` and
/// `pkg.x_async`; and a method whose twin is the same method of the same
/// class in `pkg.aio.x` or `pkg.asyncio.x`, whose receiver is then built from
/// the twin class.
#[test]
fn every_naming_scheme_of_twins_is_found_and_awaited() {
    let (_temp, env, site, project) = venv_project(TWINLIB, &[("app.py", EVERY_SCHEME)]);
    fails_on_the_running_loop(&project, &site, "app.py");
    let python = env.to_str().unwrap();
    let check = run(
        &project,
        &["--check", "--unsafe-fixes", "--python", python, "."],
    );
    let out = stdout(&check);
    assert_eq!(out.matches("UNN012").count(), 8, "{out}");
    assert_eq!(out.matches("[fix: unsafe]").count(), 8, "{out}");
    for twin in [
        "`twinlib.core.get_async()`",
        "`twinlib.core.async_put()`",
        "`twinlib.core.adelete()`",
        "`twinlib.asyncio.tasks.submit()`",
        "`twinlib.aio.jobs.queue()`",
        "`twinlib.store_async.save()`",
        "`twinlib.aio.client.Client.get()`",
        "`twinlib.asyncio.session.Session.get()`",
    ] {
        assert!(
            out.contains(&format!("await its async twin {twin} instead")),
            "{twin}\n{out}"
        );
    }
    let write = run(
        &project,
        &["--write", "--unsafe-fixes", "--python", python, "."],
    );
    assert!(
        write.status.success(),
        "{}\n{}",
        stdout(&write),
        stderr(&write)
    );
    let fixed = std::fs::read_to_string(project.join("app.py")).unwrap();
    for expected in [
        "from twinlib.core import get_async\n",
        "from twinlib.core import async_put\n",
        "from twinlib.core import adelete\n",
        "from twinlib.asyncio.tasks import submit as submit_async\n",
        "from twinlib.aio.jobs import queue as queue_async\n",
        "from twinlib.store_async import save as save_async\n",
        "from twinlib.aio.client import Client as AsyncClient\n",
        "from twinlib.asyncio.session import Session as AsyncSession\n",
        "    client = AsyncClient(\"c\")\n    session = AsyncSession(\"s\")\n",
        "print(await client.get(\"k\"))",
        "print(await session.get(\"k\"))",
        "print(await submit_async(4))",
    ] {
        assert!(fixed.contains(expected), "{expected}\n{fixed}");
    }
    common::assert_compile(&[("app.py".to_owned(), fixed.clone())]);
    let after = python_with(&project, &site, "app.py");
    assert!(after.status.success(), "{}\n{fixed}", stderr(&after));
    assert_eq!(
        stdout(&after),
        "get_async:1\nasync_put:2\nadelete:3\nasyncio.submit:4\naio.queue:5\nstore_async.save:6\naio.Client(c).get:k\nasyncio.Session(s).get:k\n"
    );
}

/// A method whose twin belongs to a class of a parallel module, on a
/// receiver that cannot simply be built from that class: reported, naming
/// the twin, without a fix.
#[test]
fn a_class_twin_on_a_receiver_not_built_in_place_is_reported_only() {
    let temp = tempfile::tempdir().unwrap();
    let env = temp.path().join("env");
    make_venv(&env, TWINLIB);
    let project = temp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    let source = r#"from twinlib.client import Client


async def given(client: Client):
    return client.get("a")


async def shared():
    client = Client("x")
    value = client.get("b")
    return value, client.base
"#;
    std::fs::write(project.join("app.py"), source).unwrap();
    let python = env.to_str().unwrap();
    let check = run(
        &project,
        &["--check", "--unsafe-fixes", "--python", python, "."],
    );
    let out = stdout(&check);
    assert_eq!(out.matches("UNN012").count(), 2, "{out}");
    assert_eq!(
        out.matches("await its async twin `twinlib.aio.client.Client.get()` instead")
            .count(),
        2,
        "{out}"
    );
    assert!(
        out.contains("(no automatic fix: its twin is a method of another class, and the receiver is not built in the same function)"),
        "{out}"
    );
    assert!(
        out.contains("(no automatic fix: its twin is a method of another class, and the receiver is used elsewhere too"),
        "{out}"
    );
    assert!(!out.contains("[fix"), "{out}");
}

/// `alib 1.0`, whose public `fetch()` runs its loop through a call into
/// another installed package, `bhelp 2.0` (`bhelp.helpers.run_sync`).
const CROSS: &[(&str, &str)] = &[
    ("alib/__init__.py", "from .api import fetch, fetch_async\n"),
    (
        "alib/api.py",
        r#"from bhelp.helpers import run_sync


async def fetch_async(x):
    return x * 10


def fetch(x):
    return run_sync(fetch_async(x))
"#,
    ),
    (
        "alib-1.0.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: alib\nVersion: 1.0\n",
    ),
    ("bhelp/__init__.py", ""),
    (
        "bhelp/helpers.py",
        "import asyncio\n\n\ndef run_sync(coro):\n    return asyncio.run(coro)\n",
    ),
    (
        "bhelp-2.0.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: bhelp\nVersion: 2.0\n",
    ),
];

#[test]
fn a_run_one_package_away_counts_and_its_change_rebuilds_the_cache() {
    let temp = tempfile::tempdir().unwrap();
    let env = temp.path().join("env");
    let site = make_venv(&env, CROSS);
    let project = temp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    let source = "import asyncio\n\nimport alib\n\n\nasync def main():\n    print(alib.fetch(4))\n\n\nasyncio.run(main())\n";
    std::fs::write(project.join("app.py"), source).unwrap();
    fails_on_the_running_loop(&project, &site, "app.py");
    let python = env.to_str().unwrap();
    let args = ["--check", "--verbose", "--python", python, "."];
    let first = run(&project, &args);
    let out = stdout(&first);
    assert_eq!(out.matches("UNN012").count(), 1, "{out}");
    assert!(
        out.contains("calls `alib.api.fetch()` (alib 1.0, ")
            && out.contains("which calls `bhelp.helpers.run_sync()` (bhelp 2.0, ")
            && out.contains("which calls `asyncio.run()` (")
            && out.contains("await its async twin `alib.api.fetch_async()` instead"),
        "{out}"
    );
    assert!(
        stderr(&first).contains("library bhelp 2.0: read 2 files")
            && stderr(&first).contains("(imported by a library)"),
        "{}",
        stderr(&first)
    );
    let second = run(&project, &args);
    assert_eq!(stdout(&second), out);
    assert!(
        stderr(&second).contains("library alib 1.0: from the cache"),
        "{}",
        stderr(&second)
    );
    // Fixed, it runs.
    let write = run(
        &project,
        &["--write", "--unsafe-fixes", "--python", python, "."],
    );
    assert!(write.status.success(), "{}", stderr(&write));
    let fixed = std::fs::read_to_string(project.join("app.py")).unwrap();
    assert!(fixed.contains("print(await fetch_async(4))"), "{fixed}");
    common::assert_compile(&[("app.py".to_owned(), fixed.clone())]);
    let after = python_with(&project, &site, "app.py");
    assert!(after.status.success(), "{}\n{fixed}", stderr(&after));
    assert_eq!(stdout(&after), "40\n");

    // The other package no longer runs a loop: alib's entry is rebuilt.
    std::fs::write(project.join("app.py"), source).unwrap();
    std::fs::write(
        site.join("bhelp/helpers.py"),
        "def run_sync(coro):\n    return coro  # no loop any more\n",
    )
    .unwrap();
    let third = run(&project, &args);
    assert!(
        stderr(&third).contains("library alib 1.0: read 2 files"),
        "{}",
        stderr(&third)
    );
    assert!(!stdout(&third).contains("UNN012"), "{}", stdout(&third));
}

/// An entry records the entries of the packages its summary used, with a
/// fingerprint of their files: a file added to one of them, its upgrade, or
/// its entry gone from the cache rebuilds the entry of the package using it;
/// nothing changed, it is read from the cache.
#[test]
fn a_new_file_upgrade_or_lost_entry_of_a_used_package_rebuilds_the_cache() {
    let temp = tempfile::tempdir().unwrap();
    let env = temp.path().join("env");
    let site = make_venv(&env, CROSS);
    let project = temp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("app.py"),
        "import alib\n\n\nasync def main():\n    print(alib.fetch(4))\n",
    )
    .unwrap();
    let python = env.to_str().unwrap();
    let args = ["--check", "--verbose", "--python", python, "."];
    let rebuilt = |what: &str| {
        let out = run(&project, &args);
        assert!(
            stderr(&out).contains("library alib 1.0: read 2 files"),
            "{what}: {}",
            stderr(&out)
        );
        out
    };
    let cached = |what: &str| {
        let out = run(&project, &args);
        assert!(
            stderr(&out).contains("library alib 1.0: from the cache"),
            "{what}: {}",
            stderr(&out)
        );
        out
    };
    let first = rebuilt("first run");
    assert!(
        stdout(&first).contains("(bhelp 2.0, "),
        "{}",
        stdout(&first)
    );
    cached("second run");

    std::fs::write(site.join("bhelp/extra.py"), "X = 1\n").unwrap();
    rebuilt("a file added to bhelp");
    cached("after the rebuild");

    let cache = project.join(".unnest_cache");
    for entry in std::fs::read_dir(&cache).unwrap().flatten() {
        if entry.file_name().to_string_lossy().starts_with("bhelp-") {
            std::fs::remove_file(entry.path()).unwrap();
        }
    }
    rebuilt("bhelp's entry removed");
    cached("after the rebuild");

    std::fs::remove_dir_all(site.join("bhelp-2.0.dist-info")).unwrap();
    std::fs::create_dir_all(site.join("bhelp-3.0.dist-info")).unwrap();
    std::fs::write(
        site.join("bhelp-3.0.dist-info/METADATA"),
        "Metadata-Version: 2.1\nName: bhelp\nVersion: 3.0\n",
    )
    .unwrap();
    std::fs::write(
        site.join("bhelp/helpers.py"),
        "import asyncio\n\n\ndef run_sync(coro):\n    loop = asyncio.new_event_loop()\n    return loop.run_until_complete(coro)\n",
    )
    .unwrap();
    let upgraded = rebuilt("bhelp upgraded");
    assert!(
        stdout(&upgraded).contains("(bhelp 3.0, "),
        "{}",
        stdout(&upgraded)
    );
    cached("after the upgrade");
}

/// A helper in another file of the project: the fix spans both files.
#[test]
fn a_helper_in_another_file_becomes_async_in_one_fix() {
    let temp = tempfile::tempdir().unwrap();
    let env = temp.path().join("env");
    let site = make_venv(&env, FAKELIB);
    let project = temp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("util.py"),
        "from fakelib import fetch\n\n\ndef helper(x):\n    return fetch(x)\n",
    )
    .unwrap();
    std::fs::write(
        project.join("app.py"),
        "import asyncio\n\nfrom util import helper\n\n\nasync def main():\n    print(helper(2))\n\n\nasyncio.run(main())\n",
    )
    .unwrap();
    let before = python_with(&project, &site, "app.py");
    assert!(!before.status.success(), "{}", stderr(&before));
    let python = env.to_str().unwrap();
    let write = run(
        &project,
        &["--write", "--unsafe-fixes", "--python", python, "."],
    );
    assert!(write.status.success(), "{}", stderr(&write));
    let util = std::fs::read_to_string(project.join("util.py")).unwrap();
    let app = std::fs::read_to_string(project.join("app.py")).unwrap();
    assert!(
        util.contains("from fakelib.client import fetch_async\n")
            && util.contains("async def helper(x):\n    return await fetch_async(x)"),
        "{util}"
    );
    assert!(app.contains("print(await helper(2))"), "{app}");
    common::assert_compile(&[("util.py".to_owned(), util), ("app.py".to_owned(), app)]);
    let after = python_with(&project, &site, "app.py");
    assert!(after.status.success(), "{}", stderr(&after));
    assert_eq!(stdout(&after), "4\n");
}

/// An `async def` that nothing else names, calling a project helper that
/// calls a library's loop-running function: triage, which knows no library,
/// must still parse the `async def` (the result is the same as parsing
/// every file whole).
#[test]
fn an_async_def_reaching_a_library_through_a_helper_is_found_as_with_every_file_parsed() {
    let temp = tempfile::tempdir().unwrap();
    let env = temp.path().join("env");
    make_venv(&env, FAKELIB);
    let project = temp.path().join("project");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("app.py"),
        "from fakelib import fetch\n\n\ndef helper(x):\n    return fetch(x)\n\n\nasync def main():\n    helper(2)\n",
    )
    .unwrap();
    let python = env.to_str().unwrap();
    let check = run(&project, &["--check", "--python", python, "."]);
    let all = unnest()
        .current_dir(&project)
        .env("UNNEST_PARSE_ALL", "1")
        .args(["--check", "--python", python, "."])
        .output()
        .unwrap();
    assert_eq!(stdout(&check), stdout(&all));
    assert!(stdout(&check).contains("UNN012"), "{}", stdout(&check));
}
