//! Issue 12 item 4: a party that reads as a sub-unit of a listed or
//! blocked body gets NEEDS_REVIEW naming the parent and the legal reason,
//! decided over the embedded regime pack.

use embargo_rules::{parse_transaction, Decision, Measure, Outcome};
use std::sync::LazyLock;

static ENGINE: LazyLock<embargo_rules::Engine> =
    LazyLock::new(|| embargo_rules::testing::engine(embargo_pack::entities().to_vec(), "pack"));

fn export_to(party: &str) -> Decision {
    let tx = parse_transaction(&format!(
        r#"{{"date":"2023-06-01","flow":"export","actor":{{"us_person":true,"country":"US"}},"destination":"CN",
        "item":{{"origin":"US","located_in":"US","eccn":"EAR99"}},
        "parties":[{{"role":"end_user","name":"{party}","country":"CN"}}]}}"#
    ))
    .unwrap();
    ENGINE.decide(&tx)
}

fn naming(d: &Decision, m: Measure, parent: &str) -> Option<Outcome> {
    d.findings
        .iter()
        .filter(|f| f.measure == m)
        .find(|f| f.reasons.iter().any(|r| r.contains(parent)))
        .map(|f| f.outcome)
}

#[test]
fn county_bureau_under_the_designated_regional_bureau() {
    let d = export_to("Moyu County Public Security Bureau, Hotan");
    assert_eq!(
        naming(&d, Measure::OfacSdn, "XINJIANG PUBLIC SECURITY BUREAU"),
        Some(Outcome::NeedsReview),
        "{:#?}",
        d.findings
    );
    assert_eq!(
        naming(
            &d,
            Measure::EarEntityList,
            "People's Government Public Security Bureau"
        ),
        Some(Outcome::NeedsReview),
        "{:#?}",
        d.findings
    );
    let el = d
        .findings
        .iter()
        .find(|f| f.measure == Measure::EarEntityList)
        .unwrap();
    assert!(el
        .reasons
        .iter()
        .any(|r| r.contains("names and addresses listed")));
    let ofac = d
        .findings
        .iter()
        .find(|f| f.measure == Measure::OfacSdn)
        .unwrap();
    assert!(
        ofac.reasons.iter().any(|r| r.contains("50 Percent Rule")),
        "{ofac:?}"
    );
    // Never a clear beside it.
    assert!(!d
        .findings
        .iter()
        .any(|f| f.measure == Measure::OfacSdn && f.outcome == Outcome::NotProhibited));
}

#[test]
fn research_institute_of_a_listed_firm() {
    let d = export_to("Hikvision Research Institute");
    assert_eq!(
        naming(&d, Measure::EarEntityList, "Hikvision"),
        Some(Outcome::NeedsReview),
        "{:#?}",
        d.findings
    );
}

#[test]
fn unrelated_bodies_are_not_sub_units() {
    for name in [
        "Shanghai Public Security Bureau",
        "Acme Optical Research Institute",
    ] {
        let d = export_to(name);
        assert!(
            !d.findings.iter().any(|f| f.rule.contains("sub-unit")),
            "{name}: {:#?}",
            d.findings
        );
    }
}
