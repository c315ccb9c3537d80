//! Screening evaluations: yente's UN positives must all be found; yente's
//! synthetic US negatives should almost never hit.

use crate::lists;
use crate::pairs::{ratio, share_row};
use crate::report::EvalRow;
use crate::split::{self, Part};
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
    Ok(read_people_split(path)?
        .into_iter()
        .map(|(q, _)| q)
        .collect())
}

/// [`read_people`] with each row's frozen split (key: full name and date
/// of birth as written).
pub fn read_people_split(path: &Path) -> Result<Vec<(Query, Part)>, EvalError> {
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
        let dob_text = dob_col.and_then(|c| rec.get(c)).unwrap_or("");
        let part = split::part(&format!(
            "{}\t{}",
            rec.get(name_col).unwrap_or("").trim(),
            dob_text.trim()
        ));
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
        out.push((q, part));
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
    /// Each query's split, whether it was found, and whether the list
    /// still names it.
    #[serde(skip)]
    pub outcomes: Vec<(Part, bool, bool)>,
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
        let all: Vec<(Part, bool)> = self.outcomes.iter().map(|o| (o.0, o.1)).collect();
        let listed: Vec<(Part, bool)> = self
            .outcomes
            .iter()
            .filter(|o| o.2)
            .map(|o| (o.0, o.1))
            .collect();
        vec![
            share_row(s, "recall (all)", &all),
            share_row(s, "recall (still listed)", &listed).at_least(1.0),
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
    let (qs, parts): (Vec<Query>, Vec<Part>) = read_people_split(&shared.join(POSITIVES))?
        .into_iter()
        .unzip();
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
        outcomes: vec![],
    };
    for ((q, hits), part) in qs.iter().zip(res).zip(parts) {
        let best = hits.first().map_or(0.0, |h| h.score);
        let mut still_listed = true;
        if best >= threshold {
            out.found += 1;
        } else {
            out.misses.push((q.name.clone(), best));
            let w = words(&q.name);
            if !listed.iter().any(|n| w.iter().all(|x| n.contains(x))) {
                out.not_on_list.push(q.name.clone());
                still_listed = false;
            }
        }
        out.outcomes.push((part, best >= threshold, still_listed));
    }
    Ok(out)
}

#[derive(Clone, Debug, Serialize)]
pub struct NegativesMetrics {
    /// The set's name in the report.
    pub set: String,
    pub n: u64,
    /// Queries with at least one hit at the threshold.
    pub with_hit: u64,
    /// A sample of false positives of the dev split: query and best hit.
    pub sample: Vec<(String, String, f64)>,
    /// Each query's split and whether it hit.
    #[serde(skip)]
    pub outcomes: Vec<(Part, bool)>,
}

impl NegativesMetrics {
    pub fn fp_rate(&self) -> f64 {
        ratio(self.with_hit, self.n)
    }
    pub fn rows(&self) -> Vec<EvalRow> {
        vec![share_row(&self.set, "share with a hit", &self.outcomes).at_most(0.01)]
    }
}

/// Screens yente's 50,000 synthetic US persons against CSL + SDN + UN.
pub fn negatives(shared: &Path, threshold: f64) -> Result<NegativesMetrics, EvalError> {
    let (qs, parts): (Vec<Query>, Vec<Part>) = read_people_split(&shared.join(NEGATIVES))?
        .into_iter()
        .unzip();
    let m = Matcher::build(lists::load_all(shared)?);
    Ok(negatives_with(&m, &qs, &parts, threshold))
}

/// The yente negatives' name in the report.
pub const NEGATIVES_SET: &str = "yente negatives vs CSL+SDN+UN";
/// The Chinese-script negatives' name in the report.
pub const CHINESE_NEGATIVES_SET: &str = "chinese negatives vs CSL+SDN+UN";

/// Chinese-script names of unlisted Chinese companies and people
/// (`data/chinese_negatives.tsv`, written for this crate; its header says
/// how), as queries with their frozen split. Companies are screened as
/// companies, people as persons.
pub fn chinese_negative_queries() -> Vec<(Query, Part)> {
    include_str!("../data/chinese_negatives.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (name, kind) = l.split_once('\t')?;
            let mut q = Query::name(name.trim());
            q.schema = Some(if kind.trim() == "person" {
                Schema::Person
            } else {
                Schema::Company
            });
            Some((q, split::part(name)))
        })
        .collect()
}

/// Screens the Chinese-script negatives against CSL + SDN + UN.
pub fn chinese_negatives(shared: &Path, threshold: f64) -> Result<NegativesMetrics, EvalError> {
    let m = Matcher::build(lists::load_all(shared)?);
    Ok(chinese_negatives_with(&m, threshold))
}

/// [`chinese_negatives`] on an already built matcher.
pub fn chinese_negatives_with(m: &Matcher, threshold: f64) -> NegativesMetrics {
    let (qs, parts): (Vec<Query>, Vec<Part>) = chinese_negative_queries().into_iter().unzip();
    let mut r = negatives_with(m, &qs, &parts, threshold);
    r.set = CHINESE_NEGATIVES_SET.to_string();
    r
}

/// The negatives evaluation on an already built matcher; `parts` gives
/// each query's split.
pub fn negatives_with(
    m: &Matcher,
    qs: &[Query],
    parts: &[Part],
    threshold: f64,
) -> NegativesMetrics {
    let o = ScreenOptions {
        threshold,
        limit: 1,
        ..Default::default()
    };
    let res: Vec<Vec<Hit>> = m.screen_batch(qs, &o);
    let mut out = NegativesMetrics {
        set: NEGATIVES_SET.to_string(),
        n: qs.len() as u64,
        with_hit: 0,
        sample: vec![],
        outcomes: vec![],
    };
    for ((q, hits), part) in qs.iter().zip(res).zip(parts) {
        out.outcomes.push((*part, !hits.is_empty()));
        if let Some(h) = hits.first() {
            out.with_hit += 1;
            if *part == Part::Dev && out.sample.len() < 30 {
                out.sample
                    .push((q.name.clone(), h.matched_name.clone(), h.score));
            }
        }
    }
    out
}
