//! Benchmark with the real lists: CSL 2022 + SDN 2024-05-03 + UN loaded via
//! `embargo-sources`. Reports index build time, single-query latency on one
//! thread (p50/p99), batch throughput per core, and peak RSS (VmHWM); the
//! OFAC mode's per-query time on 20 queries, in memory and through the file.
//!
//! `cargo run --release -p embargo-match --example bench` (needs ../shared;
//! exits with a message when it is missing).

#[path = "common/lists.rs"]
mod lists;

use embargo_match::{Matcher, Query, ScreenOptions};
use embargo_model::Schema;
use std::time::Instant;

fn vm_hwm_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Single-query latency and batch throughput of one index.
fn measure(label: &str, m: &Matcher, qs: &[Query]) {
    println!("-- {label}");
    let o = ScreenOptions::default();
    // Warm up, then single-thread latency over 5,000 queries.
    for q in qs.iter().take(500) {
        m.screen(q, &o);
    }
    // Three passes, the one with the lowest median reported: the machine is
    // a VM whose speed drifts with its neighbours, and the best pass is the
    // closest to what the code costs.
    let pass = || {
        let mut lat: Vec<f64> = qs
            .iter()
            .take(5000)
            .map(|q| {
                let t = Instant::now();
                std::hint::black_box(m.screen(q, &o));
                t.elapsed().as_secs_f64() * 1e6
            })
            .collect();
        lat.sort_by(f64::total_cmp);
        lat
    };
    let lat = (0..3)
        .map(|_| pass())
        .min_by(|a, b| a[a.len() / 2].total_cmp(&b[b.len() / 2]))
        .expect("three passes");
    let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize];
    println!(
        "single query, one thread (best of 3 passes): p50 {:.0} µs, p90 {:.0} µs, p99 {:.0} µs, max {:.0} µs",
        pct(0.5),
        pct(0.9),
        pct(0.99),
        lat[lat.len() - 1]
    );
    // Batch on one thread, then on all cores.
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let best_rate = |run: &dyn Fn()| {
        (0..3)
            .map(|_| {
                let t = Instant::now();
                run();
                qs.len() as f64 / t.elapsed().as_secs_f64()
            })
            .fold(0.0f64, f64::max)
    };
    let per_core = best_rate(&|| {
        one.install(|| std::hint::black_box(m.screen_batch(qs, &o)));
    });
    let cores = rayon::current_num_threads();
    let all = best_rate(&|| {
        std::hint::black_box(m.screen_batch(qs, &o));
    });
    println!(
        "batch (best of 3): {per_core:.0} names/s on 1 thread; {all:.0} names/s on {cores} threads"
    );
    println!(
        "peak RSS (VmHWM): {:.0} MB",
        vm_hwm_mb().unwrap_or(f64::NAN)
    );
}

