//! Pair-based sets: two names (or two small records) and a label.

use crate::report::{EvalRow, Figure};
use crate::split::{pair_part, Part};
use crate::{yaml, EvalError};
use embargo_match::{compare_name_parts, compare_names, full_name};
use embargo_model::{NameParts, Schema};
use serde::Serialize;
use std::path::Path;

/// Confusion counts at one threshold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Confusion {
    pub tp: u64,
    pub fp: u64,
    pub tn: u64,
    pub fn_: u64,
}

impl Confusion {
    pub fn add(&mut self, predicted: bool, actual: bool) {
        match (predicted, actual) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, false) => self.tn += 1,
            (false, true) => self.fn_ += 1,
        }
    }
    pub fn n(&self) -> u64 {
        self.tp + self.fp + self.tn + self.fn_
    }
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    pub fn accuracy(&self) -> f64 {
        ratio(self.tp + self.tn, self.n())
    }
}

pub(crate) fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// One scored, labelled pair.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScoredPair {
    pub line: u64,
    pub schema: Option<Schema>,
    pub a: String,
    pub b: String,
    pub label: bool,
    pub score: f64,
    /// The frozen split the pair belongs to.
    pub part: Part,
}

/// Confusion of the pairs in `part` (all pairs when `None`) at `threshold`.
pub fn confusion_of(pairs: &[ScoredPair], part: Option<Part>, threshold: f64) -> Confusion {
    let mut c = Confusion::default();
    for p in pairs.iter().filter(|p| part.is_none_or(|x| p.part == x)) {
        c.add(p.score >= threshold, p.label);
    }
    c
}

/// A split row for the share of items that are `true` (a recall or a
/// false-positive rate), from `(part, outcome)` per item.
pub fn share_row(set: &str, metric: &str, items: &[(Part, bool)]) -> EvalRow {
    let fig = |part: Option<Part>| {
        let v: Vec<bool> = items
            .iter()
            .filter(|(p, _)| part.is_none_or(|x| *p == x))
            .map(|(_, b)| *b)
            .collect();
        let yes = v.iter().filter(|b| **b).count() as u64;
        Figure::new(ratio(yes, v.len() as u64), v.len() as u64)
    };
    EvalRow::split(
        set,
        metric,
        fig(None),
        fig(Some(Part::Dev)),
        fig(Some(Part::Test)),
    )
}

/// A split row from a measure of a confusion matrix.
fn confusion_row(
    set: &str,
    metric: &str,
    pairs: &[ScoredPair],
    threshold: f64,
    f: impl Fn(&Confusion) -> f64,
) -> EvalRow {
    let fig = |part| {
        let c = confusion_of(pairs, part, threshold);
        Figure::new(f(&c), c.n())
    };
    EvalRow::split(
        set,
        metric,
        fig(None),
        fig(Some(Part::Dev)),
        fig(Some(Part::Test)),
    )
}

/// Results on `cases.csv`.
#[derive(Clone, Debug, Serialize)]
pub struct CasesMetrics {
    pub threshold: f64,
    pub confusion: Confusion,
    pub pairs: Vec<ScoredPair>,
}

impl CasesMetrics {
    pub fn rows(&self) -> Vec<EvalRow> {
        let s = "nomenklatura cases.csv";
        let (p, t) = (&self.pairs, self.threshold);
        vec![
            confusion_row(s, "precision", p, t, Confusion::precision),
            confusion_row(s, "recall", p, t, Confusion::recall),
            confusion_row(s, "f1", p, t, Confusion::f1).at_least(0.88),
        ]
    }

    /// Confusion at another threshold (for threshold sweeps).
    pub fn at(&self, threshold: f64) -> Confusion {
        confusion_of(&self.pairs, None, threshold)
    }
}

fn open_csv(path: &Path) -> Result<csv::Reader<std::fs::File>, EvalError> {
    let f = std::fs::File::open(path).map_err(|e| EvalError::io(path, e))?;
    Ok(csv::ReaderBuilder::new()
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(f))
}

fn parse_label(path: &Path, line: u64, field: &str, v: &str) -> Result<bool, EvalError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        other => Err(EvalError::Field {
            path: path.to_path_buf(),
            line,
            field: field.into(),
            message: format!("expected true or false, found {other:?}"),
        }),
    }
}

/// Scores nomenklatura's `cases.csv` (`case_group,schema,name1,name2,is_match,…`).
pub fn cases(path: &Path, threshold: f64) -> Result<CasesMetrics, EvalError> {
    let mut rdr = open_csv(path)?;
    let headers = rdr.headers().map_err(|e| EvalError::csv(path, e))?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| EvalError::Field {
                path: path.to_path_buf(),
                line: 1,
                field: name.into(),
                message: "column missing".into(),
            })
    };
    let (cs, c1, c2, cm) = (
        col("schema")?,
        col("name1")?,
        col("name2")?,
        col("is_match")?,
    );
    let mut pairs = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| EvalError::csv(path, e))?;
        let line = rec.position().map_or(0, |p| p.line());
        let get = |i: usize| rec.get(i).unwrap_or("");
        let label = parse_label(path, line, "is_match", get(cm))?;
        let schema = Schema::parse(get(cs));
        let (a, b) = (get(c1).to_string(), get(c2).to_string());
        let score = compare_names(schema, &a, &b);
        let part = pair_part(&a, &b);
        pairs.push(ScoredPair {
            line,
            schema,
            a,
            b,
            label,
            score,
            part,
        });
    }
    let mut m = CasesMetrics {
        threshold,
        confusion: Confusion::default(),
        pairs,
    };
    m.confusion = m.at(threshold);
    Ok(m)
}

