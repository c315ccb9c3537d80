//! Review decisions: cleared, expired, stale with what changed, superseded,
//! validated, and kept in (and checked against) the audit chain.

use chrono::NaiveDate;
use embargo_audit::{
    entity_fingerprint, subject_key, AuditLog, NewReview, RecordKind, ReviewStatus, Verdict,
};
use embargo_model::{Entity, EntityId, NameKind, Schema};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn listed() -> Entity {
    let mut e = Entity::new(
        EntityId::new("us_ofac_sdn", "7160"),
        Schema::Person,
        "us_ofac_sdn",
        "HASSAN, Ali",
    );
    e.add_name("Ali HASAN", NameKind::Alias);
    e.programs = vec!["SDGT".into()];
    e
}

fn subject() -> String {
    subject_key("Ali Hassan", Some("Person"), Some("1980-02-03"), Some("GB"))
}

fn fp_review(expires: Option<NaiveDate>) -> NewReview {
    NewReview::for_entity(
        subject(),
        &listed(),
        Verdict::FalsePositive,
        "Customer born 1980 in Leeds; listed person born 1955",
        "analyst.jane",
        expires,
    )
}

#[test]
fn a_false_positive_clears_the_same_subject_and_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path()).unwrap();
    let today = day("2026-11-29");
    assert_eq!(
        log.review_status_for_entity(&subject(), &listed(), today)
            .unwrap(),
        None
    );
    let review = log.record_review(fp_review(None)).unwrap();
    assert_eq!(review.id, 1);

    // The same subject typed differently is the same key.
    let again = subject_key(
        " ali  HASSAN ",
        Some("person"),
        Some("1980-02-03"),
        Some("gb"),
    );
    let status = log
        .review_status_for_entity(&again, &listed(), today)
        .unwrap()
        .unwrap();
    match &status {
        ReviewStatus::Cleared {
            by,
            on,
            verdict,
            reason,
            review_id,
            ..
        } => {
            assert_eq!(by, "analyst.jane");
            assert_eq!(*on, review.decided_at);
            assert_eq!(*verdict, Verdict::FalsePositive);
            assert!(reason.contains("Leeds"));
            assert_eq!(*review_id, 1);
        }
        other => panic!("expected Cleared, got {other:?}"),
    }
    assert!(status.suppresses_alert());
    // Fingerprint-only look-up agrees.
    let by_fp = log
        .review_status(&again, &listed().id, &entity_fingerprint(&listed()), today)
        .unwrap();
    assert_eq!(by_fp, Some(status));

    // Another subject, or another listed entity, has no decision.
    let other = subject_key("Ali Hassan", Some("Person"), Some("1955"), None);
    assert_eq!(
        log.review_status_for_entity(&other, &listed(), today)
            .unwrap(),
        None
    );
    let mut other_entity = listed();
    other_entity.id = EntityId::new("us_ofac_sdn", "9999");
    assert_eq!(
        log.review_status_for_entity(&subject(), &other_entity, today)
            .unwrap(),
        None
    );

    // The decision is an audit record by the reviewer, and the chain holds.
    let rec = log.get(review.audit_seq).unwrap().unwrap();
    assert_eq!(rec.kind, RecordKind::Review);
    assert_eq!(rec.actor, "analyst.jane");
    assert_eq!(rec.request["verdict"], "false_positive");
    assert_eq!(rec.request["entity_id"], "us_ofac_sdn:7160");
    assert_eq!(rec.ts, review.decided_at);
    let report = log.verify().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.records, 1);
}

#[test]
fn a_decision_expires_after_its_last_day() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path()).unwrap();
    let last = chrono::Utc::now().date_naive() + chrono::Days::new(30);
    log.record_review(fp_review(Some(last))).unwrap();
    let at = |d: NaiveDate| {
        log.review_status_for_entity(&subject(), &listed(), d)
            .unwrap()
            .unwrap()
    };
    assert!(matches!(
        at(last),
        ReviewStatus::Cleared { expires: Some(e), .. } if e == last
    ));
    let after = last + chrono::Days::new(1);
    match at(after) {
        ReviewStatus::Expired { previous } => assert_eq!(previous.expires, Some(last)),
        other => panic!("expected Expired, got {other:?}"),
    }
    assert!(!at(after).suppresses_alert());
    // A decision that would already be expired is refused.
    let yesterday = chrono::Utc::now().date_naive() - chrono::Days::new(1);
    let e = log.record_review(fp_review(Some(yesterday))).unwrap_err();
    assert!(e.to_string().contains("expires"), "{e}");
}

