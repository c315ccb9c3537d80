//! The matcher's index as compact, read-only sections of an index file
//! (see `container` for the envelope), read in place from a memory map.
//!
//! Sections (all integers little-endian; "varint" is LEB128):
//! - `m.meta`: entity, form and vocabulary counts (3 × u32).
//! - `m.datasets`: dataset names (varint count, then varint length +
//!   bytes each); `m.ent_ds` (u16 per entity: dataset number),
//!   `m.ent_schema` (u8 per entity), `m.ent_form` (u32 per entity + 1:
//!   first form id, forms are in entity order).
//! - `m.ent_off` (u64 per entity + 1) into `m.bodies`: each entity's JSON
//!   (the store's canonical encoding), decoded only when a hit, a
//!   qualifier or a caller needs it.
//! - `m.form_off` (u64 per form + 1) into `m.forms`: each analysed form
//!   (entity, name, flags, tokens with their roles, keys and vocabulary
//!   id), decoded only for candidates that reach scoring.
//! - `m.vocab`: an `fst` map token → vocabulary id (the ids of the
//!   in-memory build, so results are identical); `m.df` (u32 per id),
//!   `m.rarity` (f32 bits per id), `m.post_off` (u64 per id + 1) into
//!   `m.post`: posting lists of form ids, delta + varint coded.
//! - `m.del`, `m.phon`, `m.sino`, `m.acr`, `m.ids`, `m.by_id`: `fst` maps
//!   key → offset into the matching `*.v` section of varint lists
//!   (`m.by_id` maps an entity id straight to its index).
//! - `m.tri_keys` (sorted u32 trigrams), `m.tri_off` (u64 per key + 1)
//!   into `m.tri_post` (delta + varint), `m.tri_cnt` (u8 per vocab id).

use crate::analyze::{Form, NameClass, Paren, Tok};
use crate::container::{Container, IndexError};
use crate::symbols::TokenRole;
use embargo_model::{Entity, EntityId, Schema};
use std::ops::Range;
use std::sync::{Arc, OnceLock};

pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads a varint at `*at`, advancing it. Malformed input ends the value
/// at the end of the slice (the checksums have vouched for the bytes: at
/// this open, or at the full verification a quick open relies on, see
/// `container`).
pub(crate) fn get_varint(b: &[u8], at: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    while let Some(&x) = b.get(*at) {
        *at += 1;
        v |= u64::from(x & 0x7f) << shift;
        if x & 0x80 == 0 || shift >= 63 {
            break;
        }
        shift += 7;
    }
    v
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn get_str<'a>(b: &'a [u8], at: &mut usize) -> &'a str {
    let n = get_varint(b, at) as usize;
    let end = (*at + n).min(b.len());
    let s = std::str::from_utf8(&b[*at..end]).unwrap_or("");
    *at = end;
    s
}

pub(crate) fn role_code(r: TokenRole) -> u8 {
    match r {
        TokenRole::Word => 0,
        TokenRole::LegalForm => 1,
        TokenRole::Stop => 2,
        TokenRole::Number => 3,
        TokenRole::Initial => 4,
        TokenRole::Location => 5,
        TokenRole::Region => 6,
    }
}

fn role_of(c: u8) -> TokenRole {
    match c {
        1 => TokenRole::LegalForm,
        2 => TokenRole::Stop,
        3 => TokenRole::Number,
        4 => TokenRole::Initial,
        5 => TokenRole::Location,
        6 => TokenRole::Region,
        _ => TokenRole::Word,
    }
}

pub(crate) fn schema_code(s: Schema) -> u8 {
    match s {
        Schema::Person => 0,
        Schema::Organization => 1,
        Schema::Company => 2,
        Schema::Vessel => 3,
        Schema::Aircraft => 4,
        Schema::LegalEntity => 5,
    }
}

fn schema_of(c: u8) -> Schema {
    match c {
        0 => Schema::Person,
        1 => Schema::Organization,
        2 => Schema::Company,
        3 => Schema::Vessel,
        4 => Schema::Aircraft,
        _ => Schema::LegalEntity,
    }
}

