//! Prints the pack's version, size, per-programme counts and parse time:
//! `cargo run -p embargo-pack --example pack_stats`.

use std::collections::BTreeMap;
use std::time::Instant;

fn main() {
    let bytes: usize = embargo_pack::FILES.iter().map(|(_, t)| t.len()).sum();
    let t = Instant::now();
    let parsed = embargo_pack::load();
    let took = t.elapsed();
    match parsed {
        Ok(v) => {
            let mut by_program: BTreeMap<&str, usize> = BTreeMap::new();
            for e in &v {
                for p in &e.programs {
                    *by_program.entry(p.as_str()).or_default() += 1;
                }
            }
            let names: usize = v.iter().map(|e| e.names.len()).sum();
            let version = embargo_pack::version();
            println!(
                "version {} ({} entities, {names} names, {bytes} bytes)",
                version.version,
                v.len()
            );
            println!("parse {took:?}");
            for (p, n) in by_program {
                println!("  {p:<20} {n}");
            }
        }
        Err(e) => eprintln!("invalid pack: {e}"),
    }
}
