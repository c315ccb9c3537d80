//! Token roles: legal forms, stop words, numbers, initials.
//!
//! Legal forms are rewritten to one compare form per concept
//! (`aktiengesellschaft` → `ag`, `corporation` → `corp`,
//! `obshchestvo s ogranichennoy otvetstvennostyu` → `ooo`) and kept, with a
//! low weight: "Siemens AG" and "Siemens Aktiengesellschaft" are the same
//! company, but "Toyota Corp" and "Honda Corp" share nothing that matters.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

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

/// Legal-form phrases (already tokenised as `text::tokenize` produces
/// them) and their compare form. Multi-word phrases are matched longest
/// first.
const LEGAL: &[(&str, &str)] = &[
    ("co", "co"),
    ("company", "co"),
    ("companies", "co"),
    ("compagnie", "co"),
    ("cie", "co"),
    ("ltd", "ltd"),
    ("limited", "ltd"),
    ("co ltd", "co ltd"),
    ("company limited", "co ltd"),
    ("corp", "corp"),
    ("corporation", "corp"),
    ("inc", "inc"),
    ("incorporated", "inc"),
    ("llc", "llc"),
    ("limited liability company", "llc"),
    ("limited liability co", "llc"),
    ("llp", "llp"),
    ("limited liability partnership", "llp"),
    ("lp", "lp"),
    ("limited partnership", "lp"),
    ("plc", "plc"),
    ("public limited company", "plc"),
    ("pte", "pte"),
    ("pvt", "pvt"),
    ("private", "pvt"),
    ("pty", "pty"),
    ("proprietary", "pty"),
    ("gmbh", "gmbh"),
    ("gesellschaft mit beschrankter haftung", "gmbh"),
    ("ag", "ag"),
    ("aktiengesellschaft", "ag"),
    ("kg", "kg"),
    ("kommanditgesellschaft", "kg"),
    ("se", "se"),
    ("sa", "sa"),
    ("societe anonyme", "sa"),
    ("sociedad anonima", "sa"),
    ("sociedade anonima", "sa"),
    ("sas", "sas"),
    ("sarl", "sarl"),
    ("srl", "srl"),
    ("spa", "spa"),
    ("sl", "sl"),
    ("sa de cv", "sadecv"),
    ("de cv", "decv"),
    ("ltda", "ltda"),
    ("limitada", "ltda"),
    ("bv", "bv"),
    ("nv", "nv"),
    ("ab", "ab"),
    ("as", "as"),
    ("asa", "asa"),
    ("oy", "oy"),
    ("oyj", "oyj"),
    ("aps", "aps"),
    ("kft", "kft"),
    ("doo", "doo"),
    ("sp z oo", "spzoo"),
    ("sp zoo", "spzoo"),
    ("societatea cu raspundere limitata", "srl"),
    ("societa a responsabilita limitata", "srl"),
    ("sociedad de responsabilidad limitada", "srl"),
    ("aktsionernoe obshchestvo", "ao"),
    ("otkrytoe aktsionernoe obshchestvo", "oao"),
    ("zakrytoe aktsionernoe obshchestvo", "zao"),
    ("publichnoe aktsionernoe obshchestvo", "pao"),
    ("spzoo", "spzoo"),
    ("ooo", "ooo"),
    ("obshchestvo s ogranichennoy otvetstvennostyu", "ooo"),
    ("obshchestvo s ogranichennoi otvetstvennostiu", "ooo"),
    ("tov", "ooo"),
    ("oao", "oao"),
    ("zao", "zao"),
    ("pao", "pao"),
    ("ao", "ao"),
    ("jsc", "jsc"),
    ("ojsc", "ojsc"),
    ("cjsc", "cjsc"),
    ("pjsc", "pjsc"),
    ("joint stock company", "jsc"),
    ("joint stock co", "jsc"),
    ("open joint stock company", "ojsc"),
    ("closed joint stock company", "cjsc"),
    ("public joint stock company", "pjsc"),
    ("fze", "fze"),
    ("fzco", "fzco"),
    ("fzc", "fzc"),
    ("fzllc", "llc"),
    ("est", "est"),
    ("establishment", "est"),
    ("bhd", "bhd"),
    ("sdn bhd", "sdnbhd"),
    ("berhad", "bhd"),
    ("tbk", "tbk"),
    ("pt", "pt"),
    ("kk", "kk"),
    ("kabushiki kaisha", "kk"),
    ("as", "as"),
    ("sti", "sti"),
    ("joint stock", "jsc"),
    ("holding", "holding"),
    ("holdings", "holding"),
    ("group", "group"),
    ("gruppe", "group"),
    ("grupo", "group"),
];

