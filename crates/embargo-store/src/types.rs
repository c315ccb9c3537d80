//! The values the store takes and returns.

use chrono::NaiveDate;
use embargo_model::{Entity, EntityId, ListVersion, SourceKind};
use serde::{Deserialize, Serialize};

/// What the caller knows about a file it is about to import. The store adds
/// the version label, import time and entity count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewVersion {
    pub dataset: String,
    pub source: SourceKind,
    /// SHA-256 (64 hex digits) of the imported bytes; for a set of files,
    /// of all files in a fixed order. Equal to the active version's means
    /// "already imported".
    pub sha256: String,
    /// Publication date the file states, if any; else the label uses the
    /// import date.
    pub published: Option<NaiveDate>,
    /// Where the bytes came from: a path or URL.
    pub origin: String,
}

/// Result of [`crate::Store::import`] / [`crate::Store::apply_delta`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportOutcome {
    /// A new version was stored and made active.
    Imported(ListVersion),
    /// The sha256 equals the active version's: nothing was written; this is
    /// that active version.
    Unchanged(ListVersion),
}

impl ImportOutcome {
    pub fn version(&self) -> &ListVersion {
        match self {
            ImportOutcome::Imported(v) | ImportOutcome::Unchanged(v) => v,
        }
    }
}

/// One dataset in the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListStatus {
    pub dataset: String,
    pub active: ListVersion,
    /// Number of versions kept (all ever imported; none are deleted).
    pub versions_kept: u64,
}

/// Difference between two versions of one dataset, matched by entity id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListDiff {
    pub dataset: String,
    pub old: ListVersion,
    pub new: ListVersion,
    /// In `new` only, in `new`'s order.
    pub added: Vec<Entity>,
    /// In `old` only, in `old`'s order.
    pub removed: Vec<Entity>,
    /// Same id, different content, in `new`'s order.
    pub changed: Vec<EntityChange>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntityChange {
    pub id: EntityId,
    /// Caption in the new version.
    pub caption: String,
    /// Top-level `Entity` fields whose value differs, by JSON field name.
    pub fields: Vec<FieldChange>,
}

/// One field of an entity, before and after. A field absent on one side
/// (empty lists and `None` are not serialised) is `null` there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub old: serde_json::Value,
    pub new: serde_json::Value,
}
