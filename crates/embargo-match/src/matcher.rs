//! The `Matcher`: entities, their analysed name forms and the candidate
//! index, built once when lists load and then shared read-only across
//! threads.
//!
//! Index layout:
//! - `forms`: every romanised form of every entity name (`FormRec`), the
//!   unit of candidate generation and scoring.
//! - `vocab`: each distinct token (and each form's joined key) once, with
//!   its posting list of form ids and its document frequency, which gives
//!   the token weight (rare tokens count more).
//! - `deletions`: one-character deletions of every vocabulary token of 4+
//!   letters → vocabulary ids (a SymSpell-style neighbourhood, so a query
//!   token finds list tokens one edit away without scanning).
//! - `phonetic`: consonant-skeleton key → vocabulary ids (spelling and
//!   abjad-romanisation variants).
//! - `identifiers`: normalised identifier value → entity indexes.
//! - `acronyms`: initials of organisation forms ("xpcc") → form ids, so a
//!   one-word acronym query finds names the list never abbreviates.
//! - `trigrams`: character trigrams of vocabulary words → vocabulary ids
//!   (`ngrams`), consulted for query words not in the vocabulary, so words
//!   two or more edits away still become candidates.

use crate::align::{align, Alignment};
use crate::analyze::{analyze, family_tokens_of, mark_family, Form};
use crate::explain::{Explanation, Hit, MatchKind, TokenMatch};
use crate::ngrams::TrigramIndex;
use crate::qualifiers::{norm_id, qualify, MAX_RAISE};
use crate::symbols::TokenRole;
use crate::{acronym, ofac, Algorithm, Query, ScreenOptions};
use embargo_model::{Entity, EntityId, NameKind};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::sync::Arc;

/// How many candidate forms are scored in full per query form.
const CANDIDATES: usize = 24;
/// At most this many further candidates tied with the last one.
const MAX_TIED: usize = 200;
/// Fuzzy neighbours (one edit away, same phonetic key) that are common
/// words themselves are skipped: the query's own spelling finds them
/// exactly when it is that word, and they would flood the candidates.
const MAX_FUZZY_POSTINGS: usize = 400;
/// Phonetic keys shared by more vocabulary entries than this are too
/// generic to generate candidates from.
const MAX_PHON_FANOUT: usize = 60;
/// Candidate weight of a word found by trigram overlap, times the overlap.
const TRIGRAM_CONFIDENCE: f32 = 0.7;
/// Weak aliases ("low quality a.k.a.") are too generic to hit on alone.
const WEAK_ALIAS_FACTOR: f64 = 0.85;

struct FormRec {
    entity: u32,
    name: u16,
    form: Form,
}

struct Vocab {
    ids: FxHashMap<Box<str>, u32>,
    postings: Vec<Vec<u32>>,
    /// Rarity factor of each entry (see `weight_factor`).
    rarity: Vec<f32>,
}

/// Screens names against a fixed set of entities. Cheap to share: wrap in
/// an `Arc` or clone the `Arc<[Arc<Entity>]>` it holds. Each entity is
/// behind its own `Arc`, so callers (the rules engine's resolver) hand out
/// a hit's entity without copying it.
pub struct Matcher {
    entities: Arc<[Arc<Entity>]>,
    by_id: FxHashMap<EntityId, usize>,
    forms: Vec<FormRec>,
    vocab: Vocab,
    deletions: FxHashMap<Box<str>, Vec<u32>>,
    phonetic: FxHashMap<Box<str>, Vec<u32>>,
    /// Sino key (`sino::key`) → vocabulary ids of listed words that read
    /// as Chinese syllables, consulted for queries spelt in Wade-Giles
    /// ("Chen Chuan-kuo" finds "CHEN, Quanguo").
    sino: FxHashMap<Box<str>, Vec<u32>>,
    identifiers: FxHashMap<String, Vec<u32>>,
    acronyms: FxHashMap<Box<str>, Vec<u32>>,
    trigrams: TrigramIndex,
}

fn weight_factor(df: usize, n: usize) -> f32 {
    if df == 0 || n == 0 {
        return 1.0;
    }
    let r = ((1.0 + n as f64 / df as f64).ln() / (1.0 + n as f64).ln()) as f32;
    (r / 0.6).clamp(0.2, 1.0)
}

