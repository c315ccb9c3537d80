//! Is the item subject to the EAR? RULES.md §2, decision table J
//! (§§ 734.3, 734.4 de minimis, 734.9 foreign direct product rules).
//!
//! Each test answers Yes / No / Unknown. J8: an unknown input makes the
//! result INDETERMINATE, never NOT_SUBJECT; NOT_SUBJECT needs de minimis
//! and every modelled FDP rule to be definitely No.

use crate::ccl;
use crate::column::Column;
use crate::country_chart::{licence_need, Need};
use crate::country_groups::{in_group, D1, D4, D5, E1, E2};
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
    f = f.reason("Not evaluated here: the other § 734.9 rules (9x515 and 600-series items, Russia and Belarus, Iran, and the (i) supercomputer end use); they reach items, destinations or end uses outside this engine's scope.");
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

const FDP_FILE: &str = "fdp_rules.tsv";
const FDP_TEXT: &str = include_str!("../data/fdp_rules.tsv");

/// One row of `data/fdp_rules.tsv`: a paragraph of § 734.9 as a decision
/// table (product prong ∧ reach prong), with the days it was in force.
#[derive(Clone, Debug)]
pub struct FdpRule {
    pub id: &'static str,
    pub paragraph: &'static str,
    pub name: &'static str,
    /// First day in force (None: before every date the engine evaluates).
    pub from: Option<NaiveDate>,
    /// First day the text is certain; a Yes before it is Unknown.
    pub certain_from: Option<NaiveDate>,
    pub product: &'static str,
    pub reach: &'static str,
    /// Input ECCNs named by the row (the (h) list).
    pub inputs: Vec<&'static str>,
}

const PRODUCTS: &[&str] = &[
    "item:NS inputs:NS+WA",
    "item:any inputs:FN1",
    "item:any inputs:FN4",
    "item:any inputs:any",
    "item:H inputs:H",
    "item:3B inputs:any",
];
const REACHES: &[&str] = &[
    "dest:D1E1E2",
    "party:1",
    "party:4",
    "party:5",
    "dest:CN",
    "dest:D5MO",
];

pub fn parse_fdp_rules(text: &'static str) -> Result<Vec<FdpRule>, TableError> {
    // One row per paragraph: each row's period runs from its first day
    // on, so a second row of a paragraph would give two rules for a day.
    let mut periods = table::Periods::new();
    table::rows(FDP_FILE, text)
        .map(|r| {
            periods.add(&r, r.get(1)?, r.day_or_dash(3)?, None)?;
            let product = r.get(5)?;
            let reach = r.get(6)?;
            if !PRODUCTS.contains(&product) {
                return Err(r.error(format!("unknown product prong {product:?}")));
            }
            if !REACHES.contains(&reach) {
                return Err(r.error(format!("unknown reach prong {reach:?}")));
            }
            let inputs: Vec<&'static str> = r
                .dash(7)?
                .map(|x| x.split_whitespace().collect())
                .unwrap_or_default();
            if let Some(bad) = inputs.iter().find(|e| !ccl::looks_like_eccn(e)) {
                return Err(r.error(format!("{bad:?} is not an ECCN")));
            }
            Ok(FdpRule {
                id: r.get(0)?,
                paragraph: r.get(1)?,
                name: r.get(2)?,
                from: r.day_or_dash(3)?,
                certain_from: r.day_or_dash(4)?,
                product,
                reach,
                inputs,
            })
        })
        .collect()
}

static FDP: LazyLock<Vec<FdpRule>> = LazyLock::new(|| table::embedded(parse_fdp_rules(FDP_TEXT)));

/// The § 734.9 paragraphs decided, in table order.
pub fn fdp_table() -> &'static [FdpRule] {
    &FDP
}

fn tri_str(t: Tri) -> &'static str {
    match t {
        Tri::Yes => "met",
        Tri::No => "not met",
        Tri::Unknown => "unknown",
    }
}

