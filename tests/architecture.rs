//! The structure ARCHITECTURE.md promises, checked from the code's own
//! `crate::` and `super::` paths: the stages of `src/` import only stages
//! below them, and no two files import each other, directly or in a loop.
//! A new import that breaks either fails here with the files that tie it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The units of `src/` (a top-level folder, or a top-level file) by stage:
/// a unit may import units of a lower stage only. Keep in step with
/// ARCHITECTURE.md's code map.
const STAGES: &[(&str, u32)] = &[
    ("error", 0),
    ("registry", 0),
    ("asyncio_api", 0),
    ("cli", 0),
    ("syntax", 1),
    ("input", 2),
    ("scan", 3),
    ("edit", 3),
    ("diagnostic", 4),
    ("analysis", 4),
    ("write", 4),
    ("evidence", 5),
    ("environment", 5),
    ("rules", 6),
    ("project", 7),
    ("output", 8),
    ("run", 9),
    ("lib", 10),
    ("main", 10),
];

/// Every module file of the crate, by module path (`analysis::graph::summary`).
fn modules() -> BTreeMap<Vec<String>, PathBuf> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<Vec<String>, PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let mut module = prefix.to_vec();
            if path.is_dir() {
                module.push(name);
                walk(&path, &module, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                if name != "mod" {
                    module.push(name);
                }
                out.insert(module, path);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &[],
        &mut out,
    );
    out
}

/// The code of a file without its comments (doc links name other stages
/// freely) and its unit tests, which may import anything.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => &text,
    };
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module paths `crate::a::b` and `super::c` in `code`, as written
/// (braced lists expanded one level).
fn paths_in(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        let mut from = 0;
        while let Some(at) = code[from..].find(start).map(|i| from + i) {
            from = at + start.len();
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            // A folder's `mod.rs` is the folder's module, so `super` is the
            // module's parent for every file.
            let mut base: Vec<String> = match start {
                "crate::" => Vec::new(),
                "self::" => module.to_vec(),
                _ => module[..module.len().saturating_sub(1)].to_vec(),
            };
            let mut rest = &code[at + start.len()..];
            // `super::super::x`
            while let Some(tail) = rest.strip_prefix("super::") {
                base.pop();
                rest = tail;
            }
            let mut segments = base.clone();
            loop {
                let len = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                if len == 0 {
                    break;
                }
                segments.push(rest[..len].to_owned());
                rest = &rest[len..];
                match rest.strip_prefix("::") {
                    Some(tail) => rest = tail,
                    None => break,
                }
            }
            if let Some(list) = rest.strip_prefix('{') {
                let list = &list[..list.find('}').unwrap_or(list.len())];
                for item in list.split(',') {
                    let item = item.trim().split("::").next().unwrap_or("").trim();
                    if !item.is_empty() && item != "self" {
                        let mut path = segments.clone();
                        path.push(item.to_owned());
                        found.push(path);
                    }
                }
            }
            found.push(segments);
        }
    }
    found
}

/// Which module file a path names: its longest prefix that is a module.
fn resolve(path: &[String], modules: &BTreeMap<Vec<String>, PathBuf>) -> Option<Vec<String>> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|prefix| modules.contains_key(prefix))
}

/// Every file's imports of other files of the crate.
fn imports() -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let modules = modules();
    let mut graph = BTreeMap::new();
    for (module, path) in &modules {
        let targets: BTreeSet<Vec<String>> = paths_in(&code_of(path), module)
            .iter()
            .filter_map(|p| resolve(p, &modules))
            .filter(|target| target != module && !module.starts_with(target))
            .collect();
        graph.insert(module.clone(), targets);
    }
    graph
}

fn unit(module: &[String]) -> &str {
    module.first().map_or("lib", String::as_str)
}

fn stage(unit: &str) -> u32 {
    STAGES
        .iter()
        .find(|(name, _)| *name == unit)
        .unwrap_or_else(|| panic!("src/{unit} has no stage in tests/architecture.rs STAGES"))
        .1
}

#[test]
fn stages_import_only_stages_below_them() {
    let mut wrong = Vec::new();
    for (module, targets) in imports() {
        for target in targets {
            let (from, to) = (unit(&module), unit(&target));
            if from != to && stage(from) <= stage(to) {
                wrong.push(format!(
                    "{} (stage {}) imports {} (stage {})",
                    module.join("::"),
                    stage(from),
                    target.join("::"),
                    stage(to)
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the stages:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_two_files_import_each_other() {
    let graph = imports();
    // Depth-first search for a back edge; the first loop found is printed.
    fn visit(
        node: &Vec<String>,
        graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<Vec<String>, u8>,
        stack: &mut Vec<Vec<String>>,
    ) -> Option<Vec<Vec<String>>> {
        state.insert(node.clone(), 1);
        stack.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|m| m == next).unwrap();
                    return Some(stack[at..].to_vec());
                }
                0 => {
                    if let Some(cycle) = visit(next, graph, state, stack) {
                        return Some(cycle);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if state.get(node).copied().unwrap_or(0) == 0
            && let Some(cycle) = visit(node, &graph, &mut state, &mut Vec::new())
        {
            let names: Vec<String> = cycle.iter().map(|m| m.join("::")).collect();
            panic!("files import each other: {}", names.join(" -> "));
        }
    }
}

#[test]
fn the_import_reader_sees_imports() {
    // Guards the two tests above against passing because they read nothing.
    let graph = imports();
    let of = |m: &str| graph[&m.split("::").map(str::to_owned).collect::<Vec<_>>()].clone();
    let rules = of("rules");
    assert!(rules.contains(&vec!["analysis".to_owned(), "runs".to_owned()]));
    assert!(rules.contains(&vec!["registry".to_owned()]));
    let runs = of("analysis::runs");
    assert!(runs.contains(&vec!["analysis".to_owned(), "scope".to_owned()]));
    let summarize = of("analysis::graph::summarize");
    assert!(summarize.contains(&vec![
        "analysis".to_owned(),
        "graph".to_owned(),
        "resolve".to_owned()
    ]));
    assert!(graph.len() > 50, "{} modules", graph.len());
}
