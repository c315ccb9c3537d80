//! Prints how a query matches one list name:
//! `cargo run -p embargo-match --example explain -- "query" "list name" [Person|Company|…]`

use embargo_match::{compare_names, Matcher, Query, ScreenOptions};
use embargo_model::{Entity, EntityId, Schema};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: explain QUERY LIST_NAME [SCHEMA]");
        std::process::exit(2);
    }
    let schema = args
        .get(3)
        .and_then(|s| Schema::parse(s))
        .unwrap_or(Schema::LegalEntity);
    let e = Entity::new(EntityId::new("cli", "1"), schema, "cli", &args[2]);
    let m = Matcher::build(vec![e]);
    let mut q = Query::name(args[1].as_str());
    q.schema = Some(schema);
    let o = ScreenOptions {
        threshold: 0.0,
        ..Default::default()
    };
    println!(
        "compare_names: {:.3}",
        compare_names(Some(schema), &args[1], &args[2])
    );
    for h in m.screen(&q, &o) {
        print!("{}", h.explanation.to_text());
    }
}
