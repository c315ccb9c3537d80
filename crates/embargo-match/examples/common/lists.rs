//! The lists the examples screen against: CSL 2022-05 + OFAC SDN
//! 2024-05-03 + UN 2026-02 from the shared data folder (the issue's
//! benchmark set). Shared by `bench.rs` and `screen_lists.rs`.

use embargo_model::{Entity, SourceKind};
use std::path::Path;

const LISTS: [(&str, SourceKind); 3] = [
    (
        "data/lists/us_csl/2022-05/consolidated.csv",
        SourceKind::TradeCsl,
    ),
    (
        "data/lists/ofac_sdn/2024-05-03/sdn.csv",
        SourceKind::OfacSdn,
    ),
    (
        "data/lists/un/2026-02/UN_consolidated.xml",
        SourceKind::UnSc,
    ),
];

/// Parses the three lists under `shared`; the first file that fails to
/// parse is the error, named by its path.
pub fn load(shared: &Path) -> Result<Vec<Entity>, String> {
    let mut entities = Vec::new();
    for (rel, kind) in LISTS {
        let p = embargo_sources::parse_path(&shared.join(rel), Some(kind))
            .map_err(|e| format!("{rel}: {e}"))?;
        entities.extend(p.entities);
    }
    Ok(entities)
}
