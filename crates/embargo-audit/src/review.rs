//! Analysts' review decisions on screening hits, and whether one still applies.
//!
//! A decision is about one (subject, listed entity) pair: "the customer
//! screened as `subject_key` is / is not the listed record `entity_id`, as
//! that record read when I looked (`entity_fingerprint`)". It is written in
//! one transaction as an audit record (kind `review`, actor = reviewer,
//! request = the decision) and as a row of the `reviews` index. Decisions
//! are never edited: a newer one for the same pair supersedes the older.
//!
//! When the same subject is screened again, `review_status` answers:
//! - `Cleared`: the latest decision still applies (same record content, not
//!   expired); show "cleared by … on …" instead of a fresh alert, or for a
//!   `TrueMatch` "confirmed by … on …".
//! - `Stale`: the listed record changed since; alert again and say what
//!   changed (when the decision stored the reviewed entity).
//! - `Expired`: the decision's expiry date has passed; alert again.
//! - `None`: nobody decided on this pair; a fresh alert.

use crate::canonical::{canonical_json, is_sha256_hex};
use crate::error::AuditError;
use crate::fingerprint::{diff_entities, entity_fingerprint, FieldChange};
use crate::log::AuditLog;
use crate::record::{format_ts, NewRecord, RecordKind};
use chrono::{DateTime, NaiveDate, Utc};
use embargo_model::{Entity, EntityId};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// An analyst's conclusion about a hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The subject is the listed party: the hit stands.
    TrueMatch,
    /// The subject is not the listed party: the hit is cleared.
    FalsePositive,
}

impl Verdict {
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::TrueMatch => "true_match",
            Verdict::FalsePositive => "false_positive",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        match s {
            "true_match" => Some(Verdict::TrueMatch),
            "false_positive" => Some(Verdict::FalsePositive),
            _ => None,
        }
    }
}

/// A decision to record.
#[derive(Clone, Debug, PartialEq)]
pub struct NewReview {
    /// `subject_key(…)` of what was screened.
    pub subject_key: String,
    pub entity_id: EntityId,
    /// `entity_fingerprint` of the listed record the analyst reviewed.
    pub entity_fingerprint: String,
    /// The reviewed record itself. Optional, but without it a later
    /// `Stale` status can say only *that* the record changed, not *what*.
    pub entity: Option<Entity>,
    pub verdict: Verdict,
    pub reason: String,
    pub reviewer: String,
    /// Last day the decision applies (inclusive).
    pub expires: Option<NaiveDate>,
}

impl NewReview {
    /// A decision on `entity` as it reads now, keeping it for later diffs.
    pub fn for_entity(
        subject_key: impl Into<String>,
        entity: &Entity,
        verdict: Verdict,
        reason: impl Into<String>,
        reviewer: impl Into<String>,
        expires: Option<NaiveDate>,
    ) -> NewReview {
        NewReview {
            subject_key: subject_key.into(),
            entity_id: entity.id.clone(),
            entity_fingerprint: entity_fingerprint(entity),
            entity: Some(entity.clone()),
            verdict,
            reason: reason.into(),
            reviewer: reviewer.into(),
            expires,
        }
    }
}

/// A recorded decision.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// Position in the `reviews` index; higher supersedes lower.
    pub id: i64,
    /// The audit record that holds this decision.
    pub audit_seq: u64,
    pub decided_at: DateTime<Utc>,
    pub subject_key: String,
    pub entity_id: EntityId,
    pub entity_fingerprint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<Entity>,
    pub verdict: Verdict,
    pub reason: String,
    pub reviewer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
}

/// Whether a recorded decision applies to a hit now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ReviewStatus {
    /// The decision stands: "cleared by `by` on `on`" (or "confirmed" for a true match).
    Cleared {
        by: String,
        on: DateTime<Utc>,
        reason: String,
        verdict: Verdict,
        expires: Option<NaiveDate>,
        review_id: i64,
    },
    /// The listed record changed after the decision. `changes` is `None`
    /// when it cannot be said what changed (no stored snapshot, or only a
    /// fingerprint was given to `review_status`).
    Stale {
        previous: Review,
        changes: Option<Vec<FieldChange>>,
    },
    /// The decision's last day has passed.
    Expired { previous: Review },
}

