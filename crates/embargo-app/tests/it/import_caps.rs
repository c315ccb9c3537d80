//! Bounded import (issue 13, red team), on the official Consolidated
//! Screening List from `../shared`: the same file with one added record
//! that has a million aliases, or a name that is one 10 MB word, is
//! refused naming the cap, the active version stays, and screens answer
//! as before.

use embargo_app::{import_path, App, ScreenInput};
use std::io::Write;

const CSL: &str = "data/lists/us_csl/2022-05/consolidated.csv";

/// The real file plus one record built from its own header.
fn poisoned(
    real: &std::path::Path,
    dir: &std::path::Path,
    name: &str,
    alt: &str,
) -> std::path::PathBuf {
    let text = std::fs::read_to_string(real).unwrap();
    let header = text.lines().next().unwrap();
    let cols: Vec<&str> = header.split(',').map(|c| c.trim_matches('"')).collect();
    let mut row = vec![String::new(); cols.len()];
    let at = |c: &str| {
        cols.iter()
            .position(|x| *x == c)
            .unwrap_or_else(|| panic!("no column {c}"))
    };
    row[at("_id")] = "poisoned-record".into();
    row[at("source")] = "Entity List (EL) - Bureau of Industry and Security".into();
    row[at("name")] = name.into();
    row[at("alt_names")] = alt.into();
    let p = dir.join("consolidated.csv");
    let mut f = std::fs::File::create(&p).unwrap();
    f.write_all(text.as_bytes()).unwrap();
    if !text.ends_with('\n') {
        f.write_all(b"\n").unwrap();
    }
    let line: Vec<String> = row.iter().map(|v| format!("\"{v}\"")).collect();
    writeln!(f, "{}", line.join(",")).unwrap();
    p
}

fn hits(app: &App, name: &str) -> Vec<String> {
    let s = ScreenInput {
        name: name.into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    app.screen("test", &s)
        .unwrap()
        .hits
        .iter()
        .map(|h| h.result.entity_id.0.clone())
        .collect()
}

#[test]
fn an_oversized_record_is_refused_and_the_active_list_stays() {
    let Some(real) = embargo_testkit::shared_file(CSL) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    import_path(&app.store, &real, None, None).unwrap();
    app.reload().unwrap();
    let active = app.store.active_version("us_trade_csl").unwrap().unwrap();
    let before = hits(&app, "Huawei Technologies");
    assert!(!before.is_empty());

    let work = tempfile::tempdir().unwrap();
    let aliases: Vec<String> = (0..1_000_000).map(|i| format!("Alias {i}")).collect();
    let huge = "x".repeat(10 * 1024 * 1024);
    for (name, alt, cap) in [
        ("Many Names Co", aliases.join("; "), "MAX_NAMES_PER_RECORD"),
        (huge.as_str(), String::new(), "MAX_NAME_CHARS"),
    ] {
        let p = poisoned(&real, work.path(), name, &alt);
        let t = std::time::Instant::now();
        let e = import_path(&app.store, &p, None, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains(cap), "{e}");
        assert!(e.contains("poisoned-record"), "{e}");
        // Linear: seconds, not the minutes a quadratic alias check takes.
        assert!(
            t.elapsed() < std::time::Duration::from_secs(60),
            "{:?}",
            t.elapsed()
        );
        let now = app.store.active_version("us_trade_csl").unwrap().unwrap();
        assert_eq!(now.version, active.version);
        assert_eq!(hits(&app, "Huawei Technologies"), before);
    }
}