fn main() {
    let Some(shared) = embargo_testkit::shared_dir() else {
        eprintln!("SKIP: ../shared not found");
        return;
    };
    let t = Instant::now();
    let entities = lists::load(&shared).expect("lists parse");
    let parse = t.elapsed();
    let names: usize = entities.iter().map(|e| e.names.len()).sum();
    let n_entities = entities.len();
    let t = Instant::now();
    let m = Matcher::build(entities);
    let build = t.elapsed();
    println!("entities {n_entities}, names {names}; parse {parse:?}; index build {build:?}");

    // Queries: yente's synthetic persons (with DOB and nationality as given).
    let path = shared.join("eval/yente/negatives_us.csv");
    let mut rdr = csv::Reader::from_path(&path).expect("negatives csv");
    let mut qs: Vec<Query> = Vec::new();
    for r in rdr.records().take(20_000) {
        let r = r.expect("row");
        let mut q = Query::name(r.get(0).unwrap_or(""));
        q.schema = Some(Schema::Person);
        if let Ok(d) = r.get(5).unwrap_or("").parse() {
            q.birth_dates.push(d);
        }
        qs.extend(std::iter::once(q));
    }
    measure("in-memory index (Matcher::build)", &m, &qs);
    // The same lists through the index file, memory-mapped (issue 18).
    let t = Instant::now();
    let bytes = m.to_index_file().expect("index file");
    let write = t.elapsed();
    let path = std::env::temp_dir().join(format!("embargo-bench-{}.embidx", std::process::id()));
    std::fs::write(&path, &bytes).expect("write index file");
    drop(bytes);
    let t = Instant::now();
    let f = Matcher::open(embargo_mmap::map(&path).expect("map")).expect("open index file");
    let open = t.elapsed();
    let t = Instant::now();
    std::hint::black_box(f.screen(&qs[0], &ScreenOptions::default()));
    let first = t.elapsed();
    println!(
        "index file: {:.1} MB, encoded in {write:?}, opened (checksum verified) in {open:?}, first query {first:?}",
        std::fs::metadata(&path).map_or(0.0, |m| m.len() as f64 / 1e6)
    );
    let same = qs
        .iter()
        .take(2000)
        .all(|q| m.screen(q, &ScreenOptions::default()) == f.screen(q, &ScreenOptions::default()));
    println!("file index results identical to the in-memory index on 2,000 queries: {same}");
    measure("index file (Matcher::open, memory-mapped)", &f, &qs);
    ofac_mode(&m, &f, &qs[..20]);
    let _ = std::fs::remove_file(&path);

    // Pair scoring on nomenklatura's cases.csv, for the ratio against
    // logic-v2 (benches/logicv2_pairs.py times the same pairs).
    let path = shared.join("eval/nomenklatura/cases.csv");
    let mut rdr = csv::Reader::from_path(&path).expect("cases csv");
    let pairs: Vec<(Option<Schema>, String, String)> = rdr
        .records()
        .map(|r| {
            let r = r.expect("row");
            (Schema::parse(&r[1]), r[2].to_string(), r[3].to_string())
        })
        .collect();
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for (s, a, b) in &pairs {
            std::hint::black_box(embargo_match::compare_names(*s, a, b));
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    let ours = best / pairs.len() as f64 * 1e6;
    println!(
        "compare_names on {} cases.csv pairs: {ours:.1} µs/pair (best of 5)",
        pairs.len(),
    );
    logic_v2(&path, ours);
}

/// `Algorithm::Ofac` scores the query against every name on the lists, so
/// it is timed on a few queries only, in memory and through the file (which
/// reads each name's owner without decoding its tokens), on one thread.
fn ofac_mode(m: &Matcher, f: &Matcher, qs: &[Query]) {
    let o = ScreenOptions {
        algorithm: embargo_match::Algorithm::Ofac,
        threshold: 0.9,
        ..Default::default()
    };
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let mut hits = Vec::new();
    for (label, ix) in [("in-memory index", m), ("index file", f)] {
        let t = Instant::now();
        hits.push(one.install(|| qs.iter().map(|q| ix.screen(q, &o)).collect::<Vec<_>>()));
        println!(
            "-- OFAC mode, {label}: {:.0} ms/query over {} queries",
            t.elapsed().as_secs_f64() * 1e3 / qs.len() as f64,
            qs.len()
        );
    }
    println!("OFAC mode hits identical: {}", hits[0] == hits[1]);
}

/// Times nomenklatura's logic-v2 on the same pairs in this run, with the
/// bench-only virtualenv's Python (`EMBARGO_BENCH_PYTHON`, default
/// `.venv-bench/bin/python` at the workspace root), and prints the ratio.
fn logic_v2(cases: &std::path::Path, ours_us: f64) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = std::env::var_os("EMBARGO_BENCH_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join(".venv-bench/bin/python"));
    if !python.exists() {
        println!(
            "logic-v2: not run ({} missing; see BENCHMARKS.md to create it)",
            python.display()
        );
        return;
    }
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/logicv2_pairs.py");
    let out = match std::process::Command::new(&python)
        .arg(&script)
        .arg(cases)
        .output()
    {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
        Ok(o) => {
            println!(
                "logic-v2: failed: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            return;
        }
        Err(e) => {
            println!("logic-v2: could not start {}: {e}", python.display());
            return;
        }
    };
    print!("{out}");
    // "... 458.4 us/pair; ..."
    let theirs = out
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .find(|w| w[1].starts_with("us/pair"))
        .and_then(|w| w[0].parse::<f64>().ok());
    match theirs {
        Some(t) => println!("per-pair ratio logic-v2 / Embargo: {:.0}x", t / ours_us),
        None => println!("logic-v2: could not read its timing"),
    }
}
