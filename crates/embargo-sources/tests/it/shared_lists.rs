//! Exact record counts and spot checks on the real list files in
//! `../shared` (skipped with a printed reason when it is absent).

use embargo_model::{NameKind, Schema, SourceKind};
use embargo_sources::{parse_path, ErrorKind, ParsedList};
use embargo_testkit::require_shared;
use std::collections::HashSet;

fn parse(path: &std::path::Path) -> ParsedList {
    parse_path(path, None).unwrap_or_else(|e| panic!("{e}"))
}

fn assert_unique_ids(p: &ParsedList) {
    let ids: HashSet<&str> = p.entities.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), p.entities.len(), "entity ids must be unique");
}

#[test]
fn sdn_2024_05_03_and_the_day_before() {
    let p = parse(&require_shared!("data/lists/ofac_sdn/2024-05-03/sdn.csv"));
    assert_eq!(p.kind, SourceKind::OfacSdn);
    assert_eq!(p.entities.len(), 14_965);
    assert_eq!(p.files.len(), 1);
    assert_unique_ids(&p);
    let before = parse(&require_shared!("data/lists/ofac_sdn/2024-05-02/sdn.csv"));
    assert_eq!(before.entities.len(), 14_973);
    let now: HashSet<&str> = p.entities.iter().map(|e| e.id.as_str()).collect();
    let removed = before
        .entities
        .iter()
        .filter(|e| !now.contains(e.id.as_str()))
        .count();
    assert_eq!(removed, 8);
    assert_ne!(p.sha256, before.sha256);

    // An SDN with DOB and passport in remarks.
    let z = p
        .entities
        .iter()
        .find(|e| e.id.as_str() == "us_ofac_sdn:2676")
        .unwrap();
    assert_eq!(z.caption(), "AL ZAWAHIRI, Dr. Ayman");
    assert_eq!(z.schema, Schema::Person);
    assert_eq!(z.birth_dates[0].to_string(), "1951-06-19");
    assert_eq!(z.birth_places, ["Giza, Egypt"]);
    let passports: Vec<&str> = z
        .identifiers
        .iter()
        .filter(|i| i.kind == "Passport")
        .map(|i| i.value.as_str())
        .collect();
    assert_eq!(passports, ["1084010", "19820215"]);
    assert_eq!(z.identifiers[0].country.unwrap().as_str(), "EG");
    // Every DOB spelling in the file parses ("12 Jul 1986", "Jan 1955",
    // "circa 1955", "1955 to 1957", "circa 1957-1958", …).
    let with_dob_fact = p
        .entities
        .iter()
        .filter(|e| {
            e.remarks
                .first()
                .is_some_and(|r| r.starts_with("DOB ") || r.contains("; DOB "))
        })
        .count();
    let with_dob = p
        .entities
        .iter()
        .filter(|e| !e.birth_dates.is_empty())
        .count();
    assert_eq!(with_dob, with_dob_fact);
    assert_eq!(with_dob, 6736);
    let rb = p
        .entities
        .iter()
        .find(|e| e.caption() == "RAYBEAM OPTRONICS CO. LTD.")
        .unwrap();
    assert!(rb
        .identifiers
        .iter()
        .any(|i| i.kind == "Unified Social Credit Code (USCC)"
            && i.value == "9113100033607322XK"
            && i.country.map(|c| c.to_string()) == Some("CN".into())));
    assert_eq!(rb.programs, ["NPWMD", "IFSR"]);
    let schemas = |s: Schema| p.entities.iter().filter(|e| e.schema == s).count();
    assert_eq!(schemas(Schema::Person), 6854);
    assert_eq!(schemas(Schema::Vessel), 851);
    assert_eq!(schemas(Schema::Aircraft), 376);
    assert_eq!(schemas(Schema::Organization), 6884);
}

