//! One immutable view of the loaded lists: the matcher index over every
//! active list version plus the regime pack, the subjects that consolidate
//! records of one party across sources, and the decision engine.

use crate::consolidate::Subjects;
use crate::error::AppResult;
use crate::resolver::MatcherResolver;
use chrono::{DateTime, Utc};
use embargo_match::{Explanation, Matcher, Query, ScreenOptions};
use embargo_model::{Entity, EntityId, ListVersion, Schema};
use embargo_rules::Engine;
use embargo_store::Store;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

pub struct Snapshot {
    /// Every list version the snapshot holds, the regime pack included.
    pub versions: Vec<ListVersion>,
    pub matcher: Arc<Matcher>,
    /// The decision engine, built on first use (see [`Snapshot::engine`]).
    engine: OnceLock<Engine>,
    pub loaded_at: DateTime<Utc>,
    /// Datasets screened when a request names none: every imported list
    /// and the regime pack (which is merged into the official records it
    /// duplicates, never switched off).
    pub default_datasets: Vec<String>,
    /// Which records are one party across sources.
    pub subjects: Arc<Subjects>,
    /// When each record was on its list, from the stored version history
    /// (`None` without a store: the pack's own dates answer). Built on
    /// first use from `history` for a snapshot read from an index file.
    dates: OnceLock<Option<Arc<dyn embargo_rules::ListingDates>>>,
    /// What the engine and the listing dates are built from.
    history: OnceLock<Option<Arc<crate::index_file::SavedHistory>>>,
    /// The file section the history is read from on first use.
    history_file: Option<embargo_match::index::Container>,
    /// Where the matcher's index lives (memory or an index file).
    pub index: crate::index_file::IndexOrigin,
    /// Matcher entities from this index on are parties removed from their
    /// list (held by a stored version, not the active one): the engine's
    /// resolver finds them for dated decisions; screens never show them.
    history_from: usize,
}

/// One screening request as the CLI, the server and batch jobs make it.
#[derive(Clone, Debug, Default)]
pub struct ScreenRequest {
    pub query: Query,
    pub options: ScreenOptions,
    /// Screen the lists as they stood on this day (`None`: as they stand
    /// now). Parties removed since then are found; parties listed later
    /// are not; an uncertain day keeps the hit and says why.
    pub as_of: Option<chrono::NaiveDate>,
}

/// One ranked candidate, with the list facts an analyst needs beside it.
/// This is the stable `--json` row documented in the README.
#[derive(Clone, Debug, Serialize)]
pub struct ScreenResult {
    pub entity_id: EntityId,
    pub caption: String,
    pub schema: Schema,
    pub score: f64,
    pub matched_name: String,
    /// Dataset of the entity (`us_trade_csl`, `us_ofac_sdn`, …).
    pub source: String,
    /// Sub-list inside a consolidated source.
    pub list: Option<String>,
    pub programs: Vec<String>,
    pub listed_on: Option<String>,
    pub license_requirement: Option<String>,
    pub license_policy: Option<String>,
    /// The list version the entity was read from.
    pub list_version: String,
    pub explanation: Explanation,
    /// For a screen as of a past day: whether the record was listed then
    /// (`listed`, or `uncertain` with the reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_as_of: Option<ListedAsOf>,
    /// Every record of the consolidated subject this hit belongs to, this
    /// hit's first, when more than one source lists the party (empty
    /// otherwise). Records that did not hit the query have no score.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<SubjectRecord>,
    /// When the name matched a record of the embedded regime pack that a
    /// screen left out (`--dataset` without it): that record, the name of
    /// it that matched, and that it is the same party as this one. The
    /// pack's names (Chinese forms, trade names) keep reaching the
    /// official records they are linked to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

/// Whether a record was on its list on the day a screen was made for.
#[derive(Clone, Debug, Serialize)]
pub struct ListedAsOf {
    pub day: chrono::NaiveDate,
    /// `listed` or `uncertain`.
    pub status: &'static str,
    /// Why the day cannot be decided (uncertain only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One source's record of a consolidated subject.
#[derive(Clone, Debug, Serialize)]
pub struct SubjectRecord {
    pub entity_id: EntityId,
    pub caption: String,
    pub source: String,
    pub list: Option<String>,
    pub programs: Vec<String>,
    pub listed_on: Option<String>,
    pub list_version: String,
    /// The record's score for the query, when it was a candidate itself.
    pub score: Option<f64>,
    pub matched_name: Option<String>,
}

impl Snapshot {
    /// Loads the active version of every list in `store` (if any) plus the
    /// embedded regime pack, and builds the index in memory.
    pub fn load(store: Option<&Store>) -> AppResult<Snapshot> {
        Ok(Self::build(store)?.0)
    }

