//! `decide` applies review decisions to party resolution, and says so: a
//! cleared (four-eyes approved, current, MAC-valid) review stops the record
//! being treated as the party, a confirmed one makes it a decided match, a
//! clear pending approval changes nothing; every one is listed in the
//! decision document and in the findings of the measures concerned.
//! Pack-only data directory: runs without ../shared.

use embargo_app::{App, ReviewInput};
use embargo_rules::Measure;
use serde_json::Value;

const PARTY: &str = "Xinjiang Public Security Bureau";

fn tx(name: &str) -> String {
    format!(
        r#"{{"date": "2024-03-01", "flow": "export",
            "actor": {{"us_person": true, "country": "US"}}, "destination": "CN",
            "item": {{"eccn": "EAR99", "us_origin": true}},
            "parties": [{{"role": "end_user", "name": "{name}", "country": "CN"}}]}}"#
    )
}

/// Entity ids in the evidence of the decision's findings for `m`.
fn evidence(d: &embargo_app::Decided, m: Measure) -> Vec<String> {
    d.decision
        .findings
        .iter()
        .filter(|f| f.measure == m)
        .flat_map(|f| f.evidence.iter().map(|e| e.entity_id.clone()))
        .collect()
}

fn reasons(d: &embargo_app::Decided, m: Measure) -> Vec<String> {
    d.decision
        .findings
        .iter()
        .filter(|f| f.measure == m)
        .flat_map(|f| f.reasons.clone())
        .collect()
}

fn review(app: &App, who: &str, name: &str, entity: &str, verdict: &str, dob: Option<&str>) {
    app.review(
        who,
        &ReviewInput {
            name: name.into(),
            country: Some("CN".into()),
            birth_date: dob.map(str::to_string),
            entity_id: entity.into(),
            verdict: verdict.into(),
            reason: format!("{who} checked the registration"),
            ..Default::default()
        },
    )
    .unwrap();
}

#[test]
fn a_cleared_review_stops_the_match_and_the_document_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let before = app.decide("analyst", &tx(PARTY)).unwrap();
    let sdn = evidence(&before, Measure::OfacSdn);
    assert!(!sdn.is_empty(), "{:#?}", before.decision);
    assert!(before.applied_reviews.is_empty());
    let entity = sdn[0].clone();

    // One reviewer's clear of an SDN hit waits for a second reviewer: no effect.
    review(&app, "alice", PARTY, &entity, "false_positive", None);
    let pending = app.decide("analyst", &tx(PARTY)).unwrap();
    assert_eq!(
        evidence(&pending, Measure::OfacSdn),
        sdn,
        "a pending clear must not suppress"
    );
    assert_eq!(
        pending.applied_reviews.len(),
        1,
        "{:#?}",
        pending.applied_reviews
    );
    assert_eq!(pending.applied_reviews[0].effect, "not_applied");
    assert_eq!(pending.applied_reviews[0].status, "pending_approval");
    assert!(reasons(&pending, Measure::OfacSdn)
        .iter()
        .any(|r| r.contains("review decision not applied")));

    // A review keyed on a date of birth the transaction does not state is not used.
    review(
        &app,
        "carol",
        PARTY,
        &entity,
        "false_positive",
        Some("1960"),
    );
    let other = app.decide("analyst", &tx(PARTY)).unwrap();
    assert_eq!(evidence(&other, Measure::OfacSdn), sdn);

    // A second, different reviewer approves: the record is not the party,
    // and the document names the review, the reviewers and the date.
    review(&app, "bob", PARTY, &entity, "false_positive", None);
    let cleared = app.decide("analyst", &tx(PARTY)).unwrap();
    assert!(
        !evidence(&cleared, Measure::OfacSdn).contains(&entity),
        "{:#?}",
        cleared.decision.findings
    );
    let a = &cleared.applied_reviews[0];
    assert_eq!(a.effect, "cleared");
    assert_eq!(a.entity_id, entity);
    assert_eq!(a.reviewer, "alice");
    assert_eq!(a.approved_by.as_deref(), Some("bob"));
    assert!(a.review_id.is_some() && a.audit_seq.is_some());
    let r = reasons(&cleared, Measure::OfacSdn);
    assert!(
        r.iter().any(|x| x.contains("cleared by review")
            && x.contains("alice, approved by bob")
            && x.contains(&entity)),
        "{r:#?}"
    );
    // The audit record of the decision lists the applied review.
    let rec = app.audit.get(cleared.audit_seq).unwrap().unwrap();
    let applied = &rec.result["applied_reviews"];
    assert_eq!(applied[0]["effect"], "cleared");
    assert_eq!(applied[0]["review_id"], Value::from(a.review_id.unwrap()));
    assert!(app.verify_audit().unwrap().ok);

    // The same name in another country is another subject: unaffected.
    let elsewhere = app
        .decide(
            "analyst",
            &tx(PARTY).replace(r#""country": "CN"}]"#, r#""country": "KZ"}]"#),
        )
        .unwrap();
    assert!(evidence(&elsewhere, Measure::OfacSdn).contains(&entity));
}

#[test]
fn a_confirmed_review_makes_the_match_decided() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let name = "Xinjiang Public Securty Bureau"; // as misspelt on the invoice
    let before = app.decide("analyst", &tx(name)).unwrap();
    let sdn = evidence(&before, Measure::OfacSdn);
    assert!(!sdn.is_empty(), "{:#?}", before.decision);
    review(&app, "alice", name, &sdn[0], "true_match", None);
    let after = app.decide("analyst", &tx(name)).unwrap();
    let a = &after.applied_reviews[0];
    assert_eq!(a.effect, "confirmed", "{a:#?}");
    let scores: Vec<f64> = after
        .decision
        .findings
        .iter()
        .filter(|f| f.measure == Measure::OfacSdn)
        .flat_map(|f| f.evidence.iter().map(|e| e.score))
        .collect();
    assert!(scores.iter().all(|s| *s >= 1.0), "{scores:?}");
    assert!(reasons(&after, Measure::OfacSdn)
        .iter()
        .any(|r| r.contains("confirmed as a true match by review")));
}

#[test]
fn a_forged_review_row_is_not_applied_and_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let before = app.decide("analyst", &tx(PARTY)).unwrap();
    let entity = evidence(&before, Measure::OfacSdn)[0].clone();
    // Two clears written with sqlite3, behind Embargo's back.
    let key = embargo_app::review_subject(
        PARTY,
        None,
        None,
        embargo_model::Country::from_code("CN").ok(),
    );
    let raw = rusqlite_open(dir.path());
    for (i, who) in [(1, "mallory"), (2, "trudy")] {
        raw.execute(
            "INSERT INTO reviews (id, audit_seq, subject_key, entity_id, entity_fingerprint, verdict, reason, reviewer, decided_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'false_positive', 'forged', ?6, '2026-01-01T00:00:00.000000Z')",
            rusqlite::params![i, 1000 + i, key, entity, "0".repeat(64), who],
        )
        .unwrap();
    }
    let after = app.decide("analyst", &tx(PARTY)).unwrap();
    assert!(evidence(&after, Measure::OfacSdn).contains(&entity));
    assert_eq!(after.applied_reviews[0].effect, "not_applied");
    assert_eq!(after.applied_reviews[0].status, "ignored");
}

fn rusqlite_open(dir: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join("audit.sqlite")).unwrap()
}
