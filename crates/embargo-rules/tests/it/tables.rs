//! The engine's regulatory tables (`crates/embargo-rules/data/*.tsv`):
//! each embedded file parses, and the tables are cross-checked against the
//! reference transcriptions in `shared/data/reference/` (eCFR title 15,
//! 2026-07-23; Xinjiang divisions). The reference files are read here
//! only, never copied into the crate: a mismatch means one of the two is
//! wrong and must be checked against the eCFR. Without `../shared` the
//! cross-checks skip with a printed reason.

use embargo_model::Country;
use embargo_rules::ccl::{self, Control};
use embargo_rules::country_chart;
use embargo_rules::country_groups as cg;
use embargo_rules::geography::places;
use embargo_rules::{eu, import, jurisdiction};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

fn load(rel: &str) -> Option<Value> {
    let p = embargo_testkit::shared_file(rel)?;
    Some(serde_json::from_str(&std::fs::read_to_string(p).ok()?).expect("reference JSON parses"))
}

/// Reference country names that `Country::from_name` does not know.
const NAME_OVERRIDES: &[(&str, &str)] = &[
    ("seycheles", "SC"),
    (
        "sint maarten (the dutch two-fifths of the island of saint martin)",
        "SX",
    ),
    ("western sahara", "EH"),
    ("congo (democratic republic of the)", "CD"),
    ("congo (democratic republic of)", "CD"),
    ("congo (republic of the)", "CG"),
    ("micronesia (federated state of)", "FM"),
    ("south sudan, republic of", "SS"),
    ("st. lucia", "LC"),
    ("st. vincent and the grenadines", "VC"),
    ("china (prc)", "CN"),
    ("bosnia & herzegovina", "BA"),
    ("sao tome & principe", "ST"),
    ("antigua & barbuda", "AG"),
    ("trinidad & tobago", "TT"),
    ("st. kitts & nevis", "KN"),
    ("st. vincent & the grenadines", "VC"),
    ("brunei darussalam", "BN"),
];

fn code(name: &str) -> String {
    let key = name.trim().to_lowercase();
    if let Some((_, c)) = NAME_OVERRIDES.iter().find(|(n, _)| *n == key) {
        return c.to_string();
    }
    Country::from_name(name)
        .map(|c| c.to_string())
        .unwrap_or_else(|| panic!("unmapped reference country name {name:?}"))
}

/// Every embedded table parses (a bad row panics naming `data/<file>:<line>`)
/// and has the size its source gives.
#[test]
fn every_embedded_table_parses() {
    assert_eq!(country_chart::rows().len(), 196);
    for g in cg::GROUPS {
        assert!(!cg::members(g).is_empty(), "{}", g.label());
    }
    assert_eq!(cg::members(cg::D1).len(), 24);
    assert_eq!(ccl::table().len(), 41);
    assert_eq!(places().len(), 27);
    assert_eq!(import::wros().len(), 10);
    assert_eq!(eu::members().len(), 27);
    assert_eq!(jurisdiction::fn1_inputs().len(), 24);
}

#[test]
fn table_errors_name_file_and_line() {
    let e = import::parse_wros("# h\n2020-13-01\tproducer\tx\tX\n").unwrap_err();
    assert_eq!((e.file, e.line), ("wro.tsv", 2));
    assert!(e.to_string().starts_with("data/wro.tsv:2: date"), "{e}");
    let e = import::parse_wros("2020-01-01\tproducer\tHoshine\tX\n").unwrap_err();
    assert!(e.message.contains("folded"), "{e}");
    let e = eu::parse_members("DE\nGermany\n").unwrap_err();
    assert_eq!((e.file, e.line), ("eu_member_states.tsv", 2));
    let e = jurisdiction::parse_fn1_inputs("3D001\n3D0011\n").unwrap_err();
    assert_eq!(e.line, 2);
}