#[test]
fn sdn_2021_07_complete_set() {
    let p = parse(&require_shared!("data/lists/ofac_sdn/2021-07/sdn.csv"));
    assert_eq!(p.files.len(), 4);
    assert_eq!(p.entities.len(), 8_976);
    assert_eq!(p.rows["sdn.csv"], 8_976);
    assert_eq!(p.rows["alt.csv"], 11_910);
    assert_eq!(p.rows["add.csv"], 13_837);
    assert_unique_ids(&p);
    assert!(
        p.warnings.is_empty(),
        "{:?}",
        &p.warnings[..p.warnings.len().min(5)]
    );
    // Remarks continued in sdn_comments.csv: "a.k.a. 'snowsjo" + "hn'; Linked To: LAZARUS GROUP."
    let tian = p
        .entities
        .iter()
        .find(|e| e.id.as_str() == "us_ofac_sdn:28263")
        .unwrap();
    assert!(tian
        .names
        .iter()
        .any(|n| n.value == "snowsjohn" && n.kind == NameKind::WeakAlias));
    assert_eq!(tian.links[0].target_name, "LAZARUS GROUP");
    let bnc = p
        .entities
        .iter()
        .find(|e| e.id.as_str() == "us_ofac_sdn:306")
        .unwrap();
    let names: Vec<(&str, NameKind)> = bnc
        .names
        .iter()
        .map(|n| (n.value.as_str(), n.kind))
        .collect();
    assert!(names.contains(&("NATIONAL BANK OF CUBA", NameKind::Alias)));
    assert!(names.contains(&("BNC", NameKind::WeakAlias)));
    assert!(bnc
        .addresses
        .iter()
        .any(|a| a.full == "Zweierstrasse 35, Zurich CH-8022, Switzerland"));

    let old = parse(&require_shared!("data/lists/ofac_sdn/2019-01/sdn.csv"));
    assert_eq!(old.entities.len(), 7_379);
    assert_unique_ids(&old);
}

#[test]
fn ofac_consolidated_set() {
    let p = parse(&require_shared!(
        "data/lists/ofac_cons/2025-12/cons_prim.csv"
    ));
    assert_eq!(p.kind, SourceKind::OfacConsolidated);
    assert_eq!(p.entities.len(), 442);
    assert_eq!(p.files.len(), 4);
    assert_unique_ids(&p);
    assert!(p
        .entities
        .iter()
        .all(|e| e.id.as_str().starts_with("us_ofac_cons:")));
    let h = p
        .entities
        .iter()
        .find(|e| e.id.as_str() == "us_ofac_cons:9639")
        .unwrap();
    assert_eq!(h.birth_dates[0].to_string(), "1962");
    assert_eq!(h.birth_places, ["Shati"]);
    assert_eq!(h.programs, ["NS-PLC"]);
    // CMIC facts into properties.
    let ct = p
        .entities
        .iter()
        .find(|e| e.caption() == "CHINA TELECOM CORPORATION LIMITED")
        .unwrap();
    assert_eq!(ct.properties["cmicEffectiveDate"], ["2021-08-02"]);
    assert_eq!(ct.properties["cmicDivestmentDate"], ["2022-06-03"]);
    assert_eq!(ct.properties["cmicListingDate"], ["2021-06-03"]);
    assert_eq!(ct.programs, ["CMIC-EO13959"]);
    assert!(ct
        .identifiers
        .iter()
        .any(|i| i.kind == "Unified Social Credit Code (USCC)" && i.value == "9111000071093019X7"));
    assert!(ct
        .identifiers
        .iter()
        .any(|i| i.kind == "ISIN" && i.value == "US1694261033"));
    assert_eq!(
        ct.links[0].target_name,
        "CHINA TELECOMMUNICATIONS CORPORATION"
    );
}

