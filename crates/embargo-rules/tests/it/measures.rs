//! Per-measure facts from RULES.md, on listings built in code (no shared
//! data, no pack): removals, savings-clause deadlines, the Affiliates Rule
//! window, crime control, OFAC nexus, NS-CMIC dates, §889 parts and
//! purposes, FCC, the UK instruction, UFLPA and WROs.

use embargo_model::{Country, Entity, EntityId, Schema};
use embargo_rules::{parse_transaction, Decision, Engine, Measure, Outcome, ReviewPolicy};

const XUAR_STD: &str = "Case-by-case review for ECCNs 1A004.c, 1A004.d, 1A995, 1A999.a, 1D003, 2A983, 2D983, and 2E983, and for EAR99 items described in the Note to ECCN 1A995; case-by-case review for items necessary to detect, identify and treat infectious disease; and presumption of denial for all other items subject to the EAR.";

fn ent(id: &str, name: &str, program: &str, listed: &str) -> Entity {
    let mut e = Entity::new(
        EntityId::new("fixture", id),
        Schema::Organization,
        "fixture",
        name,
    );
    e.programs = vec![program.into()];
    e.countries = vec![Country::from_code("CN").unwrap()];
    e.listed_on = Some(listed.parse().unwrap());
    e
}

fn el(id: &str, name: &str, listed: &str, policy: &str, notice: &str) -> Entity {
    let mut e = ent(id, name, "EAR-ENTITY-LIST", listed);
    e.export_control.license_requirement =
        Some("For all items subject to the EAR. (See §744.11 of the EAR)".into());
    e.export_control.license_policy = Some(policy.into());
    e.export_control.federal_register_notices = vec![notice.into()];
    e
}

fn listings() -> Vec<Entity> {
    let mut mps = el(
        "mps",
        "Ministry of Public Security's Institute of Forensic Science of China",
        "2020-06-05",
        XUAR_STD,
        "85 FR 34505",
    );
    mps.delisted_on = Some("2023-11-16".parse().unwrap());
    let mut cmic = ent(
        "cmic-hik",
        "Hangzhou Hikvision Digital Technology Co., Ltd.",
        "CMIC-EO13959",
        "2021-06-03",
    );
    cmic.add_property("cmicEffectiveDate", "2021-08-02");
    let mut hik889 = ent(
        "889-hik",
        "Hangzhou Hikvision Digital Technology Company",
        "NDAA-889",
        "2019-08-13",
    );
    hik889.add_property("ndaa889Prong", "B");
    let mut hw889 = ent(
        "889-hw",
        "Huawei Technologies Company",
        "NDAA-889",
        "2019-08-13",
    );
    hw889.add_property("ndaa889Prong", "A");
    let mut hikfcc = ent(
        "fcc-hik",
        "Hangzhou Hikvision Digital Technology Company",
        "FCC-COVERED-LIST",
        "2021-03-12",
    );
    hikfcc.add_property("ndaa889Prong", "B");
    vec![
        el(
            "hik",
            "Hangzhou Hikvision Digital Technology Co., Ltd.",
            "2019-10-09",
            XUAR_STD,
            "84 FR 54002",
        ),
        el(
            "kashgar",
            "Kashgar Prefecture Public Security Bureau",
            "2019-10-09",
            XUAR_STD,
            "84 FR 54002",
        ),
        el(
            "moyu",
            "Moyu Haishi Electronic Technology Co., Ltd.",
            "2023-03-28",
            "Presumption of denial",
            "88 FR 18985",
        ),
        mps,
        ent(
            "xpcc",
            "XINJIANG PRODUCTION AND CONSTRUCTION CORPS",
            "GLOMAG",
            "2020-07-31",
        ),
        cmic,
        hik889,
        hw889,
        hikfcc,
        ent(
            "uflpa-l",
            "Company L Components Co., Ltd.",
            "UFLPA-ENTITY-LIST",
            "2024-01-15",
        ),
    ]
}

