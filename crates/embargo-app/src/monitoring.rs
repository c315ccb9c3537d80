//! Continuous monitoring: screen only what changed since a book was last
//! screened, and keep the alert queue ([`crate::alerts`]) in step.
//!
//! For each book, `books.sqlite` remembers the list version of every
//! dataset it was screened at (`monitor_lists`) and the book version
//! (`books.screened_version`). [`App::monitor`] then works through deltas,
//! each committed in one SQLite transaction together with the state that
//! says it is done, so a run killed at any point resumes where it stopped
//! and a second run with nothing new does nothing:
//!
//! - **first run of a book**: every customer is screened against the
//!   lists (the baseline);
//! - **a list changed** (`lists diff` between the version the book saw and
//!   the active one): the added and changed entries are screened *against
//!   the book* — each entry's names are queries over the book's index, a
//!   cost that grows with the delta, not the book — and every customer
//!   they reach is screened against the lists exactly as a full re-screen
//!   would screen it, so the alert (score, explanation, consolidated
//!   subject) is the one a full re-screen gives; removed entries close
//!   their open alerts ("removed from list X in version V"); a changed
//!   entry that no longer reaches a customer closes that alert;
//! - **the book changed** (`book import`): added and changed customers are
//!   screened against the lists; removed customers' alerts close;
//! - a hit whose review decision still stands keeps its state (cleared,
//!   confirmed); a decision made stale by a change of the entry or of the
//!   customer in a field that matters (the review's own staleness rules)
//!   reopens the alert.
//!
//! A dataset new to the book (first import after the baseline) is screened
//! whole in the reverse direction; a version the store no longer holds
//! does the same and closes alerts on records no longer listed. The
//! embedded regime pack has no stored history: a new pack version is
//! screened whole (it is small) and its removed records close by absence.

use crate::alerts::{
    close_where, file_hit, open_of_customer, open_on_entity, state_of_review, AlertCounts, AlertHit,
};
use crate::book::{db_err, now, BookDb, BookIndex};
use crate::error::{AppError, AppResult};
use crate::{App, ScreenResult, Snapshot};
use embargo_match::{Query, ScreenOptions};
use embargo_model::EntityId;
use rusqlite::params;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

