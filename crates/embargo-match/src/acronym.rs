//! Acronyms: a one-word query such as "XPCC" against an organisation name
//! whose content words start with those letters ("Xinjiang Production and
//! Construction Corps"), when the list does not carry the acronym itself.
//!
//! The rule is narrow on purpose, because any short word spells the
//! initials of some long name: the query must be a single all-letter token
//! of 3 to 6 letters, the listed entity an organisation, company or legal
//! entity, and the initials must be spelt exactly. Stop words ("and",
//! "of", "the", "for") have no initial; a legal form may count or not
//! ("HSBC" has its "Corporation", "HT" would be "Huawei Technologies Co
//! Ltd" without it), so both readings are indexed.

use crate::analyze::{Form, Tok};
use crate::profile::{f, ACRONYM_SCORE};
use crate::symbols::TokenRole;
use embargo_model::Schema;

// Name score of an exact acronym match: above the default threshold, below
// a name match, because the acronym is a reading of the name, not a name
// the list gives.
// ACRONYM_SCORE = 0.85: a rule of the profile (`data/profile.tsv`).

const MIN_LEN: usize = 3;
const MAX_LEN: usize = 6;

/// The query form's single token when it can be an acronym.
pub(crate) fn query_acronym(f: &Form) -> Option<&str> {
    if f.native || f.syllabic || f.toks.len() != 1 {
        return None;
    }
    acronym_like(&f.toks[0])
}

/// The token's text when it can be an acronym: one word of 3 to 6 letters.
fn acronym_like(t: &Tok) -> Option<&str> {
    let ok = t.role == TokenRole::Word
        && (MIN_LEN..=MAX_LEN).contains(&t.text.len())
        && t.text.bytes().all(|b| b.is_ascii_lowercase());
    ok.then_some(&*t.text)
}

/// The acronym of a query that is an acronym plus countries ("PLA China",
/// "KGB Russia"): its one word of 3 to 6 letters when every other token
/// is a country. Used to find candidates only; the aligner scores such a
/// name (a country beside an acronym qualifies it).
pub(crate) fn qualified_acronym(f: &Form) -> Option<&str> {
    if f.native || f.syllabic || f.toks.len() < 2 {
        return None;
    }
    let mut words = f.toks.iter().filter(|t| t.role != TokenRole::Location);
    let (Some(t), None) = (words.next(), words.next()) else {
        return None;
    };
    acronym_like(t)
}

/// Whether an entity of `entity` schema may be found by acronym by a query
/// of `query` schema: both must be (or may be) organisations.
pub(crate) fn schemas_allow(query: Option<Schema>, entity: Option<Schema>) -> bool {
    query_allows(query) && entity.is_some_and(|s| s.is_organisation_like())
}

/// Whether a query of this schema may be an acronym at all: it must be,
/// or may be, an organisation.
pub(crate) fn query_allows(query: Option<Schema>) -> bool {
    query.is_none_or(|s| s.is_organisation_like())
}

/// The initials of a list form's content words, with and without its legal
/// forms (one entry when they are the same), each 3 to 6 letters long.
/// Empty when a content word does not start with a letter (a number).
pub(crate) fn initials(f: &Form) -> Vec<String> {
    if f.native || f.toks.len() < MIN_LEN {
        return vec![];
    }
    let content: Vec<_> = f
        .toks
        .iter()
        .filter(|t| t.role != TokenRole::Stop)
        .collect();
    if content
        .iter()
        .any(|t| !t.text.as_bytes()[0].is_ascii_lowercase())
    {
        return vec![];
    }
    let spell = |legal: bool| -> String {
        content
            .iter()
            .filter(|t| legal || t.role != TokenRole::LegalForm)
            .map(|t| t.text.as_bytes()[0] as char)
            .collect()
    };
    let mut out = Vec::with_capacity(2);
    for s in [spell(true), spell(false)] {
        if (MIN_LEN..=MAX_LEN).contains(&s.len()) && !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// The content words whose initials spell `acronym`, for the explanation.
pub(crate) fn spelt_by(f: &Form, acronym: &str) -> Option<String> {
    let content = || f.toks.iter().filter(|t| t.role != TokenRole::Stop);
    let with_legal: Vec<&str> = content().map(|t| &*t.text).collect();
    let without: Vec<&str> = content()
        .filter(|t| t.role != TokenRole::LegalForm)
        .map(|t| &*t.text)
        .collect();
    [with_legal, without].into_iter().find_map(|words| {
        let s: String = words.iter().map(|w| w.as_bytes()[0] as char).collect();
        (s == acronym).then(|| words.join(" "))
    })
}

/// The acronym score of query form `q` against list form `a`, or 0.
pub(crate) fn score(q: &Form, a: &Form) -> f32 {
    match query_acronym(q) {
        Some(x) if initials(a).iter().any(|i| i == x) => f(ACRONYM_SCORE),
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::analyze;

    fn form(s: &str, schema: Schema) -> Form {
        analyze(s, Some(schema)).remove(0)
    }

    #[test]
    fn initials_skip_stop_words_and_read_legal_forms_both_ways() {
        let f = form(
            "XINJIANG PRODUCTION AND CONSTRUCTION CORPS",
            Schema::Organization,
        );
        assert_eq!(initials(&f), vec!["xpcc".to_string()]);
        let f = form("Huawei Technologies Co Ltd", Schema::Company);
        assert_eq!(initials(&f), vec!["htcl".to_string()]);
        let f = form("Bank of the Islamic Republic Corporation", Schema::Company);
        assert_eq!(initials(&f), vec!["birc".to_string(), "bir".to_string()]);
        // A number has no initial letter; two words give no acronym.
        assert!(initials(&form("Fund 2 Holding Trust", Schema::Company)).is_empty());
        assert!(initials(&form("Bank Melli", Schema::Company)).is_empty());
    }

    #[test]
    fn only_one_short_all_letter_token_is_an_acronym() {
        let q = |s: &str| query_acronym(&form(s, Schema::Company)).map(str::to_string);
        assert_eq!(q("XPCC").as_deref(), Some("xpcc"));
        assert_eq!(q("x.p.c.c.").as_deref(), Some("xpcc"));
        assert_eq!(q("XP"), None);
        assert_eq!(q("ABCDEFG"), None);
        assert_eq!(q("XPCC Group"), None);
        assert_eq!(q("XP2C"), None);
    }

    #[test]
    fn exact_initials_score_and_persons_are_excluded() {
        let org = form(
            "XINJIANG PRODUCTION AND CONSTRUCTION CORPS",
            Schema::Organization,
        );
        assert_eq!(
            score(&form("XPCC", Schema::Company), &org),
            f(ACRONYM_SCORE)
        );
        assert_eq!(score(&form("XPC", Schema::Company), &org), 0.0);
        assert_eq!(score(&form("XPCCX", Schema::Company), &org), 0.0);
        assert_eq!(
            spelt_by(&org, "xpcc").as_deref(),
            Some("xinjiang production construction corps")
        );
        assert!(schemas_allow(None, Some(Schema::Organization)));
        assert!(schemas_allow(
            Some(Schema::Company),
            Some(Schema::LegalEntity)
        ));
        assert!(!schemas_allow(Some(Schema::Person), Some(Schema::Company)));
        assert!(!schemas_allow(None, Some(Schema::Person)));
        assert!(!schemas_allow(None, Some(Schema::Vessel)));
    }
}
