//! Dated listings: "was this matched entry on its list on the transaction
//! date?" (issue 10 item 3, RULES.md §0.3 "time-indexed").
//!
//! A list version is a photograph of the list on the day its source
//! published it; `embargo_model::listing` turns the stored photographs of a
//! dataset into per-entry [`ListingInterval`]s with fuzzy ends. This module
//! is where the engine asks them. Every strong or review-level match the
//! screen keeps is answered one of three ways:
//!
//! - [`ListingStatus::Listed`]: the measure applies as it always did;
//! - [`ListingStatus::NotListed`]: designated later, or removed before the
//!   date: the entry does not count for that date, and the finding says so;
//! - [`ListingStatus::Uncertain`]: the date falls inside a bound (between
//!   two versions) or before the oldest version on record: NEEDS_REVIEW
//!   with the reason, because applying today's list to the past, or
//!   clearing, would both be guesses.
//!
//! Entries of datasets without a stored history (the embedded regime pack,
//! a test's hand-made entities) answer from their own `listed_on` /
//! `delisted_on`, exactly as the engine did before histories existed, so a
//! pack-only engine decides as it always did.
//!
//! The engine holds the histories behind the [`ListingDates`] trait so the
//! app can build them from its store (`embargo-app`'s `history` module) and
//! tests can hand-make them; [`ListingHistories`] is the one implementation.

use crate::listing::{self, Regime};
use chrono::NaiveDate;
use embargo_model::listing::{
    listing_status, DateBound, ListingHistory, ListingInterval, ListingStatus,
};
use embargo_model::{Entity, EntityId, PartialDate};
use serde::Serialize;
use std::collections::HashMap;

/// What the engine knows about when list entries were listed.
pub trait ListingDates: Send + Sync {
    /// Was `entity` on its list on `day`, by the version history of its
    /// dataset? `None` when no history is kept for that dataset: the
    /// entry's own dates then answer ([`ListingEvidence::from_entry`]).
    fn listing(&self, entity: &Entity, day: NaiveDate) -> Option<ListingEvidence>;

    /// Reasons why absence from the lists of `regime` cannot be vouched for
    /// on `day`: one per dataset holding entries of that regime whose
    /// oldest version on record was published after `day` (an entry listed
    /// and removed before then is in no stored version). Empty when the
    /// stored versions cover `day`.
    fn blind_spots(&self, regime: Regime, day: NaiveDate) -> Vec<String>;

    /// Why absence from `dataset` on `day` cannot be vouched for (its
    /// oldest stored version was published after `day`), or `None`.
    fn dataset_blind_spot(&self, dataset: &str, day: NaiveDate) -> Option<String>;
}

/// The answer for one entry on one day, with what it rests on. Carried in
/// the finding's evidence (`Evidence::listing`) so an auditor sees which
/// interval decided.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ListingEvidence {
    /// The day asked about (the transaction date).
    pub day: NaiveDate,
    /// The dataset whose record answered.
    pub dataset: String,
    #[serde(flatten)]
    pub status: ListingStatus,
    /// The intervals the answer rests on; empty when the entry states no
    /// dates and no history is kept for it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub intervals: Vec<ListingInterval>,
    /// Where the intervals come from, in plain English.
    pub basis: String,
    /// Not listed on the day because it had been removed (rather than not
    /// yet listed); see [`ListingEvidence::removed_by_then`].
    #[serde(skip)]
    removed: bool,
}

impl ListingEvidence {
    /// The answer from the entry's own dates, the engine's rule before
    /// histories existed: in force from the first day of `listed_on` (or
    /// always, when undated) until the first day of `delisted_on`.
    pub fn from_entry(e: &Entity, day: NaiveDate) -> ListingEvidence {
        let bound = |d: PartialDate| match d {
            PartialDate::Day(on) => DateBound::Exact { on },
            _ => DateBound::Between {
                after: d.first_day().pred_opt().unwrap_or(d.first_day()),
                on_or_before: d.last_day(),
            },
        };
        let intervals = e
            .listed_on
            .map(|l| ListingInterval {
                listed: bound(l),
                removed: e.delisted_on.map(bound),
            })
            .into_iter()
            .collect();
        let in_force = e.in_force_on(day);
        ListingEvidence {
            day,
            dataset: e.dataset.clone(),
            status: if in_force {
                ListingStatus::Listed
            } else {
                ListingStatus::NotListed
            },
            intervals,
            basis: match (e.listed_on, e.delisted_on) {
                (None, None) => "the entry states no listing date".into(),
                _ => "dates stated on the entry".into(),
            },
            removed: !in_force && e.delisted_on.is_some_and(|d| d.first_day() <= day),
        }
    }

