//! Every row of a batch screen is audited: the batch record's Merkle root
//! commits to each row's stored result, each output row carries its leaf
//! hash, and every row of a 10,000-row batch can be proved. A batch killed
//! with SIGKILL loses no committed record and leaves a log that verifies.
//!
//! With ../shared present the batch runs on the official SDN list and the
//! yente negatives; without it, on the embedded pack and generated names
//! (the skip is printed).

use embargo_app::types::{ScreenOptions, DEFAULT_THRESHOLD};
use embargo_app::{audit_admin, App, BatchConfig, Catalog, ImportOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

const CHILD_ENV: &str = "EMBARGO_APP_BATCH_CRASH_CHILD_DIR";

fn cfg(jsonl: bool) -> BatchConfig {
    BatchConfig {
        name_column: "name".into(),
        schema_column: None,
        country_column: Some("country".into()),
        dob_column: None,
        options: ScreenOptions {
            threshold: DEFAULT_THRESHOLD,
            limit: if jsonl { 25 } else { 1 },
            ..Default::default()
        },
        jsonl,
        chunk_rows: 1000,
    }
}

/// `rows` names: the yente negatives when ../shared has them, generated
/// names otherwise; every 97th row a listed name, one row empty.
fn input_csv(rows: usize) -> String {
    let mut names: Vec<String> = match embargo_testkit::shared_file("eval/yente/negatives_us.csv") {
        Some(p) => csv::Reader::from_path(p)
            .unwrap()
            .records()
            .map(|r| r.unwrap()[0].to_string())
            .take(rows)
            .collect(),
        None => Vec::new(),
    };
    let mut i = names.len();
    while names.len() < rows {
        names.push(format!("Generated Customer {i} Holdings"));
        i += 1;
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["id", "name", "country"]).unwrap();
    for (i, n) in names.iter().enumerate() {
        let name = match i {
            500 => String::new(),
            i if i.is_multiple_of(97) => "Xinjiang Public Security Bureau".to_string(),
            _ => n.clone(),
        };
        w.write_record([i.to_string(), name, "CN".into()]).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// A data directory with the SDN list imported when ../shared has it.
fn data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    if let Some(sdn) = embargo_testkit::shared_file("data/lists/ofac_sdn/2024-05-03/sdn.csv") {
        let c = Catalog::open(dir.path()).unwrap();
        c.import("test", &sdn, &ImportOptions::default()).unwrap();
    }
    dir
}

#[test]
fn a_batch_of_10000_rows_yields_a_verifiable_record_for_every_row() {
    let dir = data_dir();
    let app = App::open(dir.path()).unwrap();
    let input = input_csv(10_000);
    let mut out = Vec::new();
    let summary = app
        .screen_csv(
            "batch-test",
            "customers.csv",
            input.as_bytes(),
            &mut out,
            &cfg(false),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(summary.rows, 10_000);
    assert_eq!(summary.rows_not_screened, 1);
    assert!(summary.rows_with_hits >= 100, "{summary:?}");
    let seq = summary.audit_seq.unwrap();
    let run = summary.run_id.clone().unwrap();

    let rec = app.audit.get(seq).unwrap().unwrap();
    assert_eq!(rec.request["run_id"], run.as_str());
    assert_eq!(rec.request["reviews_applied"], false);
    assert_eq!(rec.result["rows_root"]["rows"], 10_000);
    assert_eq!(rec.list_versions, app.snapshot().version_labels());

    let mut reader = csv::Reader::from_reader(out.as_slice());
    let headers = reader.headers().unwrap().clone();
    let leaf_col = headers.iter().position(|h| h == "audit_leaf").unwrap();
    let id_col = headers.iter().position(|h| h == "match_entity_id").unwrap();
    let output: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(output.len(), 10_000);

    let all: Vec<u64> = (1..=10_000).collect();
    let proofs = app.audit.batch_proofs(&seq.to_string(), &all).unwrap();
    assert_eq!(proofs.len(), 10_000);
    for (p, row) in proofs.iter().zip(&output) {
        assert!(p.verified, "row {}", p.row);
        assert_eq!(p.leaf, &row[leaf_col], "row {}: output leaf", p.row);
        assert_eq!(p.body["input"]["name"], row[1].trim(), "row {}", p.row);
        let best = p.body["hits"][0]["entity_id"].as_str().unwrap_or("");
        assert_eq!(
            best, &row[id_col],
            "row {}: the stored hit is the one shown",
            p.row
        );
    }
    assert!(
        proofs[500].body["not_screened"].is_string(),
        "{:?}",
        proofs[500].body
    );
    assert!(!proofs[97].body["hits"].as_array().unwrap().is_empty());
    // Through the front-end API, by run id.
    let p = audit_admin::prove(dir.path(), &run, 98).unwrap();
    assert_eq!(p, proofs[97]);

    let report = app.verify_audit().unwrap();
    assert!(report.ok, "{report:?}");
}

#[test]
fn jsonl_output_carries_each_rows_leaf() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let input = input_csv(300);
    let mut out = Vec::new();
    let summary = app
        .screen_csv(
            "batch-test",
            "c.csv",
            input.as_bytes(),
            &mut out,
            &cfg(true),
            &mut |_| {},
        )
        .unwrap();
    let lines: Vec<serde_json::Value> = out
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 300);
    let seq = summary.audit_seq.unwrap().to_string();
    for (i, l) in lines.iter().enumerate() {
        let p = app.audit.batch_proof(&seq, i as u64 + 1).unwrap();
        assert_eq!(l["audit_leaf"], p.leaf.as_str());
        assert_eq!(
            l["results"].as_array().unwrap().len(),
            p.body["hits"].as_array().unwrap().len()
        );
    }
}

/// The child side of the crash test: screens single subjects (printing
/// each committed record), then a long batch (printing rows done).
#[test]
fn crash_child_batch() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let app = App::open(Path::new(&dir)).expect("child opens");
    let mut out = std::io::stdout().lock();
    for i in 0..20 {
        let s = embargo_app::ScreenInput {
            name: format!("Crash Test Subject {i}"),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let r = app.screen("crash-child", &s).unwrap();
        let rec = app.audit.get(r.audit_seq).unwrap().unwrap();
        writeln!(out, "COMMITTED {} {}", rec.seq, rec.hash).unwrap();
        out.flush().unwrap();
    }
    let input = input_csv(200_000);
    let mut progress = |n: u64| {
        let mut o = std::io::stdout().lock();
        writeln!(o, "ROWS {n}").unwrap();
        o.flush().unwrap();
    };
    let _ = app.screen_csv(
        "crash-child",
        "big.csv",
        input.as_bytes(),
        std::io::sink(),
        &cfg(false),
        &mut progress,
    );
}

#[test]
fn a_batch_killed_with_sigkill_loses_no_committed_record() {
    let dir = tempfile::tempdir().unwrap();
    for round in 0..2 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                embargo_testkit::test_path!("crash_child_batch").as_str(),
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut committed = Vec::new();
        let mut rows_done = 0;
        for line in BufReader::new(child.stdout.take().unwrap()).lines() {
            let line = line.unwrap();
            // libtest may print "test … ... " before the first line.
            let line = match line.find("COMMITTED ").or_else(|| line.find("ROWS ")) {
                Some(i) => line[i..].to_string(),
                None => continue,
            };
            if let Some(rest) = line.strip_prefix("COMMITTED ") {
                let (s, h) = rest.split_once(' ').unwrap();
                committed.push((s.parse::<u64>().unwrap(), h.to_string()));
            } else if let Some(n) = line.strip_prefix("ROWS ") {
                rows_done = n.parse::<u64>().unwrap();
                // Killed in the middle of the batch, rows already stored.
                if rows_done >= 3000 + 2000 * round {
                    break;
                }
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(
            rows_done >= 3000,
            "round {round}: the child never got into its batch"
        );
        assert_eq!(committed.len(), 20, "round {round}");

        let app = App::open(dir.path()).unwrap();
        for (seq, hash) in &committed {
            let rec = app.audit.get(*seq).unwrap().expect("committed record lost");
            assert_eq!(&rec.hash, hash, "round {round}, record {seq}");
        }
        let report = app.verify_audit().unwrap();
        assert!(report.ok, "round {round}: {report:?}");
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.contains("have no batch record")),
            "the unfinished batch's rows are noted: {report:?}"
        );
    }
    // The log goes on: a batch after the crashes is recorded and verifies.
    let app = App::open(dir.path()).unwrap();
    let input = input_csv(50);
    let s = app
        .screen_csv(
            "after",
            "c.csv",
            input.as_bytes(),
            std::io::sink(),
            &cfg(false),
            &mut |_| {},
        )
        .unwrap();
    assert!(
        app.audit
            .batch_proof(&s.audit_seq.unwrap().to_string(), 50)
            .unwrap()
            .verified
    );
    assert!(app.verify_audit().unwrap().ok);
}

