//! Prints per-file statistics (entities, warnings, filled fields) for
//! checking a parser against a real file.
//!
//! ```sh
//! cargo run -p embargo-sources --example dump_stats -- FILE…
//! ```
//! With `DUMP=<id>,<id>` set, those entities are printed as JSON.

fn main() {
    for f in std::env::args().skip(1) {
        match embargo_sources::parse_path(f.as_ref(), None) {
            Err(e) => println!("{f}: ERROR {e}"),
            Ok(p) => {
                let n = |g: &dyn Fn(&embargo_model::Entity) -> bool| {
                    p.entities.iter().filter(|e| g(e)).count()
                };
                println!(
                    "{f}: {:?} {} entities, {} deletions, rows {:?}, published {:?}",
                    p.kind,
                    p.entities.len(),
                    p.deletions.len(),
                    p.rows,
                    p.published
                );
                println!(
                    "  with dob {} pob {} nat {} ids {} addr {} links {} aliases {} programs {} listed_on {} countries {}",
                    n(&|e| !e.birth_dates.is_empty()),
                    n(&|e| !e.birth_places.is_empty()),
                    n(&|e| !e.nationalities.is_empty()),
                    n(&|e| !e.identifiers.is_empty()),
                    n(&|e| !e.addresses.is_empty()),
                    n(&|e| !e.links.is_empty()),
                    n(&|e| e.names.len() > 1),
                    n(&|e| !e.programs.is_empty()),
                    n(&|e| e.listed_on.is_some()),
                    n(&|e| !e.countries.is_empty()),
                );
                let dump = std::env::var("DUMP").unwrap_or_default();
                for id in dump.split(',').filter(|s| !s.is_empty()) {
                    if let Some(e) = p.entities.iter().find(|e| e.id.as_str() == id) {
                        println!("{}", serde_json::to_string_pretty(e).unwrap_or_default());
                    }
                }
                // Country spellings that did not map to a code.
                let mut unmapped = std::collections::BTreeMap::<&str, usize>::new();
                for e in &p.entities {
                    for k in [
                        "nationality",
                        "citizenship",
                        "citizenships",
                        "nationalities",
                        "country",
                    ] {
                        for v in e.properties.get(k).into_iter().flatten() {
                            *unmapped.entry(v.as_str()).or_default() += 1;
                        }
                    }
                }
                let mut addr = std::collections::BTreeMap::<&str, usize>::new();
                for a in p.entities.iter().flat_map(|e| &e.addresses) {
                    if a.country.is_none() {
                        let last = a.full.rsplit(", ").next().unwrap_or("");
                        *addr.entry(last).or_default() += 1;
                    }
                }
                let mut addr: Vec<_> = addr.into_iter().collect();
                addr.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
                addr.truncate(15);
                println!("  unmapped countries {unmapped:?}");
                println!("  addresses without country (last part) {addr:?}");
                println!("  warnings {}", p.warnings.len());
                for w in p.warnings.iter().take(5) {
                    println!("    {w}");
                }
            }
        }
    }
}
