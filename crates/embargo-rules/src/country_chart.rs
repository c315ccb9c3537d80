//! The Commerce Country Chart (Supplement No. 1 to 15 CFR Part 738, eCFR
//! issue date 2026-07-23) and the §738.4 licence determination from an
//! ECCN's reasons for control (RULES.md §3).
//!
//! Data: `data/country_chart.tsv`, one row per country with its X-marked
//! columns (`crate::column::Column`). Cuba, Iran, North Korea and Syria have no row
//! (the chart points to Part 746); Hong Kong has no row since 2020-12-23
//! and is evaluated as China (`country_groups::ear_destination`).
//!
//! `licence_need` is shared with the de minimis calculation, which counts
//! only content that "would require a license … to the country of
//! destination" (Supp. No. 2 to Part 734 (a)(1)); Part 744 is never
//! consulted there.

use crate::ccl::{self, Control, Dest, Scope};
use crate::column::Column::{self, *};
use crate::country_groups::{self, in_group, is_embargoed};
use crate::finding::{Confidence, Finding, Measure, Outcome};
use crate::table::{self, TableError};
use embargo_model::Country;
use std::collections::HashMap;
use std::sync::LazyLock;

pub const CHART_CITE: &str =
    "15 CFR Part 738, Supp. No. 1 (Commerce Country Chart, eCFR 2026-07-23)";

const FILE: &str = "country_chart.tsv";
const TEXT: &str = include_str!("../data/country_chart.tsv");

/// Parses `data/country_chart.tsv`: one row per country, its ISO-2 code
/// and the space-separated columns with an X. A country may appear once.
pub fn parse(text: &'static str) -> Result<Vec<(Country, Vec<Column>)>, TableError> {
    let mut out: Vec<(Country, Vec<Column>)> = vec![];
    for r in table::rows(FILE, text) {
        let c = r.country(0)?;
        if out.iter().any(|(x, _)| *x == c) {
            return Err(r.error(format!("{c} has a second row")));
        }
        let cols = r
            .get(1)?
            .split_whitespace()
            .map(|t| Column::parse(t).ok_or_else(|| r.error(format!("unknown chart column {t:?}"))))
            .collect::<Result<Vec<_>, _>>()?;
        out.push((c, cols));
    }
    Ok(out)
}

struct Chart {
    rows: Vec<(Country, Vec<Column>)>,
    by_country: HashMap<Country, usize>,
}

static CHART: LazyLock<Chart> = LazyLock::new(|| {
    let rows = table::embedded(parse(TEXT));
    let by_country = rows.iter().enumerate().map(|(i, (c, _))| (*c, i)).collect();
    Chart { rows, by_country }
});

/// Every chart row: (country, X-marked columns), in file order.
pub fn rows() -> &'static [(Country, Vec<Column>)] {
    &CHART.rows
}

/// Dependent territories that take another row (§738.3(b)).
const INHERIT: &[(&str, &str)] = &[("HK", "CN"), ("KY", "GB")];

/// The chart row for a destination: `None` for Part 746 destinations and
/// for codes the chart does not list.
pub fn row(dest: Country) -> Option<&'static [Column]> {
    let code = INHERIT
        .iter()
        .find(|(c, _)| *c == dest.as_str())
        .and_then(|(_, r)| Country::from_code(r).ok())
        .unwrap_or(dest);
    let chart = &*CHART;
    chart
        .by_country
        .get(&code)
        .map(|&i| chart.rows[i].1.as_slice())
}

/// §738.4 answer for one ECCN and destination.
#[derive(Clone, Debug, PartialEq)]
pub enum Need {
    /// At least one reason certainly has an X (or a prose requirement
    /// covers the whole entry). `crime_control` when CC1/CC3 is among them.
    Required {
        reasons: Vec<String>,
        crime_control: bool,
    },
    /// Only paragraph-specific controls have an X: depends on the paragraph.
    Possible {
        reasons: Vec<String>,
    },
    NotRequired {
        reasons: Vec<String>,
    },
    /// Classification not in the table, or destination not in the chart.
    Unknown {
        reason: String,
    },
}

