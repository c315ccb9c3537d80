//! A customer book's index as one immutable, memory-mapped file in the
//! data directory, built once per book version (at `book import`) instead
//! of at every `monitor` run.
//!
//! **Format.** The list index's format (`embargo_match::index`: envelope,
//! format and engine versions, BLAKE3 of the content, named sections),
//! nothing of its own: `b.meta` (JSON: book, version, cache key, customer
//! and shard counts) and, per shard of [`SHARD_SIZE`] customers `k`, the
//! matcher's sections under the prefix `sKKKKK.` (`s00000.m.meta`, …),
//! each shard opened as its own [`Matcher`] over a scoped view of the one
//! verified file ([`embargo_match::index::Container::scoped`]).
//!
//! **The cache.** `<data_dir>/index/books/<book>.<key>.embidx`, where the
//! key hashes what makes the file this build's (index format, engine,
//! executable: [`crate::index_file`]'s rule), the book's name and version,
//! the shard size and every customer's fields in book order. A monitor
//! reads the book's customers from `books.sqlite`, computes the key and
//! maps the file; a file that is missing, of another key (stale: the book
//! changed), another format or engine, or corrupt (checksum, sections,
//! counts) is rebuilt and the reason reported ([`BookIndexFile::rebuilt`]),
//! never used. Verified in full once, then opened on its verification
//! stamp as the list index is (`index_file`'s module docs). Files are written to a temporary name and renamed into
//! place, never modified; older files of the same book are removed once
//! the new one is in place (a process mapping one keeps its pages).
//! `EMBARGO_INDEX=memory` builds the index in memory instead, as for the
//! list snapshot.

use crate::book::{BookIndex, Customer, SHARD_SIZE};
use crate::error::{AppError, AppResult};
use crate::index_file::{
    cache_dir, describe, hash_build, open_container, refused, remove_index_file, remove_stamp,
    write_atomically_with,
};
use embargo_match::Matcher;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Where a book's index came from, for the monitor's report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BookIndexFile {
    pub path: PathBuf,
    pub bytes: u64,
    /// BLAKE3 of the file's content (hex), as in its header.
    pub checksum: String,
    /// Why this load (re)built the file; `None`: mapped as found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebuilt: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Meta {
    book: String,
    version: u64,
    key: String,
    customers: usize,
    shard_size: usize,
    shards: usize,
}

/// The folder of the book index files of a data directory.
pub fn book_index_dir(data_dir: &Path) -> PathBuf {
    cache_dir(data_dir).join("books")
}

