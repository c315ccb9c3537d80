//! Is the item subject to the EAR? RULES.md §2, decision table J
//! (§§ 734.3, 734.4 de minimis, 734.9 foreign direct product rules).
//!
//! Each test answers Yes / No / Unknown. J8: an unknown input makes the
//! result INDETERMINATE, never NOT_SUBJECT; NOT_SUBJECT needs de minimis
//! and every modelled FDP rule to be definitely No.

use crate::ccl;
use crate::column::Column;
use crate::country_chart::{licence_need, Need};
use crate::country_groups::{self, in_group, D1, D5, E1, E2};
use crate::finding::{Confidence, Finding, Measure, Outcome};
use crate::table::{self, TableError};
use crate::transaction::{Item, Transaction};
use chrono::NaiveDate;
use embargo_model::Country;
use std::sync::LazyLock;

const FN1_FILE: &str = "fdp_footnote1_inputs.tsv";
const FN1_TEXT: &str = include_str!("../data/fdp_footnote1_inputs.tsv");

/// Parses `data/fdp_footnote1_inputs.tsv`: one ECCN per row.
pub fn parse_fn1_inputs(text: &'static str) -> Result<Vec<&'static str>, TableError> {
    table::rows(FN1_FILE, text)
        .map(|r| {
            let e = r.get(0)?;
            if ccl::looks_like_eccn(e) && !e.contains('.') && e == e.to_ascii_uppercase() {
                Ok(e)
            } else {
                Err(r.error(format!("{e:?} is not a five-character ECCN")))
            }
        })
        .collect()
}

static FN1: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| table::embedded(parse_fn1_inputs(FN1_TEXT)));

/// RULES.md §1.3: input ECCNs of footnote 1 (§734.9(e)(1)).
pub fn fn1_inputs() -> &'static [&'static str] {
    &FN1
}
/// Footnote 4 (§734.9(e)(2)) adds 5D002 and 5E002.
pub const FN4_EXTRA: &[&str] = &["5D002", "5E002"];

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// Tri-state answer of one prong or test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tri {
    Yes,
    No,
    Unknown,
}

/// A footnote-carrying Entity List party found by screening, for the reach
/// prong of §734.9(e). `certain` is false for review-level matches.
#[derive(Clone, Debug)]
pub struct FootnoteParty {
    pub footnote: String,
    pub party: String,
    pub certain: bool,
}

/// What the jurisdiction step concluded and which rule decided.
#[derive(Clone, Debug)]
pub struct Jurisdiction {
    pub outcome: Outcome,
    /// Set when a foreign direct product rule made the item subject.
    pub via_fdp: Option<&'static str>,
    pub finding: Finding,
}

struct Test {
    answer: Tri,
    cite: &'static str,
    reason: String,
}

