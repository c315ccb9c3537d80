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
//! - Group commit: inside one process, appends and request records
//!   (`append`, `append_many`, `append_requests`) that arrive while a group
//!   is in flight are written together by the next one (one WAL flush for
//!   all of them); each caller still returns only after its own records
//!   committed.
//! - One round trip per group: a group is one call of the SQL function
//!   `embargo_append_group` (`GROUP_FN`), sent on its own and so committed
//!   on its own. It takes the head lock, skips request ids already recorded,
//!   chains the records (the client sends each payload split around its
//!   sequence number, the database fills the number in and computes the
//!   same SHA-256 chain hash as `chain_hash`), inserts them with their
//!   request rows and moves the head. The head row is therefore locked for
//!   the function's work and the commit's WAL flush only, never for a
//!   client round trip, which is what bounds the chain's throughput when
//!   several processes write (each waits for the other's lock). `verify`
//!   recomputes every hash in Rust, so a database computing a different
//!   hash is caught. Reviews and API keys (rare) still use a client-side
//!   transaction holding the same lock.
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
use crate::log::check_actor;
use crate::log::Anchor;
use crate::record::format_ts;
use crate::record::{
    chain_hash, now_micros, payload_text, AuditRecord, NewRecord, GENESIS_HASH, PAYLOAD_VERSION,
};
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

/// One group commit in one statement (one round trip, committed on its
/// own): locks the chain head, answers request ids already recorded from
/// `bus_requests`, chains the other records — each payload is
/// `p_pre[i] || seq || p_post[i]`, its hash SHA-256(prev_hash ‖ payload)
/// as `chain_hash` computes it — inserts them with their request rows and
/// moves the head. Returns one row per input: its index (1-based), its
/// sequence number, and either the new record's prev_hash and hash or,
/// for a request answered before, NULL hashes and the stored reply.
/// Every statement in the function reads the newest committed data once
/// the head lock is granted (READ COMMITTED), so a request recorded by
/// another node just before is seen.
const GROUP_FN: &str = r#"
CREATE OR REPLACE FUNCTION embargo_append_group(
    p_ts text[], p_kind text[], p_actor text[], p_pre text[], p_post text[],
    p_request text[], p_reply text[])
RETURNS TABLE (o_idx integer, o_seq bigint, o_prev text, o_hash text, o_reply text)
LANGUAGE plpgsql AS $fn$
DECLARE
    n integer := coalesce(array_length(p_pre, 1), 0);
    s bigint;
    h text;
    nh text;
    body text;
    known text[];
    r_seq bigint;
    r_reply text;
    w_seq bigint[] := '{}';
    w_idx integer[] := '{}';
    w_payload text[] := '{}';
    w_prev text[] := '{}';
    w_hash text[] := '{}';
    q_id text[] := '{}';
    q_seq bigint[] := '{}';
    q_reply text[] := '{}';
