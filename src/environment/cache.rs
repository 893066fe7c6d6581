//! The cache of library summaries: one JSON file per package in
//! `.unnest_cache/` at the project root (or the user's cache folder when that
//! cannot be written), named by the distribution's name and version and the
//! folder it is installed in, and valid while every file of the package has
//! the size and modification time it had when it was read. An upgrade changes
//! the version (a new entry); an edited file changes its metadata (the entry
//! is rebuilt). Entries are written to a temporary file and renamed, so
//! concurrent runs never read half an entry.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::packages::Package;
use crate::analysis::graph::library::LibraryIndex;

/// Bumped when what an entry holds, or how it is computed, changes.
const FORMAT: u32 = 3;

#[derive(Serialize, Deserialize)]
struct Entry {
    format: u32,
    tool: String,
    folders: Vec<(String, u128)>,
    files: Vec<(String, u64, u128)>,
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

fn entry_path(folder: &Path, package: &Package) -> PathBuf {
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
    folder.join(format!(
        "{}-{}-{}-{hash:016x}.json",
        clean(name),
        clean(version),
        clean(&package.top)
    ))
}

/// The files and folders an entry was valid for, with their stamps: a
/// package's own (relative to its search path) and, after them, those of the
/// packages its summary depends on (absolute), so that a dependent's entry is
/// rebuilt when a dependency changes.
#[derive(Debug, Clone, Default)]
pub struct Stamps {
    pub files: Vec<(String, u64, u128)>,
    pub folders: Vec<(String, u128)>,
}

impl Stamps {
    /// The stamps of `files` and `folders` relative to `base`, written with
    /// absolute paths when `absolute`; `None` when one cannot be looked at.
    pub fn of(base: &Path, files: &[PathBuf], folders: &[PathBuf], absolute: bool) -> Option<Self> {
        let name = |f: &Path| {
            if absolute {
                base.join(f).to_string_lossy().into_owned()
            } else {
                f.to_string_lossy().into_owned()
            }
        };
        let files = files
            .iter()
            .map(|f| stamp(&base.join(f)).map(|(size, m)| (name(f), size, m)))
            .collect::<Option<Vec<_>>>()?;
        let folders = folders
            .iter()
            .map(|f| stamp(&base.join(f)).map(|(_, m)| (name(f), m)))
            .collect::<Option<Vec<_>>>()?;
        Some(Stamps { files, folders })
    }

    /// The same stamps with paths made absolute from `base`.
    pub fn absolute(&self, base: &Path) -> Self {
        let name = |f: &str| base.join(f).to_string_lossy().into_owned();
        Stamps {
            files: self
                .files
                .iter()
                .map(|(f, size, m)| (name(f), *size, *m))
                .collect(),
            folders: self.folders.iter().map(|(f, m)| (name(f), *m)).collect(),
        }
    }

    pub fn extend(&mut self, other: &Stamps) {
        self.files.extend(other.files.iter().cloned());
        self.folders.extend(other.folders.iter().cloned());
    }
}

/// The cached summary of `package`, when its entry matches every file and
/// folder, with the stamps it was valid for.
pub fn load(folder: &Path, package: &Package) -> Option<(LibraryIndex, Stamps)> {
    let text = std::fs::read_to_string(entry_path(folder, package)).ok()?;
    let entry: Entry = serde_json::from_str(&text).ok()?;
    if entry.format != FORMAT || entry.tool != env!("CARGO_PKG_VERSION") {
        return None;
    }
    let base = &package.search_path;
    let folders_same = entry
        .folders
        .iter()
        .all(|(path, modified)| stamp(&base.join(path)).is_some_and(|(_, m)| m == *modified));
    let files_same = folders_same
        && entry
            .files
            .iter()
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
    let mut index = entry.index;
    index.reindex();
    Some((
        index,
        Stamps {
            files: entry.files,
            folders: entry.folders,
        },
    ))
}

/// Store the summary of `package`, valid while `stamps` hold. A failure
/// costs the next run a re-read, never this one.
pub fn store(folder: &Path, package: &Package, stamps: &Stamps, index: &LibraryIndex) {
    let Stamps { files, folders } = stamps.clone();
    let entry = Entry {
        format: FORMAT,
        tool: env!("CARGO_PKG_VERSION").to_owned(),
        folders,
        files,
        index: index.clone(),
    };
    let Ok(text) = serde_json::to_string(&entry) else {
        return;
    };
    let target = entry_path(folder, package);
    let Ok(mut temporary) = tempfile::NamedTempFile::new_in(folder) else {
        return;
    };
    if temporary.write_all(text.as_bytes()).is_ok() {
        let _ = temporary.persist(&target);
    }
}