/// NS control of an ECCN from the CCL table: Yes (the entire entry),
/// Unknown (some paragraphs, or an ECCN the table lacks), No.
fn ns_controlled(e: &str) -> Tri {
    if ccl::is_ear99(e) {
        return Tri::No;
    }
    let Some(entry) = ccl::lookup(e) else {
        return Tri::Unknown;
    };
    let mut out = Tri::No;
    for c in &entry.controls {
        if let ccl::Control::Chart { scope, columns } = c {
            if columns
                .iter()
                .any(|c| matches!(c, Column::NS1 | Column::NS2))
            {
                if *scope == ccl::Scope::Entire {
                    return Tri::Yes;
                }
                out = Tri::Unknown;
            }
        }
    }
    out
}

fn is_software_or_technology(e: &str) -> bool {
    matches!(e.chars().nth(1), Some('D' | 'E'))
}

/// J6: every foreign direct product rule of `data/fdp_rules.tsv`, each a
/// product prong ∧ a reach prong, dated.
fn fdp_rules(
    tx: &Transaction,
    item: &Item,
    dest: Country,
    fn_parties: &[FootnoteParty],
) -> Vec<(Test, &'static str)> {
    let dpo = item.direct_product_of.as_deref();
    let inputs_in = |set: &dyn Fn(&str) -> bool| -> Tri {
        match dpo {
            None => Tri::Unknown,
            Some(list) => {
                if list.iter().any(|e| set(&ccl::split(e).0)) {
                    Tri::Yes
                } else {
                    Tri::No
                }
            }
        }
    };
    let reach_party = |fnote: &str| -> (Tri, String) {
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
    let eccn = item.eccn.as_deref();
    let mut out = vec![];
    for rule in fdp_table() {
        // Named as the law stood on the date (§ 736.2(b)(3) before
        // 87 FR 6022), or by today's paragraph when it did not exist yet.
        let head = match crate::dated::cite_on(rule.paragraph, tx.date) {
            Some(shown) => format!(
                "FDP rule {} ({})",
                shown.trim_start_matches("15 CFR "),
                rule.name
            ),
            None => format!(
                "FDP rule ({}; today {})",
                rule.name,
                rule.paragraph.trim_start_matches("15 CFR ")
            ),
        };
        if !table::in_force(rule.from, None, tx.date) {
            out.push((
                Test {
                    answer: Tri::No,
                    cite: rule.paragraph,
                    reason: format!("{head}: no such rule was in force on {}.", tx.date),
                },
                rule.paragraph,
            ));
            continue;
        }
        // Product prong.
        let (product, pwhy): (Tri, String) = match rule.product {
            "item:NS inputs:NS+WA" => {
                let item_ns = eccn.map_or(Tri::Unknown, ns_controlled);
                let input_ns = match dpo {
                    None => Tri::Unknown,
                    Some(list) => {
                        let mut t = Tri::No;
                        for e in list.iter().filter(|e| is_software_or_technology(e)) {
                            match ns_controlled(e) {
                                Tri::Yes => {
                                    t = Tri::Yes;
                                    break;
                                }
                                Tri::Unknown => t = Tri::Unknown,
                                Tri::No => {}
                            }
                        }
                        t
                    }
                };
                let wa = if item.has_tag("ns_written_assurance") {
                    Tri::Yes
                } else if item.has_tag("no_written_assurance") {
                    Tri::No
                } else {
                    Tri::Unknown
                };
                (
                    and(item_ns, and(input_ns, wa)),
                    format!(
                        "item NS-controlled: {}; direct product of NS-controlled US technology or software: {}; that technology required a written assurance (Supp. No. 2 to Part 748 (o)(3)(i)): {}",
                        tri_str(item_ns),
                        tri_str(input_ns),
                        tri_str(wa)
                    ),
                )
            }
            "item:any inputs:FN1" => {
                let t = inputs_in(&|b| fn1_inputs().contains(&b));
                (
                    t,
                    format!(
                        "direct product of the footnote-1 input ECCNs: {}",
                        tri_str(t)
                    ),
                )
            }
            "item:any inputs:FN4" => {
                let t = inputs_in(&|b| fn1_inputs().contains(&b) || FN4_EXTRA.contains(&b));
                (
                    t,
                    format!(
                        "direct product of the footnote-4 input ECCNs: {}",
                        tri_str(t)
                    ),
                )
            }
            "item:H inputs:H" => {
                let item_h = match eccn {
                    None => Tri::Unknown,
                    Some(e) => {
                        let (b, p) = ccl::split(e);
                        if b == "3A090"
                            || b == "4A090"
                            || p.as_deref().is_some_and(|p| p.starts_with('z'))
                        {
                            Tri::Yes
                        } else {
                            Tri::No
                        }
                    }
                };
                let inp = match dpo {
                    None => Tri::Unknown,
                    Some(list) => {
                        let bases: Vec<String> = list.iter().map(|e| ccl::split(e).0).collect();
                        if bases.iter().any(|b| rule.inputs.contains(&b.as_str())) {
                            Tri::Yes
                        } else if bases.iter().any(|b| fn1_inputs().contains(&b.as_str())) {
                            Tri::Unknown
                        } else {
                            Tri::No
                        }
                    }
                };
                (
                    and(item_h, inp),
                    format!(
                        "item is 3A090/4A090 or a .z paragraph: {}; direct product of the (h) input ECCNs: {}",
                        tri_str(item_h),
                        tri_str(inp)
                    ),
                )
            }
            "item:3B inputs:any" => {
                let t = match eccn {
                    None => Tri::Unknown,
                    Some(e) if e.get(..2) == Some("3B") => Tri::Unknown,
                    Some(_) => Tri::No,
                };
                (
                    t,
                    match t {
                        Tri::No => "the item is not a Category 3B commodity".to_string(),
                        _ => "a Category 3B item: whether it is within the paragraph's ECCN list and a direct product of the listed US technology is not decided here".to_string(),
                    },
                )
            }
            _ => {
                // "item:any inputs:any" (footnote 5): commodities produced
                // from the listed technology or containing an IC from a
                // qualifying plant; not decided from the facts given.
                let t = match eccn {
                    Some(e) if is_software_or_technology(e) => Tri::No,
                    _ => Tri::Unknown,
                };
                (
                    t,
                    if t == Tri::No {
                        "the item is software or technology, not a commodity".to_string()
                    } else {
                        "whether the commodity is within the footnote-5 product scope is not decided from the facts given".to_string()
                    },
                )
            }
        };
        // Reach prong.
        let (reach, rwhy): (Tri, String) = match rule.reach {
            "dest:D1E1E2" => {
                let t = in_group(D1, dest) || in_group(E1, dest) || in_group(E2, dest);
                (
                    if t { Tri::Yes } else { Tri::No },
                    format!(
                        "destination {dest} in D:1/E:1/E:2: {}",
                        if t { "yes" } else { "no" }
                    ),
                )
            }
            "dest:CN" => {
                if matches!(dest.as_str(), "CN" | "MO") {
                    (Tri::Yes, format!("destination {dest}: within the rule's reach in every version since October 2022"))
                } else if in_group(D1, dest) || in_group(D5, dest) || in_group(D4, dest) {
                    (Tri::Unknown, format!("destination {dest}: the (h) destination scope was widened after October 2022; check the text in force"))
                } else {
                    (Tri::Unknown, format!("destination {dest}: the current (h) destination scope is wider than China; check the text in force"))
                }
            }
            "dest:D5MO" => {
                let t = dest.as_str() == "MO" || in_group(D5, dest);
                (
                    if t { Tri::Yes } else { Tri::No },
                    format!(
                        "destination {dest} in Macau or D:5: {}",
                        if t { "yes" } else { "no" }
                    ),
                )
            }
            r => {
                let f = r.trim_start_matches("party:");
                reach_party(f)
            }
        };
        let mut answer = and(product, reach);
        let mut extra = String::new();
        if answer == Tri::Yes && rule.certain_from.is_some_and(|c| tx.date < c) {
            answer = Tri::Unknown;
            extra = format!(
                " The rule's text on {} is not certain (in force from {}, settled from {}).",
                tx.date,
                rule.from.map(|d| d.to_string()).unwrap_or_default(),
                rule.certain_from.map(|d| d.to_string()).unwrap_or_default()
            );
        }
        out.push((
            Test {
                answer,
                cite: rule.paragraph,
                reason: format!("{head}: product prong {pwhy}; reach prong {rwhy}.{extra}"),
            },
            rule.paragraph,
        ));
    }
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
    fn with(json: &str, date: &str, fp: &[FootnoteParty]) -> Jurisdiction {
        evaluate(&tx(&json.replace("DATE", date)), fp)
    }

    fn fnp(f: &str) -> Vec<FootnoteParty> {
        vec![FootnoteParty {
            footnote: f.into(),
            party: "Listed Co".into(),
            certain: true,
        }]
    }

    #[test]
    fn fdp_table_parses_every_paragraph_with_dates() {
        let ids: Vec<&str> = fdp_table().iter().map(|r| r.id).collect();
        assert_eq!(ids, ["b", "e1", "e2", "e3", "h", "k"]);
        assert!(parse_fdp_rules("x\t15 CFR 734.9(z)\tn\t-\t-\tbad\tdest:CN\t-\n").is_err());
        // A second row of one paragraph: two rules for one day.
        let two = "b\t15 CFR 734.9(b)\tn\t-\t-\titem:NS inputs:NS+WA\tdest:D1E1E2\t-\n\
                   b2\t15 CFR 734.9(b)\tn\t2023-01-01\t-\titem:NS inputs:NS+WA\tdest:D1E1E2\t-\n";
        let e = parse_fdp_rules(two).unwrap_err();
        assert_eq!((e.file, e.line), (FDP_FILE, 2));
        assert!(e.message.contains("overlaps"), "{e}");
    }

    // §734.9(b): NS-controlled foreign item, direct product of NS US
    // technology needing a written assurance, to D:1/E:1/E:2.
    const NS: &str = r#"{"date":"DATE","flow":"reexport","destination":"DEST",
        "item":{"origin":"KR","eccn":"ECCN","value":100.0,"us_content":[],
        "direct_product_of":["3E001"],"tags":[TAGS]}}"#;

    fn ns(dest: &str, eccn: &str, tags: &str) -> String {
        NS.replace("DEST", dest)
            .replace("ECCN", eccn)
            .replace("TAGS", tags)
    }

    #[test]
    fn ns_fdp_in_and_out_of_scope() {
        let wa = "\"ns_written_assurance\"";
        // In: 3A001 (NS, entire entry) to China (D:1), 3E001 is NS1.
        let j = with(&ns("CN", "3A001", wa), "2023-06-01", &[]);
        assert_eq!(j.outcome, Outcome::Subject, "{:?}", j.finding.reasons);
        assert_eq!(j.via_fdp, Some("15 CFR 734.9(b)"));
        // Out: destination not in D:1/E:1/E:2 (France).
        let j = with(&ns("FR", "3A001", wa), "2023-06-01", &[]);
        assert_eq!(j.outcome, Outcome::NotSubject, "{:?}", j.finding.reasons);
        // Out: the item is not NS-controlled (6A993 is AT only).
        assert_eq!(
            with(&ns("CN", "6A993", wa), "2023-06-01", &[]).outcome,
            Outcome::NotSubject
        );
        // Out: the technology needed no written assurance.
        let j = with(
            &ns("CN", "3A001", "\"no_written_assurance\""),
            "2023-06-01",
            &[],
        );
        assert_eq!(j.outcome, Outcome::NotSubject);
        // Unknown written assurance: INDETERMINATE, never NOT_SUBJECT.
        assert_eq!(
            with(&ns("CN", "3A001", ""), "2023-06-01", &[]).outcome,
            Outcome::Indeterminate
        );
        // Before 87 FR 6022 the same rule is General Prohibition Three.
        let j = with(&ns("CN", "3A001", wa), "2021-06-01", &[]);
        assert_eq!(j.via_fdp, Some("15 CFR 734.9(b)"));
    }

    const ANY: &str = r#"{"date":"DATE","flow":"reexport","destination":"DEST",
        "item":{"origin":"TW","eccn":"ECCN","value":100.0,"us_content":[],"direct_product_of":["INPUT"]}}"#;

    fn any(dest: &str, eccn: &str, input: &str) -> String {
        ANY.replace("DEST", dest)
            .replace("ECCN", eccn)
            .replace("INPUT", input)
    }

    #[test]
    fn advanced_computing_fdp_h_in_and_out_of_scope_and_dated() {
        let t = any("CN", "3A090.a", "3E001");
        let j = with(&t, "2023-06-01", &[]);
        assert_eq!(j.outcome, Outcome::Subject, "{:?}", j.finding.reasons);
        assert_eq!(j.via_fdp, Some("15 CFR 734.9(h)"));
        // Not in force before 2022-10-07; uncertain text until 2022-10-21.
        assert_eq!(with(&t, "2022-10-06", &[]).outcome, Outcome::NotSubject);
        assert_eq!(with(&t, "2022-10-10", &[]).outcome, Outcome::Indeterminate);
        // Out of scope: not an advanced computing item.
        assert_eq!(
            with(&any("CN", "5A992", "3E001"), "2023-06-01", &[]).outcome,
            Outcome::NotSubject
        );
        // Out of scope: produced from no listed US technology.
        assert_eq!(
            with(&any("CN", "3A090.a", "6E993"), "2023-06-01", &[]).outcome,
            Outcome::NotSubject
        );
        // Another destination: the widened scope is not decided here.
        assert_eq!(
            with(&t.replace("\"CN\"", "\"FR\""), "2023-06-01", &[]).outcome,
            Outcome::Indeterminate
        );
    }

    #[test]
    fn sme_fdp_k_in_and_out_of_scope_and_dated() {
        // No written assurance: the national-security rule (b) fails, so
        // only (k) is in question.
        let t = any("CN", "3B001.c", "3E001").replace(
            "\"direct_product_of\"",
            "\"tags\":[\"no_written_assurance\"],\"direct_product_of\"",
        );
        let j = with(&t, "2025-01-10", &[]);
        assert_eq!(j.outcome, Outcome::Indeterminate, "{:?}", j.finding.reasons);
        assert!(j.finding.reasons.iter().any(|r| r.contains("734.9(k)")));
        // Before 2024-12-02 (89 FR 96790) the rule did not exist.
        assert_eq!(with(&t, "2024-12-01", &[]).outcome, Outcome::NotSubject);
        // Out: destination not Macau or D:5 (Japan).
        assert_eq!(
            with(&t.replace("\"CN\"", "\"JP\""), "2025-01-10", &[]).outcome,
            Outcome::NotSubject
        );
    }

    #[test]
    fn footnote_5_fdp_e3_needs_a_footnote_5_party_and_its_date() {
        let t = any("CN", "EAR99", "6E993");
        assert_eq!(with(&t, "2025-01-10", &[]).outcome, Outcome::NotSubject);
        let j = with(&t, "2025-01-10", &fnp("5"));
        assert_eq!(j.outcome, Outcome::Indeterminate, "{:?}", j.finding.reasons);
        assert_eq!(
            with(&t, "2024-11-30", &fnp("5")).outcome,
            Outcome::NotSubject
        );
        // Software is not a commodity: outside (e)(3).
        assert_eq!(
            with(&any("CN", "5D992", "6E993"), "2025-01-10", &fnp("5")).outcome,
            Outcome::NotSubject
        );
    }

    #[test]
    fn footnote_1_fdp_dated_from_may_2020() {
        let t = any("CN", "5A992", "3E001");
        assert_eq!(
            with(&t, "2020-05-14", &fnp("1")).outcome,
            Outcome::NotSubject
        );
        assert_eq!(
            with(&t, "2020-06-01", &fnp("1")).outcome,
            Outcome::Indeterminate
        );
        assert_eq!(with(&t, "2020-09-01", &fnp("1")).outcome, Outcome::Subject);
    }
}
