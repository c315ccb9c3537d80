//! Spelling-level comparison of ASCII strings: edit distances (with the
//! cliff that tells a misspelling from another word), the rough sound
//! spelling that lets languages' ways of writing a sound meet, and the
//! consonant skeleton for abjad romanisations.
//!
//! Works on plain strings only, below `symbols`, `analyze` and
//! `similarity` (which compares analysed tokens with these pieces), so the
//! modules depend on each other in one direction.

/// Levenshtein distance of two byte strings. Tokens are short lower-case
/// letters and digits: those go through `bit_parallel`; anything else
/// through a one-row dynamic programme on the stack (both beat the
/// general library path, which hashes characters).
pub(crate) fn levenshtein(a: &[u8], b: &[u8]) -> usize {
    let (a, b) = if a.len() < b.len() { (b, a) } else { (a, b) };
    if b.is_empty() {
        return a.len();
    }
    if let Some(d) = bit_parallel(b, a) {
        return d;
    }
    dp_distance(a, b)
}

/// Slot of a byte in the pattern table: letters and digits only.
fn slot(c: u8) -> Option<usize> {
    match c {
        b'a'..=b'z' => Some(usize::from(c - b'a')),
        b'0'..=b'9' => Some(26 + usize::from(c - b'0')),
        _ => None,
    }
}

/// Myers' bit-vector edit distance (as formulated by Hyyrö, 2003): the
/// columns of the dynamic programme for a `pattern` of at most 64 bytes are
/// kept as bit masks of +1/−1 vertical differences, so each byte of `text`
/// costs a handful of word operations instead of a row of cells. `None`
/// when the pattern is too long or either string has a byte outside
/// `[a-z0-9]`.
fn bit_parallel(pattern: &[u8], text: &[u8]) -> Option<usize> {
    let m = pattern.len();
    if m == 0 || m > 64 {
        return None;
    }
    let mut peq = [0u64; 36];
    for (i, &c) in pattern.iter().enumerate() {
        peq[slot(c)?] |= 1 << i;
    }
    let mut pv: u64 = if m == 64 { !0 } else { (1 << m) - 1 };
    let mut mv: u64 = 0;
    let last = 1u64 << (m - 1);
    let mut score = m;
    for &c in text {
        let eq = peq[slot(c)?];
        let xv = eq | mv;
        let xh = ((eq & pv).wrapping_add(pv) ^ pv) | eq;
        let mut ph = mv | !(xh | pv);
        let mut mh = pv & xh;
        if ph & last != 0 {
            score += 1;
        } else if mh & last != 0 {
            score -= 1;
        }
        ph = (ph << 1) | 1;
        mh <<= 1;
        pv = mh | !(xv | ph);
        mv = ph & xv;
    }
    Some(score)
}

/// Plain dynamic-programme distance; `a` is the longer string.
fn dp_distance(a: &[u8], b: &[u8]) -> usize {
    if b.len() > 63 {
        return rapidfuzz::distance::levenshtein::distance(a.iter().copied(), b.iter().copied());
    }
    // One row suffices: `diag` holds the value above-left.
    let n = b.len();
    let mut row = [0u16; 64];
    for (j, r) in row.iter_mut().enumerate().take(n + 1) {
        *r = j as u16;
    }
    for (i, &ca) in a.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i as u16 + 1;
        for j in 0..n {
            let up = row[j + 1];
            let v = (diag + u16::from(ca != b[j])).min(up + 1).min(row[j] + 1);
            diag = up;
            row[j + 1] = v;
        }
    }
    usize::from(row[n])
}

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
    // The length difference bounds the distance from below: skip pairs that
    // cannot reach a useful similarity.
    let diff = a.len().abs_diff(b.len());
    if diff * 2 > len {
        return 0.0;
    }
    let d = levenshtein(a.as_bytes(), b.as_bytes());
    let s = 1.0 - d as f32 / len as f32;
    if d > allowed_edits(len) {
        s * 0.8
    } else {
        s
    }
}

