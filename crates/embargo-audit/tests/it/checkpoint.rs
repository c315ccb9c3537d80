//! Signed checkpoints: a cut tail, a rewritten history, a forged signature,
//! a deleted database and a forged API key row are all reported; the
//! checkpoint file is re-synced from the table after a crash.

use embargo_audit::{
    verify_data_dir, AuditLog, AuditOptions, NewRecord, RecordKind, Role, VerifyOptions,
};
use rusqlite::Connection;
use serde_json::json;
use std::path::Path;

fn rec(i: usize) -> NewRecord {
    NewRecord {
        kind: RecordKind::Screen,
        actor: "cp-test".into(),
        request: json!({"name": format!("Subject {i}")}),
        result: json!({"hits": []}),
        list_versions: vec![],
    }
}

fn opened(dir: &Path, every: u64) -> AuditLog {
    AuditLog::open_with(
        dir,
        AuditOptions {
            checkpoint_every: every,
        },
    )
    .unwrap()
}

fn raw(dir: &Path) -> Connection {
    Connection::open(dir.join("audit.sqlite")).unwrap()
}

fn cut_tail(dir: &Path, keep: u64) {
    raw(dir)
        .execute_batch(&format!(
            "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq > {keep}"
        ))
        .unwrap();
}

#[test]
fn checkpoints_are_written_every_n_records_to_table_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let log = opened(dir.path(), 10);
    for i in 1..=25 {
        log.append(rec(i)).unwrap();
    }
    let cps = log.checkpoints().unwrap();
    assert_eq!(
        cps.iter().map(|c| c.head_seq).collect::<Vec<_>>(),
        vec![10, 20]
    );
    let file = std::fs::read_to_string(dir.path().join("audit.checkpoints")).unwrap();
    assert_eq!(file.lines().count(), 2);
    let report = log.verify().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.checkpoints, 2);
    assert!(report.notes.iter().any(|n| n.contains("5 record(s)")));
    // On request, and over an append_many that crosses the boundary.
    assert_eq!(log.checkpoint().unwrap().head_seq, 25);
    log.append_many((26..=40).map(rec).collect()).unwrap();
    assert_eq!(log.checkpoints().unwrap().last().unwrap().head_seq, 40);
    assert!(log.verify().unwrap().ok);
}

#[test]
fn cutting_one_three_or_all_but_one_record_after_a_checkpoint_is_reported() {
    for (keep, missing) in [(19u64, 1u64), (17, 3), (1, 19)] {
        let dir = tempfile::tempdir().unwrap();
        {
            let log = opened(dir.path(), 1000);
            for i in 1..=20 {
                log.append(rec(i)).unwrap();
            }
            let cp = log.checkpoint().unwrap();
            assert_eq!((cp.n, cp.head_seq), (1, 20));
        }
        cut_tail(dir.path(), keep);
        let report = verify_data_dir(dir.path(), &VerifyOptions::default()).unwrap();
        assert!(!report.ok, "keep {keep}: {report:?}");
        let (seq, why) = report.first_bad.clone().unwrap();
        assert_eq!(seq, keep + 1, "{why}");
        let plural = if missing == 1 { "record" } else { "records" };
        assert!(
            why.contains(&format!("{missing} {plural} covered by checkpoint 1")),
            "{why}"
        );
        assert!(why.contains("missing"), "{why}");
    }
}

#[test]
fn a_rewritten_history_is_reported_by_hash() {
    let dir = tempfile::tempdir().unwrap();
    let log = opened(dir.path(), 1000);
    for i in 1..=10 {
        log.append(rec(i)).unwrap();
    }
    log.checkpoint().unwrap();
    // Cut three records, then new ones take their numbers: the chain is
    // valid again, but record 10 no longer has the signed hash.
    cut_tail(dir.path(), 7);
    for i in 100..103 {
        log.append(rec(i)).unwrap();
    }
    let report = log.verify().unwrap();
    assert!(!report.ok);
    let (seq, why) = report.first_bad.unwrap();
    assert_eq!(seq, 10);
    assert!(why.contains("history rewritten"), "{why}");
}

#[test]
fn a_forged_checkpoint_signature_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let log = opened(dir.path(), 1000);
    for i in 1..=5 {
        log.append(rec(i)).unwrap();
    }
    let cp = log.checkpoint().unwrap();
    // Claim more records than were signed, keeping the signature.
    let mut forged = cp.clone();
    forged.n = 2;
    forged.records = 3;
    forged.head_seq = 3;
    forged.head_hash = log.get(3).unwrap().unwrap().hash;
    let path = dir.path().join("audit.checkpoints");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&forged.to_json_line());
    text.push('\n');
    std::fs::write(&path, text).unwrap();
    let report = log.verify().unwrap();
    assert!(!report.ok);
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("checkpoint 2") && p.contains("bad signature")),
        "{report:?}"
    );

    // Signed with another key: refused when the examiner pins the real one.
    let other = tempfile::tempdir().unwrap();
    let other_log = opened(other.path(), 1000);
    let report = verify_data_dir(
        dir.path(),
        &VerifyOptions {
            checkpoint_files: vec![],
            public_key: Some(other_log.public_key()),
        },
    )
    .unwrap();
    assert!(!report.ok);
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("not the expected key")),
        "{report:?}"
    );
}

