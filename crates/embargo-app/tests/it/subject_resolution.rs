//! A party matching one record of a consolidated subject is resolved to
//! every record of it: the Xinjiang Public Security Bureau found by its
//! GLOMAG (SDN) name is also the Entity List's XUAR Public Security Bureau,
//! which the pack links to it, so an export to it is never "no licence
//! required". Pack-only snapshot: runs without ../shared.

use embargo_app::Snapshot;
use embargo_rules::{parse_transaction, Measure, Outcome};

#[test]
fn a_bureau_found_by_its_sdn_name_is_also_its_entity_list_record() {
    let snap = Snapshot::load(None).expect("pack snapshot");
    let tx = parse_transaction(
        r#"{"date": "2024-03-01", "flow": "export",
            "actor": {"us_person": true, "country": "US"}, "destination": "CN",
            "item": {"eccn": "EAR99", "us_origin": true},
            "parties": [{"role": "end_user", "name": "Xinjiang Public Security Bureau", "country": "CN"}]}"#,
    )
    .unwrap();
    let d = snap.engine().decide(&tx);
    let el: Vec<_> = d
        .findings
        .iter()
        .filter(|f| f.measure == Measure::EarEntityList)
        .collect();
    assert!(!el.is_empty(), "{d:#?}");
    assert!(
        el.iter().all(|f| f.outcome != Outcome::NoLicenseRequired),
        "an Entity-List-listed bureau must not clear: {el:#?}"
    );
    assert!(
        el.iter()
            .any(|f| matches!(f.outcome, Outcome::LicenseRequired | Outcome::NeedsReview)),
        "{el:#?}"
    );
}
