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
        s * crate::tune::get(4, 0.8)
    } else {
        s
    }
}

/// Similarity of two different numbers (see `token_sim`).
const NUMBER_MISMATCH: f32 = 0.6;

/// Similarity given to different spellings with the same phonetic key.
const PHONETIC_RESCUE: f32 = 0.85;

/// Rewrites a romanised token to a rough sound spelling, so the ways
/// languages spell a sound meet: `kh`/`h`, `w`/`v`, `y`/`j`/`i`, `ph`/`f`,
/// `dzh`/`dg`/`j`, `ou`/`u`, `c`/`k`, doubled letters.
pub(crate) fn sound(s: &str) -> String {
    const RULES: &[(&str, &str)] = &[
        ("tsch", "ch"),
        ("sch", "sh"),
        ("tch", "ch"),
        ("dzh", "j"),
        ("dge", "j"),
        ("zh", "j"),
        ("dz", "j"),
        ("kh", "h"),
        ("ph", "f"),
        ("th", "t"),
        ("ck", "k"),
        ("qu", "kv"),
        ("x", "ks"),
        ("w", "v"),
        ("ou", "u"),
        ("oo", "u"),
        ("ee", "i"),
        ("ae", "e"),
        ("ie", "i"),
        ("y", "i"),
        ("j", "i"),
        ("c", "k"),
        ("q", "k"),
    ];
    let mut out = String::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    'outer: while i < b.len() {
        for (from, to) in RULES {
            if b[i..].starts_with(from.as_bytes()) {
                out.push_str(to);
                i += from.len();
                continue 'outer;
            }
        }
        out.push(b[i] as char);
        i += 1;
    }
    let mut dedup = String::with_capacity(out.len());
    let mut last = '\0';
    for c in out.chars() {
        if c != last {
            dedup.push(c);
        }
        last = c;
    }
    dedup
}

/// An initial against a word it could abbreviate.
const INITIAL_SIM: f32 = 0.7;

/// Abjad spellings omit short vowels, so the best any comparison with
/// them can say is "same consonants".
const ABJAD_FACTOR: f32 = 0.9;

/// Consonant skeleton for comparing with abjad romanisations: the sound
/// spelling without vowels (Mohamed → mhmd = محمد → mhmd).
pub(crate) fn skeleton(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = '\0';
    // w and y are vowel letters in abjads (و, ي), so they go with the vowels.
    let base: String = s.chars().filter(|c| !matches!(c, 'w' | 'y')).collect();
    let base = base.strip_suffix('h').unwrap_or(&base);
    for c in sound(base).chars() {
        if matches!(c, 'a' | 'e' | 'i' | 'o' | 'u') {
            continue;
        }
        if c != last {
            out.push(c);
        }
        last = c;
    }
    out
}

/// Similarity of two tokens. `abjad` says one side was written without
/// short vowels, so only consonant skeletons can be compared; `cross` says
/// one side was romanised from another script, so spellings of the same
/// sound are expected to differ (Trowbridge / Троубридж → troubridzh).
pub(crate) fn token_sim(a: &Tok, b: &Tok, abjad: bool, cross: bool) -> f32 {
    if a.text == b.text {
        return 1.0;
    }
    if a.role == TokenRole::Number && b.role == TokenRole::Number {
        // "Fund III" / "Fund IV", "2007-1" / "2007-2": a different number in
        // the same place names a sibling (the next fund, a sister ship),
        // which an analyst should see, but it is not the same name.
        return crate::tune::get(6, NUMBER_MISMATCH);
    }
    if a.role == TokenRole::Number || b.role == TokenRole::Number {
        return 0.0;
    }
    if !a.text.is_ascii() || !b.text.is_ascii() {
        // Native characters (Han, Hangul, kana) match only exactly.
        return 0.0;
    }
    if a.role == TokenRole::Stop && b.role == TokenRole::Stop {
        // Arabic "son of" is written bin, ibn or ben; the article al, el or ul.
        let son = |t: &str| matches!(t, "bin" | "ibn" | "ben");
        let article = |t: &str| matches!(t, "al" | "el" | "ul");
        let same = (son(&a.text) && son(&b.text)) || (article(&a.text) && article(&b.text));
        return if same { 1.0 } else { 0.0 };
    }
    if a.role == TokenRole::Initial || b.role == TokenRole::Initial {
        let (x, y) = (a.text.as_bytes()[0], b.text.as_bytes()[0]);
        return if x == y { INITIAL_SIM } else { 0.0 };
    }
    // A shared phonetic key rescues spelling variants, but only keys of
    // three or more consonant classes ("ft" is shared by Vita and Fuad)
    // and the same first letter (Berg and Park share "brk").
    if abjad {
        return edit_sim(&skeleton(&a.text), &skeleton(&b.text)) * ABJAD_FACTOR;
    }
    // A shared phonetic key rescues spelling variants, but only keys of
    // three or more consonant classes ("ft" is shared by Vita and Fuad)
    // and the same first letter (Berg and Park share "brk").
    let phon_equal =
        a.phon.len() >= 3 && a.phon == b.phon && a.text.as_bytes()[0] == b.text.as_bytes()[0];
    let mut s = edit_sim(&a.text, &b.text);
    if cross && s < 1.0 {
        let (x, y) = (sound(&a.text), sound(&b.text));
        let len = x.len().max(y.len()).max(1);
        let d = levenshtein::distance(x.bytes(), y.bytes());
        s = s.max(1.0 - d as f32 / len as f32);
    }
    if phon_equal {
        s.max(crate::tune::get(5, PHONETIC_RESCUE))
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
        assert!(edit_sim("erdogan", "erdem") < 0.5);
        assert!(edit_sim("sechin", "sechev") < 0.6);
        assert_eq!(edit_sim("", ""), 1.0);
    }
}
