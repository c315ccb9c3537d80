//! # embargo-sources
//!
//! Streaming parsers that turn every official sanctions and export-control
//! list file Embargo supports into [`embargo_model::Entity`] values:
//!
//! | format | module | entity ids |
//! |---|---|---|
//! | OFAC legacy CSV set (`sdn.csv` + `alt.csv`, `add.csv`, `sdn_comments.csv`; `cons_prim.csv` + `cons_*.csv`) | [`ofac_csv`], remarks in [`ofac_remarks`] | `us_ofac_sdn:<ent_num>`, `us_ofac_cons:<ent_num>` |
//! | OFAC XML (`sdn.xml`, `consolidated.xml`) | [`ofac_xml`] | same as the CSV (`uid`) |
//! | trade.gov Consolidated Screening List CSV (2022 and 2025 layouts) | [`csl`] | `us_trade_csl:<_id>` (see the module for duplicates) |
//! | BIS Denied Persons List TSV | [`dpl`] | `us_bis_dpl:<hash>` (the file has no ids) |
//! | UN Security Council consolidated XML | [`un_xml`] | `un_sc_sanctions:<DATAID>` |
//! | FollowTheMoney JSON lines and OpenSanctions deltas | [`ftm`] | `<dataset>:<FtM id>` |
//! | Embargo's custom-list CSV (`docs/custom-lists.md`) | [`custom`] | `custom_<file stem>:<id>` |
//! | DHS UFLPA Entity List page (HTML tables) or its CSV form | [`dhs_uflpa`] | `us_dhs_uflpa:<slug of the name>` |
//!
//! Entry points: [`detect`], [`parse_path`], [`parse_reader`].
//!
//! **What this crate is for:** reading bytes exactly as the publishers
//! ship them (CRLF, OFAC's `-0-` and trailing 0x1A byte, `People?s`, a
//! truncated download) into the shared model, keeping every fact the
//! source states, and failing with errors that name file, line and field.
//!
//! **What it is not for:** downloading lists (`embargo-update`), storing
//! versions or computing deltas between them (`embargo-store`), name
//! matching (`embargo-match`) or legal conclusions (`embargo-rules`). It
//! never guesses a fact the source does not state.
//!
//! **Broken UTF-8:** CSV/TSV fields that are not valid UTF-8 are decoded as
//! Windows-1252 (lossless: one character per byte) and a warning naming
//! file, line and field is added to [`ParsedList::warnings`]. XML and JSON
//! documents must be UTF-8; invalid bytes there are an error with the line.

pub mod caps;
pub mod csl;
pub mod custom;
mod delimited;
mod detect;
pub mod dhs_uflpa;
pub mod dpl;
mod error;
pub mod ftm;
pub mod ofac_csv;
pub mod ofac_remarks;
pub mod ofac_xml;
mod text;
pub mod un_xml;
mod xml;

pub use detect::detect;
pub use error::{ErrorKind, SourceError};
pub use ftm::DeltaOp;

use chrono::NaiveDate;
use embargo_model::{Entity, EntityId, SourceKind};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// One parsed version of a list: its entities plus what identifies the
/// version (hash, publication date) and what the parser had to work around.
#[derive(Debug, Clone)]
pub struct ParsedList {
    pub kind: SourceKind,
    /// Dataset name used in entity ids (`us_ofac_sdn`, `custom_blocklist`, …).
    pub dataset: String,
    /// Publication date where the file states one (UN `dateGenerated`,
    /// OFAC XML `Publish_Date`, the newest FtM `last_seen`); `None`
    /// otherwise (OFAC legacy CSV, CSL, DPL and custom lists state none).
    pub published: Option<NaiveDate>,
    /// Number of records the file itself says it holds (OFAC XML
    /// `publshInformation/Record_Count`), for importers to check that
    /// nothing was lost; `None` where the format declares no count.
    pub declared_records: Option<u64>,
    /// Files read, in the order they were hashed.
    pub files: Vec<PathBuf>,
    /// SHA-256 (hex) over all files' bytes, in `files` order.
    pub sha256: String,
    pub entities: Vec<Entity>,
    /// Ids deleted by an FtM delta file; empty for every other format.
    pub deletions: Vec<EntityId>,
    /// Things the parser worked around (non-UTF-8 fields, unparsable dates,
    /// skipped blank rows), each naming file and line.
    pub warnings: Vec<String>,
    /// Records read per file name (`sdn.csv` → 8976, `alt.csv` → 11910):
    /// lets importers report and tests check raw row counts, which differ
    /// from entity counts for multi-file sets and FtM exports.
    pub rows: BTreeMap<String, u64>,
}

impl ParsedList {
    fn new(kind: SourceKind, dataset: String) -> Self {
        ParsedList {
            kind,
            dataset,
            published: None,
            declared_records: None,
            files: vec![],
            sha256: String::new(),
            entities: vec![],
            deletions: vec![],
            warnings: vec![],
            rows: BTreeMap::new(),
        }
    }

    pub(crate) fn count_row(&mut self, file: &str) {
        *self.rows.entry(file.to_string()).or_default() += 1;
    }

    /// Adds an entity read from one record of `file`, counting the record.
    pub(crate) fn push_entity(&mut self, file: &str, e: Entity) {
        self.entities.push(e);
        self.count_row(file);
    }
}

/// Feeds every byte read through a running SHA-256, so the version hash
/// costs no second pass over the file.
pub(crate) struct Hashing<'h, R> {
    inner: R,
    hasher: &'h mut Sha256,
}

