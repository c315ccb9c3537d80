//! Index at scale (issue 18): synthetic lists of N names from
//! `embargo_testkit::synth`, planted queries (exact, typo, reordered,
//! Cyrillic), the in-memory index against the index file.
//!
//! ```text
//! cargo run --release -p embargo-match --example index_scale -- build N FILE [--csv LIST.csv]
//! cargo run --release -p embargo-match --example index_scale -- open N FILE
//! cargo run --release -p embargo-match --example index_scale -- build-streamed N FILE
//! ```
//! `build-streamed` builds the file with the streamed builder alone (time,
//! CPU time, peak RSS); `open` opens it quickly (as a data directory does
//! a file it verified before), and times the full verification last.
//! `build` generates N names, builds the in-memory index (timed, with its
//! resident memory), writes the index file (timed, sized), screens the
//! planted queries through both and prints recall and per-query cost; with
//! `--csv` it also writes the list as a custom list for `embargo lists
//! import`. `open`, run in a fresh process, maps the file and screens the
//! same planted queries: open time, first-query time, per-query cost,
//! recall and resident memory of a process that only screens.

use embargo_match::{Matcher, Query, ScreenOptions};
use embargo_model::{Entity, EntityId, Schema};
use embargo_testkit::synth;
use std::time::Instant;

const SEED: u64 = 18;
const QUERIES: usize = 2000;

fn status_mb(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let l = s.lines().find(|l| l.starts_with(key))?.to_string();
            l.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn entity(e: &synth::Entry) -> Entity {
    let schema = if e.person {
        Schema::Person
    } else {
        Schema::Company
    };
    Entity::new(EntityId::new("synth", &e.id), schema, "synth", &e.name)
}

fn entities(list: &[synth::Entry]) -> Vec<Entity> {
    list.iter().map(entity).collect()
}

/// CPU time of the process so far (user + system), seconds.
fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.to_string();
            let f: Vec<&str> = rest.split_whitespace().collect();
            let t = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
            Some(t / 100.0)
        })
        .unwrap_or(f64::NAN)
}

