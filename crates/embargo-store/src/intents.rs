//! The audit journal of the store (`audit_intents`, schema v4): every
//! change writes the audit record that describes it in the change's own
//! transaction, so no crash can leave a change without its record.
//! `embargo-app` copies the journal into the audit log in `id` order (see
//! its `journal` module); ids follow commit order, because the store has
//! one writer at a time.

use crate::error::{Context, StoreError};
use crate::store::Store;
use chrono::{SecondsFormat, Utc};
use rusqlite::{params, Connection};
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
pub(crate) fn write_intent(tx: &Connection, record: &Value) -> Result<i64, StoreError> {
    let at = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
    tx.execute(
        "INSERT INTO audit_intents (at, record) VALUES (?1, ?2)",
        params![at, record.to_string()],
    )
    .ctx(|| "writing the audit record of a store change".into())?;
    Ok(tx.last_insert_rowid())
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
        self.conn()
            .query_row("SELECT id FROM journal_id LIMIT 1", [], |r| r.get(0))
            .ctx(|| "reading the audit journal's name".into())
    }

    /// Journal entries with an id above `after`, oldest first.
    pub fn intents_after(&self, after: i64) -> Result<Vec<StoredIntent>, StoreError> {
        let conn = self.conn();
        let mut st = conn
            .prepare("SELECT id, at, record FROM audit_intents WHERE id > ?1 ORDER BY id")
            .ctx(|| "reading the audit journal".into())?;
        let rows = st
            .query_map([after], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .ctx(|| "reading the audit journal".into())?;
        let mut out = Vec::new();
        for row in rows {
            let (id, at, text) = row.ctx(|| "reading the audit journal".into())?;
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
        self.conn()
            .query_row("SELECT COALESCE(MAX(id), 0) FROM audit_intents", [], |r| {
                r.get(0)
            })
            .ctx(|| "reading the audit journal".into())
    }
}
