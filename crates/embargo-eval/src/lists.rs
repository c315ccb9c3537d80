//! Loading the real list files the screening evaluations run against.

use crate::EvalError;
use embargo_model::{Entity, SourceKind};
use std::path::Path;

/// The UN list used by the positives evaluation.
pub const UN: &str = "data/lists/un/2026-02/UN_consolidated.xml";
/// CSL 2022.
pub const CSL: &str = "data/lists/us_csl/2022-05/consolidated.csv";
/// SDN 2024-05-03.
pub const SDN: &str = "data/lists/ofac_sdn/2024-05-03/sdn.csv";

/// Parses one list file with `embargo-sources`.
pub fn load(shared: &Path, rel: &str, kind: SourceKind) -> Result<Vec<Entity>, EvalError> {
    let path = shared.join(rel);
    if !path.exists() {
        return Err(EvalError::Missing { path });
    }
    embargo_sources::parse_path(&path, Some(kind))
        .map(|p| p.entities)
        .map_err(|e| EvalError::List {
            path,
            message: e.to_string(),
        })
}

/// CSL 2022 + SDN 2024-05-03 + UN, the benchmark and negatives corpus.
pub fn load_all(shared: &Path) -> Result<Vec<Entity>, EvalError> {
    let mut v = load(shared, CSL, SourceKind::TradeCsl)?;
    v.extend(load(shared, SDN, SourceKind::OfacSdn)?);
    v.extend(load(shared, UN, SourceKind::UnSc)?);
    Ok(v)
}
