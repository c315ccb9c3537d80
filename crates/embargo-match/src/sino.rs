//! Chinese syllables across romanisation systems: Hanyu Pinyin (Xi Jinping,
//! Mao Zedong) and Wade-Giles as written without its apostrophes (Hsi
//! Chin-ping, Mao Tse-tung), which Taiwan, Hong Kong and older records use.
//!
//! A token that reads as a run of Chinese syllables gets a *sino key*: per
//! syllable, the class of its initial and its final in one spelling.
//! Wade-Giles writes unaspirated and aspirated pairs with one letter once
//! the apostrophe is gone (ch = pinyin zh, j, ch or q; t = d or t; k = g or
//! k; p = b or p; ts/tz = z or c), so those pairs share a class; hs is x, j
//! is r; the finals ung, ih, ieh, ien, ueh are ong, i, ie, ian, ue.
//!
//! Keys are compared only when at least one of the two names shows a
//! Wade-Giles spelling (an hs or ts/tz initial, or an ung, ih, ieh or ien
//! final): between two pinyin or English names the merged classes would
//! make Dan equal to Tan.

use embargo_model::table::{self, TableError};
use rustc_hash::FxHashMap;
use std::sync::LazyLock;

/// Initials with their class (`data/wade_giles_initials.tsv`) and finals
/// with their key spelling (`data/wade_giles_finals.tsv`), in file order.
type Pairs = Vec<(&'static str, &'static str)>;

fn parse_pairs(
    (file, text): (&str, &'static str),
    key_ok: fn(&str) -> bool,
) -> Result<Pairs, TableError> {
    table::rows::<2>(file, text)?
        .into_iter()
        .map(|row| {
            let [spelling, key] = row.fields;
            if !spelling.bytes().all(|b| b.is_ascii_lowercase()) || !key_ok(key) {
                return Err(row.error(file, format!("bad spelling {spelling:?} or key {key:?}")));
            }
            Ok((spelling, key))
        })
        .collect()
}

fn initials() -> Result<Pairs, TableError> {
    parse_pairs(data_file!("wade_giles_initials.tsv"), |k| {
        k.len() == 1 && k.bytes().all(|b| b.is_ascii_uppercase())
    })
}

fn finals() -> Result<Pairs, TableError> {
    parse_pairs(data_file!("wade_giles_finals.tsv"), |k| {
        k.bytes().all(|b| b.is_ascii_lowercase())
    })
}

/// Spellings only Wade-Giles uses.
fn wade_giles_marker(initial: &str, fin: &str) -> bool {
    matches!(initial, "hs" | "ts" | "tz")
        || matches!(fin, "ung" | "iung" | "ih" | "ieh" | "ien" | "ueh")
}

/// A syllable's key piece and whether its spelling is Wade-Giles only.
type Piece = (Box<str>, bool);

/// Every initial + final combination, with its key piece: built once, so
/// a token is segmented with a few hash lookups per letter.
fn syllables() -> &'static FxHashMap<Box<str>, Piece> {
    static T: LazyLock<FxHashMap<Box<str>, Piece>> = LazyLock::new(|| {
        let (initials, finals) = (
            table::expect_parsed(initials()),
            table::expect_parsed(finals()),
        );
        let mut t = FxHashMap::default();
        let initials = initials.into_iter().chain(std::iter::once(("", "")));
        for (ini, class) in initials {
            for &(fin, norm) in &finals {
                let piece = format!("{class}{norm}").into_boxed_str();
                let wg = wade_giles_marker(ini, fin);
                t.entry(format!("{ini}{fin}").into_boxed_str())
                    .or_insert((piece, wg));
            }
        }
        t
    });
    &T
}

/// Whether `w` is one Chinese syllable (pinyin or Wade-Giles).
pub(crate) fn is_syllable(w: &str) -> bool {
    syllables().contains_key(w)
}

/// Longest syllable in either system (zhuang, chiung).
const MAX_SYLLABLE: usize = 6;

/// The sino key of a token and whether it is spelt in Wade-Giles; `None`
/// when the token is not a run of Chinese syllables. The run with the
/// fewest syllables wins (xian is one syllable, not xi-an).
pub(crate) fn key(token: &str) -> Option<(String, bool)> {
    let n = token.len();
    if !(1..=24).contains(&n) || !token.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let t = syllables();
    // best[i]: (syllables covering token[..i], where the last one starts).
    let mut best = [(u8::MAX, 0u8); 25];
    best[0] = (0, 0);
    for i in 0..n {
        if best[i].0 == u8::MAX {
            continue;
        }
        for end in i + 1..=(i + MAX_SYLLABLE).min(n) {
            if best[i].0 + 1 < best[end].0 && t.contains_key(&token[i..end]) {
                best[end] = (best[i].0 + 1, i as u8);
            }
        }
    }
    if best[n].0 == u8::MAX {
        return None;
    }
    let mut bounds = vec![n];
    let mut end = n;
    while end > 0 {
        end = usize::from(best[end].1);
        bounds.push(end);
    }
    let mut out = String::with_capacity(n + 4);
    let mut wg = false;
    for w in bounds.windows(2).rev() {
        let (piece, marker) = &t[&token[w[1]..w[0]]];
        out.push_str(piece);
        wg |= *marker;
    }
    Some((out, wg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_syllable_tables_parse() {
        let (i, f) = (initials().unwrap(), finals().unwrap());
        assert_eq!((i.len(), f.len()), (26, 39));
        assert_eq!(i[0], ("zh", "J"));
        assert!(i.contains(&("hs", "X")) && i.contains(&("q", "J")));
        assert!(f.contains(&("ung", "ong")) && f.contains(&("ih", "i")));
        assert_eq!(f.last(), Some(&("u", "u")));
        let bad = parse_pairs(("w.tsv", "# h\nzh\tJ\nch\tj\n"), |k| k == "J");
        assert_eq!(bad.err().unwrap().line, 3);
    }

    #[test]
    fn wade_giles_and_pinyin_meet_on_one_key() {
        let k = |t: &str| key(t).map(|x| x.0);
        assert_eq!(k("jinping"), k("chinping"));
        assert_eq!(k("zedong"), k("tsetung"));
        assert_eq!(k("xi"), k("hsi"));
        assert_ne!(k("chen"), k("chiang"));
        assert_eq!(key("tsetung").map(|x| x.1), Some(true));
        assert_eq!(key("zedong").map(|x| x.1), Some(false));
    }

    #[test]
    fn wade_giles_names_meet_their_pinyin_spelling_and_only_then() {
        let p = Some(embargo_model::Schema::Person);
        let t = crate::DEFAULT_THRESHOLD;
        assert!(crate::compare_names(p, "Mao Tse-tung", "Mao Zedong") >= t);
        assert!(crate::compare_names(p, "Hsi Chin-ping", "Xi Jinping") >= t);
        // Different surnames stay different; without a Wade-Giles spelling
        // the merged classes are not used (Dan / Tan).
        assert!(crate::compare_names(p, "Chen Kai-shek", "Chiang Kai-shek") < t);
        let plain = crate::compare_names(p, "Dan Wei", "Tan Wei");
        assert!(plain < 0.85, "{plain}");
    }

    #[test]
    fn words_that_are_not_syllables_have_no_key() {
        assert_eq!(key("smith"), None);
        assert_eq!(key("john"), None);
        assert_eq!(key("Xi"), None);
        assert!(key("hangzhou").is_some());
    }
}
