//! The stored version history a snapshot gives the decision engine, so
//! `decide` evaluates each measure for the transaction date instead of
//! applying the active lists to every date (issue 10 item 3).
//!
//! Two things come out of the store here:
//! - per dataset, when each entry was on its list ([`ListingHistory`],
//!   built by the store from every version in publication order);
//! - the entries that some stored version holds but the active one does
//!   not (parties removed since): the engine's resolver must still find
//!   them, or a party listed in 2024-05-02 and removed in 2024-05-03 would
//!   be cleared for a 2024-04-01 payment. They are never part of a screen
//!   for today (see `Snapshot::screen`).
//!
//! The regime pack states designation days (Treasury and Federal Register
//! dates) for entries the OFAC SDN files only bound between two versions;
//! where a pack entry names the same OFAC entity number, its day narrows
//! the SDN record's bound ([`ListingHistories::corroborate`]), and the
//! evidence says so.

use embargo_model::listing::ListingHistory;
use embargo_model::{Entity, EntityId, PartialDate, SourceKind};
use embargo_rules::ListingHistories;
use embargo_store::{Store, StoreError};
use std::collections::{HashMap, HashSet};

/// The pack identifier that names an OFAC SDN record (its `ent_num`/`uid`,
/// which is also the key of the SDN source's entity ids).
const OFAC_ENTITY_NUMBER: &str = "OFAC entity number";

/// What the store knows beyond the active versions.
pub struct StoredHistory {
    /// One per dataset in the store.
    pub histories: Vec<ListingHistory>,
    /// Entries absent from their dataset's active version but held by an
    /// older (or newer, non-active) stored version: the newest such record
    /// of each, with the `dataset@version` label it was read from.
    pub removed: Vec<(String, Entity)>,
    /// Datasets whose source is OFAC SDN (ids keyed by OFAC entity number).
    sdn_datasets: Vec<String>,
}

/// Reads the history of every dataset in `store`. `active` are the
/// entities of the active versions (already read for the snapshot), so
/// only the other versions are decoded, and only for datasets that keep
/// more than one.
pub fn stored_history(store: &Store, active: &[Entity]) -> Result<StoredHistory, StoreError> {
    let active_ids: HashSet<&EntityId> = active.iter().map(|e| &e.id).collect();
    let mut histories = Vec::new();
    let mut removed = Vec::new();
    let mut sdn_datasets = Vec::new();
    for status in store.lists()? {
        let dataset = status.dataset;
        if status.active.source == SourceKind::OfacSdn {
            sdn_datasets.push(dataset.clone());
        }
        histories.push(store.listing_history(&dataset)?);
        if status.versions_kept < 2 {
            continue;
        }
        let mut others: Vec<_> = store
            .versions(&dataset)?
            .into_iter()
            .filter(|v| v.version != status.active.version)
            .collect();
        // Newest publication first, so each removed party keeps its newest
        // record (ties: the later import).
        others.reverse();
        others.sort_by_key(|v| std::cmp::Reverse(v.published));
        let mut seen: HashSet<EntityId> = HashSet::new();
        for v in others {
            let label = v.label();
            for e in store.entities(&dataset, &v.version)? {
                if !active_ids.contains(&e.id) && seen.insert(e.id.clone()) {
                    removed.push((label.clone(), e));
                }
            }
        }
    }
    Ok(StoredHistory {
        histories,
        removed,
        sdn_datasets,
    })
}

impl StoredHistory {
    /// A history read back from an index file (no removed records: those
    /// are in the file's matcher).
    pub fn from_parts(histories: Vec<ListingHistory>, sdn_datasets: Vec<String>) -> StoredHistory {
        StoredHistory {
            histories,
            removed: Vec::new(),
            sdn_datasets,
        }
    }

    /// Datasets whose source is OFAC SDN.
    pub fn sdn_datasets(&self) -> &[String] {
        &self.sdn_datasets
    }

    /// The engine's listing dates: the histories, narrowed by the days the
    /// regime pack states for the same OFAC records, and the regimes each
    /// dataset carries (from `listings`, every entity the engine holds).
    pub fn listing_dates<'a>(
        self,
        pack: &[Entity],
        listings: impl IntoIterator<Item = &'a Entity>,
    ) -> ListingHistories {
        let mut dates = ListingHistories::new(self.histories);
        let day = |d: Option<PartialDate>| match d {
            Some(PartialDate::Day(d)) => Some(d),
            _ => None,
        };
        for p in pack {
            let (listed, removed) = (day(p.listed_on), day(p.delisted_on));
            if listed.is_none() && removed.is_none() {
                continue;
            }
            for id in &p.identifiers {
                if id.kind != OFAC_ENTITY_NUMBER {
                    continue;
                }
                for ds in &self.sdn_datasets {
                    let why = format!(
                        "dates stated by regime-pack entry {} (same OFAC entity number {})",
                        p.id, id.value
                    );
                    dates.corroborate(ds, &EntityId::new(ds, &id.value), listed, removed, &why);
                }
            }
        }
        dates.classify(listings);
        dates
    }
}

/// Version labels of removed entries, for the resolver's evidence.
pub fn removed_versions(removed: &[(String, Entity)]) -> HashMap<EntityId, String> {
    removed
        .iter()
        .map(|(label, e)| (e.id.clone(), label.clone()))
        .collect()
}