/// Encodes one analysed form; `vid` gives each token's vocabulary id.
pub(crate) fn encode_form(
    out: &mut Vec<u8>,
    entity: u32,
    name: u16,
    weak: bool,
    f: &Form,
    vid: impl Fn(&str) -> u32,
) {
    put_varint(out, u64::from(entity));
    put_varint(out, u64::from(name));
    let flags = u8::from(weak)
        | u8::from(f.abjad) << 1
        | u8::from(f.syllabic) << 2
        | u8::from(f.native) << 3
        | u8::from(f.romanised) << 4
        | u8::from(f.han) << 5
        | u8::from(f.cn_org) << 6;
    out.push(flags);
    let paren = match f.paren {
        Paren::None => 0,
        Paren::Kept => 1,
        Paren::Removed => 2,
    };
    let class = match f.class {
        NameClass::Person => 0,
        NameClass::Org => 1,
        NameClass::Unknown => 2,
    };
    out.push(paren | class << 2);
    put_varint(out, f.toks.len() as u64);
    for t in &f.toks {
        out.push(role_code(t.role));
        out.push(
            u8::from(t.ascii)
                | u8::from(t.nick) << 1
                | u8::from(t.generic) << 2
                | u8::from(t.family) << 3
                | u8::from(t.wg) << 4,
        );
        put_varint(out, u64::from(vid(&t.text)));
        put_str(out, &t.text);
        put_str(out, &t.phon);
        put_str(out, &t.snd);
        put_str(out, &t.skel);
        put_str(out, &t.sino);
    }
}

/// A decoded form record: which entity and name it reads, whether that
/// name is a weak alias, and the form with its tokens weighted.
pub(crate) struct Decoded {
    pub entity: u32,
    pub name: u16,
    pub weak: bool,
    pub form: Form,
}

/// The head of an encoded form: entity, name and flags byte.
fn form_head(b: &[u8], at: &mut usize) -> (u32, u16, u8) {
    let entity = get_varint(b, at) as u32;
    let name = get_varint(b, at) as u16;
    let flags = b.get(*at).copied().unwrap_or(0);
    *at += 1;
    (entity, name, flags)
}

fn decode_form(b: &[u8], weight: impl Fn(TokenRole, u32) -> f32) -> Decoded {
    let mut at = 0;
    let (entity, name, flags) = form_head(b, &mut at);
    let pc = b.get(at).copied().unwrap_or(0);
    at += 1;
    let n = get_varint(b, &mut at) as usize;
    let mut toks = Vec::with_capacity(n.min(64));
    for _ in 0..n {
        let role = role_of(b.get(at).copied().unwrap_or(0));
        let tf = b.get(at + 1).copied().unwrap_or(0);
        at += 2;
        let vid = get_varint(b, &mut at) as u32;
        let text: Box<str> = get_str(b, &mut at).into();
        let phon: Box<str> = get_str(b, &mut at).into();
        let snd: Box<str> = get_str(b, &mut at).into();
        let skel: Box<str> = get_str(b, &mut at).into();
        let sino: Box<str> = get_str(b, &mut at).into();
        toks.push(Tok {
            text,
            role,
            phon,
            snd,
            skel,
            ascii: tf & 1 != 0,
            nick: tf & 2 != 0,
            generic: tf & 4 != 0,
            family: tf & 8 != 0,
            sino,
            wg: tf & 16 != 0,
            weight: weight(role, vid),
            vid,
        });
    }
    Decoded {
        entity,
        name,
        weak: flags & 1 != 0,
        form: Form {
            toks,
            abjad: flags & 2 != 0,
            syllabic: flags & 4 != 0,
            native: flags & 8 != 0,
            romanised: flags & 16 != 0,
            han: flags & 32 != 0,
            cn_org: flags & 64 != 0,
            paren: match pc & 3 {
                1 => Paren::Kept,
                2 => Paren::Removed,
                _ => Paren::None,
            },
            class: match (pc >> 2) & 3 {
                0 => NameClass::Person,
                1 => NameClass::Org,
                _ => NameClass::Unknown,
            },
        },
    }
}

/// An `fst` map from sorted `(key, value)` pairs (keys unique).
pub(crate) fn fst_map(mut pairs: Vec<(Vec<u8>, u64)>) -> Vec<u8> {
    pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    pairs.dedup_by(|a, b| a.0 == b.0);
    let mut b = fst::MapBuilder::memory();
    for (k, v) in pairs {
        // Keys are sorted and unique, so insertion cannot fail.
        b.insert(k, v).expect("sorted unique keys");
    }
    b.into_inner().expect("in-memory fst")
}

/// An `fst` map key → offset of the key's list in a values blob.
pub(crate) fn keyed_lists<'a>(
    entries: impl Iterator<Item = (&'a [u8], &'a [u32])>,
) -> (Vec<u8>, Vec<u8>) {
    let mut pairs = Vec::new();
    let mut blob = Vec::new();
    // Key order, whatever order the caller's map iterates in.
    let mut entries: Vec<(&[u8], &[u32])> = entries.collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for (k, ids) in entries {
        pairs.push((k.to_vec(), blob.len() as u64));
        put_varint(&mut blob, ids.len() as u64);
        for &id in ids {
            put_varint(&mut blob, u64::from(id));
        }
    }
    (fst_map(pairs), blob)
}

