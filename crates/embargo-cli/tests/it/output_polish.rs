//! What a new user reads at the terminal (issue 17): tables that stay in
//! line, decisions that name the lists consulted, hits that say what they
//! mean. Needs nothing from ../shared.

use crate::common;

use common::ok;

#[test]
fn the_lists_table_stays_aligned_with_long_dataset_names() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let csv = d.join("blocklist.csv");
    std::fs::write(&csv, "id,schema,name\nA1,Company,Acme Blocked Trading\n").unwrap();
    for dataset in [
        "custom_short",
        "custom_a_dataset_name_far_longer_than_the_old_fixed_column",
    ] {
        ok(
            d,
            &[
                "lists",
                "import",
                csv.to_str().unwrap(),
                "--source",
                "custom",
                "--dataset",
                dataset,
                "--published",
                "2026-01-02",
            ],
        );
    }
    let table = ok(d, &["lists"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    let column = lines[0].find("published").expect("header");
    for row in &lines[1..] {
        // The version also starts with the date: find the column's cell.
        let cell = row.find("  2026-01-02  ").map(|i| i + 2);
        assert_eq!(cell, Some(column), "misaligned:\n{table}");
    }
}

#[test]
fn decide_ends_with_the_lists_consulted_even_without_a_hit() {
    let dir = tempfile::tempdir().unwrap();
    let tx = dir.path().join("tx.json");
    std::fs::write(
        &tx,
        r#"{"date": "2024-03-01", "flow": "export", "actor": {"us_person": true, "country": "US"},
            "destination": "FR", "item": {"eccn": "EAR99", "us_origin": true},
            "parties": [{"role": "end_user", "name": "Boulangerie Dupont et Fils", "country": "FR"}]}"#,
    )
    .unwrap();
    let text = ok(dir.path(), &["decide", tx.to_str().unwrap()]);
    let last = text.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("Lists consulted: embargo_xinjiang_pack@"),
        "{text}"
    );
    assert_eq!(text.matches("Lists consulted:").count(), 1, "{text}");

    // With a hit, the line still closes the output, once.
    std::fs::write(
        &tx,
        r#"{"date": "2024-03-01", "flow": "export", "actor": {"us_person": true, "country": "US"},
            "destination": "CN", "item": {"eccn": "EAR99", "us_origin": true},
            "parties": [{"role": "end_user", "name": "Hangzhou Hikvision Digital Technology Co., Ltd.", "country": "CN"}]}"#,
    )
    .unwrap();
    let text = ok(dir.path(), &["decide", tx.to_str().unwrap()]);
    let last = text.lines().last().unwrap_or_default();
    assert!(last.starts_with("Lists consulted: "), "{text}");
    assert_eq!(text.matches("Lists consulted:").count(), 1, "{text}");
}

#[test]
fn a_hit_says_what_its_programme_means() {
    let dir = tempfile::tempdir().unwrap();
    let text = ok(dir.path(), &["screen", "Hikvision", "--limit", "20"]);
    for meaning in [
        "means: CMIC: US persons may not buy or sell its publicly traded securities",
        "means: §889: US federal agencies may not buy",
        "means: FCC Covered List:",
    ] {
        assert!(text.contains(meaning), "{meaning:?} missing:\n{text}");
    }
}

