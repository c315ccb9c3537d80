//! Resolves transaction party names for the decision engine with the
//! matching engine, over every listing in the snapshot (regime pack
//! included), so a party is checked against the dated history too.

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
        self.matcher
            .screen(&query, &options)
            .into_iter()
            .map(|hit| {
                // Shared with the matcher's index: no copy per hit.
                let entity = self.matcher.entities()[hit.entity_index].clone();
                let list_version = self
                    .version_by_entity
                    .get(&entity.id)
                    .or_else(|| self.version_by_dataset.get(&entity.dataset))
                    .cloned()
                    .unwrap_or_else(|| entity.dataset.clone());
                PartyMatch {
                    entity,
                    score: hit.score,
                    list_version,
                    listing: None,
                }
            })
            .collect()
    }
}
