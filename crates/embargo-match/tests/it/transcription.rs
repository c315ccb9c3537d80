//! Foreign names written in another script, read back the way that
//! script writes foreign sounds (profile rules `transcription` and
//! `orthographies`, Palladius for one word), and the explanation naming
//! the rules of the scoring profile that fired.

use embargo_match::{compare_names, Matcher, Query, ScreenOptions};
use embargo_model::{Entity, EntityId, NameKind, Schema};

fn person(a: &str, b: &str) -> f64 {
    compare_names(Some(Schema::Person), a, b)
}

#[test]
fn han_and_kana_transcriptions_of_foreign_names_match_their_latin_spelling() {
    // Han: epenthetic vowels (克 ke, 斯 si), x for h, l / r (爾 er).
    for (latin, native) in [
        ("hicks", "希克斯"),
        ("hampton", "漢普頓"),
        ("cronin", "克羅寧"),
        ("pollersbeck", "伯勒斯貝克"),
        ("annenkov", "安年科夫"),
    ] {
        let s = person(latin, native);
        assert!(s >= 0.75, "{latin} / {native}: {s}");
    }
    // Kana: added vowels (ト to, ス su), long vowels, r for l.
    for (latin, native) in [
        ("dreifuss", "ドレフュス"),
        ("binsfeld", "ビンスフェルト"),
        ("fayard", "ファヤード"),
    ] {
        let s = person(latin, native);
        assert!(s >= 0.75, "{latin} / {native}: {s}");
    }
    // Another name in the same script stays apart.
    for (latin, native) in [("hicks", "马丁"), ("stoller", "タナカ")] {
        let s = person(latin, native);
        assert!(s < 0.75, "{latin} / {native}: {s}");
    }
}

#[test]
fn latin_names_are_read_in_their_own_orthography_against_cyrillic() {
    for (latin, cyr) in [
        ("guizot", "гизо"),     // French silent ending
        ("farage", "фараж"),    // French ge
        ("charvet", "шарве"),   // French -et
        ("atwater", "этуотер"), // English w
        ("wilkey", "уилки"),    // English w, -ey
        ("richter", "рихтер"),  // German / Polish ch
        ("cerci", "черчи"),     // Italian c before i
        ("zhigang", "чжиган"),  // one word in Palladius
        ("mengxue", "мэнсюэ"),  // one word in Palladius
    ] {
        let s = person(latin, cyr);
        assert!(s >= 0.75, "{latin} / {cyr}: {s}");
    }
    // A reading rescues a near match; it does not pair other names.
    let s = person("Фрэнк Рихтер", "Frederik Richter");
    assert!(s < 0.75, "Frank / Frederik Richter: {s}");
    assert!(person("guizot", "гарин") < 0.75);
}

#[test]
fn the_explanation_names_the_profile_rules_that_fired() {
    let mut e = Entity::new(EntityId::new("t", "1"), Schema::Person, "t", "Жан Гизо");
    e.add_name("Jean-Pierre Gizo", NameKind::Alias);
    let other = Entity::new(EntityId::new("t", "2"), Schema::Person, "t", "Smith John");
    let m = Matcher::build(vec![e, other]);
    let o = ScreenOptions::default();

    let hits = m.screen(&Query::name("Гизо Жан"), &o);
    let h = hits.first().expect("a hit for Гизо Жан");
    let rules: Vec<&str> = h
        .explanation
        .rules
        .iter()
        .map(|r| r.rule.as_str())
        .collect();
    assert!(
        rules.is_empty(),
        "same script, same words: no rule, got {rules:?}"
    );

    // Latin query against the Cyrillic alias: the French reading of
    // Guizot decides the pair; the words stand in another order.
    let q = Query {
        name: "Guizot Jean".into(),
        schema: Some(Schema::Person),
        ..Default::default()
    };
    let hits = m.screen(&q, &o);
    let h = hits.first().expect("a hit for Guizot Jean");
    assert_eq!(h.entity_id, EntityId::new("t", "1"));
    // The hit's explanation is the alignment that gave its score.
    assert!(h.explanation.tokens.iter().all(|t| t.similarity > 0.0));

    let names: Vec<&str> = h
        .explanation
        .rules
        .iter()
        .map(|r| r.rule.as_str())
        .collect();
    assert!(names.contains(&"orthographies"), "{:?}", h.explanation);
    let text = h.explanation.to_text();
    assert!(text.contains("rules that fired:"), "{text}");
    for r in &h.explanation.rules {
        assert!(text.contains(&r.rule), "{text}");
        assert!(r.factor > 0.0 && !r.matches.is_empty(), "{r:?}");
    }
    let json = serde_json::to_value(&h.explanation).unwrap();
    assert_eq!(json["rules"][0]["rule"], names[0]);
}

#[test]
fn explained_rules_name_penalties_of_the_whole_name() {
    // Order: three words, neither the same, reversed nor rotated.
    let e = Entity::new(
        EntityId::new("t", "1"),
        Schema::Person,
        "t",
        "Muhammad bin Salman Faisal",
    );
    let m = Matcher::build(vec![e]);
    let o = ScreenOptions {
        threshold: 0.3,
        ..Default::default()
    };
    let hits = m.screen(&Query::name("Salman Muhammad Faisal bin"), &o);
    let h = hits.first().expect("a hit");
    let names: Vec<&str> = h
        .explanation
        .rules
        .iter()
        .map(|r| r.rule.as_str())
        .collect();
    assert!(
        names.contains(&"order_penalty"),
        "{names:?} {}",
        h.explanation.to_text()
    );
}
