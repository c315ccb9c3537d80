//! The index file's envelope: a versioned header, named sections, a
//! BLAKE3 checksum of every section and one of the section table.
//!
//! ```text
//! offset  size  field
//! 0       8     magic "EMBIDX\r\n"
//! 8       4     format version (u32 LE, FORMAT_VERSION)
//! 12      4     engine version length n (u32 LE)
//! 16      n     engine version (embargo-match crate version, UTF-8)
//! 16+n    8     content length (u64 LE)
//! 24+n    32    BLAKE3 of the section table (the file's checksum)
//! 56+n    ...   content: the section table — section count (u32 LE),
//!               then per section name length (u16 LE), name, offset
//!               (u64 LE, from the content start), length (u64 LE) and
//!               BLAKE3 of the section's bytes (32) — then the sections
//! ```
//!
//! The header's checksum covers the table, and the table holds every
//! section's checksum, so it is a checksum of the whole content: one
//! changed byte anywhere changes a section's hash or the table.
//!
//! The writer is deterministic: equal sections give equal bytes. A file
//! whose magic, format version, engine version, length or checksum does
//! not match is refused with an [`IndexError`] that says which.
//!
//! **Two ways to open.** [`Container::open`] verifies everything: header,
//! table, and the checksum of every section (hashing the whole file, in
//! parallel: about 0.4 s and every page read once at 1.4 GB). It is what a
//! file handed in from outside gets, and what a file gets the first time
//! it is opened after being written. [`Container::open_quick`] verifies
//! the header, the table's checksum, the bounds of every section and the
//! checksums of the small sections (up to [`QUICK_SECTION`] bytes each:
//! metadata, dataset names, the lexicon, the snapshot's subjects and
//! history), but not those of the big ones (entity bodies, forms,
//! postings, key maps), whose pages are then read only as queries need
//! them. It is for a file the caller knows was fully verified before and
//! has not been written to since (`embargo-app`'s verification stamp: a
//! note beside the file recording its identity, size and change time when
//! it last passed [`Container::open`]). The trade-off: a change to a big
//! section's bytes made below the file system (media corruption that
//! leaves the file's change time alone) is not detected by a quick open;
//! every write through the file system is, because it changes the
//! change time and the stamp no longer matches. [`Container::verify`]
//! checks the big sections later (`embargo snapshot info` does).
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

pub const MAGIC: &[u8; 8] = b"EMBIDX\r\n";
/// Bumped whenever the layout of any section changes (2: `m.lexicon`;
/// 3: a checksum per section, the header's over the table).
pub const FORMAT_VERSION: u32 = 3;
/// The largest section [`Container::open_quick`] still verifies.
pub const QUICK_SECTION: usize = 1 << 20;
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

/// BLAKE3 of `b` (in parallel when large).
fn hash(b: &[u8]) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    if b.len() > 1 << 24 {
        h.update_rayon(b);
    } else {
        h.update(b);
    }
    *h.finalize().as_bytes()
}

