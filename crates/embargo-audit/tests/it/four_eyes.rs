//! Maker-checker reviews and review rows written behind Embargo's back.

use chrono::NaiveDate;
use embargo_audit::{subject_key, AuditLog, NewReview, ReviewStatus, Verdict};
use embargo_model::{Entity, EntityId, Schema};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
}

fn sdn() -> Entity {
    Entity::new(
        EntityId::new("us_ofac_sdn", "36"),
        Schema::Company,
        "us_ofac_sdn",
        "ACME TRADING LLC",
    )
}

fn subject() -> String {
    subject_key("Acme Trading", Some("Company"), None, Some("GB"))
}

fn fp(by: &str) -> NewReview {
    let mut r = NewReview::for_entity(
        subject(),
        &sdn(),
        Verdict::FalsePositive,
        "different registration number",
        by,
        None,
    );
    r.approval_required = Some("SDN entry".into());
    r
}

const WHY: Option<&str> = Some("an SDN entry");

#[test]
fn one_reviewer_cannot_clear_alone_a_second_one_approves() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path()).unwrap();
    log.record_review(fp("ana")).unwrap();
    let look = log.review_lookup(&subject(), &sdn(), today(), WHY).unwrap();
    let st = look.status.unwrap();
    assert!(
        matches!(&st, ReviewStatus::PendingApproval { review, .. } if review.reviewer == "ana"),
        "{st:?}"
    );
    assert!(!st.suppresses_alert());
    // The same reviewer again does not approve her own clear.
    log.record_review(fp("ana")).unwrap();
    let st = log
        .review_lookup(&subject(), &sdn(), today(), WHY)
        .unwrap()
        .status
        .unwrap();
    assert!(matches!(st, ReviewStatus::PendingApproval { .. }), "{st:?}");
    // A different reviewer completes it.
    log.record_review(fp("bob")).unwrap();
    let st = log
        .review_lookup(&subject(), &sdn(), today(), WHY)
        .unwrap()
        .status
        .unwrap();
    assert!(st.suppresses_alert(), "{st:?}");
    match st {
        ReviewStatus::Cleared {
            by, approved_by, ..
        } => {
            assert_eq!(by, "ana");
            assert_eq!(approved_by.as_deref(), Some("bob"));
        }
        other => panic!("{other:?}"),
    }
    // Without a policy asking for approval, one clear stands.
    assert!(log
        .review_status_for_entity(&subject(), &sdn(), today())
        .unwrap()
        .unwrap()
        .suppresses_alert());
}

#[test]
fn a_true_match_between_two_clears_breaks_the_pair() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path()).unwrap();
    log.record_review(fp("ana")).unwrap();
    let mut tm = fp("carl");
    tm.verdict = Verdict::TrueMatch;
    tm.approval_required = None;
    log.record_review(tm).unwrap();
    let st = log
        .review_lookup(&subject(), &sdn(), today(), WHY)
        .unwrap()
        .status
        .unwrap();
    assert!(!st.suppresses_alert(), "a true match needs no approval");
    log.record_review(fp("bob")).unwrap();
    let st = log
        .review_lookup(&subject(), &sdn(), today(), WHY)
        .unwrap()
        .status
        .unwrap();
    assert!(matches!(st, ReviewStatus::PendingApproval { .. }), "{st:?}");
}

#[test]
fn a_review_row_inserted_with_sqlite_is_ignored_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path()).unwrap();
    // A genuine pending clear exists, so the forger copies its audit record.
    let first = log.record_review(fp("ana")).unwrap();
    assert!(log.verify().unwrap().ok);
    drop(log);
    let conn = rusqlite::Connection::open(dir.path().join("audit.sqlite")).unwrap();
    conn.execute(
        "INSERT INTO reviews (audit_seq, subject_key, entity_id, entity_fingerprint, entity_json,
                              verdict, reason, reviewer, decided_at, expires, mac)
         SELECT audit_seq + 1000, subject_key, entity_id, entity_fingerprint, entity_json,
                verdict, 'approved', 'mallory', decided_at, expires, mac
         FROM reviews WHERE id = ?1",
        [first.id],
    )
    .unwrap();
    drop(conn);
    let log = AuditLog::open(dir.path()).unwrap();
    let look = log.review_lookup(&subject(), &sdn(), today(), WHY).unwrap();
    assert!(
        matches!(&look.status, Some(ReviewStatus::PendingApproval { review, .. }) if review.reviewer == "ana"),
        "the forged approval must not count: {look:?}"
    );
    assert_eq!(look.warnings.len(), 1, "{look:?}");
    assert!(look.warnings[0].contains("integrity"), "{look:?}");
    assert_eq!(log.review_history(&subject(), &sdn().id).unwrap().len(), 1);
    let report = log.verify().unwrap();
    assert!(!report.ok);
    let all = format!("{report:?}");
    assert!(all.contains("review 2"), "{all}");
}

#[test]
fn a_forged_row_alone_clears_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path()).unwrap();
    let mut tm = fp("ana");
    tm.verdict = Verdict::TrueMatch;
    log.record_review(tm).unwrap();
    drop(log);
    let conn = rusqlite::Connection::open(dir.path().join("audit.sqlite")).unwrap();
    conn.execute(
        "INSERT INTO reviews (audit_seq, subject_key, entity_id, entity_fingerprint, entity_json,
                              verdict, reason, reviewer, decided_at, expires)
         SELECT audit_seq + 1, subject_key, entity_id, entity_fingerprint, entity_json,
                'false_positive', 'x', 'mallory', decided_at, expires FROM reviews",
        [],
    )
    .unwrap();
    drop(conn);
    let log = AuditLog::open(dir.path()).unwrap();
    let st = log
        .review_status_for_entity(&subject(), &sdn(), today())
        .unwrap()
        .unwrap();
    assert!(!st.suppresses_alert(), "{st:?}");
    assert!(!log.verify().unwrap().ok);
}
