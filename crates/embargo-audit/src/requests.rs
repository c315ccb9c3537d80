//! Requests that may arrive more than once, and the audit-store trait the
//! message-bus consumer writes through.
//!
//! A message bus delivers at least once: a consumer that dies after its
//! audit record committed but before it acknowledged the message gets the
//! message again. `append_requests` makes that harmless: each request id is
//! recorded in `bus_requests` (request id → audit sequence number → the
//! reply) **in the same transaction** as its audit record, and a request id
//! already there is answered with the stored reply, without a second audit
//! record. Checked inside the write transaction, so two consumers (two
//! processes, even two machines on one PostgreSQL) that receive the same
//! request concurrently still write one record.
//!
//! `bus_requests` (SQLite and PostgreSQL alike):
//!
//! | column       | content                                                     |
//! |--------------|-------------------------------------------------------------|
//! | `request_id` | the caller's id, primary key                               |
//! | `audit_seq`  | `seq` of the audit record of the answer (unique)            |
//! | `reply`      | the result body returned (JSON text), so a redelivery gets the same answer |
//!
//! Append-only by trigger. The SQLite table is created on first use (an
//! older file simply lacks it until a consumer writes).
//!
//! [`AuditStore`] is the part of the audit log a consumer needs, so the
//! same consumer writes to the SQLite file of a data directory
//! ([`AuditLog`]) or to a PostgreSQL database shared by several nodes
//! ([`crate::PgAuditLog`]).

use crate::error::AuditError;
use crate::log::AuditLog;
use crate::record::{AuditRecord, NewRecord};
use crate::verify::VerifyReport;
use rusqlite::{params, OptionalExtension};
use serde_json::Value;
use std::collections::HashMap;

/// Name of the request-id table in both back ends.
pub const BUS_REQUESTS_TABLE: &str = "bus_requests";

pub(crate) const SQLITE_CREATE: &str = r#"
CREATE TABLE IF NOT EXISTS bus_requests (
    request_id TEXT PRIMARY KEY,
    audit_seq  INTEGER NOT NULL UNIQUE,
    reply      TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS bus_requests_no_update BEFORE UPDATE ON bus_requests
BEGIN SELECT RAISE(ABORT, 'bus_requests is append-only'); END;
CREATE TRIGGER IF NOT EXISTS bus_requests_no_delete BEFORE DELETE ON bus_requests
BEGIN SELECT RAISE(ABORT, 'bus_requests is append-only'); END;
"#;

/// One answered request to record: its id, its audit record and the reply
/// body to return for it (now and on every redelivery).
#[derive(Clone, Debug, PartialEq)]
pub struct RequestRecord {
    pub request_id: String,
    pub record: NewRecord,
    pub reply: Value,
}

/// What `append_requests` did with one request.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestOutcome {
    pub request_id: String,
    /// The audit record holding the answer.
    pub audit_seq: u64,
    /// The reply body (the stored one when `replayed`).
    pub reply: Value,
    /// `true`: the request id was answered before; nothing was written.
    pub replayed: bool,
}

/// The audit log as a message-bus consumer (and a multi-node deployment)
/// uses it: durable appends, idempotent request records, verification.
/// Implemented by the SQLite [`AuditLog`] and by [`crate::PgAuditLog`].
pub trait AuditStore: Send + Sync {
    /// Appends one record; returns once it is durable. Concurrent calls
    /// are group-committed.
    fn append_record(&self, rec: NewRecord) -> Result<AuditRecord, AuditError>;

    /// Records each request with its audit record in one durable
    /// transaction, in order; a request id already recorded (before, or
    /// earlier in `items`) is answered from the store and writes nothing.
    /// All or nothing: on error no record of `items` was written.
    fn append_requests(&self, items: Vec<RequestRecord>)
        -> Result<Vec<RequestOutcome>, AuditError>;

    /// The stored answers among `ids` (request id → outcome with
    /// `replayed: true`); ids not yet answered are absent.
    fn stored_requests(
        &self,
        ids: &[String],
    ) -> Result<HashMap<String, RequestOutcome>, AuditError>;

    /// Every recorded request id with its audit sequence number, in
    /// sequence order (for audits and tests that count records per id).
    fn request_index(&self) -> Result<Vec<(String, u64)>, AuditError>;

    /// Checks the whole hash chain (see `verify`).
    fn verify_chain(&self) -> Result<VerifyReport, AuditError>;

    /// Where the store is, for messages (no password).
    fn location(&self) -> String;
}

fn bad_reply(table: &'static str, row: i64, e: serde_json::Error) -> AuditError {
    AuditError::Corrupt {
        path: std::path::PathBuf::from(BUS_REQUESTS_TABLE),
        table,
        row,
        field: "reply",
        reason: e.to_string(),
    }
}

impl AuditLog {
    fn bus_table_exists(&self, conn: &rusqlite::Connection) -> Result<bool, AuditError> {
        conn.query_row(
            "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [BUS_REQUESTS_TABLE],
            |r| r.get(0),
        )
        .map_err(|e| self.db(e))
    }
}

impl AuditStore for AuditLog {
    fn append_record(&self, rec: NewRecord) -> Result<AuditRecord, AuditError> {
        self.append(rec)
    }

