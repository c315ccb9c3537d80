//! Decides transactions against the shipped regime pack and measures the
//! time per decision once the lists are loaded (target: under 5 ms).
//!
//! ```sh
//! cargo run -p embargo-rules --example decide_bench -- [CASE.json ...] [--explain] [--json]
//! ```
//! With no files it uses the worked cases in ../shared/rules/cases when
//! present, else one built-in transaction.

use embargo_rules::{parse_transaction, testing, Engine, Transaction};
use std::time::Instant;

const BUILTIN: &str = r#"{"date":"2019-11-01","flow":"export","actor":{"us_person":true,"country":"US"},
 "destination":"CN","item":{"description":"US-made camera module","origin":"US","located_in":"US","eccn":"6A993"},
 "parties":[{"role":"end_user","name":"Hangzhou Hikvision Digital Technology Co., Ltd.","country":"CN",
 "address":"No. 555 Qianmo Road, Binjiang District, Hangzhou, 310052"}]}"#;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let explain = args.iter().any(|a| a == "--explain");
    let json = args.iter().any(|a| a == "--json");
    let mut files: Vec<std::path::PathBuf> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .map(Into::into)
        .collect();
    if files.is_empty() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/rules/cases");
        if let Ok(rd) = std::fs::read_dir(&dir) {
            files = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect();
            files.sort();
        }
    }
    let mut txs: Vec<(String, Transaction)> = vec![];
    for f in &files {
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{}: {e}", f.display());
                std::process::exit(2);
            }
        };
        match parse_transaction(&text) {
            Ok(t) => txs.push((f.display().to_string(), t)),
            Err(e) => {
                eprintln!("{}: {e}", f.display());
                std::process::exit(2);
            }
        }
    }
    if txs.is_empty() {
        txs.push((
            "builtin".into(),
            parse_transaction(BUILTIN).expect("built-in transaction parses"),
        ));
    }

    let t0 = Instant::now();
    let engine: Engine = testing::engine(
        embargo_pack::entities().to_vec(),
        &embargo_pack::version().version,
    );
    println!(
        "loaded {} listings in {:.2?}",
        engine.listings().len(),
        t0.elapsed()
    );

    for (name, tx) in &txs {
        let d = engine.decide(tx);
        if explain {
            println!("==== {name}\n{}", d.to_text());
        }
        if json {
            println!(
                "{}",
                serde_json::to_string_pretty(
                    &serde_json::json!({"findings": d.findings, "list_versions": d.list_versions})
                )
                .expect("serialisable")
            );
        }
    }
    let rounds = 200;
    let t = Instant::now();
    let mut n = 0usize;
    for _ in 0..rounds {
        for (_, tx) in &txs {
            n += engine.decide(tx).findings.len();
        }
    }
    let per = t.elapsed() / (rounds * txs.len() as u32);
    println!(
        "{} transactions x {rounds} rounds: {per:.2?} per decision ({n} findings)",
        txs.len()
    );
}
