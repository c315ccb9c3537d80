//! Text folding shared by the name resolver and the geography matcher:
//! Unicode decomposition with combining marks dropped (`Ürümqi` →
//! `urumqi`), lower case, and every non-alphanumeric run turned into one
//! space. CJK characters are kept as they are (they are alphanumeric).

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Folded form of `s`: lower-case, accents removed, punctuation as spaces,
/// single-spaced, trimmed.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.nfkd().filter(|c| !is_combining_mark(*c)) {
        // Apostrophes inside names ("Hua'antai", "Xin’an") are dropped
        // rather than split on, so both spellings fold the same.
        if matches!(c, '\'' | '’' | '‘' | '`') {
            continue;
        }
        if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                out.push(l);
            }
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Whether `needle` (already folded) occurs in `hay` (already folded) as
/// whole words, so `hami` does not match inside `hamilton`.
pub fn contains_words(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let mut start = 0;
    while let Some(pos) = hay[start..].find(needle) {
        let at = start + pos;
        let end = at + needle.len();
        let before_ok = at == 0 || hay.as_bytes()[at - 1] == b' ';
        let after_ok = end == hay.len() || hay.as_bytes()[end] == b' ';
        if before_ok && after_ok {
            return true;
        }
        start = at + needle.len().max(1);
        while start < hay.len() && !hay.is_char_boundary(start) {
            start += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(fold("  Ürümqi, XUAR "), "urumqi xuar");
        assert_eq!(
            fold("Shenzhen Hua'antai Co., Ltd."),
            "shenzhen huaantai co ltd"
        );
        assert_eq!(fold("石河子市 (Shihezi)"), "石河子市 shihezi");
    }

    #[test]
    fn word_containment_respects_boundaries() {
        assert!(contains_words("hami city", "hami"));
        assert!(!contains_words("hamilton", "hami"));
        assert!(contains_words("no 1 kashgar road", "kashgar road"));
        assert!(!contains_words("", "x"));
    }
}
