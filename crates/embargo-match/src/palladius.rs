//! Chinese names in Russian: the Palladius transcription (Чэнь Цюаньго =
//! Chen Quanguo, Си Цзиньпин = Xi Jinping) read back as Hanyu Pinyin from
//! `data/palladius.tsv`. Generic Cyrillic romanisation gives "chen
//! tsyuango", which is as far from Quanguo as from Mingguo; the pinyin
//! reading tells them apart.

use embargo_model::table::{self, TableError};
use rustc_hash::FxHashMap;
use std::sync::LazyLock;

/// Longest Palladius syllable in letters (цзюань).
const MAX_SYLLABLE: usize = 6;

fn table() -> &'static FxHashMap<&'static str, &'static str> {
    static T: LazyLock<FxHashMap<&'static str, &'static str>> =
        LazyLock::new(|| table::expect_parsed(parse(data_file!("palladius.tsv"))));
    &T
}

fn parse(
    (file, text): (&str, &'static str),
) -> Result<FxHashMap<&'static str, &'static str>, TableError> {
    let mut t = FxHashMap::default();
    for row in table::rows::<2>(file, text)? {
        let [cyr, pinyin] = row.fields;
        let ok_cyr = cyr.chars().all(|c| ('\u{430}'..='\u{44f}').contains(&c));
        let ok_pinyin = pinyin.bytes().all(|b| b.is_ascii_lowercase());
        if !ok_cyr || !ok_pinyin || cyr.chars().count() > MAX_SYLLABLE {
            return Err(row.error(
                file,
                "expected a lower-case Cyrillic syllable and its pinyin",
            ));
        }
        if t.insert(cyr, pinyin).is_some() {
            return Err(row.error(file, format!("{cyr} given twice")));
        }
    }
    Ok(t)
}

/// The pinyin of one lower-case Cyrillic word that is a run of Palladius
/// syllables (the fewest), or `None`.
fn word(w: &str) -> Option<String> {
    let t = table();
    let chars: Vec<(usize, char)> = w.char_indices().collect();
    let n = chars.len();
    if n == 0 || n > 24 {
        return None;
    }
    let at = |i: usize| if i == n { w.len() } else { chars[i].0 };
    // best[i]: (syllables covering the first i letters, start of the last).
    let mut best = vec![(u8::MAX, 0usize); n + 1];
    best[0] = (0, 0);
    for i in 0..n {
        if best[i].0 == u8::MAX {
            continue;
        }
        for end in i + 1..=(i + MAX_SYLLABLE).min(n) {
            if best[i].0 + 1 < best[end].0 && t.contains_key(&w[at(i)..at(end)]) {
                best[end] = (best[i].0 + 1, i);
            }
        }
    }
    if best[n].0 == u8::MAX {
        return None;
    }
    let mut parts = Vec::new();
    let mut end = n;
    while end > 0 {
        let start = best[end].1;
        parts.push(t[&w[at(start)..at(end)]]);
        end = start;
    }
    parts.reverse();
    Some(parts.concat())
}

/// The pinyin reading of a lower-case name of Cyrillic words, each a run
/// of Palladius syllables (one word only with a Palladius-only letter
/// group); `None` otherwise.
pub(crate) fn reading(name: &str) -> Option<Vec<String>> {
    let words: Vec<&str> = name
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty()
        || !words
            .iter()
            .all(|w| w.chars().all(|c| ('\u{430}'..='\u{451}').contains(&c)))
    {
        return None;
    }
    let out: Option<Vec<String>> = words.iter().map(|w| word(&w.replace('ё', "е"))).collect();
    // One word is read only when it is a given name of two or more
    // syllables spelt with letters Russian words rarely join so
    // (Чжиган = Zhigang, Цзюньцзе = Junjie, Мэнсюэ = Mengxue).
    if words.len() == 1 && !PALLADIUS_ONLY.iter().any(|m| words[0].contains(m)) {
        return None;
    }
    out
}

/// Letter groups of Palladius transcription that Russian spelling of
/// Russian (and most other) words does not use.
const PALLADIUS_ONLY: &[&str] = &[
    "цз", "чж", "сю", "цю", "ця", "сяо", "цзя", "цзе", "цзи", "шэ", "чэ", "жэ", "цэ", "сэ", "мэ",
    "нэ", "лэ", "вэ", "дэ", "тэ", "гэ", "кэ", "хэ", "бэ", "пэ", "ъюй", "юй", "юань", "эн", "эй",
    "ся",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_names_in_russian_read_as_pinyin() {
        assert_eq!(reading("чэнь цюаньго").unwrap(), ["chen", "quanguo"]);
        assert_eq!(reading("си цзиньпин").unwrap(), ["xi", "jinping"]);
        assert_eq!(reading("мао цзэдун").unwrap(), ["mao", "zedong"]);
        assert!(reading("владимир путин").is_none());
        assert!(reading("чэнь").is_some());
        assert_eq!(reading("чжиган").unwrap(), ["zhigang"]);
        assert!(reading("путин").is_none());
        assert!(reading("chen quanguo").is_none());
    }

    #[test]
    fn the_table_parses_and_bad_rows_are_errors() {
        assert_eq!(table()["цюань"], "quan");
        assert_eq!(table()["сы"], "si");
        let e = parse(("p.tsv", "ци\tqi\nци\tqi\n")).err().unwrap();
        assert_eq!(e.to_string(), "p.tsv:2: ци given twice");
    }
}
