//! Party resolution: turning a name on the documents into candidate list
//! entries.
//!
//! The engine only depends on the `PartyResolver` trait. Production
//! (`embargo-app`'s `MatcherResolver`) implements it over `embargo-match`
//! and every loaded listing, regime pack included; the worked cases run on
//! that resolver. `crate::testing::TestResolver` is a small stand-in for
//! this crate's own tests and examples.
//!
//! Score scale (shared with the engine's thresholds in `screen.rs`): 1.0
//! identical name; `screen::STRONG` and above decides; between
//! `screen::REVIEW` and `STRONG` is a candidate for review.

use crate::dating::ListingEvidence;
use embargo_model::{Country, Entity};
use std::sync::Arc;

/// One candidate for a party name, best first in a resolver's answer. The
/// entity is shared with the resolver's index, never copied per hit.
#[derive(Clone, Debug)]
pub struct PartyMatch {
    pub entity: Arc<Entity>,
    pub score: f64,
    pub list_version: String,
    /// Whether the entry was listed on the transaction date, and on what
    /// interval: set by the engine's screen (resolvers leave it `None`).
    pub listing: Option<Arc<ListingEvidence>>,
}

/// Resolves a party name (and the party's country, when the transaction
/// states one) to list entries. Must return every candidate above its own
/// floor across all lists, since the same company is usually on several
/// lists as separate entries.
pub trait PartyResolver: Send + Sync {
    fn resolve(&self, name: &str, country: Option<Country>) -> Vec<PartyMatch>;
}
