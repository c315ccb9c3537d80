//! Parser behaviour on small hand-written files in the real formats, and
//! on bad input (empty, truncated, wrong format, broken UTF-8).

use embargo_model::{DateValue, NameKind, PartialDate, Schema, SourceKind};
use embargo_sources::{detect, parse_path, parse_reader, DeltaOp, ErrorKind};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The hand-written OFAC set under the file names Treasury uses (the parser
/// finds sibling files by those names). The fixtures are stored as
/// `*.sample.csv` so nothing in the repository looks like the official file.
fn ofac_set() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for f in ["sdn", "alt", "add", "sdn_comments"] {
        std::fs::copy(
            fixture(&format!("ofac/{f}.sample.csv")),
            dir.path().join(format!("{f}.csv")),
        )
        .unwrap();
    }
    let sdn = dir.path().join("sdn.csv");
    (dir, sdn)
}

#[test]
fn ofac_set_joins_siblings_and_reads_remarks() {
    let (_dir, sdn) = ofac_set();
    let p = parse_path(&sdn, None).unwrap();
    assert_eq!(p.kind, SourceKind::OfacSdn);
    assert_eq!(p.files.len(), 4);
    assert_eq!(p.entities.len(), 3);
    assert_eq!(p.rows["sdn.csv"], 3);
    assert_eq!(p.rows["alt.csv"], 2);
    assert_eq!(p.rows["add.csv"], 2);
    assert_eq!(p.sha256.len(), 64);

    let cuba = &p.entities[0];
    assert_eq!(cuba.id.as_str(), "us_ofac_sdn:36");
    assert_eq!(cuba.schema, Schema::Organization);
    assert_eq!(cuba.names[1].value, "AERO-CARIBBEAN");
    assert_eq!(cuba.names[1].kind, NameKind::Alias);
    assert_eq!(cuba.addresses[0].full, "Havana, Cuba");
    assert_eq!(cuba.countries[0].as_str(), "CU");

    let person = &p.entities[1];
    assert_eq!(person.schema, Schema::Person);
    assert_eq!(person.titles, ["Military Leader of ISLAMIC GAMA'AT"]);
    assert!(
        person.addresses.is_empty(),
        "all -0- address row is no address"
    );
    // The comment file completes the cut remark "Linked To: ISLAMIC GA" + "MA'AT."
    assert_eq!(person.links[0].target_name, "ISLAMIC GAMA'AT");
    assert_eq!(
        person.birth_dates,
        [
            DateValue::Exact(PartialDate::parse_iso("1955-01-15").unwrap()),
            DateValue::Range {
                from: PartialDate::Year(1955),
                to: PartialDate::Year(1957)
            }
        ]
    );
    assert_eq!(person.identifiers[0].kind, "Passport");
    assert_eq!(person.identifiers[0].value, "304555");
    assert_eq!(person.identifiers[0].country.unwrap().as_str(), "EG");
    let kinds: Vec<(&str, NameKind)> = person
        .names
        .iter()
        .map(|n| (n.value.as_str(), n.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("ISLAMBOULI, Mohammad Shawqi", NameKind::Primary),
            ("AL-ISLAMBOULI, Mohammad", NameKind::FormerName),
            ("ABU KHALID", NameKind::WeakAlias)
        ]
    );
    assert_eq!(
        person.names[0].parts.as_ref().unwrap().family.as_deref(),
        Some("ISLAMBOULI")
    );

    let vessel = &p.entities[2];
    assert_eq!(vessel.schema, Schema::Vessel);
    assert_eq!(vessel.programs, ["DPRK3", "CYBER2"]);
    assert_eq!(vessel.properties["callSign"], ["CL2192"]);
    assert_eq!(vessel.properties["flag"], ["Panama"]);
    assert_eq!(vessel.identifiers[0].kind, "IMO");
    assert_eq!(vessel.identifiers[0].value, "7406784");
    assert_eq!(vessel.names[1].kind, NameKind::FormerName);
}

#[test]
fn ofac_primary_alone_through_parse_reader() {
    let bytes = std::fs::read(fixture("ofac/sdn.sample.csv")).unwrap();
    let p = parse_reader(SourceKind::OfacSdn, "sdn.csv", &bytes[..]).unwrap();
    assert_eq!(p.entities.len(), 3);
    // Without the comments file the cut link name stays cut.
    assert_eq!(p.entities[1].links[0].target_name, "ISLAMIC GA");
}

