//! The list catalogue of a data directory, for acts that change or read
//! list versions without building a snapshot (importing a 100 MB file
//! should not first index the lists it replaces).
//!
//! Every change is an audit record: an import (`import`, with the report),
//! a refused import (`import`, with the refusal, so an operator can see
//! that someone tried), and an activation (`admin`). The CLI's `lists` and
//! `update` commands and any future admin endpoint go through here.
//!
//! A change that writes the store (a version stored, an activation, a link
//! judgement) writes its audit record into the store's journal in the same
//! transaction and then delivers the journal to the audit log (`journal`),
//! so a crash cannot separate a change from its record. Acts that change
//! nothing (a refused or identical import) are appended directly.

use crate::error::{AppError, AppResult};
use crate::import::{import_file_journaled, ImportError, ImportOptions, ImportReport};
use crate::journal;
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
        Catalog::open_with_store(data_dir, None)
    }

    /// [`Catalog::open`] with the list store in a shared PostgreSQL
    /// database when `shared` is a `postgres://…` URL (see
    /// [`crate::App::open_with_store`]).
    pub fn open_with_store(data_dir: &Path, shared: Option<&str>) -> AppResult<Catalog> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            AppError::io(
                format!("cannot create data directory {}", data_dir.display()),
                e,
            )
        })?;
        let c = Catalog {
            store: Store::open_at(data_dir, shared)?,
            audit: AuditLog::open(data_dir)?,
            data_dir: data_dir.to_path_buf(),
        };
        journal::deliver(&c.store, &c.audit)?;
        crate::settings::recover(data_dir, &c.audit)?;
        Ok(c)
    }

    /// Copies store changes into the audit log (after each change; see
    /// `journal`).
    fn deliver(&self) -> AppResult<()> {
        journal::failpoint("after_store_commit");
        journal::deliver(&self.store, &self.audit)?;
        Ok(())
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
        let record = |report: &ImportReport| NewRecord {
            kind: RecordKind::Import,
            actor: actor.to_string(),
            request: request.clone(),
            result: serde_json::to_value(report)
                .unwrap_or_else(|e| json!({"unencodable_report": e.to_string()})),
            list_versions: vec![report.version.label()],
        };
        let intent = |report: &ImportReport| journal::intent(record(report));
        match import_file_journaled(&self.store, file, opts, Some(&intent)) {
            Ok(report) if report.imported => {
                self.deliver()?;
                // The import stands either way; a cache that could not be
                // written is rebuilt (and its error reported) at the next open.
                let _ = crate::index_file::refresh(&self.store, &self.data_dir);
                Ok(report)
            }
            Ok(report) => {
                // Identical to a stored version: the store did not change.
                self.audit.append(record(&report))?;
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
        let intent = |j: &embargo_store::LinkJudgement| {
            journal::intent(NewRecord {
                kind: RecordKind::Review,
                actor: actor.to_string(),
                request: json!({"action": "judge_link", "a": a, "b": b,
                                "verdict": verdict.as_str(), "reason": reason}),
                result: serde_json::to_value(j)
                    .unwrap_or_else(|e| json!({"unencodable_judgement": e.to_string()})),
                list_versions: vec![],
            })
        };
        let j = self
            .store
            .judge_link_journaled(a, b, verdict, actor, reason, &intent)?;
        self.deliver()?;
        Ok(j)
    }

    /// Makes a stored version the active one (roll back or forward), and
    /// records it.
    pub fn activate(&self, actor: &str, dataset: &str, version: &str) -> AppResult<()> {
        let intent = |before: &Option<String>| {
            journal::intent(NewRecord {
                kind: RecordKind::Admin,
                actor: actor.to_string(),
                request: json!({"action": "activate", "dataset": dataset, "version": version}),
                result: json!({"previous_active": before}),
                list_versions: vec![format!("{dataset}@{version}")],
            })
        };
        self.store.activate_journaled(dataset, version, &intent)?;
        self.deliver()?;
        // The activation stands either way; a cache that could not be
        // written is rebuilt (and its error reported) at the next open.
        let _ = crate::index_file::refresh(&self.store, &self.data_dir);
        Ok(())
    }

    /// The audit log of this data directory (tests, tools).
    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }
}