fn decide(json: &str) -> Decision {
    let engine = embargo_rules::testing::engine(listings(), "fixture-v1");
    let tx = parse_transaction(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let d = engine.decide(&tx);
    for f in &d.findings {
        assert!(f.measure.allows(f.outcome), "{f:?}");
        assert!(!f.reasons.is_empty(), "{f:?}");
    }
    d
}

fn outcomes(d: &Decision, m: Measure) -> Vec<(Outcome, String)> {
    d.findings
        .iter()
        .filter(|f| f.measure == m)
        .map(|f| (f.outcome, f.rule.clone()))
        .collect()
}

fn export(date: &str, party: &str, extra: &str) -> String {
    format!(
        r#"{{"date":"{date}","flow":"export","actor":{{"us_person":true,"country":"US"}},"destination":"CN",
        "item":{{"origin":"US","located_in":"US","eccn":"6A993"}},
        "parties":[{{"role":"end_user","name":"{party}","country":"CN"}}]{extra}}}"#
    )
}

#[test]
fn removal_ends_the_requirement_el1_8() {
    let name = "Ministry of Public Security's Institute of Forensic Science of China";
    let d = decide(&export("2023-01-01", name, ""));
    assert_eq!(
        outcomes(&d, Measure::EarEntityList)[0].0,
        Outcome::LicenseRequired
    );
    let d = decide(&export("2023-11-16", name, ""));
    assert_eq!(
        outcomes(&d, Measure::EarEntityList),
        vec![(
            Outcome::NoLicenseRequired,
            "docs/rules/entity-list.md EL1.8".into()
        )]
    );
}

#[test]
fn savings_clause_has_a_completion_deadline_el1_9() {
    let name = "Moyu Haishi Electronic Technology Co., Ltd.";
    let en_route = r#","knowledge":{"en_route_on_listing_date":true}"#;
    let d = decide(&export("2023-04-10", name, en_route));
    assert_eq!(
        outcomes(&d, Measure::EarEntityList)[0].0,
        Outcome::MayProceed
    );
    let d = decide(&export("2023-04-27", name, en_route));
    let f = d
        .findings
        .iter()
        .find(|f| f.measure == Measure::EarEntityList)
        .unwrap();
    assert_eq!(f.outcome, Outcome::LicenseRequired);
    assert_eq!(f.review_policy, Some(ReviewPolicy::PresumptionOfDenial));
}

#[test]
fn affiliates_rule_window_el1_4_to_el1_7() {
    let own = r#","ownership":[{"owner":"Hangzhou Hikvision Digital Technology Co., Ltd.","owned":"Company S","pct":60}]"#;
    let run = |date: &str| {
        let d = decide(&export(date, "Company S", own));
        let mut v = outcomes(&d, Measure::EarEntityList);
        v.extend(outcomes(&d, Measure::Flag));
        v
    };
    assert!(run("2025-01-01").contains(&(
        Outcome::RedFlagAffiliate,
        "docs/rules/entity-list.md EL1.4".into()
    )));
    assert!(run("2025-10-15").contains(&(
        Outcome::LicenseRequired,
        "docs/rules/entity-list.md EL1.5".into()
    )));
    assert!(run("2026-01-01").contains(&(
        Outcome::RedFlagAffiliate,
        "docs/rules/entity-list.md EL1.6".into()
    )));
    assert!(run("2027-01-01").contains(&(
        Outcome::NeedsReview,
        "docs/rules/entity-list.md EL1.7".into()
    )));
}

#[test]
fn knowledge_of_the_real_end_user_el1_2_and_weak_matches() {
    let d = decide(&export(
        "2021-01-01",
        "Company Z Trading",
        r#","knowledge":{"end_user":"Kashgar Prefecture Public Security Bureau"}"#,
    ));
    assert!(outcomes(&d, Measure::EarEntityList).contains(&(
        Outcome::LicenseRequired,
        "docs/rules/entity-list.md EL1.2".into()
    )));
    let d = decide(&export(
        "2021-01-01",
        "Hikvision Digital Technology Group",
        "",
    ));
    let el = outcomes(&d, Measure::EarEntityList);
    assert_eq!(el.len(), 1);
    assert_eq!(el[0].0, Outcome::NeedsReview, "{el:?}");
}