/// Results on `checks.yml`.
#[derive(Clone, Debug, Serialize)]
pub struct ChecksMetrics {
    pub threshold: f64,
    pub confusion: Confusion,
    pub pairs: Vec<ScoredPair>,
}

impl ChecksMetrics {
    pub fn rows(&self) -> Vec<EvalRow> {
        vec![confusion_row(
            "nomenklatura checks.yml",
            "share right",
            &self.pairs,
            self.threshold,
            Confusion::accuracy,
        )
        .at_least(0.95)]
    }
}

/// The names of a check record as name parts: each `name` when given (as
/// one free-text part), else its parts (`firstName`, `middleName`,
/// `fatherName`, `lastName`). `compare_name_parts` compares free names as
/// `compare_names` does and holds family names to their role.
fn record_names(props: &[(String, String)]) -> Vec<NameParts> {
    let names: Vec<NameParts> = props
        .iter()
        .filter(|(k, _)| k == "name")
        .map(|(_, v)| NameParts {
            given: Some(v.clone()),
            ..NameParts::default()
        })
        .collect();
    if !names.is_empty() {
        return names;
    }
    let part = |k: &str| {
        props
            .iter()
            .find(|(x, v)| x == k && !v.trim().is_empty())
            .map(|(_, v)| v.clone())
    };
    let p = NameParts {
        given: part("firstName"),
        middle: part("middleName"),
        patronymic: part("fatherName"),
        family: part("lastName"),
    };
    if p == NameParts::default() {
        vec![]
    } else {
        vec![p]
    }
}

/// The split of a check: its first query and candidate names as a pair
/// key (the same key `cases.csv` rows use, so a pair in both files lands
/// in the same split).
fn check_part(qa: &[NameParts], qb: &[NameParts]) -> Part {
    let first = |v: &[NameParts]| v.first().map(full_name).unwrap_or_default();
    pair_part(&first(qa), &first(qb))
}

/// Scores nomenklatura's `checks.yml`: a check is right when the best
/// score over the two records' names is on the labelled side of the
/// threshold.
pub fn checks(path: &Path, threshold: f64) -> Result<ChecksMetrics, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|e| EvalError::io(path, e))?;
    let list = yaml::parse(path, &text)?;
    let mut m = ChecksMetrics {
        threshold,
        confusion: Confusion::default(),
        pairs: vec![],
    };
    for c in list {
        let schema = Schema::parse(&c.schema);
        let (qa, qb) = (record_names(&c.query), record_names(&c.candidate));
        // (score, query name, candidate name); the last of equal scores.
        let mut best = (0.0, None, None);
        for a in &qa {
            for b in &qb {
                let s = compare_name_parts(schema, a, b);
                if s >= best.0 {
                    best = (s, Some(a), Some(b));
                }
            }
        }
        m.confusion.add(best.0 >= threshold, c.is_match);
        m.pairs.push(ScoredPair {
            line: c.line,
            schema,
            a: best.1.map(full_name).unwrap_or_default(),
            b: best.2.map(full_name).unwrap_or_default(),
            label: c.is_match,
            score: best.0,
            part: check_part(&qa, &qb),
        });
    }
    Ok(m)
}

/// Results on Watchman's cross-script pairs (`query,latin,min_score,description`).
#[derive(Clone, Debug, Serialize)]
pub struct WatchmanMetrics {
    pub threshold: f64,
    pub n: u64,
    /// Pairs scoring at least the default threshold.
    pub found: u64,
    /// Pairs scoring at least Watchman's own expected minimum.
    pub at_watchman_min: u64,
    pub pairs: Vec<ScoredPair>,
    /// Watchman's expected minimum score of each pair.
    pub minimums: Vec<f64>,
}

impl WatchmanMetrics {
    pub fn rows(&self) -> Vec<EvalRow> {
        let s = "watchman cross_script_pairs";
        let hit: Vec<(Part, bool)> = self
            .pairs
            .iter()
            .map(|p| (p.part, p.score >= self.threshold))
            .collect();
        let at_min: Vec<(Part, bool)> = self
            .pairs
            .iter()
            .zip(&self.minimums)
            .map(|(p, min)| (p.part, p.score >= *min))
            .collect();
        vec![
            share_row(s, "recall", &hit),
            share_row(s, "share >= watchman min", &at_min),
        ]
    }
}

pub fn watchman(path: &Path, threshold: f64) -> Result<WatchmanMetrics, EvalError> {
    let f = std::fs::File::open(path).map_err(|e| EvalError::io(path, e))?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(f);
    let mut m = WatchmanMetrics {
        threshold,
        n: 0,
        found: 0,
        at_watchman_min: 0,
        pairs: vec![],
        minimums: vec![],
    };
    for rec in rdr.records() {
        let rec = rec.map_err(|e| EvalError::csv(path, e))?;
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() < 3 {
            continue;
        }
        let min: f64 = rec[2].trim().parse().map_err(|_| EvalError::Field {
            path: path.to_path_buf(),
            line,
            field: "min score".into(),
            message: format!("not a number: {:?}", &rec[2]),
        })?;
        let score = compare_names(Some(Schema::Person), &rec[0], &rec[1]);
        m.n += 1;
        m.found += u64::from(score >= threshold);
        m.at_watchman_min += u64::from(score >= min);
        m.minimums.push(min);
        m.pairs.push(ScoredPair {
            line,
            schema: Some(Schema::Person),
            a: rec[0].to_string(),
            b: rec[1].to_string(),
            label: true,
            score,
            part: pair_part(&rec[0], &rec[1]),
        });
    }
    Ok(m)
}
