//! Records of list-store changes, copied from the store's audit journal.
//!
//! The list store (`embargo.sqlite`) writes the audit record of each of its
//! changes in the change's own transaction (`audit_intents`); the caller
//! (`embargo-app`) hands them to `deliver_intents`, which appends each to
//! the chain together with a `store_intents` row naming the journal entry,
//! in one transaction. Hence:
//! - exactly once: an entry is delivered with its marker or not at all;
//! - store order: entries are fetched, inside the audit write lock, after
//!   the highest delivered id, and delivered in id order, so two processes
//!   that changed the store concurrently cannot append out of order;
//! - nothing lost: a crash after the store commit and before delivery
//!   leaves the entry in the journal, delivered at the next open.

use crate::error::AuditError;
use crate::log::AuditLog;
use crate::record::{AuditRecord, NewRecord};
use rusqlite::params;

/// Fetches the journal entries after an id: `(id, record)`, oldest first.
pub type FetchIntents<'a> = &'a mut dyn FnMut(i64) -> Result<Vec<(i64, NewRecord)>, String>;

impl AuditLog {
    /// The highest entry of `journal` already in the log (0: none).
    pub fn delivered_intent(&self, journal: &str) -> Result<i64, AuditError> {
        self.lock()
            .query_row(
                "SELECT COALESCE(MAX(intent_id), 0) FROM store_intents WHERE journal = ?1",
                [journal],
                |r| r.get(0),
            )
            .map_err(|e| self.db(e))
    }

    /// Appends every entry of `journal` that `fetch` returns after the highest one
    /// delivered, in order, each with its `store_intents` marker, in one
    /// durable transaction; returns the records appended.
    pub fn deliver_intents(
        &self,
        journal: &str,
        fetch: FetchIntents<'_>,
    ) -> Result<Vec<AuditRecord>, AuditError> {
        self.write_tx(|tx| {
            let after: i64 = tx
                .query_row(
                    "SELECT COALESCE(MAX(intent_id), 0) FROM store_intents WHERE journal = ?1",
                    [journal],
                    |r| r.get(0),
                )
                .map_err(|e| self.db(e))?;
            let entries = fetch(after).map_err(|reason| AuditError::Invalid {
                field: "store journal",
                reason,
            })?;
            let mut out = Vec::with_capacity(entries.len());
            let mut last = after;
            for (id, rec) in entries {
                if id <= last {
                    return Err(AuditError::Invalid {
                        field: "store journal",
                        reason: format!("entry {id} out of order after {last}"),
                    });
                }
                last = id;
                let rec = self.append_in(tx, rec)?;
                tx.execute(
                    "INSERT INTO store_intents (journal, intent_id, audit_seq) VALUES (?1, ?2, ?3)",
                    params![journal, id, rec.seq as i64],
                )
                .map_err(|e| self.db(e))?;
                out.push(rec);
            }
            Ok(out)
        })
    }
}

impl AuditLog {
    /// The newest `admin` record whose request has `"action": action`.
    pub fn last_admin_action(&self, action: &str) -> Result<Option<AuditRecord>, AuditError> {
        let seq: Option<i64> = self
            .lock()
            .query_row(
                "SELECT MAX(seq) FROM audit_log WHERE kind = 'admin'
                 AND json_extract(payload, '$.request.action') = ?1",
                [action],
                |r| r.get(0),
            )
            .map_err(|e| self.db(e))?;
        match seq {
            Some(s) => self.get(s as u64),
            None => Ok(None),
        }
    }
}
