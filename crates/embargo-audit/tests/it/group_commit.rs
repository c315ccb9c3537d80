//! Group commit under real concurrency: many threads append at once; every
//! caller's record is stored exactly once at the seq it was given and the
//! chain verifies. (That queued appends share one transaction is shown
//! deterministically by a unit test in `log.rs`; here the count is
//! only printed, since how many threads overlap depends on the machine.)

use embargo_audit::{AuditLog, NewRecord, RecordKind};
use serde_json::json;
use std::sync::Arc;

const THREADS: usize = 16;
const PER_THREAD: usize = 40;

fn rec(t: usize, i: usize) -> NewRecord {
    NewRecord {
        kind: RecordKind::Screen,
        actor: format!("thread-{t}"),
        request: json!({"name": format!("T{t:02}-R{i:03}")}),
        result: json!({"hits": [], "i": i}),
        list_versions: vec!["us_ofac_sdn 2024-05-03".into()],
    }
}

#[test]
fn many_threads_appending_form_one_verified_chain() {
    let dir = tempfile::tempdir().unwrap();
    let log = Arc::new(AuditLog::open(dir.path()).unwrap());
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                (0..PER_THREAD)
                    .map(|i| log.append(rec(t, i)).unwrap())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let returned: Vec<_> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let n = THREADS * PER_THREAD;
    assert_eq!(returned.len(), n);

    // Every returned seq exactly once, and nothing else in the log.
    let mut seqs: Vec<u64> = returned.iter().map(|r| r.seq).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=n as u64).collect::<Vec<_>>());
    for r in &returned {
        assert_eq!(log.get(r.seq).unwrap().as_ref(), Some(r), "seq {}", r.seq);
    }
    // A thread's own appends keep their order in the chain.
    for t in 0..THREADS {
        let mine: Vec<u64> = returned
            .iter()
            .filter(|r| r.actor == format!("thread-{t}"))
            .map(|r| r.seq)
            .collect();
        assert_eq!(mine.len(), PER_THREAD);
        assert!(mine.windows(2).all(|w| w[0] < w[1]), "thread {t}: {mine:?}");
    }

    let report = log.verify().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.records, n as u64);

    let tx = log.append_transactions();
    println!(
        "group commit: {n} records from {THREADS} threads in {tx} transactions ({:.1} records/commit)",
        n as f64 / tx as f64
    );
}