    /// The answer from a dataset's version history.
    fn from_history(
        h: &ListingHistory,
        intervals: Vec<ListingInterval>,
        day: NaiveDate,
        basis: String,
    ) -> ListingEvidence {
        let status = listing_status(&h.dataset, &h.versions, &intervals, day);
        // Removed: some stretch ended by the day and none starts after it
        // (a later re-listing makes it "not yet", the more telling reason).
        let removed = status == ListingStatus::NotListed
            && intervals
                .iter()
                .any(|iv| iv.removed.is_some_and(|r| r.happened_by(day) == Some(true)))
            && !intervals
                .iter()
                .any(|iv| iv.listed.happened_by(day) == Some(false));
        ListingEvidence {
            day,
            dataset: h.dataset.clone(),
            status,
            intervals,
            basis,
            removed,
        }
    }

    /// Not listed on the day because it had been removed (rather than not
    /// yet listed).
    pub fn removed_by_then(&self) -> bool {
        self.removed
    }

    /// The exact day the stretch covering the day began, where known.
    pub fn listed_since(&self) -> Option<NaiveDate> {
        self.intervals
            .iter()
            .find(|iv| iv.covers(self.day) == Some(true))
            .and_then(|iv| match iv.listed {
                DateBound::Exact { on } => Some(on),
                _ => None,
            })
    }

    /// One sentence for a finding's reasons: what the record says about the
    /// day, e.g. "listed on 2020-07-09, after 2019-06-01 (us_ofac_sdn
    /// version history)".
    pub fn summary(&self) -> String {
        let day = self.day;
        match &self.status {
            ListingStatus::Uncertain { reason } => reason.clone(),
            ListingStatus::Listed => match self
                .intervals
                .iter()
                .find(|iv| iv.covers(day) == Some(true))
            {
                Some(iv) => format!("on {} on {day}: listed {}", self.dataset, iv.listed),
                None => format!("on {} on {day} ({})", self.dataset, self.basis),
            },
            ListingStatus::NotListed => {
                let later = self
                    .intervals
                    .iter()
                    .find(|iv| iv.listed.happened_by(day) == Some(false));
                let removed = self
                    .intervals
                    .iter()
                    .rev()
                    .find_map(|iv| iv.removed.filter(|r| r.happened_by(day) == Some(true)));
                match (later, removed) {
                    (Some(iv), _) => format!(
                        "not on {} on {day}: listed {}, after the transaction date ({})",
                        self.dataset, iv.listed, self.basis
                    ),
                    (None, Some(r)) => format!(
                        "not on {} on {day}: removed {}, before the transaction date ({})",
                        self.dataset, r, self.basis
                    ),
                    (None, None) => format!("not on {} on {day} ({})", self.dataset, self.basis),
                }
            }
        }
    }
}

/// The answer for `e` on `day`: from `dates` where it keeps a history of
/// the entry's dataset, else from the entry's own dates.
pub fn listing_on(dates: Option<&dyn ListingDates>, e: &Entity, day: NaiveDate) -> ListingEvidence {
    dates
        .and_then(|d| d.listing(e, day))
        .unwrap_or_else(|| ListingEvidence::from_entry(e, day))
}

/// Version histories of the stored datasets, with dates other sources state
/// for the same entries.
#[derive(Clone, Debug, Default)]
pub struct ListingHistories {
    by_dataset: HashMap<String, ListingHistory>,
    /// Per entry: where a bound was narrowed by another source's date.
    notes: HashMap<EntityId, Vec<String>>,
    /// Regimes each dataset's entries belong to (for `blind_spots`).
    regimes: HashMap<String, Vec<Regime>>,
}