    fn append_requests(
        &self,
        items: Vec<RequestRecord>,
    ) -> Result<Vec<RequestOutcome>, AuditError> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        // One BEGIN IMMEDIATE transaction: the existence check, the audit
        // records and the request rows commit together, and no other
        // process can slip the same request id in between.
        self.write_tx(|tx| {
            tx.execute_batch(SQLITE_CREATE).map_err(|e| self.db(e))?;
            let mut out = Vec::with_capacity(items.len());
            let mut seen: HashMap<String, usize> = HashMap::new();
            for item in items {
                if let Some(&i) = seen.get(&item.request_id) {
                    let prev: &RequestOutcome = &out[i];
                    let mut again = prev.clone();
                    again.replayed = true;
                    out.push(again);
                    continue;
                }
                let stored: Option<(i64, String)> = tx
                    .prepare_cached(
                        "SELECT audit_seq, reply FROM bus_requests WHERE request_id = ?1",
                    )
                    .and_then(|mut st| {
                        st.query_row([&item.request_id], |r| Ok((r.get(0)?, r.get(1)?)))
                            .optional()
                    })
                    .map_err(|e| self.db(e))?;
                seen.insert(item.request_id.clone(), out.len());
                if let Some((seq, reply)) = stored {
                    out.push(RequestOutcome {
                        request_id: item.request_id,
                        audit_seq: seq as u64,
                        reply: serde_json::from_str(&reply)
                            .map_err(|e| bad_reply("bus_requests", seq, e))?,
                        replayed: true,
                    });
                    continue;
                }
                let rec = self.append_in(tx, item.record)?;
                tx.prepare_cached(
                    "INSERT INTO bus_requests (request_id, audit_seq, reply) VALUES (?1, ?2, ?3)",
                )
                .and_then(|mut st| {
                    st.execute(params![
                        item.request_id,
                        rec.seq as i64,
                        crate::canonical_json(&item.reply)
                    ])
                })
                .map_err(|e| self.db(e))?;
                out.push(RequestOutcome {
                    request_id: item.request_id,
                    audit_seq: rec.seq,
                    reply: item.reply,
                    replayed: false,
                });
            }
            Ok(out)
        })
    }

    fn stored_requests(
        &self,
        ids: &[String],
    ) -> Result<HashMap<String, RequestOutcome>, AuditError> {
        let conn = self.reader()?;
        let mut out = HashMap::new();
        if ids.is_empty() || !self.bus_table_exists(&conn)? {
            return Ok(out);
        }
        let mut st = conn
            .prepare("SELECT audit_seq, reply FROM bus_requests WHERE request_id = ?1")
            .map_err(|e| self.db(e))?;
        for id in ids {
            let row: Option<(i64, String)> = st
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .map_err(|e| self.db(e))?;
            if let Some((seq, reply)) = row {
                out.insert(
                    id.clone(),
                    RequestOutcome {
                        request_id: id.clone(),
                        audit_seq: seq as u64,
                        reply: serde_json::from_str(&reply)
                            .map_err(|e| bad_reply("bus_requests", seq, e))?,
                        replayed: true,
                    },
                );
            }
        }
        Ok(out)
    }

    fn request_index(&self) -> Result<Vec<(String, u64)>, AuditError> {
        let conn = self.reader()?;
        if !self.bus_table_exists(&conn)? {
            return Ok(Vec::new());
        }
        let mut st = conn
            .prepare("SELECT request_id, audit_seq FROM bus_requests ORDER BY audit_seq")
            .map_err(|e| self.db(e))?;
        let rows = st
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })
            .map_err(|e| self.db(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.db(e))?;
        Ok(rows)
    }

    fn verify_chain(&self) -> Result<VerifyReport, AuditError> {
        self.verify()
    }

    fn location(&self) -> String {
        self.path().display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RecordKind;
    use serde_json::json;

    fn item(id: &str, n: u64) -> RequestRecord {
        RequestRecord {
            request_id: id.into(),
            record: NewRecord {
                kind: RecordKind::Decide,
                actor: "bus".into(),
                request: json!({"reference": id}),
                result: json!({"n": n}),
                list_versions: vec![],
            },
            reply: json!({"n": n}),
        }
    }

    #[test]
    fn a_request_id_is_recorded_once_and_replayed_after() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::open(dir.path()).unwrap();
        let first = log
            .append_requests(vec![item("a", 1), item("b", 2), item("a", 3)])
            .unwrap();
        assert_eq!(first.len(), 3);
        assert!(!first[0].replayed && !first[1].replayed);
        // The duplicate inside the batch gets the first answer.
        assert!(first[2].replayed);
        assert_eq!(first[2].reply, json!({"n": 1}));
        assert_eq!(first[2].audit_seq, first[0].audit_seq);
        // A redelivery in a later transaction: stored answer, no record.
        let before = log.verify().unwrap().records;
        let again = log.append_requests(vec![item("b", 99)]).unwrap();
        assert!(again[0].replayed);
        assert_eq!(again[0].reply, json!({"n": 2}));
        assert_eq!(log.verify().unwrap().records, before);
        let stored = log.stored_requests(&["a".into(), "zz".into()]).unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored["a"].audit_seq, first[0].audit_seq);
        let index = log.request_index().unwrap();
        assert_eq!(
            index,
            vec![
                ("a".to_string(), first[0].audit_seq),
                ("b".to_string(), first[1].audit_seq)
            ]
        );
        assert!(log.verify().unwrap().ok);
    }

    #[test]
    fn request_rows_are_append_only() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::open(dir.path()).unwrap();
        log.append_requests(vec![item("a", 1)]).unwrap();
        let conn = rusqlite::Connection::open(log.path()).unwrap();
        assert!(conn
            .execute("UPDATE bus_requests SET reply = '{}'", [])
            .is_err());
        assert!(conn.execute("DELETE FROM bus_requests", []).is_err());
    }
}
