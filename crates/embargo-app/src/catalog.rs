//! The list catalogue of a data directory, for acts that change or read
//! list versions without building a snapshot (importing a 100 MB file
//! should not first index the lists it replaces).
//!
//! Every change is an audit record: an import (`import`, with the report),
//! a refused import (`import`, with the refusal, so an operator can see
//! that someone tried), and an activation (`admin`). The CLI's `lists` and
//! `update` commands and any future admin endpoint go through here.

use crate::error::{AppError, AppResult};
use crate::import::{import_file, ImportError, ImportOptions, ImportReport};
use embargo_audit::{AuditLog, NewRecord, RecordKind};
use embargo_model::ListVersion;
use embargo_store::{ListDiff, ListStatus, Store};
use serde_json::json;
use std::path::Path;

/// List store and audit log of one data directory.
pub struct Catalog {
    store: Store,
    audit: AuditLog,
    data_dir: std::path::PathBuf,
}

impl Catalog {
    pub fn open(data_dir: &Path) -> AppResult<Catalog> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            AppError::io(
                format!("cannot create data directory {}", data_dir.display()),
                e,
            )
        })?;
        Ok(Catalog {
            store: Store::open(data_dir)?,
            audit: AuditLog::open(data_dir)?,
            data_dir: data_dir.to_path_buf(),
        })
    }

    /// Every imported dataset with its active version.
    pub fn lists(&self) -> AppResult<Vec<ListStatus>> {
        Ok(self.store.lists()?)
    }

    /// Every stored version of `dataset`, in import order.
    pub fn versions(&self, dataset: &str) -> AppResult<Vec<ListVersion>> {
        Ok(self.store.versions(dataset)?)
    }

    pub fn active_version(&self, dataset: &str) -> AppResult<Option<ListVersion>> {
        Ok(self.store.active_version(dataset)?)
    }

    pub fn diff(&self, dataset: &str, old: Option<&str>, new: Option<&str>) -> AppResult<ListDiff> {
        Ok(self.store.diff(dataset, old, new)?)
    }

    /// Imports `file` through every guard and records the attempt, whether
    /// it imported, changed nothing, or was refused.
    pub fn import(
        &self,
        actor: &str,
        file: &Path,
        opts: &ImportOptions,
    ) -> AppResult<ImportReport> {
        let request = json!({
            "file": file.display().to_string(),
            "source": opts.kind.map(|k| k.dataset().to_string()),
            "dataset": opts.dataset,
            "published": opts.published,
            "last_modified": opts.last_modified,
            "allow_shrink": opts.allow_shrink,
            "allow_older": opts.allow_older,
        });
        match import_file(&self.store, file, opts) {
            Ok(report) => {
                let v = &report.version;
                self.audit.append(NewRecord {
                    kind: RecordKind::Import,
                    actor: actor.to_string(),
                    request,
                    result: serde_json::to_value(&report)
                        .map_err(|e| AppError::encode("an import report", e))?,
                    list_versions: vec![v.label()],
                })?;
                // The import stands either way; a cache that could not be
                // written is rebuilt (and its error reported) at the next open.
                let _ = crate::index_file::refresh(&self.store, &self.data_dir);
                Ok(report)
            }
            Err(e) => {
                if let ImportError::Refused { refusal, .. } = &e {
                    self.audit.append(NewRecord {
                        kind: RecordKind::Import,
                        actor: actor.to_string(),
                        request,
                        result: json!({"refused": refusal.to_string(),
                                       "override": refusal.override_flag()}),
                        list_versions: vec![],
                    })?;
                }
                Err(e.into())
            }
        }
    }

    /// Records an analyst's judgement that two records are one party
    /// (`same`) or not (`different`), and audits it. It takes effect at the
    /// next snapshot build (a CLI command, or a server reload).
    pub fn judge_link(
        &self,
        actor: &str,
        a: &embargo_model::EntityId,
        b: &embargo_model::EntityId,
        verdict: embargo_store::LinkVerdict,
        reason: &str,
    ) -> AppResult<embargo_store::LinkJudgement> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::invalid("reason", "must say why"));
        }
        if a == b {
            return Err(AppError::invalid(
                "entity",
                "a record is always one party with itself",
            ));
        }
        for id in [a, b] {
            if self.store.entity(id)?.is_none() && !crate::pack_has(id) {
                return Err(AppError::NotFound(format!(
                    "no entity {id} in the stored lists or the pack"
                )));
            }
        }
        let j = self.store.judge_link(a, b, verdict, actor, reason)?;
        self.audit.append(NewRecord {
            kind: RecordKind::Review,
            actor: actor.to_string(),
            request: json!({"action": "judge_link", "a": a, "b": b,
                            "verdict": verdict.as_str(), "reason": reason}),
            result: serde_json::to_value(&j)
                .map_err(|e| AppError::encode("a link judgement", e))?,
            list_versions: vec![],
        })?;
        Ok(j)
    }

    /// Makes a stored version the active one (roll back or forward), and
    /// records it.
    pub fn activate(&self, actor: &str, dataset: &str, version: &str) -> AppResult<()> {
        let before = self.store.active_version(dataset)?.map(|v| v.version);
        self.store.activate(dataset, version)?;
        self.audit.append(NewRecord {
            kind: RecordKind::Admin,
            actor: actor.to_string(),
            request: json!({"action": "activate", "dataset": dataset, "version": version}),
            result: json!({"previous_active": before}),
            list_versions: vec![format!("{dataset}@{version}")],
        })?;
        // The activation stands either way; see `import`.
        let _ = crate::index_file::refresh(&self.store, &self.data_dir);
        Ok(())
    }
}
