//! Entity List licence review policy, parsed from the official "License
//! Review Policy" text of an entry into per-ECCN / per-tag rules
//! (RULES.md §1.4, "Encode policy as a function policy(entry, eccn,
//! item_tags, date)").
//!
//! A policy is a list of clauses, each a review outcome and the items it
//! covers. The text is split on ';' and each clause recognised by its
//! words: "case-by-case" / "presumption of denial", ECCNs written out,
//! "EAR99 items described in the Note to ECCN 1A995", "items necessary to
//! detect, identify and treat infectious disease", "all other items".
//! Specific clauses win over the catch-all. Text the parser does not
//! understand yields `None` (the engine says NEEDS_REVIEW).

use crate::ccl;
use crate::finding::ReviewPolicy;
use crate::table::{self, TableError};
use chrono::NaiveDate;
use embargo_model::Entity;
use std::sync::LazyLock;

const HIST_FILE: &str = "el_policy_history.tsv";
const HIST_TEXT: &str = include_str!("../data/el_policy_history.tsv");

/// One dated review-policy text of an Entity List entry
/// (`data/el_policy_history.tsv`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyPeriod {
    pub entry: &'static str,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    pub text: &'static str,
    pub citation: &'static str,
    /// "V" (verified) or "S" (secondary / inferred).
    pub confidence: &'static str,
}

pub fn parse_history(text: &'static str) -> Result<Vec<PolicyPeriod>, TableError> {
    let mut periods = table::Periods::new();
    let mut out = vec![];
    for r in table::rows(HIST_FILE, text) {
        let text = r.get(3)?;
        if parse(text).is_none() {
            return Err(r.error(format!("policy text not understood: {text:?}")));
        }
        let confidence = r.get(5)?;
        if !matches!(confidence, "V" | "S") {
            return Err(r.error("confidence must be V or S"));
        }
        // The first day is required; `period` refuses a last day before
        // it (a row that could never apply), `periods` a row sharing a
        // day with another row of the entry (two policies for one day).
        let from = r.day(1)?;
        let (_, to) = r.period(1, 2)?;
        let entry = r.get(0)?;
        periods.add(&r, entry, Some(from), to)?;
        out.push(PolicyPeriod {
            entry,
            from,
            to,
            text,
            citation: r.get(4)?,
            confidence,
        });
    }
    Ok(out)
}

static HISTORY: LazyLock<Vec<PolicyPeriod>> =
    LazyLock::new(|| table::embedded(parse_history(HIST_TEXT)));

pub fn history() -> &'static [PolicyPeriod] {
    &HISTORY
}

fn names_entry(e: &Entity, key: &str) -> bool {
    let k = key.to_lowercase();
    e.names.iter().any(|n| {
        let v = n.value.to_lowercase();
        v.match_indices(&k).any(|(i, _)| {
            let before = v[..i].chars().last();
            let after = v[i + k.len()..].chars().next();
            before.is_none_or(|c| !c.is_alphanumeric())
                && after.is_none_or(|c| !c.is_alphanumeric())
        })
    })
}

/// The entry's review-policy text on `date`: a dated period from the
/// history table when one covers the date, else the entry's own text.
pub fn text_on(e: &Entity, date: NaiveDate) -> (String, Option<&'static PolicyPeriod>) {
    let own = e.export_control.license_policy.clone().unwrap_or_default();
    let period = HISTORY
        .iter()
        .find(|p| table::in_force(Some(p.from), p.to, date) && names_entry(e, p.entry));
    match period {
        Some(p) => (p.text.to_string(), Some(p)),
        None => (own, None),
    }
}

/// Tag for the Note to ECCN 1A995 (retail-packaged CB-protective consumer
/// goods and medical products).
pub const TAG_1A995_NOTE: &str = "cb_protective_consumer_or_medical";
pub const TAG_INFECTIOUS: &str = "infectious_disease_detect_identify_treat";

