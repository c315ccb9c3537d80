//! The acronym rule: a one-word query of 3–6 letters finds an organisation
//! whose content-word initials spell it, and only then.

use embargo_match::{MatchKind, Matcher, Query, ScreenOptions, DEFAULT_THRESHOLD};
use embargo_model::{Entity, EntityId, Schema};

fn entity(key: &str, schema: Schema, name: &str) -> Entity {
    Entity::new(EntityId::new("sdn", key), schema, "sdn", name)
}

fn matcher() -> Matcher {
    Matcher::build(vec![
        entity(
            "1",
            Schema::Organization,
            "XINJIANG PRODUCTION AND CONSTRUCTION CORPS",
        ),
        // Same initials, but a person: never found by acronym.
        entity("2", Schema::Person, "XAVIER PAUL CARTER COLE"),
        // Same initials, but a vessel.
        entity("3", Schema::Vessel, "XENIA PRIDE COASTAL CARRIER"),
        entity(
            "4",
            Schema::Company,
            "BANK OF THE ISLAMIC REPUBLIC CORPORATION",
        ),
        entity("5", Schema::Company, "XINJIANG PETROLEUM COMPANY"),
    ])
}

fn ids(hits: &[embargo_match::Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.entity_id.as_str()).collect()
}

#[test]
fn an_acronym_finds_the_organisation_and_says_so() {
    let m = matcher();
    let hits = m.screen(&Query::name("XPCC"), &ScreenOptions::default());
    assert_eq!(ids(&hits), vec!["sdn:1"]);
    let h = &hits[0];
    assert!(h.score >= DEFAULT_THRESHOLD, "{}", h.score);
    assert_eq!(h.explanation.matched_as, MatchKind::Acronym);
    assert_eq!(h.explanation.tokens.len(), 1);
    assert_eq!(
        h.explanation.tokens[0].list,
        "xinjiang production construction corps"
    );
    let text = h.explanation.to_text();
    assert!(
        text.contains(
            "matched as an acronym: 'XPCC' = initials of 'xinjiang production construction corps'"
        ),
        "{text}"
    );
    // Case does not matter; an organisation query may use it too.
    let q = Query {
        schema: Some(Schema::Company),
        ..Query::name("xpcc")
    };
    assert_eq!(ids(&m.screen(&q, &ScreenOptions::default())), vec!["sdn:1"]);
    // With or without the legal form.
    let hits = m.screen(&Query::name("BIRC"), &ScreenOptions::default());
    assert_eq!(ids(&hits), vec!["sdn:4"]);
    let hits = m.screen(&Query::name("BIR"), &ScreenOptions::default());
    assert_eq!(ids(&hits), vec!["sdn:4"]);
}

#[test]
fn near_acronyms_persons_and_longer_queries_do_not_match() {
    let m = matcher();
    let o = ScreenOptions::default();
    // Not exact initials ("XPC" is Xinjiang Petroleum Company's, below).
    for q in ["XPCD", "XPCCC", "XPAC", "XCPC"] {
        assert!(m.screen(&Query::name(q), &o).is_empty(), "{q}");
    }
    // A person query is never an acronym.
    let q = Query {
        schema: Some(Schema::Person),
        ..Query::name("XPCC")
    };
    assert!(m.screen(&q, &o).is_empty());
    // Two words, digits, or too short are not acronym queries.
    for q in ["XPCC Group", "XPC2", "XP"] {
        assert!(
            m.screen(&Query::name(q), &o)
                .iter()
                .all(|h| h.explanation.matched_as == MatchKind::Tokens),
            "{q}"
        );
    }
    let hits = m.screen(&Query::name("XPC"), &o);
    assert_eq!(ids(&hits), vec!["sdn:5"]);
    // An ordinary name match is still explained token by token.
    let hits = m.screen(&Query::name("Xinjiang Petroleum Co"), &o);
    assert_eq!(ids(&hits)[0], "sdn:5");
    assert_eq!(hits[0].explanation.matched_as, MatchKind::Tokens);
}

#[test]
fn compare_names_applies_the_rule_to_organisations_only() {
    let long = "Xinjiang Production and Construction Corps";
    let org = embargo_match::compare_names(Some(Schema::Organization), "XPCC", long);
    assert!(org >= DEFAULT_THRESHOLD, "{org}");
    let rev = embargo_match::compare_names(Some(Schema::Organization), long, "XPCC");
    assert_eq!(org, rev);
    let person = embargo_match::compare_names(Some(Schema::Person), "XPCC", long);
    assert!(person < DEFAULT_THRESHOLD, "{person}");
}

#[test]
fn an_acronym_with_a_country_finds_the_organisation() {
    let m = Matcher::build(vec![
        entity("pla", Schema::Organization, "People's Liberation Army"),
        entity(
            "cn",
            Schema::Company,
            "China National Petroleum Corporation",
        ),
    ]);
    let mut q = Query::name("PLA China");
    q.schema = Some(Schema::Organization);
    let hits = m.screen(&q, &ScreenOptions::default());
    assert_eq!(ids(&hits), ["sdn:pla"], "{hits:?}");
    assert!(hits[0].score >= DEFAULT_THRESHOLD);
    // Two words besides the country: not an acronym query.
    let mut q = Query::name("PLA Navy China");
    q.schema = Some(Schema::Organization);
    assert!(m.screen(&q, &ScreenOptions::default()).is_empty());
}
