//! Text normalisation and romanisation: from a name as a list writes it to
//! one or more lower-case ASCII token sequences ("forms").
//!
//! A `RawForm` is a list of token strings plus a flag saying whether it came
//! from an abjad script (Arabic, Hebrew), where short vowels are not written
//! and tokens must be compared by consonant skeleton. A name can yield
//! several forms: a Chinese company name gives one form with its standard
//! terms translated to English (有限公司 → `co ltd`) and one in plain pinyin.
//!
//! Han characters become one token per syllable; the aligner joins adjacent
//! tokens when that matches better, so `haikang` meets `hai kang`.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use embargo_model::table::{self, TableError};
use pinyin::ToPinyin;
use rustc_hash::FxHashMap;
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawForm {
    pub tokens: Vec<String>,
    pub abjad: bool,
    /// The name contains Han, Hangul or kana characters.
    pub syllabic: bool,
    /// Tokens are those characters themselves (other parts romanised):
    /// two names in the same syllabic script are compared on this form,
    /// because romanisation merges homophones (高石 / 高市 are both `gao shi`).
    pub native: bool,
    /// The name was written in a non-Latin script and romanised here.
    pub romanised: bool,
    /// The tokens are pinyin: the name has Han characters, or is a
    /// Palladius transcription read back (`palladius`).
    pub han: bool,
}

/// Standard Chinese organisation and place terms and their usual English
/// rendering in list entries (`data/han_terms.tsv`), with the automaton
/// that finds them. Longest match wins, so 股份有限公司 is taken before
/// 有限公司 and 公司.
struct HanTerms {
    english: Vec<&'static str>,
    automaton: AhoCorasick,
}

fn han_terms() -> &'static HanTerms {
    static T: LazyLock<HanTerms> = LazyLock::new(|| {
        table::expect_parsed(parse_han_terms(
            data_file!("han_terms.tsv"),
            crate::sinoorg::han_entries(),
        ))
    });
    &T
}

/// The Han terms of `file`, then the `extra` ones (divisions, industry
/// and organ terms of `sinoorg`) whose Han form the file does not have.
fn parse_han_terms(
    (file, text): (&str, &'static str),
    extra: &[(&'static str, &'static str)],
) -> Result<HanTerms, TableError> {
    let rows = table::rows::<2>(file, text)?;
    if let Some(row) = rows.iter().find(|r| !r.fields[0].chars().all(is_syllabic)) {
        return Err(row.error(file, "the term must be Han characters only"));
    }
    let mut terms: Vec<(&'static str, &'static str)> =
        rows.iter().map(|r| (r.fields[0], r.fields[1])).collect();
    for &(han, english) in extra {
        if !terms.iter().any(|(h, _)| *h == han) {
            terms.push((han, english));
        }
    }
    let automaton = AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(terms.iter().map(|t| t.0))
        .map_err(|e| TableError {
            file: file.to_string(),
            line: 0,
            message: e.to_string(),
        })?;
    Ok(HanTerms {
        english: terms.iter().map(|t| t.1).collect(),
        automaton,
    })
}

/// What a small kana does to the syllable before it (`data/small_kana.tsv`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SmallKana {
    /// A small vowel (ィ): replaces the syllable's own vowel.
    Vowel(char),
    /// A small ya, yu or yo (ュ): joins an i-syllable.
    Y(char),
    /// The small tsu (ッ): read as nothing.
    Skip,
}

fn small_kana(c: char) -> Option<SmallKana> {
    static T: LazyLock<FxHashMap<char, SmallKana>> =
        LazyLock::new(|| table::expect_parsed(parse_small_kana(data_file!("small_kana.tsv"))));
    T.get(&c).copied()
}

