//! The on-disk layout and its migrations.
//!
//! ```text
//! versions    (id, dataset, source, label, sha256, published, imported_at,
//!              entity_count, origin, published_basis)  one row per imported snapshot
//! bodies      (hash, body)                        entity JSON, once per distinct content
//! members     (version_id, seq, entity_id, hash)  which entities a version holds, in file order
//! active      (dataset, version_id, activated_at) the version screening uses now
//! activations (id, dataset, version_id, at, reason) every change of `active`, append-only
//! link_judgements (id, a, b, verdict, reviewer, reason, decided_at)
//! audit_intents (id, at, record)                   the audit record of every change, same transaction
//! schema_version (version)
//! ```
//!
//! **Entity bodies are deduplicated by content hash.** `hash` is the SHA-256
//! of the entity's canonical JSON (serde_json of `embargo_model::Entity`:
//! fixed field order, `BTreeMap` properties, so equal entities give equal
//! bytes). A daily SDN import repeats ~15k entities of which a handful
//! change, so a new version costs ~15k small `members` rows (≈60 bytes
//! each) plus only the changed bodies, instead of another ~15 MB of JSON.
//! The same hash makes diffs cheap: "changed" is "same id, different hash",
//! a join on two indexed tables, and only the changed bodies are parsed to
//! compute field-level changes. Because the hash covers entity content only
//! (never import time, row number or file name), re-publishing unchanged
//! entries never shows up as a change.
//!
//! **Why SQLite rather than a key-value store (redb, sled, fjall).** The
//! data is relational: dataset → versions → members → bodies, plus the
//! active pointer, and the questions asked of it are joins ("entities in
//! version A but not B", "active version of every dataset", "which version
//! held entity X"). On a KV store those indexes are written and kept
//! consistent by hand. SQLite gives one-transaction atomic imports,
//! crash safety via WAL, `UNIQUE` constraints that reject bad input, triggers
//! that make history append-only, and a file auditors can query with
//! `sqlite3`. Measured bulk insert speed (STACK.md §2.6, ~0.4M rows/s) is
//! far above what list imports need.
//!
//! **Publication dates (schema v2).** `published` is the day the source
//! published the version and `published_basis` says how that is known:
//! `file` (the file states it), `http_last_modified` (the download's
//! header), `operator` (`--published` at import) or `import_date` (nothing
//! said; the import day). Rows written by schema v1 have no basis: a v1
//! `published` could only come from the file, and a v1 row without one is
//! read as its import date with basis `import_date`. The migration only
//! adds the column, so history stays append-only and untouched.
//!
//! **Append-only.** Triggers abort any `UPDATE` or `DELETE` on `versions`,
//! `members`, `bodies` and `activations`: old versions are never deleted,
//! which is what lets a past screening be reproduced. Only `active` changes.
//!
//! **Durability.** The database runs in WAL mode. Imports commit with
//! `synchronous=NORMAL`: in WAL mode that never corrupts the file, and a
//! process crash loses nothing that was committed, but a power loss or OS
//! crash may roll back the *last* committed transactions (the WAL is only
//! fsynced at checkpoints). For an import that is acceptable: the source
//! file is still on disk and `embargo update` re-imports it, because the
//! active version's sha256 then differs. `activate` (an operator's roll
//! back, which cannot be redone automatically) commits with
//! `synchronous=FULL`, which fsyncs the WAL at commit.

use crate::db::{args, DbError, Dialect, Sql};
use crate::error::{Context, StoreError};
use rusqlite::Connection;
use std::path::Path;

/// The newest schema this code writes and understands.
pub const SCHEMA_VERSION: i64 = 4;

