//! Character-trigram index over the vocabulary: the candidate source for
//! query words more than one edit away from any listed word.
//!
//! The `Matcher` finds most spelling variants without it: exact tokens,
//! one-deletion neighbours (which also cover one substitution and one
//! transposition) and phonetic keys. What they miss are words with two or
//! more scattered edits ("Rasoboronexpert" for "Rosoboronexport"), which
//! the aligner would still score highly in a long word but which never
//! reach it as candidates.
//!
//! Layout: each vocabulary word of `MIN_LEN`+ ASCII letters is padded as
//! `^word$` and cut into overlapping trigrams; a trigram (three bytes
//! packed in a `u32`) maps to the sorted ids of the words containing it.
//! A lookup counts, per word, the query trigrams it shares and keeps words
//! sharing at least `MIN_SHARE` of them (a Dice-like overlap), best first.
//! Trigrams found in more than `MAX_POSTINGS` words ("ing", "ova") say
//! nothing and are skipped, which bounds the work per lookup.

use rustc_hash::FxHashMap;

/// Words shorter than this are left to the deletion neighbourhood: below
/// eight letters two edits already fall past the similarity cliff, so
/// such candidates would not score anyway.
pub(crate) const MIN_LEN: usize = 8;
/// Trigrams in more words than this are not looked up.
const MAX_POSTINGS: usize = 1_500;
/// Share of the query word's trigrams a word must contain.
const MIN_SHARE: f32 = 0.5;
/// At most this many words are returned per lookup.
const MAX_RESULTS: usize = 8;

pub(crate) struct TrigramIndex {
    postings: FxHashMap<u32, Vec<u32>>,
    /// Trigram count of each indexed word, by word id (0 = not indexed).
    counts: Vec<u8>,
}

fn trigrams(word: &str) -> impl Iterator<Item = u32> + '_ {
    let b = word.as_bytes();
    let n = b.len() + 2;
    let at = move |i: usize| -> u32 {
        match i {
            0 => u32::from(b'^'),
            _ if i == n - 1 => u32::from(b'$'),
            _ => u32::from(b[i - 1]),
        }
    };
    (0..n.saturating_sub(2)).map(move |i| (at(i) << 16) | (at(i + 1) << 8) | at(i + 2))
}

fn indexable(word: &str) -> bool {
    word.len() >= MIN_LEN && word.len() <= 64 && word.bytes().all(|b| b.is_ascii_lowercase())
}

impl TrigramIndex {
    /// Indexes `words` (id, text); ids must be below `n_ids`.
    pub fn build<'a>(n_ids: usize, words: impl Iterator<Item = (u32, &'a str)>) -> Self {
        let mut postings: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
        let mut counts = vec![0u8; n_ids];
        for (id, w) in words {
            if !indexable(w) {
                continue;
            }
            let mut grams: Vec<u32> = trigrams(w).collect();
            grams.sort_unstable();
            grams.dedup();
            counts[id as usize] = grams.len().min(u8::MAX as usize) as u8;
            for g in grams {
                postings.entry(g).or_default().push(id);
            }
        }
        TrigramIndex { postings, counts }
    }

    /// Ids of indexed words sharing at least half of `word`'s trigrams,
    /// with their overlap in (0, 1], best first.
    pub fn similar(&self, word: &str, out: &mut Vec<(u32, f32)>) {
        similar_by(
            word,
            |g, ids| {
                if let Some(p) = self.postings.get(&g) {
                    ids.extend_from_slice(p);
                }
            },
            |id| self.counts[id as usize],
            out,
        );
    }

    /// Trigram → sorted word ids, and each word's trigram count, for
    /// writing the index file.
    pub fn parts(&self) -> (Vec<(u32, &[u32])>, &[u8]) {
        let mut keys: Vec<(u32, &[u32])> = self
            .postings
            .iter()
            .map(|(&g, p)| (g, p.as_slice()))
            .collect();
        keys.sort_unstable_by_key(|k| k.0);
        (keys, &self.counts)
    }
}

/// [`TrigramIndex::similar`] over any storage: `get` appends the word ids
/// of a trigram, `count` gives a word's trigram count.
pub(crate) fn similar_by(
    word: &str,
    mut get: impl FnMut(u32, &mut Vec<u32>),
    count: impl Fn(u32) -> u8,
    out: &mut Vec<(u32, f32)>,
) {
    if !indexable(word) {
        return;
    }
    let mut grams: Vec<u32> = trigrams(word).collect();
    grams.sort_unstable();
    grams.dedup();
    let nq = grams.len();
    let mut shared: FxHashMap<u32, u8> = FxHashMap::default();
    let mut ids = Vec::new();
    for &g in &grams {
        ids.clear();
        get(g, &mut ids);
        if ids.len() > MAX_POSTINGS {
            continue;
        }
        for &id in &ids {
            *shared.entry(id).or_default() += 1;
        }
    }
    let mut found: Vec<(u32, f32)> = shared
        .into_iter()
        .map(|(id, s)| {
            let nw = usize::from(count(id));
            // Dice coefficient of the two trigram sets.
            (id, 2.0 * f32::from(s) / (nq + nw) as f32)
        })
        .filter(|&(_, d)| d >= MIN_SHARE)
        .collect();
    found.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    found.truncate(MAX_RESULTS);
    out.extend(found);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_two_edits_apart_share_most_trigrams() {
        let words = [
            "rosoboronexport",
            "rostecholding",
            "hikvision",
            "rosneftegaz",
        ];
        let idx = TrigramIndex::build(
            words.len(),
            words.iter().enumerate().map(|(i, w)| (i as u32, *w)),
        );
        let mut out = Vec::new();
        idx.similar("rasoboronexpert", &mut out);
        assert_eq!(out.first().map(|x| x.0), Some(0), "{out:?}");
        assert!(out.iter().all(|x| x.0 != 2));
        out.clear();
        // Short words are not looked up: the deletion neighbourhood covers them.
        idx.similar("rostekh", &mut out);
        assert!(out.is_empty(), "{out:?}");
        idx.similar("unrelated", &mut out);
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn trigrams_are_padded_at_both_ends() {
        let g: Vec<u32> = trigrams("abc").collect();
        assert_eq!(g.len(), 3);
        assert_eq!(g[0] >> 16, u32::from(b'^'));
        assert_eq!(g[2] & 0xff, u32::from(b'$'));
    }
}
