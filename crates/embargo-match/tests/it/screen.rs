//! The public screening API: ranking, threshold, limit, dataset filter,
//! qualifiers and identifiers, on hand-built entities.

use embargo_match::{
    compare_names, Algorithm, Matcher, QualifierKind, Query, ScreenOptions, DEFAULT_THRESHOLD,
};
use embargo_model::{
    Country, DateValue, Entity, EntityId, Identifier, NameKind, PartialDate, Schema,
};

fn person(ds: &str, key: &str, name: &str, dob: Option<&str>, nat: Option<&str>) -> Entity {
    let mut e = Entity::new(EntityId::new(ds, key), Schema::Person, ds, name);
    if let Some(d) = dob {
        e.birth_dates.push(DateValue::Exact(d.parse().unwrap()));
    }
    if let Some(n) = nat {
        e.nationalities.push(Country::from_code(n).unwrap());
    }
    e
}

fn corpus() -> Vec<Entity> {
    let mut putin = person(
        "sdn",
        "1",
        "PUTIN, Vladimir Vladimirovich",
        Some("1952-10-07"),
        Some("RU"),
    );
    putin.add_name("Владимир Владимирович Путин", NameKind::NativeScript);
    let mut bank = Entity::new(
        EntityId::new("csl", "2"),
        Schema::Company,
        "csl",
        "Bank Melli Iran",
    );
    bank.identifiers.push(Identifier {
        kind: "SWIFT/BIC".into(),
        value: "MELIIRTH".into(),
        country: None,
        note: None,
    });
    vec![
        putin,
        person("sdn", "3", "Vladimir Putilin", Some("1970"), None),
        person("un", "4", "Mohammed Ali Hassan", Some("1965"), Some("SY")),
        bank,
        Entity::new(
            EntityId::new("csl", "5"),
            Schema::Vessel,
            "csl",
            "Victory 3",
        ),
    ]
}

fn opts() -> ScreenOptions {
    ScreenOptions::default()
}

#[test]
fn matcher_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Matcher>();
}

#[test]
fn ranks_reversed_and_cyrillic_names_first_and_explains() {
    let m = Matcher::build(corpus());
    for q in [
        "Vladimir Putin",
        "Путин Владимир",
        "putin vladimir vladimirovich",
    ] {
        let hits = m.screen(&Query::name(q), &opts());
        assert_eq!(hits[0].entity_id.as_str(), "sdn:1", "{q}");
        assert!(hits[0].score >= DEFAULT_THRESHOLD);
        assert!(!hits[0].explanation.to_text().is_empty());
    }
    assert_eq!(
        m.get(&EntityId::new("sdn", "1")).unwrap().caption(),
        "PUTIN, Vladimir Vladimirovich"
    );
    assert_eq!(m.entities().len(), 5);
}

#[test]
fn threshold_limit_and_dataset_filter_apply() {
    let m = Matcher::build(corpus());
    let q = Query::name("Vladimir Putin");
    let all = ScreenOptions {
        threshold: 0.0,
        limit: 100,
        ..opts()
    };
    let hits = m.screen(&q, &all);
    assert!(hits.len() >= 2);
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    let one = ScreenOptions {
        threshold: 0.0,
        limit: 1,
        ..opts()
    };
    assert_eq!(m.screen(&q, &one).len(), 1);
    let un_only = ScreenOptions {
        datasets: Some(vec!["un".into()]),
        ..opts()
    };
    assert!(m.screen(&q, &un_only).is_empty());
    let high = ScreenOptions {
        threshold: 1.01,
        ..opts()
    };
    assert!(m.screen(&q, &high).is_empty());
}

#[test]
fn date_of_birth_and_country_move_the_score_and_say_so() {
    let m = Matcher::build(corpus());
    let mut q = Query::name("Mohammed Ali Hassan");
    let base = m.screen(&q, &opts())[0].score;
    q.birth_dates.push(PartialDate::Year(1990));
    q.countries.push(Country::from_code("US").unwrap());
    let all = ScreenOptions {
        threshold: 0.0,
        ..opts()
    };
    let h = &m.screen(&q, &all)[0];
    assert!(h.score < base - 0.2, "{} vs {base}", h.score);
    let kinds: Vec<_> = h.explanation.qualifiers.iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&QualifierKind::Dob) && kinds.contains(&QualifierKind::Country));
    assert!(h.explanation.qualifiers.iter().all(|e| e.delta < 0.0));
    let mut same = Query::name("Mohammed Ali Hassan");
    same.birth_dates.push(PartialDate::Year(1965));
    assert!(m.screen(&same, &opts())[0].score >= base);
}