#[test]
fn crime_control_to_china_and_hong_kong_is_likely_denied() {
    for dest in ["CN", "HK"] {
        let d = decide(&format!(
            r#"{{"date":"2021-01-01","flow":"export","actor":{{"us_person":true}},"destination":"{dest}",
            "item":{{"origin":"US","eccn":"3A981"}},"parties":[]}}"#
        ));
        let f = d
            .findings
            .iter()
            .find(|f| f.measure == Measure::EarCountryChart)
            .unwrap();
        assert_eq!(f.outcome, Outcome::LicenseRequiredLikelyDenied);
        assert!(f.citations.iter().any(|c| c.contains("902")));
    }
}

#[test]
fn unknown_jurisdiction_with_listed_party_needs_review() {
    let d = decide(
        r#"{"date":"2021-01-01","flow":"reexport","actor":{"us_person":false},"destination":"CN",
        "item":{"origin":"KR","eccn":"6A993","value":100,"us_content":[{"eccn":null,"value":40}]},
        "parties":[{"role":"end_user","name":"Hangzhou Hikvision Digital Technology Co., Ltd."}]}"#,
    );
    assert_eq!(
        outcomes(&d, Measure::EarJurisdiction)[0].0,
        Outcome::Indeterminate
    );
    assert_eq!(
        outcomes(&d, Measure::EarEntityList)[0].0,
        Outcome::NeedsReview
    );
}

#[test]
fn ofac_nexus_and_designation_dates() {
    let pay = |date: &str, actor: &str| {
        decide(&format!(
            r#"{{"date":"{date}","flow":"payment","actor":{actor},"context":{{"currency":"CNY"}},
            "parties":[{{"role":"counterparty","name":"XINJIANG PRODUCTION AND CONSTRUCTION CORPS"}}]}}"#
        ))
    };
    let d = pay("2021-01-01", r#"{"us_person":false,"country":"DE"}"#);
    assert_eq!(outcomes(&d, Measure::OfacSdn)[0].0, Outcome::NotProhibited);
    assert!(outcomes(&d, Measure::Flag)
        .iter()
        .any(|(o, _)| *o == Outcome::DesignationRisk));
    let d = pay("2021-01-01", "{}");
    assert_eq!(outcomes(&d, Measure::OfacSdn)[0].0, Outcome::NeedsReview);
    // Before the 2020-07-31 designation.
    let d = pay("2020-07-01", r#"{"us_person":true}"#);
    assert_eq!(outcomes(&d, Measure::OfacSdn)[0].0, Outcome::NotProhibited);
}

#[test]
fn ns_cmic_dates_and_no_fifty_percent_rule() {
    let inv = |date: &str, issuer: &str| {
        decide(&format!(
            r#"{{"date":"{date}","flow":"investment","actor":{{"us_person":true}},
            "parties":[{{"role":"issuer","name":"{issuer}"}}],
            "ownership":[{{"owner":"Hangzhou Hikvision Digital Technology Co., Ltd.","owned":"Hik Sub Ltd","pct":100}}]}}"#
        ))
    };
    let hik = "Hangzhou Hikvision Digital Technology Co., Ltd.";
    assert_eq!(
        outcomes(&inv("2021-07-01", hik), Measure::OfacCmic)[0].0,
        Outcome::NotProhibited
    );
    assert_eq!(
        outcomes(&inv("2021-09-01", hik), Measure::OfacCmic)[0].0,
        Outcome::Prohibited
    );
    assert_eq!(
        outcomes(&inv("2021-09-01", "Hik Sub Ltd"), Measure::OfacCmic)[0].0,
        Outcome::NotProhibited
    );
}

fn procure(date: &str, maker: &str, context: &str, tags: &str) -> Decision {
    decide(&format!(
        r#"{{"date":"{date}","flow":"procurement","actor":{{"us_person":true}},"destination":"US",
        "item":{{"origin":"CN","tags":[{tags}]}},
        "parties":[{{"role":"manufacturer","name":"{maker}","country":"CN"}}],"context":{context}}}"#
    ))
}

