//! One immutable view of the loaded lists: the matcher index over every
//! active list version plus the regime pack, and the decision engine.

use crate::error::AppResult;
use crate::resolver::MatcherResolver;
use chrono::{DateTime, Utc};
use embargo_match::{Explanation, Matcher, Query, ScreenOptions};
use embargo_model::{Entity, EntityId, ListVersion, Schema};
use embargo_rules::Engine;
use embargo_store::Store;
use serde::Serialize;
use std::sync::Arc;

pub struct Snapshot {
    /// Every list version the snapshot holds, the regime pack included.
    pub versions: Vec<ListVersion>,
    pub matcher: Arc<Matcher>,
    pub engine: Engine,
    pub loaded_at: DateTime<Utc>,
    /// Datasets screened when a request names none: the imported lists, or
    /// the regime pack when nothing has been imported.
    pub default_datasets: Vec<String>,
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
}

impl Snapshot {
    /// Loads the active version of every list in `store` (if any) plus the
    /// embedded regime pack.
    pub fn load(store: Option<&Store>) -> AppResult<Snapshot> {
        let (mut versions, mut entities) = match store {
            Some(s) => s.active_entities()?,
            None => (vec![], vec![]),
        };
        let default_datasets: Vec<String> = if entities.is_empty() {
            vec![embargo_pack::version().dataset]
        } else {
            versions.iter().map(|v| v.dataset.clone()).collect()
        };
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
        let matcher = Arc::new(Matcher::build(entities));
        let resolver =
            MatcherResolver::new(matcher.clone(), &versions).with_entity_versions(removed_versions);
        let mut engine = Engine::new(matcher.entities().to_vec(), Box::new(resolver));
        if let Some(h) = history {
            let dates = h.listing_dates(
                embargo_pack::entities(),
                matcher.entities().iter().map(|e| &**e),
            );
            engine = engine.with_listing_dates(Arc::new(dates));
        }
        Ok(Snapshot {
            versions,
            matcher,
            engine,
            loaded_at: Utc::now(),
            default_datasets,
            history_from,
        })
    }

    /// `dataset@version` labels of every list in the snapshot, for evidence
    /// and the audit log.
    pub fn version_labels(&self) -> Vec<String> {
        self.versions
            .iter()
            .map(|v| format!("{}@{}", v.dataset, v.version))
            .collect()
    }

    pub fn version_of(&self, dataset: &str) -> String {
        self.versions
            .iter()
            .find(|v| v.dataset == dataset)
            .map(|v| format!("{}@{}", v.dataset, v.version))
            .unwrap_or_else(|| dataset.to_string())
    }

    /// Screens one query. When the request names no datasets, the
    /// snapshot's default datasets are screened.
    pub fn screen(&self, req: &ScreenRequest) -> Vec<ScreenResult> {
        let mut options = req.options.clone();
        if options.datasets.is_none() {
            options.datasets = Some(self.default_datasets.clone());
        }
        self.matcher
            .screen(&req.query, &options)
            .into_iter()
            .filter(|hit| hit.entity_index < self.history_from)
            .map(|hit| self.result_row(hit))
            .collect()
    }

    /// Screens many queries on all cores.
    pub fn screen_batch(
        &self,
        queries: &[Query],
        options: &ScreenOptions,
    ) -> Vec<Vec<ScreenResult>> {
        let mut options = options.clone();
        if options.datasets.is_none() {
            options.datasets = Some(self.default_datasets.clone());
        }
        self.matcher
            .screen_batch(queries, &options)
            .into_iter()
            .map(|hits| {
                hits.into_iter()
                    .filter(|hit| hit.entity_index < self.history_from)
                    .map(|h| self.result_row(h))
                    .collect()
            })
            .collect()
    }

    fn result_row(&self, hit: embargo_match::Hit) -> ScreenResult {
        let e: &Entity = &self.matcher.entities()[hit.entity_index];
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
        }
    }

    pub fn entity(&self, id: &EntityId) -> Option<&Entity> {
        self.matcher.get(id)
    }
}
