//! Crash safety: a writer killed with SIGKILL in the middle of appending
//! loses nothing it reported as committed, and the chain still verifies.
//!
//! The writer is this same test binary, re-run with `CHILD_ENV` set so that
//! only `crash_child_writer` does work; it prints `COMMITTED <seq> <hash>`
//! after each `append` returns.

use embargo_audit::{AuditLog, NewRecord, RecordKind};
use serde_json::json;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CHILD_ENV: &str = "EMBARGO_AUDIT_CRASH_CHILD_DIR";

/// The child side. Does nothing in a normal test run.
#[test]
fn crash_child_writer() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let log = AuditLog::open(Path::new(&dir)).expect("child opens the log");
    let mut out = std::io::stdout().lock();
    let started = Instant::now();
    let mut i = 0usize;
    // Bounded so an orphaned child cannot run forever if the parent dies.
    while started.elapsed() < Duration::from_secs(60) {
        i += 1;
        // Records of varying size, some spanning several pages, so a kill
        // lands inside page writes as well as between commits.
        let rec = log
            .append(NewRecord {
                kind: RecordKind::Screen,
                actor: "crash-writer".into(),
                request: json!({"name": "x".repeat(i % 9000), "i": i}),
                result: json!({"hits": []}),
                list_versions: vec!["v1".into()],
            })
            .expect("append");
        writeln!(out, "COMMITTED {} {}", rec.seq, rec.hash).expect("stdout");
        out.flush().expect("stdout");
    }
}

/// Runs the child until it has reported `kill_after` commits, SIGKILLs it,
/// and returns every (seq, hash) it reported.
fn run_and_kill(dir: &Path, kill_after: usize) -> Vec<(u64, String)> {
    run_and_kill_every(dir, kill_after, None)
}

/// `run_and_kill`, with the child checkpointing every `every` records.
fn run_and_kill_every(dir: &Path, kill_after: usize, every: Option<u64>) -> Vec<(u64, String)> {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new(exe);
    if let Some(n) = every {
        cmd.env("EMBARGO_AUDIT_CHECKPOINT_EVERY", n.to_string());
    }
    let mut child = cmd
        .args([
            embargo_testkit::test_path!("crash_child_writer").as_str(),
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut committed = Vec::new();
    let parse = |l: &str| -> Option<(u64, String)> {
        let rest = l.strip_prefix("COMMITTED ")?;
        let (s, h) = rest.split_once(' ')?;
        Some((s.parse().ok()?, h.to_string()))
    };
    for line in lines.by_ref() {
        if let Some(c) = parse(&line.unwrap()) {
            committed.push(c);
            if committed.len() >= kill_after {
                break;
            }
        }
    }
    child.kill().unwrap(); // SIGKILL on Unix: no destructors, no flush.
    child.wait().unwrap();
    // Lines already in the pipe were also committed.
    for line in lines.map_while(Result::ok) {
        if let Some(c) = parse(&line) {
            committed.push(c);
        }
    }
    committed
}

#[test]
fn killed_writer_loses_no_committed_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut all = Vec::new();
    for (round, kill_after) in [150, 37, 260].into_iter().enumerate() {
        let committed = run_and_kill(dir.path(), kill_after);
        assert!(committed.len() >= kill_after, "round {round}");
        all.extend(committed);

        let log = AuditLog::open(dir.path()).unwrap();
        for (seq, hash) in &all {
            let rec = log
                .get(*seq)
                .unwrap()
                .unwrap_or_else(|| panic!("round {round}: committed record {seq} lost"));
            assert_eq!(&rec.hash, hash, "round {round}, record {seq}");
        }
        let report = log.verify().unwrap();
        assert!(report.ok, "round {round}: {report:?}");
        // At most the record in flight when killed may exist unreported.
        let reported = all.last().unwrap().0;
        assert!(
            report.records == reported || report.records == reported + 1,
            "round {round}: {} records, {reported} reported",
            report.records
        );
    }
    // Sequence numbers reported across the three runs are one gap-free chain.
    let seqs: Vec<u64> = all.iter().map(|c| c.0).collect();
    assert!(seqs.windows(2).all(|w| w[1] > w[0]));
}

/// Killed while checkpointing every 3 records: no committed record lost,
/// the checkpoint file is completed from the table on the next open, and
/// every checkpoint verifies.
#[test]
fn killed_writer_while_checkpointing_leaves_a_verifying_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut all = Vec::new();
    for (round, kill_after) in [40, 13, 71].into_iter().enumerate() {
        let committed = run_and_kill_every(dir.path(), kill_after, Some(3));
        assert!(committed.len() >= kill_after, "round {round}");
        all.extend(committed);
        let log = AuditLog::open(dir.path()).unwrap();
        for (seq, hash) in &all {
            let rec = log.get(*seq).unwrap().expect("committed record lost");
            assert_eq!(&rec.hash, hash, "round {round}, record {seq}");
        }
        let report = log.verify().unwrap();
        assert!(report.ok, "round {round}: {report:?}");
        let table = log.checkpoints().unwrap();
        assert!(table.len() as u64 >= all.last().unwrap().0 / 3 - 1);
        assert_eq!(report.checkpoints, table.len() as u64, "round {round}");
        let file = std::fs::read_to_string(log.checkpoint_file()).unwrap();
        assert_eq!(file.lines().count(), table.len(), "round {round}");
    }
}
