//! Plain-text rendering for analysts at a terminal.

use embargo_app::{ScreenResult, Snapshot};

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

pub fn print_screen(name: &str, snap: &Snapshot, results: &[ScreenResult], explain: bool) {
    println!(
        "Screening {name:?} against: {}",
        snap.default_datasets.join(", ")
    );
    println!("List versions: {}", snap.version_labels().join(", "));
    if results.is_empty() {
        println!("\nNo candidate above the threshold. This is not a clearance: review ownership, addresses and the transaction itself.");
        return;
    }
    println!();
    println!(
        "{:>2}  {:>5}  {:<48}  {:<34}  {:<10}",
        "#", "score", "listed name", "list", "listed on"
    );
    for (i, r) in results.iter().enumerate() {
        let list = r.list.clone().unwrap_or_else(|| r.source.clone());
        println!(
            "{:>2}  {:>5.3}  {:<48}  {:<34}  {:<10}",
            i + 1,
            r.score,
            truncate(&r.caption, 48),
            truncate(&list, 34),
            r.listed_on.as_deref().unwrap_or("-")
        );
        if r.matched_name != r.caption {
            println!("              matched name: {}", r.matched_name);
        }
        if !r.programs.is_empty() {
            println!("              programs: {}", r.programs.join(", "));
        }
        if let Some(req) = &r.license_requirement {
            println!("              licence requirement: {req}");
        }
        if let Some(pol) = &r.license_policy {
            println!("              licence review policy: {pol}");
        }
        println!("              id: {}  ({})", r.entity_id, r.list_version);
        if explain {
            for line in r.explanation.to_text().lines() {
                println!("              | {line}");
            }
        }
    }
}
