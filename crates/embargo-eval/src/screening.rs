//! Screening evaluations: yente's UN positives must all be found; yente's
//! synthetic US negatives should almost never hit.

use crate::lists;
use crate::pairs::ratio;
use crate::report::EvalRow;
use crate::EvalError;
use embargo_match::{Hit, Matcher, Query, ScreenOptions};
use embargo_model::{Country, PartialDate, Schema, SourceKind};
use serde::Serialize;
use std::path::Path;

pub const POSITIVES: &str = "eval/yente/positives_un_untreated.csv";
pub const NEGATIVES: &str = "eval/yente/negatives_us.csv";

/// Reads yente's person CSV (`full_name,…,date_of_birth,…,nationality`)
/// into person queries with date of birth and nationality.
pub fn read_people(path: &Path) -> Result<Vec<Query>, EvalError> {
    let f = std::fs::File::open(path).map_err(|e| EvalError::io(path, e))?;
    let mut rdr = csv::Reader::from_reader(f);
    let headers = rdr.headers().map_err(|e| EvalError::csv(path, e))?.clone();
    let col = |n: &str| headers.iter().position(|h| h == n);
    let name_col = col("full_name").ok_or_else(|| EvalError::Field {
        path: path.to_path_buf(),
        line: 1,
        field: "full_name".into(),
        message: "column missing".into(),
    })?;
    let (dob_col, nat_col) = (col("date_of_birth"), col("nationality"));
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| EvalError::csv(path, e))?;
        let mut q = Query::name(rec.get(name_col).unwrap_or("").trim());
        q.schema = Some(Schema::Person);
        if let Some(d) = dob_col
            .and_then(|c| rec.get(c))
            .filter(|d| !d.trim().is_empty())
        {
            // A date we cannot read is dropped, not guessed; the name still screens.
            if let Ok(pd) = PartialDate::parse_iso(d) {
                q.birth_dates.push(pd);
            }
        }
        if let Some(n) = nat_col.and_then(|c| rec.get(c)) {
            q.countries.extend(Country::from_name(n));
        }
        out.push(q);
    }
    Ok(out)
}

#[derive(Clone, Debug, Serialize)]
pub struct PositivesMetrics {
    pub n: u64,
    pub found: u64,
    /// Queries not found at the threshold, with their best score.
    pub misses: Vec<(String, f64)>,
    /// Misses whose words do not all occur together in any one name of the
    /// list file: persons removed from the UN list since the set was made.
    pub not_on_list: Vec<String>,
}

impl PositivesMetrics {
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.n)
    }
    /// Recall over the persons the list file still names.
    pub fn recall_listed(&self) -> f64 {
        ratio(self.found, self.n - self.not_on_list.len() as u64)
    }
    pub fn rows(&self) -> Vec<EvalRow> {
        let s = "yente positives vs UN";
        vec![
            EvalRow::new(s, "recall (all)", self.recall(), self.n),
            EvalRow::new(
                s,
                "recall (still listed)",
                self.recall_listed(),
                self.n - self.not_on_list.len() as u64,
            )
            .at_least(1.0),
        ]
    }
}

/// Lower-case letter/digit words of a name.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Screens the 683 UN persons against the UN list.
pub fn positives(shared: &Path, threshold: f64) -> Result<PositivesMetrics, EvalError> {
    let qs = read_people(&shared.join(POSITIVES))?;
    let m = Matcher::build(lists::load(shared, lists::UN, SourceKind::UnSc)?);
    let listed: Vec<Vec<String>> = m
        .entities()
        .iter()
        .flat_map(|e| e.names.iter().map(|n| words(&n.value)))
        .collect();
    let all = ScreenOptions {
        threshold: 0.0,
        limit: 1,
        ..Default::default()
    };
    let res = m.screen_batch(&qs, &all);
    let mut out = PositivesMetrics {
        n: qs.len() as u64,
        found: 0,
        misses: vec![],
        not_on_list: vec![],
    };
    for (q, hits) in qs.iter().zip(res) {
        let best = hits.first().map_or(0.0, |h| h.score);
        if best >= threshold {
            out.found += 1;
        } else {
            out.misses.push((q.name.clone(), best));
            let w = words(&q.name);
            if !listed.iter().any(|n| w.iter().all(|x| n.contains(x))) {
                out.not_on_list.push(q.name.clone());
            }
        }
    }
    Ok(out)
}

#[derive(Clone, Debug, Serialize)]
pub struct NegativesMetrics {
    pub n: u64,
    /// Queries with at least one hit at the threshold.
    pub with_hit: u64,
    /// A sample of false positives: query and best hit.
    pub sample: Vec<(String, String, f64)>,
}

impl NegativesMetrics {
    pub fn fp_rate(&self) -> f64 {
        ratio(self.with_hit, self.n)
    }
    pub fn rows(&self) -> Vec<EvalRow> {
        vec![EvalRow::new(
            "yente negatives vs CSL+SDN+UN",
            "share with a hit",
            self.fp_rate(),
            self.n,
        )
        .at_most(0.01)]
    }
}

/// Screens yente's 50,000 synthetic US persons against CSL + SDN + UN.
pub fn negatives(shared: &Path, threshold: f64) -> Result<NegativesMetrics, EvalError> {
    let qs = read_people(&shared.join(NEGATIVES))?;
    let m = Matcher::build(lists::load_all(shared)?);
    negatives_with(&m, &qs, threshold)
}

/// The negatives evaluation on an already built matcher.
pub fn negatives_with(
    m: &Matcher,
    qs: &[Query],
    threshold: f64,
) -> Result<NegativesMetrics, EvalError> {
    let o = ScreenOptions {
        threshold,
        limit: 1,
        ..Default::default()
    };
    let res: Vec<Vec<Hit>> = m.screen_batch(qs, &o);
    let mut out = NegativesMetrics {
        n: qs.len() as u64,
        with_hit: 0,
        sample: vec![],
    };
    for (q, hits) in qs.iter().zip(res) {
        if let Some(h) = hits.first() {
            out.with_hit += 1;
            if out.sample.len() < 30 {
                out.sample
                    .push((q.name.clone(), h.matched_name.clone(), h.score));
            }
        }
    }
    Ok(out)
}
