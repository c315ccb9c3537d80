//! Issue 14 through the binary: `batch --resume` after kill -9 gives the
//! same output as an uninterrupted run (no duplicate, no gap); `--all-hits`
//! and output formats; `monitor` killed with -9 and run again leaves the
//! same alerts as an uninterrupted run, every event audited.

use crate::common;
use common::{embargo, ok, text};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const NAMES: &[&str] = &[
    "Hikvision",
    "Dahua Technology",
    "Harbour Bakery Supplies",
    "Jane Quincy",
    "Xinjiang Production and Construction Corps",
    "Orchard Lane Florists",
];

fn write_input(path: &Path, rows: usize) {
    let mut s = String::from("id,name\n");
    for i in 0..rows {
        s.push_str(&format!("{i},{} {}\n", NAMES[i % NAMES.len()], i % 7));
    }
    std::fs::write(path, s).unwrap();
}

/// A book of `rows` customers bearing the names above (listed or not).
fn write_book(path: &Path, rows: usize) {
    let mut s = String::from("id,name\n");
    for i in 0..rows {
        s.push_str(&format!("{i},{}\n", NAMES[i % NAMES.len()]));
    }
    std::fs::write(path, s).unwrap();
}

fn spawn(data_dir: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_embargo"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("embargo starts")
}

