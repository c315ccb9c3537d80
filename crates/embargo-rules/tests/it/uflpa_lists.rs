//! UFLPA (docs/rules/uflpa.md U2) on imported lists: the DHS page and its
//! CSV form parsed by `embargo-sources`, and OpenSanctions' `us_dhs_uflpa`
//! FtM export. Each listing counts from its own effective date and clause.

use embargo_model::{Entity, SourceKind};
use embargo_rules::{parse_transaction, Decision, Measure, Outcome};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../embargo-sources/tests/fixtures")
        .join(name)
}

fn parsed(name: &str, kind: SourceKind) -> Vec<Entity> {
    embargo_sources::parse_path(&fixture(name), Some(kind))
        .unwrap()
        .entities
}

fn import(listings: Vec<Entity>, date: &str, producer: &str, context: &str) -> Decision {
    let engine = embargo_rules::testing::engine(listings, "uflpa-test-v1");
    let json = format!(
        r#"{{"date":"{date}","flow":"import","actor":{{"us_person":true}},"destination":"US",
        "item":{{"description":"goods","origin":"VN","tags":[]}},"inputs":[],
        "parties":[{{"role":"manufacturer","name":"{producer}","country":"VN"}}],"context":{context}}}"#
    );
    let tx = parse_transaction(&json).unwrap();
    engine.decide(&tx)
}

fn uflpa(d: &Decision) -> &embargo_rules::Finding {
    let f: Vec<_> = d
        .findings
        .iter()
        .filter(|f| f.measure == Measure::Uflpa)
        .collect();
    assert_eq!(f.len(), 1, "{:#?}", d.findings);
    f[0]
}

#[test]
fn a_listing_from_the_dhs_page_applies_from_its_effective_date_with_its_clause() {
    let page = parsed("uflpa_page.html", SourceKind::DhsUflpa);
    let traced = r#"{"supply_chain_tracing":"complete"}"#;
    // A producer outside Xinjiang by name, so only the listing can raise
    // the presumption (a "Xinjiang …" producer is U1 by itself).
    let producer = "Ninestar Corporation";

    let d = import(page.clone(), "2023-06-09", producer, traced);
    let f = uflpa(&d);
    assert_eq!(f.outcome, Outcome::PresumedProhibited);
    assert!(
        f.citations.iter().any(|c| c.contains("2(d)(2)(B)(ii)")),
        "{:?}",
        f.citations
    );
    assert!(
        f.reasons
            .iter()
            .any(|r| r.contains("in effect since 2023-06-09")),
        "{:?}",
        f.reasons
    );

    // The day before: not presumed prohibited through this entry, and the
    // finding says why.
    let d = import(page.clone(), "2023-06-08", producer, traced);
    let f = uflpa(&d);
    assert_eq!(f.outcome, Outcome::NotApplicable);
    assert!(
        f.reasons
            .iter()
            .any(|r| r.contains("does not raise the presumption")),
        "{:?}",
        f.reasons
    );

    // Without tracing, the day before stays a review, never a clear.
    let d = import(page.clone(), "2023-06-08", producer, "{}");
    assert_eq!(uflpa(&d).outcome, Outcome::NeedsReview);

    // An alias from the name cell finds the entry too, with its clause.
    let d = import(page, "2025-02-01", "Hollin Hair Accessories", traced);
    let f = uflpa(&d);
    assert_eq!(f.outcome, Outcome::PresumedProhibited);
    assert!(f.citations.iter().any(|c| c.contains("2(d)(2)(B)(i)")));
}

#[test]
fn a_named_subsidiary_is_listed_from_the_row_date() {
    let page = parsed("uflpa_page.html", SourceKind::DhsUflpa);
    let traced = r#"{"supply_chain_tracing":"complete"}"#;
    let p = "Zhuhai Pantum Electronics Co., Ltd.";
    assert_eq!(
        uflpa(&import(page.clone(), "2023-06-09", p, traced)).outcome,
        Outcome::PresumedProhibited
    );
    assert_eq!(
        uflpa(&import(page, "2023-06-08", p, traced)).outcome,
        Outcome::NotApplicable
    );
}

