//! Token roles: legal forms, stop words, numbers, initials.
//!
//! Legal forms are rewritten to one compare form per concept
//! (`aktiengesellschaft` → `ag`, `corporation` → `corp`,
//! `obshchestvo s ogranichennoy otvetstvennostyu` → `ooo`) and kept, with a
//! low weight: "Siemens AG" and "Siemens Aktiengesellschaft" are the same
//! company, but "Toyota Corp" and "Honda Corp" share nothing that matters.

use embargo_model::table::{self, TableError};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// What a token is, which decides its weight and how it may be matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenRole {
    Word,
    /// A legal form (`ltd`, `gmbh`, `ooo`), down-weighted.
    LegalForm,
    /// Particles and generic words (`of`, `the`, `al`, `bin`), down-weighted.
    Stop,
    /// Contains a digit; must match exactly.
    Number,
    /// A single letter, e.g. a given-name initial.
    Initial,
    /// A country name ("Chile", "Sweden"): in an organisation name it
    /// tells sister companies apart.
    Location,
    /// A region or reach ("Europe", "International", "Global") after an
    /// organisation's name: a qualifier a customer often leaves out
    /// ("Faberlic" for "Faberlic Europe Sp. z o.o."), unless both names
    /// carry a different one.
    Region,
}

impl TokenRole {
    /// Base weight before corpus frequency is taken into account.
    pub(crate) fn base_weight(self) -> f32 {
        match self {
            TokenRole::Word | TokenRole::Number | TokenRole::Location => 1.0,
            TokenRole::LegalForm | TokenRole::Region => 0.3,
            TokenRole::Stop => 0.3,
            TokenRole::Initial => 0.5,
        }
    }
}

/// The family of a legal form's compare form: forms of one family can be
/// translations of each other (JSC / OAO / AG), forms of different families
/// cannot (AG / GmbH). `None` for generic words (co, group, holding).
/// From `data/legal_form_families.tsv`.
pub(crate) fn legal_family(canon: &str) -> Option<u8> {
    legal().families.get(canon).copied()
}

/// Abbreviations of common words in organisation names, written out so
/// both spellings meet ("First Bank Int'l" = "First International Bank";
/// the apostrophe is dropped by the tokenizer). Only contractions that
/// are not words or names themselves.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("intl", "international"),
    ("natl", "national"),
    ("assn", "association"),
    ("assoc", "association"),
    ("univ", "university"),
    ("mfg", "manufacturing"),
    ("mgmt", "management"),
    ("dept", "department"),
    ("govt", "government"),
    ("svcs", "services"),
    ("bros", "brothers"),
];

/// Roman numerals that are not also initials: series and fund numbers.
const ROMAN: &[&str] = &[
    "ii", "iii", "iv", "vi", "vii", "viii", "ix", "xi", "xii", "xiii", "xiv", "xv",
];

/// Regions and reach words that qualify an organisation's name (see
/// `TokenRole::Region`). Not at the start, where they are the name
/// ("Global Witness", "Asia Bank").
const REGIONS: &[&str] = &[
    "europe",
    "european",
    "eurasia",
    "asia",
    "asian",
    "africa",
    "african",
    "america",
    "americas",
    "international",
    "global",
    "worldwide",
    "overseas",
];

/// True for a generic word of organisation names (`data/generic_words.txt`):
/// what a body does or is, not who it is. A match on such words alone
/// ("Management Company" against "Westminster Management Company") is no
/// match; in screening the corpus frequency says the same, but pair
/// scoring has no corpus.
pub(crate) fn is_generic(t: &str) -> bool {
    GENERIC.contains(t)
}

/// `data/generic_words.txt`.
static GENERIC: LazyLock<FxHashSet<&'static str>> =
    LazyLock::new(|| table::expect_parsed(word_set(data_file!("generic_words.txt"))));

/// Particles, honorifics and generic words that carry little identity
/// (`data/stop_words.txt`).
static STOP: LazyLock<FxHashSet<&'static str>> =
    LazyLock::new(|| table::expect_parsed(word_set(data_file!("stop_words.txt"))));

