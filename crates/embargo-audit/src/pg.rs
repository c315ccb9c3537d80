//! The audit log in PostgreSQL, shared by several Embargo processes
//! (`--store postgres://…`).
//!
//! Same records, same payloads and hashes as the SQLite log (`record`), so
//! an export from either verifies the same way. What differs is how the
//! chain stays one line when several processes on several machines append:
//!
//! - `audit_head` holds one row (`seq`, `hash`: the chain head). Every
//!   append transaction starts with `SELECT … FROM audit_head FOR UPDATE`,
//!   which serialises writers across processes; the records are inserted
//!   and the head row updated in that same transaction, so the chain cannot
//!   fork and a crashed writer leaves no gap (its transaction rolls back).
//! - Group commit: inside one process, appends that arrive while a
//!   transaction is committing are written together by the next one (one
//!   WAL flush for all of them); each caller still returns only after its
//!   own record committed.
//! - `synchronous_commit` is forced `on` for the session: a commit is on
//!   the server's disk before `append` returns.
//! - `audit_log` and `bus_requests` refuse UPDATE and DELETE by trigger;
//!   `verify` re-checks every hash anyway.
//!
//! - Review decisions and API keys (`AuditBackend`): `audit_reviews` and
//!   `audit_api_keys` are written in the transaction of their audit record
//!   and hold pointers into the chain (a review row: id, audit record,
//!   subject and entity; the decision itself is read from the chained
//!   record). Nodes share no signing key, so instead of the SQLite file's
//!   MACs a row is checked against its record: a review row whose record
//!   is not the review of that subject and entity, or a key whose record
//!   is not the creation of that name, hash, role and expiry, is ignored
//!   (refused) and reported by `verify`.
//!
//! Not here yet (they stay in the data directory's SQLite file): signed
//! checkpoints, batch rows, the list store's journal. `verify` checks the
//! chain, the head row, the request index and the review and key rows.

use crate::backend::AuditBackend;
use crate::canonical_json;
use crate::error::AuditError;
use crate::keys::{new_key, presented_hash, NewKey, Role};
use crate::log::Anchor;
use crate::record::format_ts;
use crate::record::{chain_hash, now_micros, payload_text, AuditRecord, NewRecord, GENESIS_HASH};
use crate::requests::{AuditStore, RequestOutcome, RequestRecord};
use crate::review::{review_from_record, review_record, NewReview, Review, ReviewBook};
use crate::verify::VerifyReport;
use chrono::{NaiveDate, Utc};
use postgres::{Client, NoTls, Transaction};
use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};