/// Decision table J (RULES.md §2.4).
pub fn evaluate(tx: &Transaction, fn_parties: &[FootnoteParty]) -> Jurisdiction {
    let make = |o: Outcome, rule: &str, conf: Confidence| {
        Finding::new(Measure::EarJurisdiction, o, rule, conf)
    };
    let Some(item) = &tx.item else {
        let f = make(
            Outcome::Indeterminate,
            "RULES.md §2.4 J8",
            Confidence::Verified,
        )
        .cite("15 CFR 734.3")
        .reason("No item described: jurisdiction cannot be determined.");
        return done(f, None);
    };
    // J3: outside the EAR (published, fundamental research, ITAR).
    for (tag, why) in [
        ("published", "published information or software"),
        ("fundamental_research", "fundamental research"),
        (
            "itar_controlled",
            "exclusively controlled by another agency (ITAR)",
        ),
    ] {
        if item.has_tag(tag) {
            let f = make(
                Outcome::NotSubject,
                "RULES.md §2.4 J3",
                Confidence::Verified,
            )
            .cite("15 CFR 734.3(b)")
            .cite("15 CFR 734.7-734.10")
            .reason(format!(
                "The item is {why}: not subject to the EAR (another regime may apply)."
            ));
            return done(f, None);
        }
    }
    let us = |c: &Option<Country>| c.map(|c| c.as_str() == "US");
    if us(&item.located_in) == Some(true) {
        let f = make(Outcome::Subject, "RULES.md §2.4 J1", Confidence::Verified)
            .cite("15 CFR 734.3(a)(1)")
            .reason(
                "The item is in the United States: all items in the US are subject to the EAR.",
            );
        return done(f, None);
    }
    if us(&item.origin) == Some(true) {
        let mut f = make(Outcome::Subject, "RULES.md §2.4 J2", Confidence::Verified)
            .cite("15 CFR 734.3(a)(2)")
            .reason("US-origin item: subject to the EAR wherever located.");
        if item.has_tag("software_update") || item.has_tag("technology_release") {
            f = f.reason("Software updates, patches and technology releases of US-origin items are exports of items subject to the EAR.");
        }
        return done(f, None);
    }
    let Some(origin) = item.origin else {
        let f = make(Outcome::Indeterminate, "RULES.md §2.4 J8", Confidence::Verified)
            .cite("15 CFR 734.3")
            .reason("The item's origin is unknown: US-origin items are subject to the EAR wherever located.");
        return done(f, None);
    };
    let Some(dest) = tx.destination_for_ear() else {
        let f = make(Outcome::Indeterminate, "RULES.md §2.4 J8", Confidence::Verified)
            .cite("15 CFR 734.4")
            .reason(format!("Foreign-made item (origin {origin}) with no destination: de minimis is destination based."));
        return done(f, None);
    };

    let zero = zero_de_minimis(item, dest);
    let dm = de_minimis(item, dest);
    let fdp = fdp_rules(tx, item, dest, fn_parties);

    let mut reasons = vec![format!(
        "Foreign-made item (origin {origin}) destined to {dest}."
    )];
    let mut cites: Vec<&str> = vec![];
    let mut subject: Option<(&str, &'static str, Option<&'static str>)> = None;
    let mut unknown = false;
    for (t, kind) in [(&zero, "J4"), (&dm, "J5")]
        .into_iter()
        .chain(fdp.iter().map(|(t, _)| (t, "J6")))
    {
        reasons.push(t.reason.clone());
        match t.answer {
            Tri::Yes if subject.is_none() => {
                let via = fdp
                    .iter()
                    .find(|(f, _)| std::ptr::eq(f, t))
                    .map(|(_, name)| *name);
                subject = Some((kind, t.cite, via));
            }
            Tri::Unknown => unknown = true,
            _ => {}
        }
        if !cites.contains(&t.cite) {
            cites.push(t.cite);
        }
    }
    // RULES.md §10 q3: footnote-4 designations took effect 2022-10-07 or
    // 2022-10-21; inside that window the (e)(2) answer is uncertain.
    let e2_window = tx.date < day(2022, 10, 21);
    let (f, via) = if let Some((kind, cite, via)) = subject {
        (
            make(
                Outcome::Subject,
                &format!("RULES.md §2.4 {kind}"),
                Confidence::Verified,
            )
            .cite(cite),
            via,
        )
    } else if unknown {
        (
            make(
                Outcome::Indeterminate,
                "RULES.md §2.4 J8",
                Confidence::Verified,
            )
            .cites(cites.iter().copied())
            .reason("At least one needed input is unknown: INDETERMINATE, never NOT_SUBJECT."),
            None,
        )
    } else {
        (
            make(Outcome::NotSubject, "RULES.md §2.4 J7", Confidence::Verified)
                .cite("15 CFR 734.4")
                .cite("15 CFR 734.9")
                .cites(cites.iter().copied())
                .reason("De minimis not exceeded and every foreign direct product rule has a prong that fails: not subject to the EAR, so no BIS licence is needed for this item."),
            None,
        )
    };
    let mut f = f;
    f.reasons.splice(0..0, reasons);
    if via == Some("15 CFR 734.9(e)(2)") && e2_window {
        f.confidence = Confidence::Uncertain;
        f = f.reason("The footnote-4 effective day is uncertain (2022-10-07 or 2022-10-21; docs/rules/jurisdiction.md).");
    }
    f = f.reason("Not evaluated here: § 734.9(e)(3) (footnote 5), (h) advanced computing, (i) supercomputer and (k) SME rules apply only to advanced-node and advanced-computing items or parties.");
    Jurisdiction {
        outcome: f.outcome,
        via_fdp: via,
        finding: f,
    }
}

