//! Small text helpers shared by the parsers: byte decoding, the date
//! spellings US lists use, country lookup (the model's vocabulary) and
//! list splitting.
//!
//! Broken UTF-8 policy (documented in the crate docs): a field that is not
//! valid UTF-8 is decoded as Windows-1252 — every byte maps to exactly one
//! character, so nothing is lost or invented — and the parser adds a warning
//! naming file, line and field. US government CSVs that are not UTF-8 are
//! Windows-1252 in practice (e.g. byte 0x96, an en dash, in a trade.gov
//! sample), so this is both lossless and usually right.

use chrono::NaiveDate;
use embargo_model::{Address, Country, DateValue, Entity, EntityId, Link, LinkKind, PartialDate};
use std::borrow::Cow;

/// Windows-1252 code points for bytes 0x80..=0x9F, from
/// `data/cp1252_high.tsv`; the five bytes the code page leaves undefined map
/// to the C1 control of the same value (as the WHATWG encoding standard
/// does), which keeps the mapping reversible.
fn cp1252_high() -> &'static [char; 32] {
    static TABLE: std::sync::LazyLock<[char; 32]> = std::sync::LazyLock::new(|| {
        let file = "embargo-sources/data/cp1252_high.tsv";
        let text = include_str!("../data/cp1252_high.tsv");
        embargo_model::table::expect_parsed(embargo_model::table::rows::<2>(file, text).and_then(
            |rows| {
                let mut t = ['\0'; 32];
                for r in &rows {
                    let [byte, cp] = r.fields;
                    let bad = |m: &str| r.error(file, m);
                    let byte = u8::from_str_radix(byte.trim_start_matches("0x"), 16)
                        .map_err(|_| bad("byte is not hex"))?;
                    let cp = u32::from_str_radix(cp.trim_start_matches("U+"), 16)
                        .ok()
                        .and_then(char::from_u32)
                        .ok_or_else(|| bad("not a code point"))?;
                    if !(0x80..=0x9F).contains(&byte) {
                        return Err(bad("byte outside 0x80..=0x9F"));
                    }
                    t[(byte - 0x80) as usize] = cp;
                }
                if t.contains(&'\0') || rows.len() != 32 {
                    return Err(embargo_model::table::TableError {
                        file: file.to_string(),
                        line: 0,
                        message: "needs the 32 bytes 0x80..=0x9F once each".into(),
                    });
                }
                Ok(t)
            },
        ))
    });
    &TABLE
}

/// Decodes bytes as UTF-8, falling back to Windows-1252. The flag is true
/// when the fallback was used (the caller warns).
pub(crate) fn decode(bytes: &[u8]) -> (Cow<'_, str>, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), false),
        Err(_) => (
            Cow::Owned(
                bytes
                    .iter()
                    .map(|&b| match b {
                        0x80..=0x9F => cp1252_high()[(b - 0x80) as usize],
                        _ => b as char,
                    })
                    .collect(),
            ),
            true,
        ),
    }
}

/// A field value with OFAC's `-0-` placeholder and blanks mapped to `None`.
pub(crate) fn non_empty(s: &str) -> Option<&str> {
    let t = s.trim();
    if t.is_empty() || t == "-0-" {
        None
    } else {
        Some(t)
    }
}

/// Splits a `;`-separated list, trimming and dropping empty parts.
pub(crate) fn split_list(s: &str, sep: char) -> impl Iterator<Item = &str> {
    s.split(sep).map(str::trim).filter(|p| !p.is_empty())
}

fn month_from_abbrev(m: &str) -> Option<u32> {
    let m = m.trim_end_matches('.').to_ascii_lowercase();
    let months = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let key = m.get(..3)?;
    months.iter().position(|x| *x == key).map(|i| i as u32 + 1)
}

