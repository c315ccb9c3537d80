//! Trade names learnt from bilingual aliases.
//!
//! A firm chooses the Latin form of its trade name (字号) itself:
//! 海康威视 is "Hikvision", 烽火 "FiberHome", 今创 "KTK". No rule of
//! romanisation gives them, and they are never written here per firm.
//! They are learnt from the loaded lists: where one entity has a name in
//! Han characters (or in pinyin: "Nanjing Fenghuo Xingkong Communication
//! Development Co.") and a Latin name ("Nanjing FiberHome Starrysky
//! Communication Development Co."), both are read by their parts
//! (`sinoorg`: division, trade name, industry, form) and what is left, the
//! trade name of each, is a pair: fenghuo xingkong = fiberhome starrysky
//! (and, with as many words on both sides, fenghuo = fiberhome).
//!
//! A query whose trade name (its pinyin, joined) is a learnt key is also
//! screened with the Latin trade name in its place, so 烽火科技集团有限公司
//! finds "FiberHome Technologies Group", which has no Chinese alias.
//!
//! What the lexicon knows is only what the entities the matcher was built
//! from say: each pair keeps the dataset and record it was learnt from,
//! a screen limited to some datasets uses only pairs learnt from them,
//! and the hit's explanation names the pair and its record
//! (`Explanation::lexicon`).

#[cfg(test)]
use crate::analyze::analyze;
use crate::analyze::Form;
use crate::symbols::TokenRole;
#[cfg(test)]
use embargo_model::Entity;
use embargo_model::Schema;
use std::collections::BTreeMap;

/// Most syllables a learnt trade name may have (a 字号 has two to four
/// characters; six leaves room for a pinyin alias of two trade names).
const MAX_SYLLABLES: usize = 6;
/// Most Latin words a learnt trade name may have.
const MAX_WORDS: usize = 3;
/// Most Latin readings kept for one key.
const MAX_READINGS: usize = 4;

/// One learnt reading of a trade name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Reading {
    /// The Latin trade name, lower-case words.
    pub latin: String,
    /// Dataset of the record it was learnt from.
    pub dataset: String,
    /// Id of that record.
    pub entity: String,
}

/// Pinyin trade name (syllables joined, "haikangweishi") -> readings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Lexicon {
    map: BTreeMap<String, Vec<Reading>>,
}

/// The trade-name part of a form: its words that are no division,
/// industry, organ or form term, generic word, particle or number.
fn trade_words(f: &Form) -> Vec<&str> {
    f.toks
        .iter()
        .filter(|t| {
            t.role == TokenRole::Word
                && !t.generic
                && !crate::sinoorg::is_industry_word(&t.text)
                && t.text.is_ascii()
        })
        .map(|t| &*t.text)
        .collect()
}

/// Whether every word is a run of Chinese syllables.
fn all_syllables(words: &[&str]) -> bool {
    !words.is_empty() && words.iter().all(|w| crate::sino::key(w).is_some())
}

/// The (key, Latin) pairs one entity's names teach.
#[cfg(test)]
pub(crate) fn pairs_of(e: &Entity) -> Vec<(String, String)> {
    let forms: Vec<(u16, Form)> = e
        .names
        .iter()
        .enumerate()
        .flat_map(|(i, n)| {
            analyze(&n.value, Some(e.schema))
                .into_iter()
                .map(move |f| (i as u16, f))
        })
        .collect();
    pairs_from_forms(e.schema, forms.iter().map(|(i, f)| (*i, f)))
}

