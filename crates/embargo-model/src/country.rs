//! ISO 3166-1 alpha-2 country codes.
//!
//! Lists spell countries as names ("China", "CHINA", "Korea, North"), codes
//! ("CN") or both. Parsers turn what they can into a `Country`; anything that
//! cannot be mapped stays in the free-text fields and is never guessed.
//!
//! The names come from one vocabulary, `data/countries.tsv` (compiled in,
//! parsed once at first use): per code its ISO short name
//! ([`Country::short_name`]), the spellings [`Country::from_name`] accepts,
//! the further list-file spellings [`Country::from_list_name`] accepts, and
//! the country words the matcher recognises in organisation names
//! ([`is_country_word`]).

use crate::table::TableError;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

/// An upper-case ISO 3166-1 alpha-2 code (plus the user-assigned `XK` for
/// Kosovo, which OFAC and the UN use).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 2]);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not an ISO 3166-1 alpha-2 country code: {0:?}")]
pub struct CountryError(pub String);

impl Country {
    /// Parses a two-letter code, case-insensitively.
    pub fn from_code(code: &str) -> Result<Self, CountryError> {
        let b = code.trim().as_bytes();
        if b.len() == 2 && b.iter().all(u8::is_ascii_alphabetic) {
            Ok(Country([
                b[0].to_ascii_uppercase(),
                b[1].to_ascii_uppercase(),
            ]))
        } else {
            Err(CountryError(code.to_string()))
        }
    }

    /// A country as a user writes it: an ISO 3166-1 alpha-2 code or, failing
    /// that, an English name `from_name` knows. Surrounding spaces are
    /// ignored.
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        Country::from_code(t).ok().or_else(|| Country::from_name(t))
    }

    /// Maps an English country name as lists write it ("China",
    /// "Korea, North", "Burma", "Hong Kong") to its code. Returns `None` for
    /// names it does not know rather than guessing.
    pub fn from_name(name: &str) -> Option<Self> {
        let key = name.trim().to_ascii_lowercase();
        let key = key.trim_end_matches('.');
        if key.len() == 2 {
            return Self::from_code(key).ok();
        }
        vocabulary().names.get(key).copied()
    }

    /// A country as list files write it: an ISO 3166-1 alpha-2 code, a
    /// name `from_name` knows, or one of the further spellings seen in
    /// list files ("State of Palestine", "Iran (Islamic Republic of)").
    /// What the parsers of `embargo-sources` use.
    pub fn from_list_name(s: &str) -> Option<Self> {
        let t = s.trim();
        if t.len() == 2 {
            return Country::from_code(t).ok();
        }
        Country::from_name(t).or_else(|| {
            vocabulary()
                .list_names
                .get(t.to_lowercase().as_str())
                .copied()
        })
    }

    /// The English short name ISO 3166-1 gives the code ("Korea (the
    /// Republic of)"), for display; `None` for a code the vocabulary does
    /// not hold.
    pub fn short_name(&self) -> Option<&'static str> {
        vocabulary().short_names.get(self).copied()
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII by construction")
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Country({})", self.as_str())
    }
}

impl FromStr for Country {
    type Err = CountryError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_code(s)
    }
}

impl Serialize for Country {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Country::from_code(&s).map_err(serde::de::Error::custom)
    }
}

/// `data/countries.tsv`: the one country vocabulary (see its header).
const FILE: (&str, &str) = (
    "embargo-model/data/countries.tsv",
    include_str!("../data/countries.tsv"),
);

/// The parsed vocabulary.
struct Vocabulary {
    /// Code → ISO 3166-1 English short name.
    short_names: HashMap<Country, &'static str>,
    /// Spellings `Country::from_name` accepts.
    names: HashMap<&'static str, Country>,
    /// Further spellings of list files (`Country::from_list_name`).
    list_names: HashMap<&'static str, Country>,
    /// Country words of organisation names (`is_country_word`).
    words: HashSet<&'static str>,
}

fn vocabulary() -> &'static Vocabulary {
    static V: LazyLock<Vocabulary> =
        LazyLock::new(|| crate::table::expect_parsed(parse(FILE.0, FILE.1)));
    &V
}

