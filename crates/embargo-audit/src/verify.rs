//! Checking the chain: `verify`, `verify_anchor` and `verify_jsonl`.
//!
//! `verify` walks `audit_log` in `seq` order and stops at the first record
//! that fails one of these checks, in this order:
//! 1. `seq` is the previous one plus one (a deleted record leaves a gap;
//!    the report names the missing number);
//! 2. `prev_hash` equals the previous record's `hash`;
//! 3. `hash` is SHA-256(`prev_hash` ‖ `payload`);
//! 4. the payload parses and its `seq`, `ts`, `kind` and `actor` equal the
//!    row's columns.
//!
//! Then SQLite's own `quick_check` runs, every `reviews` row is compared
//! with the audit record it points at (and must follow log order), and
//! every `review` audit record must have its `reviews` row. A damaged file makes SQLite report
//! corruption; that is a failed verification, not an error. Only problems
//! that say nothing about the file's content (I/O errors, a locked file)
//! are returned as `Err`.
//!
//! Then every `api_keys` row is compared with the key records of the chain
//! (`keys`) and its MAC checked, and every signed checkpoint (from the
//! `checkpoints` table, `<data dir>/audit.checkpoints` and any checkpoint
//! file the caller names) is checked: its signature, by the expected key,
//! and that every record it covers is there with the hash it signed
//! (`checkpoint::check`). These later checks do not stop at the first
//! problem: `problems` lists them all, `first_bad` names the first.
//!
//! What the chain cannot show on its own: someone who deletes the newest
//! records, or rewrites the file and recomputes every hash. Checkpoints
//! kept outside the database (the checkpoint file, or a copy an examiner
//! took) show both; `head()` gives an unsigned `Anchor` for the same use
//! and `verify_anchor` checks against it.

use crate::canonical::canonical_json;
use crate::checkpoint::{self, Checkpoint, Evidence, FileLine, CHECKPOINT_FILE};
use crate::error::AuditError;
use crate::keys::{all_key_rows, key_states, row_vs_chain};
use crate::log::{Anchor, AuditLog, AUDIT_FILE};
use crate::record::{chain_hash, GENESIS_HASH};
use crate::review::{review_body_from_row, review_mac_input};
use crate::signing::{parse_public_key, LogKey};
use ed25519_dalek::VerifyingKey;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// Outcome of a verification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// Records that passed every check (the intact prefix of the chain).
    pub records: u64,
    pub ok: bool,
    /// The first failing record and why. `seq` 0 means the problem is in
    /// the file or in the `reviews` index rather than in a chain record.
    pub first_bad: Option<(u64, String)>,
    /// The last intact record: store it elsewhere to anchor the chain.
    pub head: Option<Anchor>,
    /// Signed checkpoints that verified (signature, key and covered records).
    #[serde(default)]
    pub checkpoints: u64,
    /// The newest of those.
    #[serde(default)]
    pub last_checkpoint: Option<Checkpoint>,
    /// Every problem found (the first is also in `first_bad`).
    #[serde(default)]
    pub problems: Vec<String>,
    /// Facts worth knowing that are not failures (records not yet covered
    /// by a checkpoint, checkpoints not yet copied to the file).
    #[serde(default)]
    pub notes: Vec<String>,
}

impl VerifyReport {
    fn bad(records: u64, head: Option<Anchor>, seq: u64, reason: String) -> Self {
        VerifyReport {
            records,
            ok: false,
            problems: vec![reason.clone()],
            first_bad: Some((seq, reason)),
            head,
            checkpoints: 0,
            last_checkpoint: None,
            notes: Vec::new(),
        }
    }

    /// Adds a problem (and makes the report a failure).
    fn fail(&mut self, seq: u64, reason: String) {
        self.ok = false;
        if self.first_bad.is_none() {
            self.first_bad = Some((seq, reason.clone()));
        }
        self.problems.push(reason);
    }
}

