//! A consonant-skeleton phonetic key.
//!
//! Romanisations of the same name differ mostly in vowels and in how a
//! sound is spelt (Mohammed / Muhammad / محمد → `mhmd`; Qaddafi / Gaddafi /
//! Kadhafi; Prigozhin / Prigojine). The key keeps consonant classes in
//! order, drops vowels, `h`, `w` and `y`, and collapses repeats, so the
//! same key comes from Latin spellings and from abjad romanisations, where
//! short vowels are not written at all.

/// The key of one ASCII token; empty for tokens without consonants.
pub(crate) fn key(token: &str) -> String {
    let b = token.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut last = 0u8;
    let mut i = 0;
    // A leading vowel is kept as `a`: Ahmed and Mohamed must differ.
    if matches!(b.first(), Some(b'a' | b'e' | b'i' | b'o' | b'u')) {
        out.push('a');
        i = 1;
    }
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied().unwrap_or(0);
        let (class, step) = match (c, next) {
            (b'p', b'h') => (b'f', 2),
            (b'z', b'h') | (b'd', b'j') => (b'j', 2),
            (b'c', b'h') => (b'j', 2),
            (b's', b'h') => (b's', 2),
            (b'k', b'h') | (b'g', b'h') | (b'c', b'k') => (b'k', 2),
            (b't', b'h') | (b'd', b'h') => (b't', 2),
            (b'b' | b'p', _) => (b'b', 1),
            (b'f' | b'v', _) => (b'f', 1),
            (b'c' | b'k' | b'q' | b'g', _) => (b'k', 1),
            (b's' | b'z' | b'x', _) => (b's', 1),
            (b'd' | b't', _) => (b't', 1),
            (b'j', _) => (b'j', 1),
            (b'm' | b'n' | b'l' | b'r', _) => (c, 1),
            (b'0'..=b'9', _) => (c, 1),
            _ => (0, 1),
        };
        if class != 0 && class != last {
            out.push(class as char);
        }
        if class != 0 {
            last = class;
        }
        i += step;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::key;

    #[test]
    fn spelling_variants_share_a_key() {
        assert_eq!(key("mohammed"), key("muhammad"));
        assert_eq!(key("mohammed"), key("mhmd"));
        assert_eq!(key("qaddafi"), key("gaddafi"));
        assert_eq!(key("kadhafi"), key("gaddafi"));
        assert_eq!(key("prigozhin"), key("prigojine"));
        assert_eq!(key("hussein"), key("husayn"));
    }

    #[test]
    fn different_names_differ() {
        assert_ne!(key("putin"), key("pulin"));
        assert_ne!(key("erdogan"), key("erdem"));
        assert_ne!(key("ahmed"), key("mohamed"));
        assert_eq!(key("aeiou"), "a");
        assert_eq!(key("yyy"), "");
    }
}
