//! The SQLite schema of `audit.sqlite` and the connection settings.
//!
//! Tables:
//! - `audit_log`: the hash chain (layout in `record`). UPDATE and DELETE are
//!   refused by triggers; `verify` still re-checks every hash because a
//!   trigger only stops honest mistakes, not someone with the file.
//! - `reviews`: an index of review decisions by (subject, entity), one row
//!   per decision, each pointing at the audit record that holds the same
//!   decision (`audit_seq`). Append-only by trigger as well; a new decision
//!   supersedes an older one by having a higher `id`. `verify` checks that
//!   every row agrees with its audit record.
//! - `api_keys`: name, SHA-256 of the secret, role, creation and revocation
//!   times. Mutable (keys get revoked); every change is also an audit record.
//!
//! Settings: WAL so readers (exports, verify, review look-ups) never block
//! the writer, and `synchronous=FULL` so a commit is on disk before
//! `append` returns: the audit log must survive a crash right after a
//! screen was answered.

use rusqlite::Connection;

/// Format version kept in `PRAGMA user_version`.
pub const SCHEMA_VERSION: i64 = 1;

pub const CREATE: &str = r#"
CREATE TABLE IF NOT EXISTS audit_log (
    seq       INTEGER PRIMARY KEY,
    ts        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    actor     TEXT NOT NULL,
    payload   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_ts ON audit_log(ts);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE IF NOT EXISTS reviews (
    id                 INTEGER PRIMARY KEY,
    audit_seq          INTEGER NOT NULL UNIQUE,
    subject_key        TEXT NOT NULL,
    entity_id          TEXT NOT NULL,
    entity_fingerprint TEXT NOT NULL,
    entity_json        TEXT,
    verdict            TEXT NOT NULL,
    reason             TEXT NOT NULL,
    reviewer           TEXT NOT NULL,
    decided_at         TEXT NOT NULL,
    expires            TEXT
);
CREATE INDEX IF NOT EXISTS reviews_subject ON reviews(subject_key, entity_id, id);
CREATE TRIGGER IF NOT EXISTS reviews_no_update BEFORE UPDATE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews are append-only; record a new decision instead'); END;
CREATE TRIGGER IF NOT EXISTS reviews_no_delete BEFORE DELETE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews are append-only; record a new decision instead'); END;

CREATE TABLE IF NOT EXISTS api_keys (
    name       TEXT PRIMARY KEY,
    key_sha256 TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
"#;

/// Applies the durability settings; must run before any table access.
pub fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // `journal_mode` answers with the mode in force; WAL persists in the file.
    let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(())
}
