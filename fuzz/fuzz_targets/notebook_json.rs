//! Notebooks built from the fuzz bytes: the first byte chooses the shape
//! (CRLF inside the JSON strings, `\u` escapes for non-ASCII, sources as one
//! string or as lines cut into chunks, safe or unsafe fixes, `import asyncio`
//! in front); the rest, read as UTF-8 (lossy), is the code, one cell per
//! form feed. Checks: no panic; a rewritten notebook loads, has the same code
//! cells, leaves unchanged cells' sources as they were, and each cell compiles
//! as CPython would (top-level `await` allowed) whenever it did before.

#![no_main]

use libfuzzer_sys::fuzz_target;
use unnest::input::notebook::Notebook;
use unnest::project::Project;
use unnest::write::verify::python_errors;

fn json_string(text: &str, ascii: bool) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if ascii && !c.is_ascii() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn source_value(source: &str, flags: u8) -> String {
    let ascii = flags & 2 != 0;
    if flags & 8 != 0 {
        return json_string(source, ascii);
    }
    let mut items = Vec::new();
    for line in source.split_inclusive('\n') {
        let cut = line
            .char_indices()
            .nth(line.chars().count() / 2)
            .map_or(0, |(i, _)| i);
        if flags & 4 != 0 && cut > 0 {
            items.push(json_string(&line[..cut], ascii));
            items.push(json_string(&line[cut..], ascii));
        } else {
            items.push(json_string(line, ascii));
        }
    }
    format!("[{}]", items.join(", "))
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let mut cells = Vec::new();
    for piece in text.split('\u{c}') {
        let mut source = String::new();
        if flags & 32 != 0 {
            source.push_str("import asyncio\n");
        }
        source.push_str(piece);
        if flags & 1 != 0 {
            source = source.replace("\r\n", "\n").replace('\n', "\r\n");
        }
        cells.push(format!(
            "{{\"cell_type\": \"code\", \"execution_count\": null, \"metadata\": {{}}, \"outputs\": [], \"source\": {}}}",
            source_value(&source, flags)
        ));
    }
    let json = format!(
        "{{\"cells\": [{}], \"metadata\": {{}}, \"nbformat\": 4, \"nbformat_minor\": 5}}\n",
        cells.join(",\n")
    );
    let Ok(mut project) = Project::from_texts(&[("nb.ipynb", json.as_str())]) else {
        return;
    };
    project.fix(flags & 16 != 0);
    let file = &project.files[0];
    if !file.is_changed() {
        return;
    }
    let Ok(written) = file.contents() else {
        return;
    };
    let before = Notebook::parse(&json).expect("the input notebook loads");
    let after = Notebook::parse(&written).expect("the rewritten notebook loads");
    assert_eq!(
        before.cells.len(),
        after.cells.len(),
        "the code cells changed"
    );
    for (old, new) in before.cells.iter().zip(&after.cells) {
        assert_eq!(old.index, new.index);
        if old.source == new.source {
            continue;
        }
        let masked = |nb: &Notebook, i: usize| nb.pieces(&nb.module)[i].to_owned();
        let position = before
            .cells
            .iter()
            .position(|c| c.index == old.index)
            .unwrap();
        if python_errors(&masked(&before, position), true).is_empty() {
            let errors = python_errors(&masked(&after, position), true);
            assert!(
                errors.is_empty(),
                "cell {} no longer compiles: {errors:?}\n{}",
                old.index + 1,
                new.source
            );
        }
    }
});