/// The cache key of `customers` as version `version` of `book` (see the
/// module docs).
pub fn book_key(book: &str, version: u64, customers: &[Customer]) -> String {
    let mut h = blake3::Hasher::new();
    hash_build(&mut h);
    h.update(b"\nbook index\n");
    let mut field = |s: Option<&str>| match s {
        Some(s) => {
            h.update(&(s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        }
        None => {
            h.update(&u64::MAX.to_le_bytes());
        }
    };
    field(Some(book));
    field(Some(&version.to_string()));
    field(Some(&SHARD_SIZE.to_string()));
    for c in customers {
        field(Some(&c.id));
        field(Some(&c.name));
        field(c.schema.as_deref());
        field(c.country.as_deref());
        field(c.dob.as_deref());
        field(c.id_number.as_deref());
    }
    h.finalize().to_hex()[..32].to_string()
}

/// The file of `book` for cache key `key`.
pub fn book_index_path(data_dir: &Path, book: &str, key: &str) -> PathBuf {
    book_index_dir(data_dir).join(format!("{book}.{key}.embidx"))
}

fn shard_prefix(k: usize) -> String {
    format!("s{k:05}.")
}

/// Whether `file_name` is an index file of `book` (`<book>.<32 hex>.embidx`).
fn is_file_of(file_name: &str, book: &str) -> bool {
    file_name
        .strip_prefix(book)
        .and_then(|r| r.strip_prefix('.'))
        .and_then(|r| r.strip_suffix(".embidx"))
        .is_some_and(|k| k.len() == 32 && k.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Builds the index of `customers` and writes it as the file of `key`
/// (shards built in parallel by the streamed builder, which encodes the
/// sections without an in-memory index). Removes the book's other index files.
pub fn write_book_index(
    data_dir: &Path,
    book: &str,
    version: u64,
    customers: &[Customer],
    key: &str,
) -> AppResult<PathBuf> {
    use rayon::prelude::*;
    let path = book_index_path(data_dir, book, key);
    let total = customers.len().div_ceil(SHARD_SIZE) as u64;
    let done = std::sync::atomic::AtomicU64::new(0);
    let shards: Vec<Vec<(String, Vec<u8>)>> = customers
        .par_chunks(SHARD_SIZE)
        .map(|chunk| {
            // The streamed builder: the same bytes as
            // `Matcher::build(..).index_sections()`, without the in-memory
            // index.
            let secs = embargo_match::index::index_sections_streamed(
                chunk.iter().map(|c| c.entity(book)),
                &|_, _| {},
            );
            let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            crate::index_file::report("indexing the book", d, total);
            secs
        })
        .collect::<Result<_, _>>()
        .map_err(|e| AppError::encode("the book's index", e))?;
    let meta = Meta {
        book: book.to_string(),
        version,
        key: key.to_string(),
        customers: customers.len(),
        shard_size: SHARD_SIZE,
        shards: shards.len(),
    };
    let meta = serde_json::to_vec(&meta).map_err(|e| AppError::encode("book index metadata", e))?;
    let names: Vec<Vec<String>> = shards
        .iter()
        .enumerate()
        .map(|(k, secs)| {
            secs.iter()
                .map(|(n, _)| format!("{}{n}", shard_prefix(k)))
                .collect()
        })
        .collect();
    let mut refs: Vec<(&str, &[u8])> = vec![("b.meta", meta.as_slice())];
    for (secs, names) in shards.iter().zip(&names) {
        for ((_, body), name) in secs.iter().zip(names) {
            refs.push((name.as_str(), body.as_slice()));
        }
    }
    remove_stamp(&path);
    write_atomically_with(&path, |f| {
        embargo_match::index::write_to(f, &refs).map(drop)
    })?;
    if let Ok(rd) = std::fs::read_dir(book_index_dir(data_dir)) {
        for e in rd.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p != path && is_file_of(&name, book) {
                remove_index_file(&p);
            }
        }
    }
    Ok(path)
}

/// Opens the file of `key` for `customers` as version `version` of
/// `book`; refuses a file whose header, checksum, metadata or shard
/// counts do not match.
pub fn open_book_index(
    path: &Path,
    book: &str,
    version: u64,
    customers: Vec<Customer>,
    key: &str,
) -> AppResult<BookIndex> {
    let (shards, file) = open_shards(path, book, version, &customers, key)?;
    Ok(BookIndex::assemble(
        book,
        version,
        customers,
        shards,
        Some(file),
    ))
}

fn open_shards(
    path: &Path,
    book: &str,
    version: u64,
    customers: &[Customer],
    key: &str,
) -> AppResult<(Vec<Matcher>, BookIndexFile)> {
    let (c, _) = open_container(path, true)?;
    let size = c.bytes().len() as u64;
    let meta: Meta = serde_json::from_slice(c.section("b.meta").map_err(|e| refused(path, e))?)
        .map_err(|e| refused(path, format!("metadata: {e}")))?;
    if meta.key != key || meta.book != book || meta.version != version {
        return Err(refused(
            path,
            format!(
                "built for book {} version {} (key {}), not this book's current customers",
                meta.book, meta.version, meta.key
            ),
        ));
    }
    if meta.customers != customers.len()
        || meta.shard_size != SHARD_SIZE
        || meta.shards != customers.len().div_ceil(SHARD_SIZE)
    {
        return Err(refused(path, "metadata disagrees with the book"));
    }
    let mut shards = Vec::with_capacity(meta.shards);
    for (k, chunk) in customers.chunks(SHARD_SIZE).enumerate() {
        let m = Matcher::from_container(c.scoped(&shard_prefix(k)))
            .map_err(|e| refused(path, format!("shard {k}: {e}")))?;
        if m.len() != chunk.len() {
            return Err(refused(
                path,
                format!(
                    "shard {k} holds {} customers, expected {}",
                    m.len(),
                    chunk.len()
                ),
            ));
        }
        shards.push(m);
    }
    let file = BookIndexFile {
        path: path.to_path_buf(),
        bytes: size,
        checksum: c.checksum_hex(),
        rebuilt: None,
    };
    Ok((shards, file))
}

/// The index of `customers` (version `version` of `book`) from the data
/// directory's book index file, built and written first when missing,
/// stale or damaged (the reason is in [`BookIndex::file`]); in memory
/// when `EMBARGO_INDEX=memory`.
pub fn load_book_index(
    data_dir: &Path,
    book: &str,
    version: u64,
    customers: Vec<Customer>,
) -> AppResult<BookIndex> {
    if std::env::var("EMBARGO_INDEX").as_deref() == Ok("memory") {
        return Ok(BookIndex::build(book, version, customers));
    }
    let key = book_key(book, version, &customers);
    let path = book_index_path(data_dir, book, &key);
    let why = if path.exists() {
        match open_shards(&path, book, version, &customers, &key) {
            Ok((shards, file)) => {
                return Ok(BookIndex::assemble(
                    book,
                    version,
                    customers,
                    shards,
                    Some(file),
                ))
            }
            Err(e) => describe(&e),
        }
    } else {
        "no index file for this book version".to_string()
    };
    write_book_index(data_dir, book, version, &customers, &key)?;
    let (shards, mut file) = open_shards(&path, book, version, &customers, &key)?;
    file.rebuilt = Some(why);
    Ok(BookIndex::assemble(
        book,
        version,
        customers,
        shards,
        Some(file),
    ))
}

/// Makes sure the data directory holds the index file of `customers` as
/// version `version` of `book` (after a `book import`): `None` when
/// indexes are kept in memory (`EMBARGO_INDEX=memory`).
pub fn ensure_book_index(
    data_dir: &Path,
    book: &str,
    version: u64,
    customers: Vec<Customer>,
) -> AppResult<Option<BookIndexFile>> {
    if std::env::var("EMBARGO_INDEX").as_deref() == Ok("memory") {
        return Ok(None);
    }
    Ok(load_book_index(data_dir, book, version, customers)?.file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_books_files_are_its_own() {
        let k = "0123456789abcdef0123456789abcdef";
        assert!(is_file_of(&format!("a.{k}.embidx"), "a"));
        assert!(!is_file_of(&format!("a.b.{k}.embidx"), "a"));
        assert!(!is_file_of(&format!("ab.{k}.embidx"), "a"));
        assert!(!is_file_of(&format!(".a.{k}.embidx.tmp.1"), "a"));
        assert!(!is_file_of("a.xyz.embidx", "a"));
    }
}
