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
use crate::compact::{FileIndex, Keyed};
use crate::explain::{Explanation, Hit, MatchKind, RuleFired, TokenMatch};
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
    /// The name is a weak alias (see `WEAK_ALIAS_FACTOR`).
    weak: bool,
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
///
/// Two storages answer the same queries with the same results: the
/// in-memory index built by [`Matcher::build`], and an index file
/// (`compact`) opened by [`Matcher::open`], read in place and decoding
/// forms and entities only for the candidates that need them.
pub struct Matcher {
    ix: Ix,
    /// The aliases as the OFAC mode reads them, prepared at its first use.
    ofac: std::sync::OnceLock<ofac::Prepared>,
}

enum Ix {
    Mem(Box<MemIndex>),
    File(Box<FileIndex>),
}

struct MemIndex {
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
    /// Trade names learnt from the entities' bilingual aliases.
    lexicon: crate::lexicon::Lexicon,
}

/// A form record, borrowed from memory or decoded from a file.
enum FormRef<'a> {
    Mem(&'a FormRec),
    File(Box<FormRec>),
}

impl std::ops::Deref for FormRef<'_> {
    type Target = FormRec;
    fn deref(&self) -> &FormRec {
        match self {
            FormRef::Mem(f) => f,
            FormRef::File(f) => f,
        }
    }
}

/// The matcher's sections of an index file, in file order. Written by
/// [`Matcher::index_sections`] and by the streamed builder
/// (`stream_build`); one list, so the two cannot disagree on a name or
/// its place.
pub(crate) const INDEX_SECTIONS: [&str; 30] = [
    "m.meta",
    "m.datasets",
    "m.ent_ds",
    "m.ent_schema",
    "m.ent_form",
    "m.ent_off",
    "m.bodies",
    "m.form_off",
    "m.forms",
    "m.vocab",
    "m.df",
    "m.rarity",
    "m.post_off",
    "m.post",
    "m.del",
    "m.del.v",
    "m.phon",
    "m.phon.v",
    "m.sino",
    "m.sino.v",
    "m.acr",
    "m.acr.v",
    "m.ids",
    "m.ids.v",
    "m.by_id",
    "m.tri_keys",
    "m.tri_off",
    "m.tri_post",
    "m.tri_cnt",
    "m.lexicon",
];

/// Names `bodies` (in [`INDEX_SECTIONS`] order) for the index file.
pub(crate) fn named_sections(bodies: [Vec<u8>; 30]) -> Vec<(String, Vec<u8>)> {
    INDEX_SECTIONS
        .iter()
        .map(|n| n.to_string())
        .zip(bodies)
        .collect()
}

fn weak_alias(weak: bool, score: f64) -> f64 {
    if weak {
        score * WEAK_ALIAS_FACTOR
    } else {
        score
    }
}

pub(crate) fn weight_factor(df: usize, n: usize) -> f32 {
    if df == 0 || n == 0 {
        return 1.0;
    }
    let r = ((1.0 + n as f64 / df as f64).ln() / (1.0 + n as f64).ln()) as f32;
    (r / 0.6).clamp(0.2, 1.0)
}

pub(crate) fn deletions_of(t: &str) -> impl Iterator<Item = String> + '_ {
    (0..t.len()).map(move |i| {
        let mut s = String::with_capacity(t.len() - 1);
        s.push_str(&t[..i]);
        s.push_str(&t[i + 1..]);
        s
    })
}

