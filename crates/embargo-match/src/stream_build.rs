//! Builds the index file's sections (`m.*`, see `compact`) straight from
//! the entities, chunk by chunk, without the in-memory index: each chunk's
//! names are analysed in parallel, interned into the vocabulary and the
//! key maps in form order, and its analysed forms and entity bodies are
//! encoded into the sections' bytes at once and dropped.
//!
//! Parallel and deterministic: chunk k + 1 is analysed while chunk k is
//! interned; interning splits the vocabulary into shards by key hash,
//! each shard takes its keys in the chunk's order (in parallel with the
//! other shards), and the keys new in the chunk are then numbered in the
//! chunk's order; the final dictionaries are built side by side. No
//! result depends on which thread did what, so the bytes depend only on
//! the entities (`the_streamed_bytes_do_not_depend_on_threads_or_chunks`). What stays in
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
    /// Per form, the keys interned beside its tokens (the joined name,
    /// syllable words) and its acronym keys: made here, in parallel, so
    /// that the sequential interning only looks them up.
    extra: Vec<(Vec<String>, Vec<String>)>,
    body: Vec<u8>,
    id: String,
    dataset: String,
    schema: u8,
    identifiers: Vec<String>,
    /// Trade-name pairs its names teach (`lexicon`).
    pairs: Vec<(String, String)>,
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
    let pairs = crate::lexicon::pairs_from_forms(e.schema, forms.iter().map(|(i, _, f)| (*i, f)));
    let org_like = e.schema.is_organisation_like();
    let extra = forms
        .iter()
        .map(|(_, _, form)| {
            let mut keys = Vec::new();
            if form.toks.len() > 1 {
                keys.push(form.joined());
            }
            keys.extend(syllable_words(form));
            let acr = if org_like {
                acronym::initials(form)
            } else {
                Vec::new()
            };
            (keys, acr)
        })
        .collect();
    let body = serde_json::to_vec(e)
        .map_err(|x| IndexError::Section(format!("encoding an entity: {x}")))?;
    Ok(Analysed {
        forms,
        extra,
        body,
        id: e.id.as_str().to_string(),
        dataset: e.dataset.clone(),
        schema: crate::compact::schema_code(e.schema),
        identifiers: e
            .identifiers
            .iter()
            .filter_map(|i| norm_id(&i.value))
            .collect(),
        pairs,
    })
}

/// Vocabulary shards: a key's shard is fixed by its hash, so shards can
/// intern a chunk's keys in parallel (each in the chunk's order).
const SHARDS: usize = 64;

fn shard_of(key: &str) -> usize {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    key.hash(&mut h);
    // The hash's high bits: FxHash's low bits are the weak ones.
    (h.finish() >> 58) as usize % SHARDS
}

/// One shard of the vocabulary: its keys with local numbers, each local
/// number's global vocabulary id, posting list and whether the key has
/// been seen as a token.
#[derive(Default)]
struct Shard {
    map: FxHashMap<Box<str>, u32>,
    global: Vec<u32>,
    postings: Vec<Vec<u32>>,
    seen_tok: Vec<bool>,
}

impl Shard {
    fn id(&self, key: &str) -> Option<u32> {
        self.map.get(key).map(|&l| self.global[l as usize])
    }
}

/// One key to intern: its place in the chunk's order of keys, the form
/// it comes from, and the token when it is one.
struct Occurrence<'a> {
    seq: u32,
    form: u32,
    key: &'a str,
    tok: Option<&'a crate::analyze::Tok>,
}

/// What a shard found new in a chunk: keys (order, local number) and
/// first token occurrences (order, local number, token).
type ShardNews<'a> = (Vec<(u32, u32)>, Vec<(u32, u32, &'a crate::analyze::Tok)>);

#[derive(Default)]
struct State {
    lexicon: crate::lexicon::Lexicon,
    shards: Vec<Shard>,
    /// Global vocabulary id → (shard, local number).
    owner: Vec<(u16, u32)>,
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
    fn vocab_id(&self, key: &str) -> Option<u32> {
        self.shards[shard_of(key)].id(key)
    }

