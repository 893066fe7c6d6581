//! Writing a fixed file atomically: a temporary file in the same folder, synced,
//! then renamed over the original, with the original's permissions. A reader sees
//! the old file or the new one, never a mix; a failed write leaves the old one.
//! Files that one fix changes together are all staged before any is renamed,
//! so that a file that cannot be written keeps the others of its group old.

pub mod verify;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Replace the file at `path` with `contents`, provided it still holds
/// `expected` (what was read and fixed): [`stage`], then [`Staged::commit`].
pub fn write_atomic(
    path: &Path,
    display: &str,
    roots: &[PathBuf],
    expected: &[u8],
    contents: &[u8],
) -> Result<(), Error> {
    let staged = stage(path, display, roots, expected, contents)?;
    staged.sync()?;
    staged.commit()
}

/// Sync every staged file to disk, several at a time: one after another,
/// each sync waits for its own journal commit (800 files took 3 s), while
/// syncs in flight together share commits. The result for each file, in
/// order.
pub fn sync_all(staged: &[&Staged]) -> Vec<Result<(), Error>> {
    const AT_ONCE: usize = 32;
    let chunk = staged.len().div_ceil(AT_ONCE).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = staged
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|s| s.sync()).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a sync does not panic"))
            .collect()
    })
}

/// A file's new contents, written to a temporary file beside it, waiting to
/// be synced and renamed over it. Dropped without [`Staged::commit`], the
/// temporary file is removed and the file is untouched.
pub struct Staged {
    temp: tempfile::NamedTempFile,
    target: PathBuf,
    display: String,
}

impl Staged {
    /// Sync the new contents to disk, before [`Staged::commit`] makes them
    /// the file's: a crash then leaves the old file or the whole new one.
    pub fn sync(&self) -> Result<(), Error> {
        self.temp.as_file().sync_all().map_err(|e| Error::Write {
            path: self.display.clone(),
            reason: format!("cannot sync: {e}"),
        })
    }

    /// Rename the temporary file over the original.
    pub fn commit(self) -> Result<(), Error> {
        let display = self.display;
        self.temp.persist(&self.target).map_err(|e| Error::Write {
            path: display,
            reason: format!("cannot replace the file: {}", e.error),
        })?;
        Ok(())
    }
}

/// Check that the file at `path` may be written and still holds `expected`,
/// and write `contents` to a temporary file beside it, with its permissions
/// (not yet synced: see [`Staged::sync`] and [`sync_all`]).
/// A symlink is written through to its target, so the link stays a link, but
/// only when the target lies inside one of `roots` (the paths given on the
/// command line, resolved): a link must not carry a fix to a file the user
/// did not name. A read-only file is not written, nor a file with several
/// hard links (the rename would split it from its other names, and writing
/// in place could leave it partial).
pub fn stage(
    path: &Path,
    display: &str,
    roots: &[PathBuf],
    expected: &[u8],
    contents: &[u8],
) -> Result<Staged, Error> {
    let fail = |reason: String| Error::Write {
        path: display.to_owned(),
        reason,
    };
    let target = fs::canonicalize(path).map_err(|e| fail(e.to_string()))?;
    let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link && !roots.iter().any(|root| target.starts_with(root)) {
        return Err(fail(format!(
            "it is a symbolic link to {}, outside the paths given",
            target.display()
        )));
    }
    let metadata = fs::metadata(&target).map_err(|e| fail(e.to_string()))?;
    if metadata.permissions().readonly() {
        return Err(fail("it is read-only".into()));
    }
    if let Some(links) = hard_links(&metadata).filter(|&n| n > 1) {
        return Err(fail(format!(
            "it has {links} hard links, and replacing it would split them"
        )));
    }
    let current = fs::read(&target).map_err(|e| fail(e.to_string()))?;
    if current != expected {
        return Err(fail("it changed on disk since it was read".into()));
    }
    let folder = target
        .parent()
        .ok_or_else(|| fail("it has no parent folder".into()))?;
    let mut temp = tempfile::Builder::new()
        .prefix(".unnest-")
        .suffix(".tmp")
        .tempfile_in(folder)
        .map_err(|e| fail(format!("cannot create a temporary file: {e}")))?;
    temp.write_all(contents)
        .map_err(|e| fail(format!("cannot write a temporary file: {e}")))?;
    temp.as_file()
        .set_permissions(metadata.permissions())
        .map_err(|e| fail(format!("cannot set permissions: {e}")))?;
    keep_owner(temp.path(), &metadata);
    Ok(Staged {
        temp,
        target,
        display: display.to_owned(),
    })
}

#[cfg(unix)]
fn hard_links(metadata: &fs::Metadata) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    Some(metadata.nlink())
}

#[cfg(not(unix))]
fn hard_links(_metadata: &fs::Metadata) -> Option<u64> {
    None
}

#[cfg(unix)]
fn keep_owner(path: &Path, metadata: &fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    // Only root can give a file away; for anyone else the new file is theirs
    // already, as the old one was.
    let _ = std::os::unix::fs::chown(path, Some(metadata.uid()), Some(metadata.gid()));
}

#[cfg(not(unix))]
fn keep_owner(_path: &Path, _metadata: &fs::Metadata) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_changed_since_it_was_read_is_not_written() {
        let temp = tempfile::tempdir().unwrap();
        let path = temp.path().join("a.py");
        fs::write(&path, "changed by someone else\n").unwrap();
        let roots = [temp.path().canonicalize().unwrap()];
        let result = write_atomic(&path, "a.py", &roots, b"what was read\n", b"fixed\n");
        let message = result.unwrap_err().to_string();
        assert!(message.contains("changed on disk"), "{message}");
        assert_eq!(fs::read(&path).unwrap(), b"changed by someone else\n");
    }
}
