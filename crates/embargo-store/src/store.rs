//! [`Store`]: the database connection and every operation on it.
//!
//! One connection behind a `Mutex` makes `Store` `Send + Sync`, so the
//! server can share it across request handlers; operations are short
//! (an import of 15k entities holds the lock for a fraction of a second).
//! Every write is one exclusive transaction (SQLite `BEGIN IMMEDIATE`,
//! PostgreSQL the store's advisory lock): it either commits a complete
//! version and moves the active pointer, or leaves both untouched. The SQL
//! is written once for both engines ([`crate::db`]).

use crate::db::{args, Arg, PgTx, Row, Sql};
use crate::diff::field_changes;
use crate::encode::{encode, label, normalise_sha256};
use crate::error::StoreError;
use crate::intents::{write_intent, IntentFn};
use crate::schema;
use crate::types::{
    EntityChange, ImportOutcome, ImportPolicy, ListDiff, ListStatus, NewVersion, Refusal,
};
use chrono::{DateTime, NaiveDate, SecondsFormat, SubsecRound, Utc};
use embargo_model::listing::{intervals_from_presence, ListingHistory, SourceDates, VersionPoint};
use embargo_model::{Entity, EntityId, ListVersion, PartialDate, PublishedBasis, SourceKind};
use rusqlite::{Connection, TransactionBehavior};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The versioned list store. See the crate and [`crate::schema`] docs.
pub struct Store {
    /// The SQLite file, or the PostgreSQL URL without its password.
    path: PathBuf,
    backend: Backend,
}

/// Where the store lives.
enum Backend {
    /// `<data_dir>/embargo.sqlite`, the default.
    Sqlite(Mutex<Connection>),
    /// A PostgreSQL database shared by several nodes. `url` (with its
    /// password) opens the listening connection of [`Store::listen`].
    Postgres {
        url: String,
        client: Box<Mutex<postgres::Client>>,
    },
}

/// How a write transaction must reach the disk.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Durability {
    /// SQLite `synchronous=NORMAL` (see [`crate::schema`]).
    Normal,
    /// SQLite `synchronous=FULL`: an operator's decision.
    Full,
}

/// One entity of a version being written: `body` is `None` when it is
/// carried over from a base version (its body is already stored).
struct Member {
    id: String,
    hash: [u8; 32],
    body: Option<String>,
}

/// Columns read into a [`ListVersion`] by [`version_from_row`] (aliased `v`).
const VERSION_COLS: &str = "v.id, v.dataset, v.source, v.label, v.sha256, v.published, \
     v.imported_at, v.entity_count, v.origin, v.published_basis";

