//! Builds the index file's sections (`m.*`, see `compact`) straight from
//! the entities, chunk by chunk, without the in-memory index: each chunk's
//! names are analysed in parallel, interned into the vocabulary and the
//! key maps in form order, and its analysed forms and entity bodies are
//! encoded into the sections' bytes at once and dropped. What stays in
//! memory is the compact output plus the vocabulary and key maps (ids),
//! not every analysed form with its tokens (about 4 KB per name).
//!
//! The bytes are exactly those of `Matcher::build(entities)
//! .index_sections()` (same vocabulary ids, same list order, same
//! encodings), which `tests/it/stream_build.rs` asserts.

use crate::acronym;
use crate::analyze::{analyze, mark_family, Form};
use crate::compact::{delta_lists, encode_form, fst_map, keyed_lists, u32s, u64s};
use crate::container::IndexError;
use crate::matcher::{deletions_of, family_tokens, syllable_words, weight_factor};
use crate::ngrams::TrigramIndex;
use crate::qualifiers::norm_id;
use crate::symbols::TokenRole;
use embargo_model::{Entity, NameKind};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// Entities analysed per chunk.
pub const CHUNK: usize = 32768;

/// One entity, analysed.
struct Analysed {
    forms: Vec<(u16, bool, Form)>,
    body: Vec<u8>,
    id: String,
    dataset: String,
    schema: u8,
    org_like: bool,
    identifiers: Vec<String>,
}

fn analyse(e: &Entity) -> Result<Analysed, IndexError> {
    let mut forms = Vec::new();
    for (ni, n) in e.names.iter().enumerate().take(u16::MAX as usize) {
        let family = family_tokens(e, n);
        for mut form in analyze(&n.value, Some(e.schema)) {
            mark_family(&mut form, &family);
            forms.push((ni as u16, n.kind == NameKind::WeakAlias, form));
        }
    }
    let body = serde_json::to_vec(e)
        .map_err(|x| IndexError::Section(format!("encoding an entity: {x}")))?;
    Ok(Analysed {
        forms,
        body,
        id: e.id.as_str().to_string(),
        dataset: e.dataset.clone(),
        schema: crate::compact::schema_code(e.schema),
        org_like: e.schema.is_organisation_like(),
        identifiers: e
            .identifiers
            .iter()
            .filter_map(|i| norm_id(&i.value))
            .collect(),
    })
}

#[derive(Default)]
struct State {
    ids: FxHashMap<Box<str>, u32>,
    postings: Vec<Vec<u32>>,
    seen_tok: Vec<bool>,
    words: Vec<(u32, Box<str>)>,
    deletions: FxHashMap<Box<str>, Vec<u32>>,
    phonetic: FxHashMap<Box<str>, Vec<u32>>,
    sino: FxHashMap<Box<str>, Vec<u32>>,
    identifiers: FxHashMap<String, Vec<u32>>,
    acronyms: FxHashMap<Box<str>, Vec<u32>>,
    by_id: Vec<(Vec<u8>, u64)>,
    datasets: FxHashMap<String, u16>,
    ent_ds_local: Vec<u16>,
    ent_schema: Vec<u8>,
    firsts: Vec<u32>,
    ent_off: Vec<u64>,
    bodies: Vec<u8>,
    form_off: Vec<u64>,
    forms: Vec<u8>,
    n_forms: usize,
}

impl State {
    fn intern(&mut self, key: &str, f: u32) {
        let id = match self.ids.get(key) {
            Some(&id) => id,
            None => {
                let id = self.postings.len() as u32;
                self.ids.insert(key.into(), id);
                self.postings.push(Vec::new());
                self.seen_tok.push(false);
                id
            }
        };
        let p = &mut self.postings[id as usize];
        if p.last() != Some(&f) {
            p.push(f);
        }
    }