#[test]
fn ofac_xml_samples() {
    let p = parse(&require_shared!("data/lists/ofac_xml_samples/sdn.xml"));
    assert_eq!(p.kind, SourceKind::OfacSdn);
    assert_eq!(p.entities.len(), 4);
    assert_eq!(p.published.unwrap().to_string(), "2014-07-16");
    // The sample keeps 4 of the 5,704 records its header declares.
    assert_eq!(p.declared_records, Some(5704));
    let bnc = &p.entities[0];
    assert_eq!(bnc.id.as_str(), "us_ofac_sdn:306");
    assert_eq!(bnc.names[1].value, "BNC");
    assert_eq!(bnc.names[1].kind, NameKind::WeakAlias);
    assert_eq!(
        bnc.addresses[3].full,
        "Federico Boyd Avenue & 51 Street, Panama City, Panama"
    );
    let j = &p.entities[1];
    assert_eq!(j.caption(), "JIM'ALE, Ahmed Nur Ali");
    assert_eq!(j.identifiers[0].value, "A0181988");
    assert_eq!(j.citizenships.len(), 2);
    assert_eq!(j.birth_dates[0].to_string(), "1954-05-20");
    let c = parse(&require_shared!(
        "data/lists/ofac_xml_samples/consolidated.xml"
    ));
    assert_eq!(c.kind, SourceKind::OfacConsolidated);
    assert_eq!(c.entities.len(), 24);
    assert_eq!(c.entities[0].identifiers[0].kind, "Registration ID");
}

#[test]
fn csl_2022_05_full_file() {
    let p = parse(&require_shared!(
        "data/lists/us_csl/2022-05/consolidated.csv"
    ));
    assert_eq!(p.kind, SourceKind::TradeCsl);
    assert_eq!(p.entities.len(), 14_160);
    assert_unique_ids(&p);
    let el = "Entity List (EL) - Bureau of Industry and Security";
    assert_eq!(
        p.entities
            .iter()
            .filter(|e| e.list.as_deref() == Some(el))
            .count(),
        2001
    );
    let hik = p
        .entities
        .iter()
        .find(|e| e.caption() == "Hangzhou Hikvision Digital Technology Co., Ltd.")
        .unwrap();
    assert_eq!(
        hik.id.as_str(),
        "us_trade_csl:f095626c9f8becc70b5948507fb6de6e443b257a"
    );
    assert_eq!(hik.list.as_deref(), Some(el));
    assert_eq!(
        hik.export_control.license_requirement.as_deref(),
        Some("For all items subject to the EAR.  (See §744.11 of the EAR)")
    );
    assert!(hik
        .export_control
        .license_policy
        .as_deref()
        .unwrap()
        .starts_with("Case-by-case review for ECCNs 1A004.c"));
    assert_eq!(
        hik.export_control.federal_register_notices,
        ["84 FR 54002", "85 FR 44159"]
    );
    assert_eq!(hik.listed_on.unwrap().to_string(), "2019-10-09");
    assert_eq!(hik.names[1].value, "Hikvision");
    assert_eq!(hik.addresses.len(), 3);
    assert_eq!(hik.countries[0].as_str(), "CN");
    // The lost apostrophe is kept as published.
    assert!(p
        .entities
        .iter()
        .any(|e| e.caption() == "Donetsk People?s Republic"));
    // Same OFAC entity on three Treasury lists: three ids.
    for id in ["18725", "18725-CAP", "18725-SSI"] {
        assert!(
            p.entities
                .iter()
                .any(|e| e.id.as_str() == format!("us_trade_csl:{id}")),
            "{id}"
        );
    }
    let cmic =
        "Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department";
    let cm = p
        .entities
        .iter()
        .find(|e| e.caption() == "CHINA MOBILE LIMITED" && e.list.as_deref() == Some(cmic))
        .unwrap();
    assert_eq!(cm.id.as_str(), "us_trade_csl:30923-CMIC");
    assert_eq!(cm.properties["cmicEffectiveDate"], ["2021-08-02"]);
    assert_eq!(cm.properties["cmicListingDate"], ["2021-06-03"]);
    assert_eq!(cm.properties["cmicDivestmentDate"], ["2022-06-03"]);
    assert_eq!(cm.properties["targetType"], ["Public Company"]);
    assert_eq!(
        cm.properties["issuerName"],
        ["China Mobile Limited", "China Mobile Ltd"]
    );
    let isins: Vec<&str> = cm
        .identifiers
        .iter()
        .filter(|i| i.kind == "ISIN")
        .map(|i| i.value.as_str())
        .collect();
    assert_eq!(
        isins,
        [
            "ARDEUT111812",
            "US16941M1099",
            "HK0941009539",
            "BRC1HLBDR003"
        ]
    );
    let footnoted = p
        .entities
        .iter()
        .filter(|e| e.export_control.footnotes == ["3"])
        .count();
    assert!(footnoted >= 97, "{footnoted}");
}

