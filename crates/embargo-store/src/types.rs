//! The values the store takes and returns.

use chrono::NaiveDate;
use embargo_model::{Entity, EntityId, ListVersion, PublishedBasis, SourceKind};
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
    /// Publication date, if known; else the store uses the import date
    /// (basis `import_date`), and so does the label.
    pub published: Option<NaiveDate>,
    /// How `published` is known (`File`, `HttpLastModified`, `Operator`);
    /// ignored when `published` is `None`.
    pub published_basis: PublishedBasis,
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
    /// Published before the active version and let through by
    /// `ImportPolicy::allow_older`: stored as history (for dated
    /// decisions), while the active version stays. `Store::activate` rolls
    /// back to it if that is what is wanted.
    StoredInactive(ListVersion),
}

impl ImportOutcome {
    pub fn version(&self) -> &ListVersion {
        match self {
            ImportOutcome::Imported(v)
            | ImportOutcome::Unchanged(v)
            | ImportOutcome::StoredInactive(v) => v,
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

/// What a guarded import ([`crate::Store::import_guarded`]) lets through.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPolicy {
    /// Accept a version with fewer than half the active version's entries
    /// (or none at all when a version exists).
    pub allow_shrink: bool,
    /// Store a version published before the active one as history; the
    /// active version stays ([`ImportOutcome::StoredInactive`]).
    pub allow_older: bool,
}

/// Why an import was refused. Each message says what was found and how to
/// override it where an override makes sense; a refused import writes
/// nothing, so the active version stays in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum Refusal {
    #[error("{dataset}: the list holds no entries; importing it would screen against nothing (re-download it; if {dataset} really is empty now, pass --allow-shrink)")]
    Empty { dataset: String },
    #[error("{dataset}: the list holds no entries and {dataset} has no version yet; there is nothing to import")]
    EmptyFirst { dataset: String },
    #[error("{dataset}: the file declares {declared} records but only {found} were read; it is incomplete (no override: fetch the whole file)")]
    BelowDeclared {
        dataset: String,
        declared: u64,
        found: u64,
    },
    #[error("{dataset}: {new} entries would replace the active version's {active} (more than half dropped); pass --allow-shrink if that is intended")]
    Shrink {
        dataset: String,
        active: u64,
        new: u64,
    },
    #[error("{dataset}: this version was published {new} ({new_basis}), before the active version's {active} ({active_basis}); pass --allow-older to store it as history (the active version stays)")]
    Older {
        dataset: String,
        active: NaiveDate,
        active_basis: PublishedBasis,
        new: NaiveDate,
        new_basis: PublishedBasis,
    },
    #[error("{dataset} holds {existing:?} versions; a {new:?} list cannot be stored under the same name (no override: choose another --dataset)")]
    KindChanged {
        dataset: String,
        existing: SourceKind,
        new: SourceKind,
    },
    #[error("{dataset:?} is a reserved dataset name (no override: choose another --dataset)")]
    Reserved { dataset: String },
}

impl Refusal {
    /// The command-line flag that overrides this refusal, if any.
    pub fn override_flag(&self) -> Option<&'static str> {
        match self {
            Refusal::Empty { .. } | Refusal::Shrink { .. } => Some("--allow-shrink"),
            Refusal::Older { .. } => Some("--allow-older"),
            _ => None,
        }
    }
}
