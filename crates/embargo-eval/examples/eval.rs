//! Developer shortcut: the same table as `embargo eval`, without building the
//! CLI. `cargo run -p embargo-eval --example eval -- ../shared`
//!
//! `EMBARGO_ABLATE=rule` runs it with that rule of the scoring profile
//! off (one rule's effect, without the whole `embargo eval --ablate`).

use std::path::PathBuf;

fn main() {
    let shared = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "../shared".into()),
    );
    if let Ok(rule) = std::env::var("EMBARGO_ABLATE") {
        if let Err(e) = embargo_match::profile::ablate(Some(&rule)) {
            eprintln!("{e}");
            std::process::exit(2);
        }
        println!("rule {rule} off");
    }
    println!("{}", embargo_eval::run_all(&shared));
}
