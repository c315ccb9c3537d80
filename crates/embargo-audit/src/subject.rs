//! The key under which a review decision is remembered: what was screened.
//!
//! A decision made for "ACME Trading Co." must apply when the same subject
//! is screened again as "acme  trading co", but not when a different person
//! with a similar name is screened. The key therefore folds only what never
//! distinguishes two subjects (letter case, Unicode compatibility forms,
//! spacing and punctuation) and keeps everything else, including
//! diacritics: "Müller" and "Muller" get separate decisions, which errs on
//! the side of alerting again.
//!
//! Layout: `schema|name|dob|country`, each part folded the same way so no
//! part can contain the `|` separator; absent parts are empty.

use unicode_normalization::UnicodeNormalization;

/// Normalised key of a screened subject.
///
/// ```
/// use embargo_audit::subject_key;
/// assert_eq!(
///     subject_key(" ACME  Trading, Co. ", Some("Company"), None, Some("cn")),
///     subject_key("acme trading co", Some("company"), None, Some("CN")),
/// );
/// ```
pub fn subject_key(
    name: &str,
    schema: Option<&str>,
    dob: Option<&str>,
    country: Option<&str>,
) -> String {
    let dob = dob.map(fold_date).unwrap_or_default();
    format!(
        "{}|{}|{}|{}",
        schema.map(fold).unwrap_or_default(),
        fold(name),
        dob,
        country.map(fold).unwrap_or_default()
    )
}

/// NFKC, lower case, every run of non-alphanumeric characters to one space.
fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfkc().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        } else {
            pending_space = true;
        }
    }
    out
}

/// Dates keep their digits and the `-` between them (`1955-01`), so a date
/// typed `1955/01` and `1955-01` match but `1955` and `1955-01` do not.
fn fold_date(s: &str) -> String {
    let f = fold(s);
    f.replace(' ', "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_width_space_and_punctuation_only() {
        let k = subject_key(
            "  Ｈikvision—Digital,  TECH. ",
            Some("Organization"),
            None,
            None,
        );
        assert_eq!(k, "organization|hikvision digital tech||");
        assert_ne!(
            subject_key("Müller", None, None, None),
            subject_key("Muller", None, None, None)
        );
    }

    #[test]
    fn every_part_is_kept_and_separated() {
        assert_eq!(
            subject_key("Ali Hassan", Some("Person"), Some("1955/01"), Some(" ir ")),
            "person|ali hassan|1955-01|ir"
        );
        assert_ne!(
            subject_key("Ali Hassan", Some("Person"), Some("1955"), None),
            subject_key("Ali Hassan", Some("Person"), Some("1956"), None)
        );
        // A name made of punctuation cannot forge another part.
        assert_eq!(subject_key("a|b", None, None, None), "|a b||");
    }
}
