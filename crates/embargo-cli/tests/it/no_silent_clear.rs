//! "Never a silent clear" at the command line (issue 10, section 5): exit
//! statuses that tell scripts the outcome, unknown datasets as errors, every
//! screen saying what it searched, and a closed pipe ending quietly.

use crate::common;

use common::{embargo, text};

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

#[test]
fn screen_exit_status_says_whether_there_is_something_to_look_at() {
    let dir = tempfile::tempdir().unwrap();
    let hit = embargo(dir.path(), &["screen", "Hikvision"]);
    assert_eq!(hit.status.code(), Some(1), "{}", text(&hit.stdout));
    let none = embargo(dir.path(), &["screen", "Zzyzx Qwertyuiop Holdings"]);
    assert_eq!(none.status.code(), Some(0), "{}", text(&none.stdout));
    let bad = embargo(dir.path(), &["screen", ""]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("NAME: must not be empty"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn an_unknown_dataset_is_an_error_naming_the_loaded_ones() {
    let dir = tempfile::tempdir().unwrap();
    let out = embargo(
        dir.path(),
        &["screen", "Hikvision", "--dataset", "us_trade_cls"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("--dataset"), "{err}");
    assert!(err.contains("unknown dataset \"us_trade_cls\""), "{err}");
    assert!(err.contains("embargo_xinjiang_pack"), "{err}");
}

#[test]
fn a_pack_only_screen_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = embargo(
        dir.path(),
        &["screen", "Zzyzx Qwertyuiop Holdings", "--json"],
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes = doc["notes"].as_array().expect("notes");
    assert!(
        notes.iter().any(|n| n
            .as_str()
            .unwrap()
            .contains("Only the embedded regime pack")),
        "{doc:#}"
    );
    let cov = doc["coverage"].as_array().expect("coverage");
    assert_eq!(cov.len(), 1, "{doc:#}");
    assert_eq!(cov[0]["dataset"], "embargo_xinjiang_pack");
    assert!(cov[0]["entities"].as_u64().unwrap() > 100);
    let plain = text(&embargo(dir.path(), &["screen", "Zzyzx Qwertyuiop Holdings"]).stdout);
    assert!(plain.contains("This is not a clearance"), "{plain}");
    assert!(plain.contains("Only the embedded regime pack"), "{plain}");
}

#[test]
fn decide_exit_status_follows_the_findings() {
    let dir = tempfile::tempdir().unwrap();
    let tx = dir.path().join("tx.json");
    std::fs::write(
        &tx,
        r#"{"date": "2024-03-01", "flow": "export", "actor": {"us_person": true, "country": "US"},
            "destination": "CN", "item": {"eccn": "EAR99", "us_origin": true},
            "parties": [{"role": "end_user", "name": "Hangzhou Hikvision Digital Technology Co., Ltd.", "country": "CN"}]}"#,
    )
    .unwrap();
    let out = embargo(dir.path(), &["decide", tx.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    // No parties: never a clean result (NEEDS_REVIEW), so 1, not 0.
    std::fs::write(
        &tx,
        r#"{"date": "2024-03-01", "flow": "payment", "actor": {"us_person": true, "country": "US"},
            "context": {"currency": "USD"}, "parties": []}"#,
    )
    .unwrap();
    let out = embargo(dir.path(), &["decide", tx.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("NEEDS_REVIEW"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    // Far more output than a pipe buffer holds, so the writer is still
    // writing when the reader hangs up.
    let pairs = dir.path().join("pairs.csv");
    let mut csv = String::from("schema,name1,name2\n");
    for i in 0..20_000 {
        csv.push_str(&format!(
            "Company,Acme Trading {i},Acme Trading Company {i}\n"
        ));
    }
    std::fs::write(&pairs, csv).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_embargo"))
        .args(["compare", "--pairs"])
        .arg(&pairs)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte, then hang up, as `| head -c1` would.
    let mut out = child.stdout.take().unwrap();
    let mut one = [0u8; 1];
    out.read_exact(&mut one).unwrap();
    drop(out);
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("error"), "{err}");
    assert_eq!(status.code(), Some(141), "{status:?} {err}");
}

#[test]
fn a_past_day_screen_is_marked_and_a_future_one_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = embargo(
        dir.path(),
        &["screen", "Chen Quanguo", "--as-of", "2021-01-01", "--json"],
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", text(&out.stderr)));
    assert_eq!(doc["as_of"], "2021-01-01");
    let top = &doc["results"][0];
    assert_eq!(
        top["entity_id"], "embargo_xinjiang_pack:glomag-chen-quanguo",
        "{doc:#}"
    );
    assert_eq!(top["listed_as_of"]["status"], "listed", "{doc:#}");
    // Before his designation (2020-07-09) the GLOMAG record is not shown.
    let out = embargo(
        dir.path(),
        &["screen", "Chen Quanguo", "--as-of", "2019-06-01", "--json"],
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["entity_id"] != "embargo_xinjiang_pack:glomag-chen-quanguo"),
        "{doc:#}"
    );
    let out = embargo(
        dir.path(),
        &["screen", "Chen Quanguo", "--as-of", "2999-01-01"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--as-of"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn lists_links_shows_why_records_are_one_party() {
    let dir = tempfile::tempdir().unwrap();
    let out = embargo(
        dir.path(),
        &[
            "lists",
            "links",
            "--entity",
            "embargo_xinjiang_pack:el-hikvision",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let links: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let links = links.as_array().expect("links");
    // The pack's CMIC, §889 and FCC records of Hikvision name it the same
    // way as its Entity List record.
    assert!(!links.is_empty(), "{links:#?}");
    assert!(
        links
            .iter()
            .all(|l| l["reason"]["kind"] == "pack_same_name"),
        "{links:#?}"
    );
}

#[test]
fn an_analyst_splits_and_joins_subjects() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let el = "embargo_xinjiang_pack:el-hikvision";
    let cmic = "embargo_xinjiang_pack:cmic-hikvision";
    let top_records = |d: &Path| {
        let out = embargo(d, &["screen", "Hikvision", "--json"]);
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["results"][0]["records"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|r| r["entity_id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert!(
        top_records(d).iter().any(|r| r == cmic),
        "linked by the rules"
    );
    let out = embargo(
        d,
        &[
            "lists",
            "judge",
            el,
            cmic,
            "--different",
            "--reason",
            "test: keep apart",
            "--reviewer",
            "ana",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let recs = top_records(d);
    assert!(
        recs.is_empty() || !recs.contains(&cmic.to_string()),
        "{recs:?}"
    );
    // No reason, or an unknown record: errors, nothing recorded.
    let out = embargo(d, &["lists", "judge", el, cmic, "--same", "--reason", " "]);
    assert_eq!(out.status.code(), Some(2));
    let out = embargo(
        d,
        &["lists", "judge", el, "nope:1", "--same", "--reason", "x"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no entity nope:1"),
        "{}",
        text(&out.stderr)
    );
    // The judgement is an audit record.
    let out = embargo(d, &["audit", "export"]);
    assert!(
        text(&out.stdout).contains("judge_link"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn imports_that_would_degrade_screening_are_refused_with_the_override() {
    let Some(csl) = embargo_testkit::shared_file("data/lists/us_csl/2022-05/consolidated.csv")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = embargo(
        d,
        &["lists", "import", csl.to_str().unwrap(), "--source", "csl"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // The first 2,000 rows of the same list, cut at a row boundary.
    let full = std::fs::read_to_string(&csl).unwrap();
    let mut cut = String::new();
    let mut rdr = csv::ReaderBuilder::new().from_reader(full.as_bytes());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(rdr.headers().unwrap()).unwrap();
    for rec in rdr.records().take(2000) {
        w.write_record(&rec.unwrap()).unwrap();
    }
    cut.push_str(std::str::from_utf8(&w.into_inner().unwrap()).unwrap());
    let short = d.join("consolidated.csv");
    std::fs::write(&short, cut).unwrap();
    let out = embargo(
        d,
        &[
            "lists",
            "import",
            short.to_str().unwrap(),
            "--source",
            "csl",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("--allow-shrink"), "{err}");
    let lists = text(&embargo(d, &["lists", "--json"]).stdout);
    assert!(
        lists.contains("14160"),
        "the full list stays active: {lists}"
    );
    // Reserved names.
    let out = embargo(
        d,
        &[
            "lists",
            "import",
            short.to_str().unwrap(),
            "--source",
            "csl",
            "--dataset",
            "embargo_xinjiang_pack",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    // The refusal is in the audit log.
    let log = text(&embargo(d, &["audit", "export"]).stdout);
    assert!(log.contains("\"refused\""), "{log}");
}

#[test]
fn a_past_day_before_the_list_history_is_not_a_clear() {
    let Some(sdn) = embargo_testkit::shared_file("data/lists/ofac_sdn/2024-05-03/sdn.csv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = embargo(
        d,
        &[
            "lists",
            "import",
            sdn.to_str().unwrap(),
            "--published",
            "2024-05-03",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let screen = |day: &str| {
        embargo(
            d,
            &[
                "screen",
                "Zzyzx Qwertyuiop Holdings",
                "--as-of",
                day,
                "--json",
            ],
        )
    };
    // 2020: no SDN version on record that early; no hit is not a clear.
    let before = screen("2020-01-01");
    assert_eq!(before.status.code(), Some(1), "{}", text(&before.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&before.stdout).unwrap();
    assert!(doc["results"].as_array().unwrap().is_empty(), "{doc:#}");
    let undecided = doc["undecided"].as_array().expect("undecided");
    assert!(
        undecided
            .iter()
            .any(|r| r.as_str().unwrap().contains("us_ofac_sdn")),
        "{doc:#}"
    );
    // After the stored version: nothing found, nothing to act on.
    let after = screen("2024-06-01");
    assert_eq!(after.status.code(), Some(0), "{}", text(&after.stdout));
}

#[test]
fn a_batch_row_without_a_usable_name_is_not_a_clear() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("in.csv");
    let long = "x".repeat(400);
    std::fs::write(
        &input,
        format!("id,name\n1,Zzyzx Qwertyuiop Holdings\n2,\n3,{long}\n"),
    )
    .unwrap();
    let out_csv = d.join("out.csv");
    let out = embargo(
        d,
        &[
            "batch",
            input.to_str().unwrap(),
            "--name-column",
            "name",
            "--out",
            out_csv.to_str().unwrap(),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("2 rows NOT screened"),
        "{}",
        text(&out.stdout)
    );
    let written = std::fs::read_to_string(&out_csv).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert!(lines[0].ends_with(",match_note,audit_leaf"), "{written}");
    assert_eq!(
        lines[1].rsplit(',').nth(1),
        Some(""),
        "row 1 was screened: {written}"
    );
    assert!(
        lines[2].contains("not screened: `name`: must not be empty"),
        "{written}"
    );
    assert!(
        lines[3].contains("not screened: `name`: longer than 300"),
        "{written}"
    );
    // A file of screenable names without hits is a clean run.
    std::fs::write(&input, "id,name\n1,Zzyzx Qwertyuiop Holdings\n").unwrap();
    let out = embargo(
        d,
        &[
            "batch",
            input.to_str().unwrap(),
            "--name-column",
            "name",
            "--out",
            out_csv.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}
