//! Issue 11: a Han name reaches a Latin name only through aligned pinyin
//! syllables covering most of both names. One shared syllable, or a
//! near spelling of another syllable (jiang / kang, qian / jian), is no
//! match; the same syllables in pinyin, joined or in Wade-Giles are.

use embargo_match::{compare_names, Matcher, Query, ScreenOptions, DEFAULT_THRESHOLD};
use embargo_model::{Entity, EntityId, Schema};

const P: Option<Schema> = Some(Schema::Person);

#[test]
fn one_shared_syllable_is_no_match() {
    let t = DEFAULT_THRESHOLD;
    let pairs = [
        // (query, list name) with the score before this rule
        ("大华股份", "HARAKAT UL-MUJAHIDIN"), // 0.81
        ("姚伟", "WEI, Jiao"),                // 1.00 (yao ~ jiao)
        ("史伟", "WEI, Su"),                  // 0.90 (shi ~ su)
        ("冯小明", "ZHANG, Xiaoming"),        // 0.86
        ("程德明", "MING CHUNG"),             // 0.91
        ("张倩", "ZHANG, Jian"),              // 0.90 (qian ~ jian)
        ("郑国强", "ZHENG, Guanghua"),        // 0.91 (guoqiang ~ guanghua)
        ("沈斌", "Charlie Shen"),             // bin read as a particle
        ("美的集团", "MAEI"),                 // 0.83
        ("得力集团有限公司", "PEARL LI"),
        ("大华股份", "HUA"), // 0.81 (da read as a particle)
    ];
    for (q, a) in pairs {
        for schema in [None, P, Some(Schema::Company)] {
            let s = compare_names(schema, q, a);
            assert!(s < t, "{q} / {a} ({schema:?}): {s}");
        }
    }
}

#[test]
fn the_same_syllables_match_in_any_romanisation() {
    let pairs = [
        ("陈全国", "CHEN Quanguo", 0.95),
        ("陈全国", "Chen Quan-guo", 0.95),
        ("陈全国", "Chen Chuan-kuo", 0.75), // Wade-Giles
        ("习近平", "Hsi Chin-ping", 0.75),
        ("张伟", "Chang Wei", 0.75),        // Wade-Giles without marks
        ("王小明", "Wang Xiaoming", 0.95),  // joined given name
        ("海康威视", "Haikangweishi", 0.9), // joined pinyin
    ];
    for (q, a, min) in pairs {
        let s = compare_names(P, q, a);
        assert!(s >= min, "{q} / {a}: {s} < {min}");
        // And from the Latin side.
        let s = compare_names(P, a, q);
        assert!(s >= min, "{a} / {q}: {s} < {min}");
    }
}

#[test]
fn dahua_stock_name_does_not_hit_harakat_ul_mujahidin_when_screened() {
    let m = Matcher::build(vec![Entity::new(
        EntityId::new("t", "hum"),
        Schema::Organization,
        "t",
        "HARAKAT UL-MUJAHIDIN",
    )]);
    let hits = m.screen(&Query::name("大华股份"), &ScreenOptions::default());
    assert!(hits.is_empty(), "{hits:?}");
}