/// Delta + varint posting lists of ascending ids, with their offsets
/// (u64 per list + 1).
pub(crate) fn delta_lists<'a>(lists: impl Iterator<Item = &'a [u32]>) -> (Vec<u8>, Vec<u8>) {
    let mut blob = Vec::new();
    let mut offs = Vec::new();
    for l in lists {
        offs.extend_from_slice(&(blob.len() as u64).to_le_bytes());
        let mut prev = 0u32;
        for &x in l {
            put_varint(&mut blob, u64::from(x.wrapping_sub(prev)));
            prev = x;
        }
    }
    offs.extend_from_slice(&(blob.len() as u64).to_le_bytes());
    (offs, blob)
}

pub(crate) fn u32s(xs: impl Iterator<Item = u32>) -> Vec<u8> {
    xs.flat_map(u32::to_le_bytes).collect()
}

pub(crate) fn u64s(xs: impl Iterator<Item = u64>) -> Vec<u8> {
    xs.flat_map(u64::to_le_bytes).collect()
}

struct Sections {
    ent_ds: Range<usize>,
    ent_schema: Range<usize>,
    ent_form: Range<usize>,
    ent_off: Range<usize>,
    bodies: Range<usize>,
    form_off: Range<usize>,
    forms: Range<usize>,
    vocab: Range<usize>,
    df: Range<usize>,
    rarity: Range<usize>,
    post_off: Range<usize>,
    post: Range<usize>,
    del: (Range<usize>, Range<usize>),
    phon: (Range<usize>, Range<usize>),
    sino: (Range<usize>, Range<usize>),
    acr: (Range<usize>, Range<usize>),
    ids: (Range<usize>, Range<usize>),
    by_id: Range<usize>,
    tri_keys: Range<usize>,
    tri_off: Range<usize>,
    tri_post: Range<usize>,
    tri_cnt: Range<usize>,
}

/// Which keyed-list map to look in.
#[derive(Clone, Copy)]
pub(crate) enum Keyed {
    Deletions,
    Phonetic,
    Sino,
    Acronyms,
    Identifiers,
}

/// The matcher's index read in place from an index file.
pub(crate) struct FileIndex {
    c: Container,
    s: Sections,
    pub n_entities: usize,
    pub n_forms: usize,
    datasets: Vec<String>,
    cache: Vec<OnceLock<Arc<Entity>>>,
    all: OnceLock<Arc<[Arc<Entity>]>>,
    /// Trade names learnt from bilingual aliases (`m.lexicon`, small:
    /// decoded at open).
    pub lexicon: crate::lexicon::Lexicon,
}

