//! Reading the regulatory tables in `data/` (compiled in with
//! `include_str!`, parsed once on first use).
//!
//! Every file is tab-separated text: lines starting with `#` are comments
//! (each file opens with the source of its facts), blank lines are
//! skipped, and every other line is one row. A parse error names the file
//! and the 1-based line. The embedded files are checked by this crate's
//! tests (`tests/it/tables.rs`), so a failure at run time can only come from
//! an untested edit of `data/`: [`embedded`] then panics with that error.

use chrono::NaiveDate;
use embargo_model::Country;

/// A data row that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    pub file: &'static str,
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for TableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "data/{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for TableError {}

/// One row of a data file: its tab-separated fields and where it is.
pub struct Row {
    pub file: &'static str,
    pub line: usize,
    pub fields: Vec<&'static str>,
}

impl Row {
    pub fn error(&self, message: impl Into<String>) -> TableError {
        TableError {
            file: self.file,
            line: self.line,
            message: message.into(),
        }
    }

    /// Field `i`, trimmed; an error naming the column when missing or empty.
    pub fn get(&self, i: usize) -> Result<&'static str, TableError> {
        match self.fields.get(i).map(|f| f.trim()) {
            Some(f) if !f.is_empty() => Ok(f),
            _ => Err(self.error(format!("column {} is missing or empty", i + 1))),
        }
    }

    /// Field `i`, trimmed, possibly empty.
    pub fn opt(&self, i: usize) -> &'static str {
        self.fields.get(i).map(|f| f.trim()).unwrap_or("")
    }

    /// Field `i`, trimmed, or `None` when it is `-` (the tables' "no
    /// value"); an error when missing or empty.
    pub fn dash(&self, i: usize) -> Result<Option<&'static str>, TableError> {
        self.get(i).map(|f| (f != "-").then_some(f))
    }

    /// Field `i` as a `YYYY-MM-DD` day, `None` when it is `-`.
    pub fn day_or_dash(&self, i: usize) -> Result<Option<NaiveDate>, TableError> {
        self.dash(i)?
            .map(|f| {
                NaiveDate::parse_from_str(f, "%Y-%m-%d").map_err(|_| {
                    self.error(format!("column {}: {f:?} is not a YYYY-MM-DD date", i + 1))
                })
            })
            .transpose()
    }

    /// Fields `i` and `j` as the first and last day of a period (`-`:
    /// unbounded); an error when the first is after the last, a period no
    /// date could ever fall in (see [`in_force`]).
    pub fn period(
        &self,
        i: usize,
        j: usize,
    ) -> Result<(Option<NaiveDate>, Option<NaiveDate>), TableError> {
        let (from, to) = (self.day_or_dash(i)?, self.day_or_dash(j)?);
        if let (Some(a), Some(b)) = (from, to) {
            if a > b {
                return Err(self.error(format!(
                    "columns {} and {}: from {a} is after to {b}",
                    i + 1,
                    j + 1
                )));
            }
        }
        Ok((from, to))
    }

    /// Field `i` as a `YYYY-MM-DD` day (required).
    pub fn day(&self, i: usize) -> Result<NaiveDate, TableError> {
        self.day_or_dash(i)?
            .ok_or_else(|| self.error(format!("column {}: a date is required", i + 1)))
    }

    /// Field `i` as an ISO-2 country code.
    pub fn country(&self, i: usize) -> Result<Country, TableError> {
        let f = self.get(i)?;
        Country::from_code(f).map_err(|e| self.error(format!("column {}: {e}", i + 1)))
    }

    /// Field `i` as space-separated ISO-2 codes.
    pub fn countries(&self, i: usize) -> Result<Vec<Country>, TableError> {
        self.get(i)?
            .split_whitespace()
            .map(|c| {
                Country::from_code(c).map_err(|e| self.error(format!("column {}: {e}", i + 1)))
            })
            .collect()
    }
}

/// Whether a dated row (first day `from`, last day `to`, both inclusive,
/// `None` unbounded) is in force on `date`: the one period test of every
/// dated table (`dated`, `el_policy`, the FDP rules of `jurisdiction`).
pub fn in_force(from: Option<NaiveDate>, to: Option<NaiveDate>, date: NaiveDate) -> bool {
    from.is_none_or(|f| f <= date) && to.is_none_or(|t| date <= t)
}

/// Refuses overlapping periods of one key in a dated table: each date
/// must find at most one row of a key (one review policy of an entry, one
/// reading of a citation, one row of a country), so a table that gives
/// two answers for a day is an error at load, naming the file, the line
/// and the earlier line it collides with. Keys compare case-insensitively
/// (entry names are matched that way).
#[derive(Default)]
pub struct Periods {
    seen: Vec<(String, Option<NaiveDate>, Option<NaiveDate>, usize)>,
}

fn show(from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    let d = |x: Option<NaiveDate>| x.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
    format!("{}..{}", d(from), d(to))
}

impl Periods {
    pub fn new() -> Periods {
        Periods::default()
    }

