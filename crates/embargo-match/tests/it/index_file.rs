//! The index file (issue 18): the same results as the in-memory index,
//! the same bytes for the same input, and damaged files refused.

use embargo_match::{Algorithm, Hit, IndexError, Matcher, Query, ScreenOptions};
use embargo_model::{Country, Entity, EntityId, Identifier, NameKind, Schema, SourceKind};
use std::sync::Arc;

fn small() -> Vec<Entity> {
    let mut putin = Entity::new(
        EntityId::new("sdn", "1"),
        Schema::Person,
        "sdn",
        "PUTIN, Vladimir Vladimirovich",
    );
    putin.add_name("Владимир Владимирович Путин", NameKind::NativeScript);
    putin.add_name("Vova", NameKind::WeakAlias);
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
    bank.countries.push(Country::from_code("IR").unwrap());
    let mut hik = Entity::new(
        EntityId::new("csl", "3"),
        Schema::Company,
        "csl",
        "Hangzhou Hikvision Digital Technology Co., Ltd.",
    );
    hik.add_name("杭州海康威视数字技术股份有限公司", NameKind::NativeScript);
    let ros = Entity::new(
        EntityId::new("un", "4"),
        Schema::Organization,
        "un",
        "Rosoboronexport",
    );
    vec![putin, bank, hik, ros]
}

fn queries() -> Vec<Query> {
    let mut qs: Vec<Query> = [
        "Vladimir Putin",
        "Путин Владимир",
        "Bank Meli",
        "Hikvision",
        "海康威视",
        "Rasoboronexpert",
        "HDT",
        "Vova",
    ]
    .into_iter()
    .map(Query::name)
    .collect();
    qs.push(Query {
        name: "Unrelated Name".into(),
        identifiers: vec!["MELI IRTH".into()],
        ..Default::default()
    });
    qs
}

fn options() -> Vec<ScreenOptions> {
    let low = ScreenOptions {
        threshold: 0.3,
        limit: 50,
        ..Default::default()
    };
    vec![
        ScreenOptions::default(),
        low.clone(),
        ScreenOptions {
            algorithm: Algorithm::Ofac,
            ..low.clone()
        },
        ScreenOptions {
            datasets: Some(vec!["csl".into()]),
            ..low
        },
    ]
}

fn file_matcher(m: &Matcher) -> Matcher {
    let bytes = m.to_index_file().expect("index file");
    Matcher::open(Arc::new(bytes)).expect("opens")
}

fn assert_same(a: &Matcher, b: &Matcher, qs: &[Query], opts: &[ScreenOptions]) -> usize {
    let mut hits = 0;
    for o in opts {
        for q in qs {
            let x: Vec<Hit> = a.screen(q, o);
            let y: Vec<Hit> = b.screen(q, o);
            assert_eq!(x, y, "query {:?} with {:?}", q.name, o);
            hits += x.len();
        }
    }
    hits
}

#[test]
fn the_file_index_answers_exactly_as_the_memory_index() {
    let mem = Matcher::build(small());
    let file = file_matcher(&mem);
    let hits = assert_same(&mem, &file, &queries(), &options());
    // The comparison is about real hits, not two empty lists.
    assert!(hits > 10, "{hits}");
    assert_eq!(file.len(), 4);
    assert_eq!(file.index_of(&EntityId::new("csl", "3")), Some(2));
    assert_eq!(
        file.get(&EntityId::new("un", "4")).map(|e| e.caption()),
        Some("Rosoboronexport")
    );
    assert_eq!(file.index_of(&EntityId::new("csl", "9")), None);
    assert_eq!(file.entities(), mem.entities());
}

#[test]
fn the_same_entities_give_the_same_bytes() {
    let a = Matcher::build(small()).to_index_file().unwrap();
    let b = Matcher::build(small()).to_index_file().unwrap();
    assert_eq!(a, b);
    // Re-exporting an opened file gives the same bytes again.
    let c = Matcher::open(Arc::new(a.clone()))
        .unwrap()
        .to_index_file()
        .unwrap();
    assert_eq!(a, c);
    // A different list gives different bytes.
    let mut other = small();
    other.pop();
    assert_ne!(a, Matcher::build(other).to_index_file().unwrap());
}

#[test]
fn damaged_or_foreign_files_are_refused() {
    let good = Matcher::build(small()).to_index_file().unwrap();
    let mut bad = good.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x40;
    assert_eq!(
        Matcher::open(Arc::new(bad)).err(),
        Some(IndexError::Checksum)
    );
    let mut cut = good.clone();
    cut.truncate(good.len() - 10);
    assert!(matches!(
        Matcher::open(Arc::new(cut)).err(),
        Some(IndexError::Length { .. })
    ));
    // A valid envelope without the matcher's sections.
    let empty = embargo_match::index::write(&[("x", b"y")]);
    let err = Matcher::open(Arc::new(empty)).err().unwrap();
    assert!(err.to_string().contains("no section m."), "{err}");
}