#[test]
fn a_review_confirms_in_one_line_and_refuses_to_clear_a_name_that_does_not_hit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let hik = "embargo_xinjiang_pack:el-hikvision";
    let review = |name: &str, verdict: &str, extra: &[&str]| {
        let mut args = vec![
            "review",
            name,
            hik,
            "--verdict",
            verdict,
            "--reason",
            "walk-through",
            "--reviewer",
            "alice",
        ];
        args.extend_from_slice(extra);
        common::embargo(d, &args)
    };
    // A clear for a name that does not reach the record clears nothing:
    // refused, naming the record, and nothing recorded.
    let typo = review("Nobody Atall", "false-positive", &[]);
    assert_eq!(typo.status.code(), Some(2));
    let err = common::text(&typo.stderr);
    assert!(
        err.contains("no hit to clear") && err.contains(hik),
        "{err}"
    );

    // A clear of a real hit: one line saying what was recorded, then the
    // hit's state (four eyes on an Entity List hit), not the entity JSON.
    let out = review("Hikvision", "false-positive", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    let text = common::text(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with("Recorded review 1 (audit record "),
        "{text}"
    );
    assert!(
        lines[0].contains("alice marked")
            && lines[0].contains("a false positive for \"Hikvision\", score 1.00"),
        "{text}"
    );
    assert!(lines[1].contains("pending approval"), "{text}");
    assert!(!text.contains("\"entity_fingerprint\""));

    // --json keeps the full document for scripts.
    let json = review("Hikvision", "true-match", &["--json"]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["review"]["verdict"], "true_match");
    assert_eq!(doc["mark"]["status"], "confirmed");
}

#[test]
fn an_import_error_names_the_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-list.csv");
    let out = common::embargo(
        dir.path(),
        &[
            "lists",
            "import",
            "--source",
            "custom",
            missing.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = common::text(&out.stderr);
    assert_eq!(err.matches("no-such-list.csv").count(), 1, "{err}");
    assert_eq!(err.matches("os error 2").count(), 1, "{err}");
}

/// `embargo ARGS…` with `COLUMNS` set (output is a pipe, so only COLUMNS
/// makes it wrap).
fn with_columns(d: &std::path::Path, columns: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_embargo"))
        .arg("--data-dir")
        .arg(d)
        .args(args)
        .env("COLUMNS", columns)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().collect()
}

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn screen_and_decide_fit_the_terminal_and_wide_keeps_lines_whole() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let tx =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/export.json");
    for args in [
        vec!["screen", "Hikvision"],
        vec!["decide", tx.to_str().unwrap()],
    ] {
        let narrow = with_columns(d, "60", &args);
        let mut wide_args = args.clone();
        wide_args.push("--wide");
        let wide = with_columns(d, "60", &wide_args);
        assert!(widest(&wide) > 60, "nothing to wrap in {args:?}:\n{wide}");
        assert!(
            widest(&narrow) <= 60,
            "{args:?} is wider than COLUMNS:\n{narrow}"
        );
        // Wrapping moves words to the next line; it never drops one. The
        // decision ids and times differ between the two runs.
        let strip = |t: &str| -> Vec<String> {
            words(t)
                .into_iter()
                .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
                .map(str::to_string)
                .collect()
        };
        if args[0] == "screen" {
            assert_eq!(words(&narrow), words(&wide));
        } else {
            assert_eq!(strip(&narrow), strip(&wide));
        }
    }
}

#[test]
fn the_lists_table_wraps_a_long_dataset_name_within_its_column() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let csv = d.join("blocklist.csv");
    std::fs::write(&csv, "id,schema,name\nA1,Company,Acme Blocked Trading\n").unwrap();
    let long = "custom_a_dataset_name_far_longer_than_any_terminal_column_would_hold";
    ok(
        d,
        &[
            "lists",
            "import",
            csv.to_str().unwrap(),
            "--source",
            "custom",
            "--dataset",
            long,
            "--published",
            "2026-01-02",
        ],
    );
    let narrow = with_columns(d, "70", &["lists"]);
    assert!(widest(&narrow) <= 70, "{narrow}");
    // The name is split across lines of its column, not cut (the header
    // may wrap too: "active version" takes two lines at this width).
    let first_col: String = narrow
        .lines()
        .skip_while(|l| !l.starts_with("custom_"))
        .map(|l| l.split_whitespace().next().unwrap_or(""))
        .collect();
    assert!(first_col.starts_with(long), "{narrow}");
    let wide = with_columns(d, "70", &["--wide", "lists"]);
    assert_eq!(wide.lines().count(), 2, "{wide}");
    assert!(wide.contains(long));
}
