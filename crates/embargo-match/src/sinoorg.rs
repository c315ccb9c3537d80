//! Chinese organisation names by their parts.
//!
//! A PRC enterprise name is regulated as administrative division + trade
//! name (字号) + industry (行业) + organisational form (组织形式):
//! 北京旷视科技有限公司 = Beijing + 旷视 (Megvii) + 科技 (technology) +
//! 有限公司 (Co., Ltd.); organs of state are division + organ (新疆 +
//! 公安厅). English renderings drop or reorder the parts ("Megvii
//! Technology", "Beijing Megvii Technology Co., Ltd.").
//!
//! This module reads both scripts into the same parts, from two tables:
//! - `data/cn_divisions.tsv`, a gazetteer of provinces, prefectures and
//!   the Xinjiang places named on the lists: every Chinese form and every
//!   Latin spelling (pinyin, postal, Wade-Giles, Uyghur-derived: Kashgar =
//!   Kashi = 喀什) reads as one word, tagged `TokenRole::Region`;
//! - `data/cn_industry_terms.tsv`, industry, organ and form terms: the Han
//!   term and every Latin variant (pinyin "keji", "sci tech", "tech")
//!   read as one English rendering ("technology").
//!
//! The aligner then treats the parts as the law builds them: the trade
//! name carries identity; a division or industry word only one name has
//! costs little (a qualifier), two different ones on both sides conflict,
//! and matching ones count (see `align::score_of`).

use embargo_model::table::{self, TableError};
use rustc_hash::FxHashMap;
use std::sync::LazyLock;

struct Tables {
    /// Latin spelling of a division -> the spelling it is compared under.
    division: FxHashMap<&'static str, &'static str>,
    /// (Han form, English rendering) of divisions and terms.
    han: Vec<(&'static str, &'static str)>,
    /// Words of the English renderings of industry and organ terms.
    industry: rustc_hash::FxHashSet<&'static str>,
    /// First word of a Latin variant -> (variant words, English rendering),
    /// longest variant first.
    latin: FxHashMap<&'static str, Vec<(Vec<&'static str>, &'static str)>>,
}

fn tables() -> &'static Tables {
    static T: LazyLock<Tables> = LazyLock::new(|| {
        table::expect_parsed(parse(
            data_file!("cn_divisions.tsv"),
            data_file!("cn_industry_terms.tsv"),
        ))
    });
    &T
}

fn is_latin_words(s: &str) -> bool {
    !s.is_empty()
        && s.split(' ')
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
}