    /// [`Snapshot::load`], also returning what an index file stores beside
    /// the matcher (the stored history, for the engine's listing dates).
    pub(crate) fn build(
        store: Option<&Store>,
    ) -> AppResult<(Snapshot, Option<crate::index_file::SavedHistory>)> {
        let (mut versions, mut entities) = match store {
            Some(s) => s.active_entities()?,
            None => (vec![], vec![]),
        };
        let pack_dataset = embargo_pack::version().dataset;
        let mut default_datasets: Vec<String> =
            versions.iter().map(|v| v.dataset.clone()).collect();
        default_datasets.push(pack_dataset.clone());
        let history = match store {
            Some(s) => Some(crate::history::stored_history(s, &entities)?),
            None => None,
        };
        versions.push(embargo_pack::version());
        entities.extend(embargo_pack::entities().iter().cloned());
        // Removed parties go last, so one index tells them apart.
        let history_from = entities.len();
        let mut removed_versions = Default::default();
        if let Some(h) = &history {
            removed_versions = crate::history::removed_versions(&h.removed);
            entities.extend(h.removed.iter().map(|(_, e)| e.clone()));
        }
        crate::index_file::report("reading lists", 1, 1);
        let matcher = Arc::new(Matcher::build_with_progress(entities, &|d, n| {
            crate::index_file::report("analysing names", d as u64, n as u64)
        }));
        crate::index_file::report("linking records across lists", 0, 1);
        let judgements = match store {
            Some(s) => s.link_judgements()?,
            None => Vec::new(),
        };
        let subjects = Arc::new(Subjects::build_judged(
            &matcher,
            history_from,
            &pack_dataset,
            &judgements,
        ));
        let saved = history.as_ref().map(|h| crate::index_file::SavedHistory {
            histories: h.histories.clone(),
            sdn_datasets: h.sdn_datasets().to_vec(),
            removed_versions: removed_versions.clone().into_iter().collect(),
        });
        let resolver = MatcherResolver::new(matcher.clone(), &versions)
            .with_entity_versions(removed_versions)
            .with_subjects(subjects.clone());
        let mut engine = Engine::new(matcher.entities().to_vec(), Box::new(resolver));
        let mut dates: Option<Arc<dyn embargo_rules::ListingDates>> = None;
        if let Some(h) = history {
            let d = Arc::new(h.listing_dates(
                embargo_pack::entities(),
                matcher.entities().iter().map(|e| &**e),
            ));
            engine = engine.with_listing_dates(d.clone());
            dates = Some(d);
        }
        let snap = Snapshot {
            versions,
            matcher,
            engine: OnceLock::from(engine),
            loaded_at: Utc::now(),
            default_datasets,
            subjects,
            dates: OnceLock::from(dates),
            history: OnceLock::from(saved.clone().map(Arc::new)),
            history_file: None,
            index: crate::index_file::IndexOrigin::Memory,
            history_from,
        };
        Ok((snap, saved))
    }

    /// A snapshot over an opened index file: nothing is decoded until a
    /// screen needs it; the decision engine and the listing dates are
    /// built at the first decision or dated screen.
    pub(crate) fn from_parts(
        versions: Vec<ListVersion>,
        matcher: Arc<Matcher>,
        default_datasets: Vec<String>,
        subjects: Arc<Subjects>,
        history_from: usize,
        history: embargo_match::index::Container,
        index: crate::index_file::IndexOrigin,
    ) -> Snapshot {
        Snapshot {
            versions,
            matcher,
            engine: OnceLock::new(),
            loaded_at: Utc::now(),
            default_datasets,
            subjects,
            dates: OnceLock::new(),
            history: OnceLock::new(),
            history_file: Some(history),
            index,
            history_from,
        }
    }

