//! Invariants of the embedded regime pack that need no shared data: every
//! entry parses and is cited, ids are unique, and the counts, dates and
//! names that RULES.md states hold for the Entity List, GLOMAG, NS-CMIC,
//! § 889 / FCC and UFLPA entries.

use chrono::NaiveDate;
use embargo_model::{Entity, NameKind, PartialDate, Schema};
use std::collections::{BTreeMap, HashSet};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn pd(s: &str) -> Option<PartialDate> {
    Some(s.parse().unwrap())
}

fn el() -> Vec<&'static Entity> {
    embargo_pack::by_program("EAR-ENTITY-LIST").collect()
}

fn get(id: &str) -> &'static Entity {
    embargo_pack::get(&format!("embargo_xinjiang_pack:{id}"))
        .unwrap_or_else(|| panic!("{id} missing"))
}

fn has_name(e: &Entity, value: &str, kind: NameKind) -> bool {
    e.names.iter().any(|n| n.value == value && n.kind == kind)
}

fn cites(e: &Entity, cite: &str) -> bool {
    e.citations.iter().any(|c| c.cite == cite)
}

#[test]
fn every_entry_parses_is_cited_and_has_a_unique_id() {
    let all = embargo_pack::load().expect("pack parses");
    assert_eq!(all.len(), 199);
    assert_eq!(embargo_pack::entities().len(), 199);
    let mut ids = HashSet::new();
    for e in &all {
        assert!(ids.insert(e.id.clone()), "duplicate id {}", e.id);
        assert!(!e.caption().trim().is_empty(), "{}", e.id);
        assert_eq!(e.names[0].kind, NameKind::Primary, "{}", e.id);
        assert!(!e.citations.is_empty(), "{}", e.id);
        assert_eq!(e.dataset, "embargo_xinjiang_pack");
        assert!(e.listed_on.is_some(), "{} has no listing date", e.id);
        // A confidence tag, when given, is one of RULES.md's four.
        for c in &e.citations {
            if let Some(t) = &c.confidence {
                assert!(["V", "S", "K", "U"].contains(&t.as_str()), "{}: {t}", e.id);
            }
        }
        // Native-script names carry their language.
        for n in &e.names {
            if n.kind == NameKind::NativeScript {
                assert_eq!(n.lang.as_deref(), Some("zh"), "{}: {}", e.id, n.value);
            }
        }
        // Links inside the pack resolve.
        for l in &e.links {
            if let Some(t) = &l.target_id {
                assert!(
                    embargo_pack::get(t.as_str()).is_some(),
                    "{} links to missing {t}",
                    e.id
                );
            }
        }
    }
}

#[test]
fn programme_counts_per_file() {
    let count = |p: &str| embargo_pack::by_program(p).count();
    assert_eq!(count("EAR-ENTITY-LIST"), 77);
    assert_eq!(count("GLOMAG"), 14);
    assert_eq!(count("UHRPA"), 1);
    assert_eq!(count("CMIC-EO13959"), 10);
    assert_eq!(count("NDAA-889"), 5);
    assert_eq!(count("FCC-COVERED-LIST"), 5);
    assert_eq!(count("UFLPA-ENTITY-LIST"), 80);
    assert_eq!(count("EU-GHRSR"), 5);
    assert_eq!(count("glomag"), 0, "programme match is exact");
}

#[test]
fn october_2019_rule_lists_20_government_bodies_and_8_companies() {
    let oct: Vec<_> = el()
        .into_iter()
        .filter(|e| e.listed_on == pd("2019-10-09") && cites(e, "84 FR 54002"))
        .collect();
    assert_eq!(oct.len(), 28);
    let gov = oct
        .iter()
        .filter(|e| e.schema == Schema::Organization)
        .count();
    let firms = oct.iter().filter(|e| e.schema == Schema::Company).count();
    assert_eq!((gov, firms), (20, 8));
    let psbs = oct
        .iter()
        .filter(|e| e.caption().ends_with("Public Security Bureau"))
        .count();
    assert_eq!(psbs, 19, "the XUAR PSB and its 18 subordinate PSBs");
    let d = |e: &&&Entity| {
        e.export_control
            .federal_register_notices
            .iter()
            .any(|n| n == "84 FR 54002" || n == "84 FR 54004")
    };
    assert!(oct.iter().all(|e| d(&e)));
}

