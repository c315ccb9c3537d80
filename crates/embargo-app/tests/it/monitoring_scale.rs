//! The monitoring benchmark's scenario at CI size (20,000 customers, a
//! watch list of 2,000 entries whose new version adds 100): the delta
//! re-screen gives exactly the alerts a full re-screen of the book gives
//! for the added entries, and finds the planted customers. Speed is
//! measured by `examples/monitor_bench.rs`, not here.

use crate::common;
use common::synth;

#[test]
fn a_delta_gives_the_alerts_of_a_full_rescreen_for_the_added_entries() {
    let dir = tempfile::tempdir().unwrap();
    let o = synth::run(dir.path(), 20_000, 2_000);
    eprintln!(
        "20k book: import {:.2}s index {:.2}s baseline {:.2}s delta {:.3}s full {:.2}s; {} delta alerts",
        o.book_import_s, o.index_s, o.baseline_s, o.delta_s, o.full_s, o.delta_pairs.len()
    );
    assert!(
        !o.full_pairs.is_empty(),
        "the added entries hit nobody: the scenario is broken"
    );
    let missing: Vec<_> = o.full_pairs.difference(&o.delta_pairs).collect();
    let extra: Vec<_> = o.delta_pairs.difference(&o.full_pairs).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "delta and full re-screen differ: missing {missing:?}, extra {extra:?}"
    );
    // Every planted customer of an added entry spelt right is found (every
    // fourth is misspelt by two swapped letters: those the matcher scores
    // under the threshold are missed by the full re-screen too, which the
    // equality above covers).
    let exact = synth::PLANTED_NEW - synth::PLANTED_NEW.div_ceil(4);
    assert!(
        o.planted_new_found >= exact,
        "{} of {exact}: {:?}",
        o.planted_new_found,
        o.delta_pairs
    );
    assert!(o.baseline_alerts >= synth::PLANTED_OLD as u64);
    // The delta monitor above ran on the book's index file (`book import`
    // wrote it); its hits equal those of the index built in memory.
    assert!(o.file_hits > 0);
    assert!(
        o.file_hits_equal,
        "the mapped book index gives other hits than the in-memory one"
    );
}
