//! The cache of library summaries: one JSON file per package in
//! `.unnest_cache/` at the project root (or the user's cache folder when that
//! cannot be written), named by the distribution's name and version and the
//! folder it is installed in. An entry holds the size and modification time
//! of every file and folder of its package, and, for every installed package
//! its summary used (transitively), that package's entry name and a
//! fingerprint of its files' stamps. It is valid while its own stamps hold
//! and each of those packages' entries is valid for its own files with the
//! same fingerprint: an upgrade changes the version (a new entry, and the
//! dependents' recorded entry names no longer match); an edited, added or
//! removed file changes its stamp or its folder's (the entry, and every
//! entry that used it, is rebuilt). Each file is looked at once per run, however
//! many entries depend on it. Entries are written to a temporary file and
//! renamed, so concurrent runs never read half an entry.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::packages::Package;
use crate::analysis::graph::library::LibraryIndex;

/// Bumped when what an entry holds, or how it is computed, changes.
const FORMAT: u32 = 4;

#[derive(Serialize, Deserialize)]
struct Entry {
    format: u32,
    tool: String,
    /// The search path the package's files are relative to.
    base: String,
    folders: Vec<(String, u128)>,
    files: Vec<(String, u64, u128)>,
    /// The entries of the packages the summary used, with the fingerprint
    /// of their own stamps.
    deps: Vec<(String, u64)>,
    index: LibraryIndex,
}

/// The cache folder for a project rooted at `root`: `root/.unnest_cache`
/// when it can be created there, else `$XDG_CACHE_HOME/unnest` or
/// `~/.cache/unnest`.
pub fn folder(root: &Path) -> Option<PathBuf> {
    let local = root.join(".unnest_cache");
    if prepare(&local) {
        return Some(local);
    }
    let user = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?
        .join("unnest");
    prepare(&user).then_some(user)
}

/// Create the folder with a `.gitignore` that ignores it all, so neither git
/// nor unnest's own walk looks inside.
fn prepare(folder: &Path) -> bool {
    if std::fs::create_dir_all(folder).is_err() {
        return false;
    }
    let ignore = folder.join(".gitignore");
    ignore.is_file() || std::fs::write(&ignore, "# Automatically created by unnest.\n*\n").is_ok()
}

/// The size and modification time of a path, `None` when it cannot be
/// looked at.
fn stamp(path: &Path) -> Option<(u64, u128)> {
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some((meta.len(), modified))
}

/// The file name of the entry of `package`.
pub fn entry_name(package: &Package) -> String {
    let (name, version) = package
        .distribution
        .as_ref()
        .map_or(("unknown", "0"), |d| (d.name.as_str(), d.version.as_str()));
    // FNV-1a of the install folder: the same version in two environments
    // gives two entries, whose paths differ.
    let mut hash: u64 = 0xcbf29ce484222325;
    for byte in package.search_path.to_string_lossy().bytes() {
        hash = (hash ^ byte as u64).wrapping_mul(0x100000001b3);
    }
    let clean = |s: &str| {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect::<String>()
    };
    format!(
        "{}-{}-{}-{hash:016x}.json",
        clean(name),
        clean(version),
        clean(&package.top)
    )
}

/// The files and folders of one package (relative to its search path) with
/// their stamps.
#[derive(Debug, Clone, Default)]
pub struct Stamps {
    pub files: Vec<(String, u64, u128)>,
    pub folders: Vec<(String, u128)>,
}

impl Stamps {
    /// The stamps of `files` and `folders` relative to `base`; `None` when
    /// one cannot be looked at.
    pub fn of(base: &Path, files: &[PathBuf], folders: &[PathBuf]) -> Option<Self> {
        use rayon::prelude::*;
        let files = files
            .par_iter()
            .map(|f| {
                stamp(&base.join(f)).map(|(size, m)| (f.to_string_lossy().into_owned(), size, m))
            })
            .collect::<Option<Vec<_>>>()?;
        let folders = folders
            .par_iter()
            .map(|f| stamp(&base.join(f)).map(|(_, m)| (f.to_string_lossy().into_owned(), m)))
            .collect::<Option<Vec<_>>>()?;
        Some(Stamps { files, folders })
    }

    /// A fingerprint of every path and stamp (FNV-1a), which the entries of
    /// the packages that use this one record.
    pub fn fingerprint(&self) -> u64 {
        let mut hash: u64 = 0xcbf29ce484222325;
        let mut feed = |bytes: &[u8]| {
            for byte in bytes {
                hash = (hash ^ *byte as u64).wrapping_mul(0x100000001b3);
            }
        };
        for (path, size, modified) in &self.files {
            feed(path.as_bytes());
            feed(&[0]);
            feed(&size.to_le_bytes());
            feed(&modified.to_le_bytes());
        }
        feed(&[1]);
        for (path, modified) in &self.folders {
            feed(path.as_bytes());
            feed(&[0]);
            feed(&modified.to_le_bytes());
        }
        hash
    }
}

