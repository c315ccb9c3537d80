//! Cross-checks of the pack against the official rows in ../shared (skipped,
//! with a printed reason, when the folder is absent).
//!
//! - Entity List: every pack entry named in the 2026-07-31 reference extract
//!   has the same licence requirement, review policy, footnotes and FR
//!   notices; every extract entry is in the pack; listing dates equal the
//!   2022-05 CSL `start_date` except for the known, documented differences.
//! - OFAC: GLOMAG and NS-CMIC entity numbers match the OFAC extract; dates of
//!   birth match the SDN file of 2024-05-03; NS-CMIC dates match the OFAC
//!   consolidated list of 2025-12.

use embargo_model::{DateValue, Entity};
use std::collections::{BTreeMap, BTreeSet};

fn norm(s: &str) -> String {
    s.replace(['’', '?'], "'")
        .replace("Uighur", "Uyghur")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches(',')
        .to_lowercase()
}

/// Licence texts compared modulo whitespace, a final period and the
/// "casa-by-case" typo that the official rows carry on some 2020 entries.
fn norm_text(s: &str) -> String {
    norm(s)
        .replace("casa-by-case", "case-by-case")
        .trim_end_matches('.')
        .to_string()
}

fn el_by_name() -> BTreeMap<String, &'static Entity> {
    embargo_pack::by_program("EAR-ENTITY-LIST")
        .map(|e| (norm(e.caption()), e))
        .collect()
}

fn read_json(rel: &str) -> Option<serde_json::Value> {
    let p = embargo_testkit::shared_file(rel)?;
    Some(serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
}

#[test]
fn entity_list_terms_match_the_2026_extract() {
    let Some(x) = read_json("data/reference/xinjiang_entity_list_extract.json") else {
        return;
    };
    let pack = el_by_name();
    let mut matched = 0;
    for row in x["entries"].as_array().unwrap() {
        let name = norm(row["name"].as_str().unwrap());
        let e = pack
            .get(&name)
            .unwrap_or_else(|| panic!("extract entry {name:?} not in pack"));
        matched += 1;
        let ec = &e.export_control;
        assert_eq!(
            norm_text(ec.license_policy.as_deref().unwrap()),
            norm_text(row["license_review_policy"].as_str().unwrap()),
            "{name}: policy"
        );
        let lr = row["license_requirement"].as_str().unwrap();
        let lr = lr.strip_suffix('4').unwrap_or(lr);
        assert_eq!(
            norm_text(ec.license_requirement.as_deref().unwrap()),
            norm_text(lr),
            "{name}"
        );
        let want_fn: Vec<String> = row["entity_list_footnotes_inferred"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.to_string())
            .collect();
        assert_eq!(ec.footnotes, want_fn, "{name}: footnotes");
        let want_fr: BTreeSet<String> = row["federal_register"]
            .as_str()
            .unwrap()
            .split(';')
            .map(|s| s.trim().to_string())
            .collect();
        let got_fr: BTreeSet<String> = ec.federal_register_notices.iter().cloned().collect();
        assert_eq!(got_fr, want_fr, "{name}: FR notices");
    }
    assert_eq!(matched, 71);
    // The pack's entries beyond the extract are the ones RULES.md says are
    // absent from the 2026 snapshot, the December 2020 pair, and Huawei (not
    // a Xinjiang listing: the footnote-1 entity of RULES.md §1.3).
    let extract: BTreeSet<String> = x["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| norm(r["name"].as_str().unwrap()))
        .collect();
    let extra: BTreeSet<&str> = pack
        .iter()
        .filter(|(n, _)| !extract.contains(*n))
        .map(|(_, e)| e.id.as_str())
        .collect();
    assert_eq!(
        extra,
        BTreeSet::from([
            "embargo_xinjiang_pack:el-mps-forensic-science",
            "embargo_xinjiang_pack:el-hefei-bitland",
            "embargo_xinjiang_pack:el-nanchang-o-film",
            "embargo_xinjiang_pack:el-dji",
            "embargo_xinjiang_pack:el-kuang-chi",
            "embargo_xinjiang_pack:el-huawei",
        ])
    );
}

#[test]
fn entity_list_start_dates_match_the_2022_csl() {
    let Some(p) = embargo_testkit::shared_file("data/lists/us_csl/2022-05/consolidated.csv") else {
        return;
    };
    let pack = el_by_name();
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(p)
        .unwrap();
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (src, name, start, addr) = (
        col("source"),
        col("name"),
        col("start_date"),
        col("addresses"),
    );
    let mut seen = BTreeSet::new();
    let mut differ = BTreeSet::new();
    for rec in rdr.records() {
        let r = rec.unwrap();
        if !r[src].starts_with("Entity List") || r[addr].contains("London") {
            continue;
        }
        let Some(e) = pack.get(&norm(&r[name])) else {
            continue;
        };
        // Shenzhen Cobber has a second, non-Xinjiang entry (86 FR 67319).
        if !seen.insert(e.id.clone()) {
            continue;
        }
        if e.listed_on.unwrap().to_string() != r[start] {
            differ.insert((e.id.as_str().to_string(), r[start].to_string()));
        }
    }
    // The 2023 additions post-date the file.
    assert_eq!(seen.len(), 76 - 8);
    // Known differences, each explained in the entry's remarks: the CSL gives
    // the June 2020 additions NetPosa, SenseNets and Nanjing FiberHome
    // Starrysky the October 2019 date; the pack follows RULES.md §1.5.
    let known: BTreeSet<(String, String)> = ["netposa", "sensenets", "nanjing-fiberhome-starrysky"]
        .iter()
        .map(|s| {
            (
                format!("embargo_xinjiang_pack:el-{s}"),
                "2019-10-09".to_string(),
            )
        })
        .collect();
    assert_eq!(differ, known);
}

/// `(entity number, name, programs)` of the OFAC extract.
fn ofac_extract() -> Option<Vec<(String, String, String)>> {
    let x = read_json("data/reference/xinjiang_ofac_extract.json")?;
    Some(
        x["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let s = |k: &str| r[k].as_str().unwrap().to_string();
                (s("ofac_ent_num"), s("name"), s("programs"))
            })
            .collect(),
    )
}

fn ofac_number(e: &Entity) -> &str {
    &e.identifiers
        .iter()
        .find(|i| i.kind == "OFAC entity number")
        .unwrap()
        .value
}

#[test]
fn glomag_and_cmic_entity_numbers_match_the_ofac_extract() {
    let Some(rows) = ofac_extract() else { return };
    for (program, list_tag) in [("GLOMAG", "GLOMAG"), ("CMIC-EO13959", "CMIC-EO13959")] {
        let want: BTreeMap<&str, (&str, &str)> = rows
            .iter()
            .filter(|(_, _, p)| p.split("; ").any(|t| t == list_tag))
            .map(|(n, name, p)| (n.as_str(), (name.as_str(), p.as_str())))
            .collect();
        let mut extra = BTreeSet::new();
        for e in embargo_pack::by_program(program) {
            let num = ofac_number(e);
            match want.get(num) {
                Some((name, progs)) => {
                    assert_eq!(norm(name), norm(e.caption()), "{num}");
                    let got = e.programs.join("; ");
                    assert_eq!(&got, progs, "{num}");
                }
                None => {
                    extra.insert(num.to_string());
                }
            }
        }
        let have: BTreeSet<String> = embargo_pack::by_program(program)
            .map(|e| ofac_number(e).to_string())
            .collect();
        for num in want.keys() {
            assert!(have.contains(*num), "{program} {num} missing from pack");
        }
        let expect_extra: BTreeSet<String> = if program == "GLOMAG" {
            // ZAKIR, Shohrat and TUNIYAZ, Erken: GLOMAG and linked to the
            // Xinjiang PSB in the official SDN file, but not in the extract.
            ["34079", "34119"].iter().map(|s| s.to_string()).collect()
        } else {
            BTreeSet::new()
        };
        assert_eq!(extra, expect_extra, "{program}");
    }
}

/// OFAC legacy CSV: the record line of `num` (lossy UTF-8; the file ends in 0x1A).
fn ofac_line(text: &str, num: &str) -> Option<String> {
    text.lines()
        .find(|l| l.starts_with(&format!("{num},")))
        .map(str::to_string)
}

fn month(m: &str) -> Option<u32> {
    let ms = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    ms.iter().position(|x| *x == m).map(|i| i as u32 + 1)
}

/// OFAC date text (`1955`, `Jan 1962`, `04 Oct 1967`) as an ISO prefix.
fn ofac_date(s: &str) -> String {
    let p: Vec<&str> = s.split_whitespace().collect();
    match p.as_slice() {
        [y] => y.to_string(),
        [m, y] => format!("{y}-{:02}", month(m).unwrap()),
        [d, m, y] => format!("{y}-{:02}-{d}", month(m).unwrap()),
        _ => panic!("odd OFAC date {s:?}"),
    }
}

/// The value after `label` in the remarks column (the last, quoted field).
fn field(line: &str, label: &str) -> Option<String> {
    let remarks = line.rsplit_once(",\"").map(|(_, r)| r)?;
    remarks
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix(label))
        .map(|v| v.trim().trim_end_matches(['.', '"']).to_string())
}

