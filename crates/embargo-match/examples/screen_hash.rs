//! A fingerprint of the matcher's answers on the bench lists, for checking
//! that a speed change changed no result, and a steady single-thread loop
//! to profile (`perf record`, `valgrind --tool=callgrind`).
//!
//! `cargo run --release -p embargo-match --example screen_hash -- [N] [ofac [exhaustive]]`
//!
//! Screens the first N (default 2,000) of yente's `negatives_us.csv` and
//! every UN positive (`positives_un_untreated.csv`) against CSL + SDN + UN,
//! one thread, three ways: the default options, a low threshold (0.3,
//! limit 50, so scores and explanations of many weak candidates count
//! too), and with `ofac` the OFAC algorithm on the first 40 queries at
//! 0.8 (with `exhaustive`, also through the exhaustive scan the fast one
//! must equal). Prints the BLAKE3 of the JSON of every hit list of each run; two
//! builds whose lines agree gave byte-identical hits.

#[path = "common/lists.rs"]
mod lists;

use embargo_match::{Algorithm, Hit, Matcher, Query, ScreenOptions};
use embargo_model::Schema;
use std::time::Instant;

fn queries(path: &std::path::Path, n: usize, schema: Option<Schema>) -> Vec<Query> {
    let mut rdr = csv::Reader::from_path(path).expect("eval csv");
    rdr.records()
        .take(n)
        .map(|r| {
            let r = r.expect("row");
            let mut q = Query::name(r.get(0).unwrap_or(""));
            q.schema = schema;
            if let Ok(d) = r.get(5).unwrap_or("").parse() {
                q.birth_dates.push(d);
            }
            q
        })
        .collect()
}

/// CPU time this thread has run, in seconds (`/proc/thread-self/schedstat`):
/// on a machine shared with other processes it moves far less than the
/// wall clock.
fn thread_cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |ns| ns / 1e9)
}

fn run(label: &str, m: &Matcher, qs: &[Query], o: &ScreenOptions) {
    run_with(label, qs, |q| m.screen(q, o))
}

fn run_with(label: &str, qs: &[Query], screen: impl Fn(&Query) -> Vec<Hit>) {
    let t = Instant::now();
    let c = thread_cpu();
    let hits: Vec<_> = qs.iter().map(screen).collect();
    let cpu = thread_cpu() - c;
    let el = t.elapsed();
    let n_hits: usize = hits.iter().map(Vec::len).sum();
    let json = serde_json::to_vec(&hits).expect("hits serialise");
    println!(
        "{label}: {} queries, {n_hits} hits, blake3 {} ({:.0} µs/query wall, {:.0} µs/query CPU)",
        qs.len(),
        blake3::hash(&json).to_hex(),
        el.as_secs_f64() * 1e6 / qs.len() as f64,
        cpu * 1e6 / qs.len() as f64
    );
}

fn main() {
    let Some(shared) = embargo_testkit::shared_dir() else {
        eprintln!("SKIP: ../shared not found");
        return;
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let ofac = args.iter().any(|a| a == "ofac");
    let m = Matcher::build(lists::load(&shared).expect("lists parse"));
    let mut qs = queries(
        &shared.join("eval/yente/negatives_us.csv"),
        n,
        Some(Schema::Person),
    );
    qs.extend(queries(
        &shared.join("eval/yente/positives_un_untreated.csv"),
        usize::MAX,
        None,
    ));
    if ofac {
        let o = ScreenOptions {
            algorithm: Algorithm::Ofac,
            threshold: 0.8,
            ..Default::default()
        };
        let few: Vec<Query> = qs.iter().step_by(qs.len() / 40).cloned().collect();
        run("ofac 0.8", &m, &few, &o);
        if args.iter().any(|a| a == "exhaustive") {
            run_with("ofac 0.8, exhaustive scan", &few, |q| {
                m.screen_ofac_exhaustive(q, &o)
            });
        }
        return;
    }
    run("default", &m, &qs, &ScreenOptions::default());
    let low = ScreenOptions {
        threshold: 0.3,
        limit: 50,
        ..Default::default()
    };
    run("threshold 0.3", &m, &qs, &low);
}
