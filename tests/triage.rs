//! Triage must be exact: with it (the default) and without it
//! (`UNNEST_PARSE_ALL=1`, every file parsed), unnest reports the same findings
//! and proposes the same fixes, byte for byte. Checked over every fixture and
//! example, and over generated multi-module projects that mix loop-running
//! helpers, chains across modules, aliases, re-exports, methods, callbacks,
//! guards, thread hand-offs and look-alike names.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use common::{copy_tree, run_in, stdout, unnest};

/// How a run parses.
#[derive(Clone, Copy)]
enum Parsing {
    /// Triage picks the files and statements (the default).
    Triage,
    /// Triage, with every file that may be set aside set aside
    /// (`UNNEST_KEPT_TEXT=0`: what a large tree does past its budget, read
    /// again when needed, and parsed files' outlines dropped).
    SetAside,
    /// Every file parsed whole (`UNNEST_PARSE_ALL=1`).
    All,
}

/// The findings (JSON) and the proposed patch for `dir`.
fn outputs(dir: &Path, parsing: Parsing) -> (String, String) {
    let run = |args: &[&str]| {
        let mut command = unnest();
        command.env_remove("UNNEST_PARSE_ALL");
        command.env_remove("UNNEST_KEPT_TEXT");
        match parsing {
            Parsing::Triage => {}
            Parsing::SetAside => {
                command.env("UNNEST_KEPT_TEXT", "0");
            }
            Parsing::All => {
                command.env("UNNEST_PARSE_ALL", "1");
            }
        }
        let output = command
            .current_dir(dir)
            .args(args)
            .output()
            .expect("unnest runs");
        stdout(&output)
    };
    (
        run(&["--unsafe-fixes", "--format", "json", "."]),
        run(&["--unsafe-fixes", "--color", "never", "."]),
    )
}

fn same_with_and_without_triage(dir: &Path) -> Result<usize, String> {
    let (json_all, diff_all) = outputs(dir, Parsing::All);
    for (parsing, name) in [
        (Parsing::Triage, "with triage"),
        (Parsing::SetAside, "files set aside"),
    ] {
        let (json, diff) = outputs(dir, parsing);
        if json != json_all {
            return Err(format!(
                "{}: findings differ\n{name}:\n{json}\nparsing all:\n{json_all}",
                dir.display()
            ));
        }
        if diff != diff_all {
            return Err(format!(
                "{}: fixes differ\n{name}:\n{diff}\nparsing all:\n{diff_all}",
                dir.display()
            ));
        }
    }
    Ok(json_all.matches("\"code\"").count())
}