#[test]
fn csl_2025_layout_ids_duplicates_and_footnotes() {
    let p = parse_path(&fixture("csl_2025.csv"), None).unwrap();
    assert_eq!(p.kind, SourceKind::TradeCsl);
    assert_eq!(p.entities.len(), 3);
    let el = &p.entities[0];
    assert_eq!(el.id.as_str(), "us_trade_csl:e1");
    assert_eq!(el.caption(), "Donetsk People?s Republic Test Co.");
    assert_eq!(el.schema, Schema::LegalEntity);
    assert_eq!(
        el.export_control.federal_register_notices,
        ["87 FR 13048", "87 FR 13141"]
    );
    assert_eq!(el.export_control.footnotes, ["3"]);
    assert_eq!(
        el.export_control.license_policy.as_deref(),
        Some("Policy of denial.")
    );
    assert_eq!(
        el.listed_on,
        Some(PartialDate::parse_iso("2022-03-03").unwrap())
    );
    assert_eq!(el.addresses.len(), 2);
    assert_eq!(el.addresses[1].country.unwrap().as_str(), "RU");
    assert_eq!(el.names.len(), 3);
    let sdn = &p.entities[1];
    assert_eq!(sdn.id.as_str(), "us_trade_csl:52291");
    assert_eq!(sdn.identifiers[0].kind, "Passport");
    assert_eq!(sdn.identifiers[0].country.unwrap().as_str(), "KP");
    assert_eq!(sdn.gender, Some(embargo_model::Gender::Male));
    assert_eq!(sdn.nationalities[0].as_str(), "KP");
    assert_eq!(sdn.links[0].target_name, "KOREA TEST CORP");
    assert_eq!(p.entities[2].id.as_str(), "us_trade_csl:52291-SSI");
}

#[test]
fn csl_truncation_reports_line_field_and_whole_rows() {
    let err = parse_path(&fixture("csl_truncated.csv"), Some(SourceKind::TradeCsl)).unwrap_err();
    assert_eq!(err.line, Some(3));
    assert_eq!(err.field.as_deref(), Some("addresses"));
    assert_eq!(err.whole_rows_before(), Some(1));
    let msg = err.to_string();
    assert!(
        msg.starts_with("csl_truncated.csv:3: field \"addresses\": record truncated"),
        "{msg}"
    );
}

#[test]
fn wrong_format_empty_and_unknown_are_clear_errors() {
    let err = parse_path(&fixture("un.xml"), Some(SourceKind::TradeCsl)).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::WrongFormat(_)));
    assert!(
        err.to_string()
            .contains("header does not look like a CSL file"),
        "{err}"
    );

    let err = parse_path(&fixture("csl_2025.csv"), Some(SourceKind::UnSc)).unwrap_err();
    assert!(err.to_string().contains("XML"), "{err}");

    let err = parse_path(&fixture("custom.csv"), Some(SourceKind::BisDpl)).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::WrongFormat(_)), "{err}");

    let err = parse_path(&fixture("dpl.txt"), Some(SourceKind::OfacSdn)).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::WrongFormat(_)), "{err}");

    for kind in SourceKind::ALL {
        if kind == SourceKind::RegimePack {
            continue;
        }
        let err = parse_reader(kind, "empty.csv", &b""[..]).unwrap_err();
        assert_eq!(err.to_string(), "empty.csv: file is empty", "{kind}");
    }
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("notes.txt");
    std::fs::write(&odd, "hello\n").unwrap();
    assert_eq!(detect(&odd), None);
    assert!(matches!(
        parse_path(&odd, None).unwrap_err().kind,
        ErrorKind::Unsupported(_)
    ));
}

#[test]
fn broken_utf8_in_csv_is_decoded_as_cp1252_with_a_warning() {
    let mut bytes = std::fs::read(fixture("csl_2025.csv")).unwrap();
    let pos = bytes.windows(4).position(|w| w == b"DNR\"").unwrap();
    bytes[pos + 1] = 0x96;
    let p = parse_reader(SourceKind::TradeCsl, "csl.csv", &bytes[..]).unwrap();
    assert_eq!(p.entities[0].names[2].value, "D\u{2013}R");
    assert_eq!(p.warnings.len(), 1);
    assert!(
        p.warnings[0].starts_with("csl.csv:2: field \"alt_names\": invalid UTF-8"),
        "{:?}",
        p.warnings
    );

    // In XML and JSON (UTF-8 by definition) it is an error with a line.
    let xml = b"<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST>\n<INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>A\xff</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>";
    let err = parse_reader(SourceKind::UnSc, "un.xml", &xml[..]).unwrap_err();
    assert_eq!(err.line, Some(3), "{err}");
    let json = b"{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{}}\n{\"id\":\"b\xff\"}\n";
    let err = parse_reader(SourceKind::Ftm, "e.json", &json[..]).unwrap_err();
    assert_eq!(err.line, Some(2), "{err}");
}

#[test]
fn dpl_rows_dates_and_blank_rows() {
    let p = parse_path(&fixture("dpl.txt"), None).unwrap();
    assert_eq!(p.kind, SourceKind::BisDpl);
    assert_eq!(p.entities.len(), 2);
    assert_eq!(p.warnings, ["dpl.txt:2: blank row skipped"]);
    let j = &p.entities[0];
    assert_eq!(j.caption(), "JOSE TEST GARCIA");
    assert_eq!(j.listed_on.unwrap().to_string(), "2022-09-26");
    assert_eq!(j.properties["endDate"], ["2030-02-03"]);
    assert_eq!(j.properties["modifiedAt"], ["3033-09-30"]);
    assert_eq!(
        j.export_control.federal_register_notices,
        ["87 F.R. 59396 9/30/2022"]
    );
    assert!(j.id.as_str().starts_with("us_bis_dpl:"));
    let k = &p.entities[1];
    assert_eq!(k.addresses[0].country.unwrap().as_str(), "NL");
    assert_eq!(k.properties["endDate"], ["2007-03-19"]);
}