/// Waits until `cond` holds (true) or the child exits (false).
fn wait_for(child: &mut Child, cond: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(120) {
        if cond() {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out");
}

#[test]
fn a_batch_killed_with_sigkill_resumes_without_duplicates_or_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let input = dir.path().join("in.csv");
    write_input(&input, 6000);
    let inp = input.to_str().unwrap();
    let reference = dir.path().join("ref.csv");
    ok(
        &data,
        &[
            "batch",
            inp,
            "--name-column",
            "name",
            "--out",
            reference.to_str().unwrap(),
            "--checkpoint-rows",
            "100",
        ],
    );
    let expected = std::fs::read(&reference).unwrap();
    let out = dir.path().join("out.csv");
    let outs = out.to_str().unwrap();
    let ckpt = dir.path().join("out.csv.checkpoint");
    let mut kills = 0;
    let mut resume = false;
    loop {
        let mut args = vec![
            "batch",
            inp,
            "--name-column",
            "name",
            "--out",
            outs,
            "--checkpoint-rows",
            "100",
        ];
        if resume {
            args.push("--resume");
        }
        let mut child = spawn(&data, &args);
        let before = std::fs::read(&ckpt).unwrap_or_default();
        // Kill once a (new) checkpoint is on disk, three times over.
        let progressed = wait_for(&mut child, || {
            std::fs::read(&ckpt).is_ok_and(|b| !b.is_empty() && b != before)
        });
        if progressed && kills < 3 {
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            kills += 1;
            assert!(
                !out.exists(),
                "a killed run must not leave a finished output"
            );
            resume = true;
            continue;
        }
        let status = child.wait().unwrap();
        assert!(matches!(status.code(), Some(0 | 1)), "{status:?}");
        break;
    }
    assert_eq!(
        kills, 3,
        "the run finished before it could be killed three times"
    );
    let got = std::fs::read(&out).unwrap();
    assert_eq!(text(&got).lines().count(), 6001);
    // The resumed runs continue the killed run's audit tree, so every row
    // keeps the leaf (`audit_leaf`) an uninterrupted run gives it: the
    // output is byte for byte the same.
    assert!(
        got == expected,
        "resumed output differs from an uninterrupted run"
    );
    // The killed runs' stored rows are all under the finished record.
    let verify = embargo(&data, &["audit", "verify"]);
    let said = text(&verify.stdout);
    assert_eq!(verify.status.code(), Some(0), "{said}");
    assert!(!said.contains("no batch record"), "{said}");
    assert!(
        !ckpt.exists(),
        "the checkpoint is removed when the run completes"
    );
    // A resume with other options is refused, not mixed.
    std::fs::write(&ckpt, b"{}").unwrap();
    std::fs::write(dir.path().join("out.csv.partial"), b"").unwrap();
    let o = embargo(
        &data,
        &[
            "batch",
            inp,
            "--name-column",
            "name",
            "--out",
            outs,
            "--resume",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
}

#[test]
fn all_hits_writes_a_row_per_hit_and_formats_follow_the_extension() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "id,name\n1,Hikvision\n2,Orchard Lane Florists\n").unwrap();
    let inp = input.to_str().unwrap();
    let out = dir.path().join("all.csv");
    ok(
        &data,
        &[
            "batch",
            inp,
            "--name-column",
            "name",
            "--out",
            out.to_str().unwrap(),
            "--all-hits",
            "--threshold",
            "0.7",
        ],
    );
    let body = std::fs::read_to_string(&out).unwrap();
    let mut r = csv::Reader::from_reader(body.as_bytes());
    let h = r.headers().unwrap().clone();
    for c in [
        "match_rank",
        "match_list",
        "match_programs",
        "match_subject",
        "match_measures",
    ] {
        assert!(h.iter().any(|x| x == c), "no {c} in {h:?}");
    }
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    let hik: Vec<_> = rows.iter().filter(|x| &x[0] == "1").collect();
    assert!(!hik.is_empty(), "{body}");
    // One row per consolidated subject: its records, lists and measures.
    let top = hik[0];
    assert_eq!(&top[col("match_rank")], "1");
    assert!(
        top[col("match_subject")].matches(';').count() >= 1,
        "{body}"
    );
    assert!(top[col("match_measures")].contains("Entity List"), "{body}");
    assert!(top[col("match_measures")].contains("CMIC"), "{body}");
    assert!(
        top[col("match_programs")].contains("EAR-ENTITY-LIST"),
        "{body}"
    );
    for (i, r) in hik.iter().enumerate() {
        assert_eq!(
            r[col("match_rank")],
            (i + 1).to_string(),
            "ranks run 1..n: {body}"
        );
    }
    assert_eq!(
        rows.iter().filter(|x| &x[0] == "2").count(),
        1,
        "a row without hits keeps one row"
    );
    // Unknown extension: an error, not silent CSV; --format decides.
    let bad = dir.path().join("out.xlsx");
    let o = embargo(
        &data,
        &[
            "batch",
            inp,
            "--name-column",
            "name",
            "--out",
            bad.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("xlsx"), "{}", text(&o.stderr));
    assert!(!bad.exists());
    let txt = dir.path().join("out.txt");
    ok(
        &data,
        &[
            "batch",
            inp,
            "--name-column",
            "name",
            "--out",
            txt.to_str().unwrap(),
            "--format",
            "jsonl",
        ],
    );
    let first = std::fs::read_to_string(&txt).unwrap();
    let v: serde_json::Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    assert!(v["results"].is_array(), "{first}");
}

fn alert_states(data: &Path) -> Vec<(String, String, String)> {
    let v: serde_json::Value = serde_json::from_str(&ok(data, &["alerts", "--json"])).unwrap();
    let mut out: Vec<(String, String, String)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["customer_id"].as_str().unwrap().to_string(),
                a["entity_id"].as_str().unwrap().to_string(),
                a["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn monitor_killed_with_sigkill_and_run_again_leaves_the_same_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book.csv");
    write_book(&book, 20000);
    let b = book.to_str().unwrap();
    let import = [
        "book",
        "import",
        b,
        "--book",
        "main",
        "--id-column",
        "id",
        "--name-column",
        "name",
    ];
    let reference = dir.path().join("ref");
    ok(&reference, &import);
    ok(&reference, &["monitor"]);
    let expected = alert_states(&reference);
    assert!(expected.len() > 100, "{}", expected.len());

    let data = dir.path().join("data");
    ok(&data, &import);
    let mut child = spawn(&data, &["monitor", "main"]);
    std::thread::sleep(Duration::from_millis(300));
    let killed = child.try_wait().unwrap().is_none();
    child.kill().ok();
    child.wait().unwrap();
    let out = ok(&data, &["monitor"]);
    assert!(killed, "monitor finished before it could be killed");
    assert_eq!(alert_states(&data), expected, "{out}");
    // Nothing left: a third run changes nothing.
    let again = ok(&data, &["monitor"]);
    assert!(again.contains("nothing changed"), "{again}");
    // Every alert's creation is in the audit log, which verifies.
    let v: serde_json::Value =
        serde_json::from_str(&ok(&data, &["alerts", "show", "1", "--json"])).unwrap();
    assert!(v["history"][0]["audit_seq"].as_u64().is_some(), "{v}");
    ok(&data, &["audit", "verify"]);
    // Unknown book: an error naming it.
    let o = embargo(&data, &["monitor", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("nope"));
}