/// Writes `sections` into `out` as one file image, byte for byte what
/// [`write`] returns (which calls it), without holding the image in
/// memory: each section is hashed first (sections in parallel), then
/// header, table and sections are streamed. For files built from many
/// parts (a book's index shards).
pub fn write_to(out: &mut impl std::io::Write, sections: &[(&str, &[u8])]) -> std::io::Result<u64> {
    use rayon::prelude::*;
    let sums: Vec<[u8; 32]> = sections.par_iter().map(|(_, b)| hash(b)).collect();
    let mut table = Vec::new();
    table.extend_from_slice(&(sections.len() as u32).to_le_bytes());
    let table_len: usize = 4 + sections
        .iter()
        .map(|(n, _)| 2 + n.len() + 16 + 32)
        .sum::<usize>();
    let mut offset = table_len as u64;
    for ((name, body), sum) in sections.iter().zip(&sums) {
        table.extend_from_slice(&(name.len() as u16).to_le_bytes());
        table.extend_from_slice(name.as_bytes());
        table.extend_from_slice(&offset.to_le_bytes());
        table.extend_from_slice(&(body.len() as u64).to_le_bytes());
        table.extend_from_slice(sum);
        offset += body.len() as u64;
    }
    let content_len = offset;
    out.write_all(MAGIC)?;
    out.write_all(&FORMAT_VERSION.to_le_bytes())?;
    out.write_all(&(ENGINE_VERSION.len() as u32).to_le_bytes())?;
    out.write_all(ENGINE_VERSION.as_bytes())?;
    out.write_all(&content_len.to_le_bytes())?;
    out.write_all(&hash(&table))?;
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
    /// Name, range in the file, BLAKE3 of the section.
    sections: Vec<(String, Range<usize>, [u8; 32])>,
    checksum: [u8; 32],
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

impl Container {
    /// Checks the header, the table and the checksum of every section
    /// (the whole content), then reads the section table.
    pub fn open(bytes: Bytes) -> Result<Container, IndexError> {
        let c = Self::open_quick(bytes)?;
        c.verify()?;
        Ok(c)
    }

    /// Checks the header, the table's checksum, every section's bounds and
    /// the checksums of the sections of at most [`QUICK_SECTION`] bytes;
    /// the big sections' checksums are left to [`Container::verify`] (see
    /// the module docs for when that is enough).
    pub fn open_quick(bytes: Bytes) -> Result<Container, IndexError> {
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
        let bad = |what: &str| IndexError::Section(format!("section table: {what}"));
        // The table's extent first, so that its checksum is checked before
        // anything it says is believed.
        let count = u32_at(content, 0).ok_or(IndexError::Checksum)? as usize;
        let mut at = 4;
        for _ in 0..count {
            let len = content
                .get(at..at + 2)
                .map(|x| u16::from_le_bytes([x[0], x[1]]) as usize)
                .ok_or(IndexError::Checksum)?;
            at += 2 + len + 16 + 32;
        }
        let table = content.get(..at).ok_or(IndexError::Checksum)?;
        if hash(table) != sum {
            return Err(IndexError::Checksum);
        }
        let mut at = 4;
        let mut sections = Vec::with_capacity(count.min(1 << 16));
        for _ in 0..count {
            let len = u16::from_le_bytes([table[at], table[at + 1]]) as usize;
            let name = std::str::from_utf8(&table[at + 2..at + 2 + len])
                .map_err(|_| bad("bad name"))?
                .to_string();
            at += 2 + len;
            let off = u64_at(table, at).ok_or_else(|| bad("truncated"))? as usize;
            let size = u64_at(table, at + 8).ok_or_else(|| bad("truncated"))? as usize;
            let sec_sum: [u8; 32] = table[at + 16..at + 48]
                .try_into()
                .map_err(|_| bad("truncated"))?;
            at += 48;
            let end = off
                .checked_add(size)
                .filter(|&e| off >= table.len() && e <= content.len())
                .ok_or_else(|| bad(&format!("section {name} out of bounds")))?;
            if size <= QUICK_SECTION && hash(&content[off..end]) != sec_sum {
                return Err(IndexError::Checksum);
            }
            sections.push((name, start + off..start + end, sec_sum));
        }
        Ok(Container {
            bytes,
            sections,
            checksum: sum,
        })
    }

    /// Checks the checksum of every section (in parallel), the big ones
    /// [`Container::open_quick`] left alone included.
    pub fn verify(&self) -> Result<(), IndexError> {
        use rayon::prelude::*;
        let b = self.bytes();
        self.sections
            .par_iter()
            .filter(|(_, r, _)| r.len() > QUICK_SECTION)
            .try_for_each(|(_, r, sum)| {
                if &hash(&b[r.clone()]) == sum {
                    Ok(())
                } else {
                    Err(IndexError::Checksum)
                }
            })
    }

    /// Checks the checksums of the sections whose names start with
    /// `prefix` (after a quick open, for the big sections a caller reads
    /// whole and trusts: a snapshot's listing history).
    pub fn verify_prefix(&self, prefix: &str) -> Result<(), IndexError> {
        let b = self.bytes();
        for (n, r, sum) in &self.sections {
            if n.starts_with(prefix) && r.len() > QUICK_SECTION && &hash(&b[r.clone()]) != sum {
                return Err(IndexError::Checksum);
            }
        }
        Ok(())
    }

    /// The whole file.
    pub fn bytes(&self) -> &[u8] {
        (*self.bytes).as_ref()
    }

    /// The file's checksum (BLAKE3 of the section table, which holds every
    /// section's BLAKE3), as hex.
    pub fn checksum_hex(&self) -> String {
        self.checksum.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Where section `name` lies in [`Container::bytes`].
    pub fn range(&self, name: &str) -> Result<Range<usize>, IndexError> {
        self.sections
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, r, _)| r.clone())
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
                .filter_map(|(n, r, h)| Some((n.strip_prefix(prefix)?.to_string(), r.clone(), *h)))
                .collect(),
            checksum: self.checksum,
        }
    }

    /// Section names, in file order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.sections.iter().map(|(n, _, _)| n.as_str())
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

    #[test]
    fn a_quick_open_checks_small_sections_and_leaves_big_ones_to_verify() {
        let big = vec![7u8; QUICK_SECTION + 1];
        let good = write(&[("small", b"meta"), ("big", &big)]);
        let c = Container::open_quick(Arc::new(good.clone())).unwrap();
        c.verify().unwrap();
        assert_eq!(c.section("big").unwrap(), &big[..]);
        // One byte of the big section changed: the quick open does not
        // read it, the full open and `verify` refuse it.
        let mut bad = good.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        let quick = Container::open_quick(Arc::new(bad.clone())).unwrap();
        assert_eq!(quick.verify().err(), Some(IndexError::Checksum));
        assert_eq!(
            Container::open(Arc::new(bad)).err(),
            Some(IndexError::Checksum)
        );
        // A small section or the table changed: refused even by a quick open.
        let at = good.windows(4).position(|w| w == b"meta").unwrap();
        let mut bad = good.clone();
        bad[at] ^= 1;
        assert_eq!(
            Container::open_quick(Arc::new(bad)).err(),
            Some(IndexError::Checksum)
        );
        let table = 56 + ENGINE_VERSION.len() + 6;
        let mut bad = good.clone();
        bad[table] ^= 1;
        assert_eq!(
            Container::open_quick(Arc::new(bad)).err(),
            Some(IndexError::Checksum)
        );
    }
}
