//! The scoring profile: the named rules of `align`, `similarity` and
//! `acronym` with their factors, read from `data/profile.tsv` (rule,
//! module, factor, value when off, what it matches).
//!
//! Code names a rule by its constant (`ORDER_PENALTY`) and reads its
//! factor with [`f`]; a rule that grants a similarity asks [`on`] before
//! it fires. For measuring rules one by one, [`ablate`] turns one rule off
//! for the whole process (`embargo eval --ablate`): its factor becomes the
//! table's `off` value and `on` answers false, so the next comparison
//! decides. Nothing but the evaluation calls `ablate`.

use embargo_model::table::{self, TableError};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::LazyLock;

/// A rule of the profile (an index into `data/profile.tsv`'s rows, in the
/// order of [`NAMES`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule(usize);

macro_rules! rules {
    ($($id:ident = $name:literal),* $(,)?) => {
        rules!(@ 0usize; $($id = $name,)*);
        /// Every rule's name, in index order.
        pub const NAMES: &[&str] = &[$($name),*];
    };
    (@ $i:expr; $id:ident = $name:literal, $($rest:tt)*) => {
        pub(crate) const $id: Rule = Rule($i);
        rules!(@ $i + 1; $($rest)*);
    };
    (@ $i:expr;) => {};
}

rules! {
    ORDER_PENALTY = "order_penalty",
    BARE_FACTOR = "bare_factor",
    ROLE_SWAP = "role_swap",
    NUMBER_CONFLICT = "number_conflict",
    JOINED_EQUAL = "joined_equal",
    HAN_COVERAGE = "han_coverage",
    HAN_WADE_GILES = "han_wade_giles",
    ACRONYM_SIM = "acronym_sim",
    ACRONYM_SIM_PERSON = "acronym_sim_person",
    NASAB_FACTOR = "nasab_factor",
    SIM_EXPONENT = "sim_exponent",
    NUMBER_MISMATCH = "number_mismatch",
    PREFIX_SIM = "prefix_sim",
    ENDING_SIM = "ending_sim",
    OTHER_GENDER = "other_gender",
    INITIAL_SIM = "initial_sim",
    REVERSED_SIM = "reversed_sim",
    SIBILANT_SIM = "sibilant_sim",
    REPEATS_SIM = "repeats_sim",
    SINO_SIM = "sino_sim",
    PHONETIC_RESCUE = "phonetic_rescue",
    ACRONYM_SCORE = "acronym_score",
    TRANSCRIPTION = "transcription",
    ORTHOGRAPHIES = "orthographies",
}

/// One row of the profile.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleInfo {
    pub name: &'static str,
    pub module: &'static str,
    pub factor: f32,
    pub off: f32,
    pub matches: &'static str,
}

/// Parses `data/profile.tsv`: every rule of [`NAMES`] exactly once, in
/// that order, with numeric factors.
fn parse((file, text): (&str, &'static str)) -> Result<Vec<RuleInfo>, TableError> {
    let rows = table::rows::<5>(file, text)?;
    let mut out = Vec::with_capacity(NAMES.len());
    for (i, row) in rows.iter().enumerate() {
        let [name, module, factor, off, matches] = row.fields;
        if NAMES.get(i) != Some(&name) {
            return Err(row.error(
                file,
                format!(
                    "rule {name:?} where the code expects {:?} (rules in the order of profile.rs)",
                    NAMES.get(i).copied().unwrap_or("no further rule")
                ),
            ));
        }
        if !matches!(module, "align" | "similarity" | "acronym") {
            return Err(row.error(
                file,
                format!("module {module:?} is not align, similarity or acronym"),
            ));
        }
        let num = |s: &str, what: &str| {
            s.parse::<f32>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .ok_or_else(|| row.error(file, format!("{what} {s:?} is not a number >= 0")))
        };
        out.push(RuleInfo {
            name,
            module,
            factor: num(factor, "factor")?,
            off: num(off, "off value")?,
            matches,
        });
    }
    if out.len() != NAMES.len() {
        return Err(TableError {
            file: file.to_string(),
            line: text.lines().count(),
            message: format!("{} rules, the code has {}", out.len(), NAMES.len()),
        });
    }
    Ok(out)
}

static PROFILE: LazyLock<Vec<RuleInfo>> =
    LazyLock::new(|| table::expect_parsed(parse(data_file!("profile.tsv"))));

/// No rule ablated.
const NONE: usize = usize::MAX;
static ABLATED: AtomicUsize = AtomicUsize::new(NONE);

/// Every rule of the profile, in order.
pub fn rules() -> &'static [RuleInfo] {
    &PROFILE
}

/// Turns the named rule off for this process (`None`: every rule on).
/// For the evaluation's ablation only. Errors on an unknown name.
pub fn ablate(name: Option<&str>) -> Result<(), String> {
    let i = match name {
        None => NONE,
        Some(n) => NAMES
            .iter()
            .position(|x| *x == n)
            .ok_or_else(|| format!("unknown rule {n:?}; rules: {}", NAMES.join(", ")))?,
    };
    ABLATED.store(i, Ordering::Relaxed);
    Ok(())
}

/// The profile row of a rule.
pub(crate) fn info(r: Rule) -> &'static RuleInfo {
    &PROFILE[r.0]
}

/// The rule's factor (its `off` value while it is ablated).
#[inline]
pub(crate) fn f(r: Rule) -> f32 {
    let p = &PROFILE[r.0];
    if ABLATED.load(Ordering::Relaxed) == r.0 {
        p.off
    } else {
        p.factor
    }
}

/// Whether the rule may fire (false only while it is ablated).
#[inline]
pub(crate) fn on(r: Rule) -> bool {
    ABLATED.load(Ordering::Relaxed) != r.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_names_every_rule_once_in_order() {
        assert_eq!(rules().len(), NAMES.len());
        assert_eq!(f(ORDER_PENALTY), 0.8);
        let e = parse(("p.tsv", "order_penalty\talign\tx\t1\tm\n")).unwrap_err();
        assert!(e.message.contains("factor"), "{e}");
        let e = parse(("p.tsv", "bare_factor\talign\t1\t1\tm\n")).unwrap_err();
        assert!(e.message.contains("order_penalty"), "{e}");
        assert!(ablate(Some("no_such_rule")).is_err());
    }
}