#[test]
fn csl_2025_sample_layout() {
    let p = parse(&require_shared!(
        "data/lists/us_csl/2025-06-sample/consolidated.csv"
    ));
    assert_eq!(p.entities.len(), 13);
    assert_unique_ids(&p);
    let rim = p
        .entities
        .iter()
        .find(|e| e.caption() == "RIM, Ryong Nam")
        .unwrap();
    assert_eq!(rim.identifiers[0].kind, "Passport");
    assert_eq!(rim.identifiers[0].value, "836238033");
    assert_eq!(rim.identifiers[0].country.unwrap().as_str(), "KP");
    assert_eq!(rim.gender, Some(embargo_model::Gender::Male));
}

#[test]
fn csl_truncated_download() {
    let path = require_shared!("data/lists/us_csl/2023-11-truncated/csl.csv");
    let err = parse_path(&path, None).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Truncated { .. }), "{err}");
    assert_eq!(err.whole_rows_before(), Some(4_226));
    let msg = err.to_string();
    assert!(msg.starts_with("csl.csv:"), "{msg}");
    assert!(msg.contains("record truncated"), "{msg}");
    // Header, a repeated header, 4,226 rows (some spanning several lines),
    // then the cut record on the file's last line, 4,233.
    assert_eq!(err.line, Some(4_233), "{msg}");
    assert_eq!(err.field.as_deref(), Some("addresses"), "{msg}");
}

#[test]
fn bis_dpl_files() {
    let a = parse(&require_shared!("data/lists/bis_dpl/2019-06/dpl.txt"));
    assert_eq!(a.kind, SourceKind::BisDpl);
    assert_eq!(a.entities.len(), 546);
    assert_unique_ids(&a);
    let b = parse(&require_shared!("data/lists/bis_dpl/2023-11/dpl.txt"));
    assert_eq!(b.entities.len(), 665);
    assert_unique_ids(&b);
    let jose = b
        .entities
        .iter()
        .find(|e| e.caption() == "JOSE ERNESTO GARCIA")
        .unwrap();
    assert_eq!(jose.properties["modifiedAt"], ["3033-09-30"]);
    assert_eq!(jose.properties["endDate"], ["2030-02-03"]);
    let ash = b.entities.iter().find(|e| e.caption() == "I. ASH").unwrap();
    assert_eq!(
        ash.export_control.federal_register_notices,
        [
            "68 F.R. 38290 6/27/03",
            "71 F.R. 38843 7/10/06",
            "72 F.R. 4236 1/30/07"
        ]
    );
    assert_eq!(ash.listed_on.unwrap().to_string(), "2003-06-19");
    assert_eq!(ash.addresses[0].country.unwrap().as_str(), "US");
    let s = parse(&require_shared!("data/lists/ita_samples/dpl/dpl.txt"));
    assert_eq!(s.entities.len(), 9);
    assert_eq!(s.warnings.len(), 1);
}

