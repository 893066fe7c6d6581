//! UNN016: sync functions a framework calls on its running loop.
//!
//! Each test writes a small project (`proj/`, the path given to unnest) and a
//! stand-in of the framework outside it (`fw/`), which calls the project's code
//! the way the real framework does: ComfyUI's executor runs nodes under
//! `asyncio.run` and awaits a node method that is a coroutine function, else
//! calls it; Starlette calls startup and shutdown handlers on the loop
//! (awaiting coroutine functions) and sync routes in a worker thread.
//! `run.py` puts both on `sys.path` and runs the framework. A broken project
//! fails today with RuntimeError and, after `unnest --write --unsafe-fixes
//! proj`, prints the expected output; `run_in` compiles every fixed text
//! with CPython.

mod common;

use std::path::Path;

use common::{python, run_in, stderr, stdout, unnest};

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

const RUN: &str = "import sys\nsys.path[:0] = ['proj', 'fw']\nimport host\nhost.main()\n";

/// The program fails today with RuntimeError, runs and prints `expected` after
/// `--write --unsafe-fixes`, and a second run finds nothing.
fn assert_fixed_and_runs(root: &Path, expected: &str) {
    let before = python(root, "run.py");
    assert!(
        !before.status.success() && stderr(&before).contains("RuntimeError"),
        "the program must fail today:\n{}{}",
        stdout(&before),
        stderr(&before)
    );
    let fixed = run_in(root, &["--write", "--unsafe-fixes", "proj"]);
    assert_eq!(
        fixed.status.code(),
        Some(0),
        "{}{}",
        stdout(&fixed),
        stderr(&fixed)
    );
    let after = python(root, "run.py");
    assert!(
        after.status.success() && after.stderr.is_empty(),
        "the fixed program fails:\n{}{}",
        stdout(&after),
        stderr(&after)
    );
    assert_eq!(stdout(&after), expected);
    let again = run_in(root, &["proj"]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
}

/// What a run printed: findings on stderr, fixes and summaries on stdout.
fn report(output: &std::process::Output) -> String {
    stdout(output) + &stderr(output)
}

/// Every Python file under `proj`, by path.
fn texts(root: &Path) -> Vec<(String, String)> {
    common::python_files(&root.join("proj"))
        .into_iter()
        .map(|(p, b)| (p.display().to_string(), String::from_utf8(b).unwrap()))
        .collect()
}

// A stand-in for ComfyUI's executor (execution.py): nodes run under
// `asyncio.run`; `_async_map_node_over_list` awaits a coroutine node method
// and calls any other directly, on the loop.
const COMFY_HOST: &str = r#"import asyncio
import inspect

import mynodes


async def execute(name, inputs):
    obj = mynodes.NODE_CLASS_MAPPINGS[name]()
    f = getattr(obj, obj.FUNCTION)
    if inspect.iscoroutinefunction(f):
        return await asyncio.create_task(f(**inputs))
    return f(**inputs)


async def validate(name, inputs):
    f = getattr(mynodes.NODE_CLASS_MAPPINGS[name], "VALIDATE_INPUTS", None)
    if f is None:
        return True
    if inspect.iscoroutinefunction(f):
        return await asyncio.create_task(f(**inputs))
    return f(**inputs)


async def execute_all():
    for name in sorted(mynodes.NODE_CLASS_MAPPINGS):
        print(name, await validate(name, {"x": 3}), await execute(name, {"x": 3}))


def main():
    asyncio.run(execute_all())
"#;

const COMFY_NODES: &str = r#"import asyncio

from .remote import fetch_scale


async def double(x):
    await asyncio.sleep(0)
    return x * 2


class Upscale:
    @classmethod
    def INPUT_TYPES(cls):
        return {"required": {"x": ("INT",)}}

    RETURN_TYPES = ("INT",)
    # The usual name: no call of asyncio's `run` can reach it.
    FUNCTION = "run"

    def run(self, x):
        return (fetch_scale(x),)


class Doubler:
    @classmethod
    def INPUT_TYPES(cls):
        return {"required": {"x": ("INT",)}}

    FUNCTION = "twice"

    @classmethod
    def VALIDATE_INPUTS(cls, x):
        return asyncio.run(double(x)) > 0

    def twice(self, x):
        return (asyncio.run(double(x)),)
"#;

// No `INPUT_TYPES` and no mention of asyncio: a node only because
// `NODE_CLASS_MAPPINGS` (in another file) lists it.
const COMFY_LISTED: &str = r#"from .remote import fetch_scale


class Listed:
    FUNCTION = "go"

    def go(self, x):
        return (fetch_scale(x) + 1,)
"#;

const COMFY_REMOTE: &str = r#"import asyncio


async def scale(x):
    await asyncio.sleep(0)
    return x * 10


def fetch_scale(x):
    return asyncio.run(scale(x))
"#;

const COMFY_INIT: &str = r#"from .nodes import Upscale, Doubler
from .listed import Listed

NODE_CLASS_MAPPINGS = {"Upscale": Upscale, "Doubler": Doubler, "Listed": Listed}
"#;

fn comfy_project(root: &Path) {
    write(
        root,
        &[
            ("run.py", RUN),
            ("fw/host.py", COMFY_HOST),
            ("proj/mynodes/__init__.py", COMFY_INIT),
            ("proj/mynodes/nodes.py", COMFY_NODES),
            ("proj/mynodes/listed.py", COMFY_LISTED),
            ("proj/mynodes/remote.py", COMFY_REMOTE),
        ],
    );
}

#[test]
fn comfyui_node_methods_become_async_and_the_nodes_run() {
    let temp = tempfile::tempdir().unwrap();
    comfy_project(temp.path());
    let check = run_in(temp.path(), &["proj"]);
    let out = report(&check);
    assert_eq!(check.status.code(), Some(1), "{out}");
    // The chain through a helper, a run directly in a node method and in
    // its `VALIDATE_INPUTS`, and a class that is a node only because the
    // mapping lists it.
    assert_eq!(out.matches("UNN016").count(), 4, "{out}");
    assert!(
        out.contains("proj/mynodes/nodes.py:33:16: UNN016 `VALIDATE_INPUTS()`"),
        "{out}"
    );
    assert!(
        out.contains("proj/mynodes/nodes.py:21:17: UNN016 `run()`"),
        "{out}"
    );
    assert!(
        out.contains("proj/mynodes/nodes.py:36:17: UNN016 `twice()`"),
        "{out}"
    );
    assert!(
        out.contains("proj/mynodes/listed.py:8:17: UNN016 `go()`"),
        "{out}"
    );
    assert!(
        out.contains("ComfyUI calls a node class's `FUNCTION` method on its event loop"),
        "{out}"
    );
    assert!(
        out.contains("https://github.com/comfyanonymous/ComfyUI/blob/master/execution.py"),
        "{out}"
    );
    assert!(
        out.contains(
            "it calls `fetch_scale()` (proj/mynodes/remote.py:9), which calls `asyncio.run()`"
        ),
        "{out}"
    );
    assert_fixed_and_runs(
        temp.path(),
        "Doubler True (6,)\nListed True (31,)\nUpscale True (30,)\n",
    );
    let nodes = std::fs::read_to_string(temp.path().join("proj/mynodes/nodes.py")).unwrap();
    assert!(nodes.contains("    async def run(self, x):\n        return (await fetch_scale(x),)"));
    assert!(nodes.contains("    async def twice(self, x):\n        return (await double(x),)"));
    assert!(nodes.contains("    @classmethod\n    async def VALIDATE_INPUTS(cls, x):\n        return await double(x) > 0"), "{nodes}");
}

#[test]
fn comfyui_fix_is_unsafe_and_says_why() {
    let temp = tempfile::tempdir().unwrap();
    comfy_project(temp.path());
    let before = texts(temp.path());
    let output = run_in(temp.path(), &["--write", "proj"]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert_eq!(texts(temp.path()), before, "an unsafe fix was applied");
    let diff = run_in(temp.path(), &["--unsafe-fixes", "--format", "json", "proj"]);
    let json = report(&diff);
    assert!(
        json.contains(
            "ComfyUI versions from before async nodes call the node method without awaiting it"
        ),
        "{json}"
    );
}

#[test]
fn comfyui_a_class_without_input_types_or_mapping_is_no_node() {
    let temp = tempfile::tempdir().unwrap();
    write(
        temp.path(),
        &[
            (
                "proj/tools.py",
                "import asyncio\n\n\nasync def scale(x):\n    return x\n\n\nclass Helper:\n    FUNCTION = \"go\"\n\n    def go(self, x):\n        return asyncio.run(scale(x))\n",
            ),
            (
                "proj/other.py",
                "from tools import Helper\n\nMAPPINGS = {\"Helper\": Helper}\n",
            ),
        ],
    );
    let output = run_in(temp.path(), &["proj"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn triage_finds_the_same_entries_as_a_whole_parse() {
    let temp = tempfile::tempdir().unwrap();
    comfy_project(temp.path());
    let triaged = run_in(temp.path(), &["proj"]);
    let whole = unnest()
        .current_dir(temp.path())
        .env("UNNEST_PARSE_ALL", "1")
        .arg("proj")
        .output()
        .unwrap();
    assert_eq!(report(&triaged), report(&whole));
    assert!(report(&triaged).contains("UNN016"));
}

// A stand-in for Starlette: startup and shutdown handlers run on the loop
// (awaited when coroutine functions, else called, as `Router.startup`
// does); a sync endpoint runs in a worker thread (`run_in_threadpool`); a
// sync generator lifespan is entered on the loop (`_AsyncLiftContextManager`).
const STARLETTE: &str = r#"import asyncio
import contextlib
import inspect


class Starlette:
    def __init__(self, routes=(), on_startup=None, on_shutdown=None, lifespan=None):
        self.routes = dict(routes)
        self.on_startup = list(on_startup or [])
        self.on_shutdown = list(on_shutdown or [])
        self.lifespan = lifespan

    def add_event_handler(self, event_type, func):
        (self.on_startup if event_type == "startup" else self.on_shutdown).append(func)

    def on_event(self, event_type):
        def decorator(func):
            self.add_event_handler(event_type, func)
            return func

        return decorator

    async def _run(self, handlers):
        for handler in handlers:
            if inspect.iscoroutinefunction(handler):
                await handler()
            else:
                handler()

    async def serve(self, path):
        cm = None
        if inspect.isgeneratorfunction(self.lifespan):
            cm = contextlib.contextmanager(self.lifespan)(self)
            cm.__enter__()
        await self._run(self.on_startup)
        endpoint = self.routes[path]
        if inspect.iscoroutinefunction(endpoint):
            print(await endpoint())
        else:
            print(await asyncio.to_thread(endpoint))
        await self._run(self.on_shutdown)
        if cm is not None:
            cm.__exit__(None, None, None)
"#;

const STARLETTE_HOST: &str = r#"import asyncio

from app.main import app


def main():
    asyncio.run(app.serve("/"))
"#;

const DB: &str = r#"import asyncio


async def _connect(name):
    await asyncio.sleep(0)
    return name + " connected"


def connect(name):
    return asyncio.run(_connect(name))
"#;

fn starlette_project(root: &Path, main: &str) {
    write(
        root,
        &[
            ("run.py", RUN),
            ("fw/host.py", STARLETTE_HOST),
            ("fw/starlette/__init__.py", ""),
            ("fw/starlette/applications.py", STARLETTE),
            ("proj/app/__init__.py", ""),
            ("proj/app/db.py", DB),
            ("proj/app/main.py", main),
        ],
    );
}

#[test]
fn starlette_startup_and_shutdown_handlers_become_async_and_the_app_runs() {
    let main = r#"import asyncio

from starlette.applications import Starlette

from app.db import connect


def startup():
    print("startup:", connect("db"))


def warm_cache():
    print("warm:", asyncio.run(asyncio.sleep(0, "cache")))


def index():
    # A sync endpoint runs in a worker thread: a run there is fine.
    return asyncio.run(asyncio.sleep(0, "index from a worker thread"))


app = Starlette(routes=[("/", index)], on_startup=[startup])
app.add_event_handler("startup", warm_cache)


@app.on_event("shutdown")
def shutdown():
    print("shutdown:", connect("db"))
"#;
    let temp = tempfile::tempdir().unwrap();
    starlette_project(temp.path(), main);
    let check = run_in(temp.path(), &["proj"]);
    let out = report(&check);
    assert_eq!(out.matches("UNN016").count(), 3, "{out}");
    assert!(!out.contains("index"), "a sync endpoint is reported: {out}");
    assert!(out.contains("`Router.startup` in https://github.com/encode/starlette/blob/0.47.3/starlette/routing.py"), "{out}");
    assert_fixed_and_runs(
        temp.path(),
        "startup: db connected\nwarm: cache\nindex from a worker thread\nshutdown: db connected\n",
    );
    let fixed = std::fs::read_to_string(temp.path().join("proj/app/main.py")).unwrap();
    assert!(
        fixed.contains("@app.on_event(\"shutdown\")\nasync def shutdown():"),
        "{fixed}"
    );
    assert!(fixed.contains("def index():"), "{fixed}");
    assert!(!fixed.contains("async def index"), "{fixed}");
}

#[test]
fn starlette_sync_routes_and_dependencies_stay_silent() {
    let main = r#"from starlette.applications import Starlette

from app.db import connect


def get_db():
    return connect("dependency")


def index():
    return get_db() + ", " + connect("route")


app = Starlette(routes=[("/", index)])
"#;
    let temp = tempfile::tempdir().unwrap();
    starlette_project(temp.path(), main);
    let today = python(temp.path(), "run.py");
    assert!(today.status.success(), "{}", stderr(&today));
    assert_eq!(stdout(&today), "dependency connected, route connected\n");
    let output = run_in(temp.path(), &["proj"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn starlette_sync_generator_lifespan_gets_a_thread_bridge() {
    let main = r#"from starlette.applications import Starlette

from app.db import connect


def lifespan(app):
    print("up:", connect("db"))
    yield


async def index():
    return "index"


app = Starlette(routes=[("/", index)], lifespan=lifespan)
"#;
    let temp = tempfile::tempdir().unwrap();
    starlette_project(temp.path(), main);
    let today = python(temp.path(), "run.py");
    assert!(
        stderr(&today).contains("RuntimeError"),
        "{}",
        stderr(&today)
    );
    let output = run_in(temp.path(), &["--check", "proj"]);
    let out = report(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        out.contains("proj/app/main.py:7:18: UNN016 `lifespan()`"),
        "{out}"
    );
    assert!(out.contains("[fix: unsafe, use --unsafe-fixes]"), "{out}");
    // The lifespan cannot become async: the run moves to a worker thread.
    assert_fixed_and_runs(temp.path(), "up: db connected\nindex\n");
    let db = std::fs::read_to_string(temp.path().join("proj/app/db.py")).unwrap();
    assert!(
        db.contains("return _run_in_worker_thread(lambda: asyncio.run(_connect(name)))"),
        "{db}"
    );
}

// A plugin host the project declares: it calls `Plugin.on_*` hooks on its
// loop, awaiting those that are coroutine functions.
const PLUGIN_HOST: &str = r#"import asyncio
import inspect

from app.plugin import Plugin


async def serve():
    plugin = Plugin()
    for name in ("on_load", "on_ready"):
        hook = getattr(plugin, name)
        print(await hook() if inspect.iscoroutinefunction(hook) else hook())


def main():
    asyncio.run(serve())
"#;

const PLUGIN: &str = r#"from app.db import connect


class Plugin:
    def on_load(self):
        return connect("plugin")

    def on_ready(self):
        return "ready"
"#;

fn plugin_project(root: &Path, config: &str) {
    write(
        root,
        &[
            ("run.py", RUN),
            ("fw/host.py", PLUGIN_HOST),
            ("proj/pyproject.toml", config),
            ("proj/app/__init__.py", ""),
            ("proj/app/db.py", DB),
            ("proj/app/plugin.py", PLUGIN),
        ],
    );
}

#[test]
fn declared_entry_points_without_async_ok_get_a_thread_bridge() {
    let temp = tempfile::tempdir().unwrap();
    plugin_project(
        temp.path(),
        "[tool.unnest]\nloop-entry-points = [\"app.plugin:Plugin.on_*\"]\n",
    );
    let output = run_in(temp.path(), &["--check", "proj"]);
    let out = report(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert_eq!(out.matches("UNN016").count(), 1, "{out}");
    assert!(
        out.contains("proj/app/plugin.py:6:16: UNN016 `on_load()`"),
        "{out}"
    );
    assert!(
        out.contains("`app.plugin:Plugin.on_*` in `loop-entry-points`"),
        "{out}"
    );
    assert!(out.contains("pyproject.toml"), "{out}");
    // The host calls the hook without awaiting: the entry stays sync and the
    // run moves to a worker thread.
    assert_fixed_and_runs(temp.path(), "plugin connected\nready\n");
    let plugin = std::fs::read_to_string(temp.path().join("proj/app/plugin.py")).unwrap();
    assert!(plugin.contains("    def on_load(self):"), "{plugin}");
    let db = std::fs::read_to_string(temp.path().join("proj/app/db.py")).unwrap();
    assert!(
        db.contains("_run_in_worker_thread(lambda: asyncio.run("),
        "{db}"
    );
    // Without the declaration nothing is known to run on a loop.
    std::fs::write(temp.path().join("proj/pyproject.toml"), "[tool.unnest]\n").unwrap();
    let output = run_in(temp.path(), &["proj"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn declared_entry_points_with_async_ok_become_async_and_run() {
    let temp = tempfile::tempdir().unwrap();
    plugin_project(
        temp.path(),
        "[tool.unnest]\nloop-entry-points = [{ pattern = \"app.plugin:Plugin.on_*\", async-ok = true }]\n",
    );
    assert_fixed_and_runs(temp.path(), "plugin connected\nready\n");
    let plugin = std::fs::read_to_string(temp.path().join("proj/app/plugin.py")).unwrap();
    assert!(
        plugin.contains("    async def on_load(self):\n        return await connect(\"plugin\")"),
        "{plugin}"
    );
    // A hook that reaches no run stays as it was.
    assert!(plugin.contains("    def on_ready(self):"), "{plugin}");
}

#[test]
fn bad_loop_entry_points_are_errors_naming_the_file() {
    let cases = [
        ("\"app.plugin:Plugin.on_*\"", "must be a list"),
        ("[5]", "entry 1 must be a string or a table"),
        (
            "[\"app.plugin.Plugin.on_load\"]",
            "must be `module glob:qualified-name glob`",
        ),
        ("[\"app.[:x\"]", "invalid glob"),
        (
            "[{ pattern = \"a:b\", async_ok = true }]",
            "unknown key `async_ok`",
        ),
        (
            "[{ pattern = \"a:b\", async-ok = \"yes\" }]",
            "`async-ok` must be true or false",
        ),
        ("[{ async-ok = true }]", "has no `pattern`"),
        ("[\":b\"]", "empty or spaced part"),
    ];
    for (value, reason) in cases {
        let temp = tempfile::tempdir().unwrap();
        plugin_project(
            temp.path(),
            &format!("[tool.unnest]\nloop-entry-points = {value}\n"),
        );
        let before = texts(temp.path());
        let output = run_in(temp.path(), &["--write", "--unsafe-fixes", "proj"]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{value}: {err}");
        assert!(err.contains("pyproject.toml"), "{value}: {err}");
        assert!(err.contains("`loop-entry-points`"), "{value}: {err}");
        assert!(err.contains(reason), "{value}: {err}");
        assert!(!err.contains("panicked"), "{value}: {err}");
        assert_eq!(texts(temp.path()), before);
    }
}

#[test]
fn explain_documents_the_rule() {
    let output = unnest().args(["--explain", "UNN016"]).output().unwrap();
    let out = report(&output);
    assert!(out.contains("run-on-framework-loop"), "{out}");
    assert!(
        out.contains("Sync route handlers and sync dependencies are NOT entry points"),
        "{out}"
    );
}

#[test]
fn fastapi_on_startup_is_an_entry_point_and_a_sync_dependency_is_not() {
    // FastAPI keeps Starlette's handling of startup handlers and runs sync
    // dependencies and routes in a worker thread: the stand-in reuses the
    // Starlette one.
    let main = r#"from fastapi import FastAPI, Depends

from app.db import connect


def get_db():
    return connect("dependency")


def index(db=Depends(get_db)):
    return get_db()


def startup():
    print("startup:", connect("db"))


app = FastAPI(routes=[("/", index)], on_startup=[startup])
"#;
    let temp = tempfile::tempdir().unwrap();
    starlette_project(temp.path(), main);
    write(
        temp.path(),
        &[(
            "fw/fastapi/__init__.py",
            "from starlette.applications import Starlette as FastAPI\n\n\ndef Depends(f):\n    return f\n",
        )],
    );
    let check = run_in(temp.path(), &["proj"]);
    let out = report(&check);
    assert_eq!(out.matches("UNN016").count(), 1, "{out}");
    assert!(
        out.contains("proj/app/main.py:15:23: UNN016 `startup()`"),
        "{out}"
    );
    // `connect()` is also called by the dependency, in a worker thread,
    // where it must stay sync: no fix, and nothing written.
    assert!(
        out.contains("no automatic fix: the entry or a helper on the chain has sync callers"),
        "{out}"
    );
    let today = python(temp.path(), "run.py");
    assert!(
        stderr(&today).contains("RuntimeError"),
        "{}",
        stderr(&today)
    );
    let before = texts(temp.path());
    let output = run_in(temp.path(), &["--write", "--unsafe-fixes", "proj"]);
    assert_eq!(output.status.code(), Some(1), "{}", report(&output));
    assert_eq!(texts(temp.path()), before);
}

#[test]
fn declared_entry_points_apply_to_text_from_stdin() {
    use std::io::Write as _;
    let temp = tempfile::tempdir().unwrap();
    write(
        temp.path(),
        &[
            (
                "pyproject.toml",
                "[tool.unnest]\nloop-entry-points = [{ pattern = \"app.hooks:on_*\", async-ok = true }]\n",
            ),
            ("app/__init__.py", ""),
        ],
    );
    let source = "import asyncio\n\n\nasync def co():\n    return 1\n\n\ndef on_load():\n    return asyncio.run(co())\n";
    let mut child = unnest()
        .current_dir(temp.path())
        .args([
            "--write",
            "--unsafe-fixes",
            "--stdin-filename",
            "app/hooks.py",
            "-",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(source.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let fixed = stdout(&output);
    assert!(
        fixed.contains("async def on_load():\n    return await co()\n"),
        "{fixed}{}",
        stderr(&output)
    );
    common::assert_compile(&[("app/hooks.py".to_owned(), fixed)]);
}

#[test]
fn a_sync_caller_of_an_entry_point_in_a_file_without_asyncio_keeps_it_sync() {
    // `cli.py` mentions neither asyncio nor the framework: it is read because
    // it names the entry, which a fix would make async, and then its sync
    // call stands in the way of that fix, with or without triage.
    let temp = tempfile::tempdir().unwrap();
    write(
        temp.path(),
        &[
            (
                "proj/pyproject.toml",
                "[tool.unnest]\nloop-entry-points = [{ pattern = \"app.hooks:on_*\", async-ok = true }]\n",
            ),
            ("proj/app/__init__.py", ""),
            (
                "proj/app/hooks.py",
                "import asyncio\n\n\nasync def co():\n    return 1\n\n\ndef on_load():\n    return asyncio.run(co())\n",
            ),
            (
                "proj/app/cli.py",
                "from app.hooks import on_load\n\n\ndef main():\n    print(on_load())\n",
            ),
        ],
    );
    for parse_all in ["0", "1"] {
        let output = unnest()
            .current_dir(temp.path())
            .env("UNNEST_PARSE_ALL", parse_all)
            .args(["--unsafe-fixes", "proj"])
            .output()
            .unwrap();
        let out = report(&output);
        assert!(out.contains("UNN016 `on_load()`"), "{out}");
        assert!(
            out.contains("no automatic fix"),
            "UNNEST_PARSE_ALL={parse_all}: {out}"
        );
    }
}

// A host that, like ComfyUI, awaits a node method that is a coroutine
// function and calls any other on its loop; it then drains a generator the
// call returned (an async generator, not being a coroutine function, is
// called and never run).
const GENERATOR_HOST: &str = r#"import asyncio
import inspect

import mynodes


async def execute(name, inputs):
    obj = mynodes.NODE_CLASS_MAPPINGS[name]()
    f = getattr(obj, obj.FUNCTION)
    if inspect.iscoroutinefunction(f):
        return await asyncio.create_task(f(**inputs))
    result = f(**inputs)
    if inspect.isgenerator(result):
        return tuple(result)
    return result


async def execute_all():
    print(await execute("Stream", {"x": 3}))


def main():
    asyncio.run(execute_all())
"#;

const GENERATOR_NODE: &str = r#"import asyncio


async def double(x):
    await asyncio.sleep(0)
    return x * 2


class Stream:
    @classmethod
    def INPUT_TYPES(cls):
        return {"required": {"x": ("INT",)}}

    FUNCTION = "stream"

    def stream(self, x):
        yield asyncio.run(double(x))
        yield x


NODE_CLASS_MAPPINGS = {"Stream": Stream}
"#;

/// A ComfyUI node method that is a generator is not made `async def` (it
/// would become an async generator, which ComfyUI calls without awaiting
/// and never runs): its run gets the thread bridge instead.
#[test]
fn comfyui_a_generator_node_method_stays_sync_and_gets_the_thread_bridge() {
    let temp = tempfile::tempdir().unwrap();
    write(
        temp.path(),
        &[
            ("run.py", RUN),
            ("fw/host.py", GENERATOR_HOST),
            ("proj/mynodes/__init__.py", GENERATOR_NODE),
        ],
    );
    let check = run_in(temp.path(), &["--check", "proj"]);
    let out = report(&check);
    assert_eq!(out.matches("UNN016").count(), 1, "{out}");
    assert!(
        out.contains("proj/mynodes/__init__.py:17:15: UNN016 `stream()`"),
        "{out}"
    );
    assert!(out.contains("[fix: unsafe, use --unsafe-fixes]"), "{out}");
    let diff = run_in(temp.path(), &["--unsafe-fixes", "proj"]);
    assert!(
        !stdout(&diff).contains("async def stream"),
        "{}",
        stdout(&diff)
    );
    assert_fixed_and_runs(temp.path(), "(6, 3)\n");
    let node = std::fs::read_to_string(temp.path().join("proj/mynodes/__init__.py")).unwrap();
    assert!(node.contains("    def stream(self, x):\n"), "{node}");
    assert!(
        node.contains("yield _run_in_worker_thread(lambda: asyncio.run(double(x)))"),
        "{node}"
    );
}
