//! `AuditLog`: the open `audit.sqlite` file, appends and exports.
//!
//! One `Mutex<Connection>` per process: appends are serialised anyway by
//! SQLite's single writer, and the mutex makes the handle `Send + Sync` for
//! the server. Every write is a `BEGIN IMMEDIATE` transaction that reads the
//! chain head inside the write lock, so several processes (the server and a
//! CLI run) can append to the same file without forking the chain.
//!
//! `append` commits concurrent calls together (group commit, design in
//! `group`): each caller still returns only after its record is durable.
//!
//! Every write transaction ends by checking whether the log has grown
//! `checkpoint_every` records past its last signed checkpoint; if so the
//! checkpoint row is written in that same transaction and the checkpoint
//! file is brought up to date after the commit (see `checkpoint`).

use crate::checkpoint::{self, Checkpoint, CHECKPOINT_FILE, DEFAULT_CHECKPOINT_EVERY};
use crate::error::AuditError;
use crate::group::GroupQueue;
use crate::record::{
    chain_hash, format_ts, now_micros, payload_text, record_from_payload, AuditRecord, NewRecord,
    GENESIS_HASH,
};
use crate::schema;
use crate::signing::LogKey;
use chrono::{DateTime, Utc};
use rusqlite::{
    params, Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior,
};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// File name of the audit store inside the data directory.
pub const AUDIT_FILE: &str = "audit.sqlite";

/// The tamper-evident audit log, review decisions and API keys of one data directory.
pub struct AuditLog {
    pub(crate) path: PathBuf,
    conn: Mutex<Connection>,
    /// Appends waiting for the next group commit (see `group`).
    pending: GroupQueue,
    /// Transactions committed by `append` through this handle (each holds
    /// one or more records); reported by `append_transactions`.
    group_commits: AtomicU64,
    /// Signs checkpoints; authenticates `api_keys` rows.
    key: LogKey,
    /// Records between automatic checkpoints (0: only on request).
    checkpoint_every: AtomicU64,
    /// `<data dir>/audit.checkpoints`.
    checkpoint_file: PathBuf,
    /// Highest checkpoint `n` known to be in the checkpoint file.
    synced: AtomicU64,
    /// Why the last attempt to append to the checkpoint file failed, if
    /// it did (retried at the next checkpoint; shown by `verify`).
    sync_error: Mutex<Option<String>>,
    /// The review decisions as last read (`review_book`).
    pub(crate) review_books: crate::review::BookCache,
}

/// Settings of an opened log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditOptions {
    /// Write a signed checkpoint whenever the log has grown this many
    /// records past the last one (0: only on request). Default 1000.
    pub checkpoint_every: u64,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            checkpoint_every: DEFAULT_CHECKPOINT_EVERY,
        }
    }
}

impl AuditOptions {
    /// The defaults, with `EMBARGO_AUDIT_CHECKPOINT_EVERY` (a number of
    /// records) overriding `checkpoint_every` when set; used by `open`.
    pub fn from_env() -> AuditOptions {
        let mut o = AuditOptions::default();
        if let Some(n) = std::env::var("EMBARGO_AUDIT_CHECKPOINT_EVERY")
            .ok()
            .and_then(|v| v.trim().parse().ok())
        {
            o.checkpoint_every = n;
        }
        o
    }
}

/// The last record of the chain: write it somewhere else (a ticket, a
/// second system, a printout) and `verify_anchor` later proves that nothing
/// up to it was rewritten or cut off, even by someone who recomputed every
/// hash after editing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub seq: u64,
    pub hash: String,
}

impl AuditLog {
    /// Opens (creating if needed) `<data_dir>/audit.sqlite`, with
    /// `AuditOptions::from_env()`.
    pub fn open(data_dir: &Path) -> Result<AuditLog, AuditError> {
        AuditLog::open_with(data_dir, AuditOptions::from_env())
    }