fn deletions_of(t: &str) -> impl Iterator<Item = String> + '_ {
    (0..t.len()).map(move |i| {
        let mut s = String::with_capacity(t.len() - 1);
        s.push_str(&t[..i]);
        s.push_str(&t[i + 1..]);
        s
    })
}

/// The tokens of a person name's family part, when the list gives parts.
fn family_tokens(e: &Entity, n: &embargo_model::Name) -> Vec<Box<str>> {
    let Some(family) = n.parts.as_ref().and_then(|p| p.family.as_deref()) else {
        return vec![];
    };
    if e.schema != embargo_model::Schema::Person {
        return vec![];
    }
    family_tokens_of(family)
}

/// Runs of 2 to 4 adjacent syllable tokens of a romanised Han/Hangul/kana
/// form, written together.
fn syllable_words(f: &Form) -> Vec<String> {
    if !f.syllabic || f.native {
        return vec![];
    }
    let mut out = Vec::new();
    for n in 2..=4usize.min(f.toks.len()) {
        for w in f.toks.windows(n) {
            out.push(w.iter().map(|t| &*t.text).collect());
        }
    }
    out
}

thread_local! {
    static SCRATCH: RefCell<(Vec<f32>, Vec<u32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

impl Matcher {
    /// Analyses every name of every entity and builds the index.
    pub fn build(entities: Vec<Entity>) -> Matcher {
        let entities: Arc<[Arc<Entity>]> = entities.into_iter().map(Arc::new).collect();
        let per_entity: Vec<Vec<FormRec>> = entities
            .par_iter()
            .enumerate()
            .map(|(ei, e)| {
                let mut out = Vec::new();
                for (ni, n) in e.names.iter().enumerate().take(u16::MAX as usize) {
                    let family = family_tokens(e, n);
                    for mut form in analyze(&n.value, Some(e.schema)) {
                        mark_family(&mut form, &family);
                        out.push(FormRec {
                            entity: ei as u32,
                            name: ni as u16,
                            form,
                        });
                    }
                }
                out
            })
            .collect();
        let mut forms: Vec<FormRec> = per_entity.into_iter().flatten().collect();
        let mut vocab = Vocab {
            ids: FxHashMap::default(),
            postings: Vec::new(),
            rarity: Vec::new(),
        };
        let intern = |vocab: &mut Vocab, key: &str, f: u32| {
            let id = match vocab.ids.get(key) {
                Some(&id) => id,
                None => {
                    let id = vocab.postings.len() as u32;
                    vocab.ids.insert(key.into(), id);
                    vocab.postings.push(Vec::new());
                    id
                }
            };
            let p = &mut vocab.postings[id as usize];
            if p.last() != Some(&f) {
                p.push(f);
            }
        };
        for (fi, fr) in forms.iter().enumerate() {
            for t in &fr.form.toks {
                intern(&mut vocab, &t.text, fi as u32);
            }
            if fr.form.toks.len() > 1 {
                intern(&mut vocab, &fr.form.joined(), fi as u32);
            }
            // Syllable tokens (pinyin, Hangul) are also indexed as the
            // words they form with their neighbours: "haikang", "weishi".
            for w in syllable_words(&fr.form) {
                intern(&mut vocab, &w, fi as u32);
            }
        }
        // Token weights from document frequency over forms.
        let n = forms.len();
        vocab.rarity = vocab
            .postings
            .iter()
            .map(|p| weight_factor(p.len(), n))
            .collect();
        for fr in forms.iter_mut() {
            for t in fr.form.toks.iter_mut() {
                let df = vocab
                    .ids
                    .get(&t.text)
                    .map_or(0, |&id| vocab.postings[id as usize].len());
                t.weight = t.role.base_weight() * weight_factor(df, n);
            }
        }
        let mut deletions: FxHashMap<Box<str>, Vec<u32>> = FxHashMap::default();
        let mut phonetic: FxHashMap<Box<str>, Vec<u32>> = FxHashMap::default();
        let mut sino: FxHashMap<Box<str>, Vec<u32>> = FxHashMap::default();
        let mut seen_tok = vec![false; vocab.postings.len()];
        let mut words: Vec<(u32, &str)> = Vec::new();
        for fr in &forms {
            for t in &fr.form.toks {
                let id = vocab.ids[&t.text];
                if std::mem::replace(&mut seen_tok[id as usize], true) {
                    continue;
                }
                if t.role == TokenRole::Word {
                    words.push((id, &t.text));
                }
                if t.role == TokenRole::Word && t.text.len() >= 4 && t.text.is_ascii() {
                    for d in deletions_of(&t.text) {
                        deletions.entry(d.into()).or_default().push(id);
                    }
                }
                if t.phon.len() >= 2 && t.role == TokenRole::Word {
                    phonetic.entry(t.phon.clone()).or_default().push(id);
                }
                if !t.sino.is_empty() && t.role == TokenRole::Word && t.ascii {
                    sino.entry(t.sino.clone()).or_default().push(id);
                }
            }
        }
        let trigrams = TrigramIndex::build(vocab.postings.len(), words.into_iter());
        let mut identifiers: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        for (ei, e) in entities.iter().enumerate() {
            for i in &e.identifiers {
                if let Some(n) = norm_id(&i.value) {
                    identifiers.entry(n).or_default().push(ei as u32);
                }
            }
        }
        let mut acronyms: FxHashMap<Box<str>, Vec<u32>> = FxHashMap::default();
        for (fi, fr) in forms.iter().enumerate() {
            if !entities[fr.entity as usize].schema.is_organisation_like() {
                continue;
            }
            for key in acronym::initials(&fr.form) {
                acronyms.entry(key.into()).or_default().push(fi as u32);
            }
        }
        let by_id = entities
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        Matcher {
            entities,
            by_id,
            forms,
            vocab,
            deletions,
            phonetic,
            sino,
            identifiers,
            acronyms,
            trigrams,
        }
    }

    pub fn entities(&self) -> &[Arc<Entity>] {
        &self.entities
    }

    /// The shared entity slice, for callers that keep it beyond the matcher.
    pub fn entities_arc(&self) -> Arc<[Arc<Entity>]> {
        self.entities.clone()
    }

    /// The index of an entity in [`Matcher::entities`].
    pub fn index_of(&self, id: &EntityId) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn get(&self, id: &EntityId) -> Option<&Entity> {
        self.by_id.get(id).map(|&i| &*self.entities[i])
    }

    fn df(&self, token: &str) -> usize {
        self.vocab
            .ids
            .get(token)
            .map_or(0, |&id| self.vocab.postings[id as usize].len())
    }

    /// Gives query tokens their corpus weights.
    fn weigh(&self, form: &mut Form) {
        let n = self.forms.len();
        for t in form.toks.iter_mut() {
            t.weight = t.role.base_weight() * weight_factor(self.df(&t.text), n);
        }
    }

    /// Candidate form ids for one query form, best overlap first.
    fn candidates(&self, q: &Form, out: &mut Vec<u32>) {
        SCRATCH.with(|cell| {
            let (acc, touched) = &mut *cell.borrow_mut();
            if acc.len() < self.forms.len() {
                acc.resize(self.forms.len(), 0.0);
            }
            let add = |vid: u32, w: f32, acc: &mut Vec<f32>, touched: &mut Vec<u32>| {
                for &f in &self.vocab.postings[vid as usize] {
                    let slot = &mut acc[f as usize];
                    if *slot == 0.0 {
                        touched.push(f);
                    }
                    *slot += w;
                }
            };
            let mut hits: Vec<(u32, f32)> = Vec::new();
            for t in &q.toks {
                if matches!(t.role, TokenRole::Stop | TokenRole::LegalForm) {
                    continue;
                }
                hits.clear();
                if let Some(&id) = self.vocab.ids.get(&t.text) {
                    hits.push((id, 1.0));
                }
                if t.role == TokenRole::Word && t.text.len() >= 3 && t.text.is_ascii() {
                    let probe = |key: &str, hits: &mut Vec<(u32, f32)>| {
                        if let Some(ids) = self.deletions.get(key) {
                            hits.extend(ids.iter().map(|&id| (id, 0.8)));
                        }
                    };
                    probe(&t.text, &mut hits);
                    if t.text.len() >= 5 {
                        // A word stored back to front (see `similarity`).
                        let back: String = t.text.chars().rev().collect();
                        if let Some(&id) = self.vocab.ids.get(back.as_str()) {
                            hits.push((id, 0.8));
                        }
                    }
                    if t.text.len() >= 4 {
                        for d in deletions_of(&t.text) {
                            if let Some(&id) = self.vocab.ids.get(d.as_str()) {
                                hits.push((id, 0.8));
                            }
                            probe(&d, &mut hits);
                        }
                    }
                }
                if t.phon.len() >= 2 {
                    if let Some(ids) = self.phonetic.get(&t.phon) {
                        if ids.len() <= MAX_PHON_FANOUT {
                            hits.extend(ids.iter().map(|&id| (id, 0.7)));
                        }
                    }
                }
                if hits.is_empty() && t.role == TokenRole::Word {
                    // No listed word within one edit or by sound: look for
                    // listed words several edits away.
                    self.trigrams.similar(&t.text, &mut hits);
                    for h in &mut hits {
                        h.1 *= TRIGRAM_CONFIDENCE;
                    }
                }
                hits.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
                hits.dedup_by_key(|h| h.0);
                for &(vid, c) in hits.iter() {
                    if c < 1.0 && self.vocab.postings[vid as usize].len() > MAX_FUZZY_POSTINGS {
                        continue;
                    }
                    let w = t.role.base_weight() * self.vocab.rarity[vid as usize] * c;
                    add(vid, w, acc, touched);
                }
            }
            for w in syllable_words(q) {
                if let Some(&id) = self.vocab.ids.get(w.as_str()) {
                    add(id, self.vocab.rarity[id as usize], acc, touched);
                }
            }
            // A Wade-Giles query: listed words with the same syllables,
            // one word or two written as one ("chuan kuo" = "quanguo").
            if q.toks.iter().any(|t| t.wg) {
                let mut keys: Vec<String> = Vec::new();
                for (i, t) in q.toks.iter().enumerate() {
                    if t.sino.is_empty() {
                        continue;
                    }
                    keys.push(t.sino.to_string());
                    if let Some(n) = q.toks.get(i + 1).filter(|n| !n.sino.is_empty()) {
                        keys.push(format!("{}{}", t.sino, n.sino));
                    }
                }
                for k in keys {
                    let Some(ids) = self.sino.get(k.as_str()) else {
                        continue;
                    };
                    if ids.len() > MAX_PHON_FANOUT {
                        continue;
                    }
                    for &id in ids {
                        if self.vocab.postings[id as usize].len() <= MAX_FUZZY_POSTINGS {
                            add(id, 0.8 * self.vocab.rarity[id as usize], acc, touched);
                        }
                    }
                }
            }
            if q.toks.len() > 1 || q.toks.first().is_some_and(|t| t.text.len() >= 6) {
                if let Some(&id) = self.vocab.ids.get(q.joined().as_str()) {
                    add(id, 2.0, acc, touched);
                }
            }
            let mut scored: Vec<(f32, u32)> =
                touched.iter().map(|&f| (acc[f as usize], f)).collect();
            for &f in touched.iter() {
                acc[f as usize] = 0.0;
            }
            touched.clear();
            let k = CANDIDATES.min(scored.len());
            if k > 0 && scored.len() > k {
                scored.select_nth_unstable_by(k - 1, |a, b| b.0.total_cmp(&a.0));
                // When more forms than k tie for the best overlap (a common
                // name, "Mohammed Ali"), all of them are kept (up to a cap):
                // only dates or countries can tell them apart.
                let kth = scored[k - 1].0;
                let top = scored[..k].iter().map(|x| x.0).fold(0.0f32, f32::max);
                if kth >= top {
                    let (head, tail) = scored.split_at(k);
                    let mut kept = head.to_vec();
                    kept.extend(tail.iter().filter(|x| x.0 >= kth).take(MAX_TIED));
                    scored = kept;
                } else {
                    scored.truncate(k);
                }
            }
            out.extend(scored.into_iter().map(|(_, f)| f));
        });
    }

    fn dataset_ok(&self, e: &Entity, o: &ScreenOptions) -> bool {
        o.datasets.as_ref().is_none_or(|ds| ds.contains(&e.dataset))
    }

    /// The first form of every alias of every entity.
    fn every_name(&self, out: &mut Vec<u32>) {
        let mut last = None;
        for (i, f) in self.forms.iter().enumerate() {
            if last != Some((f.entity, f.name)) {
                out.push(i as u32);
                last = Some((f.entity, f.name));
            }
        }
    }

    /// Screens one query: hits scoring at least `o.threshold`, best first,
    /// at most `o.limit`.
    pub fn screen(&self, q: &Query, o: &ScreenOptions) -> Vec<Hit> {
        let mut qforms: Vec<(usize, Form)> = Vec::new();
        // The caller's family name, where given (a person's lastName).
        let family = match (&q.family_name, q.schema) {
            (Some(f), None | Some(embargo_model::Schema::Person)) => family_tokens_of(f),
            _ => vec![],
        };
        for (ni, name) in q.all_names().enumerate() {
            for mut f in analyze(name, q.schema) {
                mark_family(&mut f, &family);
                self.weigh(&mut f);
                qforms.push((ni, f));
            }
        }
        // entity -> (name score, form id, query form idx)
        let mut best: FxHashMap<u32, (f64, u32, usize)> = FxHashMap::default();
        let mut cands = Vec::new();
        for (qi, (_, qf)) in qforms.iter().enumerate() {
            cands.clear();
            if o.algorithm == Algorithm::Ofac {
                // OFAC's tool compares the query with every name on the
                // list (see `ofac`): every name once, from the raw alias.
                if qi > 0 {
                    break;
                }
                self.every_name(&mut cands);
            } else {
                self.candidates(qf, &mut cands);
            }
            if o.algorithm == Algorithm::Embargo && acronym::query_allows(q.schema) {
                let x = acronym::query_acronym(qf).or_else(|| acronym::qualified_acronym(qf));
                if let Some(x) = x {
                    cands.extend(self.acronyms.get(x).into_iter().flatten());
                }
            }
            for &fid in &cands {
                let fr = &self.forms[fid as usize];
                let e = &self.entities[fr.entity as usize];
                if !self.dataset_ok(e, o) {
                    continue;
                }
                let s = self.name_score(q, qf, fr, o.algorithm);
                let slot = best.entry(fr.entity).or_insert((-1.0, fid, qi));
                if s > slot.0 {
                    *slot = (s, fid, qi);
                }
            }
        }
        // Identifier hits are candidates even when the name differs, and
        // even when the query has no usable name at all.
        let ids: Vec<String> = q.identifiers.iter().filter_map(|s| norm_id(s)).collect();
        if qforms.is_empty() && !ids.is_empty() {
            qforms.push((0, Form::empty(q.schema)));
        }
        for id in &ids {
            for &ei in self.identifiers.get(id).into_iter().flatten() {
                if best.contains_key(&ei) || !self.dataset_ok(&self.entities[ei as usize], o) {
                    continue;
                }
                // Forms are stored in entity order.
                let fid = self.forms.partition_point(|f| f.entity < ei);
                if self.forms.get(fid).is_some_and(|f| f.entity == ei) {
                    let s = self.name_score(q, &qforms[0].1, &self.forms[fid], o.algorithm);
                    best.insert(ei, (s, fid as u32, 0));
                }
            }
        }
        let mut hits: Vec<Hit> = best
            .into_iter()
            .filter_map(|(ei, (name_score, fid, qi))| {
                if ids.is_empty() && name_score + MAX_RAISE < o.threshold {
                    return None;
                }
                let e = &self.entities[ei as usize];
                let (effects, total) = qualify(q, e, name_score);
                if total < o.threshold {
                    return None;
                }
                let fr = &self.forms[fid as usize];
                let qf = &qforms[qi].1;
                let query_name = q.all_names().nth(qforms[qi].0).unwrap_or("");
                let mut ex = self.explain(q, query_name, qf, fr, o.algorithm);
                ex.name_score = name_score;
                ex.qualifiers = effects;
                ex.final_score = total;
                Some(Hit {
                    entity_index: ei as usize,
                    entity_id: e.id.clone(),
                    score: total,
                    matched_name: ex.matched_alias.clone(),
                    explanation: ex,
                })
            })
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.entity_index.cmp(&b.entity_index))
        });
        hits.truncate(o.limit);
        hits
    }

    /// Screens many queries on all cores; results are in query order.
    pub fn screen_batch(&self, qs: &[Query], o: &ScreenOptions) -> Vec<Vec<Hit>> {
        qs.par_iter().map(|q| self.screen(q, o)).collect()
    }

    fn name_score(&self, q: &Query, qf: &Form, fr: &FormRec, algo: Algorithm) -> f64 {
        let e = &self.entities[fr.entity as usize];
        let name = &e.names[fr.name as usize];
        let s = match algo {
            Algorithm::Embargo => {
                let mut s = align(qf, &fr.form).score;
                if acronym::schemas_allow(q.schema, Some(e.schema)) {
                    s = s.max(acronym::score(qf, &fr.form));
                }
                f64::from(s)
            }
            Algorithm::Ofac => q
                .all_names()
                .map(|n| ofac::score(n, &name.value).score)
                .fold(0.0, f64::max),
        };
        if name.kind == NameKind::WeakAlias {
            s * WEAK_ALIAS_FACTOR
        } else {
            s
        }
    }

    fn explain(
        &self,
        q: &Query,
        query_name: &str,
        qf: &Form,
        fr: &FormRec,
        algo: Algorithm,
    ) -> Explanation {
        let e = &self.entities[fr.entity as usize];
        let name = &e.names[fr.name as usize];
        let mut ex = Explanation {
            matched_alias: name.value.clone(),
            alias_kind: name.kind,
            query_form: qf.text(),
            alias_form: fr.form.text(),
            tokens: vec![],
            unmatched_query: vec![],
            unmatched_alias: vec![],
            name_score: 0.0,
            qualifiers: vec![],
            final_score: 0.0,
            matched_as: MatchKind::Tokens,
        };
        match algo {
            Algorithm::Embargo => {
                let al: Alignment = align(qf, &fr.form);
                if acronym::schemas_allow(q.schema, Some(e.schema))
                    && acronym::score(qf, &fr.form) > al.score
                {
                    let x = acronym::query_acronym(qf).unwrap_or_default();
                    ex.matched_as = MatchKind::Acronym;
                    ex.tokens = vec![TokenMatch {
                        query: x.to_string(),
                        list: acronym::spelt_by(&fr.form, x).unwrap_or_default(),
                        similarity: f64::from(crate::profile::f(crate::profile::ACRONYM_SCORE)),
                        weight: 1.0,
                    }];
                    return ex;
                }
                let join = |f: &Form, ix: &std::ops::Range<usize>| {
                    ix.clone()
                        .map(|i| &*f.toks[i].text)
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                ex.tokens = al
                    .pairs
                    .iter()
                    .map(|p| TokenMatch {
                        query: join(qf, &p.q),
                        list: join(&fr.form, &p.a),
                        similarity: f64::from(p.sim),
                        weight: f64::from(p.weight),
                    })
                    .collect();
                ex.unmatched_query = al
                    .unmatched_q
                    .iter()
                    .map(|&i| qf.toks[i].text.to_string())
                    .collect();
                // The list's family name, when left out, costs in full:
                // say which word it was.
                ex.unmatched_alias = al
                    .unmatched_a
                    .iter()
                    .map(|&i| &fr.form.toks[i])
                    .map(|t| {
                        if t.family {
                            format!("{} (family name)", t.text)
                        } else {
                            t.text.to_string()
                        }
                    })
                    .collect();
            }
            Algorithm::Ofac => {
                let s = ofac::score(query_name, &name.value);
                ex.query_form = s.query_form;
                ex.alias_form = s.alias_form;
                ex.tokens = s
                    .tokens
                    .into_iter()
                    .map(|(q, l, sim)| TokenMatch {
                        query: q,
                        list: l,
                        similarity: sim,
                        weight: 1.0,
                    })
                    .collect();
                ex.unmatched_query = s.unmatched_query;
            }
        }
        ex
    }
}
