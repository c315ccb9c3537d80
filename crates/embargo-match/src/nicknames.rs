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

use embargo_model::table::{self, TableError};
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::LazyLock;

/// The table of `data/nicknames.tsv`: short form → the full names it is a
/// short form of, and every name it holds (short or full).
struct Nicknames {
    full: FxHashMap<&'static str, Vec<&'static str>>,
    all: FxHashSet<&'static str>,
}

fn nicknames() -> &'static Nicknames {
    static T: LazyLock<Nicknames> =
        LazyLock::new(|| table::expect_parsed(parse(data_file!("nicknames.tsv"))));
    &T
}

fn parse((file, text): (&str, &'static str)) -> Result<Nicknames, TableError> {
    let mut t = Nicknames {
        full: FxHashMap::default(),
        all: FxHashSet::default(),
    };
    for row in table::rows::<2>(file, text)? {
        let [short, full] = row.fields;
        let names: Vec<&'static str> = full.split('|').collect();
        let bad = |n: &&str| n.is_empty() || !n.bytes().all(|b| b.is_ascii_lowercase());
        if let Some(n) = std::iter::once(short)
            .chain(names.iter().copied())
            .find(bad)
        {
            return Err(row.error(file, format!("{n:?} is not a lower-case ASCII name")));
        }
        t.all.insert(short);
        t.all.extend(names.iter().copied());
        if t.full.insert(short, names).is_some() {
            return Err(row.error(file, format!("{short:?} given twice")));
        }
    }
    Ok(t)
}

/// Similarity of a short form and its full name.
pub(crate) const NICKNAME_SIM: f32 = 0.9;

/// Whether `t` is a short or a full name of the table.
pub(crate) fn known(t: &str) -> bool {
    nicknames().all.contains(t)
}

/// `NICKNAME_SIM` when one token is an established short form of the
/// other, else 0.
pub(crate) fn sim(a: &str, b: &str) -> f32 {
    let table = &nicknames().full;
    let of = |short: &str, full: &str| table.get(short).is_some_and(|fs| fs.contains(&full));
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
    fn the_table_parses_with_every_full_name() {
        let t = parse(data_file!("nicknames.tsv")).unwrap();
        assert_eq!(t.full.len(), 66);
        assert_eq!(t.full["ted"], ["edward", "theodore"]);
        assert_eq!(t.full["dima"], ["dmitriy", "dmitry", "dmitri", "dmitrii"]);
        assert!(t.all.contains("yevgeniya") && !t.all.contains("ben"));
        let bad = parse(("n.tsv", "bill\twilliam\nbob\trobert||\n"));
        assert_eq!(bad.err().unwrap().line, 2);
    }

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
