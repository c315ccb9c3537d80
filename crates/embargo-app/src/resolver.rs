//! Resolves transaction party names for the decision engine with the
//! matching engine, over every listing in the snapshot (regime pack
//! included), so a party is checked against the dated history too.
//!
//! A party that matches one record of a consolidated subject matches every
//! record of it, at the same score: the Xinjiang Public Security Bureau
//! found by its SDN name is also the Entity List's XUAR Public Security
//! Bureau, which the pack links to it, so the Entity List measure sees it.

//!
//! **Review decisions** (during `App::decide` only, see [`with_reviews`]):
//! a standing review decision on (the party as a screen would have keyed
//! it, a matched record) changes resolution. A clear (false positive,
//! approved where four eyes are needed, not stale, not expired, its row's
//! MAC valid) removes the record's whole subject from the party's
//! candidates; a confirmed true match raises it to score 1.00. A clear
//! pending approval, a stale or expired decision, or a row that fails its
//! integrity check changes nothing. Every one of these is reported
//! ([`AppliedReview`]) and named in the decision document: never a silent
//! clear. The party's review key is its name with its country, then its
//! name alone (a decision taken on the name alone holds with more facts);
//! a decision that rested on a date of birth or schema the transaction
//! does not state is not used.

use embargo_audit::{ReviewBook, ReviewStatus, Verdict};
use embargo_match::{Matcher, Query, ScreenOptions};
use embargo_model::{Country, Entity, EntityId, ListVersion};
use embargo_rules::{Measure, PartyMatch, PartyResolver};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// What a review decision did to the resolution of one party.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AppliedReview {
    /// The party's name as the transaction wrote it.
    pub party: String,
    pub entity_id: String,
    pub caption: String,
    /// The match score before the decision was applied.
    pub score: f64,
    /// `cleared` (not treated as the party), `confirmed` (treated as the
    /// party at score 1.00) or `not_applied` (see `status`).
    pub effect: String,
    /// The decision's state: `cleared`, `confirmed`, `pending_approval`,
    /// `stale`, `expired` or `ignored` (integrity check failed).
    pub status: String,
    pub review_id: Option<i64>,
    /// The audit record holding the decision.
    pub audit_seq: Option<u64>,
    pub reviewer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// Day of the decision (YYYY-MM-DD).
    pub date: String,
    pub reason: String,
    /// The sentence the decision document carries.
    pub message: String,
    /// The measures whose lists the record is on (where the message goes).
    pub measures: Vec<Measure>,
}

/// The review decisions in force for one `decide` on this thread.
pub(crate) struct ReviewContext {
    pub book: Arc<ReviewBook>,
    pub today: chrono::NaiveDate,
    pub threshold: f64,
    applied: Vec<AppliedReview>,
}

impl ReviewContext {
    pub fn new(book: Arc<ReviewBook>, today: chrono::NaiveDate, threshold: f64) -> Self {
        ReviewContext {
            book,
            today,
            threshold,
            applied: Vec::new(),
        }
    }
}

thread_local! {
    static REVIEWS: RefCell<Option<ReviewContext>> = const { RefCell::new(None) };
}

/// Runs `f` (one engine decision, which resolves parties on this thread)
/// with `ctx`'s review decisions applied, and returns what they did.
pub(crate) fn with_reviews<T>(
    ctx: ReviewContext,
    f: impl FnOnce() -> T,
) -> (T, Vec<AppliedReview>) {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            REVIEWS.with(|r| r.borrow_mut().take());
        }
    }
    REVIEWS.with(|r| *r.borrow_mut() = Some(ctx));
    let reset = Reset;
    let out = f();
    let applied = REVIEWS.with(|r| r.borrow_mut().take().map(|c| c.applied).unwrap_or_default());
    drop(reset);
    (out, applied)
}

