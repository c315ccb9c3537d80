//! # embargo-eval
//!
//! Measures Embargo's matcher against labelled evaluation sets in the shared
//! data folder (`../shared/eval`, never committed) and real list files.
//! It reads `../shared`, so the release binary does not link it: `embargo
//! eval` exists only when the CLI is built with the `eval` feature (the test
//! suite does), and `cargo run -p embargo-eval --example eval` prints the
//! same table.
//!
//! [`run_all`] produces one [`EvalReport`] (JSON via serde, a table via
//! `Display`): F1 on nomenklatura's `cases.csv`, % right on `checks.yml`,
//! recall of UN-listed persons, false-positive rate on 50,000 synthetic US
//! persons, per-script recall on the Wikidata transliteration sets and the
//! Watchman cross-script pairs. Sets whose files are missing are reported
//! as skipped, not as failures; the acceptance tests in `tests/` fail when
//! a target is missed.
//!
//! **Not for:** tuning at run time or choosing thresholds automatically;
//! it measures the matcher as built.

pub mod ablation;
pub mod error;
pub mod lists;
pub mod pairs;
pub mod report;
pub mod screening;
pub mod split;
pub mod translit;
mod yaml;

pub use error::EvalError;
pub use report::{EvalReport, EvalRow, Figure};
pub use split::Part;

use embargo_match::DEFAULT_THRESHOLD;
use std::path::Path;

/// Runs every evaluation whose data is present under `shared` (the
/// `../shared` folder) at the default threshold.
pub fn run_all(shared: &Path) -> EvalReport {
    let t = DEFAULT_THRESHOLD;
    let mut r = EvalReport::new(t);
    let eval = shared.join("eval");
    r.push_result(
        "nomenklatura cases.csv",
        pairs::cases(&eval.join("nomenklatura/cases.csv"), t).map(|m| m.rows()),
    );
    r.push_result(
        "nomenklatura checks.yml",
        pairs::checks(&eval.join("nomenklatura/checks.yml"), t).map(|m| m.rows()),
    );
    r.push_result(
        "watchman cross_script_pairs",
        pairs::watchman(&eval.join("watchman/cross_script_pairs.csv"), t).map(|m| m.rows()),
    );
    r.push_result(
        "transliteration dev",
        translit::all(&eval.join("transliteration"), t)
            .map(|v| v.into_iter().flat_map(|m| m.rows()).collect()),
    );
    r.push_result(
        "yente positives vs UN",
        screening::positives(shared, t).map(|m| m.rows()),
    );
    // One index over CSL + SDN + UN for both negative sets.
    match lists::load_all(shared).map(embargo_match::Matcher::build) {
        Ok(m) => {
            r.push_result(
                screening::NEGATIVES_SET,
                screening::read_people_split(&shared.join(screening::NEGATIVES)).map(|v| {
                    let (qs, parts): (Vec<_>, Vec<_>) = v.into_iter().unzip();
                    screening::negatives_with(&m, &qs, &parts, t).rows()
                }),
            );
            r.push_result(
                screening::CHINESE_NEGATIVES_SET,
                Ok(screening::chinese_negatives_with(&m, t).rows()),
            );
        }
        Err(e) => {
            r.push_result(screening::NEGATIVES_SET, Err(e));
        }
    }
    r
}
