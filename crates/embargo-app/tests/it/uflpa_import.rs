//! The DHS UFLPA Entity List imported through the production path
//! (`import_file` → store → `Snapshot`) decides UFLPA by each entry's
//! effective date and clause (issue 12 item 5). The page is the
//! hand-written fixture of `embargo-sources` in the dhs.gov structure.

use embargo_app::{import_file, ImportOptions, Snapshot};
use embargo_rules::{parse_transaction, Finding, Measure, Outcome};
use embargo_store::Store;
use std::path::PathBuf;

fn page() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../embargo-sources/tests/fixtures/uflpa_page.html")
}

fn uflpa(snapshot: &Snapshot, date: &str, producer: &str, context: &str) -> Finding {
    let tx = format!(
        r#"{{"date":"{date}","flow":"import","actor":{{"us_person":true}},"destination":"US",
        "item":{{"description":"laser printer cartridges","origin":"VN","tags":[]}},"inputs":[],
        "parties":[{{"role":"manufacturer","name":"{producer}","country":"CN"}}],"context":{context}}}"#
    );
    let tx = parse_transaction(&tx).unwrap();
    let d = snapshot.engine().decide(&tx);
    let mut f: Vec<Finding> = d
        .findings
        .into_iter()
        .filter(|f| f.measure == Measure::Uflpa)
        .collect();
    assert_eq!(f.len(), 1);
    f.remove(0)
}

#[test]
fn an_imported_dhs_page_decides_by_effective_date_and_clause() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let opts = ImportOptions {
        published: Some("2025-01-20".parse().unwrap()),
        ..ImportOptions::default()
    };
    let report = import_file(&store, &page(), &opts).unwrap();
    assert_eq!(report.version.dataset, "us_dhs_uflpa");
    let snapshot = Snapshot::load(Some(&store)).unwrap();
    let traced = r#"{"supply_chain_tracing":"complete"}"#;

    // On and after the effective date: presumed prohibited, citing the
    // clause and the imported version.
    let f = uflpa(
        &snapshot,
        "2024-03-01",
        "Zhuhai Pantum Electronics Co., Ltd.",
        traced,
    );
    assert_eq!(f.outcome, Outcome::PresumedProhibited, "{f:#?}");
    assert!(
        f.citations.iter().any(|c| c.contains("2(d)(2)(B)(ii)")),
        "{:?}",
        f.citations
    );
    assert!(
        f.evidence
            .iter()
            .any(|e| e.entity_id.starts_with("us_dhs_uflpa:")),
        "{:?}",
        f.evidence
    );

    // Before it: never presumed through this entry, never a silent clear
    // either (the stored list starts in 2025, so the day is reviewed or
    // the finding says the entry was listed later).
    let f = uflpa(
        &snapshot,
        "2023-06-08",
        "Zhuhai Pantum Electronics Co., Ltd.",
        traced,
    );
    assert_ne!(f.outcome, Outcome::PresumedProhibited, "{f:#?}");
    assert!(
        f.reasons.iter().any(|r| r.contains("Zhuhai Pantum")),
        "the finding names the entry it set aside: {:?}",
        f.reasons
    );
}
