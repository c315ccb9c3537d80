//! Issue 10 §5 (no silent clears) and §4 (one finding per measure per
//! party), on listings built in code and on the embedded regime pack:
//! missing facts give NEEDS_REVIEW naming the fact; enumerated fields
//! reject unknown values with the allowed list; OFAC "Verified" never rests
//! on the pack alone; several records of one party give one finding.

use embargo_model::{Country, Entity, EntityId, Schema};
use embargo_rules::coverage::REGIME_PACK_DATASET;
use embargo_rules::transaction::{enumerated_fields, Purpose, Role, Tag};
use embargo_rules::{
    parse_transaction, testing, Confidence, Decision, Engine, Finding, Measure, Outcome, RulesError,
};

const CLEARS: &[Outcome] = &[
    Outcome::NotProhibited,
    Outcome::NoLicenseRequired,
    Outcome::NotApplicable,
    Outcome::NotSubject,
];

fn ent(dataset: &str, id: &str, name: &str, program: &str, listed: &str) -> Entity {
    let mut e = Entity::new(
        EntityId::new(dataset, id),
        Schema::Organization,
        dataset,
        name,
    );
    e.programs = vec![program.into()];
    e.countries = vec![Country::from_code("CN").unwrap()];
    e.listed_on = Some(listed.parse().unwrap());
    e
}

fn el_row(dataset: &str, id: &str, name: &str, notice: u32) -> Entity {
    let mut e = ent(dataset, id, name, "EAR-ENTITY-LIST", "2019-05-16");
    e.export_control.license_requirement =
        Some("For all items subject to the EAR. (See §744.11 of the EAR)".into());
    e.export_control.license_policy = Some("Presumption of denial".into());
    e.export_control.federal_register_notices = vec![format!("84 FR {notice}")];
    e
}

/// Listings as an importer of the CSL and SDN would have them.
fn imported() -> Vec<Entity> {
    let mut v: Vec<Entity> = (1..=8)
        .map(|i| {
            el_row(
                "us_trade_csl",
                &format!("hw{i}"),
                "Huawei Technologies Co., Ltd.",
                22960 + i,
            )
        })
        .collect();
    // A weaker candidate for the same party (review band with TestResolver).
    v.push(el_row(
        "us_trade_csl",
        "hwweak",
        "Huawei Technologies Shenzhen",
        22990,
    ));
    v.push(ent(
        "us_ofac_sdn",
        "xpcc",
        "XINJIANG PRODUCTION AND CONSTRUCTION CORPS",
        "GLOMAG",
        "2020-07-31",
    ));
    let mut dahua = ent(
        "us_ofac_sdn-like_889",
        "dahua",
        "Dahua Technology Company",
        "NDAA-889",
        "2019-08-13",
    );
    dahua.add_property("ndaa889Prong", "B");
    v.push(dahua);
    v
}