fn done(f: Finding, via: Option<&'static str>) -> Jurisdiction {
    Jurisdiction {
        outcome: f.outcome,
        via_fdp: via,
        finding: f,
    }
}

/// J4, §734.4(a)(6): US 600-series / 9x515 content.
fn zero_de_minimis(item: &Item, dest: Country) -> Test {
    let contents = item.us_content.as_deref().unwrap_or(&[]);
    let y_dest =
        in_group(E1, dest) || in_group(E2, dest) || matches!(dest.as_str(), "CN" | "RU" | "BY");
    for c in contents {
        let Some(e) = c.eccn.as_deref() else { continue };
        if !ccl::is_600_series_or_515(e) {
            continue;
        }
        let (_, para) = ccl::split(e);
        let is_y = para.as_deref().is_some_and(|p| p.starts_with('y'));
        if is_y && y_dest {
            return Test {
                answer: Tri::Yes,
                cite: "15 CFR 734.4(a)(6)(ii)",
                reason: format!("US-origin 600-series/9x515 .y content ({e}) destined to {dest}: no de minimis level (0 %)."),
            };
        }
        if !is_y && in_group(D5, dest) {
            return Test {
                answer: Tri::Yes,
                cite: "15 CFR 734.4(a)(6)(i)",
                reason: format!("US-origin 600-series/9x515 content ({e}) destined to D:5 country {dest}: no de minimis level (0 %)."),
            };
        }
    }
    Test {
        answer: Tri::No,
        cite: "15 CFR 734.4(a)",
        reason: "No § 734.4(a) zero-de-minimis category applies to the stated US content.".into(),
    }
}

/// J5: controlled US content ratio against the destination threshold.
fn de_minimis(item: &Item, dest: Country) -> Test {
    let (threshold, cite) = if in_group(E1, dest) || in_group(E2, dest) {
        (10.0, "15 CFR 734.4(c)")
    } else {
        (25.0, "15 CFR 734.4(d)")
    };
    let unknown = |why: String| Test {
        answer: Tri::Unknown,
        cite,
        reason: why,
    };
    let Some(contents) = &item.us_content else {
        return unknown(
            "US-origin content not stated: the de minimis ratio cannot be computed.".into(),
        );
    };
    let Some(total) = item.value.filter(|v| *v > 0.0) else {
        if contents.is_empty() {
            return Test {
                answer: Tri::No,
                cite,
                reason: "No US-origin content incorporated: de minimis ratio 0 %.".into(),
            };
        }
        return unknown(
            "The item's fair market value is not stated: the de minimis ratio cannot be computed."
                .into(),
        );
    };
    let (mut controlled, mut maybe) = (0.0, 0.0);
    let mut notes = vec![];
    for c in contents {
        let (Some(e), Some(v)) = (c.eccn.as_deref(), c.value) else {
            maybe += c.value.unwrap_or(total);
            notes.push("an input with unknown classification or value".to_string());
            continue;
        };
        match licence_need(e, dest) {
            Need::Required { .. } => {
                controlled += v;
                notes.push(format!("{e} ({v}) is controlled for {dest}"));
            }
            Need::NotRequired { .. } => {
                notes.push(format!("{e} ({v}) needs no licence to {dest}: not counted"))
            }
            Need::Possible { .. } | Need::Unknown { .. } => {
                maybe += v;
                notes.push(format!(
                    "{e} ({v}): whether it is controlled for {dest} depends on facts not given"
                ));
            }
        }
    }
    let ratio = 100.0 * controlled / total;
    let worst = 100.0 * (controlled + maybe) / total;
    let basis = format!(
        "De minimis: controlled US content {ratio:.1} % of FMV against the {threshold} % threshold for {dest} ({}; Part 744 is not consulted, Supp. No. 2 to Part 734 (a)(1)).",
        notes.join("; ")
    );
    let answer = if ratio > threshold {
        Tri::Yes
    } else if worst > threshold {
        Tri::Unknown
    } else {
        Tri::No
    };
    Test {
        answer,
        cite,
        reason: basis,
    }
}