impl Store {
    /// Opens (creating if needed) `<data_dir>/embargo.sqlite` and migrates it.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::CreateDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let path = data_dir.join("embargo.sqlite");
        // Two processes opening a fresh directory at once can meet a lock
        // SQLite does not wait for (switching to WAL); retry briefly.
        let start = std::time::Instant::now();
        let conn = loop {
            let mut conn = Connection::open(&path).map_err(|source| StoreError::Open {
                path: path.clone(),
                source,
            })?;
            match schema::prepare(&mut conn, &path) {
                Err(e) if e.is_locked() && start.elapsed() < std::time::Duration::from_secs(20) => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => return Err(e),
                Ok(()) => break conn,
            }
        };
        Ok(Store {
            path,
            backend: Backend::Sqlite(Mutex::new(conn)),
        })
    }

    /// Connects to a PostgreSQL list store (`postgres://user:pass@host:port/db`)
    /// shared by several nodes, creating or migrating its tables. Must not
    /// be called from inside an async runtime (the client runs its own).
    pub fn connect(url: &str) -> Result<Store, StoreError> {
        let shown = crate::db::redact(url);
        let open_err = |e: postgres::Error| StoreError::OpenShared {
            url: shown.clone(),
            reason: crate::db::pg_reason(&e),
        };
        let mut client = postgres::Client::connect(url, postgres::NoTls).map_err(open_err)?;
        client
            .batch_execute("SET synchronous_commit = on")
            .map_err(open_err)?;
        let path = PathBuf::from(&shown);
        {
            let mut tx =
                PgTx::write(&mut client).map_err(|e| e.with(format!("opening {shown}")))?;
            schema::migrate(&mut tx, &path)?;
            tx.commit()
                .map_err(|e| e.with(format!("committing the schema of {shown}")))?;
        }
        Ok(Store {
            path,
            backend: Backend::Postgres {
                url: url.to_string(),
                client: Box::new(Mutex::new(client)),
            },
        })
    }

    /// [`Store::connect`] when `shared` names a PostgreSQL URL, else
    /// [`Store::open`] on the data directory.
    pub fn open_at(data_dir: &Path, shared: Option<&str>) -> Result<Store, StoreError> {
        match shared {
            Some(url) => Store::connect(url),
            None => Store::open(data_dir),
        }
    }

    /// The database file, or for PostgreSQL its URL without the password.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the store is a shared PostgreSQL database.
    pub fn is_shared(&self) -> bool {
        matches!(self.backend, Backend::Postgres { .. })
    }

    /// For a PostgreSQL store: a listener that wakes when any node commits
    /// a change (a version stored or activated, a link judgement). `None`
    /// for SQLite, where one data directory is one node.
    pub fn listen(&self) -> Result<Option<crate::ChangeListener>, StoreError> {
        match &self.backend {
            Backend::Sqlite(_) => Ok(None),
            Backend::Postgres { url, .. } => crate::ChangeListener::connect(url).map(Some),
        }
    }

    fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
        // A panic while holding the lock dropped its transaction, which
        // rolled back; the connection itself is still sound.
        m.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` in one read transaction (one consistent state, also when
    /// another process imports meanwhile).
    pub(crate) fn read<T>(
        &self,
        ctx: impl Fn() -> String,
        f: impl FnOnce(&mut dyn Sql) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match &self.backend {
            Backend::Sqlite(c) => {
                let mut conn = Self::lock(c);
                let mut tx = conn
                    .transaction()
                    .map_err(|e| crate::db::DbError::from(e).with(ctx()))?;
                f(&mut tx)
            }
            Backend::Postgres { client, .. } => {
                let mut client = Self::lock(client);
                let mut tx = PgTx::read(&mut client).map_err(|e| e.with(ctx()))?;
                f(&mut tx)
            }
        }
    }

    /// Runs `f` in one write transaction, excluding every other writer,
    /// and commits when it returns `Ok`; an error rolls everything back.
    pub(crate) fn write<T>(
        &self,
        durability: Durability,
        ctx: impl Fn() -> String,
        f: impl FnOnce(&mut dyn Sql) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match &self.backend {
            Backend::Sqlite(c) => {
                let mut conn = Self::lock(c);
                let full = durability == Durability::Full;
                if full {
                    conn.pragma_update(None, "synchronous", "FULL")
                        .map_err(|e| {
                            crate::db::DbError::from(e).with("switching to synchronous=FULL".into())
                        })?;
                }
                let result = (|| {
                    let mut tx = conn
                        .transaction_with_behavior(TransactionBehavior::Immediate)
                        .map_err(|e| crate::db::DbError::from(e).with(ctx()))?;
                    let out = f(&mut tx)?;
                    tx.commit()
                        .map_err(|e| crate::db::DbError::from(e).with(ctx()))?;
                    Ok(out)
                })();
                if full {
                    conn.pragma_update(None, "synchronous", "NORMAL")
                        .map_err(|e| {
                            crate::db::DbError::from(e)
                                .with("switching back to synchronous=NORMAL".into())
                        })?;
                }
                result
            }
            Backend::Postgres { client, .. } => {
                let mut client = Self::lock(client);
                let mut tx = PgTx::write(&mut client).map_err(|e| e.with(ctx()))?;
                let out = f(&mut tx)?;
                tx.commit().map_err(|e| e.with(ctx()))?;
                Ok(out)
            }
        }
    }

    /// Stores `entities` as a new version of `version.dataset` and makes it
    /// active, or returns `Unchanged` if `version.sha256` is the active
    /// version's. Entity ids must be unique within the import.
    pub fn import(
        &self,
        version: NewVersion,
        entities: &[Entity],
    ) -> Result<ImportOutcome, StoreError> {
        self.import_inner(version, entities, None, None)
    }

    /// [`Store::import`] with the checks that keep an import from silently
    /// degrading screening, made inside the import's transaction against
    /// the active version: a reserved name, a different source kind under
    /// the same name, no entries, more than half the active entries gone
    /// (`policy.allow_shrink`), a publication date before the active
    /// version's (refused; with `policy.allow_older` stored as history
    /// without becoming active, [`ImportOutcome::StoredInactive`]). A
    /// refusal is [`StoreError::Refused`] and writes nothing.
    pub fn import_guarded(
        &self,
        version: NewVersion,
        entities: &[Entity],
        policy: ImportPolicy,
    ) -> Result<ImportOutcome, StoreError> {
        self.import_inner(version, entities, Some(policy), None)
    }

    /// [`Store::import_guarded`] that also writes `intent(outcome)` to the
    /// audit journal in the import's transaction when it stores a version
    /// (not for `Unchanged`, which writes nothing).
    pub fn import_guarded_journaled(
        &self,
        version: NewVersion,
        entities: &[Entity],
        policy: ImportPolicy,
        intent: IntentFn<'_, ImportOutcome>,
    ) -> Result<ImportOutcome, StoreError> {
        self.import_inner(version, entities, Some(policy), Some(intent))
    }

    fn import_inner(
        &self,
        version: NewVersion,
        entities: &[Entity],
        policy: Option<ImportPolicy>,
        intent: Option<IntentFn<'_, ImportOutcome>>,
    ) -> Result<ImportOutcome, StoreError> {
        check_dataset(&version.dataset)?;
        let sha = normalise_sha256(&version.dataset, &version.sha256)?;
        // Encoding and hashing happen before the lock is taken.
        let mut seen = HashSet::with_capacity(entities.len());
        let mut members = Vec::with_capacity(entities.len());
        for e in entities {
            if !seen.insert(e.id.as_str()) {
                return Err(StoreError::DuplicateEntity {
                    dataset: version.dataset.clone(),
                    id: e.id.0.clone(),
                });
            }
            let enc = encode(e)?;
            members.push(Member {
                id: enc.id,
                hash: enc.hash,
                body: Some(enc.body),
            });
        }
        self.commit_version(version, sha, "import", policy, intent, |_| Ok(members))
    }

    /// Stores "active version of `base_dataset`, minus `deletions`, plus
    /// `upserts`" as a new version of `version.dataset` and makes it
    /// active. This is the order `embargo_sources::ftm::delta_ops` gives:
    /// deletions first, then upserts, so an id both deleted and upserted
    /// survives with the upserted content. Upserts of ids the base holds
    /// keep their position; new ids are appended in delta order; if an id
    /// is upserted twice the later one wins. Deleting an id the base does
    /// not hold is a no-op, so replaying a delta is harmless.
    pub fn apply_delta(
        &self,
        version: NewVersion,
        base_dataset: &str,
        upserts: &[Entity],
        deletions: &[EntityId],
    ) -> Result<ImportOutcome, StoreError> {
        self.apply_delta_inner(version, base_dataset, upserts, deletions, None, None)
    }

    /// [`Store::apply_delta`] with the checks of [`Store::import_guarded`],
    /// applied to the version the delta produces.
    pub fn apply_delta_guarded(
        &self,
        version: NewVersion,
        base_dataset: &str,
        upserts: &[Entity],
        deletions: &[EntityId],
        policy: ImportPolicy,
    ) -> Result<ImportOutcome, StoreError> {
        self.apply_delta_inner(
            version,
            base_dataset,
            upserts,
            deletions,
            Some(policy),
            None,
        )
    }

    /// [`Store::apply_delta_guarded`] with the audit journal entry of
    /// [`Store::import_guarded_journaled`].
    pub fn apply_delta_guarded_journaled(
        &self,
        version: NewVersion,
        base_dataset: &str,
        upserts: &[Entity],
        deletions: &[EntityId],
        policy: ImportPolicy,
        intent: IntentFn<'_, ImportOutcome>,
    ) -> Result<ImportOutcome, StoreError> {
        self.apply_delta_inner(
            version,
            base_dataset,
            upserts,
            deletions,
            Some(policy),
            Some(intent),
        )
    }

    fn apply_delta_inner(
        &self,
        version: NewVersion,
        base_dataset: &str,
        upserts: &[Entity],
        deletions: &[EntityId],
        policy: Option<ImportPolicy>,
        intent: Option<IntentFn<'_, ImportOutcome>>,
    ) -> Result<ImportOutcome, StoreError> {
        check_dataset(&version.dataset)?;
        let sha = normalise_sha256(&version.dataset, &version.sha256)?;
        let deleted: HashSet<&str> = deletions.iter().map(|d| d.as_str()).collect();
        let mut upserted: HashMap<String, Member> = HashMap::with_capacity(upserts.len());
        let mut order = Vec::with_capacity(upserts.len());
        for e in upserts {
            let enc = encode(e)?;
            if !upserted.contains_key(&enc.id) {
                order.push(enc.id.clone());
            }
            upserted.insert(
                enc.id.clone(),
                Member {
                    id: enc.id,
                    hash: enc.hash,
                    body: Some(enc.body),
                },
            );
        }
        let base_dataset = base_dataset.to_string();
        self.commit_version(version, sha, "delta", policy, intent, move |tx| {
            let base = active_version_id(tx, &base_dataset)?
                .ok_or_else(|| StoreError::UnknownDataset(base_dataset.clone()))?;
            let ctx = || format!("reading the base version of {base_dataset}");
            let rows = tx.rows(
                "SELECT entity_id, hash FROM members WHERE version_id = ?1 ORDER BY seq",
                args![base],
                ctx,
                |r| Ok((r.text(0)?, r.blob(1)?)),
            )?;
            let mut members = Vec::new();
            for (id, hash) in rows {
                if let Some(m) = upserted.remove(&id) {
                    members.push(m);
                    continue;
                }
                if deleted.contains(id.as_str()) {
                    continue;
                }
                let hash: [u8; 32] = hash.try_into().map_err(|_| StoreError::Corrupt {
                    what: format!("content hash of {id}"),
                    detail: "not 32 bytes".into(),
                })?;
                members.push(Member {
                    id,
                    hash,
                    body: None,
                });
            }
            // New entities, in the order the delta listed them.
            for id in order {
                if let Some(m) = upserted.remove(&id) {
                    members.push(m);
                }
            }
            Ok(members)
        })
    }

    /// The one write path for new versions: unchanged check, label, rows,
    /// active pointer, all in one transaction.
    fn commit_version(
        &self,
        nv: NewVersion,
        sha: String,
        reason: &str,
        policy: Option<ImportPolicy>,
        intent: Option<IntentFn<'_, ImportOutcome>>,
        build: impl FnOnce(&mut dyn Sql) -> Result<Vec<Member>, StoreError>,
    ) -> Result<ImportOutcome, StoreError> {
        let ds = nv.dataset.clone();
        self.write(
            Durability::Normal,
            || format!("importing a version of {ds}"),
            |tx| {
                let mut active = None;
                if let Some(id) = active_version_id(tx, &ds)? {
                    let v = version_by_id(tx, id)?;
                    if v.sha256 == sha {
                        return Ok(ImportOutcome::Unchanged(v));
                    }
                    active = Some(v);
                }
                let members = build(tx)?;
                // Stored with microseconds; truncate so the returned value
                // equals what later reads return.
                let imported_at = Utc::now().trunc_subsecs(6);
                let (date, basis) = match nv.published {
                    Some(d) => (d, nv.published_basis),
                    None => (imported_at.date_naive(), PublishedBasis::ImportDate),
                };
                let history_only = match policy {
                    Some(policy) => guard(
                        &nv,
                        active.as_ref(),
                        members.len() as u64,
                        date,
                        basis,
                        policy,
                    )?,
                    None => false,
                };
                if history_only {
                    // Already stored (a history import run twice): nothing to do.
                    let same = tx.opt(
                        "SELECT id FROM versions WHERE dataset = ?1 AND sha256 = ?2 ORDER BY id LIMIT 1",
                        args![&ds, &sha],
                        || format!("looking for an earlier copy of this version of {ds}"),
                        |r| r.i64(0),
                    )?;
                    if let Some(id) = same {
                        return Ok(ImportOutcome::Unchanged(version_by_id(tx, id)?));
                    }
                }
                let label = label(date, &sha, |l| {
                    tx.opt(
                        "SELECT sha256 FROM versions WHERE dataset = ?1 AND label = ?2",
                        args![&ds, l],
                        || format!("checking version label {l} of {ds}"),
                        |r| r.text(0),
                    )
                })?;
                let lv = ListVersion {
                    dataset: ds.clone(),
                    source: nv.source,
                    version: label,
                    sha256: sha.clone(),
                    published: Some(date),
                    published_basis: Some(basis),
                    imported_at,
                    entity_count: members.len() as u64,
                    origin: nv.origin.clone(),
                };
                let at = imported_at.to_rfc3339_opts(SecondsFormat::Micros, true);
                let published = lv.published.map(|d| d.to_string());
                let source = source_name(lv.source);
                let vid = tx
                    .opt(
                        "INSERT INTO versions (dataset, source, label, sha256, published, imported_at, entity_count, origin, published_basis)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
                        args![
                            &lv.dataset,
                            &source,
                            &lv.version,
                            &lv.sha256,
                            published.as_deref(),
                            &at,
                            members.len() as i64,
                            &lv.origin,
                            basis.as_str()
                        ],
                        || format!("recording version {} of {ds}", lv.version),
                        |r| r.i64(0),
                    )?
                    .ok_or_else(|| StoreError::Corrupt {
                        what: format!("version {} of {ds}", lv.version),
                        detail: "the insert returned no id".into(),
                    })?;
                // Bodies first (members refer to them), many rows per
                // statement on PostgreSQL (`insert_rows`).
                let with_body: Vec<&Member> = members.iter().filter(|m| m.body.is_some()).collect();
                let mut body_args = Vec::with_capacity(with_body.len() * 2);
                for m in &with_body {
                    body_args.push(Arg::from(&m.hash[..]));
                    body_args.push(Arg::from(m.body.as_deref().unwrap_or_default()));
                }
                tx.insert_rows(
                    "INSERT INTO bodies (hash, body)",
                    2,
                    "ON CONFLICT (hash) DO NOTHING",
                    &body_args,
                    |a, b| {
                        format!(
                            "storing entities {}..{} of {ds}",
                            with_body[a - 1].id,
                            with_body[b - 1].id
                        )
                    },
                )?;
                let mut member_args = Vec::with_capacity(members.len() * 4);
                for (seq, m) in members.iter().enumerate() {
                    member_args.push(Arg::I(vid));
                    member_args.push(Arg::I(seq as i64));
                    member_args.push(Arg::from(&m.id));
                    member_args.push(Arg::from(&m.hash[..]));
                }
                tx.insert_rows(
                    "INSERT INTO members (version_id, seq, entity_id, hash)",
                    4,
                    "",
                    &member_args,
                    |a, b| {
                        format!(
                            "storing entities {} (entry {a}) to {} (entry {b}) of {ds}",
                            members[a - 1].id,
                            members[b - 1].id
                        )
                    },
                )?;
                let outcome = if history_only {
                    ImportOutcome::StoredInactive(lv)
                } else {
                    set_active(tx, &ds, vid, &at, reason)?;
                    ImportOutcome::Imported(lv)
                };
                if let Some(f) = intent {
                    write_intent(tx, &f(&outcome))?;
                }
                crate::failpoint("store_before_commit");
                Ok(outcome)
            },
        )
    }

    /// Every dataset with its active version and how many versions are kept.
    pub fn lists(&self) -> Result<Vec<ListStatus>, StoreError> {
        let ctx = || "listing datasets".to_string();
        let sql = format!(
            "SELECT {VERSION_COLS}, (SELECT count(*) FROM versions x WHERE x.dataset = v.dataset)
             FROM active a JOIN versions v ON v.id = a.version_id ORDER BY a.dataset"
        );
        let rows = self.read(ctx, |tx| {
            tx.rows(&sql, &[], ctx, |r| Ok((raw_version(r)?, r.i64(10)?)))
        })?;
        let mut out = Vec::new();
        for (raw, kept) in rows {
            let active = raw.into_version()?;
            out.push(ListStatus {
                dataset: active.dataset.clone(),
                active,
                versions_kept: kept as u64,
            });
        }
        Ok(out)
    }

    /// Every version of `dataset`, oldest first.
    pub fn versions(&self, dataset: &str) -> Result<Vec<ListVersion>, StoreError> {
        let ctx = || format!("listing versions of {dataset}");
        let sql =
            format!("SELECT {VERSION_COLS} FROM versions v WHERE v.dataset = ?1 ORDER BY v.id");
        let rows = self.read(ctx, |tx| tx.rows(&sql, args![dataset], ctx, raw_version))?;
        let out = rows
            .into_iter()
            .map(RawVersion::into_version)
            .collect::<Result<Vec<_>, _>>()?;
        if out.is_empty() {
            return Err(StoreError::UnknownDataset(dataset.to_string()));
        }
        Ok(out)
    }

    /// The active version of `dataset`, if the dataset exists.
    pub fn active_version(&self, dataset: &str) -> Result<Option<ListVersion>, StoreError> {
        self.read(
            || format!("reading the active version of {dataset}"),
            |tx| match active_version_id(tx, dataset)? {
                Some(id) => Ok(Some(version_by_id(tx, id)?)),
                None => Ok(None),
            },
        )
    }

    /// The active version of every dataset and all their entities (datasets
    /// in name order, entities in file order). Read in one transaction so a
    /// concurrent import by another process cannot mix versions.
    pub fn active_entities(&self) -> Result<(Vec<ListVersion>, Vec<Entity>), StoreError> {
        let ctx = || "reading active lists".to_string();
        self.read(ctx, |tx| {
            let ids = tx.rows(
                "SELECT version_id FROM active ORDER BY dataset",
                &[],
                ctx,
                |r| r.i64(0),
            )?;
            let mut versions = Vec::with_capacity(ids.len());
            let mut entities = Vec::new();
            for id in ids {
                let v = version_by_id(tx, id)?;
                entities.extend(version_entities(tx, id, &v)?);
                versions.push(v);
            }
            Ok((versions, entities))
        })
    }

    /// All entities of one version, in file order.
    pub fn entities(&self, dataset: &str, version: &str) -> Result<Vec<Entity>, StoreError> {
        self.read(
            || format!("reading entities of {dataset} {version}"),
            |tx| {
                let (id, v) = version_by_label(tx, dataset, version)?;
                version_entities(tx, id, &v)
            },
        )
    }

    /// An entity of an active version, with that version. If several active
    /// datasets hold the id, the first dataset by name wins.
    pub fn entity(&self, id: &EntityId) -> Result<Option<(ListVersion, Entity)>, StoreError> {
        let ctx = || format!("looking up entity {id}");
        self.read(ctx, |tx| {
            let found = tx.opt(
                "SELECT a.version_id, b.body FROM active a
                 JOIN members m ON m.version_id = a.version_id AND m.entity_id = ?1
                 JOIN bodies b ON b.hash = m.hash
                 ORDER BY a.dataset LIMIT 1",
                args![id.as_str()],
                ctx,
                |r| Ok((r.i64(0)?, r.text(1)?)),
            )?;
            match found {
                None => Ok(None),
                Some((vid, body)) => {
                    let v = version_by_id(tx, vid)?;
                    let e = decode(id.as_str(), &v, &body)?;
                    Ok(Some((v, e)))
                }
            }
        })
    }

    /// Differences between two versions of `dataset`, by entity id and
    /// content hash. `new` defaults to the active version, `old` to the
    /// version imported just before `new`.
    pub fn diff(
        &self,
        dataset: &str,
        old: Option<&str>,
        new: Option<&str>,
    ) -> Result<ListDiff, StoreError> {
        let ctx = || format!("diffing {dataset}");
        self.read(ctx, |tx| {
            let (new_id, new_v) = match new {
                Some(label) => version_by_label(tx, dataset, label)?,
                None => {
                    let id = active_version_id(tx, dataset)?
                        .ok_or_else(|| StoreError::UnknownDataset(dataset.to_string()))?;
                    (id, version_by_id(tx, id)?)
                }
            };
            let (old_id, old_v) = match old {
                Some(label) => version_by_label(tx, dataset, label)?,
                None => {
                    let id = tx
                        .opt(
                            "SELECT id FROM versions WHERE dataset = ?1 AND id < ?2 ORDER BY id DESC LIMIT 1",
                            args![dataset, new_id],
                            || format!("finding the version before {} of {dataset}", new_v.version),
                            |r| r.i64(0),
                        )?
                        .ok_or_else(|| StoreError::NoPreviousVersion {
                            dataset: dataset.to_string(),
                            version: new_v.version.clone(),
                        })?;
                    (id, version_by_id(tx, id)?)
                }
            };
            let mut only_in = |a: i64, b: i64, av: &ListVersion| -> Result<Vec<Entity>, StoreError> {
                let rows = tx.rows(
                    "SELECT m.entity_id, b.body FROM members m JOIN bodies b ON b.hash = m.hash
                     WHERE m.version_id = ?1 AND NOT EXISTS
                       (SELECT 1 FROM members o WHERE o.version_id = ?2 AND o.entity_id = m.entity_id)
                     ORDER BY m.seq",
                    args![a, b],
                    ctx,
                    |r| Ok((r.text(0)?, r.text(1)?)),
                )?;
                rows.iter().map(|(id, body)| decode(id, av, body)).collect()
            };
            let added = only_in(new_id, old_id, &new_v)?;
            let removed = only_in(old_id, new_id, &old_v)?;
            let rows = tx.rows(
                "SELECT m.entity_id, ob.body, nb.body FROM members m
                 JOIN members o ON o.version_id = ?2 AND o.entity_id = m.entity_id AND o.hash <> m.hash
                 JOIN bodies nb ON nb.hash = m.hash
                 JOIN bodies ob ON ob.hash = o.hash
                 WHERE m.version_id = ?1 ORDER BY m.seq",
                args![new_id, old_id],
                ctx,
                |r| Ok((r.text(0)?, r.text(1)?, r.text(2)?)),
            )?;
            let mut changed = Vec::new();
            for (id, ob, nb) in rows {
                let ov = parse_value(&id, &old_v, &ob)?;
                let nv = parse_value(&id, &new_v, &nb)?;
                let caption = decode(&id, &new_v, &nb)?.caption().to_string();
                changed.push(EntityChange {
                    id: EntityId(id),
                    caption,
                    fields: field_changes(&ov, &nv),
                });
            }
            Ok(ListDiff {
                dataset: dataset.to_string(),
                old: old_v,
                new: new_v,
                added,
                removed,
                changed,
            })
        })
    }

    /// When each entry of `dataset` was on the list: every stored version
    /// (active or not) in publication order, and per entity the
    /// intervals between the versions that held it, narrowed by the dates
    /// its newest record states (`listed_on`; `delisted_on`, else a stated
    /// `endDate`). See [`embargo_model::listing`].
    pub fn listing_history(&self, dataset: &str) -> Result<ListingHistory, StoreError> {
        let ctx = || format!("reading the listing history of {dataset}");
        self.read(ctx, |tx| {
            let sql =
                format!("SELECT {VERSION_COLS} FROM versions v WHERE v.dataset = ?1 ORDER BY v.id");
            let mut versions: Vec<(i64, ListVersion)> = tx
                .rows(&sql, args![dataset], ctx, raw_version)?
                .into_iter()
                .map(|raw| Ok((raw.id, raw.into_version()?)))
                .collect::<Result<_, StoreError>>()?;
            if versions.is_empty() {
                return Err(StoreError::UnknownDataset(dataset.to_string()));
            }
            // Publication order; a stable sort keeps import order for ties.
            versions.sort_by_key(|(_, v)| v.published);
            let points: Vec<VersionPoint> = versions
                .iter()
                .map(|(_, v)| VersionPoint {
                    version: v.version.clone(),
                    published: v.published.unwrap_or_else(|| v.imported_at.date_naive()),
                    basis: v.published_basis.unwrap_or(PublishedBasis::ImportDate),
                })
                .collect();
            let pos: HashMap<i64, usize> = versions
                .iter()
                .enumerate()
                .map(|(i, (id, _))| (*id, i))
                .collect();
            let n = versions.len();
            // Presence per entity, and the body hash of its newest record.
            let mut presence: HashMap<String, (Vec<bool>, usize, Vec<u8>)> = HashMap::new();
            tx.each_ctx(
                "SELECT m.version_id, m.entity_id, m.hash FROM members m
                 JOIN versions v ON v.id = m.version_id WHERE v.dataset = ?1",
                args![dataset],
                &ctx,
                &mut |r| {
                    let row = || -> Result<_, crate::db::DbError> {
                        Ok((r.i64(0)?, r.text(1)?, r.blob(2)?))
                    };
                    let (vid, id, hash) = row().map_err(|e| e.with(ctx()))?;
                    let Some(&i) = pos.get(&vid) else {
                        return Ok(());
                    };
                    let entry = presence
                        .entry(id)
                        .or_insert_with(|| (vec![false; n], i, hash.clone()));
                    entry.0[i] = true;
                    if i >= entry.1 {
                        entry.1 = i;
                        entry.2 = hash;
                    }
                    Ok(())
                },
            )?;
            let d = tx.dialect();
            let sql = format!(
                "SELECT {}, {}, {} FROM bodies WHERE hash = ?1",
                d.json_text("body", &["listed_on"]),
                d.json_text("body", &["delisted_on"]),
                d.json_text("body", &["properties", "endDate", "0"]),
            );
            let mut entities = HashMap::with_capacity(presence.len());
            for (id, (present, _, hash)) in presence {
                let (listed, delisted, end) = tx
                    .opt(
                        &sql,
                        args![&hash[..]],
                        || format!("reading the stated dates of {id} in {dataset}"),
                        |r| Ok((r.opt_text(0)?, r.opt_text(1)?, r.opt_text(2)?)),
                    )?
                    .ok_or_else(|| StoreError::Corrupt {
                        what: format!("entity {id} in {dataset}"),
                        detail: "its stored body is missing".into(),
                    })?;
                let date = |field: &str, v: Option<String>| -> Result<_, StoreError> {
                    v.map(|s| {
                        PartialDate::parse_iso(&s).map_err(|e| StoreError::Corrupt {
                            what: format!("{field} of entity {id} in {dataset}"),
                            detail: e.to_string(),
                        })
                    })
                    .transpose()
                };
                let own = SourceDates {
                    listed_on: date("listed_on", listed)?,
                    removed_on: match date("delisted_on", delisted)? {
                        Some(d) => Some(d),
                        // A stated end date is source text: one that is not a
                        // date is simply not used.
                        None => end.and_then(|s| PartialDate::parse_iso(&s).ok()),
                    },
                };
                let ivs = intervals_from_presence(&points, &present, own);
                entities.insert(EntityId(id), ivs);
            }
            Ok(ListingHistory {
                dataset: dataset.to_string(),
                versions: points,
                entities,
            })
        })
    }

    /// Makes `version` the active version of `dataset` (roll back or
    /// forward). Committed with `synchronous=FULL`: an operator's decision
    /// must survive a power loss (see [`crate::schema`]).
    pub fn activate(&self, dataset: &str, version: &str) -> Result<(), StoreError> {
        self.activate_inner(dataset, version, None)
    }

    /// [`Store::activate`] that writes `intent(previous active label)` to the
    /// audit journal in the same transaction (also when the version was
    /// already active: the request is still on record).
    pub fn activate_journaled(
        &self,
        dataset: &str,
        version: &str,
        intent: IntentFn<'_, Option<String>>,
    ) -> Result<(), StoreError> {
        self.activate_inner(dataset, version, Some(intent))
    }

    fn activate_inner(
        &self,
        dataset: &str,
        version: &str,
        intent: Option<IntentFn<'_, Option<String>>>,
    ) -> Result<(), StoreError> {
        self.write(
            Durability::Full,
            || format!("activating {version} of {dataset}"),
            |tx| {
                let (vid, _) = version_by_label(tx, dataset, version)?;
                let before = active_version_id(tx, dataset)?;
                if let Some(f) = intent {
                    let label = match before {
                        Some(id) => Some(version_by_id(tx, id)?.version),
                        None => None,
                    };
                    write_intent(tx, &f(&label))?;
                }
                if before != Some(vid) {
                    let at = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
                    set_active(tx, dataset, vid, &at, "activate")?;
                }
                crate::failpoint("store_before_commit");
                Ok(())
            },
        )
    }
}

/// The checks of [`Store::import_guarded`], against the active version.
/// `Ok(true)`: an older publication let through by `allow_older`, to be
/// stored without becoming active (so the shrink check does not apply).
fn guard(
    nv: &NewVersion,
    active: Option<&ListVersion>,
    count: u64,
    published: NaiveDate,
    basis: PublishedBasis,
    policy: ImportPolicy,
) -> Result<bool, Refusal> {
    let dataset = nv.dataset.clone();
    if crate::RESERVED_DATASETS.contains(&nv.dataset.as_str()) {
        return Err(Refusal::Reserved { dataset });
    }
    let Some(a) = active else {
        return match count {
            0 => Err(Refusal::EmptyFirst { dataset }),
            _ => Ok(false),
        };
    };
    if a.source != nv.source {
        return Err(Refusal::KindChanged {
            dataset,
            existing: a.source,
            new: nv.source,
        });
    }
    let active_published = a.published.unwrap_or_else(|| a.imported_at.date_naive());
    if published < active_published {
        if policy.allow_older {
            return Ok(true);
        }
        return Err(Refusal::Older {
            dataset,
            active: active_published,
            active_basis: a.published_basis.unwrap_or(PublishedBasis::ImportDate),
            new: published,
            new_basis: basis,
        });
    }
    if !policy.allow_shrink {
        if count == 0 {
            return Err(Refusal::Empty { dataset });
        }
        if count.saturating_mul(2) < a.entity_count {
            return Err(Refusal::Shrink {
                dataset,
                active: a.entity_count,
                new: count,
            });
        }
    }
    Ok(false)
}

fn check_dataset(ds: &str) -> Result<(), StoreError> {
    if ds.is_empty() || ds.trim() != ds {
        return Err(StoreError::InvalidDataset(ds.to_string()));
    }
    Ok(())
}

fn set_active(
    tx: &mut dyn Sql,
    ds: &str,
    vid: i64,
    at: &str,
    reason: &str,
) -> Result<(), StoreError> {
    tx.run(
        "INSERT INTO active (dataset, version_id, activated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (dataset) DO UPDATE SET version_id = excluded.version_id, activated_at = excluded.activated_at",
        args![ds, vid, at],
        || format!("setting the active version of {ds}"),
    )?;
    tx.run(
        "INSERT INTO activations (dataset, version_id, at, reason) VALUES (?1, ?2, ?3, ?4)",
        args![ds, vid, at, reason],
        || format!("logging the activation of {ds}"),
    )?;
    Ok(())
}

fn active_version_id(tx: &mut dyn Sql, ds: &str) -> Result<Option<i64>, StoreError> {
    tx.opt(
        "SELECT version_id FROM active WHERE dataset = ?1",
        args![ds],
        || format!("reading the active version of {ds}"),
        |r| r.i64(0),
    )
}

fn version_by_id(tx: &mut dyn Sql, id: i64) -> Result<ListVersion, StoreError> {
    let sql = format!("SELECT {VERSION_COLS} FROM versions v WHERE v.id = ?1");
    tx.opt(
        &sql,
        args![id],
        || format!("reading version row {id}"),
        raw_version,
    )?
    .ok_or_else(|| StoreError::Corrupt {
        what: format!("version row {id}"),
        detail: "referenced but missing".into(),
    })?
    .into_version()
}

fn version_by_label(
    tx: &mut dyn Sql,
    ds: &str,
    label: &str,
) -> Result<(i64, ListVersion), StoreError> {
    let sql =
        format!("SELECT {VERSION_COLS} FROM versions v WHERE v.dataset = ?1 AND v.label = ?2");
    let raw = tx
        .opt(
            &sql,
            args![ds, label],
            || format!("reading version {label} of {ds}"),
            raw_version,
        )?
        .ok_or_else(|| StoreError::UnknownVersion {
            dataset: ds.to_string(),
            version: label.to_string(),
        })?;
    let id = raw.id;
    Ok((id, raw.into_version()?))
}

fn version_entities(
    tx: &mut dyn Sql,
    vid: i64,
    v: &ListVersion,
) -> Result<Vec<Entity>, StoreError> {
    let ctx = || format!("reading entities of {} {}", v.dataset, v.version);
    let mut out = Vec::with_capacity(v.entity_count as usize);
    tx.each_ctx(
        "SELECT m.entity_id, b.body FROM members m JOIN bodies b ON b.hash = m.hash
         WHERE m.version_id = ?1 ORDER BY m.seq",
        args![vid],
        &ctx,
        &mut |r| {
            let id = r.text(0).map_err(|e| e.with(ctx()))?;
            let body = r.text(1).map_err(|e| e.with(ctx()))?;
            out.push(decode(&id, v, &body)?);
            Ok(())
        },
    )?;
    Ok(out)
}

fn decode(id: &str, v: &ListVersion, body: &str) -> Result<Entity, StoreError> {
    serde_json::from_str(body).map_err(|e| StoreError::Corrupt {
        what: format!("entity {id} of {} {}", v.dataset, v.version),
        detail: e.to_string(),
    })
}

fn parse_value(id: &str, v: &ListVersion, body: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(body).map_err(|e| StoreError::Corrupt {
        what: format!("entity {id} of {} {}", v.dataset, v.version),
        detail: e.to_string(),
    })
}

fn source_name(k: SourceKind) -> String {
    match serde_json::to_value(k) {
        Ok(serde_json::Value::String(s)) => s,
        _ => k.dataset().to_string(),
    }
}

/// A `versions` row as stored, before its text columns are parsed.
struct RawVersion {
    id: i64,
    dataset: String,
    source: String,
    label: String,
    sha256: String,
    published: Option<String>,
    imported_at: String,
    entity_count: i64,
    origin: String,
    published_basis: Option<String>,
}

fn raw_version(r: &dyn Row) -> Result<RawVersion, crate::db::DbError> {
    Ok(RawVersion {
        id: r.i64(0)?,
        dataset: r.text(1)?,
        source: r.text(2)?,
        label: r.text(3)?,
        sha256: r.text(4)?,
        published: r.opt_text(5)?,
        imported_at: r.text(6)?,
        entity_count: r.i64(7)?,
        origin: r.text(8)?,
        published_basis: r.opt_text(9)?,
    })
}

impl RawVersion {
    fn into_version(self) -> Result<ListVersion, StoreError> {
        let bad = |field: &str, detail: String| StoreError::Corrupt {
            what: format!("{field} of version {} of {}", self.label, self.dataset),
            detail,
        };
        let source: SourceKind =
            serde_json::from_value(serde_json::Value::String(self.source.clone()))
                .map_err(|e| bad("source", e.to_string()))?;
        let published = match &self.published {
            Some(p) => Some(
                NaiveDate::parse_from_str(p, "%Y-%m-%d")
                    .map_err(|e| bad("published", e.to_string()))?,
            ),
            None => None,
        };
        let imported_at = DateTime::parse_from_rfc3339(&self.imported_at)
            .map_err(|e| bad("imported_at", e.to_string()))?
            .with_timezone(&Utc);
        // Schema v1 rows carry no basis: a v1 publication date came from
        // the file; without one, the import date stands in.
        let (published, basis) = match (published, &self.published_basis) {
            (None, _) => (imported_at.date_naive(), PublishedBasis::ImportDate),
            (Some(p), None) => (p, PublishedBasis::File),
            (Some(p), Some(b)) => (
                p,
                PublishedBasis::parse(b)
                    .ok_or_else(|| bad("published_basis", format!("unknown basis {b:?}")))?,
            ),
        };
        Ok(ListVersion {
            dataset: self.dataset,
            source,
            version: self.label,
            sha256: self.sha256,
            published: Some(published),
            published_basis: Some(basis),
            imported_at,
            entity_count: self.entity_count.max(0) as u64,
            origin: self.origin,
        })
    }
}
