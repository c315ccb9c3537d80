//! The hash chain: normal use verifies; every kind of tampering is found
//! and named by sequence number; exports check on their own.

use embargo_audit::{verify_jsonl, AuditLog, NewRecord, RecordKind};
use rusqlite::Connection;
use serde_json::json;
use std::path::Path;

fn rec(i: usize) -> NewRecord {
    let kinds = [
        RecordKind::Screen,
        RecordKind::Decide,
        RecordKind::Import,
        RecordKind::Admin,
    ];
    NewRecord {
        kind: kinds[i % kinds.len()],
        actor: format!("key-{}", i % 3),
        request: json!({"name": format!("Subject MARKER-{i:04}"), "schema": "Person"}),
        result: json!({"hits": [{"id": "us_ofac_sdn:36", "score": 0.91}], "n": i}),
        list_versions: vec!["us_ofac_sdn 2024-05-03 ab12".into()],
    }
}

fn filled(dir: &Path, n: usize) -> AuditLog {
    let log = AuditLog::open(dir).unwrap();
    for i in 1..=n {
        let r = log.append(rec(i)).unwrap();
        assert_eq!(r.seq, i as u64);
    }
    log
}

/// A raw connection, as someone with the file and the sqlite3 tool has.
fn raw(dir: &Path) -> Connection {
    Connection::open(dir.join("audit.sqlite")).unwrap()
}

#[test]
fn thousand_records_verify_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path()).unwrap();
    let mut last = None;
    for i in 1..=1000 {
        last = Some(log.append(rec(i)).unwrap());
    }
    let last = last.unwrap();
    let report = log.verify().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.records, 1000);
    assert_eq!(report.first_bad, None);
    let head = report.head.clone().unwrap();
    assert_eq!((head.seq, head.hash.as_str()), (1000, last.hash.as_str()));
    assert_eq!(log.head().unwrap(), Some(head.clone()));
    assert!(log.verify_anchor(&head).unwrap().ok);

    let r500 = log.get(500).unwrap().unwrap();
    assert_eq!(r500.seq, 500);
    assert_eq!(r500.request["name"], "Subject MARKER-0500");
    assert_eq!(r500.kind, RecordKind::Screen);
    assert!(r500.hash_is_valid());
    assert_eq!(r500.prev_hash, log.get(499).unwrap().unwrap().hash);
    assert_eq!(log.get(1).unwrap().unwrap().prev_hash, "0".repeat(64));
    assert!(log.get(1001).unwrap().is_none());
    // The record returned by append is the one stored.
    assert_eq!(log.get(1000).unwrap().unwrap(), last);
    drop(log);
    // Reopening continues the same chain.
    let log = AuditLog::open(dir.path()).unwrap();
    assert_eq!(log.append(rec(1001)).unwrap().prev_hash, last.hash);
    assert!(log.verify().unwrap().ok);
}

#[test]
fn triggers_refuse_update_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let _log = filled(dir.path(), 3);
    let c = raw(dir.path());
    let e = c
        .execute("UPDATE audit_log SET actor = 'x' WHERE seq = 2", [])
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    let e = c
        .execute("DELETE FROM audit_log WHERE seq = 2", [])
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
}

#[test]
fn edited_payload_is_found_at_its_seq() {
    let dir = tempfile::tempdir().unwrap();
    let log = filled(dir.path(), 50);
    let c = raw(dir.path());
    c.execute_batch("DROP TRIGGER audit_log_no_update").unwrap();
    let n = c
        .execute(
            "UPDATE audit_log SET payload = replace(payload, '0.91', '0.19') WHERE seq = 20",
            [],
        )
        .unwrap();
    assert_eq!(n, 1);
    let report = log.verify().unwrap();
    assert!(!report.ok);
    assert_eq!(report.records, 19);
    let (seq, reason) = report.first_bad.unwrap();
    assert_eq!(seq, 20);
    assert!(reason.contains("altered"), "{reason}");
    assert_eq!(report.head.unwrap().seq, 19);
}

#[test]
fn edited_query_column_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let log = filled(dir.path(), 10);
    let c = raw(dir.path());
    c.execute_batch(
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'nobody' WHERE seq = 7",
    )
    .unwrap();
    let (seq, reason) = log.verify().unwrap().first_bad.unwrap();
    assert_eq!(seq, 7);
    assert!(reason.contains("actor"), "{reason}");
}

#[test]
fn deleted_middle_record_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let log = filled(dir.path(), 50);
    let c = raw(dir.path());
    c.execute_batch("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 30")
        .unwrap();
    let report = log.verify().unwrap();
    assert!(!report.ok);
    assert_eq!(report.records, 29);
    let (seq, reason) = report.first_bad.unwrap();
    assert_eq!(seq, 30);
    assert!(reason.contains("missing"), "{reason}");
}

