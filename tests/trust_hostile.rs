//! Hostile use of the binary: notebooks in every layout nbformat allows,
//! odd bytes and line endings, closed and full outputs, repeated and
//! concurrent writes. Each test names what it protects.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

mod common;
use common::{run_in, stderr, stdout, unnest};

/// A notebook of code cells with these `source` values.
fn notebook(sources: &[Value]) -> String {
    let cells: Vec<Value> = sources
        .iter()
        .enumerate()
        .map(|(i, source)| {
            json!({
                "cell_type": "code",
                "execution_count": i + 1,
                "id": format!("cell-{i}"),
                "metadata": {},
                "outputs": [],
                "source": source,
            })
        })
        .collect();
    let notebook = json!({
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    });
    serde_json::to_string_pretty(&notebook).unwrap() + "\n"
}

/// Every code cell of the notebook at `path` compiles, top-level await allowed.
fn assert_cells_compile(path: &Path) {
    let script = r#"
import ast, json, sys
nb = json.load(open(sys.argv[1], encoding="utf-8-sig"))
for i, cell in enumerate(nb["cells"]):
    if cell["cell_type"] != "code":
        continue
    src = cell["source"]
    src = src if isinstance(src, str) else "".join(src)
    src = "\n".join("pass" if l.lstrip().startswith(("%", "!")) else l for l in src.split("\n"))
    compile(src, f"cell {i + 1}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The Python file at `path` compiles under CPython.
fn assert_file_compiles(path: &Path) {
    let out = Command::new("python3")
        .args([
            "-c",
            "import ast,sys; compile(open(sys.argv[1], newline='').read(), sys.argv[1], 'exec')",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The byte offsets where lines start in `text`; lines end at LF, CRLF or a
/// lone CR, as SARIF counts them.
fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            starts.push(i + 1);
        }
    }
    starts
}

/// Byte offset of a SARIF (1-based row, code-point column) position.
fn sarif_offset(text: &str, starts: &[usize], row: u64, column: u64) -> usize {
    let start = starts[row as usize - 1];
    let skip = column as usize - 1;
    start
        + text[start..]
            .chars()
            .take(skip)
            .map(char::len_utf8)
            .sum::<usize>()
}

/// The replacements of every SARIF fix for `file` in `sarif`, applied
/// together to `text` (whose BOM, if any, is not counted in columns).
fn apply_sarif(sarif: &Value, file: &str, text: &str) -> String {
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let starts = line_starts(body);
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for result in sarif["runs"][0]["results"].as_array().unwrap() {
        let Some(fixes) = result.get("fixes") else {
            continue;
        };
        for change in fixes[0]["artifactChanges"].as_array().unwrap() {
            if change["artifactLocation"]["uri"] != file {
                continue;
            }
            for r in change["replacements"].as_array().unwrap() {
                let region = &r["deletedRegion"];
                let at = |row: &str, col: &str| {
                    sarif_offset(
                        body,
                        &starts,
                        region[row].as_u64().unwrap(),
                        region[col].as_u64().unwrap(),
                    )
                };
                edits.push((
                    at("startLine", "startColumn"),
                    at("endLine", "endColumn"),
                    r["insertedContent"]["text"].as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    edits.sort();
    let mut out = String::from(bom);
    let mut last = 0;
    for (start, end, content) in edits {
        assert!(start >= last, "SARIF replacements overlap");
        out.push_str(&body[last..start]);
        out.push_str(&content);
        last = end;
    }
    out.push_str(&body[last..]);
    out
}

/// Write `contents` as `name` in a fresh folder, take the SARIF of a check
/// and the file `--write` writes; return (SARIF applied, written).
fn sarif_applied_and_written(name: &str, contents: &str) -> (String, String, Value) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(name), contents).unwrap();
    let check = run_in(dir.path(), &["--check", "--format", "sarif", name]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let sarif: Value = serde_json::from_slice(&check.stdout).unwrap();
    let applied = apply_sarif(&sarif, name, contents);
    let write = run_in(dir.path(), &["--write", name]);
    assert_eq!(write.status.code(), Some(0), "{}", stderr(&write));
    let written = fs::read_to_string(dir.path().join(name)).unwrap();
    assert_ne!(written, contents, "--write changed nothing");
    if name.ends_with(".ipynb") {
        assert_cells_compile(&dir.path().join(name));
    } else {
        assert_file_compiles(&dir.path().join(name));
    }
    (applied, written, sarif)
}

fn one_fix_per_cell_sources() -> Vec<Value> {
    vec![
        json!([
            "import asyncio\n",
            "\n",
            "async def fetch():\n",
            "    return \"日本語 ☕ é\"\n"
        ]),
        // One string, no final newline, non-ASCII before the run.
        json!("s = \"café 🎉\"; x = asyncio.run(fetch())\nprint(x)"),
        // nbformat's layout, a run in the middle line.
        json!(["# مرحبا\n", "y = asyncio.run(fetch())\n", "print(y)\n"]),
        // Chunks that are not lines.
        json!(["a = 1\nz = asyncio.", "run(fetch())\n", "print(z)"]),
        json!([]),
        json!(""),
    ]
}

#[test]
fn sarif_fixes_for_notebooks_rewrite_the_ipynb_as_write_does() {
    let contents = notebook(&one_fix_per_cell_sources());
    let (applied, written, sarif) = sarif_applied_and_written("nb.ipynb", &contents);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert!(results.iter().all(|r| r.get("fixes").is_some()));
    assert_eq!(applied, written);
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("nb.ipynb"), &applied).unwrap();
    assert_cells_compile(&dir.path().join("nb.ipynb"));
}

#[test]
fn sarif_fixes_for_notebooks_follow_crlf_lone_cr_and_bom_files() {
    let pretty = notebook(&one_fix_per_cell_sources());
    for (what, contents) in [
        ("CRLF", pretty.replace('\n', "\r\n")),
        ("lone CR", pretty.replace('\n', "\r")),
        ("BOM", format!("\u{feff}{pretty}")),
        (
            "one line",
            serde_json::to_string(&serde_json::from_str::<Value>(&pretty).unwrap()).unwrap(),
        ),
    ] {
        let (applied, written, _) = sarif_applied_and_written("nb.ipynb", &contents);
        assert_eq!(applied, written, "{what}");
    }
}

#[test]
fn sarif_fixes_for_python_files_in_lone_cr_files_keep_their_line_ends() {
    let text = "import asyncio\r\rasync def fetch():\r    return 1\r\rasync def main():\r    return asyncio.run(fetch())\r";
    let (applied, written, _) = sarif_applied_and_written("m.py", text);
    assert_eq!(applied, written);
}

#[test]
fn notebooks_of_another_kernel_language_are_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let sources = [
        json!("import asyncio\nasync def f():\n    return 1\n"),
        json!("x = asyncio.run(f())\n"),
    ];
    let mut r: Value = serde_json::from_str(&notebook(&sources)).unwrap();
    r["metadata"] = json!({"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}});
    let mut julia = r.clone();
    julia["metadata"] = json!({"language_info": {"name": "julia"}});
    let python = notebook(&sources);
    for (name, text) in [
        ("r.ipynb", serde_json::to_string_pretty(&r).unwrap()),
        ("julia.ipynb", serde_json::to_string_pretty(&julia).unwrap()),
        ("py.ipynb", python),
    ] {
        fs::write(dir.path().join(name), text).unwrap();
    }
    for name in ["r.ipynb", "julia.ipynb"] {
        let before = fs::read(dir.path().join(name)).unwrap();
        let check = run_in(dir.path(), &["--check", name]);
        assert_eq!(check.status.code(), Some(0), "{name}: {}", stdout(&check));
        let write = run_in(dir.path(), &["--write", "--unsafe-fixes", name]);
        assert_eq!(write.status.code(), Some(0), "{name}: {}", stderr(&write));
        assert_eq!(fs::read(dir.path().join(name)).unwrap(), before, "{name}");
    }
    // A Python notebook with the same cells is still checked.
    let check = run_in(dir.path(), &["--check", "py.ipynb"]);
    assert_eq!(check.status.code(), Some(1));
}

/// A full stderr loses the messages, not the run: the exit status is still
/// the one of the findings, never a panic's 101.
#[test]
fn a_full_stderr_does_not_panic() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("m.py"),
        "import asyncio\nasync def f():\n    return 1\nasync def g():\n    return asyncio.run(f())\n",
    )
    .unwrap();
    for args in [
        &["--check", "m.py"][..],
        &["m.py"],
        &["--write", "--check", "nope.py"],
    ] {
        let out = unnest()
            .current_dir(dir.path())
            .args(args)
            .stdout(Stdio::null())
            .stderr(
                fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/full")
                    .unwrap(),
            )
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(1 | 2)),
            "{args:?}: {:?}",
            out.status
        );
    }
    let check = unnest()
        .current_dir(dir.path())
        .args(["--check", "m.py"])
        .stderr(
            fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        )
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1));
    assert!(stdout(&check).contains("UNN001"));
}

