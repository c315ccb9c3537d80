//! Reasons for control of the Commerce Control List entries RULES.md needs
//! (Supplement No. 1 to 15 CFR Part 774, eCFR issue date 2026-07-23;
//! RULES.md §3.3), and the Country Chart columns they name.
//!
//! Each `Control` is one "License Requirements" row of an ECCN: a reason,
//! whether it covers the entire entry or only some paragraphs, and the
//! chart column(s). Where a reason uses different columns for different
//! paragraphs (3A001: NS1 for some, NS2 for the rest) the row lists them as
//! alternatives: a destination is certainly controlled only if every
//! alternative has an X. Prose scopes that bypass the chart
//! (§738.3(a)(1); "to or within any destination worldwide") are `Prose`.
//!
//! ECCNs not in this table are *unknown*, not uncontrolled: the measures
//! answer NEEDS_REVIEW / INDETERMINATE for them.

use crate::column::Column;
use crate::table::{self, Row, TableError};
use embargo_model::Country;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Entire,
    /// Only some paragraphs of the entry (the text names which); which
    /// ones is not modelled, so the answer depends on the paragraph.
    Part,
    /// Only paragraphs starting with this letter (`z`, `y`, `a`). The item
    /// must be classified to that paragraph (`5A992.z`) to be caught.
    Paragraph(&'static str),
}

#[derive(Clone, Debug)]
pub enum Control {
    /// Country Chart columns, alternatives by paragraph.
    Chart { scope: Scope, columns: Vec<Column> },
    /// A licence requirement stated in prose rather than by chart column.
    Prose {
        scope: Scope,
        destinations: Dest,
        text: &'static str,
    },
}

/// Where a prose licence requirement applies.
#[derive(Clone, Debug)]
pub enum Dest {
    All,
    /// Every destination except these (0A982: all but Canada).
    AllExcept(Vec<Country>),
    Only(Vec<Country>),
    /// 742.6(a)(6)(iii)(B): Macau, the UAE, or Country Groups D:1, D:4,
    /// D:5, excluding destinations also in A:5 or A:6.
    D145AndMacauUae,
}

#[derive(Debug)]
pub struct Eccn {
    pub eccn: &'static str,
    pub what: &'static str,
    pub controls: Vec<Control>,
}

const FILE: &str = "ccl.tsv";
const TEXT: &str = include_str!("../data/ccl.tsv");

/// The `target` token of `D145AndMacauUae` in `data/ccl.tsv`.
const D145_TOKEN: &str = "D:1+D:4+D:5+MO-A:5-A:6+AE";

fn parse_scope(r: &Row, s: &'static str) -> Result<Scope, TableError> {
    match s {
        "entire" => Ok(Scope::Entire),
        "part" => Ok(Scope::Part),
        _ => match s.strip_prefix("para:") {
            Some(p) if !p.is_empty() => Ok(Scope::Paragraph(p)),
            _ => Err(r.error(format!("scope {s:?} is not entire, part or para:<letter>"))),
        },
    }
}

fn parse_dest(r: &Row, s: &'static str) -> Result<Dest, TableError> {
    let codes = |cs: &str| {
        cs.split_whitespace()
            .map(|c| Country::from_code(c).map_err(|e| r.error(format!("target: {e}"))))
            .collect::<Result<Vec<_>, _>>()
    };
    if s == "all" {
        Ok(Dest::All)
    } else if s == D145_TOKEN {
        Ok(Dest::D145AndMacauUae)
    } else if let Some(cs) = s.strip_prefix("all-except ") {
        Ok(Dest::AllExcept(codes(cs)?))
    } else if let Some(cs) = s.strip_prefix("only ") {
        Ok(Dest::Only(codes(cs)?))
    } else {
        Err(r.error(format!(
            "prose target {s:?} is not all, all-except <codes>, only <codes> or {D145_TOKEN}"
        )))
    }
}