impl ReviewStatus {
    /// Whether the hit may be shown as cleared instead of as an alert:
    /// only a standing false-positive decision does that.
    pub fn suppresses_alert(&self) -> bool {
        matches!(
            self,
            ReviewStatus::Cleared {
                verdict: Verdict::FalsePositive,
                ..
            }
        )
    }
}

/// The `request` body of a review's audit record. `reviews` rows are
/// rebuilt into the same shape by `review_body_from_row` for `verify`.
struct ReviewBody<'a> {
    subject_key: &'a str,
    entity_id: &'a str,
    fingerprint: &'a str,
    entity: Option<Value>,
    verdict: &'a str,
    reason: &'a str,
    reviewer: &'a str,
    expires: Option<String>,
}

impl ReviewBody<'_> {
    fn into_value(self) -> Value {
        let mut v = json!({
            "subject_key": self.subject_key,
            "entity_id": self.entity_id,
            "entity_fingerprint": self.fingerprint,
            "verdict": self.verdict,
            "reason": self.reason,
            "reviewer": self.reviewer,
            "expires": self.expires,
        });
        if let (Some(e), Some(o)) = (self.entity, v.as_object_mut()) {
            o.insert("entity".into(), e);
        }
        v
    }
}

/// Column layout read by `review_body_from_row` and `review_from_row`,
/// starting at `start`: subject_key, entity_id, entity_fingerprint,
/// entity_json, verdict, reason, reviewer, decided_at, expires.
pub(crate) const REVIEW_COLUMNS: &str = "subject_key, entity_id, entity_fingerprint, entity_json, verdict, reason, reviewer, decided_at, expires";

/// The decision body and `decided_at` text of a `reviews` row.
pub(crate) fn review_body_from_row(r: &Row<'_>, start: usize) -> Result<(Value, String), String> {
    let s = |i: usize| r.get::<_, String>(start + i).map_err(|e| e.to_string());
    let o = |i: usize| {
        r.get::<_, Option<String>>(start + i)
            .map_err(|e| e.to_string())
    };
    let entity = match o(3)? {
        Some(text) => {
            Some(serde_json::from_str::<Value>(&text).map_err(|e| format!("entity_json: {e}"))?)
        }
        None => None,
    };
    let (subject_key, entity_id, fingerprint) = (s(0)?, s(1)?, s(2)?);
    let (verdict, reason, reviewer) = (s(4)?, s(5)?, s(6)?);
    let body = ReviewBody {
        subject_key: &subject_key,
        entity_id: &entity_id,
        fingerprint: &fingerprint,
        entity,
        verdict: &verdict,
        reason: &reason,
        reviewer: &reviewer,
        expires: o(8)?,
    };
    Ok((body.into_value(), s(7)?))
}

fn review_from_row(r: &Row<'_>) -> Result<Review, String> {
    let id: i64 = r.get(0).map_err(|e| e.to_string())?;
    let audit_seq: i64 = r.get(1).map_err(|e| e.to_string())?;
    let s = |i: usize| r.get::<_, String>(i).map_err(|e| e.to_string());
    let o = |i: usize| r.get::<_, Option<String>>(i).map_err(|e| e.to_string());
    let entity = match o(5)? {
        Some(t) => Some(serde_json::from_str(&t).map_err(|e| format!("entity_json: {e}"))?),
        None => None,
    };
    let verdict_text = s(6)?;
    let decided_text = s(9)?;
    Ok(Review {
        id,
        audit_seq: u64::try_from(audit_seq).map_err(|_| "negative audit_seq".to_string())?,
        decided_at: DateTime::parse_from_rfc3339(&decided_text)
            .map_err(|e| format!("decided_at {decided_text:?}: {e}"))?
            .with_timezone(&Utc),
        subject_key: s(2)?,
        entity_id: EntityId(s(3)?),
        entity_fingerprint: s(4)?,
        entity,
        verdict: Verdict::parse(&verdict_text)
            .ok_or_else(|| format!("unknown verdict {verdict_text:?}"))?,
        reason: s(7)?,
        reviewer: s(8)?,
        expires: match o(10)? {
            Some(t) => Some(
                NaiveDate::parse_from_str(&t, "%Y-%m-%d")
                    .map_err(|e| format!("expires {t:?}: {e}"))?,
            ),
            None => None,
        },
    })
}

