//! `Algorithm::Ofac`: a reproduction of OFAC's Sanctions List Search score.
//!
//! OFAC documents that Sanctions List Search "uses two matching logic
//! algorithms": character matching by Jaro-Winkler and phonetic matching by
//! Soundex, and that the score is the better of the two. It does not publish
//! tokenisation, weights or how the two are combined. What we reproduce
//! (following nomenklatura's reconstruction, PR#310):
//! - the whole-name Jaro-Winkler as SimMetrics computes it: the prefix bonus
//!   (up to 4 letters, factor 0.1) is applied without Winkler's 0.7 boost
//!   threshold, and only when the first letters agree;
//! - a per-token score: each query token longer than 2 characters takes its
//!   best Jaro-Winkler against the list tokens (values below 0.5 count as 0),
//!   averaged over query tokens;
//! - a phonetic score: the share of query tokens whose American Soundex code
//!   appears among the list tokens' codes;
//! - the name score is the largest of the three.
//!
//! Not reproduced (not public): OFAC's handling of punctuation beyond
//! removing it, any list-specific stop words, and the address/ID program
//! filters of the web tool. OFAC's tool compares the query with every
//! name; `Matcher` scores only the candidates its token index proposes, so
//! a name sharing no token, one-edit neighbour or phonetic key with the
//! query is never scored. Qualifiers (date of birth, country, type,
//! identifiers) are Embargo's, applied the same way for both algorithms.
//! Scores run higher than Embargo's for unrelated names: use
//! `OFAC_THRESHOLD` (0.95; best F1 0.753 on nomenklatura's cases.csv).

use crate::text;
use rapidfuzz::distance::jaro;

pub(crate) struct OfacScore {
    pub score: f64,
    pub query_form: String,
    pub alias_form: String,
    /// (query token, best list token, similarity)
    pub tokens: Vec<(String, String, f64)>,
    pub unmatched_query: Vec<String>,
}

fn tokens(s: &str) -> Vec<String> {
    text::forms(s)
        .into_iter()
        .next()
        .map(|f| f.tokens)
        .unwrap_or_default()
}

/// SimMetrics-style Jaro-Winkler (see module doc).
pub(crate) fn jaro_winkler(a: &str, b: &str) -> f64 {
    let j = jaro::similarity(a.bytes(), b.bytes());
    let prefix = a
        .bytes()
        .zip(b.bytes())
        .take(4)
        .take_while(|(x, y)| x == y)
        .count();
    j + prefix as f64 * 0.1 * (1.0 - j)
}

/// American Soundex: first letter plus three digits.
pub(crate) fn soundex(s: &str) -> String {
    let code = |c: u8| match c {
        b'b' | b'f' | b'p' | b'v' => b'1',
        b'c' | b'g' | b'j' | b'k' | b'q' | b's' | b'x' | b'z' => b'2',
        b'd' | b't' => b'3',
        b'l' => b'4',
        b'm' | b'n' => b'5',
        b'r' => b'6',
        _ => b'0',
    };
    let b: Vec<u8> = s.bytes().filter(u8::is_ascii_alphabetic).collect();
    let Some(&first) = b.first() else {
        return String::new();
    };
    let mut out = vec![first.to_ascii_uppercase()];
    let mut last = code(first);
    for &c in &b[1..] {
        let d = code(c);
        if d != b'0' && d != last {
            out.push(d);
            if out.len() == 4 {
                break;
            }
        }
        // 'h' and 'w' do not separate equal codes; vowels do.
        if c != b'h' && c != b'w' {
            last = d;
        }
    }
    while out.len() < 4 {
        out.push(b'0');
    }
    String::from_utf8(out).unwrap_or_default()
}

pub(crate) fn score(query: &str, alias: &str) -> OfacScore {
    let q = tokens(query);
    let a = tokens(alias);
    let (qs, as_) = (q.join(" "), a.join(" "));
    let mut out = OfacScore {
        score: 0.0,
        query_form: qs.clone(),
        alias_form: as_.clone(),
        tokens: vec![],
        unmatched_query: vec![],
    };
    if q.is_empty() || a.is_empty() {
        return out;
    }
    let whole = if qs.as_bytes()[0] == as_.as_bytes()[0] {
        jaro_winkler(&qs, &as_)
    } else {
        jaro::similarity(qs.bytes(), as_.bytes())
    };
    let long: Vec<&String> = q.iter().filter(|t| t.len() > 2).collect();
    let long = if long.is_empty() {
        q.iter().collect()
    } else {
        long
    };
    let mut sum = 0.0;
    for t in &long {
        let (best, bs) = a
            .iter()
            .map(|x| (x, jaro_winkler(t, x)))
            .max_by(|x, y| x.1.total_cmp(&y.1))
            .unwrap_or((&a[0], 0.0));
        if bs >= 0.5 {
            sum += bs;
            out.tokens.push(((*t).clone(), best.clone(), bs));
        } else {
            out.unmatched_query.push((*t).clone());
        }
    }
    let per_token = sum / long.len() as f64;
    let codes: Vec<String> = a.iter().map(|x| soundex(x)).collect();
    let phonetic =
        long.iter().filter(|t| codes.contains(&soundex(t))).count() as f64 / long.len() as f64;
    out.score = whole.max(per_token).max(phonetic).clamp(0.0, 1.0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soundex_matches_the_reference_codes() {
        assert_eq!(soundex("robert"), "R163");
        assert_eq!(soundex("rupert"), "R163");
        assert_eq!(soundex("ashcraft"), "A261");
        assert_eq!(soundex("tymczak"), "T522");
        assert_eq!(soundex("pfister"), "P236");
    }

    #[test]
    fn identical_names_score_one_and_unrelated_low() {
        assert!((score("Vladimir Putin", "PUTIN, Vladimir").score - 1.0).abs() < 1e-9);
        assert!(score("Angela Merkel", "Xi Jinping").score < 0.6);
    }
}