const CREATE: &str = r#"
CREATE TABLE IF NOT EXISTS audit_log (
    seq       BIGINT PRIMARY KEY,
    ts        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    actor     TEXT NOT NULL,
    payload   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS bus_requests (
    request_id TEXT PRIMARY KEY,
    audit_seq  BIGINT NOT NULL UNIQUE REFERENCES audit_log(seq),
    reply      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_reviews (
    id          BIGINT PRIMARY KEY,
    audit_seq   BIGINT NOT NULL UNIQUE REFERENCES audit_log(seq),
    subject_key TEXT NOT NULL,
    entity_id   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_reviews_subject ON audit_reviews(subject_key, entity_id, id);
CREATE TABLE IF NOT EXISTS audit_api_keys (
    name       TEXT PRIMARY KEY,
    key_sha256 TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires    TEXT,
    revoked_at TEXT,
    audit_seq  BIGINT NOT NULL REFERENCES audit_log(seq)
);
CREATE OR REPLACE FUNCTION embargo_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql;
CREATE OR REPLACE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION embargo_append_only();
CREATE OR REPLACE TRIGGER bus_requests_append_only BEFORE UPDATE OR DELETE ON bus_requests
    FOR EACH ROW EXECUTE FUNCTION embargo_append_only();
CREATE OR REPLACE TRIGGER audit_reviews_append_only BEFORE UPDATE OR DELETE ON audit_reviews
    FOR EACH ROW EXECUTE FUNCTION embargo_append_only();
"#;

/// Advisory lock key held while creating the schema, so two processes
/// starting at once do not race on `CREATE TABLE`.
const SCHEMA_LOCK: i64 = 0x656d_6261_7267_6f01;

type Outcome = Result<AuditRecord, AuditError>;

/// The audit log in a PostgreSQL database (see the module doc).
pub struct PgAuditLog {
    url: String,
    client: Mutex<Client>,
    /// Appends waiting for the next group commit.
    queue: Mutex<Vec<(NewRecord, mpsc::Sender<Outcome>)>>,
    /// The review decisions as last read, with the highest review id then
    /// (rows are append-only, so a new id is the only change).
    books: Mutex<Option<(i64, Arc<ReviewBook>)>>,
    /// The append path's statements, prepared once on `client`.
    stmts: Stmts,
}

/// Statements on every append's path, prepared at connect: each use is
/// then one round trip instead of two (prepare, execute), and the records'
/// insert and the head row's update are one statement. Round trips count
/// because the head row stays locked for all of them.
struct Stmts {
    /// `SELECT seq, hash FROM audit_head … FOR UPDATE`.
    head: postgres::Statement,
    /// Inserts a group's records and moves the head row to its last one.
    append: postgres::Statement,
}

const HEAD_FOR_UPDATE: &str = "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE";
const APPEND: &str = "WITH ins AS (\
    INSERT INTO audit_log (seq, ts, kind, actor, payload, prev_hash, hash) \
    SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], \
    $6::text[], $7::text[])) \
    UPDATE audit_head SET seq = $8, hash = $9 WHERE id = 1";

/// `url` without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl PgAuditLog {
    /// Connects to `url` (`postgres://user:pass@host:port/db`), creates the
    /// tables if needed. Must not be called from inside an async runtime
    /// (the client runs its own).
    pub fn connect(url: &str) -> Result<PgAuditLog, AuditError> {
        let shown = redact(url);
        let err = |e: postgres::Error| AuditError::Postgres {
            url: shown.clone(),
            reason: pg_reason(&e),
        };
        let mut client = Client::connect(url, NoTls).map_err(err)?;
        client
            .batch_execute("SET synchronous_commit = on")
            .map_err(err)?;
        {
            let mut tx = client.transaction().map_err(err)?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&SCHEMA_LOCK])
                .map_err(err)?;
            tx.batch_execute(CREATE).map_err(err)?;
            tx.execute(
                "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, $1) ON CONFLICT (id) DO NOTHING",
                &[&GENESIS_HASH],
            )
            .map_err(err)?;
            tx.commit().map_err(err)?;
        }
        let stmts = Stmts {
            head: client.prepare(HEAD_FOR_UPDATE).map_err(err)?,
            append: client.prepare(APPEND).map_err(err)?,
        };
        Ok(PgAuditLog {
            url: shown,
            client: Mutex::new(client),
            queue: Mutex::new(Vec::new()),
            books: Mutex::new(None),
            stmts,
        })
    }

    fn err(&self, e: postgres::Error) -> AuditError {
        AuditError::Postgres {
            url: self.url.clone(),
            reason: pg_reason(&e),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Client> {
        self.client.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` in one transaction that holds the chain head.
    fn with_head<T>(
        &self,
        client: &mut Client,
        f: impl FnOnce(&mut Transaction<'_>, &mut Head) -> Result<T, AuditError>,
    ) -> Result<T, AuditError> {
        let mut tx = client.transaction().map_err(|e| self.err(e))?;
        let row = tx
            .query_one(&self.stmts.head, &[])
            .map_err(|e| self.err(e))?;
        let mut head = Head {
            seq: row.get::<_, i64>(0),
            hash: row.get(1),
            rows: Vec::new(),
            requests: Vec::new(),
        };
        let out = f(&mut tx, &mut head)?;
        self.flush(&mut tx, &mut head)?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(out)
    }

    /// Inserts the rows `insert` and `append_requests` queued, audit
    /// records first (request rows refer to them).
    fn flush(&self, tx: &mut Transaction<'_>, head: &mut Head) -> Result<(), AuditError> {
        if !head.rows.is_empty() {
            let rows = std::mem::take(&mut head.rows);
            let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
            let ts: Vec<&str> = rows.iter().map(|r| r.ts.as_str()).collect();
            let kinds: Vec<&str> = rows.iter().map(|r| r.kind).collect();
            let actors: Vec<&str> = rows.iter().map(|r| r.actor.as_str()).collect();
            let payloads: Vec<&str> = rows.iter().map(|r| r.payload.as_str()).collect();
            let prevs: Vec<&str> = rows.iter().map(|r| r.prev_hash.as_str()).collect();
            let hashes: Vec<&str> = rows.iter().map(|r| r.hash.as_str()).collect();
            // The head row moves to the last record in the same statement.
            tx.execute(
                &self.stmts.append,
                &[
                    &seqs, &ts, &kinds, &actors, &payloads, &prevs, &hashes, &head.seq, &head.hash,
                ],
            )
            .map_err(|e| self.err(e))?;
        }
        if !head.requests.is_empty() {
            let reqs = std::mem::take(&mut head.requests);
            let ids: Vec<&str> = reqs.iter().map(|r| r.0.as_str()).collect();
            let seqs: Vec<i64> = reqs.iter().map(|r| r.1).collect();
            let replies: Vec<&str> = reqs.iter().map(|r| r.2.as_str()).collect();
            tx.execute(
                "INSERT INTO bus_requests (request_id, audit_seq, reply) \
                 SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[])",
                &[&ids, &seqs, &replies],
            )
            .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    fn insert(&self, head: &mut Head, rec: NewRecord) -> Result<AuditRecord, AuditError> {
        if rec.actor.trim().is_empty() {
            return Err(AuditError::Invalid {
                field: "actor",
                reason: "every audit record names who acted".into(),
            });
        }
        let seq = head.seq + 1;
        let ts = now_micros();
        let payload = payload_text(seq as u64, &ts, &rec);
        let hash = chain_hash(&head.hash, payload.as_bytes());
        head.rows.push(PendingRow {
            seq,
            ts: format_ts(&ts),
            kind: rec.kind.as_str(),
            actor: rec.actor.clone(),
            payload,
            prev_hash: head.hash.clone(),
            hash: hash.clone(),
        });
        let out = AuditRecord {
            seq: seq as u64,
            ts,
            kind: rec.kind,
            actor: rec.actor,
            request: rec.request,
            result: rec.result,
            list_versions: rec.list_versions,
            prev_hash: std::mem::replace(&mut head.hash, hash.clone()),
            hash,
        };
        head.seq = seq;
        Ok(out)
    }

    /// Appends several records in one transaction (all or none).
    pub fn append_many(&self, recs: Vec<NewRecord>) -> Result<Vec<AuditRecord>, AuditError> {
        let mut client = self.lock();
        self.with_head(&mut client, |_tx, head| {
            recs.into_iter().map(|r| self.insert(head, r)).collect()
        })
    }

    /// Appends one record, group-committed with concurrent callers of this
    /// handle; returns once the transaction holding it committed.
    pub fn append(&self, rec: NewRecord) -> Result<AuditRecord, AuditError> {
        let (tx, rx) = mpsc::channel();
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((rec, tx));
        // Whoever holds the client commits everything queued; a caller
        // whose record was taken by that group finds its answer when it
        // gets the client (answers are sent before the client is freed).
        let mut client = self.lock();
        if let Ok(done) = rx.try_recv() {
            return done;
        }
        let jobs = std::mem::take(&mut *self.queue.lock().unwrap_or_else(|p| p.into_inner()));
        let (recs, senders): (Vec<_>, Vec<_>) = jobs.into_iter().unzip();
        match self.with_head(&mut client, |_tx, head| {
            recs.into_iter()
                .map(|r| self.insert(head, r))
                .collect::<Result<Vec<_>, _>>()
        }) {
            Ok(records) => {
                for (r, s) in records.into_iter().zip(senders) {
                    let _ = s.send(Ok(r));
                }
            }
            Err(e) => {
                for s in senders {
                    let _ = s.send(Err(AuditError::Postgres {
                        url: self.url.clone(),
                        reason: format!("group commit rolled back: {e}"),
                    }));
                }
            }
        }
        drop(client);
        rx.recv().unwrap_or_else(|_| {
            Err(AuditError::Postgres {
                url: self.url.clone(),
                reason: "append lost its group".into(),
            })
        })
    }

    /// Number of records in the chain (the head's sequence number).
    pub fn records(&self) -> Result<u64, AuditError> {
        let row = self
            .lock()
            .query_one("SELECT seq FROM audit_head WHERE id = 1", &[])
            .map_err(|e| self.err(e))?;
        Ok(row.get::<_, i64>(0) as u64)
    }

    /// Every record with `seq > after`, in order.
    pub fn records_after(&self, after: u64, limit: u64) -> Result<Vec<AuditRecord>, AuditError> {
        let rows = self
            .lock()
            .query(
                "SELECT seq, payload, prev_hash, hash FROM audit_log WHERE seq > $1 \
                 ORDER BY seq LIMIT $2",
                &[&(after as i64), &(limit as i64)],
            )
            .map_err(|e| self.err(e))?;
        rows.iter()
            .map(|r| {
                let seq: i64 = r.get(0);
                let payload: String = r.get(1);
                let value: serde_json::Value =
                    serde_json::from_str(&payload).map_err(|e| self.corrupt(seq, e.to_string()))?;
                crate::record::record_from_payload(&value, r.get(2), r.get(3))
                    .map_err(|e| self.corrupt(seq, e))
            })
            .collect()
    }

    fn corrupt(&self, seq: i64, reason: String) -> AuditError {
        AuditError::Postgres {
            url: self.url.clone(),
            reason: format!("audit_log row {seq}: {reason}"),
        }
    }
}

/// The chain head while a transaction holds it, and the rows it will
/// insert (sent in one statement per table: one round trip per group).
struct Head {
    seq: i64,
    hash: String,
    rows: Vec<PendingRow>,
    requests: Vec<(String, i64, String)>,
}

struct PendingRow {
    seq: i64,
    ts: String,
    kind: &'static str,
    actor: String,
    payload: String,
    prev_hash: String,
    hash: String,
}

fn pg_reason(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

impl AuditStore for PgAuditLog {
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
        let mut client = self.lock();
        // The head row lock is taken first, so two nodes that received the
        // same request serialise here and the second sees the first's row.
        self.with_head(&mut client, |tx, head| {
            let ids: Vec<String> = items.iter().map(|i| i.request_id.clone()).collect();
            let mut stored: HashMap<String, RequestOutcome> = HashMap::new();
            for row in tx
                .query(
                    "SELECT request_id, audit_seq, reply FROM bus_requests \
                     WHERE request_id = ANY($1)",
                    &[&ids],
                )
                .map_err(|e| self.err(e))?
            {
                let id: String = row.get(0);
                let seq: i64 = row.get(1);
                let reply: String = row.get(2);
                stored.insert(
                    id.clone(),
                    RequestOutcome {
                        request_id: id,
                        audit_seq: seq as u64,
                        reply: serde_json::from_str(&reply)
                            .map_err(|e| self.corrupt(seq, e.to_string()))?,
                        replayed: true,
                    },
                );
            }
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                if let Some(prev) = stored.get(&item.request_id) {
                    out.push(prev.clone());
                    continue;
                }
                let reply_text = canonical_json(&item.reply);
                let rec = self.insert(head, item.record)?;
                head.requests
                    .push((item.request_id.clone(), rec.seq as i64, reply_text));
                let outcome = RequestOutcome {
                    request_id: item.request_id.clone(),
                    audit_seq: rec.seq,
                    reply: item.reply,
                    replayed: false,
                };
                let mut again = outcome.clone();
                again.replayed = true;
                stored.insert(item.request_id, again);
                out.push(outcome);
            }
            Ok(out)
        })
    }

    fn stored_requests(
        &self,
        ids: &[String],
    ) -> Result<HashMap<String, RequestOutcome>, AuditError> {
        let mut out = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let ids: Vec<String> = ids.to_vec();
        for row in self
            .lock()
            .query(
                "SELECT request_id, audit_seq, reply FROM bus_requests WHERE request_id = ANY($1)",
                &[&ids],
            )
            .map_err(|e| self.err(e))?
        {
            let id: String = row.get(0);
            let seq: i64 = row.get(1);
            let reply: String = row.get(2);
            out.insert(
                id.clone(),
                RequestOutcome {
                    request_id: id,
                    audit_seq: seq as u64,
                    reply: serde_json::from_str(&reply)
                        .map_err(|e| self.corrupt(seq, e.to_string()))?,
                    replayed: true,
                },
            );
        }
        Ok(out)
    }

    fn request_index(&self) -> Result<Vec<(String, u64)>, AuditError> {
        let rows = self
            .lock()
            .query(
                "SELECT request_id, audit_seq FROM bus_requests ORDER BY audit_seq",
                &[],
            )
            .map_err(|e| self.err(e))?;
        Ok(rows
            .iter()
            .map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1) as u64))
            .collect())
    }

    /// Walks the chain in order: sequence numbers without gaps, each
    /// `prev_hash` the previous `hash`, each hash recomputed from the stored
    /// payload, the payload's `seq`, `kind` and `actor` equal to the
    /// columns, and the head row equal to the last record.
    fn verify_chain(&self) -> Result<VerifyReport, AuditError> {
        let mut client = self.lock();
        // A repeatable-read snapshot: appends continue while we read.
        let mut tx = client
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(|e| self.err(e))?;
        let head = tx
            .query_one("SELECT seq, hash FROM audit_head WHERE id = 1", &[])
            .map_err(|e| self.err(e))?;
        let (head_seq, head_hash): (i64, String) = (head.get(0), head.get(1));
        let mut problems = Vec::new();
        let mut prev = GENESIS_HASH.to_string();
        let mut expect: i64 = 1;
        let mut intact: u64 = 0;
        let mut anchor: Option<Anchor> = None;
        let mut after: i64 = 0;
        'pages: loop {
            let rows = tx
                .query(
                    "SELECT seq, kind, actor, payload, prev_hash, hash FROM audit_log \
                     WHERE seq > $1 ORDER BY seq LIMIT 5000",
                    &[&after],
                )
                .map_err(|e| self.err(e))?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                let seq: i64 = r.get(0);
                after = seq;
                let kind: String = r.get(1);
                let actor: String = r.get(2);
                let payload: String = r.get(3);
                let prev_hash: String = r.get(4);
                let hash: String = r.get(5);
                let fail = if seq != expect {
                    Some(format!("record {expect} is missing (found {seq} next)"))
                } else if prev_hash != prev {
                    Some(format!(
                        "record {seq}: prev_hash does not link to record {}",
                        seq - 1
                    ))
                } else if chain_hash(&prev_hash, payload.as_bytes()) != hash {
                    Some(format!("record {seq}: hash does not match its content"))
                } else {
                    match serde_json::from_str::<serde_json::Value>(&payload) {
                        Ok(v)
                            if v["seq"].as_i64() == Some(seq)
                                && v["kind"].as_str() == Some(kind.as_str())
                                && v["actor"].as_str() == Some(actor.as_str()) =>
                        {
                            None
                        }
                        Ok(_) => Some(format!(
                            "record {seq}: seq, kind or actor columns differ from the payload"
                        )),
                        Err(e) => Some(format!("record {seq}: payload is not JSON: {e}")),
                    }
                };
                if let Some(reason) = fail {
                    problems.push(reason);
                    break 'pages;
                }
                prev = hash.clone();
                expect = seq + 1;
                intact += 1;
                anchor = Some(Anchor {
                    seq: seq as u64,
                    hash,
                });
            }
        }
        if problems.is_empty() && (head_seq as u64 != intact || head_hash != prev) {
            problems.push(format!(
                "the head row says record {head_seq}, but the chain ends at record {intact}"
            ));
        }
        let orphans: i64 = tx
            .query_one(
                "SELECT COUNT(*) FROM bus_requests r LEFT JOIN audit_log a ON a.seq = r.audit_seq \
                 WHERE a.seq IS NULL",
                &[],
            )
            .map_err(|e| self.err(e))?
            .get(0);
        if orphans > 0 {
            problems.push(format!("{orphans} request rows point at no audit record"));
        }
        // Review rows must point at the review of their subject and record,
        // key rows at a record about their key.
        let bad_reviews: i64 = tx
            .query_one(
                "SELECT COUNT(*) FROM audit_reviews r LEFT JOIN audit_log a ON a.seq = r.audit_seq                  WHERE a.seq IS NULL OR a.kind <> 'review'                  OR (a.payload::jsonb #>> '{request,subject_key}') IS DISTINCT FROM r.subject_key                  OR (a.payload::jsonb #>> '{request,entity_id}') IS DISTINCT FROM r.entity_id",
                &[],
            )
            .map_err(|e| self.err(e))?
            .get(0);
        if bad_reviews > 0 {
            problems.push(format!(
                "{bad_reviews} review rows do not agree with their audit record"
            ));
        }
        let bad_keys: i64 = tx
            .query_one(
                "SELECT COUNT(*) FROM audit_api_keys k LEFT JOIN audit_log a ON a.seq = k.audit_seq                  WHERE a.seq IS NULL                  OR (a.payload::jsonb #>> '{request,name}') IS DISTINCT FROM k.name                  OR (k.revoked_at IS NULL AND (                      (a.payload::jsonb #>> '{request,action}') IS DISTINCT FROM 'create_api_key'                      OR (a.payload::jsonb #>> '{result,key_sha256}') IS DISTINCT FROM k.key_sha256                      OR (a.payload::jsonb #>> '{request,role}') IS DISTINCT FROM k.role))",
                &[],
            )
            .map_err(|e| self.err(e))?
            .get(0);
        if bad_keys > 0 {
            problems.push(format!(
                "{bad_keys} API key rows do not agree with their audit record"
            ));
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(VerifyReport {
            records: intact,
            ok: problems.is_empty(),
            first_bad: problems.first().map(|p| (intact + 1, p.clone())),
            head: anchor,
            checkpoints: 0,
            last_checkpoint: None,
            problems,
            notes: vec![format!(
                "PostgreSQL store {}: chain, requests, reviews and API keys checked; signed \
                 checkpoints and batch rows are kept in each data directory, not checked here",
                self.url
            )],
        })
    }

    fn location(&self) -> String {
        self.url.clone()
    }
}

impl PgAuditLog {
    /// Reads the review index with each row's audit record; a row whose
    /// record does not hash to its stored hash or is not the review of the
    /// row's subject and entity is ignored with a warning.
    fn read_review_book(&self, client: &mut Client) -> Result<ReviewBook, AuditError> {
        let rows = client
            .query(
                "SELECT r.id, r.subject_key, r.entity_id, a.payload, a.prev_hash, a.hash \
                 FROM audit_reviews r JOIN audit_log a ON a.seq = r.audit_seq ORDER BY r.id",
                &[],
            )
            .map_err(|e| self.err(e))?;
        let mut book = ReviewBook::default();
        for r in &rows {
            let id: i64 = r.get(0);
            let pair: (String, String) = (r.get(1), r.get(2));
            let payload: String = r.get(3);
            let prev: String = r.get(4);
            let hash: String = r.get(5);
            let review = (|| {
                if chain_hash(&prev, payload.as_bytes()) != hash {
                    return Err("its audit record does not match its hash".to_string());
                }
                let v: serde_json::Value =
                    serde_json::from_str(&payload).map_err(|e| e.to_string())?;
                let rec = crate::record::record_from_payload(&v, prev.clone(), hash.clone())?;
                let review = review_from_record(id, &rec)?;
                if review.subject_key != pair.0 || review.entity_id.0 != pair.1 {
                    return Err(format!(
                        "its audit record {} is about another subject or record",
                        rec.seq
                    ));
                }
                Ok(review)
            })();
            match review {
                Ok(review) => book.add(review),
                Err(why) => book.ignore(
                    pair,
                    format!(
                        "review row {id} fails its integrity check ({why}) and was ignored; \
                         run `embargo audit verify --store …`"
                    ),
                ),
            }
        }
        Ok(book)
    }
}

impl AuditBackend for PgAuditLog {
    fn record_review(&self, r: NewReview) -> Result<Review, AuditError> {
        let written = review_record(&r)?;
        let mut client = self.lock();
        self.with_head(&mut client, |tx, head| {
            let rec = self.insert(head, written.record)?;
            self.flush(tx, head)?;
            let id: i64 = tx
                .query_one("SELECT COALESCE(MAX(id), 0) + 1 FROM audit_reviews", &[])
                .map_err(|e| self.err(e))?
                .get(0);
            tx.execute(
                "INSERT INTO audit_reviews (id, audit_seq, subject_key, entity_id) \
                 VALUES ($1, $2, $3, $4)",
                &[
                    &id,
                    &(rec.seq as i64),
                    &r.subject_key,
                    &r.entity_id.as_str(),
                ],
            )
            .map_err(|e| self.err(e))?;
            Ok(Review {
                id,
                audit_seq: rec.seq,
                decided_at: rec.ts,
                subject_key: r.subject_key,
                entity_id: r.entity_id,
                entity_fingerprint: r.entity_fingerprint,
                entity: r.entity,
                verdict: r.verdict,
                reason: r.reason,
                reviewer: r.reviewer,
                expires: r.expires,
            })
        })
    }

    fn review_book(&self) -> Result<Arc<ReviewBook>, AuditError> {
        let mut client = self.lock();
        let top: i64 = client
            .query_one("SELECT COALESCE(MAX(id), 0) FROM audit_reviews", &[])
            .map_err(|e| self.err(e))?
            .get(0);
        let mut cache = self.books.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((k, book)) = cache.as_ref() {
            if *k == top {
                return Ok(Arc::clone(book));
            }
        }
        let book = Arc::new(self.read_review_book(&mut client)?);
        *cache = Some((top, Arc::clone(&book)));
        Ok(book)
    }

    fn subject_reviews(&self, subject_key: &str) -> Result<(Vec<Review>, Vec<String>), AuditError> {
        Ok(self.review_book()?.subject(subject_key))
    }

    fn create_key(
        &self,
        name: &str,
        role: Role,
        expires: Option<NaiveDate>,
        actor: &str,
    ) -> Result<String, AuditError> {
        let NewKey {
            name,
            secret,
            hash,
            expires,
            record,
        } = new_key(name, role, expires, actor)?;
        let mut client = self.lock();
        self.with_head(&mut client, |tx, head| {
            let exists = tx
                .query_opt("SELECT 1 FROM audit_api_keys WHERE name = $1", &[&name])
                .map_err(|e| self.err(e))?;
            if exists.is_some() {
                return Err(AuditError::DuplicateKeyName(name.clone()));
            }
            let rec = self.insert(head, record)?;
            self.flush(tx, head)?;
            tx.execute(
                "INSERT INTO audit_api_keys (name, key_sha256, role, created_at, expires, \
                 revoked_at, audit_seq) VALUES ($1, $2, $3, $4, $5, NULL, $6)",
                &[
                    &name,
                    &hash,
                    &role.as_str(),
                    &format_ts(&rec.ts),
                    &expires,
                    &(rec.seq as i64),
                ],
            )
            .map_err(|e| self.err(e))?;
            Ok(())
        })?;
        Ok(secret)
    }

    fn revoke_key(&self, name: &str, actor: &str) -> Result<bool, AuditError> {
        let mut client = self.lock();
        self.with_head(&mut client, |tx, head| {
            let row = tx
                .query_opt(
                    "SELECT 1 FROM audit_api_keys WHERE name = $1 AND revoked_at IS NULL \
                     FOR UPDATE",
                    &[&name],
                )
                .map_err(|e| self.err(e))?;
            if row.is_none() {
                return Ok(false);
            }
            let rec = self.insert(
                head,
                NewRecord {
                    kind: crate::RecordKind::Admin,
                    actor: actor.to_string(),
                    request: serde_json::json!({"action": "revoke_api_key", "name": name}),
                    result: serde_json::json!({"revoked": true}),
                    list_versions: vec![],
                },
            )?;
            self.flush(tx, head)?;
            tx.execute(
                "UPDATE audit_api_keys SET revoked_at = $2, audit_seq = $3 WHERE name = $1",
                &[&name, &format_ts(&rec.ts), &(rec.seq as i64)],
            )
            .map_err(|e| self.err(e))?;
            Ok(true)
        })
    }

    /// A key is usable when its row is not revoked nor expired and its
    /// audit record is the creation of that name with that hash, role and
    /// expiry (a row written behind Embargo's back has no such record).
    /// Unlike the SQLite log, `last_used_at` is not kept.
    fn authenticate_key(&self, key: &str) -> Result<Option<(String, Role)>, AuditError> {
        let Some(hash) = presented_hash(key) else {
            return Ok(None);
        };
        let row = self
            .lock()
            .query_opt(
                "SELECT k.name, k.role, k.expires, k.revoked_at, a.payload \
                 FROM audit_api_keys k JOIN audit_log a ON a.seq = k.audit_seq \
                 WHERE k.key_sha256 = $1",
                &[&hash],
            )
            .map_err(|e| self.err(e))?;
        let Some(row) = row else { return Ok(None) };
        let name: String = row.get(0);
        let role_text: String = row.get(1);
        let expires: Option<String> = row.get(2);
        let revoked: Option<String> = row.get(3);
        let payload: String = row.get(4);
        if revoked.is_some() {
            return Ok(None);
        }
        let expired = match expires.as_deref() {
            None => false,
            Some(e) => NaiveDate::parse_from_str(e, "%Y-%m-%d")
                .map_or(true, |d| Utc::now().date_naive() > d),
        };
        let v: serde_json::Value = serde_json::from_str(&payload).unwrap_or_default();
        let agrees = v["kind"] == "admin"
            && v["request"]["action"] == "create_api_key"
            && v["request"]["name"] == name.as_str()
            && v["request"]["role"] == role_text.as_str()
            && v["request"]["expires"].as_str() == expires.as_deref()
            && v["result"]["key_sha256"] == hash.as_str();
        if expired || !agrees {
            return Ok(None);
        }
        Ok(Role::parse(&role_text).map(|r| (name, r)))
    }

    fn record_at(&self, seq: u64) -> Result<Option<AuditRecord>, AuditError> {
        if seq == 0 {
            return Ok(None);
        }
        Ok(self
            .records_after(seq - 1, 1)?
            .into_iter()
            .find(|r| r.seq == seq))
    }

    fn chain_head(&self) -> Result<Option<Anchor>, AuditError> {
        let row = self
            .lock()
            .query_one("SELECT seq, hash FROM audit_head WHERE id = 1", &[])
            .map_err(|e| self.err(e))?;
        let seq: i64 = row.get(0);
        Ok((seq > 0).then(|| Anchor {
            seq: seq as u64,
            hash: row.get(1),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact("postgres://embargo:s3cret@db:5432/embargo"),
            "postgres://embargo:***@db:5432/embargo"
        );
        assert_eq!(redact("postgres://db/embargo"), "postgres://db/embargo");
        assert_eq!(redact("host=db user=embargo"), "host=db user=embargo");
    }
}
