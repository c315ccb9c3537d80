//! Token alignment between a query form and a list form, and the name score.
//!
//! Every query token may pair with one list token, or with two adjacent
//! list tokens written together (`haikang` = `hai kang`, `siemensag` =
//! `siemens ag`), and the other way round. Pairs are chosen greedily, best
//! similarity first, so word order does not matter ("PUTIN, Vladimir").
//!
//! The name score is a weighted mean of the pair similarities, with the
//! tokens left over as penalties in the denominator. Leftovers on *both*
//! sides mean the names disagree (a different surname) and cost full
//! weight; leftovers on one side only are extra name parts (a dropped
//! middle name, a longer alias) and cost less, the list side least,
//! because lists carry fuller names than customers type.

use crate::analyze::{Form, Tok};
use crate::similarity::token_sim;

/// Pairs below this similarity are not pairs at all.
const PAIR_FLOOR: f32 = 0.5;
/// A joined pair must be at least this good to beat two single pairs.
const JOIN_FLOOR: f32 = 0.8;
/// Penalty weights for leftover tokens (see module doc).
const CONFLICT: f32 = 1.0;
const EXTRA_QUERY: f32 = 0.5;
const EXTRA_LIST: f32 = 0.2;

#[derive(Clone, Debug)]
pub(crate) struct Pair {
    pub q: Vec<usize>,
    pub a: Vec<usize>,
    pub sim: f32,
    pub weight: f32,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Alignment {
    pub pairs: Vec<Pair>,
    pub unmatched_q: Vec<usize>,
    pub unmatched_a: Vec<usize>,
    pub score: f32,
}

fn concat(toks: &[Tok], i: usize) -> Tok {
    let text: String = format!("{}{}", toks[i].text, toks[i + 1].text);
    Tok {
        phon: crate::phonetic::key(&text).into_boxed_str(),
        text: text.into_boxed_str(),
        role: crate::symbols::TokenRole::Word,
        weight: toks[i].weight + toks[i + 1].weight,
    }
}

struct Edge {
    q: (usize, usize),
    a: (usize, usize),
    sim: f32,
}

/// Aligns `q` against `a` and scores the result.
pub(crate) fn align(q: &Form, a: &Form) -> Alignment {
    let (nq, na) = (q.toks.len(), a.toks.len());
    if nq == 0 || na == 0 {
        return Alignment::default();
    }
    let abjad = q.abjad != a.abjad;
    if q.toks
        .iter()
        .map(|t| &t.text)
        .eq(a.toks.iter().map(|t| &t.text))
    {
        let pairs = (0..nq)
            .map(|i| Pair {
                q: vec![i],
                a: vec![i],
                sim: 1.0,
                weight: (q.toks[i].weight + a.toks[i].weight) / 2.0,
            })
            .collect();
        return Alignment {
            pairs,
            score: 1.0,
            ..Default::default()
        };
    }
    let mut edges: Vec<Edge> = Vec::with_capacity(nq * na * 2);
    for i in 0..nq {
        for j in 0..na {
            let s = token_sim(&q.toks[i], &a.toks[j], abjad);
            if s >= PAIR_FLOOR {
                edges.push(Edge {
                    q: (i, 1),
                    a: (j, 1),
                    sim: s,
                });
            }
        }
    }
    // Joined tokens on either side.
    for j in 0..na.saturating_sub(1) {
        let joined = concat(&a.toks, j);
        for i in 0..nq {
            if q.toks[i].text.len() < joined.text.len() / 2 {
                continue;
            }
            let s = token_sim(&q.toks[i], &joined, abjad);
            if s >= JOIN_FLOOR {
                edges.push(Edge {
                    q: (i, 1),
                    a: (j, 2),
                    sim: s,
                });
            }
        }
    }
    for i in 0..nq.saturating_sub(1) {
        let joined = concat(&q.toks, i);
        for j in 0..na {
            if a.toks[j].text.len() < joined.text.len() / 2 {
                continue;
            }
            let s = token_sim(&joined, &a.toks[j], abjad);
            if s >= JOIN_FLOOR {
                edges.push(Edge {
                    q: (i, 2),
                    a: (j, 1),
                    sim: s,
                });
            }
        }
    }
    // Best first; among equals, the edge covering more tokens.
    edges.sort_by(|x, y| {
        y.sim
            .total_cmp(&x.sim)
            .then((y.q.1 + y.a.1).cmp(&(x.q.1 + x.a.1)))
    });
    let mut used_q = vec![false; nq];
    let mut used_a = vec![false; na];
    let mut pairs = Vec::new();
    for e in &edges {
        let qs = e.q.0..e.q.0 + e.q.1;
        let as_ = e.a.0..e.a.0 + e.a.1;
        if qs.clone().any(|i| used_q[i]) || as_.clone().any(|j| used_a[j]) {
            continue;
        }
        qs.clone().for_each(|i| used_q[i] = true);
        as_.clone().for_each(|j| used_a[j] = true);
        let wq: f32 = qs.clone().map(|i| q.toks[i].weight).sum();
        let wa: f32 = as_.clone().map(|j| a.toks[j].weight).sum();
        pairs.push(Pair {
            q: qs.collect(),
            a: as_.collect(),
            sim: e.sim,
            weight: (wq + wa) / 2.0,
        });
    }
    let unmatched_q: Vec<usize> = (0..nq).filter(|&i| !used_q[i]).collect();
    let unmatched_a: Vec<usize> = (0..na).filter(|&j| !used_a[j]).collect();
    let score = score_of(q, a, &pairs, &unmatched_q, &unmatched_a);
    Alignment {
        pairs,
        unmatched_q,
        unmatched_a,
        score,
    }
}

fn score_of(q: &Form, a: &Form, pairs: &[Pair], uq: &[usize], ua: &[usize]) -> f32 {
    let matched: f32 = pairs.iter().map(|p| p.weight).sum();
    let gained: f32 = pairs.iter().map(|p| p.weight * p.sim).sum();
    let left_q: f32 = uq.iter().map(|&i| q.toks[i].weight).sum();
    let left_a: f32 = ua.iter().map(|&j| a.toks[j].weight).sum();
    let conflict = left_q.min(left_a);
    let denom = matched
        + CONFLICT * conflict
        + EXTRA_QUERY * (left_q - conflict)
        + EXTRA_LIST * (left_a - conflict);
    if denom <= 0.0 {
        return 0.0;
    }
    (gained / denom).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::analyze;
    use embargo_model::Schema;

    fn score(schema: Schema, a: &str, b: &str) -> f32 {
        let fa = analyze(a, Some(schema));
        let fb = analyze(b, Some(schema));
        let mut best = 0.0f32;
        for x in &fa {
            for y in &fb {
                best = best.max(align(x, y).score);
            }
        }
        best
    }

    #[test]
    fn order_and_joining_are_tolerated() {
        assert_eq!(
            score(Schema::Person, "Putin Vladimir", "Vladimir Putin"),
            1.0
        );
        assert!(score(Schema::Company, "SiemensAG", "Siemens AG") > 0.9);
        assert!(score(Schema::Company, "hangzhou haikang weishi", "杭州海康威视") > 0.9);
    }

    #[test]
    fn a_different_surname_costs_more_than_a_missing_one() {
        let missing = score(
            Schema::Person,
            "Sher Abbas Stanekzai",
            "Sher Mohammad Abbas Stanekzai",
        );
        let different = score(Schema::Person, "Jonas Gahr Stoltenberg", "Jonas Gahr Store");
        assert!(missing > different, "{missing} vs {different}");
    }
}