#[test]
fn counts_per_addition_batch_match_rules_md() {
    let mut by_rule: BTreeMap<String, (usize, HashSet<String>)> = BTreeMap::new();
    for e in el() {
        let rule = e.properties["elAddedBy"][0].clone();
        let slot = by_rule.entry(rule).or_default();
        slot.0 += 1;
        slot.1.insert(e.listed_on.unwrap().to_string());
    }
    let expect = [
        // Huawei: not a Xinjiang listing; the footnote-1 entity of RULES.md §1.3.
        ("84 FR 22961", 1, "2019-05-16"),
        ("84 FR 54002", 28, "2019-10-09"),
        ("85 FR 34503", 9, "2020-06-05"),
        ("85 FR 44159", 11, "2020-07-22"),
        ("85 FR 83416", 2, "2020-12-18"),
        ("86 FR 33119", 5, "2021-06-24"),
        // RULES.md counts 14; the fourteenth is [U] there and left out.
        ("86 FR 36496", 13, "2021-07-12"),
        ("88 FR 13673", 3, "2023-03-02"),
        ("88 FR 18983", 5, "2023-03-28"),
    ];
    assert_eq!(by_rule.len(), expect.len(), "{:?}", by_rule.keys());
    for (rule, n, date) in expect {
        let (count, dates) = &by_rule[rule];
        assert_eq!(*count, n, "{rule}");
        assert_eq!(dates.iter().collect::<Vec<_>>(), vec![date], "{rule}");
    }
}

#[test]
fn hikvision_has_its_chinese_name_and_entity_list_terms() {
    let h = get("el-hikvision");
    assert_eq!(
        h.caption(),
        "Hangzhou Hikvision Digital Technology Co., Ltd."
    );
    assert!(has_name(h, "Hikvision", NameKind::Alias));
    assert!(has_name(
        h,
        "杭州海康威视数字技术股份有限公司",
        NameKind::NativeScript
    ));
    assert_eq!(
        h.export_control.license_requirement.as_deref(),
        Some("For all items subject to the EAR. (See §744.11 of the EAR)")
    );
    assert_eq!(
        h.export_control.license_policy.as_deref(),
        Some(
            "Case-by-case review for ECCNs 1A004.c, 1A004.d, 1A995, 1A999.a, 1D003, 2A983, 2D983, and 2E983, \
             and for EAR99 items described in the Note to ECCN 1A995; case-by-case review for items necessary \
             to detect, identify and treat infectious disease; and presumption of denial for all other items \
             subject to the EAR."
        )
    );
    assert!(
        h.export_control.footnotes.is_empty(),
        "Hikvision has no footnote 4"
    );
    assert!(cites(h, "15 CFR 744.11"));
    // Footnote 4 entries per RULES.md §1.3.
    let fn4: HashSet<_> = el()
        .into_iter()
        .filter(|e| e.export_control.footnotes.iter().any(|f| f == "4"))
        .map(|e| e.id.as_str().to_string())
        .collect();
    let want: HashSet<_> = [
        "dahua",
        "iflytek",
        "megvii",
        "yitu",
        "sensetime",
        "intellifusion",
    ]
    .iter()
    .map(|s| format!("embargo_xinjiang_pack:el-{s}"))
    .collect();
    assert_eq!(fn4, want);
    // The five Haishi subsidiaries: full presumption of denial, owned by Hikvision.
    let haishi: Vec<_> = el()
        .into_iter()
        .filter(|e| e.caption().contains("Haishi"))
        .collect();
    assert_eq!(haishi.len(), 5);
    for e in haishi {
        assert_eq!(
            e.export_control.license_policy.as_deref(),
            Some("Presumption of denial")
        );
        assert_eq!(
            e.links[0].target_id.as_ref().map(|i| i.as_str()),
            Some(h.id.as_str())
        );
    }
}

#[test]
fn xpcc_is_glomag_and_entity_list_under_both_names() {
    for (id, program, listed) in [
        ("glomag-xpcc", "GLOMAG", "2020-07-31"),
        ("el-xpcc", "EAR-ENTITY-LIST", "2021-06-24"),
        ("uflpa-xpcc", "UFLPA-ENTITY-LIST", "2022-06-21"),
    ] {
        let e = get(id);
        assert!(e.programs.iter().any(|p| p == program), "{id}");
        assert!(has_name(e, "XPCC", NameKind::Alias), "{id}");
        assert!(
            has_name(e, "新疆生产建设兵团", NameKind::NativeScript),
            "{id}"
        );
        assert_eq!(e.listed_on, pd(listed), "{id}");
    }
    assert_eq!(get("glomag-xpcc").identifiers[0].value, "29299");
    assert!(!get("el-xpcc").in_force_on(day("2021-06-23")));
    assert!(get("el-xpcc").in_force_on(day("2021-06-24")));
}

