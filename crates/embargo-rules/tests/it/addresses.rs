//! Issue 11 item 6 through `decide`: a Xinjiang place name that is a road
//! name in another province is no nexus (no UFLPA presumption, no WRO
//! detention); an address naming only such a street is a review flag;
//! county-level and Uyghur-script names are a nexus.

use embargo_rules::{parse_transaction, Decision, Measure, Outcome};

fn decide(address: &str, country: &str) -> Decision {
    let engine = embargo_rules::testing::engine(vec![], "fixture-v1");
    let json = format!(
        r#"{{"date":"2024-03-01","flow":"import","actor":{{"us_person":true}},"destination":"US",
        "item":{{"description":"cotton yarn","origin":"CN","tags":[]}},
        "parties":[{{"role":"manufacturer","name":"Company T Textiles","country":"{country}","address":{address:?}}}]}}"#
    );
    let tx = parse_transaction(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let d = engine.decide(&tx);
    for f in &d.findings {
        assert!(f.measure.allows(f.outcome), "{f:?}");
    }
    d
}

fn outcomes(d: &Decision, m: Measure) -> Vec<Outcome> {
    d.findings
        .iter()
        .filter(|f| f.measure == m)
        .map(|f| f.outcome)
        .collect()
}

#[test]
fn streets_named_after_xinjiang_places_elsewhere_are_not_a_nexus() {
    for addr in [
        "上海市徐汇区乌鲁木齐中路12号",
        "Urumqi Middle Road 12, Xuhui District, Shanghai",
        "山东省青岛市市北区新疆路8号",
        "No. 8 Xinjiang Road, Shibei District, Qingdao",
        "广州市越秀区喀什路3号",
        "3 Kashi Road, Yuexiu District, Guangzhou",
    ] {
        let d = decide(addr, "CN");
        let uflpa = outcomes(&d, Measure::Uflpa);
        assert!(
            !uflpa.contains(&Outcome::PresumedProhibited),
            "{addr}: {uflpa:?}"
        );
        assert_eq!(
            outcomes(&d, Measure::Wro),
            vec![Outcome::NotApplicable],
            "{addr}"
        );
        assert!(
            outcomes(&d, Measure::Flag).is_empty(),
            "{addr}: {:?}",
            d.findings
        );
    }
}

#[test]
fn a_street_alone_is_a_review_flag_not_a_presumption() {
    for addr in ["乌鲁木齐中路12号", "8 Xinjiang Road", "喀什路3号"] {
        let d = decide(addr, "CN");
        assert_eq!(
            outcomes(&d, Measure::Flag),
            vec![Outcome::NeedsReview],
            "{addr}"
        );
        assert_eq!(
            outcomes(&d, Measure::Uflpa),
            vec![Outcome::NeedsReview],
            "{addr}"
        );
        assert_eq!(
            outcomes(&d, Measure::Wro),
            vec![Outcome::NotApplicable],
            "{addr}"
        );
    }
}

#[test]
fn county_and_uyghur_names_are_a_nexus() {
    for addr in [
        "Kuerle Economic Development Zone, Bayingolin",
        "Korla",
        "Kuitun City",
        "Bole City",
        "Altay",
        "Aral",
        "ئۈرۈمچى شەھىرى",
        "新疆维吾尔自治区乌鲁木齐市上海路5号",
    ] {
        let d = decide(addr, "CN");
        assert!(
            outcomes(&d, Measure::Flag).contains(&Outcome::XinjiangNexus),
            "{addr}"
        );
        assert_eq!(
            outcomes(&d, Measure::Uflpa),
            vec![Outcome::PresumedProhibited],
            "{addr}"
        );
        // Aral is an XPCC city: the XPCC cotton WRO applies beside the
        // region-wide one.
        let wro = outcomes(&d, Measure::Wro);
        assert!(
            !wro.is_empty() && wro.iter().all(|o| *o == Outcome::Detained),
            "{addr}: {wro:?}"
        );
    }
    // Bole in Addis Ababa is not Bole in Bortala.
    let d = decide("Bole Road, Bole, Addis Ababa", "ET");
    assert!(!outcomes(&d, Measure::Uflpa).contains(&Outcome::PresumedProhibited));
}
