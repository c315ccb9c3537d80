//! The index file's envelope: a versioned header, named sections and a
//! BLAKE3 checksum of everything after the header.
//!
//! ```text
//! offset  size  field
//! 0       8     magic "EMBIDX\r\n"
//! 8       4     format version (u32 LE, FORMAT_VERSION)
//! 12      4     engine version length n (u32 LE)
//! 16      n     engine version (embargo-match crate version, UTF-8)
//! 16+n    8     content length (u64 LE)
//! 24+n    32    BLAKE3 of the content
//! 56+n    ...   content: section count (u32 LE), then per section
//!               name length (u16 LE), name, offset (u64 LE, from the
//!               content start), length (u64 LE); then the section bytes
//! ```
//!
//! The writer is deterministic: equal sections give equal bytes. A file
//! whose magic, format version, engine version, length or checksum does
//! not match is refused with an [`IndexError`] that says which.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

pub const MAGIC: &[u8; 8] = b"EMBIDX\r\n";
/// Bumped whenever the layout of any section changes (2: `m.lexicon`).
pub const FORMAT_VERSION: u32 = 2;
/// The engine that wrote a file: analysis and scoring must be the same
/// code for the stored forms to mean what the query side expects.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Why an index file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexError {
    /// Not an Embargo index file at all.
    NotAnIndex,
    /// Written by another layout version.
    FormatVersion { found: u32, expected: u32 },
    /// Written by another engine version (analysis may differ).
    EngineVersion { found: String, expected: String },
    /// Shorter or longer than its header says.
    Length { found: u64, expected: u64 },
    /// The content does not hash to the header's checksum.
    Checksum,
    /// A section is missing or malformed.
    Section(String),
}

impl fmt::Display for IndexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IndexError::NotAnIndex => write!(f, "not an Embargo index file (bad magic)"),
            IndexError::FormatVersion { found, expected } => write!(
                f,
                "index file format version {found}, this build reads version {expected}: rebuild or re-export it"
            ),
            IndexError::EngineVersion { found, expected } => write!(
                f,
                "index file written by engine {found}, this build is {expected}: rebuild or re-export it"
            ),
            IndexError::Length { found, expected } => write!(
                f,
                "index file is truncated or padded: {found} content bytes, header says {expected}"
            ),
            IndexError::Checksum => {
                write!(f, "index file is corrupt: its content does not match its checksum")
            }
            IndexError::Section(s) => write!(f, "index file is corrupt: {s}"),
        }
    }
}

impl std::error::Error for IndexError {}

/// Bytes an index is read from: a memory map, or a vector.
pub type Bytes = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// Writes `sections` into one file image (see [`write_to`]).
pub fn write(sections: &[(&str, &[u8])]) -> Vec<u8> {
    let body: usize = sections
        .iter()
        .map(|(n, b)| 2 + n.len() + 16 + b.len())
        .sum();
    let mut out = Vec::with_capacity(128 + ENGINE_VERSION.len() + body);
    write_to(&mut out, sections).expect("writing to a Vec cannot fail");
    out
}

/// Writes `sections` into `out` as one file image, byte for byte what
/// [`write`] returns (which calls it), without holding the image in memory: the checksum is
/// computed over the sections first, then header, table and sections are
/// streamed. For files built from many parts (a book's index shards).
pub fn write_to(out: &mut impl std::io::Write, sections: &[(&str, &[u8])]) -> std::io::Result<u64> {
    let mut table = Vec::new();
    table.extend_from_slice(&(sections.len() as u32).to_le_bytes());
    let table_len: usize = 4 + sections
        .iter()
        .map(|(n, _)| 2 + n.len() + 16)
        .sum::<usize>();
    let mut offset = table_len as u64;
    for (name, body) in sections {
        table.extend_from_slice(&(name.len() as u16).to_le_bytes());
        table.extend_from_slice(name.as_bytes());
        table.extend_from_slice(&offset.to_le_bytes());
        table.extend_from_slice(&(body.len() as u64).to_le_bytes());
        offset += body.len() as u64;
    }
    let mut hasher = blake3::Hasher::new();
    hasher.update(&table);
    for (_, body) in sections {
        hasher.update(body);
    }
    let content_len = offset;
    out.write_all(MAGIC)?;
    out.write_all(&FORMAT_VERSION.to_le_bytes())?;
    out.write_all(&(ENGINE_VERSION.len() as u32).to_le_bytes())?;
    out.write_all(ENGINE_VERSION.as_bytes())?;
    out.write_all(&content_len.to_le_bytes())?;
    out.write_all(hasher.finalize().as_bytes())?;
    out.write_all(&table)?;
    for (_, body) in sections {
        out.write_all(body)?;
    }
    Ok(56 + ENGINE_VERSION.len() as u64 + content_len)
}