/// What to check a log against, beyond its own contents.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// Checkpoint files to check as well as `<data dir>/audit.checkpoints`
    /// (an examiner's copy, say).
    pub checkpoint_files: Vec<PathBuf>,
    /// The public key every checkpoint must be signed with: 64 hex digits,
    /// or a file holding them. Default: the data directory's own key.
    pub public_key: Option<String>,
}

/// Checkpoint files to read for a data directory: its own, then `extra`.
fn read_checkpoint_files(
    data_dir: &Path,
    extra: &[PathBuf],
) -> Result<Vec<(PathBuf, bool, Vec<FileLine>)>, AuditError> {
    let mut out = Vec::new();
    let own = data_dir.join(CHECKPOINT_FILE);
    if let Some(lines) = checkpoint::read_file(&own)? {
        out.push((own.clone(), true, lines));
    }
    for p in extra {
        if *p == own {
            continue;
        }
        match checkpoint::read_file(p)? {
            Some(lines) => out.push((p.clone(), false, lines)),
            None => {
                return Err(AuditError::Io {
                    path: p.clone(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "no such checkpoint file",
                    ),
                })
            }
        }
    }
    Ok(out)
}

/// The key checkpoints must carry: the given one, else the directory's.
fn expected_key(
    data_dir: &Path,
    given: Option<&str>,
    own: Option<&LogKey>,
) -> Result<Option<VerifyingKey>, AuditError> {
    if let Some(text) = given {
        return parse_public_key(text).map(Some);
    }
    if let Some(k) = own {
        return Ok(Some(k.verifying()));
    }
    Ok(LogKey::load(data_dir)?.map(|k| k.verifying()))
}

/// Verifies the log of a data directory without ever creating it.
///
/// - No `audit.sqlite` but checkpoints exist (in the directory's file or
///   the given ones): a failed verification, the log was removed.
/// - No `audit.sqlite` and no checkpoint: an error (nothing to verify).
/// - Otherwise the log is opened (which upgrades an old format and creates
///   a missing signing key, so checkpoints of a lost key fail) and checked
///   with `verify_with`; a file too damaged to open is checked read-only.
pub fn verify_data_dir(data_dir: &Path, opts: &VerifyOptions) -> Result<VerifyReport, AuditError> {
    let path = data_dir.join(AUDIT_FILE);
    if !path.is_file() {
        let files = read_checkpoint_files(data_dir, &opts.checkpoint_files)?;
        let count: usize = files.iter().map(|f| f.2.len()).sum();
        if count == 0 {
            return Err(AuditError::Io {
                path,
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no audit log here"),
            });
        }
        let key = expected_key(data_dir, opts.public_key.as_deref(), None)?;
        let mut report = VerifyReport {
            records: 0,
            ok: true,
            first_bad: None,
            head: None,
            checkpoints: 0,
            last_checkpoint: None,
            problems: Vec::new(),
            notes: Vec::new(),
        };
        report.fail(
            0,
            format!(
                "{} is missing but {count} checkpoint(s) exist: the audit log was deleted",
                path.display()
            ),
        );
        let findings = checkpoint::check(
            Evidence {
                table: Vec::new(),
                files,
                expected_key: key.as_ref(),
                records: 0,
            },
            &mut |_| None,
        );
        for (seq, why) in findings.problems {
            report.fail(seq, why);
        }
        return Ok(report);
    }
    match AuditLog::open(data_dir) {
        Ok(log) => log.verify_with(opts),
        Err(AuditError::Sqlite { .. }) => AuditLog::verify_path_with(data_dir, opts),
        Err(e) => Err(e),
    }
}

/// Whether a SQLite error means the file content is damaged (a verification
/// failure) rather than that the file could not be used right now.
fn corruption(e: &rusqlite::Error) -> Option<String> {
    match e {
        rusqlite::Error::SqliteFailure(f, msg)
            if matches!(f.code, ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) =>
        {
            Some(format!(
                "SQLite reports a damaged file: {}",
                msg.clone().unwrap_or_else(|| f.to_string())
            ))
        }
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::IntegralValueOutOfRange(..) => Some(format!("unreadable value: {e}")),
        _ => None,
    }
}