#[test]
fn mps_forensic_institute_is_in_force_only_until_its_removal() {
    let e = get("el-mps-forensic-science");
    assert_eq!(e.listed_on, pd("2020-06-05"));
    assert_eq!(e.delisted_on, pd("2023-11-16"));
    assert!(e.in_force_on(day("2021-01-01")));
    assert!(e.in_force_on(day("2023-11-15")));
    assert!(!e.in_force_on(day("2023-11-16")));
    assert!(!e.in_force_on(day("2024-01-01")));
    // It is the only removal the pack records.
    assert_eq!(
        embargo_pack::entities()
            .iter()
            .filter(|e| e.delisted_on.is_some())
            .count(),
        1
    );
}

#[test]
fn glomag_people_carry_dates_of_birth_and_links() {
    let chen = get("glomag-chen-quanguo");
    assert_eq!(chen.schema, Schema::Person);
    assert_eq!(chen.identifiers[0].value, "29220");
    assert_eq!(
        serde_json::to_string(&chen.birth_dates).unwrap(),
        r#"["1955"]"#
    );
    let wang = get("glomag-wang-junzheng");
    assert_eq!(wang.listed_on, pd("2021-03-22"));
    assert_eq!(
        wang.links[0].target_id.as_ref().unwrap().as_str(),
        "embargo_xinjiang_pack:glomag-xpcc"
    );
    let gao = get("glomag-gao-qi");
    assert_eq!(gao.programs, ["GLOMAG", "UHRPA"]);
    assert!(embargo_pack::by_program("GLOMAG").all(|e| cites(e, "E.O. 13818")));
}

#[test]
fn cmic_dates_and_procurement_dates() {
    let h = get("cmic-hikvision");
    assert_eq!(
        embargo_pack::date_property(h, "cmicEffectiveDate"),
        pd("2021-08-02")
    );
    assert_eq!(embargo_pack::date_property(h, "nope"), None);
    assert_eq!(
        embargo_pack::date_property(get("fcc-dahua"), "fccEquipmentAuthorizationBanEffective"),
        pd("2023-02-06")
    );
    assert_eq!(h.properties["cmicListingDate"], ["2021-06-03"]);
    assert_eq!(h.properties["cmicEffectiveDate"], ["2021-08-02"]);
    assert_eq!(h.properties["cmicDivestmentDate"], ["2022-06-03"]);
    for e in embargo_pack::by_program("CMIC-EO13959") {
        for k in ["cmicListingDate", "cmicEffectiveDate", "cmicDivestmentDate"] {
            let v = &e.properties[k][0];
            assert!(v.parse::<PartialDate>().is_ok(), "{}: {k}={v}", e.id);
        }
        assert!(cites(e, "E.O. 14032"), "{}", e.id);
    }
    let names: HashSet<_> = embargo_pack::by_program("NDAA-889")
        .map(|e| e.caption())
        .collect();
    assert_eq!(
        names,
        HashSet::from([
            "Huawei Technologies Company",
            "ZTE Corporation",
            "Hytera Communications Corporation",
            "Hangzhou Hikvision Digital Technology Company",
            "Dahua Technology Company",
        ])
    );
    let part: BTreeMap<_, _> = embargo_pack::by_program("NDAA-889")
        .map(|e| (e.caption(), e.properties["ndaa889Prong"][0].as_str()))
        .collect();
    assert_eq!(part["ZTE Corporation"], "A");
    assert_eq!(part["Dahua Technology Company"], "B");
    assert!(embargo_pack::by_program("NDAA-889")
        .all(|e| e.listed_on == pd("2019-08-13") && cites(e, "Pub. L. 115-232 § 889")));
    assert!(embargo_pack::by_program("FCC-COVERED-LIST")
        .all(|e| e.listed_on == pd("2021-03-12") && cites(e, "47 CFR 1.50002")));
}

