//! Issue 12 item 1: the law as it stood on the transaction date, decided
//! over the embedded regime pack. Citations on both sides of the 2022
//! reorganisation of the foreign direct product rules, no Federal Register
//! document before its publication, Dahua's review policy by date, and an
//! entry removed in 2023 that needs no licence in 2024.

use embargo_rules::dated;
use embargo_rules::{parse_transaction, Decision, Measure, Outcome, ReviewPolicy};
use std::sync::LazyLock;

static ENGINE: LazyLock<embargo_rules::Engine> =
    LazyLock::new(|| embargo_rules::testing::engine(embargo_pack::entities().to_vec(), "pack"));

fn decide(json: &str) -> Decision {
    let tx = parse_transaction(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    ENGINE.decide(&tx)
}

fn finding(d: &Decision, m: Measure) -> &embargo_rules::Finding {
    d.findings
        .iter()
        .find(|f| f.measure == m)
        .unwrap_or_else(|| panic!("no {m:?} finding in {:#?}", d.findings))
}

fn all_cites(d: &Decision) -> Vec<String> {
    d.findings
        .iter()
        .flat_map(|f| f.citations.clone())
        .collect()
}

/// A foreign-made SoC, direct product of US 3E001, to `party` on `date`.
fn fdp(date: &str, party: &str) -> String {
    format!(
        r#"{{"date":"{date}","flow":"reexport","actor":{{"us_person":true,"country":"US"}},"destination":"CN",
        "item":{{"origin":"TW","located_in":"TW","eccn":"5A992","value":100.0,"us_content":[],"direct_product_of":["3E001"]}},
        "parties":[{{"role":"end_user","name":"{party}","country":"CN"}}]}}"#
    )
}

fn published_before_or_on(d: &Decision) {
    for f in &d.findings {
        for c in &f.citations {
            if let Some(n) = dated::fr_notice(c) {
                assert!(
                    n.published <= d.evaluated_for,
                    "{c} (published {}) cited for {}: {f:?}",
                    n.published,
                    d.evaluated_for
                );
            }
            if d.evaluated_for < "2022-02-03".parse().unwrap() {
                // Today's § 734.9 appears only as where the text later moved.
                assert!(
                    !c.starts_with("15 CFR 734.9"),
                    "{c} cited for {}",
                    d.evaluated_for
                );
            }
        }
    }
}

#[test]
fn huawei_fdp_cited_in_the_numbering_of_the_day() {
    let before = decide(&fdp("2021-06-01", "Huawei Technologies Co., Ltd."));
    let j = finding(&before, Measure::EarJurisdiction);
    assert_eq!(j.outcome, Outcome::Subject, "{j:?}");
    let cites = all_cites(&before);
    assert!(
        cites.iter().any(|c| c.contains("736.2(b)(3)(vi)")),
        "{cites:?}"
    );
    assert!(cites
        .iter()
        .any(|c| c.contains("Supp. No. 4 to Part 744, footnote 1")));
    assert!(
        !cites.iter().any(|c| c.starts_with("15 CFR 734.9")),
        "{cites:?}"
    );
    assert!(cites
        .iter()
        .any(|c| c.contains("(from 2022-02-03 at 15 CFR 734.9(e)(1))")));
    assert!(!cites
        .iter()
        .any(|c| c == "87 FR 6022" || c == "87 FR 62186"));
    published_before_or_on(&before);

    let after = decide(&fdp("2023-06-01", "Huawei Technologies Co., Ltd."));
    let cites = all_cites(&after);
    assert!(cites.iter().any(|c| c == "15 CFR 734.9(e)(1)"), "{cites:?}");
    assert!(
        cites.iter().any(|c| c == "15 CFR 744.11(a)(2)"),
        "{cites:?}"
    );
    assert!(!cites.iter().any(|c| c.contains("736.2(b)(3)(vi)")));
    published_before_or_on(&after);

    // Before the footnote-1 rule existed the item is not subject, and
    // neither § 734.9 nor the 2020 rules are cited.
    let old = decide(&fdp("2019-11-01", "Huawei Technologies Co., Ltd."));
    assert_eq!(
        finding(&old, Measure::EarJurisdiction).outcome,
        Outcome::NotSubject
    );
    let cites = all_cites(&old);
    assert!(!cites
        .iter()
        .any(|c| c.contains("85 FR 29849") || c.contains("85 FR 51596")));
    published_before_or_on(&old);
}