/// J6: the modelled foreign direct product rules (b), (e)(1), (e)(2).
fn fdp_rules(
    tx: &Transaction,
    item: &Item,
    dest: Country,
    fn_parties: &[FootnoteParty],
) -> Vec<(Test, &'static str)> {
    let dpo = item.direct_product_of.as_deref();
    let product = |inputs: &[&[&str]]| -> Tri {
        match dpo {
            None => Tri::Unknown,
            Some(list) => {
                let hit = list.iter().any(|e| {
                    let (b, _) = ccl::split(e);
                    inputs.iter().any(|set| set.contains(&b.as_str()))
                });
                if hit {
                    Tri::Yes
                } else {
                    Tri::No
                }
            }
        }
    };
    let reach = |fnote: &str| -> (Tri, String) {
        let certain: Vec<&FootnoteParty> = fn_parties
            .iter()
            .filter(|p| p.footnote == fnote && p.certain)
            .collect();
        if let Some(p) = certain.first() {
            (
                Tri::Yes,
                format!("footnote-{fnote} entity {} is a party", p.party),
            )
        } else if fn_parties.iter().any(|p| p.footnote == fnote) {
            (
                Tri::Unknown,
                format!("a party may be a footnote-{fnote} entity (review-level match)"),
            )
        } else {
            (Tri::No, format!("no footnote-{fnote} entity is a party"))
        }
    };
    let mut out = vec![];

    // (b) National Security FDP.
    let ns = match item.eccn.as_deref() {
        None => Tri::Unknown,
        Some(e) if ccl::is_ear99(e) => Tri::No,
        Some(e) => match ccl::lookup(e) {
            None => Tri::Unknown,
            Some(entry) => {
                let has_ns = entry.controls.iter().any(|c| {
                    matches!(c, ccl::Control::Chart { columns, .. } if columns.iter().any(|c| matches!(c, Column::NS1 | Column::NS2)))
                });
                if has_ns {
                    Tri::Unknown
                } else {
                    Tri::No
                }
            }
        },
    };
    let b_reach = in_group(D1, dest) || in_group(E1, dest) || in_group(E2, dest);
    let b = if ns == Tri::No || !b_reach || dpo.is_some_and(|l| l.is_empty()) {
        Tri::No
    } else {
        Tri::Unknown
    };
    out.push((
        Test {
            answer: b,
            cite: "15 CFR 734.9(b)",
            reason: match b {
                Tri::No if ns == Tri::No => "FDP (b): the item is not NS-controlled, so the national-security FDP rule fails.".into(),
                Tri::No => "FDP (b): reach or product prong fails.".into(),
                _ => "FDP (b): NS-controlled item to D:1/E:1/E:2; whether the US technology required a written assurance is not stated.".into(),
            },
        },
        "15 CFR 734.9(b)",
    ));

    // (e)(1) footnote 1, from 2020-05-15, general product scope from 2020-08-17.
    let (r1, why1) = reach("1");
    let p1 = product(&[fn1_inputs()]);
    let e1 = if tx.date < day(2020, 5, 15) {
        (
            Tri::No,
            "FDP (e)(1): not in force before 2020-05-15 (85 FR 29849).".to_string(),
        )
    } else {
        let both = and(r1, p1);
        let both = if both == Tri::Yes && tx.date < day(2020, 8, 17) {
            // 2020-05-15..08-16 the rule reached only items produced from
            // Huawei designs; the facts do not say so.
            Tri::Unknown
        } else {
            both
        };
        (both, format!("FDP (e)(1) footnote 1: {why1}; product prong {:?} (direct product of the listed 3D/3E/4D/4E/5D/5E ECCNs).", p1))
    };
    out.push((
        Test {
            answer: e1.0,
            cite: "15 CFR 734.9(e)(1)",
            reason: e1.1,
        },
        "15 CFR 734.9(e)(1)",
    ));

    // (e)(2) footnote 4, from 2022-10-07 (exact day [U], RULES.md §10 q3).
    let (r4, why4) = reach("4");
    let p4 = product(&[fn1_inputs(), FN4_EXTRA]);
    let e2 = if tx.date < day(2022, 10, 7) {
        (
            Tri::No,
            "FDP (e)(2): footnote 4 not in force before 2022-10-07 (87 FR 62186).".to_string(),
        )
    } else {
        (
            and(r4, p4),
            format!("FDP (e)(2) footnote 4: {why4}; product prong {:?}.", p4),
        )
    };
    out.push((
        Test {
            answer: e2.0,
            cite: "15 CFR 734.9(e)(2)",
            reason: e2.1,
        },
        "15 CFR 734.9(e)(2)",
    ));
    let _ = country_groups::is_embargoed(dest);
    out
}