/// 85 FR 44159 added the infectious-disease clause (RULES.md §1.4).
pub fn infectious_clause_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 7, 22).expect("valid date")
}

#[derive(Clone, Debug, PartialEq)]
pub enum Covers {
    Eccns(Vec<String>),
    Ear99Note1A995,
    InfectiousDisease,
    /// "all other items" / "all items" / a bare policy.
    Rest,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    pub policy: ReviewPolicy,
    pub covers: Vec<Covers>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub clauses: Vec<Clause>,
}

/// The clauses of a policy text: split on ';', and on a sentence end
/// ". " followed by a new review outcome ("... infectious disease.
/// Presumption of denial for all other items", DJI's and other entries'
/// wording), never inside an ECCN ("1A004.c").
fn split_clauses(text: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let mut out = vec![];
    for part in lower.split(';') {
        let mut rest = part;
        loop {
            let next = rest.match_indices(". ").map(|(i, _)| i).find(|&i| {
                let after = rest[i + 2..].trim_start();
                [
                    "case-by-case",
                    "case by case",
                    "presumption of",
                    "policy of denial",
                ]
                .iter()
                .any(|w| after.starts_with(w))
            });
            match next {
                Some(i) => {
                    out.push(rest[..i].to_string());
                    rest = &rest[i + 2..];
                }
                None => {
                    out.push(rest.to_string());
                    break;
                }
            }
        }
    }
    out
}

pub fn parse(text: &str) -> Option<Policy> {
    let mut clauses = vec![];
    for raw in split_clauses(text) {
        let c = raw;
        let c = c.trim();
        if c.is_empty() {
            continue;
        }
        let policy = if c.contains("case-by-case") || c.contains("case by case") {
            ReviewPolicy::CaseByCase
        } else if c.contains("presumption of denial") || c.contains("policy of denial") {
            ReviewPolicy::PresumptionOfDenial
        } else {
            return None;
        };
        let mut covers = vec![];
        let mut rest = c.to_string();
        if rest.contains("note to eccn 1a995") {
            covers.push(Covers::Ear99Note1A995);
            rest = rest.replace("note to eccn 1a995", "");
        }
        if rest.contains("infectious disease") {
            covers.push(Covers::InfectiousDisease);
        }
        let eccns: Vec<String> = rest
            .split(|ch: char| ch.is_whitespace() || ch == ',')
            .map(|w| w.trim_end_matches(['.', ')']).trim_start_matches('('))
            .filter(|w| ccl::looks_like_eccn(w))
            .map(|w| w.to_ascii_uppercase())
            .collect();
        if !eccns.is_empty() {
            covers.push(Covers::Eccns(eccns));
        }
        if rest.contains("all other items") || rest.contains("all items") || covers.is_empty() {
            covers.push(Covers::Rest);
        }
        clauses.push(Clause { policy, covers });
    }
    (!clauses.is_empty()).then_some(Policy { clauses })
}

/// `listed` covers `item` when equal or when `listed` is a paragraph
/// prefix of it (1A004.c covers 1A004.c.1; 1A995 covers 1A995.a).
fn eccn_covers(listed: &str, item: &str) -> bool {
    let (lb, lp) = ccl::split(listed);
    let (ib, ip) = ccl::split(item);
    if lb != ib {
        return false;
    }
    match (lp, ip) {
        (None, _) => true,
        (Some(l), Some(i)) => i == l || i.starts_with(&format!("{l}.")),
        (Some(_), None) => false,
    }
}

