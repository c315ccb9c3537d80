//! [`Store`]: the SQLite connection and every operation on it.
//!
//! One connection behind a `Mutex` makes `Store` `Send + Sync`, so the
//! server can share it across request handlers; operations are short
//! (an import of 15k entities holds the lock for a fraction of a second).
//! Every write is one `BEGIN IMMEDIATE` transaction: it either commits a
//! complete version and moves the active pointer, or leaves both untouched.

use crate::diff::field_changes;
use crate::encode::{encode, label, normalise_sha256};
use crate::error::{Context, StoreError};
use crate::intents::{write_intent, IntentFn};
use crate::schema;
use crate::types::{
    EntityChange, ImportOutcome, ImportPolicy, ListDiff, ListStatus, NewVersion, Refusal,
};
use chrono::{DateTime, NaiveDate, SecondsFormat, SubsecRound, Utc};
use embargo_model::listing::{intervals_from_presence, ListingHistory, SourceDates, VersionPoint};
use embargo_model::{Entity, EntityId, ListVersion, PartialDate, PublishedBasis, SourceKind};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The versioned list store. See the crate and [`crate::schema`] docs.
pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
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
            conn: Mutex::new(conn),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock dropped its Transaction, which
        // rolled back; the connection itself is still sound.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
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
            let mut stmt = tx
                .prepare("SELECT entity_id, hash FROM members WHERE version_id = ?1 ORDER BY seq")
                .ctx(|| format!("reading the base version of {base_dataset}"))?;
            let rows = stmt
                .query_map([base], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
                })
                .ctx(|| format!("reading the base version of {base_dataset}"))?;
            let mut members = Vec::new();
            for row in rows {
                let (id, hash) =
                    row.ctx(|| format!("reading the base version of {base_dataset}"))?;
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
        build: impl FnOnce(&Transaction) -> Result<Vec<Member>, StoreError>,
    ) -> Result<ImportOutcome, StoreError> {
        let ds = nv.dataset.clone();
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .ctx(|| format!("starting the import of {ds}"))?;
        let mut active = None;
        if let Some(id) = active_version_id(&tx, &ds)? {
            let v = version_by_id(&tx, id)?;
            if v.sha256 == sha {
                return Ok(ImportOutcome::Unchanged(v));
            }
            active = Some(v);
        }
        let members = build(&tx)?;
        // Stored with microseconds; truncate so the returned value equals
        // what later reads return.
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
            let same: Option<i64> = tx
                .query_row(
                    "SELECT id FROM versions WHERE dataset = ?1 AND sha256 = ?2 ORDER BY id LIMIT 1",
                    params![ds, sha],
                    |r| r.get(0),
                )
                .optional()
                .ctx(|| format!("looking for an earlier copy of this version of {ds}"))?;
            if let Some(id) = same {
                return Ok(ImportOutcome::Unchanged(version_by_id(&tx, id)?));
            }
        }
        let label = label(date, &sha, |l| {
            tx.query_row(
                "SELECT sha256 FROM versions WHERE dataset = ?1 AND label = ?2",
                params![ds, l],
                |r| r.get(0),
            )
            .optional()
            .ctx(|| format!("checking version label {l} of {ds}"))
        })?;
        let lv = ListVersion {
            dataset: ds.clone(),
            source: nv.source,
            version: label,
            sha256: sha,
            published: Some(date),
            published_basis: Some(basis),
            imported_at,
            entity_count: members.len() as u64,
            origin: nv.origin,
        };
        let at = imported_at.to_rfc3339_opts(SecondsFormat::Micros, true);
        tx.execute(
            "INSERT INTO versions (dataset, source, label, sha256, published, imported_at, entity_count, origin, published_basis)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                lv.dataset,
                source_name(lv.source),
                lv.version,
                lv.sha256,
                lv.published.map(|d| d.to_string()),
                at,
                members.len() as i64,
                lv.origin,
                basis.as_str()
            ],
        )
        .ctx(|| format!("recording version {} of {ds}", lv.version))?;
        let vid = tx.last_insert_rowid();
        {
            let mut body_stmt = tx
                .prepare("INSERT OR IGNORE INTO bodies (hash, body) VALUES (?1, ?2)")
                .ctx(|| "preparing entity inserts".into())?;
            let mut member_stmt = tx
                .prepare("INSERT INTO members (version_id, seq, entity_id, hash) VALUES (?1, ?2, ?3, ?4)")
                .ctx(|| "preparing entity inserts".into())?;
            for (seq, m) in members.iter().enumerate() {
                if let Some(body) = &m.body {
                    body_stmt
                        .execute(params![&m.hash[..], body])
                        .ctx(|| format!("storing entity {} of {ds}", m.id))?;
                }
                member_stmt
                    .execute(params![vid, seq as i64, m.id, &m.hash[..]])
                    .ctx(|| format!("storing entity {} of {ds} (entry {})", m.id, seq + 1))?;
            }
        }
        let outcome = if history_only {
            ImportOutcome::StoredInactive(lv)
        } else {
            set_active(&tx, &ds, vid, &at, reason)?;
            ImportOutcome::Imported(lv)
        };
        if let Some(f) = intent {
            write_intent(&tx, &f(&outcome))?;
        }
        crate::failpoint("store_before_commit");
        tx.commit()
            .ctx(|| format!("committing a version of {ds}"))?;
        Ok(outcome)
    }

    /// Every dataset with its active version and how many versions are kept.
    pub fn lists(&self) -> Result<Vec<ListStatus>, StoreError> {
        let conn = self.conn();
        let sql = format!(
            "SELECT {VERSION_COLS}, (SELECT count(*) FROM versions x WHERE x.dataset = v.dataset)
             FROM active a JOIN versions v ON v.id = a.version_id ORDER BY a.dataset"
        );
        let mut stmt = conn.prepare(&sql).ctx(|| "listing datasets".into())?;
        let rows = stmt
            .query_map([], |r| Ok((raw_version(r)?, r.get::<_, i64>(10)?)))
            .ctx(|| "listing datasets".into())?;
        let mut out = Vec::new();
        for row in rows {
            let (raw, kept) = row.ctx(|| "listing datasets".into())?;
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
        let conn = self.conn();
        let sql =
            format!("SELECT {VERSION_COLS} FROM versions v WHERE v.dataset = ?1 ORDER BY v.id");
        let mut stmt = conn
            .prepare(&sql)
            .ctx(|| format!("listing versions of {dataset}"))?;
        let rows = stmt
            .query_map([dataset], raw_version)
            .ctx(|| format!("listing versions of {dataset}"))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(
                row.ctx(|| format!("listing versions of {dataset}"))?
                    .into_version()?,
            );
        }
        if out.is_empty() {
            return Err(StoreError::UnknownDataset(dataset.to_string()));
        }
        Ok(out)
    }

    /// The active version of `dataset`, if the dataset exists.
    pub fn active_version(&self, dataset: &str) -> Result<Option<ListVersion>, StoreError> {
        let conn = self.conn();
        match active_version_id(&conn, dataset)? {
            Some(id) => Ok(Some(version_by_id(&conn, id)?)),
            None => Ok(None),
        }
    }

    /// The active version of every dataset and all their entities (datasets
    /// in name order, entities in file order). Read in one transaction so a
    /// concurrent import by another process cannot mix versions.
    pub fn active_entities(&self) -> Result<(Vec<ListVersion>, Vec<Entity>), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction().ctx(|| "reading active lists".into())?;
        let ids: Vec<i64> = {
            let mut stmt = tx
                .prepare("SELECT version_id FROM active ORDER BY dataset")
                .ctx(|| "reading active lists".into())?;
            let rows = stmt
                .query_map([], |r| r.get(0))
                .ctx(|| "reading active lists".into())?;
            rows.collect::<Result<_, _>>()
                .ctx(|| "reading active lists".into())?
        };
        let mut versions = Vec::with_capacity(ids.len());
        let mut entities = Vec::new();
        for id in ids {
            let v = version_by_id(&tx, id)?;
            entities.extend(version_entities(&tx, id, &v)?);
            versions.push(v);
        }
        Ok((versions, entities))
    }

    /// All entities of one version, in file order.
    pub fn entities(&self, dataset: &str, version: &str) -> Result<Vec<Entity>, StoreError> {
        let conn = self.conn();
        let (id, v) = version_by_label(&conn, dataset, version)?;
        version_entities(&conn, id, &v)
    }

    /// An entity of an active version, with that version. If several active
    /// datasets hold the id, the first dataset by name wins.
    pub fn entity(&self, id: &EntityId) -> Result<Option<(ListVersion, Entity)>, StoreError> {
        let conn = self.conn();
        let found: Option<(i64, String)> = conn
            .query_row(
                "SELECT a.version_id, b.body FROM active a
                 JOIN members m ON m.version_id = a.version_id AND m.entity_id = ?1
                 JOIN bodies b ON b.hash = m.hash
                 ORDER BY a.dataset LIMIT 1",
                [id.as_str()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .ctx(|| format!("looking up entity {id}"))?;
        match found {
            None => Ok(None),
            Some((vid, body)) => {
                let v = version_by_id(&conn, vid)?;
                let e = decode(id.as_str(), &v, &body)?;
                Ok(Some((v, e)))
            }
        }
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
        let mut conn = self.conn();
        let tx = conn.transaction().ctx(|| format!("diffing {dataset}"))?;
        let (new_id, new_v) = match new {
            Some(label) => version_by_label(&tx, dataset, label)?,
            None => {
                let id = active_version_id(&tx, dataset)?
                    .ok_or_else(|| StoreError::UnknownDataset(dataset.to_string()))?;
                (id, version_by_id(&tx, id)?)
            }
        };
        let (old_id, old_v) = match old {
            Some(label) => version_by_label(&tx, dataset, label)?,
            None => {
                let id: i64 = tx
                    .query_row(
                        "SELECT id FROM versions WHERE dataset = ?1 AND id < ?2 ORDER BY id DESC LIMIT 1",
                        params![dataset, new_id],
                        |r| r.get(0),
                    )
                    .optional()
                    .ctx(|| format!("finding the version before {} of {dataset}", new_v.version))?
                    .ok_or_else(|| StoreError::NoPreviousVersion {
                        dataset: dataset.to_string(),
                        version: new_v.version.clone(),
                    })?;
                (id, version_by_id(&tx, id)?)
            }
        };
        let only_in = |a: i64, b: i64, av: &ListVersion| -> Result<Vec<Entity>, StoreError> {
            let mut stmt = tx
                .prepare(
                    "SELECT m.entity_id, b.body FROM members m JOIN bodies b ON b.hash = m.hash
                     WHERE m.version_id = ?1 AND NOT EXISTS
                       (SELECT 1 FROM members o WHERE o.version_id = ?2 AND o.entity_id = m.entity_id)
                     ORDER BY m.seq",
                )
                .ctx(|| format!("diffing {dataset}"))?;
            let rows = stmt
                .query_map(params![a, b], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .ctx(|| format!("diffing {dataset}"))?;
            let mut out = Vec::new();
            for row in rows {
                let (id, body) = row.ctx(|| format!("diffing {dataset}"))?;
                out.push(decode(&id, av, &body)?);
            }
            Ok(out)
        };
        let added = only_in(new_id, old_id, &new_v)?;
        let removed = only_in(old_id, new_id, &old_v)?;
        let mut changed = Vec::new();
        {
            let mut stmt = tx
                .prepare(
                    "SELECT m.entity_id, ob.body, nb.body FROM members m
                     JOIN members o ON o.version_id = ?2 AND o.entity_id = m.entity_id AND o.hash <> m.hash
                     JOIN bodies nb ON nb.hash = m.hash
                     JOIN bodies ob ON ob.hash = o.hash
                     WHERE m.version_id = ?1 ORDER BY m.seq",
                )
                .ctx(|| format!("diffing {dataset}"))?;
            let rows = stmt
                .query_map(params![new_id, old_id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })
                .ctx(|| format!("diffing {dataset}"))?;
            for row in rows {
                let (id, ob, nb) = row.ctx(|| format!("diffing {dataset}"))?;
                let ov = parse_value(&id, &old_v, &ob)?;
                let nv = parse_value(&id, &new_v, &nb)?;
                let caption = decode(&id, &new_v, &nb)?.caption().to_string();
                changed.push(EntityChange {
                    id: EntityId(id),
                    caption,
                    fields: field_changes(&ov, &nv),
                });
            }
        }
        Ok(ListDiff {
            dataset: dataset.to_string(),
            old: old_v,
            new: new_v,
            added,
            removed,
            changed,
        })
    }

    /// When each entry of `dataset` was on the list: every stored version
    /// (active or not) in publication order, and per entity the
    /// intervals between the versions that held it, narrowed by the dates
    /// its newest record states (`listed_on`; `delisted_on`, else a stated
    /// `endDate`). See [`embargo_model::listing`].
    pub fn listing_history(&self, dataset: &str) -> Result<ListingHistory, StoreError> {
        let ctx = || format!("reading the listing history of {dataset}");
        let mut conn = self.conn();
        let tx = conn.transaction().ctx(ctx)?;
        let mut versions: Vec<(i64, ListVersion)> = {
            let sql =
                format!("SELECT {VERSION_COLS} FROM versions v WHERE v.dataset = ?1 ORDER BY v.id");
            let mut stmt = tx.prepare(&sql).ctx(ctx)?;
            let rows = stmt.query_map([dataset], raw_version).ctx(ctx)?;
            let mut out = Vec::new();
            for row in rows {
                let raw = row.ctx(ctx)?;
                out.push((raw.id, raw.into_version()?));
            }
            out
        };
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
        {
            let mut stmt = tx
                .prepare(
                    "SELECT m.version_id, m.entity_id, m.hash FROM members m
                     JOIN versions v ON v.id = m.version_id WHERE v.dataset = ?1",
                )
                .ctx(ctx)?;
            let mut rows = stmt.query([dataset]).ctx(ctx)?;
            while let Some(r) = rows.next().ctx(ctx)? {
                let vid: i64 = r.get(0).ctx(ctx)?;
                let id: String = r.get(1).ctx(ctx)?;
                let hash: Vec<u8> = r.get(2).ctx(ctx)?;
                let Some(&i) = pos.get(&vid) else { continue };
                let entry = presence
                    .entry(id)
                    .or_insert_with(|| (vec![false; n], i, hash.clone()));
                entry.0[i] = true;
                if i >= entry.1 {
                    entry.1 = i;
                    entry.2 = hash;
                }
            }
        }
        let mut stmt = tx
            .prepare(
                "SELECT json_extract(body, '$.listed_on'), json_extract(body, '$.delisted_on'),
                        json_extract(body, '$.properties.endDate[0]')
                 FROM bodies WHERE hash = ?1",
            )
            .ctx(ctx)?;
        let mut entities = HashMap::with_capacity(presence.len());
        for (id, (present, _, hash)) in presence {
            let (listed, delisted, end): (Option<String>, Option<String>, Option<String>) = stmt
                .query_row([&hash], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .ctx(|| format!("reading the stated dates of {id} in {dataset}"))?;
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
        let mut conn = self.conn();
        conn.pragma_update(None, "synchronous", "FULL")
            .ctx(|| "switching to synchronous=FULL".into())?;
        let result = (|| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .ctx(|| format!("activating {version} of {dataset}"))?;
            let (vid, _) = version_by_label(&tx, dataset, version)?;
            let before = active_version_id(&tx, dataset)?;
            if let Some(f) = intent {
                let label = match before {
                    Some(id) => Some(version_by_id(&tx, id)?.version),
                    None => None,
                };
                write_intent(&tx, &f(&label))?;
            }
            if before != Some(vid) {
                let at = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
                set_active(&tx, dataset, vid, &at, "activate")?;
            }
            crate::failpoint("store_before_commit");
            tx.commit()
                .ctx(|| format!("activating {version} of {dataset}"))
        })();
        conn.pragma_update(None, "synchronous", "NORMAL")
            .ctx(|| "switching back to synchronous=NORMAL".into())?;
        result
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
    tx: &Connection,
    ds: &str,
    vid: i64,
    at: &str,
    reason: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO active (dataset, version_id, activated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (dataset) DO UPDATE SET version_id = excluded.version_id, activated_at = excluded.activated_at",
        params![ds, vid, at],
    )
    .ctx(|| format!("setting the active version of {ds}"))?;
    tx.execute(
        "INSERT INTO activations (dataset, version_id, at, reason) VALUES (?1, ?2, ?3, ?4)",
        params![ds, vid, at, reason],
    )
    .ctx(|| format!("logging the activation of {ds}"))?;
    Ok(())
}

fn active_version_id(conn: &Connection, ds: &str) -> Result<Option<i64>, StoreError> {
    conn.query_row(
        "SELECT version_id FROM active WHERE dataset = ?1",
        [ds],
        |r| r.get(0),
    )
    .optional()
    .ctx(|| format!("reading the active version of {ds}"))
}

fn version_by_id(conn: &Connection, id: i64) -> Result<ListVersion, StoreError> {
    let sql = format!("SELECT {VERSION_COLS} FROM versions v WHERE v.id = ?1");
    conn.query_row(&sql, [id], raw_version)
        .ctx(|| format!("reading version row {id}"))?
        .into_version()
}

fn version_by_label(
    conn: &Connection,
    ds: &str,
    label: &str,
) -> Result<(i64, ListVersion), StoreError> {
    let sql =
        format!("SELECT {VERSION_COLS} FROM versions v WHERE v.dataset = ?1 AND v.label = ?2");
    let raw = conn
        .query_row(&sql, [ds, label], raw_version)
        .optional()
        .ctx(|| format!("reading version {label} of {ds}"))?
        .ok_or_else(|| StoreError::UnknownVersion {
            dataset: ds.to_string(),
            version: label.to_string(),
        })?;
    let id = raw.id;
    Ok((id, raw.into_version()?))
}

fn version_entities(
    conn: &Connection,
    vid: i64,
    v: &ListVersion,
) -> Result<Vec<Entity>, StoreError> {
    let ctx = || format!("reading entities of {} {}", v.dataset, v.version);
    let mut stmt = conn
        .prepare(
            "SELECT m.entity_id, b.body FROM members m JOIN bodies b ON b.hash = m.hash
             WHERE m.version_id = ?1 ORDER BY m.seq",
        )
        .ctx(ctx)?;
    let rows = stmt
        .query_map([vid], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .ctx(ctx)?;
    let mut out = Vec::with_capacity(v.entity_count as usize);
    for row in rows {
        let (id, body) = row.ctx(ctx)?;
        out.push(decode(&id, v, &body)?);
    }
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

fn raw_version(r: &Row) -> rusqlite::Result<RawVersion> {
    Ok(RawVersion {
        id: r.get(0)?,
        dataset: r.get(1)?,
        source: r.get(2)?,
        label: r.get(3)?,
        sha256: r.get(4)?,
        published: r.get(5)?,
        imported_at: r.get(6)?,
        entity_count: r.get(7)?,
        origin: r.get(8)?,
        published_basis: r.get(9)?,
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
