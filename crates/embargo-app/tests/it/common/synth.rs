//! A synthetic monitoring scenario shared by the CI-sized test
//! (`tests/it/monitoring_scale.rs`) and the benchmark
//! (`examples/monitor_bench.rs`): a custom watch list whose new version
//! adds 100 entries, and a customer book with 200 planted listed names
//! (150 of entries already listed, 50 of the added ones; every fourth one
//! misspelt by two swapped letters).
//!
//! Names are made of syllables by a seeded generator, so runs are
//! reproducible and nothing is read from outside the repository.

#![allow(dead_code)]

use embargo_app::monitoring::{delta_hits, full_rescreen, rows_touching};
use embargo_app::{App, BookColumns, BookIndex};
use embargo_model::{Entity, EntityId, PublishedBasis, Schema, SourceKind};
use embargo_store::NewVersion;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

pub const DATASET: &str = "custom_synthetic_watchlist";
pub const ADDED: usize = 100;
pub const PLANTED_OLD: usize = 150;
pub const PLANTED_NEW: usize = 50;

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SYL: &[&str] = &[
    "ka", "lo", "mi", "ve", "ra", "tu", "sen", "dor", "bel", "ian", "os", "ur", "tha", "pe", "qui",
    "zan", "mor", "lin", "gar", "fe", "nu", "hal", "vik", "sto", "ren", "da", "jo", "wel", "bri",
    "cas", "ton", "mes", "ola", "pri", "gus", "ter",
];
const FORMS: &[&str] = &[
    "Trading Co",
    "Industries Ltd",
    "Logistics LLC",
    "Holdings",
    "Shipping",
];

pub fn word(r: &mut Rng) -> String {
    let n = 2 + r.below(2);
    let s: String = (0..n).map(|_| SYL[r.below(SYL.len())]).collect();
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => s,
    }
}

/// A name and its schema: persons (two words) and companies (two words
/// and a legal form), two to one.
pub fn name(r: &mut Rng) -> (String, Schema) {
    if r.below(3) < 2 {
        (format!("{} {}", word(r), word(r)), Schema::Person)
    } else {
        (
            format!("{} {} {}", word(r), word(r), FORMS[r.below(FORMS.len())]),
            Schema::Company,
        )
    }
}

/// The watch list: `n` entries; the base version holds all but the last
/// [`ADDED`].
pub fn list_entities(n: usize) -> Vec<Entity> {
    let mut r = Rng::new(7);
    (0..n)
        .map(|i| {
            let (nm, schema) = name(&mut r);
            let mut e = Entity::new(EntityId(format!("{DATASET}:{i}")), schema, DATASET, &nm);
            e.programs = vec!["SYNTH".into()];
            e
        })
        .collect()
}

/// Imports `entities` as a version of the watch list.
pub fn import_list(app: &App, entities: &[Entity], label: &str, published: &str) {
    let tag: String = label.bytes().map(|b| format!("{b:02x}")).collect();
    let sha = format!("{:0>64}", format!("{:x}", entities.len()) + &tag);
    app.store
        .import(
            NewVersion {
                dataset: DATASET.into(),
                source: SourceKind::Custom,
                sha256: sha[sha.len() - 64..].to_string(),
                published: Some(published.parse().expect("date")),
                published_basis: PublishedBasis::Operator,
                origin: format!("synthetic {label}"),
            },
            entities,
        )
        .expect("synthetic list imports");
    app.reload().expect("snapshot reloads");
}

fn misspell(s: &str) -> String {
    let mut c: Vec<char> = s.chars().collect();
    let i = c.len() / 2;
    if c[i].is_alphabetic() && c[i + 1].is_alphabetic() {
        c.swap(i, i + 1);
    }
    c.into_iter().collect()
}

/// Writes the book CSV: `customers` rows, 200 of them planted listed names
/// (ids `P0`…), the rest random (ids `C…`).
pub fn write_book(path: &Path, customers: usize, list: &[Entity]) -> Vec<(String, String)> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("book file"));
    writeln!(f, "id,name,schema").unwrap();
    let base = list.len() - ADDED;
    let mut planted: Vec<(String, String)> = Vec::new();
    for i in 0..PLANTED_OLD {
        planted.push((format!("P{i}"), list[i * base / PLANTED_OLD].id.to_string()));
    }
    for i in 0..PLANTED_NEW {
        planted.push((
            format!("P{}", PLANTED_OLD + i),
            list[base + i * 2].id.to_string(),
        ));
    }
    let step = customers / planted.len();
    let mut r = Rng::new(11);
    let mut p = 0;
    for i in 0..customers {
        if i % step == 0 && p < planted.len() {
            let e = list
                .iter()
                .find(|e| e.id.as_str() == planted[p].1)
                .expect("planted entry");
            let nm = if p % 4 == 3 {
                misspell(e.caption())
            } else {
                e.caption().to_string()
            };
            writeln!(f, "{},\"{}\",{}", planted[p].0, nm, e.schema).unwrap();
            p += 1;
        } else {
            let (nm, schema) = name(&mut r);
            writeln!(f, "C{i},\"{nm}\",{schema}").unwrap();
        }
    }
    f.flush().unwrap();
    planted
}

