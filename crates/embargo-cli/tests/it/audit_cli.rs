//! `embargo audit` and `embargo keys` end to end: checkpoints, the public
//! key, verification failures an examiner must see, and the key lifecycle.

use crate::common;

use common::embargo;

use std::path::Path;

fn ok(data_dir: &Path, args: &[&str]) -> String {
    let out = embargo(data_dir, args);
    assert!(
        out.status.success(),
        "embargo {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Runs a command that must fail with exit code 1; returns its stdout.
fn fails(data_dir: &Path, args: &[&str]) -> String {
    let out = embargo(data_dir, args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "embargo {args:?} should fail: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn keys_lifecycle_is_listed_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let secret = ok(d, &["keys", "create", "ops", "--role", "admin"]);
    assert!(secret.trim().starts_with("emb_"));
    ok(
        d,
        &[
            "keys",
            "create",
            "web",
            "--role",
            "review",
            "--expires",
            "2999-12-31",
        ],
    );
    let list = ok(d, &["keys", "list"]);
    assert!(list.contains("ops") && list.contains("active"), "{list}");
    assert!(list.contains("2999-12-31"), "{list}");
    let rotated = ok(d, &["keys", "rotate", "web"]);
    assert_ne!(rotated.trim(), secret.trim());
    ok(d, &["keys", "revoke", "ops"]);
    let json = ok(d, &["keys", "list", "--json"]);
    let ops: serde_json::Value = json
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["name"] == "ops")
        .unwrap();
    assert_eq!(ops["status"], "revoked");
    // Revoking twice, rotating a revoked key, a past expiry: refused.
    assert!(!embargo(d, &["keys", "revoke", "ops"]).status.success());
    assert!(!embargo(d, &["keys", "rotate", "ops"]).status.success());
    assert!(!embargo(
        d,
        &[
            "keys",
            "create",
            "old",
            "--role",
            "screen",
            "--expires",
            "2000-01-01"
        ]
    )
    .status
    .success());
    let verify = ok(d, &["audit", "verify"]);
    assert!(verify.contains("audit log OK: 4 records"), "{verify}");
}

#[test]
fn checkpoints_public_key_and_verification_failures() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["keys", "create", "a", "--role", "screen"]);
    ok(d, &["keys", "create", "b", "--role", "screen"]);
    let key = ok(d, &["audit", "public-key"]);
    let key = key.trim();
    assert_eq!(key.len(), 64, "{key}");
    let cp = ok(d, &["audit", "checkpoint"]);
    let cp: serde_json::Value = serde_json::from_str(cp.trim()).unwrap();
    assert_eq!(cp["head_seq"], 2);
    let out = ok(d, &["audit", "verify", "--public-key", key]);
    assert!(out.contains("checkpoint 1"), "{out}");
    // The export writes a checkpoint too.
    let export = ok(d, &["audit", "export"]);
    assert_eq!(export.lines().count(), 2);
    let file = d.join("audit.checkpoints");
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 2);

    // A key from elsewhere: the checkpoints are not its signatures.
    let other = tempfile::tempdir().unwrap();
    let other_key = ok(other.path(), &["audit", "public-key"]);
    let out = fails(d, &["audit", "verify", "--public-key", other_key.trim()]);
    assert!(out.contains("not the expected key"), "{out}");

    // An examiner's copy of the checkpoints, then the database is deleted.
    let copy = other.path().join("examiner.checkpoints");
    std::fs::copy(&file, &copy).unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(d.join(format!("audit.sqlite{suffix}")));
    }
    std::fs::remove_file(&file).unwrap();
    let out = fails(
        d,
        &["audit", "verify", "--checkpoint", copy.to_str().unwrap()],
    );
    assert!(out.contains("the audit log was deleted"), "{out}");
    assert!(out.contains("2 records covered by checkpoint"), "{out}");
    assert!(
        !d.join("audit.sqlite").exists(),
        "verify re-created the log"
    );
}

#[test]
fn a_forged_checkpoint_line_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["keys", "create", "a", "--role", "screen"]);
    ok(d, &["audit", "checkpoint"]);
    let file = d.join("audit.checkpoints");
    let line = std::fs::read_to_string(&file).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    v["n"] = 7.into();
    std::fs::write(&file, format!("{line}{v}\n")).unwrap();
    let out = fails(d, &["audit", "verify"]);
    assert!(
        out.contains("checkpoint 7") && out.contains("bad signature"),
        "{out}"
    );
}

/// `embargo batch` names its audit record; `audit prove` proves a row with
/// the leaf hash the output carries, and refuses a row the batch lacks.
#[test]
fn a_batch_row_is_proved_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in.csv");
    std::fs::write(
        &input,
        "id,name\n1,Xinjiang Public Security Bureau\n2,Zzyzx Qwertyuiop Holdings\n3,Acme Widgets\n",
    )
    .unwrap();
    let out_csv = d.join("out.csv");
    let out = embargo(
        d,
        &[
            "batch",
            input.to_str().unwrap(),
            "--name-column",
            "name",
            "--out",
            out_csv.to_str().unwrap(),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let seq = stdout
        .split("audit record ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("batch names its audit record: {stdout}"))
        .to_string();
    let written = std::fs::read_to_string(&out_csv).unwrap();
    let row2_leaf = written.lines().nth(2).unwrap().rsplit(',').next().unwrap();
    let proof = ok(d, &["audit", "prove", "--batch", &seq, "--row", "2"]);
    assert!(proof.contains("included"), "{proof}");
    assert!(
        proof.contains(row2_leaf),
        "the output's leaf is the proved one: {proof}"
    );
    assert!(proof.contains("Zzyzx Qwertyuiop Holdings"), "{proof}");
    let json = ok(
        d,
        &["audit", "prove", "--batch", &seq, "--row", "1", "--json"],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["verified"], true);
    assert_eq!(v["rows"], 3);
    let bad = embargo(d, &["audit", "prove", "--batch", &seq, "--row", "4"]);
    assert_eq!(
        bad.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert!(ok(d, &["audit", "verify"]).contains("audit log OK"));
}
