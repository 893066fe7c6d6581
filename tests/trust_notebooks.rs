//! Notebooks and Python text as CPython reads them: any UTF-8 text, any
//! chunking of a cell's `source`, comments only where the lexer finds them,
//! a lone CR as a line end, positions that land on the `.ipynb` file's own
//! lines, and notebooks that cannot be edited safely refused whole.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

mod common;
use common::{run_in, stderr, stdout, unnest};

/// A notebook of code cells with these `source` values, written as nbformat
/// writes (indent 1, sorted keys, non-ASCII kept, a final newline).
fn notebook(sources: &[Value]) -> String {
    let cells: Vec<Value> = sources
        .iter()
        .map(|source| {
            json!({
                "cell_type": "code",
                "execution_count": null,
                "metadata": {},
                "outputs": [],
                "source": source,
            })
        })
        .collect();
    let root = json!({
        "cells": cells,
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    });
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b" ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    serde::Serialize::serialize(&root, &mut serializer).unwrap();
    String::from_utf8(out).unwrap() + "\n"
}

/// Every code cell of the notebook compiles under CPython with top-level
/// `await`: `%%` cells skipped, and lines of IPython syntax (`%name`, `!`,
/// `?`, `name?`) made `pass`. (A line in a string made `pass` leaves a
/// string; `% 3` is Python and is kept.)
fn assert_cells_compile(path: &Path) {
    let script = r#"
import ast, json, re, sys
nb = json.load(open(sys.argv[1], encoding="utf-8"))
magic = re.compile(r"^\s*(%%?[A-Za-z]|!|\?)|^[^#]*[\w)]\?\s*$")
for i, cell in enumerate(nb["cells"]):
    if cell["cell_type"] != "code":
        continue
    src = cell["source"]
    src = "".join(src) if isinstance(src, list) else src
    if src.lstrip().startswith("%%"):
        continue
    lines = [
        (line[: len(line) - len(line.lstrip())] + "pass\n") if magic.match(line) else line
        for line in src.splitlines(keepends=True)
    ]
    compile("".join(lines), f"cell {i + 1}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
"#;
    let output = Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}: {}",
        path.display(),
        stderr(&output)
    );
}

/// A Python file compiles under CPython, read with its line ends as they are.
fn assert_file_compiles(path: &Path) {
    let output = Command::new("python3")
        .args([
            "-c",
            "import sys; compile(open(sys.argv[1], newline='').read(), sys.argv[1], 'exec')",
        ])
        .arg(path)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}: {}",
        path.display(),
        stderr(&output)
    );
}

// ---------------------------------------------------------------------------
// One lexer: any UTF-8 text, IPython syntax only outside strings