    /// Opens (creating if needed) `<data_dir>/audit.sqlite` and the
    /// signing key `<data_dir>/audit.key`, upgrades a file of an older
    /// format, and appends to `<data_dir>/audit.checkpoints` any checkpoint
    /// a crash kept out of it.
    pub fn open_with(data_dir: &Path, options: AuditOptions) -> Result<AuditLog, AuditError> {
        std::fs::create_dir_all(data_dir).map_err(|source| AuditError::Io {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let path = data_dir.join(AUDIT_FILE);
        let err = |source| AuditError::Sqlite {
            path: path.clone(),
            source,
        };
        let key = LogKey::load_or_create(data_dir)?;
        // Two processes opening a fresh directory at once can meet a lock
        // SQLite does not wait for (switching to WAL); retry briefly.
        let conn = retry_locked(|| {
            let mut conn = Connection::open(&path).map_err(err)?;
            schema::configure(&conn).map_err(err)?;
            let version: i64 = conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(err)?;
            if version > schema::SCHEMA_VERSION {
                return Err(AuditError::NewerFormat {
                    path: path.clone(),
                    found: version,
                    supported: schema::SCHEMA_VERSION,
                });
            }
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(err)?;
            tx.execute_batch(schema::CREATE).map_err(err)?;
            schema::add_missing_columns(&tx).map_err(err)?;
            if schema::add_review_mac(&tx).map_err(err)? {
                crate::review::bless_legacy_reviews(&tx, &key).map_err(err)?;
            }
            let version: i64 = tx
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(err)?;
            if version < schema::SCHEMA_VERSION {
                crate::keys::bless_legacy_rows(&tx, &key).map_err(err)?;
                tx.pragma_update(None, "user_version", schema::SCHEMA_VERSION)
                    .map_err(err)?;
            }
            tx.commit().map_err(err)?;
            Ok(conn)
        })?;
        let log = AuditLog {
            checkpoint_file: data_dir.join(CHECKPOINT_FILE),
            path,
            conn: Mutex::new(conn),
            pending: GroupQueue::default(),
            group_commits: AtomicU64::new(0),
            key,
            checkpoint_every: AtomicU64::new(options.checkpoint_every),
            synced: AtomicU64::new(0),
            sync_error: Mutex::new(None),
            review_books: Default::default(),
        };
        log.sync_on(&mut log.lock());
        Ok(log)
    }

    pub(crate) fn log_key(&self) -> &LogKey {
        &self.key
    }

    /// The log's Ed25519 public key, 64 hex digits: give it to whoever
    /// checks checkpoints (`verify --public-key`).
    pub fn public_key(&self) -> String {
        self.key.public_hex()
    }

    /// `<data dir>/audit.checkpoints`.
    pub fn checkpoint_file(&self) -> &Path {
        &self.checkpoint_file
    }

    /// Changes how many records may pass between automatic checkpoints.
    pub fn set_checkpoint_every(&self, records: u64) {
        self.checkpoint_every.store(records, Ordering::Relaxed);
    }

    /// Signs a checkpoint of the log as it is now, stores it in the
    /// `checkpoints` table and appends it to the checkpoint file.
    pub fn checkpoint(&self) -> Result<Checkpoint, AuditError> {
        let mut conn = self.lock();
        let cp = self.write_tx_on(&mut conn, |tx| {
            checkpoint::write_in(tx, &self.path, &self.key)
        })?;
        self.sync_on(&mut conn);
        if let Some(e) = self.sync_error() {
            return Err(AuditError::Io {
                path: self.checkpoint_file.clone(),
                source: std::io::Error::other(e),
            });
        }
        Ok(cp)
    }

    /// Every checkpoint in the `checkpoints` table, oldest first.
    pub fn checkpoints(&self) -> Result<Vec<Checkpoint>, AuditError> {
        checkpoint::table_rows(&self.lock(), &self.path, 0)
    }

    /// Why the checkpoint file could not be brought up to date, if it could
    /// not (retried at the next checkpoint and the next open).
    pub fn sync_error(&self) -> Option<String> {
        self.sync_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Appends to the checkpoint file every checkpoint row it lacks, under
    /// SQLite's write lock so processes do not interleave lines. A failure
    /// is remembered (`sync_error`), not returned: the records it concerns
    /// are already committed, and the next sync retries.
    fn sync_on(&self, conn: &mut Connection) {
        let result = (|| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| self.db(e))?;
            let last = checkpoint::sync_file(
                &tx,
                &self.path,
                &self.checkpoint_file,
                self.synced.load(Ordering::Relaxed),
            )?;
            tx.commit().map_err(|e| self.db(e))?;
            Ok::<u64, AuditError>(last)
        })();
        let mut err = self.sync_error.lock().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok(last) => {
                self.synced.store(last, Ordering::Relaxed);
                *err = None;
            }
            Err(e) => *err = Some(e.to_string()),
        }
    }