#[test]
fn a_changed_listing_makes_the_decision_stale_and_says_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path()).unwrap();
    log.record_review(fp_review(None)).unwrap();
    let today = day("2026-11-29");

    // Re-ordered aliases are not a change.
    let mut reordered = listed();
    reordered.add_name("Abu Ali", NameKind::Alias);
    let mut same = listed();
    same.names.insert(1, reordered.names[2].clone());
    assert_eq!(entity_fingerprint(&same), entity_fingerprint(&reordered));

    // A newer list version adds a date of birth that matches the customer and a programme.
    let mut newer = listed();
    newer.birth_dates = vec![embargo_model::DateValue::Exact(
        "1980-02-03".parse().unwrap(),
    )];
    newer.programs.push("IRGC".into());
    let status = log
        .review_status_for_entity(&subject(), &newer, today)
        .unwrap()
        .unwrap();
    assert!(!status.suppresses_alert());
    match status {
        ReviewStatus::Stale { previous, changes } => {
            assert_eq!(previous.reviewer, "analyst.jane");
            let changes = changes.expect("snapshot stored, so changes are known");
            let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
            assert_eq!(fields, vec!["birth_dates", "programs"]);
            assert_eq!(changes[1].to_string(), "programs: +\"IRGC\"");
        }
        other => panic!("expected Stale, got {other:?}"),
    }
    // Knowing only the fingerprint, it is stale but what changed is unknown.
    match log
        .review_status(&subject(), &newer.id, &entity_fingerprint(&newer), today)
        .unwrap()
    {
        Some(ReviewStatus::Stale { changes: None, .. }) => {}
        other => panic!("expected Stale without changes, got {other:?}"),
    }
}

#[test]
fn a_later_decision_supersedes_and_history_keeps_both() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path()).unwrap();
    log.record_review(fp_review(None)).unwrap();
    let mut tm = fp_review(None);
    tm.verdict = Verdict::TrueMatch;
    tm.reason = "Passport number matches".into();
    tm.reviewer = "analyst.omar".into();
    tm.entity = None; // without a snapshot, still valid
    log.record_review(tm).unwrap();
    let status = log
        .review_status_for_entity(&subject(), &listed(), day("2026-11-29"))
        .unwrap()
        .unwrap();
    match &status {
        ReviewStatus::Cleared { by, verdict, .. } => {
            assert_eq!(
                (by.as_str(), *verdict),
                ("analyst.omar", Verdict::TrueMatch)
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(!status.suppresses_alert(), "a confirmed match still alerts");
    let history = log.review_history(&subject(), &listed().id).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].verdict, Verdict::FalsePositive);
    assert!(history[0].entity.is_some() && history[1].entity.is_none());
    assert!(log.verify().unwrap().ok);
}

#[test]
fn incomplete_or_inconsistent_decisions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path()).unwrap();
    let mut r = fp_review(None);
    r.reason = " ".into();
    assert!(log
        .record_review(r)
        .unwrap_err()
        .to_string()
        .contains("reason"));
    let mut r = fp_review(None);
    r.reviewer = String::new();
    assert!(log
        .record_review(r)
        .unwrap_err()
        .to_string()
        .contains("reviewer"));
    let mut r = fp_review(None);
    r.entity_fingerprint = "abc".into();
    assert!(log
        .record_review(r)
        .unwrap_err()
        .to_string()
        .contains("fingerprint"));
    let mut r = fp_review(None);
    r.entity_fingerprint = "0".repeat(64);
    assert!(log
        .record_review(r)
        .unwrap_err()
        .to_string()
        .contains("entity"));
    // Nothing was written.
    assert_eq!(log.verify().unwrap().records, 0);
    assert!(log
        .review_history(&subject(), &listed().id)
        .unwrap()
        .is_empty());
}

