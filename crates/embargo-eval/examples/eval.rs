//! Developer shortcut: the same table as `embargo eval`, without building the
//! CLI. `cargo run -p embargo-eval --example eval -- ../shared`

use std::path::PathBuf;

fn main() {
    let shared = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "../shared".into()),
    );
    println!("{}", embargo_eval::run_all(&shared));
}
