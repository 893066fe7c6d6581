//! Writing a fixed file atomically: a temporary file in the same folder, synced,
//! then renamed over the original, with the original's permissions. A reader sees
//! the old file or the new one, never a mix; a failed write leaves the old one.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::error::Error;

/// Replace the file at `path` with `contents`, provided it still holds
/// `expected` (what was read and fixed). A symlink is written through to its
/// target, so the link stays a link.
pub fn write_atomic(
    path: &Path,
    display: &str,
    expected: &[u8],
    contents: &[u8],
) -> Result<(), Error> {
    let fail = |reason: String| Error::Write {
        path: display.to_owned(),
        reason,
    };
    let target = fs::canonicalize(path).map_err(|e| fail(e.to_string()))?;
    let current = fs::read(&target).map_err(|e| fail(e.to_string()))?;
    if current != expected {
        return Err(fail("it changed on disk since it was read".into()));
    }
    let metadata = fs::metadata(&target).map_err(|e| fail(e.to_string()))?;
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
    temp.as_file()
        .sync_all()
        .map_err(|e| fail(format!("cannot sync: {e}")))?;
    temp.persist(&target)
        .map_err(|e| fail(format!("cannot replace the file: {}", e.error)))?;
    Ok(())
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
