//! The DHS UFLPA Entity List parser on hand-written files in the page's
//! structure and in the CSV form, bad input, and the OpenSanctions FtM form.

use embargo_model::{LinkKind, NameKind, PartialDate, Schema, SourceKind};
use embargo_sources::{detect, parse_path, parse_reader, ErrorKind};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn day(s: &str) -> Option<PartialDate> {
    Some(PartialDate::parse_iso(s).unwrap())
}

fn props<'a>(e: &'a embargo_model::Entity, k: &str) -> Vec<&'a str> {
    e.properties
        .get(k)
        .map(|v| v.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn the_page_gives_one_entry_per_entity_with_clause_date_and_names() {
    let path = fixture("uflpa_page.html");
    assert_eq!(detect(&path), Some(SourceKind::DhsUflpa));
    let p = parse_path(&path, None).unwrap();
    assert_eq!(p.dataset, "us_dhs_uflpa");
    let names: Vec<&str> = p.entities.iter().map(|e| e.caption()).collect();
    assert_eq!(
        names,
        vec![
            "Hetian Haolin Hair Accessories Co. Ltd.",
            "Xinjiang East Hope&Nonferrous Metals Co., Ltd.",
            "Ninestar Corporation",
            "Zhuhai Ninestar Information Technology Co., Ltd.",
            "Zhuhai Pantum Electronics Co., Ltd.",
            "Zhuhai Apex Microelectronics Co., Ltd.",
            "Xinjiang Habahe Ashele Copper Co., Ltd.",
            "Xinjiang Tengxiang Magnesium Products Co., Ltd.",
        ],
        "the script's fake table is not read"
    );
    let haolin = &p.entities[0];
    assert_eq!(
        haolin.id.as_str(),
        "us_dhs_uflpa:hetian-haolin-hair-accessories-co-ltd"
    );
    assert_eq!(haolin.schema, Schema::Organization);
    assert_eq!(haolin.programs, vec!["UFLPA-ENTITY-LIST"]);
    assert_eq!(haolin.listed_on, day("2022-06-21"));
    assert_eq!(props(haolin, "uflpaClause"), vec!["i"]);
    let aliases: Vec<&str> = haolin
        .names
        .iter()
        .filter(|n| n.kind == NameKind::Alias)
        .map(|n| n.value.as_str())
        .collect();
    assert_eq!(
        aliases,
        vec!["Hotan Haolin Hair Accessories", "Hollin Hair Accessories"]
    );
    assert!(haolin
        .citations
        .iter()
        .any(|c| c.cite == "Pub. L. 117-78 § 2(d)(2)(B)(i)"));
    assert!(haolin.countries.is_empty(), "the page states no country");

    let pantum = &p.entities[4];
    assert_eq!(props(pantum, "uflpaClause"), vec!["ii"]);
    assert_eq!(pantum.listed_on, day("2023-06-09"));
    assert!(pantum
        .links
        .iter()
        .any(|l| l.kind == LinkKind::OwnedBy && l.target_name == "Ninestar Corporation"));

    // Listed under two clauses: one entry, both clauses, each dated.
    let tengxiang = &p.entities[7];
    assert_eq!(props(tengxiang, "uflpaClause"), vec!["ii", "v"]);
    assert_eq!(
        props(tengxiang, "uflpaEffective"),
        vec!["ii:2024-08-09", "v:2024-08-09"]
    );
    let ashele = &p.entities[6];
    assert_eq!(props(ashele, "uflpaClause"), vec!["ii"]);
    assert_eq!(ashele.names[1].value, "Ashele Copper");
    assert_eq!(p.rows.values().sum::<u64>(), 8);
}

#[test]
fn the_csv_form_reads_clause_chinese_name_aliases_and_notice() {
    let path = fixture("uflpa.csv");
    assert_eq!(detect(&path), Some(SourceKind::DhsUflpa));
    let p = parse_path(&path, None).unwrap();
    assert_eq!(p.entities.len(), 2);
    let xpcc = &p.entities[0];
    assert_eq!(props(xpcc, "uflpaClause"), vec!["v"]);
    assert!(xpcc
        .names
        .iter()
        .any(|n| n.kind == NameKind::NativeScript && n.value == "新疆生产建设兵团"));
    assert!(xpcc.names.iter().any(|n| n.value == "XPCC"));
    assert!(xpcc
        .citations
        .iter()
        .any(|c| c.cite == "UFLPA Strategy 2022-06-17"));
    assert_eq!(props(xpcc, "sector"), vec!["conglomerate"]);
    let kashgar = &p.entities[1];
    assert_eq!(
        kashgar.caption(),
        "Kashgar Construction Engineering (Group) Co., Ltd."
    );
    assert_eq!(props(kashgar, "uflpaClause"), vec!["ii"]);
    assert_eq!(kashgar.listed_on, day("2024-08-09"));
    assert!(kashgar.citations.iter().any(|c| c.cite == "89 FR 65374"));
}

#[test]
fn bad_rows_are_errors_naming_file_line_and_field() {
    let csv = "Name of Entity,Effective Date,Clause\nA Co.,June 21 2022,(i)\nB Co.,someday,(ii)\n";
    let e = parse_reader(SourceKind::DhsUflpa, "u.csv", csv.as_bytes()).unwrap_err();
    assert_eq!(
        (e.line, e.field.as_deref()),
        (Some(3), Some("effective date"))
    );
    assert!(e.to_string().starts_with("u.csv:3"), "{e}");

    let csv = "Name of Entity,Effective Date,Clause\nA Co.,2022-06-21,(iii)\n";
    let e = parse_reader(SourceKind::DhsUflpa, "u.csv", csv.as_bytes()).unwrap_err();
    assert_eq!(
        e.field.as_deref(),
        Some("clause"),
        "(iii) lists products, not entities"
    );

    let csv = "Name,Effective Date\nA Co.,2022-06-21\n";
    let e = parse_reader(SourceKind::DhsUflpa, "u.csv", csv.as_bytes()).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::WrongFormat(_)), "{e}");

    let html = "<html><p>UFLPA Entity List</p><table><tr><th>Name of Entity</th><th>Effective Date</th></tr>\n<tr><td>A Co.</td><td>June 21, 2022</td></tr></table></html>";
    let e = parse_reader(SourceKind::DhsUflpa, "p.html", html.as_bytes()).unwrap_err();
    assert_eq!(e.line, Some(2), "a table without its clause: {e}");

    let html = "<html><p>Section 2(d)(2)(B)(i)</p><table><tr><th>Name of Entity</th><th>Effective Date</th></tr>\n\n<tr><td>A Co.</td><td>21/06/2022</td></tr></table></html>";
    let e = parse_reader(SourceKind::DhsUflpa, "p.html", html.as_bytes()).unwrap_err();
    assert_eq!(
        (e.line, e.field.as_deref()),
        (Some(3), Some("effective date"))
    );

    let e = parse_reader(
        SourceKind::DhsUflpa,
        "p.html",
        &b"<html><body>nothing</body></html>"[..],
    )
    .unwrap_err();
    assert!(matches!(e.kind, ErrorKind::WrongFormat(_)), "{e}");

    let e = parse_reader(
        SourceKind::DhsUflpa,
        "p.html",
        &b"<html>\n\xff\xfe</html>"[..],
    )
    .unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
}

