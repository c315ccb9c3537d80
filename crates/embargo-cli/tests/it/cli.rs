//! End-to-end tests of the `embargo` binary: the commands the README and
//! the foundation issue promise, run as a user runs them.

use crate::common;

use common::{embargo, ok};

use std::path::Path;

fn screen_json(data_dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut a = vec!["screen", "--json"];
    a.extend_from_slice(args);
    serde_json::from_str(&ok(data_dir, &a)).expect("screen --json prints JSON")
}

fn results(doc: &serde_json::Value) -> &Vec<serde_json::Value> {
    doc["results"].as_array().expect("results array")
}

#[test]
fn screen_uses_the_embedded_pack_when_nothing_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let doc = screen_json(dir.path(), &["Hikvision"]);
    let res = results(&doc);
    assert!(!res.is_empty(), "{doc:#}");
    let top = &res[0];
    assert_eq!(top["source"], "embargo_xinjiang_pack", "{top:#}");
    assert!(
        top["caption"].as_str().unwrap().contains("Hikvision"),
        "{top:#}"
    );
    for key in [
        "entity_id",
        "caption",
        "schema",
        "score",
        "matched_name",
        "source",
        "programs",
        "listed_on",
        "license_requirement",
        "license_policy",
    ] {
        assert!(top.get(key).is_some(), "missing {key} in {top:#}");
    }
    assert!(doc["list_versions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v.as_str().unwrap().starts_with("embargo_xinjiang_pack@")));
}

#[test]
fn chinese_name_finds_hikvision_in_the_pack() {
    let dir = tempfile::tempdir().unwrap();
    let doc = screen_json(dir.path(), &["杭州海康威视数字技术股份有限公司"]);
    let top = &results(&doc)[0];
    assert!(
        top["caption"].as_str().unwrap().contains("Hikvision"),
        "{doc:#}"
    );
}

#[test]
fn text_output_names_the_list_and_licence_policy() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(dir.path(), &["screen", "Hikvision", "--explain"]);
    assert!(out.contains("Hikvision"), "{out}");
    assert!(
        out.to_lowercase().contains("licence review policy"),
        "{out}"
    );
}