#[test]
fn every_country_chart_row_equals_the_reference() {
    let Some(r) = load("data/reference/country-chart.json") else {
        return;
    };
    let countries = r["countries"].as_object().expect("countries object");
    let mut diffs = vec![];
    let mut seen = BTreeSet::new();
    for (name, row) in countries {
        let c = code(name);
        seen.insert(c.clone());
        let want: BTreeSet<String> = row["marks"]
            .as_array()
            .expect("marks")
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        let got: BTreeSet<String> = country_chart::row(Country::from_code(&c).expect("code"))
            .map(|cols| cols.iter().map(|c| c.label().to_string()).collect())
            .unwrap_or_default();
        if want != got {
            diffs.push(format!("{name} ({c}): reference {want:?}, engine {got:?}"));
        }
    }
    let ours: BTreeSet<String> = country_chart::rows()
        .iter()
        .map(|(c, _)| c.to_string())
        .collect();
    for extra in ours.difference(&seen) {
        diffs.push(format!(
            "engine has a row for {extra}, the reference does not"
        ));
    }
    let embargoed: BTreeSet<String> = r["embargoed"]
        .as_object()
        .expect("embargoed")
        .keys()
        .map(|n| code(n))
        .collect();
    let ours_emb: BTreeSet<String> = cg::members(cg::E1)
        .iter()
        .chain(cg::members(cg::E2))
        .map(|c| c.to_string())
        .collect();
    if embargoed != ours_emb {
        diffs.push(format!(
            "Part 746 destinations: reference {embargoed:?}, engine {ours_emb:?}"
        ));
    }
    assert_eq!(countries.len(), 196);
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn country_groups_equal_the_reference() {
    let Some(r) = load("data/reference/country-groups.json") else {
        return;
    };
    let mut diffs = vec![];
    for group in cg::GROUPS {
        let (g, ours) = (group.label(), cg::members(group));
        let want: BTreeSet<String> = r["groups"][g]
            .as_array()
            .unwrap_or_else(|| panic!("group {g}"))
            .iter()
            .filter_map(Value::as_str)
            .map(code)
            .collect();
        let got: BTreeSet<String> = ours.iter().map(|c| c.to_string()).collect();
        if want != got {
            diffs.push(format!(
                "{g}: only in reference {:?}; only in engine {:?}",
                want.difference(&got).collect::<Vec<_>>(),
                got.difference(&want).collect::<Vec<_>>()
            ));
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn ccl_chart_columns_equal_the_reference() {
    let Some(r) = load("data/reference/ccl.json") else {
        return;
    };
    let by_eccn: BTreeMap<&str, &Value> = r["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| Some((e["eccn"].as_str()?, e)))
        .collect();
    let mut diffs = vec![];
    for entry in ccl::table() {
        let Some(refe) = by_eccn.get(entry.eccn) else {
            diffs.push(format!("{} not in the reference CCL", entry.eccn));
            continue;
        };
        // "NS Column 2." -> "NS 2"; prose rows are ignored.
        let want: BTreeSet<String> = refe["countryChart"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["countryChart"].as_str())
            .filter_map(|s| {
                let t = s.trim().trim_end_matches('.');
                let (reason, rest) = t.split_once(" Column ")?;
                (reason.len() == 2 && rest.len() == 1).then(|| format!("{reason} {rest}"))
            })
            .collect();
        if want.is_empty() {
            continue; // Entry stated in prose only (0A982, 0A983, 1A999).
        }
        let got: BTreeSet<String> = entry
            .controls
            .iter()
            .flat_map(|c| match c {
                Control::Chart { columns, .. } => {
                    columns.iter().map(|c| c.label().to_string()).collect()
                }
                Control::Prose { .. } => vec![],
            })
            .collect();
        if want != got {
            diffs.push(format!(
                "{}: reference {want:?}, engine {got:?}",
                entry.eccn
            ));
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn xinjiang_divisions_are_all_in_the_geography_table() {
    let Some(r) = load("data/reference/xinjiang_geography.json") else {
        return;
    };
    let mut rows: Vec<&Value> = r["prefecture_level"]
        .as_array()
        .expect("prefectures")
        .iter()
        .collect();
    rows.extend(
        r["xpcc_administered_county_level_cities"]["cities"]
            .as_array()
            .expect("cities"),
    );
    let mut diffs = vec![];
    for row in &rows {
        let (code, zh, en) = (
            row["code"].as_str().unwrap_or(""),
            row["zh"].as_str().unwrap_or(""),
            row["en"].as_str().unwrap_or(""),
        );
        let Some(place) = places().iter().find(|p| p.code == code) else {
            diffs.push(format!("{en} ({code}) missing"));
            continue;
        };
        if !place.spellings.iter().any(|(s, _)| zh.contains(s)) {
            diffs.push(format!("{en} ({code}): no spelling of ours occurs in {zh}"));
        }
        let n =
            embargo_rules::geography::scan(&format!("{zh}, 新疆"), Country::from_code("CN").ok());
        if n.xinjiang.is_empty() || (code.starts_with("6590") && n.xpcc.is_empty()) {
            diffs.push(format!("{en} ({code}): scanning \"{zh}\" finds no nexus"));
        }
    }
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}
