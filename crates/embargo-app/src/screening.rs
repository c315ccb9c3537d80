//! The screening act: run a [`Subject`] through the matcher on one snapshot,
//! mark hits that earlier review decisions settled, and write the one audit
//! record of the screen.
//!
//! Audit record of a screen (kind `screen`), the same from every front end:
//! - `request`: [`Subject::audit_request`] (typed query and options);
//! - `result`: `{"hits": [{"entity_id", "score", "matched_name", "review"}]}`
//!   where `review` is the status of a standing review decision
//!   (`cleared`, `confirmed`, `stale`, `expired`) or null;
//! - `list_versions`: `dataset@version` of every list in the snapshot.

use crate::error::{AppError, AppResult};
use crate::reviewing::ReviewMark;
use crate::subject::Subject;
use crate::{App, ScreenRequest, ScreenResult, Snapshot};
use chrono::{DateTime, Utc};
use embargo_audit::{NewRecord, RecordKind, ReviewStatus};
use serde_json::{json, Value};
use std::sync::Arc;

/// One hit with the review decision that stands on it for the subject.
#[derive(Clone, Debug)]
pub struct ReviewedHit {
    pub result: ScreenResult,
    pub review: Option<ReviewStatus>,
}

impl ReviewedHit {
    /// The display form of the standing review decision, if any.
    pub fn mark(&self) -> Option<ReviewMark> {
        self.review.clone().map(ReviewMark::from)
    }
}

/// What a screen found, and where its audit record is.
pub struct Screened {
    /// The snapshot the screen ran on (its lists and versions).
    pub snapshot: Arc<Snapshot>,
    pub evaluated_at: DateTime<Utc>,
    /// The datasets searched.
    pub datasets: Vec<String>,
    pub hits: Vec<ReviewedHit>,
    /// Sequence number of the screen's audit record.
    pub audit_seq: u64,
}

impl App {
    /// Screens one subject on the current snapshot and audits it.
    pub fn screen(&self, actor: &str, subject: &Subject) -> AppResult<Screened> {
        self.screen_on(&self.snapshot(), actor, subject)
    }

    /// Screens one subject on `snap` (a batch holds one snapshot for all its
    /// lines) and audits it. An answer whose audit record could not be
    /// written is an error, never returned.
    pub fn screen_on(
        &self,
        snap: &Arc<Snapshot>,
        actor: &str,
        subject: &Subject,
    ) -> AppResult<Screened> {
        let evaluated_at = Utc::now();
        let results = snap.screen(&ScreenRequest {
            query: subject.query.clone(),
            options: subject.options.clone(),
        });
        let today = evaluated_at.date_naive();
        let mut hits = Vec::with_capacity(results.len());
        for result in results {
            let review = match snap.entity(&result.entity_id) {
                Some(e) => self
                    .audit
                    .review_status_for_entity(&subject.review_key, e, today)?,
                None => None,
            };
            hits.push(ReviewedHit { result, review });
        }
        let record = NewRecord {
            kind: RecordKind::Screen,
            actor: actor.to_string(),
            request: subject.audit_request(),
            result: screen_audit_result(&hits),
            list_versions: snap.version_labels(),
        };
        let seq = self.audit.append(record)?.seq;
        Ok(Screened {
            datasets: subject
                .options
                .datasets
                .clone()
                .unwrap_or_else(|| snap.default_datasets.clone()),
            snapshot: snap.clone(),
            evaluated_at,
            hits,
            audit_seq: seq,
        })
    }
}

/// The `result` of a screen's audit record.
fn screen_audit_result(hits: &[ReviewedHit]) -> Value {
    json!({
        "hits": hits.iter().map(|h| json!({
            "entity_id": h.result.entity_id,
            "score": h.result.score,
            "matched_name": h.result.matched_name,
            "review": h.mark().map(|m| m.status),
        })).collect::<Vec<_>>(),
    })
}

impl Screened {
    /// Every hit as the JSON row the API and `screen --json` print: the
    /// [`ScreenResult`] fields, `explanation_text`, and `review` (the
    /// [`ReviewMark`], or null).
    pub fn hit_rows(&self) -> AppResult<Vec<Value>> {
        self.hits
            .iter()
            .map(|h| {
                let mut v = serde_json::to_value(&h.result)
                    .map_err(|e| AppError::encode("a screen result", e))?;
                if let Value::Object(m) = &mut v {
                    m.insert(
                        "explanation_text".into(),
                        Value::String(h.result.explanation.to_text()),
                    );
                    m.insert(
                        "review".into(),
                        h.mark().map(|r| json!(r)).unwrap_or(Value::Null),
                    );
                }
                Ok(v)
            })
            .collect()
    }
}