pub(crate) fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// Edit distance where vowels cost less than consonants: romanisations
/// from other scripts disagree on vowels far more than on consonants
/// (Allsup / Оллсап → ollsap). Substituting one vowel for another costs
/// `VOWEL_SUB`, inserting or deleting a vowel `VOWEL_INDEL`.
pub(crate) fn vowel_light_distance(a: &[u8], b: &[u8]) -> f32 {
    const VOWEL_SUB: f32 = 0.4;
    const VOWEL_INDEL: f32 = 0.6;
    if a.len() > 63 || b.len() > 63 {
        return levenshtein(a, b) as f32;
    }
    let indel = |c: u8| if is_vowel(c) { VOWEL_INDEL } else { 1.0 };
    let n = b.len();
    let mut row = [0f32; 64];
    for j in 0..n {
        row[j + 1] = row[j] + indel(b[j]);
    }
    for &ca in a {
        let mut diag = row[0];
        row[0] += indel(ca);
        for j in 0..n {
            let cb = b[j];
            let sub = if ca == cb {
                0.0
            } else if is_vowel(ca) && is_vowel(cb) {
                VOWEL_SUB
            } else {
                1.0
            };
            let up = row[j + 1];
            let v = (diag + sub).min(up + indel(ca)).min(row[j] + indel(cb));
            diag = up;
            row[j + 1] = v;
        }
    }
    row[n]
}

/// Rewrites a romanised token to a rough sound spelling, so the ways
/// languages spell a sound meet: `kh`/`h`, `w`/`v`, `y`/`j`/`i`, `ph`/`f`,
/// `dzh`/`dg`/`j`, `ou`/`u`, `c`/`k`, doubled letters.
pub(crate) fn sound(s: &str) -> String {
    sound_with(s, true)
}