#[test]
fn an_exact_identifier_is_decisive() {
    let m = Matcher::build(corpus());
    let mut q = Query::name("Some Other Name");
    q.identifiers.push("MELI IR TH".into());
    let hits = m.screen(&q, &opts());
    assert_eq!(hits[0].entity_id.as_str(), "csl:2");
    assert_eq!(hits[0].score, 1.0);
    assert_eq!(
        hits[0].explanation.qualifiers[0].kind,
        QualifierKind::Identifier
    );
}

#[test]
fn schema_mismatch_lowers_the_score() {
    let m = Matcher::build(corpus());
    let mut q = Query::name("Victory 3");
    q.schema = Some(Schema::Person);
    let all = ScreenOptions {
        threshold: 0.0,
        ..opts()
    };
    let h = &m.screen(&q, &all)[0];
    assert!(h.score < 0.8);
    assert_eq!(h.explanation.qualifiers[0].kind, QualifierKind::Schema);
}

#[test]
fn batch_equals_single_and_odd_input_does_not_panic() {
    let m = Matcher::build(corpus());
    let qs: Vec<Query> = ["Vladimir Putin", "", "   ", "!!!", "ﷺ", "a", "Bank Melli"]
        .iter()
        .map(|s| Query::name(*s))
        .collect();
    let batch = m.screen_batch(&qs, &opts());
    for (q, b) in qs.iter().zip(&batch) {
        assert_eq!(&m.screen(q, &opts()), b);
    }
    assert!(batch[1].is_empty() && batch[2].is_empty());
    let empty = Matcher::build(vec![]);
    assert!(empty.screen(&Query::name("x"), &opts()).is_empty());
}

#[test]
fn ofac_algorithm_ranks_and_scores_in_range() {
    let m = Matcher::build(corpus());
    let o = ScreenOptions {
        algorithm: Algorithm::Ofac,
        ..opts()
    };
    let hits = m.screen(&Query::name("Vladimir Putin"), &o);
    assert_eq!(hits[0].entity_id.as_str(), "sdn:1");
    assert!(hits.iter().all(|h| (0.0..=1.0).contains(&h.score)));
}

#[test]
fn ofac_algorithm_scores_every_name_like_sanctions_list_search() {
    // OFAC's tool compares the query with every list name: a name sharing
    // no word, phonetic key or one-edit neighbour with the query is still
    // scored (OFAC shows this pair at 82).
    let mut c = corpus();
    c.push(Entity::new(
        EntityId::new("sdn", "9"),
        Schema::Organization,
        "sdn",
        "VLADIMIROVKA ADVANCED WEAPONS AND RESEARCH COMPLEX",
    ));
    let m = Matcher::build(c);
    let o = ScreenOptions {
        algorithm: Algorithm::Ofac,
        threshold: 0.75,
        limit: 20,
        ..opts()
    };
    let hits = m.screen(&Query::name("Vladimir Putin"), &o);
    let h = hits
        .iter()
        .find(|h| h.entity_id.as_str() == "sdn:9")
        .expect("every name is scored in the ofac mode");
    assert!((0.75..0.9).contains(&h.score), "{}", h.score);
    // The embargo algorithm reads names, not strings: no such hit.
    let ours = m.screen(
        &Query::name("Vladimir Putin"),
        &ScreenOptions {
            threshold: 0.75,
            ..opts()
        },
    );
    assert!(ours.iter().all(|h| h.entity_id.as_str() != "sdn:9"));
}

#[test]
fn compare_names_is_bounded_and_symmetric_on_equal_names() {
    assert_eq!(
        compare_names(Some(Schema::Person), "Olaf Scholz", "Olaf Scholz"),
        1.0
    );
    assert_eq!(compare_names(None, "", ""), 0.0);
    let s = compare_names(
        Some(Schema::Company),
        "Siemens Aktiengesellschaft",
        "Siemens AG",
    );
    assert!(s >= DEFAULT_THRESHOLD, "{s}");
    let s = compare_names(
        Some(Schema::Company),
        "Toyota Motor Corp",
        "Honda Motor Corp",
    );
    assert!(s < DEFAULT_THRESHOLD, "{s}");
}