#[test]
fn version_is_stable_and_names_the_cutoff() {
    let v = embargo_pack::version();
    assert_eq!(v.dataset, "embargo_xinjiang_pack");
    assert_eq!(v.source, embargo_model::SourceKind::RegimePack);
    assert_eq!(v.published, Some(day("2026-07-31")));
    assert_eq!(v.sha256.len(), 64);
    assert_eq!(v.version, format!("2026-07-31-{}", &v.sha256[..8]));
    assert_eq!(v.entity_count, 199);
    assert_eq!(v.origin, "embedded");
    assert_eq!(v, embargo_pack::version(), "same binary, same version");
}

#[test]
fn entries_cite_the_repository_pages_not_the_research_file() {
    // Users have docs/rules/, not the research file the pack was written
    // from; a remark or citation naming RULES.md points at nothing.
    for e in embargo_pack::entities() {
        let text = serde_json::to_string(e).unwrap();
        assert!(!text.contains("RULES.md"), "{} cites RULES.md", e.id);
    }
    let cited = embargo_pack::entities()
        .iter()
        .filter(|e| serde_json::to_string(e).unwrap().contains("docs/rules/"))
        .count();
    assert!(cited > 50, "only {cited} entries cite docs/rules/");
}

/// Xinjiang-tied SDN entries of programmes other than GLOMAG (issue 12
/// item 5): each with its OFAC entity number, programme and a citation.
#[test]
fn xinjiang_tied_sdns_of_other_programmes_are_in_the_pack() {
    for (num, prog) in [
        ("11353", "SDGT"),
        ("30508", "HK-EO13936"),
        ("52723", "RUSSIA-EO14024"),
    ] {
        let e = embargo_pack::entities()
            .iter()
            .find(|e| e.identifiers.iter().any(|i| i.value == num))
            .unwrap_or_else(|| panic!("SDN {num} missing"));
        assert!(e.programs.iter().any(|p| p == prog), "{num}");
        assert!(e.listed_on.is_some(), "{num}");
        assert!(
            e.citations
                .iter()
                .any(|c| c.cite == format!("OFAC SDN entry {num}")),
            "{num}"
        );
    }
}

/// The UFLPA entries (issue 12 item 5): each with its effective date, a
/// dated source, the clause where a source states it (`i`, `ii`, `iv`,
/// `v`, each dated on or after the entry's effective date), and a remark
/// starting "List clause" where no clause is dated from the first listing
/// (none stated, or one that has since ended and so is not dated). Counts per
/// effective date as docs/rules/uflpa.md's table gives them, read from the
/// document so the two cannot drift.
#[test]
fn uflpa_entries_carry_effective_date_clause_and_citation() {
    let all: Vec<_> = embargo_pack::by_program("UFLPA-ENTITY-LIST").collect();
    let mut per_day: BTreeMap<String, usize> = BTreeMap::new();
    for e in &all {
        let listed = e
            .listed_on
            .unwrap_or_else(|| panic!("{} has no date", e.id));
        *per_day.entry(listed.to_string()).or_default() += 1;
        assert!(
            e.citations.iter().any(|c| c.date.is_some()),
            "{}: no dated source",
            e.id
        );
        let clauses = e.properties.get("uflpaClause").cloned().unwrap_or_default();
        let dated = e
            .properties
            .get("uflpaEffective")
            .cloned()
            .unwrap_or_default();
        let mut first_listing_clause = false;
        for c in &clauses {
            assert!(
                ["i", "ii", "iv", "v"].contains(&c.as_str()),
                "{}: {c}",
                e.id
            );
            let on: Vec<NaiveDate> = dated
                .iter()
                .filter_map(|d| d.strip_prefix(&format!("{c}:")))
                .map(day)
                .collect();
            assert!(!on.is_empty(), "{}: clause {c} undated", e.id);
            assert!(
                on.iter().all(|d| *d >= listed.first_day()),
                "{}: clause {c} dated before the listing",
                e.id
            );
            first_listing_clause |= on.contains(&listed.first_day());
            assert!(
                cites(e, &format!("Pub. L. 117-78 § 2(d)(2)(B)({c})")),
                "{}: clause {c} uncited",
                e.id
            );
        }
        if !first_listing_clause {
            assert!(
                e.remarks.iter().any(|r| r.starts_with("List clause")),
                "{}: no clause for the first listing and no remark saying why",
                e.id
            );
        }
    }
    let table = uflpa_doc_table();
    let expected: BTreeMap<String, usize> = table
        .iter()
        .map(|r| (r.effective.clone(), r.in_pack))
        .collect();
    assert_eq!(per_day, expected, "pack vs docs/rules/uflpa.md");
    // The doc's counts are consistent: each update's list size is the
    // running sum of the additions, ending at the 144 of 2025-01-15.
    let mut running = 0;
    for r in &table {
        running += r.added;
        assert_eq!(r.list_after, running, "{}: list after", r.effective);
        assert!(r.in_pack <= r.added, "{}", r.effective);
    }
    assert_eq!(
        table.last().map(|r| r.effective.as_str()),
        Some("2025-01-15")
    );
    assert_eq!(running, 144);
    assert_eq!(all.len(), table.iter().map(|r| r.in_pack).sum::<usize>());
    let tengxiang = get("uflpa-xinjiang-tengxiang-magnesium");
    assert_eq!(
        tengxiang.properties["uflpaClause"],
        vec!["ii".to_string(), "v".to_string()]
    );
}

