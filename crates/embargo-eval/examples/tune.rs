//! Developer tool: prints the pair-set results with a threshold sweep and
//! the misclassified pairs, for tuning. It shows the **dev** split only
//! (see `embargo_eval::split`): the test split is for reporting, never for
//! looking at misses.
//!
//! `cargo run -p embargo-eval --example tune -- ../shared [cases|checks|translit|screen]`

use embargo_eval::{pairs, screening, translit};
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let shared = PathBuf::from(args.get(1).map(String::as_str).unwrap_or("../shared"));
    let what = args.get(2).map(String::as_str).unwrap_or("cases");
    let t: f64 = std::env::var("T")
        .ok()
        .and_then(|x| x.parse().ok())
        .unwrap_or(embargo_match::DEFAULT_THRESHOLD);
    let eval = shared.join("eval");
    match what {
        "cases" | "checks" => {
            let (_, ps) = if what == "cases" {
                let m = pairs::cases(&eval.join("nomenklatura/cases.csv"), t).expect("cases");
                (m.confusion, m.pairs)
            } else {
                let m = pairs::checks(&eval.join("nomenklatura/checks.yml"), t).expect("checks");
                (m.confusion, m.pairs)
            };
            let ps: Vec<_> = ps
                .into_iter()
                .filter(|p| p.part == embargo_eval::Part::Dev)
                .collect();
            let c = pairs::confusion_of(&ps, None, t);
            for p in &ps {
                if (p.score >= t) != p.label {
                    println!(
                        "{} {:.3} {:?} | {} | {}",
                        if p.label { "FN" } else { "FP" },
                        p.score,
                        p.schema,
                        p.a,
                        p.b
                    );
                }
            }
            println!(
                "dev: {c:?} P={:.3} R={:.3} F1={:.3} acc={:.3}",
                c.precision(),
                c.recall(),
                c.f1(),
                c.accuracy()
            );
            for th in [0.6, 0.65, 0.7, 0.72, 0.75, 0.78, 0.8, 0.82, 0.85, 0.88, 0.9] {
                let mut cc = pairs::Confusion::default();
                for p in &ps {
                    cc.add(p.score >= th, p.label);
                }
                println!("t={th:.2} F1={:.3} acc={:.3}", cc.f1(), cc.accuracy());
            }
        }
        "translit" => {
            for r in translit::all(&eval.join("transliteration"), t).expect("translit") {
                println!("{} {:.3} n={}", r.script, r.recall(), r.n);
                for m in r.misses.iter().take(60) {
                    println!("   {m:?}");
                }
            }
            let w = pairs::watchman(&eval.join("watchman/cross_script_pairs.csv"), t).expect("w");
            for p in &w.pairs {
                println!("  {:.3} {} | {}", p.score, p.a, p.b);
            }
        }
        "pos" => {
            let m = screening::positives(&shared, t).expect("positives");
            println!("recall {:.4} ({}/{})", m.recall(), m.found, m.n);
            for x in m.misses.iter().take(40) {
                println!("  miss {x:?}");
            }
        }
        "neg" => {
            let start = std::time::Instant::now();
            let m = screening::negatives(&shared, t).expect("negatives");
            println!(
                "fp rate {:.4} ({}/{}) in {:?}",
                m.fp_rate(),
                m.with_hit,
                m.n,
                start.elapsed()
            );
            for x in &m.sample {
                println!("  {x:?}");
            }
        }
        "cjk" => {
            // Dev split only; every hit with its explanation.
            let m = embargo_match::Matcher::build(
                embargo_eval::lists::load_all(&shared).expect("lists"),
            );
            let o = embargo_match::ScreenOptions {
                threshold: t,
                limit: 1,
                ..Default::default()
            };
            let (mut n, mut hit) = (0, 0);
            for (q, part) in screening::chinese_negative_queries() {
                if part != embargo_eval::Part::Dev {
                    continue;
                }
                n += 1;
                if let Some(h) = m.screen(&q, &o).first() {
                    hit += 1;
                    println!("{} -> {} {:.3}", q.name, h.matched_name, h.score);
                    print!("{}", h.explanation.to_text());
                }
            }
            println!("dev: {hit} of {n} with a hit");
        }
        "screen" => {
            // Screens the queries given after the mode against CSL + SDN +
            // UN and prints the top hits: `tune ../shared screen "name" …`
            // (a query prefixed "person:" is screened as a person).
            let m = embargo_match::Matcher::build(
                embargo_eval::lists::load_all(&shared).expect("lists"),
            );
            let o = embargo_match::ScreenOptions {
                threshold: 0.5,
                limit: 3,
                ..Default::default()
            };
            for a in &args[3..] {
                let mut q = embargo_match::Query::name(a.trim_start_matches("person:"));
                if a.starts_with("person:") {
                    q.schema = Some(embargo_model::Schema::Person);
                }
                println!("{a}");
                for h in m.screen(&q, &o) {
                    println!("  {:.3} {}", h.score, h.matched_name);
                }
            }
        }
        "ofac" => {
            let m = pairs::cases(&eval.join("nomenklatura/cases.csv"), t).expect("cases");
            for th in [0.8, 0.85, 0.88, 0.9, 0.92, 0.94, 0.95, 0.97] {
                let mut c = pairs::Confusion::default();
                for p in &m.pairs {
                    c.add(embargo_match::compare_names_ofac(&p.a, &p.b) >= th, p.label);
                }
                println!(
                    "ofac t={th:.2} P={:.3} R={:.3} F1={:.3}",
                    c.precision(),
                    c.recall(),
                    c.f1()
                );
            }
        }
        _ => println!("{}", embargo_eval::run_all(&shared)),
    }
}
