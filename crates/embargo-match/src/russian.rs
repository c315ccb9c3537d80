//! Standard Russian organisation terms in English, the counterpart of the
//! Han term table in `text`: "Муромский приборостроительный завод" is
//! listed in English as "Murom Instrument-Making Plant", and no spelling
//! rule links *zavod* to *plant*.
//!
//! The translated reading is one more form of an organisation's name (never
//! of a person's): words of `data/russian_terms.tsv` become their English rendering,
//! adjectives made from a place name (*Муромский*, *Уральская*) become the
//! place (*murom*, *ural*), and every other word is romanised as usual.
//! Terms are matched by stem, so one entry covers the grammatical endings
//! (завод, завода, заводы).

use embargo_model::table::{self, TableError};
use std::sync::LazyLock;

/// Russian terms and their English rendering as usually found in list
/// entries (`data/russian_terms.tsv`): whole words ("word" in the file:
/// short words that would otherwise begin unrelated ones, газ / газета),
/// tried first, then stems, which match a word they begin, in file order.
struct Terms {
    words: Vec<(&'static str, &'static str)>,
    stems: Vec<(&'static str, &'static str)>,
}

fn terms() -> &'static Terms {
    static T: LazyLock<Terms> =
        LazyLock::new(|| table::expect_parsed(parse_terms(data_file!("russian_terms.tsv"))));
    &T
}

fn parse_terms((file, text): (&str, &'static str)) -> Result<Terms, TableError> {
    let mut t = Terms {
        words: vec![],
        stems: vec![],
    };
    for row in table::rows::<3>(file, text)? {
        let [russian, kind, english] = row.fields;
        if !russian.chars().all(is_cyrillic) || russian != russian.to_lowercase() {
            return Err(row.error(file, format!("{russian:?} is not lower-case Cyrillic")));
        }
        match kind {
            "word" => t.words.push((russian, english)),
            "stem" => t.stems.push((russian, english)),
            _ => return Err(row.error(file, format!("unknown match {kind:?}"))),
        }
    }
    Ok(t)
}

/// Adjective endings of "-sk-" adjectives made from place names.
const PLACE_ADJECTIVE: &[&str] = &[
    "ский",
    "ская",
    "ское",
    "ские",
    "ского",
    "ской",
    "ском",
    "ских",
    "скую",
    "цкий",
    "цкая",
    "цкое",
    "цкого",
];

fn is_cyrillic(c: char) -> bool {
    matches!(c as u32, 0x0400..=0x04FF)
}

/// True when `s` has a Cyrillic letter: the cheap test callers make before
/// normalising a name for `translated`.
pub(crate) fn has_cyrillic(s: &str) -> bool {
    s.chars().any(is_cyrillic)
}

/// The English reading of a lower-cased name with Cyrillic words, as text
/// for `text::romanise`; `None` when no word was translated (the plain
/// romanisation already is that form).
pub(crate) fn translated(lower: &str) -> Option<String> {
    if !has_cyrillic(lower) {
        return None;
    }
    let mut out = String::with_capacity(lower.len() * 2);
    let mut changed = false;
    let mut word = String::new();
    let mut flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        if let Some(english) = english(word) {
            out.push_str(english);
            changed = true;
        } else if let Some(place) = place_of(word) {
            out.push_str(place);
            changed = true;
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in lower.chars() {
        if is_cyrillic(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    changed.then_some(out)
}

fn english(word: &str) -> Option<&'static str> {
    let t = terms();
    t.words
        .iter()
        .find(|(w, _)| *w == word)
        .or_else(|| t.stems.iter().find(|(stem, _)| word.starts_with(stem)))
        .map(|(_, e)| *e)
}

/// The place an "-sk-" adjective is made from (муромский → муром,
/// уральская → урал); the stem keeps at least three letters. Adjectives
/// in -ческий (технический, "technical") are made from nouns, not places.
fn place_of(word: &str) -> Option<&str> {
    PLACE_ADJECTIVE
        .iter()
        .find_map(|e| word.strip_suffix(e))
        .filter(|stem| !stem.ends_with("че"))
        .map(|stem| stem.strip_suffix('ь').unwrap_or(stem))
        .filter(|stem| stem.chars().count() >= 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_term_table_parses_into_words_and_stems() {
        let t = parse_terms(data_file!("russian_terms.tsv")).unwrap();
        assert_eq!((t.words.len(), t.stems.len()), (3, 44));
        assert_eq!(t.words[1], ("газ", "gas"));
        assert_eq!(t.stems[0], ("завод", "plant"));
        assert_eq!(english("заводы"), Some("plant"));
        assert_eq!(english("газета"), None);
        let bad = parse_terms(("r.tsv", "завод\tstem\tplant\nZavod\tstem\tplant\n"));
        assert_eq!(bad.err().unwrap().line, 2);
    }

    #[test]
    fn terms_and_place_adjectives_are_read_in_english() {
        assert_eq!(
            translated("ао “муромский приборостроительный завод”").as_deref(),
            Some("ао “муром instrument making plant”")
        );
        assert_eq!(
            translated("уральская горно-металлургическая компания").as_deref(),
            Some("урал mining-metallurgical company")
        );
        assert_eq!(translated("газета"), None);
        assert_eq!(translated("технический"), None);
        assert_eq!(translated("газ").as_deref(), Some("gas"));
    }

    #[test]
    fn a_russian_company_name_meets_its_english_listing() {
        let s = crate::compare_names(
            Some(embargo_model::Schema::Company),
            "JSC Murom Instrument-Making Plant",
            "Акционерное общество “Муромский приборостроительный завод”",
        );
        assert!(s >= crate::DEFAULT_THRESHOLD, "{s}");
        // Persons' names are never translated: "Завод" is no one's name.
        let p = crate::compare_names(
            Some(embargo_model::Schema::Person),
            "Ivan Plant",
            "Иван Заводов",
        );
        assert!(p < crate::DEFAULT_THRESHOLD, "{p}");
    }

    #[test]
    fn names_without_terms_or_cyrillic_have_no_translated_reading() {
        assert_eq!(translated("владимир путин"), None);
        assert_eq!(translated("murom plant"), None);
        // Too short a stem to be a place: "Ский" is no adjective.
        assert_eq!(translated("ский"), None);
    }
}