/// A hit (customer index, screen row) with the state its review puts it in.
type ReviewedHit = (usize, ScreenResult, (&'static str, String));

/// Rows a customer's screen keeps (as `screen --limit`).
pub const MONITOR_LIMIT: usize = 10;

/// How much lower than the book's threshold the reverse search reaches, so
/// that every customer a forward screen would hit is among the candidates
/// (qualifiers can raise a name score; the two directions weigh tokens by
/// different corpora).
pub const REVERSE_MARGIN: f64 = 0.25;

/// One delta worked through.
#[derive(Clone, Debug, Serialize)]
pub struct DeltaReport {
    /// `baseline`, `list`, `book`.
    pub kind: String,
    /// What changed, in words ("us_ofac_sdn 2024-05-02 → 2024-05-03").
    pub change: String,
    pub entries_added: u64,
    pub entries_changed: u64,
    pub entries_removed: u64,
    /// Customers screened against the lists for this delta.
    pub customers_screened: u64,
    pub alerts: AlertCounts,
    pub seconds: f64,
}

/// What one `monitor` run did for one book.
#[derive(Clone, Debug, Serialize)]
pub struct MonitorReport {
    pub book: String,
    pub book_version: u64,
    pub customers: u64,
    /// Seconds spent building the book's index.
    pub index_seconds: f64,
    /// The file the book's index was mapped from (and why it was rebuilt,
    /// if it was); `None`: an index in memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_file: Option<crate::book_index::BookIndexFile>,
    pub deltas: Vec<DeltaReport>,
    /// Open and under-review alerts of the book after the run.
    pub open_alerts: u64,
    /// The list versions the book is now screened at.
    pub list_versions: Vec<String>,
    /// What the run could not do or vouch for.
    pub notes: Vec<String>,
}

/// A list delta: which entries to screen, which are gone.
pub struct ListDelta {
    pub dataset: String,
    pub from: Option<String>,
    pub to: String,
    pub screen: Vec<EntityId>,
    pub changed: HashSet<EntityId>,
    pub removed: Vec<EntityId>,
    /// Close alerts on this dataset's records no longer in the snapshot
    /// (no stored diff to name them).
    pub close_absent: bool,
}

fn options(threshold: f64) -> ScreenOptions {
    ScreenOptions {
        threshold,
        limit: MONITOR_LIMIT,
        ..Default::default()
    }
}

/// Whether a screen row touches one of `ids` (its record or any record of
/// its consolidated subject).
fn touches(row: &ScreenResult, ids: &HashSet<EntityId>) -> bool {
    ids.contains(&row.entity_id) || row.records.iter().any(|r| ids.contains(&r.entity_id))
}

/// Screens `customers` (indices into `index.customers`) against the lists:
/// exactly what a full re-screen does for each of them.
pub fn screen_customers(
    snap: &Snapshot,
    index: &BookIndex,
    customers: &[usize],
    threshold: f64,
) -> Vec<Vec<ScreenResult>> {
    let queries: Vec<Query> = customers
        .iter()
        .map(|&i| index.customers[i].query())
        .collect();
    snap.screen_batch(&queries, &options(threshold))
}

/// The customers a list delta's entries reach, found by screening each
/// entry's names over the book's index (the reverse direction).
pub fn reverse_candidates(
    snap: &Snapshot,
    index: &BookIndex,
    entries: &[EntityId],
    threshold: f64,
) -> Vec<usize> {
    let queries: Vec<Query> = entries
        .iter()
        .filter_map(|id| snap.entity(id))
        .map(|e| {
            let mut names = e.names.iter().map(|n| n.value.clone());
            Query {
                name: names.next().unwrap_or_default(),
                aliases: names.collect(),
                identifiers: e.identifiers.iter().map(|i| i.value.clone()).collect(),
                ..Default::default()
            }
        })
        .collect();
    // No cut on the number of customers: a listed name common among the
    // customers (a frequent personal name) reaches every one of them, as a
    // full re-screen of the book would.
    let opts = ScreenOptions {
        threshold: (threshold - REVERSE_MARGIN).max(0.3),
        limit: usize::MAX,
        ..Default::default()
    };
    index.search(&queries, &opts)
}

/// The alerts a list delta gives: for every customer the reverse search
/// reaches, and every customer of `also`, the rows of its forward screen
/// that touch the delta.
pub fn delta_hits(
    snap: &Snapshot,
    index: &BookIndex,
    entries: &[EntityId],
    threshold: f64,
    also: &[usize],
) -> Vec<(usize, ScreenResult)> {
    let ids: HashSet<EntityId> = entries.iter().cloned().collect();
    let mut cands = reverse_candidates(snap, index, entries, threshold);
    cands.extend_from_slice(also);
    cands.sort_unstable();
    cands.dedup();
    let rows = screen_customers(snap, index, &cands, threshold);
    let mut out = Vec::new();
    for (ci, rows) in cands.into_iter().zip(rows) {
        for row in rows {
            if touches(&row, &ids) {
                out.push((ci, row));
            }
        }
    }
    out
}

impl App {
    /// Monitors `book`, or every book when `None` (see the module docs).
    pub fn monitor(&self, actor: &str, book: Option<&str>) -> AppResult<Vec<MonitorReport>> {
        let db = self.books()?;
        self.flush_alert_audit(&db)?;
        let names = match book {
            Some(b) => {
                db.info(b)?;
                vec![b.to_string()]
            }
            None => db.names()?,
        };
        let mut out = Vec::new();
        for name in names {
            out.push(self.monitor_book(&db, actor, &name, None)?);
        }
        Ok(out)
    }

    /// Monitors one book; `index` reuses an index already built for the
    /// book's current version (the server and benchmarks keep one).
    pub fn monitor_book(
        &self,
        db: &BookDb,
        actor: &str,
        book: &str,
        index: Option<&BookIndex>,
    ) -> AppResult<MonitorReport> {
        let info = db.info(book)?;
        let snap = self.snapshot();
        let threshold = info.threshold;
        let t0 = Instant::now();
        let built;
        let index = match index {
            Some(i) if i.book == book && i.version == info.version => i,
            _ => {
                built = crate::book_index::load_book_index(
                    &self.data_dir,
                    book,
                    info.version,
                    db.customers(book)?,
                )?;
                &built
            }
        };
        let index_seconds = t0.elapsed().as_secs_f64();
        let mut report = MonitorReport {
            book: book.to_string(),
            book_version: info.version,
            customers: index.customers.len() as u64,
            index_seconds,
            index_file: index.file.clone(),
            deltas: Vec::new(),
            open_alerts: 0,
            list_versions: snap.version_labels(),
            notes: Vec::new(),
        };
        if info.screened_version.is_none() {
            report
                .deltas
                .push(self.baseline(db, actor, &snap, index, threshold)?);
        } else {
            let processed: HashMap<String, String> = info.lists.iter().cloned().collect();
            for delta in self.list_deltas(&snap, &processed, &mut report.notes)? {
                report
                    .deltas
                    .push(self.apply_list_delta(db, actor, &snap, index, threshold, &delta)?);
                self.flush_alert_audit(db)?;
            }
            if let Some(since) = info.screened_version.filter(|v| *v < info.version) {
                report
                    .deltas
                    .push(self.apply_book_delta(db, actor, &snap, index, threshold, since)?);
            }
        }
        self.flush_alert_audit(db)?;
        report.open_alerts = db.info(book)?.open_alerts;
        Ok(report)
    }

    /// What changed in each list since the book last saw it.
    fn list_deltas(
        &self,
        snap: &Snapshot,
        processed: &HashMap<String, String>,
        notes: &mut Vec<String>,
    ) -> AppResult<Vec<ListDelta>> {
        let pack = crate::pack_version().dataset;
        let mut out = Vec::new();
        for v in &snap.versions {
            let seen = processed.get(&v.dataset);
            if seen == Some(&v.version) {
                continue;
            }
            let all_of = |ds: &str| -> Vec<EntityId> {
                snap.matcher.entities()[..snap.screened_entities()]
                    .iter()
                    .filter(|e| e.dataset == ds)
                    .map(|e| e.id.clone())
                    .collect()
            };
            let whole = |close_absent: bool| ListDelta {
                dataset: v.dataset.clone(),
                from: seen.cloned(),
                to: v.version.clone(),
                screen: all_of(&v.dataset),
                changed: HashSet::new(),
                removed: Vec::new(),
                close_absent,
            };
            let Some(prev) = seen else {
                out.push(whole(false));
                continue;
            };
            if v.dataset == pack {
                notes.push(format!(
                    "the embedded regime pack changed ({prev} → {}): screened whole",
                    v.version
                ));
                out.push(whole(true));
                continue;
            }
            match self.store.diff(&v.dataset, Some(prev), Some(&v.version)) {
                Ok(d) => {
                    let changed: HashSet<EntityId> =
                        d.changed.iter().map(|c| c.id.clone()).collect();
                    out.push(ListDelta {
                        dataset: v.dataset.clone(),
                        from: Some(prev.clone()),
                        to: v.version.clone(),
                        screen: d
                            .added
                            .iter()
                            .map(|e| e.id.clone())
                            .chain(d.changed.iter().map(|c| c.id.clone()))
                            .collect(),
                        changed,
                        removed: d.removed.iter().map(|e| e.id.clone()).collect(),
                        close_absent: false,
                    })
                }
                Err(e) => {
                    notes.push(format!(
                        "{}: no stored diff from {prev} ({e}): screened whole",
                        v.dataset
                    ));
                    out.push(whole(true));
                }
            }
        }
        Ok(out)
    }

    fn baseline(
        &self,
        db: &BookDb,
        actor: &str,
        snap: &Arc<Snapshot>,
        index: &BookIndex,
        threshold: f64,
    ) -> AppResult<DeltaReport> {
        let t0 = Instant::now();
        let cause = format!(
            "first screen of book {} version {} against {}",
            index.book,
            index.version,
            snap.version_labels().join(", ")
        );
        let hits = full_rescreen(snap, index, threshold);
        let reviewed = self.reviewed_hits(snap, index, &hits)?;
        let mut counts = AlertCounts::default();
        self.commit(db, &index.book, |tx| {
            for (ci, row, review) in &reviewed {
                file_hit(
                    tx,
                    &index.book,
                    actor,
                    &AlertHit {
                        customer: &index.customers[*ci],
                        row,
                        review: review.clone(),
                        cause: &cause,
                    },
                    &mut counts,
                )?;
            }
            for v in &snap.versions {
                mark_list(tx, &index.book, &v.dataset, &v.version)?;
            }
            tx.execute(
                "UPDATE books SET screened_version = ?2 WHERE name = ?1",
                params![index.book, index.version],
            )?;
            Ok(())
        })?;
        Ok(DeltaReport {
            kind: "baseline".into(),
            change: cause,
            entries_added: 0,
            entries_changed: 0,
            entries_removed: 0,
            customers_screened: index.customers.len() as u64,
            alerts: counts,
            seconds: t0.elapsed().as_secs_f64(),
        })
    }

    /// The review state of every hit, looked up before the transaction
    /// (reviews live in the audit log).
    fn reviewed_hits(
        &self,
        snap: &Snapshot,
        index: &BookIndex,
        hits: &[(usize, ScreenResult)],
    ) -> AppResult<Vec<ReviewedHit>> {
        let today = chrono::Utc::now().date_naive();
        let threshold = crate::settings::approval_threshold(&self.data_dir)?;
        let mut out = Vec::with_capacity(hits.len());
        for (ci, row) in hits {
            let review = match snap.entity(&row.entity_id) {
                Some(e) => state_of_review(self.review_lookup(
                    &index.customers[*ci].review_key(),
                    e,
                    row.score,
                    today,
                    threshold,
                )?),
                None => ("open", String::new()),
            };
            out.push((*ci, row.clone(), review));
        }
        Ok(out)
    }

    fn commit(
        &self,
        db: &BookDb,
        book: &str,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<()>,
    ) -> AppResult<()> {
        let ctx = || format!("committing a monitoring delta of book {book}");
        let mut conn = db.conn();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(db_err(ctx()))?;
        f(&tx).map_err(db_err(ctx()))?;
        tx.commit().map_err(db_err(ctx()))
    }

    /// Screens one list delta against the book and commits its alerts
    /// with the new list version, in one transaction.
    pub fn apply_list_delta(
        &self,
        db: &BookDb,
        actor: &str,
        snap: &Arc<Snapshot>,
        index: &BookIndex,
        threshold: f64,
        delta: &ListDelta,
    ) -> AppResult<DeltaReport> {
        let t0 = Instant::now();
        let change = match &delta.from {
            Some(f) => format!("{} {f} → {}", delta.dataset, delta.to),
            None => format!("{} {} (new to this book)", delta.dataset, delta.to),
        };
        let book = &index.book;
        // Customers with an open alert on a changed entry are screened
        // forward too: such an alert closes only when the customer's own
        // screen no longer gives it, never because the reverse search did
        // not reach the customer.
        let alerted: Vec<usize> = {
            let conn = db.conn();
            let mut out = Vec::new();
            for id in &delta.changed {
                let open = open_on_entity(&conn, book, id.as_str())
                    .map_err(db_err(format!("reading the alerts of book {book}")))?;
                out.extend(open.iter().filter_map(|(_, c)| index.by_id.get(c).copied()));
            }
            out
        };
        let hits = delta_hits(snap, index, &delta.screen, threshold, &alerted);
        let screened: HashSet<usize> = hits.iter().map(|(c, _)| *c).collect();
        let reviewed = self.reviewed_hits(snap, index, &hits)?;
        let mut counts = AlertCounts::default();
        let added_cause = format!("listed in {} version {}", delta.dataset, delta.to);
        let changed_cause = format!("entry changed in {} version {}", delta.dataset, delta.to);
        let removed_reason = format!(
            "removed from list {} in version {}",
            delta.dataset, delta.to
        );
        // Pairs the delta still hits, for closing changed entries' alerts
        // that no longer match.
        let hit_pairs: HashSet<(String, String)> = hits
            .iter()
            .flat_map(|(ci, row)| {
                let c = index.customers[*ci].id.clone();
                std::iter::once(row.entity_id.to_string())
                    .chain(row.records.iter().map(|r| r.entity_id.to_string()))
                    .map(move |e| (c.clone(), e))
            })
            .collect();
        self.commit(db, book, |tx| {
            for (ci, row, review) in &reviewed {
                let cause = if touches(row, &delta.changed) && !delta.changed.is_empty() {
                    &changed_cause
                } else {
                    &added_cause
                };
                file_hit(
                    tx,
                    book,
                    actor,
                    &AlertHit {
                        customer: &index.customers[*ci],
                        row,
                        review: review.clone(),
                        cause,
                    },
                    &mut counts,
                )?;
            }
            for id in &delta.changed {
                let gone: Vec<i64> = open_on_entity(tx, book, id.as_str())?
                    .into_iter()
                    .filter(|(_, c)| !hit_pairs.contains(&(c.clone(), id.to_string())))
                    .map(|(a, _)| a)
                    .collect();
                let why = format!(
                    "no longer matches: entry {id} changed in {} version {}",
                    delta.dataset, delta.to
                );
                close_where(tx, actor, &gone, &why, &mut counts)?;
            }
            for id in &delta.removed {
                let ids: Vec<i64> = open_on_entity(tx, book, id.as_str())?
                    .into_iter()
                    .map(|(a, _)| a)
                    .collect();
                close_where(tx, actor, &ids, &removed_reason, &mut counts)?;
            }
            if delta.close_absent {
                let mut stmt = tx.prepare(
                    "SELECT id, entity_id FROM alerts WHERE book = ?1 AND dataset = ?2
                     AND state IN ('open','under_review')",
                )?;
                let rows: Vec<(i64, String)> = stmt
                    .query_map(params![book, delta.dataset], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<Result<_, _>>()?;
                let gone: Vec<i64> = rows
                    .into_iter()
                    .filter(|(_, e)| snap.entity(&EntityId(e.clone())).is_none())
                    .map(|(a, _)| a)
                    .collect();
                close_where(tx, actor, &gone, &removed_reason, &mut counts)?;
            }
            mark_list(tx, book, &delta.dataset, &delta.to)
        })?;
        Ok(DeltaReport {
            kind: "list".into(),
            change,
            entries_added: (delta.screen.len() - delta.changed.len()) as u64,
            entries_changed: delta.changed.len() as u64,
            entries_removed: delta.removed.len() as u64,
            customers_screened: screened.len() as u64,
            alerts: counts,
            seconds: t0.elapsed().as_secs_f64(),
        })
    }

    /// Screens the customers added or changed since book version `since`
    /// against the lists; closes the alerts of removed customers.
    fn apply_book_delta(
        &self,
        db: &BookDb,
        actor: &str,
        snap: &Arc<Snapshot>,
        index: &BookIndex,
        threshold: f64,
        since: u64,
    ) -> AppResult<DeltaReport> {
        let t0 = Instant::now();
        let book = &index.book;
        let (touched, removed) = db.changes_since(book, since)?;
        let idx: Vec<usize> = touched
            .iter()
            .filter_map(|id| index.by_id.get(id).copied())
            .collect();
        let rows = screen_customers(snap, index, &idx, threshold);
        let hits: Vec<(usize, ScreenResult)> = idx
            .iter()
            .zip(rows)
            .flat_map(|(&ci, rows)| rows.into_iter().map(move |r| (ci, r)))
            .collect();
        let reviewed = self.reviewed_hits(snap, index, &hits)?;
        let cause = format!(
            "customer added or changed in book {book} version {}",
            index.version
        );
        let mut counts = AlertCounts::default();
        self.commit(db, book, |tx| {
            for (ci, row, review) in &reviewed {
                file_hit(
                    tx,
                    book,
                    actor,
                    &AlertHit {
                        customer: &index.customers[*ci],
                        row,
                        review: review.clone(),
                        cause: &cause,
                    },
                    &mut counts,
                )?;
            }
            // A changed customer's alerts that its new screen does not
            // give any more.
            for &ci in &idx {
                let c = &index.customers[ci];
                let still: HashSet<String> = reviewed
                    .iter()
                    .filter(|(x, _, _)| *x == ci)
                    .flat_map(|(_, row, _)| {
                        std::iter::once(row.entity_id.to_string())
                            .chain(row.records.iter().map(|r| r.entity_id.to_string()))
                    })
                    .collect();
                let gone: Vec<i64> = open_of_customer(tx, book, &c.id)?
                    .into_iter()
                    .filter(|(_, e)| !still.contains(e))
                    .map(|(a, _)| a)
                    .collect();
                let why = format!(
                    "no longer matches: customer changed in book {book} version {}",
                    index.version
                );
                close_where(tx, actor, &gone, &why, &mut counts)?;
            }
            for id in &removed {
                let ids: Vec<i64> = open_of_customer(tx, book, id)?
                    .into_iter()
                    .map(|(a, _)| a)
                    .collect();
                let why = format!(
                    "customer removed from book {book} in version {}",
                    index.version
                );
                close_where(tx, actor, &ids, &why, &mut counts)?;
            }
            tx.execute(
                "UPDATE books SET screened_version = ?2 WHERE name = ?1",
                params![book, index.version],
            )?;
            Ok(())
        })?;
        Ok(DeltaReport {
            kind: "book".into(),
            change: format!("book {book} version {since} → {}", index.version),
            entries_added: 0,
            entries_changed: 0,
            entries_removed: 0,
            customers_screened: idx.len() as u64 + removed.len() as u64,
            alerts: counts,
            seconds: t0.elapsed().as_secs_f64(),
        })
    }

    /// Imports a customer book from CSV (see [`crate::book`]), audited as
    /// an import; the book is screened by the next `monitor`.
    pub fn import_book(
        &self,
        actor: &str,
        book: &str,
        source: &str,
        input: impl std::io::Read,
        cols: &crate::book::BookColumns,
        threshold: f64,
    ) -> AppResult<crate::book::BookImport> {
        let customers = crate::book::read_customers(input, cols)
            .map_err(|e| AppError::Csv(format!("{source}: {e}")))?;
        let db = self.books()?;
        let mut report = db.import(book, source, customers, threshold)?;
        if let Some(version) = report.version {
            // Index this version once, now, so `monitor` maps the file.
            // The import is committed either way: a failure here is
            // reported, and the next `monitor` builds the file.
            match db.customers(book).and_then(|c| {
                crate::book_index::ensure_book_index(&self.data_dir, book, version, c)
            }) {
                Ok(file) => report.index_file = file,
                Err(e) => report.index_error = Some(e.to_string()),
            }
        }
        self.audit.append(embargo_audit::NewRecord {
            kind: embargo_audit::RecordKind::Import,
            actor: actor.to_string(),
            request: serde_json::json!({"book": book, "file": source}),
            result: serde_json::json!({
                "version": report.version,
                "customers": report.customers,
                "added": report.added,
                "changed": report.changed,
                "removed": report.removed,
            }),
            list_versions: Vec::new(),
        })?;
        Ok(report)
    }
}

fn mark_list(
    tx: &rusqlite::Transaction<'_>,
    book: &str,
    dataset: &str,
    version: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO monitor_lists (book, dataset, version, processed_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (book, dataset) DO UPDATE SET version = excluded.version,
           processed_at = excluded.processed_at",
        params![book, dataset, version, now()],
    )?;
    Ok(())
}

/// Full re-screen of a book against the lists: every customer's rows (a
/// book's baseline, and the benchmark's reference for what a delta must
/// find).
pub fn full_rescreen(
    snap: &Snapshot,
    index: &BookIndex,
    threshold: f64,
) -> Vec<(usize, ScreenResult)> {
    let all: Vec<usize> = (0..index.customers.len()).collect();
    let mut out = Vec::new();
    for chunk in all.chunks(8192) {
        let rows = screen_customers(snap, index, chunk, threshold);
        for (&ci, rows) in chunk.iter().zip(rows) {
            out.extend(rows.into_iter().map(|r| (ci, r)));
        }
    }
    out
}

/// The rows of `all` that touch `entries` (what a delta must give).
pub fn rows_touching(
    all: &[(usize, ScreenResult)],
    entries: &[EntityId],
) -> Vec<(usize, ScreenResult)> {
    let ids: HashSet<EntityId> = entries.iter().cloned().collect();
    all.iter()
        .filter(|(_, r)| touches(r, &ids))
        .cloned()
        .collect()
}

/// Monitors every book of `data_dir` after a list import or update: a
/// no-op (no snapshot built) when the data directory has no book.
pub fn monitor_after_list_change(
    data_dir: &std::path::Path,
    actor: &str,
) -> AppResult<Vec<MonitorReport>> {
    if !data_dir.join(crate::book::BOOKS_FILE).exists() {
        return Ok(Vec::new());
    }
    if BookDb::open(data_dir)?.names()?.is_empty() {
        return Ok(Vec::new());
    }
    App::open(data_dir)?.monitor(actor, None)
}
