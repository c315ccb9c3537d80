//! CSV helpers behind `embargo compare --pairs FILE.csv` and `embargo batch`.
//!
//! `compare_csv` reads a header row with `name1` and `name2` (and an
//! optional `schema`) and writes the input columns plus `score` and
//! `match`. `batch_csv` reads a header row with `name` (optional `schema`,
//! `country`, `birth_date`, `id`) and writes one row per hit (or one empty
//! row for a query without hits) with the hit's id, name and score.

use crate::EvalError;
use embargo_match::{compare_names, Matcher, Query, ScreenOptions};
use embargo_model::{Country, PartialDate, Schema};
use std::io::Write;
use std::path::Path;

fn out_err(path: &Path, e: impl std::fmt::Display) -> EvalError {
    EvalError::Parse {
        path: path.to_path_buf(),
        line: 0,
        message: format!("writing output: {e}"),
    }
}

fn find(headers: &csv::StringRecord, name: &str) -> Option<usize> {
    headers
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case(name))
}

fn required(path: &Path, headers: &csv::StringRecord, name: &str) -> Result<usize, EvalError> {
    find(headers, name).ok_or_else(|| EvalError::Field {
        path: path.to_path_buf(),
        line: 1,
        field: name.into(),
        message: "column missing".into(),
    })
}

/// Scores every pair of names in `input`; returns the number of rows.
pub fn compare_csv(input: &Path, output: &mut dyn Write, threshold: f64) -> Result<u64, EvalError> {
    let f = std::fs::File::open(input).map_err(|e| EvalError::io(input, e))?;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(f);
    let headers = rdr.headers().map_err(|e| EvalError::csv(input, e))?.clone();
    let (c1, c2) = (
        required(input, &headers, "name1")?,
        required(input, &headers, "name2")?,
    );
    let cs = find(&headers, "schema");
    let mut w = csv::Writer::from_writer(output);
    let mut head: Vec<String> = headers.iter().map(String::from).collect();
    head.push("score".into());
    head.push("match".into());
    w.write_record(&head).map_err(|e| out_err(input, e))?;
    let mut n = 0;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| EvalError::csv(input, e))?;
        let line = rec.position().map_or(0, |p| p.line());
        let schema = match cs
            .and_then(|c| rec.get(c))
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => Some(Schema::parse(s).ok_or_else(|| EvalError::Field {
                path: input.to_path_buf(),
                line,
                field: "schema".into(),
                message: format!("unknown schema {s:?}"),
            })?),
            None => None,
        };
        let s = compare_names(schema, rec.get(c1).unwrap_or(""), rec.get(c2).unwrap_or(""));
        let mut row: Vec<String> = rec.iter().map(String::from).collect();
        row.push(format!("{s:.4}"));
        row.push((s >= threshold).to_string());
        w.write_record(&row).map_err(|e| out_err(input, e))?;
        n += 1;
    }
    w.flush().map_err(|e| out_err(input, e))?;
    Ok(n)
}

/// Reads screening queries from a CSV with a `name` column.
pub fn read_queries(input: &Path) -> Result<Vec<Query>, EvalError> {
    let f = std::fs::File::open(input).map_err(|e| EvalError::io(input, e))?;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(f);
    let headers = rdr.headers().map_err(|e| EvalError::csv(input, e))?.clone();
    let cn = required(input, &headers, "name")?;
    let (cs, cc, cd, ci) = (
        find(&headers, "schema"),
        find(&headers, "country"),
        find(&headers, "birth_date"),
        find(&headers, "id"),
    );
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| EvalError::csv(input, e))?;
        let line = rec.position().map_or(0, |p| p.line());
        let field = |c: Option<usize>| {
            c.and_then(|c| rec.get(c))
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let bad = |f: &str, m: String| EvalError::Field {
            path: input.to_path_buf(),
            line,
            field: f.into(),
            message: m,
        };
        let mut q = Query::name(rec.get(cn).unwrap_or("").trim());
        if let Some(s) = field(cs) {
            q.schema = Some(
                Schema::parse(s).ok_or_else(|| bad("schema", format!("unknown schema {s:?}")))?,
            );
        }
        if let Some(c) = field(cc) {
            q.countries.push(
                Country::from_name(c)
                    .ok_or_else(|| bad("country", format!("unknown country {c:?}")))?,
            );
        }
        if let Some(d) = field(cd) {
            q.birth_dates
                .push(PartialDate::parse_iso(d).map_err(|e| bad("birth_date", e.to_string()))?);
        }
        if let Some(i) = field(ci) {
            q.identifiers.push(i.to_string());
        }
        out.push(q);
    }
    Ok(out)
}

/// Screens every query in `input` on all cores; returns the number of queries.
pub fn batch_csv(
    matcher: &Matcher,
    input: &Path,
    output: &mut dyn Write,
    options: &ScreenOptions,
) -> Result<u64, EvalError> {
    let qs = read_queries(input)?;
    let res = matcher.screen_batch(&qs, options);
    let mut w = csv::Writer::from_writer(output);
    w.write_record(["row", "query", "rank", "entity_id", "matched_name", "score"])
        .map_err(|e| out_err(input, e))?;
    for (i, (q, hits)) in qs.iter().zip(res).enumerate() {
        let row = (i + 1).to_string();
        if hits.is_empty() {
            w.write_record([row.as_str(), q.name.as_str(), "", "", "", ""])
                .map_err(|e| out_err(input, e))?;
        }
        for (r, h) in hits.iter().enumerate() {
            w.write_record([
                row.as_str(),
                q.name.as_str(),
                &(r + 1).to_string(),
                h.entity_id.as_str(),
                &h.matched_name,
                &format!("{:.4}", h.score),
            ])
            .map_err(|e| out_err(input, e))?;
        }
    }
    w.flush().map_err(|e| out_err(input, e))?;
    Ok(qs.len() as u64)
}