impl FileIndex {
    pub fn open(c: Container) -> Result<FileIndex, IndexError> {
        let r = |n: &str| c.range(n);
        let pair = |n: &str| -> Result<(Range<usize>, Range<usize>), IndexError> {
            Ok((c.range(n)?, c.range(&format!("{n}.v"))?))
        };
        let s = Sections {
            ent_ds: r("m.ent_ds")?,
            ent_schema: r("m.ent_schema")?,
            ent_form: r("m.ent_form")?,
            ent_off: r("m.ent_off")?,
            bodies: r("m.bodies")?,
            form_off: r("m.form_off")?,
            forms: r("m.forms")?,
            vocab: r("m.vocab")?,
            df: r("m.df")?,
            rarity: r("m.rarity")?,
            post_off: r("m.post_off")?,
            post: r("m.post")?,
            del: pair("m.del")?,
            phon: pair("m.phon")?,
            sino: pair("m.sino")?,
            acr: pair("m.acr")?,
            ids: pair("m.ids")?,
            by_id: r("m.by_id")?,
            tri_keys: r("m.tri_keys")?,
            tri_off: r("m.tri_off")?,
            tri_post: r("m.tri_post")?,
            tri_cnt: r("m.tri_cnt")?,
        };
        let meta = c.section("m.meta")?;
        let bad = |what: &str| IndexError::Section(what.to_string());
        if meta.len() != 12 {
            return Err(bad("m.meta has the wrong size"));
        }
        let word =
            |i: usize| u32::from_le_bytes(meta[i * 4..i * 4 + 4].try_into().unwrap_or([0; 4]));
        let (n_entities, n_forms, n_vocab) = (word(0) as usize, word(1) as usize, word(2) as usize);
        // Every fixed-width array must have the size the counts say, so
        // lookups never index past a section.
        let sizes = [
            (&s.ent_ds, n_entities * 2, "m.ent_ds"),
            (&s.ent_schema, n_entities, "m.ent_schema"),
            (&s.ent_form, (n_entities + 1) * 4, "m.ent_form"),
            (&s.ent_off, (n_entities + 1) * 8, "m.ent_off"),
            (&s.form_off, (n_forms + 1) * 8, "m.form_off"),
            (&s.df, n_vocab * 4, "m.df"),
            (&s.rarity, n_vocab * 4, "m.rarity"),
            (&s.post_off, (n_vocab + 1) * 8, "m.post_off"),
            (&s.tri_cnt, n_vocab, "m.tri_cnt"),
        ];
        for (range, want, name) in sizes {
            if range.len() != want {
                return Err(IndexError::Section(format!(
                    "{name} holds {} bytes, expected {want}",
                    range.len()
                )));
            }
        }
        if s.tri_off.len() != (s.tri_keys.len() / 4 + 1) * 8 || !s.tri_keys.len().is_multiple_of(4)
        {
            return Err(bad("trigram tables disagree"));
        }
        for m in [
            &s.vocab, &s.del.0, &s.phon.0, &s.sino.0, &s.acr.0, &s.ids.0, &s.by_id,
        ] {
            fst::Map::new(&c.bytes()[m.clone()])
                .map_err(|e| IndexError::Section(format!("a key map: {e}")))?;
        }
        let ds = c.section("m.datasets")?;
        let mut at = 0;
        let n = get_varint(ds, &mut at) as usize;
        let datasets = (0..n.min(ds.len()))
            .map(|_| get_str(ds, &mut at).to_string())
            .collect();
        let cache = (0..n_entities).map(|_| OnceLock::new()).collect();
        let lexicon = crate::lexicon::Lexicon::decode(c.section("m.lexicon")?)?;
        Ok(FileIndex {
            lexicon,
            c,
            s,
            n_entities,
            n_forms,
            datasets,
            cache,
            all: OnceLock::new(),
        })
    }

    fn sec(&self, r: &Range<usize>) -> &[u8] {
        &self.c.bytes()[r.clone()]
    }

