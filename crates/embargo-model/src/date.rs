//! Partial dates and date ranges.
//!
//! Lists rarely give full dates of birth: OFAC writes `1955`, `Jan 1955`,
//! `circa 1955`, `1955 to 1957`; the UN gives a year or a range. A
//! `PartialDate` keeps exactly the precision the source gave (never inventing
//! a day), serialises as ISO-8601 prefixes (`1955`, `1955-01`,
//! `1955-01-04`), and orders by its first possible day.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PartialDate {
    Year(i32),
    YearMonth(i32, u32),
    Day(NaiveDate),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a date (expected YYYY, YYYY-MM or YYYY-MM-DD): {0:?}")]
pub struct DateError(pub String);

impl PartialDate {
    pub fn year(&self) -> i32 {
        match self {
            PartialDate::Year(y) | PartialDate::YearMonth(y, _) => *y,
            PartialDate::Day(d) => d.year(),
        }
    }

    pub fn month(&self) -> Option<u32> {
        match self {
            PartialDate::Year(_) => None,
            PartialDate::YearMonth(_, m) => Some(*m),
            PartialDate::Day(d) => Some(d.month()),
        }
    }

    pub fn day(&self) -> Option<u32> {
        match self {
            PartialDate::Day(d) => Some(d.day()),
            _ => None,
        }
    }

    /// First calendar day the value can stand for.
    pub fn first_day(&self) -> NaiveDate {
        match *self {
            PartialDate::Year(y) => NaiveDate::from_ymd_opt(y, 1, 1),
            PartialDate::YearMonth(y, m) => NaiveDate::from_ymd_opt(y, m, 1),
            PartialDate::Day(d) => Some(d),
        }
        .expect("validated on construction")
    }

    /// Last calendar day the value can stand for.
    pub fn last_day(&self) -> NaiveDate {
        match *self {
            PartialDate::Year(y) => NaiveDate::from_ymd_opt(y, 12, 31).expect("valid"),
            PartialDate::YearMonth(y, m) => {
                let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                NaiveDate::from_ymd_opt(ny, nm, 1)
                    .expect("valid")
                    .pred_opt()
                    .expect("valid")
            }
            PartialDate::Day(d) => d,
        }
    }

    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (also accepts a trailing
    /// time part, `2019-10-09T00:00:00`, which some feeds add).
    pub fn parse_iso(s: &str) -> Result<Self, DateError> {
        let err = || DateError(s.to_string());
        let t = s.trim();
        let t = t.split('T').next().unwrap_or(t);
        let parts: Vec<&str> = t.split('-').collect();
        let num = |p: &str, len: usize| -> Result<u32, DateError> {
            if p.len() == len && p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse().map_err(|_| err())
            } else {
                Err(err())
            }
        };
        match parts.as_slice() {
            [y] => Ok(PartialDate::Year(num(y, 4)? as i32)),
            [y, m] => {
                let (y, m) = (num(y, 4)? as i32, num(m, 2)?);
                if (1..=12).contains(&m) {
                    Ok(PartialDate::YearMonth(y, m))
                } else {
                    Err(err())
                }
            }
            [y, m, d] => NaiveDate::from_ymd_opt(num(y, 4)? as i32, num(m, 2)?, num(d, 2)?)
                .map(PartialDate::Day)
                .ok_or_else(err),
            _ => Err(err()),
        }
    }

    /// True when the two values can stand for the same day.
    pub fn overlaps(&self, other: &PartialDate) -> bool {
        self.first_day() <= other.last_day() && other.first_day() <= self.last_day()
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartialDate::Year(y) => write!(f, "{y:04}"),
            PartialDate::YearMonth(y, m) => write!(f, "{y:04}-{m:02}"),
            PartialDate::Day(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

impl fmt::Debug for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PartialDate({self})")
    }
}

impl FromStr for PartialDate {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_iso(s)
    }
}

impl From<NaiveDate> for PartialDate {
    fn from(d: NaiveDate) -> Self {
        PartialDate::Day(d)
    }
}

impl Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PartialDate::parse_iso(&s).map_err(serde::de::Error::custom)
    }
}

/// A date as a source states it: one (partial) date, or a range such as
/// OFAC's "1955 to 1957" or the UN's "BETWEEN 1960 AND 1962".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DateValue {
    Exact(PartialDate),
    Range { from: PartialDate, to: PartialDate },
}

impl DateValue {
    pub fn first_day(&self) -> NaiveDate {
        match self {
            DateValue::Exact(d) => d.first_day(),
            DateValue::Range { from, .. } => from.first_day(),
        }
    }

    pub fn last_day(&self) -> NaiveDate {
        match self {
            DateValue::Exact(d) => d.last_day(),
            DateValue::Range { to, .. } => to.last_day(),
        }
    }

    /// True when a query date can be the stated date.
    pub fn admits(&self, d: &PartialDate) -> bool {
        d.first_day() <= self.last_day() && self.first_day() <= d.last_day()
    }
}

impl fmt::Display for DateValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateValue::Exact(d) => write!(f, "{d}"),
            DateValue::Range { from, to } => write!(f, "{from}..{to}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_precision_and_prints_it_back() {
        for s in ["1955", "1955-01", "1955-01-04"] {
            assert_eq!(PartialDate::parse_iso(s).unwrap().to_string(), s);
        }
        assert_eq!(
            PartialDate::parse_iso("2019-10-09T00:00:00")
                .unwrap()
                .to_string(),
            "2019-10-09"
        );
    }

    #[test]
    fn rejects_impossible_dates() {
        for s in ["", "55", "1955-13", "1955-02-30", "abcd", "1955-1-1"] {
            assert!(PartialDate::parse_iso(s).is_err(), "{s}");
        }
    }

    #[test]
    fn ranges_cover_their_whole_span() {
        let y = PartialDate::Year(1955);
        assert_eq!(y.first_day().to_string(), "1955-01-01");
        assert_eq!(y.last_day().to_string(), "1955-12-31");
        let feb = PartialDate::YearMonth(2024, 2);
        assert_eq!(feb.last_day().to_string(), "2024-02-29");
        let r = DateValue::Range {
            from: PartialDate::Year(1955),
            to: PartialDate::Year(1957),
        };
        assert!(r.admits(&"1956-06-01".parse().unwrap()));
        assert!(!r.admits(&"1958".parse().unwrap()));
    }

    #[test]
    fn date_values_serialise_as_strings_or_ranges() {
        let v: DateValue = serde_json::from_str("\"1955-01\"").unwrap();
        assert_eq!(v, DateValue::Exact(PartialDate::YearMonth(1955, 1)));
        let r: DateValue = serde_json::from_str(r#"{"from":"1955","to":"1957"}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"from":"1955","to":"1957"}"#
        );
    }
}