/// Entries whose clause changed or whose listing rests on a parent: the
/// dates and links the sources give (docs/rules/uflpa.md).
#[test]
fn uflpa_clause_changes_and_subsidiaries() {
    let changji = get("uflpa-changji-esquel-textile");
    assert_eq!(changji.listed_on, pd("2022-06-21"));
    assert_eq!(
        changji.properties["uflpaEffective"],
        vec!["v:2024-11-01".to_string()],
        "clause (i) ended on 2024-11-01: not dated, so never cited after it"
    );
    assert!(has_name(
        changji,
        "Changji Yida Textile Co., Ltd.",
        NameKind::Alias
    ));
    let daqo = get("uflpa-xinjiang-daqo-new-energy");
    assert_eq!(daqo.listed_on, pd("2022-06-21"));
    assert_eq!(
        daqo.properties["uflpaEffective"],
        vec!["v:2024-11-25".to_string()]
    );
    let zinc = get("uflpa-xinjiang-zijin-zinc");
    assert_eq!(
        zinc.properties["uflpaClause"],
        vec!["ii".to_string(), "v".to_string()]
    );
    // Ninestar's eight Zhuhai subsidiaries, each its own entry, linked.
    let subs: Vec<_> = embargo_pack::by_program("UFLPA-ENTITY-LIST")
        .filter(|e| {
            e.links.iter().any(|l| {
                l.target_id.as_ref().map(|t| t.as_str())
                    == Some("embargo_xinjiang_pack:uflpa-ninestar")
            })
        })
        .collect();
    assert_eq!(subs.len(), 8);
    assert!(subs.iter().all(|e| e.listed_on == pd("2023-06-12")
        && e.properties["uflpaClause"] == vec!["ii".to_string()]
        && cites(e, "88 FR 38080")));
    for e in [
        "uflpa-esquel-group",
        "uflpa-guangdong-esquel-textile",
        "uflpa-turpan-esquel-textile",
    ] {
        assert_eq!(
            get(e).properties["uflpaEffective"],
            vec!["v:2024-11-01".to_string()],
            "{e}"
        );
    }
}

struct UflpaRow {
    effective: String,
    added: usize,
    list_after: usize,
    in_pack: usize,
}

/// The rows of the table under "What the pack holds, against the
/// notices" in docs/rules/uflpa.md: effective date, added, list after, in
/// the pack.
fn uflpa_doc_table() -> Vec<UflpaRow> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/rules/uflpa.md");
    let text = std::fs::read_to_string(path).expect("docs/rules/uflpa.md");
    let section = text
        .split("## What the pack holds, against the notices")
        .nth(1)
        .expect("section in docs/rules/uflpa.md");
    let lead = |cell: &str| -> usize {
        let digits: String = cell
            .trim()
            .trim_start_matches("**")
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        digits
            .parse()
            .unwrap_or_else(|_| panic!("not a count: {cell:?}"))
    };
    let rows: Vec<UflpaRow> = section
        .lines()
        .filter(|l| l.starts_with("| 20"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').collect();
            let effective = cells[1].trim()[..10].to_string();
            day(&effective);
            UflpaRow {
                effective,
                added: lead(cells[3]),
                list_after: lead(cells[4]),
                in_pack: lead(cells[5]),
            }
        })
        .collect();
    assert!(rows.len() >= 10, "table rows: {}", rows.len());
    rows
}