pub fn columns() -> BookColumns {
    BookColumns {
        id: "id".into(),
        name: "name".into(),
        schema: Some("schema".into()),
        ..Default::default()
    }
}

/// What one run of the scenario measured.
#[derive(Debug)]
pub struct Outcome {
    pub customers: usize,
    pub book_import_s: f64,
    pub index_s: f64,
    pub baseline_s: f64,
    pub baseline_alerts: u64,
    /// `monitor` of the list change (delta of [`ADDED`] entries), index in hand.
    pub delta_s: f64,
    /// The same delta's matching work alone (no database).
    pub delta_match_s: f64,
    pub full_s: f64,
    /// `monitor` with nothing new, as the CLI runs it: the book's index
    /// comes from the data directory (built there when missing).
    pub idle_monitor_s: f64,
    /// The same with the index built in memory first (before index files).
    pub idle_monitor_memory_s: f64,
    /// Whether the delta's hits over the mapped index equal those over the
    /// in-memory one, and how many there were.
    pub file_hits_equal: bool,
    /// Of a mapped monitor's overhead: reading the customers from
    /// `books.sqlite`, and keying, verifying and opening the file.
    pub read_customers_s: f64,
    pub map_index_s: f64,
    pub file_hits: usize,
    pub delta_pairs: BTreeSet<(String, String)>,
    pub full_pairs: BTreeSet<(String, String)>,
    pub planted_new_found: usize,
}