    fn u32_in(&self, r: &Range<usize>, i: usize) -> u32 {
        let b = self.sec(r);
        b.get(i * 4..i * 4 + 4)
            .map_or(0, |x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]))
    }

    fn u64_in(&self, r: &Range<usize>, i: usize) -> usize {
        let b = self.sec(r);
        b.get(i * 8..i * 8 + 8).map_or(0, |x| {
            u64::from_le_bytes(x.try_into().unwrap_or([0; 8])) as usize
        })
    }

    fn slice<'a>(&'a self, data: &Range<usize>, offs: &Range<usize>, i: usize) -> &'a [u8] {
        let (a, b) = (self.u64_in(offs, i), self.u64_in(offs, i + 1));
        self.sec(data).get(a..b.max(a)).unwrap_or(&[])
    }

    pub fn container(&self) -> &Container {
        &self.c
    }

    pub fn vocab_id(&self, key: &str) -> Option<u32> {
        let m = fst::Map::new(self.sec(&self.s.vocab)).ok()?;
        m.get(key).map(|v| v as u32)
    }

    pub fn df(&self, vid: u32) -> usize {
        self.u32_in(&self.s.df, vid as usize) as usize
    }

    pub fn rarity(&self, vid: u32) -> f32 {
        f32::from_bits(self.u32_in(&self.s.rarity, vid as usize))
    }

    /// Calls `f` with each form id of `vid`'s posting list, in order.
    pub fn postings(&self, vid: u32, mut f: impl FnMut(u32)) {
        let b = self.slice(&self.s.post, &self.s.post_off, vid as usize);
        let mut at = 0;
        let mut prev = 0u32;
        while at < b.len() {
            prev = prev.wrapping_add(get_varint(b, &mut at) as u32);
            f(prev);
        }
    }

    /// The list stored under `key` in one of the keyed maps, appended to
    /// `out`; false when the key is absent.
    pub fn keyed(&self, which: Keyed, key: &[u8], out: &mut Vec<u32>) -> bool {
        let (m, v) = match which {
            Keyed::Deletions => &self.s.del,
            Keyed::Phonetic => &self.s.phon,
            Keyed::Sino => &self.s.sino,
            Keyed::Acronyms => &self.s.acr,
            Keyed::Identifiers => &self.s.ids,
        };
        let Some(off) = fst::Map::new(self.sec(m)).ok().and_then(|m| m.get(key)) else {
            return false;
        };
        let b = self.sec(v);
        let mut at = off as usize;
        let n = get_varint(b, &mut at) as usize;
        for _ in 0..n.min(b.len()) {
            out.push(get_varint(b, &mut at) as u32);
        }
        true
    }

    pub fn index_of(&self, id: &EntityId) -> Option<usize> {
        let m = fst::Map::new(self.sec(&self.s.by_id)).ok()?;
        m.get(id.as_str()).map(|v| v as usize)
    }

    /// Trigram → word ids, for `ngrams::TrigramIndex::similar_with`.
    pub fn trigram_postings(&self, g: u32, f: &mut dyn FnMut(&mut dyn Iterator<Item = u32>)) {
        let keys = self.sec(&self.s.tri_keys);
        let n = keys.len() / 4;
        let key =
            |i: usize| u32::from_le_bytes(keys[i * 4..i * 4 + 4].try_into().unwrap_or([0; 4]));
        let (mut lo, mut hi) = (0, n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if key(mid) < g {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if lo >= n || key(lo) != g {
            return;
        }
        let b = self.slice(&self.s.tri_post, &self.s.tri_off, lo);
        let mut at = 0;
        let mut prev = 0u32;
        let mut it = std::iter::from_fn(|| {
            if at >= b.len() {
                return None;
            }
            prev = prev.wrapping_add(get_varint(b, &mut at) as u32);
            Some(prev)
        });
        f(&mut it);
    }

    pub fn trigram_count(&self, vid: u32) -> u8 {
        self.sec(&self.s.tri_cnt)
            .get(vid as usize)
            .copied()
            .unwrap_or(0)
    }

    /// Which entity and name form `fid` reads and whether that name is a
    /// weak alias, without decoding its tokens.
    pub fn form_owner(&self, fid: u32) -> (u32, u16, bool) {
        let b = self.slice(&self.s.forms, &self.s.form_off, fid as usize);
        let (entity, name, flags) = form_head(b, &mut 0);
        (entity, name, flags & 1 != 0)
    }

    pub fn form(&self, fid: u32) -> Decoded {
        let b = self.slice(&self.s.forms, &self.s.form_off, fid as usize);
        let n = self.n_forms;
        decode_form(b, |role, vid| {
            role.base_weight() * crate::matcher::weight_factor(self.df(vid), n)
        })
    }

    /// The first form id of entity `ei` (forms are in entity order).
    pub fn first_form(&self, ei: u32) -> u32 {
        self.u32_in(&self.s.ent_form, ei as usize)
    }

    pub fn schema(&self, ei: u32) -> Schema {
        schema_of(
            self.sec(&self.s.ent_schema)
                .get(ei as usize)
                .copied()
                .unwrap_or(5),
        )
    }

    pub fn dataset(&self, ei: u32) -> &str {
        let b = self.sec(&self.s.ent_ds);
        let i = ei as usize * 2;
        let d = b
            .get(i..i + 2)
            .map_or(0, |x| u16::from_le_bytes([x[0], x[1]]));
        self.datasets.get(d as usize).map_or("", String::as_str)
    }

    /// Decodes every entity body once without keeping it: a file handed in
    /// by a user (a snapshot export) is checked this way at open, so a
    /// body that passes the checksum but does not decode is refused there
    /// instead of failing at first use.
    pub fn check_bodies(&self) -> Result<(), IndexError> {
        use rayon::prelude::*;
        (0..self.n_entities).into_par_iter().try_for_each(|ei| {
            let body = self.slice(&self.s.bodies, &self.s.ent_off, ei);
            serde_json::from_slice::<Entity>(body)
                .map(drop)
                .map_err(|e| IndexError::Section(format!("entity {ei} does not decode: {e}")))
        })
    }

    /// Entity `ei`, decoded on first use and kept.
    pub fn entity(&self, ei: usize) -> &Arc<Entity> {
        if let Some(all) = self.all.get() {
            return &all[ei];
        }
        self.cache[ei].get_or_init(|| {
            let body = self.slice(&self.s.bodies, &self.s.ent_off, ei);
            // The checksum has vouched for these bytes, which the writer
            // produced from an `Entity`: a failure is a bug, not input.
            Arc::new(serde_json::from_slice(body).expect("index file entity body decodes"))
        })
    }

    /// Every entity, decoded once (in parallel) on first use.
    pub fn all(&self) -> &Arc<[Arc<Entity>]> {
        self.all.get_or_init(|| {
            use rayon::prelude::*;
            (0..self.n_entities)
                .into_par_iter()
                .map(|i| self.entity(i).clone())
                .collect::<Vec<_>>()
                .into()
        })
    }
}