const V1: &str = r#"
CREATE TABLE versions (
    id           INTEGER PRIMARY KEY,
    dataset      TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    label        TEXT    NOT NULL,
    sha256       TEXT    NOT NULL,
    published    TEXT,
    imported_at  TEXT    NOT NULL,
    entity_count INTEGER NOT NULL,
    origin       TEXT    NOT NULL,
    UNIQUE (dataset, label)
);
CREATE TABLE bodies (
    hash BLOB PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE members (
    version_id INTEGER NOT NULL REFERENCES versions(id),
    seq        INTEGER NOT NULL,
    entity_id  TEXT    NOT NULL,
    hash       BLOB    NOT NULL REFERENCES bodies(hash),
    PRIMARY KEY (version_id, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX members_by_entity ON members (version_id, entity_id);
CREATE TABLE active (
    dataset      TEXT    PRIMARY KEY,
    version_id   INTEGER NOT NULL REFERENCES versions(id),
    activated_at TEXT    NOT NULL
);
CREATE TABLE activations (
    id         INTEGER PRIMARY KEY,
    dataset    TEXT    NOT NULL,
    version_id INTEGER NOT NULL REFERENCES versions(id),
    at         TEXT    NOT NULL,
    reason     TEXT    NOT NULL
);
CREATE TRIGGER versions_no_update BEFORE UPDATE ON versions BEGIN SELECT RAISE(ABORT, 'versions are append-only'); END;
CREATE TRIGGER versions_no_delete BEFORE DELETE ON versions BEGIN SELECT RAISE(ABORT, 'versions are append-only'); END;
CREATE TRIGGER members_no_update BEFORE UPDATE ON members BEGIN SELECT RAISE(ABORT, 'members are append-only'); END;
CREATE TRIGGER members_no_delete BEFORE DELETE ON members BEGIN SELECT RAISE(ABORT, 'members are append-only'); END;
CREATE TRIGGER bodies_no_update BEFORE UPDATE ON bodies BEGIN SELECT RAISE(ABORT, 'bodies are append-only'); END;
CREATE TRIGGER bodies_no_delete BEFORE DELETE ON bodies BEGIN SELECT RAISE(ABORT, 'bodies are append-only'); END;
CREATE TRIGGER activations_no_update BEFORE UPDATE ON activations BEGIN SELECT RAISE(ABORT, 'activations are append-only'); END;
CREATE TRIGGER activations_no_delete BEFORE DELETE ON activations BEGIN SELECT RAISE(ABORT, 'activations are append-only'); END;
"#;

/// v2: where each version's publication date comes from.
const V2: &str = "ALTER TABLE versions ADD COLUMN published_basis TEXT;";

/// v3: analysts' judgements on consolidation links (two records are one
/// party, or are not). Append-only: the latest judgement on a pair stands.
const V3: &str = r#"
CREATE TABLE link_judgements (
    id         INTEGER PRIMARY KEY,
    a          TEXT NOT NULL,
    b          TEXT NOT NULL,
    verdict    TEXT NOT NULL CHECK (verdict IN ('same', 'different')),
    reviewer   TEXT NOT NULL,
    reason     TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
CREATE TRIGGER link_judgements_no_update BEFORE UPDATE ON link_judgements BEGIN SELECT RAISE(ABORT, 'link judgements are append-only'); END;
CREATE TRIGGER link_judgements_no_delete BEFORE DELETE ON link_judgements BEGIN SELECT RAISE(ABORT, 'link judgements are append-only'); END;
"#;

/// v4: the audit journal. Every change of the store (a version stored or
/// activated, a link judgement) writes, in the same transaction, the audit
/// record that describes it (`record`: JSON of kind, actor, request,
/// result, list versions). `embargo-app` copies each into the audit log in
/// `id` order and the audit log remembers which it holds (`store_intents`),
/// so a crash between the two commits is repaired at the next open and
/// audit order is store order. Append-only. `journal_id` names this
/// journal (random), so a store file replaced by a fresh one starts a new
/// journal rather than one the audit log believes delivered.
const V4: &str = r#"
CREATE TABLE audit_intents (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE TRIGGER audit_intents_no_update BEFORE UPDATE ON audit_intents BEGIN SELECT RAISE(ABORT, 'audit intents are append-only'); END;
CREATE TRIGGER audit_intents_no_delete BEFORE DELETE ON audit_intents BEGIN SELECT RAISE(ABORT, 'audit intents are append-only'); END;
CREATE TABLE journal_id (id TEXT NOT NULL);
"#;

/// The same schema in PostgreSQL (`--store postgres://…`): the same
/// tables, columns and append-only rules, in PostgreSQL's types (`BIGINT`
/// identity keys, `BYTEA` hashes) and trigger syntax. Steps 2 and 4's
/// journal name are shared with SQLite ([`MIGRATIONS`]).
const PG_V1: &str = r#"
CREATE TABLE versions (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    dataset      TEXT   NOT NULL,
    source       TEXT   NOT NULL,
    label        TEXT   NOT NULL,
    sha256       TEXT   NOT NULL,
    published    TEXT,
    imported_at  TEXT   NOT NULL,
    entity_count BIGINT NOT NULL,
    origin       TEXT   NOT NULL,
    UNIQUE (dataset, label)
);
CREATE TABLE bodies (
    hash BYTEA PRIMARY KEY,
    body TEXT  NOT NULL
);
CREATE TABLE members (
    version_id BIGINT NOT NULL REFERENCES versions(id),
    seq        BIGINT NOT NULL,
    entity_id  TEXT   NOT NULL,
    hash       BYTEA  NOT NULL REFERENCES bodies(hash),
    PRIMARY KEY (version_id, seq)
);
CREATE UNIQUE INDEX members_by_entity ON members (version_id, entity_id);
CREATE TABLE active (
    dataset      TEXT   PRIMARY KEY,
    version_id   BIGINT NOT NULL REFERENCES versions(id),
    activated_at TEXT   NOT NULL
);
CREATE TABLE activations (
    id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    dataset    TEXT   NOT NULL,
    version_id BIGINT NOT NULL REFERENCES versions(id),
    at         TEXT   NOT NULL,
    reason     TEXT   NOT NULL
);
CREATE OR REPLACE FUNCTION embargo_list_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '% are append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql;
CREATE TRIGGER versions_append_only BEFORE UPDATE OR DELETE ON versions
    FOR EACH ROW EXECUTE FUNCTION embargo_list_append_only();
CREATE TRIGGER members_append_only BEFORE UPDATE OR DELETE ON members
    FOR EACH ROW EXECUTE FUNCTION embargo_list_append_only();
CREATE TRIGGER bodies_append_only BEFORE UPDATE OR DELETE ON bodies
    FOR EACH ROW EXECUTE FUNCTION embargo_list_append_only();
CREATE TRIGGER activations_append_only BEFORE UPDATE OR DELETE ON activations
    FOR EACH ROW EXECUTE FUNCTION embargo_list_append_only();
"#;

const PG_V3: &str = r#"
CREATE TABLE link_judgements (
    id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    a          TEXT NOT NULL,
    b          TEXT NOT NULL,
    verdict    TEXT NOT NULL CHECK (verdict IN ('same', 'different')),
    reviewer   TEXT NOT NULL,
    reason     TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
CREATE TRIGGER link_judgements_append_only BEFORE UPDATE OR DELETE ON link_judgements
    FOR EACH ROW EXECUTE FUNCTION embargo_list_append_only();
"#;

const PG_V4: &str = r#"
CREATE TABLE audit_intents (
    id     BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at     TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE TRIGGER audit_intents_append_only BEFORE UPDATE OR DELETE ON audit_intents
    FOR EACH ROW EXECUTE FUNCTION embargo_list_append_only();
CREATE TABLE journal_id (id TEXT NOT NULL);
"#;

/// Each step: its version, its DDL for SQLite and for PostgreSQL.
const MIGRATIONS: [(i64, &str, &str); 4] =
    [(1, V1, PG_V1), (2, V2, V2), (3, V3, PG_V3), (4, V4, PG_V4)];

/// Connection settings, then migrations up to [`SCHEMA_VERSION`], all in
/// one transaction so a half-migrated file cannot exist.
pub(crate) fn prepare(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let open_err = |source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    };
    // Wait for other processes (a concurrent import, a server) instead of
    // failing with "database is locked"; set first, so that switching to
    // WAL and migrating a fresh file wait too.
    conn.busy_timeout(std::time::Duration::from_secs(60))
        .map_err(open_err)?;
    // journal_mode returns a row, so it is read back rather than executed.
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .map_err(open_err)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Corrupt {
            what: format!("journal mode of {}", path.display()),
            detail: format!("SQLite refused WAL mode (got {mode})"),
        });
    }
    conn.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
        .map_err(open_err)?;

    // IMMEDIATE: a deferred transaction that reads and then writes fails
    // at once (no busy wait) when another process migrated in between.
    let mut tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(open_err)?;
    migrate(&mut tx, path)?;
    tx.commit().ctx(|| "committing the schema migration".into())
}

/// The migrations up to [`SCHEMA_VERSION`] inside `tx`, an exclusive
/// write transaction of either engine. `path` names the store in errors.
pub(crate) fn migrate(tx: &mut dyn Sql, path: &Path) -> Result<(), StoreError> {
    let dialect = tx.dialect();
    let ctx = |what: &str| {
        let what = what.to_string();
        move |e: DbError| e.with(what)
    };
    let int = match dialect {
        Dialect::Sqlite => "INTEGER",
        Dialect::Postgres => "BIGINT",
    };
    tx.batch(&format!(
        "CREATE TABLE IF NOT EXISTS schema_version (version {int} NOT NULL)"
    ))
    .map_err(ctx("creating the schema_version table"))?;
    let found = tx
        .opt(
            "SELECT max(version) FROM schema_version",
            &[],
            || "reading the schema version".into(),
            |r| r.opt_i64(0),
        )?
        .flatten()
        .unwrap_or(0);
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (version, sqlite, pg) in MIGRATIONS {
        if found >= version {
            continue;
        }
        let ddl = match dialect {
            Dialect::Sqlite => sqlite,
            Dialect::Postgres => pg,
        };
        tx.batch(ddl)
            .map_err(ctx(&format!("migrating to schema v{version}")))?;
        if version == 4 {
            tx.run(
                "INSERT INTO journal_id (id) VALUES (?1)",
                args![&crate::intents::new_journal_id(path)],
                || "naming the audit journal".into(),
            )?;
        }
        tx.run(
            "INSERT INTO schema_version (version) VALUES (?1)",
            args![version],
            || format!("recording schema v{version}"),
        )?;
    }
    // Later migrations go in MIGRATIONS as `(N, sqlite, postgres)`.
    Ok(())
}