fn parse_small_kana(
    (file, text): (&str, &'static str),
) -> Result<FxHashMap<char, SmallKana>, TableError> {
    let mut out = FxHashMap::default();
    for row in table::rows::<3>(file, text)? {
        let [kana, kind, vowel] = row.fields;
        let one = |s: &str| {
            let mut it = s.chars();
            match (it.next(), it.next()) {
                (Some(c), None) => Ok(c),
                _ => Err(row.error(file, format!("{s:?} is not one character"))),
            }
        };
        let k = one(kana)?;
        if script_of(k) != Script::Kana {
            return Err(row.error(file, format!("{kana:?} is no kana")));
        }
        let v = match (kind, vowel) {
            ("skip", "-") => SmallKana::Skip,
            ("vowel", v) => SmallKana::Vowel(one(v)?),
            ("y", v) => SmallKana::Y(one(v)?),
            _ => return Err(row.error(file, format!("unknown kind {kind:?} / vowel {vowel:?}"))),
        };
        if out.insert(k, v).is_some() {
            return Err(row.error(file, format!("{kana} given twice")));
        }
    }
    Ok(out)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Han,
    Hangul,
    Kana,
    Abjad,
    Other,
}

fn script_of(c: char) -> Script {
    match c as u32 {
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F => Script::Han,
        0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F => Script::Hangul,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => Script::Kana,
        0x0590..=0x05FF | 0x0600..=0x06FF | 0x0750..=0x077F | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF => {
            Script::Abjad
        }
        _ => Script::Other,
    }
}

/// Characters that join a word rather than split it: apostrophes are
/// dropped ("O'Neil" = "ONeil"), everything else that is not a letter or a
/// digit separates tokens.
fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | 'ʼ' | '`' | '´' | 'ʻ' | 'ʹ')
}

/// Hangul spells a foreign consonant that has no vowel after it as a
/// syllable with the neutral vowel ㅡ (스타엘런스 = Staelens, 트 for a final
/// t): such open consonant + "eu" syllables are read as the consonant alone.
/// Korean names hardly use them (은, 슬 have a final consonant and stay).
fn hangul_without_epenthesis(syllable: &str) -> &str {
    match syllable.strip_suffix("eu") {
        Some(c) if !c.is_empty() && !c.ends_with(['a', 'e', 'i', 'o', 'u', 'y', 'w']) => c,
        _ => syllable,
    }
}