/// A stored column as text or bytes, whatever SQLite holds: a flipped bit
/// can turn text into invalid UTF-8, which must fail a check, not abort it.
fn bytes_of(row: &Row<'_>, i: usize) -> rusqlite::Result<Vec<u8>> {
    Ok(match row.get_ref(i)? {
        ValueRef::Text(t) | ValueRef::Blob(t) => t.to_vec(),
        ValueRef::Integer(n) => n.to_string().into_bytes(),
        ValueRef::Real(f) => f.to_string().into_bytes(),
        ValueRef::Null => Vec::new(),
    })
}

/// One `audit_log` row as raw bytes.
struct StoredRow {
    seq: i64,
    ts: Vec<u8>,
    kind: Vec<u8>,
    actor: Vec<u8>,
    payload: Vec<u8>,
    prev_hash: Vec<u8>,
    hash: Vec<u8>,
}

impl StoredRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<StoredRow> {
        Ok(StoredRow {
            seq: row.get(0)?,
            ts: bytes_of(row, 1)?,
            kind: bytes_of(row, 2)?,
            actor: bytes_of(row, 3)?,
            payload: bytes_of(row, 4)?,
            prev_hash: bytes_of(row, 5)?,
            hash: bytes_of(row, 6)?,
        })
    }
}

/// The result of checking one row: `Err(reason)` fails verification.
fn check_row(expected_seq: i64, prev: &str, row: &StoredRow) -> Result<(), String> {
    let StoredRow {
        seq,
        ts,
        kind,
        actor,
        payload,
        prev_hash,
        hash,
    } = row;
    let seq = *seq;
    if seq != expected_seq {
        return Err(if seq > expected_seq {
            format!("record {expected_seq} is missing (next stored record is {seq})")
        } else {
            format!(
                "record {seq} appears out of order after {}",
                expected_seq - 1
            )
        });
    }
    if prev_hash.as_slice() != prev.as_bytes() {
        return Err(format!(
            "prev_hash does not match the hash of record {}",
            seq - 1
        ));
    }
    let prev_text = String::from_utf8_lossy(prev_hash);
    if chain_hash(&prev_text, payload).as_bytes() != hash.as_slice() {
        return Err("hash does not match the payload: record content was altered".into());
    }
    let v: Value = serde_json::from_slice(payload)
        .map_err(|e| format!("payload is not valid JSON ({e}) although its hash matches"))?;
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::as_bytes);
    if v.get("seq").and_then(Value::as_i64) != Some(seq) {
        return Err("payload seq differs from the row's seq".into());
    }
    for (name, col) in [("ts", ts), ("kind", kind), ("actor", actor)] {
        if text(name) != Some(col.as_slice()) {
            return Err(format!("column {name} differs from the hashed payload"));
        }
    }
    Ok(())
}

/// id, audit_seq, (decision body, decided_at) or why unreadable, audit
/// payload, row MAC.
type ReviewRow = (
    i64,
    i64,
    Result<(Value, String), String>,
    Option<String>,
    Option<String>,
);

/// The checks, apart from how the connection was obtained.
struct Checker<'a> {
    path: &'a Path,
    /// For `api_keys` MACs (`None`: the directory has no key to check with).
    log_key: Option<&'a LogKey>,
    /// The key checkpoints must be signed with.
    expected: Option<VerifyingKey>,
    /// Checkpoint files, read before the database snapshot is taken (so
    /// every line in them was committed before the snapshot).
    files: Vec<(PathBuf, bool, Vec<FileLine>)>,
}