#[test]
fn reordered_records_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let log = filled(dir.path(), 20);
    let c = raw(dir.path());
    c.execute_batch(
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET seq = -1 WHERE seq = 10;
         UPDATE audit_log SET seq = 10 WHERE seq = 11;
         UPDATE audit_log SET seq = 11 WHERE seq = -1;",
    )
    .unwrap();
    let (seq, reason) = log.verify().unwrap().first_bad.unwrap();
    assert_eq!(seq, 10);
    assert!(reason.contains("prev_hash"), "{reason}");
}

#[test]
fn rewritten_chain_and_cut_tail_are_caught_by_the_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let log = filled(dir.path(), 20);
    let anchor = log.head().unwrap().unwrap();

    // Cutting the newest records leaves a valid chain; only the anchor tells.
    let c = raw(dir.path());
    c.execute_batch("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq > 15")
        .unwrap();
    assert!(log.verify().unwrap().ok);
    let report = log.verify_anchor(&anchor).unwrap();
    assert!(!report.ok);
    assert_eq!(report.first_bad.unwrap().0, 16);

    // Rebuilding the same number of records with recomputed hashes.
    let dir2 = tempfile::tempdir().unwrap();
    let log2 = filled(dir2.path(), 20);
    let anchor2 = log2.head().unwrap().unwrap();
    let c2 = raw(dir2.path());
    c2.execute_batch("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log")
        .unwrap();
    for i in 1..=20 {
        let mut r = rec(i);
        if i == 5 {
            r.actor = "forger".into();
        }
        log2.append(r).unwrap();
    }
    assert!(
        log2.verify().unwrap().ok,
        "a full rewrite passes the chain alone"
    );
    let report = log2.verify_anchor(&anchor2).unwrap();
    assert!(!report.ok);
    assert_eq!(report.first_bad.unwrap().0, 20);
}

/// Byte offset of `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn flipped_byte_in_the_file_fails_verification() {
    let dir = tempfile::tempdir().unwrap();
    drop(filled(dir.path(), 100));
    let path = dir.path().join("audit.sqlite");
    assert!(
        std::fs::metadata(dir.path().join("audit.sqlite-wal")).map_or(true, |m| m.len() == 0),
        "closing must checkpoint the WAL into the main file"
    );
    let mut bytes = std::fs::read(&path).unwrap();
    let at = find(&bytes, b"MARKER-0042").expect("payload text is in the file") + 7;
    bytes[at] ^= 0x01; // '0' -> '1'
    std::fs::write(&path, &bytes).unwrap();

    let log = AuditLog::open(dir.path()).unwrap();
    let report = log.verify().unwrap();
    assert!(!report.ok);
    assert_eq!(report.first_bad.unwrap().0, 42);
    assert_eq!(report.records, 41);
}

#[test]
fn flipped_page_header_is_reported_as_damage_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    drop(filled(dir.path(), 1000));
    let (root, page_size): (i64, i64) = {
        let c = raw(dir.path());
        let root = c
            .query_row(
                "SELECT rootpage FROM sqlite_master WHERE name = 'audit_log'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let ps = c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
        (root, ps)
    };
    let path = dir.path().join("audit.sqlite");
    let mut bytes = std::fs::read(&path).unwrap();
    let at = ((root - 1) * page_size) as usize;
    assert_eq!(
        bytes[at], 0x05,
        "1000 records make the table root an interior page"
    );
    bytes[at] = 0x00;
    std::fs::write(&path, &bytes).unwrap();

    let log = AuditLog::open(dir.path()).unwrap();
    let report = log.verify().unwrap();
    assert!(!report.ok);
    let (_, reason) = report.first_bad.unwrap();
    assert!(reason.contains("damaged"), "{reason}");
}

#[test]
fn export_since_writes_json_lines_that_verify_alone() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path()).unwrap();
    let mut recs = vec![];
    for i in 1..=5 {
        recs.push(log.append(rec(i)).unwrap());
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let mut all = Vec::new();
    assert_eq!(log.export_since(None, &mut all).unwrap(), 5);
    let report = verify_jsonl(&mut all.as_slice()).unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.records, 5);
    assert_eq!(report.head.unwrap().hash, recs[4].hash);

    let mut some = Vec::new();
    assert_eq!(log.export_since(Some(recs[2].ts), &mut some).unwrap(), 3);
    let text = String::from_utf8(some.clone()).unwrap();
    let seqs: Vec<u64> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["seq"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(seqs, vec![3, 4, 5]);
    let first: embargo_audit::AuditRecord =
        serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first, recs[2]);
    assert!(verify_jsonl(&mut some.as_slice()).unwrap().ok);

    // An edited export line fails, naming its seq.
    let edited: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| if i == 1 { l.replacen("key-", "kez-", 1) } else { l.to_string() } + "\n")
        .collect();
    assert_ne!(edited, text);
    let report = verify_jsonl(&mut edited.as_bytes()).unwrap();
    assert!(!report.ok);
    assert_eq!(report.first_bad.unwrap().0, 4);
    // A dropped line breaks the link.
    let dropped: String = text
        .lines()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let report = verify_jsonl(&mut dropped.as_bytes()).unwrap();
    assert_eq!(report.first_bad.unwrap().0, 5);
}