#[test]
fn un_consolidated() {
    let p = parse(&require_shared!(
        "data/lists/un/2026-02/UN_consolidated.xml"
    ));
    assert_eq!(p.kind, SourceKind::UnSc);
    assert_eq!(p.entities.len(), 1_003);
    assert_unique_ids(&p);
    assert_eq!(
        p.entities
            .iter()
            .filter(|e| e.schema == Schema::Person)
            .count(),
        730
    );
    assert_eq!(p.published.unwrap().to_string(), "2026-02-27");
    let native = p
        .entities
        .iter()
        .filter(|e| e.names.iter().any(|n| n.kind == NameKind::NativeScript))
        .count();
    // 378 records carry NAME_ORIGINAL_SCRIPT; one (JAMAAH ANSHARUT DAULAH)
    // repeats its Latin primary name there, which is not a second name.
    assert_eq!(native, 377);
    let saddam = p
        .entities
        .iter()
        .find(|e| e.names.iter().any(|n| n.value == "صدام حسين التكريتي"))
        .unwrap();
    assert_eq!(saddam.schema, Schema::Person);
    assert!(
        saddam.caption().starts_with("SADDAM"),
        "{}",
        saddam.caption()
    );
    let weak = p
        .entities
        .iter()
        .flat_map(|e| &e.names)
        .filter(|n| n.kind == NameKind::WeakAlias)
        .count();
    assert!(weak > 500, "{weak}");
    let badege = p
        .entities
        .iter()
        .find(|e| e.id.as_str() == "un_sc_sanctions:6907993")
        .unwrap();
    assert_eq!(badege.programs, ["DRC"]);
    assert_eq!(badege.properties["unReferenceNumber"], ["CDi.001"]);
    assert_eq!(badege.listed_on.unwrap().to_string(), "2012-12-31");
    assert_eq!(badege.nationalities[0].as_str(), "CD");
    assert_eq!(badege.birth_dates[0].to_string(), "1971");
    let cagl = p
        .entities
        .iter()
        .find(|e| e.id.as_str() == "un_sc_sanctions:6908026")
        .unwrap();
    let names: Vec<&str> = cagl.names.iter().map(|n| n.value.as_str()).collect();
    assert_eq!(
        names[..3],
        [
            "COMPAGNIE AERIENNE DES GRANDS LACS (CAGL) ; GREAT LAKES BUSINESS COMPANY (GLBC)",
            "COMPAGNIE AERIENNE DES GRANDS LACS (CAGL)",
            "GREAT LAKES BUSINESS COMPANY (GLBC)"
        ]
    );
}

#[test]
fn ftm_exports_and_delta() {
    let t1 = parse(&require_shared!(
        "data/opensanctions/ftm/yente_t1/entities.ftm.json"
    ));
    assert_eq!(t1.kind, SourceKind::Ftm);
    assert_eq!(t1.rows["entities.ftm.json"], 7);
    assert_eq!(t1.entities.len(), 6, "the Address entity is folded");
    assert_eq!(
        t1.published.map(|d| d.to_string()).as_deref(),
        Some("2024-06-01"),
        "the newest last_seen"
    );
    assert_eq!(t1.declared_records, None);
    let inter = t1
        .entities
        .iter()
        .find(|e| e.caption() == "RAB „Inter Tobacco“")
        .unwrap();
    assert_eq!(inter.schema, Schema::Organization);
    assert_eq!(inter.names.len(), 12);
    assert_eq!(inter.countries[0].as_str(), "BY");
    assert_eq!(inter.identifiers[0].kind, "registrationNumber");

    let zala = parse(&require_shared!(
        "data/opensanctions/ftm/yente_zala/entities.ftm.json"
    ));
    assert_eq!(zala.rows["entities.ftm.json"], 91);
    assert_eq!(zala.entities.len(), 17, "11 companies + 6 persons");
    assert!(zala.entities.iter().any(|e| !e.links.is_empty()));
    assert!(zala.entities.iter().any(|e| !e.programs.is_empty()));

    let d = parse(&require_shared!(
        "data/opensanctions/ftm/yente_2024-07_delta/entities.delta.json"
    ));
    let f = "entities.delta.json";
    assert_eq!(d.rows[f], 1_700);
    assert_eq!(
        d.rows[&format!("{f}:ADD")] + d.rows[&format!("{f}:MOD")],
        1_129
    );
    assert_eq!(d.deletions.len(), 571);
    assert_eq!(d.entities.len(), 451 + 97 + 27 + 1);
    assert_unique_ids(&d);
}