fn is_vowel_char(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

/// Romanises one kana character onto `out`, reading small kana with the
/// syllable before them as one sound (キュ kyu, チェ che, フィ fi, ウィ wi)
/// and the small tsu (ッ, a doubled consonant) as nothing: a character at a
/// time, the romaniser gives "kiyu", "chie", "fui" and a stray "t".
fn push_kana(c: char, out: &mut String) {
    let small = small_kana(c);
    let small_vowel = match small {
        Some(SmallKana::Vowel(v)) => Some(v),
        _ => None,
    };
    let small_y = match small {
        Some(SmallKana::Y(v)) => Some(v),
        _ => None,
    };
    if small == Some(SmallKana::Skip) {
        return;
    }
    let last_two: Vec<char> = out.chars().rev().take(2).collect();
    let after_consonant = last_two
        .get(1)
        .is_some_and(|p| p.is_ascii_alphabetic() && !is_vowel_char(*p));
    if let Some(v) = small_vowel {
        match last_two.first() {
            // フ + ィ = fi: the small vowel replaces the syllable's own.
            Some(&p) if is_vowel_char(p) && after_consonant => {
                out.pop();
            }
            // ウ + ィ = wi.
            Some('u') => {
                out.pop();
                out.push('w');
            }
            _ => {}
        }
        out.push(v);
        return;
    }
    if let Some(v) = small_y {
        if last_two.first() == Some(&'i') && after_consonant {
            out.pop();
            // シャ sha, チュ chu, ジョ jo: no y after sh, ch, j.
            if !(out.ends_with("sh") || out.ends_with("ch") || out.ends_with('j')) {
                out.push('y');
            }
        } else {
            out.push('y');
        }
        out.push(v);
        return;
    }
    out.push_str(any_ascii::any_ascii_char(c));
}

/// Khmer writes /p/ as ប (ba) with the sign ៉ (musĕkâtônd), which
/// character-by-character romanisation would read as "b" (ប៉ុល ពត = Pol
/// Pot): the pair is replaced by ព (po) first.
fn khmer_p(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('\u{17C9}') {
        std::borrow::Cow::Owned(s.replace("\u{1794}\u{17C9}", "\u{1796}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Hebrew letters whose usual romanisation hides how names use them: vav
/// (ו) is mostly the vowel o or u, so it is read as the vowel letter w
/// (which skeletons drop, like Arabic و), not as v. Geresh combinations
/// (ג׳ j, צ׳ ch, ז׳ zh) are rewritten by `hebrew_geresh` first.
fn hebrew_letter(c: char) -> Option<&'static str> {
    match c {
        '\u{05D5}' => Some("w"),
        _ => None,
    }
}

/// Hebrew writes sounds it lacks with a geresh after a letter: ג׳ = j
/// (Joni), צ׳ = ch (Charlton), ז׳ = zh. Rewritten in Latin before
/// romanisation, which would read the letters alone (g, ts, z).
fn hebrew_geresh(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['\'', '\u{05F3}']) || !s.chars().any(|c| matches!(c as u32, 0x05D0..=0x05EA)) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = s.to_string();
    for (from, to) in [("ג", "j"), ("צ", "tsh"), ("ץ", "tsh"), ("ז", "zh")] {
        for g in ['\'', '\u{05F3}'] {
            out = out.replace(&format!("{from}{g}"), to);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn is_arabic_letter(c: char) -> bool {
    matches!(c as u32, 0x0620..=0x064A | 0x0671..=0x06D3)
}

/// The Arabic article is written joined to its noun (السيسي, al-Sisi),
/// while Latin spellings give it as a word of its own or leave it out: a
/// word-initial ال before two or more letters is split off as the word
/// "al", the particle. (الله, Allah, is one word.)
fn arabic_article(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains("\u{0627}\u{0644}") {
        return std::borrow::Cow::Borrowed(s);
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let word_start = i == 0 || !is_arabic_letter(chars[i - 1]);
        if word_start && chars[i] == '\u{0627}' && chars.get(i + 1) == Some(&'\u{0644}') {
            let rest = chars[i + 2..]
                .iter()
                .take_while(|c| is_arabic_letter(**c))
                .count();
            let allah = rest == 2 && chars[i + 2] == '\u{0644}' && chars[i + 3] == '\u{0647}';
            if rest >= 2 && !allah {
                // Written in Latin: the romaniser drops a lone alef.
                out.push_str("al ");
                i += 2;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    std::borrow::Cow::Owned(out)
}

/// Romanises one string without translating terms: returns the ASCII text
/// with token separators as spaces, and whether abjad letters were seen.
fn romanise(s: &str, out: &mut String) -> bool {
    let mut abjad = false;
    let mut prev = Script::Other;
    let s = khmer_p(s);
    let s = arabic_article(&s);
    let s = hebrew_geresh(&s);
    for c in s.chars() {
        let sc = script_of(c);
        match sc {
            Script::Han => {
                out.push(' ');
                match c.to_pinyin() {
                    Some(p) => out.push_str(p.plain()),
                    None => out.push_str(any_ascii::any_ascii_char(c)),
                }
                out.push(' ');
            }
            Script::Hangul => {
                // One token per syllable block, as Korean names are romanised
                // syllable by syllable ("Kim Jong Un").
                out.push(' ');
                let syllable = any_ascii::any_ascii_char(c).to_ascii_lowercase();
                out.push_str(hangul_without_epenthesis(&syllable));
                out.push(' ');
            }
            Script::Abjad => {
                abjad = true;
                out.push_str(hebrew_letter(c).unwrap_or_else(|| any_ascii::any_ascii_char(c)));
            }
            Script::Kana | Script::Other => {
                if prev == Script::Han || prev == Script::Hangul {
                    out.push(' ');
                }
                if is_joiner(c) {
                    continue;
                }
                if c.is_ascii() {
                    out.push(c);
                } else if sc == Script::Kana {
                    push_kana(c, out);
                } else {
                    out.push_str(any_ascii::any_ascii_char(c));
                }
            }
        }
        prev = sc;
    }
    abjad
}

/// Splits romanised text into tokens: lower-case ASCII letters and digits.
/// Runs of single letters ("l l c", "j p") are joined into one token,
/// because they are an initialism written with dots or spaces.
fn tokenize(s: &str) -> Vec<String> {
    let mut toks: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev = ' ';
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied().unwrap_or(' ');
        let this = prev;
        prev = c;
        if c.is_ascii_alphanumeric() {
            cur.push(c.to_ascii_lowercase());
        } else if let Some(l) = symbol_letter(c)
            .filter(|_| this.is_ascii_alphanumeric() && next.is_ascii_alphanumeric())
        {
            // "H!kv!s!on", "Hikvi$ion": a sign inside a word is the
            // letter it imitates.
            cur.push(l);
        } else if c == '%' {
            // "3%ers" = "Three Percenters": the sign is a word, kept
            // apart so the aligner can join it with what follows.
            if !cur.is_empty() {
                toks.push(std::mem::take(&mut cur));
            }
            toks.push("percent".to_string());
        } else if is_joiner(c) {
            continue;
        } else if !cur.is_empty() {
            toks.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        toks.push(cur);
    }
    let mut out: Vec<String> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let single = |t: &String| t.len() == 1 && t.as_bytes()[0].is_ascii_alphabetic();
        if let Some(j) = spelled_out(&toks[i..]) {
            // "H-1-k-v-1-s-1-0-n": letters and look-alike digits written
            // one by one are one word (read by `unleet` below).
            out.push(toks[i..i + j].concat());
            i += j;
        } else if single(&toks[i]) && i + 1 < toks.len() && single(&toks[i + 1]) {
            let mut j = i;
            let mut joined = String::new();
            while j < toks.len() && single(&toks[j]) {
                joined.push_str(&toks[j]);
                j += 1;
            }
            out.push(joined);
            i = j;
        } else {
            out.push(std::mem::take(&mut toks[i]));
            i += 1;
        }
    }
    arabic_compounds(numbers(out.into_iter().map(unleet).collect()))
}

/// "Abd al-" (servant of) as Latin spellings join it to the next word.
const ABD_PREFIXES: &[&str] = &[
    "abdel", "abdul", "abdal", "abdol", "abdil", "abdur", "abdus",
];
/// "… al-Din" (of the faith) as Latin spellings join it to the word before.
const DIN_SUFFIXES: &[&str] = &["uddin", "eddin", "addin", "iddin", "uddeen"];

/// Arabic compound names are written as one Latin word with the article
/// inside ("Abdelaziz", "Abdurrahman", "Shamsuddin") but as three words in
/// Arabic (عبد العزيز, شمس الدين) and in many list spellings ("Abd al-Aziz",
/// "Shams al-Din"): the Latin compounds are split the same way, the article
/// as "al". Names with Allah stay whole (Abdullah).
fn arabic_compounds(toks: Vec<String>) -> Vec<String> {
    if !toks
        .iter()
        .any(|t| t.starts_with("abd") || t.ends_with("din") || t.ends_with("deen"))
    {
        return toks;
    }
    let mut out = Vec::with_capacity(toks.len() + 2);
    for t in toks {
        let abd = ABD_PREFIXES
            .iter()
            .find_map(|p| t.strip_prefix(p))
            .filter(|rest| rest.is_empty() || (rest.len() >= 3 && !rest.starts_with('l')));
        if let Some(rest) = abd {
            out.push("abd".to_string());
            out.push("al".to_string());
            if !rest.is_empty() {
                out.push(rest.to_string());
            }
            continue;
        }
        let din = DIN_SUFFIXES
            .iter()
            .find_map(|s| t.strip_suffix(s))
            .filter(|stem| stem.len() >= 3);
        if let Some(stem) = din {
            out.push(stem.to_string());
            out.push("al".to_string());
            out.push("din".to_string());
            continue;
        }
        out.push(t);
    }
    out
}

/// A letter outside the Latin script (Cyrillic, Greek, Arabic, Han, …).
fn is_non_latin_letter(c: char) -> bool {
    c.is_alphabetic() && !c.is_ascii() && !matches!(c as u32, 0x00C0..=0x024F | 0x1E00..=0x1EFF)
}

fn is_syllabic(c: char) -> bool {
    matches!(script_of(c), Script::Han | Script::Hangul | Script::Kana)
}

/// Romanises `s` after replacing standard Han terms by their English
/// rendering. With `keep_native`, syllabic characters stay as one token each.
fn translated(s: &str, keep_native: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut last = 0;
    let flush = |seg: &str, out: &mut Vec<String>| {
        if !keep_native {
            let mut r = String::with_capacity(seg.len() * 2);
            romanise(seg, &mut r);
            out.extend(tokenize(&r));
            return;
        }
        let mut rest = String::new();
        for c in seg.chars() {
            if is_syllabic(c) {
                let mut r = String::new();
                romanise(&rest, &mut r);
                out.extend(tokenize(&r));
                rest.clear();
                out.push(c.to_string());
            } else {
                rest.push(c);
            }
        }
        let mut r = String::new();
        romanise(&rest, &mut r);
        out.extend(tokenize(&r));
    };
    let terms = han_terms();
    for m in terms.automaton.find_iter(s) {
        flush(&s[last..m.start()], &mut out);
        out.extend(
            terms.english[m.pattern().as_usize()]
                .split(' ')
                .map(String::from),
        );
        last = m.end();
    }
    flush(&s[last..], &mut out);
    out
}

/// A sign written inside a word for the letter it looks like.
fn symbol_letter(c: char) -> Option<char> {
    match c {
        '!' | '|' => Some('i'),
        '$' => Some('s'),
        '@' => Some('a'),
        _ => None,
    }
}

/// The letter a digit stands for inside a word ("Sech1n", "H1kv1s10n").
fn leet_letter(d: u8) -> Option<u8> {
    match d {
        b'0' => Some(b'o'),
        b'1' => Some(b'i'),
        b'3' => Some(b'e'),
        b'4' => Some(b'a'),
        b'5' => Some(b's'),
        b'7' => Some(b't'),
        b'9' => Some(b'g'),
        _ => None,
    }
}

/// How many of the leading tokens spell one word character by character
/// with look-alike digits among the letters ("h 1 k v 1 s 1 0 n"): at
/// least four one-character tokens, starting and ending with a letter,
/// with a digit that reads as a letter, and never two digits in a row
/// beyond what `unleet` reads.
fn spelled_out(toks: &[String]) -> Option<usize> {
    let n = toks
        .iter()
        .take_while(|t| t.len() == 1 && t.as_bytes()[0].is_ascii_alphanumeric())
        .count();
    let run = &toks[..n];
    let letter = |t: &String| t.as_bytes()[0].is_ascii_alphabetic();
    let has_leet = run
        .iter()
        .any(|t| leet_letter(t.as_bytes()[0]).is_some() && !letter(t));
    (n >= 4 && letter(&run[0]) && letter(&run[n - 1]) && has_leet).then_some(n)
}

/// Undoes digit-for-letter substitutions ("Ig0r Sech1n", "H1kv1s10n"): a
/// run of one or two digits with a letter on both sides, each digit
/// resembling a letter, is read as those letters. Digits at the edges
/// ("AHL1", "2007") and other runs ("Su27k") are real numbers and stay.
fn unleet(t: String) -> String {
    let b = t.as_bytes();
    if !b.iter().any(u8::is_ascii_digit) || !b.iter().any(u8::is_ascii_alphabetic) {
        return t;
    }
    let mut out = b.to_vec();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let inner = start > 0
            && i < b.len()
            && b[start - 1].is_ascii_alphabetic()
            && b[i].is_ascii_alphabetic()
            && i - start <= 2;
        if inner && b[start..i].iter().all(|d| leet_letter(*d).is_some()) {
            for k in start..i {
                out[k] = leet_letter(b[k]).unwrap_or(b[k]);
            }
        }
    }
    String::from_utf8(out).unwrap_or(t)
}

/// "HlKVlSlON": a lower-case l between two capitals is a capital I
/// written to dodge a match (in a sans-serif face they look the same).
fn caps_l(s: &str) -> std::borrow::Cow<'_, str> {
    let b = s.as_bytes();
    if !b
        .windows(3)
        .any(|w| w[1] == b'l' && w[0].is_ascii_uppercase() && w[2].is_ascii_uppercase())
    {
        return std::borrow::Cow::Borrowed(s);
    }
    let c: Vec<char> = s.chars().collect();
    let hit = |i: usize| {
        c[i] == 'l'
            && i > 0
            && i + 1 < c.len()
            && c[i - 1].is_ascii_uppercase()
            && c[i + 1].is_ascii_uppercase()
    };
    if !(0..c.len()).any(hit) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        (0..c.len())
            .map(|i| if hit(i) { 'I' } else { c[i] })
            .collect(),
    )
}

const UNITS: &[&str] = &[
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const ORDINALS: &[&str] = &[
    "zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth",
];
const TENS: &[&str] = &[
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// English number words and ordinals become digits ("Forty-Four" = "44",
/// "First" = "1st" = "1"), so written and numeric forms meet.
fn numbers(toks: Vec<String>) -> Vec<String> {
    let word = |t: &str| -> Option<u32> {
        if let Some(i) = UNITS.iter().position(|u| *u == t) {
            return Some(i as u32);
        }
        if let Some(i) = ORDINALS.iter().position(|u| *u == t) {
            return Some(i as u32);
        }
        if t == "fourty" {
            return Some(40);
        }
        TENS.iter()
            .position(|u| !u.is_empty() && *u == t)
            .map(|i| i as u32 * 10)
    };
    let mut out: Vec<String> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i].as_str();
        // "1st", "2nd", "3rd", "4th"
        let stripped = ["st", "nd", "rd", "th"]
            .iter()
            .find_map(|suf| t.strip_suffix(suf))
            .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
        if let Some(d) = stripped {
            out.push(d.to_string());
            i += 1;
            continue;
        }
        match word(t) {
            Some(n) if n >= 20 && n % 10 == 0 => {
                // "forty four", "forty-four" and "forty 4" are all 44.
                let next = toks
                    .get(i + 1)
                    .and_then(|x| word(x).or_else(|| x.parse().ok()))
                    .filter(|&u| (1..10).contains(&u));
                match next {
                    Some(u) => {
                        out.push((n + u).to_string());
                        i += 2;
                    }
                    None => {
                        out.push(n.to_string());
                        i += 1;
                    }
                }
            }
            Some(n) => {
                out.push(n.to_string());
                i += 1;
            }
            None => {
                out.push(toks[i].clone());
                i += 1;
            }
        }
    }
    out
}

/// The reading of an organisation name with its Russian terms in English
/// (`russian::translated`), when it has any.
pub(crate) fn russian_form(name: &str) -> Option<RawForm> {
    if !crate::russian::has_cyrillic(name) {
        return None;
    }
    let nfkc: String = name.nfkc().collect::<String>().to_lowercase();
    let english = crate::russian::translated(&nfkc)?;
    let mut plain = String::with_capacity(english.len() * 2);
    romanise(&english, &mut plain);
    let tokens = tokenize(&plain);
    (!tokens.is_empty()).then_some(RawForm {
        tokens,
        abjad: false,
        syllabic: false,
        native: false,
        romanised: true,
        han: false,
    })
}

/// All forms of one name. Empty when the name has no letters or digits.
pub(crate) fn forms(name: &str) -> Vec<RawForm> {
    let nfkc: String = name.nfkc().collect::<String>();
    let nfkc = caps_l(&nfkc).to_lowercase();
    let mut out: Vec<RawForm> = Vec::with_capacity(3);
    let syllabic = nfkc.chars().any(is_syllabic);
    let romanised = nfkc.chars().any(is_non_latin_letter);
    let has_han = nfkc.chars().any(|c| script_of(c) == Script::Han);
    let mut plain = String::with_capacity(nfkc.len() * 2);
    let abjad = romanise(&nfkc, &mut plain);
    let push = |tokens: Vec<String>, native: bool, out: &mut Vec<RawForm>| {
        if !tokens.is_empty() && !out.iter().any(|f| f.tokens == tokens) {
            out.push(RawForm {
                tokens,
                abjad,
                syllabic,
                native,
                romanised,
                han: has_han,
            });
        }
    };
    if has_han {
        push(translated(&nfkc, false), false, &mut out);
    }
    push(tokenize(&plain), false, &mut out);
    // Hebrew ו is read as a vowel letter (see `hebrew_letter`), but it is
    // also the consonant v (דוד = David): a second reading has it as ב (v).
    if nfkc.contains('\u{05D5}') {
        let mut v = String::with_capacity(plain.len());
        romanise(&nfkc.replace('\u{05D5}', "\u{05D1}"), &mut v);
        push(tokenize(&v), false, &mut out);
    }
    if syllabic {
        push(translated(&nfkc, true), true, &mut out);
    }
    // A Chinese name in Russian (Чэнь Цюаньго): its pinyin reading, held
    // to exact syllables against Latin names like a Han name's.
    if romanised {
        if let Some(tokens) = crate::palladius::reading(&nfkc) {
            if !out.iter().any(|f| f.tokens == tokens) {
                out.push(RawForm {
                    tokens,
                    abjad: false,
                    syllabic: false,
                    native: false,
                    romanised: true,
                    han: true,
                });
            }
        }
    }
    // "Al-Qa'ida/Islamic Army": a slash between two real names lists
    // alternatives; each is a form of its own as well ("A/S" is not split).
    let parts: Vec<&str> = nfkc.split('/').collect();
    let real = |p: &&str| p.chars().filter(|c| c.is_alphanumeric()).count() >= 4;
    if parts.len() > 1 && parts.iter().all(real) {
        for p in parts {
            let mut r = String::with_capacity(p.len() * 2);
            romanise(p, &mut r);
            push(tokenize(&r), false, &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(s: &str) -> String {
        forms(s)[0].tokens.join(" ")
    }

    #[test]
    fn latin_names_fold_case_diacritics_and_punctuation() {
        assert_eq!(first("Łukasz Żółć-Müller"), "lukasz zolc muller");
        assert_eq!(first("O'Neil, J.P."), "oneil jp");
        assert_eq!(first("ＡＢＣ　Ｃｏ．，Ｌｔｄ．"), "abc co ltd");
        assert_eq!(first("Bowne L.L.C."), "bowne llc");
    }

    #[test]
    fn number_words_and_leet_become_digits_and_letters() {
        assert_eq!(first("Brigade Forty-Four"), "brigade 44");
        assert_eq!(first("Brigade Forty 4"), "brigade 44");
        assert_eq!(first("1st International Bank"), "1 international bank");
        assert_eq!(first("First International Bank"), "1 international bank");
        assert_eq!(first("Ig0r Sech1n"), "igor sechin");
        assert_eq!(first("Trust 2007-AHL1"), "trust 2007 ahl1");
        assert_eq!(first("H1kv1s10n"), "hikvision");
        assert_eq!(first("H!kv!s!on Hikvi$ion"), "hikvision hikvision");
        assert_eq!(first("HlKVlSlON PAUl"), "hikvision paul");
        assert_eq!(first("H-1-k-v-1-s-1-0-n"), "hikvision");
        assert_eq!(first("Su27k Yahoo! A 1 B"), "su27k yahoo a 1 b");
    }

    #[test]
    fn cyrillic_and_greek_are_romanised() {
        assert_eq!(first("Владимир Путин"), "vladimir putin");
        assert_eq!(first("Αλέξης Τσίπρας"), "alexis tsipras");
    }

    #[test]
    fn han_gives_translated_and_pinyin_forms() {
        let f = forms("杭州海康威视数字技术股份有限公司");
        assert_eq!(f.len(), 3);
        assert!(f[2].native);
        // Divisions read as one word (`sinoorg`), in every form.
        assert_eq!(f[2].tokens[..3], ["hangzhou", "海", "康"]);
        assert_eq!(f[2].tokens[5], "digital");
        assert_eq!(
            f[0].tokens.join(" "),
            "hangzhou hai kang wei shi digital technology joint stock co ltd"
        );
        assert_eq!(
            f[1].tokens.join(" "),
            "hang zhou hai kang wei shi shu zi ji shu gu fen you xian gong si"
        );
        assert_eq!(
            first("新疆生产建设兵团"),
            "xinjiang production and construction corps"
        );
    }

    #[test]
    fn hangul_is_split_per_syllable_and_arabic_is_flagged() {
        assert_eq!(first("김정은"), "gim jeong eun");
        let f = forms("محمد علي");
        assert!(f[0].abjad);
        assert_eq!(f[0].tokens.len(), 2);
    }

    #[test]
    fn slashes_between_names_give_alternative_forms() {
        let f = forms("Al-Qa'ida/Islamic Army");
        let texts: Vec<String> = f.iter().map(|x| x.tokens.join(" ")).collect();
        assert_eq!(texts, ["al qaida islamic army", "al qaida", "islamic army"]);
        assert_eq!(forms("Maersk A/S").len(), 1);
    }

    #[test]
    fn the_arabic_article_is_a_word_of_its_own() {
        assert_eq!(arabic_article("عبد الفتاح السيسي"), "عبد al فتاح al سيسي");
        assert_eq!(arabic_article("عبد الله"), "عبد الله");
        assert_eq!(arabic_article("الب"), "الب");
        assert_eq!(arabic_article("putin"), "putin");
        assert_eq!(first("السميحي"), "al smyhy");
    }

    #[test]
    fn arabic_compounds_are_split_like_the_arabic_spelling() {
        assert_eq!(first("Abdelaziz Bouteflika"), "abd al aziz bouteflika");
        assert_eq!(first("Abdul Rahman"), "abd al rahman");
        assert_eq!(first("Abdurrahman"), "abd al rahman");
        assert_eq!(first("Mohammed Shamsuddin"), "mohammed shams al din");
        assert_eq!(first("Abdullah"), "abdullah");
        assert_eq!(first("Abdul"), "abd al");
        assert_eq!(first("Baldin Aladdin"), "baldin aladdin");
    }

    #[test]
    fn hebrew_vav_is_a_vowel_letter_and_geresh_makes_new_sounds() {
        assert_eq!(first("קרולין"), "krwlyn");
        let david: Vec<String> = forms("דוד").iter().map(|f| f.tokens.join(" ")).collect();
        assert_eq!(david, ["dwd", "dvd"]);
        let p = Some(embargo_model::Schema::Person);
        assert!(crate::compare_names(p, "דוד", "David") >= 0.85);
        assert!(crate::compare_names(p, "קרולין", "Karoline") >= 0.85);
        assert_eq!(first("צ'רלטון"), "tshrltwn");
        assert_eq!(first("ג׳וני"), "jwny");
    }

    #[test]
    fn small_kana_join_their_syllable_and_hangul_epenthesis_is_dropped() {
        assert_eq!(first("キュッヘルベケル"), "kyuherubekeru");
        assert_eq!(first("コチェトコフ"), "kochetokofu");
        assert_eq!(first("ロッカー"), "roka");
        assert_eq!(first("ウィリアム"), "wiriamu");
        assert_eq!(first("フィジィ"), "fiji");
        assert_eq!(first("シャ"), "sha");
        assert_eq!(first("스타엘런스"), "s ta el leon s");
        assert!(first("김은숙").starts_with("gim eun "));
    }

    #[test]
    fn percent_signs_and_khmer_p_are_read() {
        assert_eq!(first("3%ers"), "3 percent ers");
        assert_eq!(first("ប៉ុល ពត"), "pol pt");
    }

    #[test]
    fn han_terms_parse_and_translate() {
        let t = parse_han_terms(data_file!("han_terms.tsv"), &[]).unwrap();
        assert_eq!(t.english.len(), 51);
        let m = t.automaton.find("杭州股份有限公司").unwrap();
        assert_eq!(t.english[m.pattern().as_usize()], "joint stock co ltd");
        assert_eq!(first("中国贸易公司"), "china trading co");
        let bad = parse_han_terms(("h.tsv", "# h\n公司\tco\nco\tco\n"), &[]);
        assert_eq!(
            bad.err().unwrap().to_string(),
            "h.tsv:3: the term must be Han characters only"
        );
    }

    #[test]
    fn small_kana_parse() {
        let k = parse_small_kana(data_file!("small_kana.tsv")).unwrap();
        assert_eq!(k.len(), 18);
        assert_eq!(k[&'ィ'], SmallKana::Vowel('i'));
        assert_eq!(k[&'ょ'], SmallKana::Y('o'));
        assert_eq!(k[&'ッ'], SmallKana::Skip);
        assert!(!k.contains_key(&'キ'));
    }

    #[test]
    fn empty_and_symbol_only_names_give_no_form() {
        assert!(forms("").is_empty());
        assert!(forms(" -- ,. ").is_empty());
    }
}