fn invalid(field: &'static str, reason: &str) -> AuditError {
    AuditError::Invalid {
        field,
        reason: reason.into(),
    }
}

fn validate(r: &NewReview) -> Result<Option<Value>, AuditError> {
    if r.subject_key.trim().is_empty() {
        return Err(invalid("subject_key", "empty"));
    }
    if r.entity_id.as_str().trim().is_empty() {
        return Err(invalid("entity_id", "empty"));
    }
    if !is_sha256_hex(&r.entity_fingerprint) {
        return Err(invalid(
            "entity_fingerprint",
            "expected 64 lower-case hex digits from entity_fingerprint()",
        ));
    }
    if r.reason.trim().is_empty() {
        return Err(invalid("reason", "a decision must give its reason"));
    }
    if r.reviewer.trim().is_empty() {
        return Err(invalid("reviewer", "a decision must name its reviewer"));
    }
    // An expiry before today would record a decision that never applied.
    if r.expires.is_some_and(|d| d < Utc::now().date_naive()) {
        return Err(invalid("expires", "the expiry date is already past"));
    }
    let Some(e) = &r.entity else { return Ok(None) };
    if e.id != r.entity_id {
        return Err(invalid("entity", "the stored entity has a different id"));
    }
    if entity_fingerprint(e) != r.entity_fingerprint {
        return Err(invalid(
            "entity",
            "the stored entity does not have the given fingerprint",
        ));
    }
    serde_json::to_value(e)
        .map(Some)
        .map_err(|err| invalid("entity", &err.to_string()))
}

const SELECT_REVIEW: &str = "SELECT id, audit_seq, subject_key, entity_id, entity_fingerprint, entity_json, verdict, reason, reviewer, decided_at, expires FROM reviews";