fn year(s: &str) -> Option<i32> {
    (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// OFAC's date spellings: `12 Jul 1986`, `Jul 1986`, `1986`, and ISO
/// (`1986-07-12`) which newer feeds use.
pub(crate) fn parse_ofac_date(s: &str) -> Option<PartialDate> {
    let s = s.trim().trim_end_matches('.');
    if let Ok(d) = PartialDate::parse_iso(s) {
        return Some(d);
    }
    let parts: Vec<&str> = s.split_whitespace().collect();
    match parts.as_slice() {
        [y] => year(y).map(PartialDate::Year),
        [m, y] => Some(PartialDate::YearMonth(year(y)?, month_from_abbrev(m)?)),
        [d, m, y] => {
            let day: u32 = d.parse().ok()?;
            NaiveDate::from_ymd_opt(year(y)?, month_from_abbrev(m)?, day).map(PartialDate::Day)
        }
        _ => None,
    }
}

/// A date of birth as OFAC writes it, including `circa 1955` (widened to
/// one year either side, since "circa" means the exact year is uncertain)
/// and ranges `1955 to 1957` / `01 Jan 1955 to 31 Dec 1957`.
pub(crate) fn parse_ofac_date_value(s: &str) -> Option<DateValue> {
    let s = s.trim().trim_end_matches('.');
    if let Some(rest) = s
        .strip_prefix("circa ")
        .or_else(|| s.strip_prefix("Circa "))
        .or_else(|| s.strip_prefix("approximately "))
    {
        // "circa 1957-1958" occurs once in the 2024 SDN list.
        let (a, b) = match rest.trim().split_once('-') {
            Some((a, b)) if year(a.trim()).is_some() && year(b.trim()).is_some() => {
                (year(a.trim())?, year(b.trim())?)
            }
            _ => {
                let y = parse_ofac_date(rest)?.year();
                (y, y)
            }
        };
        return Some(DateValue::Range {
            from: PartialDate::Year(a.min(b) - 1),
            to: PartialDate::Year(a.max(b) + 1),
        });
    }
    if let Some((a, b)) = s.split_once(" to ") {
        let (from, to) = (parse_ofac_date(a)?, parse_ofac_date(b)?);
        return Some(if from <= to {
            DateValue::Range { from, to }
        } else {
            DateValue::Range { from: to, to: from }
        });
    }
    parse_ofac_date(s).map(DateValue::Exact)
}

/// US style `m/d/yyyy` (BIS DPL, OFAC XML `Publish_Date`), also `m/d/yy`.
pub(crate) fn parse_us_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let mut it = s.split('/');
    let (m, d, y) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() {
        return None;
    }
    let (m, d): (u32, u32) = (m.trim().parse().ok()?, d.trim().parse().ok()?);
    let y: i32 = match y.trim() {
        y4 if y4.len() == 4 => y4.parse().ok()?,
        // Two-digit years in FR citations: 00-29 => 20xx, else 19xx.
        y2 if y2.len() == 2 => {
            let v: i32 = y2.parse().ok()?;
            if v < 30 {
                2000 + v
            } else {
                1900 + v
            }
        }
        _ => return None,
    };
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Any of the date forms above, for fields that mix them.
pub(crate) fn parse_any_date(s: &str) -> Option<PartialDate> {
    parse_ofac_date(s).or_else(|| parse_us_date(s).map(PartialDate::Day))
}

/// A country given as ISO-2 code or English name, as list files write
/// them (`Country::from_list_name`: the model's vocabulary with its
/// list-file spellings).
pub(crate) fn country(s: &str) -> Option<Country> {
    Country::from_list_name(s)
}

/// Pushes a value unless it is already present (lists repeat countries).
/// A field already over `MAX_VALUES_PER_FIELD` takes no more values (the
/// record is refused by `caps::check`), so a record with a million values
/// costs linear time, not a million squared comparisons.
pub(crate) fn push_unique<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if v.len() <= crate::caps::MAX_VALUES_PER_FIELD && !v.contains(&x) {
        v.push(x);
    }
}

/// Adds an address given as parts, each `None` when absent. `full` is the
/// present parts joined with ", " in the order street, city, region, postal
/// code, country; with no part at all nothing is added. A recognised
/// country also goes into `Entity::countries`.
pub(crate) fn push_address(
    e: &mut Entity,
    street: Option<&str>,
    city: Option<&str>,
    region: Option<&str>,
    postal_code: Option<&str>,
    country_name: Option<&str>,
) {
    let full: Vec<&str> = [street, city, region, postal_code, country_name]
        .into_iter()
        .flatten()
        .collect();
    if full.is_empty() {
        return;
    }
    let c = country_name.and_then(country);
    if let Some(c) = c {
        push_unique(&mut e.countries, c);
    }
    e.addresses.push(Address {
        full: full.join(", "),
        street: street.map(str::to_string),
        city: city.map(str::to_string),
        region: region.map(str::to_string),
        postal_code: postal_code.map(str::to_string),
        country: c,
    });
}

/// A `LinkedTo` link known only by the target's name, as OFAC remarks and
/// the CSL write them ("Linked To: X").
pub(crate) fn linked_to(target: &str) -> Link {
    link(LinkKind::LinkedTo, target, None, None)
}

/// A link of `kind` to the entity named `name` (with its id when known).
pub(crate) fn link(
    kind: LinkKind,
    name: &str,
    target: Option<EntityId>,
    note: Option<&str>,
) -> Link {
    Link {
        kind,
        target_name: name.to_string(),
        target_id: target,
        percent: None,
        note: note.map(str::to_string),
    }
}

/// Short, stable hex key over some fields (for sources without record ids).
pub(crate) fn hash_key(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.trim().to_lowercase().as_bytes());
        h.update([0x1f]);
    }
    hex::encode(&h.finalize()[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ofac_dates_keep_their_precision() {
        assert_eq!(
            parse_ofac_date("12 Jul 1986").unwrap().to_string(),
            "1986-07-12"
        );
        assert_eq!(parse_ofac_date("Jan 1955").unwrap().to_string(), "1955-01");
        assert_eq!(parse_ofac_date("1955").unwrap().to_string(), "1955");
        assert_eq!(parse_ofac_date("31 Feb 1955"), None);
        assert_eq!(
            parse_ofac_date_value("circa 1955").unwrap().to_string(),
            "1954..1956"
        );
        assert_eq!(
            parse_ofac_date_value("circa 1957-1958")
                .unwrap()
                .to_string(),
            "1956..1959"
        );
        assert_eq!(
            parse_ofac_date_value("1955 to 1957").unwrap().to_string(),
            "1955..1957"
        );
    }

    #[test]
    fn countries_by_code_model_name_and_extra_spelling() {
        let c = |s: &str| country(s).map(|c| c.to_string());
        assert_eq!(c("CN").as_deref(), Some("CN"));
        assert_eq!(c("Korea, North").as_deref(), Some("KP"));
        assert_eq!(c("North Macedonia, The Republic of").as_deref(), Some("MK"));
        assert_eq!(c("Iran (Islamic Republic of)").as_deref(), Some("IR"));
        assert_eq!(c("possibly Palestinian"), None);
    }

    #[test]
    fn us_dates_and_cp1252_fallback() {
        assert_eq!(
            parse_us_date("3/20/1992").unwrap().to_string(),
            "1992-03-20"
        );
        assert_eq!(parse_us_date("6/27/03").unwrap().to_string(), "2003-06-27");
        assert_eq!(parse_us_date("13/1/2000"), None);
        let (s, lossy) = decode(b"a\x96b");
        assert!(lossy);
        assert_eq!(s, "a\u{2013}b");
        assert_eq!(decode("ü".as_bytes()), (Cow::Borrowed("ü"), false));
    }
}

/// Turns csv positions into 1-based line numbers.
///
/// The csv crate ends a CRLF record at the `\r` and counts the `\n` only
/// when it reads the next record, so in CRLF files (OFAC, DPL) every record
/// after the first reports one line too few. `LineFix` peeks at the first
/// line ending and corrects for it.
#[derive(Clone, Copy)]
pub(crate) struct LineFix {
    crlf: bool,
}

impl LineFix {
    pub fn sniff<R: std::io::BufRead>(r: &mut R) -> Self {
        let buf = r.fill_buf().unwrap_or(&[]);
        let crlf = buf
            .iter()
            .position(|&b| b == b'\n')
            .is_some_and(|i| i > 0 && buf[i - 1] == b'\r');
        LineFix { crlf }
    }

    pub fn line(&self, pos: Option<&csv::Position>) -> u64 {
        match pos {
            Some(p) if self.crlf && p.byte() > 0 => p.line() + 1,
            Some(p) => p.line(),
            None => 0,
        }
    }
}

/// Splits a run of Federal Register citations that the DPL writes without
/// separators ("68 F.R. 38290 6/27/03 71 F.R. 38843 7/10/06") into one
/// citation each; a new one starts at "<volume> F.R.|FR <page>".
pub(crate) fn split_fr_citations(s: &str) -> Vec<String> {
    let toks: Vec<&str> = s.split_whitespace().filter(|t| *t != "and").collect();
    let is_num = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let starts = |i: usize| {
        i + 2 < toks.len()
            && is_num(toks[i])
            && matches!(toks[i + 1], "F.R." | "FR" | "F.R")
            && is_num(toks[i + 2].trim_end_matches([',', '.']))
    };
    let mut out: Vec<Vec<&str>> = vec![];
    for (i, t) in toks.iter().enumerate() {
        match out.last_mut() {
            Some(cur) if !starts(i) => cur.push(t),
            _ => out.push(vec![t]),
        }
    }
    out.into_iter()
        .map(|c| c.join(" "))
        .filter(|c| !c.is_empty())
        .collect()
}

#[cfg(test)]
mod fr_tests {
    use super::split_fr_citations;

    #[test]
    fn splits_runs_of_fr_citations() {
        assert_eq!(
            split_fr_citations("68 F.R. 38290 6/27/03 71 F.R. 38843 7/10/06 72 F.R. 4236 1/30/07"),
            [
                "68 F.R. 38290 6/27/03",
                "71 F.R. 38843 7/10/06",
                "72 F.R. 4236 1/30/07"
            ]
        );
        assert_eq!(
            split_fr_citations("46 F.R. 46154 9/17/81 and 46 F.R. 19290 3/30/81"),
            ["46 F.R. 46154 9/17/81", "46 F.R. 19290 3/30/81"]
        );
        assert_eq!(split_fr_citations("84 FR 54002"), ["84 FR 54002"]);
        assert_eq!(
            split_fr_citations("Vol. 88, No. 151, 08/08/2023"),
            ["Vol. 88, No. 151, 08/08/2023"]
        );
        assert!(split_fr_citations("  ").is_empty());
    }
}

#[cfg(test)]
mod table_tests {
    #[test]
    fn the_code_page_table_reads_the_euro_and_the_undefined_bytes() {
        let t = super::cp1252_high();
        assert_eq!(t[0], '€');
        assert_eq!(t[0x99 - 0x80], '™');
        assert_eq!(t[0x81 - 0x80], '\u{81}');
        let (s, fallback) = super::decode(b"caf\xe9 \x80");
        assert!(fallback);
        assert_eq!(s, "café €");
    }

    #[test]
    fn the_ofac_id_labels_parse_longest_first() {
        let labels = crate::ofac_remarks::id_labels_for_tests();
        assert!(labels.len() > 60);
        let imo = labels
            .iter()
            .position(|l| l.0 == "Vessel Registration Identification IMO");
        let vri = labels
            .iter()
            .position(|l| l.0 == "Vessel Registration Identification");
        assert!(imo < vri, "the longer label must come first");
        assert!(labels.contains(&("Vessel Registration Identification IMO", "IMO")));
        assert!(labels.contains(&("Passport", "Passport")));
    }
}
