//! The law as it stood on the transaction date (issue 12 item 1).
//!
//! Measures write citations in today's numbering of 15 CFR and name the
//! Federal Register documents behind each rule. Before a decision leaves
//! the engine, [`as_of`] rewrites every citation to the text that was in
//! force on the transaction date (`data/citations_dated.tsv`: the foreign
//! direct product rules sat in § 736.2(b)(3) and footnote 1 to Supp. No. 4
//! to Part 744 before 87 FR 6022 moved them to § 734.9 on 2022-02-03),
//! drops a provision that did not exist yet, and drops a Federal Register
//! citation whose document was published after the date
//! (`data/fr_notices.tsv`). Each rewrite leaves a reason, so the trail says
//! what was cited and why.

use crate::finding::Finding;
use crate::table::{self, TableError};
use chrono::{Datelike, NaiveDate};
use std::sync::LazyLock;

const FR_FILE: &str = "fr_notices.tsv";
const FR_TEXT: &str = include_str!("../data/fr_notices.tsv");
const CITE_FILE: &str = "citations_dated.tsv";
const CITE_TEXT: &str = include_str!("../data/citations_dated.tsv");

/// One Federal Register page citation and the document it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrNotice {
    pub cite: &'static str,
    pub published: NaiveDate,
    pub effective: NaiveDate,
    /// FR Doc number, when checked.
    pub doc: Option<&'static str>,
    pub subject: &'static str,
}

/// One row of `citations_dated.tsv`: `citation` (today's numbering) read
/// as `then` (None: the provision did not exist) from `from` to `to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dated {
    pub citation: &'static str,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub then: Option<&'static str>,
    pub source: &'static str,
}

fn is_fr_cite(s: &str) -> bool {
    let w: Vec<&str> = s.split(' ').collect();
    w.len() == 3
        && w[1] == "FR"
        && w[0].chars().all(|c| c.is_ascii_digit())
        && w[2].chars().all(|c| c.is_ascii_digit())
}

pub fn parse_fr_notices(text: &'static str) -> Result<Vec<FrNotice>, TableError> {
    table::rows(FR_FILE, text)
        .map(|r| {
            let cite = r.get(0)?;
            if !is_fr_cite(cite) {
                return Err(r.error(format!("{cite:?} is not a citation like \"85 FR 29849\"")));
            }
            let published = r.day(1)?;
            let effective = r.day(2)?;
            let doc = r.dash(3)?;
            Ok(FrNotice {
                cite,
                published,
                effective,
                doc,
                subject: r.get(4)?,
            })
        })
        .collect()
}

pub fn parse_dated(text: &'static str) -> Result<Vec<Dated>, TableError> {
    let mut periods = table::Periods::new();
    let mut out = vec![];
    for r in table::rows(CITE_FILE, text) {
        let (from, to) = r.period(1, 2)?;
        let citation = r.get(0)?;
        // One reading of a citation per day.
        periods.add(&r, citation, from, to)?;
        out.push(Dated {
            citation,
            from,
            to,
            then: r.dash(3)?,
            source: r.get(4)?,
        });
    }
    Ok(out)
}

static FR: LazyLock<Vec<FrNotice>> = LazyLock::new(|| table::embedded(parse_fr_notices(FR_TEXT)));
static DATED: LazyLock<Vec<Dated>> = LazyLock::new(|| table::embedded(parse_dated(CITE_TEXT)));

pub fn fr_notices() -> &'static [FrNotice] {
    &FR
}

pub fn dated_citations() -> &'static [Dated] {
    &DATED
}

/// The year of a Federal Register volume: volume N is 1935 + N.
pub fn fr_volume_year(cite: &str) -> Option<i32> {
    let vol: i32 = cite.split(' ').next()?.parse().ok()?;
    (vol > 0).then_some(1935 + vol)
}

/// The Federal Register notice behind a page citation, if listed.
pub fn fr_notice(cite: &str) -> Option<&'static FrNotice> {
    FR.iter().find(|n| n.cite == cite)
}