/// CSL 2022-05 + SDN 2024-05-03 + UN 2026-02 (the benchmark set), with
/// queries from the evaluation sets and perturbed list names.
#[test]
fn official_lists_and_eval_queries_give_identical_results() {
    let mut entities = Vec::new();
    for (rel, kind) in [
        (
            "data/lists/us_csl/2022-05/consolidated.csv",
            SourceKind::TradeCsl,
        ),
        (
            "data/lists/ofac_sdn/2024-05-03/sdn.csv",
            SourceKind::OfacSdn,
        ),
        (
            "data/lists/un/2026-02/UN_consolidated.xml",
            SourceKind::UnSc,
        ),
    ] {
        let Some(p) = embargo_testkit::shared_file(rel) else {
            return;
        };
        entities.extend(
            embargo_sources::parse_path(&p, Some(kind))
                .unwrap()
                .entities,
        );
    }
    let mem = Matcher::build(entities);
    let file = file_matcher(&mem);
    let mut qs: Vec<Query> = Vec::new();
    // Listed names, every 37th, as written, with a letter dropped, and
    // with their words reversed.
    for e in mem.entities().iter().step_by(37) {
        let n = e.caption().to_string();
        let mut dropped = n.clone();
        if dropped.len() > 6 && dropped.is_char_boundary(3) && dropped.is_char_boundary(4) {
            dropped.remove(3);
        }
        let reversed: Vec<&str> = n.split_whitespace().rev().collect();
        qs.push(Query {
            schema: Some(e.schema),
            ..Query::name(n.clone())
        });
        qs.push(Query::name(dropped));
        qs.push(Query::name(reversed.join(" ")));
    }
    for rel in [
        "eval/yente/positives_un_untreated.csv",
        "eval/yente/negatives_us.csv",
    ] {
        let Some(p) = embargo_testkit::shared_file(rel) else {
            return;
        };
        let mut r = csv::Reader::from_path(p).unwrap();
        for row in r.records().take(400) {
            qs.push(Query::name(row.unwrap()[0].to_string()));
        }
    }
    for rel in [
        "eval/transliteration/wd_chinese_20.dev.tsv",
        "eval/transliteration/wd_russian_20.dev.tsv",
    ] {
        let Some(p) = embargo_testkit::shared_file(rel) else {
            return;
        };
        for line in std::fs::read_to_string(p).unwrap().lines().take(150) {
            let mut cols = line.split('\t');
            let (Some(latin), Some(native)) = (cols.next(), cols.next()) else {
                continue;
            };
            qs.push(Query::name(latin));
            qs.push(Query::name(native.replace(' ', "")));
        }
    }
    let opts = [
        ScreenOptions::default(),
        ScreenOptions {
            threshold: 0.5,
            limit: 30,
            ..Default::default()
        },
    ];
    let hits = assert_same(&mem, &file, &qs, &opts);
    assert!(
        qs.len() > 3000 && hits > 3000,
        "{} queries, {hits} hits",
        qs.len()
    );
    let ofac = ScreenOptions {
        algorithm: Algorithm::Ofac,
        threshold: 0.9,
        ..Default::default()
    };
    // OFAC mode scores every alias on the lists for every query (about a
    // second a query here in the test profile), so each query already
    // walks the whole file: 40 queries spread over every query source
    // compare every form, at a tenth of the time 300 took in CI.
    let spread: Vec<Query> = qs.iter().step_by(qs.len() / 40).cloned().collect();
    let ofac_hits = assert_same(&mem, &file, &spread, &[ofac]);
    assert!(
        ofac_hits > 10,
        "{ofac_hits} OFAC-mode hits on {} queries",
        spread.len()
    );
}

/// The scale benchmark's generator at a size CI affords: the planted
/// targets are found as often through the file as in memory (the same
/// hits, query by query), and often enough that the comparison means
/// something.
#[test]
fn synthetic_list_planted_recall_is_the_same_through_the_file() {
    use embargo_testkit::synth;
    let list = synth::entries(20_000, 18);
    let planted = synth::planted(&list, 400, 18);
    let entities = crate::stream_build::synth_entities(&list);
    let mem = Matcher::build(entities);
    let file = file_matcher(&mem);
    let o = ScreenOptions::default();
    let mut found = [0usize; 2];
    for p in &planted {
        let q = Query::name(&p.query);
        let (a, b) = (mem.screen(&q, &o), file.screen(&q, &o));
        assert_eq!(a, b, "{:?}", p.query);
        let target = format!("synth:{}", p.target);
        for (i, hits) in [&a, &b].into_iter().enumerate() {
            if hits.iter().any(|h| h.entity_id.as_str() == target) {
                found[i] += 1;
            }
        }
    }
    assert_eq!(found[0], found[1]);
    assert!(
        found[0] * 100 >= planted.len() * 80,
        "recall {}/{}",
        found[0],
        planted.len()
    );
}