impl Checker<'_> {
    fn db(&self, source: rusqlite::Error) -> AuditError {
        AuditError::Sqlite {
            path: self.path.to_path_buf(),
            source,
        }
    }

    fn walk(&mut self, conn: &mut Connection) -> Result<VerifyReport, AuditError> {
        let tx = match conn.transaction() {
            Ok(t) => t,
            Err(e) => return self.corrupt_or_err(e, 0, None, 1),
        };
        let mut records = 0u64;
        let mut prev = GENESIS_HASH.to_string();
        let mut head: Option<Anchor> = None;
        {
            let mut stmt = match tx.prepare(
                "SELECT seq, ts, kind, actor, payload, prev_hash, hash FROM audit_log ORDER BY seq",
            ) {
                Ok(s) => s,
                Err(e) => return self.corrupt_or_err(e, 0, None, 1),
            };
            let mut rows = match stmt.query([]) {
                Ok(r) => r,
                Err(e) => return self.corrupt_or_err(e, 0, None, 1),
            };
            loop {
                let expected = records as i64 + 1;
                let row = match rows.next() {
                    Ok(Some(r)) => r,
                    Ok(None) => break,
                    Err(e) => return self.corrupt_or_err(e, records, head, expected as u64),
                };
                let stored = match StoredRow::read(row) {
                    Ok(c) => c,
                    Err(e) => return self.corrupt_or_err(e, records, head, expected as u64),
                };
                if let Err(reason) = check_row(expected, &prev, &stored) {
                    return Ok(VerifyReport::bad(records, head, expected as u64, reason));
                }
                prev = String::from_utf8_lossy(&stored.hash).into_owned();
                records += 1;
                head = Some(Anchor {
                    seq: records,
                    hash: prev.clone(),
                });
            }
        }
        // Structural damage outside the rows just read (indexes, free pages).
        let check: Result<Vec<String>, _> = tx
            .prepare("PRAGMA quick_check")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect());
        match check {
            Ok(lines) if lines.len() == 1 && lines[0] == "ok" => {}
            Ok(lines) => {
                let reason = format!("SQLite quick_check: {}", lines.join("; "));
                return Ok(VerifyReport::bad(records, head, 0, reason));
            }
            Err(e) => return self.corrupt_or_err(e, records, head, 0),
        }
        let mut report = VerifyReport {
            records,
            ok: true,
            first_bad: None,
            head,
            checkpoints: 0,
            last_checkpoint: None,
            problems: Vec::new(),
            notes: Vec::new(),
        };
        for reason in self.check_reviews(&tx)? {
            report.fail(0, reason);
        }
        for reason in self.check_keys(&tx)? {
            report.fail(0, reason);
        }
        let batch_notes = match crate::batch::check_batches(&tx) {
            Ok((problems, notes)) => {
                for reason in problems {
                    report.fail(0, reason);
                }
                notes
            }
            Err(e) => match corruption(&e) {
                Some(reason) => {
                    report.fail(0, format!("batch_rows table: {reason}"));
                    Vec::new()
                }
                None => return Err(self.db(e)),
            },
        };
        let table = match checkpoint::table_rows(&tx, self.path, 0) {
            Ok(t) => t,
            Err(AuditError::Sqlite { source, .. }) => match corruption(&source) {
                Some(reason) => {
                    report.fail(0, format!("checkpoints table: {reason}"));
                    Vec::new()
                }
                None => return Err(self.db(source)),
            },
            Err(e) => return Err(e),
        };
        let findings = checkpoint::check(
            Evidence {
                table,
                files: std::mem::take(&mut self.files),
                expected_key: self.expected.as_ref(),
                records,
            },
            &mut |seq| {
                tx.query_row(
                    "SELECT hash FROM audit_log WHERE seq = ?1",
                    [seq as i64],
                    |r| r.get::<_, String>(0),
                )
                .ok()
            },
        );
        for (seq, why) in findings.problems {
            report.fail(seq, why);
        }
        report.checkpoints = findings.good;
        report.last_checkpoint = findings.last;
        report.notes = findings.notes;
        report.notes.extend(batch_notes);
        Ok(report)
    }

    /// Every `api_keys` row against the chain's key records and its MAC.
    fn check_keys(&self, tx: &rusqlite::Transaction<'_>) -> Result<Vec<String>, AuditError> {
        let loaded = all_key_rows(tx).and_then(|rows| Ok((rows, key_states(tx)?)));
        let (rows, states) = match loaded {
            Ok(x) => x,
            Err(e) => {
                return match corruption(&e) {
                    Some(reason) => Ok(vec![format!("api_keys table: {reason}")]),
                    None => Err(self.db(e)),
                }
            }
        };
        let mut out = Vec::new();
        for row in &rows {
            if let Some(why) = row_vs_chain(row, states.get(&row.name)) {
                out.push(why);
            } else if let Some(k) = self.log_key {
                if !row.mac_ok(k) {
                    out.push(format!(
                        "api key {:?} fails its MAC: the row was written or edited outside                          Embargo (it is refused)",
                        row.name
                    ));
                }
            }
        }
        for (name, s) in &states {
            if !s.revoked && !rows.iter().any(|r| r.name == *name) {
                out.push(format!(
                    "api key {name:?} (audit record {}) is missing from api_keys",
                    s.seq
                ));
            }
        }
        Ok(out)
    }

    fn corrupt_or_err(
        &self,
        e: rusqlite::Error,
        records: u64,
        head: Option<Anchor>,
        seq: u64,
    ) -> Result<VerifyReport, AuditError> {
        match corruption(&e) {
            Some(reason) => Ok(VerifyReport::bad(records, head, seq, reason)),
            None => Err(self.db(e)),
        }
    }

    /// Every review row must equal the decision in its audit record and
    /// carry a valid MAC; one problem per row that does not.
    fn check_reviews(&self, tx: &rusqlite::Transaction<'_>) -> Result<Vec<String>, AuditError> {
        let rows = (|| -> rusqlite::Result<Vec<ReviewRow>> {
            // A file of an older format, opened read-only, has no `mac`.
            let has_mac: bool = tx.query_row(
                "SELECT COUNT(*) > 0 FROM pragma_table_info('reviews') WHERE name = 'mac'",
                [],
                |r| r.get(0),
            )?;
            let mac_col = if has_mac { "r.mac" } else { "NULL" };
            let mut stmt = tx.prepare(&format!(
                "SELECT r.id, r.audit_seq, r.subject_key, r.entity_id, r.entity_fingerprint,
                        r.entity_json, r.verdict, r.reason, r.reviewer, r.decided_at, r.expires,
                        a.payload, {mac_col}
                 FROM reviews r LEFT JOIN audit_log a ON a.seq = r.audit_seq ORDER BY r.id"
            ))?;
            let out = stmt
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        review_body_from_row(r, 2),
                        r.get::<_, Option<String>>(11)?,
                        r.get::<_, Option<String>>(12)?,
                    ))
                })?
                .collect();
            out
        })();
        let rows = match rows {
            Ok(r) => r,
            Err(e) => {
                return match corruption(&e) {
                    Some(reason) => Ok(vec![format!("reviews table: {reason}")]),
                    None => Err(self.db(e)),
                }
            }
        };
        let mut problems = Vec::new();
        let mut last_seq = 0i64;
        for (id, audit_seq, body, payload, mac) in rows {
            // "Latest decision" is the highest id, so ids must follow the log.
            if audit_seq <= last_seq {
                problems.push(format!(
                    "review {id} (audit record {audit_seq}) is out of order in the reviews index"
                ));
                continue;
            }
            last_seq = audit_seq;
            let Some(payload) = payload else {
                problems.push(format!(
                    "review {id} points at audit record {audit_seq}, which does not exist"
                ));
                continue;
            };
            let body = match body {
                Ok(b) => b,
                Err(reason) => {
                    problems.push(format!("review {id}: {reason}"));
                    continue;
                }
            };
            let logged = serde_json::from_str::<Value>(&payload)
                .ok()
                .and_then(|v| v.get("request").cloned());
            let logged_ts = serde_json::from_str::<Value>(&payload)
                .ok()
                .and_then(|v| v.get("ts").cloned());
            let same = logged.as_ref().map(canonical_json) == Some(canonical_json(&body.0))
                && logged_ts.as_ref().and_then(Value::as_str) == Some(body.1.as_str());
            if !same {
                problems.push(format!(
                    "review {id} differs from the decision logged in audit record {audit_seq}"
                ));
                continue;
            }
            if let Some(key) = self.log_key {
                let input = review_mac_input(id, audit_seq, &body.0, &body.1);
                if !mac.as_deref().is_some_and(|m| key.mac_ok(&input, m)) {
                    problems.push(format!(
                        "review {id} fails its MAC (written or edited outside Embargo); look-ups ignore it"
                    ));
                }
            }
        }
        // A decision deleted from the index would silently turn a cleared
        // hit back into an alert and hide the analyst's work.
        let orphan: rusqlite::Result<Option<i64>> = tx
            .query_row(
                "SELECT a.seq FROM audit_log a LEFT JOIN reviews r ON r.audit_seq = a.seq
                 WHERE a.kind = 'review' AND r.id IS NULL ORDER BY a.seq LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional();
        match orphan {
            Ok(None) => {}
            Ok(Some(seq)) => problems.push(format!(
                "audit record {seq} holds a review decision missing from the reviews index"
            )),
            Err(e) => match corruption(&e) {
                Some(reason) => problems.push(format!("reviews table: {reason}")),
                None => return Err(self.db(e)),
            },
        }
        Ok(problems)
    }
}

