//! Crash-safe file replacement: write to a temporary file in the target's
//! directory, fsync it, rename over the target, fsync the directory. A
//! reader (or a crash) sees either the old complete file or the new one,
//! never a prefix. A temporary file that is dropped unfinished is deleted.

use crate::error::UpdateError;
use std::fs::File;
use std::io::Write;
use std::path::Path;
use tempfile::NamedTempFile;

/// A new temporary file beside `target` (same directory, so rename is atomic).
pub(crate) fn temp_beside(target: &Path) -> Result<NamedTempFile, UpdateError> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(|e| UpdateError::io(dir, e))
}

/// fsyncs `tmp` and renames it to `target`, then fsyncs the directory so
/// the rename itself survives a power loss.
pub(crate) fn commit(tmp: NamedTempFile, target: &Path) -> Result<(), UpdateError> {
    tmp.as_file()
        .sync_all()
        .map_err(|e| UpdateError::io(tmp.path(), e))?;
    tmp.persist(target)
        .map_err(|e| UpdateError::io(target, e.error))?;
    sync_dir(target)
}

fn sync_dir(target: &Path) -> Result<(), UpdateError> {
    if let Some(dir) = target.parent() {
        // Directories cannot be opened for fsync on every platform; on
        // those the rename is as durable as the OS makes it.
        if let Ok(d) = File::open(dir) {
            d.sync_all().map_err(|e| UpdateError::io(dir, e))?;
        }
    }
    Ok(())
}

/// Writes `bytes` to `target` atomically.
pub(crate) fn write_file(target: &Path, bytes: &[u8]) -> Result<(), UpdateError> {
    let mut tmp = temp_beside(target)?;
    tmp.write_all(bytes)
        .map_err(|e| UpdateError::io(tmp.path(), e))?;
    commit(tmp, target)
}