#[test]
fn appends_from_threads_and_two_handles_form_one_chain() {
    let dir = tempfile::tempdir().unwrap();
    let a = std::sync::Arc::new(AuditLog::open(dir.path()).unwrap());
    // A second handle on the same file stands in for a second process.
    let b = std::sync::Arc::new(AuditLog::open(dir.path()).unwrap());
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let log = if t % 2 == 0 { a.clone() } else { b.clone() };
            std::thread::spawn(move || {
                for i in 0..50 {
                    log.append(rec(t * 100 + i)).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let report = a.verify().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.records, 200);
}

#[test]
fn a_record_without_actor_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path()).unwrap();
    let mut r = rec(1);
    r.actor = "  ".into();
    let e = log.append(r).unwrap_err();
    assert!(e.to_string().contains("actor"), "{e}");
    assert_eq!(log.verify().unwrap().records, 0);
}

#[test]
fn a_file_too_damaged_to_open_still_verifies_as_failed() {
    let dir = tempfile::tempdir().unwrap();
    drop(filled(dir.path(), 30));
    let healthy = AuditLog::verify_path(dir.path()).unwrap();
    assert!(healthy.ok, "{healthy:?}");
    assert_eq!(healthy.records, 30);

    let path = dir.path().join("audit.sqlite");
    let mut bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..15], b"SQLite format 3");
    bytes[..16].copy_from_slice(b"not a database!\0");
    std::fs::write(&path, &bytes).unwrap();

    let e = AuditLog::open(dir.path())
        .err()
        .expect("open refuses the file");
    assert!(e.to_string().contains("audit.sqlite"), "{e}");
    let report = AuditLog::verify_path(dir.path()).unwrap();
    assert!(!report.ok);
    assert_eq!(report.records, 0);
    let (_, reason) = report.first_bad.unwrap();
    assert!(reason.contains("damaged"), "{reason}");
    // No log at all is an error, not a pass.
    let empty = tempfile::tempdir().unwrap();
    assert!(AuditLog::verify_path(empty.path()).is_err());
}

#[test]
fn verify_and_export_run_while_appends_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let log = std::sync::Arc::new(filled(dir.path(), 10));
    let writer = {
        let log = log.clone();
        std::thread::spawn(move || {
            for i in 11..=310 {
                log.append(rec(i)).unwrap();
            }
        })
    };
    let mut checks = 0;
    while !writer.is_finished() || checks == 0 {
        let report = log.verify().unwrap();
        assert!(report.ok, "{report:?}");
        assert!(report.records >= 10);
        let mut out = Vec::new();
        let n = log.export_since(None, &mut out).unwrap();
        assert!(n >= report.records);
        assert!(verify_jsonl(&mut out.as_slice()).unwrap().ok);
        checks += 1;
    }
    writer.join().unwrap();
    assert_eq!(log.verify().unwrap().records, 310);
}

#[test]
fn append_many_commits_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let log = filled(dir.path(), 2);
    let recs = log.append_many((3..=7).map(rec).collect()).unwrap();
    assert_eq!(
        recs.iter().map(|r| r.seq).collect::<Vec<_>>(),
        vec![3, 4, 5, 6, 7]
    );
    assert_eq!(recs[0].prev_hash, log.get(2).unwrap().unwrap().hash);
    // One bad record (no actor) rolls the whole batch back.
    let mut batch: Vec<NewRecord> = (8..=10).map(rec).collect();
    batch[2].actor.clear();
    assert!(log.append_many(batch).is_err());
    let report = log.verify().unwrap();
    assert!(report.ok);
    assert_eq!(report.records, 7);
    assert_eq!(log.append(rec(8)).unwrap().seq, 8);
}

#[test]
fn a_file_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(filled(dir.path(), 1));
    raw(dir.path())
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let e = AuditLog::open(dir.path()).err().expect("refused");
    assert!(e.to_string().contains("format version 99"), "{e}");
}