fn dest_matches(d: &Dest, dest: Country) -> bool {
    match d {
        Dest::All => true,
        Dest::AllExcept(cs) => !cs.contains(&dest),
        Dest::Only(cs) => cs.contains(&dest),
        Dest::D145AndMacauUae => {
            // The UAE is named outright, so its A:5 membership does not
            // exclude it; the exclusion applies to the D-group members.
            let c = dest.as_str();
            c == "AE"
                || ((in_group(country_groups::D1, dest)
                    || in_group(country_groups::D4, dest)
                    || in_group(country_groups::D5, dest)
                    || c == "MO")
                    && !in_group(country_groups::A5, dest)
                    && !in_group(country_groups::A6, dest))
        }
    }
}

/// Whether a control row reaches the item's paragraph: `Some(true)` yes,
/// `Some(false)` no, `None` cannot tell without the paragraph.
fn scope_reaches(scope: Scope, para: Option<&str>) -> Option<bool> {
    match scope {
        Scope::Entire => Some(true),
        Scope::Part => None,
        // .y and .z paragraphs must be written out; a bare ECCN is not one.
        Scope::Paragraph(p) => Some(para.is_some_and(|x| x.starts_with(p))),
    }
}

/// RULES.md §3.1 steps 1–5.
pub fn licence_need(eccn: &str, dest: Country) -> Need {
    licence_need_with(eccn, dest, None)
}

/// `licence_need` reading `row_then` (the row in force on an earlier day,
/// `data/country_chart_changes.tsv`) instead of today's row.
fn licence_need_with(eccn: &str, dest: Country, row_then: Option<&'static [Column]>) -> Need {
    let dest = country_groups::ear_destination(dest);
    if is_embargoed(dest) {
        return Need::Required {
            reasons: vec![format!(
                "{} is embargoed: Part 746 requires a licence for (nearly) all items subject to the EAR",
                dest
            )],
            crime_control: false,
        };
    }
    let Some(row) = row_then.or_else(|| row(dest)) else {
        return Need::Unknown {
            reason: format!("{dest} has no row in the Commerce Country Chart table"),
        };
    };
    if ccl::is_ear99(eccn) {
        return Need::NotRequired {
            reasons: vec![
                "EAR99 items are not on the CCL and need no licence by the Country Chart".into(),
            ],
        };
    }
    let Some(entry) = ccl::lookup(eccn) else {
        return Need::Unknown {
            reason: format!("ECCN {eccn} is not in this engine's CCL table; classify and review"),
        };
    };
    let (_, para) = ccl::split(eccn);
    let (mut req, mut poss, mut not) = (vec![], vec![], vec![]);
    let mut cc = false;
    for c in &entry.controls {
        match c {
            Control::Chart { scope, columns } => {
                let marked: Vec<&Column> = columns.iter().filter(|c| row.contains(c)).collect();
                let labels = columns
                    .iter()
                    .map(|c| c.label())
                    .collect::<Vec<_>>()
                    .join("/");
                let reach = scope_reaches(*scope, para.as_deref());
                if marked.is_empty() || reach == Some(false) {
                    not.push(format!("{labels}: no X for {dest}"));
                } else if marked.len() == columns.len() && reach == Some(true) {
                    cc |= marked.iter().any(|c| matches!(c, CC1 | CC3));
                    req.push(format!("{labels}: X for {dest}"));
                } else {
                    poss.push(format!(
                        "{labels}: X for {dest} for some paragraphs of {}",
                        entry.eccn
                    ));
                }
            }
            Control::Prose {
                scope,
                destinations,
                text,
            } => {
                let reach = scope_reaches(*scope, para.as_deref());
                if !dest_matches(destinations, dest) || reach == Some(false) {
                    continue;
                }
                if reach == Some(true) {
                    req.push(text.to_string());
                } else {
                    poss.push(text.to_string());
                }
            }
        }
    }
    if !req.is_empty() {
        Need::Required {
            reasons: req,
            crime_control: cc,
        }
    } else if !poss.is_empty() {
        Need::Possible { reasons: poss }
    } else {
        Need::NotRequired { reasons: not }
    }
}

/// Decision table CC-1 and §3.1 as a finding.
const CHANGES_FILE: &str = "country_chart_changes.tsv";
const CHANGES_TEXT: &str = include_str!("../data/country_chart_changes.tsv");