#[test]
fn un_fixture_names_dates_and_documents() {
    let p = parse_path(&fixture("un.xml"), None).unwrap();
    assert_eq!(p.kind, SourceKind::UnSc);
    assert_eq!(p.published.unwrap().to_string(), "2026-02-27");
    assert_eq!(p.entities.len(), 2);
    let i = &p.entities[0];
    assert_eq!(i.id.as_str(), "un_sc_sanctions:1001");
    assert_eq!(i.caption(), "TEST PERSON AL-TEST");
    let kinds: Vec<(&str, NameKind)> = i.names.iter().map(|n| (n.value.as_str(), n.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("TEST PERSON AL-TEST", NameKind::Primary),
            ("تست", NameKind::NativeScript),
            ("GOOD ALIAS", NameKind::Alias),
            ("Abu Test", NameKind::WeakAlias)
        ]
    );
    assert_eq!(i.remarks, ["Smith & Sons"]);
    assert_eq!(i.programs, ["Al-Qaida"]);
    assert_eq!(i.properties["unReferenceNumber"], ["QDi.999"]);
    assert_eq!(i.birth_dates.len(), 2);
    assert_eq!(i.birth_dates[0].to_string(), "1960..1962");
    assert_eq!(i.birth_dates[1].to_string(), "1963-04-28");
    assert_eq!(i.birth_places, ["Tikrit, Iraq"]);
    assert_eq!(i.nationalities[0].as_str(), "IQ");
    assert_eq!(i.identifiers[0].value, "A123");
    assert_eq!(i.identifiers[0].country.unwrap().as_str(), "IQ");
    let e = &p.entities[1];
    assert_eq!(e.schema, Schema::Organization);
    assert_eq!(e.names[1].kind, NameKind::FormerName);
}

#[test]
fn ftm_delta_folds_auxiliaries_and_exposes_ops() {
    let p = parse_path(&fixture("ftm_delta.json"), None).unwrap();
    assert_eq!(p.kind, SourceKind::Ftm);
    assert_eq!(p.rows["ftm_delta.json"], 4);
    assert_eq!(p.rows["ftm_delta.json:MOD"], 2);
    assert_eq!(p.entities.len(), 1);
    let e = &p.entities[0];
    assert_eq!(e.id.as_str(), "ftm:p1");
    assert_eq!(e.names[1].value, "Ivan T.");
    assert_eq!(e.addresses[0].full, "Moscow, Russia");
    assert_eq!(e.programs, ["RUSSIA-EO14024"]);
    assert_eq!(e.listed_on.unwrap().to_string(), "2022-02-24");
    assert_eq!(e.identifiers[0].value, "123");
    let ops = embargo_sources::ftm::delta_ops(p);
    assert_eq!(ops.len(), 2);
    assert!(matches!(&ops[0], DeltaOp::Delete(id) if id.as_str() == "ftm:gone"));
    assert!(matches!(&ops[1], DeltaOp::Upsert(e) if e.id.as_str() == "ftm:p1"));
}

#[test]
fn custom_list_parses_and_validates_strictly() {
    let p = parse_path(&fixture("custom.csv"), None).unwrap();
    assert_eq!(p.kind, SourceKind::Custom);
    assert_eq!(p.dataset, "custom_custom");
    assert_eq!(p.entities.len(), 2);
    let j = &p.entities[0];
    assert_eq!(j.id.as_str(), "custom_custom:1");
    assert_eq!(j.names.len(), 3);
    assert_eq!(j.birth_dates[0].to_string(), "1980-05");
    assert_eq!(j.identifiers[0].kind, "Passport");
    assert_eq!(j.listed_on.unwrap().to_string(), "2024-01-15");
    assert_eq!(p.entities[1].schema, Schema::Company);

    let bad = |body: &str| {
        parse_reader(SourceKind::Custom, "block.csv", body.as_bytes())
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        bad("id,schema,name\n1,Person,A\n2,Robot,B\n"),
        "block.csv:3: field \"schema\": unknown schema \"Robot\" (expected Person, Organization, Company, LegalEntity, Vessel or Aircraft)"
    );
    assert_eq!(
        bad("id,schema,name,birth_date\n1,Person,A,1980-13-01\n"),
        "block.csv:2: field \"birth_date\": not a date (YYYY, YYYY-MM or YYYY-MM-DD): \"1980-13-01\""
    );
    assert_eq!(
        bad("id,schema,name,country\n1,Person,A,Germany\n"),
        "block.csv:2: field \"country\": not an ISO 3166-1 alpha-2 country code: \"Germany\""
    );
    assert!(
        bad("id,schema,name,colour\n").starts_with("block.csv:1: field \"colour\": unknown column")
    );
    assert!(bad("id,schema,name\n1,Person,A\n1,Person,B\n").contains("appears more than once"));
}