    /// Opens a snapshot file written by `embargo snapshot export` (or the
    /// index cache of a data directory): screens and decisions without the
    /// list store. The file's header, version and checksum are checked
    /// first; a file from an incompatible build is refused.
    pub fn open_file(path: &std::path::Path) -> AppResult<Snapshot> {
        crate::index_file::open_snapshot(path, None)
    }

    /// Writes this snapshot as one index file at `path` (atomically: a
    /// temporary file renamed into place).
    pub fn export(&self, path: &std::path::Path) -> AppResult<crate::index_file::Exported> {
        crate::index_file::export(self, path)
    }

    /// The stored listing history, read from the file on first use (a
    /// large JSON section that a screen for today never needs).
    pub(crate) fn saved_history(&self) -> Option<&crate::index_file::SavedHistory> {
        self.history
            .get_or_init(|| {
                let c = self.history_file.as_ref()?;
                // The section passed the file's checksum, so it is the
                // JSON the writer produced; one that does not parse was
                // tampered with, and no decision may go on without dates.
                let h: Option<crate::index_file::SavedHistory> =
                    serde_json::from_slice(c.section("a.history").unwrap_or(b"null"))
                        .expect("index file: the listing history section does not parse");
                h.map(Arc::new)
            })
            .as_deref()
    }

    pub(crate) fn history_from(&self) -> usize {
        self.history_from
    }

    /// When each record was on its list (built on first use).
    fn dates(&self) -> Option<&Arc<dyn embargo_rules::ListingDates>> {
        self.dates
            .get_or_init(|| {
                let h = self.saved_history()?;
                let d: Arc<dyn embargo_rules::ListingDates> = Arc::new(
                    crate::history::StoredHistory::from_parts(
                        h.histories.clone(),
                        h.sdn_datasets.clone(),
                    )
                    .listing_dates(
                        embargo_pack::entities(),
                        self.matcher.entities().iter().map(|e| &**e),
                    ),
                );
                Some(d)
            })
            .as_ref()
    }

    /// The decision engine over every listing (regime pack and removed
    /// parties included), built on first use.
    pub fn engine(&self) -> &Engine {
        self.engine.get_or_init(|| {
            let removed: std::collections::HashMap<EntityId, String> = self
                .saved_history()
                .map(|h| h.removed_versions.iter().cloned().collect())
                .unwrap_or_default();
            let resolver = MatcherResolver::new(self.matcher.clone(), &self.versions)
                .with_entity_versions(removed)
                .with_subjects(self.subjects.clone());
            let mut engine = Engine::new(self.matcher.entities().to_vec(), Box::new(resolver));
            if let Some(d) = self.dates() {
                engine = engine.with_listing_dates(d.clone());
            }
            engine
        })
    }

    /// `dataset@version` labels of every list in the snapshot, for evidence
    /// and the audit log.
    pub fn version_labels(&self) -> Vec<String> {
        self.versions.iter().map(|v| v.label()).collect()
    }

    pub fn version_of(&self, dataset: &str) -> String {
        self.versions
            .iter()
            .find(|v| v.dataset == dataset)
            .map(|v| v.label())
            .unwrap_or_else(|| dataset.to_string())
    }

    /// Screens one query: one row per consolidated subject, best first.
    /// When the request names no datasets, the snapshot's default datasets
    /// are screened.
    pub fn screen(&self, req: &ScreenRequest) -> Vec<ScreenResult> {
        let options = self.options_for(&req.options);
        match req.as_of {
            None => self.ranked_rows(&req.query, &options, None),
            Some(day) => {
                let hits = self
                    .matcher
                    .screen(&req.query, &Self::matcher_options(&options));
                self.rows_as_of(hits, &options, day)
            }
        }
    }