    /// Records `row`'s period for `key`, or the error naming the row and
    /// the earlier row of the same key whose period it shares a day with.
    pub fn add(
        &mut self,
        row: &Row,
        key: &str,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<(), TableError> {
        let k = key.to_lowercase();
        // Two periods share a day when each starts no later than the
        // other ends (`None` unbounded).
        let overlaps = |f2: Option<NaiveDate>, t2: Option<NaiveDate>| {
            let starts_before_end = |f: Option<NaiveDate>, t: Option<NaiveDate>| match (f, t) {
                (Some(f), Some(t)) => f <= t,
                _ => true,
            };
            starts_before_end(from, t2) && starts_before_end(f2, to)
        };
        if let Some((_, f2, t2, line)) = self
            .seen
            .iter()
            .find(|(k2, f2, t2, _)| *k2 == k && overlaps(*f2, *t2))
        {
            return Err(row.error(format!(
                "{key}: period {} overlaps the period {} of line {line}; a date may fall in one period of an entry only",
                show(from, to),
                show(*f2, *t2)
            )));
        }
        self.seen.push((k, from, to, row.line));
        Ok(())
    }
}

/// The rows of `text` (the contents of `data/<file>`).
pub fn rows(file: &'static str, text: &'static str) -> impl Iterator<Item = Row> {
    text.lines().enumerate().filter_map(move |(i, raw)| {
        let l = raw.trim_end_matches('\r');
        (!l.trim().is_empty() && !l.trim_start().starts_with('#')).then(|| Row {
            file,
            line: i + 1,
            fields: l.split('\t').collect(),
        })
    })
}

/// The parsed embedded table, or a panic naming file and line (see the
/// module docs for why that is a programming error, not bad input).
pub fn embedded<T>(parsed: Result<T, TableError>) -> T {
    parsed.unwrap_or_else(|e| {
        panic!("embedded rules table is invalid (run `cargo test -p embargo-rules`): {e}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_blank_lines_are_skipped_and_errors_name_the_line() {
        let text = "# source\n\nCN\tChina\n\nX1\tnowhere\n";
        let rs: Vec<Row> = rows("t.tsv", text).collect();
        assert_eq!(rs.len(), 2);
        assert_eq!(rs[0].country(0).unwrap().as_str(), "CN");
        let e = rs[1].country(0).unwrap_err();
        assert_eq!((e.file, e.line), ("t.tsv", 5));
        assert!(e.to_string().starts_with("data/t.tsv:5: column 1"), "{e}");
        assert!(rs[1].get(2).unwrap_err().message.contains("column 3"));
    }

    #[test]
    fn days_and_dashes() {
        let text = "2022-02-03\t-\t2022-13-01\tx\n";
        let r = rows("d.tsv", text).next().unwrap();
        assert_eq!(r.day(0).unwrap().to_string(), "2022-02-03");
        assert_eq!(r.day_or_dash(1).unwrap(), None);
        assert_eq!(r.dash(1).unwrap(), None);
        assert_eq!(r.dash(3).unwrap(), Some("x"));
        assert!(r
            .day(1)
            .unwrap_err()
            .message
            .contains("column 2: a date is required"));
        assert!(r
            .day_or_dash(2)
            .unwrap_err()
            .message
            .contains("column 3: \"2022-13-01\" is not a YYYY-MM-DD date"));
        assert!(r
            .day(4)
            .unwrap_err()
            .message
            .contains("column 5 is missing"));
    }

    #[test]
    fn periods_are_ordered_and_in_force_on_both_end_days() {
        let r = rows("p.tsv", "2022-02-03\t2022-02-01\t-\n").next().unwrap();
        let e = r.period(0, 1).unwrap_err();
        assert_eq!(e.line, 1);
        assert!(
            e.message
                .contains("columns 1 and 2: from 2022-02-03 is after to 2022-02-01"),
            "{e}"
        );
        let (from, to) = r.period(1, 0).unwrap();
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            (from, to),
            (Some(day("2022-02-01")), Some(day("2022-02-03")))
        );
        assert_eq!(r.period(0, 2).unwrap(), (Some(day("2022-02-03")), None));
        // Both end days are inside; the days around them are not.
        assert!(!in_force(from, to, day("2022-01-31")));
        assert!(in_force(from, to, day("2022-02-01")));
        assert!(in_force(from, to, day("2022-02-03")));
        assert!(!in_force(from, to, day("2022-02-04")));
        // `None` is unbounded on its side.
        assert!(in_force(None, to, day("1900-01-01")));
        assert!(!in_force(None, to, day("2022-02-04")));
        assert!(in_force(from, None, day("2099-12-31")));
        assert!(!in_force(from, None, day("2022-01-31")));
        assert!(in_force(None, None, day("2022-01-31")));
    }

    #[test]
    fn overlapping_periods_of_one_key_are_refused() {
        let text =
            "a\t2020-01-01\t2020-06-30\nA\t2020-06-30\t-\nb\t2020-03-01\t-\na\t2020-07-01\t-\n";
        let rs: Vec<Row> = rows("o.tsv", text).collect();
        let mut p = Periods::new();
        let add = |p: &mut Periods, r: &Row| {
            let (f, t) = r.period(1, 2).unwrap();
            p.add(r, r.get(0).unwrap(), f, t)
        };
        add(&mut p, &rs[0]).unwrap();
        // Sharing one end day is an overlap; keys compare case-insensitively.
        let e = add(&mut p, &rs[1]).unwrap_err();
        assert_eq!((e.file, e.line), ("o.tsv", 2));
        assert!(
            e.message.contains(
                "A: period 2020-06-30..- overlaps the period 2020-01-01..2020-06-30 of line 1"
            ),
            "{e}"
        );
        // Another key may share the days; the day after the last is free.
        add(&mut p, &rs[2]).unwrap();
        add(&mut p, &rs[3]).unwrap();
        // Unbounded on both sides overlaps everything of its key.
        let r = rows("o.tsv", "b\t-\t2019-01-01\n").next().unwrap();
        assert!(add(&mut Periods::new(), &r).is_ok());
        let mut p = Periods::new();
        add(&mut p, &r).unwrap();
        let r2 = rows("o.tsv", "b\t-\t-\n").next().unwrap();
        assert!(add(&mut p, &r2).is_err());
    }
}