impl ListingHistories {
    pub fn new(histories: impl IntoIterator<Item = ListingHistory>) -> Self {
        ListingHistories {
            by_dataset: histories
                .into_iter()
                .map(|h| (h.dataset.clone(), h))
                .collect(),
            ..Default::default()
        }
    }

    pub fn history(&self, dataset: &str) -> Option<&ListingHistory> {
        self.by_dataset.get(dataset)
    }

    pub fn datasets(&self) -> impl Iterator<Item = &str> {
        self.by_dataset.keys().map(String::as_str)
    }

    /// Narrows the fuzzy bounds of entry `id` on `dataset` with dates that
    /// another source states for the same party (the regime pack's
    /// Treasury/Federal Register dates for the SDN record with the same
    /// OFAC entity number): a stated day inside a bound makes it exact, as
    /// the source's own date would. A date the version history contradicts
    /// is not applied. `why` names the other record for the evidence.
    /// Returns whether anything changed.
    pub fn corroborate(
        &mut self,
        dataset: &str,
        id: &EntityId,
        listed_on: Option<NaiveDate>,
        removed_on: Option<NaiveDate>,
        why: &str,
    ) -> bool {
        let Some(ivs) = self
            .by_dataset
            .get_mut(dataset)
            .and_then(|h| h.entities.get_mut(id))
        else {
            return false;
        };
        let mut changed = false;
        if let Some(d) = listed_on {
            // The first listing the day can belong to: a designation date
            // is when the entry first appeared.
            if let Some(iv) = ivs.iter_mut().find(|iv| inside(&iv.listed, d)) {
                iv.listed = DateBound::Exact { on: d };
                changed = true;
            }
        }
        if let Some(d) = removed_on {
            if let Some(b) = ivs
                .iter_mut()
                .rev()
                .filter_map(|iv| iv.removed.as_mut())
                .find(|b| inside(b, d))
            {
                *b = DateBound::Exact { on: d };
                changed = true;
            }
        }
        if changed {
            self.notes
                .entry(id.clone())
                .or_default()
                .push(why.to_string());
        }
        changed
    }

    /// Records which regimes the entries of each history's dataset belong
    /// to, so `blind_spots` knows which datasets a measure relies on.
    pub fn classify<'a>(&mut self, entities: impl IntoIterator<Item = &'a Entity>) {
        for e in entities {
            if !self.by_dataset.contains_key(&e.dataset) {
                continue;
            }
            let known = self.regimes.entry(e.dataset.clone()).or_default();
            for r in listing::regimes(e) {
                if !known.contains(&r) {
                    known.push(r);
                }
            }
        }
    }
}

/// Can the change bounded by `b` have happened on `d`? Exact bounds are the
/// source's own word and are never replaced.
fn inside(b: &DateBound, d: NaiveDate) -> bool {
    match *b {
        DateBound::Exact { .. } => false,
        DateBound::Between {
            after,
            on_or_before,
        } => after < d && d <= on_or_before,
        DateBound::BeforeRecords { on_or_before } => d <= on_or_before,
    }
}

impl ListingDates for ListingHistories {
    fn listing(&self, e: &Entity, day: NaiveDate) -> Option<ListingEvidence> {
        let h = self.by_dataset.get(&e.dataset)?;
        let intervals = h.intervals(&e.id).to_vec();
        let mut basis = match (h.versions.first(), h.versions.last()) {
            (Some(first), Some(last)) => format!(
                "{} version history: {} version(s) published {} to {}",
                h.dataset,
                h.versions.len(),
                first.published,
                last.published
            ),
            _ => format!("{} version history (no versions)", h.dataset),
        };
        for n in self.notes.get(&e.id).into_iter().flatten() {
            basis.push_str("; ");
            basis.push_str(n);
        }
        Some(ListingEvidence::from_history(h, intervals, day, basis))
    }

    fn blind_spots(&self, regime: Regime, day: NaiveDate) -> Vec<String> {
        let mut out: Vec<String> = self
            .by_dataset
            .values()
            .filter(|h| {
                self.regimes
                    .get(&h.dataset)
                    .is_some_and(|rs| rs.contains(&regime))
            })
            .filter_map(|h| self.dataset_blind_spot(&h.dataset, day))
            .collect();
        out.sort();
        out
    }