/// The tokens of a person name's family part, when the list gives parts.
pub(crate) fn family_tokens(e: &Entity, n: &embargo_model::Name) -> Vec<Box<str>> {
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
pub(crate) fn syllable_words(f: &Form) -> Vec<String> {
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
        Self::build_with_progress(entities, &|_, _| {})
    }

    /// [`Matcher::build`], calling `progress(done, total)` as entities are
    /// analysed (every 4,096 entities and at the end, from any thread).
    pub fn build_with_progress(
        entities: Vec<Entity>,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Matcher {
        let entities: Arc<[Arc<Entity>]> = entities.into_iter().map(Arc::new).collect();
        let total = entities.len();
        let done = std::sync::atomic::AtomicUsize::new(0);
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
                            weak: n.kind == NameKind::WeakAlias,
                            form,
                        });
                    }
                }
                let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if d.is_multiple_of(4096) || d == total {
                    progress(d, total);
                }
                out
            })
            .collect();
        let mut lexicon = crate::lexicon::Lexicon::default();
        for recs in &per_entity {
            if let Some(first) = recs.first() {
                let e = &entities[first.entity as usize];
                let pairs = crate::lexicon::pairs_from_forms(
                    e.schema,
                    recs.iter().map(|r| (r.name, &r.form)),
                );
                lexicon.add(&e.dataset, e.id.as_str(), pairs);
            }
        }
        lexicon.finish();
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
                let id = vocab.ids.get(&t.text).copied();
                let df = id.map_or(0, |id| vocab.postings[id as usize].len());
                t.weight = t.role.base_weight() * weight_factor(df, n);
                t.vid = id.unwrap_or(crate::analyze::NO_VID);
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
            ofac: Default::default(),
            ix: Ix::Mem(Box::new(MemIndex {
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
                lexicon,
            })),
        }
    }

    /// The index as the sections of an index file (`m.*`, see `compact`),
    /// deterministic: the same entities give the same bytes. Built in
    /// parallel where the parts are independent.
    pub fn index_sections(&self) -> Result<Vec<(String, Vec<u8>)>, crate::IndexError> {
        use crate::compact::{delta_lists, encode_form, fst_map, keyed_lists, u32s, u64s};
        let m = match &self.ix {
            Ix::File(f) => {
                let c = f.container();
                return c
                    .names()
                    .filter(|n| n.starts_with("m."))
                    .map(|n| Ok((n.to_string(), c.section(n)?.to_vec())))
                    .collect();
            }
            Ix::Mem(m) => m,
        };
        let n_forms = m.forms.len();
        let n_vocab = m.vocab.postings.len();
        let mut datasets: Vec<&str> = m.entities.iter().map(|e| e.dataset.as_str()).collect();
        datasets.sort_unstable();
        datasets.dedup();
        if datasets.len() > usize::from(u16::MAX) || m.entities.len() > u32::MAX as usize {
            return Err(crate::IndexError::Section(
                "too many datasets or entities".into(),
            ));
        }
        let mut ds_sec = Vec::new();
        crate::compact::put_varint(&mut ds_sec, datasets.len() as u64);
        for d in &datasets {
            crate::compact::put_varint(&mut ds_sec, d.len() as u64);
            ds_sec.extend_from_slice(d.as_bytes());
        }
        let ent_ds: Vec<u8> = m
            .entities
            .iter()
            .flat_map(|e| {
                (datasets.binary_search(&e.dataset.as_str()).unwrap_or(0) as u16).to_le_bytes()
            })
            .collect();
        let ent_schema: Vec<u8> = m
            .entities
            .iter()
            .map(|e| crate::compact::schema_code(e.schema))
            .collect();
        let mut firsts = vec![0u32; m.entities.len() + 1];
        {
            let mut fi = 0usize;
            for (ei, slot) in firsts.iter_mut().enumerate() {
                while fi < n_forms && (m.forms[fi].entity as usize) < ei {
                    fi += 1;
                }
                *slot = fi as u32;
            }
        }
        let bodies: Vec<Vec<u8>> = m
            .entities
            .par_iter()
            .map(|e| serde_json::to_vec(&**e))
            .collect::<Result<_, _>>()
            .map_err(|e| crate::IndexError::Section(format!("encoding an entity: {e}")))?;
        let mut ent_off = Vec::with_capacity(bodies.len() + 1);
        let mut body_sec = Vec::new();
        for b in &bodies {
            ent_off.push(body_sec.len() as u64);
            body_sec.extend_from_slice(b);
        }
        ent_off.push(body_sec.len() as u64);
        drop(bodies);
        let vid = |t: &str| m.vocab.ids.get(t).copied().unwrap_or(u32::MAX);
        let encoded: Vec<Vec<u8>> = m
            .forms
            .par_chunks(4096)
            .map(|chunk| {
                let mut out = Vec::new();
                let mut offs = Vec::new();
                for fr in chunk {
                    offs.push(out.len() as u64);
                    encode_form(&mut out, fr.entity, fr.name, fr.weak, &fr.form, vid);
                }
                let mut head = Vec::with_capacity(offs.len() * 8 + out.len());
                head.extend(u64s(offs.into_iter()));
                head.extend_from_slice(&out);
                head
            })
            .collect();
        let mut form_off = Vec::with_capacity((n_forms + 1) * 8);
        let mut form_sec = Vec::new();
        for (ci, chunk) in encoded.iter().enumerate() {
            let n = (n_forms - ci * 4096).min(4096);
            let base = form_sec.len() as u64;
            for i in 0..n {
                let o = u64::from_le_bytes(chunk[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
                form_off.extend_from_slice(&(base + o).to_le_bytes());
            }
            form_sec.extend_from_slice(&chunk[n * 8..]);
        }
        form_off.extend_from_slice(&(form_sec.len() as u64).to_le_bytes());
        drop(encoded);
        let vocab = fst_map(
            m.vocab
                .ids
                .iter()
                .map(|(k, &v)| (k.as_bytes().to_vec(), u64::from(v)))
                .collect(),
        );
        let df = u32s(m.vocab.postings.iter().map(|p| p.len() as u32));
        let rarity = u32s(m.vocab.rarity.iter().map(|r| r.to_bits()));
        let (post_off, post) = delta_lists(m.vocab.postings.iter().map(Vec::as_slice));
        let keyed = |map: &FxHashMap<Box<str>, Vec<u32>>| {
            keyed_lists(map.iter().map(|(k, v)| (k.as_bytes(), v.as_slice())))
        };
        let (del, del_v) = keyed(&m.deletions);
        let (phon, phon_v) = keyed(&m.phonetic);
        let (sino, sino_v) = keyed(&m.sino);
        let (acr, acr_v) = keyed(&m.acronyms);
        let (ids, ids_v) = keyed_lists(
            m.identifiers
                .iter()
                .map(|(k, v)| (k.as_bytes(), v.as_slice())),
        );
        let by_id = fst_map(
            m.by_id
                .iter()
                .map(|(k, &v)| (k.as_str().as_bytes().to_vec(), v as u64))
                .collect(),
        );
        let (tri, counts) = m.trigrams.parts();
        let tri_keys = u32s(tri.iter().map(|t| t.0));
        let (tri_off, tri_post) = delta_lists(tri.iter().map(|t| t.1));
        let tri_cnt = counts.to_vec();
        let meta = u32s([m.entities.len() as u32, n_forms as u32, n_vocab as u32].into_iter());
        let ent_form = u32s(firsts.into_iter());
        let ent_off = u64s(ent_off.into_iter());
        Ok(crate::matcher::named_sections([
            meta,
            ds_sec,
            ent_ds,
            ent_schema,
            ent_form,
            ent_off,
            body_sec,
            form_off,
            form_sec,
            vocab,
            df,
            rarity,
            post_off,
            post,
            del,
            del_v,
            phon,
            phon_v,
            sino,
            sino_v,
            acr,
            acr_v,
            ids,
            ids_v,
            by_id,
            tri_keys,
            tri_off,
            tri_post,
            tri_cnt,
            m.lexicon.encode(),
        ]))
    }

    /// The index as a complete index file image (no other sections).
    pub fn to_index_file(&self) -> Result<Vec<u8>, crate::IndexError> {
        let secs = self.index_sections()?;
        let refs: Vec<(&str, &[u8])> = secs
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        Ok(crate::container::write(&refs))
    }

    /// Opens an index file image (see [`crate::index`]): checks its header
    /// and checksum, then reads it in place. Nothing is decoded until a
    /// query needs it.
    pub fn open(bytes: crate::container::Bytes) -> Result<Matcher, crate::IndexError> {
        let c = crate::container::Container::open(bytes)?;
        Self::from_container(c)
    }

    /// A matcher over an already opened and verified container.
    pub fn from_container(c: crate::container::Container) -> Result<Matcher, crate::IndexError> {
        Ok(Matcher {
            ofac: Default::default(),
            ix: Ix::File(Box::new(FileIndex::open(c)?)),
        })
    }

    /// Trade names learnt from the entities' bilingual aliases.
    fn lexicon(&self) -> &crate::lexicon::Lexicon {
        match &self.ix {
            Ix::Mem(m) => &m.lexicon,
            Ix::File(f) => &f.lexicon,
        }
    }

    /// The container the matcher reads, when it was opened from a file.
    pub fn container(&self) -> Option<&crate::container::Container> {
        match &self.ix {
            Ix::Mem(_) => None,
            Ix::File(f) => Some(f.container()),
        }
    }

    /// Every entity, in index order. A file-backed matcher decodes them
    /// all on the first call: prefer [`Matcher::entity`] and
    /// [`Matcher::len`] where one at a time will do.
    pub fn entities(&self) -> &[Arc<Entity>] {
        match &self.ix {
            Ix::Mem(m) => &m.entities,
            Ix::File(f) => f.all(),
        }
    }

    /// The shared entity slice, for callers that keep it beyond the matcher.
    pub fn entities_arc(&self) -> Arc<[Arc<Entity>]> {
        match &self.ix {
            Ix::Mem(m) => m.entities.clone(),
            Ix::File(f) => f.all().clone(),
        }
    }

    /// How many entities the index holds.
    pub fn len(&self) -> usize {
        match &self.ix {
            Ix::Mem(m) => m.entities.len(),
            Ix::File(f) => f.n_entities,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entity `index` (decoded on first use from a file).
    pub fn entity(&self, index: usize) -> &Arc<Entity> {
        match &self.ix {
            Ix::Mem(m) => &m.entities[index],
            Ix::File(f) => f.entity(index),
        }
    }

    /// The index of an entity in [`Matcher::entities`].
    pub fn index_of(&self, id: &EntityId) -> Option<usize> {
        match &self.ix {
            Ix::Mem(m) => m.by_id.get(id).copied(),
            Ix::File(f) => f.index_of(id),
        }
    }

    pub fn get(&self, id: &EntityId) -> Option<&Entity> {
        self.index_of(id).map(|i| &**self.entity(i))
    }

    /// Checks that every stored entity decodes (file indexes; the memory
    /// index holds decoded entities already). See `FileIndex::check_bodies`.
    pub fn check_file_bodies(&self) -> Result<(), crate::IndexError> {
        match &self.ix {
            Ix::Mem(_) => Ok(()),
            Ix::File(f) => f.check_bodies(),
        }
    }

    fn n_forms(&self) -> usize {
        match &self.ix {
            Ix::Mem(m) => m.forms.len(),
            Ix::File(f) => f.n_forms,
        }
    }

    fn vocab_id(&self, key: &str) -> Option<u32> {
        match &self.ix {
            Ix::Mem(m) => m.vocab.ids.get(key).copied(),
            Ix::File(f) => f.vocab_id(key),
        }
    }

    fn postings_len(&self, vid: u32) -> usize {
        match &self.ix {
            Ix::Mem(m) => m.vocab.postings[vid as usize].len(),
            Ix::File(f) => f.df(vid),
        }
    }

    fn rarity(&self, vid: u32) -> f32 {
        match &self.ix {
            Ix::Mem(m) => m.vocab.rarity[vid as usize],
            Ix::File(f) => f.rarity(vid),
        }
    }

    fn for_postings(&self, vid: u32, mut f: impl FnMut(u32)) {
        match &self.ix {
            Ix::Mem(m) => m.vocab.postings[vid as usize].iter().for_each(|&x| f(x)),
            Ix::File(fi) => fi.postings(vid, f),
        }
    }

    /// The list under `key` in one of the keyed maps, appended to `out`;
    /// false when absent.
    fn keyed(&self, which: Keyed, key: &str, out: &mut Vec<u32>) -> bool {
        match &self.ix {
            Ix::Mem(m) => {
                let l = match which {
                    Keyed::Deletions => m.deletions.get(key),
                    Keyed::Phonetic => m.phonetic.get(key),
                    Keyed::Sino => m.sino.get(key),
                    Keyed::Acronyms => m.acronyms.get(key),
                    Keyed::Identifiers => m.identifiers.get(key),
                };
                match l {
                    Some(l) => {
                        out.extend_from_slice(l);
                        true
                    }
                    None => false,
                }
            }
            Ix::File(f) => f.keyed(which, key.as_bytes(), out),
        }
    }

    fn similar_words(&self, word: &str, out: &mut Vec<(u32, f32)>) {
        match &self.ix {
            Ix::Mem(m) => m.trigrams.similar(word, out),
            Ix::File(f) => crate::ngrams::similar_by(
                word,
                |g, ids| f.trigram_postings(g, &mut |it| ids.extend(it)),
                |id| f.trigram_count(id),
                out,
            ),
        }
    }

    fn form(&self, fid: u32) -> FormRef<'_> {
        match &self.ix {
            Ix::Mem(m) => FormRef::Mem(&m.forms[fid as usize]),
            Ix::File(f) => {
                let d = f.form(fid);
                FormRef::File(Box::new(FormRec {
                    entity: d.entity,
                    name: d.name,
                    weak: d.weak,
                    form: d.form,
                }))
            }
        }
    }

    /// The first form of entity `ei`, if it has any.
    fn first_form(&self, ei: u32) -> Option<u32> {
        match &self.ix {
            Ix::Mem(m) => {
                // Forms are stored in entity order.
                let fid = m.forms.partition_point(|f| f.entity < ei);
                m.forms
                    .get(fid)
                    .is_some_and(|f| f.entity == ei)
                    .then_some(fid as u32)
            }
            Ix::File(f) => {
                let (a, b) = (f.first_form(ei), f.first_form(ei + 1));
                (a < b).then_some(a)
            }
        }
    }

    fn schema_of(&self, ei: u32) -> embargo_model::Schema {
        match &self.ix {
            Ix::Mem(m) => m.entities[ei as usize].schema,
            Ix::File(f) => f.schema(ei),
        }
    }

    fn dataset_of(&self, ei: u32) -> &str {
        match &self.ix {
            Ix::Mem(m) => &m.entities[ei as usize].dataset,
            Ix::File(f) => f.dataset(ei),
        }
    }

    fn df(&self, token: &str) -> usize {
        self.vocab_id(token).map_or(0, |id| self.postings_len(id))
    }

    /// Gives query tokens their corpus weights.
    fn weigh(&self, form: &mut Form) {
        let n = self.n_forms();
        for t in form.toks.iter_mut() {
            t.weight = t.role.base_weight() * weight_factor(self.df(&t.text), n);
        }
    }

    /// Candidate form ids for one query form, best overlap first.
    fn candidates(&self, q: &Form, out: &mut Vec<u32>) {
        SCRATCH.with(|cell| {
            let (acc, touched) = &mut *cell.borrow_mut();
            let n_forms = self.n_forms();
            if acc.len() < n_forms {
                acc.resize(n_forms, 0.0);
            }
            let add = |vid: u32, w: f32, acc: &mut Vec<f32>, touched: &mut Vec<u32>| {
                self.for_postings(vid, |f| {
                    let slot = &mut acc[f as usize];
                    if *slot == 0.0 {
                        touched.push(f);
                    }
                    *slot += w;
                });
            };
            let mut hits: Vec<(u32, f32)> = Vec::new();
            let mut ids: Vec<u32> = Vec::new();
            for t in &q.toks {
                if matches!(t.role, TokenRole::Stop | TokenRole::LegalForm) {
                    continue;
                }
                hits.clear();
                if let Some(id) = self.vocab_id(&t.text) {
                    hits.push((id, 1.0));
                }
                if t.role == TokenRole::Word && t.text.len() >= 3 && t.text.is_ascii() {
                    let probe = |key: &str, hits: &mut Vec<(u32, f32)>, ids: &mut Vec<u32>| {
                        ids.clear();
                        if self.keyed(Keyed::Deletions, key, ids) {
                            hits.extend(ids.iter().map(|&id| (id, 0.8)));
                        }
                    };
                    probe(&t.text, &mut hits, &mut ids);
                    if t.text.len() >= 5 {
                        // A word stored back to front (see `similarity`).
                        let back: String = t.text.chars().rev().collect();
                        if let Some(id) = self.vocab_id(back.as_str()) {
                            hits.push((id, 0.8));
                        }
                    }
                    if t.text.len() >= 4 {
                        // `deletions_of`, in one reused buffer (ASCII).
                        let mut d = String::with_capacity(t.text.len());
                        for i in 0..t.text.len() {
                            d.clear();
                            d.push_str(&t.text[..i]);
                            d.push_str(&t.text[i + 1..]);
                            if let Some(id) = self.vocab_id(d.as_str()) {
                                hits.push((id, 0.8));
                            }
                            probe(&d, &mut hits, &mut ids);
                        }
                    }
                }
                if t.phon.len() >= 2 {
                    ids.clear();
                    if self.keyed(Keyed::Phonetic, &t.phon, &mut ids)
                        && ids.len() <= MAX_PHON_FANOUT
                    {
                        hits.extend(ids.iter().map(|&id| (id, 0.7)));
                    }
                }
                if hits.is_empty() && t.role == TokenRole::Word {
                    // No listed word within one edit or by sound: look for
                    // listed words several edits away.
                    self.similar_words(&t.text, &mut hits);
                    for h in &mut hits {
                        h.1 *= TRIGRAM_CONFIDENCE;
                    }
                }
                hits.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
                hits.dedup_by_key(|h| h.0);
                for &(vid, c) in hits.iter() {
                    if c < 1.0 && self.postings_len(vid) > MAX_FUZZY_POSTINGS {
                        continue;
                    }
                    let w = t.role.base_weight() * self.rarity(vid) * c;
                    add(vid, w, acc, touched);
                }
            }
            for w in syllable_words(q) {
                if let Some(id) = self.vocab_id(w.as_str()) {
                    add(id, self.rarity(id), acc, touched);
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
                    ids.clear();
                    if !self.keyed(Keyed::Sino, k.as_str(), &mut ids) {
                        continue;
                    }
                    if ids.len() > MAX_PHON_FANOUT {
                        continue;
                    }
                    for &id in &ids {
                        if self.postings_len(id) <= MAX_FUZZY_POSTINGS {
                            add(id, 0.8 * self.rarity(id), acc, touched);
                        }
                    }
                }
            }
            if q.toks.len() > 1 || q.toks.first().is_some_and(|t| t.text.len() >= 6) {
                if let Some(id) = self.vocab_id(q.joined().as_str()) {
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

    fn dataset_ok(&self, ei: u32, o: &ScreenOptions) -> bool {
        o.datasets.as_ref().is_none_or(|ds| {
            let d = self.dataset_of(ei);
            ds.iter().any(|x| x == d)
        })
    }

    /// Which entity and name form `fid` reads, and whether that name is a
    /// weak alias (a file index reads them without decoding the tokens).
    fn owner(&self, fid: u32) -> (u32, u16, bool) {
        match &self.ix {
            Ix::Mem(m) => {
                let f = &m.forms[fid as usize];
                (f.entity, f.name, f.weak)
            }
            Ix::File(f) => f.form_owner(fid),
        }
    }

    /// `Algorithm::Ofac`: OFAC's tool compares the query with every name
    /// on the list (see `ofac`), so every alias of every entity is scored
    /// once, from the raw alias (its analysed forms are not needed).
    ///
    /// An alias that provably cannot reach the threshold, even with the
    /// most qualifiers can add (`MAX_RAISE`), is left out: such an entity
    /// would be dropped from the hits anyway. Entities in `exact` (found
    /// by an identifier, which decides the score whatever the name) are
    /// scored in full. The result equals [`Matcher::ofac_scan_all`]'s on
    /// every entity that can become a hit (`tests/it/ofac_fast.rs`).
    fn ofac_scan(
        &self,
        q: &Query,
        o: &ScreenOptions,
        exact: &[u32],
        best: &mut FxHashMap<u32, (f64, u32, usize, Scored)>,
    ) {
        let prep =
            self.ofac.get_or_init(|| {
                ofac::Prepared::build(self.ofac_aliases().into_iter().map(
                    |(fid, ei, name, weak)| {
                        (
                            fid,
                            ei,
                            weak,
                            &*self.entity(ei as usize).names[name as usize].value,
                        )
                    },
                ))
            });
        let qs: Vec<ofac::PreparedQuery> = q.all_names().map(|n| prep.query(n)).collect();
        let cut = o.threshold - MAX_RAISE;
        for (i, a) in prep.aliases.iter().enumerate() {
            if !self.dataset_ok(a.entity, o) {
                continue;
            }
            let factor = weak_alias(a.weak, 1.0);
            let cut = if exact.contains(&a.entity) {
                f64::NEG_INFINITY
            } else {
                cut
            };
            // The best of the query's names, as `ofac_score` folds them.
            let mut s: Option<f64> = None;
            for pq in &qs {
                if let Some(x) = prep.score(pq, i, cut, factor) {
                    s = Some(s.unwrap_or(0.0).max(x));
                }
            }
            let Some(s) = s else { continue };
            let s = weak_alias(a.weak, s);
            let slot = best
                .entry(a.entity)
                .or_insert((-1.0, a.fid, 0, Scored::Ofac));
            if s > slot.0 {
                *slot = (s, a.fid, 0, Scored::Ofac);
            }
        }
    }

    /// Each alias that has analysed forms, once, in form order: (its first
    /// form id, entity, name index, weak alias).
    fn ofac_aliases(&self) -> Vec<(u32, u32, u16, bool)> {
        let mut out = Vec::new();
        let mut last = None;
        for fid in 0..self.n_forms() as u32 {
            let (ei, name, weak) = self.owner(fid);
            // An alias's forms are consecutive: its first one stands for it.
            if last == Some((ei, name)) {
                continue;
            }
            last = Some((ei, name));
            out.push((fid, ei, name, weak));
        }
        out
    }

    /// The OFAC mode's exhaustive scan, every alias scored with
    /// `ofac::score` (what `ofac_scan` must equal; kept for the test).
    fn ofac_scan_all(
        &self,
        q: &Query,
        o: &ScreenOptions,
        best: &mut FxHashMap<u32, (f64, u32, usize, Scored)>,
    ) {
        for (fid, ei, name, weak) in self.ofac_aliases() {
            if !self.dataset_ok(ei, o) {
                continue;
            }
            let s = weak_alias(weak, self.ofac_score(q, ei, name));
            let slot = best.entry(ei).or_insert((-1.0, fid, 0, Scored::Ofac));
            if s > slot.0 {
                *slot = (s, fid, 0, Scored::Ofac);
            }
        }
    }

    /// Screens one query: hits scoring at least `o.threshold`, best first,
    /// at most `o.limit`.
    pub fn screen(&self, q: &Query, o: &ScreenOptions) -> Vec<Hit> {
        self.screen_with(q, o, false)
    }

    /// [`Matcher::screen`] with the OFAC mode's exhaustive scan (every
    /// alias scored by `ofac::score`, no bound, no prepared vocabulary):
    /// the reference the fast scan is tested against. Other algorithms
    /// screen as usual.
    #[doc(hidden)]
    pub fn screen_ofac_exhaustive(&self, q: &Query, o: &ScreenOptions) -> Vec<Hit> {
        self.screen_with(q, o, true)
    }

    fn screen_with(&self, q: &Query, o: &ScreenOptions, exhaustive: bool) -> Vec<Hit> {
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
        // A pinyin trade name the lists spell in Latin letters of the
        // firm's own choosing (learnt, see `lexicon`): the query with that
        // trade name too, for organisations and names of unknown kind.
        let mut learnt: Vec<Option<String>> = vec![None; qforms.len()];
        if !matches!(q.schema, Some(embargo_model::Schema::Person)) && !self.lexicon().is_empty() {
            let from = o.lexicon_datasets.as_ref().or(o.datasets.as_ref());
            let allowed = |d: &str| from.is_none_or(|ds| ds.iter().any(|x| x == d));
            // No copy of the query's forms: most queries expand to nothing.
            let cn_org = qforms.iter().any(|(_, f)| f.cn_org);
            let ni = qforms.first().map_or(0, |f| f.0);
            let expanded = self
                .lexicon()
                .expand(qforms.iter().map(|(_, f)| f), &allowed);
            for (name, note) in expanded {
                for mut f in analyze(&name, q.schema) {
                    f.cn_org |= cn_org;
                    self.weigh(&mut f);
                    qforms.push((ni, f));
                    learnt.push(Some(note.clone()));
                }
            }
        }
        // Token similarities remembered for this screen (`align`): the
        // query's forms are complete, and live longer than the scope.
        let _memo = crate::align::MemoScope::new();
        // entity -> (name score, form id, query form idx, how it scored)
        let mut best: FxHashMap<u32, (f64, u32, usize, Scored)> = FxHashMap::default();
        let mut cands = Vec::new();
        // Forms decoded from a file, kept for this query: the query's
        // several forms mostly share candidates, and hits are explained
        // from the same records.
        let mut decoded: FxHashMap<u32, FormRef<'_>> = FxHashMap::default();
        match o.algorithm {
            Algorithm::Ofac if !qforms.is_empty() && exhaustive => {
                self.ofac_scan_all(q, o, &mut best)
            }
            Algorithm::Ofac if !qforms.is_empty() => {
                let mut exact = Vec::new();
                for id in q.identifiers.iter().filter_map(|s| norm_id(s)) {
                    self.keyed(Keyed::Identifiers, &id, &mut exact);
                }
                self.ofac_scan(q, o, &exact, &mut best)
            }
            Algorithm::Ofac => {}
            Algorithm::Embargo => {
                for (qi, (_, qf)) in qforms.iter().enumerate() {
                    cands.clear();
                    self.candidates(qf, &mut cands);
                    if acronym::query_allows(q.schema) {
                        let x =
                            acronym::query_acronym(qf).or_else(|| acronym::qualified_acronym(qf));
                        if let Some(x) = x {
                            self.keyed(Keyed::Acronyms, x, &mut cands);
                        }
                    }
                    for &fid in &cands {
                        // The memory index lends its records: nothing to keep.
                        let fr: &FormRec = match &self.ix {
                            Ix::Mem(m) => &m.forms[fid as usize],
                            Ix::File(_) => decoded.entry(fid).or_insert_with(|| self.form(fid)),
                        };
                        if !self.dataset_ok(fr.entity, o) {
                            continue;
                        }
                        let (s, how) = self.name_score(q, qf, fr, o.algorithm);
                        let slot = best
                            .entry(fr.entity)
                            .or_insert((-1.0, fid, qi, Scored::Ofac));
                        if s > slot.0 {
                            *slot = (s, fid, qi, how);
                        }
                    }
                }
            }
        }
        // Identifier hits are candidates even when the name differs, and
        // even when the query has no usable name at all.
        let ids: Vec<String> = q.identifiers.iter().filter_map(|s| norm_id(s)).collect();
        if qforms.is_empty() && !ids.is_empty() {
            qforms.push((0, Form::empty(q.schema)));
        }
        let mut found = Vec::new();
        for id in &ids {
            found.clear();
            self.keyed(Keyed::Identifiers, id, &mut found);
            for &ei in &found {
                if best.contains_key(&ei) || !self.dataset_ok(ei, o) {
                    continue;
                }
                if let Some(fid) = self.first_form(ei) {
                    let (s, how) = self.name_score(q, &qforms[0].1, &self.form(fid), o.algorithm);
                    best.insert(ei, (s, fid, 0, how));
                }
            }
        }
        // Scores first, explanations only for the hits kept (the order is
        // total: score, then entity index).
        let mut kept: Vec<_> = best
            .into_iter()
            .filter_map(|(ei, (name_score, fid, qi, how))| {
                if ids.is_empty() && name_score + MAX_RAISE < o.threshold {
                    return None;
                }
                let e = self.entity(ei as usize);
                let (effects, total) = qualify(q, e, name_score);
                (total >= o.threshold).then_some((total, ei, name_score, fid, qi, how, effects))
            })
            .collect();
        kept.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        kept.truncate(o.limit);
        kept.into_iter()
            .map(|(total, ei, name_score, fid, qi, how, effects)| {
                let e = self.entity(ei as usize);
                let fr = decoded.remove(&fid).unwrap_or_else(|| self.form(fid));
                let qf = &qforms[qi].1;
                let query_name = q.all_names().nth(qforms[qi].0).unwrap_or("");
                let mut ex = self.explain(query_name, qf, &fr, how);
                if let Some(note) = &learnt[qi] {
                    ex.lexicon = vec![note.clone()];
                }
                ex.name_score = name_score;
                ex.qualifiers = effects;
                ex.final_score = total;
                Hit {
                    entity_index: ei as usize,
                    entity_id: e.id.clone(),
                    score: total,
                    matched_name: ex.matched_alias.clone(),
                    explanation: ex,
                }
            })
            .collect()
    }

    /// Screens many queries on all cores; results are in query order.
    pub fn screen_batch(&self, qs: &[Query], o: &ScreenOptions) -> Vec<Vec<Hit>> {
        qs.par_iter().map(|q| self.screen(q, o)).collect()
    }

    /// The name score of a query form against a list form, and how it
    /// was reached (kept for the hit's explanation, so `explain` does not
    /// align the names again).
    fn name_score(&self, q: &Query, qf: &Form, fr: &FormRec, algo: Algorithm) -> (f64, Scored) {
        let (s, how) = match algo {
            Algorithm::Embargo => {
                let al = align(qf, &fr.form);
                let ac = if acronym::schemas_allow(q.schema, Some(self.schema_of(fr.entity))) {
                    acronym::score(qf, &fr.form)
                } else {
                    0.0
                };
                if ac > al.score {
                    (f64::from(ac), Scored::Acronym)
                } else {
                    (f64::from(al.score), Scored::Aligned(al))
                }
            }
            Algorithm::Ofac => (self.ofac_score(q, fr.entity, fr.name), Scored::Ofac),
        };
        (weak_alias(fr.weak, s), how)
    }

    /// OFAC's score of the query's best name against name `name` of entity
    /// `ei`, as written on the list.
    fn ofac_score(&self, q: &Query, ei: u32, name: u16) -> f64 {
        let alias = &self.entity(ei as usize).names[name as usize].value;
        q.all_names()
            .map(|n| ofac::score(n, alias).score)
            .fold(0.0, f64::max)
    }

    fn explain(&self, query_name: &str, qf: &Form, fr: &FormRec, how: Scored) -> Explanation {
        let e = self.entity(fr.entity as usize);
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
            rules: vec![],
            lexicon: vec![],
        };
        match how {
            Scored::Acronym => {
                let x = acronym::query_acronym(qf).unwrap_or_default();
                ex.matched_as = MatchKind::Acronym;
                ex.tokens = vec![TokenMatch {
                    query: x.to_string(),
                    list: acronym::spelt_by(&fr.form, x).unwrap_or_default(),
                    similarity: f64::from(crate::profile::f(crate::profile::ACRONYM_SCORE)),
                    weight: 1.0,
                }];
                ex.rules = vec![RuleFired::of(crate::profile::ACRONYM_SCORE)];
            }
            Scored::Aligned(al) => {
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
                ex.rules = al.rules().into_iter().map(RuleFired::of).collect();
            }
            Scored::Ofac => {
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

/// How a candidate's name score was reached: kept with the best score per
/// entity so that the hit's explanation reads it instead of aligning the
/// names again.
enum Scored {
    /// Token alignment (its pairs, leftovers and the rules that fired).
    Aligned(Alignment),
    /// The query as the acronym of the list name.
    Acronym,
    /// OFAC Sanctions List Search parity scoring.
    Ofac,
}
