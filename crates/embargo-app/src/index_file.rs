//! A snapshot as one immutable, memory-mapped index file (issue 18), the
//! same file the Spark helper ships to executors (issue 15).
//!
//! The file is the matcher's index (`m.*` sections, see
//! `embargo_match::Matcher::index_sections`) plus what a screen and a
//! decision need beside it (`a.*`): the list versions, the default
//! datasets, the consolidated subjects and links, and the stored listing
//! history. The rules' regulatory tables are compiled into the binary; the
//! regime pack's records are in the index like any list's.
//!
//! **The data directory's index cache.** `<data_dir>/index/<key>.embidx`,
//! where the key hashes the index format and engine versions, the running
//! executable (so a rebuilt binary never trusts an old analysis), the pack
//! version, every stored version of every dataset with the active one, and
//! the analysts' link judgements. [`load_cached`] opens it when present and
//! intact; otherwise (missing, stale, corrupt, incompatible) it builds the
//! snapshot from the store, writes the file (temporary name, then rename)
//! and opens that, and says why in [`IndexOrigin::File::rebuilt`]. A bad
//! file is never used. Imports and activations refresh the cache at once
//! ([`refresh`]).
//!
//! **Verification stamps.** Hashing a big file at every open costs more
//! than the rest of a one-off command (0.4 s at 5 million names), so a
//! file of the data directory is verified in full ([`Container::open`])
//! once, and then stamped: `<file>.verified` records the file's device,
//! inode, size, modification and change times and checksum. An open that
//! finds a matching stamp checks the header, the section table, every
//! section's bounds and the small sections' checksums
//! ([`Container::open_quick`]); any other open verifies in full and stamps
//! again. Every write to the file changes its change time, which no one
//! can set back, so a stamp never vouches for bytes written after it; a
//! file changed within two seconds of its last change is not stamped (the
//! file system's clock is coarse), so a write in the same clock tick
//! cannot pass either. What a stamp does not catch is damage below the
//! file system (a bad disk sector under an unchanged file), in the big
//! sections; `embargo snapshot info` verifies a file in full. Files handed
//! in from outside ([`Snapshot::open_file`]) are always verified in full
//! and their contents decoded at open.

use crate::consolidate::Subjects;
use crate::error::{AppError, AppResult};
use crate::snapshot::Snapshot;
use embargo_match::index::Container;
use embargo_match::Matcher;
use embargo_model::listing::ListingHistory;
use embargo_model::{EntityId, ListVersion};
use embargo_store::Store;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

type Progress = Box<dyn Fn(&str, u64, u64) + Send + Sync>;
static PROGRESS: std::sync::OnceLock<Progress> = std::sync::OnceLock::new();

/// Installs the process's index build progress callback, `(stage, done,
/// total)` (the CLI draws a bar with it). Only the first call counts.
pub fn set_progress(f: impl Fn(&str, u64, u64) + Send + Sync + 'static) {
    let _ = PROGRESS.set(Box::new(f));
}

pub(crate) fn report(stage: &str, done: u64, total: u64) {
    if let Some(f) = PROGRESS.get() {
        f(stage, done, total);
    }
}

/// The stored listing history a file keeps for the decision engine.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SavedHistory {
    pub histories: Vec<ListingHistory>,
    pub sdn_datasets: Vec<String>,
    /// Version labels of records removed from their lists (sorted by id).
    pub removed_versions: Vec<(EntityId, String)>,
}

/// Where a snapshot's index lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IndexOrigin {
    /// Built in this process's memory.
    Memory,
    /// Memory-mapped from an index file.
    File {
        path: PathBuf,
        /// BLAKE3 of the file's content (hex).
        checksum: String,
        /// Why the file was (re)built by this open, if it was.
        rebuilt: Option<String>,
        /// Whether this open verified every section's checksum (false: a
        /// quick open on a matching verification stamp, see the module
        /// docs).
        verified_in_full: bool,
    },
}

/// What [`export`] wrote.
#[derive(Clone, Debug, Serialize)]
pub struct Exported {
    pub path: PathBuf,
    pub bytes: u64,
    /// BLAKE3 of the content (hex), as in the file's header.
    pub checksum: String,
    /// `dataset@version` of every list in the file.
    pub versions: Vec<String>,
    pub entities: usize,
}

