//! Every worked case in `shared/rules/cases/*.json` run through the
//! production decision path: the pack-only `Snapshot` (no list store), whose
//! engine resolves party names with `MatcherResolver` over the shipped
//! regime pack. The cases must pass on the data and matcher the binary
//! ships.
//!
//! The directory is read at run time, so new case files are picked up
//! without code changes. Matching rule (shared/rules/README.md): measure
//! and outcome equal, review_policy equal where given, every `cites`
//! string contained in one of the finding's citations; `expect.absent`
//! entries must not appear. All failing cases are reported with a diff.

use embargo_app::Snapshot;
use embargo_rules::{parse_transaction, Decision};
use serde_json::Value;
use std::sync::OnceLock;

/// The pack-only snapshot, built once for every test in this file.
fn snapshot() -> &'static Snapshot {
    static SNAP: OnceLock<Snapshot> = OnceLock::new();
    SNAP.get_or_init(|| Snapshot::load(None).expect("pack-only snapshot builds"))
}

fn summary(d: &Decision) -> String {
    d.findings
        .iter()
        .map(|f| {
            format!(
                "    {} {}{} cites={:?}",
                f.measure.as_str(),
                f.outcome.as_str(),
                f.review_policy
                    .map(|p| format!(" [{}]", p.as_str()))
                    .unwrap_or_default(),
                f.citations
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// An expected citation as the law stood on the case's date. A case
/// writes EAR sections in today's numbering ("734.9"); on a date before a
/// reorganisation the finding must cite the provision of that day
/// (`dated::provision_on`: "736.2(b)(3)" in 2021), so the expectation is
/// rewritten the same way before matching, and matched against each
/// citation without its note on where the provision later moved (a 2021
/// finding never satisfies "734.9" through "(from 2022-02-03 at 15 CFR
/// 734.9…)"). Anything other than a section of Parts 730–774 is matched as
/// written.
fn cite_of_the_day(cite: &str, date: chrono::NaiveDate) -> Result<String, String> {
    let part: Option<u32> = cite.get(..3).and_then(|p| p.parse().ok());
    let rest = cite.get(3..).unwrap_or("");
    let ear = part.is_some_and(|p| (730..=774).contains(&p))
        && (rest.is_empty() || rest.starts_with('.') || rest.starts_with('('));
    if !ear {
        return Ok(cite.to_string());
    }
    match embargo_rules::dated::provision_on(&format!("15 CFR {cite}"), date) {
        Some(t) => Ok(t.trim_start_matches("15 CFR ").to_string()),
        None => Err(format!(
            "the case expects 15 CFR {cite}, which was not in force on {date}"
        )),
    }
}

fn check(case: &Value, d: &Decision) -> Vec<String> {
    let mut errs = vec![];
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let empty = vec![];
    let expect = case.get("expect").cloned().unwrap_or(Value::Null);
    for exp in expect
        .get("findings")
        .and_then(Value::as_array)
        .unwrap_or(&empty)
    {
        let (m, o, p) = (
            s(exp, "measure"),
            s(exp, "outcome"),
            s(exp, "review_policy"),
        );
        let cites: Vec<String> = exp
            .get("cites")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let cites: Vec<String> = match cites
            .iter()
            .map(|c| cite_of_the_day(c, d.evaluated_for))
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(c) => c,
            Err(e) => {
                errs.push(format!("  {e}"));
                continue;
            }
        };
        let ok = d.findings.iter().any(|f| {
            Some(f.measure.as_str().to_string()) == m
                && Some(f.outcome.as_str().to_string()) == o
                && p.as_ref()
                    .is_none_or(|p| f.review_policy.map(|x| x.as_str()) == Some(p.as_str()))
                && cites.iter().all(|c| {
                    f.citations
                        .iter()
                        .any(|fc| embargo_rules::dated::bare(fc).contains(c.as_str()))
                })
        });
        if !ok {
            errs.push(format!(
                "  missing: {} {} policy={:?} cites={:?}",
                m.unwrap_or_default(),
                o.unwrap_or_default(),
                p,
                cites
            ));
        }
    }
    for ab in expect
        .get("absent")
        .and_then(Value::as_array)
        .unwrap_or(&empty)
    {
        let (m, o) = (s(ab, "measure"), s(ab, "outcome"));
        for f in &d.findings {
            if Some(f.measure.as_str().to_string()) == m
                && o.as_ref().is_none_or(|o| f.outcome.as_str() == o)
            {
                errs.push(format!(
                    "  forbidden: {} {}",
                    f.measure.as_str(),
                    f.outcome.as_str()
                ));
            }
        }
    }
    for f in &d.findings {
        if !f.measure.allows(f.outcome)
            || f.citations.is_empty() && f.measure != embargo_rules::Measure::Flag
            || f.reasons.is_empty()
        {
            errs.push(format!("  malformed finding: {} {} (every finding needs reasons, and citations unless a flag)", f.measure.as_str(), f.outcome.as_str()));
        }
        // A clear the engine is unsure of says why it is no clearance, in
        // the measure's own words (the generic caveat is a fallback that a
        // measure lowering its confidence should never leave to).
        let uncertain_clear =
            f.outcome.is_clear() && f.confidence == embargo_rules::Confidence::Uncertain;
        if uncertain_clear != f.caveat.is_some()
            || f.caveat.as_deref() == Some(embargo_rules::finding::UNEXPLAINED_CAVEAT)
        {
            errs.push(format!(
                "  caveat: {} {} confidence {:?} has caveat {:?}",
                f.measure.as_str(),
                f.outcome.as_str(),
                f.confidence,
                f.caveat
            ));
        }
    }
    errs
}

#[test]
fn every_worked_case_passes() {
    let dir = embargo_testkit::require_shared!("rules/cases");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("cases directory is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no case files in {}", dir.display());
    let engine = snapshot().engine();
    let mut failures = vec![];
    for p in &paths {
        let text = std::fs::read_to_string(p).expect("case file is readable");
        let case: Value = serde_json::from_str(&text).expect("case file is JSON");
        let id = case
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string();
        let tx = match parse_transaction(&text) {
            Ok(t) => t,
            Err(e) => {
                failures.push(format!("{id}: transaction does not parse: {e}"));
                continue;
            }
        };
        let d = engine.decide(&tx);
        let errs = check(&case, &d);
        if !errs.is_empty() {
            failures.push(format!(
                "{id} ({}):\n{}\n  engine produced:\n{}",
                p.display(),
                errs.join("\n"),
                summary(&d)
            ));
        }
        // The explain report names every finding.
        let text = d.to_text();
        for f in &d.findings {
            assert!(
                text.contains(f.measure.as_str()),
                "{id}: report lacks {}",
                f.measure.as_str()
            );
        }
    }
    eprintln!("{} cases run, {} failed", paths.len(), failures.len());
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n\n")
    );
}

#[test]
fn a_case_checker_that_cannot_fail_would_be_useless() {
    // The same A1 transaction dated before the listing must not satisfy
    // A1's expectation of an Entity List licence requirement.
    let case: Value = serde_json::from_str(
        r#"{"id":"A1-early","transaction":{"date":"2019-09-01","flow":"export","actor":{"us_person":true},
        "destination":"CN","item":{"origin":"US","located_in":"US","eccn":"6A993"},
        "parties":[{"role":"end_user","name":"Hangzhou Hikvision Digital Technology Co., Ltd.","country":"CN"}]},
        "expect":{"findings":[{"measure":"EAR_ENTITY_LIST","outcome":"LICENSE_REQUIRED","cites":["744.11"]}]}}"#,
    )
    .unwrap();
    let tx = parse_transaction(&case.to_string()).unwrap();
    let d = snapshot().engine().decide(&tx);
    assert_eq!(check(&case, &d).len(), 1, "{}", summary(&d));
}

