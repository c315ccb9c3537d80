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
    /// The same measure on the dev split (tune on this) and on the frozen
    /// test split (see [`crate::split`]); `None` for rows that are not split.
    pub dev: Option<Figure>,
    pub test: Option<Figure>,
    /// The acceptance target as text (`>= 0.88`), if there is one.
    pub target: Option<String>,
    /// Whether the target is met on the whole set; `None` when there is
    /// no target.
    pub pass: Option<bool>,
}

/// One measured value and the number of items behind it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Figure {
    pub value: f64,
    pub n: u64,
}

impl Figure {
    pub fn new(value: f64, n: u64) -> Self {
        Figure { value, n }
    }
}

impl EvalRow {
    pub fn new(set: &str, metric: &str, value: f64, n: u64) -> Self {
        EvalRow {
            set: set.into(),
            metric: metric.into(),
            value,
            n,
            dev: None,
            test: None,
            target: None,
            pass: None,
        }
    }

    /// A row measured on the whole set, the dev split and the test split.
    pub fn split(set: &str, metric: &str, all: Figure, dev: Figure, test: Figure) -> Self {
        let mut r = EvalRow::new(set, metric, all.value, all.n);
        r.dev = Some(dev);
        r.test = Some(test);
        r
    }

    /// The values a target is judged on: the whole set, as the targets
    /// were set (issue 3) before the split existed; the dev and test
    /// figures are printed beside it.
    fn judged(&self) -> Vec<f64> {
        vec![self.value]
    }

    pub fn at_least(mut self, target: f64) -> Self {
        self.target = Some(format!(">= {target}"));
        self.pass = Some(self.judged().iter().all(|v| *v >= target));
        self
    }

    pub fn at_most(mut self, target: f64) -> Self {
        self.target = Some(format!("<= {target}"));
        self.pass = Some(self.judged().iter().all(|v| *v <= target));
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
            "Embargo matcher evaluation at threshold {:.2} (dev = tune on it; test = frozen {} % held out, see embargo_eval::split)",
            self.threshold,
            crate::split::TEST_PER_MILLE / 10
        )?;
        writeln!(
            f,
            "{:<36} {:<22} {:>8} {:>7} {:>8} {:>7} {:>8} {:>7} {:>9} {:>5}",
            "set", "metric", "dev", "n", "test", "n", "all", "n", "target", "ok"
        )?;
        for r in &self.rows {
            let ok = match r.pass {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "",
            };
            let fig = |x: Option<Figure>| match x {
                Some(x) => (format!("{:.4}", x.value), x.n.to_string()),
                None => (String::new(), String::new()),
            };
            let ((dv, dn), (tv, tn)) = (fig(r.dev), fig(r.test));
            writeln!(
                f,
                "{:<36} {:<22} {:>8} {:>7} {:>8} {:>7} {:>8.4} {:>7} {:>9} {:>5}",
                r.set,
                r.metric,
                dv,
                dn,
                tv,
                tn,
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