BEGIN
    SELECT a.seq, a.hash INTO s, h FROM audit_head a WHERE a.id = 1 FOR UPDATE;
    SELECT coalesce(array_agg(b.request_id), '{}') INTO known
        FROM bus_requests b WHERE b.request_id = ANY (p_request);
    FOR i IN 1 .. n LOOP
        IF p_request[i] IS NOT NULL AND p_request[i] = ANY (known) THEN
            SELECT b.audit_seq, b.reply INTO r_seq, r_reply
                FROM bus_requests b WHERE b.request_id = p_request[i];
            o_idx := i; o_seq := r_seq; o_prev := NULL; o_hash := NULL; o_reply := r_reply;
            RETURN NEXT;
            CONTINUE;
        END IF;
        s := s + 1;
        body := p_pre[i] || s::text || p_post[i];
        nh := encode(sha256(convert_to(h || body, 'UTF8')), 'hex');
        w_seq := w_seq || s;
        w_idx := w_idx || i;
        w_payload := w_payload || body;
        w_prev := w_prev || h;
        w_hash := w_hash || nh;
        IF p_request[i] IS NOT NULL THEN
            q_id := q_id || p_request[i];
            q_seq := q_seq || s;
            q_reply := q_reply || p_reply[i];
        END IF;
        o_idx := i; o_seq := s; o_prev := h; o_hash := nh; o_reply := NULL;
        RETURN NEXT;
        h := nh;
    END LOOP;
    IF cardinality(w_seq) > 0 THEN
        INSERT INTO audit_log (seq, ts, kind, actor, payload, prev_hash, hash)
            SELECT u.q, p_ts[u.k], p_kind[u.k], p_actor[u.k], u.pl, u.pv, u.hs
            FROM unnest(w_seq, w_idx, w_payload, w_prev, w_hash) AS u(q, k, pl, pv, hs);
        IF cardinality(q_id) > 0 THEN
            INSERT INTO bus_requests (request_id, audit_seq, reply)
                SELECT * FROM unnest(q_id, q_seq, q_reply);
        END IF;
        UPDATE audit_head SET seq = s, hash = h WHERE id = 1;
    END IF;
END
$fn$;
"#;

const GROUP: &str = "SELECT o_idx, o_seq, o_prev, o_hash, o_reply \
    FROM embargo_append_group($1, $2, $3, $4, $5, $6, $7)";

/// Advisory lock key held while creating the schema, so two processes
/// starting at once do not race on `CREATE TABLE`.
const SCHEMA_LOCK: i64 = 0x656d_6261_7267_6f01;

/// One caller's share of a group commit.
enum Item {
    Record(NewRecord),
    Request(RequestRecord),
}

/// What became of an [`Item`].
enum Written {
    Record(AuditRecord),
    Request(RequestOutcome),
}

type JobResult = Result<Vec<Written>, AuditError>;

/// An item ready to be sent: stamped, its payload text split around the
/// sequence number the database gives it (`payload_around_seq`), and for a
/// request its id, reply and the reply's stored text. Made by the caller's
/// thread, so a group's leader only gathers.
struct Ready {
    ts: chrono::DateTime<Utc>,
    ts_text: String,
    pre: String,
    post: String,
    rec: NewRecord,
    request: Option<(String, serde_json::Value, String)>,
}

/// A caller waiting for the group commit holding its items.
struct Job {
    items: Vec<Ready>,
    done: mpsc::Sender<Msg>,
}

/// What a waiting caller is told.
enum Msg {
    /// Its items were committed (or failed).
    Done(JobResult),
    /// It is the next leader: commit everything queued.
    Lead,
}

/// The callers waiting for the next group commit, and whether one is
/// leading (committing or about to).
#[derive(Default)]
struct Queue {
    jobs: Vec<Job>,
    leading: bool,
}

/// Hands the lead on when a leader is done (also when it panicked): to the
/// oldest waiting caller, or to nobody.
struct HandOn<'a>(&'a PgAuditLog);

impl Drop for HandOn<'_> {
    fn drop(&mut self) {
        let mut q = self.0.queue();
        while let Some(first) = q.jobs.first() {
            if first.done.send(Msg::Lead).is_ok() {
                return;
            }
            // Its caller is gone; nobody waits for those items.
            q.jobs.remove(0);
        }
        q.leading = false;
    }
}

