//! End to end on real files in ../shared, parsed by embargo-sources: the
//! two consecutive SDN days must differ by exactly the 8 entries OFAC
//! removed, with no spurious changes; an OpenSanctions delta applies.

use embargo_store::{ImportOutcome, NewVersion, Store};
use std::time::Instant;

fn import(store: &Store, rel: &str) -> (embargo_model::ListVersion, f64, f64) {
    let path = embargo_testkit::shared_file(rel).expect("checked by the caller");
    let t = Instant::now();
    let parsed = embargo_sources::parse_path(&path, None).unwrap();
    let parse_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let outcome = store
        .import(
            NewVersion {
                dataset: parsed.dataset.clone(),
                source: parsed.kind,
                sha256: parsed.sha256.clone(),
                published: parsed.published,
                origin: path.display().to_string(),
            },
            &parsed.entities,
        )
        .unwrap();
    let ImportOutcome::Imported(v) = outcome else {
        panic!("{rel} was not imported: {outcome:?}")
    };
    (v, parse_s, t.elapsed().as_secs_f64())
}

#[test]
fn consecutive_sdn_days_differ_by_eight_removals_only() {
    embargo_testkit::require_shared!("data/lists/ofac_sdn/2024-05-02/sdn.csv");
    embargo_testkit::require_shared!("data/lists/ofac_sdn/2024-05-03/sdn.csv");
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (v1, p1, i1) = import(&store, "data/lists/ofac_sdn/2024-05-02/sdn.csv");
    let (v2, p2, i2) = import(&store, "data/lists/ofac_sdn/2024-05-03/sdn.csv");
    eprintln!("SDN 2024-05-02: parse {p1:.3}s, import {i1:.3}s ({} entities); 2024-05-03: parse {p2:.3}s, import {i2:.3}s", v1.entity_count);
    assert_eq!((v1.entity_count, v2.entity_count), (14_973, 14_965));

    let t = std::time::Instant::now();
    let d = store.diff(&v2.dataset, None, None).unwrap();
    eprintln!(
        "diff {:.3}s; database after two SDN days: {} KB (WAL not yet checkpointed: {} KB)",
        t.elapsed().as_secs_f64(),
        std::fs::metadata(store.path()).unwrap().len() / 1024,
        std::fs::metadata(dir.path().join("embargo.sqlite-wal"))
            .map(|m| m.len() / 1024)
            .unwrap_or(0)
    );
    assert_eq!(d.old, v1);
    assert_eq!(d.new, v2);
    assert_eq!(
        (d.added.len(), d.removed.len(), d.changed.len()),
        (0, 8, 0),
        "changed: {:?}",
        d.changed.iter().take(3).collect::<Vec<_>>()
    );
}

#[test]
fn an_opensanctions_delta_file_applies_on_top_of_a_base_version() {
    let path = embargo_testkit::require_shared!(
        "data/opensanctions/ftm/yente_2024-07_delta/entities.delta.json"
    );
    let parsed = embargo_sources::parse_path(&path, None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let ds = parsed.dataset.clone();
    // The delta's real base is not in ../shared: start from an empty
    // version, so every upsert is an addition and every deletion a no-op.
    let base = NewVersion {
        dataset: ds.clone(),
        source: parsed.kind,
        sha256: "0".repeat(64),
        published: None,
        origin: "empty base".into(),
    };
    store.import(base, &[]).unwrap();
    let nv = NewVersion {
        dataset: ds.clone(),
        source: parsed.kind,
        sha256: parsed.sha256.clone(),
        published: parsed.published,
        origin: path.display().to_string(),
    };
    let out = store
        .apply_delta(nv.clone(), &ds, &parsed.entities, &parsed.deletions)
        .unwrap();
    let ImportOutcome::Imported(v) = out else {
        panic!("not imported: {out:?}")
    };
    assert_eq!(parsed.deletions.len(), 571);
    assert!(!parsed.entities.is_empty());
    assert_eq!(v.entity_count as usize, parsed.entities.len());
    let d = store.diff(&ds, None, None).unwrap();
    assert_eq!(
        (d.added.len(), d.removed.len(), d.changed.len()),
        (parsed.entities.len(), 0, 0)
    );
    // Replaying the same delta file is a no-op.
    let again = store
        .apply_delta(nv, &ds, &parsed.entities, &parsed.deletions)
        .unwrap();
    assert_eq!(again, ImportOutcome::Unchanged(v));
}
