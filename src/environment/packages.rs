//! Where an imported top-level module lives in an environment, which files
//! make it up, and which distribution (name and version, from its
//! `*.dist-info`) installed it.

use std::path::{Path, PathBuf};

/// A top-level module found in a search path.
#[derive(Debug, Clone)]
pub struct Package {
    /// `gql` for `import gql.client`.
    pub top: String,
    /// The folder that holds it (a `site-packages` folder).
    pub search_path: PathBuf,
    /// Its `.py` files, relative to `search_path`, sorted.
    pub files: Vec<PathBuf>,
    pub distribution: Option<Distribution>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    pub name: String,
    pub version: String,
}

/// Where `top` is in `search_paths` (the first that has it, as Python's
/// import system would find it): a package folder or a `top.py` file.
pub fn locate(top: &str, search_paths: &[PathBuf]) -> Option<Package> {
    for search_path in search_paths {
        let folder = search_path.join(top);
        let file = search_path.join(format!("{top}.py"));
        let files = if folder.is_dir() {
            let mut files = Vec::new();
            walk(&folder, search_path, &mut files, 0);
            files.sort();
            if files.is_empty() {
                continue;
            }
            files
        } else if file.is_file() {
            vec![PathBuf::from(format!("{top}.py"))]
        } else {
            continue;
        };
        return Some(Package {
            top: top.to_owned(),
            search_path: search_path.clone(),
            files,
            distribution: distribution(top, search_path),
        });
    }
    None
}

fn walk(folder: &Path, base: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 32 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            // Folders that cannot be imported as a subpackage.
            if name == "__pycache__" || name.contains('.') || name.contains('-') {
                continue;
            }
            walk(&path, base, out, depth + 1);
        } else if path.extension().is_some_and(|e| e == "py")
            && let Ok(relative) = path.strip_prefix(base)
        {
            out.push(relative.to_owned());
        }
    }
}

/// The dotted module name of a file relative to its search path
/// (`gql/client.py` is `gql.client`, `gql/__init__.py` is `gql`).
pub fn module_of(relative: &Path) -> (String, bool) {
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.strip_suffix(".py").unwrap_or(&last).to_owned();
    let is_package = stem == "__init__";
    if !is_package {
        parts.push(stem);
    }
    (parts.join("."), is_package)
}

/// `Name` and `Version` of the distribution that installed `top`: its
/// `*.dist-info` folder, found by name first (`gql-4.4.0.dist-info`), else by
/// its `top_level.txt` or `RECORD`.
pub fn distribution(top: &str, search_path: &Path) -> Option<Distribution> {
    let Ok(entries) = std::fs::read_dir(search_path) else {
        return None;
    };
    let mut infos: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "dist-info"))
        .collect();
    infos.sort();
    let normalize = |s: &str| s.to_ascii_lowercase().replace(['-', '.'], "_");
    let by_name = infos.iter().find(|info| {
        info.file_name()
            .and_then(|n| n.to_string_lossy().split('-').next().map(normalize))
            .is_some_and(|name| name == normalize(top))
    });
    let info = by_name.cloned().or_else(|| {
        infos
            .iter()
            .find(|info| {
                if let Ok(text) = std::fs::read_to_string(info.join("top_level.txt")) {
                    return text.lines().any(|l| l.trim() == top);
                }
                std::fs::read_to_string(info.join("RECORD")).is_ok_and(|text| {
                    text.lines().any(|l| {
                        let path = l.split(',').next().unwrap_or("");
                        path.split('/').next() == Some(top) && path.contains('/')
                            || path == format!("{top}.py")
                    })
                })
            })
            .cloned()
    })?;
    let metadata = std::fs::read_to_string(info.join("METADATA")).ok()?;
    let header = |key: &str| {
        metadata
            .lines()
            .take_while(|l| !l.is_empty())
            .find_map(|l| l.strip_prefix(key).map(|v| v.trim().to_owned()))
    };
    Some(Distribution {
        name: header("Name:")?,
        version: header("Version:")?,
    })
}