#[test]
fn expected_citations_are_read_in_the_numbering_of_the_day() {
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    // A6a (2021-06-01) expects "734.9": the FDP rules sat in § 736.2(b)(3) then.
    assert_eq!(
        cite_of_the_day("734.9", day("2021-06-01")).unwrap(),
        "736.2(b)(3)"
    );
    assert_eq!(
        cite_of_the_day("734.9", day("2023-06-01")).unwrap(),
        "734.9"
    );
    assert_eq!(
        cite_of_the_day("744.11", day("2019-11-01")).unwrap(),
        "744.11"
    );
    assert!(cite_of_the_day("734.9(e)(2)", day("2021-06-01")).is_err());
    // Not EAR sections: as written.
    for c in ["889", "1307", "UFLPA", "84 FR 54002", "EO 13818"] {
        assert_eq!(cite_of_the_day(c, day("2021-06-01")).unwrap(), c);
    }
    // A 2021 finding that cites the rule only through its later home does
    // not satisfy the 2021 expectation, and today's number is out of time.
    let case: Value = serde_json::from_str(
        r#"{"id":"x","transaction":{"date":"2021-06-01","flow":"export","destination":"CN","item":{"eccn":"EAR99"},"parties":[]},
        "expect":{"findings":[{"measure":"EAR_JURISDICTION","outcome":"NOT_SUBJECT","cites":["734.9"]}]}}"#,
    )
    .unwrap();
    let tx = parse_transaction(&case.to_string()).unwrap();
    let mut d = snapshot().engine().decide(&tx);
    let f = embargo_rules::Finding::new(
        embargo_rules::Measure::EarJurisdiction,
        embargo_rules::Outcome::NotSubject,
        "J7",
        embargo_rules::Confidence::Verified,
    )
    .reason("test");
    d.findings = vec![f
        .clone()
        .cite("Supp. No. 4 to Part 744, footnote 1 (from 2022-02-03 at 15 CFR 734.9(e)(1))")];
    assert_eq!(check(&case, &d).len(), 1);
    d.findings = vec![f.clone().cite("15 CFR 734.9")];
    assert_eq!(check(&case, &d).len(), 1);
    d.findings =
        vec![f.cite(
            "15 CFR 736.2(b)(3) (General Prohibition Three) (from 2022-02-03 at 15 CFR 734.9)",
        )];
    assert!(check(&case, &d).is_empty());
}

