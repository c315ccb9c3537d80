//! Issue 11: Chinese organisation names by their parts (division + trade
//! name + industry + form) and Chinese person names in other
//! romanisations. Entities are built here as the official lists spell
//! them (English only), plus one Chinese alias where the test says so.

use embargo_match::{compare_names, Hit, Matcher, Query, ScreenOptions, DEFAULT_THRESHOLD};
use embargo_model::{Entity, EntityId, NameKind, Schema};

fn entity(key: &str, schema: Schema, name: &str, aliases: &[&str]) -> Entity {
    let mut e = Entity::new(EntityId::new("t", key), schema, "t", name);
    for a in aliases {
        e.add_name(a, NameKind::Alias);
    }
    e
}

fn matcher() -> Matcher {
    let org = Schema::Organization;
    let person = Schema::Person;
    Matcher::build(vec![
        entity("megvii_el", org, "Megvii Technology", &[]),
        entity(
            "megvii_cmic",
            Schema::Company,
            "MEGVII TECHNOLOGY LIMITED",
            &[],
        ),
        entity("dahua_el", org, "Dahua Technology", &[]),
        entity("dahua_dpl", org, "DAHUA ELECTRONICS CORPORATION", &[]),
        entity(
            "hik",
            org,
            "Hangzhou Hikvision Digital Technology Co., Ltd.",
            &["杭州海康威视数字技术股份有限公司"],
        ),
        entity(
            "uniview",
            org,
            "Zhejiang Uniview Technologies Co., Ltd.",
            &[],
        ),
        entity("psb", org, "Kashgar Public Security Bureau", &[]),
        entity("chen_q", person, "CHEN, Quanguo", &[]),
        entity("chen_m", person, "CHEN, Mingguo", &[]),
        entity("chen_b", person, "CHEN, Bing Shen", &[]),
    ])
}

fn screen(m: &Matcher, q: &str, schema: Option<Schema>) -> Vec<Hit> {
    let mut q = Query::name(q);
    q.schema = schema;
    let o = ScreenOptions {
        threshold: 0.3,
        ..Default::default()
    };
    m.screen(&q, &o)
}

fn top(m: &Matcher, q: &str, schema: Option<Schema>) -> (String, f64) {
    let hits = screen(m, q, schema);
    let h = hits.first().unwrap_or_else(|| panic!("{q}: no candidate"));
    (h.entity_id.to_string(), h.score)
}

#[test]
fn division_and_form_are_qualifiers_of_the_trade_name() {
    let m = matcher();
    for q in [
        "Beijing Megvii Technology Co Ltd",
        "Beijing Megvii Technology Co., Ltd.",
        "Megvii Tech",
        "Beijing Megvii Keji Youxian Gongsi",
        "Peking Megvii Sci-Tech",
    ] {
        let hits = screen(&m, q, None);
        let el = hits
            .iter()
            .find(|h| h.entity_id.to_string().ends_with("megvii_el"))
            .unwrap_or_else(|| panic!("{q}: {hits:?}"));
        assert!(el.score >= DEFAULT_THRESHOLD, "{q}: {}", el.score);
        assert!(
            hits[0].entity_id.to_string().contains("megvii"),
            "{q}: {hits:?}"
        );
    }
    for q in [
        "Zhejiang Dahua Technology",
        "Zhejiang Dahua Technology Co., Ltd.",
    ] {
        let (id, s) = top(&m, q, None);
        assert!(
            id.ends_with("dahua_el") && s >= DEFAULT_THRESHOLD,
            "{q}: {id} {s}"
        );
    }
    // Uyghur-derived, pinyin and Chinese spellings of a place are one.
    for q in [
        "Kashi Public Security Bureau",
        "喀什公安局",
        "喀什地区公安局",
    ] {
        let (id, s) = top(&m, q, None);
        assert!(
            id.ends_with("psb") && s >= DEFAULT_THRESHOLD,
            "{q}: {id} {s}"
        );
    }
}

#[test]
fn a_conflicting_division_or_industry_costs() {
    let org = Some(Schema::Company);
    let same = compare_names(
        org,
        "Zhejiang Dahua Technology",
        "Zhejiang Dahua Technology Co Ltd",
    );
    let missing = compare_names(org, "Dahua Technology", "Zhejiang Dahua Technology Co Ltd");
    let other = compare_names(
        org,
        "Shanghai Dahua Technology",
        "Zhejiang Dahua Technology Co Ltd",
    );
    assert!(
        same > missing && missing > other,
        "{same} {missing} {other}"
    );
    assert!(missing >= DEFAULT_THRESHOLD, "{missing}");
    assert!(other < DEFAULT_THRESHOLD, "{other}");
    let trading = compare_names(org, "Zhejiang Dahua Trading", "Zhejiang Dahua Technology");
    assert!(trading < DEFAULT_THRESHOLD, "{trading}");
}

#[test]
fn pinyin_joined_or_split_finds_the_chinese_alias() {
    let m = matcher();
    for q in [
        "haikangweishi",
        "hai kang wei shi",
        "Haikang Weishi",
        "Hangzhou Haikang Weishi",
    ] {
        let (id, s) = top(&m, q, None);
        assert!(
            id.ends_with("hik") && s >= DEFAULT_THRESHOLD,
            "{q}: {id} {s}"
        );
    }
}

#[test]
fn wade_giles_person_names_find_the_pinyin_entry() {
    let m = matcher();
    for q in ["Chen Chuan-kuo", "CH'EN Ch'üan-kuo", "Chen Quan-guo"] {
        let (id, s) = top(&m, q, Some(Schema::Person));
        assert!(
            id.ends_with("chen_q") && s >= DEFAULT_THRESHOLD,
            "{q}: {id} {s}"
        );
    }
}

#[test]
fn russian_palladius_transcription_ranks_the_right_person_first() {
    let m = matcher();
    let hits = screen(&m, "Чэнь Цюаньго", Some(Schema::Person));
    let rank = |k: &str| {
        hits.iter()
            .position(|h| h.entity_id.to_string().ends_with(k))
    };
    let (q, mg) = (rank("chen_q"), rank("chen_m"));
    assert_eq!(q, Some(0), "{hits:?}");
    assert!(
        mg.is_none() || hits[0].score > hits[mg.unwrap()].score,
        "{hits:?}"
    );
    assert!(hits[0].score >= DEFAULT_THRESHOLD, "{hits:?}");
}
