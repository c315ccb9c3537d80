//! Rules one by one (`embargo eval --ablate`): every evaluation set is run
//! with all rules of the matcher's profile on, then once per rule with that
//! rule off (`embargo_match::profile::ablate`), and each rule's effect is
//! reported per set and metric on the dev and the test split.
//!
//! An effect is "the rule's contribution": the figure with the rule on
//! minus the figure with it off, with the sign turned so that a positive
//! effect is an improvement (for a share of negatives with a hit, lower is
//! better). A rule whose effects are positive somewhere on dev and nowhere
//! on test is flagged: it helps dev and not test.

use crate::report::{EvalReport, EvalRow};
use serde::Serialize;
use std::fmt;
use std::path::Path;

/// Differences smaller than this are noise (one row of 50,000 is 2e-5).
const EPS: f64 = 1e-4;

#[derive(Clone, Debug, Serialize)]
pub struct Effect {
    pub set: String,
    pub metric: String,
    /// Positive: the rule improves the figure on that split.
    pub dev: f64,
    pub test: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct RuleAblation {
    pub rule: String,
    pub factor: f32,
    /// Rows where turning the rule off changes something.
    pub effects: Vec<Effect>,
}

impl RuleAblation {
    pub fn helps_dev(&self) -> bool {
        self.effects.iter().any(|e| e.dev > EPS)
    }
    pub fn helps_test(&self) -> bool {
        self.effects.iter().any(|e| e.test > EPS)
    }
    pub fn hurts_test(&self) -> bool {
        self.effects.iter().any(|e| e.test < -EPS)
    }
    /// Positive somewhere on dev and nowhere on test.
    pub fn dev_only(&self) -> bool {
        self.helps_dev() && !self.helps_test()
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct AblationReport {
    pub baseline: EvalReport,
    pub rules: Vec<RuleAblation>,
}

fn lower_is_better(r: &EvalRow) -> bool {
    r.metric.contains("with a hit")
}

fn effects(base: &EvalReport, off: &EvalReport) -> Vec<Effect> {
    let mut out = vec![];
    for b in &base.rows {
        let Some(o) = off
            .rows
            .iter()
            .find(|o| o.set == b.set && o.metric == b.metric)
        else {
            continue;
        };
        let sign = if lower_is_better(b) { -1.0 } else { 1.0 };
        let d = |x: Option<crate::Figure>, y: Option<crate::Figure>| match (x, y) {
            (Some(x), Some(y)) => sign * (x.value - y.value),
            _ => sign * (b.value - o.value),
        };
        let e = Effect {
            set: b.set.clone(),
            metric: b.metric.clone(),
            dev: d(b.dev, o.dev),
            test: d(b.test, o.test),
        };
        if e.dev.abs() > EPS || e.test.abs() > EPS {
            out.push(e);
        }
    }
    out
}

/// Runs every set with all rules on, then with each rule off in turn.
pub fn run(shared: &Path) -> AblationReport {
    use embargo_match::profile;
    let _ = profile::ablate(None);
    let baseline = crate::run_all(shared);
    let mut rules = vec![];
    for r in profile::rules() {
        if profile::ablate(Some(r.name)).is_err() {
            continue;
        }
        let off = crate::run_all(shared);
        rules.push(RuleAblation {
            rule: r.name.to_string(),
            factor: r.factor,
            effects: effects(&baseline, &off),
        });
    }
    let _ = profile::ablate(None);
    AblationReport { baseline, rules }
}

impl fmt::Display for AblationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Rules one by one: each rule's effect (figure with the rule on minus with it off; positive = the rule helps; for shares of negatives with a hit, lower counts as better)"
        )?;
        writeln!(
            f,
            "{:<20} {:>6} {:<36} {:<22} {:>9} {:>9}",
            "rule", "factor", "set", "metric", "dev", "test"
        )?;
        for r in &self.rules {
            if r.effects.is_empty() {
                writeln!(f, "{:<20} {:>6} no effect on any set", r.rule, r.factor)?;
                continue;
            }
            for (i, e) in r.effects.iter().enumerate() {
                let (name, factor) = if i == 0 {
                    (r.rule.as_str(), format!("{}", r.factor))
                } else {
                    ("", String::new())
                };
                writeln!(
                    f,
                    "{:<20} {:>6} {:<36} {:<22} {:>+9.4} {:>+9.4}",
                    name, factor, e.set, e.metric, e.dev, e.test
                )?;
            }
        }
        let list = |keep: &dyn Fn(&RuleAblation) -> bool| {
            let v: Vec<&str> = self
                .rules
                .iter()
                .filter(|r| keep(r))
                .map(|r| r.rule.as_str())
                .collect();
            if v.is_empty() {
                "none".to_string()
            } else {
                v.join(", ")
            }
        };
        writeln!(
            f,
            "Helps dev, not test, and hurts test somewhere: {}",
            list(&|r| r.dev_only() && r.hurts_test())
        )?;
        writeln!(
            f,
            "Helps dev, no effect on test (never decides a test row): {}",
            list(&|r| r.dev_only() && !r.hurts_test())
        )?;
        writeln!(
            f,
            "No effect on any set: {}",
            list(&|r| r.effects.is_empty())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Figure;

    fn report(dev: f64, test: f64, metric: &str) -> EvalReport {
        let mut r = EvalReport::new(0.75);
        r.rows.push(EvalRow::split(
            "s",
            metric,
            Figure::new(dev, 10),
            Figure::new(dev, 7),
            Figure::new(test, 3),
        ));
        r
    }

    #[test]
    fn effects_are_signed_so_that_positive_helps() {
        let e = effects(&report(0.9, 0.8, "f1"), &report(0.8, 0.8, "f1"));
        assert_eq!(e.len(), 1);
        assert!(e[0].dev > 0.09 && e[0].test.abs() < 1e-9);
        let r = RuleAblation {
            rule: "x".into(),
            factor: 1.0,
            effects: e,
        };
        assert!(r.dev_only());
        // Fewer negatives with a hit is better.
        let e = effects(
            &report(0.001, 0.001, "share with a hit"),
            &report(0.003, 0.002, "share with a hit"),
        );
        assert!(e[0].dev > 0.0 && e[0].test > 0.0);
        assert!(effects(&report(0.5, 0.5, "f1"), &report(0.5, 0.5, "f1")).is_empty());
    }
}
