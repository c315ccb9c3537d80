//! Import one list file (or OFAC CSV set) into the store: parse it fully
//! first, then hand the entities to the store in one transaction. A parse
//! error therefore never reaches the store, and the previous active version
//! stays in force.

use anyhow::{Context, Result};
use embargo_model::{ListVersion, SourceKind};
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
    let parsed = embargo_sources::parse_path(path, kind)
        .with_context(|| format!("cannot import {}", path.display()))?;
    let dataset = dataset
        .map(str::to_string)
        .unwrap_or(parsed.dataset.clone());
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