#[test]
fn a_word_two_edits_away_still_becomes_a_candidate() {
    // Two scattered substitutions: no one-edit neighbour or sound key
    // links the words; only the trigram index does.
    let m = Matcher::build(vec![
        Entity::new(
            EntityId::new("sdn", "r"),
            Schema::Company,
            "sdn",
            "Rosoboronexport",
        ),
        Entity::new(EntityId::new("sdn", "x"), Schema::Company, "sdn", "Rostec"),
    ]);
    let mut q = Query::name("Rasoboronexpert");
    q.schema = Some(Schema::Company);
    let hits = m.screen(&q, &opts());
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].entity_id.to_string(), "sdn:r");
    assert!(hits[0].score >= DEFAULT_THRESHOLD);
}

#[test]
fn a_word_stored_back_to_front_is_found() {
    let m = Matcher::build(corpus());
    let mut q = Query::name("Vladimir nituP");
    q.schema = Some(Schema::Person);
    let hits = m.screen(&q, &opts());
    assert_eq!(
        hits.first().map(|h| h.entity_id.to_string()).as_deref(),
        Some("sdn:1"),
        "{hits:?}"
    );
}

#[test]
fn given_names_alone_do_not_match_a_listed_family_name() {
    use embargo_model::NameParts;
    let listed = |with_parts: bool| {
        let mut e = person("sdn", "1", "PUTIN, Vladimir Vladimirovich", None, None);
        if with_parts {
            e.names[0].parts = Some(NameParts {
                given: Some("Vladimir Vladimirovich".into()),
                family: Some("PUTIN".into()),
                ..Default::default()
            });
        }
        Matcher::build(vec![e])
    };
    let mut q = Query::name("Vladimir Vladimirovich");
    q.schema = Some(Schema::Person);
    let o = ScreenOptions {
        threshold: 0.0,
        ..opts()
    };
    let free = listed(false).screen(&q, &o)[0].score;
    let hit = &listed(true).screen(&q, &o)[0];
    let parts = hit.score;
    assert!(
        hit.explanation.to_text().contains("putin (family name)"),
        "{}",
        hit.explanation.to_text()
    );
    // Without roles the two shared given names carry the match; with the
    // family name known, leaving it out is not a match.
    assert!(free >= DEFAULT_THRESHOLD, "{free}");
    assert!(parts < DEFAULT_THRESHOLD, "{parts}");
    // The full name still matches in full, in any order.
    q.name = "Vladimir Putin".into();
    assert!(listed(true).screen(&q, &opts())[0].score >= DEFAULT_THRESHOLD);
}

#[test]
fn a_family_name_given_with_the_query_is_held_to_its_role() {
    use embargo_model::NameParts;
    let mut e = person("sdn", "h", "FRIEDRICH, Hans", None, None);
    e.names[0].parts = Some(NameParts {
        given: Some("Hans".into()),
        family: Some("FRIEDRICH".into()),
        ..Default::default()
    });
    let m = Matcher::build(vec![e]);
    let o = ScreenOptions {
        threshold: 0.0,
        ..opts()
    };
    let score = |name: &str, family: Option<&str>| {
        let mut q = Query::name(name);
        q.schema = Some(Schema::Person);
        q.family_name = family.map(String::from);
        m.screen(&q, &o).first().map_or(0.0, |h| h.score)
    };
    // Without roles on the query side the words decide.
    assert!(score("Friedrich Hans", None) >= DEFAULT_THRESHOLD);
    // Hans as the family name, Friedrich as the given: another person.
    assert!(score("Friedrich Hans", Some("Hans")) < DEFAULT_THRESHOLD);
    // The same roles as the list: a match.
    assert!(score("Hans Friedrich", Some("Friedrich")) >= DEFAULT_THRESHOLD);
}

#[test]
fn hangul_and_kana_spell_f_v_z_and_l_with_other_letters() {
    // ㅍ writes f, ㄹ writes l, ラ writes l: the whole-name comparison of a
    // foreign name in Hangul or kana reads those sounds as one.
    for (latin, native) in [
        ("Reinfeldt", "레인펠트"),
        ("Flagstad", "플라그스타드"),
        ("Morganfield", "모건필드"),
        ("Olaf", "오라프"),
    ] {
        let s = compare_names(Some(Schema::Person), latin, native);
        assert!(s >= DEFAULT_THRESHOLD, "{latin} / {native}: {s}");
    }
    assert!(compare_names(Some(Schema::Person), "Putin", "모건필드") < 0.5);
}
