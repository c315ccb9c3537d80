//! Consolidation with the official lists loaded (issue 10, "Done when"):
//! CSL 2022-05 + SDN 2024-05-03 + UN 2026-02 from `../shared` imported into
//! a temporary data directory, the regime pack always screened and merged
//! into the official records it duplicates. Skips with a printed reason
//! when the files are absent.

use embargo_app::{import_file, ImportOptions, ScreenRequest, ScreenResult, Snapshot};
use embargo_match::{Query, ScreenOptions};
use embargo_model::{EntityId, NameKind};
use embargo_rules::{parse_transaction, Measure};
use embargo_store::Store;
use std::sync::OnceLock;
use std::time::Instant;

const LISTS: &[&str] = &[
    "data/lists/us_csl/2022-05/consolidated.csv",
    "data/lists/ofac_sdn/2024-05-03/sdn.csv",
    "data/lists/un/2026-02/UN_consolidated.xml",
];

struct Fixture {
    _dir: tempfile::TempDir,
    snapshot: Snapshot,
}

fn fixture() -> Option<&'static Fixture> {
    static FIX: OnceLock<Option<Fixture>> = OnceLock::new();
    FIX.get_or_init(|| {
        let mut files = vec![];
        for rel in LISTS {
            files.push(embargo_testkit::shared_file(rel)?);
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("store opens");
        for path in files {
            import_file(&store, &path, &ImportOptions::default())
                .unwrap_or_else(|e| panic!("importing {}: {e}", path.display()));
        }
        let t = Instant::now();
        let snapshot = Snapshot::load(Some(&store)).expect("snapshot builds");
        eprintln!(
            "snapshot with CSL + SDN + UN + pack: {:?}, {} linked subjects, {} links",
            t.elapsed(),
            snapshot.subjects.linked_subjects(),
            snapshot.subjects.links.len()
        );
        Some(Fixture {
            _dir: dir,
            snapshot,
        })
    })
    .as_ref()
}

fn screen(f: &Fixture, name: &str) -> Vec<ScreenResult> {
    f.snapshot.screen(&ScreenRequest {
        query: Query {
            name: name.into(),
            ..Default::default()
        },
        options: ScreenOptions::default(),
        as_of: None,
    })
}

/// Whether a row is the subject holding `id`.
fn holds(row: &ScreenResult, id: &EntityId) -> bool {
    &row.entity_id == id || row.records.iter().any(|r| &r.entity_id == id)
}

#[test]
fn every_pack_name_finds_its_subject_first_even_in_chinese() {
    let Some(f) = fixture() else { return };
    let mut misses = vec![];
    let mut names = 0;
    for e in embargo_pack::entities() {
        for n in e.names.iter().filter(|n| n.kind != NameKind::WeakAlias) {
            names += 1;
            let rows = screen(f, &n.value);
            if !rows.first().is_some_and(|r| holds(r, &e.id)) {
                misses.push(format!(
                    "{} ({}): top is {:?}",
                    n.value,
                    e.id,
                    rows.first().map(|r| (&r.entity_id, r.score))
                ));
            }
        }
    }
    assert!(names > 300, "only {names} pack names");
    assert!(
        misses.is_empty(),
        "{} of {names} names miss:\n{}",
        misses.len(),
        misses.join("\n")
    );
}

#[test]
fn chinese_names_bring_the_official_entity_list_record() {
    let Some(f) = fixture() else { return };
    for q in ["海康威视", "浙江大华技术股份有限公司", "科大讯飞"] {
        let rows = screen(f, q);
        let top = rows.first().unwrap_or_else(|| panic!("{q}: nothing"));
        assert!(
            top.records.iter().any(|r| r.source == "us_trade_csl"
                && r.list.as_deref().unwrap_or("").contains("Entity List")),
            "{q}: the official EL record is not under the subject: {:#?}",
            top.records
        );
    }
}

#[test]
fn one_row_per_party_and_one_finding_per_measure() {
    let Some(f) = fixture() else { return };
    let rows = screen(f, "Hangzhou Hikvision Digital Technology Co., Ltd.");
    let hik = rows
        .iter()
        .filter(|r| r.caption.to_lowercase().contains("hikvision"))
        .count();
    assert_eq!(hik, 1, "{rows:#?}");
    for party in [
        "Hangzhou Hikvision Digital Technology Co., Ltd.",
        "Huawei Technologies Co., Ltd.",
        "Xinjiang Production and Construction Corps",
    ] {
        let tx = format!(
            r#"{{"date":"2026-11-01","flow":"export","actor":{{"us_person":true,"country":"US"}},
               "destination":"CN","item":{{"eccn":"EAR99","us_origin":true}},
               "parties":[{{"role":"end_user","name":"{party}","country":"CN"}}]}}"#
        );
        let tx = parse_transaction(&tx).unwrap_or_else(|e| panic!("{e}"));
        let d = f.snapshot.engine().decide(&tx);
        for m in [Measure::EarEntityList, Measure::OfacSdn] {
            let n = d.findings.iter().filter(|x| x.measure == m).count();
            assert!(n <= 1, "{party}: {n} findings for {m:?}: {d:#?}");
        }
    }
}