/// How `citation` reads on `date`: `Some(text)` (unchanged when no row
/// applies), or `None` when the provision did not exist then.
pub fn cite_on(citation: &str, date: NaiveDate) -> Option<String> {
    if is_fr_cite(citation) {
        return match fr_notice(citation) {
            Some(n) if n.published > date => None,
            Some(_) => Some(citation.to_string()),
            // A page not in the table (an imported list's notice): the
            // volume gives the year, volume N being the year 1935 + N
            // (85 FR = 2020), so a later volume cannot be cited.
            None => match fr_volume_year(citation) {
                Some(y) if y > date.year() => None,
                _ => Some(citation.to_string()),
            },
        };
    }
    let row = DATED
        .iter()
        .filter(|d| {
            (citation == d.citation
                || citation
                    .strip_prefix(d.citation)
                    .is_some_and(|rest| rest.starts_with('(') || rest.starts_with(' ')))
                && table::in_force(d.from, d.to, date)
        })
        .max_by_key(|d| d.citation.len());
    match row {
        None => Some(citation.to_string()),
        Some(d) => d.then.map(|t| {
            // The text of the day first; where it later moved, dated, so
            // the reader can find it in today's CFR without taking it for
            // a provision of the day.
            let later = match d.to.and_then(|to| to.succ_opt()) {
                Some(next) => format!("{next}"),
                None => "later".to_string(),
            };
            format!("{t} (from {later} at {citation})")
        }),
    }
}

/// The provision `citation` (today's numbering) stood at on `date`, bare:
/// the day's text without the note saying where it later moved and
/// without a gloss in brackets ("15 CFR 736.2(b)(3)" for "15 CFR 734.9" in
/// 2021); `None` when it did not exist. For comparing what a reader
/// expects in today's numbering with what a finding cites on its date
/// (the worked cases' `cites`).
pub fn provision_on(citation: &str, date: NaiveDate) -> Option<String> {
    let t = cite_on(citation, date)?;
    Some(bare(&t).to_string())
}

/// A citation as the law of its day: the forward note " (from … at …)"
/// that `cite_on` adds, a gloss " (General Prohibition Three)" and any
/// second provision joined by " and " cut off.
pub fn bare(citation: &str) -> &str {
    let mut t = citation;
    for cut in [" (", " and "] {
        if let Some(i) = t.find(cut) {
            t = &t[..i];
        }
    }
    t.trim()
}