#[test]
fn a_forged_review_row_fails_verification() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path()).unwrap();
    let mut tm = fp_review(None);
    tm.verdict = Verdict::TrueMatch;
    log.record_review(tm).unwrap();
    assert!(log.verify().unwrap().ok);
    let c = rusqlite::Connection::open(dir.path().join("audit.sqlite")).unwrap();
    let e = c
        .execute("UPDATE reviews SET verdict = 'false_positive'", [])
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    c.execute_batch(
        "DROP TRIGGER reviews_no_update; UPDATE reviews SET verdict = 'false_positive'",
    )
    .unwrap();
    let report = log.verify().unwrap();
    assert!(!report.ok);
    let (seq, reason) = report.first_bad.unwrap();
    assert_eq!(seq, 0);
    assert!(reason.contains("review 1 differs"), "{reason}");
}

#[test]
fn a_deleted_review_row_fails_verification() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path()).unwrap();
    log.record_review(fp_review(None)).unwrap();
    let second = log.record_review(fp_review(None)).unwrap();
    let c = rusqlite::Connection::open(dir.path().join("audit.sqlite")).unwrap();
    c.execute_batch("DROP TRIGGER reviews_no_delete; DELETE FROM reviews WHERE id = 2")
        .unwrap();
    // The older decision now looks like the latest, and verify says why.
    let report = log.verify().unwrap();
    assert!(!report.ok);
    let (_, reason) = report.first_bad.unwrap();
    assert_eq!(
        reason,
        format!(
            "audit record {} holds a review decision missing from the reviews index",
            second.audit_seq
        )
    );
}

/// `review_book` is read once and kept (it is on every decision's path),
/// but never answers from rows the file no longer holds: a review recorded
/// here, and a row edited behind Embargo's back, are both seen at once.
#[test]
fn the_review_book_is_kept_until_the_reviews_change() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path()).unwrap();
    let today = day("2026-11-29");
    let empty = log.review_book().unwrap();
    assert!(empty.is_empty());
    // Other appends through this handle leave the book as it was.
    log.append(embargo_audit::NewRecord {
        kind: RecordKind::Screen,
        actor: "t".into(),
        request: serde_json::json!({}),
        result: serde_json::json!({}),
        list_versions: vec![],
    })
    .unwrap();
    assert!(std::sync::Arc::ptr_eq(&empty, &log.review_book().unwrap()));

    log.record_review(fp_review(None)).unwrap();
    let book = log.review_book().unwrap();
    let lookup = book.lookup(&subject(), &listed(), today, None);
    assert!(lookup.status.unwrap().suppresses_alert());
    assert!(std::sync::Arc::ptr_eq(&book, &log.review_book().unwrap()));

    // Edited with sqlite3: the next read sees the row fail its MAC.
    let c = rusqlite::Connection::open(dir.path().join("audit.sqlite")).unwrap();
    c.execute_batch("DROP TRIGGER reviews_no_update; UPDATE reviews SET reason = 'edited'")
        .unwrap();
    let after = log.review_book().unwrap();
    let lookup = after.lookup(&subject(), &listed(), today, None);
    assert_eq!(lookup.status, None);
    assert_eq!(lookup.warnings.len(), 1, "{lookup:?}");
}

#[test]
fn a_subjects_reviews_cover_every_record_and_no_other_subject() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::open(dir.path()).unwrap();
    let mut other_record = listed();
    other_record.id = EntityId::new("us_trade_csl", "ali-hassan");
    let first = log.record_review(fp_review(None)).unwrap();
    let second = log
        .record_review(NewReview::for_entity(
            subject(),
            &other_record,
            Verdict::TrueMatch,
            "Same passport number as the CSL record",
            "analyst.joe",
            None,
        ))
        .unwrap();
    let someone_else = subject_key("Alice Hassan", Some("Person"), None, None);
    log.record_review(NewReview::for_entity(
        someone_else.clone(),
        &listed(),
        Verdict::FalsePositive,
        "Different person",
        "analyst.jane",
        None,
    ))
    .unwrap();
    let (rows, warnings) = log.subject_reviews(&subject()).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    assert_eq!(
        ids,
        vec![first.id, second.id],
        "oldest first, this subject only"
    );
    assert_eq!(rows[1].entity_id, other_record.id);
    assert_eq!(rows[1].verdict, Verdict::TrueMatch);
    assert_eq!(log.subject_reviews(&someone_else).unwrap().0.len(), 1);
    assert!(log
        .subject_reviews(&subject_key("Nobody", None, None, None))
        .unwrap()
        .0
        .is_empty());
}