#[test]
fn no_finding_cites_a_rule_published_after_the_date() {
    for date in [
        "2019-06-01",
        "2019-11-01",
        "2020-06-01",
        "2021-06-01",
        "2022-06-01",
        "2023-06-01",
        "2025-01-10",
    ] {
        for party in [
            "Hangzhou Hikvision Digital Technology Co., Ltd.",
            "Dahua Technology",
            "Huawei Technologies Co., Ltd.",
            "Xinjiang Production and Construction Corps",
        ] {
            published_before_or_on(&decide(&fdp(date, party)));
        }
    }
}

fn us_export(date: &str, party: &str, eccn: &str) -> String {
    format!(
        r#"{{"date":"{date}","flow":"export","actor":{{"us_person":true,"country":"US"}},"destination":"CN",
        "item":{{"origin":"US","located_in":"US","eccn":"{eccn}"}},
        "parties":[{{"role":"end_user","name":"{party}","country":"CN"}}]}}"#
    )
}

#[test]
fn dahua_review_policy_is_the_one_in_force_on_the_date() {
    // 1A995 is a case-by-case carve-out of the 2019 text, but not of the
    // plain presumption of denial the entry carries since October 2022.
    let d = decide(&us_export("2020-03-01", "Dahua Technology", "1A995"));
    let el = finding(&d, Measure::EarEntityList);
    assert_eq!(el.outcome, Outcome::LicenseRequired);
    assert_eq!(el.review_policy, Some(ReviewPolicy::CaseByCase), "{el:?}");
    assert!(el.citations.iter().any(|c| c == "84 FR 54002"));
    assert!(
        !el.citations.iter().any(|c| c.starts_with("87 FR")),
        "{:?}",
        el.citations
    );

    let d = decide(&us_export("2023-06-01", "Dahua Technology", "1A995"));
    let el = finding(&d, Measure::EarEntityList);
    assert_eq!(
        el.review_policy,
        Some(ReviewPolicy::PresumptionOfDenial),
        "{el:?}"
    );
    assert!(el.citations.iter().any(|c| c == "87 FR 62202"));
    assert!(el
        .reasons
        .iter()
        .any(|r| r.contains("in force from 2022-10-07")));
}

#[test]
fn an_entry_removed_in_2023_needs_no_licence_in_2024() {
    let name = "Ministry of Public Security's Institute of Forensic Science of China";
    let d = decide(&us_export("2022-06-01", name, "EAR99"));
    assert_eq!(
        finding(&d, Measure::EarEntityList).outcome,
        Outcome::LicenseRequired
    );
    let d = decide(&us_export("2024-06-01", name, "EAR99"));
    let el: Vec<_> = d
        .findings
        .iter()
        .filter(|f| f.measure == Measure::EarEntityList)
        .collect();
    assert!(
        el.iter().all(|f| f.outcome != Outcome::LicenseRequired),
        "{el:#?}"
    );
}

/// Every Federal Register page the pack or the engine's tables cite is in
/// `data/fr_notices.tsv`, so the publication check cannot miss one.
#[test]
fn every_cited_federal_register_page_has_a_publication_date() {
    let mut missing = vec![];
    let mut check = |c: &str| {
        if let Some(c) = embargo_rules::listing::fr_cite(c) {
            if dated::fr_notice(&c).is_none() && !missing.contains(&c) {
                missing.push(c);
            }
        }
    };
    for e in embargo_pack::entities() {
        for n in &e.export_control.federal_register_notices {
            check(n);
        }
    }
    for r in dated::dated_citations() {
        for part in r.source.split(';') {
            check(part.trim());
        }
    }
    for p in embargo_rules::el_policy::history() {
        check(p.citation);
    }
    assert!(missing.is_empty(), "not in fr_notices.tsv: {missing:?}");
}

