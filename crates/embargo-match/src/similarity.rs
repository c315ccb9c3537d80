//! Similarity of two tokens, in [0, 1].
//!
//! Edit distance relative to length, with a cliff: more edits than a
//! token's length allows (1 up to 6 letters, 2 up to 9, 3 up to 13) mark
//! a different word, not a misspelling ("Erdem" is not "Erdogan"), and
//! the similarity drops steeply. Equal phonetic keys rescue spelling
//! variants (Husayn / Hussein). Numbers must match exactly.

use crate::analyze::Tok;
use crate::symbols::TokenRole;
use rapidfuzz::distance::levenshtein;

/// Allowed edits before the cliff, by the longer token's length.
fn allowed_edits(len: usize) -> usize {
    match len {
        0..=6 => 1,
        7..=9 => 2,
        10..=13 => 3,
        _ => 4,
    }
}

/// Edit-distance similarity of two ASCII strings with the cliff applied.
pub(crate) fn edit_sim(a: &str, b: &str) -> f32 {
    if a == b {
        return 1.0;
    }
    let len = a.len().max(b.len());
    if len == 0 {
        return 0.0;
    }
    let d = levenshtein::distance(a.bytes(), b.bytes());
    let s = 1.0 - d as f32 / len as f32;
    if d > allowed_edits(len) {
        s * 0.6
    } else {
        s
    }
}

fn digits(s: &str) -> impl Iterator<Item = u8> + '_ {
    s.bytes().filter(u8::is_ascii_digit)
}

/// Similarity of two tokens. `abjad` says one side was written without
/// short vowels, so only consonant skeletons can be compared.
pub(crate) fn token_sim(a: &Tok, b: &Tok, abjad: bool) -> f32 {
    if a.text == b.text {
        return 1.0;
    }
    if a.role == TokenRole::Number || b.role == TokenRole::Number {
        // "2007-1" vs "2007-2", "VII" vs "VIII": numbers identify.
        if !digits(&a.text).eq(digits(&b.text)) {
            return 0.0;
        }
    }
    if a.role == TokenRole::Initial || b.role == TokenRole::Initial {
        let (x, y) = (a.text.as_bytes()[0], b.text.as_bytes()[0]);
        return if x == y { 0.8 } else { 0.0 };
    }
    let phon_equal = a.phon.len() >= 2 && a.phon == b.phon;
    if abjad {
        if phon_equal {
            return 0.9;
        }
        return edit_sim(&a.phon, &b.phon) * 0.9;
    }
    let s = edit_sim(&a.text, &b.text);
    if phon_equal {
        s.max(0.88)
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cliff_separates_misspellings_from_other_words() {
        assert!(edit_sim("merz", "mertz") > 0.75);
        assert!(edit_sim("khodorkovsky", "khordorovsky") > 0.8);
        assert!(edit_sim("erdogan", "erdem") < 0.4);
        assert!(edit_sim("frederiksen", "henriksen") < 0.5);
        assert_eq!(edit_sim("", ""), 1.0);
    }
}
