//! Measures parse throughput (MB/s) of the big official files.
//!
//! ```sh
//! cargo run -p embargo-sources --example parse_speed --release [FILE…]
//! ```
//! Without arguments it uses the SDN 2024-05-03 and CSL 2022-05 files from
//! `../shared/data/lists`. Each file is parsed 5 times; the best run counts
//! (the first warms the page cache).

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let args: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let files = if args.is_empty() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/lists");
        vec![
            root.join("ofac_sdn/2024-05-03/sdn.csv"),
            root.join("us_csl/2022-05/consolidated.csv"),
        ]
    } else {
        args
    };
    for f in files {
        let bytes = match std::fs::metadata(&f) {
            Ok(m) => m.len(),
            Err(e) => {
                eprintln!("skip {}: {e}", f.display());
                continue;
            }
        };
        let mut best = f64::MAX;
        let mut n = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let parsed = embargo_sources::parse_path(&f, None);
            // Stop the clock before the result is dropped: freeing 15k
            // entities is not parsing.
            let took = t.elapsed().as_secs_f64();
            match parsed {
                Ok(p) => n = p.entities.len(),
                Err(e) => {
                    eprintln!("{e}");
                    break;
                }
            }
            best = best.min(took);
        }
        println!(
            "{}: {:.1} MB, {} entities, best {:.1} ms, {:.1} MB/s",
            f.display(),
            bytes as f64 / 1e6,
            n,
            best * 1e3,
            bytes as f64 / 1e6 / best
        );
    }
}
