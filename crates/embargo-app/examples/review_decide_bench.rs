//! Times `App::decide` (one decision with its audit record) on the pack
//! alone, with no review decisions and then with many recorded, to show
//! what reading the review decisions adds to each decision (the rules
//! engine alone, without the audit log: `embargo-rules/examples/decide_bench.rs`).
//!
//! `cargo run --release -p embargo-app --example review_decide_bench -- [REVIEWS] [DECISIONS]`
//!
//! Reviews are recorded on pack entities under made-up subject names (so
//! none applies to the party decided); default 2,000 reviews, 300 decisions.
//! Audit appends are durable (`synchronous=FULL`), so the figures include
//! one fsync per decision.

use embargo_app::{App, ReviewInput};
use std::time::Instant;

const TX: &str = r#"{"date": "2024-03-01", "flow": "export",
    "actor": {"us_person": true, "country": "US"}, "destination": "CN",
    "item": {"eccn": "EAR99", "us_origin": true},
    "parties": [{"role": "end_user", "name": "Xinjiang Public Security Bureau", "country": "CN"}]}"#;

fn time_decisions(app: &App, n: usize) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        app.decide("bench", TX).expect("decide");
    }
    start.elapsed().as_secs_f64() * 1e3 / n as f64
}

fn main() {
    let mut args = std::env::args().skip(1);
    let reviews: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    let decisions: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(300);
    let dir = tempfile::tempdir().expect("temp dir");
    let app = App::open(dir.path()).expect("open");
    let ids: Vec<String> = app
        .snapshot()
        .matcher
        .entities()
        .iter()
        .take(50)
        .map(|e| e.id.to_string())
        .collect();
    app.decide("bench", TX).expect("warm-up");
    let empty = time_decisions(&app, decisions);
    println!("{decisions} decisions, no reviews: {empty:.3} ms each");
    let start = Instant::now();
    for i in 0..reviews {
        app.review(
            "bench-reviewer",
            &ReviewInput {
                name: format!("Bench Subject {i}"),
                country: Some("CN".into()),
                entity_id: ids[i % ids.len()].clone(),
                verdict: "false_positive".into(),
                reason: "bench".into(),
                ..Default::default()
            },
        )
        .expect("review");
    }
    println!(
        "{reviews} reviews recorded in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let full = time_decisions(&app, decisions);
    println!("{decisions} decisions, {reviews} reviews: {full:.3} ms each");
}