/// What a summary was valid for: the package's entry name and the
/// fingerprint of its own stamps, then the same for each package it used
/// (transitively). A package that uses this one records all of them.
#[derive(Debug, Clone, Default)]
pub struct Key {
    pub own: (String, u64),
    pub deps: Vec<(String, u64)>,
}

impl Key {
    /// The pairs a package that uses this one records.
    pub fn all(&self) -> impl Iterator<Item = &(String, u64)> {
        std::iter::once(&self.own).chain(self.deps.iter())
    }
}

/// An entry read and checked against its own package's files.
struct Loaded {
    index: LibraryIndex,
    own: u64,
    deps: Vec<(String, u64)>,
}

/// Reads entries, each at most once a run however many entries use it.
pub struct Loader<'a> {
    folder: &'a Path,
    memo: std::sync::Mutex<std::collections::HashMap<String, Option<std::sync::Arc<Loaded>>>>,
}

impl<'a> Loader<'a> {
    pub fn new(folder: &'a Path) -> Self {
        Loader {
            folder,
            memo: Default::default(),
        }
    }

    /// The entry `name`, when its own package's files and folders have the
    /// stamps it recorded.
    fn entry(&self, name: &str) -> Option<std::sync::Arc<Loaded>> {
        if let Some(known) = self.memo.lock().ok()?.get(name) {
            return known.clone();
        }
        let loaded = read_entry(&self.folder.join(name)).map(std::sync::Arc::new);
        self.memo
            .lock()
            .ok()?
            .insert(name.to_owned(), loaded.clone());
        loaded
    }

    /// The cached summary of `package`, when its entry matches every file and
    /// folder of the package and every package it used has the fingerprint
    /// it had; with the key a package using it records.
    pub fn load(&self, package: &Package) -> Option<(LibraryIndex, Key)> {
        let name = entry_name(package);
        let loaded = self.entry(&name)?;
        for (dep, fingerprint) in &loaded.deps {
            if self.entry(dep)?.own != *fingerprint {
                return None;
            }
        }
        Some((
            loaded.index.clone(),
            Key {
                own: (name, loaded.own),
                deps: loaded.deps.clone(),
            },
        ))
    }
}

fn read_entry(path: &Path) -> Option<Loaded> {
    use rayon::prelude::*;
    let text = std::fs::read(path).ok()?;
    let entry: Entry = serde_json::from_slice(&text).ok()?;
    if entry.format != FORMAT || entry.tool != env!("CARGO_PKG_VERSION") {
        return None;
    }
    let base = Path::new(&entry.base);
    let folders_same = entry
        .folders
        .par_iter()
        .all(|(path, modified)| stamp(&base.join(path)).is_some_and(|(_, m)| m == *modified));
    let files_same = folders_same
        && entry
            .files
            .par_iter()
            .all(|(path, size, modified)| stamp(&base.join(path)) == Some((*size, *modified)));
    if !files_same {
        return None;
    }
    // An entry edited by hand or by another version must not be trusted into
    // a panic: every name points at a function it holds.
    let count = entry.index.functions.len();
    if entry.index.names.iter().any(|(_, _, i)| *i >= count) {
        return None;
    }
    let own = Stamps {
        files: entry.files,
        folders: entry.folders,
    }
    .fingerprint();
    let mut index = entry.index;
    index.reindex();
    Some(Loaded {
        index,
        own,
        deps: entry.deps,
    })
}

/// Store the summary of `package`, valid while its own `stamps` hold and
/// each of `deps` (entry name, fingerprint) does. A failure costs the next
/// run a re-read, never this one.
pub fn store(
    folder: &Path,
    package: &Package,
    stamps: &Stamps,
    deps: &[(String, u64)],
    index: &LibraryIndex,
) {
    let Stamps { files, folders } = stamps.clone();
    let entry = Entry {
        format: FORMAT,
        tool: env!("CARGO_PKG_VERSION").to_owned(),
        base: package.search_path.to_string_lossy().into_owned(),
        folders,
        files,
        deps: deps.to_vec(),
        index: index.clone(),
    };
    let Ok(text) = serde_json::to_string(&entry) else {
        return;
    };
    let target = folder.join(entry_name(package));
    let Ok(mut temporary) = tempfile::NamedTempFile::new_in(folder) else {
        return;
    };
    if temporary.write_all(text.as_bytes()).is_ok() {
        let _ = temporary.persist(&target);
    }
}
