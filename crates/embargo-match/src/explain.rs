//! Hits and their explanations.
//!
//! Every hit says which of the entity's names matched, which romanised
//! forms were compared, how each query token lined up with a list token
//! (similarity and weight), which tokens found no partner, and which
//! qualifiers (date of birth, country, entity type, identifier) moved the
//! score and by how much. `Explanation::to_text` renders the same facts as
//! plain text for an analyst.

use embargo_model::{EntityId, NameKind};
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// One screening result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// Index into `Matcher::entities()`.
    pub entity_index: usize,
    pub entity_id: EntityId,
    /// Final score in [0, 1] (name score plus qualifiers).
    pub score: f64,
    /// The entity's name (as the list writes it) that matched best.
    pub matched_name: String,
    pub explanation: Explanation,
}

/// One aligned pair of tokens. Either side can be two tokens written
/// together ("hai kang" for "haikang").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenMatch {
    pub query: String,
    pub list: String,
    /// Token similarity in [0, 1].
    pub similarity: f64,
    /// Weight of the pair in the name score (common tokens weigh less).
    pub weight: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualifierKind {
    Dob,
    Country,
    Schema,
    Identifier,
}

/// A fact beside the name that raised or lowered the score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QualifierEffect {
    pub kind: QualifierKind,
    pub detail: String,
    /// Added to the score (negative lowers it).
    pub delta: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The list name that matched, as the list writes it.
    pub matched_alias: String,
    pub alias_kind: NameKind,
    /// The normalised / romanised query form used.
    pub query_form: String,
    /// The normalised / romanised list form used.
    pub alias_form: String,
    pub tokens: Vec<TokenMatch>,
    pub unmatched_query: Vec<String>,
    pub unmatched_alias: Vec<String>,
    /// Score of the names alone, before qualifiers.
    pub name_score: f64,
    pub qualifiers: Vec<QualifierEffect>,
    pub final_score: f64,
    /// How the names were matched: token by token, or the query as the
    /// acronym of the list name (then `tokens` holds one pair: the acronym
    /// and the words whose initials spell it).
    #[serde(default)]
    pub matched_as: MatchKind,
    /// The rules of the scoring profile (`data/profile.tsv`) that fired
    /// for this pair of names: name rules first (a penalty or a raise of
    /// the whole score), then the rules that decided a token pair's
    /// similarity.
    #[serde(default)]
    pub rules: Vec<RuleFired>,
    /// When the query was read with a trade name learnt from a bilingual
    /// alias (`lexicon`): the pair and the record it was learnt from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lexicon: Vec<String>,
}

/// A rule of the scoring profile that fired, with its factor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleFired {
    /// The rule's name in `data/profile.tsv` (`order_penalty`, `sibilant_sim`, …).
    pub rule: String,
    /// Its factor (a multiplier, a granted similarity or an exponent).
    pub factor: f64,
    /// What the rule matches, as the profile describes it.
    pub matches: String,
}

impl RuleFired {
    pub(crate) fn of(r: crate::profile::Rule) -> RuleFired {
        let info = crate::profile::info(r);
        RuleFired {
            rule: info.name.to_string(),
            factor: (f64::from(crate::profile::f(r)) * 1e4).round() / 1e4,
            matches: info.matches.to_string(),
        }
    }
}

/// How a query name was matched with a list name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// Token alignment (see `tokens`, `unmatched_query`, `unmatched_alias`).
    #[default]
    Tokens,
    /// The one-word query is the acronym of the list name's content words.
    Acronym,
}

impl Explanation {
    /// Plain text an analyst can read.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let kind = match self.alias_kind {
            NameKind::Primary => "primary name",
            NameKind::Alias => "alias",
            NameKind::FormerName => "former name",
            NameKind::WeakAlias => "weak alias",
            NameKind::NativeScript => "name in original script",
        };
        let _ = writeln!(
            s,
            "Score {:.2}: matched {} \"{}\"",
            self.final_score, kind, self.matched_alias
        );
        let _ = writeln!(
            s,
            "  compared \"{}\" with \"{}\"",
            self.query_form, self.alias_form
        );
        for l in &self.lexicon {
            let _ = writeln!(s, "  read with the trade name {l}");
        }
        if self.matched_as == MatchKind::Acronym {
            for t in &self.tokens {
                let _ = writeln!(
                    s,
                    "  matched as an acronym: '{}' = initials of '{}'",
                    t.query.to_uppercase(),
                    t.list
                );
            }
        }
        for t in self
            .tokens
            .iter()
            .filter(|_| self.matched_as == MatchKind::Tokens)
        {
            let how = if t.similarity >= 0.999 {
                "same".to_string()
            } else {
                format!("similar {:.2}", t.similarity)
            };
            let _ = writeln!(
                s,
                "  '{}' ~ '{}': {} (weight {:.2})",
                t.query, t.list, how, t.weight
            );
        }
        if !self.unmatched_query.is_empty() {
            let _ = writeln!(
                s,
                "  not in the list name: {}",
                self.unmatched_query.join(", ")
            );
        }
        if !self.unmatched_alias.is_empty() {
            let _ = writeln!(s, "  not in the query: {}", self.unmatched_alias.join(", "));
        }
        if !self.rules.is_empty() {
            let names: Vec<String> = self
                .rules
                .iter()
                .map(|r| format!("{} ({})", r.rule, r.factor))
                .collect();
            let _ = writeln!(s, "  rules that fired: {}", names.join(", "));
        }
        let _ = writeln!(s, "  name score {:.2}", self.name_score);
        for q in &self.qualifiers {
            let _ = writeln!(s, "  {:+.2} {}", q.delta, q.detail);
        }
        s
    }
}
