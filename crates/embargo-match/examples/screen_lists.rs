//! Screens names given on the command line against CSL 2022 + SDN
//! 2024-05-03 + UN from ../shared and prints the explained hits.
//!
//! `cargo run -p embargo-match --example screen_lists -- "Vladimir Putin" "海康威视"`

#[path = "common/lists.rs"]
mod lists;

use embargo_match::{Matcher, Query, ScreenOptions};

fn main() {
    let Some(shared) = embargo_testkit::shared_dir() else {
        eprintln!("SKIP: ../shared not found");
        return;
    };
    let entities = match lists::load(&shared) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
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