impl<R: Read> Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Dataset name for a kind; custom lists are named after their file so two
/// user lists never share ids.
fn dataset_for(kind: SourceKind, name: &str) -> String {
    if kind != SourceKind::Custom {
        return kind.dataset().to_string();
    }
    let stem = Path::new(name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("list");
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("custom_{clean}")
}

/// Parses one file of a single-file format from any reader (also used by
/// the fuzz targets). `name` is used in messages and, for custom lists, as
/// the dataset name. OFAC kinds accept either the primary legacy CSV alone
/// (no alias/address siblings) or the XML, told apart by the first byte.
pub fn parse_reader<R: Read>(
    kind: SourceKind,
    name: &str,
    reader: R,
) -> Result<ParsedList, SourceError> {
    let mut hasher = Sha256::new();
    let mut out = ParsedList::new(kind, dataset_for(kind, name));
    {
        let mut r = BufReader::new(Hashing {
            inner: reader,
            hasher: &mut hasher,
        });
        parse_one(&mut out, kind, name, &mut r)?;
        caps::check(name, &out.entities)?;
        // Hash the whole file even if the parser stopped at a closing tag.
        std::io::copy(&mut r, &mut std::io::sink()).map_err(|e| SourceError::io(name, e))?;
    }
    out.sha256 = hex::encode(hasher.finalize());
    Ok(out)
}

fn first_byte<R: BufRead>(name: &str, r: &mut R) -> Result<Option<u8>, SourceError> {
    let buf = r.fill_buf().map_err(|e| SourceError::io(name, e))?;
    Ok(buf
        .iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF)))
}

fn parse_one<R: BufRead>(
    out: &mut ParsedList,
    kind: SourceKind,
    name: &str,
    r: &mut R,
) -> Result<(), SourceError> {
    if r.fill_buf()
        .map_err(|e| SourceError::io(name, e))?
        .is_empty()
    {
        return Err(SourceError::new(name, ErrorKind::Empty));
    }
    match kind {
        SourceKind::OfacSdn | SourceKind::OfacConsolidated => {
            if first_byte(name, r)? == Some(b'<') {
                ofac_xml::parse(out, name, r)
            } else {
                ofac_csv::parse_primary(out, name, r)?;
                out.entities = ofac_csv::finish(std::mem::take(&mut out.entities));
                Ok(())
            }
        }
        SourceKind::TradeCsl => csl::parse(out, name, r),
        SourceKind::BisDpl => dpl::parse(out, name, r),
        SourceKind::UnSc => un_xml::parse(out, name, r),
        SourceKind::Ftm => ftm::parse(out, name, r),
        SourceKind::Custom => custom::parse(out, name, r),
        SourceKind::DhsUflpa => dhs_uflpa::parse(out, name, r),
        SourceKind::RegimePack => Err(SourceError::new(
            name,
            ErrorKind::Unsupported(
                "the regime pack is embedded in the binary, not parsed from a list file".into(),
            ),
        )),
    }
}

/// Parses a list file (or an OFAC legacy CSV set) from disk. With `kind`
/// `None` the kind is [`detect`]ed, and an unrecognised file is an error.
///
/// Given `sdn.csv` (or `cons_prim.csv`), or a folder holding one, the
/// sibling alias, address and comment files of the same set are read too
/// when present; `files` lists them in hashing order.
pub fn parse_path(path: &Path, kind: Option<SourceKind>) -> Result<ParsedList, SourceError> {
    let display = path.display().to_string();
    let path = if path.is_dir() {
        ["sdn.csv", "cons_prim.csv"]
            .iter()
            .map(|f| path.join(f))
            .find(|p| p.is_file())
            .ok_or_else(|| {
                SourceError::new(
                    &display,
                    ErrorKind::Unsupported(
                        "folder holds no sdn.csv or cons_prim.csv; pass a list file".into(),
                    ),
                )
            })?
    } else {
        path.to_path_buf()
    };
    let kind = match kind {
        Some(k) => k,
        None => detect(&path).ok_or_else(|| {
            SourceError::new(
                &display,
                ErrorKind::Unsupported(
                    "could not tell which list format this is; name the kind explicitly".into(),
                ),
            )
        })?,
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(&display)
        .to_string();
    let set = match kind {
        SourceKind::OfacSdn | SourceKind::OfacConsolidated => ofac_csv::siblings(&path),
        _ => None,
    };
    let Some(set) = set else {
        let f = std::fs::File::open(&path).map_err(|e| SourceError::io(&display, e))?;
        let mut out = parse_reader(kind, &name, f)?;
        out.files = vec![path];
        return Ok(out);
    };
    // An OFAC legacy CSV set: primary first, then the siblings.
    let mut hasher = Sha256::new();
    let mut out = ParsedList::new(kind, dataset_for(kind, &name));
    for (role, file) in set {
        let fname = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        let f = std::fs::File::open(&file).map_err(|e| SourceError::io(&fname, e))?;
        let mut r = BufReader::new(Hashing {
            inner: f,
            hasher: &mut hasher,
        });
        ofac_csv::parse_part(&mut out, role, &fname, &mut r)?;
        std::io::copy(&mut r, &mut std::io::sink()).map_err(|e| SourceError::io(&fname, e))?;
        out.files.push(file);
    }
    out.entities = ofac_csv::finish(std::mem::take(&mut out.entities));
    caps::check(&name, &out.entities)?;
    out.sha256 = hex::encode(hasher.finalize());
    Ok(out)
}
