//! Issue 11: trade names that firms chose themselves are learnt from the
//! bilingual aliases of the loaded entities, never written per firm. One
//! record says "Nanjing Fenghuo Xingkong Communication Development Co." and
//! "Nanjing FiberHome Starrysky Communication Development Co."; another
//! (no Chinese or pinyin alias at all) is "FiberHome Technologies Group":
//! 烽火科技集团有限公司 finds the second through the pair fenghuo =
//! fiberhome learnt from the first.

use embargo_match::{Matcher, Query, ScreenOptions, DEFAULT_THRESHOLD};
use embargo_model::{Entity, EntityId, NameKind, Schema};
use std::sync::Arc;

fn org(ds: &str, key: &str, names: &[&str]) -> Entity {
    let mut e = Entity::new(EntityId::new(ds, key), Schema::Organization, ds, names[0]);
    for n in &names[1..] {
        e.add_name(n, NameKind::Alias);
    }
    e
}

fn entities() -> Vec<Entity> {
    vec![
        org(
            "el",
            "starrysky",
            &[
                "Nanjing FiberHome Starrysky Communication Development Co.",
                "Nanjing Fenghuo Xingkong Communication Development Co.",
            ],
        ),
        org("el", "group", &["FiberHome Technologies Group"]),
        org("other", "ktk", &["KTK Group", "Jiangsu Jinchuang Group"]),
        org("el", "decoy", &["Beijing Feng Technology Co., Ltd."]),
    ]
}

fn top(m: &Matcher, q: &str, o: &ScreenOptions) -> Option<embargo_match::Hit> {
    m.screen(&Query::name(q), o).into_iter().next()
}

#[test]
fn a_chinese_trade_name_finds_the_record_spelt_with_the_learnt_latin_one() {
    let m = Matcher::build(entities());
    let o = ScreenOptions::default();
    let h = top(&m, "烽火科技集团有限公司", &o).expect("a hit");
    assert_eq!(h.entity_id.as_str(), "el:group");
    assert!(h.score >= DEFAULT_THRESHOLD, "{}", h.score);
    let note = h.explanation.lexicon.join(" ");
    assert!(
        note.contains("fenghuo = fiberhome") && note.contains("el:starrysky"),
        "the explanation names the pair and its record: {note:?}"
    );
    assert!(h
        .explanation
        .to_text()
        .contains("read with the trade name fenghuo = fiberhome"));
    // Pinyin as an analyst types it, and another record's pair.
    let h = top(&m, "Fenghuo Technologies Group", &o).expect("a hit");
    assert_eq!(h.entity_id.as_str(), "el:group");
    let h = top(&m, "今创集团股份有限公司", &o).expect("a hit");
    assert_eq!(h.entity_id.as_str(), "other:ktk");
}

#[test]
fn pairs_come_only_from_the_datasets_screened() {
    let m = Matcher::build(entities());
    // KTK's pair was learnt from dataset "other": a screen of "el" alone
    // does not read 今创 as KTK.
    let only_el = ScreenOptions {
        datasets: Some(vec!["el".into()]),
        threshold: 0.0,
        ..Default::default()
    };
    let hits = m.screen(&Query::name("今创集团股份有限公司"), &only_el);
    assert!(
        hits.iter().all(|h| h.explanation.lexicon.is_empty()),
        "{hits:?}"
    );
    // A screen of "other" alone cannot use FiberHome's pair from "el".
    let only_other = ScreenOptions {
        datasets: Some(vec!["other".into()]),
        threshold: 0.0,
        ..Default::default()
    };
    let hits = m.screen(&Query::name("烽火科技集团有限公司"), &only_other);
    assert!(
        hits.iter().all(|h| h.explanation.lexicon.is_empty()),
        "{hits:?}"
    );
}

#[test]
fn nothing_is_learnt_without_a_bilingual_record() {
    // Without the Starrysky record nobody says that Fenghuo is FiberHome.
    let mut es = entities();
    es.remove(0);
    let m = Matcher::build(es);
    let o = ScreenOptions::default();
    let hits = m.screen(&Query::name("烽火科技集团有限公司"), &o);
    assert!(
        hits.iter().all(|h| h.entity_id.as_str() != "el:group"),
        "{hits:?}"
    );
    // A person's names teach nothing.
    let mut p = org("el", "p", &["Zhang Wei", "Benny Zhang"]);
    p.schema = Schema::Person;
    let m = Matcher::build(vec![p, org("el", "b", &["Benny Trading"])]);
    let hits = m.screen(&Query::name("张伟贸易"), &ScreenOptions::default());
    assert!(
        hits.iter().all(|h| h.explanation.lexicon.is_empty()),
        "{hits:?}"
    );
}

#[test]
fn the_index_file_answers_with_the_same_lexicon() {
    let mem = Matcher::build(entities());
    let file = Matcher::open(Arc::new(mem.to_index_file().unwrap())).unwrap();
    let o = ScreenOptions::default();
    for q in [
        "烽火科技集团有限公司",
        "今创集团股份有限公司",
        "Fenghuo Group",
    ] {
        let a = mem.screen(&Query::name(q), &o);
        let b = file.screen(&Query::name(q), &o);
        assert_eq!(a.len(), b.len(), "{q}");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.entity_id, y.entity_id, "{q}");
            assert_eq!(x.score, y.score, "{q}");
            assert_eq!(x.explanation.lexicon, y.explanation.lexicon, "{q}");
        }
    }
    let streamed =
        embargo_match::index::index_sections_streamed(entities().into_iter(), &|_, _| {}).unwrap();
    let lex = |s: &[(String, Vec<u8>)]| {
        s.iter()
            .find(|(n, _)| n == "m.lexicon")
            .map(|(_, b)| b.clone())
            .expect("an m.lexicon section")
    };
    let built = mem.index_sections().unwrap();
    assert_eq!(lex(&streamed), lex(&built));
    assert!(!lex(&built).is_empty());
}