#[derive(Serialize, Deserialize)]
struct Meta {
    /// The cache key the file was built for (`None`: exported).
    key: Option<String>,
    versions: Vec<ListVersion>,
    default_datasets: Vec<String>,
    history_from: usize,
}

pub(crate) fn refused(path: &Path, e: impl std::fmt::Display) -> AppError {
    AppError::io(
        format!("index file {} refused", path.display()),
        std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
    )
}

/// Every section of the snapshot's file, matcher first.
fn sections(snap: &Snapshot, key: Option<&str>) -> AppResult<Vec<(String, Vec<u8>)>> {
    let mut out = snap
        .matcher
        .index_sections()
        .map_err(|e| AppError::encode("the index", e))?;
    let meta = Meta {
        key: key.map(str::to_string),
        versions: snap.versions.clone(),
        default_datasets: snap.default_datasets.clone(),
        history_from: snap.history_from(),
    };
    out.push((
        "a.meta".into(),
        serde_json::to_vec(&meta).map_err(|e| AppError::encode("snapshot metadata", e))?,
    ));
    let (of, links) = snap.subjects.to_sections();
    out.push(("a.subjects.of".into(), of));
    out.push(("a.subjects.links".into(), links));
    out.push((
        "a.history".into(),
        // Through a `Value`, whose maps are sorted: the history's own maps
        // are hash maps, and equal lists must give equal bytes.
        serde_json::to_value(snap.saved_history())
            .and_then(|v| serde_json::to_vec(&v))
            .map_err(|e| AppError::encode("listing history", e))?,
    ));
    Ok(out)
}

/// Writes `bytes` to `path` through a temporary file in the same folder.
fn write_atomically(path: &Path, bytes: &[u8]) -> AppResult<()> {
    write_atomically_with(path, |f| {
        use std::io::Write;
        f.write_all(bytes)
    })
}

/// Writes `path` through a temporary file in the same folder: `fill`
/// writes the content, which is synced and then renamed into place, so
/// the final path only ever holds a complete file (the condition of the
/// memory map's safety).
pub(crate) fn write_atomically_with(
    path: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> AppResult<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(d) = dir {
        std::fs::create_dir_all(d)
            .map_err(|e| AppError::io(format!("cannot create {}", d.display()), e))?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "index".into());
    let tmp = path.with_file_name(format!(".{name}.tmp.{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&tmp)?);
        fill(&mut f)?;
        let f = f.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        AppError::io(format!("cannot write {}", path.display()), e)
    })
}

fn image(snap: &Snapshot, key: Option<&str>) -> AppResult<Vec<u8>> {
    let secs = sections(snap, key)?;
    let refs: Vec<(&str, &[u8])> = secs
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    Ok(embargo_match::index::write(&refs))
}

/// Writes `snap` as one snapshot file at `path`.
pub fn export(snap: &Snapshot, path: &Path) -> AppResult<Exported> {
    let bytes = image(snap, None)?;
    write_atomically(path, &bytes)?;
    let checksum = Container::open(Arc::new(bytes.clone()))
        .map_err(|e| refused(path, e))?
        .checksum_hex();
    Ok(Exported {
        path: path.to_path_buf(),
        bytes: bytes.len() as u64,
        checksum,
        versions: snap.version_labels(),
        entities: snap.matcher.len(),
    })
}

/// The verification stamp of the index file at `path`.
fn stamp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".verified");
    path.with_file_name(name)
}

/// What a stamp records of a file: device, inode, size, modification
/// and change times (ns).
#[cfg(unix)]
fn identity(m: &std::fs::Metadata) -> Vec<i128> {
    use std::os::unix::fs::MetadataExt;
    vec![
        i128::from(m.dev()),
        i128::from(m.ino()),
        i128::from(m.size()),
        i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
        i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec()),
    ]
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> Vec<i128> {
    Vec::new()
}

#[derive(Serialize, Deserialize, PartialEq)]
struct Stamp {
    checksum: String,
    file: Vec<i128>,
}

