//! Screens names given on the command line against CSL 2022 + SDN
//! 2024-05-03 + UN from ../shared and prints the explained hits.
//!
//! `cargo run -p embargo-match --example screen_lists -- "Vladimir Putin" "海康威视"`

use embargo_match::{Matcher, Query, ScreenOptions};
use embargo_model::SourceKind;

fn main() {
    let Some(shared) = embargo_testkit::shared_dir() else {
        eprintln!("SKIP: ../shared not found");
        return;
    };
    let mut entities = Vec::new();
    for (rel, kind) in [
        (
            "data/lists/us_csl/2022-05/consolidated.csv",
            SourceKind::TradeCsl,
        ),
        (
            "data/lists/ofac_sdn/2024-05-03/sdn.csv",
            SourceKind::OfacSdn,
        ),
        (
            "data/lists/un/2026-02/UN_consolidated.xml",
            SourceKind::UnSc,
        ),
    ] {
        match embargo_sources::parse_path(&shared.join(rel), Some(kind)) {
            Ok(p) => entities.extend(p.entities),
            Err(e) => eprintln!("{rel}: {e}"),
        }
    }
    let m = Matcher::build(entities);
    let o = ScreenOptions {
        limit: 3,
        ..Default::default()
    };
    for name in std::env::args().skip(1) {
        println!("== {name}");
        for h in m.screen(&Query::name(name.as_str()), &o) {
            print!("{} {}", h.entity_id, h.explanation.to_text());
        }
    }
}
