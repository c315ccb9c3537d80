//! Party resolution: turning a name on the documents into candidate list
//! entries.
//!
//! The engine only depends on the `PartyResolver` trait; the CLI and server
//! implement it over `embargo-match`. `SimpleResolver` is a small,
//! dependency-free default for tests and offline use: it scores names by
//! weighted token overlap after folding (`text::fold`) and dropping legal
//! suffixes, so "Dahua Technology Co., Ltd." and "Dahua Technology" are the
//! same name, while generic words ("public", "security", "bureau") count
//! for little, so two different PSBs do not match each other.
//!
//! Score scale (shared with the engine's thresholds in `engine.rs`):
//! 1.0 identical name, 0.95 same words in another order, below that the
//! weighted Dice coefficient of the two word sets.

use crate::text::fold;
use embargo_model::{Country, Entity};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// One candidate for a party name, best first in a resolver's answer.
#[derive(Clone, Debug)]
pub struct PartyMatch {
    pub entity: Arc<Entity>,
    pub score: f64,
    pub list_version: String,
}

/// Resolves a party name (and optional country) to list entries. Must
/// return every candidate above its own floor across all lists, since the
/// same company is usually on several lists as separate entries.
pub trait PartyResolver: Send + Sync {
    fn resolve(&self, name: &str, country: Option<&str>) -> Vec<PartyMatch>;
}

/// Words that carry no identity: legal forms and connectives.
const STOPWORDS: &[&str] = &[
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
    "plc",
    "gmbh",
    "sa",
    "srl",
    "jsc",
    "ojsc",
    "pjsc",
    "llp",
    "lp",
    "cie",
];

/// Words that occur in many unrelated names; they count at a low weight.
const GENERIC: &[&str] = &[
    "public",
    "security",
    "bureau",
    "technology",
    "technologies",
    "information",
    "science",
    "electronic",
    "electronics",
    "group",
    "government",
    "municipal",
    "municipality",
    "prefecture",
    "district",
    "county",
    "city",
    "development",
    "international",
    "trading",
    "industry",
    "industrial",
    "products",
    "china",
    "chinese",
    "peoples",
    "people",
    "autonomous",
    "region",
    "new",
    "energy",
    "material",
    "materials",
    "service",
    "services",
    "system",
    "systems",
    "intelligent",
    "network",
    "communication",
    "communications",
    "digital",
];
const GENERIC_WEIGHT: f64 = 0.3;
/// Candidates scoring below this are not returned.
const FLOOR: f64 = 0.5;

fn tokens(name: &str) -> Vec<String> {
    fold(name)
        .split(' ')
        .filter(|t| !t.is_empty() && !STOPWORDS.contains(t))
        .map(str::to_string)
        .collect()
}

fn weight(t: &str) -> f64 {
    if GENERIC.contains(&t) {
        GENERIC_WEIGHT
    } else {
        1.0
    }
}

/// Similarity of two names in [0, 1] on the scale described above.
pub fn name_score(a: &str, b: &str) -> f64 {
    score_tokens(&tokens(a), &tokens(b))
}

fn score_tokens(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    let sa: HashSet<&str> = a.iter().map(String::as_str).collect();
    let sb: HashSet<&str> = b.iter().map(String::as_str).collect();
    if sa == sb {
        return 0.95;
    }
    let common: f64 = sa.intersection(&sb).map(|t| weight(t)).sum();
    let total: f64 =
        sa.iter().map(|t| weight(t)).sum::<f64>() + sb.iter().map(|t| weight(t)).sum::<f64>();
    // Capped below 0.95 so a partial overlap never ties a reordering.
    (2.0 * common / total).min(0.94)
}

struct IndexedName {
    entity: usize,
    tokens: Vec<String>,
}

/// Token-overlap resolver over a fixed set of entities.
pub struct SimpleResolver {
    entities: Vec<Arc<Entity>>,
    names: Vec<IndexedName>,
    by_token: HashMap<String, Vec<usize>>,
    version: String,
}

impl SimpleResolver {
    /// `version` labels every match (the list version the caller loaded).
    pub fn new(listings: &[Arc<Entity>], version: &str) -> Self {
        let mut names = vec![];
        let mut by_token: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in listings.iter().enumerate() {
            for n in &e.names {
                let toks = tokens(&n.value);
                let idx = names.len();
                for t in toks.iter().collect::<HashSet<_>>() {
                    by_token.entry(t.clone()).or_default().push(idx);
                }
                names.push(IndexedName {
                    entity: i,
                    tokens: toks,
                });
            }
        }
        SimpleResolver {
            entities: listings.to_vec(),
            names,
            by_token,
            version: version.to_string(),
        }
    }
}

impl PartyResolver for SimpleResolver {
    fn resolve(&self, name: &str, country: Option<&str>) -> Vec<PartyMatch> {
        let q = tokens(name);
        let country = country.and_then(|c| Country::from_code(c).ok());
        let mut best: HashMap<usize, f64> = HashMap::new();
        let candidates: HashSet<usize> = q
            .iter()
            .filter(|t| weight(t) == 1.0)
            .filter_map(|t| self.by_token.get(t))
            .flatten()
            .copied()
            .collect();
        for idx in candidates {
            let n = &self.names[idx];
            let mut s = score_tokens(&q, &n.tokens);
            let e = &self.entities[n.entity];
            // A stated country that the entry contradicts lowers confidence
            // but does not exclude: lists often give only one of several
            // countries of operation.
            if let Some(c) = country {
                let mut ec = e.all_countries().peekable();
                if ec.peek().is_some() && !e.all_countries().any(|x| x == c) {
                    s *= 0.9;
                }
            }
            if s >= FLOOR {
                let slot = best.entry(n.entity).or_insert(0.0);
                if s > *slot {
                    *slot = s;
                }
            }
        }
        let mut out: Vec<PartyMatch> = best
            .into_iter()
            .map(|(i, score)| PartyMatch {
                entity: self.entities[i].clone(),
                score,
                list_version: self.version.clone(),
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
    fn legal_forms_do_not_matter_but_distinct_bureaus_do() {
        assert_eq!(
            name_score("Dahua Technology Co., Ltd.", "Dahua Technology"),
            1.0
        );
        assert_eq!(name_score("PENG, Jiarui", "Jiarui Peng"), 0.95);
        let s = name_score(
            "XINJIANG PUBLIC SECURITY BUREAU",
            "Kashgar Prefecture Public Security Bureau",
        );
        assert!(s < 0.5, "{s}");
        assert_eq!(name_score("Company D", "Company C"), 0.0);
    }

    #[test]
    fn resolver_returns_candidates_best_first() {
        let r = SimpleResolver::new(
            &[
                ent("1", "Dahua Technology"),
                ent("2", "Zhejiang Dahua Technology Co"),
            ],
            "v1",
        );
        let m = r.resolve("Dahua Technology Co., Ltd.", Some("CN"));
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].entity.caption(), "Dahua Technology");
        assert_eq!(m[0].score, 1.0);
        assert!(m[1].score < 0.94 && m[1].score > 0.5, "{}", m[1].score);
        assert!(r.resolve("Unrelated Name", None).is_empty());
    }
}