    /// Path of the SQLite file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn db(&self, source: rusqlite::Error) -> AuditError {
        AuditError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// The connection. A panic elsewhere while holding the lock cannot
    /// leave a half-written record (the transaction rolls back on drop), so
    /// a poisoned lock is safe to keep using.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A separate read-only connection for long reads (verify, export):
    /// under WAL it sees a consistent snapshot while appends continue on
    /// the main connection, so a long export never stalls screening.
    pub(crate) fn reader(&self) -> Result<Connection, AuditError> {
        let conn = Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| self.db(e))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| self.db(e))?;
        Ok(conn)
    }

    /// Runs `f` in one durable write transaction.
    pub(crate) fn write_tx<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, AuditError>,
    ) -> Result<T, AuditError> {
        self.write_tx_on(&mut self.lock(), f)
    }

    /// `write_tx` on a connection the caller already holds.
    fn write_tx_on<T>(
        &self,
        conn: &mut Connection,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, AuditError>,
    ) -> Result<T, AuditError> {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.db(e))?;
        let out = f(&tx)?;
        // The checkpoint row commits with the records it covers.
        let every = self.checkpoint_every.load(Ordering::Relaxed);
        let wrote = if checkpoint::due(&tx, &self.path, every)? {
            checkpoint::write_in(&tx, &self.path, &self.key)?;
            true
        } else {
            false
        };
        tx.commit().map_err(|e| self.db(e))?;
        if wrote {
            self.sync_on(conn);
        }
        Ok(out)
    }

    /// Appends `recs` in the given transaction, in order.
    fn append_all(
        &self,
        tx: &Transaction<'_>,
        recs: Vec<NewRecord>,
    ) -> Result<Vec<AuditRecord>, AuditError> {
        recs.into_iter().map(|r| self.append_in(tx, r)).collect()
    }

    /// Appends one record and returns it once it is durably committed.
    ///
    /// Concurrent calls are committed together (group commit, see the
    /// module doc); each still returns only after the transaction holding
    /// its record has committed and been fsynced.
    pub fn append(&self, rec: NewRecord) -> Result<AuditRecord, AuditError> {
        // Refused here, alone, so an invalid record never fails a group.
        check_actor(&rec)?;
        let (slot, lead) = self.pending.enqueue(rec);
        if !lead {
            if let Some(done) = slot.wait() {
                return done; // committed by another caller's group
            }
        }
        // Drain only once the connection is ours, so the group also takes
        // in whatever arrived while we waited for it.
        let mut conn = self.lock();
        let (recs, leader) = self.pending.lead(&self.path);
        // One durable transaction for the group, all records or none.
        let result = self.write_tx_on(&mut conn, |tx| self.append_all(tx, recs));
        drop(conn);
        if result.is_ok() {
            self.group_commits.fetch_add(1, Ordering::Relaxed);
        }
        leader.finish(result, &slot)
    }

    /// How many transactions `append` has committed through this handle.
    /// Below the number of appended records when group commit combined
    /// concurrent appends; useful to see the effect under load.
    pub fn append_transactions(&self) -> u64 {
        self.group_commits.load(Ordering::Relaxed)
    }

    /// Appends several records in one transaction: one fsync for all, so a
    /// batch screen of 100k rows costs one commit, not 100k. All or none
    /// are committed.
    pub fn append_many(&self, recs: Vec<NewRecord>) -> Result<Vec<AuditRecord>, AuditError> {
        self.write_tx(|tx| self.append_all(tx, recs))
    }

    /// Appends inside a caller's transaction (reviews and key changes are
    /// written together with their audit record).
    pub(crate) fn append_in(
        &self,
        tx: &Transaction<'_>,
        rec: NewRecord,
    ) -> Result<AuditRecord, AuditError> {
        check_actor(&rec)?;
        // Cached statements: an append is on every screen's path.
        let head: Option<(i64, String)> = tx
            .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .and_then(|mut st| st.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
            .map_err(|e| self.db(e))?;
        let (seq, prev_hash) = match head {
            Some((s, h)) => (s + 1, h),
            None => (1, GENESIS_HASH.to_string()),
        };
        let seq_u = u64::try_from(seq).map_err(|_| AuditError::Corrupt {
            path: self.path.clone(),
            table: "audit_log",
            row: seq,
            field: "seq",
            reason: "negative sequence number".into(),
        })?;
        let ts = now_micros();
        let payload = payload_text(seq_u, &ts, &rec);
        let hash = chain_hash(&prev_hash, payload.as_bytes());
        tx.prepare_cached(
            "INSERT INTO audit_log (seq, ts, kind, actor, payload, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .and_then(|mut st| {
            st.execute(params![
                seq,
                format_ts(&ts),
                rec.kind.as_str(),
                rec.actor,
                payload,
                prev_hash,
                hash
            ])
        })
        .map_err(|e| self.db(e))?;
        Ok(AuditRecord {
            seq: seq_u,
            ts,
            kind: rec.kind,
            actor: rec.actor,
            request: rec.request,
            result: rec.result,
            list_versions: rec.list_versions,
            prev_hash,
            hash,
        })
    }

    /// The last record's sequence number and hash, to be kept elsewhere.
    pub fn head(&self) -> Result<Option<Anchor>, AuditError> {
        let conn = self.lock();
        conn.query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
        )
        .optional()
        .map_err(|e| self.db(e))
        .map(|o| {
            o.map(|(seq, hash)| Anchor {
                seq: seq.max(0) as u64,
                hash,
            })
        })
    }

    /// Reads one record by sequence number.
    pub fn get(&self, seq: u64) -> Result<Option<AuditRecord>, AuditError> {
        let conn = self.lock();
        let row: Option<(String, String, String)> = conn
            .query_row(
                "SELECT payload, prev_hash, hash FROM audit_log WHERE seq = ?1",
                [seq as i64],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| self.db(e))?;
        row.map(|(p, prev, hash)| self.parse_record(seq as i64, &p, prev, hash))
            .transpose()
    }

    fn parse_record(
        &self,
        row: i64,
        payload: &str,
        prev: String,
        hash: String,
    ) -> Result<AuditRecord, AuditError> {
        let corrupt = |reason: String| AuditError::Corrupt {
            path: self.path.clone(),
            table: "audit_log",
            row,
            field: "payload",
            reason,
        };
        let v: serde_json::Value =
            serde_json::from_str(payload).map_err(|e| corrupt(e.to_string()))?;
        record_from_payload(&v, prev, hash).map_err(corrupt)
    }

    /// Writes every record with `ts >= since` (all when `None`) as JSON
    /// lines, in chain order, and returns how many. Each line is the
    /// record's canonical JSON including `prev_hash` and `hash`, so an
    /// export can be checked on its own with `verify_jsonl`.
    pub fn export_since(
        &self,
        since: Option<DateTime<Utc>>,
        out: &mut dyn Write,
    ) -> Result<u64, AuditError> {
        let since_text = since.map(|t| format_ts(&t)).unwrap_or_default();
        let mut conn = self.reader()?;
        // One read transaction: a consistent snapshot while appends go on.
        let tx = conn.transaction().map_err(|e| self.db(e))?;
        let mut stmt = tx
            .prepare(
                "SELECT seq, payload, prev_hash, hash FROM audit_log
                 WHERE ts >= ?1 ORDER BY seq",
            )
            .map_err(|e| self.db(e))?;
        let mut rows = stmt.query([since_text]).map_err(|e| self.db(e))?;
        let mut n = 0u64;
        while let Some(r) = rows.next().map_err(|e| self.db(e))? {
            let seq: i64 = r.get(0).map_err(|e| self.db(e))?;
            let payload: String = r.get(1).map_err(|e| self.db(e))?;
            let rec = self.parse_record(
                seq,
                &payload,
                r.get(2).map_err(|e| self.db(e))?,
                r.get(3).map_err(|e| self.db(e))?,
            )?;
            writeln!(out, "{}", rec.to_json_line()).map_err(AuditError::Export)?;
            n += 1;
        }
        out.flush().map_err(AuditError::Export)?;
        Ok(n)
    }
}

