//! Store changes and their audit records cannot be separated: a process
//! killed between the store commit and the audit append leaves the change
//! in the store's journal, and the next open writes its record; one killed
//! before the store commit leaves neither. Concurrent imports wait for each
//! other and are audited in store order.

use embargo_app::{App, Catalog, ImportOptions};
use embargo_model::SourceKind;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Barrier};

const CHILD_DIR: &str = "EMBARGO_APP_JOURNAL_CHILD_DIR";
const CHILD_ACT: &str = "EMBARGO_APP_JOURNAL_CHILD_ACT";

fn custom_list(dir: &Path, name: &str, entries: usize, tag: &str) -> PathBuf {
    let p = dir.join(format!("{name}.csv"));
    let mut text = String::from("id,schema,name\n");
    for i in 0..entries {
        text.push_str(&format!("{tag}{i},Person,Journal Test Person {tag} {i}\n"));
    }
    std::fs::write(&p, text).unwrap();
    p
}

fn opts() -> ImportOptions {
    ImportOptions {
        kind: Some(SourceKind::Custom),
        ..ImportOptions::default()
    }
}

/// Every record of `kind` in the log, in chain order.
fn records(app: &App, kind: &str) -> Vec<embargo_app::types::AuditRecord> {
    let mut out = Vec::new();
    let mut buf = Vec::new();
    app.audit.export_since(None, &mut buf).unwrap();
    for line in buf.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let v: Value = serde_json::from_slice(line).unwrap();
        if v["kind"] == kind {
            out.push(app.audit.get(v["seq"].as_u64().unwrap()).unwrap().unwrap());
        }
    }
    out
}

/// The child: one store change, with `EMBARGO_TEST_FAILPOINT` set by the
/// parent. Does nothing in a normal run.
#[test]
fn journal_child() {
    let (Ok(dir), Ok(act)) = (std::env::var(CHILD_DIR), std::env::var(CHILD_ACT)) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let c = Catalog::open(&dir).unwrap();
    match act.as_str() {
        "import" => {
            c.import("child", &dir.join("second.csv"), &opts()).unwrap();
        }
        other => {
            let (ds, v) = other
                .strip_prefix("activate ")
                .unwrap()
                .split_once(' ')
                .unwrap();
            c.activate("child", ds, v).unwrap();
        }
    }
}

fn run_child(dir: &Path, act: &str, failpoint: &str) -> std::process::ExitStatus {
    Command::new(std::env::current_exe().unwrap())
        .args([
            embargo_testkit::test_path!("journal_child").as_str(),
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, dir)
        .env(CHILD_ACT, act)
        .env("EMBARGO_TEST_FAILPOINT", failpoint)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap()
}

#[test]
fn a_crash_between_store_commit_and_audit_append_is_repaired_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let first = custom_list(dir.path(), "first", 5, "A");
    std::fs::copy(
        custom_list(dir.path(), "x", 6, "B"),
        dir.path().join("second.csv"),
    )
    .unwrap();
    let c = Catalog::open(dir.path()).unwrap();
    // Both files are the same dataset name once imported under it.
    let o = ImportOptions {
        dataset: Some("custom_journal".into()),
        ..opts()
    };
    let v1 = c.import("parent", &first, &o).unwrap().version;
    drop(c);
    // The child imports second.csv as its own dataset (custom_second).
    let status = run_child(dir.path(), "import", "after_store_commit");
    assert!(
        !status.success(),
        "the failpoint must stop the child: {status:?}"
    );

    // The store committed; the audit log does not have the record yet.
    let log = embargo_audit_log(dir.path());
    let before = log.head().unwrap().unwrap().seq;
    drop(log);
    let store_active = embargo_store::Store::open(dir.path())
        .unwrap()
        .active_version("custom_second")
        .unwrap()
        .expect("the store change committed before the crash");

    // Opening the data directory writes the missing record, once.
    let app = App::open(dir.path()).unwrap();
    let imports = records(&app, "import");
    assert_eq!(imports.len(), 2, "{imports:#?}");
    let last = &imports[1];
    assert!(last.seq > before);
    assert_eq!(last.actor, "child");
    assert_eq!(last.list_versions, vec![store_active.label()]);
    assert_eq!(
        last.result["version"]["version"],
        store_active.version.as_str()
    );
    assert!(last.result["store_change"]["id"].as_i64().unwrap() >= 2);
    assert_eq!(imports[0].list_versions, vec![v1.label()]);
    drop(app);
    let again = App::open(dir.path()).unwrap();
    assert_eq!(records(&again, "import").len(), 2, "delivered exactly once");
    assert!(again.verify_audit().unwrap().ok);

    // An activation killed the same way.
    drop(again);
    let status = run_child(
        dir.path(),
        &format!("activate custom_journal {}", v1.version),
        "after_store_commit",
    );
    assert!(!status.success());
    let app = App::open(dir.path()).unwrap();
    let admin: Vec<_> = records(&app, "admin")
        .into_iter()
        .filter(|r| r.request["action"] == "activate")
        .collect();
    assert_eq!(admin.len(), 1, "{admin:#?}");
    assert_eq!(admin[0].actor, "child");
    assert!(app.verify_audit().unwrap().ok);
}