#[test]
fn an_unaudited_screen_csv_has_no_leaf_column() {
    let snap = embargo_app::Snapshot::load(None).unwrap();
    let input = input_csv(5);
    let mut out = Vec::new();
    embargo_app::screen_csv(&snap, input.as_bytes(), &mut out, &cfg(false), &mut |_| {}).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.lines().next().unwrap().ends_with(",match_note"),
        "{text}"
    );
}

/// A misspelt dataset is an error on both entry points, before any row is
/// written: not a file of empty match columns that reads as "no hit".
#[test]
fn audited_and_unaudited_screen_csv_refuse_an_unknown_dataset() {
    let mut c = cfg(false);
    c.options.datasets = Some(vec!["us_trade_cls".into()]);
    let snap = embargo_app::Snapshot::load(None).unwrap();
    let mut out = Vec::new();
    let e = embargo_app::screen_csv(&snap, input_csv(5).as_bytes(), &mut out, &c, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown dataset \"us_trade_cls\""), "{e}");
    assert!(out.is_empty(), "rows were written: {out:?}");

    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let head = app.audit.head().unwrap().map(|a| a.seq);
    let mut out = Vec::new();
    let e = app
        .screen_csv(
            "t",
            "c.csv",
            input_csv(5).as_bytes(),
            &mut out,
            &c,
            &mut |_| {},
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown dataset \"us_trade_cls\""), "{e}");
    assert!(out.is_empty(), "rows were written: {out:?}");
    let after = app.audit.head().unwrap().map(|a| a.seq);
    assert_eq!(after, head, "a refused batch wrote an audit record");

    // Rows of another table (the Python package's Arrow batches), audited
    // or not: the same refusal, never rows of "no hit".
    let rows = [embargo_app::RowFields {
        name: "Hikvision",
        ..Default::default()
    }];
    let mut summary = Default::default();
    let e = embargo_app::screen_rows(&snap, &rows, &c.options, &mut summary)
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown dataset \"us_trade_cls\""), "{e}");
    let e = app
        .screen_rows("t", "arrow", &rows, &c)
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown dataset \"us_trade_cls\""), "{e}");
    assert_eq!(app.audit.head().unwrap().map(|a| a.seq), head);
}