fn decide_on(engine: &Engine, json: &str) -> Decision {
    let tx = parse_transaction(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let d = engine.decide(&tx);
    for f in &d.findings {
        assert!(f.measure.allows(f.outcome), "{f:?}");
        assert!(!f.reasons.is_empty(), "{f:?}");
    }
    d
}

fn of(d: &Decision, m: Measure) -> Vec<&Finding> {
    d.findings.iter().filter(|f| f.measure == m).collect()
}

fn pack_engine() -> Engine {
    testing::engine(
        embargo_pack::entities().to_vec(),
        &embargo_pack::version().version,
    )
}

fn path_of(json: &str) -> (String, String) {
    let RulesError::InvalidTransaction { path, message } = parse_transaction(json).unwrap_err();
    (path, message)
}

// ---- 1. missing facts ---------------------------------------------------

#[test]
fn no_parties_is_never_a_clear() {
    for engine in [testing::engine(imported(), "v1"), pack_engine()] {
        let d = decide_on(
            &engine,
            r#"{"date":"2024-01-10","flow":"export","actor":{"us_person":true,"country":"US"},
            "destination":"CN","item":{"origin":"US","located_in":"US","eccn":"6A993"}}"#,
        );
        for m in [Measure::EarEntityList, Measure::OfacSdn] {
            let fs = of(&d, m);
            assert_eq!(fs.len(), 1, "{m:?}: {fs:?}");
            assert_eq!(fs[0].outcome, Outcome::NeedsReview, "{m:?}");
            assert!(fs[0].reasons[0].starts_with("Missing fact"), "{:?}", fs[0]);
            assert!(fs[0].reasons[0].contains("parties"), "{:?}", fs[0]);
            assert_ne!(fs[0].confidence, Confidence::Verified);
        }
        // Only the item-based measures (jurisdiction, Country Chart) may
        // still give a clear: they do not depend on who the parties are.
        for f in &d.findings {
            let item_based = matches!(
                f.measure,
                Measure::EarJurisdiction | Measure::EarCountryChart
            );
            assert!(
                item_based || !CLEARS.contains(&f.outcome),
                "a clear with no parties: {f:?}"
            );
        }
    }
}

#[test]
fn investment_without_an_issuer_needs_review() {
    let d = decide_on(
        &testing::engine(imported(), "v1"),
        r#"{"date":"2024-01-10","flow":"investment","actor":{"us_person":true}}"#,
    );
    assert_eq!(of(&d, Measure::OfacCmic)[0].outcome, Outcome::NeedsReview);
}

#[test]
fn item_not_subject_to_the_ear_needs_no_party_for_the_entity_list() {
    let d = decide_on(
        &testing::engine(imported(), "v1"),
        r#"{"date":"2024-01-10","flow":"export","actor":{"us_person":true},"destination":"CN",
        "item":{"origin":"US","located_in":"US","tags":["published"]}}"#,
    );
    assert!(of(&d, Measure::EarEntityList)
        .iter()
        .all(|f| f.outcome == Outcome::NoLicenseRequired));
}

fn procurement(parties: &str, context: &str) -> String {
    format!(
        r#"{{"date":"2024-01-10","flow":"procurement","actor":{{"us_person":true}},"destination":"US",
        "item":{{"description":"cameras","origin":"CN","tags":["video_surveillance"]}},
        "parties":[{parties}],"context":{context}}}"#
    )
}

#[test]
fn federal_procurement_without_a_manufacturer_needs_review() {
    let engine = testing::engine(imported(), "v1");
    let d = decide_on(
        &engine,
        &procurement(
            r#"{"role":"purchaser","name":"Some Agency"}"#,
            r#"{"buyer":"us_federal_agency","purpose":"physical_security"}"#,
        ),
    );
    let f = of(&d, Measure::Procurement889);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].outcome, Outcome::NeedsReview);
    assert!(f[0].reasons[0].contains("no manufacturer"), "{:?}", f[0]);
    // Before § 889 took effect the answer does not depend on the maker.
    let early = procurement(
        r#"{"role":"purchaser","name":"Some Agency"}"#,
        r#"{"buyer":"us_federal_agency"}"#,
    )
    .replace("2024-01-10", "2019-01-10");
    assert_eq!(
        of(&decide_on(&engine, &early), Measure::Procurement889)[0].outcome,
        Outcome::NotProhibited
    );
    // FCC and UK measures need the producer too.
    let d = decide_on(
        &engine,
        &procurement(
            r#"{"role":"purchaser","name":"Some Agency"}"#,
            r#"{"buyer":"uk_central_government","site":"ministerial_office","fcc_authorization":"new_application"}"#,
        ),
    );
    assert_eq!(
        of(&d, Measure::FccCoveredList)[0].outcome,
        Outcome::NeedsReview
    );
    assert_eq!(
        of(&d, Measure::UkProcurement)[0].outcome,
        Outcome::NeedsReview
    );
    // A producer of unstated country cannot be cleared under the UK instruction.
    let d = decide_on(
        &engine,
        &procurement(
            r#"{"role":"manufacturer","name":"Unknown Maker Ltd"}"#,
            r#"{"buyer":"uk_central_government","site":"ministerial_office"}"#,
        ),
    );
    assert_eq!(
        of(&d, Measure::UkProcurement)[0].outcome,
        Outcome::NeedsReview
    );
}

