//! Scoring a CSV of name pairs (`embargo compare`): a user feature for
//! checking how the matcher reads two spellings, and the way evaluation
//! sets of pairs are scored outside the test suite.
//!
//! Input: a header row with `name1` and `name2` (and an optional
//! `schema`); extra columns pass through. Output: the input columns plus
//! `score` and `match` (score ≥ threshold). `Algorithm::Ofac` scores the
//! pair the way OFAC's Sanctions List Search would (see
//! `embargo_match::compare_names_ofac`), for parity checks against scores
//! copied from OFAC's tool.

use crate::error::{AppError, AppResult};
use embargo_match::{compare_names, compare_names_ofac, Algorithm};
use embargo_model::Schema;
use std::io::{Read, Write};

fn find(headers: &csv::StringRecord, name: &str) -> Option<usize> {
    headers
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case(name))
}

fn write_err(e: csv::Error) -> AppError {
    AppError::write("writing the scores", e)
}

fn io_err(e: std::io::Error) -> AppError {
    AppError::io("writing the scores", e)
}

/// Scores every pair of names in `input`; returns the number of rows.
/// Errors name the CSV line and column.
pub fn compare_pairs(
    input: impl Read,
    output: impl Write,
    threshold: f64,
    algorithm: Algorithm,
) -> AppResult<u64> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers = rdr
        .headers()
        .map_err(|e| AppError::Csv(format!("cannot read the CSV header: {e}")))?
        .clone();
    let required = |name: &str| {
        find(&headers, name).ok_or_else(|| {
            AppError::Csv(format!(
                "line 1: column {name:?} missing; the header has: {}",
                headers.iter().collect::<Vec<_>>().join(", ")
            ))
        })
    };
    let (c1, c2) = (required("name1")?, required("name2")?);
    let cs = find(&headers, "schema");
    let mut w = csv::Writer::from_writer(output);
    let mut head: Vec<String> = headers.iter().map(String::from).collect();
    head.push("score".into());
    head.push("match".into());
    w.write_record(&head).map_err(write_err)?;
    let mut n = 0;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| AppError::Csv(e.to_string()))?;
        let line = rec.position().map_or(0, |p| p.line());
        let schema = match cs
            .and_then(|c| rec.get(c))
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => Some(Schema::parse(s).ok_or_else(|| {
                AppError::Csv(format!(
                    "line {line}: column \"schema\": unknown schema {s:?}"
                ))
            })?),
            None => None,
        };
        let (a, b) = (rec.get(c1).unwrap_or(""), rec.get(c2).unwrap_or(""));
        let s = match algorithm {
            Algorithm::Embargo => compare_names(schema, a, b),
            Algorithm::Ofac => compare_names_ofac(a, b),
        };
        let mut row: Vec<String> = rec.iter().map(String::from).collect();
        row.push(format!("{s:.4}"));
        row.push((s >= threshold).to_string());
        w.write_record(&row).map_err(write_err)?;
        n += 1;
    }
    w.flush().map_err(io_err)?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use embargo_match::DEFAULT_THRESHOLD;

    #[test]
    fn scores_and_match_flags_are_appended() {
        let input = "schema,name1,name2\nPerson,Vladimir Putin,PUTIN Vladimir\nCompany,Toyota Motor Corp,Honda Motor Corp\n";
        let mut out = Vec::new();
        assert_eq!(
            compare_pairs(
                input.as_bytes(),
                &mut out,
                DEFAULT_THRESHOLD,
                Algorithm::Embargo
            )
            .unwrap(),
            2
        );
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "schema,name1,name2,score,match");
        assert_eq!(lines[1], "Person,Vladimir Putin,PUTIN Vladimir,1.0000,true");
        assert!(lines[2].ends_with(",false"), "{}", lines[2]);
    }

    #[test]
    fn errors_name_the_line_and_column() {
        let bad = "schema,name1,name2\nPerson,a,b\nMonster,a,b\n";
        let e =
            compare_pairs(bad.as_bytes(), &mut Vec::new(), 0.75, Algorithm::Embargo).unwrap_err();
        assert!(
            e.to_string().starts_with("line 3: column \"schema\""),
            "{e}"
        );
        let e = compare_pairs(
            "first,second\nx,y\n".as_bytes(),
            &mut Vec::new(),
            0.75,
            Algorithm::Embargo,
        )
        .unwrap_err();
        assert!(e.to_string().contains("name1"), "{e}");
    }

    #[test]
    fn the_ofac_algorithm_scores_like_sanctions_list_search() {
        // Reversed names: OFAC's whole-name comparison needs the same
        // first letter, its per-token one does not.
        let input = "name1,name2\nGeorge Bush,HASWANI George\nVladimir Putin,PUTIN Vladimir\n";
        let mut out = Vec::new();
        compare_pairs(input.as_bytes(), &mut out, 0.95, Algorithm::Ofac).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "George Bush,HASWANI George,0.5000,false");
        assert_eq!(lines[2], "Vladimir Putin,PUTIN Vladimir,1.0000,true");
        let mut ours = Vec::new();
        compare_pairs(input.as_bytes(), &mut ours, 0.95, Algorithm::Embargo).unwrap();
        assert_ne!(String::from_utf8(ours).unwrap(), text);
    }
}
