//! Resolves transaction party names for the decision engine with the
//! matching engine, over every listing in the snapshot (regime pack
//! included), so a party is checked against the dated history too.
//!
//! A party that matches one record of a consolidated subject matches every
//! record of it, at the same score: the Xinjiang Public Security Bureau
//! found by its SDN name is also the Entity List's XUAR Public Security
//! Bureau, which the pack links to it, so the Entity List measure sees it.

use embargo_match::{Matcher, Query, ScreenOptions};
use embargo_model::{Country, EntityId, ListVersion};
use embargo_rules::{PartyMatch, PartyResolver};
use std::collections::HashMap;
use std::sync::Arc;

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
        let mut seen: std::collections::HashSet<usize> =
            hits.iter().map(|h| h.entity_index).collect();
        let mut out: Vec<PartyMatch> = hits
            .iter()
            .map(|h| self.party_match(h.entity_index, h.score))
            .collect();
        if let Some(subjects) = &self.subjects {
            for h in &hits {
                for member in subjects.members_of(h.entity_index) {
                    if seen.insert(member) {
                        out.push(self.party_match(member, h.score));
                    }
                }
            }
        }
        out
    }
}
