//! # embargo-rules
//!
//! The decision engine: given a transaction (who, what, where, when, in
//! the format of `shared/rules/README.md`), it applies the US measures
//! against firms tied to repression in Xinjiang, as specified in
//! `shared/docs/RULES.md`, and returns findings a compliance officer can
//! act on: the outcome in a fixed vocabulary, the review policy, legal
//! citations, the dates that made each rule apply, the list entries
//! matched (with list version and score) and reasons in plain English.
//!
//! **What it is for:** one module per measure, each a decision table named
//! after its RULES.md section, time-indexed by the transaction date:
//! `jurisdiction` (§2), `entity_list` and `el_policy` (§1),
//! `country_chart`, `ccl` and `country_groups` (§3), `ofac` and
//! `ownership` (§4.1–4.3), `cmic` (§4.4), `procurement` and `eu` (§5), `import`
//! (§6), `visa` (§7), `geography` (§9), `subunit` (sub-units of listed
//! bodies, §1.2 EL1.2/EL1.4 and §4.3). `dated` rewrites every citation to
//! the law in force on the transaction date. The regulatory tables they read
//! (Country Chart, Country Groups, CCL, Xinjiang places, WROs, …) are
//! files in `data/`, parsed once on first use (`table`). Measures are
//! independent; uncertain law or facts give NEEDS_REVIEW / INDETERMINATE
//! with the reason, never a silent "clear".
//!
//! **What it is not for:** parsing list files (`embargo-sources`), the
//! embedded regime data (`embargo-pack`), fuzzy name matching at scale
//! (`embargo-match`, plugged in through `PartyResolver`), the CLI and
//! server. It performs no I/O. It is not legal advice.
//!
//! ```
//! use embargo_rules::{parse_transaction, testing};
//! let engine = testing::engine(vec![], "none");
//! let tx = parse_transaction(r#"{"date":"2021-06-01","flow":"visa"}"#).unwrap();
//! let d = engine.decide(&tx);
//! assert_eq!(d.findings[1].outcome.as_str(), "NOT_SCREENABLE");
//! ```

pub mod actions;
pub mod ccl;
pub mod cmic;
pub mod column;
pub mod consolidate;
pub mod country_chart;
pub mod country_groups;
pub mod coverage;
pub mod dated;
pub mod dating;
pub mod el_policy;
mod engine;
pub mod entity_list;
pub mod eu;
pub mod facts;
pub mod finding;
pub mod geography;
pub mod import;
pub mod jurisdiction;
pub mod listing;
pub mod ofac;
pub mod ownership;
pub mod procurement;
pub mod resolver;
pub mod screen;
pub mod subunit;
pub mod table;
pub mod testing;
mod text;
pub mod transaction;
pub mod visa;

pub use dating::{ListingDates, ListingEvidence, ListingHistories};
pub use engine::Engine;
pub use finding::{
    Confidence, Decision, EffectiveDate, Evidence, Finding, Measure, Outcome, ReviewPolicy,
};
pub use resolver::{PartyMatch, PartyResolver};
pub use transaction::{parse_transaction, RulesError, Transaction};
