//! The audit journal of the store (`audit_intents`, schema v4): every
//! change writes the audit record that describes it in the change's own
//! transaction, so no crash can leave a change without its record.
//! `embargo-app` copies the journal into the audit log in `id` order (see
//! its `journal` module); ids follow commit order, because the store has
//! one writer at a time.

use crate::db::{args, Sql};
use crate::error::StoreError;
use crate::store::Store;
use chrono::{SecondsFormat, Utc};
use serde_json::Value;

/// Builds the audit record of a change from what the change produced,
/// inside its transaction. The value is stored as JSON text.
pub type IntentFn<'a, T> = &'a dyn Fn(&T) -> Value;

/// One journal entry.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredIntent {
    /// Position in the journal: 1, 2, 3, … in commit order.
    pub id: i64,
    /// When the change committed (RFC 3339, microseconds).
    pub at: String,
    /// The audit record as the change wrote it.
    pub record: Value,
}

/// Appends one entry in the caller's transaction; returns its id.
pub(crate) fn write_intent(tx: &mut dyn Sql, record: &Value) -> Result<i64, StoreError> {
    let at = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
    let ctx = || "writing the audit record of a store change".to_string();
    tx.opt(
        "INSERT INTO audit_intents (at, record) VALUES (?1, ?2) RETURNING id",
        args![&at, &record.to_string()],
        ctx,
        |r| r.i64(0),
    )?
    .ok_or_else(|| StoreError::Corrupt {
        what: "audit journal".into(),
        detail: "the insert returned no id".into(),
    })
}

/// A fresh journal name: SHA-256 of the path, the time and the process.
pub(crate) fn new_journal_id(path: &std::path::Path) -> String {
    use sha2::{Digest, Sha256};
    let seed = format!(
        "{}|{}|{}",
        path.display(),
        Utc::now().timestamp_nanos_opt().unwrap_or_default(),
        std::process::id()
    );
    hex::encode(&Sha256::digest(seed.as_bytes())[..16])
}

impl Store {
    /// The name of this store's audit journal (see [`crate::schema`]).
    pub fn journal_id(&self) -> Result<String, StoreError> {
        let ctx = || "reading the audit journal's name".to_string();
        self.read(ctx, |tx| {
            tx.opt("SELECT id FROM journal_id LIMIT 1", &[], ctx, |r| r.text(0))?
                .ok_or_else(|| StoreError::Corrupt {
                    what: "audit journal".into(),
                    detail: "it has no name".into(),
                })
        })
    }

    /// Journal entries with an id above `after`, oldest first.
    pub fn intents_after(&self, after: i64) -> Result<Vec<StoredIntent>, StoreError> {
        let ctx = || "reading the audit journal".to_string();
        let rows = self.read(ctx, |tx| {
            tx.rows(
                "SELECT id, at, record FROM audit_intents WHERE id > ?1 ORDER BY id",
                args![after],
                ctx,
                |r| Ok((r.i64(0)?, r.text(1)?, r.text(2)?)),
            )
        })?;
        let mut out = Vec::new();
        for (id, at, text) in rows {
            let record = serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
                what: format!("audit journal entry {id}"),
                detail: e.to_string(),
            })?;
            out.push(StoredIntent { id, at, record });
        }
        Ok(out)
    }

    /// The id of the newest journal entry (0 when there is none).
    pub fn last_intent(&self) -> Result<i64, StoreError> {
        let ctx = || "reading the audit journal".to_string();
        self.read(ctx, |tx| {
            Ok(tx
                .opt(
                    "SELECT COALESCE(MAX(id), 0) FROM audit_intents",
                    &[],
                    ctx,
                    |r| r.i64(0),
                )?
                .unwrap_or(0))
        })
    }
}
