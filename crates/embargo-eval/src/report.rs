//! The evaluation report: one row per measured number.

use crate::EvalError;
use serde::Serialize;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EvalRow {
    /// Evaluation set, e.g. `nomenklatura cases.csv`.
    pub set: String,
    /// What was measured: `f1`, `recall`, `fp_rate`, `right`, …
    pub metric: String,
    pub value: f64,
    /// Number of items the value is computed over.
    pub n: u64,
    /// The acceptance target as text (`>= 0.88`), if there is one.
    pub target: Option<String>,
    /// Whether the target is met; `None` when there is no target.
    pub pass: Option<bool>,
}

impl EvalRow {
    pub fn new(set: &str, metric: &str, value: f64, n: u64) -> Self {
        EvalRow {
            set: set.into(),
            metric: metric.into(),
            value,
            n,
            target: None,
            pass: None,
        }
    }

    pub fn at_least(mut self, target: f64) -> Self {
        self.target = Some(format!(">= {target}"));
        self.pass = Some(self.value >= target);
        self
    }

    pub fn at_most(mut self, target: f64) -> Self {
        self.target = Some(format!("<= {target}"));
        self.pass = Some(self.value <= target);
        self
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct EvalReport {
    pub threshold: f64,
    pub rows: Vec<EvalRow>,
    /// Sets that could not be run, with the reason (missing data, parse error).
    pub skipped: Vec<(String, String)>,
}

impl EvalReport {
    pub fn new(threshold: f64) -> Self {
        EvalReport {
            threshold,
            rows: vec![],
            skipped: vec![],
        }
    }

    pub fn push_result(&mut self, set: &str, r: Result<Vec<EvalRow>, EvalError>) {
        match r {
            Ok(rows) => self.rows.extend(rows),
            Err(e) => self.skipped.push((set.to_string(), e.to_string())),
        }
    }

    /// True when every row with a target meets it.
    pub fn all_targets_met(&self) -> bool {
        self.rows.iter().all(|r| r.pass != Some(false))
    }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Embargo matcher evaluation at threshold {:.2}",
            self.threshold
        )?;
        writeln!(
            f,
            "{:<36} {:<22} {:>8} {:>7} {:>9} {:>5}",
            "set", "metric", "value", "n", "target", "ok"
        )?;
        for r in &self.rows {
            let ok = match r.pass {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "",
            };
            writeln!(
                f,
                "{:<36} {:<22} {:>8.4} {:>7} {:>9} {:>5}",
                r.set,
                r.metric,
                r.value,
                r.n,
                r.target.as_deref().unwrap_or(""),
                ok
            )?;
        }
        for (set, why) in &self.skipped {
            writeln!(f, "skipped {set}: {why}")?;
        }
        Ok(())
    }
}
