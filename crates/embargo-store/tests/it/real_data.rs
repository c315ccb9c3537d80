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
                published_basis: embargo_model::PublishedBasis::File,
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
        published_basis: embargo_model::PublishedBasis::File,
        origin: "empty base".into(),
    };
    store.import(base, &[]).unwrap();
    let nv = NewVersion {
        dataset: ds.clone(),
        source: parsed.kind,
        sha256: parsed.sha256.clone(),
        published: parsed.published,
        published_basis: embargo_model::PublishedBasis::File,
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

/// SDN 2019-01, 2021-07, 2024-05-02 and 2024-05-03 as stored history. The
/// legacy CSV states no publication date, so the dates are the operator's
/// (`--published`), read from the data: the 2019-01 set holds the
/// designations of 2018-12-19 (ent_num up to 26235, CYBER2) but not those
/// of 2019-01-08 (Raul Gorrin), so it was published between those days;
/// 2019-01-01 is used. The 2021-07 set's newest entries (ent_num 32391) are
/// from July 2021; 2021-07-31 is used. The two 2024 files are dated by
/// their directory names.
#[test]
fn sdn_history_dates_chen_quanguo_and_the_may_2024_removals() {
    use embargo_model::listing::{DateBound, ListingStatus};
    use embargo_model::{EntityId, PublishedBasis};
    let sets = [
        ("data/lists/ofac_sdn/2019-01/sdn.csv", "2019-01-01"),
        ("data/lists/ofac_sdn/2021-07/sdn.csv", "2021-07-31"),
        ("data/lists/ofac_sdn/2024-05-02/sdn.csv", "2024-05-02"),
        ("data/lists/ofac_sdn/2024-05-03/sdn.csv", "2024-05-03"),
    ];
    for (rel, _) in sets {
        embargo_testkit::require_shared!(rel);
    }
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    for (rel, published) in sets {
        let path = embargo_testkit::shared_file(rel).unwrap();
        let parsed = embargo_sources::parse_path(&path, None).unwrap();
        assert_eq!(
            parsed.published, None,
            "{rel}: the legacy CSV states no date"
        );
        store
            .import_guarded(
                NewVersion {
                    dataset: parsed.dataset.clone(),
                    source: parsed.kind,
                    sha256: parsed.sha256.clone(),
                    published: Some(d(published)),
                    published_basis: PublishedBasis::Operator,
                    origin: path.display().to_string(),
                },
                &parsed.entities,
                embargo_store::ImportPolicy::default(),
            )
            .unwrap();
    }
    let t = Instant::now();
    let h = store.listing_history("us_ofac_sdn").unwrap();
    eprintln!(
        "listing history of 4 SDN versions ({} entities ever listed): {:.3}s",
        h.entities.len(),
        t.elapsed().as_secs_f64()
    );
    assert!(h
        .versions
        .iter()
        .all(|v| v.basis == PublishedBasis::Operator));

    // Chen Quanguo (ent_num 29220, designated 2020-07-09 under GLOMAG) is
    // absent from 2019-01 and present from 2021-07 on. The SDN files state
    // no designation date, so the history can only say "added between
    // 2019-01-01 and 2021-07-31": a 2019-06-01 payment is Uncertain (never
    // NotListed from these files alone), 2022 is Listed.
    let chen = EntityId::new("us_ofac_sdn", "29220");
    assert_eq!(
        h.intervals(&chen),
        &[embargo_model::listing::ListingInterval {
            listed: DateBound::Between {
                after: d("2019-01-01"),
                on_or_before: d("2021-07-31")
            },
            removed: None
        }]
    );
    let ListingStatus::Uncertain { reason } = h.status(&chen, d("2019-06-01")) else {
        panic!("{:?}", h.status(&chen, d("2019-06-01")))
    };
    eprintln!("Chen Quanguo on 2019-06-01: {reason}");
    assert!(
        reason.contains("between 2019-01-01 and 2021-07-31"),
        "{reason}"
    );
    assert_eq!(h.status(&chen, d("2022-01-01")), ListingStatus::Listed);
    assert_eq!(h.status(&chen, d("2019-01-01")), ListingStatus::NotListed);
    // With the designation date from a dated source (the regime pack's
    // Federal Register date), the pure function says NotListed.
    let exact = embargo_model::listing::intervals_from_presence(
        &h.versions,
        &[false, true, true, true],
        embargo_model::listing::SourceDates {
            listed_on: Some("2020-07-09".parse().unwrap()),
            removed_on: None,
        },
    );
    assert_eq!(
        embargo_model::listing::listing_status("us_ofac_sdn", &h.versions, &exact, d("2019-06-01")),
        ListingStatus::NotListed
    );

    // The 8 parties OFAC removed on 2024-05-03: listed on 2024-04-01 (they
    // were on 2024-05-02), never NotListed; removed between the two days.
    let d2 = store
        .diff(
            "us_ofac_sdn",
            Some(&h.versions[2].version),
            Some(&h.versions[3].version),
        )
        .unwrap();
    assert_eq!(d2.removed.len(), 8);
    for e in &d2.removed {
        let on_april = h.status(&e.id, d("2024-04-01"));
        assert_ne!(
            on_april,
            ListingStatus::NotListed,
            "{} {}",
            e.id,
            e.caption()
        );
        let last = h.intervals(&e.id).last().unwrap();
        assert_eq!(
            last.removed,
            Some(DateBound::Between {
                after: d("2024-05-02"),
                on_or_before: d("2024-05-03")
            }),
            "{}",
            e.id
        );
        assert_eq!(h.status(&e.id, d("2024-05-03")), ListingStatus::NotListed);
    }
    // Before the oldest version nothing is known.
    let ListingStatus::Uncertain { reason } = h.status(&chen, d("2018-06-01")) else {
        panic!()
    };
    assert!(
        reason.starts_with("no us_ofac_sdn version on record before 2019-01-01"),
        "{reason}"
    );
}