#[test]
fn section_889_parts_dates_and_purposes() {
    let hik = "Hangzhou Hikvision Digital Technology Co., Ltd.";
    let b = r#"{"buyer":"us_federal_agency","purpose":"physical_security","equipment_used_by":"contractor"}"#;
    assert_eq!(
        outcomes(&procure("2020-08-12", hik, b, ""), Measure::Procurement889)[0].0,
        Outcome::NotProhibited
    );
    assert_eq!(
        outcomes(&procure("2020-08-13", hik, b, ""), Measure::Procurement889)[0].0,
        Outcome::Prohibited
    );
    let other = r#"{"buyer":"us_federal_agency","purpose":"traffic_counting"}"#;
    assert_eq!(
        outcomes(
            &procure("2021-01-01", hik, other, ""),
            Measure::Procurement889
        )[0]
        .0,
        Outcome::NotProhibited
    );
    // Huawei telecom equipment is covered for any purpose.
    assert_eq!(
        outcomes(
            &procure("2021-01-01", "Huawei Technologies Co., Ltd.", other, ""),
            Measure::Procurement889
        )[0]
        .0,
        Outcome::Prohibited
    );
    let private = r#"{"buyer":"private"}"#;
    assert_eq!(
        outcomes(
            &procure("2021-01-01", hik, private, ""),
            Measure::Procurement889
        )[0]
        .0,
        Outcome::NotProhibited
    );
}

#[test]
fn fcc_and_uk_measures() {
    let hik = "Hangzhou Hikvision Digital Technology Co., Ltd.";
    let fcc = |date: &str, plan: bool| {
        let ctx = format!(
            r#"{{"buyer":"private","fcc_authorization":"new_application","marketing_plan_approved":{plan}}}"#
        );
        outcomes(
            &procure(date, hik, &ctx, "\"video_surveillance\""),
            Measure::FccCoveredList,
        )[0]
        .0
    };
    assert_eq!(fcc("2023-03-01", false), Outcome::Prohibited);
    assert_eq!(fcc("2023-03-01", true), Outcome::NotProhibited);
    assert_eq!(fcc("2022-12-01", false), Outcome::NotProhibited);
    let uk = |date: &str| {
        let ctx = r#"{"buyer":"uk_central_government","site":"ministerial_office"}"#;
        outcomes(
            &procure(date, hik, ctx, "\"video_surveillance\""),
            Measure::UkProcurement,
        )[0]
        .0
    };
    assert_eq!(uk("2023-01-01"), Outcome::Prohibited);
    assert_eq!(uk("2022-01-01"), Outcome::NotProhibited);
}

fn import(date: &str, inputs: &str, producer: &str, context: &str) -> Decision {
    decide(&format!(
        r#"{{"date":"{date}","flow":"import","actor":{{"us_person":true}},"destination":"US",
        "item":{{"description":"goods","origin":"VN","tags":[]}},"inputs":[{inputs}],
        "parties":[{{"role":"manufacturer","name":"{producer}","country":"VN"}}],"context":{context}}}"#
    ))
}

#[test]
fn uflpa_listed_producer_exception_and_tracing() {
    let d = import("2024-02-01", "", "Company L Components Co., Ltd.", "{}");
    assert_eq!(
        outcomes(&d, Measure::Uflpa),
        vec![(Outcome::PresumedProhibited, "docs/rules/uflpa.md U2".into())]
    );
    let d = import("2024-01-01", "", "Company L Components Co., Ltd.", "{}");
    assert_eq!(outcomes(&d, Measure::Uflpa)[0].0, Outcome::NeedsReview);
    let d = import(
        "2024-02-01",
        "",
        "Company L Components Co., Ltd.",
        r#"{"uflpa_exception_evidence":true}"#,
    );
    assert_eq!(
        outcomes(&d, Measure::Uflpa)[0].0,
        Outcome::ExceptionPossible
    );
    let d = import(
        "2024-02-01",
        "",
        "Company M",
        r#"{"supply_chain_tracing":"complete"}"#,
    );
    assert_eq!(outcomes(&d, Measure::Uflpa)[0].0, Outcome::NotApplicable);
}

