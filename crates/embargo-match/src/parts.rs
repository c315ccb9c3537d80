//! Structured person names (`NameParts`: given, middle, patronymic,
//! family). When both sides say which part is the family name, a family
//! name that stands as the other's given name (and the other way round)
//! is a different person: "Friedrich HANS" is not "Hans FRIEDRICH", though
//! the words are the same and a free-text comparison, which must tolerate
//! "PUTIN, Vladimir", cannot tell.

use crate::compare_names;
use embargo_model::{NameParts, Schema};

/// Factor on the score of two names whose given and family names have
/// swapped roles.
const ROLE_SWAP: f64 = 0.6;

/// How much better the crossed reading must be than the straight one to
/// count as a swap (part similarities are in [0, 1]).
const SWAP_MARGIN: f64 = 0.3;

/// The parts as one name, in the order given, middle, patronymic, family.
pub fn full_name(p: &NameParts) -> String {
    [&p.given, &p.middle, &p.patronymic, &p.family]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Scores two structured names: the full names compared as
/// [`compare_names`] does, lowered when both give a given and a family
/// name and these match crosswise much better than in place.
pub fn compare_name_parts(schema: Option<Schema>, a: &NameParts, b: &NameParts) -> f64 {
    let score = compare_names(schema, &full_name(a), &full_name(b));
    let (Some(ga), Some(fa), Some(gb), Some(fb)) = (&a.given, &a.family, &b.given, &b.family)
    else {
        return score;
    };
    let sim = |x: &str, y: &str| compare_names(Some(Schema::Person), x, y);
    let straight = sim(ga, gb).min(sim(fa, fb));
    let crossed = sim(ga, fb).min(sim(fa, gb));
    if crossed > straight + SWAP_MARGIN {
        score * ROLE_SWAP
    } else {
        score
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(given: &str, family: &str) -> NameParts {
        NameParts {
            given: Some(given.into()),
            family: Some(family.into()),
            ..Default::default()
        }
    }

    #[test]
    fn swapped_given_and_family_names_are_a_different_person() {
        let p = Some(Schema::Person);
        let hans = parts("Hans", "Friedrich");
        assert_eq!(compare_name_parts(p, &hans, &hans), 1.0);
        let swapped = compare_name_parts(p, &parts("Friedrich", "Hans"), &hans);
        assert!(swapped < crate::DEFAULT_THRESHOLD, "{swapped}");
        // A misspelling in place is not a swap.
        let typo = compare_name_parts(p, &parts("Hans", "Fridrich"), &hans);
        assert!(typo >= crate::DEFAULT_THRESHOLD, "{typo}");
        // Without both roles on both sides, nothing changes.
        let free = NameParts {
            given: Some("Friedrich Hans".into()),
            ..Default::default()
        };
        assert_eq!(
            compare_name_parts(p, &free, &hans),
            compare_names(p, "Friedrich Hans", "Hans Friedrich")
        );
    }
}
