//! The deciding act: read a transaction document, run every measure on the
//! current snapshot's engine, and write the one audit record of the
//! decision.
//!
//! Audit record of a decision (kind `decide`): `request` is the transaction
//! object (a worked-case file is unwrapped to its `transaction`), `result`
//! the decision document as JSON — `decision_id`, `evaluated_for`,
//! `evaluated_at`, `input` (the transaction as parsed), `list_versions`
//! (every version in the snapshot) and the findings with their actions —
//! and `list_versions` the snapshot's. The result also carries
//! `applied_reviews`: every standing review decision met while resolving
//! the parties (`resolver`), what it did (`cleared`, `confirmed`,
//! `not_applied`) and which review and audit record it is; the findings of
//! the measures the record is listed for repeat it as a reason.

use crate::error::{AppError, AppResult};
use crate::resolver::{with_reviews, AppliedReview, ReviewContext};
use crate::{App, Snapshot};
use embargo_audit::{NewRecord, RecordKind};
use embargo_rules::Decision;
use serde_json::Value;
use std::sync::Arc;

/// A decision, its JSON form, and where its audit record is.
pub struct Decided {
    pub snapshot: Arc<Snapshot>,
    pub decision: Decision,
    /// The decision as JSON (what the audit record holds).
    pub json: Value,
    pub audit_seq: u64,
    /// Review decisions met while resolving the parties, and their effect.
    pub applied_reviews: Vec<AppliedReview>,
}

impl Decided {
    /// The decision as every front end answers it: `embargo decide --json`,
    /// `POST /v1/decide`, the bus reply's `result` and the Python package's
    /// `Engine.decide` (docs/json.md). It is the decision document of the
    /// audit record (`json`) with two keys added at the top level, never
    /// wrapped: `audit_seq`, the audit record holding the decision (0 when
    /// none was written: an unaudited engine), and `decision_text`, the
    /// decision as plain text (`embargo decide --explain`).
    pub fn document(&self) -> Value {
        answer_document(&self.json, &self.decision, Some(self.audit_seq))
    }
}

/// [`Decided::document`] from its parts. The bus prepares its answer
/// before the audit sequence is known (`None`) and adds `audit_seq` when it
/// replies (`bus::reply_message`).
pub(crate) fn answer_document(json: &Value, decision: &Decision, audit_seq: Option<u64>) -> Value {
    let mut doc = json.clone();
    if let Value::Object(o) = &mut doc {
        o.insert("decision_text".into(), Value::from(decision.to_text()));
        if let Some(seq) = audit_seq {
            o.insert("audit_seq".into(), Value::from(seq));
        }
    }
    doc
}

/// The transaction object of a document: a worked-case file
/// (`{"transaction": {...}, "expect": ...}`) is unwrapped, anything else is
/// taken as it is.
fn transaction_object(text: &str) -> Value {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(mut m)) if m.contains_key("transaction") && !m.contains_key("date") => {
            m.remove("transaction").unwrap_or(Value::Null)
        }
        Ok(v) => v,
        Err(_) => Value::Null,
    }
}

impl App {
    /// Decides the transaction in `text` (JSON, the format of
    /// docs/transactions.md) and audits the decision.
    pub fn decide(&self, actor: &str, text: &str) -> AppResult<Decided> {
        let snap = self.snapshot();
        let (
            Decided {
                snapshot,
                decision,
                json,
                applied_reviews: applied,
                ..
            },
            record,
        ) = decide_prepared(self, &snap, actor, text)?;
        crate::deadline::commit_point()?;
        let rec = self.audit_backend().append_record(record)?;
        Ok(Decided {
            snapshot,
            decision,
            json,
            audit_seq: rec.seq,
            applied_reviews: applied,
        })
    }
}

/// Decides the transaction in `text` on a snapshot with no data directory
/// behind it (the embedded pack alone, a Spark executor's snapshot): the
/// same decision document, no audit record (`audit_seq` 0). Front ends
/// that hold an [`App`] use [`App::decide`].
pub fn decide_unaudited(snap: &Arc<Snapshot>, text: &str) -> AppResult<Decided> {
    decide_on(snap, text, None)
}