#[test]
fn notebook_non_ascii_in_triple_quoted_strings_does_not_panic() {
    let temp = tempfile::tempdir().unwrap();
    let source = json!([
        "import asyncio\n",
        "s = \"\"\"café • – 🎉 漢字\n",
        "%not a magic: still the string ü\n",
        "\"\"\"\n",
        "t = '''ß''' + \"é\" # ü\n",
        "async def f():\n",
        "    return 'ok'\n",
        "x = asyncio.run(f())\n",
        "print(x, s, t)"
    ]);
    let text = notebook(&[source]);
    fs::write(temp.path().join("nb.ipynb"), &text).unwrap();
    let check = run_in(temp.path(), &["--check", "nb.ipynb"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    assert!(
        stdout(&check).contains("nb.ipynb:cell 1:8:5: UNN001"),
        "{}",
        stdout(&check)
    );
    let write = run_in(temp.path(), &["--write", "nb.ipynb"]);
    assert_eq!(write.status.code(), Some(0), "{}", stderr(&write));
    let written = fs::read_to_string(temp.path().join("nb.ipynb")).unwrap();
    assert_eq!(
        written,
        text.replace("asyncio.run(f())", "await f()"),
        "only the run changes"
    );
    assert_cells_compile(&temp.path().join("nb.ipynb"));
}

#[test]
fn notebook_magics_round_trip_byte_identical_with_non_ascii_around() {
    let temp = tempfile::tempdir().unwrap();
    let cells = [
        json!([
            "%%capture captured ☕\n",
            "print(\"bonjour – ça va?\")\n",
            "asyncio.run(f())\n"
        ]),
        json!("%%bash\necho \"naïve 😀 'quote\"\n  for x in 1 2; do echo $x; done\n"),
        json!([
            "import asyncio\n",
            "%pip install \"requests>=2\"  # dépendance ✓\n",
            "!echo \"it's 日本\"\n",
            "asyncio?\n",
            "async def f():\n",
            "    return \"é\"\n",
            "x = (10\n",
            "% 3)\n",
            "y = asyncio.run(f())  # après\n",
            "print(\"fin ✓\", x, y)"
        ]),
    ];
    let text = notebook(&cells);
    fs::write(temp.path().join("nb.ipynb"), &text).unwrap();
    let write = run_in(temp.path(), &["--write", "nb.ipynb"]);
    assert_eq!(write.status.code(), Some(0), "{}", stderr(&write));
    let written = fs::read_to_string(temp.path().join("nb.ipynb")).unwrap();
    // The `% 3)` inside brackets is Python (a modulo), not a magic.
    assert_eq!(
        written,
        text.replace("y = asyncio.run(f())", "y = await f()"),
        "the magic cells and lines are byte for byte as they were"
    );
    assert_cells_compile(&temp.path().join("nb.ipynb"));
}

// ---------------------------------------------------------------------------
// `# noqa` only in comments

#[test]
fn noqa_inside_a_string_literal_does_not_suppress() {
    let temp = tempfile::tempdir().unwrap();
    fs::write(
        temp.path().join("app.py"),
        "import asyncio\n\nasync def fetch(url):\n    return url\n\nasync def main():\n    asyncio.run(fetch(\"https://x/#noqa\"))\n    asyncio.run(fetch('# noqa: UNN001'))\n    asyncio.run(fetch('a'))  # noqa: UNN001\n    asyncio.run(fetch(f\"{1}#noqa\"))\n",
    )
    .unwrap();
    let check = run_in(temp.path(), &["--check", "app.py"]);
    let out = stdout(&check);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    for line in [7, 8, 10] {
        assert!(out.contains(&format!("app.py:{line}:5: UNN001")), "{out}");
    }
    assert!(
        !out.contains("app.py:9:"),
        "a real comment suppresses: {out}"
    );
    assert!(stderr(&check).contains("1 suppressed by noqa"));
}

#[test]
fn noqa_inside_a_notebook_string_does_not_suppress() {
    let temp = tempfile::tempdir().unwrap();
    let text = notebook(&[json!([
        "import asyncio\n",
        "async def fetch(url):\n",
        "    return url\n",
        "asyncio.run(fetch(\"https://x/#noqa\"))\n",
        "asyncio.run(fetch(\"y\"))  # noqa"
    ])]);
    fs::write(temp.path().join("nb.ipynb"), &text).unwrap();
    let check = run_in(temp.path(), &["--check", "nb.ipynb"]);
    let out = stdout(&check);
    assert!(out.contains("nb.ipynb:cell 1:4:1: UNN001"), "{out}");
    assert!(!out.contains("cell 1:5:"), "{out}");
}

// ---------------------------------------------------------------------------
// A lone CR ends a line

#[test]
fn a_run_after_a_lone_cr_is_found_and_fixed_and_compiles() {
    let temp = tempfile::tempdir().unwrap();
    // Mixed: LF lines, a comment ended by a lone CR (which must not swallow
    // the run after it), and a statement ended by a lone CR.
    let text = "import asyncio\n\nasync def f():\n    return 2\n\nasync def main():\n    x = 1  # one\r    y = asyncio.run(f())\r    z = asyncio.run(f())\n    return x + y + z\n\nprint(asyncio.run(main()))\n";
    fs::write(temp.path().join("mixed.py"), text).unwrap();
    let before = Command::new("python3")
        .arg("mixed.py")
        .current_dir(temp.path())
        .output()
        .unwrap();
    assert!(stderr(&before).contains("RuntimeError"), "it fails today");
    for parse_all in [false, true] {
        let mut command = unnest();
        if parse_all {
            command.env("UNNEST_PARSE_ALL", "1");
        }
        let check = command
            .current_dir(temp.path())
            .args(["--check", "mixed.py"])
            .output()
            .unwrap();
        let out = stdout(&check);
        assert!(out.contains("mixed.py:8:9: UNN001"), "{out}");
        assert!(out.contains("mixed.py:9:9: UNN001"), "{out}");
    }
    let write = run_in(temp.path(), &["--write", "mixed.py"]);
    assert_eq!(write.status.code(), Some(0), "{}", stderr(&write));
    let written = fs::read_to_string(temp.path().join("mixed.py")).unwrap();
    assert_eq!(
        written,
        text.replace("y = asyncio.run(f())", "y = await f()")
            .replace("z = asyncio.run(f())", "z = await f()"),
        "line ends kept"
    );
    assert_file_compiles(&temp.path().join("mixed.py"));
    let after = Command::new("python3")
        .arg("mixed.py")
        .current_dir(temp.path())
        .output()
        .unwrap();
    assert_eq!(stdout(&after), "5\n", "{}", stderr(&after));
}

#[test]
fn a_lone_cr_ends_the_line_of_a_noqa_comment_and_of_an_import() {
    let temp = tempfile::tempdir().unwrap();
    // The `# noqa` is on the line before the run: it suppresses nothing.
    fs::write(
        temp.path().join("app.py"),
        "import asyncio\n\nasync def main():\n    x = 1  # noqa\r    asyncio.run(main())\n",
    )
    .unwrap();
    // A file that never names asyncio, whose import follows a lone CR.
    fs::write(
        temp.path().join("helpers.py"),
        "import asyncio\n\nasync def f():\n    return 1\n\ndef go():\n    return asyncio.run(f())\n",
    )
    .unwrap();
    fs::write(
        temp.path().join("user.py"),
        "x = 1\rfrom helpers import go\n\nasync def handler():\n    return go()\n",
    )
    .unwrap();
    let check = run_in(temp.path(), &["--check", "."]);
    let out = stdout(&check);
    assert!(out.contains("app.py:5:5: UNN001"), "{out}");
    assert!(out.contains("user.py:5:12: UNN007"), "{out}");
}

// ---------------------------------------------------------------------------
// Any chunking of `source`

/// The `source` array of the cell at `index` in the notebook's JSON text, as
/// written.
fn source_json(text: &str, index: usize) -> String {
    // The arrays as written: find the n-th `"source": ` and its value's text.
    let at = text.match_indices("\"source\": ").nth(index).unwrap().0 + 10;
    let rest = &text[at..];
    let end = if rest.starts_with('[') {
        rest.find("\n   ]")
            .map_or_else(|| rest.find(']').unwrap() + 1, |i| i + 5)
    } else {
        rest.find('\n').unwrap()
    };
    rest[..end].to_owned()
}

/// Write a notebook of `sources`, fix it, and return its text before and
/// after; with `compile`, check that its cells compile.
fn write_and_read(sources: &[Value], compile: bool) -> (String, String, Output) {
    let temp = tempfile::tempdir().unwrap();
    let text = notebook(sources);
    fs::write(temp.path().join("nb.ipynb"), &text).unwrap();
    let output = run_in(temp.path(), &["--write", "nb.ipynb"]);
    let written = fs::read_to_string(temp.path().join("nb.ipynb")).unwrap();
    if compile {
        assert_cells_compile(&temp.path().join("nb.ipynb"));
    }
    (text, written, output)
}

#[test]
fn notebook_chunked_source_lines_are_not_duplicated_or_lost() {
    let fixed = |items: Value, compile: bool| -> (Vec<String>, String, String) {
        let other = json!(["y = 1\nz", " = 2\n"]);
        let (text, written, output) = write_and_read(&[items, other], compile);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(
            source_json(&written, 1),
            source_json(&text, 1),
            "the other cell is byte for byte as it was"
        );
        let value: Value = serde_json::from_str(&written).unwrap();
        let items: Vec<String> = value["cells"][0]["source"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_str().unwrap().to_owned())
            .collect();
        (items, stderr(&output), written)
    };
    // The three chunkings of the report.
    let (items, summary, _) = fixed(
        json!(["import asyncio\nx = asyncio.run(f())\n", "y = 2\n"]),
        true,
    );
    assert_eq!(items, ["import asyncio\n", "x = await f()\n", "y = 2\n"]);
    assert!(summary.contains("fixed 1 finding"), "{summary}");
    let (items, _, _) = fixed(
        json!(["import asyncio\n", "a = 1\nb = asyncio.", "run(f())\n"]),
        true,
    );
    assert_eq!(items, ["import asyncio\n", "a = 1\n", "b = await f()\n"]);
    let (items, _, _) = fixed(json!(["import asyncio\nx = asyncio.run(f())\n"]), true);
    assert_eq!(items, ["import asyncio\n", "x = await f()\n"]);
    // Every split of the text in two, and in three.
    let source = "import asyncio\nasync def f():\n    return 'é'\nx = asyncio.run(f())\ny = 2";
    let expected = source.replace("asyncio.run(f())", "await f()");
    let expected_items: Vec<&str> = expected.split_inclusive('\n').collect();
    let cuts: Vec<usize> = (1..source.len())
        .filter(|&i| source.is_char_boundary(i))
        .collect();
    for (n, &cut) in cuts.iter().enumerate() {
        let mut items = vec![&source[..cut], &source[cut..]];
        if n % 3 == 0 && cut + 5 < source.len() {
            items = vec![&source[..cut], &source[cut..cut + 5], &source[cut + 5..]];
        }
        let (written_items, summary, _) = fixed(json!(items), false);
        assert_eq!(written_items, expected_items, "chunks {items:?}: {summary}");
    }
}

#[test]
fn notebook_source_as_one_string_and_crlf_escapes_keep_working() {
    // `source` as one string stays one string.
    let (text, written, output) = write_and_read(
        &[json!("import asyncio\r\nx = asyncio.run(f())\r\ny = 'ü'")],
        true,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(written, text.replace("asyncio.run(f())", "await f()"));
    // CRLF inside JSON strings (`\r\n` escapes), one line per element: only
    // the changed element is rewritten, its CRLF kept.
    let (text, written, output) = write_and_read(
        &[json!([
            "import asyncio\r\n",
            "x = asyncio.run(f())\r\n",
            "print('ü')\r\n"
        ])],
        true,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(written, text.replace("asyncio.run(f())", "await f()"));
    assert!(written.contains("\"x = await f()\\r\\n\""), "{written}");
}

// ---------------------------------------------------------------------------
// Lines of the `.ipynb` file for the formats that open it

#[test]
fn github_and_sarif_place_notebook_findings_on_the_ipynb_lines() {
    let temp = tempfile::tempdir().unwrap();
    let one_string = json!("import asyncio\nasync def f(): pass\n\nx = asyncio.run(f())");
    let chunked = json!(["a = 'é'\nb = 2\n", "c = 3; y = asyncio.", "run(f())\n"]);
    let lines = json!(["# ü\n", "z = asyncio.run(f())\n"]);
    let mut text = notebook(&[one_string, chunked, lines]);
    // Another writer's escaping: `é` as `\u00e9`, `/` as `\/`.
    text = text.replace("'é'", "'\\u00e9\\/'");
    fs::write(temp.path().join("nb.ipynb"), &text).unwrap();
    let file_lines: Vec<&str> = text.lines().collect();
    // The text at (line, column) of the file, as a reader of the file sees it.
    let at = |line: usize, column: usize| -> String {
        file_lines[line - 1].chars().skip(column - 1).collect()
    };
    let github = run_in(temp.path(), &["--check", "--format", "github", "nb.ipynb"]);
    let out = stdout(&github);
    let mut count = 0;
    for line in out.lines() {
        let field = |name: &str| -> usize {
            let start = line.find(&format!("{name}=")).unwrap() + name.len() + 1;
            line[start..]
                .split([',', ':'])
                .next()
                .unwrap()
                .parse()
                .unwrap()
        };
        let (row, column) = (field("line"), field("col"));
        let (end_row, end_column) = (field("endLine"), field("endColumn"));
        let found = at(row, column);
        assert!(
            found.starts_with("asyncio.run(f())") || found == "asyncio.\",",
            "{line}: {found}"
        );
        if row == end_row {
            assert!(at(end_row, end_column).starts_with("\\n\"") || end_column > column);
        }
        count += 1;
    }
    assert_eq!(count, 3, "{out}");
    let sarif = run_in(temp.path(), &["--check", "--format", "sarif", "nb.ipynb"]);
    let log: Value = serde_json::from_str(&stdout(&sarif)).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    for result in results {
        let region = &result["locations"][0]["physicalLocation"]["region"];
        let row = region["startLine"].as_u64().unwrap() as usize;
        let column = region["startColumn"].as_u64().unwrap() as usize;
        assert!(at(row, column).starts_with("asyncio."), "{region}");
    }
    // The text and JSON formats keep the cell-relative positions.
    let check = run_in(temp.path(), &["--check", "nb.ipynb"]);
    let out = stdout(&check);
    for label in ["cell 1:4:5:", "cell 2:3:12:", "cell 3:2:5:"] {
        assert!(out.contains(&format!("nb.ipynb:{label} UNN001")), "{out}");
    }
}

// ---------------------------------------------------------------------------
// Notebooks that cannot be edited safely

#[test]
fn notebooks_with_a_string_nbformat_or_a_duplicate_source_are_refused_with_the_reason() {
    let temp = tempfile::tempdir().unwrap();
    let good = notebook(&[json!(["import asyncio\n", "x = asyncio.run(f())\n"])]);
    let string_version = good.replace("\"nbformat\": 4", "\"nbformat\": \"4\"");
    let duplicate = good.replace(
        "\"source\": [",
        "\"source\": [\"print(1)\\n\"],\n   \"source\": [",
    );
    let cases = [
        (
            "version.ipynb",
            &string_version,
            "its nbformat is \"4\", a string, not a number",
        ),
        (
            "duplicate.ipynb",
            &duplicate,
            "cell 1 has the key \"source\" twice",
        ),
    ];
    for (name, text, _) in cases {
        fs::write(temp.path().join(name), text).unwrap();
    }
    let output = run_in(temp.path(), &["--write", "."]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    for (name, text, reason) in cases {
        let message = stderr(&output);
        assert!(
            message.contains(&format!(
                "{name}: skipped: the file is not a notebook unnest can edit: {reason}"
            )),
            "{message}"
        );
        assert_eq!(&fs::read_to_string(temp.path().join(name)).unwrap(), text);
    }
}

// ---------------------------------------------------------------------------
// Triage never changes results: notebooks, and files with no loop word

/// The findings (JSON) and the proposed patch for `dir`, with or without
/// triage.
fn outputs(dir: &Path, parse_all: bool) -> (String, String) {
    let run = |args: &[&str]| {
        let mut command = unnest();
        if parse_all {
            command.env("UNNEST_PARSE_ALL", "1");
        }
        stdout(&command.current_dir(dir).args(args).output().unwrap())
    };
    (
        run(&["--unsafe-fixes", "--format", "json", "."]),
        run(&["--unsafe-fixes", "--color", "never", "."]),
    )
}

#[test]
fn a_notebook_that_never_names_asyncio_gets_its_finding_through_a_helper() {
    let temp = tempfile::tempdir().unwrap();
    fs::write(
        temp.path().join("helpers.py"),
        "import asyncio\n\nasync def main():\n    return 1\n\ndef fetch_all():\n    return asyncio.run(main())\n",
    )
    .unwrap();
    let text = notebook(&[json!([
        "from helpers import fetch_all\n",
        "x = fetch_all()\n"
    ])]);
    fs::write(temp.path().join("nb.ipynb"), text).unwrap();
    let (json, diff) = outputs(temp.path(), false);
    assert!(json.contains("\"UNN007\""), "{json}");
    assert_eq!((json, diff), outputs(temp.path(), true));
}

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
}

/// A project whose loop-running helpers live in one module, used from
/// notebooks and `.py` files that never name asyncio nor
/// `run_until_complete`, through every import form.
fn loop_word_free_project(rng: &mut Rng) -> Vec<(String, String)> {
    let mut files = Vec::new();
    files.push((
        "lib/helpers.py".to_owned(),
        "import asyncio\n\nasync def work(x=None):\n    return x\n\ndef fetch(x=None):\n    return asyncio.run(work(x))\n\ndef wrapper(x=None):\n    return fetch(x)\n\ndef safe(x=None):\n    return x\n\nclass Client:\n    def get(self):\n        return asyncio.run(work())\n\ndef on_done(fut):\n    fetch(fut)\n".to_owned(),
    ));
    files.push((
        "lib/__init__.py".to_owned(),
        "from .helpers import wrapper as api\n".to_owned(),
    ));
    let imports = [
        ("from lib.helpers import fetch\n", "fetch"),
        ("from lib.helpers import wrapper as w\n", "w"),
        ("from lib import helpers\n", "helpers.fetch"),
        ("import lib.helpers as h\n", "h.wrapper"),
        ("from lib import api\n", "api"),
        ("from lib.helpers import safe\n", "safe"),
        ("from lib.helpers import Client\n", "Client().get"),
    ];
    for n in 0..3 + rng.below(3) {
        let (import, call) = imports[rng.below(imports.len())];
        let (import2, call2) = imports[rng.below(imports.len())];
        let body = match rng.below(4) {
            0 => format!("async def handler():\n    return {call}(1)\n"),
            1 => format!(
                "def sync():\n    return {call}()\n\nasync def handler():\n    return sync()\n"
            ),
            2 => format!("def later(loop):\n    loop.call_soon({call2})\n"),
            _ => format!("x = {call}()\n"),
        };
        let code = format!("{import}{import2}\n{body}\ny = {call2}()\n");
        if rng.below(2) == 0 {
            files.push((format!("user{n}.py"), code));
        } else {
            // A notebook: nbformat's lines, one string, or chunks.
            let source = match rng.below(3) {
                0 => json!(code.split_inclusive('\n').collect::<Vec<_>>()),
                1 => json!(code),
                _ => {
                    let cut = code.len() / 2;
                    let cut = (cut..code.len())
                        .find(|&i| code.is_char_boundary(i))
                        .unwrap();
                    json!([&code[..cut], &code[cut..]])
                }
            };
            let markdown =
                json!({"cell_type": "markdown", "metadata": {}, "source": ["asyncio.run(x)"]});
            let mut value: Value =
                serde_json::from_str(&notebook(&[json!("import os\n"), source])).unwrap();
            value["cells"].as_array_mut().unwrap().insert(0, markdown);
            files.push((
                format!("nb{n}.ipynb"),
                serde_json::to_string_pretty(&value).unwrap(),
            ));
        }
    }
    files
}

#[test]
fn triage_gives_the_same_results_for_notebooks_and_files_with_no_loop_word() {
    let cases: u64 = std::env::var("UNNEST_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let mut findings = 0;
    for case in 0..cases {
        let seed =
            0x7e57_0b00_c0de_0001u64.wrapping_add(case.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1;
        let files = loop_word_free_project(&mut Rng(seed));
        let temp = tempfile::tempdir().unwrap();
        for (path, text) in &files {
            let path = temp.path().join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        let with = outputs(temp.path(), false);
        let without = outputs(temp.path(), true);
        if with != without {
            let listing: String = files
                .iter()
                .map(|(p, t)| format!("--- {p}\n{t}\n"))
                .collect();
            panic!(
                "seed {seed}:\n{listing}\nwith triage:\n{}\n{}\nparsing all:\n{}\n{}",
                with.0, with.1, without.0, without.1
            );
        }
        findings += with.0.matches("\"code\"").count();
    }
    assert!(findings as u64 > cases, "only {findings} findings");
}

#[test]
fn github_lines_after_write_are_those_of_the_notebook_as_written() {
    let temp = tempfile::tempdir().unwrap();
    let text = notebook(&[json!(
        "import asyncio\nasync def g(): pass\ny = asyncio.run(g())\nasyncio.run(g(), debug=True)"
    )]);
    fs::write(temp.path().join("nb.ipynb"), &text).unwrap();
    let output = run_in(temp.path(), &["--write", "--format", "github", "nb.ipynb"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let written = fs::read_to_string(temp.path().join("nb.ipynb")).unwrap();
    assert!(written.contains("y = await g()"));
    let out = stdout(&output);
    let line = out.lines().next().unwrap();
    let field = |name: &str| -> usize {
        let start = line.find(&format!("{name}=")).unwrap() + name.len() + 1;
        line[start..].split(',').next().unwrap().parse().unwrap()
    };
    let row: String = written.lines().nth(field("line") - 1).unwrap().to_owned();
    let found: String = row.chars().skip(field("col") - 1).collect();
    assert!(
        found.starts_with("asyncio.run(g(), debug=True)"),
        "{line}\n{row}"
    );
}

/// A syntax error that a parser places in the text unnest joins the cells
/// with (here, NUL bytes open the third cell) is named in the cell before it,
/// never a panic slicing past that cell's source.
#[test]
fn a_syntax_error_between_cells_is_named_in_a_cell_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let text = notebook(&[
        json!("import asyncio"),
        json!("expr"),
        json!(" \u{0}\u{0}\u{0}"),
    ]);
    fs::write(dir.path().join("nb.ipynb"), &text).unwrap();
    let output = run_in(dir.path(), &["--check", "nb.ipynb"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("error: nb.ipynb:cell "), "{err}");
    assert!(err.contains("syntax error"), "{err}");
    assert!(!err.contains("internal error"), "{err}");
    assert_eq!(
        fs::read_to_string(dir.path().join("nb.ipynb")).unwrap(),
        text
    );
}