/// Recall of the planted targets and per-query cost on one thread.
fn screen(label: &str, m: &Matcher, planted: &[synth::Planted]) -> Vec<Vec<String>> {
    let o = ScreenOptions::default();
    let qs: Vec<Query> = planted.iter().map(|p| Query::name(&p.query)).collect();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let t = Instant::now();
    let hits = one.install(|| m.screen_batch(&qs, &o));
    let per = t.elapsed().as_secs_f64() / qs.len() as f64 * 1e6;
    let t = Instant::now();
    std::hint::black_box(m.screen_batch(&qs, &o));
    let per_batch = t.elapsed().as_secs_f64() / qs.len() as f64 * 1e6;
    let ids: Vec<Vec<String>> = hits
        .iter()
        .map(|h| h.iter().map(|h| h.entity_id.to_string()).collect())
        .collect();
    let names: std::collections::HashMap<String, &str> = hits
        .iter()
        .flatten()
        .map(|h| (h.entity_id.to_string(), m.entity(h.entity_index).caption()))
        .collect();
    let names: std::collections::HashMap<&str, &str> =
        names.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    let mut found = std::collections::BTreeMap::new();
    for (p, ids) in planted.iter().zip(&ids) {
        let slot = found.entry(format!("{:?}", p.alteration)).or_insert((0, 0));
        slot.1 += 1;
        // The target, or an entry listed under exactly its name (common
        // names repeat; by name alone they cannot be told apart).
        if ids.iter().any(|i| {
            i == &format!("synth:{}", p.target) || names.get(i.as_str()) == Some(&p.name.as_str())
        }) {
            slot.0 += 1;
        }
    }
    let total: (usize, usize) = found.values().fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    println!(
        "{label}: {per:.0} µs/query on 1 thread, {per_batch:.0} µs/query batch on {} threads; planted recall {}/{} ({:.1} %) {}",
        rayon::current_num_threads(),
        total.0,
        total.1,
        100.0 * total.0 as f64 / total.1 as f64,
        found
            .iter()
            .map(|(k, v)| format!("{k} {}/{}", v.0, v.1))
            .collect::<Vec<_>>()
            .join(", ")
    );
    ids
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(mode), Some(n), Some(file)) = (args.first(), args.get(1), args.get(2)) else {
        eprintln!("usage: index_scale build|open N FILE [--csv LIST.csv]");
        std::process::exit(2);
    };
    let n: usize = n.replace('_', "").parse().expect("N");
    let t = Instant::now();
    let list = synth::entries(n, SEED);
    let planted = synth::planted(&list, QUERIES, SEED);
    println!("generated {n} names in {:?}", t.elapsed());
    match mode.as_str() {
        "build" => {
            if let Some(i) = args.iter().position(|a| a == "--csv") {
                let p = args.get(i + 1).expect("--csv FILE");
                std::fs::write(p, synth::custom_csv(&list)).expect("write csv");
            }
            let es = entities(&list);
            drop(list);
            let rss0 = status_mb("VmRSS:");
            let t = Instant::now();
            let m = Matcher::build(es);
            let build = t.elapsed();
            let rss1 = status_mb("VmRSS:");
            println!(
                "in-memory index: built in {build:?}, resident +{:.0} MB ({:.0} bytes/name)",
                rss1 - rss0,
                (rss1 - rss0) * 1048576.0 / n as f64
            );
            let t = Instant::now();
            let bytes = m.to_index_file().expect("encode");
            let enc = t.elapsed();
            std::fs::write(file, &bytes).expect("write");
            println!(
                "index file: encoded in {enc:?} ({:.1} s build + encode), {:.1} MB ({:.0} bytes/name), peak RSS {:.0} MB",
                (build + enc).as_secs_f64(),
                bytes.len() as f64 / 1e6,
                bytes.len() as f64 / n as f64,
                status_mb("VmHWM:")
            );
            drop(bytes);
            let a = screen("in-memory index", &m, &planted);
            let f = Matcher::open(embargo_mmap::map(std::path::Path::new(file)).expect("map"))
                .expect("open");
            let b = screen("index file", &f, &planted);
            println!("identical hits for every planted query: {}", a == b);
        }
        "build-streamed" => {
            // The streamed builder (no in-memory index), in its own
            // process so that its peak RSS is its own; entities are made
            // from the generated entries as the builder pulls them.
            let rss0 = status_mb("VmRSS:");
            let t = Instant::now();
            let cpu0 = cpu_s();
            let secs =
                embargo_match::index::index_sections_streamed(list.iter().map(entity), &|_, _| {})
                    .expect("encode");
            let built = t.elapsed();
            let refs: Vec<(&str, &[u8])> = secs
                .iter()
                .map(|(n, b)| (n.as_str(), b.as_slice()))
                .collect();
            let mut out =
                std::io::BufWriter::new(std::fs::File::create(file).expect("create the file"));
            let size = embargo_match::index::write_to(&mut out, &refs).expect("write");
            drop(out);
            println!(
                "streamed index file: built in {:.1} s, built and written in {:.1} s (CPU {:.1} s user+sys), {:.1} MB ({:.0} bytes/name), resident before {rss0:.0} MB, peak RSS {:.0} MB",
                built.as_secs_f64(),
                t.elapsed().as_secs_f64(),
                cpu_s() - cpu0,
                size as f64 / 1e6,
                size as f64 / n as f64,
                status_mb("VmHWM:")
            );
        }
        "open" => {
            drop(list);
            let rss0 = status_mb("VmRSS:");
            // As the data directory's cache opens a file it has verified
            // before (a verification stamp): header, table, small sections.
            let t = Instant::now();
            let bytes = embargo_mmap::map(std::path::Path::new(file)).expect("map");
            let c = embargo_match::index::Container::open_quick(bytes).expect("open");
            let f = Matcher::from_container(c.clone()).expect("open");
            let open = t.elapsed();
            let t = Instant::now();
            std::hint::black_box(
                f.screen(&Query::name(&planted[0].query), &ScreenOptions::default()),
            );
            println!(
                "opened in {open:?} (quick: header, table, small sections); first query {:?}; RSS {:.0} MB (+{:.0} MB)",
                t.elapsed(),
                status_mb("VmRSS:"),
                status_mb("VmRSS:") - rss0
            );
            screen("index file", &f, &planted);
            println!(
                "RSS after {QUERIES} queries: {:.0} MB (peak {:.0} MB)",
                status_mb("VmRSS:"),
                status_mb("VmHWM:")
            );
            // What a full verification (a first open) adds.
            let t = Instant::now();
            c.verify().expect("verify");
            println!(
                "full verification of the big sections: {:?} (RSS after it {:.0} MB)",
                t.elapsed(),
                status_mb("VmRSS:")
            );
        }
        _ => {
            eprintln!("mode must be build or open");
            std::process::exit(2);
        }
    }
}