#[test]
fn a_deleted_or_emptied_database_with_a_checkpoint_file_fails_and_is_not_recreated() {
    let dir = tempfile::tempdir().unwrap();
    {
        let log = opened(dir.path(), 1000);
        for i in 1..=8 {
            log.append(rec(i)).unwrap();
        }
        log.checkpoint().unwrap();
    }
    let db = dir.path().join("audit.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let report = verify_data_dir(dir.path(), &VerifyOptions::default()).unwrap();
    assert!(!report.ok);
    assert!(
        report
            .first_bad
            .as_ref()
            .unwrap()
            .1
            .contains("audit log was deleted"),
        "{report:?}"
    );
    assert!(report
        .problems
        .iter()
        .any(|p| p.contains("8 records covered by checkpoint 1 are missing")));
    assert!(!db.exists(), "verify must not create the database");

    // Truncated to zero bytes: opened as an empty database, still reported.
    std::fs::write(&db, b"").unwrap();
    let report = verify_data_dir(dir.path(), &VerifyOptions::default()).unwrap();
    assert!(!report.ok, "{report:?}");
    assert!(report
        .problems
        .iter()
        .any(|p| p.contains("8 records covered by checkpoint 1 are missing")));

    // No log and no checkpoint: nothing to verify is an error, not a pass.
    let empty = tempfile::tempdir().unwrap();
    assert!(verify_data_dir(empty.path(), &VerifyOptions::default()).is_err());
    assert!(!empty.path().join("audit.sqlite").exists());
}

#[test]
fn every_row_deleted_with_the_checkpoints_table_kept_or_emptied_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    {
        let log = opened(dir.path(), 4);
        for i in 1..=9 {
            log.append(rec(i)).unwrap();
        }
    }
    raw(dir.path())
        .execute_batch(
            "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log;
             DROP TRIGGER checkpoints_no_delete; DELETE FROM checkpoints;",
        )
        .unwrap();
    let report = verify_data_dir(dir.path(), &VerifyOptions::default()).unwrap();
    assert!(!report.ok);
    assert_eq!(report.records, 0);
    assert!(report
        .problems
        .iter()
        .any(|p| p.contains("8 records covered by checkpoint 2 are missing")));
}

#[test]
fn a_checkpoint_missing_from_the_file_after_a_crash_is_resynced_on_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let log = opened(dir.path(), 5);
        for i in 1..=12 {
            log.append(rec(i)).unwrap();
        }
    }
    // As if killed between the commit and the file append: the file lacks
    // the last line, and a torn fragment of it is left.
    let path = dir.path().join("audit.checkpoints");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    std::fs::write(&path, format!("{}\n{}", lines[0], &lines[1][..20])).unwrap();
    let log = opened(dir.path(), 5);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    assert!(log.verify().unwrap().ok);
}

#[test]
fn a_key_row_inserted_behind_embargos_back_is_refused_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let log = opened(dir.path(), 1000);
    let good = log.create_api_key("ops", Role::Admin).unwrap();
    let forged = format!("emb_{}", "ab".repeat(32));
    let hash = embargo_audit::sha256_hex(&[forged.as_bytes()]);
    raw(dir.path())
        .execute(
            "INSERT INTO api_keys (name, key_sha256, role, created_at)
             VALUES ('intruder', ?1, 'admin', '2026-01-01T00:00:00.000000Z')",
            [hash],
        )
        .unwrap();
    assert_eq!(log.authenticate(&forged).unwrap(), None);
    assert!(log.authenticate(&good).unwrap().is_some());
    let report = log.verify().unwrap();
    assert!(!report.ok);
    assert!(
        report.problems.iter().any(|p| p.contains("\"intruder\"")),
        "{report:?}"
    );
    let listed = log.list_api_keys().unwrap();
    let intruder = listed.iter().find(|k| k.name == "intruder").unwrap();
    assert!(intruder.tampered);

    // Promoting a key with sqlite3 breaks its MAC too.
    let dir2 = tempfile::tempdir().unwrap();
    let log2 = opened(dir2.path(), 1000);
    let screen = log2.create_api_key("batch", Role::Screen).unwrap();
    raw(dir2.path())
        .execute(
            "UPDATE api_keys SET role = 'admin' WHERE name = 'batch'",
            [],
        )
        .unwrap();
    assert_eq!(log2.authenticate(&screen).unwrap(), None);
    assert!(!log2.verify().unwrap().ok);
}

#[test]
fn keys_expire_rotate_and_record_last_use() {
    let dir = tempfile::tempdir().unwrap();
    let log = opened(dir.path(), 1000);
    let today = chrono::Utc::now().date_naive();
    let k = log
        .create_api_key_with("web", Role::Review, Some(today), "root")
        .unwrap();
    assert!(log.authenticate(&k).unwrap().is_some());
    let info = &log.list_api_keys().unwrap()[0];
    assert_eq!(info.expires, Some(today));
    assert!(info.last_used_at.is_some());
    assert_eq!(info.status(today), "active");
    assert_eq!(info.status(today.succ_opt().unwrap()), "expired");
    // Past dates are refused at creation.
    assert!(log
        .create_api_key_with("old", Role::Screen, today.pred_opt(), "root")
        .is_err());

    let k2 = log.rotate_api_key("web", None, "root").unwrap();
    assert_ne!(k, k2);
    assert_eq!(log.authenticate(&k).unwrap(), None);
    assert_eq!(
        log.authenticate(&k2).unwrap(),
        Some(("web".into(), Role::Review))
    );
    assert!(log.revoke_api_key("web", "root").unwrap());
    assert_eq!(log.authenticate(&k2).unwrap(), None);
    assert!(log.rotate_api_key("web", None, "root").is_err());
    let report = log.verify().unwrap();
    assert!(report.ok, "{report:?}");

    // An expiry date moved with sqlite3 fails the MAC.
    let k3 = log
        .create_api_key_with("temp", Role::Screen, Some(today), "root")
        .unwrap();
    raw(dir.path())
        .execute(
            "UPDATE api_keys SET expires = '2999-01-01' WHERE name = 'temp'",
            [],
        )
        .unwrap();
    assert_eq!(log.authenticate(&k3).unwrap(), None);
}