#[test]
fn wro_dates_decide() {
    let hoshine = r#"{"description":"silicon metal","origin_region":"Xinjiang","producer":"Hoshine Silicon Industry Co., Ltd."}"#;
    assert_eq!(
        outcomes(
            &import("2021-06-23", hoshine, "Company SM", "{}"),
            Measure::Wro
        )[0]
        .0,
        Outcome::NotApplicable
    );
    assert_eq!(
        outcomes(
            &import("2021-06-24", hoshine, "Company SM", "{}"),
            Measure::Wro
        )[0]
        .0,
        Outcome::Detained
    );
    // Cotton from Xinjiang before the region-wide WRO of 2021-01-13 and not XPCC.
    let cotton = r#"{"description":"cotton","origin_region":"Aksu, Xinjiang","producer":"Farm A"}"#;
    assert_eq!(
        outcomes(
            &import("2021-01-12", cotton, "Company V", "{}"),
            Measure::Wro
        )[0]
        .0,
        Outcome::NotApplicable
    );
    assert_eq!(
        outcomes(
            &import("2021-01-13", cotton, "Company V", "{}"),
            Measure::Wro
        )[0]
        .0,
        Outcome::Detained
    );
}

#[test]
fn decisions_serialise_to_the_readme_vocabulary() {
    let d = decide(&export(
        "2019-11-01",
        "Hangzhou Hikvision Digital Technology Co., Ltd.",
        "",
    ));
    let j = serde_json::to_value(&d).unwrap();
    let el = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["measure"] == "EAR_ENTITY_LIST")
        .unwrap();
    assert_eq!(el["outcome"], "LICENSE_REQUIRED");
    assert_eq!(el["review_policy"], "PRESUMPTION_OF_DENIAL");
    assert_eq!(el["evidence"][0]["list_version"], "fixture-v1");
    assert_eq!(el["effective_dates"][0]["date"], "2019-10-09");
    assert_eq!(d.list_versions, vec!["fixture-v1".to_string()]);
}

#[test]
fn odd_inputs_never_panic_and_unknowns_stay_unknown() {
    let long = "新".repeat(5000);
    let odd = [
        r#"{"date":"2021-01-01","flow":"export"}"#.to_string(),
        r#"{"date":"2021-01-01","flow":"reexport","destination":"AQ","item":{"origin":"FR","eccn":"ZZ999","value":0,"us_content":[{"eccn":"9A610.y","value":5}]}}"#.to_string(),
        r#"{"date":"2021-01-01","flow":"payment","actor":{"us_person":true},"parties":[{"role":"counterparty","name":"Nobody Listed"},{"role":"counterparty","name":"B"}],
           "ownership":[{"owner":"A","owned":"B","pct":100},{"owner":"B","owned":"A","pct":0},{"owner":"XINJIANG PRODUCTION AND CONSTRUCTION CORPS","owned":"A","pct":50}]}"#.to_string(),
        format!(r#"{{"date":"2021-01-01","flow":"import","inputs":[{{"origin_region":"{long}"}}],"parties":[{{"role":"supplier","name":"{long}","registration_id":"65"}}]}}"#),
        r#"{"date":"2021-01-01","flow":"screening","parties":[{"role":"supplier","name":"第十四师 昆玉","address":"第","registration_id":"ééééééééééééééééé9"}]}"#.to_string(),
        r#"{"date":"2021-01-01","flow":"transfer","destination":"HK","item":{"eccn":"EAR99"},"parties":[{"role":"purchaser","name":"Kashgar Prefecture Public Security Bureau"}]}"#.to_string(),
    ];
    for j in &odd {
        let d = decide(j);
        let _ = d.to_text();
        let _ = serde_json::to_string(&d).unwrap();
    }
    // Origin unknown: INDETERMINATE, and the EL party gives NEEDS_REVIEW.
    let d = decide(&odd[5]);
    assert_eq!(
        outcomes(&d, Measure::EarJurisdiction)[0].0,
        Outcome::Indeterminate
    );
    assert_eq!(
        outcomes(&d, Measure::EarEntityList)[0].0,
        Outcome::NeedsReview
    );
    // The ownership cycle terminates: A is blocked (50 % held by the XPCC)
    // and B through A; the unlisted name matches nothing.
    let d = decide(&odd[2]);
    // A blank name would screen as "no match": it is a parse error.
    assert!(parse_transaction(&odd[2].replace("Nobody Listed", " "))
        .unwrap_err()
        .to_string()
        .contains("parties[0].name"));
    assert_eq!(
        outcomes(&d, Measure::OfacSdn),
        vec![(Outcome::Prohibited, "docs/rules/ofac-sdn.md O1".into())]
    );
}

#[test]
fn engine_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
}

