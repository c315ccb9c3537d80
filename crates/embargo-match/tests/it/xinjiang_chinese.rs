//! RULES.md §1.5: the Chinese names of the Xinjiang-related Entity List
//! firms, and their pinyin, find the English list entries at rank 1.
//! Entities are constructed here (English primary name, Chinese alias where
//! the test says so), as the store holds them once the pack is loaded.

use embargo_match::{Matcher, Query, ScreenOptions, DEFAULT_THRESHOLD};
use embargo_model::{Entity, EntityId, NameKind, Schema};

fn org(key: &str, name: &str, aliases: &[&str]) -> Entity {
    let mut e = Entity::new(
        EntityId::new("test_el", key),
        Schema::Organization,
        "test_el",
        name,
    );
    for a in aliases {
        e.add_name(a, NameKind::Alias);
    }
    e
}

fn matcher() -> Matcher {
    Matcher::build(vec![
        org(
            "hik",
            "Hangzhou Hikvision Digital Technology Co., Ltd.",
            &["杭州海康威视数字技术股份有限公司", "Hikvision"],
        ),
        org(
            "dahua",
            "Zhejiang Dahua Technology Co., Ltd.",
            &["浙江大华技术股份有限公司"],
        ),
        org("iflytek", "IFLYTEK Co., Ltd.", &["科大讯飞股份有限公司"]),
        org(
            "megvii",
            "Beijing Megvii Technology Co., Ltd.",
            &["北京旷视科技有限公司"],
        ),
        // No Chinese alias: the query's term translation must do the work.
        org(
            "xpcc",
            "Xinjiang Production and Construction Corps",
            &["XPCC"],
        ),
        org(
            "psb",
            "Xinjiang Uighur Autonomous Region People's Government Public Security Department",
            &["新疆维吾尔自治区公安厅"],
        ),
        org(
            "hoshine",
            "Hoshine Silicon Industry (Shanshan) Co., Ltd.",
            &["合盛硅业(鄯善)有限公司"],
        ),
        org(
            "hik_moyu",
            "Moyu Haishi Electronic Technology Co., Ltd.",
            &[],
        ),
        org("decoy", "Hangzhou Trading Co., Ltd.", &["杭州贸易有限公司"]),
    ])
}

fn top(m: &Matcher, q: &str) -> (String, f64) {
    let hits = m.screen(&Query::name(q), &ScreenOptions::default());
    let h = hits
        .first()
        .unwrap_or_else(|| panic!("no hit at all for {q:?}"));
    (h.entity_id.to_string(), h.score)
}

#[test]
fn chinese_names_and_pinyin_find_the_listed_firm_first() {
    let m = matcher();
    let cases = [
        ("海康威视", "test_el:hik"),
        ("hangzhou haikang weishi", "test_el:hik"),
        (
            "Hangzhou Haikang Weishi Shuzi Jishu Gufen Youxian Gongsi",
            "test_el:hik",
        ),
        ("Hikvision", "test_el:hik"),
        ("杭州海康威视数字技术股份有限公司", "test_el:hik"),
        ("新疆生产建设兵团", "test_el:xpcc"),
        ("浙江大华技术股份有限公司", "test_el:dahua"),
        ("大华技术", "test_el:dahua"),
        ("科大讯飞", "test_el:iflytek"),
        ("北京旷视科技有限公司", "test_el:megvii"),
        ("新疆维吾尔自治区公安厅", "test_el:psb"),
        ("合盛硅业(鄯善)有限公司", "test_el:hoshine"),
    ];
    for (q, want) in cases {
        let (got, score) = top(&m, q);
        assert_eq!(got, want, "query {q:?}");
        assert!(score >= DEFAULT_THRESHOLD, "query {q:?} scored {score}");
    }
}

#[test]
fn the_brand_in_one_pinyin_word_ranks_the_firm_first() {
    // One word against a ten-word list name stays under the threshold (the
    // list name says much more), but the firm must still come first.
    let m = matcher();
    let o = ScreenOptions {
        threshold: 0.0,
        ..Default::default()
    };
    let hits = m.screen(&Query::name("Haikangweishi"), &o);
    assert_eq!(hits[0].entity_id.as_str(), "test_el:hik", "{hits:?}");
    assert!(hits[0]
        .explanation
        .tokens
        .iter()
        .any(|t| t.list == "hai kang wei shi"));
}

#[test]
fn the_explanation_shows_the_romanised_forms_and_token_pairs() {
    let m = matcher();
    let hits = m.screen(
        &Query::name("hangzhou haikang weishi"),
        &ScreenOptions::default(),
    );
    let ex = &hits[0].explanation;
    assert_eq!(ex.matched_alias, "杭州海康威视数字技术股份有限公司");
    assert!(
        ex.tokens
            .iter()
            .any(|t| t.query == "haikang" && t.list == "hai kang"),
        "{ex:?}"
    );
    let text = ex.to_text();
    assert!(text.contains("'haikang' ~ 'hai kang'"), "{text}");
    let json = serde_json::to_value(&hits[0]).unwrap();
    assert_eq!(
        json["explanation"]["matched_alias"],
        "杭州海康威视数字技术股份有限公司"
    );
}

#[test]
fn an_unrelated_hangzhou_company_is_not_hikvision() {
    let m = matcher();
    let hits = m.screen(&Query::name("杭州贸易有限公司"), &ScreenOptions::default());
    assert_eq!(hits[0].entity_id.as_str(), "test_el:decoy");
    assert!(
        hits.iter().all(|h| h.entity_id.as_str() != "test_el:hik"),
        "{hits:?}"
    );
}
