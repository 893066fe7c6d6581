//! The Python environment a project runs in, and what its installed libraries
//! do: which environment is used (`--python`, else `VIRTUAL_ENV`, else a
//! `.venv` or `venv` folder at the project root, else none), where its
//! `site-packages` are (read from the folder's layout and `pyvenv.cfg`, and
//! the path entries of its `.pth` files), and, for the packages the project
//! imports, which public functions run an event loop and what their async
//! twins are ([`summaries`]), cached across runs ([`cache`]).
//!
//! Library code is read and parsed, never imported or run. An interpreter is
//! run (isolated, without `site`) only when `--python` names one whose
//! `site-packages` its layout does not show.

pub mod cache;
pub mod packages;
pub mod summaries;

use std::path::{Path, PathBuf};

use crate::error::Error;

/// An environment found, with where it was found from.
#[derive(Debug, Clone)]
pub struct Environment {
    /// The virtual environment folder, or the interpreter given.
    pub location: PathBuf,
    /// How it was chosen: `--python`, `VIRTUAL_ENV`, `.venv at the project root`.
    pub source: String,
    /// Its `site-packages` folders, then the folders its `.pth` files add.
    pub search_paths: Vec<PathBuf>,
}

impl Environment {
    /// One line for `--verbose`.
    pub fn describe(&self) -> String {
        format!(
            "environment: {} (from {}); site-packages: {}",
            self.location.display(),
            self.source,
            self.search_paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// The environment to use: `--python PATH` (an interpreter or a virtual
/// environment folder), else `$VIRTUAL_ENV`, else `.venv` or `venv` in one
/// of `roots` (the project's root folders, in order). `None` when there is
/// none. An explicit `--python` that leads nowhere is an error.
pub fn find(
    explicit: Option<&Path>,
    virtual_env: Option<&std::ffi::OsStr>,
    roots: &[PathBuf],
) -> Result<Option<Environment>, Error> {
    if let Some(path) = explicit {
        let usage = |reason: &str| Error::Usage(format!("--python {}: {reason}", path.display()));
        if path.is_dir() {
            let search_paths = venv_site_packages(path);
            if search_paths.is_empty() {
                return Err(usage(
                    "no site-packages folder in it (expected lib/pythonX.Y/site-packages or Lib/site-packages)",
                ));
            }
            return Ok(Some(with_pth(path.to_owned(), "--python", search_paths)));
        }
        if path.is_file() {
            let search_paths = interpreter_site_packages(path);
            if search_paths.is_empty() {
                return Err(usage("cannot find the site-packages of this interpreter"));
            }
            return Ok(Some(with_pth(path.to_owned(), "--python", search_paths)));
        }
        return Err(usage("no such file or folder"));
    }
    if let Some(folder) = virtual_env.filter(|v| !v.is_empty()) {
        let folder = PathBuf::from(folder);
        let search_paths = venv_site_packages(&folder);
        if !search_paths.is_empty() {
            return Ok(Some(with_pth(folder, "VIRTUAL_ENV", search_paths)));
        }
    }
    for root in roots {
        for name in [".venv", "venv"] {
            let folder = root.join(name);
            if !folder.join("pyvenv.cfg").is_file() {
                continue;
            }
            let search_paths = venv_site_packages(&folder);
            if !search_paths.is_empty() {
                return Ok(Some(with_pth(
                    folder,
                    &format!("{name} at the project root"),
                    search_paths,
                )));
            }
        }
    }
    Ok(None)
}

fn with_pth(location: PathBuf, source: &str, mut search_paths: Vec<PathBuf>) -> Environment {
    let mut extra = Vec::new();
    for folder in &search_paths {
        extra.extend(pth_entries(folder));
    }
    for path in extra {
        if !search_paths.contains(&path) {
            search_paths.push(path);
        }
    }
    Environment {
        location,
        source: source.to_owned(),
        search_paths,
    }
}

/// The `site-packages` of a virtual environment folder: `lib/pythonX.Y/
/// site-packages` (and `lib64`), or `Lib/site-packages` on Windows; with
/// `include-system-site-packages = true` in `pyvenv.cfg`, the base
/// interpreter's too.
pub fn venv_site_packages(folder: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for lib in ["lib", "lib64"] {
        let Ok(entries) = std::fs::read_dir(folder.join(lib)) else {
            continue;
        };
        let mut versions: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("python"))
            })
            .map(|p| p.join("site-packages"))
            .filter(|p| p.is_dir())
            .collect();
        versions.sort();
        for path in versions {
            let canonical = std::fs::canonicalize(&path).unwrap_or(path);
            if !found.contains(&canonical) {
                found.push(canonical);
            }
        }
    }
    let windows = folder.join("Lib").join("site-packages");
    if windows.is_dir() && !found.iter().any(|f| same_file(f, &windows)) {
        found.push(windows);
    }
    if let Ok(config) = std::fs::read_to_string(folder.join("pyvenv.cfg")) {
        let value = |key: &str| {
            config.lines().find_map(|line| {
                let (k, v) = line.split_once('=')?;
                (k.trim() == key).then(|| v.trim().to_owned())
            })
        };
        if value("include-system-site-packages").is_some_and(|v| v.eq_ignore_ascii_case("true"))
            && let Some(home) = value("home")
        {
            // `home` is the base interpreter's folder (`/usr/bin`).
            let prefix = Path::new(&home).parent().unwrap_or(Path::new(&home));
            for path in venv_site_packages_of_prefix(prefix) {
                if !found.contains(&path) {
                    found.push(path);
                }
            }
        }
    }
    found
}