/// The EU Global Human Rights Sanctions Regime listings (RULES.md §5.3) are
/// regime-pack entries found through the production resolver: each listed
/// name is caught, while the XPCC itself and other public security bureaus
/// are not taken for the XPCC Public Security Bureau.
#[test]
fn eu_listings_are_found_through_the_resolver() {
    let eu = |name: &str| {
        let tx = parse_transaction(&format!(
            r#"{{"date":"2021-06-01","flow":"payment","actor":{{"country":"DE"}},
            "parties":[{{"role":"counterparty","name":"{name}"}}]}}"#
        ))
        .unwrap();
        snapshot()
            .engine()
            .decide(&tx)
            .findings
            .into_iter()
            .filter(|f| f.measure == embargo_rules::Measure::EuSanctions)
            .map(|f| f.outcome.as_str())
            .collect::<Vec<_>>()
    };
    for listed in [
        "Zhu Hailun",
        "WANG Junzheng",
        "Wang Mingshan",
        "Chen Mingguo",
        "Public Security Bureau of the Xinjiang Production and Construction Corps",
        "Xinjiang Production and Construction Corps Public Security Bureau",
        "XPCC Public Security Bureau",
    ] {
        assert_eq!(eu(listed), vec!["PROHIBITED"], "{listed}");
    }
    for not_listed in [
        "Xinjiang Production and Construction Corps",
        "XPCC",
        "Kashgar Prefecture Public Security Bureau",
        "Xinjiang Public Security Bureau",
        "Chen Quanguo",
    ] {
        assert!(
            eu(not_listed).is_empty(),
            "{not_listed}: {:?}",
            eu(not_listed)
        );
    }
}