/// `sound`, optionally without reading Hepburn shi / chi as Polivanov si /
/// ti: abjad skeletons keep sh (ش, ש) apart from s.
fn sound_with(s: &str, polivanov: bool) -> String {
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut out: Vec<u8> = Vec::with_capacity(b.len() + 2);
    let mut i = 0;
    while i < b.len() {
        let (c1, c2, c3) = (at(i + 1), at(i + 2), at(i + 3));
        let (rep, step): (&[u8], usize) = match b[i] {
            b't' if c1 == b's' && c2 == b'c' && c3 == b'h' => (b"ch", 4),
            b't' if c1 == b'c' && c2 == b'h' => (b"ch", 3),
            b't' if c1 == b'h' => (b"t", 2),
            b's' if c1 == b'c' && c2 == b'h' => (b"sh", 3),
            b'd' if c1 == b'z' && c2 == b'h' => (b"j", 3),
            b'd' if c1 == b'g' && c2 == b'e' => (b"j", 3),
            b'd' if c1 == b'z' => (b"j", 2),
            b'z' if c1 == b'h' => (b"j", 2),
            b'k' if c1 == b'h' => (b"h", 2),
            // Ghain (غ) stands for a foreign g (Gruevski = غرويفسكي), and
            // Persian names are spelt with and without h (Gholam / Golam).
            b'g' if c1 == b'h' => (b"g", 2),
            // South Slavic -vić is -vich (Milošević = Милошевич).
            b'c' if c1 == 0 && i >= 2 && b[i - 1] == b'i' && b[i - 2] == b'v' => (b"ch", 1),
            // Japanese names: Hepburn shi, chi, tsu are Polivanov си, ти,
            // цу in Russian (Ashizu = Асидзу, Kiguchi = Кигути).
            b's' if polivanov && c1 == b'h' && c2 == b'i' => (b"si", 3),
            b'c' if polivanov && c1 == b'h' && c2 == b'i' => (b"ti", 3),
            b'p' if c1 == b'h' => (b"f", 2),
            b'c' if c1 == b'k' => (b"k", 2),
            b'q' if c1 == b'u' => (b"k", 2),
            // Arabic and Persian write ch as tsh (تش).
            b't' if c1 == b's' && c2 == b'h' => (b"ch", 3),
            b't' if c1 == b's' || c1 == b'z' => (b"s", 2),
            b'c' if matches!(c1, b'e' | b'i' | b'y') => (b"s", 1),
            b'z' => (b"s", 1),
            b'o' if c1 == b'u' || c1 == b'o' => (b"u", 2),
            b'e' if c1 == b'e' => (b"i", 2),
            b'a' if c1 == b'e' => (b"e", 2),
            b'i' if c1 == b'e' => (b"i", 2),
            b'x' => (b"ks", 1),
            b'w' => (b"v", 1),
            b'y' | b'j' => (b"i", 1),
            b'c' | b'q' => (b"k", 1),
            _ => (&b[i..i + 1], 1),
        };
        for &c in rep {
            if out.last() != Some(&c) {
                out.push(c);
            }
        }
        i += step;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Consonant skeleton for comparing with abjad romanisations: the sound
/// spelling without vowels, labials as one (Mohamed → mhmd = محمد → mhmd;
/// Gruevski → grbsk = غرويفسكي).
pub(crate) fn skeleton(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last = '\0';
    // w and y are vowel letters in abjads (و, ي), so they go with the vowels.
    let base: String = s.chars().filter(|c| !matches!(c, 'w' | 'y')).collect();
    // A final h is often a silent letter (ה, ة), unless it ends a digraph (sh, kh).
    let digraph = base.len() >= 2
        && matches!(
            base.as_bytes()[base.len() - 2],
            b's' | b'c' | b'k' | b'z' | b't' | b'p' | b'g' | b'd'
        );
    let base = if digraph {
        &base[..]
    } else {
        base.strip_suffix('h').unwrap_or(&base)
    };
    for c in sound_with(base, false).chars() {
        if matches!(c, 'a' | 'e' | 'i' | 'o' | 'u') {
            continue;
        }
        // Arabic has no p or v (foreign p is ب b, v is ف f) and Hebrew
        // writes b/v with ב and p/f with פ: labials are one class here.
        let c = if matches!(c, 'p' | 'f' | 'v') { 'b' } else { c };
        if c != last {
            out.push(c);
        }
        last = c;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_parallel_distance_equals_the_dynamic_programme() {
        // Deterministic pseudo-random strings over a small alphabet, so
        // that matches and near-matches are frequent.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let la = (next() % 20) as usize;
            let lb = (next() % 20) as usize;
            let a: Vec<u8> = (0..la).map(|_| b"abcde19"[(next() % 7) as usize]).collect();
            let b: Vec<u8> = (0..lb).map(|_| b"abcde19"[(next() % 7) as usize]).collect();
            let (long, short) = if a.len() < b.len() {
                (&b, &a)
            } else {
                (&a, &b)
            };
            let want = if short.is_empty() {
                long.len()
            } else {
                dp_distance(long, short)
            };
            assert_eq!(levenshtein(&a, &b), want, "{a:?} {b:?}");
        }
        let long = "a".repeat(64);
        assert_eq!(bit_parallel(long.as_bytes(), b"b"), Some(64));
        assert_eq!(bit_parallel(b"ab-c", b"abc"), None);
    }

    #[test]
    fn levenshtein_matches_the_library() {
        for (a, b) in [
            ("kitten", "sitting"),
            ("", "abc"),
            ("flaw", "lawn"),
            ("same", "same"),
        ] {
            let lib = rapidfuzz::distance::levenshtein::distance(a.bytes(), b.bytes());
            assert_eq!(levenshtein(a.as_bytes(), b.as_bytes()), lib, "{a} {b}");
        }
    }

    #[test]
    fn cliff_separates_misspellings_from_other_words() {
        assert!(edit_sim("merz", "mertz") > 0.75);
        assert!(edit_sim("khodorkovsky", "khordorovsky") > 0.8);
        assert!(edit_sim("erdogan", "erdem") < 0.5);
        assert!(edit_sim("sechin", "sechev") < 0.6);
        assert_eq!(edit_sim("", ""), 1.0);
    }
}