/// Runs the scenario in `dir`: list base version, book import, baseline
/// monitor, list new version, delta monitor, full re-screen for reference.
pub fn run(dir: &Path, customers: usize, list_n: usize) -> Outcome {
    let app = App::open(dir).expect("app opens");
    let list = list_entities(list_n);
    import_list(&app, &list[..list_n - ADDED], "base", "2026-01-01");
    let book_file = dir.join("book.csv");
    let planted = write_book(&book_file, customers, &list);
    let t = Instant::now();
    let input = std::fs::File::open(&book_file).expect("book opens");
    let imported = app
        .import_book(
            "bench",
            "synthetic",
            "book.csv",
            std::io::BufReader::new(input),
            &columns(),
            0.8,
        )
        .expect("book imports");
    let book_import_s = t.elapsed().as_secs_f64();
    assert_eq!(imported.customers as usize, customers);
    let db = app.books().expect("books open");
    let t = Instant::now();
    let index = BookIndex::build(
        "synthetic",
        1,
        db.customers("synthetic").expect("customers"),
    );
    let index_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let base = app
        .monitor_book(&db, "bench", "synthetic", Some(&index))
        .expect("baseline monitor");
    let baseline_s = t.elapsed().as_secs_f64();
    let baseline_alerts = base.deltas.iter().map(|d| d.alerts.created).sum();
    import_list(&app, &list, "new", "2026-01-02");
    let snap = app.snapshot();
    let added: Vec<EntityId> = list[list_n - ADDED..]
        .iter()
        .map(|e| e.id.clone())
        .collect();
    // The delta as the CLI runs it: the book's index mapped from the file
    // `book import` wrote.
    let t = Instant::now();
    let rep = app
        .monitor_book(&db, "bench", "synthetic", None)
        .expect("delta monitor");
    let delta_s = t.elapsed().as_secs_f64();
    let file = rep.index_file.clone().expect("the monitor mapped a file");
    assert_eq!(file.rebuilt, None, "book import wrote the index file");
    assert_eq!(rep.deltas.len(), 1, "{rep:?}");
    assert_eq!(rep.deltas[0].entries_added as usize, ADDED, "{rep:?}");
    let t = Instant::now();
    let _ = delta_hits(&snap, &index, &added, 0.8, &[]);
    let delta_match_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let idle = app
        .monitor_book(&db, "bench", "synthetic", None)
        .expect("idle monitor");
    let idle_monitor_s = t.elapsed().as_secs_f64();
    assert!(idle.deltas.is_empty(), "{idle:?}");
    // The same, as it was before the index file: built in memory first.
    let t = Instant::now();
    let mem = BookIndex::build(
        "synthetic",
        1,
        db.customers("synthetic").expect("customers"),
    );
    let idle = app
        .monitor_book(&db, "bench", "synthetic", Some(&mem))
        .expect("idle monitor, index in memory");
    let idle_monitor_memory_s = t.elapsed().as_secs_f64();
    assert!(idle.deltas.is_empty(), "{idle:?}");
    drop(mem);
    // The delta's hits over the mapped index are those over the in-memory
    // one: same customers, rows, scores and explanations.
    let t = Instant::now();
    let book_customers = db.customers("synthetic").expect("customers");
    let read_customers_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mapped = embargo_app::book_index::load_book_index(dir, "synthetic", 1, book_customers)
        .expect("book index file");
    let map_index_s = t.elapsed().as_secs_f64();
    assert_eq!(mapped.file.as_ref().and_then(|f| f.rebuilt.clone()), None);
    let as_json = |hits: Vec<(usize, embargo_app::ScreenResult)>| -> Vec<serde_json::Value> {
        hits.into_iter()
            .map(|(c, r)| serde_json::json!([c, r]))
            .collect()
    };
    let mem_hits = as_json(delta_hits(&snap, &index, &added, 0.8, &[]));
    let file_hits = as_json(delta_hits(&snap, &mapped, &added, 0.8, &[]));
    let file_hits_equal = mem_hits == file_hits;
    let file_hits_n = file_hits.len();
    drop(mapped);
    // SYNTH_SKIP_FULL=1: no full re-screen (it takes minutes at 10^6
    // customers); the equality is then not checked by this run.
    let skip_full = std::env::var("SYNTH_SKIP_FULL").is_ok();
    let t = Instant::now();
    let full = if skip_full {
        Vec::new()
    } else {
        full_rescreen(&snap, &index, 0.8)
    };
    let full_s = t.elapsed().as_secs_f64();
    let pairs = |rows: &[(usize, embargo_app::ScreenResult)]| -> BTreeSet<(String, String)> {
        rows.iter()
            .map(|(c, r)| (index.customers[*c].id.clone(), r.entity_id.to_string()))
            .collect()
    };
    let full_pairs = pairs(&rows_touching(&full, &added));
    if std::env::var("SYNTH_DEBUG").is_ok() {
        let alerts = db.alerts(&Default::default()).unwrap();
        for (c, e) in &full_pairs {
            if !alerts
                .iter()
                .any(|a| &a.customer_id == c && &a.entity_id == e)
            {
                explain_miss(&app, &index, c, e);
            }
        }
    }
    let alerts = db
        .alerts(&embargo_app::AlertFilter {
            book: Some("synthetic".into()),
            ..Default::default()
        })
        .expect("alerts");
    let cause = format!("listed in {DATASET} version");
    let delta_pairs: BTreeSet<(String, String)> = alerts
        .iter()
        .filter(|a| a.cause.starts_with(&cause))
        .map(|a| (a.customer_id.clone(), a.entity_id.clone()))
        .collect();
    let added_ids: BTreeSet<&str> = added.iter().map(|i| i.as_str()).collect();
    let planted_new_found = planted
        .iter()
        .filter(|(_, e)| added_ids.contains(e.as_str()))
        .filter(|(c, e)| delta_pairs.contains(&(c.clone(), e.clone())))
        .count();
    Outcome {
        customers,
        book_import_s,
        index_s,
        baseline_s,
        baseline_alerts,
        delta_s,
        delta_match_s,
        full_s,
        idle_monitor_s,
        idle_monitor_memory_s,
        file_hits_equal,
        read_customers_s,
        map_index_s,
        file_hits: file_hits_n,
        delta_pairs,
        full_pairs,
        planted_new_found,
    }
}

/// Debug aid: why the reverse search missed a pair.
pub fn explain_miss(app: &App, index: &BookIndex, customer: &str, entity: &str) {
    let snap = app.snapshot();
    let ci = index.by_id[customer];
    let c = &index.customers[ci];
    let e = snap.entity(&EntityId(entity.into())).unwrap();
    let rows = embargo_app::monitoring::screen_customers(&snap, index, &[ci], 0.8);
    let fwd: Vec<_> = rows[0]
        .iter()
        .map(|r| (r.entity_id.to_string(), r.score))
        .collect();
    let q = embargo_match::Query::name(e.caption());
    let opts = embargo_match::ScreenOptions {
        threshold: 0.3,
        limit: 100000,
        ..Default::default()
    };
    let rev = index.search(&[q], &opts);
    let pos = rev.iter().position(|&h| h == ci);
    eprintln!("MISS {customer} {:?} vs {entity} {:?}: forward {fwd:?}; reverse hits {} position {pos:?} score {:?}",
        c.name, e.caption(), rev.len(), pos);
}
