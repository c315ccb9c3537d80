//! Party screening for one decision (RULES.md §0.3 step S1): resolves each
//! name once through the `PartyResolver`, keeps the answers for the
//! measures, and records which list versions were consulted.
//!
//! Thresholds (the brief: "an exact or strong match decides, a weaker one
//! above the review threshold gives NEEDS_REVIEW with the candidate"):
//! `STRONG` and above decides; `REVIEW` up to `STRONG` is a candidate for
//! review; below `REVIEW` is ignored.

use crate::dating::{listing_on, ListingDates, ListingEvidence};
use crate::finding::Evidence;
use crate::listing::{self, Regime};
use crate::resolver::{PartyMatch, PartyResolver};
use chrono::NaiveDate;
use embargo_model::listing::ListingStatus;
use embargo_model::{Country, EntityId};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;
use std::sync::Arc;

pub const STRONG: f64 = 0.90;
pub const REVIEW: f64 = 0.70;

/// Matches of one name against one regime, split by strength and by
/// whether the listing is in force on the transaction date.
#[derive(Default)]
pub struct Hits {
    /// Strong matches in force on the date.
    pub in_force: Vec<PartyMatch>,
    /// Strong matches whose listing starts after the date.
    pub not_yet: Vec<PartyMatch>,
    /// Strong matches removed on or before the date.
    pub removed: Vec<PartyMatch>,
    /// Candidates between `REVIEW` and `STRONG`, in force or with an
    /// uncertain listing on the date (either way: review).
    pub weak: Vec<PartyMatch>,
    /// Strong matches whose listing on the date the stored versions cannot
    /// tell (inside a bound, or before the oldest version): NEEDS_REVIEW,
    /// never applied and never cleared. The reason is in
    /// `PartyMatch::listing`.
    pub uncertain: Vec<PartyMatch>,
}

/// Resolver answers keyed by (name, country).
type Cache = HashMap<(String, Option<Country>), Rc<Vec<PartyMatch>>>;

pub struct Screen<'a> {
    resolver: &'a dyn PartyResolver,
    pub date: NaiveDate,
    cache: RefCell<Cache>,
    versions: RefCell<BTreeSet<String>>,
    dates: Option<&'a dyn ListingDates>,
    /// Listing answers for the date, per entry (several measures and names
    /// meet the same entry).
    listings: RefCell<HashMap<EntityId, Arc<ListingEvidence>>>,
}

impl<'a> Screen<'a> {
    pub fn new(resolver: &'a dyn PartyResolver, date: NaiveDate) -> Self {
        Screen {
            resolver,
            date,
            cache: RefCell::new(HashMap::new()),
            versions: RefCell::new(BTreeSet::new()),
            dates: None,
            listings: RefCell::new(HashMap::new()),
        }
    }

    /// Answers "listed on the date?" from `dates` (version histories)
    /// instead of the entries' own dates alone.
    pub fn with_dates(mut self, dates: Option<&'a dyn ListingDates>) -> Self {
        self.dates = dates;
        self
    }

    fn listing(&self, m: &PartyMatch) -> Arc<ListingEvidence> {
        if let Some(l) = self.listings.borrow().get(&m.entity.id) {
            return l.clone();
        }
        let l = Arc::new(listing_on(self.dates, &m.entity, self.date));
        self.listings
            .borrow_mut()
            .insert(m.entity.id.clone(), l.clone());
        l
    }

    /// Why absence from `regime`'s lists cannot be vouched for on the date
    /// (no stored version that old); empty when the versions cover it.
    pub fn blind_spots(&self, regime: Regime) -> Vec<String> {
        self.dates
            .map(|d| d.blind_spots(regime, self.date))
            .unwrap_or_default()
    }

    fn all(&self, name: &str, country: Option<Country>) -> Rc<Vec<PartyMatch>> {
        let key = (name.to_string(), country);
        if let Some(v) = self.cache.borrow().get(&key) {
            return v.clone();
        }
        let v = Rc::new(self.resolver.resolve(name, country));
        self.cache.borrow_mut().insert(key, v.clone());
        v
    }

    pub fn hits(&self, name: &str, country: Option<Country>, regime: Regime) -> Hits {
        let mut h = Hits::default();
        if name.trim().is_empty() {
            return h;
        }
        for m in self.all(name, country).iter() {
            if m.score < REVIEW || !listing::is(&m.entity, regime) {
                continue;
            }
            self.versions.borrow_mut().insert(m.list_version.clone());
            let listing = self.listing(m);
            let strong = m.score >= STRONG;
            let bucket = match (&listing.status, strong) {
                (ListingStatus::Listed, true) => &mut h.in_force,
                (ListingStatus::Uncertain { .. }, true) => &mut h.uncertain,
                (ListingStatus::NotListed, true) if listing.removed_by_then() => &mut h.removed,
                (ListingStatus::NotListed, true) => &mut h.not_yet,
                (ListingStatus::Listed | ListingStatus::Uncertain { .. }, false) => &mut h.weak,
                (ListingStatus::NotListed, false) => continue,
            };
            let mut m = m.clone();
            m.listing = Some(listing);
            bucket.push(m);
        }
        h
    }

    pub fn versions(&self) -> Vec<String> {
        self.versions.borrow().iter().cloned().collect()
    }
}

/// Evidence for a match of `party` (as written in the transaction).
pub fn evidence(party: &str, role: Option<&str>, m: &PartyMatch) -> Evidence {
    let e = &m.entity;
    let list = match &e.list {
        Some(l) => format!("{} / {}", e.dataset, l),
        None => e.dataset.clone(),
    };
    Evidence {
        party: party.to_string(),
        role: role.map(str::to_string),
        matched: e.caption().to_string(),
        entity_id: e.id.to_string(),
        list,
        list_version: m.list_version.clone(),
        score: (m.score * 1000.0).round() / 1000.0,
        programs: e.programs.clone(),
        listed_on: e.listed_on.map(|d| d.to_string()),
        chain: vec![],
        listing: m.listing.as_deref().cloned(),
    }
}