#[test]
fn bad_arguments_are_clear_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let out = embargo(dir.path(), &["screen", "X", "--dob", "1955-13"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--dob"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let out = embargo(
        dir.path(),
        &[
            "lists",
            "import",
            "/nonexistent/file.csv",
            "--source",
            "csl",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/file.csv"));
}

#[test]
fn imported_lists_and_the_pack_are_one_subject_per_party() {
    let csl = embargo_testkit::require_shared!("data/lists/us_csl/2022-05/consolidated.csv");
    let sdn = embargo_testkit::require_shared!("data/lists/ofac_sdn/2024-05-03/sdn.csv");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = ok(
        d,
        &["lists", "import", csl.to_str().unwrap(), "--source", "csl"],
    );
    assert!(out.contains("14160 entities"), "{out}");
    ok(d, &["lists", "import", sdn.to_str().unwrap()]);
    let again = ok(d, &["lists", "import", sdn.to_str().unwrap()]);
    assert!(again.starts_with("Unchanged"), "{again}");

    // Hikvision: one row for the party, with the CSL's Entity List and
    // CMIC records and the pack's records under it, and the Entity List
    // facts (licence for all items, presumption of denial) on the row.
    let doc = screen_json(d, &["Hikvision"]);
    let top = &results(&doc)[0];
    let records = top["records"].as_array().expect("records of the subject");
    let has = |needle: &str, source: &str| {
        records
            .iter()
            .any(|r| r["list"].as_str().unwrap_or("").contains(needle) && r["source"] == source)
    };
    assert!(has("Entity List", "us_trade_csl"), "{top:#}");
    assert!(has("CMIC", "us_trade_csl"), "{top:#}");
    assert!(has("Entity List", "embargo_xinjiang_pack"), "{top:#}");
    assert!(
        top["license_requirement"]
            .as_str()
            .unwrap()
            .contains("all items subject to the EAR"),
        "{top:#}"
    );
    assert!(
        top["license_policy"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("denial"),
        "{top:#}"
    );
    // No second Hikvision row: the records are under the one subject.
    assert!(
        results(&doc)[1..].iter().all(|r| !r["caption"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("hikvision")),
        "{doc:#}"
    );

    // XPCC: the SDN (GLOMAG) and Entity List entries, by name and by alias.
    for q in ["Xinjiang Production and Construction Corps", "XPCC"] {
        let doc = screen_json(d, &[q, "--limit", "10"]);
        let res = results(&doc);
        assert!(
            res.iter().any(|r| r["programs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p == "GLOMAG")),
            "{q}: no GLOMAG hit: {doc:#}"
        );
        assert!(
            res.iter()
                .any(|r| r["list"].as_str().unwrap_or("").contains("Entity List")
                    || r["records"].as_array().is_some_and(|rs| rs
                        .iter()
                        .any(|x| x["list"].as_str().unwrap_or("").contains("Entity List")))),
            "{q}: no Entity List hit: {doc:#}"
        );
    }

    let lists = ok(d, &["lists", "--json"]);
    let lists: serde_json::Value = serde_json::from_str(&lists).unwrap();
    assert_eq!(lists.as_array().unwrap().len(), 2, "{lists:#}");
}

#[test]
fn sdn_diff_between_the_two_may_days_reports_eight_removals() {
    let old = embargo_testkit::require_shared!("data/lists/ofac_sdn/2024-05-02/sdn.csv");
    let new = embargo_testkit::require_shared!("data/lists/ofac_sdn/2024-05-03/sdn.csv");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        d,
        &[
            "lists",
            "import",
            old.to_str().unwrap(),
            "--source",
            "ofac-sdn",
        ],
    );
    ok(
        d,
        &[
            "lists",
            "import",
            new.to_str().unwrap(),
            "--source",
            "ofac-sdn",
        ],
    );
    let out = ok(d, &["lists", "diff", "ofac-sdn"]);
    assert!(out.contains("0 added, 8 removed, 0 changed"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(d, &["lists", "diff", "us_ofac_sdn", "--json"])).unwrap();
    assert_eq!(json["removed"].as_array().unwrap().len(), 8);
}

#[test]
fn a_failed_import_keeps_the_previous_version_active() {
    let good =
        embargo_testkit::require_shared!("data/lists/us_csl/2025-06-sample/consolidated.csv");
    let truncated = embargo_testkit::require_shared!("data/lists/us_csl/2023-11-truncated/csl.csv");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        d,
        &["lists", "import", good.to_str().unwrap(), "--source", "csl"],
    );
    let before = ok(d, &["lists", "--json"]);
    let out = embargo(
        d,
        &[
            "lists",
            "import",
            truncated.to_str().unwrap(),
            "--source",
            "csl",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("csl.csv"), "error must name the file: {err}");
    assert_eq!(
        ok(d, &["lists", "--json"]),
        before,
        "active version changed after a failed import"
    );
}

#[test]
fn audit_log_records_cli_screens_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["screen", "Dahua"]);
    ok(d, &["screen", "Megvii"]);
    let out = ok(d, &["audit", "verify"]);
    assert!(out.contains("2 records"), "{out}");
    let export = ok(d, &["audit", "export"]);
    assert_eq!(export.lines().count(), 2, "{export}");
}

#[test]
fn decide_on_a_worked_case_prints_findings_with_citations() {
    let case = embargo_testkit::require_shared!("rules/cases/A1.json");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let json: serde_json::Value =
        serde_json::from_str(&ok(d, &["decide", case.to_str().unwrap(), "--json"])).unwrap();
    let findings = json["findings"].as_array().expect("findings");
    let el = findings
        .iter()
        .find(|f| f["measure"] == "EAR_ENTITY_LIST")
        .unwrap_or_else(|| panic!("no Entity List finding: {json:#}"));
    assert_eq!(el["outcome"], "LICENSE_REQUIRED");
    assert_eq!(el["review_policy"], "PRESUMPTION_OF_DENIAL");
    assert!(el["citations"].to_string().contains("744.11"), "{el:#}");
    let text = ok(d, &["decide", case.to_str().unwrap(), "--explain"]);
    assert!(
        text.contains("EAR_ENTITY_LIST") || text.contains("Entity List"),
        "{text}"
    );
}

#[test]
fn a_malformed_transaction_names_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let tx = dir.path().join("tx.json");
    std::fs::write(
        &tx,
        r#"{"date": "not-a-date", "flow": "export", "parties": []}"#,
    )
    .unwrap();
    let out = embargo(dir.path(), &["decide", tx.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("date"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn the_ofac_algorithm_uses_its_own_default_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let doc = screen_json(dir.path(), &["Hikvision", "--algorithm", "ofac"]);
    assert_eq!(doc["algorithm"], "ofac");
    assert_eq!(doc["threshold"], 0.95);
    assert!(!results(&doc).is_empty(), "{doc:#}");
}

#[test]
fn a_recorded_review_shows_on_the_next_screen() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = "embargo_xinjiang_pack:el-hikvision";
    let before = screen_json(d, &["Hikvision"]);
    let row = results(&before)
        .iter()
        .find(|r| r["entity_id"] == id)
        .expect("hit");
    assert!(row["review"].is_null(), "{row:#}");
    ok(
        d,
        &[
            "review",
            "Hikvision",
            id,
            "--verdict",
            "false-positive",
            "--reason",
            "our customer is a different Hikvision",
            "--reviewer",
            "analyst-1",
        ],
    );
    // An Entity List hit: one reviewer's clear waits for a second one.
    let pending = screen_json(d, &["Hikvision"]);
    let row = results(&pending)
        .iter()
        .find(|r| r["entity_id"] == id)
        .expect("hit");
    assert_eq!(row["review"]["status"], "pending_approval", "{row:#}");
    assert_eq!(row["review"]["suppresses_alert"], false);
    // The second reviewer comes from the data directory's configuration.
    ok(d, &["config", "set", "reviewer", "analyst-2"]);
    assert_eq!(ok(d, &["config", "get", "reviewer"]).trim(), "analyst-2");
    ok(
        d,
        &[
            "review",
            "Hikvision",
            id,
            "--verdict",
            "false-positive",
            "--reason",
            "agreed: a different Hikvision",
        ],
    );
    let after = screen_json(d, &["Hikvision"]);
    let row = results(&after)
        .iter()
        .find(|r| r["entity_id"] == id)
        .expect("hit");
    assert_eq!(row["review"]["status"], "cleared", "{row:#}");
    assert_eq!(row["review"]["suppresses_alert"], true);
    assert!(
        row["review"]["text"]
            .as_str()
            .unwrap()
            .contains("analyst-1"),
        "{row:#}"
    );
    // The decision belongs to the subject screened: the same name screened
    // as another subject (with a country) is not cleared by it.
    let other = screen_json(d, &["Hikvision", "--country", "CN"]);
    let other = results(&other)
        .iter()
        .find(|r| r["entity_id"] == id)
        .expect("hit");
    assert!(other["review"].is_null(), "{other:#}");
    let text = ok(d, &["screen", "Hikvision"]);
    assert!(
        text.contains("cleared as a false positive by analyst-1"),
        "{text}"
    );
    let verify = ok(d, &["audit", "verify"]);
    assert!(verify.contains("OK"), "{verify}");
}

#[test]
fn a_review_without_an_identity_is_refused_with_how_to_set_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let args = [
        "review",
        "Hikvision",
        "embargo_xinjiang_pack:el-hikvision",
        "--verdict",
        "false-positive",
        "--reason",
        "x",
    ];
    let out = embargo(d, &args);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--reviewer") && err.contains("embargo config set reviewer"),
        "{err}"
    );
    // Placeholders are not identities either.
    let mut with = args.to_vec();
    with.extend(["--reviewer", "cli:unknown"]);
    assert_eq!(embargo(d, &with).status.code(), Some(2));
}

#[test]
fn a_true_match_review_is_confirmed_not_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = "embargo_xinjiang_pack:el-hikvision";
    ok(
        d,
        &[
            "review",
            "Hikvision",
            id,
            "--verdict",
            "true-match",
            "--reason",
            "same company",
            "--reviewer",
            "analyst-1",
        ],
    );
    let doc = screen_json(d, &["Hikvision"]);
    let row = results(&doc)
        .iter()
        .find(|r| r["entity_id"] == id)
        .expect("hit");
    // The API's review mark says "confirmed" for the same record.
    assert_eq!(row["review"]["status"], "confirmed", "{row:#}");
    assert_eq!(doc["query"]["family_name"], serde_json::Value::Null);
}