    /// Why the stored history of `dataset` cannot vouch for absence on
    /// `day` (its oldest stored version was published later), or `None`.
    pub fn blind_spot(&self, dataset: &str, day: chrono::NaiveDate) -> Option<String> {
        self.dates()?.dataset_blind_spot(dataset, day)
    }

    /// Whether record `index` was listed on `day`.
    pub fn listed_on(
        &self,
        index: usize,
        day: chrono::NaiveDate,
    ) -> embargo_model::listing::ListingStatus {
        let e = self.matcher.entity(index);
        let evidence = self
            .dates()
            .and_then(|d| d.listing(e, day))
            .unwrap_or_else(|| embargo_rules::ListingEvidence::from_entry(e, day));
        evidence.status
    }

    /// Rows for a screen as of `day`: every record (removed ones included)
    /// that was, or may have been, listed that day.
    fn rows_as_of(
        &self,
        hits: Vec<embargo_match::Hit>,
        options: &ScreenOptions,
        day: chrono::NaiveDate,
    ) -> Vec<ScreenResult> {
        use embargo_model::listing::ListingStatus;
        let mut rows = Vec::new();
        for hit in hits {
            if rows.len() >= options.limit {
                break;
            }
            let Some((hit, via)) = self.relay(hit, options) else {
                continue;
            };
            let index = hit.entity_index;
            let listed = match self.listed_on(index, day) {
                ListingStatus::Listed => ListedAsOf {
                    day,
                    status: "listed",
                    reason: None,
                },
                ListingStatus::Uncertain { reason } => ListedAsOf {
                    day,
                    status: "uncertain",
                    reason: Some(reason),
                },
                ListingStatus::NotListed => continue,
            };
            let mut row = self.result_row(hit);
            row.via = via;
            if index >= self.history_from {
                row.list_version = (index < self.matcher.len())
                    .then(|| self.matcher.entity(index))
                    .map(|e| format!("{} (removed since)", self.version_of(&e.dataset)))
                    .unwrap_or_default();
            }
            row.listed_as_of = Some(listed);
            rows.push(row);
        }
        rows
    }

    /// Screens many queries on all cores.
    pub fn screen_batch(
        &self,
        queries: &[Query],
        options: &ScreenOptions,
    ) -> Vec<Vec<ScreenResult>> {
        let options = self.options_for(options);
        self.matcher
            .screen_batch(queries, &Self::matcher_options(&options))
            .into_iter()
            .zip(queries)
            .map(|(hits, q)| self.ranked_rows(q, &options, Some(hits)))
            .collect()
    }

    /// The rows of a screen for today, best first, at most `options.limit`:
    /// always the first rows of the same screen with a higher limit.
    ///
    /// Rows are ranked by a total order ([`Snapshot::subject_rows`]), and
    /// only on hits that are complete down to the lowest score ranked: the
    /// matcher cuts its hits at its limit, so the hits tied at the lowest
    /// score it returned may be only some of those with that score. When
    /// they could reach the rows asked for, the matcher is asked again
    /// for more (rare: a query that ties many records, "Public Security
    /// Bureau" against every bureau on the Entity List). `first`: the
    /// matcher's hits for [`Snapshot::matcher_options`], when already
    /// screened (a batch).
    fn ranked_rows(
        &self,
        query: &Query,
        options: &ScreenOptions,
        first: Option<Vec<embargo_match::Hit>>,
    ) -> Vec<ScreenResult> {
        let mut asked = Self::matcher_options(options);
        let mut hits = first.unwrap_or_else(|| self.matcher.screen(query, &asked));
        loop {
            // The matcher may have left out hits tied with its last one.
            let cut = (hits.len() >= asked.limit && asked.limit < self.matcher.len())
                .then(|| hits.last().map(|h| h.score))
                .flatten();
            let mut rows = self.subject_rows(hits, options);
            let settled = match cut {
                None => true,
                Some(cut) => rows.iter().filter(|r| r.score > cut).count() >= options.limit,
            };
            if settled {
                rows.truncate(options.limit);
                return rows;
            }
            asked.limit = asked.limit.saturating_mul(4).min(self.matcher.len());
            hits = self.matcher.screen(query, &asked);
        }
    }