/// The family of a legal form's compare form: forms of one family can be
/// translations of each other (JSC / OAO / AG), forms of different families
/// cannot (AG / GmbH). `None` for generic words (co, group, holding).
pub(crate) fn legal_family(canon: &str) -> Option<u8> {
    Some(match canon {
        "jsc" | "ojsc" | "cjsc" | "pjsc" | "ao" | "oao" | "zao" | "pao" | "ag" | "sa" | "nv"
        | "asa" | "oyj" | "se" | "plc" | "kk" | "tbk" | "spa" | "sas" | "sadecv" => 1,
        "ltd" | "llc" | "ooo" | "gmbh" | "srl" | "sarl" | "bv" | "pte" | "pty" | "pvt"
        | "spzoo" | "kft" | "doo" | "ltda" | "aps" | "sl" | "bhd" | "sdnbhd" | "fze" | "fzco"
        | "fzc" => 2,
        "lp" | "llp" | "kg" => 3,
        _ => return None,
    })
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

/// One-word country names and their usual adjectives in organisation names.
const COUNTRIES: &[&str] = &[
    "afghanistan",
    "albania",
    "algeria",
    "argentina",
    "armenia",
    "australia",
    "austria",
    "azerbaijan",
    "bahrain",
    "bangladesh",
    "belarus",
    "belgium",
    "bolivia",
    "brazil",
    "bulgaria",
    "cambodia",
    "canada",
    "chile",
    "china",
    "colombia",
    "croatia",
    "cuba",
    "cyprus",
    "czech",
    "denmark",
    "ecuador",
    "egypt",
    "estonia",
    "ethiopia",
    "finland",
    "france",
    "georgia",
    "germany",
    "ghana",
    "greece",
    "hungary",
    "iceland",
    "india",
    "indonesia",
    "iran",
    "iraq",
    "ireland",
    "israel",
    "italy",
    "japan",
    "jordan",
    "kazakhstan",
    "kenya",
    "korea",
    "kuwait",
    "kyrgyzstan",
    "latvia",
    "lebanon",
    "libya",
    "lithuania",
    "luxembourg",
    "malaysia",
    "mali",
    "malta",
    "mexico",
    "moldova",
    "mongolia",
    "morocco",
    "myanmar",
    "netherlands",
    "nicaragua",
    "nigeria",
    "norway",
    "norge",
    "oman",
    "pakistan",
    "panama",
    "peru",
    "philippines",
    "poland",
    "portugal",
    "qatar",
    "romania",
    "russia",
    "serbia",
    "singapore",
    "slovakia",
    "slovenia",
    "somalia",
    "spain",
    "espana",
    "sudan",
    "sweden",
    "sverige",
    "switzerland",
    "schweiz",
    "suisse",
    "syria",
    "taiwan",
    "tajikistan",
    "thailand",
    "tunisia",
    "turkey",
    "turkiye",
    "turkmenistan",
    "uganda",
    "ukraine",
    "uruguay",
    "uzbekistan",
    "venezuela",
    "vietnam",
    "yemen",
    "zimbabwe",
    "deutschland",
    "nederland",
    "danmark",
    "suomi",
    "italia",
    "polska",
    "rossiya",
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

/// Generic words of organisation names: what a body does or is, not who
/// it is. A match on such words alone ("Management Company" against
/// "Westminster Management Company") is no match; in screening the
/// corpus frequency says the same, but pair scoring has no corpus.
const GENERIC: &[&str] = &[
    "agency",
    "association",
    "bank",
    "brothers",
    "bureau",
    "capital",
    "center",
    "centre",
    "chemical",
    "chemicals",
    "commercial",
    "communications",
    "construction",
    "consulting",
    "development",
    "electronics",
    "energy",
    "engineering",
    "enterprise",
    "enterprises",
    "equipment",
    "exchange",
    "export",
    "finance",
    "financial",
    "foundation",
    "general",
    "import",
    "industrial",
    "industries",
    "industry",
    "institute",
    "insurance",
    "investment",
    "investments",
    "logistics",
    "machinery",
    "management",
    "manufacturing",
    "marine",
    "maritime",
    "media",
    "medical",
    "network",
    "oil",
    "partners",
    "petroleum",
    "pharmaceutical",
    "pharmaceuticals",
    "plant",
    "products",
    "properties",
    "property",
    "research",
    "resources",
    "securities",
    "service",
    "services",
    "shipping",
    "solutions",
    "supply",
    "systems",
    "technologies",
    "technology",
    "trade",
    "trading",
    "transport",
    "travel",
    "trust",
    "ventures",
];

/// True for a generic word of organisation names (see `GENERIC`).
pub(crate) fn is_generic(t: &str) -> bool {
    GENERIC.binary_search(&t).is_ok()
}

/// Legal forms that are written before the name.
const PREFIX_FORMS: &[&str] = &[
    "ooo", "oao", "zao", "pao", "ao", "jsc", "ojsc", "cjsc", "pjsc", "pt", "tov", "srl",
];

/// Particles, honorifics and generic words that carry little identity.
const STOP: &[&str] = &[
    "of", "the", "and", "for", "de", "del", "della", "di", "da", "do", "dos", "das", "du", "des",
    "la", "le", "les", "el", "al", "an", "van", "von", "der", "den", "ter", "bin", "ibn", "bint",
    "ben", "abu", "mr", "mrs", "ms", "dr", "sheikh", "shaykh", "haji", "hajji", "mullah",
    "maulana", "general", "colonel", "y", "e", "et", "und", "i",
];

/// Legal phrases by their first word, so most tokens are rejected with one
/// lookup: first word → [(phrase length in words, phrase, compare form)].
type LegalIndex = FxHashMap<&'static str, Vec<(usize, &'static str, &'static str)>>;

fn legal_table() -> &'static LegalIndex {
    static T: OnceLock<LegalIndex> = OnceLock::new();
    T.get_or_init(|| {
        let mut map: LegalIndex = FxHashMap::default();
        for (phrase, canon) in LEGAL {
            let first = phrase.split(' ').next().unwrap_or(phrase);
            map.entry(first)
                .or_default()
                .push((phrase.split(' ').count(), phrase, canon));
        }
        for v in map.values_mut() {
            // Longest phrase first.
            v.sort_by_key(|x| std::cmp::Reverse(x.0));
        }
        map
    })
}

/// Rewrites legal-form phrases to their compare form and tags every token
/// with its role. `allow_legal` is false for persons, whose tokens are
/// never legal forms ("Co" can be a name part).
pub(crate) fn tag(tokens: Vec<String>, allow_legal: bool) -> Vec<(String, TokenRole)> {
    let table = legal_table();
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let mut matched = None;
        // A one-word legal form counts at the start only where that is its
        // usual place (Russian and Indonesian forms: OOO "Romashka", PT
        // Maju): "AG Bank" starts with a name. Longer phrases ("Limited
        // Liability Company Iskusstvo") are legal forms anywhere.
        if allow_legal {
            for &(n, phrase, canon) in table.get(tokens[i].as_str()).into_iter().flatten() {
                if i + n > tokens.len() || (i == 0 && n == tokens.len()) {
                    // Too long here, or the whole name: keep it as words.
                    continue;
                }
                if i == 0 && n == 1 && !PREFIX_FORMS.contains(&phrase) {
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
            let close = LEGAL.iter().find(|(p, _)| {
                p.len() >= 10 && !p.contains(' ') && crate::similarity::edit_sim(p, &t) >= 0.85
            });
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
        } else if STOP.contains(&t.as_str()) && !leading_ben {
            TokenRole::Stop
        } else if allow_legal && COUNTRIES.contains(&t.as_str()) {
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
    fn generic_words_are_sorted_for_lookup() {
        assert!(GENERIC.windows(2).all(|w| w[0] < w[1]));
        assert!(is_generic("management") && is_generic("trading"));
        assert!(!is_generic("faberlic"));
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