fn is_han(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn parse(
    (dfile, dtext): (&str, &'static str),
    (tfile, ttext): (&str, &'static str),
) -> Result<Tables, TableError> {
    let mut t = Tables {
        division: FxHashMap::default(),
        han: Vec::new(),
        industry: Default::default(),
        latin: FxHashMap::default(),
    };
    for row in table::rows::<4>(dfile, dtext)? {
        let [english, level, han, variants] = row.fields;
        if !matches!(level, "province" | "prefecture" | "county") {
            return Err(row.error(dfile, format!("unknown level {level:?}")));
        }
        if !is_latin_words(english) || english.contains(' ') {
            return Err(row.error(dfile, "the English name must be one lower-case word"));
        }
        for h in han.split(' ') {
            if !is_han(h) {
                return Err(row.error(dfile, format!("not a Han form: {h:?}")));
            }
            t.han.push((h, english));
        }
        let spellings = std::iter::once(english).chain(variants.split(' ').filter(|v| *v != "-"));
        for v in spellings {
            if !is_latin_words(v) || v.contains(' ') || !(2..=MAX_WORD).contains(&v.len()) {
                return Err(row.error(dfile, format!("not one lower-case word: {v:?}")));
            }
            if t.division.insert(v, english).is_some_and(|e| e != english) {
                return Err(row.error(dfile, format!("{v:?} names two divisions")));
            }
        }
    }
    for row in table::rows::<4>(tfile, ttext)? {
        let [han, english, variants, role] = row.fields;
        if !matches!(role, "term" | "organ") {
            return Err(row.error(
                tfile,
                format!("unknown role {role:?}; expected term or organ"),
            ));
        }
        if !is_han(han) {
            return Err(row.error(tfile, "the term must be Han characters only"));
        }
        if !is_latin_words(english) {
            return Err(row.error(tfile, "the English rendering must be lower-case words"));
        }
        t.han.push((han, english));
        // Only industry and form words are excused when one name lacks
        // them; an organ's words identify the body.
        if role == "term" {
            t.industry.extend(english.split(' '));
        }
        for v in variants.split('|').filter(|v| *v != "-") {
            if !is_latin_words(v) {
                return Err(row.error(tfile, format!("not lower-case words: {v:?}")));
            }
            let words: Vec<&'static str> = v.split(' ').collect();
            if !(2..=MAX_WORD).contains(&words[0].len()) {
                return Err(row.error(tfile, format!("first word too short or long: {v:?}")));
            }
            if words.join(" ") == english {
                continue;
            }
            t.latin.entry(words[0]).or_default().push((words, english));
        }
    }
    for v in t.latin.values_mut() {
        v.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
    }
    Ok(t)
}

/// The Han forms of divisions and terms with their English reading, for
/// the Han translation (after `han_terms.tsv`, which wins).
pub(crate) fn han_entries() -> &'static [(&'static str, &'static str)] {
    &tables().han
}

/// True for a word of an industry or organ term's English rendering
/// ("digital", "technology", "textiles", "prison").
pub(crate) fn is_industry_word(t: &str) -> bool {
    tables().industry.contains(t)
}

/// True for a Chinese division as it is compared (`beijing`, `kashgar`).
pub(crate) fn is_division(t: &str) -> bool {
    (4..=MAX_WORD).contains(&t.len()) && tables().division.get(t).is_some_and(|c| *c == t)
}

/// No division spelling or first word of a variant is longer (checked at
/// parse time): longer words need no look-up.
const MAX_WORD: usize = 20;

/// Reads the Latin variants of division names and industry, organ and
/// form terms as their compared spelling ("kashi" -> "kashgar", "keji" ->
/// "technology", "youxian gongsi" -> "co ltd").
pub(crate) fn rewrite_latin(tokens: Vec<String>) -> Vec<String> {
    let t = tables();
    let known = |x: &String| {
        (2..=MAX_WORD).contains(&x.len())
            && (t.latin.contains_key(x.as_str()) || t.division.contains_key(x.as_str()))
    };
    let Some(first) = tokens.iter().position(known) else {
        return tokens;
    };
    let mut out = Vec::with_capacity(tokens.len());
    out.extend_from_slice(&tokens[..first]);
    let mut i = first;
    while i < tokens.len() {
        let tok = tokens[i].as_str();
        let term = t.latin.get(tok).and_then(|cands| {
            cands.iter().find(|(words, _)| {
                tokens.len() - i >= words.len()
                    && words
                        .iter()
                        .zip(&tokens[i..])
                        .all(|(w, x)| *w == x.as_str())
            })
        });
        if let Some((words, english)) = term {
            out.extend(english.split(' ').map(String::from));
            i += words.len();
        } else if let Some(d) = t.division.get(tok) {
            out.push((*d).to_string());
            i += 1;
        } else {
            out.push(tokens[i].clone());
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> String {
        rewrite_latin(s.split(' ').map(String::from).collect()).join(" ")
    }

    #[test]
    fn tables_parse() {
        let t = tables();
        assert_eq!(t.division["kashi"], "kashgar");
        assert_eq!(t.division["wulumuqi"], "urumqi");
        assert!(t.han.contains(&("乌鲁木齐市", "urumqi")));
        assert!(t.han.contains(&("科技", "technology")));
        assert!(is_division("beijing") && !is_division("peking"));
    }

    #[test]
    fn latin_variants_read_as_the_compared_spelling() {
        assert_eq!(r("megvii tech"), "megvii technology");
        assert_eq!(
            r("haiguang xinxi jishu youxian gongsi"),
            "haiguang information technology co ltd"
        );
        assert_eq!(
            r("kashi public security bureau"),
            "kashgar public security bureau"
        );
        assert_eq!(r("peking sci tech"), "beijing technology");
        assert_eq!(r("vladimir putin"), "vladimir putin");
    }

    #[test]
    fn bad_rows_are_errors_naming_the_line() {
        let d = ("d.tsv", "x\tcity\t北京\t-\n");
        let e = parse(d, ("t.tsv", "")).err().unwrap();
        assert_eq!(e.to_string(), "d.tsv:1: unknown level \"city\"");
        let d = ("d.tsv", "aa\tcounty\t北京\tbb\ncc\tcounty\t南京\tbb\n");
        let e = parse(d, ("t.tsv", "")).err().unwrap();
        assert_eq!(e.to_string(), "d.tsv:2: \"bb\" names two divisions");
        let e = parse(("d.tsv", ""), ("t.tsv", "科技\tTech\t-\n"))
            .err()
            .unwrap();
        assert!(e.to_string().starts_with("t.tsv:1:"), "{e}");
    }
}