impl AuditLog {
    /// Walks the whole chain, the review index, the API keys and the
    /// checkpoints (table and `<data dir>/audit.checkpoints`, signed by this
    /// directory's key); see the module docs. Runs on its own read-only
    /// connection, so appends go on meanwhile; the report covers the chain
    /// as it was when the walk began.
    pub fn verify(&self) -> Result<VerifyReport, AuditError> {
        self.verify_with(&VerifyOptions::default())
    }

    /// `verify`, also against the given checkpoint files and key.
    pub fn verify_with(&self, opts: &VerifyOptions) -> Result<VerifyReport, AuditError> {
        let data_dir = self.path.parent().unwrap_or(Path::new("."));
        // Files first: every line in them was committed before the
        // snapshot the walk takes next.
        let files = read_checkpoint_files(data_dir, &opts.checkpoint_files)?;
        let mut checker = Checker {
            path: &self.path,
            log_key: Some(self.log_key()),
            expected: expected_key(data_dir, opts.public_key.as_deref(), Some(self.log_key()))?,
            files,
        };
        let mut conn = match self.reader() {
            Ok(c) => c,
            Err(AuditError::Sqlite { source, .. }) => {
                return checker.corrupt_or_err(source, 0, None, 0)
            }
            Err(e) => return Err(e),
        };
        let mut report = checker.walk(&mut conn)?;
        if let Some(e) = self.sync_error() {
            report
                .notes
                .push(format!("the checkpoint file could not be written: {e}"));
        }
        Ok(report)
    }

