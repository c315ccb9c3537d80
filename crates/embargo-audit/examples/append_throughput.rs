//! Measures durable append throughput: one thread (each append is one
//! fsynced commit), then THREADS threads at once (group commit combines
//! concurrent appends into shared commits), then `append_many`, then how
//! fast `verify` and `export_since` walk the result.
//!
//! `cargo run -p embargo-audit --example append_throughput [N] [DIR] [THREADS]`
//! (N defaults to 3000; DIR to a fresh temporary directory; THREADS to 16).

use embargo_audit::{AuditLog, NewRecord, RecordKind};
use serde_json::json;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(3000);
    let tmp = tempfile::tempdir()?;
    let dir = args
        .next()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());
    let threads: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(16);
    let log = AuditLog::open(&dir)?;

    // A screen record the size the server writes: query, three hits, versions.
    let record = |i: usize| NewRecord {
        kind: RecordKind::Screen,
        actor: "bench-key".into(),
        request: json!({"name": format!("Customer {i}"), "schema": "Person", "country": "GB"}),
        result: json!({"hits": (0..3).map(|h| json!({
            "id": format!("us_ofac_sdn:{}", 1000 + h), "score": 0.8, "name": "HASSAN, Ali",
            "explanation": "token match on HASSAN; alias Ali HASAN"
        })).collect::<Vec<_>>()}),
        list_versions: vec![
            "us_ofac_sdn 2024-05-03 ab12cd".into(),
            "us_trade_csl 2022-05 99ef".into(),
        ],
    };

    let t = Instant::now();
    for i in 0..n {
        log.append(record(i))?;
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "append: {n} durable commits in {secs:.2} s = {:.0} commits/s ({:.3} ms each)",
        n as f64 / secs,
        secs * 1000.0 / n as f64
    );

    // The same number of records from `threads` threads at once, as the
    // server's blocking pool appends under load.
    let tx_before = log.append_transactions();
    let t = Instant::now();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|k| {
                let log = &log;
                s.spawn(move || {
                    (k..n)
                        .step_by(threads)
                        .try_for_each(|i| log.append(record(i)).map(|_| ()))
                })
            })
            .collect();
        handles
            .into_iter()
            .try_for_each(|h| h.join().expect("append thread panicked"))
    })?;
    let secs = t.elapsed().as_secs_f64();
    let txs = log.append_transactions() - tx_before;
    println!(
        "append x{threads} threads: {n} records in {secs:.2} s = {:.0} records/s, \
         {txs} commits ({:.1} records/commit)",
        n as f64 / secs,
        n as f64 / txs.max(1) as f64
    );

    // The same records in batches of 100, one commit each (batch screening).
    let t = Instant::now();
    for chunk in (0..n).collect::<Vec<_>>().chunks(100) {
        log.append_many(chunk.iter().map(|&i| record(i)).collect())?;
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "append_many: {n} records in batches of 100 in {secs:.2} s = {:.0} records/s",
        n as f64 / secs
    );

    let t = Instant::now();
    let report = log.verify()?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "verify: {} records ok={} in {secs:.3} s = {:.0} records/s",
        report.records,
        report.ok,
        report.records as f64 / secs
    );

    let t = Instant::now();
    let mut sink = std::io::sink();
    let exported = log.export_since(None, &mut sink)?;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "export: {exported} records in {secs:.3} s = {:.0} records/s",
        exported as f64 / secs
    );
    let size = std::fs::metadata(log.path())?.len();
    println!(
        "file: {} bytes ({:.0} bytes/record, before WAL checkpoint)",
        size,
        size as f64 / report.records.max(1) as f64
    );
    Ok(())
}