#[test]
fn export_without_an_eccn_needs_review_on_the_chart() {
    let d = decide_on(
        &testing::engine(imported(), "v1"),
        r#"{"date":"2024-01-10","flow":"export","actor":{"us_person":true},"destination":"CN",
        "item":{"origin":"US","located_in":"US"},
        "parties":[{"role":"end_user","name":"Unlisted Trading Co","country":"CN"}]}"#,
    );
    let f = of(&d, Measure::EarCountryChart);
    assert_eq!(f[0].outcome, Outcome::NeedsReview);
    assert!(
        f[0].reasons.iter().any(|r| r.contains("ECCN")),
        "{:?}",
        f[0]
    );
}

#[test]
fn import_with_no_producer_or_inputs_is_not_cleared_by_wro() {
    let d = decide_on(
        &testing::engine(imported(), "v1"),
        r#"{"date":"2024-01-10","flow":"import","actor":{"us_person":true},"destination":"US",
        "item":{"description":"garments","origin":"VN"},
        "parties":[{"role":"importer","name":"US Importer Inc"}]}"#,
    );
    assert_eq!(of(&d, Measure::Wro)[0].outcome, Outcome::NeedsReview);
    assert_eq!(of(&d, Measure::Uflpa)[0].outcome, Outcome::NeedsReview);
}

// ---- 2. enumerated fields ----------------------------------------------

#[test]
fn a_free_text_purpose_is_a_parse_error_listing_the_codes() {
    let (path, msg) = path_of(&procurement(
        r#"{"role":"manufacturer","name":"Dahua Technology Co., Ltd."}"#,
        r#"{"buyer":"us_federal_agency","purpose":"cameras for our lobby"}"#,
    ));
    assert_eq!(path, "context.purpose");
    assert!(msg.contains("cameras for our lobby"), "{msg}");
    for code in Purpose::ALLOWED {
        assert!(msg.contains(code), "{msg} lacks {code}");
    }
}

#[test]
fn purpose_other_never_clears_a_purpose_limited_maker() {
    let engine = testing::engine(imported(), "v1");
    let ctx = |p: &str| {
        format!(
            r#"{{"buyer":"us_federal_agency","purpose":"{p}","purpose_description":"cameras for our lobby"}}"#
        )
    };
    let maker = r#"{"role":"manufacturer","name":"Dahua Technology Co., Ltd.","country":"CN"}"#;
    let o = |p: &str| {
        of(
            &decide_on(&engine, &procurement(maker, &ctx(p))),
            Measure::Procurement889,
        )[0]
        .outcome
    };
    assert_eq!(o("other"), Outcome::NeedsReview);
    assert_eq!(o("physical_security"), Outcome::Prohibited);
    assert_eq!(o("scientific_research"), Outcome::NotProhibited);
    let d = decide_on(&engine, &procurement(maker, &ctx("other")));
    assert!(of(&d, Measure::Procurement889)[0]
        .reasons
        .iter()
        .any(|r| r.contains("cameras for our lobby")));
}