    fn add_chunk(&mut self, base: usize, mut chunk: Vec<Analysed>) {
        if self.shards.is_empty() {
            self.shards = (0..SHARDS).map(|_| Shard::default()).collect();
        }
        for a in chunk.iter_mut() {
            let pairs = std::mem::take(&mut a.pairs);
            self.lexicon.add(&a.dataset, &a.id, pairs);
        }
        // Vocabulary ids in order of first occurrence over the forms' keys
        // in form order (what `Matcher::build` assigns): each key's
        // occurrences go to its shard in order, the shards intern in
        // parallel, and the keys new in this chunk get their global ids
        // in the chunk's order.
        let first_form = self.n_forms;
        let mut buckets: Vec<Vec<Occurrence>> = (0..SHARDS).map(|_| Vec::new()).collect();
        let mut seq = 0u32;
        let mut fi = first_form as u32;
        for a in &chunk {
            for ((_, _, form), (keys, _)) in a.forms.iter().zip(&a.extra) {
                for t in &form.toks {
                    buckets[shard_of(&t.text)].push(Occurrence {
                        seq,
                        form: fi,
                        key: &t.text,
                        tok: Some(t),
                    });
                    seq += 1;
                }
                // The joined name, then syllable words (`Matcher::build`'s order).
                for k in keys {
                    buckets[shard_of(k)].push(Occurrence {
                        seq,
                        form: fi,
                        key: k,
                        tok: None,
                    });
                    seq += 1;
                }
                fi += 1;
            }
        }
        let news: Vec<ShardNews> = self
            .shards
            .par_iter_mut()
            .zip(buckets.par_iter())
            .map(|(sh, occs)| {
                let (mut new, mut firsts) = (Vec::new(), Vec::new());
                for o in occs {
                    let local = match sh.map.get(o.key) {
                        Some(&l) => l,
                        None => {
                            let l = sh.postings.len() as u32;
                            sh.map.insert(o.key.into(), l);
                            sh.postings.push(Vec::new());
                            sh.seen_tok.push(false);
                            sh.global.push(u32::MAX);
                            new.push((o.seq, l));
                            l
                        }
                    };
                    let p = &mut sh.postings[local as usize];
                    if p.last() != Some(&o.form) {
                        p.push(o.form);
                    }
                    if let Some(t) = o.tok {
                        if !std::mem::replace(&mut sh.seen_tok[local as usize], true) {
                            firsts.push((o.seq, local, t));
                        }
                    }
                }
                (new, firsts)
            })
            .collect();
        drop(buckets);
        let mut new: Vec<(u32, u16, u32)> = Vec::new();
        let mut firsts: Vec<(u32, u16, u32, &crate::analyze::Tok)> = Vec::new();
        for (s, (n, f)) in news.into_iter().enumerate() {
            new.extend(n.into_iter().map(|(q, l)| (q, s as u16, l)));
            firsts.extend(f.into_iter().map(|(q, l, t)| (q, s as u16, l, t)));
        }
        new.sort_unstable_by_key(|x| x.0);
        for (_, s, l) in new {
            let id = self.owner.len() as u32;
            self.owner.push((s, l));
            self.shards[s as usize].global[l as usize] = id;
        }
        // Key maps over each token's first occurrence, in the in-memory
        // build's order.
        firsts.sort_unstable_by_key(|x| x.0);
        for (_, s, l, t) in firsts {
            let id = self.shards[s as usize].global[l as usize];
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
        let mut fi = first_form;
        for (i, a) in chunk.iter().enumerate() {
            let ei = (base + i) as u32;
            for n in &a.identifiers {
                self.identifiers.entry(n.clone()).or_default().push(ei);
            }
            for (_, acr) in &a.extra {
                for key in acr {
                    self.acronyms
                        .entry(key.as_str().into())
                        .or_default()
                        .push(fi as u32);
                }
                fi += 1;
            }
        }
        // Forms encoded in parallel, appended in order.
        let this = &*self;
        let vid = |t: &str| this.vocab_id(t).unwrap_or(u32::MAX);
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
    index_sections_chunked(entities, CHUNK, progress)
}

/// [`index_sections_streamed`] with `chunk` entities per chunk (the bytes
/// do not depend on it; tests use small chunks to cross many chunk
/// boundaries on small lists).
#[doc(hidden)]
pub fn index_sections_chunked(
    entities: impl ExactSizeIterator<Item = Entity>,
    chunk: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<(String, Vec<u8>)>, IndexError> {
    let chunk = chunk.max(1);
    let total = entities.len();
    if total > u32::MAX as usize {
        return Err(IndexError::Section("too many datasets or entities".into()));
    }
    let mut st = State::default();
    let mut entities = entities;
    let mut base = 0;
    // A pipeline of two stages: while chunk k is interned, chunk k + 1 is
    // analysed. Each chunk is
    // interned whole and in entity order, so the bytes do not depend on
    // how the stages overlap.
    let mut pending: Option<(usize, Vec<Analysed>)> = None;
    loop {
        let batch: Vec<Entity> = entities.by_ref().take(chunk).collect();
        let n = batch.len();
        let (analysed, ()) = rayon::join(
            || {
                batch
                    .into_par_iter()
                    .map(|e| analyse(&e))
                    .collect::<Result<Vec<Analysed>, _>>()
            },
            || {
                if let Some((at, chunk)) = pending.take() {
                    let len = chunk.len();
                    st.add_chunk(at, chunk);
                    progress(at + len, total);
                }
            },
        );
        if n == 0 {
            break;
        }
        pending = Some((base, analysed?));
        base += n;
    }
    if st.datasets.len() > usize::from(u16::MAX) {
        return Err(IndexError::Section("too many datasets or entities".into()));
    }
    let n_entities = st.ent_schema.len();
    let n_forms = st.n_forms;
    let n_vocab = st.owner.len();
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
    let ent_schema = std::mem::take(&mut st.ent_schema);
    let (firsts, ent_off) = (
        std::mem::take(&mut st.firsts),
        std::mem::take(&mut st.ent_off),
    );
    let (bodies, form_off) = (
        std::mem::take(&mut st.bodies),
        std::mem::take(&mut st.form_off),
    );
    let forms = std::mem::take(&mut st.forms);
    // The dictionaries and lists are independent of each other: built in
    // parallel (each one deterministic on its own).
    let mut by_id = std::mem::take(&mut st.by_id);
    let mut lexicon = std::mem::take(&mut st.lexicon);
    let st = &st;
    let keyed = |map: &FxHashMap<Box<str>, Vec<u32>>| {
        keyed_lists(map.iter().map(|(k, v)| (k.as_bytes(), v.as_slice())))
    };
    let (mut vocab, mut df, mut rarity, mut post_off, mut post) = Default::default();
    let ((mut del, mut del_v), (mut phon, mut phon_v), (mut sino, mut sino_v)) = Default::default();
    let ((mut acr, mut acr_v), (mut ids, mut ids_v)) = Default::default();
    let (mut tri_keys, mut tri_off, mut tri_post, mut tri_cnt) = Default::default();
    let mut lexicon_sec = Vec::new();
    rayon::scope(|sc| {
        sc.spawn(|_| {
            vocab = fst_map(
                st.shards
                    .iter()
                    .flat_map(|sh| {
                        sh.map.iter().map(|(k, &l)| {
                            (k.as_bytes().to_vec(), u64::from(sh.global[l as usize]))
                        })
                    })
                    .collect(),
            );
        });
        sc.spawn(|_| {
            let postings = || {
                st.owner
                    .iter()
                    .map(|&(s, l)| st.shards[s as usize].postings[l as usize].as_slice())
            };
            df = u32s(postings().map(|p| p.len() as u32));
            rarity = u32s(postings().map(|p| weight_factor(p.len(), n_forms).to_bits()));
            (post_off, post) = delta_lists(postings());
        });
        sc.spawn(|_| (del, del_v) = keyed(&st.deletions));
        sc.spawn(|_| {
            (phon, phon_v) = keyed(&st.phonetic);
            (sino, sino_v) = keyed(&st.sino);
            (acr, acr_v) = keyed(&st.acronyms);
            (ids, ids_v) = keyed_lists(
                st.identifiers
                    .iter()
                    .map(|(k, v)| (k.as_bytes(), v.as_slice())),
            );
            // An id listed twice maps to its last entity, as the in-memory map.
            by_id.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            by_id.dedup_by(|a, b| a.0 == b.0);
            lexicon.finish();
            lexicon_sec = lexicon.encode();
        });
        sc.spawn(|_| {
            let trigrams = TrigramIndex::build(n_vocab, st.words.iter().map(|(i, w)| (*i, &**w)));
            let (tri, counts) = trigrams.parts();
            tri_keys = u32s(tri.iter().map(|t| t.0));
            (tri_off, tri_post) = delta_lists(tri.iter().map(|t| t.1));
            tri_cnt = counts.to_vec();
        });
    });
    let by_id = fst_map(by_id);
    let meta = u32s([n_entities as u32, n_forms as u32, n_vocab as u32].into_iter());
    Ok(crate::matcher::named_sections([
        meta,
        ds_sec,
        ent_ds,
        ent_schema,
        u32s(firsts.iter().copied()),
        u64s(ent_off.iter().copied()),
        bodies,
        u64s(form_off.iter().copied()),
        forms,
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
        lexicon_sec,
    ]))
}