/// Both prongs: definitely false if either is false.
fn and(a: Tri, b: Tri) -> Tri {
    match (a, b) {
        (Tri::No, _) | (_, Tri::No) => Tri::No,
        (Tri::Yes, Tri::Yes) => Tri::Yes,
        _ => Tri::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transaction::parse_transaction;

    fn tx(json: &str) -> Transaction {
        parse_transaction(json).unwrap()
    }

    const FOREIGN: &str = r#"{"date":"2021-06-01","flow":"reexport","destination":"CN",
        "item":{"origin":"KR","located_in":"KR","eccn":"6A993","value":100.0,
        "us_content":[{"eccn":"3A001","value":VAL}],"direct_product_of":[]}}"#;

    #[test]
    fn de_minimis_thresholds_by_destination() {
        let j = evaluate(&tx(&FOREIGN.replace("VAL", "30.0")), &[]);
        assert_eq!(j.outcome, Outcome::Subject);
        let j = evaluate(&tx(&FOREIGN.replace("VAL", "25.0")), &[]);
        assert_eq!(j.outcome, Outcome::NotSubject, "{:?}", j.finding.reasons);
        let kp = FOREIGN.replace("VAL", "20.0").replace("\"CN\"", "\"KP\"");
        assert_eq!(evaluate(&tx(&kp), &[]).outcome, Outcome::Subject);
    }

    #[test]
    fn unknown_inputs_are_indeterminate_never_not_subject() {
        let t = FOREIGN
            .replace("VAL", "20.0")
            .replace(",\"direct_product_of\":[]", "");
        let j = evaluate(&tx(&t), &[]);
        // Without direct_product_of, (b) fails (6A993 not NS) and (e) rules
        // fail on reach, so the answer is still definite.
        assert_eq!(j.outcome, Outcome::NotSubject);
        let fp = [FootnoteParty {
            footnote: "4".into(),
            party: "Dahua".into(),
            certain: true,
        }];
        // Footnote 4 is not in force in 2021; from 2022-10-07 the unknown
        // product prong makes the answer INDETERMINATE.
        assert_eq!(evaluate(&tx(&t), &fp).outcome, Outcome::NotSubject);
        let later = t.replace("2021-06-01", "2023-06-01");
        assert_eq!(evaluate(&tx(&later), &fp).outcome, Outcome::Indeterminate);
        let t = FOREIGN.replace(
            "{\"eccn\":\"3A001\",\"value\":VAL}",
            "{\"eccn\":null,\"value\":30}",
        );
        assert_eq!(evaluate(&tx(&t), &[]).outcome, Outcome::Indeterminate);
        let t = FOREIGN
            .replace("VAL", "20.0")
            .replace("\"origin\":\"KR\",", "");
        assert_eq!(evaluate(&tx(&t), &[]).outcome, Outcome::Indeterminate);
    }

    #[test]
    fn footnote_4_reach_starts_in_october_2022() {
        let base = r#"{"date":"DATE","flow":"reexport","destination":"CN",
            "item":{"origin":"TW","eccn":"5A992","value":100.0,"us_content":[],"direct_product_of":["3E001"]}}"#;
        let fp = [FootnoteParty {
            footnote: "4".into(),
            party: "Dahua".into(),
            certain: true,
        }];
        let j = evaluate(&tx(&base.replace("DATE", "2023-06-01")), &fp);
        assert_eq!(j.outcome, Outcome::Subject);
        assert_eq!(j.via_fdp, Some("15 CFR 734.9(e)(2)"));
        let j = evaluate(&tx(&base.replace("DATE", "2022-10-06")), &fp);
        assert_eq!(j.outcome, Outcome::NotSubject);
    }
}