#[test]
fn junk_never_panics() {
    // Deterministic junk around the page's own pieces (props.rs fuzzes
    // every kind with random bytes too).
    let pieces: [&[u8]; 12] = [
        b"<table>",
        b"</table>",
        b"<tr>",
        b"</tr>",
        b"<td>",
        b"</td>",
        b"<th>Name of Entity</th><th>Effective Date</th>",
        b"2(d)(2)(B)(",
        b"&#x110000;&amp",
        b"<!--",
        b"\xe4\xb8",
        b"June 21, 2022 (and one alias: ; and ) and its subsidiary , which include ",
    ];
    let mut seed = 7u64;
    for _ in 0..3000 {
        let mut doc = b"<html>".to_vec();
        for _ in 0..(seed % 40) {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            doc.extend_from_slice(pieces[(seed >> 33) as usize % pieces.len()]);
        }
        let _ = parse_reader(SourceKind::DhsUflpa, "junk.html", &doc[..]);
        let csv: Vec<u8> = [
            b"Name of Entity,Effective Date,Clause\n".to_vec(),
            doc[6..].to_vec(),
        ]
        .concat();
        let _ = parse_reader(SourceKind::DhsUflpa, "junk.csv", &csv[..]);
    }
}

#[test]
fn the_opensanctions_ftm_form_keeps_programme_date_and_dataset() {
    let p = parse_path(&fixture("uflpa_ftm.json"), Some(SourceKind::Ftm)).unwrap();
    assert_eq!(p.entities.len(), 1);
    let e = &p.entities[0];
    assert_eq!(
        e.listed_on,
        day("2023-09-26"),
        "the Sanction's startDate, not first_seen"
    );
    assert!(e.programs[0].contains("2(d)(2)(B)(ii)"), "{:?}", e.programs);
    assert_eq!(props(e, "datasets"), vec!["us_dhs_uflpa"]);
}
