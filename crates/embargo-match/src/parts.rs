//! Structured person names (`NameParts`: given, middle, patronymic,
//! family). When both sides say which part is the family name, a family
//! name that stands as the other's given name (and the other way round)
//! is a different person: "Friedrich HANS" is not "Hans FRIEDRICH", though
//! the words are the same and a free-text comparison, which must tolerate
//! "PUTIN, Vladimir", cannot tell. The roles are the ones the matcher keeps
//! for list name parts (`analyze::mark_family`, `align`).

use crate::align::align;
use crate::analyze::{analyze, family_tokens_of, mark_family};
use crate::compare_names;
use embargo_model::{NameParts, Schema};

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
/// [`compare_names`] does, with the family-name words of each side held to
/// their role (the matcher's mechanism for list name parts: a family name
/// left out costs in full, family names matched crosswise with given names
/// lower the score). Without a family name on either side this is
/// `compare_names` of the full names.
pub fn compare_name_parts(schema: Option<Schema>, a: &NameParts, b: &NameParts) -> f64 {
    let (na, nb) = (full_name(a), full_name(b));
    if a.family.is_none() && b.family.is_none() {
        return compare_names(schema, &na, &nb);
    }
    let forms = |name: &str, p: &NameParts| {
        let family = p
            .family
            .as_deref()
            .map(family_tokens_of)
            .unwrap_or_default();
        let mut forms = analyze(name, schema);
        for f in forms.iter_mut() {
            mark_family(f, &family);
        }
        forms
    };
    let (fa, fb) = (forms(&na, a), forms(&nb, b));
    let mut best = 0.0f32;
    for x in &fa {
        for y in &fb {
            best = best.max(align(x, y).score);
        }
    }
    f64::from(best)
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
