//! Finding the files to process: explicit files as given, folders walked for
//! `*.py` and `*.ipynb` files with `.gitignore`/`.ignore` respected and the usual environment
//! and build folders skipped.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;
use ignore::overrides::OverrideBuilder;

use crate::error::Error;
use crate::input::config::Config;

/// Folders not walked into, by name at any depth (Ruff's default excludes,
/// plus `__pycache__`): version control, virtual environments, caches, build
/// output, notebook checkpoints. A folder given on the command line is walked
/// whatever its name; `exclude` in the configuration replaces this list.
pub const SKIPPED_DIRS: [&str; 27] = [
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pycache__",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
];

/// Files larger than this are generated data, not source: they are skipped,
/// with an error saying so. Reading finds them (it stops past this size),
/// so the walk needs no `stat` per file.
pub const MAX_FILE_SIZE: u64 = 16 << 20;

/// The files found, sorted and without duplicates, and the paths that failed.
#[derive(Debug, Default)]
pub struct Discovered {
    pub files: Vec<PathBuf>,
    pub errors: Vec<Error>,
}

/// Walk `paths`, each with its configuration (`configs[i]` for `paths[i]`),
/// which says what to skip besides `excludes` from the command line.
pub fn discover(
    paths: &[PathBuf],
    excludes: &[String],
    configs: &[Config],
) -> Result<Discovered, Error> {
    let mut found = Discovered::default();
    for (path, config) in paths.iter().zip(configs) {
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(err) => {
                found.errors.push(Error::Walk {
                    path: path.display().to_string(),
                    reason: match err.kind() {
                        std::io::ErrorKind::NotFound => "no such file or directory".into(),
                        _ => err.to_string(),
                    },
                });
                continue;
            }
        };
        if metadata.is_file() {
            // Explicit files are always processed, whatever their name.
            found.files.push(path.clone());
        } else if !metadata.is_dir() {
            // A named pipe or a device would be read once, and never written.
            found.errors.push(Error::Walk {
                path: path.display().to_string(),
                reason: "not a regular file or a folder".into(),
            });
        } else {
            walk(path, excludes, config, &mut found)?;
        }
    }
    // One file named twice (`a.py ./a.py /abs/a.py`, or a file and its
    // folder) is processed once. One walk yields each file once, so only
    // several paths need the resolving (a syscall per file).
    if paths.len() > 1 {
        let mut seen = std::collections::HashSet::new();
        found
            .files
            .retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    }
    found.files.sort();
    Ok(found)
}

fn walk(
    root: &Path,
    excludes: &[String],
    config: &Config,
    found: &mut Discovered,
) -> Result<(), Error> {
    let mut overrides = OverrideBuilder::new(root);
    for glob in excludes {
        overrides
            .add(&format!("!{glob}"))
            .map_err(|err| Error::Usage(format!("invalid --exclude glob `{glob}`: {err}")))?;
    }
    let overrides = overrides
        .build()
        .map_err(|err| Error::Usage(format!("invalid --exclude globs: {err}")))?;
    // Globs of the configuration match paths below its folder; entries are
    // made absolute from the resolved root, without a syscall each.
    let config = config.clone();
    let walk_root = root.to_owned();
    let absolute_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_owned());
    // The walk runs on two threads: it is mostly `getdents` and a `statx`
    // per file, and on a large tree it took a second on one. What it finds
    // is sorted afterwards, so the order the threads find it in is lost.
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .overrides(overrides)
        .threads(2)
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            let relative = entry
                .path()
                .strip_prefix(&walk_root)
                .unwrap_or(entry.path());
            entry.depth() == 0
                || !config.is_excluded(&absolute_root.join(relative), is_dir, &SKIPPED_DIRS)
        })
        .build_parallel();
    let shared = std::sync::Mutex::new(Discovered::default());
    walker.run(|| {
        // Each thread gathers its own, merged once at its end.
        let mut mine = Gathered {
            found: Discovered::default(),
            into: &shared,
            root,
        };
        Box::new(move |entry| {
            mine.visit(entry);
            ignore::WalkState::Continue
        })
    });
    let walked = shared.into_inner().unwrap_or_else(|e| e.into_inner());
    found.files.extend(walked.files);
    found.errors.extend(walked.errors);
    Ok(())
}

/// What one walking thread found, added to the shared list when the thread
/// is done.
struct Gathered<'a> {
    found: Discovered,
    into: &'a std::sync::Mutex<Discovered>,
    root: &'a Path,
}

impl Gathered<'_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) {
        let found = &mut self.found;
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if !is_file
                    || entry
                        .path()
                        .extension()
                        .is_none_or(|e| e != "py" && e != "ipynb")
                {
                    return;
                }
                found.files.push(entry.into_path());
            }
            Err(err) => found.errors.push(Error::Walk {
                path: self.root.display().to_string(),
                reason: err.to_string(),
            }),
        }
    }
}

impl Drop for Gathered<'_> {
    fn drop(&mut self) {
        let mut into = self.into.lock().unwrap_or_else(|e| e.into_inner());
        into.files.append(&mut self.found.files);
        into.errors.append(&mut self.found.errors);
    }
}