#[test]
fn glomag_dates_of_birth_match_the_sdn_file() {
    let Some(p) = embargo_testkit::shared_file("data/lists/ofac_sdn/2024-05-03/sdn.csv") else {
        return;
    };
    let text = String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    let mut checked = 0;
    for e in embargo_pack::by_program("GLOMAG") {
        let num = ofac_number(e);
        let line = ofac_line(&text, num).unwrap_or_else(|| panic!("{num} not in SDN file"));
        assert!(line.contains("\"GLOMAG"), "{num}: {line}");
        let want = field(&line, "DOB ");
        let got = e.birth_dates.first().map(|d| match d {
            DateValue::Exact(d) => d.to_string(),
            other => panic!("{num}: range {other:?}"),
        });
        assert_eq!(got, want.map(|w| ofac_date(&w)), "{num}");
        checked += 1;
    }
    assert_eq!(checked, 14);
}

#[test]
fn cmic_dates_match_the_ofac_consolidated_list() {
    let Some(p) = embargo_testkit::shared_file("data/lists/ofac_cons/2025-12/cons_prim.csv") else {
        return;
    };
    let text = String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    for e in embargo_pack::by_program("CMIC-EO13959") {
        let num = ofac_number(e);
        let line = ofac_line(&text, num).unwrap_or_else(|| panic!("{num} not in cons list"));
        for (prop, label) in [
            ("cmicListingDate", "Listing Date (CMIC) "),
            ("cmicEffectiveDate", "Effective Date (CMIC) "),
            (
                "cmicDivestmentDate",
                "Purchase/Sales For Divestment Date (CMIC) ",
            ),
        ] {
            let want =
                ofac_date(&field(&line, label).unwrap_or_else(|| panic!("{num}: no {label}")));
            assert_eq!(e.properties[prop], [want], "{num} {prop}");
        }
        assert_eq!(
            e.listed_on.unwrap().to_string(),
            e.properties["cmicListingDate"][0]
        );
    }
}