/// Maps and opens the index file at `path`. With `stamped`, a file whose
/// verification stamp matches is opened quickly and any other is verified
/// in full and stamped (see the module docs); without, it is verified in
/// full. The second value says whether the big sections were verified.
pub(crate) fn open_container(path: &Path, stamped: bool) -> AppResult<(Container, bool)> {
    // The file's identity before it is mapped, compared again after the
    // full verification: equal, the bytes verified are the file's.
    let now = std::fs::metadata(path)
        .ok()
        .map(|m| identity(&m))
        .filter(|id| !id.is_empty());
    let bytes = embargo_mmap::map(path)
        .map_err(|e| AppError::io(format!("cannot open index file {}", path.display()), e))?;
    // Only a data-directory file consults its stamp (no read otherwise).
    let stamp: Option<Stamp> = stamped
        .then(|| std::fs::read(stamp_path(path)).ok())
        .flatten()
        .and_then(|b| serde_json::from_slice(&b).ok());
    if let (Some(now), Some(stamp)) = (&now, &stamp) {
        if &stamp.file == now {
            let c = Container::open_quick(bytes.clone()).map_err(|e| refused(path, e))?;
            let same = std::fs::metadata(path).is_ok_and(|m| &identity(&m) == now);
            if c.checksum_hex() == stamp.checksum && same {
                return Ok((c, false));
            }
        }
    }
    let c = Container::open(bytes).map_err(|e| refused(path, e))?;
    if let (true, Some(now)) = (stamped, now) {
        // Not stamped while its last change is under two seconds old: the
        // file system's clock may not tell a later write from it.
        let settled = std::fs::metadata(path)
            .and_then(|m| m.modified().map(|t| (m, t)))
            .ok()
            .filter(|(m, t)| {
                identity(m) == now
                    && t.elapsed().is_ok_and(|d| d.as_secs() >= 2)
                    && ctime_elapsed(m).is_some_and(|d| d >= 2)
            });
        if settled.is_some() {
            let stamp = Stamp {
                checksum: c.checksum_hex(),
                file: now,
            };
            if let Ok(b) = serde_json::to_vec(&stamp) {
                // A stamp that cannot be written only costs the next open
                // a full verification.
                let _ = write_atomically(&stamp_path(path), &b);
            }
        }
    }
    Ok((c, true))
}

/// Seconds since the file's change time.
#[cfg(unix)]
fn ctime_elapsed(m: &std::fs::Metadata) -> Option<i64> {
    use std::os::unix::fs::MetadataExt;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs() as i64;
    Some(now - m.ctime())
}

#[cfg(not(unix))]
fn ctime_elapsed(_: &std::fs::Metadata) -> Option<i64> {
    None
}

/// Removes an index file and its verification stamp.
pub(crate) fn remove_index_file(path: &Path) {
    // A process that still maps it keeps its pages.
    let _ = std::fs::remove_file(path);
    remove_stamp(path);
}

/// Removes the verification stamp of the index file at `path` (before the
/// file is replaced).
pub(crate) fn remove_stamp(path: &Path) {
    let _ = std::fs::remove_file(stamp_path(path));
}

/// Opens a snapshot file; with `key`, refuses a file built for another.
pub(crate) fn open_snapshot(path: &Path, key: Option<&str>) -> AppResult<Snapshot> {
    // The data directory's own file (with a key) may be opened quickly
    // on a matching stamp; a file handed in is verified in full.
    let (c, verified_in_full) = open_container(path, key.is_some())?;
    // The snapshot's own sections are read whole and trusted (the listing
    // history is parsed at the first decision): verified at every open.
    c.verify_prefix("a.").map_err(|e| refused(path, e))?;
    let meta: Meta = serde_json::from_slice(c.section("a.meta").map_err(|e| refused(path, e))?)
        .map_err(|e| refused(path, format!("metadata: {e}")))?;
    if let Some(k) = key {
        if meta.key.as_deref() != Some(k) {
            return Err(refused(path, "built for other list versions"));
        }
    }
    let subjects = Subjects::from_sections(
        c.section("a.subjects.of").map_err(|e| refused(path, e))?,
        c.section("a.subjects.links")
            .map_err(|e| refused(path, e))?,
    )
    .map_err(|e| refused(path, e))?;
    // The history is parsed on first use (a decision or a dated screen).
    c.section("a.history").map_err(|e| refused(path, e))?;
    let history = c.clone();
    let checksum = c.checksum_hex();
    let matcher = Matcher::from_container(c).map_err(|e| refused(path, e))?;
    if meta.history_from > matcher.len() {
        return Err(refused(path, "metadata disagrees with the index"));
    }
    if key.is_none() {
        // A file a user hands in (not the data directory's own cache):
        // everything decoded lazily later is decoded once now, so a file
        // that passes its checksum but was not written by Embargo is
        // refused here rather than failing at first use.
        let history = history.section("a.history").map_err(|e| refused(path, e))?;
        serde_json::from_slice::<Option<SavedHistory>>(history)
            .map_err(|e| refused(path, format!("listing history: {e}")))?;
        matcher.check_file_bodies().map_err(|e| refused(path, e))?;
    }
    Ok(Snapshot::from_parts(
        meta.versions,
        Arc::new(matcher),
        meta.default_datasets,
        Arc::new(subjects),
        meta.history_from,
        history,
        IndexOrigin::File {
            path: path.to_path_buf(),
            checksum,
            rebuilt: None,
            verified_in_full,
        },
    ))
}