    fn add_chunk(&mut self, base: usize, chunk: Vec<Analysed>) {
        // Vocabulary ids in form order (what `Matcher::build` assigns).
        let first_form = self.n_forms;
        let mut fi = first_form;
        for a in &chunk {
            for (_, _, form) in &a.forms {
                for t in &form.toks {
                    self.intern(&t.text, fi as u32);
                }
                if form.toks.len() > 1 {
                    self.intern(&form.joined(), fi as u32);
                }
                for w in syllable_words(form) {
                    self.intern(&w, fi as u32);
                }
                fi += 1;
            }
        }
        // Key maps over each token's first occurrence, then acronyms and
        // identifiers, in the in-memory build's orders.
        for a in &chunk {
            for (_, _, form) in &a.forms {
                for t in &form.toks {
                    let id = self.ids[&*t.text];
                    if std::mem::replace(&mut self.seen_tok[id as usize], true) {
                        continue;
                    }
                    if t.role == TokenRole::Word {
                        self.words.push((id, t.text.clone()));
                    }
                    if t.role == TokenRole::Word && t.text.len() >= 4 && t.text.is_ascii() {
                        for d in deletions_of(&t.text) {
                            self.deletions.entry(d.into()).or_default().push(id);
                        }
                    }
                    if t.phon.len() >= 2 && t.role == TokenRole::Word {
                        self.phonetic.entry(t.phon.clone()).or_default().push(id);
                    }
                    if !t.sino.is_empty() && t.role == TokenRole::Word && t.ascii {
                        self.sino.entry(t.sino.clone()).or_default().push(id);
                    }
                }
            }
        }
        let mut fi = first_form;
        for (i, a) in chunk.iter().enumerate() {
            let ei = (base + i) as u32;
            for n in &a.identifiers {
                self.identifiers.entry(n.clone()).or_default().push(ei);
            }
            for (_, _, form) in &a.forms {
                if a.org_like {
                    for key in acronym::initials(form) {
                        self.acronyms.entry(key.into()).or_default().push(fi as u32);
                    }
                }
                fi += 1;
            }
        }
        // Forms encoded in parallel, appended in order.
        let ids = &self.ids;
        let vid = |t: &str| ids.get(t).copied().unwrap_or(u32::MAX);
        let encoded: Vec<(Vec<u64>, Vec<u8>)> = chunk
            .par_iter()
            .enumerate()
            .map(|(i, a)| {
                let mut out = Vec::new();
                let mut offs = Vec::with_capacity(a.forms.len());
                for (name, weak, form) in &a.forms {
                    offs.push(out.len() as u64);
                    encode_form(&mut out, (base + i) as u32, *name, *weak, form, vid);
                }
                (offs, out)
            })
            .collect();
        for ((offs, out), a) in encoded.into_iter().zip(chunk) {
            self.firsts.push(self.n_forms as u32);
            let at = self.forms.len() as u64;
            self.form_off.extend(offs.into_iter().map(|o| at + o));
            self.forms.extend_from_slice(&out);
            self.n_forms += a.forms.len();
            self.ent_off.push(self.bodies.len() as u64);
            self.bodies.extend_from_slice(&a.body);
            self.by_id
                .push((a.id.into_bytes(), (self.ent_schema.len()) as u64));
            let next = self.datasets.len() as u16;
            let d = *self.datasets.entry(a.dataset).or_insert(next);
            self.ent_ds_local.push(d);
            self.ent_schema.push(a.schema);
        }
    }
}

