//! Times a snapshot build with the official lists loaded, and its
//! consolidation step alone.
//!
//! `cargo run --release -p embargo-app --example snapshot_bench -- ../shared`
//!
//! Imports CSL 2022-05, SDN 2024-05-03 and UN 2026-02 into a temporary data
//! directory, then builds the snapshot three times and the subjects three
//! times, printing each.

use embargo_app::consolidate::Subjects;
use embargo_app::{import_file, ImportOptions, ScreenRequest, Snapshot};
use embargo_match::{Query, ScreenOptions};
use embargo_store::Store;
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let shared = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "../shared".into()),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    for rel in [
        "data/lists/us_csl/2022-05/consolidated.csv",
        "data/lists/ofac_sdn/2024-05-03/sdn.csv",
        "data/lists/un/2026-02/UN_consolidated.xml",
    ] {
        import_file(&store, &shared.join(rel), &ImportOptions::default())
            .unwrap_or_else(|e| panic!("{rel}: {e}"));
    }
    let snap = Snapshot::load(Some(&store)).expect("snapshot");
    // The cost of consolidated rows: the same queries through the matcher
    // alone and through the snapshot (wider candidate list, grouping).
    let names: Vec<String> = snap
        .matcher
        .entities()
        .iter()
        .step_by(15)
        .take(2000)
        .map(|e| e.caption().to_string())
        .collect();
    for _ in 0..3 {
        let t = Instant::now();
        for n in &names {
            let q = Query {
                name: n.clone(),
                ..Default::default()
            };
            std::hint::black_box(snap.matcher.screen(&q, &ScreenOptions::default()));
        }
        let matcher = t.elapsed();
        let t = Instant::now();
        for n in &names {
            let req = ScreenRequest {
                query: Query {
                    name: n.clone(),
                    ..Default::default()
                },
                ..Default::default()
            };
            std::hint::black_box(snap.screen(&req));
        }
        let rows = t.elapsed();
        println!(
            "{} queries: matcher {:.1} µs/query, consolidated rows {:.1} µs/query ({:+.0} %)",
            names.len(),
            matcher.as_secs_f64() * 1e6 / names.len() as f64,
            rows.as_secs_f64() * 1e6 / names.len() as f64,
            (rows.as_secs_f64() / matcher.as_secs_f64() - 1.0) * 100.0
        );
    }
    drop(snap);
    for _ in 0..3 {
        let t = Instant::now();
        let snap = Snapshot::load(Some(&store)).expect("snapshot");
        let whole = t.elapsed();
        let t = Instant::now();
        let subjects = Subjects::build(
            &snap.matcher,
            snap.screened_entities(),
            &embargo_app::pack_version().dataset,
        );
        println!(
            "snapshot {:>7.1} ms, of which consolidation {:>6.1} ms ({} entities, {} linked subjects, {} links)",
            whole.as_secs_f64() * 1e3,
            t.elapsed().as_secs_f64() * 1e3,
            snap.matcher.entities().len(),
            subjects.linked_subjects(),
            subjects.links.len()
        );
    }
}