/// Hashes what makes an index file this build's: the index format and
/// engine versions and the running executable (so a rebuilt binary never
/// trusts an old analysis). Every cache key starts with it.
pub(crate) fn hash_build(h: &mut blake3::Hasher) {
    h.update(&embargo_match::index::FORMAT_VERSION.to_le_bytes());
    h.update(embargo_match::index::ENGINE_VERSION.as_bytes());
    if let Some(m) = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::metadata(p).ok())
    {
        h.update(&m.len().to_le_bytes());
        if let Ok(t) = m.modified() {
            h.update(format!("{t:?}").as_bytes());
        }
    }
}

/// The cache key of the store's current lists (see the module docs).
pub fn cache_key(store: &Store) -> AppResult<String> {
    let mut h = blake3::Hasher::new();
    hash_build(&mut h);
    h.update(embargo_pack::version().label().as_bytes());
    for status in store.lists()? {
        h.update(format!("\nactive {:?}", status.active).as_bytes());
        for v in store.versions(&status.dataset)? {
            h.update(format!("\nstored {v:?}").as_bytes());
        }
    }
    for j in store.link_judgements()? {
        h.update(format!("\njudged {j:?}").as_bytes());
    }
    Ok(h.finalize().to_hex()[..32].to_string())
}

/// The index cache folder of a data directory.
pub fn cache_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("index")
}

/// Builds the snapshot from the store, writes it to the cache, removes
/// older cache files, and opens the new file.
fn rebuild(store: &Store, data_dir: &Path, key: &str, why: String) -> AppResult<Snapshot> {
    let (snap, _) = Snapshot::build(Some(store))?;
    let path = cache_dir(data_dir).join(format!("{key}.embidx"));
    report("writing the index file", 0, 1);
    remove_stamp(&path);
    write_atomically(&path, &image(&snap, Some(key))?)?;
    report("writing the index file", 1, 1);
    if let Ok(rd) = std::fs::read_dir(cache_dir(data_dir)) {
        for e in rd.flatten() {
            let p = e.path();
            if p != path && p.extension().is_some_and(|x| x == "embidx") {
                remove_index_file(&p);
            }
        }
    }
    let mut opened = open_snapshot(&path, Some(key))?;
    if let IndexOrigin::File { rebuilt, .. } = &mut opened.index {
        *rebuilt = Some(why);
    }
    Ok(opened)
}

/// An error with its causes, one line.
pub(crate) fn describe(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}

/// The snapshot of `store`'s current lists from the data directory's index
/// cache, rebuilt first when missing, stale or damaged.
pub fn load_cached(store: &Store, data_dir: &Path) -> AppResult<Snapshot> {
    let key = cache_key(store)?;
    let path = cache_dir(data_dir).join(format!("{key}.embidx"));
    if !path.exists() {
        return rebuild(
            store,
            data_dir,
            &key,
            "no index file for these lists".into(),
        );
    }
    match open_snapshot(&path, Some(&key)) {
        Ok(s) => Ok(s),
        Err(e) => rebuild(store, data_dir, &key, describe(&e)),
    }
}

/// The snapshot an [`crate::App`] screens with: from the index cache, or
/// built in memory when `EMBARGO_INDEX=memory` (the pre-file behaviour,
/// for comparisons and as a way around a file system that cannot map).
pub fn load(store: &Store, data_dir: &Path) -> AppResult<Snapshot> {
    if std::env::var("EMBARGO_INDEX").as_deref() == Ok("memory") {
        return Snapshot::load(Some(store));
    }
    load_cached(store, data_dir)
}

/// Makes the cache match the store's lists now (after an import or an
/// activation), so the next command starts from the file.
pub fn refresh(store: &Store, data_dir: &Path) -> AppResult<()> {
    load_cached(store, data_dir).map(|_| ())
}