/// RULES.md §1.2 EL-1 scope: the Huawei entries' requirement ("all items
/// subject to the EAR … EXCEPT technology released to a standards
/// organization") reaches a chip, but a technology release needs review.
#[test]
fn standards_organization_carve_out_reaches_items_but_not_technology_releases() {
    let engine = embargo_rules::testing::engine(embargo_pack::entities().to_vec(), "pack");
    let tx = |tags: &str| {
        embargo_rules::parse_transaction(&format!(
            r#"{{"date": "2023-06-01", "flow": "export", "actor": {{"us_person": true, "country": "US"}},
                "destination": "CN",
                "item": {{"origin": "US", "located_in": "US", "eccn": "EAR99", "tags": [{tags}]}},
                "parties": [{{"role": "end_user", "name": "Huawei Technologies Co., Ltd.", "country": "CN"}}]}}"#
        ))
        .unwrap()
    };
    let outcome = |tags: &str| {
        engine
            .decide(&tx(tags))
            .findings
            .iter()
            .find(|f| f.measure.as_str() == "EAR_ENTITY_LIST")
            .map(|f| f.outcome.as_str().to_string())
    };
    assert_eq!(outcome("").as_deref(), Some("LICENSE_REQUIRED"));
    assert_eq!(
        outcome(r#""technology_release""#).as_deref(),
        Some("NEEDS_REVIEW")
    );
}

/// An agency purchase with `item` and `parties` as given (issue 12 item 3).
fn agency_buys(item: &str, parties: &str) -> Outcome {
    let d = decide(&format!(
        r#"{{"date":"2021-06-01","flow":"procurement","actor":{{"us_person":true}},"destination":"US",
        "item":{item},"parties":[{parties}],
        "context":{{"buyer":"us_federal_agency","purpose":"physical_security"}}}}"#
    ));
    let o = outcomes(&d, Measure::Procurement889);
    assert_eq!(o.len(), 1, "{:#?}", d.findings);
    o[0].0
}

const RESELLER: &str =
    r#"{"role":"supplier","name":"Acme Federal Security Resellers LLC","country":"US"}"#;