    fn options_for(&self, options: &ScreenOptions) -> ScreenOptions {
        let mut options = options.clone();
        if options.datasets.is_none() {
            options.datasets = Some(self.default_datasets.clone());
        }
        options
    }

    /// Several records of one subject (and removed parties, filtered out)
    /// can take places among the candidates: ask the matcher for more than
    /// the rows wanted.
    fn widened(options: &ScreenOptions) -> ScreenOptions {
        let mut wide = options.clone();
        wide.limit = options.limit.saturating_mul(3).max(options.limit + 10);
        wide
    }

    /// What the matcher is asked for: more rows than wanted (see
    /// [`Snapshot::widened`]) and, when the screen names datasets without
    /// the regime pack, the pack too, for its names only: its hits stand
    /// for the official records of the same party ([`Snapshot::relay`]).
    /// Without this, 海康威视 finds nothing with `--dataset us_trade_csl`,
    /// because only the pack spells Hikvision in Chinese.
    fn matcher_options(options: &ScreenOptions) -> ScreenOptions {
        let mut m = Self::widened(options);
        if let Some(ds) = &mut m.datasets {
            if !ds.iter().any(|d| d == embargo_pack::DATASET) {
                // Trade names learnt from the pack's bilingual aliases are
                // not read into a screen that left the pack out: only
                // those of the datasets screened (`lexicon`).
                m.lexicon_datasets = Some(ds.clone());
                ds.push(embargo_pack::DATASET.to_string());
                // Pack hits take candidate places before they are relayed
                // (or dropped): room for every pack record, so they never
                // push a screened record out of the rows asked for.
                m.limit = m.limit.saturating_add(embargo_pack::entities().len());
            }
        }
        m
    }

    /// A hit on a record the screen left out (the regime pack, searched for
    /// its names only) stands for the first screened record of the same
    /// subject, with `via` saying which pack record and name matched; it
    /// is dropped when the subject has no screened record. Hits on
    /// screened records pass unchanged.
    fn relay(
        &self,
        mut hit: embargo_match::Hit,
        options: &ScreenOptions,
    ) -> Option<(embargo_match::Hit, Option<String>)> {
        let screened = |i: usize| {
            let ds = &self.matcher.entity(i).dataset;
            options.datasets.as_ref().is_none_or(|d| d.contains(ds))
        };
        if screened(hit.entity_index) {
            return Some((hit, None));
        }
        if hit.entity_index >= self.history_from {
            return None;
        }
        let member = self
            .subjects
            .members_of(hit.entity_index)
            .into_iter()
            .find(|&i| i < self.history_from && screened(i))?;
        let from = self.matcher.entity(hit.entity_index);
        let via = format!(
            "the name {:?} of {} ({}), a record of the same party in a dataset not screened",
            hit.matched_name,
            from.id,
            from.list.as_deref().unwrap_or(&from.dataset)
        );
        hit.entity_index = member;
        hit.entity_id = self.matcher.entity(member).id.clone();
        Some((hit, Some(via)))
    }