/// The measures a record's lists feed.
fn measures_of(entity: &Entity) -> Vec<Measure> {
    use embargo_rules::listing::Regime;
    embargo_rules::listing::regimes(entity)
        .into_iter()
        .map(|r| match r {
            Regime::EntityList => Measure::EarEntityList,
            Regime::Sdn => Measure::OfacSdn,
            Regime::Cmic => Measure::OfacCmic,
            Regime::Ndaa889 => Measure::Procurement889,
            Regime::FccCovered => Measure::FccCoveredList,
            Regime::Uflpa => Measure::Uflpa,
            Regime::EuGhrsr => Measure::EuSanctions,
        })
        .collect()
}

pub struct MatcherResolver {
    matcher: Arc<Matcher>,
    version_by_dataset: HashMap<String, String>,
    /// Entries read from a non-active version (removed since): the label
    /// of the version that held them.
    version_by_entity: HashMap<EntityId, String>,
    /// Which records are one party (none: each record alone).
    subjects: Option<Arc<crate::consolidate::Subjects>>,
}

/// Candidates below this score are not shown to the rules engine at all;
/// the engine applies its own "decides" vs "needs review" cut above it.
const RESOLVER_FLOOR: f64 = 0.6;

impl MatcherResolver {
    pub fn new(matcher: Arc<Matcher>, versions: &[ListVersion]) -> Self {
        let version_by_dataset = versions
            .iter()
            .map(|v| (v.dataset.clone(), v.label()))
            .collect();
        MatcherResolver {
            matcher,
            version_by_dataset,
            version_by_entity: HashMap::new(),
            subjects: None,
        }
    }

    /// Hands out every record of a matched record's subject too.
    pub fn with_subjects(mut self, subjects: Arc<crate::consolidate::Subjects>) -> Self {
        self.subjects = Some(subjects);
        self
    }

    fn party_match(&self, index: usize, score: f64) -> PartyMatch {
        // Shared with the matcher's index: no copy per hit.
        let entity = self.matcher.entity(index).clone();
        let list_version = self
            .version_by_entity
            .get(&entity.id)
            .or_else(|| self.version_by_dataset.get(&entity.dataset))
            .cloned()
            .unwrap_or_else(|| entity.dataset.clone());
        PartyMatch {
            entity,
            score,
            list_version,
            listing: None,
        }
    }

    /// Labels the given entries with the version they were read from
    /// instead of their dataset's active version.
    pub fn with_entity_versions(mut self, versions: HashMap<EntityId, String>) -> Self {
        self.version_by_entity = versions;
        self
    }
}

impl PartyResolver for MatcherResolver {
    fn resolve(&self, name: &str, country: Option<Country>) -> Vec<PartyMatch> {
        let query = Query {
            name: name.to_string(),
            countries: country.into_iter().collect(),
            ..Default::default()
        };
        let options = ScreenOptions {
            threshold: RESOLVER_FLOOR,
            limit: 25,
            ..Default::default()
        };
        let hits = self.matcher.screen(&query, &options);
        let mut seen: HashSet<usize> = hits.iter().map(|h| h.entity_index).collect();
        let mut out: Vec<(usize, PartyMatch)> = hits
            .iter()
            .map(|h| (h.entity_index, self.party_match(h.entity_index, h.score)))
            .collect();
        if let Some(subjects) = &self.subjects {
            for h in &hits {
                for member in subjects.members_of(h.entity_index) {
                    if seen.insert(member) {
                        out.push((member, self.party_match(member, h.score)));
                    }
                }
            }
        }
        REVIEWS.with(|r| match r.borrow_mut().as_mut() {
            Some(ctx) if !ctx.book.is_empty() => self.apply_reviews(ctx, name, country, &mut out),
            _ => {}
        });
        out.into_iter().map(|(_, m)| m).collect()
    }
}

impl MatcherResolver {
    /// The subject a record belongs to (the record itself without links).
    fn subject_key(&self, index: usize) -> u64 {
        match &self.subjects {
            Some(s) => u64::from(s.subject_of(index)),
            None => index as u64 | (1 << 63),
        }
    }