/// Parses the vocabulary text (`FILE`).
fn parse(file: &str, text: &'static str) -> Result<Vocabulary, TableError> {
    let mut v = Vocabulary {
        short_names: HashMap::new(),
        names: HashMap::new(),
        list_names: HashMap::new(),
        words: HashSet::new(),
    };
    let values = |f: &'static str| f.split('|').filter(|x| *x != "-");
    for row in crate::table::rows::<5>(file, text)? {
        let [code, short, names, list_names, words] = row.fields;
        let c = Country::from_code(code)
            .ok()
            .filter(|c| c.as_str() == code)
            .ok_or_else(|| row.error(file, format!("bad country code {code:?}")))?;
        if v.short_names.insert(c, short).is_some() {
            return Err(row.error(file, format!("code {code} given twice")));
        }
        for (column, map) in [(names, &mut v.names), (list_names, &mut v.list_names)] {
            for n in values(column) {
                if n != n.to_lowercase() || n.len() == 2 {
                    return Err(row.error(file, format!("{n:?}: not a lower-case name")));
                }
                if map.insert(n, c).is_some() {
                    return Err(row.error(file, format!("{n:?} names two countries")));
                }
            }
        }
        for w in values(words) {
            if !w.bytes().all(|b| b.is_ascii_lowercase()) {
                return Err(row.error(file, format!("{w:?}: not a lower-case ASCII word")));
            }
            v.words.insert(w);
        }
    }
    if let Some(n) = v.list_names.keys().find(|n| v.names.contains_key(*n)) {
        return Err(TableError {
            file: file.to_string(),
            line: 0,
            message: format!("{n:?} is both in names and in list_names"),
        });
    }
    Ok(v)
}

/// True for a one-word country name, adjective or endonym as organisation
/// names use them ("china", "czech", "deutschland", "rossiya"): the
/// `words` column of the vocabulary. `word` is lower-case ASCII.
pub fn is_country_word(word: &str) -> bool {
    vocabulary().words.contains(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_input_is_a_code_or_a_name() {
        assert_eq!(Country::parse(" cn "), Country::from_code("CN").ok());
        assert_eq!(Country::parse("China"), Country::from_code("CN").ok());
        assert_eq!(Country::parse("Atlantis"), None);
    }

    #[test]
    fn codes_are_validated_and_upper_cased() {
        assert_eq!(Country::from_code("cn").unwrap().as_str(), "CN");
        assert!(Country::from_code("CHN").is_err());
        assert!(Country::from_code("C1").is_err());
        assert!(Country::from_code("").is_err());
    }

    #[test]
    fn list_spellings_map_to_codes() {
        assert_eq!(Country::from_name("CHINA").unwrap().as_str(), "CN");
        assert_eq!(Country::from_name("Korea, North").unwrap().as_str(), "KP");
        assert_eq!(Country::from_name("Burma").unwrap().as_str(), "MM");
        assert_eq!(Country::from_name("Atlantis"), None);
    }

    #[test]
    fn the_vocabulary_parses_and_each_column_is_read() {
        let v = parse(FILE.0, FILE.1).unwrap();
        assert_eq!(v.names.len(), 243);
        assert_eq!(v.list_names.len(), 8);
        assert_eq!(v.words.len(), 115);
        assert_eq!(v.short_names.len(), 209);
        let code = |c: &str| Country::from_code(c).unwrap();
        assert_eq!(v.names["korea, south"], code("KR"));
        assert_eq!(v.names["côte d'ivoire"], code("CI"));
        assert_eq!(v.list_names["state of palestine"], code("PS"));
        assert_eq!(
            code("KP").short_name(),
            Some("Korea (the Democratic People's Republic of)")
        );
        assert_eq!(code("XK").short_name(), Some("Kosovo"));
        assert_eq!(code("QQ").short_name(), None);
        assert!(is_country_word("deutschland") && is_country_word("korea"));
        assert!(!is_country_word("jersey") && !is_country_word("europe"));
    }

    #[test]
    fn list_spellings_are_read_by_the_list_lookup_only() {
        let c = |s: &str| Country::from_list_name(s).map(|c| c.to_string());
        assert_eq!(c("CN").as_deref(), Some("CN"));
        assert_eq!(c(" Korea, North ").as_deref(), Some("KP"));
        assert_eq!(c("North Macedonia, The Republic of").as_deref(), Some("MK"));
        assert_eq!(c("Iran (Islamic Republic of)").as_deref(), Some("IR"));
        assert_eq!(c("possibly Palestinian"), None);
        assert_eq!(Country::from_name("State of Palestine"), None);
        assert_eq!(c("State of Palestine").as_deref(), Some("PS"));
    }

    #[test]
    fn bad_vocabulary_rows_are_named_by_line() {
        let e = parse(
            "c.tsv",
            "# h\nCN\tChina\tchina\t-\tchina\nXX\tX\tchina\t-\t-\n",
        );
        assert_eq!(
            e.err().unwrap().to_string(),
            "c.tsv:3: \"china\" names two countries"
        );
        let e = parse("c.tsv", "cn\tChina\tchina\t-\t-\n");
        assert_eq!(e.err().unwrap().line, 1);
    }

    #[test]
    fn serde_round_trip_rejects_bad_codes() {
        let c: Country = serde_json::from_str("\"hk\"").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"HK\"");
        assert!(serde_json::from_str::<Country>("\"Hong Kong\"").is_err());
    }
}
