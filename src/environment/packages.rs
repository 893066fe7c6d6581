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
    /// A package folder (else a `top.py` file).
    pub is_folder: bool,
    pub distribution: Option<Distribution>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Distribution {
    pub name: String,
    pub version: String,
}

/// A `*.dist-info` folder, with the top-level modules it names (its
/// `top_level.txt`, else its `RECORD`), read the first time a package is
/// looked for there and then shared by every package of the run.
#[derive(Debug)]
pub struct DistInfo {
    pub path: PathBuf,
    tops: std::sync::OnceLock<Tops>,
}

/// What a dist-info names: the lines of `top_level.txt`, or the paths of
/// `RECORD` (first folder of each path in a folder, and `x.py` files), or
/// nothing readable.
#[derive(Debug)]
enum Tops {
    TopLevel(Vec<String>),
    Record {
        folders: Vec<String>,
        files: Vec<String>,
    },
    None,
}

impl DistInfo {
    /// Whether it installed `top`.
    fn names(&self, top: &str) -> bool {
        let tops = self.tops.get_or_init(|| {
            if let Ok(text) = std::fs::read_to_string(self.path.join("top_level.txt")) {
                return Tops::TopLevel(text.lines().map(|l| l.trim().to_owned()).collect());
            }
            let Ok(text) = std::fs::read_to_string(self.path.join("RECORD")) else {
                return Tops::None;
            };
            let (mut folders, mut files) = (Vec::new(), Vec::new());
            for line in text.lines() {
                let path = line.split(',').next().unwrap_or("");
                match path.split_once('/') {
                    Some((first, _)) => folders.push(first.to_owned()),
                    None => files.push(path.to_owned()),
                }
            }
            folders.sort();
            folders.dedup();
            Tops::Record { folders, files }
        });
        match tops {
            Tops::TopLevel(lines) => lines.iter().any(|l| l == top),
            Tops::Record { folders, files } => {
                folders.iter().any(|f| f == top) || files.iter().any(|f| *f == format!("{top}.py"))
            }
            Tops::None => false,
        }
    }
}

/// The `*.dist-info` folders of each search path, listed once for all the
/// packages of a run.
pub fn dist_infos(search_paths: &[PathBuf]) -> Vec<Vec<DistInfo>> {
    search_paths
        .iter()
        .map(|search_path| {
            let mut infos: Vec<PathBuf> = std::fs::read_dir(search_path)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "dist-info"))
                .collect();
            infos.sort();
            infos
                .into_iter()
                .map(|path| DistInfo {
                    path,
                    tops: std::sync::OnceLock::new(),
                })
                .collect()
        })
        .collect()
}

/// Where `top` is in `search_paths` (the first that has it, as Python's
/// import system would find it): a package folder or a `top.py` file.
/// `infos` is [`dist_infos`] of the same paths.
pub fn locate(top: &str, search_paths: &[PathBuf], infos: &[Vec<DistInfo>]) -> Option<Package> {
    for (search_path, infos) in search_paths.iter().zip(infos) {
        let is_folder = search_path.join(top).is_dir();
        if !is_folder && !search_path.join(format!("{top}.py")).is_file() {
            continue;
        }
        return Some(Package {
            top: top.to_owned(),
            search_path: search_path.clone(),
            is_folder,
            distribution: distribution(top, infos),
        });
    }
    None
}

impl Package {
    /// Its `.py` files and its folders, relative to its search path, sorted.
    pub fn files(&self) -> (Vec<PathBuf>, Vec<PathBuf>) {
        if !self.is_folder {
            return (vec![PathBuf::from(format!("{}.py", self.top))], Vec::new());
        }
        let (mut files, mut folders) = (Vec::new(), vec![PathBuf::from(&self.top)]);
        walk(
            &self.search_path.join(&self.top),
            &self.search_path,
            &mut files,
            &mut folders,
            0,
        );
        files.sort();
        folders.sort();
        (files, folders)
    }
}

fn walk(
    folder: &Path,
    base: &Path,
    out: &mut Vec<PathBuf>,
    folders: &mut Vec<PathBuf>,
    depth: usize,
) {
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
            if let Ok(relative) = path.strip_prefix(base) {
                folders.push(relative.to_owned());
            }
            walk(&path, base, out, folders, depth + 1);
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

/// `Name` and `Version` of the distribution that installed `top`: of its
/// search path's `*.dist-info` folders (`infos`), the one named after it
/// (`gql-4.4.0.dist-info`), else the one whose `top_level.txt` or `RECORD`
/// names it.
pub fn distribution(top: &str, infos: &[DistInfo]) -> Option<Distribution> {
    let normalize = |s: &str| s.to_ascii_lowercase().replace(['-', '.'], "_");
    let by_name = infos.iter().find(|info| {
        info.path
            .file_name()
            .and_then(|n| n.to_string_lossy().split('-').next().map(normalize))
            .is_some_and(|name| name == normalize(top))
    });
    let info = &by_name
        .or_else(|| infos.iter().find(|info| info.names(top)))?
        .path;
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