    /// Verifies `<data_dir>/audit.sqlite` without opening it as a log, for
    /// files too damaged for `open` (which also creates missing tables):
    /// a file SQLite cannot read at all is a failed verification here.
    pub fn verify_path(data_dir: &Path) -> Result<VerifyReport, AuditError> {
        AuditLog::verify_path_with(data_dir, &VerifyOptions::default())
    }

    /// `verify_path`, also against the given checkpoint files and key.
    pub fn verify_path_with(
        data_dir: &Path,
        opts: &VerifyOptions,
    ) -> Result<VerifyReport, AuditError> {
        let path = data_dir.join(AUDIT_FILE);
        let files = read_checkpoint_files(data_dir, &opts.checkpoint_files)?;
        let own_key = LogKey::load(data_dir)?;
        let mut checker = Checker {
            path: &path,
            log_key: own_key.as_ref(),
            expected: expected_key(data_dir, opts.public_key.as_deref(), own_key.as_ref())?,
            files,
        };
        if !path.is_file() {
            return Err(AuditError::Io {
                path: path.clone(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no audit log here"),
            });
        }
        let mut conn = match Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY) {
            Ok(c) => c,
            Err(e) => return checker.corrupt_or_err(e, 0, None, 0),
        };
        checker.walk(&mut conn)
    }

