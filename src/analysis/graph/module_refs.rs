//! Where a file makes Python import a module of the project: its import
//! statements (at any depth, a function's local import too),
//! `importlib.import_module("m")` and `__import__("m")` with a literal name,
//! and the app strings of uvicorn, which imports the module they name inside
//! its running loop: `uvicorn.run("m:app")`, a command such as
//! `"uvicorn m:app"` or `"python -m uvicorn m:app"`, or the same as a list of
//! strings (`["uvicorn", "m:app"]`).

use crate::syntax::parents::Up;
use tree_sitter::{Node, Tree};

use super::imports::from_module;

/// What a place in a file makes Python import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleRef {
    /// Where it is: the statement, call or string.
    pub at: usize,
    /// The modules it may import, absolute: `from p import n` gives `p` and
    /// `p.n` (which is imported when it is a submodule).
    pub modules: Vec<String>,
    /// Named by a uvicorn app string, which uvicorn imports in its loop.
    pub uvicorn: bool,
}

impl ModuleRef {
    /// Whether it imports `module`: importing `a.b.c` imports `a` and `a.b`
    /// first.
    pub fn imports(&self, module: &str) -> bool {
        self.modules.iter().any(|m| {
            m == module
                || m.strip_prefix(module)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    }
}

/// Every place in the file at `tree` (module `module`) that imports a module.
pub fn module_refs(tree: &Tree, source: &str, module: &str, is_package: bool) -> Vec<ModuleRef> {
    let mut found = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
        let at = node.start_byte();
        match node.kind_str() {
            "import_statement" => {
                let mut cursor = node.walk();
                let modules = node
                    .children_by_field_name("name", &mut cursor)
                    .filter_map(|name| match name.kind_str() {
                        "dotted_name" => Some(name),
                        "aliased_import" => name.child_by_field("name"),
                        _ => None,
                    })
                    .map(|name| compact(&source[name.byte_range()]))
                    .collect();
                found.push(ModuleRef {
                    at,
                    modules,
                    uvicorn: false,
                });
            }
            "import_from_statement" => {
                let Some(from) = from_module(node, source, module, is_package) else {
                    continue;
                };
                let mut modules = vec![from.clone()];
                let mut cursor = node.walk();
                for name in node.children_by_field_name("name", &mut cursor) {
                    let name = match name.kind_str() {
                        "aliased_import" => name.child_by_field("name"),
                        _ => Some(name),
                    };
                    if let Some(name) = name.filter(|n| n.kind_str() == "dotted_name") {
                        let name = compact(&source[name.byte_range()]);
                        modules.push(if from.is_empty() {
                            name
                        } else {
                            format!("{from}.{name}")
                        });
                    }
                }
                found.push(ModuleRef {
                    at,
                    modules,
                    uvicorn: false,
                });
            }
            "call" => {
                if let Some(r) = call_ref(node, source) {
                    found.push(r);
                }
            }
            "string" => {
                if let Some(module) = string_text(node, source).as_deref().and_then(command_app) {
                    found.push(ModuleRef {
                        at,
                        modules: vec![module],
                        uvicorn: true,
                    });
                }
            }
            "list" | "tuple" => {
                let mut cursor = node.walk();
                let words: Option<Vec<String>> = node
                    .named_children(&mut cursor)
                    .map(|item| string_text(item, source))
                    .collect();
                if let Some(module) = words.and_then(|w| command_app(&w.join(" "))) {
                    found.push(ModuleRef {
                        at,
                        modules: vec![module],
                        uvicorn: true,
                    });
                }
            }
            _ => {}
        }
    }
    found.sort_by_key(|r| r.at);
    found
}

/// `import_module("m")`, `__import__("m")` and `uvicorn.run("m:app")`.
fn call_ref(call: Node, source: &str) -> Option<ModuleRef> {
    let function = call.child_by_field("function")?;
    let callee = &source[function.byte_range()];
    let last = callee.rsplit('.').next().unwrap_or(callee);
    let arguments = call.child_by_field("arguments")?;
    let first = arguments.named_child(0)?;
    let (first, keyword) = match first.kind_str() {
        "keyword_argument" => (
            first.child_by_field("value")?,
            first
                .child_by_field("name")
                .map(|n| &source[n.byte_range()]),
        ),
        _ => (first, None),
    };
    let text = string_text(first, source)?;
    if matches!(last, "import_module" | "__import__") && matches!(keyword, None | Some("name")) {
        let name = compact(&text);
        return (!name.starts_with('.') && is_dotted(&name)).then(|| ModuleRef {
            at: call.start_byte(),
            modules: vec![name],
            uvicorn: false,
        });
    }
    if callee.contains("uvicorn") && matches!(keyword, None | Some("app")) {
        return app_module(&text).map(|module| ModuleRef {
            at: call.start_byte(),
            modules: vec![module],
            uvicorn: true,
        });
    }
    None
}

/// The module of a command that starts uvicorn: the first `module:attr`
/// word after a word `uvicorn`.
fn command_app(command: &str) -> Option<String> {
    let mut words = command.split_whitespace();
    words.find(|w| *w == "uvicorn" || w.ends_with("/uvicorn"))?;
    words.find_map(app_module)
}

/// `m` of an app string `m:attr`.
fn app_module(text: &str) -> Option<String> {
    let (module, attribute) = text.trim().split_once(':')?;
    (is_dotted(module) && is_dotted(attribute)).then(|| module.to_owned())
}

fn is_dotted(text: &str) -> bool {
    !text.is_empty()
        && text.split('.').all(|part| {
            part.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
}

/// A dotted name as written, without the blanks Python allows in it.
fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The value of a plain string literal (no interpolation, no escapes).
fn string_text(node: Node, source: &str) -> Option<String> {
    if node.kind_str() != "string" {
        return None;
    }
    let mut text = String::new();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        match child.kind_str() {
            "string_start" | "string_end" => {}
            "string_content" => text.push_str(&source[child.byte_range()]),
            _ => return None,
        }
    }
    Some(text)
}