fn same_file(a: &Path, b: &Path) -> bool {
    std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok()
}

fn venv_site_packages_of_prefix(prefix: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(prefix.join("lib")) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("python3"))
        {
            for name in ["site-packages", "dist-packages"] {
                if path.join(name).is_dir() {
                    found.push(path.join(name));
                }
            }
        }
    }
    found.sort();
    found
}

/// The `site-packages` of an interpreter: its virtual environment's when it
/// sits in one (`bin/python` beside `pyvenv.cfg`), else the ones its prefix
/// shows, else what the interpreter itself says (run isolated, no `site`).
fn interpreter_site_packages(interpreter: &Path) -> Vec<PathBuf> {
    if let Some(prefix) = interpreter.parent().and_then(Path::parent) {
        if prefix.join("pyvenv.cfg").is_file() {
            return venv_site_packages(prefix);
        }
        let found = venv_site_packages_of_prefix(prefix);
        if !found.is_empty() {
            return found;
        }
    }
    let Some(stdout) = ask(interpreter) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = Vec::new();
    for line in String::from_utf8_lossy(&stdout).lines() {
        let path = PathBuf::from(line.trim());
        if path.is_dir() && !found.contains(&path) {
            found.push(path);
        }
    }
    found
}

/// How long an interpreter may take to name its `site-packages`: a program
/// given as `--python` that never answers must not hang the run.
const ASK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// What the interpreter prints for its `site-packages` (isolated, no `site`),
/// or `None` when it cannot be run, fails, or takes longer than
/// [`ASK_TIMEOUT`] (then it is killed).
fn ask(interpreter: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(interpreter)
        .args([
            "-I",
            "-S",
            "-c",
            "import sysconfig; p = sysconfig.get_paths(); print(p['purelib']); print(p['platlib'])",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let started = std::time::Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                let mut stdout = Vec::new();
                child.stdout.take()?.read_to_end(&mut stdout).ok()?;
                return status.success().then_some(stdout);
            }
            Ok(None) if started.elapsed() < ASK_TIMEOUT => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
}

/// The folders the `.pth` files of a `site-packages` folder add: each line
/// that names a folder (relative to `site-packages` or absolute). Lines that
/// start with `import` are code, which is never run; comments and missing
/// folders are skipped.
pub fn pth_entries(site_packages: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(site_packages) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "pth"))
        .collect();
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for line in text.lines() {
            let line = line.trim_end();
            if line.is_empty()
                || line.starts_with('#')
                || line.starts_with("import ")
                || line.starts_with("import\t")
            {
                continue;
            }
            let path = site_packages.join(line);
            if path.is_dir() && !found.contains(&path) {
                found.push(path);
            }
        }
    }
    found
}
