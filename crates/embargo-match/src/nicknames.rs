//! Hypocoristics: the established short or pet forms of common given names
//! (Bill = William, Fritz = Friedrich, Sasha = Aleksandr), which share too
//! few letters with the full name for spelling similarity to find them.
//!
//! The table is deliberately small: only forms that dictionaries of English,
//! German and Russian given names list as the usual hypocoristic of that
//! name. Forms that are also common words or other names in their own right
//! in sanctions lists are left out (Ben is the Arabic "son of", Bibi a name
//! of its own), as are nicknames of one person (Barry for Barack Obama).
//! Russian names are given in the spellings that transliteration produces
//! (Dmitriy, Dmitry, Dmitri).

use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::OnceLock;

/// Short form → the full names it is a short form of.
const TABLE: &[(&str, &[&str])] = &[
    // English
    ("bill", &["william"]),
    ("billy", &["william"]),
    ("will", &["william"]),
    ("bob", &["robert"]),
    ("bobby", &["robert"]),
    ("rob", &["robert"]),
    ("dick", &["richard"]),
    ("rick", &["richard"]),
    ("ted", &["edward", "theodore"]),
    ("ed", &["edward"]),
    ("eddie", &["edward"]),
    ("ned", &["edward"]),
    ("jim", &["james"]),
    ("jimmy", &["james"]),
    ("tom", &["thomas"]),
    ("mike", &["michael"]),
    ("dave", &["david"]),
    ("tony", &["anthony", "antony"]),
    ("joe", &["joseph"]),
    ("chuck", &["charles"]),
    ("charlie", &["charles"]),
    ("harry", &["henry"]),
    ("hank", &["henry"]),
    ("jack", &["john"]),
    ("peggy", &["margaret"]),
    ("liz", &["elizabeth"]),
    ("beth", &["elizabeth"]),
    ("betty", &["elizabeth"]),
    ("kate", &["katherine", "catherine"]),
    ("cathy", &["catherine"]),
    ("kathy", &["katherine"]),
    ("larry", &["lawrence", "laurence"]),
    ("steve", &["stephen", "steven"]),
    ("andy", &["andrew"]),
    ("nick", &["nicholas"]),
    ("chris", &["christopher"]),
    ("matt", &["matthew"]),
    ("greg", &["gregory"]),
    ("tim", &["timothy"]),
    ("sam", &["samuel"]),
    ("fred", &["frederick"]),
    // German
    ("hans", &["johannes"]),
    ("sepp", &["josef", "joseph"]),
    ("fritz", &["friedrich"]),
    ("franz", &["franziskus"]),
    ("gretel", &["margarete"]),
    // Russian
    (
        "sasha",
        &["aleksandr", "alexander", "aleksandra", "alexandra"],
    ),
    ("misha", &["mikhail"]),
    ("volodya", &["vladimir"]),
    ("vova", &["vladimir"]),
    ("dima", &["dmitriy", "dmitry", "dmitri", "dmitrii"]),
    ("kolya", &["nikolay", "nikolai"]),
    ("seryozha", &["sergey", "sergei"]),
    ("vanya", &["ivan"]),
    ("alyosha", &["aleksey", "alexey", "alexei", "aleksei"]),
    ("pasha", &["pavel"]),
    (
        "zhenya",
        &[
            "yevgeniy",
            "yevgeny",
            "evgeny",
            "evgeniy",
            "yevgeniya",
            "evgeniya",
        ],
    ),
    ("natasha", &["natalya", "natalia"]),
    ("tanya", &["tatyana", "tatiana"]),
    ("masha", &["mariya", "maria"]),
    ("katya", &["yekaterina", "ekaterina"]),
    ("nastya", &["anastasiya", "anastasia"]),
    ("kostya", &["konstantin"]),
    ("grisha", &["grigoriy", "grigory"]),
    ("yura", &["yuriy", "yuri"]),
    ("slava", &["vyacheslav", "yaroslav", "stanislav"]),
];

/// Similarity of a short form and its full name.
pub(crate) const NICKNAME_SIM: f32 = 0.9;

fn table() -> &'static FxHashMap<&'static str, &'static [&'static str]> {
    static T: OnceLock<FxHashMap<&'static str, &'static [&'static str]>> = OnceLock::new();
    T.get_or_init(|| TABLE.iter().copied().collect())
}

/// Whether `t` is a short or a full name of the table.
pub(crate) fn known(t: &str) -> bool {
    static ALL: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    ALL.get_or_init(|| {
        TABLE
            .iter()
            .flat_map(|(short, full)| std::iter::once(*short).chain(full.iter().copied()))
            .collect()
    })
    .contains(t)
}

/// `NICKNAME_SIM` when one token is an established short form of the
/// other, else 0.
pub(crate) fn sim(a: &str, b: &str) -> f32 {
    let of = |short: &str, full: &str| table().get(short).is_some_and(|fs| fs.contains(&full));
    if of(a, b) || of(b, a) {
        NICKNAME_SIM
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_match_their_full_names_only() {
        assert_eq!(sim("bill", "william"), NICKNAME_SIM);
        assert_eq!(sim("theodore", "ted"), NICKNAME_SIM);
        assert_eq!(sim("sasha", "aleksandr"), NICKNAME_SIM);
        assert_eq!(sim("fritz", "friedrich"), NICKNAME_SIM);
        assert_eq!(sim("bill", "robert"), 0.0);
        assert_eq!(sim("william", "william"), 0.0);
        assert_eq!(sim("ben", "benjamin"), 0.0);
        assert_eq!(sim("barry", "barack"), 0.0);
        assert!(known("ted") && known("theodore") && !known("barack"));
    }
}