    /// Groups hits (best first) into one row per subject, every subject
    /// hit, in a total order (see the end): the caller cuts at the limit.
    fn subject_rows(
        &self,
        hits: Vec<embargo_match::Hit>,
        options: &ScreenOptions,
    ) -> Vec<ScreenResult> {
        let mut rows: Vec<ScreenResult> = Vec::new();
        let mut row_of: HashMap<u32, usize> = HashMap::new();
        let mut row_members: Vec<Vec<usize>> = Vec::new();
        let mut row_size: Vec<usize> = Vec::new();
        let mut row_index: Vec<usize> = Vec::new();
        for hit in hits {
            if hit.entity_index >= self.history_from {
                continue;
            }
            let Some((hit, via)) = self.relay(hit, options) else {
                continue;
            };
            let index = hit.entity_index;
            let subject = self.subjects.subject_of(index);
            if let Some(&r) = row_of.get(&subject) {
                // Several pack records of one party relay to the same
                // screened record: list it once.
                if rows[r].entity_id == hit.entity_id
                    || rows[r].records.iter().any(|x| x.entity_id == hit.entity_id)
                {
                    continue;
                }
                let mut rec = self.record(index);
                rec.score = Some(hit.score);
                rec.matched_name = Some(hit.matched_name);
                rows[r].records.push(rec);
                continue;
            }
            let members = self.subjects.members_of(index);
            let mut row = self.result_row(hit);
            row.via = via;
            if members.len() > 1 {
                let mut rec = self.record(index);
                rec.score = Some(row.score);
                rec.matched_name = Some(row.matched_name.clone());
                row.records.push(rec);
            }
            row_of.insert(subject, rows.len());
            rows.push(row);
            row_size.push(members.len());
            row_index.push(index);
            row_members.push(members);
        }
        // The subject's records that were not candidates themselves (the
        // official Entity List record behind a Chinese name that only the
        // pack spells), from the datasets screened.
        let screened = |i: usize| {
            let ds = &self.matcher.entity(i).dataset;
            options.datasets.as_ref().is_none_or(|d| d.contains(ds))
        };
        for (row, members) in rows.iter_mut().zip(row_members) {
            if members.len() < 2 {
                continue;
            }
            for i in members {
                let e = self.matcher.entity(i);
                if !screened(i) {
                    continue;
                }
                if !row.records.iter().any(|r| r.entity_id == e.id) {
                    row.records.push(self.record(i));
                }
                // The row speaks for the subject: every programme, and the
                // export-control facts of whichever record carries them.
                for p in &e.programs {
                    if !row.programs.contains(p) {
                        row.programs.push(p.clone());
                    }
                }
                if row.license_requirement.is_none() {
                    row.license_requirement = e.export_control.license_requirement.clone();
                    row.license_policy = row
                        .license_policy
                        .clone()
                        .or_else(|| e.export_control.license_policy.clone());
                }
            }
            if row.records.len() < 2 {
                row.records.clear();
            }
        }
        // Equal scores: the party more sources list first (the parent
        // company the pack, the CSL and the SDN agree on, before a foreign
        // subsidiary whose name differs only by a bracketed country), then
        // the row's record in snapshot order (the lists in import order,
        // then the pack): a total order, whatever the limit, so a short
        // screen is the start of a long one.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&a, &b| {
            rows[b]
                .score
                .total_cmp(&rows[a].score)
                .then(row_size[b].cmp(&row_size[a]))
                .then(row_index[a].cmp(&row_index[b]))
        });
        let mut slots: Vec<Option<ScreenResult>> = rows.into_iter().map(Some).collect();
        order.into_iter().filter_map(|i| slots[i].take()).collect()
    }

    fn record(&self, index: usize) -> SubjectRecord {
        let e: &Entity = self.matcher.entity(index);
        SubjectRecord {
            entity_id: e.id.clone(),
            caption: e.caption().to_string(),
            source: e.dataset.clone(),
            list: e.list.clone(),
            programs: e.programs.clone(),
            listed_on: e.listed_on.map(|d| d.to_string()),
            list_version: self.version_of(&e.dataset),
            score: None,
            matched_name: None,
        }
    }

    fn result_row(&self, hit: embargo_match::Hit) -> ScreenResult {
        let e: &Entity = self.matcher.entity(hit.entity_index);
        ScreenResult {
            entity_id: e.id.clone(),
            caption: e.caption().to_string(),
            schema: e.schema,
            score: hit.score,
            matched_name: hit.matched_name,
            source: e.dataset.clone(),
            list: e.list.clone(),
            programs: e.programs.clone(),
            listed_on: e.listed_on.map(|d| d.to_string()),
            license_requirement: e.export_control.license_requirement.clone(),
            license_policy: e.export_control.license_policy.clone(),
            list_version: self.version_of(&e.dataset),
            explanation: hit.explanation,
            listed_as_of: None,
            records: Vec::new(),
            via: None,
        }
    }

    /// How many matcher entities are screened (active lists and the pack);
    /// those after them are removed parties kept for dated decisions.
    pub fn screened_entities(&self) -> usize {
        self.history_from
    }

    pub fn entity(&self, id: &EntityId) -> Option<&Entity> {
        self.matcher.get(id)
    }
}