/// Decides `text` on `snap`, applying the standing review decisions of
/// `reviews` when there is a review book (a data directory) behind it.
fn decide_on(
    snap: &Arc<Snapshot>,
    text: &str,
    reviews: Option<ReviewContext>,
) -> AppResult<Decided> {
    let tx =
        embargo_rules::parse_transaction(text).map_err(|e| AppError::Transaction(e.to_string()))?;
    let (mut decision, applied) = match reviews {
        Some(ctx) => with_reviews(ctx, || snap.engine().decide(&tx)),
        None => (snap.engine().decide(&tx), Vec::new()),
    };
    // Never a silent clear: each finding of a measure the reviewed
    // record is listed for says what the review did.
    for a in &applied {
        for f in decision
            .findings
            .iter_mut()
            .filter(|f| a.measures.contains(&f.measure))
        {
            if !f.reasons.contains(&a.message) {
                f.reasons.push(a.message.clone());
            }
        }
    }
    // The decision document: its id, when it was made, and every list
    // version the snapshot holds (not only those a party matched).
    decision.stamp(snap.version_labels());
    let mut json =
        serde_json::to_value(&decision).map_err(|e| AppError::encode("a decision", e))?;
    if let Value::Object(o) = &mut json {
        o.insert(
            "applied_reviews".into(),
            serde_json::to_value(&applied).map_err(|e| AppError::encode("applied reviews", e))?,
        );
    }
    Ok(Decided {
        snapshot: snap.clone(),
        decision,
        json,
        audit_seq: 0,
        applied_reviews: applied,
    })
}

/// The decision on `snap` with the standing review decisions of `app`'s
/// data directory applied, and the audit record that must be written
/// before it is given to anyone (`decide`, and the bus consumer, which
/// writes many in one transaction).
pub(crate) fn decide_prepared(
    app: &App,
    snap: &Arc<Snapshot>,
    actor: &str,
    text: &str,
) -> AppResult<(Decided, NewRecord)> {
    decide_prepared_with(snap, actor, text, &ReviewInputs::read(app)?)
}

/// What a decision reads besides its transaction and the lists: the review
/// decisions in force, today's date and the maker-checker threshold. The
/// bus reads them once per batch (one snapshot, one review book), not once
/// per message.
#[derive(Clone)]
pub(crate) struct ReviewInputs {
    book: Arc<embargo_audit::ReviewBook>,
    today: chrono::NaiveDate,
    threshold: f64,
}

impl ReviewInputs {
    pub(crate) fn read(app: &App) -> AppResult<ReviewInputs> {
        Ok(ReviewInputs {
            book: app.audit_backend().review_book()?,
            today: chrono::Utc::now().date_naive(),
            threshold: crate::settings::approval_threshold(&app.data_dir)?,
        })
    }
}

/// [`decide_prepared`] with the review inputs already read.
pub(crate) fn decide_prepared_with(
    snap: &Arc<Snapshot>,
    actor: &str,
    text: &str,
    reviews: &ReviewInputs,
) -> AppResult<(Decided, NewRecord)> {
    let ctx = ReviewContext::new(reviews.book.clone(), reviews.today, reviews.threshold);
    let decided = decide_on(snap, text, Some(ctx))?;
    let record = NewRecord {
        kind: RecordKind::Decide,
        actor: actor.to_string(),
        request: transaction_object(text),
        result: decided.json.clone(),
        list_versions: snap.version_labels(),
    };
    Ok((decided, record))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_file_is_recorded_as_its_transaction() {
        let case = r#"{"transaction": {"date": "2024-01-01"}, "expect": []}"#;
        assert_eq!(
            transaction_object(case),
            serde_json::json!({"date": "2024-01-01"})
        );
        let bare = r#"{"date": "2024-01-01", "transaction": "x"}"#;
        assert_eq!(transaction_object(bare)["date"], "2024-01-01");
    }
}
