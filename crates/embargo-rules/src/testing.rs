//! A small `PartyResolver` for this crate's tests, doc examples and the
//! `decide_bench` example, which cannot depend on `embargo-match`.
//! Production and the worked cases use `embargo-app`'s `MatcherResolver`.
//!
//! `TestResolver` folds names (`text::fold`), drops a few legal-form words,
//! and scores 1.0 for the same word set, otherwise the Dice coefficient of
//! the two word sets capped at 0.94, so a partial overlap lands in the
//! review band rather than deciding. Unlike the matcher it knows no
//! generic words, scripts, transliterations or qualifiers.

use crate::engine::Engine;
use crate::resolver::{PartyMatch, PartyResolver};
use crate::text::fold;
use embargo_model::{Country, Entity};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

const LEGAL_FORMS: &[&str] = &[
    "co",
    "ltd",
    "limited",
    "inc",
    "llc",
    "corp",
    "corporation",
    "company",
    "the",
    "and",
    "of",
];
const FLOOR: f64 = 0.5;

fn words(name: &str) -> Vec<String> {
    let mut w: Vec<String> = fold(name)
        .split(' ')
        .filter(|t| !t.is_empty() && !LEGAL_FORMS.contains(t))
        .map(str::to_string)
        .collect();
    w.sort();
    w.dedup();
    w
}

/// 1.0 for the same word set, else the Dice coefficient capped at 0.94.
fn score(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    let common = a.iter().filter(|w| b.binary_search(w).is_ok()).count() as f64;
    (2.0 * common / (a.len() + b.len()) as f64).min(0.94)
}

/// Word-set resolver over a fixed set of entities; candidates are the
/// names sharing a word with the query. The country is ignored.
pub struct TestResolver {
    /// (entity index, sorted words) per name.
    names: Vec<(usize, Vec<String>)>,
    by_word: HashMap<String, Vec<usize>>,
    entities: Vec<Arc<Entity>>,
    version: String,
}

impl TestResolver {
    /// `version` labels every match.
    pub fn new(entities: &[Arc<Entity>], version: &str) -> Self {
        let names: Vec<(usize, Vec<String>)> = entities
            .iter()
            .enumerate()
            .flat_map(|(i, e)| e.names.iter().map(move |n| (i, words(&n.value))))
            .collect();
        let mut by_word: HashMap<String, Vec<usize>> = HashMap::new();
        for (ni, (_, ws)) in names.iter().enumerate() {
            for w in ws {
                by_word.entry(w.clone()).or_default().push(ni);
            }
        }
        TestResolver {
            names,
            by_word,
            entities: entities.to_vec(),
            version: version.to_string(),
        }
    }
}

impl PartyResolver for TestResolver {
    fn resolve(&self, name: &str, _country: Option<Country>) -> Vec<PartyMatch> {
        let q = words(name);
        let candidates: BTreeSet<usize> = q
            .iter()
            .filter_map(|w| self.by_word.get(w))
            .flatten()
            .copied()
            .collect();
        let mut best: HashMap<usize, f64> = HashMap::new();
        for ni in candidates {
            let (ei, ws) = &self.names[ni];
            let s = score(&q, ws);
            if s >= FLOOR {
                let slot = best.entry(*ei).or_insert(0.0);
                *slot = slot.max(s);
            }
        }
        let mut out: Vec<PartyMatch> = best
            .into_iter()
            .map(|(i, score)| PartyMatch {
                entity: self.entities[i].clone(),
                score,
                list_version: self.version.clone(),
                listing: None,
            })
            .collect();
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.entity.id.cmp(&b.entity.id))
        });
        out
    }
}

/// An engine over `listings` that resolves names with `TestResolver`.
pub fn engine(listings: Vec<Entity>, list_version: &str) -> Engine {
    let listings: Vec<Arc<Entity>> = listings.into_iter().map(Arc::new).collect();
    let resolver = TestResolver::new(&listings, list_version);
    Engine::new(listings, Box::new(resolver))
}

#[cfg(test)]
mod tests {
    use super::*;
    use embargo_model::{EntityId, Schema};

    fn ent(id: &str, name: &str) -> Arc<Entity> {
        Arc::new(Entity::new(
            EntityId::new("t", id),
            Schema::Organization,
            "t",
            name,
        ))
    }

    #[test]
    fn legal_forms_do_not_matter_and_partial_overlap_is_weak() {
        let r = TestResolver::new(
            &[
                ent("1", "Dahua Technology"),
                ent("2", "Zhejiang Dahua Technology Co"),
            ],
            "v1",
        );
        let m = r.resolve("Dahua Technology Co., Ltd.", None);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].entity.caption(), "Dahua Technology");
        assert_eq!(m[0].score, 1.0);
        assert!(m[1].score < 0.9 && m[1].score > 0.7, "{}", m[1].score);
        assert!(r.resolve("Unrelated Name", None).is_empty());
    }
}
