//! Acts on the data directory that need no snapshot: verifying and
//! exporting the audit log, managing API keys, reading list history, and
//! reloading. Each act that changes state is an audit record.

use crate::error::{AppError, AppResult};
use crate::App;
use chrono::{DateTime, Utc};
use embargo_audit::{AuditLog, NewRecord, RecordKind, Role, VerifyReport};
use embargo_model::{Entity, EntityId, ListVersion};
use embargo_store::ListDiff;
use serde_json::json;
use std::io::Write;
use std::path::Path;

/// Walks the audit log's hash chain in `data_dir` without loading lists,
/// and checks it against its signed checkpoints; never creates the log
/// (see `audit_admin::verify`).
pub fn verify_audit(data_dir: &Path) -> AppResult<VerifyReport> {
    crate::audit_admin::verify(data_dir, Vec::new(), None)
}

/// Writes every audit record on or after `since` as JSON lines; returns
/// how many.
pub fn export_audit(
    data_dir: &Path,
    since: Option<DateTime<Utc>>,
    out: &mut dyn Write,
) -> AppResult<u64> {
    Ok(AuditLog::open(data_dir)?.export_since(since, out)?)
}

/// Creates an API key; returns the secret (shown once). The creation is an
/// audit record.
pub fn create_api_key(data_dir: &Path, name: &str, role: Role) -> AppResult<String> {
    std::fs::create_dir_all(data_dir).map_err(|e| {
        AppError::io(
            format!("cannot create data directory {}", data_dir.display()),
            e,
        )
    })?;
    Ok(AuditLog::open(data_dir)?.create_api_key(name, role)?)
}

/// Where an entity was found by [`App::find_entity`].
pub enum FoundEntity<'a> {
    /// In the snapshot now screened.
    Active(&'a Entity),
    /// Only in an older stored version (e.g. a delisted party).
    Stored {
        version: Box<ListVersion>,
        entity: Box<Entity>,
    },
}

impl App {
    /// Every stored version of `dataset`, oldest first.
    pub fn versions(&self, dataset: &str) -> AppResult<Vec<ListVersion>> {
        Ok(self.store.versions(dataset)?)
    }

    /// Differences between two versions of `dataset` (defaults: the active
    /// version and the one before it).
    pub fn diff(&self, dataset: &str, old: Option<&str>, new: Option<&str>) -> AppResult<ListDiff> {
        Ok(self.store.diff(dataset, old, new)?)
    }

    /// An entity by id from the current snapshot, else from any stored
    /// version.
    pub fn find_entity<'a>(
        &self,
        snap: &'a crate::Snapshot,
        id: &EntityId,
    ) -> AppResult<FoundEntity<'a>> {
        if let Some(e) = snap.entity(id) {
            return Ok(FoundEntity::Active(e));
        }
        match self.store.entity(id)? {
            Some((version, entity)) => Ok(FoundEntity::Stored {
                version: Box::new(version),
                entity: Box::new(entity),
            }),
            None => Err(AppError::NotFound(format!("no entity {id}"))),
        }
    }

    /// Verifies the open audit log.
    pub fn verify_audit(&self) -> AppResult<VerifyReport> {
        Ok(self.audit_backend().verify_chain()?)
    }

    /// Rebuilds the snapshot from the store, swaps it in, and records the
    /// reload with the list versions now in force.
    pub fn reload_as(&self, actor: &str) -> AppResult<()> {
        self.reload()?;
        self.audit_reload(actor)
    }

    /// The audit record of a reload: who, and the list versions now in force.
    pub(crate) fn audit_reload(&self, actor: &str) -> AppResult<()> {
        let snap = self.snapshot();
        self.audit_backend().append_record(NewRecord {
            kind: RecordKind::Admin,
            actor: actor.to_string(),
            request: json!({"action": "reload"}),
            result: json!({"list_versions": snap.version_labels()}),
            list_versions: snap.version_labels(),
        })?;
        Ok(())
    }

    /// Checks an API key; `None` for an unknown or revoked key.
    pub fn authenticate(&self, key: &str) -> AppResult<Option<(String, Role)>> {
        Ok(self.audit_backend().authenticate_key(key)?)
    }
}
