//! The decision document (issue 12 item 6): `App::decide` returns — and
//! audits as the record's `result` — a JSON document with a decision id,
//! the transaction as parsed, the date evaluated for and the time of
//! evaluation, every list version in the snapshot (also when nothing
//! matches), and per finding an action and whose duty it is.

use embargo_app::App;
use serde_json::Value;
use std::path::Path;

fn example(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/examples")
        .join(name);
    std::fs::read_to_string(p).expect("example exists")
}

fn finding<'a>(doc: &'a Value, measure: &str) -> &'a Value {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["measure"] == measure)
        .unwrap_or_else(|| panic!("no {measure} finding in {doc}"))
}

#[test]
fn a_decision_is_a_document_of_record() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let d = app.decide("tester", &example("payment.json")).unwrap();
    let doc = &d.json;

    let id = doc["decision_id"].as_str().expect("decision_id");
    assert_eq!(id.len(), 36, "UUID form: {id}");
    assert_eq!(id.as_bytes()[14], b'4', "version 4: {id}");
    assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
    assert_eq!(doc["evaluated_for"], "2022-06-01");
    assert!(doc["evaluated_at"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));
    assert_eq!(doc["input"]["flow"], "payment");
    assert_eq!(doc["input"]["context"]["currency"], "USD");
    assert_eq!(
        doc["input"]["parties"][0]["name"],
        "Xinjiang Production and Construction Corps"
    );
    let versions: Vec<String> = doc["list_versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    for v in d.snapshot.version_labels() {
        assert!(versions.contains(&v), "{v} missing from {versions:?}");
    }

    let sdn = finding(doc, "OFAC_SDN");
    assert_eq!(sdn["outcome"], "PROHIBITED");
    assert!(sdn["action"].as_str().unwrap().starts_with(
        "Block the funds and report to OFAC within 10 business days (31 CFR 501.603)"
    ));
    assert!(sdn["duty_of"].as_str().unwrap().contains("US person"));
    assert!(sdn["rule"]
        .as_str()
        .unwrap()
        .starts_with("docs/rules/ofac-sdn.md"));

    // The audit record holds the same document.
    let rec = app.audit.get(d.audit_seq).unwrap().expect("audit record");
    assert_eq!(rec.result, d.json);

    // A second decision of the same transaction is a new document.
    let again = app.decide("tester", &example("payment.json")).unwrap();
    assert_ne!(again.json["decision_id"], doc["decision_id"]);
}

#[test]
fn a_clean_decision_names_the_lists_and_gives_no_action() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let d = app.decide("tester", &example("export-clear.json")).unwrap();
    assert!(!d.json["list_versions"].as_array().unwrap().is_empty());
    let el = finding(&d.json, "EAR_ENTITY_LIST");
    assert_eq!(el["outcome"], "NO_LICENSE_REQUIRED");
    assert!(el.get("action").is_none() && el.get("duty_of").is_none());
}

#[test]
fn the_short_text_gives_outcome_and_action_and_explain_adds_the_trail() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let d = app.decide("tester", &example("export.json")).unwrap();
    let short = d.decision.to_short_text();
    let long = d.decision.to_text();
    let id = d.json["decision_id"].as_str().unwrap();
    assert!(short.contains(id) && long.contains(id));
    assert!(
        short.contains("EAR_ENTITY_LIST: LICENSE_REQUIRED (review policy: PRESUMPTION_OF_DENIAL)")
    );
    assert!(short.contains("action: Apply for a BIS licence before the export"));
    assert!(long.contains("action: Apply for a BIS licence before the export"));
    // Reasons, citations and the rule page are in --explain only.
    assert!(!short.contains("cites:") && long.contains("cites: "));
    assert!(!short.contains("docs/rules/") && long.contains("docs/rules/entity-list.md"));
    // With the pack alone, the clean OFAC outcome is not a clearance, and
    // the short form says so on the finding's own line.
    let ofac = short
        .split("\n\n")
        .find(|b| b.contains("OFAC_SDN: NOT_PROHIBITED"))
        .expect("an OFAC_SDN finding");
    assert!(
        ofac.contains("caveat: Only the embedded") && ofac.contains("no SDN list is loaded"),
        "{ofac}"
    );
}
