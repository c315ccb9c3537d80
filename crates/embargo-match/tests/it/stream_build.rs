//! The streamed index builder (issue 18): chunk by chunk, without the
//! in-memory index, it writes exactly the bytes of
//! `Matcher::build(..).index_sections()` — on the official lists (every
//! script, identifiers, weak aliases, several datasets) and on a
//! synthetic list spanning several chunks.

use embargo_match::index::{index_sections_chunked, index_sections_streamed};
use embargo_match::Matcher;
use embargo_model::{Entity, EntityId, Schema, SourceKind};
use embargo_testkit::synth;

fn assert_same_sections(entities: Vec<Entity>) {
    let streamed = index_sections_streamed(entities.clone().into_iter(), &|_, _| {}).unwrap();
    let mem = Matcher::build(entities).index_sections().unwrap();
    assert_eq!(streamed.len(), mem.len());
    for ((sn, sb), (mn, mb)) in streamed.iter().zip(&mem) {
        assert_eq!(sn, mn);
        assert!(
            sb == mb,
            "section {sn} differs: {} bytes streamed, {} from memory",
            sb.len(),
            mb.len()
        );
    }
}

#[test]
fn official_lists_stream_to_the_same_bytes() {
    let mut entities = Vec::new();
    for (rel, kind) in [
        (
            "data/lists/us_csl/2022-05/consolidated.csv",
            SourceKind::TradeCsl,
        ),
        (
            "data/lists/ofac_sdn/2024-05-03/sdn.csv",
            SourceKind::OfacSdn,
        ),
        (
            "data/lists/un/2026-02/UN_consolidated.xml",
            SourceKind::UnSc,
        ),
    ] {
        let Some(p) = embargo_testkit::shared_file(rel) else {
            return;
        };
        entities.extend(
            embargo_sources::parse_path(&p, Some(kind))
                .unwrap()
                .entities,
        );
    }
    // A duplicate id: the last one wins in both builds.
    let mut dup = entities[0].clone();
    dup.names.truncate(1);
    entities.push(dup);
    assert!(entities.len() > 20_000);
    // In chunks of 997 too (the bytes do not depend on the chunk size):
    // first occurrences of every kind of key across ~30 chunk boundaries,
    // while the next chunk is analysed as the last one is interned.
    let chunked = index_sections_chunked(entities.clone().into_iter(), 997, &|_, _| {}).unwrap();
    let whole = index_sections_streamed(entities.clone().into_iter(), &|_, _| {}).unwrap();
    assert!(chunked == whole, "the chunk size changed the bytes");
    assert_same_sections(entities);
}

#[test]
fn a_synthetic_list_over_several_chunks_streams_to_the_same_bytes() {
    let n = embargo_match::index::STREAM_CHUNK * 2 + 123;
    let entities = synth_entities(&synth::entries(n, 18));
    assert_same_sections(entities);
}

#[test]
fn the_streamed_bytes_do_not_depend_on_threads_or_chunks() {
    let entities = synth_entities(&synth::entries(5_000, 7));
    let build = |threads: usize, chunk: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| index_sections_chunked(entities.clone().into_iter(), chunk, &|_, _| {}))
            .unwrap()
    };
    let one = build(1, 1000);
    assert!(one == build(3, 1000), "thread count changed the bytes");
    assert!(one == build(2, 64), "chunk size changed the bytes");
    assert!(one == build(2, 100_000), "chunk size changed the bytes");
}

/// The synthetic generator's entries as list entities (a person or a
/// company each, dataset "synth"); also used by `index_file`.
pub(crate) fn synth_entities(entries: &[synth::Entry]) -> Vec<Entity> {
    entries
        .iter()
        .map(|e| {
            let schema = if e.person {
                Schema::Person
            } else {
                Schema::Company
            };
            Entity::new(EntityId::new("synth", &e.id), schema, "synth", &e.name)
        })
        .collect()
}