#[test]
fn section_889_reaches_brands_affiliates_and_unnamed_producers() {
    // "Hikvision-made cameras" with only a reseller: never NOT_PROHIBITED.
    assert_eq!(
        agency_buys(r#"{"description":"Hikvision-made IP cameras"}"#, RESELLER),
        Outcome::NeedsReview
    );
    // The maker stated in item.manufacturer is screened like a party.
    assert_eq!(
        agency_buys(
            r#"{"description":"IP cameras","manufacturer":"Hangzhou Hikvision Digital Technology Company"}"#,
            RESELLER
        ),
        Outcome::Prohibited
    );
    // A listed Huawei affiliate (84 FR 22961) as the maker: covered.
    assert_eq!(
        agency_buys(
            r#"{"description":"LTE modules","manufacturer":"HiSilicon Technologies Co., Ltd"}"#,
            RESELLER
        ),
        Outcome::Prohibited
    );
    // A brand known only from background knowledge: NEEDS_REVIEW.
    assert_eq!(
        agency_buys(r#"{"description":"IP cameras","brand":"EZVIZ"}"#, RESELLER),
        Outcome::NeedsReview
    );
    // Covered-category equipment with no maker stated: NEEDS_REVIEW.
    assert_eq!(
        agency_buys(r#"{"description":"IP cameras for the lobby"}"#, RESELLER),
        Outcome::NeedsReview
    );
    assert_eq!(
        agency_buys(r#"{"tags":["telecom"]}"#, RESELLER),
        Outcome::NeedsReview
    );
    // A stated maker that is not covered, or goods outside the covered
    // categories, stay NOT_PROHIBITED.
    assert_eq!(
        agency_buys(
            r#"{"description":"IP cameras","manufacturer":"Axis Communications AB"}"#,
            RESELLER
        ),
        Outcome::NotProhibited
    );
    assert_eq!(
        agency_buys(r#"{"description":"office chairs"}"#, RESELLER),
        Outcome::NotProhibited
    );
}

#[test]
fn fcc_authorisation_reads_brands_and_unnamed_makers_too() {
    let fcc = |item: &str, maker: &str| {
        let d = decide(&format!(
            r#"{{"date":"2024-03-01","flow":"procurement","actor":{{"us_person":true}},"destination":"US",
            "item":{item},"parties":[{maker}],
            "context":{{"buyer":"private","fcc_authorization":"new_application"}}}}"#
        ));
        outcomes(&d, Measure::FccCoveredList)[0].0
    };
    // A listed Huawei affiliate as the maker: covered.
    assert_eq!(
        fcc(
            r#"{"description":"LTE router","manufacturer":"HiSilicon Technologies Co., Ltd"}"#,
            RESELLER
        ),
        Outcome::Prohibited
    );
    // A covered producer named only in the description: review.
    assert_eq!(
        fcc(r#"{"description":"Dahua-made dome cameras"}"#, RESELLER),
        Outcome::NeedsReview
    );
    // Surveillance equipment with no maker stated: review, not a clear.
    assert_eq!(
        fcc(r#"{"description":"dome cameras"}"#, RESELLER),
        Outcome::NeedsReview
    );
    // A named maker that is not covered: not prohibited.
    assert_eq!(
        fcc(
            r#"{"description":"dome cameras","manufacturer":"Axis Communications AB"}"#,
            RESELLER
        ),
        Outcome::NotProhibited
    );
}

#[test]
fn the_decision_draws_the_stated_ownership_with_blocked_owners_and_aggregates() {
    let xpcc = "XINJIANG PRODUCTION AND CONSTRUCTION CORPS";
    let d = decide(&format!(
        r#"{{"date":"2023-03-01","flow":"payment","actor":{{"us_person":true}},"context":{{"currency":"USD"}},
        "parties":[{{"role":"counterparty","name":"Company B","country":"CN"}}],
        "ownership":[{{"owner":"{xpcc}","owned":"Tianshan Holding","pct":55}},
                     {{"owner":"Tianshan Holding","owned":"Company B","pct":30}},
                     {{"owner":"{xpcc}","owned":"Company B","pct":25}},
                     {{"owner":"Orchard Investments","owned":"Company B","pct":45}}]}}"#
    ));
    let g = d
        .ownership
        .as_ref()
        .expect("a transaction with ownership has a graph");
    assert_eq!(g.edges.len(), 4);
    let node = |n: &str| g.nodes.iter().find(|x| x.name == n).unwrap();
    let x = node(xpcc);
    assert!(x.blocked && x.listed.iter().any(|l| l.regime == "SDN" && l.in_force));
    let t = node("Tianshan Holding");
    assert!(t.blocked && t.listed.is_empty(), "{t:?}");
    assert_eq!(t.blocked_owned_pct, 55.0);
    assert_eq!(t.chain.len(), 2, "{t:?}");
    let b = node("Company B");
    assert!(b.blocked, "{b:?}");
    assert_eq!(
        b.blocked_owned_pct, 55.0,
        "30 % through Tianshan + 25 % direct"
    );
    assert_eq!(b.role.as_deref(), Some("counterparty"));
    let o = node("Orchard Investments");
    assert!(!o.blocked && o.listed.is_empty() && o.blocked_owned_pct == 0.0);
    // The graph agrees with the finding.
    assert_eq!(outcomes(&d, Measure::OfacSdn)[0].0, Outcome::Prohibited);

    // Below 50 %: the owner is still shown blocked, the company is not.
    let d = decide(&format!(
        r#"{{"date":"2023-03-01","flow":"payment","actor":{{"us_person":true}},"context":{{"currency":"USD"}},
        "parties":[{{"role":"counterparty","name":"Company D"}}],
        "ownership":[{{"owner":"{xpcc}","owned":"Company D","pct":40}}]}}"#
    ));
    let g = d.ownership.as_ref().unwrap();
    let dn = g.nodes.iter().find(|x| x.name == "Company D").unwrap();
    assert!(!dn.blocked && dn.blocked_owned_pct == 40.0, "{dn:?}");
    assert!(g.nodes.iter().any(|x| x.name == xpcc && x.blocked));

    // No ownership stated: no graph, and none in the JSON.
    let d = decide(&export("2019-11-01", "Company B", ""));
    assert!(d.ownership.is_none());
    assert!(serde_json::to_value(&d).unwrap().get("ownership").is_none());
}
