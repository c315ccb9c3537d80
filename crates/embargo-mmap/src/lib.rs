//! # embargo-mmap
//!
//! Maps an index file read-only, so that opening an index costs a file
//! open and several processes on one data directory share its pages.
//!
//! **For:** the immutable files Embargo writes itself (the index cache
//! beside the list store, exported snapshot files).
//!
//! **Not for:** files anyone may rewrite in place. Mapping is safe only
//! while the file's bytes do not change under the map: Embargo writes
//! every index file to a temporary name and renames it into place, and
//! never writes to an existing one (a replaced or deleted file stays
//! readable through an existing map on Unix).

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;

/// The bytes of a mapped file (empty files are read, not mapped).
pub type Bytes = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// Maps `path` read-only.
pub fn map(path: &Path) -> io::Result<Bytes> {
    let file = File::open(path)?;
    if file.metadata()?.len() == 0 {
        return Ok(Arc::new(Vec::<u8>::new()));
    }
    Ok(Arc::new(map_file(&file)?))
}

#[allow(unsafe_code)]
fn map_file(file: &File) -> io::Result<memmap2::Mmap> {
    // SAFETY: the map is read-only, and Embargo's index files are never
    // modified in place once renamed into their final path (see the crate
    // documentation), so the mapped bytes cannot change while mapped.
    // Every read through the map is bounds-checked slice access.
    unsafe { memmap2::Mmap::map(file) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_what_was_written() {
        let dir = std::env::temp_dir().join(format!("embargo-mmap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("x.bin");
        std::fs::write(&p, b"index bytes").unwrap();
        let m = map(&p).unwrap();
        assert_eq!((*m).as_ref(), b"index bytes");
        std::fs::write(&p, b"").unwrap();
        assert_eq!((*map(&p).unwrap()).as_ref(), b"");
        assert!(map(&dir.join("missing")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
