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
//!   every row agrees with its audit record; each row carries a MAC
//!   (`review`), and look-ups ignore a row whose MAC fails.
//! - `api_keys`: name, SHA-256 of the secret, role, creation, expiry and
//!   revocation, the latest audit record about the key (`audit_seq`), a MAC
//!   over all of these, and `last_used_at`. Mutable (keys get rotated and
//!   revoked); every change is also a chained audit record (see `keys`).
//! - `checkpoints` (format 2): signed checkpoints of the chain head (see
//!   `checkpoint`). Append-only by trigger.
//! - `batch_rows`: the result of every row of a batch screen, by run id
//!   and row number, committed to by the Merkle root in the batch's
//!   chained record (see `batch`). Append-only by trigger; created by
//!   `CREATE … IF NOT EXISTS` in files of format 2 as well.
//! - `store_intents`: which entries of the list store's audit journal are
//!   in the chain, and as which record (see `journal`). Append-only.
//!
//! Settings: WAL so readers (exports, verify, review look-ups) never block
//! the writer, and `synchronous=FULL` so a commit is on disk before
//! `append` returns: the audit log must survive a crash right after a
//! screen was answered.

use rusqlite::Connection;

/// Format version kept in `PRAGMA user_version`.
/// 2 added `checkpoints` and the `api_keys` columns `expires`,
/// `last_used_at`, `audit_seq` and `mac` (`upgrade` adds them to a file of
/// format 1).
pub const SCHEMA_VERSION: i64 = 2;

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
    expires            TEXT,
    mac                TEXT
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
    revoked_at TEXT,
    expires    TEXT,
    last_used_at TEXT,
    audit_seq  INTEGER,
    mac        TEXT
);

CREATE TABLE IF NOT EXISTS checkpoints (
    n         INTEGER PRIMARY KEY,
    ts        TEXT NOT NULL,
    records   INTEGER NOT NULL,
    head_seq  INTEGER NOT NULL,
    head_hash TEXT NOT NULL,
    key       TEXT NOT NULL,
    sig       TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER IF NOT EXISTS checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;

CREATE TABLE IF NOT EXISTS batch_rows (
    run_id TEXT NOT NULL,
    row    INTEGER NOT NULL,
    body   TEXT NOT NULL,
    PRIMARY KEY (run_id, row)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS batch_rows_no_update BEFORE UPDATE ON batch_rows
BEGIN SELECT RAISE(ABORT, 'batch rows are append-only'); END;
CREATE TRIGGER IF NOT EXISTS batch_rows_no_delete BEFORE DELETE ON batch_rows
BEGIN SELECT RAISE(ABORT, 'batch rows are append-only'); END;

CREATE TABLE IF NOT EXISTS store_intents (
    journal   TEXT NOT NULL,
    intent_id INTEGER NOT NULL,
    audit_seq INTEGER NOT NULL UNIQUE,
    PRIMARY KEY (journal, intent_id)
);
CREATE TRIGGER IF NOT EXISTS store_intents_no_update BEFORE UPDATE ON store_intents
BEGIN SELECT RAISE(ABORT, 'store_intents is append-only'); END;
CREATE TRIGGER IF NOT EXISTS store_intents_no_delete BEFORE DELETE ON store_intents
BEGIN SELECT RAISE(ABORT, 'store_intents is append-only'); END;
"#;

/// The trigger that keeps `reviews` rows from being edited (lifted only
/// while legacy rows get their MAC, see `review::bless_legacy_reviews`).
pub const REVIEWS_NO_UPDATE: &str =
    "CREATE TRIGGER IF NOT EXISTS reviews_no_update BEFORE UPDATE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews are append-only; record a new decision instead'); END;";

/// Adds the `mac` column to a `reviews` table written before review rows
/// carried one; `true` when it was added (its rows then need a MAC).
pub fn add_review_mac(conn: &Connection) -> rusqlite::Result<bool> {
    let has: bool = conn.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('reviews') WHERE name = 'mac'",
        [],
        |r| r.get(0),
    )?;
    if !has {
        conn.execute_batch("ALTER TABLE reviews ADD COLUMN mac TEXT")?;
    }
    Ok(!has)
}

/// Adds the format-2 columns to an `api_keys` table of format 1.
pub fn add_missing_columns(conn: &Connection) -> rusqlite::Result<()> {
    let cols: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('api_keys')")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for (col, decl) in [
        ("expires", "TEXT"),
        ("last_used_at", "TEXT"),
        ("audit_seq", "INTEGER"),
        ("mac", "TEXT"),
    ] {
        if !cols.iter().any(|c| c == col) {
            conn.execute_batch(&format!("ALTER TABLE api_keys ADD COLUMN {col} {decl}"))?;
        }
    }
    Ok(())
}

/// Applies the durability settings; must run before any table access.
pub fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // `journal_mode` answers with the mode in force; WAL persists in the file.
    let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(())
}