/// An opened, verified file: its bytes and where each section lies.
#[derive(Clone)]
pub struct Container {
    bytes: Bytes,
    sections: Vec<(String, Range<usize>)>,
    checksum: [u8; 32],
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

impl Container {
    /// Checks the header and the checksum of the whole content, then reads
    /// the section table.
    pub fn open(bytes: Bytes) -> Result<Container, IndexError> {
        let b: &[u8] = (*bytes).as_ref();
        if b.len() < 16 || &b[..8] != MAGIC {
            return Err(IndexError::NotAnIndex);
        }
        let version = u32_at(b, 8).ok_or(IndexError::NotAnIndex)?;
        if version != FORMAT_VERSION {
            return Err(IndexError::FormatVersion {
                found: version,
                expected: FORMAT_VERSION,
            });
        }
        let n = u32_at(b, 12).ok_or(IndexError::NotAnIndex)? as usize;
        let engine = b
            .get(16..16 + n)
            .ok_or(IndexError::NotAnIndex)
            .map(|s| String::from_utf8_lossy(s).into_owned())?;
        if engine != ENGINE_VERSION {
            return Err(IndexError::EngineVersion {
                found: engine,
                expected: ENGINE_VERSION.to_string(),
            });
        }
        let content_len = u64_at(b, 16 + n).ok_or(IndexError::NotAnIndex)?;
        let sum: [u8; 32] = b
            .get(24 + n..56 + n)
            .ok_or(IndexError::NotAnIndex)?
            .try_into()
            .map_err(|_| IndexError::NotAnIndex)?;
        let start = 56 + n;
        let found = (b.len() - start.min(b.len())) as u64;
        if found != content_len {
            return Err(IndexError::Length {
                found,
                expected: content_len,
            });
        }
        let content = &b[start..];
        let mut hasher = blake3::Hasher::new();
        if content.len() > 1 << 24 {
            hasher.update_rayon(content);
        } else {
            hasher.update(content);
        }
        if hasher.finalize().as_bytes() != &sum {
            return Err(IndexError::Checksum);
        }
        let bad = |what: &str| IndexError::Section(format!("section table: {what}"));
        let count = u32_at(content, 0).ok_or_else(|| bad("no count"))? as usize;
        let mut at = 4;
        let mut sections = Vec::with_capacity(count.min(1024));
        for _ in 0..count {
            let len = content
                .get(at..at + 2)
                .map(|x| u16::from_le_bytes([x[0], x[1]]) as usize)
                .ok_or_else(|| bad("truncated"))?;
            let name = content
                .get(at + 2..at + 2 + len)
                .and_then(|s| std::str::from_utf8(s).ok())
                .ok_or_else(|| bad("bad name"))?
                .to_string();
            at += 2 + len;
            let off = u64_at(content, at).ok_or_else(|| bad("truncated"))? as usize;
            let size = u64_at(content, at + 8).ok_or_else(|| bad("truncated"))? as usize;
            at += 16;
            let end = off
                .checked_add(size)
                .filter(|&e| e <= content.len())
                .ok_or_else(|| bad(&format!("section {name} out of bounds")))?;
            sections.push((name, start + off..start + end));
        }
        Ok(Container {
            bytes,
            sections,
            checksum: sum,
        })
    }