/// What a dated row of `country_chart_changes.tsv` says for its period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Then {
    /// The row in force then is not recorded.
    Unknown,
    /// The X-marked columns in force then.
    Row(Vec<Column>),
    /// A Part 746 licence requirement for every CCL item.
    AllCcl,
}

/// A country's chart reading for a period (`from`..=`to`, `None`
/// unbounded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowChange {
    pub country: Country,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub then: Then,
    pub what: &'static str,
    pub citation: &'static str,
}

pub fn parse_changes(text: &'static str) -> Result<Vec<RowChange>, TableError> {
    let mut periods = table::Periods::new();
    let mut out = vec![];
    for r in table::rows(CHANGES_FILE, text) {
        let country = r.country(0)?;
        let (from, to) = r.period(1, 2)?;
        let cols = r.dash(4)?;
        let then = match (r.get(3)?, cols) {
            ("unknown", None) => Then::Unknown,
            ("ccl", None) => Then::AllCcl,
            ("row", Some(cols)) => Then::Row(
                cols.split_whitespace()
                    .map(|t| {
                        Column::parse(t)
                            .ok_or_else(|| r.error(format!("unknown chart column {t:?}")))
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            ("row", None) => return Err(r.error("kind row needs its X-marked columns (column 5)")),
            (k @ ("unknown" | "ccl"), Some(_)) => {
                return Err(r.error(format!("kind {k} takes no columns (column 5 must be -)")))
            }
            (k, _) => return Err(r.error(format!("kind {k:?} is not unknown, row or ccl"))),
        };
        periods.add(&r, country.as_str(), from, to)?;
        out.push(RowChange {
            country,
            from,
            to,
            then,
            what: r.get(5)?,
            citation: r.get(6)?,
        });
    }
    Ok(out)
}

static CHANGES: LazyLock<Vec<RowChange>> =
    LazyLock::new(|| table::embedded(parse_changes(CHANGES_TEXT)));

pub fn row_changes() -> &'static [RowChange] {
    &CHANGES
}

/// The Country Chart as it stood on `date`: the dated row of
/// `country_chart_changes.tsv` whose period holds the date (an unrecorded
/// row is NEEDS_REVIEW naming the change; a recorded one is read; a Part
/// 746 all-CCL requirement is applied), today's row otherwise.
pub fn evaluate_on(eccn: Option<&str>, dest: Option<Country>, date: chrono::NaiveDate) -> Finding {
    let change = dest.and_then(|d| {
        CHANGES
            .iter()
            .find(|c| c.country == d && table::in_force(c.from, c.to, date))
    });
    let Some(c) = change else {
        return evaluate(eccn, dest).reason(
            "Read from the Commerce Country Chart of the eCFR of 2026-07-23; no other reading of this row on the transaction date is recorded (data/country_chart_changes.tsv).",
        );
    };
    let period = match (c.from, c.to) {
        (Some(f), Some(t)) => format!("from {f} to {t}"),
        (Some(f), None) => format!("since {f}"),
        (None, Some(t)) => format!("until {t}"),
        (None, None) => "always".into(),
    };
    match &c.then {
        Then::Unknown => Finding::new(
            Measure::EarCountryChart,
            Outcome::NeedsReview,
            "RULES.md §3.1",
            Confidence::Verified,
        )
        .cite("15 CFR 738.4")
        .cite(c.citation)
        .reason(format!(
            "The chart reading for {} {period} ({}): {}. What applied on {date} is not recorded here, so the licence requirement by reason for control must be read from the regulations of that day.",
            c.country, c.citation, c.what
        )),
        Then::Row(cols) => {
            let labels: Vec<&str> = cols.iter().map(|c| c.label()).collect();
            let mut f = evaluate_with(eccn, dest, Some(cols.as_slice()));
            f.citations.retain(|x| x != CHART_CITE);
            f.cite("15 CFR Part 738, Supp. No. 1 (Commerce Country Chart)")
                .cite(c.citation)
                .reason(format!(
                "Read from the row of {} in force {period}: X under {} ({}: {}); today's row differs.",
                c.country,
                labels.join(" "),
                c.citation,
                c.what
            ))
        }
        Then::AllCcl => {
            let chart = evaluate(eccn, dest);
            let ear99 = eccn.is_some_and(ccl::is_ear99);
            let base = |o: Outcome| {
                Finding::new(Measure::EarCountryChart, o, "RULES.md §3.1 / Part 746", Confidence::Verified)
                    .cite("15 CFR 746.8(a)(1)")
                    .cite(c.citation)
            };
            match eccn {
                None => chart,
                Some(e) if !ear99 => base(Outcome::LicenseRequired)
                    .reason(format!(
                        "{e} is on the CCL and the destination is {}: {} ({}, {period}).",
                        c.country, c.what, c.citation
                    ))
                    .reason("The Country Chart's cells do not lift this requirement; licence exceptions are limited by § 746.8(c)."),
                Some(_) => base(Outcome::NeedsReview)
                    .cite("15 CFR 746.8(a)(2)-(3)")
                    .reason(format!(
                        "EAR99 to {}: the CCL-wide requirement ({}) does not reach EAR99 items, but § 746.8 also requires a licence for EAR99 items listed by HTS code (Supps. No. 2, 4, 6 to Part 746) and luxury goods; the item's HTS code decides, and it is not given.",
                        c.country, c.citation
                    )),
            }
        }
    }
}

pub fn evaluate(eccn: Option<&str>, dest: Option<Country>) -> Finding {
    evaluate_with(eccn, dest, None)
}

fn evaluate_with(
    eccn: Option<&str>,
    dest: Option<Country>,
    row_then: Option<&'static [Column]>,
) -> Finding {
    let base = |o: Outcome, rule: &str, conf| {
        Finding::new(Measure::EarCountryChart, o, rule, conf)
            .cite("15 CFR 738.4")
            .cite(CHART_CITE)
    };
    let Some(dest) = dest else {
        return base(Outcome::NeedsReview, "RULES.md §3.1", Confidence::Verified)
            .reason("No destination given: the Country Chart cannot be read.");
    };
    let Some(eccn) = eccn else {
        return base(Outcome::NeedsReview, "RULES.md §3.1", Confidence::Verified)
            .reason("The item's classification (ECCN or EAR99) is unknown.");
    };
    let ear_dest = country_groups::ear_destination(dest);
    let hk_note = (dest != ear_dest)
        .then(|| "Hong Kong is evaluated as China since 2020-12-23 (85 FR 83765).".to_string());
    let mut f = match licence_need_with(eccn, dest, row_then) {
        Need::Required {
            reasons,
            crime_control,
        } => {
            if is_embargoed(ear_dest) {
                let cite = match ear_dest.as_str() {
                    "KP" => "15 CFR 746.4; 15 CFR 742.19",
                    "CU" => "15 CFR 746.2",
                    "IR" => "15 CFR 746.7",
                    _ => "15 CFR 746.9",
                };
                base(Outcome::LicenseRequired, "RULES.md §3.1 / Part 746", Confidence::Verified)
                    .cite("15 CFR Part 746")
                    .cite(cite)
                    .reason(format!("Destination {ear_dest} is under a Part 746 embargo; the Country Chart does not apply."))
            } else if crime_control && ear_dest.as_str() == "CN" {
                // RULES.md §3.4 CC-1 row 1.
                base(Outcome::LicenseRequiredLikelyDenied, "RULES.md §3.4 CC-1", Confidence::Uncertain)
                    .cite("15 CFR 742.7")
                    .cite("Pub. L. 101-246 § 902(a)(4) (22 U.S.C. 2151 note)")
                    .reason(format!("{eccn} is crime-control (CC1/CC3) and China has an X: a licence is required."))
                    .reason("Licence issuance for crime control and detection equipment to the PRC is suspended under § 902(a)(4) of the FY1990-91 Foreign Relations Authorization Act (no § 902(b) report lifting it was found) and reviewed under the § 742.7(b) human-rights test: likely denied.")
            } else {
                base(Outcome::LicenseRequired, "RULES.md §3.1 step 3", Confidence::Verified).reason(
                    format!("{eccn} to {ear_dest}: each X must be overcome separately (738.4(a)(2)(ii)(A))."),
                )
            }
            .reasons_from(reasons)
        }
        Need::Possible { reasons } => base(Outcome::NeedsReview, "RULES.md §3.1", Confidence::Verified)
            .reason(format!("{eccn}: some paragraphs of the entry are controlled to {ear_dest}; the answer depends on the paragraph."))
            .reasons_from(reasons),
        Need::NotRequired { reasons } => {
            let mut f = base(Outcome::NoLicenseRequired, "RULES.md §3.1 step 4", Confidence::Verified)
                .cite("15 CFR 738.4(a)(2)(ii)(B)")
                .reason(format!("No Country Chart X for {eccn} to {ear_dest}: no licence for these reasons of control."))
                .reasons_from(reasons)
                .reason("Only if General Prohibitions 4-10 (Parts 744 end-use/end-user controls, 746) do not apply; this finding says nothing about them.");
            if ear_dest.as_str() == "CN" {
                f = f.reason("China is also subject to §§ 744.21-744.23 (military and supercomputer end uses): check separately.");
            }
            f
        }
        Need::Unknown { reason } => base(Outcome::NeedsReview, "RULES.md §3.1", Confidence::Verified).reason(reason),
    };
    if let Some(n) = hk_note {
        f = f.reason(n);
    }
    f
}

trait ReasonsFrom {
    fn reasons_from(self, rs: Vec<String>) -> Self;
}

impl ReasonsFrom for Finding {
    fn reasons_from(mut self, rs: Vec<String>) -> Self {
        self.reasons.extend(rs);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Country {
        Country::from_code(s).unwrap()
    }

    #[test]
    fn china_row_is_rules_md_3_2() {
        let r = row(c("CN")).unwrap();
        assert_eq!(r.len(), 12);
        assert!(r.contains(&CC1) && r.contains(&CC3) && !r.contains(&CC2));
        assert!(!r.contains(&AT1) && !r.contains(&FC1));
        assert_eq!(row(c("HK")), row(c("CN")));
        assert_eq!(row(c("MO")), row(c("CN")));
        assert_eq!(row(c("KP")), None);
    }

    #[test]
    fn every_code_appears_once() {
        // 196 chart rows (`parse` refuses a second row for a country);
        // Cuba, Iran, North Korea, Syria are Part 746 pointers outside them.
        assert_eq!(rows().len(), 196);
        assert!(rows().iter().all(|(c, _)| !is_embargoed(*c)));
        let e = parse("# chart\nCN\tCB1\nCN\tCB1\n").unwrap_err();
        assert_eq!((e.file, e.line), (FILE, 3));
        let e = parse("CN\tCB1 ZZ9\n").unwrap_err();
        assert!(e.message.contains("ZZ9"), "{e}");
    }

    #[test]
    fn at_only_is_nlr_to_china_and_cc_is_likely_denied() {
        assert!(matches!(
            licence_need("6A993", c("CN")),
            Need::NotRequired { .. }
        ));
        assert!(matches!(
            licence_need("EAR99", c("HK")),
            Need::NotRequired { .. }
        ));
        assert!(matches!(
            licence_need("3A981", c("CN")),
            Need::Required {
                crime_control: true,
                ..
            }
        ));
        assert!(matches!(
            licence_need("3A001", c("CN")),
            Need::Required { .. }
        ));
        assert!(matches!(
            licence_need("3A001", c("AU")),
            Need::NotRequired { .. }
        ));
        assert!(matches!(
            licence_need("5A992.z", c("GB")),
            Need::Required { .. }
        ));
        assert!(matches!(
            licence_need("7A994", c("CN")),
            Need::Unknown { .. }
        ));
        let f = evaluate(Some("3A981"), Some(c("CN")));
        assert_eq!(f.outcome, Outcome::LicenseRequiredLikelyDenied);
        let f = evaluate(Some("0A982"), Some(c("CA")));
        assert_eq!(f.outcome, Outcome::NoLicenseRequired);
        let f = evaluate(Some("6A993"), Some(c("KP")));
        assert_eq!(f.outcome, Outcome::LicenseRequired);
    }

    fn day(s: &str) -> chrono::NaiveDate {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn australia_and_the_uk_on_both_sides_of_the_aukus_rule() {
        for dest in ["AU", "GB"] {
            let before = evaluate_on(Some("3E001"), Some(c(dest)), day("2024-04-18"));
            assert_eq!(
                before.outcome,
                Outcome::LicenseRequired,
                "{dest}: {before:?}"
            );
            assert!(before.citations.iter().any(|x| x == "89 FR 28594"));
            assert!(!before.citations.iter().any(|x| x == CHART_CITE));
            assert!(
                before.reasons.iter().any(|r| r.contains("NS1")),
                "{before:?}"
            );
            let after = evaluate_on(Some("3E001"), Some(c(dest)), day("2024-04-19"));
            assert_eq!(
                after.outcome,
                Outcome::NoLicenseRequired,
                "{dest}: {after:?}"
            );
            assert!(after.citations.iter().any(|x| x == CHART_CITE));
        }
        // Another country's row is today's on both days.
        let at = evaluate_on(Some("3E001"), Some(c("AT")), day("2024-04-18"));
        assert_eq!(at.outcome, Outcome::LicenseRequired);
        assert!(at.citations.iter().any(|x| x == CHART_CITE));
    }

    #[test]
    fn russia_and_belarus_every_ccl_item_from_2022_04_08() {
        for dest in ["RU", "BY"] {
            // AT-only item: no chart X before the sanctions.
            let f = evaluate_on(Some("6A993"), Some(c(dest)), day("2022-02-23"));
            assert_eq!(f.outcome, Outcome::NoLicenseRequired, "{dest}: {f:?}");
            let f = evaluate_on(Some("6A993"), Some(c(dest)), day("2022-02-24"));
            assert_eq!(f.outcome, Outcome::NeedsReview, "{dest}: {f:?}");
            let f = evaluate_on(Some("6A993"), Some(c(dest)), day("2022-04-07"));
            assert_eq!(f.outcome, Outcome::NeedsReview, "{dest}: {f:?}");
            let f = evaluate_on(Some("6A993"), Some(c(dest)), day("2022-04-08"));
            assert_eq!(f.outcome, Outcome::LicenseRequired, "{dest}: {f:?}");
            assert!(f.citations.iter().any(|x| x == "15 CFR 746.8(a)(1)"));
            assert!(f.citations.iter().any(|x| x == "87 FR 22130"));
            // EAR99: never a clear; the HTS-code lists decide.
            let f = evaluate_on(Some("EAR99"), Some(c(dest)), day("2023-01-01"));
            assert_eq!(f.outcome, Outcome::NeedsReview, "{dest}: {f:?}");
        }
        // China is untouched by these rows.
        let f = evaluate_on(Some("6A993"), Some(c("CN")), day("2023-01-01"));
        assert_eq!(f.outcome, Outcome::NoLicenseRequired);
    }

    #[test]
    fn hong_kong_before_and_after_2020_12_23() {
        let f = evaluate_on(Some("6A993"), Some(c("HK")), day("2020-12-22"));
        assert_eq!(f.outcome, Outcome::NeedsReview);
        assert!(f.citations.iter().any(|x| x == "85 FR 83765"));
        let f = evaluate_on(Some("6A993"), Some(c("HK")), day("2020-12-23"));
        assert_eq!(f.outcome, Outcome::NoLicenseRequired);
    }

    #[test]
    fn change_rows_are_checked() {
        assert!(row_changes().len() >= 7);
        let e = parse_changes("RU\t2022-02-24\t-\tccl\t-\tx\t87 FR 12226\nRU\t2022-04-08\t-\tccl\t-\tx\t87 FR 22130\n").unwrap_err();
        assert_eq!((e.file, e.line), (CHANGES_FILE, 2));
        assert!(e.message.contains("overlaps"), "{e}");
        let e = parse_changes("AU\t-\t2024-04-18\trow\t-\tx\ty\n").unwrap_err();
        assert!(e.message.contains("columns"), "{e}");
        let e = parse_changes("AU\t-\t2024-04-18\trow\tCB1 ZZ9\tx\ty\n").unwrap_err();
        assert!(e.message.contains("ZZ9"), "{e}");
        let e = parse_changes("AU\t-\t2024-04-18\tsometimes\t-\tx\ty\n").unwrap_err();
        assert!(e.message.contains("not unknown, row or ccl"), "{e}");
    }
}