/// The official datasets only: the screen a user runs with `--dataset`.
const OFFICIAL: &[&str] = &["us_trade_csl", "us_ofac_sdn", "un_sc_sanctions"];

fn screen_official(f: &Fixture, name: &str, as_of: Option<chrono::NaiveDate>) -> Vec<ScreenResult> {
    f.snapshot.screen(&ScreenRequest {
        query: Query {
            name: name.into(),
            ..Default::default()
        },
        options: ScreenOptions {
            datasets: Some(OFFICIAL.iter().map(|d| d.to_string()).collect()),
            ..Default::default()
        },
        as_of,
    })
}

/// The brief's first trust failure: with the pack switched off by
/// `--dataset`, the Chinese names of listed firms found nothing, because
/// only the pack spells them. The pack's names keep reaching the official
/// records they are linked to, and the row says so (`via`); nothing from a
/// dataset left out is shown.
#[test]
fn pack_names_reach_the_official_records_when_the_pack_is_left_out() {
    let Some(f) = fixture() else { return };
    let snap = &f.snapshot;
    let datasets: Vec<String> = snap.default_datasets.clone();
    for d in OFFICIAL {
        assert!(
            datasets.iter().any(|x| x == d),
            "{d} not loaded: {datasets:?}"
        );
    }
    let (mut names, mut misses) = (0, vec![]);
    for e in embargo_pack::entities() {
        let index = snap
            .matcher
            .index_of(&e.id)
            .expect("pack record in the index");
        let official: Vec<EntityId> = snap
            .subjects
            .members_of(index)
            .into_iter()
            .map(|i| snap.matcher.entity(i).id.clone())
            .filter(|id| !id.0.starts_with(embargo_pack::DATASET))
            .collect();
        if official.is_empty() {
            continue;
        }
        for n in e.names.iter().filter(|n| n.kind != NameKind::WeakAlias) {
            names += 1;
            let rows = screen_official(f, &n.value, None);
            assert!(
                rows.iter().all(|r| OFFICIAL.contains(&r.source.as_str())),
                "{}: a row from a dataset left out: {rows:#?}",
                n.value
            );
            if !rows
                .first()
                .is_some_and(|r| official.iter().any(|id| holds(r, id)))
            {
                misses.push(format!(
                    "{} ({}): top {:?}",
                    n.value,
                    e.id,
                    rows.first().map(|r| (&r.entity_id, r.score))
                ));
            }
        }
    }
    assert!(names > 100, "only {names} names of linked pack records");
    assert!(
        misses.is_empty(),
        "{} of {names} miss:\n{}",
        misses.len(),
        misses.join("\n")
    );

    for q in ["海康威视", "北京旷视科技有限公司", "科大讯飞股份有限公司"] {
        let rows = screen_official(f, q, None);
        let top = rows
            .first()
            .unwrap_or_else(|| panic!("{q}: nothing with the pack left out"));
        let via = top
            .via
            .as_deref()
            .unwrap_or_else(|| panic!("{q}: no `via`: {top:#?}"));
        assert!(via.contains(embargo_pack::DATASET), "{via}");
        // A dated screen relays the same way.
        let day = chrono::NaiveDate::from_ymd_opt(2022, 6, 1).unwrap();
        let dated = screen_official(f, q, Some(day));
        assert!(
            dated
                .first()
                .is_some_and(|r| r.entity_id == top.entity_id && r.via.is_some()),
            "{q} as of {day}: {dated:#?}"
        );
    }
    // A Chinese name no pack record knows still finds nothing.
    assert!(screen_official(f, "中国工商银行股份有限公司", None).is_empty());
}

/// Relayed pack hits must not take the places of screened records: with
/// the pack left out, names many pack records share give, at every limit,
/// the first rows of the long screen (no official row pushed out).
#[test]
fn pack_hits_do_not_crowd_out_official_rows() {
    let Some(f) = fixture() else { return };
    let official: Vec<String> = OFFICIAL.iter().map(|d| d.to_string()).collect();
    let screen_at = |name: &str, limit: usize| {
        f.snapshot.screen(&ScreenRequest {
            query: Query {
                name: name.into(),
                ..Default::default()
            },
            options: ScreenOptions {
                datasets: Some(official.clone()),
                limit,
                threshold: 0.5,
                ..Default::default()
            },
            as_of: None,
        })
    };
    let ids = |r: &[ScreenResult]| r.iter().map(|x| x.entity_id.clone()).collect::<Vec<_>>();
    let mut checked = 0;
    for name in [
        "Public Security Bureau",
        "公安局",
        "Xinjiang Public Security Bureau",
    ] {
        let many = screen_at(name, 100);
        for limit in [1, 2, 5, 10, 15].into_iter().filter(|&l| l <= many.len()) {
            let rows = screen_at(name, limit);
            assert_eq!(ids(&rows), ids(&many[..limit]), "{name}, limit {limit}");
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} limits checked");
}