    /// `verify`, and also that record `anchor.seq` still has `anchor.hash`.
    pub fn verify_anchor(&self, anchor: &Anchor) -> Result<VerifyReport, AuditError> {
        let mut report = self.verify()?;
        if !report.ok {
            return Ok(report);
        }
        if report.records < anchor.seq {
            report.ok = false;
            report.first_bad = Some((
                report.records + 1,
                format!(
                    "the log ends at record {} but the anchor names record {}: records were removed",
                    report.records, anchor.seq
                ),
            ));
            return Ok(report);
        }
        let stored: Option<String> = {
            let conn = self.lock();
            conn.query_row(
                "SELECT hash FROM audit_log WHERE seq = ?1",
                [anchor.seq as i64],
                |r| r.get(0),
            )
            .map_err(|e| self.db(e))
            .ok()
        };
        if stored.as_deref() != Some(anchor.hash.as_str()) {
            report.ok = false;
            report.first_bad = Some((
                anchor.seq,
                "hash differs from the anchor: the chain up to here was rewritten".into(),
            ));
        }
        Ok(report)
    }
}

/// Checks an export written by `export_since`: every line's hash, and that
/// consecutive lines link up. The first line may start anywhere in the
/// chain (an export `--since` a date); if it is record 1 its `prev_hash`
/// must be the genesis value.
pub fn verify_jsonl(input: &mut dyn BufRead) -> Result<VerifyReport, AuditError> {
    let mut records = 0u64;
    let mut prev: Option<(u64, String)> = None;
    let mut head = None;
    let mut line_no = 0u64;
    let mut line = String::new();
    loop {
        line.clear();
        line_no += 1;
        let n = input
            .read_line(&mut line)
            .map_err(|e| AuditError::ExportInput {
                line: line_no,
                reason: e.to_string(),
            })?;
        if n == 0 {
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        let bad = |seq: u64, reason: String, records, head| {
            Ok(VerifyReport::bad(
                records,
                head,
                seq,
                format!("line {line_no}: {reason}"),
            ))
        };
        let mut v: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => return bad(records + 1, format!("not JSON: {e}"), records, head),
        };
        let obj = match v.as_object_mut() {
            Some(o) => o,
            None => return bad(records + 1, "not a JSON object".into(), records, head),
        };
        let take = |o: &mut serde_json::Map<String, Value>, k: &str| {
            o.remove(k).and_then(|x| x.as_str().map(str::to_string))
        };
        let (Some(prev_hash), Some(hash)) = (take(obj, "prev_hash"), take(obj, "hash")) else {
            return bad(records + 1, "lacks prev_hash or hash".into(), records, head);
        };
        let Some(seq) = obj.get("seq").and_then(Value::as_u64) else {
            return bad(records + 1, "lacks seq".into(), records, head);
        };
        let link_ok = match &prev {
            Some((pseq, phash)) => seq == pseq + 1 && prev_hash == *phash,
            None => seq != 1 || prev_hash == GENESIS_HASH,
        };
        if !link_ok {
            return bad(
                seq,
                "does not link to the line before".into(),
                records,
                head,
            );
        }
        if chain_hash(&prev_hash, canonical_json(&v).as_bytes()) != hash {
            return bad(seq, "hash does not match the record".into(), records, head);
        }
        records += 1;
        head = Some(Anchor {
            seq,
            hash: hash.clone(),
        });
        prev = Some((seq, hash));
    }
    Ok(VerifyReport {
        records,
        ok: true,
        first_bad: None,
        head,
        checkpoints: 0,
        last_checkpoint: None,
        problems: Vec::new(),
        notes: Vec::new(),
    })
}
