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