#[test]
fn the_csv_form_cites_its_notice_clause() {
    let rows = parsed("uflpa.csv", SourceKind::DhsUflpa);
    let d = import(
        rows,
        "2024-09-01",
        "Kashgar Construction Engineering (Group) Co., Ltd.",
        "{}",
    );
    let f = uflpa(&d);
    assert_eq!(f.outcome, Outcome::PresumedProhibited);
    assert!(f.citations.iter().any(|c| c.contains("2(d)(2)(B)(ii)")));
}

#[test]
fn the_opensanctions_ftm_form_is_a_uflpa_listing_dated_by_its_sanction() {
    let ftm = parsed("uflpa_ftm.json", SourceKind::Ftm);
    assert_eq!(
        ftm[0].dataset, "ftm",
        "imported under the generic FtM dataset"
    );
    let traced = r#"{"supply_chain_tracing":"complete"}"#;
    let p = "Jiangsu Test Wool Textile Co., Ltd.";
    let f = import(ftm.clone(), "2023-09-26", p, traced);
    let f = uflpa(&f);
    assert_eq!(f.outcome, Outcome::PresumedProhibited);
    assert!(
        f.citations.iter().any(|c| c.contains("2(d)(2)(B)(ii)")),
        "{:?}",
        f.citations
    );
    let f = import(ftm, "2023-09-25", p, traced);
    assert_eq!(uflpa(&f).outcome, Outcome::NotApplicable);
}

/// The Esquel entries of the pack (DHS, effective 2024-11-01) on both
/// sides of their effective date.
#[test]
fn pack_esquel_entries_apply_from_2024_11_01() {
    let pack = embargo_pack::entities().to_vec();
    let traced = r#"{"supply_chain_tracing":"complete"}"#;
    for producer in [
        "Guangdong Esquel Textile Co., Ltd.",
        "Esquel Group",
        "Turpan Esquel Textile Co., Ltd.",
    ] {
        let d = import(pack.clone(), "2024-10-31", producer, traced);
        // Turpan is in Xinjiang: U1 by name, whatever the list says.
        if !producer.starts_with("Turpan") {
            assert_ne!(
                uflpa(&d).outcome,
                Outcome::PresumedProhibited,
                "{producer} before its listing: {:#?}",
                d.findings
            );
        }
        let d = import(pack.clone(), "2024-11-01", producer, traced);
        assert!(
            uflpa(&d).reasons.iter().any(|r| r.contains("Esquel")),
            "{producer}: {:#?}",
            d.findings
        );
        assert_eq!(
            uflpa(&d).outcome,
            Outcome::PresumedProhibited,
            "{producer}: {:#?}",
            d.findings
        );
    }
}

/// Entries the pack gained from the 2023 and 2024 notices (88 FR 38080,
/// 88 FR 50902, the DHS announcement of 2024-10-02): each raises the
/// presumption from its own effective date, with its clause, and not the
/// day before.
#[test]
fn pack_entries_of_later_notices_apply_from_their_effective_dates() {
    let pack = embargo_pack::entities().to_vec();
    let traced = r#"{"supply_chain_tracing":"complete"}"#;
    for (producer, before, from, clause) in [
        (
            "Zhuhai Pantum Electronics Co., Ltd.",
            "2023-06-11",
            "2023-06-12",
            "2(d)(2)(B)(ii)",
        ),
        (
            "Camel Group Co., Ltd.",
            "2023-08-01",
            "2023-08-02",
            "2(d)(2)(B)(ii)",
        ),
        (
            "Chenguang Biotech Group Co., Ltd.",
            "2023-08-01",
            "2023-08-02",
            "2(d)(2)(B)(v)",
        ),
        (
            "Changzhou Guanghui Food Ingredients Co., Ltd.",
            "2024-10-02",
            "2024-10-03",
            "2(d)(2)(B)(v)",
        ),
    ] {
        let d = import(pack.clone(), before, producer, traced);
        assert_ne!(
            uflpa(&d).outcome,
            Outcome::PresumedProhibited,
            "{producer} on {before}: {:#?}",
            d.findings
        );
        let d = import(pack.clone(), from, producer, traced);
        let f = uflpa(&d);
        assert_eq!(
            f.outcome,
            Outcome::PresumedProhibited,
            "{producer}: {:#?}",
            d.findings
        );
        assert!(
            f.citations.iter().any(|c| c.contains(clause)),
            "{producer}: {:?}",
            f.citations
        );
    }
}
