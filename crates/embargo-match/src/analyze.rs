//! Analysed names: the token sequences the index and the aligner work on.
//!
//! A `Form` is one romanised reading of a name: its tokens in order, each
//! with a role, a phonetic key and a weight. `weight` starts as the role's
//! base weight; the `Matcher` multiplies in how rare the token is across
//! the loaded lists, so common tokens ("trading", "mohammed") count less.

use crate::phonetic;
use crate::symbols::{self, TokenRole};
use crate::text;
use embargo_model::Schema;

#[derive(Clone, Debug)]
pub(crate) struct Tok {
    pub text: Box<str>,
    pub role: TokenRole,
    /// Phonetic key (`phonetic::key`).
    pub phon: Box<str>,
    /// Sound spelling (`spelling::sound`), for cross-script comparison.
    pub snd: Box<str>,
    /// Consonant skeleton (`spelling::skeleton`), for abjad comparison.
    pub skel: Box<str>,
    /// The text is ASCII (romanised), not a native character.
    pub ascii: bool,
    /// The text is in the hypocoristics table (`nicknames`), as a short
    /// or a full name: looked up once here, not for every token pair.
    pub nick: bool,
    /// A generic word of organisation names (`symbols::is_generic`).
    pub generic: bool,
    /// Part of the family name, where the list gives name parts (set by
    /// the `Matcher`; see `align::score_of`).
    pub family: bool,
    /// Sino key (`sino::key`), empty when the token is no run of Chinese
    /// syllables.
    pub sino: Box<str>,
    /// The name this token belongs to is spelt in Wade-Giles.
    pub wg: bool,
    pub weight: f32,
    /// The token's id in the index vocabulary, for a list token (set by
    /// the `Matcher`); `NO_VID` for a query token. Two list tokens with
    /// the same id, role and `wg` compare alike (`align`'s pair memo).
    pub vid: u32,
}

/// `Tok::vid` of a token that is not a list token of an index.
pub(crate) const NO_VID: u32 = u32::MAX;

impl Tok {
    pub fn new(text: String, role: TokenRole) -> Tok {
        let ascii = text.is_ascii();
        let (phon, snd, skel) = if ascii {
            (
                phonetic::key(&text),
                crate::spelling::sound(&text),
                crate::spelling::skeleton(&text),
            )
        } else {
            Default::default()
        };
        let nick = ascii && role == TokenRole::Word && crate::nicknames::known(&text);
        let generic = role == TokenRole::Word && symbols::is_generic(&text);
        let (sino, wg) = match role {
            TokenRole::Word | TokenRole::Initial => crate::sino::key(&text).unwrap_or_default(),
            _ => Default::default(),
        };
        Tok {
            sino: sino.into_boxed_str(),
            wg,
            nick,
            generic,
            family: false,
            phon: phon.into_boxed_str(),
            snd: snd.into_boxed_str(),
            skel: skel.into_boxed_str(),
            text: text.into_boxed_str(),
            ascii,
            role,
            weight: role.base_weight(),
            vid: NO_VID,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Form {
    pub toks: Vec<Tok>,
    /// Romanised from Arabic or Hebrew: compare by consonant skeleton.
    pub abjad: bool,
    /// The name has Han, Hangul or kana characters.
    pub syllabic: bool,
    /// Tokens are the syllabic characters themselves (see `text::RawForm`).
    pub native: bool,
    /// Romanised from a non-Latin script: compared with Latin spellings
    /// more leniently (see `similarity::token_sim`).
    pub romanised: bool,
    /// The name has Han characters: its syllable tokens are pinyin, held
    /// to exact syllables against Latin names (see `align::han_latin`).
    pub han: bool,
    /// A Chinese organisation name (Han, or naming a Chinese division):
    /// read by its parts (`sinoorg`), industry words are qualifiers.
    pub cn_org: bool,
    pub paren: Paren,
    pub class: NameClass,
}

/// Where the form stands with respect to a parenthesised qualifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Paren {
    /// The name has no parenthesised part.
    None,
    /// The name as written, with its parenthesised part.
    Kept,
    /// The name with its parenthesised qualifier removed ("Deutsche Bank
    /// AG" for "Deutsche Bank (Schweiz) AG"). Compared only with names that
    /// have no qualifier: two qualified names are compared as written, or
    /// every "Bank of China (…)" would equal every other.
    Removed,
}

/// Whether the name belongs to a person, an organisation or is unknown:
/// decides how much extra tokens cost (see `align`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NameClass {
    Person,
    Org,
    Unknown,
}

impl NameClass {
    pub fn of(schema: Option<Schema>) -> Self {
        match schema {
            Some(Schema::Person) => NameClass::Person,
            Some(Schema::LegalEntity) | None => NameClass::Unknown,
            Some(_) => NameClass::Org,
        }
    }
}

/// Whether two forms should be compared at all: native-character forms
/// only with each other, and two names that both have native forms only
/// there (their romanisations merge homophones).
pub(crate) fn comparable(q: &Form, a: &Form) -> bool {
    let bare_vs_qualified =
        |x: &Form, y: &Form| x.paren == Paren::Removed && y.paren != Paren::None;
    if bare_vs_qualified(q, a) || bare_vs_qualified(a, q) {
        false
    } else if q.native || a.native {
        q.native && a.native
    } else {
        !(q.syllabic && a.syllabic)
    }
}

impl Form {
    /// A form without tokens, for a query that has only identifiers.
    pub fn empty(schema: Option<Schema>) -> Form {
        Form {
            toks: vec![],
            abjad: false,
            syllabic: false,
            native: false,
            romanised: false,
            han: false,
            cn_org: false,
            paren: Paren::None,
            class: NameClass::of(schema),
        }
    }

