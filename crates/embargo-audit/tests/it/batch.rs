//! Batch records: a Merkle root over every row's result, a proof for any
//! row, and `verify` catching rows edited, added or removed behind the
//! chain's back.

use embargo_audit::merkle::{leaf_hash, verify_path};
use embargo_audit::{canonical_json, AuditLog, NewRecord, RecordKind};
use rusqlite::Connection;
use serde_json::json;

fn batch_record() -> NewRecord {
    NewRecord {
        kind: RecordKind::Screen,
        actor: "batch-test".into(),
        request: json!({"batch": "customers.csv"}),
        result: json!({"rows": 0}),
        list_versions: vec!["us_ofac_sdn@2024-05-03".into()],
    }
}

fn row(i: u64) -> serde_json::Value {
    json!({"input": {"name": format!("Customer {i}")},
           "hits": if i.is_multiple_of(7) { json!([{"entity_id": "us_ofac_sdn:36", "score": 0.91}]) } else { json!([]) }})
}

fn hex32(s: &str) -> [u8; 32] {
    hex::decode(s).unwrap().try_into().unwrap()
}

#[test]
fn a_batch_of_10000_rows_proves_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path()).unwrap();
    let mut w = log.begin_batch().unwrap();
    let mut leaves = Vec::new();
    for chunk in 0..10u64 {
        let rows: Vec<_> = (1..=1000).map(|i| row(chunk * 1000 + i)).collect();
        leaves.extend(w.add_rows(rows).unwrap());
    }
    let run_id = w.run_id().to_string();
    let rec = w.finish(batch_record()).unwrap();
    assert_eq!(rec.request["run_id"], run_id.as_str());
    assert_eq!(rec.result["rows_root"]["rows"], 10_000);
    let root = rec.result["rows_root"]["root"]
        .as_str()
        .unwrap()
        .to_string();

    let all: Vec<u64> = (1..=10_000).collect();
    let proofs = log.batch_proofs(&rec.seq.to_string(), &all).unwrap();
    assert_eq!(proofs.len(), 10_000);
    // One row through the run id, as the batch output names it.
    assert_eq!(log.batch_proof(&run_id, 4321).unwrap(), proofs[4320]);
    for p in &proofs {
        let n = p.row;
        assert!(p.verified, "row {n}");
        assert_eq!(p.root, root);
        assert_eq!(p.leaf, leaves[(n - 1) as usize], "row {n}");
        assert_eq!(p.body["row"], n);
        assert_eq!(
            p.body["input"]["name"],
            format!("Customer {n}"),
            "row {n} is the row that was screened"
        );
        // The proof is checkable with nothing but the row, the path and the root.
        let leaf = leaf_hash(canonical_json(&p.body).as_bytes());
        let path: Vec<[u8; 32]> = p.path.iter().map(|h| hex32(h)).collect();
        assert!(verify_path(&leaf, n - 1, 10_000, &path, &hex32(&root)));
        assert!(path.len() <= 14, "row {n}: path of {}", path.len());
    }
    assert!(log.batch_proof(&rec.seq.to_string(), 0).is_err());
    assert!(log.batch_proof(&rec.seq.to_string(), 10_001).is_err());
    let report = log.verify().unwrap();
    assert!(report.ok, "{report:?}");
}

#[test]
fn an_edited_added_or_removed_row_is_reported_and_proves_nothing() {
    for attack in [
        "UPDATE batch_rows SET body = replace(body, 'us_ofac_sdn:36', 'nothing') WHERE row = 7",
        "INSERT INTO batch_rows (run_id, row, body) SELECT run_id, 51, body FROM batch_rows WHERE row = 50",
        "DELETE FROM batch_rows WHERE row = 50",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::open(dir.path()).unwrap();
        let mut w = log.begin_batch().unwrap();
        w.add_rows((1..=50).map(row).collect()).unwrap();
        let rec = w.finish(batch_record()).unwrap();
        assert!(log.verify().unwrap().ok);
        let raw = Connection::open(log.path()).unwrap();
        raw.execute_batch(&format!(
            "DROP TRIGGER batch_rows_no_update; DROP TRIGGER batch_rows_no_delete; {attack}"
        ))
        .unwrap();
        let report = log.verify().unwrap();
        assert!(!report.ok, "{attack}: {report:?}");
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.contains(&format!("batch record {}", rec.seq))),
            "{attack}: {report:?}"
        );
        let e = log.batch_proof(&rec.seq.to_string(), 3).unwrap_err();
        assert!(e.to_string().contains("altered"), "{attack}: {e}");
    }
}

#[test]
fn rows_of_an_unfinished_batch_are_noted_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path()).unwrap();
    let mut w = log.begin_batch().unwrap();
    w.add_rows((1..=5).map(row).collect()).unwrap();
    let run = w.run_id().to_string();
    drop(w); // never finished: no record
    let report = log.verify().unwrap();
    assert!(report.ok, "{report:?}");
    assert!(report.notes.iter().any(|n| n.contains(&run)), "{report:?}");
    assert!(log.batch_proof(&run, 1).is_err());
}

#[test]
fn a_resumed_batch_continues_the_killed_runs_tree() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path()).unwrap();
    // The uninterrupted run.
    let mut w = log.begin_batch().unwrap();
    let whole: Vec<String> = w.add_rows((1..=300).map(row).collect()).unwrap();
    let whole_root = w.finish(batch_record()).unwrap().result["rows_root"]["root"].clone();
    // A run killed after storing 250 rows, checkpointed at 200.
    let mut w = log.begin_batch().unwrap();
    let run_id = w.run_id().to_string();
    w.add_rows((1..=200).map(row).collect()).unwrap();
    w.add_rows((201..=250).map(row).collect()).unwrap();
    drop(w);
    assert!(
        log.resume_batch(&run_id, 251).is_err(),
        "more rows than stored"
    );
    // A resume whose rows differ from what the killed run stored is refused.
    let mut bad = log.resume_batch(&run_id, 200).unwrap();
    assert!(bad.add_rows(vec![row(999)]).is_err());
    // Resumed from row 201: rows 201..250 again (checked, not stored twice), then the rest.
    let mut w = log.resume_batch(&run_id, 200).unwrap();
    assert_eq!(w.rows(), 200);
    let mut leaves = w.add_rows((201..=280).map(row).collect()).unwrap();
    leaves.extend(w.add_rows((281..=300).map(row).collect()).unwrap());
    assert_eq!(
        leaves,
        whole[200..],
        "the same leaves as the uninterrupted run"
    );
    let rec = w.finish(batch_record()).unwrap();
    assert_eq!(rec.request["run_id"], run_id.as_str());
    assert_eq!(rec.result["rows_root"]["rows"], 300);
    assert_eq!(rec.result["rows_root"]["root"], whole_root);
    assert!(log.batch_proof(&run_id, 1).unwrap().verified);
    assert!(log.batch_proof(&run_id, 300).unwrap().verified);
    let report = log.verify().unwrap();
    assert!(report.ok, "{report:?}");
    assert!(
        !report.notes.iter().any(|n| n.contains(&run_id)),
        "the killed run's rows are no longer unfinished: {:?}",
        report.notes
    );
    // A finished run is not resumed.
    assert!(log.resume_batch(&run_id, 300).is_err());
}