#[test]
fn hong_kong_chart_row_before_and_after_2020_12_23() {
    let hk = |date: &str| {
        let tx = parse_transaction(&format!(
            r#"{{"date":"{date}","flow":"export","actor":{{"us_person":true,"country":"US"}},"destination":"HK",
            "item":{{"origin":"US","located_in":"US","eccn":"6A003"}},
            "parties":[{{"role":"end_user","name":"Harbour Optics Ltd","country":"HK"}}]}}"#
        ))
        .unwrap();
        let d = ENGINE.decide(&tx);
        finding(&d, Measure::EarCountryChart).clone()
    };
    let before = hk("2020-06-01");
    assert_eq!(before.outcome, Outcome::NeedsReview, "{before:?}");
    assert!(before.reasons.iter().any(|r| r.contains("2020-12-23")));
    let after = hk("2021-06-01");
    assert_eq!(after.outcome, Outcome::LicenseRequired, "{after:?}");
    assert!(after
        .reasons
        .iter()
        .any(|r| r.contains("eCFR of 2026-07-23")));
}

#[test]
fn fdp_reasons_name_the_rule_as_it_stood() {
    let d = decide(&fdp("2021-06-01", "Huawei Technologies Co., Ltd."));
    let j = finding(&d, Measure::EarJurisdiction);
    assert!(
        j.reasons
            .iter()
            .any(|r| r.starts_with("FDP rule 736.2(b)(3)(vi)")),
        "{:#?}",
        j.reasons
    );
    assert!(j.reasons.iter().any(|r| r.starts_with(
        "FDP rule (Entity List FDP rule, footnote 4; today 734.9(e)(2)): no such rule was in force"
    )));
}

/// Country Chart cells beyond Hong Kong, through the whole engine: the
/// AUKUS rule (89 FR 28594) and the Russia/Belarus all-CCL requirement
/// (87 FR 22130) on both sides of their days.
#[test]
fn dated_chart_cells_for_australia_russia_and_belarus() {
    let chart = |date: &str, dest: &str, eccn: &str| {
        let tx = parse_transaction(&format!(
            r#"{{"date":"{date}","flow":"export","actor":{{"us_person":true,"country":"US"}},"destination":"{dest}",
            "item":{{"origin":"US","located_in":"US","eccn":"{eccn}"}},
            "parties":[{{"role":"end_user","name":"Acme Optics Pty Ltd","country":"{dest}"}}]}}"#
        ))
        .unwrap();
        finding(&ENGINE.decide(&tx), Measure::EarCountryChart).clone()
    };
    let f = chart("2024-04-18", "AU", "3E001");
    assert_eq!(f.outcome, Outcome::LicenseRequired, "{f:?}");
    // The rule that changed the row is named; it is not cited on a day
    // before its publication (2024-04-19).
    assert!(f.reasons.iter().any(|r| r.contains("89 FR 28594")), "{f:?}");
    assert!(
        f.citations
            .iter()
            .any(|c| c == "15 CFR Part 738, Supp. No. 1 (Commerce Country Chart)"),
        "{f:?}"
    );
    assert_eq!(
        chart("2024-04-19", "AU", "3E001").outcome,
        Outcome::NoLicenseRequired
    );
    for dest in ["RU", "BY"] {
        assert_eq!(
            chart("2021-06-01", dest, "6A993").outcome,
            Outcome::NoLicenseRequired
        );
        assert_eq!(
            chart("2022-04-07", dest, "6A993").outcome,
            Outcome::NeedsReview
        );
        // 87 FR 22130 took effect on 2022-04-08 but was published on
        // 2022-04-14: before that it is not cited, the section is.
        let f = chart("2022-04-10", dest, "6A993");
        assert_eq!(f.outcome, Outcome::LicenseRequired, "{f:?}");
        assert!(f.citations.iter().any(|c| c == "15 CFR 746.8(a)(1)"));
        assert!(!f.citations.iter().any(|c| c == "87 FR 22130"), "{f:?}");
        assert!(f
            .reasons
            .iter()
            .any(|r| r.contains("87 FR 22130 is not cited")));
        let f = chart("2023-06-01", dest, "6A993");
        assert!(f.citations.iter().any(|c| c == "87 FR 22130"), "{f:?}");
        assert_eq!(
            chart("2023-06-01", dest, "EAR99").outcome,
            Outcome::NeedsReview
        );
    }
}