/// The index sections of `entities` (see the module docs); `progress`
/// is called with (done, total) after each chunk.
pub fn index_sections_streamed(
    entities: impl ExactSizeIterator<Item = Entity>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<(String, Vec<u8>)>, IndexError> {
    let total = entities.len();
    if total > u32::MAX as usize {
        return Err(IndexError::Section("too many datasets or entities".into()));
    }
    let mut st = State::default();
    let mut entities = entities.peekable();
    let mut base = 0;
    while entities.peek().is_some() {
        let batch: Vec<Entity> = entities.by_ref().take(CHUNK).collect();
        let n = batch.len();
        let analysed: Vec<Analysed> = batch
            .into_par_iter()
            .map(|e| analyse(&e))
            .collect::<Result<_, _>>()?;
        st.add_chunk(base, analysed);
        base += n;
        progress(base, total);
    }
    if st.datasets.len() > usize::from(u16::MAX) {
        return Err(IndexError::Section("too many datasets or entities".into()));
    }
    let n_entities = st.ent_schema.len();
    let n_forms = st.n_forms;
    let n_vocab = st.postings.len();
    // Dataset numbers in name order.
    let mut names: Vec<(&str, u16)> = st.datasets.iter().map(|(k, &v)| (k.as_str(), v)).collect();
    names.sort_unstable();
    let mut remap = vec![0u16; names.len()];
    let mut ds_sec = Vec::new();
    crate::compact::put_varint(&mut ds_sec, names.len() as u64);
    for (rank, (name, local)) in names.iter().enumerate() {
        remap[*local as usize] = rank as u16;
        crate::compact::put_varint(&mut ds_sec, name.len() as u64);
        ds_sec.extend_from_slice(name.as_bytes());
    }
    let ent_ds: Vec<u8> = st
        .ent_ds_local
        .iter()
        .flat_map(|&d| remap[d as usize].to_le_bytes())
        .collect();
    st.firsts.push(n_forms as u32);
    st.ent_off.push(st.bodies.len() as u64);
    st.form_off.push(st.forms.len() as u64);
    let vocab = fst_map(
        st.ids
            .iter()
            .map(|(k, &v)| (k.as_bytes().to_vec(), u64::from(v)))
            .collect(),
    );
    st.ids = FxHashMap::default();
    let df = u32s(st.postings.iter().map(|p| p.len() as u32));
    let rarity = u32s(
        st.postings
            .iter()
            .map(|p| weight_factor(p.len(), n_forms).to_bits()),
    );
    let (post_off, post) = delta_lists(st.postings.iter().map(Vec::as_slice));
    st.postings = Vec::new();
    let keyed = |map: &FxHashMap<Box<str>, Vec<u32>>| {
        keyed_lists(map.iter().map(|(k, v)| (k.as_bytes(), v.as_slice())))
    };
    let (del, del_v) = keyed(&st.deletions);
    let (phon, phon_v) = keyed(&st.phonetic);
    let (sino, sino_v) = keyed(&st.sino);
    let (acr, acr_v) = keyed(&st.acronyms);
    let (ids, ids_v) = keyed_lists(
        st.identifiers
            .iter()
            .map(|(k, v)| (k.as_bytes(), v.as_slice())),
    );
    // An id listed twice maps to its last entity, as the in-memory map.
    let mut by_id = std::mem::take(&mut st.by_id);
    by_id.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    by_id.dedup_by(|a, b| a.0 == b.0);
    let by_id = fst_map(by_id);
    let trigrams = TrigramIndex::build(n_vocab, st.words.iter().map(|(i, w)| (*i, &**w)));
    let (tri, counts) = trigrams.parts();
    let tri_keys = u32s(tri.iter().map(|t| t.0));
    let (tri_off, tri_post) = delta_lists(tri.iter().map(|t| t.1));
    let tri_cnt = counts.to_vec();
    drop(tri);
    let meta = u32s([n_entities as u32, n_forms as u32, n_vocab as u32].into_iter());
    Ok(crate::matcher::named_sections([
        meta,
        ds_sec,
        ent_ds,
        std::mem::take(&mut st.ent_schema),
        u32s(st.firsts.iter().copied()),
        u64s(st.ent_off.iter().copied()),
        std::mem::take(&mut st.bodies),
        u64s(st.form_off.iter().copied()),
        std::mem::take(&mut st.forms),
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
    ]))
}