/// Runs `f` again while it fails with "database is locked/busy", for up to
/// 20 s (opening a fresh file that another process is setting up).
fn retry_locked<T>(mut f: impl FnMut() -> Result<T, AuditError>) -> Result<T, AuditError> {
    let start = std::time::Instant::now();
    loop {
        match f() {
            Err(AuditError::Sqlite {
                source: rusqlite::Error::SqliteFailure(e, _),
                ..
            }) if matches!(
                e.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) && start.elapsed() < std::time::Duration::from_secs(20) =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

pub(crate) fn check_actor(rec: &NewRecord) -> Result<(), AuditError> {
    if rec.actor.trim().is_empty() {
        return Err(AuditError::Invalid {
            field: "actor",
            reason: "every audit record must name who acted (API key name or user)".into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod group_tests {
    use super::*;
    use crate::record::RecordKind;
    use serde_json::json;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    fn rec(i: usize) -> NewRecord {
        NewRecord {
            kind: RecordKind::Screen,
            actor: "group-test".into(),
            request: json!({"name": format!("MARKER-{i:03}")}),
            result: json!({"hits": []}),
            list_versions: vec![],
        }
    }

    /// Starts `n` appends while the connection is held, waits until all are
    /// queued, releases the lock, and returns each caller's result.
    fn queued_group(log: &Arc<AuditLog>, n: usize) -> Vec<Result<AuditRecord, AuditError>> {
        let held = log.lock();
        let threads: Vec<_> = (0..n)
            .map(|i| {
                let log = Arc::clone(log);
                std::thread::spawn(move || log.append(rec(i)))
            })
            .collect();
        let start = Instant::now();
        while log.pending.len() < n {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "appends never queued"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        drop(held);
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    }

    #[test]
    fn appends_queued_behind_a_commit_share_one_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let log = Arc::new(AuditLog::open(dir.path()).unwrap());
        let results = queued_group(&log, 8);
        assert_eq!(log.append_transactions(), 1);
        let mut seqs: Vec<u64> = results.iter().map(|r| r.as_ref().unwrap().seq).collect();
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=8).collect::<Vec<u64>>());
        // Each caller got its own record back, and it is the stored one.
        for r in results {
            let r = r.unwrap();
            assert_eq!(log.get(r.seq).unwrap().unwrap(), r);
        }
        let report = log.verify().unwrap();
        assert!(report.ok, "{report:?}");
        assert_eq!(report.records, 8);
    }

    #[test]
    fn one_failing_record_fails_its_whole_group_and_commits_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let log = Arc::new(AuditLog::open(dir.path()).unwrap());
        log.append(rec(100)).unwrap();
        // A trigger (as a damaged or hostile schema might have) rejects one
        // record of the group inside the transaction.
        log.lock()
            .execute_batch(
                "CREATE TRIGGER poison BEFORE INSERT ON audit_log
                 WHEN NEW.payload LIKE '%MARKER-005%'
                 BEGIN SELECT RAISE(ABORT, 'poisoned record'); END;",
            )
            .unwrap();
        let results = queued_group(&log, 8);
        assert_eq!(results.len(), 8);
        for r in &results {
            let e = r.as_ref().unwrap_err();
            assert!(e.to_string().contains("poisoned record"), "{e}");
        }
        log.lock().execute_batch("DROP TRIGGER poison").unwrap();
        let report = log.verify().unwrap();
        assert!(report.ok, "{report:?}");
        assert_eq!(report.records, 1);
        // The log goes on from the last committed record.
        assert_eq!(log.append(rec(200)).unwrap().seq, 2);
    }
}