    /// Applies standing review decisions to one party's candidates (module
    /// docs) and records each decision met in `ctx.applied`.
    fn apply_reviews(
        &self,
        ctx: &mut ReviewContext,
        name: &str,
        country: Option<Country>,
        out: &mut Vec<(usize, PartyMatch)>,
    ) {
        let mut keys = vec![crate::review_subject(name, None, None, country)];
        if country.is_some() {
            keys.push(crate::review_subject(name, None, None, None));
        }
        let mut cleared: HashSet<u64> = HashSet::new();
        let mut confirmed: HashSet<u64> = HashSet::new();
        for (index, m) in out.iter() {
            let why = crate::reviewing::approval_needed(&m.entity, Some(m.score), ctx.threshold);
            let Some(lookup) = keys
                .iter()
                .map(|k| ctx.book.lookup(k, &m.entity, ctx.today, why.as_deref()))
                .find(|l| l.status.is_some() || !l.warnings.is_empty())
            else {
                continue;
            };
            let (review_id, audit_seq) = match &lookup.status {
                Some(ReviewStatus::Cleared { review_id, .. }) => (
                    Some(*review_id),
                    ctx.book.review(*review_id).map(|r| r.audit_seq),
                ),
                Some(
                    ReviewStatus::PendingApproval { review: r, .. }
                    | ReviewStatus::Stale { previous: r, .. }
                    | ReviewStatus::Expired { previous: r },
                ) => (Some(r.id), Some(r.audit_seq)),
                None => (None, None),
            };
            let effect = match &lookup.status {
                Some(ReviewStatus::Cleared {
                    verdict: Verdict::FalsePositive,
                    ..
                }) => {
                    cleared.insert(self.subject_key(*index));
                    "cleared"
                }
                Some(ReviewStatus::Cleared {
                    verdict: Verdict::TrueMatch,
                    ..
                }) => {
                    confirmed.insert(self.subject_key(*index));
                    "confirmed"
                }
                _ => "not_applied",
            };
            let Some(mark) = crate::ReviewMark::from_lookup(lookup) else {
                continue;
            };
            let what = format!(
                "match of party \"{name}\" with {} ({}, score {:.2})",
                m.entity.caption(),
                m.entity.id,
                m.score
            );
            let by = format!(
                "review {} (audit record {}) by {}{} on {}",
                review_id.map_or("?".into(), |i| i.to_string()),
                audit_seq.map_or("?".into(), |i| i.to_string()),
                mark.reviewer,
                mark.approved_by
                    .as_deref()
                    .map(|a| format!(", approved by {a}"))
                    .unwrap_or_default(),
                mark.date
            );
            let message = match effect {
                "cleared" => format!(
                    "{what} cleared by {by}: not treated as the party (reason: {})",
                    mark.reason
                ),
                "confirmed" => format!(
                    "{what} confirmed as a true match by {by}: treated as the party at score 1.00 (reason: {})",
                    mark.reason
                ),
                _ => format!("{what}: review decision not applied, {}", mark.message),
            };
            let applied = AppliedReview {
                party: name.to_string(),
                entity_id: m.entity.id.to_string(),
                caption: m.entity.caption().to_string(),
                score: m.score,
                effect: effect.to_string(),
                status: mark.status.clone(),
                review_id,
                audit_seq,
                reviewer: mark.reviewer.clone(),
                approved_by: mark.approved_by.clone(),
                date: mark.date.clone(),
                reason: mark.reason.clone(),
                message,
                measures: measures_of(&m.entity),
            };
            if !ctx.applied.contains(&applied) {
                ctx.applied.push(applied);
            }
        }
        // A confirmation outranks a clear of the same party.
        out.retain(|(index, _)| {
            let s = self.subject_key(*index);
            !cleared.contains(&s) || confirmed.contains(&s)
        });
        for (index, m) in out.iter_mut() {
            if confirmed.contains(&self.subject_key(*index)) {
                m.score = m.score.max(1.0);
            }
        }
    }
}
