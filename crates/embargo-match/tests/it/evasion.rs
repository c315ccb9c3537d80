//! Issue 11: leetspeak and punctuation written inside a word to dodge
//! screening are read as the letters they stand for, on both sides; real
//! numbers and initials stay as they are.

use embargo_match::{compare_names, Matcher, Query, ScreenOptions, DEFAULT_THRESHOLD};
use embargo_model::{Entity, EntityId, NameKind, Schema};

const EVASIONS: &[&str] = &[
    "H1kv1s10n",
    "H!kv!s!on",
    "Hikvi$ion",
    "HlKVlSlON",
    "H-1-k-v-1-s-1-0-n",
    "H.1.K.V.1.S.1.O.N",
    "H|kv|s|on",
    "HIKV1S1ON",
];

#[test]
fn evasive_spellings_of_hikvision_match_it() {
    let org = Some(Schema::Organization);
    for q in EVASIONS {
        let s = compare_names(org, q, "Hikvision");
        assert!(s >= 0.9, "{q}: {s}");
        // On the list side too.
        let s = compare_names(org, "Hikvision", q);
        assert!(s >= 0.9, "{q} listed: {s}");
    }
    let s = compare_names(
        org,
        "H1kv1s10n D!g!tal Techn0logy Co Ltd",
        "Hikvision Digital Technology Co., Ltd.",
    );
    assert!(s >= 0.95, "{s}");
}

#[test]
fn evasive_spellings_find_the_listed_entity() {
    let mut e = Entity::new(
        EntityId::new("t", "hik"),
        Schema::Organization,
        "t",
        "Hangzhou Hikvision Digital Technology Co., Ltd.",
    );
    e.add_name("Hikvision", NameKind::Alias);
    let m = Matcher::build(vec![e]);
    for q in EVASIONS {
        let hits = m.screen(&Query::name(*q), &ScreenOptions::default());
        assert!(
            hits.first().is_some_and(|h| h.score >= DEFAULT_THRESHOLD),
            "{q}: {hits:?}"
        );
    }
}

#[test]
fn real_numbers_initials_and_mixed_case_stay_apart() {
    let org = Some(Schema::Organization);
    let person = Some(Schema::Person);
    // A number at a word's edge is a number.
    assert!(compare_names(org, "Trust 2007-AHL1", "Trust 2007-AHLI") < DEFAULT_THRESHOLD);
    // Only an l between capitals reads as I: "PAUl" is Paul, "Bilal" stays.
    assert!(compare_names(person, "PAUl", "Paul") >= 0.95);
    assert!(compare_names(person, "Bilal", "BIIAI") < 0.9);
    // A sentence's exclamation mark is not a letter.
    assert!(compare_names(org, "Yahoo!", "Yahoo") >= 0.95);
    // Initials stay initials.
    assert!(compare_names(person, "J. P. Morgan", "JP Morgan") >= 0.9);
}
