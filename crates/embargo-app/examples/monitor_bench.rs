//! Monitoring benchmark (issue 14): a synthetic book of N customers
//! (default 1,000,000) with 200 planted listed names, a watch list whose
//! new version adds 100 entries.
//!
//! Measures, in one run on one machine: `book import` (CSV → books.sqlite,
//! with the diff against the previous version); building the book's index;
//! the baseline monitor (every customer against the lists); the delta
//! monitor of the 100 added entries (reverse search over the book, forward
//! check of the customers reached, one transaction); the full re-screen of
//! the book against the new lists. Asserts that the delta gives the same
//! (customer, record) alerts as the full re-screen gives for the added
//! entries, and prints the ratio.
//!
//! `cargo run --release -p embargo-app --example monitor_bench [-- CUSTOMERS [LIST_ENTRIES]]`

#[path = "../tests/it/common/synth.rs"]
mod synth;

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let customers: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let list_n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let dir = tempfile_dir();
    let o = synth::run(&dir, customers, list_n);
    let ratio = o.full_s / o.delta_s;
    println!(
        "monitor benchmark: {customers} customers, watch list {list_n} entries (+{} added)",
        synth::ADDED
    );
    println!(
        "  book import (CSV -> books.sqlite)      {:>8.2} s   target <= 60 s",
        o.book_import_s
    );
    println!(
        "  book index build in memory             {:>8.2} s   (import above includes the file)",
        o.index_s
    );
    println!(
        "  baseline monitor (full screen)         {:>8.2} s   ({} alerts)",
        o.baseline_s, o.baseline_alerts
    );
    println!(
        "  delta monitor, {} added entries        {:>8.3} s   target <= 2 s (index file mapped)",
        synth::ADDED,
        o.delta_s
    );
    println!(
        "    of which matching (no database)      {:>8.3} s",
        o.delta_match_s
    );
    println!(
        "  monitor, nothing new, index file       {:>8.3} s   (as the CLI runs it: mapped)",
        o.idle_monitor_s
    );
    println!(
        "    of which: customers from books.sqlite {:>8.3} s, key + verify + open the file {:.3} s",
        o.read_customers_s, o.map_index_s
    );
    println!(
        "  monitor, nothing new, index in memory  {:>8.3} s   (before index files: built first)",
        o.idle_monitor_memory_s
    );
    println!(
        "  delta hits over the mapped index = over the in-memory one: {} ({} hits)",
        o.file_hits_equal, o.file_hits
    );
    assert!(o.file_hits_equal, "the mapped book index gives other hits");
    let skip_full = std::env::var("SYNTH_SKIP_FULL").is_ok();
    if skip_full {
        println!("  full re-screen skipped (SYNTH_SKIP_FULL): equality and ratio not checked");
        println!("  peak RSS {:.0} MB", rss_mb());
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    println!(
        "  full re-screen against the new lists   {:>8.2} s",
        o.full_s
    );
    println!(
        "  ratio full / delta                     {:>8.0} x   target >= 100 x",
        ratio
    );
    println!(
        "  delta alerts {} = full re-screen's {} for the added entries; planted found {}/{}",
        o.delta_pairs.len(),
        o.full_pairs.len(),
        o.planted_new_found,
        synth::PLANTED_NEW
    );
    println!("  peak RSS {:.0} MB", rss_mb());
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        o.delta_pairs, o.full_pairs,
        "the delta's alerts differ from the full re-screen's"
    );
    if o.book_import_s > 60.0 || o.delta_s > 2.0 || ratio < 100.0 {
        eprintln!("TARGET MISSED");
        std::process::exit(1);
    }
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("embargo-monitor-bench-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}
