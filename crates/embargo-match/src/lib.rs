//! # embargo-match
//!
//! Embargo's name-matching engine: given a query (a name, optionally with
//! aliases, entity type, countries, dates of birth and identifiers) it finds
//! the listed entities that may be the same party, ranks them by a score in
//! [0, 1] and explains every hit token by token.
//!
//! Pipeline: Unicode NFKC + case folding + romanisation (Cyrillic, Greek,
//! Armenian, Georgian, Hangul, kana, Khmer via `any_ascii`; Han via pinyin
//! with standard organisation terms translated; Russian organisation terms
//! translated too; Arabic and Hebrew compared by consonant skeleton;
//! Wade-Giles and pinyin syllables compared by a shared key) →
//! tokens tagged with roles (legal forms, regions and particles
//! down-weighted, numbers exact, generic business words flagged, family
//! names flagged where the list gives name parts) → an inverted index over
//! tokens, one-deletion neighbours, character trigrams, phonetic keys,
//! joined names and organisation initials built once in [`Matcher::build`]
//! → token alignment scoring (or,
//! for a one-word query of 3–6 letters against an organisation, an exact
//! acronym of its content words, reported as [`MatchKind::Acronym`]) →
//! qualifiers.
//!
//! **What it is for:** screening names against lists held in memory, pair
//! scoring for evaluation (`compare_names`), batch screening on all cores.
//!
//! **What it is not for:** parsing list files (`embargo-sources`), storing
//! decisions (`embargo-store`), or deciding what a hit means legally
//! (`embargo-rules`). It never reads files or the network: an index file
//! reaches it as bytes ([`Matcher::open`]), mapped by the caller.

/// `(name for errors, contents)` of a reference table in `data/`,
/// compiled in. Each table is parsed once, at first use, with
/// `embargo_model::table`.
macro_rules! data_file {
    ($name:literal) => {
        (
            concat!("embargo-match/data/", $name),
            include_str!(concat!("../data/", $name)),
        )
    };
}

mod acronym;
mod align;
mod analyze;
mod compact;
pub mod container;
mod explain;
mod lexicon;
mod matcher;
mod ngrams;
mod nicknames;
mod ofac;
mod palladius;
mod parts;
mod phonetic;
pub mod profile;
mod qualifiers;
mod russian;
mod similarity;
mod sino;
mod sinoorg;
mod spelling;
mod stream_build;
mod symbols;
mod text;

/// The caps on what one name can cost (see `analyze`).
pub use analyze::{MAX_NAME_CHARS, MAX_WORD_CHARS};
pub use container::IndexError;
pub use explain::{
    Explanation, Hit, MatchKind, QualifierEffect, QualifierKind, RuleFired, TokenMatch,
};
pub use matcher::Matcher;
/// The index file format: [`container`] holds the envelope; the
/// matcher's sections are described in `Matcher::index_sections`.
pub mod index {
    pub use crate::container::write_to;
    pub use crate::container::{
        write, Bytes, Container, IndexError, ENGINE_VERSION, FORMAT_VERSION, MAGIC,
    };
    #[doc(hidden)]
    pub use crate::stream_build::index_sections_chunked;
    pub use crate::stream_build::{index_sections_streamed, CHUNK as STREAM_CHUNK};
}
pub use parts::{compare_name_parts, full_name};
pub use symbols::TokenRole;

use embargo_model::{Country, PartialDate, Schema};
use serde::{Deserialize, Serialize};

/// Score at or above which a candidate is reported.
///
/// Chosen on the evaluation sets (see `embargo-eval` and BENCHMARKS.md):
/// F1 on nomenklatura's labelled pairs peaks here (0.907 at 0.70, 0.909 at
/// 0.72, 0.911 at 0.75, 0.883 at 0.78), as does the share of checks.yml
/// right (0.934 at 0.72, 0.952 at 0.75, 0.908 at 0.78); every UN-listed
/// person still on the list is found; 0.52 % of 50,000 synthetic US
/// persons get any hit against CSL + SDN + UN (0.95 % at 0.70, too close
/// to the 1 % budget).
pub const DEFAULT_THRESHOLD: f64 = 0.75;

/// Suggested threshold for `Algorithm::Ofac`, whose scores sit higher for
/// unrelated names (whole-string Jaro-Winkler): best F1 on the nomenklatura
/// pairs (0.73) is reached at 0.95. OFAC's own tool leaves the choice to
/// the user's slider.
pub const OFAC_THRESHOLD: f64 = 0.95;

/// Default number of hits returned per query.
pub const DEFAULT_LIMIT: usize = 10;

/// What to screen: a name and whatever else is known about the party.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Query {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub schema: Option<Schema>,
    #[serde(default)]
    pub countries: Vec<Country>,
    #[serde(default)]
    pub birth_dates: Vec<PartialDate>,
    #[serde(default)]
    pub identifiers: Vec<String>,
    /// The family name within `name`, where the caller knows it (a
    /// person's lastName): a hit that leaves it out, or reads it as a given
    /// name, scores lower.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
}

impl Query {
    /// A query with just a name.
    pub fn name(s: impl Into<String>) -> Query {
        Query {
            name: s.into(),
            ..Default::default()
        }
    }

    /// The name and aliases, in that order.
    pub fn all_names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// Which scoring to use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// Embargo's own token-alignment scorer.
    #[default]
    Embargo,
    /// A reproduction of OFAC's Sanctions List Search scoring (Jaro-Winkler
    /// plus Soundex), for parity with what OFAC's own tool shows.
    Ofac,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScreenOptions {
    /// Only hits scoring at least this much are returned.
    pub threshold: f64,
    /// At most this many hits, best first.
    pub limit: usize,
    pub algorithm: Algorithm,
    /// Only entities of these datasets (`Entity::dataset`); `None` = all.
    pub datasets: Option<Vec<String>>,
    /// Datasets whose learnt trade names (`lexicon`) the screen may read
    /// the query with; `None` = those of `datasets`. A front end that
    /// searches a dataset only to relay its names to other records (the
    /// regime pack left out of a screen) names the screened ones here, so
    /// nothing learnt from the relayed dataset is used.
    pub lexicon_datasets: Option<Vec<String>>,
}

impl Default for ScreenOptions {
    fn default() -> Self {
        ScreenOptions {
            threshold: DEFAULT_THRESHOLD,
            limit: DEFAULT_LIMIT,
            algorithm: Algorithm::Embargo,
            datasets: None,
            lexicon_datasets: None,
        }
    }
}

/// Scores two names against each other with the default algorithm, without
/// any list loaded (so every token has its role's base weight). `schema`
/// decides whether legal forms are recognised (not for `Person`) and
/// whether a one-word name may match as the other's acronym (organisation
/// schemas only).
pub fn compare_names(schema: Option<Schema>, a: &str, b: &str) -> f64 {
    let fa = analyze::analyze(a, schema);
    let fb = analyze::analyze(b, schema);
    let acronyms = acronym::schemas_allow(schema, schema);
    let mut best = 0.0f32;
    for x in &fa {
        for y in &fb {
            best = best.max(align::align(x, y).score);
            if acronyms {
                best = best.max(acronym::score(x, y)).max(acronym::score(y, x));
            }
        }
    }
    f64::from(best)
}

/// Scores two names with OFAC Sanctions List Search parity scoring.
pub fn compare_names_ofac(a: &str, b: &str) -> f64 {
    ofac::score(a, b).score
}