fn subdirectories(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn fixtures_and_examples_give_the_same_findings_and_fixes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![
        root.join("examples"),
        root.join("tests/fixtures"),
        root.join("tests/exec/broken"),
        root.join("tests/exec/unchanged"),
        root.join("tests/exec/notebooks"),
    ];
    dirs.extend(subdirectories(&root.join("tests/fixtures/projects")));
    dirs.extend(subdirectories(&root.join("tests/exec/projects")));
    let mut findings = 0;
    let mut failures = Vec::new();
    for dir in &dirs {
        match same_with_and_without_triage(dir) {
            Ok(n) => findings += n,
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // The comparison means something only if there is something to compare.
    assert!(findings > 100, "only {findings} findings in the fixtures");
}

// ---------------------------------------------------------------------------
// Generated projects

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, k: usize, n: usize) -> bool {
        self.below(n) < k
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Names several modules reuse, so that resolution by name alone would mix
/// them up.
const NAMES: [&str; 10] = [
    "load", "get_user", "fetch", "run", "helper", "main", "process", "handle", "save", "close",
];

struct Module {
    name: String,
    /// Top-level functions (name, is async).
    functions: Vec<(String, bool)>,
    uses_asyncio: bool,
}

/// A package of 2 to 5 modules whose functions call each other in every way
/// the call graph resolves, and some it does not.
fn generated_project(rng: &mut Rng) -> Vec<(String, String)> {
    let count = 2 + rng.below(4);
    let mut modules: Vec<Module> = (0..count)
        .map(|i| Module {
            name: format!("mod{i}"),
            functions: Vec::new(),
            uses_asyncio: rng.chance(3, 4),
        })
        .collect();
    // Decide the top-level functions first, so any module can import any.
    for module in &mut modules {
        let n = 2 + rng.below(4);
        for k in 0..n {
            let base = if rng.chance(1, 2) {
                NAMES[rng.below(NAMES.len())].to_owned()
            } else {
                format!("f{k}")
            };
            let name = if module.functions.iter().any(|(f, _)| *f == base) {
                format!("{base}{k}")
            } else {
                base
            };
            let is_async = module.uses_asyncio && rng.chance(1, 3);
            module.functions.push((name, is_async));
        }
    }
    let mut files = Vec::new();
    // The package's __init__ re-exports some functions, some under aliases.
    let mut init = String::new();
    let mut reexports: Vec<(String, String)> = Vec::new();
    for module in &modules {
        for (f, _) in &module.functions {
            if rng.chance(1, 5) {
                if rng.chance(1, 2) {
                    let alias = format!("{f}_api");
                    writeln!(init, "from .{} import {f} as {alias}", module.name).unwrap();
                    reexports.push((alias, f.clone()));
                } else {
                    writeln!(init, "from .{} import {f}", module.name).unwrap();
                    reexports.push((f.clone(), f.clone()));
                }
            }
        }
    }
    files.push(("pkg/__init__.py".to_owned(), init));

    for index in 0..modules.len() {
        let module = &modules[index];
        let mut text = String::new();
        // Sometimes a function before the imports.
        if rng.chance(1, 5) {
            text.push_str("def early(x=None):\n    return x\n\n");
        }
        if module.uses_asyncio {
            text.push_str(rng.pick(&["import asyncio\n", "import asyncio as aio\n"]));
        }
        // `run` imported under an alias, maybe shadowed further down by a
        // function of the same name (then it is not asyncio's).
        let arun = module.uses_asyncio && rng.chance(1, 3);
        if arun {
            text.push_str("from asyncio import run as arun\n");
        }
        text.push_str("import functools\n");
        let aio = if text.contains("as aio") {
            "aio"
        } else {
            "asyncio"
        };
        // How this module can call functions: (expression, is async).
        let mut callables: Vec<(String, bool)> = module
            .functions
            .iter()
            .map(|(f, a)| (f.clone(), *a))
            .collect();
        for other in modules.iter().filter(|m| m.name != module.name) {
            if !rng.chance(2, 3) {
                continue;
            }
            let (f, is_async) = other.functions[rng.below(other.functions.len())].clone();
            match rng.below(5) {
                0 => {
                    writeln!(text, "from .{} import {f}", other.name).unwrap();
                    callables.push((f, is_async));
                }
                1 => {
                    let alias = format!("{}_{f}", other.name);
                    writeln!(text, "from .{} import {f} as {alias}", other.name).unwrap();
                    callables.push((alias, is_async));
                }
                2 => {
                    writeln!(text, "from . import {}", other.name).unwrap();
                    callables.push((format!("{}.{f}", other.name), is_async));
                }
                3 => {
                    writeln!(text, "import pkg.{} as {}_mod", other.name, other.name).unwrap();
                    callables.push((format!("{}_mod.{f}", other.name), is_async));
                }
                _ => {
                    // Through the package, if re-exported; else a look-alike
                    // call on an object, which nothing resolves.
                    if let Some((alias, _)) = reexports.iter().find(|(_, o)| *o == f) {
                        writeln!(text, "from pkg import {alias}").unwrap();
                        callables.push((alias.clone(), is_async));
                    } else {
                        callables.push((format!("obj.{f}"), is_async));
                    }
                }
            }
        }
        text.push('\n');
        let sync_callables: Vec<String> = callables
            .iter()
            .filter(|(_, a)| !a)
            .map(|(c, _)| c.clone())
            .collect();
        let async_callables: Vec<String> = callables
            .iter()
            .filter(|(_, a)| *a)
            .map(|(c, _)| c.clone())
            .collect();
        let any_sync = |rng: &mut Rng| -> String {
            if sync_callables.is_empty() {
                "print".to_owned()
            } else {
                sync_callables[rng.below(sync_callables.len())].clone()
            }
        };
        let coroutine = |rng: &mut Rng| -> String {
            if async_callables.is_empty() {
                format!("{aio}.sleep(0)")
            } else {
                format!("{}(1)", async_callables[rng.below(async_callables.len())])
            }
        };
        for (f, is_async) in &module.functions {
            if *is_async {
                let body = match rng.below(7) {
                    0 => format!("    return {}(x)\n", any_sync(rng)),
                    1 => format!("    return await {aio}.to_thread({}, x)\n", any_sync(rng)),
                    2 => format!("    value = {}\n    return value\n", any_sync(rng)),
                    3 => format!(
                        "    {aio}.get_running_loop().call_soon({})\n",
                        any_sync(rng)
                    ),
                    4 => format!(
                        "    def inner():\n        return {}(x)\n    return inner()\n",
                        any_sync(rng)
                    ),
                    5 => format!("    return {aio}.run({})\n", coroutine(rng)),
                    _ => format!("    await {aio}.sleep(0)\n    return x\n"),
                };
                writeln!(text, "async def {f}(x=None):\n{body}").unwrap();
                continue;
            }
            let decorated = rng.chance(1, 8);
            if decorated {
                text.push_str("@functools.lru_cache(maxsize=None)\n");
            }
            let body = match rng.below(if module.uses_asyncio { 9 } else { 3 }) {
                8 if arun => format!("    return arun({})\n", coroutine(rng)),
                0 => format!("    return {}(x)\n", any_sync(rng)),
                1 => format!(
                    "    print(x)\n    return {}(x) if x else None\n",
                    any_sync(rng)
                ),
                2 => "    return x\n".to_owned(),
                3 => format!("    return {aio}.run({})\n", coroutine(rng)),
                4 => format!(
                    "    loop = {aio}.new_event_loop()\n    return loop.run_until_complete({})\n",
                    coroutine(rng)
                ),
                5 => format!(
                    "    try:\n        {aio}.get_running_loop()\n    except RuntimeError:\n        return {aio}.run({})\n    return None\n",
                    coroutine(rng)
                ),
                6 => format!(
                    "    fut = {aio}.get_event_loop().create_future()\n    fut.add_done_callback(functools.partial({}, 1))\n    return fut\n",
                    any_sync(rng)
                ),
                _ => format!("    {aio}.run({})\n", coroutine(rng)),
            };
            writeln!(text, "def {f}(x=None):\n{body}").unwrap();
        }
        if module.uses_asyncio && rng.chance(1, 2) {
            let method = NAMES[rng.below(NAMES.len())];
            // Methods that nothing here needs, around the ones that matter.
            write!(
                text,
                "class Base:\n    kind = 'base'\n\n    def idle(self):\n        return self.kind\n\n    @staticmethod\n    def {method}_static():\n        return {aio}.run({})\n\n",
                coroutine(rng)
            )
            .unwrap();
            write!(
                text,
                "class Service(Base):\n    def {method}(self):\n        return {aio}.run({})\n\n    def step(self):\n        return self.{method}()\n\n    async def handle_it(self):\n        return self.step()\n\n    async def handle_static(self):\n        return Base.{method}_static()\n\n",
                coroutine(rng)
            )
            .unwrap();
            if rng.chance(1, 2) {
                write!(
                    text,
                    "class Sub(Service):\n    def {method}(self):\n        return 1\n\n"
                )
                .unwrap();
            }
        }
        if module.uses_asyncio && rng.chance(1, 3) {
            writeln!(
                text,
                "def on_done(fut):\n    {}(fut)\n\ndef register(loop):\n    loop.call_soon(on_done, None)\n    loop.call_later(1, lambda: {aio}.run({}))\n",
                any_sync(rng),
                coroutine(rng)
            )
            .unwrap();
        }
        if rng.chance(1, 4) {
            writeln!(text, "HANDLERS = [{}]", any_sync(rng)).unwrap();
        }
        if arun && rng.chance(1, 2) {
            text.push_str("\ndef arun(x=None):\n    return x\n");
        }
        if rng.chance(1, 4) {
            text.push_str(
                "\nasync def uses_base():\n    return Base().idle() if False else None\n",
            );
        }
        files.push((format!("pkg/{}.py", module.name), text));
    }
    // A script outside the package that drives it.
    let mut script = String::from("import asyncio\nimport pkg\n");
    let target = &modules[0];
    let (f, is_async) = &target.functions[0];
    writeln!(script, "from pkg.{} import {f}\n", target.name).unwrap();
    if *is_async {
        writeln!(script, "async def main():\n    return await {f}()\n").unwrap();
    } else {
        writeln!(script, "async def main():\n    return {f}()\n").unwrap();
    }
    script.push_str("if __name__ == '__main__':\n    asyncio.run(main())\n");
    files.push(("app.py".to_owned(), script));
    // Files that cannot matter, to be skipped.
    files.push((
        "unrelated.py".to_owned(),
        "def load():\n    return run()\n".to_owned(),
    ));
    files
}

#[test]
fn generated_projects_give_the_same_findings_and_fixes() {
    let cases: u64 = std::env::var("UNNEST_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(120);
    let seed: u64 = std::env::var("UNNEST_PROPTEST_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_7a1a_9e00_0001);
    let mut findings = 0;
    for case in 0..cases {
        let case_seed = seed.wrapping_add(case.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1;
        let mut rng = Rng(case_seed);
        let files = generated_project(&mut rng);
        let temp = tempfile::tempdir().unwrap();
        for (path, text) in &files {
            let path = temp.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        // Written once, so that CPython compiles every fixed module (run_in).
        let written = tempfile::tempdir().unwrap();
        copy_tree(temp.path(), written.path());
        run_in(written.path(), &["--write", "--unsafe-fixes", "."]);
        match same_with_and_without_triage(temp.path()) {
            Ok(n) => findings += n,
            Err(e) => {
                let listing: String = files.iter().map(|(p, t)| format!("--- {p}\n{t}")).collect();
                panic!("case seed {case_seed}:\n{listing}\n{e}");
            }
        }
    }
    assert!(
        findings as u64 > cases,
        "only {findings} findings in {cases} generated projects"
    );
}

// ---------------------------------------------------------------------------
// Edited fixtures

/// Lines that, put at a random place in a fixture, move runs in and out of
/// async code, open and close blocks, and unsettle the lexer.
const INSERTS: [&str; 14] = [
    "async def inserted():",
    "def inserted_sync():",
    "class Inserted:",
    "asyncio.run(work())",
    "loop.run_until_complete(work())",
    "helper()",
    "x = f'{helper()!r:>{width}}'",
    "s = '''",
    "'''",
    "@decorator",
    "from asyncio import run as go",
    "go(work())",
    "loop.call_soon(helper)",
    "pass",
];

#[test]
fn edited_fixtures_give_the_same_findings_and_fixes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(root.join("tests/fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    fixtures.sort();
    let cases: usize = std::env::var("UNNEST_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(120);
    let mut rng = Rng(0x0ed1_7ed0_f1c5_0001);
    let mut compared = 0;
    for case in 0..cases {
        let original = std::fs::read_to_string(&fixtures[case % fixtures.len()]).unwrap();
        let mut lines: Vec<String> = original.lines().map(str::to_owned).collect();
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(lines.len() + 1);
            match rng.below(3) {
                0 if !lines.is_empty() => {
                    lines.remove(at.min(lines.len() - 1));
                }
                _ => {
                    let indent = " ".repeat(4 * rng.below(3));
                    let line = INSERTS[rng.below(INSERTS.len())];
                    lines.insert(at, format!("{indent}{line}"));
                }
            }
        }
        let text = lines.join("\n") + "\n";
        let temp = tempfile::tempdir().unwrap();
        std::fs::write(temp.path().join("edited.py"), &text).unwrap();
        // A syntax error is found only where unnest parses: compare files
        // that parse.
        let whole = unnest()
            .env("UNNEST_PARSE_ALL", "1")
            .current_dir(temp.path())
            .args(["--check", "."])
            .output()
            .unwrap();
        if whole.status.code() == Some(2) {
            continue;
        }
        compared += 1;
        if let Err(e) = same_with_and_without_triage(temp.path()) {
            panic!("case {case}:\n{text}\n{e}");
        }
        // Written last, so that CPython compiles the fixed text (run_in).
        run_in(temp.path(), &["--write", "--unsafe-fixes", "."]);
    }
    assert!(
        compared * 3 > cases,
        "only {compared} of {cases} edited files parse"
    );
}