    fn dataset_blind_spot(&self, dataset: &str, day: NaiveDate) -> Option<String> {
        let h = self.by_dataset.get(dataset)?;
        match listing_status(&h.dataset, &h.versions, &[], day) {
            ListingStatus::Uncertain { reason } => Some(reason),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embargo_model::listing::{intervals_from_presence, SourceDates, VersionPoint};
    use embargo_model::{PublishedBasis, Schema};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn sdn_history() -> ListingHistories {
        let versions: Vec<VersionPoint> = ["2019-01-31", "2021-07-31", "2024-05-02", "2024-05-03"]
            .iter()
            .map(|s| VersionPoint {
                version: format!("{s}-x"),
                published: d(s),
                basis: PublishedBasis::Operator,
            })
            .collect();
        let mut entities = HashMap::new();
        let iv = |p: &[bool]| intervals_from_presence(&versions, p, SourceDates::default());
        entities.insert(EntityId::new("sdn", "1"), iv(&[false, true, true, true]));
        entities.insert(EntityId::new("sdn", "2"), iv(&[true, true, true, false]));
        let mut h = ListingHistories::new([ListingHistory {
            dataset: "sdn".into(),
            versions,
            entities,
        }]);
        let mut e = Entity::new(EntityId::new("sdn", "1"), Schema::Person, "sdn", "A");
        e.programs = vec!["GLOMAG".into()];
        h.classify([&e]);
        h
    }

    fn entity(key: &str) -> Entity {
        Entity::new(EntityId::new("sdn", key), Schema::Person, "sdn", "A")
    }

    #[test]
    fn a_stated_date_from_another_source_narrows_a_bound() {
        let mut h = sdn_history();
        let e = entity("1");
        let before = h.listing(&e, d("2019-06-01")).unwrap();
        assert!(matches!(before.status, ListingStatus::Uncertain { .. }));
        assert!(h.corroborate(
            "sdn",
            &e.id,
            Some(d("2020-07-09")),
            None,
            "listing date stated by pack:x"
        ));
        let after = h.listing(&e, d("2019-06-01")).unwrap();
        assert_eq!(after.status, ListingStatus::NotListed);
        assert!(!after.removed_by_then());
        let s = after.summary();
        assert!(
            s.contains("listed on 2020-07-09, after the transaction date"),
            "{s}"
        );
        assert!(s.contains("pack:x"), "{s}");
        assert_eq!(
            h.listing(&e, d("2022-01-01")).unwrap().status,
            ListingStatus::Listed
        );
        // A date outside the bound is a contradiction: not applied.
        assert!(!h.corroborate("sdn", &e.id, Some(d("2023-01-01")), None, "x"));
    }

    #[test]
    fn removal_and_blind_spots() {
        let h = sdn_history();
        let gone = h.listing(&entity("2"), d("2024-06-01")).unwrap();
        assert_eq!(gone.status, ListingStatus::NotListed);
        assert!(gone.removed_by_then());
        assert_eq!(
            h.listing(&entity("2"), d("2024-04-01")).unwrap().status,
            ListingStatus::Listed
        );
        let spots = h.blind_spots(Regime::Sdn, d("2018-06-01"));
        assert_eq!(spots.len(), 1);
        assert!(spots[0].starts_with("no sdn version on record before 2019-01-31"));
        assert!(h.blind_spots(Regime::Sdn, d("2020-01-01")).is_empty());
        assert!(h
            .blind_spots(Regime::EntityList, d("2018-06-01"))
            .is_empty());
        // Datasets without a history answer from the entry's own dates.
        let mut pack = Entity::new(EntityId::new("pack", "1"), Schema::Person, "pack", "A");
        pack.listed_on = Some("2020-07-09".parse().unwrap());
        assert!(h.listing(&pack, d("2019-01-01")).is_none());
        let own = listing_on(Some(&h), &pack, d("2019-01-01"));
        assert_eq!(own.status, ListingStatus::NotListed);
        let json = serde_json::to_value(&own).unwrap();
        assert_eq!(json["status"], "not_listed");
        assert_eq!(json["intervals"][0]["listed"]["on"], "2020-07-09");
    }
}