impl AuditLog {
    /// Records a decision, together with its audit record.
    pub fn record_review(&self, r: NewReview) -> Result<Review, AuditError> {
        let entity_value = validate(&r)?;
        let expires = r.expires.map(|d| d.format("%Y-%m-%d").to_string());
        let body = ReviewBody {
            subject_key: &r.subject_key,
            entity_id: r.entity_id.as_str(),
            fingerprint: &r.entity_fingerprint,
            entity: entity_value.clone(),
            verdict: r.verdict.as_str(),
            reason: &r.reason,
            reviewer: &r.reviewer,
            expires: expires.clone(),
        }
        .into_value();
        self.write_tx(|tx| {
            let rec = self.append_in(
                tx,
                NewRecord {
                    kind: RecordKind::Review,
                    actor: r.reviewer.clone(),
                    request: body,
                    result: Value::Null,
                    list_versions: vec![],
                },
            )?;
            tx.execute(
                &format!("INSERT INTO reviews (audit_seq, {REVIEW_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
                params![
                    rec.seq as i64,
                    r.subject_key,
                    r.entity_id.as_str(),
                    r.entity_fingerprint,
                    entity_value.as_ref().map(canonical_json),
                    r.verdict.as_str(),
                    r.reason,
                    r.reviewer,
                    format_ts(&rec.ts),
                    expires,
                ],
            )
            .map_err(|e| self.db(e))?;
            Ok(Review {
                id: tx.last_insert_rowid(),
                audit_seq: rec.seq,
                decided_at: rec.ts,
                subject_key: r.subject_key,
                entity_id: r.entity_id,
                entity_fingerprint: r.entity_fingerprint,
                entity: r.entity,
                verdict: r.verdict,
                reason: r.reason,
                reviewer: r.reviewer,
                expires: r.expires,
            })
        })
    }

    /// The latest decision on (subject, entity), if any.
    pub fn latest_review(
        &self,
        subject_key: &str,
        entity_id: &EntityId,
    ) -> Result<Option<Review>, AuditError> {
        let conn = self.lock();
        let row = conn
            .query_row(
                &format!(
                    "{SELECT_REVIEW} WHERE subject_key = ?1 AND entity_id = ?2 ORDER BY id DESC LIMIT 1"
                ),
                params![subject_key, entity_id.as_str()],
                |r| Ok(review_from_row(r)),
            )
            .optional()
            .map_err(|e| self.db(e))?;
        row.transpose()
            .map_err(|reason| self.review_corrupt(reason))
    }

    /// Every decision on (subject, entity), oldest first.
    pub fn review_history(
        &self,
        subject_key: &str,
        entity_id: &EntityId,
    ) -> Result<Vec<Review>, AuditError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare(&format!(
                "{SELECT_REVIEW} WHERE subject_key = ?1 AND entity_id = ?2 ORDER BY id"
            ))
            .map_err(|e| self.db(e))?;
        let rows = stmt
            .query_map(params![subject_key, entity_id.as_str()], |r| {
                Ok(review_from_row(r))
            })
            .map_err(|e| self.db(e))?;
        let mut out = Vec::new();
        for r in rows {
            out.push(
                r.map_err(|e| self.db(e))?
                    .map_err(|x| self.review_corrupt(x))?,
            );
        }
        Ok(out)
    }

    fn review_corrupt(&self, reason: String) -> AuditError {
        AuditError::Corrupt {
            path: self.path.clone(),
            table: "reviews",
            row: 0,
            field: "row",
            reason,
        }
    }

    /// Whether a decision applies to this hit, knowing only the current
    /// record's fingerprint (a `Stale` answer then has `changes: None`).
    pub fn review_status(
        &self,
        subject_key: &str,
        entity_id: &EntityId,
        current_fingerprint: &str,
        today: NaiveDate,
    ) -> Result<Option<ReviewStatus>, AuditError> {
        Ok(self
            .latest_review(subject_key, entity_id)?
            .map(|r| status_of(r, current_fingerprint, None, today)))
    }

    /// Whether a decision applies to this hit on the record as listed now;
    /// a `Stale` answer names the fields that changed.
    pub fn review_status_for_entity(
        &self,
        subject_key: &str,
        current: &Entity,
        today: NaiveDate,
    ) -> Result<Option<ReviewStatus>, AuditError> {
        let fp = entity_fingerprint(current);
        Ok(self
            .latest_review(subject_key, &current.id)?
            .map(|r| status_of(r, &fp, Some(current), today)))
    }
}

/// A changed record outranks expiry: both re-alert, and "what changed" is
/// the more useful thing to tell the analyst.
fn status_of(
    r: Review,
    current_fingerprint: &str,
    current: Option<&Entity>,
    today: NaiveDate,
) -> ReviewStatus {
    if r.entity_fingerprint != current_fingerprint {
        let changes = match (&r.entity, current) {
            (Some(old), Some(new)) => Some(diff_entities(old, new)),
            _ => None,
        };
        return ReviewStatus::Stale {
            previous: r,
            changes,
        };
    }
    if r.expires.is_some_and(|last| today > last) {
        return ReviewStatus::Expired { previous: r };
    }
    ReviewStatus::Cleared {
        by: r.reviewer,
        on: r.decided_at,
        reason: r.reason,
        verdict: r.verdict,
        expires: r.expires,
        review_id: r.id,
    }
}