/// The audit log in a PostgreSQL database (see the module doc).
pub struct PgAuditLog {
    url: String,
    client: Mutex<Client>,
    /// Appends and request records waiting for the next group commit.
    queue: Mutex<Queue>,
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
    /// A whole group commit: `embargo_append_group` (see `GROUP_FN`).
    group: postgres::Statement,
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
            tx.batch_execute(GROUP_FN).map_err(err)?;
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
            group: client.prepare(GROUP).map_err(err)?,
        };
        Ok(PgAuditLog {
            url: shown,
            client: Mutex::new(client),
            queue: Mutex::new(Queue::default()),
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
        };
        let out = f(&mut tx, &mut head)?;
        self.flush(&mut tx, &mut head)?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(out)
    }

    /// Inserts the rows `insert` queued.
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
        Ok(())
    }

    fn insert(&self, head: &mut Head, rec: NewRecord) -> Result<AuditRecord, AuditError> {
        check_actor(&rec)?;
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

    /// Appends several records in one transaction (all or none),
    /// group-committed with concurrent callers of this handle.
    pub fn append_many(&self, recs: Vec<NewRecord>) -> Result<Vec<AuditRecord>, AuditError> {
        let written = self.submit(recs.into_iter().map(Item::Record).collect())?;
        Ok(written
            .into_iter()
            .filter_map(|w| match w {
                Written::Record(r) => Some(r),
                Written::Request(_) => None,
            })
            .collect())
    }

    /// Appends one record, group-committed with concurrent callers of this
    /// handle; returns once the transaction holding it committed.
    pub fn append(&self, rec: NewRecord) -> Result<AuditRecord, AuditError> {
        self.append_many(vec![rec])?
            .pop()
            .ok_or_else(|| self.lost("the group returned no record"))
    }

    fn lost(&self, why: &str) -> AuditError {
        AuditError::Postgres {
            url: self.url.clone(),
            reason: why.to_string(),
        }
    }

    /// Group commit: queues `items` and returns once the transaction
    /// holding them committed (or failed). Whoever gets the client commits
    /// everything queued at that moment in one statement
    /// ([`PgAuditLog::commit_group`]): every append that arrived while the
    /// previous group was in flight rides in the next one. A caller whose
    /// items were taken by another's group finds its answer when it gets
    /// the client (answers are sent before the client is freed).
    fn submit(&self, items: Vec<Item>) -> JobResult {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        // Refused here, alone, so an invalid record never fails a group.
        let mut ready = Vec::with_capacity(items.len());
        for item in items {
            let (rec, request) = match item {
                Item::Record(r) => (r, None),
                Item::Request(r) => {
                    let text = canonical_json(&r.reply);
                    (r.record, Some((r.request_id, r.reply, text)))
                }
            };
            check_actor(&rec)?;
            let ts = now_micros();
            let (pre, post) = payload_around_seq(&ts, &rec).ok_or_else(|| {
                self.lost("the payload format has no place for the sequence number")
            })?;
            ready.push(Ready {
                ts_text: format_ts(&ts),
                ts,
                pre,
                post,
                rec,
                request,
            });
        }
        let (done, rx) = mpsc::channel();
        let lead_now = {
            let mut q = self.queue();
            q.jobs.push(Job { items: ready, done });
            !std::mem::replace(&mut q.leading, true)
        };
        if lead_now {
            self.lead();
        }
        loop {
            match rx.recv() {
                Ok(Msg::Done(result)) => return result,
                Ok(Msg::Lead) => self.lead(),
                Err(_) => return Err(self.lost("append lost its group")),
            }
        }
    }

    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The leader's turn: commits everything queued (its own items
    /// included) as one group, then hands the lead on. Waiting callers
    /// sleep on their own channel, not on the client, so a commit's
    /// callers all wake at once and the next group starts after a single
    /// hand-over.
    fn lead(&self) {
        let _hand_on = HandOn(self);
        let jobs = std::mem::take(&mut self.queue().jobs);
        if jobs.is_empty() {
            return;
        }
        let mut client = self.lock();
        self.commit_group(&mut client, jobs);
    }

    /// Writes every item of `jobs` in one statement (`GROUP_FN`: one round
    /// trip, its own transaction, committed with `synchronous_commit = on`)
    /// and answers each job. A request id given twice in the group is
    /// written once; the later ones get the first one's answer, replayed.
    fn commit_group(&self, client: &mut Client, jobs: Vec<Job>) {
        struct Sent {
            ts: chrono::DateTime<Utc>,
            rec: NewRecord,
            /// Request id and reply, for a request.
            request: Option<(String, serde_json::Value)>,
        }
        enum Slot {
            Sent(usize),
            /// The same request id as this earlier slot of the group.
            Again(usize),
        }
        let mut sent: Vec<Sent> = Vec::new();
        let mut slots: Vec<Vec<Slot>> = Vec::with_capacity(jobs.len());
        let mut first: HashMap<String, usize> = HashMap::new();
        let mut senders = Vec::with_capacity(jobs.len());
        let (mut ts, mut kinds, mut actors, mut pres, mut posts, mut rids, mut replies) = (
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        );
        for job in jobs {
            senders.push(job.done);
            let mut mine = Vec::with_capacity(job.items.len());
            for item in job.items {
                if let Some((id, _, _)) = &item.request {
                    if let Some(&i) = first.get(id) {
                        mine.push(Slot::Again(i));
                        continue;
                    }
                    first.insert(id.clone(), sent.len());
                }
                ts.push(item.ts_text);
                kinds.push(item.rec.kind.as_str());
                actors.push(item.rec.actor.clone());
                pres.push(item.pre);
                posts.push(item.post);
                let request = match item.request {
                    Some((id, reply, text)) => {
                        rids.push(Some(id.clone()));
                        replies.push(Some(text));
                        Some((id, reply))
                    }
                    None => {
                        rids.push(None);
                        replies.push(None);
                        None
                    }
                };
                mine.push(Slot::Sent(sent.len()));
                sent.push(Sent {
                    ts: item.ts,
                    rec: item.rec,
                    request,
                });
            }
            slots.push(mine);
        }
        let rows = client
            .query(
                &self.stmts.group,
                &[&ts, &kinds, &actors, &pres, &posts, &rids, &replies],
            )
            .map_err(|e| self.err(e));
        let outcomes: Result<Vec<Written>, AuditError> = rows.and_then(|rows| {
            if rows.len() != sent.len() {
                return Err(self.lost(&format!(
                    "the group of {} returned {} rows",
                    sent.len(),
                    rows.len()
                )));
            }
            let mut by_idx: Vec<Option<Written>> = Vec::new();
            by_idx.resize_with(sent.len(), || None);
            let mut sent: Vec<Option<Sent>> = sent.into_iter().map(Some).collect();
            for row in &rows {
                let idx = row.get::<_, i32>(0) as usize;
                let seq: i64 = row.get(1);
                let prev: Option<String> = row.get(2);
                let hash: Option<String> = row.get(3);
                let stored: Option<String> = row.get(4);
                let Some(s) = idx.checked_sub(1).and_then(|i| sent.get_mut(i)?.take()) else {
                    return Err(self.lost(&format!(
                        "the group returned row {idx} twice or out of range"
                    )));
                };
                let written = match (prev, hash, s.request) {
                    (Some(prev_hash), Some(hash), request) => {
                        let rec = AuditRecord {
                            seq: seq as u64,
                            ts: s.ts,
                            kind: s.rec.kind,
                            actor: s.rec.actor,
                            request: s.rec.request,
                            result: s.rec.result,
                            list_versions: s.rec.list_versions,
                            prev_hash,
                            hash,
                        };
                        match request {
                            None => Written::Record(rec),
                            Some((request_id, reply)) => Written::Request(RequestOutcome {
                                request_id,
                                audit_seq: rec.seq,
                                reply,
                                replayed: false,
                            }),
                        }
                    }
                    (_, _, Some((request_id, _))) => {
                        let text = stored.unwrap_or_default();
                        Written::Request(RequestOutcome {
                            request_id,
                            audit_seq: seq as u64,
                            reply: serde_json::from_str(&text)
                                .map_err(|e| self.corrupt(seq, e.to_string()))?,
                            replayed: true,
                        })
                    }
                    (_, _, None) => return Err(self.lost("a record was answered as a replay")),
                };
                by_idx[idx - 1] = Some(written);
            }
            by_idx
                .into_iter()
                .map(|w| w.ok_or_else(|| self.lost("a record of the group is missing")))
                .collect()
        });
        match outcomes {
            Ok(written) => {
                // Repeated request ids: the first one's answer, replayed.
                let mut again: HashMap<usize, RequestOutcome> = HashMap::new();
                for slot in slots.iter().flatten() {
                    if let Slot::Again(i) = slot {
                        if let Written::Request(o) = &written[*i] {
                            let mut o = o.clone();
                            o.replayed = true;
                            again.insert(*i, o);
                        }
                    }
                }
                let mut written: Vec<Option<Written>> = written.into_iter().map(Some).collect();
                for (done, mine) in senders.into_iter().zip(slots) {
                    let answer: Option<Vec<Written>> = mine
                        .into_iter()
                        .map(|slot| match slot {
                            Slot::Sent(i) => written[i].take(),
                            Slot::Again(i) => again.get(&i).cloned().map(Written::Request),
                        })
                        .collect();
                    let _ = done.send(Msg::Done(
                        answer.ok_or_else(|| self.lost("an answer of the group is missing")),
                    ));
                }
            }
            Err(e) => {
                for done in senders {
                    let _ = done.send(Msg::Done(Err(
                        self.lost(&format!("group commit rolled back: {e}"))
                    )));
                }
            }
        }
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

/// The payload text of `rec` stamped `ts` split around its sequence
/// number: `before + seq + after` is `payload_text(seq, ts, rec)` for
/// every `seq` (the canonical payload's keys are sorted, so `seq` comes
/// last but for `ts` and `v`). `None` if the format ever stops ending so.
fn payload_around_seq(ts: &chrono::DateTime<Utc>, rec: &NewRecord) -> Option<(String, String)> {
    let mut before = payload_text(0, ts, rec);
    let after = format!(",\"ts\":\"{}\",\"v\":{PAYLOAD_VERSION}}}", format_ts(ts));
    if !before.ends_with(&format!(",\"seq\":0{after}")) {
        return None;
    }
    before.truncate(before.len() - after.len() - 1);
    Some((before, after))
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
        // One group commit (with whatever else this handle has queued):
        // the head row lock is taken first, so two nodes that received the
        // same request serialise there and the second sees the first's row.
        let written = self.submit(items.into_iter().map(Item::Request).collect())?;
        written
            .into_iter()
            .map(|w| match w {
                Written::Request(o) => Ok(o),
                Written::Record(_) => Err(self.lost("a request was answered as a record")),
            })
            .collect()
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
    use super::{payload_around_seq, redact};
    use crate::record::{now_micros, payload_text};
    use crate::{NewRecord, RecordKind};
    use serde_json::json;

    #[test]
    fn a_payload_splits_around_its_sequence_number() {
        let ts = now_micros();
        for rec in [
            NewRecord {
                kind: RecordKind::Screen,
                actor: "bus:node-a".into(),
                request: json!({"name": "Ali ḤASAN 阿里", "seq": 0, "ts": "x"}),
                result: json!({"hits": [{"seq": 0, "v": 1}], "z": "\"seq\":0"}),
                list_versions: vec!["us_ofac_sdn 2024-05-03".into()],
            },
            NewRecord {
                kind: RecordKind::Decide,
                actor: "a\"b".into(),
                request: json!(null),
                result: json!([]),
                list_versions: vec![],
            },
        ] {
            let (before, after) = payload_around_seq(&ts, &rec).unwrap();
            for seq in [1u64, 9, 10, 4_000_000_123, i64::MAX as u64] {
                assert_eq!(
                    format!("{before}{seq}{after}"),
                    payload_text(seq, &ts, &rec),
                    "seq {seq}"
                );
            }
        }
    }

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