/// The review policy for an item, with the reason in plain English.
pub fn review(
    p: &Policy,
    eccn: Option<&str>,
    tags: &[String],
    date: NaiveDate,
) -> (ReviewPolicy, String) {
    let has = |t: &str| tags.iter().any(|x| x.eq_ignore_ascii_case(t));
    let ear99 = eccn.is_some_and(ccl::is_ear99);
    for cl in &p.clauses {
        for cv in &cl.covers {
            match cv {
                Covers::Eccns(list) => {
                    if let Some(e) = eccn {
                        if let Some(l) = list.iter().find(|l| eccn_covers(l, e)) {
                            return (
                                cl.policy,
                                format!("ECCN {e} is within {l} named in the entry's policy"),
                            );
                        }
                    }
                }
                Covers::Ear99Note1A995 if ear99 && has(TAG_1A995_NOTE) => {
                    return (
                        cl.policy,
                        "EAR99 item described in the Note to ECCN 1A995".into(),
                    );
                }
                Covers::InfectiousDisease
                    if has(TAG_INFECTIOUS) && date >= infectious_clause_from() =>
                {
                    return (
                        cl.policy,
                        "item necessary to detect, identify and treat infectious disease (clause added by 85 FR 44159, 2020-07-22)".into(),
                    );
                }
                _ => {}
            }
        }
    }
    for cl in &p.clauses {
        if cl.covers.contains(&Covers::Rest) {
            return (
                cl.policy,
                "catch-all clause of the entry's policy (\"all other items\")".into(),
            );
        }
    }
    // A policy that lists only carve-outs: everything else is denied
    // (§744.11(b) default for these entries).
    (
        ReviewPolicy::PresumptionOfDenial,
        "not within any carve-out of the entry's policy".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const XUAR_STD: &str = "Case-by-case review for ECCNs 1A004.c, 1A004.d, 1A995, 1A999.a, 1D003, 2A983, 2D983, and 2E983, and for EAR99 items described in the Note to ECCN 1A995; case-by-case review for items necessary to detect, identify and treat infectious disease; and presumption of denial for all other items subject to the EAR.";

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_history_row_ending_before_it_starts_is_refused() {
        let row =
            "Dahua Technology\t2022-10-07\t2020-07-22\tPresumption of denial\t87 FR 62202\tS\n";
        let e = parse_history(row).unwrap_err();
        assert_eq!((e.file, e.line), (HIST_FILE, 1));
        assert!(
            e.message.contains("from 2022-10-07 is after to 2020-07-22"),
            "{e}"
        );
        let open = "Dahua Technology\t2022-10-07\t-\tPresumption of denial\t87 FR 62202\tS\n";
        assert_eq!(parse_history(open).unwrap()[0].to, None);
    }

    #[test]
    fn overlapping_history_rows_of_an_entry_are_refused() {
        let two = "Dahua Technology\t2019-10-09\t2022-10-07\tCase-by-case\t84 FR 54002\tS\n\
                   dahua technology\t2022-10-07\t-\tPresumption of denial\t87 FR 62202\tS\n";
        let e = parse_history(two).unwrap_err();
        assert_eq!((e.file, e.line), (HIST_FILE, 2));
        assert!(e.message.contains("dahua technology: period 2022-10-07..- overlaps the period 2019-10-09..2022-10-07 of line 1"), "{e}");
        // Back to back is fine, and so is another entry on the same days.
        let ok = "Dahua Technology\t2019-10-09\t2022-10-06\tCase-by-case\t84 FR 54002\tS\n\
                  Dahua Technology\t2022-10-07\t-\tPresumption of denial\t87 FR 62202\tS\n\
                  Megvii\t2019-10-09\t-\tCase-by-case\t84 FR 54002\tS\n";
        assert_eq!(parse_history(ok).unwrap().len(), 3);
    }

    #[test]
    fn xuar_standard_text_parses_into_rules_md_1_4_table() {
        let p = parse(XUAR_STD).unwrap();
        assert_eq!(p.clauses.len(), 3);
        let t = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let day = d("2021-01-01");
        assert_eq!(
            review(&p, Some("1A004.c.1"), &[], day).0,
            ReviewPolicy::CaseByCase
        );
        assert_eq!(
            review(&p, Some("1A004.a"), &[], day).0,
            ReviewPolicy::PresumptionOfDenial
        );
        assert_eq!(
            review(&p, Some("2E983"), &[], day).0,
            ReviewPolicy::CaseByCase
        );
        assert_eq!(
            review(&p, Some("6A993"), &[], day).0,
            ReviewPolicy::PresumptionOfDenial
        );
        assert_eq!(
            review(&p, Some("EAR99"), &t(&[TAG_1A995_NOTE]), day).0,
            ReviewPolicy::CaseByCase
        );
        assert_eq!(
            review(&p, Some("EAR99"), &t(&[TAG_INFECTIOUS]), d("2020-08-01")).0,
            ReviewPolicy::CaseByCase
        );
        // Before 85 FR 44159 the infectious-disease clause did not exist.
        assert_eq!(
            review(&p, Some("EAR99"), &t(&[TAG_INFECTIOUS]), d("2020-07-21")).0,
            ReviewPolicy::PresumptionOfDenial
        );
    }

    #[test]
    fn dahua_policy_is_the_one_in_force_on_the_date() {
        use embargo_model::{EntityId, Schema};
        let mut e = Entity::new(
            EntityId::new("t", "x"),
            Schema::Company,
            "t",
            "Zhejiang Dahua Technology Co., Ltd.",
        );
        e.export_control.license_policy = Some("Presumption of denial".into());
        let (t, p) = text_on(&e, d("2020-03-01"));
        assert_eq!(p.unwrap().citation, "84 FR 54002");
        let pol = parse(&t).unwrap();
        assert_eq!(
            review(&pol, Some("1A995"), &[], d("2020-03-01")).0,
            ReviewPolicy::CaseByCase
        );
        let (t, p) = text_on(&e, d("2021-03-01"));
        assert_eq!(p.unwrap().citation, "85 FR 44159");
        let tags = vec![TAG_INFECTIOUS.to_string()];
        assert_eq!(
            review(&parse(&t).unwrap(), Some("EAR99"), &tags, d("2021-03-01")).0,
            ReviewPolicy::CaseByCase
        );
        let (t, p) = text_on(&e, d("2023-06-01"));
        assert_eq!(p.unwrap().citation, "87 FR 62202");
        assert_eq!(
            review(&parse(&t).unwrap(), Some("1A995"), &[], d("2023-06-01")).0,
            ReviewPolicy::PresumptionOfDenial
        );
        // Another entry keeps its own text.
        let mut h = Entity::new(
            EntityId::new("t", "y"),
            Schema::Company,
            "t",
            "Hangzhou Hikvision Digital Technology Co., Ltd.",
        );
        h.export_control.license_policy = Some(XUAR_STD.into());
        assert!(text_on(&h, d("2023-06-01")).1.is_none());
        assert!(history().len() >= 3);
    }

    #[test]
    fn sentences_are_clauses_too() {
        // DJI's and Kuang-Chi's texts (CSL 2026-07-31): the catch-all
        // after a full stop is a clause of its own, so an ordinary item
        // is denied, not reviewed case by case.
        let dji = "Case-by-case review for items necessary to detect, identify and treat infectious disease. Presumption of denial for all other items subject to the EAR.";
        let p = parse(dji).unwrap();
        assert_eq!(p.clauses.len(), 2, "{p:?}");
        let day = d("2021-03-01");
        assert_eq!(
            review(&p, Some("6A993"), &[], day).0,
            ReviewPolicy::PresumptionOfDenial
        );
        let tags = vec![TAG_INFECTIOUS.to_string()];
        assert_eq!(
            review(&p, Some("EAR99"), &tags, day).0,
            ReviewPolicy::CaseByCase
        );
        // ECCN paragraphs keep their dots.
        assert_eq!(parse(XUAR_STD).unwrap().clauses.len(), 3);
    }

    #[test]
    fn full_denial_and_gibberish() {
        let p = parse("Presumption of denial.").unwrap();
        assert_eq!(
            review(&p, Some("1A995"), &[], d("2023-05-01")).0,
            ReviewPolicy::PresumptionOfDenial
        );
        assert_eq!(parse("See the FR notice"), None);
        assert_eq!(parse(""), None);
    }
}