/// Rewrites every finding's citations to the law as it stood on `date`.
pub fn as_of(findings: &mut [Finding], date: NaiveDate) {
    for f in findings {
        let mut out: Vec<String> = vec![];
        let mut notes: Vec<String> = vec![];
        for c in f.citations.drain(..) {
            match cite_on(&c, date) {
                Some(t) => {
                    if t != c {
                        notes.push(format!("Cited as the law stood on {date}: {t}."));
                    }
                    if !out.contains(&t) {
                        out.push(t);
                    }
                }
                None => {
                    let why = match (fr_notice(&c), fr_volume_year(&c)) {
                        (Some(n), _) => format!(
                            "{c} is not cited: it was published on {} (after {date}).",
                            n.published
                        ),
                        (None, Some(y)) if is_fr_cite(&c) => {
                            format!("{c} is not cited: it was published in {y} (after {date}).")
                        }
                        _ => format!("{c} is not cited: it was not in force on {date}."),
                    };
                    notes.push(why);
                }
            }
        }
        f.citations = out;
        for n in notes {
            if !f.reasons.contains(&n) {
                f.reasons.push(n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn tables_parse_and_every_dated_source_is_cited_data() {
        assert!(fr_notices().len() >= 30);
        assert!(dated_citations().len() >= 10);
        for n in fr_notices() {
            let gap = (n.published - n.effective).num_days().abs();
            assert!(gap <= 60, "{n:?}");
        }
    }

    #[test]
    fn a_citation_read_two_ways_on_one_day_is_refused() {
        let t = "15 CFR 734.9(e)(1)\t-\t2020-05-15\t-\tx\n15 CFR 734.9(e)(1)\t2020-05-15\t2022-02-02\t15 CFR 736.2(b)(3)(vi)\tx\n";
        let e = parse_dated(t).unwrap_err();
        assert_eq!((e.file, e.line), (CITE_FILE, 2));
        assert!(e.message.contains("overlaps"), "{e}");
        let ok = "15 CFR 734.9(e)(1)\t-\t2020-05-14\t-\tx\n15 CFR 734.9(e)(1)\t2020-05-15\t2022-02-02\t15 CFR 736.2(b)(3)(vi)\tx\n";
        assert_eq!(parse_dated(ok).unwrap().len(), 2);
    }

    #[test]
    fn fdp_citations_on_both_sides_of_the_2022_reorganisation() {
        let e1 = "15 CFR 734.9(e)(1)";
        assert_eq!(cite_on(e1, d("2019-11-01")), None);
        assert_eq!(
            cite_on(e1, d("2021-06-01")).unwrap(),
            "15 CFR 736.2(b)(3)(vi) and Supp. No. 4 to Part 744, footnote 1 (from 2022-02-03 at 15 CFR 734.9(e)(1))"
        );
        assert!(cite_on(e1, d("2022-02-02")).unwrap().contains("736.2"));
        assert_eq!(cite_on(e1, d("2022-02-03")).unwrap(), e1);
        let b = "15 CFR 734.9(b)";
        assert!(cite_on(b, d("2019-06-01"))
            .unwrap()
            .starts_with("15 CFR 736.2(b)(3)(i)"));
        assert_eq!(cite_on(b, d("2023-06-01")).unwrap(), b);
        assert!(cite_on("15 CFR 734.9", d("2021-01-01"))
            .unwrap()
            .starts_with("15 CFR 736.2(b)(3)"));
        assert_eq!(cite_on("15 CFR 734.9(e)(2)", d("2022-10-06")), None);
        assert_eq!(
            cite_on("15 CFR 734.9(e)(2)", d("2022-10-07")).unwrap(),
            "15 CFR 734.9(e)(2)"
        );
        assert_eq!(cite_on("15 CFR 734.9(k)", d("2024-12-01")), None);
        assert!(cite_on("15 CFR 734.9(k)", d("2024-12-02")).is_some());
        assert!(cite_on("15 CFR 744.11(a)(2)", d("2021-03-01"))
            .unwrap()
            .starts_with("Supp. No. 4 to Part 744, footnote 1 (from 2022-02-03"));
        assert_eq!(
            cite_on("15 CFR 744.11(a)", d("2019-01-01")).unwrap(),
            "15 CFR 744.11(a)"
        );
        assert_eq!(
            cite_on("15 CFR 734.4(d)", d("2019-01-01")).unwrap(),
            "15 CFR 734.4(d)"
        );
    }

    #[test]
    fn federal_register_documents_are_not_cited_before_publication() {
        // 85 FR 29849: effective 2020-05-15, published 2020-05-19.
        assert_eq!(cite_on("85 FR 29849", d("2020-05-18")), None);
        assert!(cite_on("85 FR 29849", d("2020-05-19")).is_some());
        assert_eq!(cite_on("87 FR 62186", d("2021-06-01")), None);
        assert!(cite_on("87 FR 62186", d("2023-01-01")).is_some());
        // An unlisted page is kept (tests/it/dated_law.rs makes sure
        // every page the engine and pack cite is listed).
        assert!(cite_on("64 FR 1", d("2000-01-01")).is_some());
        // ... but never from a later volume (87 FR = 2022).
        assert_eq!(cite_on("87 FR 6026", d("2021-06-01")), None);
        assert!(cite_on("87 FR 6026", d("2022-06-01")).is_some());
        assert_eq!(fr_volume_year("85 FR 29849"), Some(2020));
    }

    #[test]
    fn provisions_in_the_numbering_of_the_day() {
        assert_eq!(
            provision_on("15 CFR 734.9", d("2021-06-01")).unwrap(),
            "15 CFR 736.2(b)(3)"
        );
        assert_eq!(
            provision_on("15 CFR 734.9(e)(1)", d("2021-06-01")).unwrap(),
            "15 CFR 736.2(b)(3)(vi)"
        );
        assert_eq!(
            provision_on("15 CFR 734.9", d("2022-02-03")).unwrap(),
            "15 CFR 734.9"
        );
        assert_eq!(provision_on("15 CFR 734.9(e)(2)", d("2021-06-01")), None);
        assert_eq!(
            bare("15 CFR 736.2(b)(3)(vi) and Supp. No. 4 to Part 744, footnote 1 (from 2022-02-03 at 15 CFR 734.9(e)(1))"),
            "15 CFR 736.2(b)(3)(vi)"
        );
        assert_eq!(bare("15 CFR 744.11(a)"), "15 CFR 744.11(a)");
    }

    #[test]
    fn as_of_rewrites_and_explains() {
        use crate::finding::{Confidence, Measure, Outcome};
        let mut fs = vec![Finding::new(
            Measure::EarJurisdiction,
            Outcome::Subject,
            "J6",
            Confidence::Verified,
        )
        .cite("15 CFR 734.9(e)(1)")
        .cite("87 FR 62186")
        .cite("85 FR 51596")];
        as_of(&mut fs, d("2021-03-01"));
        assert_eq!(
            fs[0].citations,
            vec![
                "15 CFR 736.2(b)(3)(vi) and Supp. No. 4 to Part 744, footnote 1 (from 2022-02-03 at 15 CFR 734.9(e)(1))".to_string(),
                "85 FR 51596".to_string()
            ]
        );
        assert!(fs[0]
            .reasons
            .iter()
            .any(|r| r.contains("87 FR 62186 is not cited")));
        assert!(fs[0]
            .reasons
            .iter()
            .any(|r| r.contains("Cited as the law stood on 2021-03-01")));
    }
}