    /// The form as text, tokens separated by spaces.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for (i, t) in self.toks.iter().enumerate() {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(&t.text);
        }
        s
    }

    /// All tokens concatenated: the joined-name key ("jscargument").
    pub fn joined(&self) -> String {
        self.toks.iter().map(|t| &*t.text).collect()
    }
}

/// Legal forms are only recognised where the name can be an organisation.
pub(crate) fn allows_legal(schema: Option<Schema>) -> bool {
    !matches!(schema, Some(Schema::Person))
}

/// Names longer than this many tokens are cut: no real name has more, and
/// alignment cost grows with the product of the two token counts.
pub(crate) const MAX_TOKENS: usize = 48;

/// Longest name analysed, in characters; the rest is not read. The
/// longest name on the official lists has under 400 characters and the
/// workflow layer refuses longer queries (300) and list names (1,000), so
/// this only bounds the work a name from elsewhere can cause: every step
/// after it is linear in the name or bounded by the caps below.
pub const MAX_NAME_CHARS: usize = 1_000;

/// Words longer than this many characters are cut to it, in list entries
/// and in queries alike (so a cut word still equals itself). The longest
/// word on the official lists has 50 letters. One-letter-deletion keys,
/// trigrams, phonetic keys and edit distances are all computed on the cut
/// word, so one listed 10 MB word costs what a 64-letter word costs.
pub const MAX_WORD_CHARS: usize = 64;