#[test]
fn every_enumerated_field_rejects_unknown_values_with_its_path() {
    let base = |flow: &str, party: &str, item: &str, ctx: &str| {
        format!(
            r#"{{"date":"2024-01-10","flow":"{flow}","parties":[{party}],"item":{item},"context":{ctx}}}"#
        )
    };
    let ok_party = r#"{"role":"end_user","name":"A"}"#;
    let cases = [
        (base("smuggle", ok_party, "{}", "{}"), "flow", "export"),
        (
            base("export", r#"{"role":"friend","name":"A"}"#, "{}", "{}"),
            "parties[0].role",
            "end_user",
        ),
        (
            base("export", ok_party, r#"{"tags":["telecom","lobby"]}"#, "{}"),
            "item.tags[1]",
            "video_surveillance",
        ),
        (
            base("export", ok_party, "{}", r#"{"buyer":"government"}"#),
            "context.buyer",
            "us_federal_agency",
        ),
        (
            base("export", ok_party, "{}", r#"{"site":"lobby"}"#),
            "context.site",
            "ministerial_office",
        ),
        (
            base("export", ok_party, "{}", r#"{"fcc_authorization":"yes"}"#),
            "context.fcc_authorization",
            "new_application",
        ),
        (
            base(
                "export",
                ok_party,
                "{}",
                r#"{"supply_chain_tracing":"mostly"}"#,
            ),
            "context.supply_chain_tracing",
            "complete",
        ),
        (
            base(
                "export",
                ok_party,
                "{}",
                r#"{"equipment_used_by":"janitor"}"#,
            ),
            "context.equipment_used_by",
            "contractor",
        ),
        (
            base("export", ok_party, "{}", r#"{"currency":"US dollars"}"#),
            "context.currency",
            "ISO 4217",
        ),
        (
            base("export", r#"{"role":"end_user","name":"  "}"#, "{}", "{}"),
            "parties[0].name",
            "blank",
        ),
    ];
    for (json, want_path, want_in_msg) in cases {
        let (path, msg) = path_of(&json);
        assert_eq!(path, want_path, "{json}");
        assert!(msg.contains(want_in_msg), "{path}: {msg}");
    }
    // Codes are read ignoring ASCII case; the canonical code is kept.
    let tx = parse_transaction(&base(
        "Export",
        r#"{"role":"End_User","name":"A"}"#,
        r#"{"tags":["Video_Surveillance"]}"#,
        r#"{"currency":"usd"}"#,
    ))
    .unwrap();
    assert_eq!(tx.parties[0].role, Role::EndUser);
    assert_eq!(tx.item.unwrap().tags, vec!["video_surveillance"]);
    assert_eq!(tx.context.currency.as_deref(), Some("USD"));
}

#[test]
fn the_allowed_lists_are_one_source_of_truth() {
    let fields = enumerated_fields();
    assert_eq!(fields.len(), 9);
    for (path, allowed) in &fields {
        assert!(!allowed.is_empty(), "{path}");
    }
    assert!(Tag::ALLOWED.contains(&"publicly_traded_security"));
    assert_eq!(Role::ALLOWED.len(), Role::ALL.len());
    for (i, r) in Role::ALL.iter().enumerate() {
        assert_eq!(Role::parse(Role::ALLOWED[i]), Some(*r));
    }
}

// ---- 3. OFAC on the pack alone -----------------------------------------

#[test]
fn the_regime_pack_dataset_name_matches_the_pack() {
    assert_eq!(REGIME_PACK_DATASET, embargo_pack::DATASET);
    let e = pack_engine();
    assert!(!e.sources().has_official_sdn());
    assert_eq!(e.sources().pack_entries(), embargo_pack::entities().len());
    assert!(testing::engine(imported(), "v1")
        .sources()
        .has_official_sdn());
}

fn payment(party: &str) -> String {
    format!(
        r#"{{"date":"2024-01-10","flow":"payment","actor":{{"us_person":true,"country":"US"}},
        "parties":[{{"role":"counterparty","name":"{party}","country":"CN"}}]}}"#
    )
}

#[test]
fn a_clean_ofac_screen_on_the_pack_alone_is_not_verified() {
    let d = decide_on(&pack_engine(), &payment("Unlisted Trading Co"));
    let f = of(&d, Measure::OfacSdn);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].outcome, Outcome::NotProhibited);
    assert_eq!(f[0].confidence, Confidence::Uncertain);
    let why = f[0].reasons.last().unwrap();
    assert!(
        why.contains(&format!(
            "embedded {}-entry regime pack",
            embargo_pack::entities().len()
        )) && why.contains("Import the SDN list"),
        "{why}"
    );
    // A pack hit is at most Secondary.
    let d = decide_on(
        &pack_engine(),
        &payment("Xinjiang Production and Construction Corps"),
    );
    let f = of(&d, Measure::OfacSdn);
    assert_eq!(f[0].outcome, Outcome::Prohibited);
    assert_eq!(f[0].confidence, Confidence::Secondary);
    // With an SDN list loaded the clean screen stands as Verified.
    let d = decide_on(
        &testing::engine(imported(), "v1"),
        &payment("Unlisted Trading Co"),
    );
    let f = of(&d, Measure::OfacSdn);
    assert_eq!(
        (f[0].outcome, f[0].confidence),
        (Outcome::NotProhibited, Confidence::Verified)
    );
}

// ---- 4. one finding per measure per party --------------------------------

#[test]
fn eight_entity_list_rows_and_a_weak_candidate_give_one_finding() {
    let d = decide_on(
        &testing::engine(imported(), "csl-2022-05"),
        r#"{"date":"2024-01-10","flow":"export","actor":{"us_person":true,"country":"US"},
        "destination":"CN","item":{"origin":"US","located_in":"US","eccn":"EAR99"},
        "parties":[{"role":"end_user","name":"Huawei Technologies Co., Ltd.","country":"CN"}]}"#,
    );
    let el = of(&d, Measure::EarEntityList);
    assert_eq!(el.len(), 1, "{el:#?}");
    let f = el[0];
    assert_eq!(f.outcome, Outcome::LicenseRequired);
    let ids: Vec<&str> = f.evidence.iter().map(|e| e.entity_id.as_str()).collect();
    assert_eq!(ids.len(), 9, "{ids:?}");
    assert!(ids.iter().any(|i| i.ends_with("hwweak")), "{ids:?}");
    for e in &f.evidence {
        assert_eq!(e.list_version, "csl-2022-05");
        assert!(e.score > 0.0);
    }
    // Every record's Federal Register notice is cited.
    for i in 1..=8 {
        let c = format!("84 FR {}", 22960 + i);
        assert!(f.citations.contains(&c), "{c} not in {:?}", f.citations);
    }
    assert!(f
        .reasons
        .iter()
        .any(|r| r.contains("9 list records considered")));
}

#[test]
fn a_pack_entry_and_an_imported_row_of_one_party_give_one_finding() {
    let mut listings = embargo_pack::entities().to_vec();
    listings.push(el_row(
        "us_trade_csl",
        "hik",
        "Hangzhou Hikvision Digital Technology Co., Ltd.",
        54002,
    ));
    let d = decide_on(
        &testing::engine(listings, "mixed"),
        r#"{"date":"2021-06-01","flow":"export","actor":{"us_person":true,"country":"US"},
        "destination":"CN","item":{"origin":"US","located_in":"US","eccn":"6A993"},
        "parties":[{"role":"end_user","name":"Hangzhou Hikvision Digital Technology Co., Ltd.","country":"CN"}]}"#,
    );
    let el = of(&d, Measure::EarEntityList);
    assert_eq!(el.len(), 1, "{el:#?}");
    let datasets: Vec<&str> = el[0].evidence.iter().map(|e| e.list.as_str()).collect();
    assert!(
        datasets.iter().any(|l| l.starts_with("us_trade_csl")),
        "{datasets:?}"
    );
    assert!(
        datasets.iter().any(|l| l.starts_with(REGIME_PACK_DATASET)),
        "{datasets:?}"
    );
}
