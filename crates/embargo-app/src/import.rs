//! Import one list file (or OFAC CSV set) into the store: parse it fully
//! first, then hand the entities to the store in one transaction. A parse
//! error therefore never reaches the store, and the previous active version
//! stays in force.

use anyhow::{Context, Result};
use embargo_model::{EntityId, ListVersion, SourceKind};
use embargo_store::{ImportOutcome, NewVersion, Store};
use serde::Serialize;
use std::path::Path;

#[derive(Clone, Debug, Serialize)]
pub struct ImportReport {
    pub version: ListVersion,
    /// False when the file was identical to the active version (a no-op).
    pub imported: bool,
    pub warnings: Vec<String>,
}

/// Parses `path` as `kind` (detected when `None`) and imports it under
/// `dataset` (the source's default dataset when `None`).
pub fn import_path(
    store: &Store,
    path: &Path,
    kind: Option<SourceKind>,
    dataset: Option<&str>,
) -> Result<ImportReport> {
    let mut parsed = embargo_sources::parse_path(path, kind)
        .with_context(|| format!("cannot import {}", path.display()))?;
    let dataset = dataset
        .map(str::to_string)
        .unwrap_or(parsed.dataset.clone());
    if dataset != parsed.dataset {
        rename_dataset(&mut parsed, &dataset);
    }
    let version = NewVersion {
        dataset: dataset.clone(),
        source: parsed.kind,
        sha256: parsed.sha256.clone(),
        published: parsed.published,
        origin: path.display().to_string(),
    };
    let is_delta = parsed.kind == SourceKind::Ftm && !parsed.deletions.is_empty();
    let outcome = if is_delta {
        store.apply_delta(version, &dataset, &parsed.entities, &parsed.deletions)?
    } else {
        store.import(version, &parsed.entities)?
    };
    let (version, imported) = match outcome {
        ImportOutcome::Imported(v) => (v, true),
        ImportOutcome::Unchanged(v) => (v, false),
    };
    Ok(ImportReport {
        version,
        imported,
        warnings: parsed.warnings,
    })
}

/// Moves every entity (and deletion) of `parsed` into `dataset`, so that a
/// list imported under another name (two custom lists, a second CSL feed)
/// has ids and dataset fields that agree with the version it is stored as.
fn rename_dataset(parsed: &mut embargo_sources::ParsedList, dataset: &str) {
    let rename = |id: &EntityId| {
        let key = id.as_str().split_once(':').map_or(id.as_str(), |(_, k)| k);
        EntityId::new(dataset, key)
    };
    for e in &mut parsed.entities {
        e.id = rename(&e.id);
        e.dataset = dataset.to_string();
    }
    for id in &mut parsed.deletions {
        *id = rename(id);
    }
    parsed.dataset = dataset.to_string();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dataset_override_renames_ids_and_datasets() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("blocklist.csv");
        std::fs::write(
            &file,
            "id,schema,name\nb1,Organization,Acme Widgets Ltd\nb2,Person,John Doe\n",
        )
        .unwrap();
        let store = Store::open(dir.path()).unwrap();
        let report = import_path(
            &store,
            &file,
            Some(SourceKind::Custom),
            Some("acme_blocklist"),
        )
        .unwrap();
        assert_eq!(report.version.dataset, "acme_blocklist");
        let (_, entities) = store.active_entities().unwrap();
        assert_eq!(entities.len(), 2);
        for e in &entities {
            assert_eq!(e.dataset, "acme_blocklist");
            assert!(e.id.as_str().starts_with("acme_blocklist:"), "{}", e.id);
        }
    }
}