#[test]
fn sarif_fixes_spanning_cells_and_magics_rewrite_the_ipynb_as_write_does() {
    let contents = notebook(&[
        json!("%pip install x\nimport asyncio\n\nasync def f():\n    return \"ü\"\n"),
        json!(["def load():\n", "    return asyncio.run(f())\n"]),
        json!("%%capture\nasyncio.run(f())\n"),
        json!([
            "!echo ☕\n",
            "x = load()\n",
            "%time y = 1\n",
            "z = asyncio.run(f())"
        ]),
    ]);
    let (applied, written, sarif) = sarif_applied_and_written("nb.ipynb", &contents);
    assert!(
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r.get("fixes").is_some())
    );
    assert_eq!(applied, written);
}

/// A notebook's JSON is indexed once per file, not once per finding: 60
/// findings beside an 8 MB image output took most of a minute.
#[test]
fn machine_formats_place_the_findings_of_a_large_notebook_in_linear_time() {
    let image: String = "iVBORw0KGgo".repeat(800_000);
    let mut nb: Value = serde_json::from_str(&notebook(
        &std::iter::once(json!("import asyncio\nasync def f():\n    return 1\n"))
            .chain((0..60).map(|i| json!(format!("x{i} = asyncio.run(f())\n"))))
            .collect::<Vec<_>>(),
    ))
    .unwrap();
    nb["cells"][0]["outputs"] = json!([{
        "output_type": "display_data",
        "data": {"image/png": image},
        "metadata": {},
    }]);
    let dir = tempfile::tempdir().unwrap();
    let contents = serde_json::to_string_pretty(&nb).unwrap();
    fs::write(dir.path().join("big.ipynb"), &contents).unwrap();
    for format in ["json", "sarif", "github"] {
        let started = std::time::Instant::now();
        let out = run_in(dir.path(), &["--check", "--format", format, "big.ipynb"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let took = started.elapsed();
        assert!(took.as_secs() < 12, "--format {format} took {took:?}");
        if format == "sarif" {
            let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
            let applied = apply_sarif(&sarif, "big.ipynb", &contents);
            let write = run_in(dir.path(), &["--write", "big.ipynb"]);
            assert_eq!(write.status.code(), Some(0));
            let written = fs::read_to_string(dir.path().join("big.ipynb")).unwrap();
            assert_eq!(applied, written);
            fs::write(dir.path().join("big.ipynb"), &contents).unwrap();
        }
    }
}

/// A SARIF `uri` is a URI reference: a `#` would start a fragment and a
/// space is not allowed, so file names are percent-encoded.
#[test]
fn sarif_uris_percent_encode_file_names() {
    let dir = tempfile::tempdir().unwrap();
    let name = "x#1 %20 ☕?.py";
    fs::write(
        dir.path().join(name),
        "import asyncio\nasync def f():\n    return 1\nasync def g():\n    return asyncio.run(f())\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["--check", "--format", "sarif", name]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    let expected = "x%231%20%2520%20%E2%98%95%3F.py";
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        expected
    );
    assert_eq!(
        result["fixes"][0]["artifactChanges"][0]["artifactLocation"]["uri"],
        expected
    );
}

/// A named path that is neither a file nor a folder (a device, a named pipe)
/// is named with the reason, not skipped in silence.
#[test]
fn a_named_device_or_pipe_is_an_error_not_silence() {
    if !Path::new("/dev/null").exists() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["--check", "/dev/null"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/dev/null: not a regular file or a folder"),
        "{}",
        stderr(&out)
    );
}

/// `"nbformat": 4.0` is nbformat 4 for Python's JSON reader and nbformat;
/// it was refused as "nbformat 4.0; only nbformat 4 is supported".
#[test]
fn nbformat_written_as_a_float_is_version_4() {
    let dir = tempfile::tempdir().unwrap();
    let text = notebook(&[json!(
        "import asyncio\nasync def f():\n    return 1\nx = asyncio.run(f())\n"
    )])
    .replace("\"nbformat\": 4,", "\"nbformat\": 4.0,");
    assert!(text.contains("4.0"));
    fs::write(dir.path().join("nb.ipynb"), &text).unwrap();
    let out = run_in(dir.path(), &["--check", "nb.ipynb"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("UNN001"));
    let write = run_in(dir.path(), &["--write", "nb.ipynb"]);
    assert_eq!(write.status.code(), Some(0), "{}", stderr(&write));
    assert_eq!(
        fs::read_to_string(dir.path().join("nb.ipynb")).unwrap(),
        text.replace("asyncio.run(f())", "await f()")
    );
}

/// A fix can change several cells of a notebook, and JSON edit locations
/// count within a cell: each edit names its cell, or it cannot be placed.
#[test]
fn json_edits_of_a_notebook_fix_name_their_cell() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("nb.ipynb"),
        notebook(&[
            json!("import asyncio\nasync def f():\n    return 1\ndef load(n):\n    v = asyncio.run(f())\n    print(n)\n    return v + n\n"),
            json!("x = load(1)\n"),
        ]),
    )
    .unwrap();
    let out = run_in(dir.path(), &["--check", "--format", "json", "nb.ipynb"]);
    let items: Value = serde_json::from_slice(&out.stdout).unwrap();
    let edits = items[0]["fix"]["edits"].as_array().unwrap();
    let cells: Vec<&Value> = edits.iter().map(|e| &e["cell"]).collect();
    assert!(
        cells.contains(&&json!(1)) && cells.contains(&&json!(2)),
        "{edits:?}"
    );
    let await_in_cell_2 = edits
        .iter()
        .find(|e| e["cell"] == 2)
        .expect("an edit in cell 2");
    assert_eq!(await_in_cell_2["content"], "await ");
    assert_eq!(await_in_cell_2["location"], json!({"row": 1, "column": 5}));
}

/// A fix that makes a helper of a `.py` file async and awaits it in a
/// notebook: the SARIF fix changes both files as `--write` does.
#[test]
fn sarif_fix_across_a_module_and_a_notebook_rewrites_both_as_write_does() {
    let dir = tempfile::tempdir().unwrap();
    let helper = "import asyncio\n\nasync def f():\n    return 1\n\ndef load(n):\n    v = asyncio.run(f())\n    print(n)\n    return v + n\n";
    let nb = notebook(&[
        json!("from helper import load\n"),
        json!(["x = load(1)\n", "print(x)"]),
    ]);
    fs::write(dir.path().join("helper.py"), helper).unwrap();
    fs::write(dir.path().join("nb.ipynb"), &nb).unwrap();
    let check = run_in(
        dir.path(),
        &["--check", "--unsafe-fixes", "--format", "sarif", "."],
    );
    let sarif: Value = serde_json::from_slice(&check.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(
        results[0]["fixes"][0]["artifactChanges"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let applied = (
        apply_sarif(&sarif, "helper.py", helper),
        apply_sarif(&sarif, "nb.ipynb", &nb),
    );
    let write = run_in(dir.path(), &["--write", "--unsafe-fixes", "."]);
    assert_eq!(write.status.code(), Some(0), "{}", stderr(&write));
    let written = (
        fs::read_to_string(dir.path().join("helper.py")).unwrap(),
        fs::read_to_string(dir.path().join("nb.ipynb")).unwrap(),
    );
    assert_ne!(written.1, nb);
    assert_eq!(applied, written);
    assert_cells_compile(&dir.path().join("nb.ipynb"));
    assert_file_compiles(&dir.path().join("helper.py"));
}

/// A notebook that does not load is named even when no loop word could be
/// found in it: the byte tests that skip files cannot read it, so it is never
/// left aside in silence (the result is the same as with `UNNEST_PARSE_ALL`).
#[test]
fn a_notebook_that_does_not_load_is_named_without_a_loop_word() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("empty.ipynb", ""),
        ("object.ipynb", "{}\n"),
        ("cells.ipynb", "{\"nbformat\": 4, \"cells\": {}}\n"),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    for parse_all in [false, true] {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_unnest"));
        command
            .env_remove("VIRTUAL_ENV")
            .current_dir(dir.path())
            .arg("--check")
            .arg(".");
        if parse_all {
            command.env("UNNEST_PARSE_ALL", "1");
        }
        let output = command.output().unwrap();
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{err}");
        for name in ["empty.ipynb", "object.ipynb", "cells.ipynb"] {
            assert!(err.contains(&format!("error: {name}: skipped")), "{err}");
        }
    }
}