/// [`pairs_of`] over the analysed forms of an entity's names (name index,
/// form; a name's forms consecutive), as the index builders hold them.
pub(crate) fn pairs_from_forms<'a>(
    schema: Schema,
    forms: impl Iterator<Item = (u16, &'a Form)>,
) -> Vec<(String, String)> {
    if matches!(schema, Schema::Person) {
        return vec![];
    }
    let mut by_name: Vec<(u16, Vec<&Form>)> = Vec::new();
    for (i, f) in forms {
        match by_name.last_mut() {
            Some((j, v)) if *j == i => v.push(f),
            _ => by_name.push((i, vec![f])),
        }
    }
    if by_name.len() < 2 {
        return vec![];
    }
    let mut sinitic: Vec<Vec<String>> = Vec::new();
    let mut latin: Vec<Vec<String>> = Vec::new();
    for (_, forms) in &by_name {
        if let Some(f) = forms.iter().find(|f| f.han && !f.native) {
            let w = trade_words(f);
            if (2..=MAX_SYLLABLES).contains(&w.len()) && all_syllables(&w) {
                sinitic.push(w.iter().map(|s| s.to_string()).collect());
            }
            continue;
        }
        let Some(f) = forms.first().filter(|f| !f.romanised && !f.syllabic) else {
            continue;
        };
        let w = trade_words(f);
        if w.is_empty() || w.len() > MAX_SYLLABLES {
            continue;
        }
        if all_syllables(&w) {
            sinitic.push(w.iter().map(|s| s.to_string()).collect());
        } else if w.len() <= MAX_WORDS {
            latin.push(w.iter().map(|s| s.to_string()).collect());
        }
    }
    let mut out = Vec::new();
    for s in &sinitic {
        let key: String = s.concat();
        // One syllable says too little ("zhou").
        if !(4..=24).contains(&key.len()) || (s.len() == 1 && crate::sino::is_syllable(&s[0])) {
            continue;
        }
        for l in &latin {
            // A Latin name that is the pinyin itself teaches nothing.
            if l.concat() == key {
                continue;
            }
            out.push((key.clone(), l.join(" ")));
            // Word for word when both sides have as many (pinyin aliases
            // written word by word: fenghuo xingkong = fiberhome starrysky).
            if s.len() == l.len() && s.len() > 1 {
                for (a, b) in s.iter().zip(l) {
                    if a != b && a.len() >= 4 && !crate::sino::is_syllable(a) {
                        out.push((a.clone(), b.clone()));
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

impl Lexicon {
    /// The lexicon of `entities`, deterministic (sorted, de-duplicated).
    #[cfg(test)]
    pub(crate) fn learn<'a>(entities: impl Iterator<Item = &'a Entity>) -> Lexicon {
        let mut lx = Lexicon::default();
        for e in entities {
            lx.add(&e.dataset, e.id.as_str(), pairs_of(e));
        }
        lx.finish();
        lx
    }

    /// Adds one entity's pairs (see [`pairs_of`]); call `finish` after
    /// the last.
    pub(crate) fn add(&mut self, dataset: &str, entity: &str, pairs: Vec<(String, String)>) {
        for (k, latin) in pairs {
            self.map.entry(k).or_default().push(Reading {
                latin,
                dataset: dataset.to_string(),
                entity: entity.to_string(),
            });
        }
    }

    /// Sorts and caps the readings of every key.
    pub(crate) fn finish(&mut self) {
        for v in self.map.values_mut() {
            v.sort();
            v.dedup();
            v.truncate(MAX_READINGS);
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Readings of `key` learnt from a dataset `allowed` accepts.
    pub(crate) fn readings<'a>(
        &'a self,
        key: &str,
        allowed: &'a dyn Fn(&str) -> bool,
    ) -> impl Iterator<Item = &'a Reading> + 'a {
        self.map
            .get(key)
            .into_iter()
            .flatten()
            .filter(move |r| allowed(&r.dataset))
    }

    /// The index file section: one line per reading, tab-separated.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = String::new();
        for (k, v) in &self.map {
            for r in v {
                out.push_str(&format!("{k}\t{}\t{}\t{}\n", r.latin, r.dataset, r.entity));
            }
        }
        out.into_bytes()
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<Lexicon, crate::IndexError> {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| crate::IndexError::Section("m.lexicon is not UTF-8".into()))?;
        let mut lx = Lexicon::default();
        for (i, line) in text.lines().enumerate() {
            let f: Vec<&str> = line.split('\t').collect();
            let [k, latin, dataset, entity] = f[..] else {
                return Err(crate::IndexError::Section(format!(
                    "m.lexicon line {}: 4 fields expected",
                    i + 1
                )));
            };
            lx.map.entry(k.to_string()).or_default().push(Reading {
                latin: latin.to_string(),
                dataset: dataset.to_string(),
                entity: entity.to_string(),
            });
        }
        Ok(lx)
    }

    /// The query's names with a learnt Latin trade name in place of its
    /// pinyin one: a form whose trade words (every word that is no
    /// division, industry, organ or form term, generic word or number)
    /// stand together and, joined, are a learnt key; one name per
    /// reading. Each comes with what it stands on ("haikangweishi =
    /// hikvision, a trade name learnt from <record> in <dataset>").
    pub(crate) fn expand<'f>(
        &self,
        forms: impl IntoIterator<Item = &'f Form>,
        allowed: &dyn Fn(&str) -> bool,
    ) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        if self.is_empty() {
            return out;
        }
        for f in forms.into_iter().filter(|f| !f.native) {
            let toks = &f.toks;
            let trade: Vec<usize> = (0..toks.len())
                .filter(|&i| {
                    let t = &toks[i];
                    t.role == TokenRole::Word
                        && !t.generic
                        && !crate::sinoorg::is_industry_word(&t.text)
                })
                .collect();
            let (Some(&i), Some(&last)) = (trade.first(), trade.last()) else {
                continue;
            };
            let j = last + 1;
            if j - i != trade.len() || trade.len() > MAX_SYLLABLES {
                continue;
            }
            let key: String = toks[i..j].iter().map(|t| &*t.text).collect();
            for r in self.readings(&key, allowed) {
                let mut words: Vec<&str> = toks[..i].iter().map(|t| &*t.text).collect();
                words.push(&r.latin);
                words.extend(toks[j..].iter().map(|t| &*t.text));
                let name = words.join(" ");
                if !out.iter().any(|o| o.0 == name) {
                    let note = format!(
                        "{key} = {} (a trade name learnt from {} in {})",
                        r.latin, r.entity, r.dataset
                    );
                    out.push((name, note));
                }
                if out.len() >= MAX_READINGS {
                    return out;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embargo_model::{EntityId, NameKind};

    fn org(ds: &str, key: &str, names: &[&str]) -> Entity {
        let mut e = Entity::new(EntityId::new(ds, key), Schema::Organization, ds, names[0]);
        for n in &names[1..] {
            e.add_name(n, NameKind::Alias);
        }
        e
    }

    #[test]
    fn han_and_pinyin_aliases_teach_the_latin_trade_name() {
        let a = org(
            "x",
            "hik",
            &[
                "Hangzhou Hikvision Digital Technology Co., Ltd.",
                "杭州海康威视数字技术股份有限公司",
            ],
        );
        assert_eq!(
            pairs_of(&a),
            vec![("haikangweishi".to_string(), "hikvision".to_string())]
        );
        let b = org(
            "x",
            "fh",
            &[
                "Nanjing FiberHome Starrysky Communication Development Co.",
                "Nanjing Fenghuo Xingkong Communication Development Co.",
            ],
        );
        let p = pairs_of(&b);
        assert!(p.contains(&("fenghuo".into(), "fiberhome".into())), "{p:?}");
        assert!(
            p.contains(&("fenghuoxingkong".into(), "fiberhome starrysky".into())),
            "{p:?}"
        );
        // Persons teach nothing; one script alone teaches nothing.
        let mut person = org("x", "p", &["Chen Quanguo", "陈全国"]);
        person.schema = Schema::Person;
        assert!(pairs_of(&person).is_empty());
        assert!(pairs_of(&org("x", "d", &["Dahua Technology"])).is_empty());
    }

    #[test]
    fn a_query_is_expanded_only_with_pairs_from_allowed_datasets() {
        let lx = Lexicon::learn(
            [org(
                "pack",
                "hik",
                &[
                    "Hangzhou Hikvision Digital Technology Co., Ltd.",
                    "杭州海康威视数字技术股份有限公司",
                ],
            )]
            .iter(),
        );
        let q = analyze("海康威视数字技术有限公司", Some(Schema::Organization));
        let all = lx.expand(&q, &|_| true);
        assert!(
            all.iter()
                .any(|(n, _)| n.starts_with("hikvision digital technology")),
            "{all:?}"
        );
        assert!(all[0].1.contains("x:hik") || all[0].1.contains("pack:hik"));
        assert!(lx.expand(&q, &|d| d != "pack").is_empty());
        // The section round-trips.
        assert_eq!(Lexicon::decode(&lx.encode()).unwrap(), lx);
    }
}
