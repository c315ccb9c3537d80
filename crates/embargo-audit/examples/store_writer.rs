//! One writer process for the multi-writer audit benchmark
//! (`scripts/bench-bus` runs two at once on one store): THREADS threads
//! append screen-sized records for SECONDS seconds through one handle
//! (group commit), then the process prints its appends/s.
//!
//! `cargo run --release -p embargo-audit --example store_writer -- STORE [SECONDS] [THREADS]`
//! where STORE is `postgres://…` or a data directory (SQLite).

use embargo_audit::{AuditLog, AuditStore, NewRecord, PgAuditLog, RecordKind};
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let store = args
        .next()
        .ok_or("usage: store_writer STORE [SECONDS] [THREADS]")?;
    let secs: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(10);
    let threads: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(16);
    let log: Box<dyn AuditStore> =
        if store.starts_with("postgres://") || store.starts_with("postgresql://") {
            Box::new(PgAuditLog::connect(&store)?)
        } else {
            Box::new(AuditLog::open(std::path::Path::new(&store))?)
        };
    let pid = std::process::id();
    let record = |i: u64| NewRecord {
        kind: RecordKind::Screen,
        actor: format!("bench-{pid}"),
        request: json!({"name": format!("Customer {i}"), "schema": "Person", "country": "GB"}),
        result: json!({"hits": (0..3).map(|h| json!({
            "id": format!("us_ofac_sdn:{}", 1000 + h), "score": 0.8, "name": "HASSAN, Ali",
            "explanation": "token match on HASSAN; alias Ali HASAN"
        })).collect::<Vec<_>>()}),
        list_versions: vec!["us_ofac_sdn 2024-05-03 ab12cd".into()],
    };
    let done = AtomicU64::new(0);
    let end = Instant::now() + Duration::from_secs(secs);
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                while Instant::now() < end {
                    let i = done.fetch_add(1, Ordering::Relaxed);
                    log.append_record(record(i)).expect("append");
                }
            });
        }
    });
    let n = done.load(Ordering::Relaxed);
    let elapsed = t.elapsed().as_secs_f64();
    println!(
        "writer {pid}: {n} appends in {elapsed:.1} s = {:.0} appends/s ({threads} threads, {})",
        n as f64 / elapsed,
        log.location()
    );
    Ok(())
}