    /// The whole file.
    pub fn bytes(&self) -> &[u8] {
        (*self.bytes).as_ref()
    }

    /// The BLAKE3 checksum of the content, as hex.
    pub fn checksum_hex(&self) -> String {
        self.checksum.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Where section `name` lies in [`Container::bytes`].
    pub fn range(&self, name: &str) -> Result<Range<usize>, IndexError> {
        self.sections
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r.clone())
            .ok_or_else(|| IndexError::Section(format!("no section {name}")))
    }

    /// The bytes of section `name`.
    pub fn section(&self, name: &str) -> Result<&[u8], IndexError> {
        let r = self.range(name)?;
        Ok(&self.bytes()[r])
    }

    /// The sections whose names start with `prefix`, under their names
    /// without it, over the same verified bytes (no copy, no second
    /// checksum): one file holding several indexes (`s00000.m.meta`, …)
    /// gives each its own view (`m.meta`, …).
    pub fn scoped(&self, prefix: &str) -> Container {
        Container {
            bytes: self.bytes.clone(),
            sections: self
                .sections
                .iter()
                .filter_map(|(n, r)| Some((n.strip_prefix(prefix)?.to_string(), r.clone())))
                .collect(),
            checksum: self.checksum,
        }
    }

    /// Section names, in file order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.sections.iter().map(|(n, _)| n.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image() -> Vec<u8> {
        write(&[("a", b"hello"), ("b", b""), ("c", b"world")])
    }

    #[test]
    fn sections_round_trip_and_bytes_are_deterministic() {
        assert_eq!(image(), image());
        let c = Container::open(Arc::new(image())).unwrap();
        assert_eq!(c.section("a").unwrap(), b"hello");
        assert_eq!(c.section("b").unwrap(), b"");
        assert_eq!(c.section("c").unwrap(), b"world");
        assert!(matches!(c.section("d"), Err(IndexError::Section(_))));
    }

    #[test]
    fn streamed_images_open_and_scopes_see_their_sections() {
        let secs: [(&str, &[u8]); 3] = [("s0.a", b"one"), ("s1.a", b"two"), ("meta", b"m")];
        let mut streamed = Vec::new();
        let n = write_to(&mut streamed, &secs).unwrap();
        // `write` is `write_to` into a vector: one writer, so nothing to
        // compare; the streamed image must open and say its own length.
        assert_eq!(n as usize, streamed.len());
        let c = Container::open(Arc::new(streamed)).unwrap();
        assert_eq!(c.scoped("s1.").section("a").unwrap(), b"two");
        assert_eq!(c.scoped("s0.").section("a").unwrap(), b"one");
        assert!(c.scoped("s0.").section("meta").is_err());
        assert_eq!(c.scoped("s0.").names().collect::<Vec<_>>(), ["a"]);
        assert_eq!(c.scoped("s1.").checksum_hex(), c.checksum_hex());
    }

    #[test]
    fn damaged_files_are_refused_with_the_reason() {
        let mut flipped = image();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert_eq!(
            Container::open(Arc::new(flipped)).err(),
            Some(IndexError::Checksum)
        );
        let mut cut = image();
        cut.pop();
        assert!(matches!(
            Container::open(Arc::new(cut)).err(),
            Some(IndexError::Length { .. })
        ));
        let mut newer = image();
        newer[8] = 99;
        assert!(matches!(
            Container::open(Arc::new(newer)).err(),
            Some(IndexError::FormatVersion { found: 99, .. })
        ));
        let mut other = image();
        other[16] = b'X';
        assert!(matches!(
            Container::open(Arc::new(other)).err(),
            Some(IndexError::EngineVersion { .. })
        ));
        assert_eq!(
            Container::open(Arc::new(b"SQLite format 3".to_vec())).err(),
            Some(IndexError::NotAnIndex)
        );
        let msg = IndexError::Checksum.to_string();
        assert!(msg.contains("corrupt"), "{msg}");
    }
}
