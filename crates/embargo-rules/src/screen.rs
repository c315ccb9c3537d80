//! Party screening for one decision (RULES.md §0.3 step S1): resolves each
//! name once through the `PartyResolver`, keeps the answers for the
//! measures, and records which list versions were consulted.
//!
//! Thresholds (the brief: "an exact or strong match decides, a weaker one
//! above the review threshold gives NEEDS_REVIEW with the candidate"):
//! `STRONG` and above decides; `REVIEW` up to `STRONG` is a candidate for
//! review; below `REVIEW` is ignored.

use crate::finding::Evidence;
use crate::listing::{self, Regime};
use crate::resolver::{PartyMatch, PartyResolver};
use chrono::NaiveDate;
use embargo_model::Country;
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

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
    /// Candidates between `REVIEW` and `STRONG`, in force.
    pub weak: Vec<PartyMatch>,
}

/// Resolver answers keyed by (name, country).
type Cache = HashMap<(String, Option<Country>), Rc<Vec<PartyMatch>>>;

pub struct Screen<'a> {
    resolver: &'a dyn PartyResolver,
    pub date: NaiveDate,
    cache: RefCell<Cache>,
    versions: RefCell<BTreeSet<String>>,
}

impl<'a> Screen<'a> {
    pub fn new(resolver: &'a dyn PartyResolver, date: NaiveDate) -> Self {
        Screen {
            resolver,
            date,
            cache: RefCell::new(HashMap::new()),
            versions: RefCell::new(BTreeSet::new()),
        }
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
            let e = &m.entity;
            let in_force = e.in_force_on(self.date);
            if m.score >= STRONG {
                if in_force {
                    h.in_force.push(m.clone());
                } else if e.delisted_on.is_some_and(|d| d.first_day() <= self.date) {
                    h.removed.push(m.clone());
                } else {
                    h.not_yet.push(m.clone());
                }
            } else if in_force {
                h.weak.push(m.clone());
            }
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
    }
}