#[test]
fn a_crash_before_the_store_commit_leaves_neither() {
    let dir = tempfile::tempdir().unwrap();
    custom_list(dir.path(), "second", 4, "C");
    let status = run_child(dir.path(), "import", "store_before_commit");
    assert!(!status.success());
    let app = App::open(dir.path()).unwrap();
    assert!(app.store.active_version("custom_second").unwrap().is_none());
    assert!(records(&app, "import").is_empty());
    assert!(app.verify_audit().unwrap().ok);
}

fn embargo_audit_log(dir: &Path) -> embargo_audit::AuditLog {
    embargo_audit::AuditLog::open(dir).unwrap()
}

/// Two imports at once into a fresh directory, 15 times: both succeed
/// (they wait for each other), and the audit log lists them in the order
/// the store committed them.
#[test]
fn concurrent_imports_wait_and_are_audited_in_store_order() {
    for run in 0..15 {
        let dir = tempfile::tempdir().unwrap();
        let files: Vec<PathBuf> = (0..2)
            .map(|i| {
                custom_list(
                    dir.path(),
                    &format!("list{i}"),
                    300 + 50 * i,
                    &format!("T{i}x"),
                )
            })
            .collect();
        let barrier = Arc::new(Barrier::new(2));
        let threads: Vec<_> = files
            .into_iter()
            .map(|f| {
                let d = dir.path().to_path_buf();
                let b = Arc::clone(&barrier);
                std::thread::spawn(move || {
                    b.wait();
                    let c = Catalog::open(&d)?;
                    c.import("concurrent", &f, &opts())
                })
            })
            .collect();
        for t in threads {
            let r = t.join().unwrap();
            assert!(r.is_ok(), "run {run}: {:?}", r.err().map(|e| e.to_string()));
        }
        let app = App::open(dir.path()).unwrap();
        let audited: Vec<String> = records(&app, "import")
            .iter()
            .map(|r| r.result["version"]["dataset"].as_str().unwrap().to_string())
            .collect();
        // Store order: the order the versions were committed.
        let mut stored: Vec<(i64, String)> = app
            .store
            .lists()
            .unwrap()
            .into_iter()
            .map(|l| {
                let v = l.active;
                (v.imported_at.timestamp_micros(), v.dataset)
            })
            .collect();
        stored.sort();
        let stored: Vec<String> = stored.into_iter().map(|x| x.1).collect();
        assert_eq!(audited, stored, "run {run}");
        assert!(app.verify_audit().unwrap().ok, "run {run}");
    }
}
