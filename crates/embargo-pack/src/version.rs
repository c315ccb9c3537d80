//! The pack's `ListVersion`: which research state the embedded data is.
//!
//! The label is `<cut-off date>-<first 8 hex of sha256>`; the hash runs over
//! the data files in `FILES` order, each preceded by its name and a NUL and
//! followed by a NUL, so that moving a line between files changes it too.

use crate::load::FILES;
use chrono::{NaiveDate, TimeZone, Utc};
use embargo_model::{ListVersion, SourceKind};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Dataset name of every pack entity (same as `SourceKind::RegimePack.dataset()`).
pub const DATASET: &str = "embargo_xinjiang_pack";

/// Research cut-off: the newest official record the pack was checked
/// against (the CSL snapshot generated 2026-07-31, RULES.md).
pub const CUTOFF: (i32, u32, u32) = (2026, 7, 31);

fn cutoff_date() -> NaiveDate {
    // A literal, valid date; the fallback is unreachable but keeps this panic-free.
    NaiveDate::from_ymd_opt(CUTOFF.0, CUTOFF.1, CUTOFF.2).unwrap_or_default()
}

fn sha256_hex() -> &'static str {
    static SHA: OnceLock<String> = OnceLock::new();
    SHA.get_or_init(|| {
        let mut h = Sha256::new();
        for (name, text) in FILES {
            h.update(name.as_bytes());
            h.update([0]);
            h.update(text.as_bytes());
            h.update([0]);
        }
        hex::encode(h.finalize())
    })
}

/// Version metadata of the embedded pack. `imported_at` is the cut-off date
/// at midnight UTC rather than "now", so that two runs of the same binary
/// report the same version (screening results name it).
pub fn version() -> ListVersion {
    let sha = sha256_hex();
    let published = cutoff_date();
    ListVersion {
        dataset: DATASET.to_string(),
        source: SourceKind::RegimePack,
        version: format!("{published}-{}", &sha[..8]),
        sha256: sha.to_string(),
        published: Some(published),
        published_basis: Some(embargo_model::PublishedBasis::File),
        imported_at: Utc.from_utc_datetime(&published.and_time(chrono::NaiveTime::MIN)),
        entity_count: crate::entities().len() as u64,
        origin: "embedded".to_string(),
    }
}