fn parse_control(r: &Row) -> Result<Control, TableError> {
    let scope = parse_scope(r, r.get(2)?)?;
    let target = r.get(4)?;
    match r.get(3)? {
        "chart" => {
            let columns = target
                .split('|')
                .map(|c| {
                    Column::parse(c).ok_or_else(|| r.error(format!("unknown chart column {c:?}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Control::Chart { scope, columns })
        }
        "prose" => Ok(Control::Prose {
            scope,
            destinations: parse_dest(r, target)?,
            text: r.get(5)?,
        }),
        k => Err(r.error(format!("kind {k:?} is not chart or prose"))),
    }
}

/// Parses `data/ccl.tsv`: one row per reason for control, the rows of an
/// ECCN consecutive and in the order of the entry.
pub fn parse(text: &'static str) -> Result<Vec<Eccn>, TableError> {
    let mut out: Vec<Eccn> = vec![];
    for r in table::rows(FILE, text) {
        let eccn = r.get(0)?;
        if !looks_like_eccn(eccn) || eccn.contains('.') {
            return Err(r.error(format!("{eccn:?} is not a five-character ECCN")));
        }
        let control = parse_control(&r)?;
        match out.last_mut() {
            Some(last) if last.eccn == eccn => {
                if last.what != r.get(1)? {
                    return Err(r.error(format!("{eccn}: description differs from its first row")));
                }
                last.controls.push(control);
            }
            _ => {
                if out.iter().any(|e| e.eccn == eccn) {
                    return Err(r.error(format!("{eccn}: rows are not consecutive")));
                }
                out.push(Eccn {
                    eccn,
                    what: r.get(1)?,
                    controls: vec![control],
                });
            }
        }
    }
    Ok(out)
}

static TABLE: LazyLock<Vec<Eccn>> = LazyLock::new(|| table::embedded(parse(TEXT)));

/// RULES.md §3.3, plus the entries the worked cases use (3A001, 9A610,
/// 9A991, 5A991) and the footnote-1/4 input ECCNs of §1.3 that a de minimis
/// input may carry (`data/ccl.tsv`).
pub fn table() -> &'static [Eccn] {
    &TABLE
}

/// An ECCN string as written (`6A003.b.4`, `9a610.y`) split into the
/// five-character entry and the paragraph.
pub fn split(eccn: &str) -> (String, Option<String>) {
    let t = eccn.trim().to_ascii_uppercase();
    match t.split_once('.') {
        Some((base, para)) => (base.to_string(), Some(para.to_ascii_lowercase())),
        None => (t, None),
    }
}

pub fn is_ear99(eccn: &str) -> bool {
    eccn.trim().eq_ignore_ascii_case("EAR99")
}

/// Whether the string has the shape of an ECCN (`9A610`, `1A004.c`).
pub fn looks_like_eccn(s: &str) -> bool {
    let (base, _) = split(s);
    let b = base.as_bytes();
    b.len() == 5
        && b[0].is_ascii_digit()
        && (b'A'..=b'E').contains(&b[1])
        && b[2..].iter().all(u8::is_ascii_digit)
}

/// "600 series" (x.y6zz) or 9x515 entries: the military-item entries
/// §734.4(a)(6) excludes from de minimis.
pub fn is_600_series_or_515(eccn: &str) -> bool {
    let (base, _) = split(eccn);
    looks_like_eccn(&base) && (&base[2..3] == "6" || &base[2..] == "515")
}

pub fn lookup(eccn: &str) -> Option<&'static Eccn> {
    let (base, _) = split(eccn);
    TABLE.iter().find(|e| e.eccn == base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::column::Column::AT1;

    #[test]
    fn shapes_and_series() {
        assert!(looks_like_eccn("9A610.y"));
        assert!(!looks_like_eccn("EAR99"));
        assert!(is_600_series_or_515("9A610.y"));
        assert!(is_600_series_or_515("9A515.a"));
        assert!(!is_600_series_or_515("6A993"));
        assert_eq!(
            split("6a003.B.4"),
            ("6A003".to_string(), Some("b.4".to_string()))
        );
    }

    #[test]
    fn rules_md_3_3_at_only_entries_have_only_at1() {
        // RULES.md §3.2: AT-only ECCNs are NLR to China.
        for e in ["5A992", "3A991", "4A994", "6A993", "1A995", "1A999"] {
            let entry = lookup(e).unwrap();
            let cols: Vec<_> = entry
                .controls
                .iter()
                .filter_map(|c| match c {
                    Control::Chart {
                        scope: Scope::Entire,
                        columns,
                    } => Some(columns.as_slice()),
                    _ => None,
                })
                .collect();
            assert_eq!(cols, vec![&[AT1][..]], "{e}");
        }
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let e = parse(
            "3A001	x	entire	chart	NS9	
",
        )
        .unwrap_err();
        assert_eq!((e.file, e.line), (FILE, 1));
        assert!(e.message.contains("NS9"), "{e}");
        let e = parse(
            "# c
3A001	x	some	chart	NS1	
",
        )
        .unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse(
            "3A001	x	entire	prose	all
",
        )
        .unwrap_err();
        assert!(e.message.contains("column 6"), "{e}");
        let e = parse(
            "3A001	x	entire	chart	NS1
5A002	y	entire	chart	NS1
3A001	x	entire	chart	AT1
",
        )
        .unwrap_err();
        assert!(e.message.contains("consecutive"), "{e}");
    }
}