/// A one-column word list as a set; a word given twice is an error.
fn word_set((file, text): (&str, &'static str)) -> Result<FxHashSet<&'static str>, TableError> {
    let mut set = FxHashSet::default();
    for row in table::rows::<1>(file, text)? {
        if !set.insert(row.fields[0]) {
            return Err(row.error(file, format!("{:?} given twice", row.fields[0])));
        }
    }
    Ok(set)
}

/// An Arabic name particle (`data/name_particles.tsv`): the particle, its
/// spelling group ("son", "article") and whether it links a lineage chain.
type Particle = (&'static str, Option<&'static str>, bool);

static PARTICLES: LazyLock<Vec<Particle>> =
    LazyLock::new(|| table::expect_parsed(particles(data_file!("name_particles.tsv"))));

fn particles((file, text): (&str, &'static str)) -> Result<Vec<Particle>, TableError> {
    table::rows::<3>(file, text)?
        .into_iter()
        .map(|row| {
            let [p, spelling, lineage] = row.fields;
            let spelling = match spelling {
                "-" => None,
                "son" | "article" => Some(spelling),
                _ => return Err(row.error(file, format!("unknown spelling group {spelling:?}"))),
            };
            Ok((p, spelling, yes_no(file, &row, lineage)?))
        })
        .collect()
}

/// A "yes" / "no" field.
fn yes_no<const N: usize>(file: &str, row: &table::Row<N>, v: &str) -> Result<bool, TableError> {
    match v {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(row.error(file, format!("expected yes or no, found {v:?}"))),
    }
}

/// Two particles that are spellings of one word: "son of" (bin, ibn,
/// ben) or the article (al, el, ul).
pub(crate) fn particles_alike(a: &str, b: &str) -> bool {
    let group = |t: &str| PARTICLES.iter().find(|p| p.0 == t).and_then(|p| p.1);
    matches!((group(a), group(b)), (Some(x), Some(y)) if x == y)
}

/// A particle that links an Arabic lineage chain (bin, ibn, bint).
pub(crate) fn is_lineage_particle(t: &str) -> bool {
    PARTICLES.iter().any(|p| p.0 == t && p.2)
}

/// Legal phrases by their first word, so most tokens are rejected with one
/// lookup: first word → [(phrase length in words, phrase, compare form,
/// written before the name)], longest phrase first.
type LegalIndex = FxHashMap<&'static str, Vec<(usize, &'static str, &'static str, bool)>>;

/// The legal-form tables: `data/legal_forms.tsv` and
/// `data/legal_form_families.tsv`.
struct Legal {
    index: LegalIndex,
    /// One-word phrases of 10 letters or more, in file order, for
    /// recognising a misspelt long legal word.
    long_words: Vec<(&'static str, &'static str)>,
    families: FxHashMap<&'static str, u8>,
}

fn legal() -> &'static Legal {
    static T: LazyLock<Legal> = LazyLock::new(|| {
        table::expect_parsed(parse_legal(
            data_file!("legal_forms.tsv"),
            data_file!("legal_form_families.tsv"),
        ))
    });
    &T
}

fn parse_legal(
    (file, text): (&str, &'static str),
    (ffile, ftext): (&str, &'static str),
) -> Result<Legal, TableError> {
    let mut index: LegalIndex = FxHashMap::default();
    let mut long_words = Vec::new();
    let mut canon_words = FxHashSet::default();
    for row in table::rows::<3>(file, text)? {
        let [phrase, canon, leading] = row.fields;
        let leading = yes_no(file, &row, leading)?;
        if phrase.split(' ').chain(canon.split(' ')).any(str::is_empty) {
            return Err(row.error(file, "words must be separated by one space"));
        }
        let first = phrase.split(' ').next().unwrap_or(phrase);
        let entry = index.entry(first).or_default();
        if entry.iter().any(|e| e.1 == phrase && e.3 != leading) {
            return Err(row.error(file, format!("{phrase:?} given twice, `leading` differs")));
        }
        entry.push((phrase.split(' ').count(), phrase, canon, leading));
        if phrase.len() >= 10 && !phrase.contains(' ') {
            long_words.push((phrase, canon));
        }
        canon_words.extend(canon.split(' '));
    }
    for v in index.values_mut() {
        // Longest phrase first (a stable sort: file order among equals).
        v.sort_by_key(|x| std::cmp::Reverse(x.0));
    }
    let mut families = FxHashMap::default();
    for row in table::rows::<2>(ffile, ftext)? {
        let [canon, family] = row.fields;
        let id = match family {
            "joint-stock" => 1,
            "limited-liability" => 2,
            "partnership" => 3,
            _ => return Err(row.error(ffile, format!("unknown family {family:?}"))),
        };
        if !canon_words.contains(canon) {
            return Err(row.error(ffile, format!("{canon:?} is no compare form of {file}")));
        }
        if families.insert(canon, id).is_some() {
            return Err(row.error(ffile, format!("{canon:?} given twice")));
        }
    }
    Ok(Legal {
        index,
        long_words,
        families,
    })
}

/// Rewrites legal-form phrases to their compare form and tags every token
/// with its role. `allow_legal` is false for persons, whose tokens are
/// never legal forms ("Co" can be a name part).
pub(crate) fn tag(tokens: Vec<String>, allow_legal: bool) -> Vec<(String, TokenRole)> {
    let legal = legal();
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let mut matched = None;
        // A one-word legal form counts at the start only where that is its
        // usual place (Russian and Indonesian forms: OOO "Romashka", PT
        // Maju): "AG Bank" starts with a name. Longer phrases ("Limited
        // Liability Company Iskusstvo") are legal forms anywhere.
        if allow_legal {
            for &(n, phrase, canon, leading) in
                legal.index.get(tokens[i].as_str()).into_iter().flatten()
            {
                if i + n > tokens.len() || (i == 0 && n == tokens.len()) {
                    // Too long here, or the whole name: keep it as words.
                    continue;
                }
                if i == 0 && n == 1 && !leading {
                    continue;
                }
                if tokens[i..i + n]
                    .iter()
                    .map(String::as_str)
                    .eq(phrase.split(' '))
                {
                    matched = Some((n, canon));
                    break;
                }
            }
        }
        if let Some((n, canon)) = matched {
            for part in canon.split(' ') {
                out.push((part.to_string(), TokenRole::LegalForm));
            }
            i += n;
            continue;
        }
        let mut t = tokens[i].clone();
        if allow_legal {
            if let Some(&(_, full)) = ABBREVIATIONS.iter().find(|(a, _)| *a == t) {
                t = full.to_string();
            }
        }
        if allow_legal && i > 0 && t.len() >= 10 {
            // A misspelt long legal word ("Aktiengeselschaft") is still one.
            let close = legal
                .long_words
                .iter()
                .find(|(p, _)| crate::spelling::edit_sim(p, &t) >= 0.85);
            if let Some((_, canon)) = close {
                out.push((canon.to_string(), TokenRole::LegalForm));
                i += 1;
                continue;
            }
        }
        // In an organisation name a lone "I" or "V" after the first word is
        // a series number ("Fund I"), not an initial.
        let roman_letter = allow_legal && i > 0 && matches!(t.as_str(), "i" | "v" | "x");
        // A name never starts with "son of": a leading "Ben" is the given
        // name ("Ben Netanyahu"), not the particle.
        let leading_ben = t == "ben" && i == 0 && tokens.len() > 1;
        // In a person's name only a generational suffix after the first
        // word is a numeral ("John Smith III"); "Xi" and "Vi" are names.
        let roman = ROMAN.contains(&t.as_str())
            && (allow_legal || (i > 0 && matches!(t.as_str(), "ii" | "iii" | "iv")));
        let role = if t.bytes().any(|b| b.is_ascii_digit()) || roman || roman_letter {
            TokenRole::Number
        } else if t.len() == 1 {
            TokenRole::Initial
        } else if STOP.contains(t.as_str()) && !leading_ben {
            TokenRole::Stop
        } else if allow_legal && crate::sinoorg::is_division(&t) {
            // A Chinese province, prefecture or county: a qualifier of the
            // trade name wherever it stands (`sinoorg`).
            TokenRole::Region
        } else if allow_legal && embargo_model::country::is_country_word(&t) {
            TokenRole::Location
        } else if allow_legal && i > 0 && REGIONS.contains(&t.as_str()) {
            TokenRole::Region
        } else {
            TokenRole::Word
        };
        out.push((t, role));
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str, org: bool) -> Vec<(String, TokenRole)> {
        tag(s.split(' ').map(String::from).collect(), org)
    }

    #[test]
    fn legal_forms_are_rewritten_and_tagged_not_deleted() {
        let r = t("siemens aktiengesellschaft", true);
        assert_eq!(r[1], ("ag".to_string(), TokenRole::LegalForm));
        let r = t("hangzhou hikvision digital technology co ltd", true);
        assert_eq!(r.len(), 6);
        assert_eq!(r[4].1, TokenRole::LegalForm);
        assert_eq!(r[5].0, "ltd");
    }

    #[test]
    fn leading_tokens_and_person_names_are_never_legal_forms() {
        assert_eq!(t("ag bank", true)[0].1, TokenRole::Word);
        assert_eq!(t("ooo romashka", true)[0].1, TokenRole::LegalForm);
        assert_eq!(t("limited liability company iskusstvo", true)[0].0, "llc");
        assert_eq!(t("company", true)[0].1, TokenRole::Word);
        assert_eq!(t("tan co", false)[1].1, TokenRole::Word);
    }

    #[test]
    fn abbreviations_are_written_out_in_organisation_names_only() {
        assert_eq!(t("first bank intl", true)[2].0, "international");
        assert_eq!(t("bros grimm", false)[0].0, "bros");
    }

    #[test]
    fn generic_and_stop_words_parse() {
        let g = word_set(data_file!("generic_words.txt")).unwrap();
        assert_eq!(g.len(), 70);
        assert!(is_generic("management") && is_generic("trading"));
        assert!(!is_generic("faberlic"));
        let (file, text) = data_file!("generic_words.txt");
        let words = table::rows::<1>(file, text).unwrap();
        assert!(words.windows(2).all(|w| w[0].fields[0] < w[1].fields[0]));
        let stop = word_set(data_file!("stop_words.txt")).unwrap();
        assert_eq!(stop.len(), 47);
        assert!(stop.contains("bin") && stop.contains("von") && stop.contains("und"));
        assert!(!stop.contains("ul"));
    }

    #[test]
    fn legal_form_tables_parse_and_map_phrases_to_compare_forms() {
        let l = parse_legal(
            data_file!("legal_forms.tsv"),
            data_file!("legal_form_families.tsv"),
        )
        .unwrap();
        assert_eq!(l.index.values().map(Vec::len).sum::<usize>(), 105);
        let limited = &l.index["limited"];
        assert_eq!(limited[0], (3, "limited liability company", "llc", false));
        assert_eq!(limited.last().map(|x| x.2), Some("ltd"));
        assert!(l.index["ooo"].iter().all(|x| x.3) && l.index["tov"][0].3);
        assert!(!l.index["ag"][0].3);
        assert!(l.long_words.contains(&("aktiengesellschaft", "ag")));
        assert_eq!(l.families.len(), 44);
        assert_eq!(legal_family("oao"), legal_family("ag"));
        assert_ne!(legal_family("ag"), legal_family("gmbh"));
        assert_eq!(legal_family("kg"), Some(3));
        assert_eq!(legal_family("holding"), None);
    }

    #[test]
    fn name_particles_parse_with_their_two_sets() {
        let p = particles(data_file!("name_particles.tsv")).unwrap();
        assert_eq!(p.len(), 7);
        assert!(particles_alike("bin", "ben") && particles_alike("al", "el"));
        assert!(!particles_alike("bin", "bint") && !particles_alike("al", "bin"));
        assert!(!particles_alike("of", "of"));
        assert!(is_lineage_particle("bint") && is_lineage_particle("ibn"));
        assert!(!is_lineage_particle("ben"));
    }

    #[test]
    fn bad_legal_rows_are_named_by_file_and_line() {
        let forms = ("f.tsv", "# h\nltd\tltd\tno\nco\tco\n");
        let fams = ("g.tsv", "ltd\tlimited-liability\n");
        let e = parse_legal(forms, fams).err().unwrap();
        assert_eq!((e.file.as_str(), e.line), ("f.tsv", 3));
        let forms = ("f.tsv", "ltd\tltd\tno\n");
        let e = parse_legal(forms, ("g.tsv", "gmbh\tlimited-liability\n"))
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "g.tsv:1: \"gmbh\" is no compare form of f.tsv"
        );
    }

    #[test]
    fn country_words_are_locations_in_organisation_names_only() {
        assert_eq!(t("siemens schweiz ag", true)[1].1, TokenRole::Location);
        assert_eq!(t("bank rossiya", true)[1].1, TokenRole::Location);
        assert_eq!(t("jersey bank", true)[0].1, TokenRole::Word);
        assert_eq!(t("ivan china", false)[1].1, TokenRole::Word);
    }

    #[test]
    fn regions_qualify_only_after_the_name_and_a_leading_ben_is_a_name() {
        assert_eq!(t("faberlic europe", true)[1].1, TokenRole::Region);
        assert_eq!(t("global witness", true)[0].1, TokenRole::Word);
        assert_eq!(t("faberlic europe", false)[1].1, TokenRole::Word);
        assert_eq!(t("ben netanyahu", false)[0].1, TokenRole::Word);
        assert_eq!(t("zine ben ali", false)[1].1, TokenRole::Stop);
        assert_eq!(t("ben", false)[0].1, TokenRole::Stop);
        assert_eq!(t("xi jinping", false)[0].1, TokenRole::Word);
        assert_eq!(t("jinping xi", false)[1].1, TokenRole::Word);
        assert_eq!(t("john smith iii", false)[2].1, TokenRole::Number);
        assert_eq!(t("fund xi", true)[1].1, TokenRole::Number);
    }

    #[test]
    fn numbers_initials_and_particles_get_roles() {
        let r = t("john f kennedy of 2007", false);
        let roles: Vec<_> = r.iter().map(|x| x.1).collect();
        assert_eq!(
            roles,
            vec![
                TokenRole::Word,
                TokenRole::Initial,
                TokenRole::Word,
                TokenRole::Stop,
                TokenRole::Number
            ]
        );
    }
}
