//! Module names from paths, the way Python imports them: a folder is a package
//! when it holds `__init__.py`, and a module's name runs from the top-most
//! package above it (`app/users.py` with `app/__init__.py` is `app.users`). A file
//! outside any package is named by its stem, as a script's siblings import it.

use std::path::Path;

/// The dotted module name of the Python file at `path`.
pub fn module_name(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut parts = Vec::new();
    if stem != "__init__" {
        parts.push(stem);
    }
    let mut folder = path.parent();
    while let Some(dir) = folder {
        if dir.as_os_str().is_empty() || !dir.join("__init__.py").is_file() {
            break;
        }
        match dir.file_name() {
            Some(name) => parts.push(name.to_string_lossy().into_owned()),
            None => break,
        }
        folder = dir.parent();
    }
    parts.reverse();
    parts.join(".")
}

/// Whether the file at `path` is a package's `__init__.py`.
pub fn is_package(path: &Path) -> bool {
    path.file_stem().is_some_and(|s| s == "__init__")
}

/// The absolute module a relative import names: `from ..x import y` in module
/// `a.b.c` means `a.x`. `dots` is the number of leading dots.
pub fn resolve_relative(
    current: &str,
    is_package: bool,
    dots: usize,
    rest: &str,
) -> Option<String> {
    let mut parts: Vec<&str> = if current.is_empty() {
        Vec::new()
    } else {
        current.split('.').collect()
    };
    // A module's package is its name minus the last part; a package is its own.
    let up = if is_package { dots - 1 } else { dots };
    if up > parts.len() {
        return None;
    }
    parts.truncate(parts.len() - up);
    if !rest.is_empty() {
        parts.push(rest);
    }
    Some(parts.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_imports() {
        assert_eq!(
            resolve_relative("a.b.c", false, 1, "x").as_deref(),
            Some("a.b.x")
        );
        assert_eq!(
            resolve_relative("a.b.c", false, 2, "x").as_deref(),
            Some("a.x")
        );
        assert_eq!(
            resolve_relative("a.b", true, 1, "x").as_deref(),
            Some("a.b.x")
        );
        assert_eq!(resolve_relative("a.b", true, 1, "").as_deref(), Some("a.b"));
        assert_eq!(resolve_relative("a", false, 3, "x"), None);
    }

    #[test]
    fn packages_by_init_files() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path();
        std::fs::create_dir_all(root.join("app/api")).unwrap();
        for file in [
            "app/__init__.py",
            "app/api/__init__.py",
            "app/api/users.py",
            "script.py",
        ] {
            std::fs::write(root.join(file), "").unwrap();
        }
        assert_eq!(module_name(&root.join("app/api/users.py")), "app.api.users");
        assert_eq!(module_name(&root.join("app/api/__init__.py")), "app.api");
        assert_eq!(module_name(&root.join("script.py")), "script");
    }
}