/// `s` cut to at most `max` characters (at a character boundary).
pub(crate) fn cap_chars(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Analyses one name into its forms (none for a name without letters).
pub(crate) fn analyze(name: &str, schema: Option<Schema>) -> Vec<Form> {
    let name = cap_chars(name, MAX_NAME_CHARS);
    let legal = allows_legal(schema);
    let mut raws: Vec<(text::RawForm, Paren)> = text::forms(name)
        .into_iter()
        .map(|r| (r, Paren::None))
        .collect();
    // "Deutsche Bank (Schweiz) AG": a parenthesis in an organisation name
    // usually qualifies it (a country, a former name, an abbreviation);
    // the name without it is a form too. (Not for persons, whose
    // parentheses hold other names: "Ali (Abu Ahmed)".)
    if legal {
        // "Муромский приборостроительный завод" = "Murom Instrument-Making
        // Plant": Russian organisation terms read in English.
        if let Some(raw) = text::russian_form(name) {
            if !raws.iter().any(|r| r.0.tokens == raw.tokens) {
                raws.push((raw, Paren::None));
            }
        }
        if let Some(bare) = without_parentheses(name) {
            for r in raws.iter_mut() {
                r.1 = Paren::Kept;
            }
            for raw in text::forms(&bare) {
                if !raws.iter().any(|r| r.0.tokens == raw.tokens) {
                    raws.push((raw, Paren::Removed));
                }
            }
        }
    }
    let hyphen_syllables = wade_giles_hyphen(name);
    raws.into_iter()
        .map(|(mut raw, paren)| {
            if legal && !raw.native {
                // Chinese divisions, industry and form terms in any
                // spelling read as one (`sinoorg`).
                raw.tokens = crate::sinoorg::rewrite_latin(std::mem::take(&mut raw.tokens));
            }
            raw.tokens.truncate(MAX_TOKENS);
            for t in raw.tokens.iter_mut() {
                let keep = cap_chars(t, MAX_WORD_CHARS).len();
                t.truncate(keep);
            }
            let mut toks: Vec<Tok> = symbols::tag(raw.tokens, legal)
                .into_iter()
                .map(|(t, role)| Tok::new(t, role))
                .collect();
            // One Wade-Giles spelling marks the whole name ("Hsi Chin-ping":
            // chin and ping are Wade-Giles too), as does a given name of two
            // syllables joined by a hyphen ("Chen Chuan-kuo"), which is how
            // Wade-Giles writes them (pinyin writes them as one word).
            if toks.iter().any(|t| t.wg) || (hyphen_syllables && !raw.native) {
                for t in toks.iter_mut() {
                    t.wg = !t.sino.is_empty();
                }
            }
            let cn_org = legal
                && (raw.han
                    || toks.iter().any(|t| {
                        t.role == TokenRole::Region && crate::sinoorg::is_division(&t.text)
                    }));
            Form {
                toks,
                abjad: raw.abjad,
                syllabic: raw.syllabic,
                native: raw.native,
                romanised: raw.romanised,
                han: raw.han,
                cn_org,
                paren,
                class: NameClass::of(schema),
            }
        })
        .collect()
}

/// True when the name joins two Chinese syllables with a hyphen
/// ("Chuan-kuo", "Tse-tung"), the Wade-Giles way of writing a given name.
fn wade_giles_hyphen(name: &str) -> bool {
    if !name.contains('-') {
        return false;
    }
    let syllable = |w: &str| {
        let w = w.to_ascii_lowercase();
        (1..=6).contains(&w.len()) && crate::sino::key(&w).is_some()
    };
    // Wade-Giles aspirate marks and ü as written (Ch'üan-kuo).
    let name: String = name
        .chars()
        .filter(|c| !matches!(c, '\'' | '\u{2019}' | '\u{2bb}' | '\u{2bc}'))
        .map(|c| if matches!(c, 'ü' | 'Ü') { 'u' } else { c })
        .collect();
    name.split(|c: char| c.is_whitespace() || c == ',')
        .filter_map(|w| w.split_once('-'))
        .any(|(a, b)| {
            let letters = |x: &str| !x.is_empty() && x.chars().all(|c| c.is_ascii_alphabetic());
            letters(a) && letters(b) && syllable(a) && syllable(b)
        })
}

/// The tokens of a family name as a person's name is analysed.
pub(crate) fn family_tokens_of(family: &str) -> Vec<Box<str>> {
    analyze(family, Some(embargo_model::Schema::Person))
        .into_iter()
        .next()
        .map(|f| f.toks.into_iter().map(|t| t.text).collect())
        .unwrap_or_default()
}

/// Flags the family-name tokens of `form`, unless that would flag all of
/// them (a name given as its family part only says nothing about roles).
pub(crate) fn mark_family(form: &mut Form, family: &[Box<str>]) {
    if family.is_empty() {
        return;
    }
    let is_family = |t: &Tok| family.contains(&t.text);
    if form.toks.iter().all(is_family) {
        return;
    }
    for t in form.toks.iter_mut() {
        t.family = is_family(t);
    }
}

/// The name with every parenthesised part removed, when it has one and
/// enough is left to be a name (four letters or digits).
fn without_parentheses(name: &str) -> Option<String> {
    if !name.contains(['(', '[']) {
        return None;
    }
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => {
                depth = depth.saturating_sub(1);
                // Keep the words on either side apart.
                out.push(' ');
            }
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    let letters = out.chars().filter(|c| c.is_alphanumeric()).count();
    (letters >= 4).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parenthesised_qualifiers_give_a_bare_form_for_organisations_only() {
        assert_eq!(
            without_parentheses("Deutsche Bank (Schweiz) AG").as_deref(),
            Some("Deutsche Bank   AG")
        );
        assert_eq!(without_parentheses("(ABC) x"), None);
        assert_eq!(without_parentheses("No parentheses"), None);
        let org = analyze("Deutsche Bank (Schweiz) AG", Some(Schema::Company));
        assert_eq!(org.len(), 2);
        assert_eq!(org[1].text(), "deutsche bank ag");
        assert_eq!(analyze("Ali (Abu Ahmed)", Some(Schema::Person)).len(), 1);
    }
}
