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
//! - `PendingApproval`: a false positive that needs a second reviewer
//!   (maker-checker: the caller says when, `review_lookup`) has only one;
//!   the hit still alerts.
//! - `None`: nobody decided on this pair; a fresh alert.
//!
//! **Four eyes.** When the caller's policy requires approval, a clear
//! stands only when the latest decision and an earlier one in the same
//! unbroken run of false-positive decisions on the same record content are
//! by two different reviewers. The same reviewer twice stays pending.
//!
//! **Rows written behind Embargo's back.** Every `reviews` row carries a
//! MAC (HMAC-SHA256 under a key derived from `audit.key`, see `signing`)
//! over its id, audit record and decision. Look-ups ignore a row whose MAC
//! fails and say so (`ReviewLookup::warnings`); `verify` reports it. Rows
//! written before MACs existed get one once, at the upgrade, only if they
//! agree with their audit record (`bless_legacy_reviews`).

use crate::canonical::{canonical_json, is_sha256_hex};
use crate::error::AuditError;
use crate::fingerprint::{diff_entities, entity_fingerprint, FieldChange};
use crate::log::AuditLog;
use crate::record::{format_ts, NewRecord, RecordKind};
use crate::signing::LogKey;
use chrono::{DateTime, NaiveDate, Utc};
use embargo_model::{Entity, EntityId};
use rusqlite::{params, Row, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;

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
    /// The hit's score when the decision was taken, if known (kept in the
    /// audit record's result).
    pub score: Option<f64>,
    /// Why this decision needs a second reviewer's approval (maker-checker),
    /// or `None`; kept in the audit record's result.
    pub approval_required: Option<String>,
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
            score: None,
            approval_required: None,
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
        /// The second reviewer who approved a clear that needed one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        approved_by: Option<String>,
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
    /// A false positive that needs a second, different reviewer's approval
    /// before it clears the hit; until then the hit alerts.
    PendingApproval {
        review: Review,
        /// Why approval is needed (the caller's policy).
        why: String,
    },
}

/// What the review index says about one hit: the standing status, and
/// rows that were ignored because they fail their integrity check.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviewLookup {
    pub status: Option<ReviewStatus>,
    /// One line per ignored row ("review 7 fails its integrity check …").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
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

const REVIEW_MAC_PREFIX: &[u8] = b"embargo-audit review v1\n";

/// The bytes a `reviews` row's MAC covers: its id, its audit record, the
/// decision body and `decided_at`.
pub(crate) fn review_mac_input(id: i64, audit_seq: i64, body: &Value, decided_at: &str) -> Vec<u8> {
    let v = json!({
        "id": id,
        "audit_seq": audit_seq,
        "decision": body,
        "decided_at": decided_at,
    });
    let mut out = REVIEW_MAC_PREFIX.to_vec();
    out.extend_from_slice(canonical_json(&v).as_bytes());
    out
}

/// A legacy review row: id, audit seq, the row as JSON with its MAC text
/// (or why it could not be read), and its audit record's payload.
type LegacyRow = (i64, i64, Result<(Value, String), String>, Option<String>);

/// Gives a MAC to every `reviews` row that has none and agrees with its
/// audit record (run once, when the `mac` column is added).
pub(crate) fn bless_legacy_reviews(tx: &Transaction<'_>, key: &LogKey) -> rusqlite::Result<()> {
    let rows: Vec<LegacyRow> = {
        let mut st = tx.prepare(&format!(
            "SELECT r.id, r.audit_seq, {cols}, a.payload FROM reviews r
             LEFT JOIN audit_log a ON a.seq = r.audit_seq WHERE r.mac IS NULL ORDER BY r.id",
            cols = REVIEW_COLUMNS
                .split(", ")
                .map(|c| format!("r.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))?;
        let out = st
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, review_body_from_row(r, 2), r.get(11)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        out
    };
    // The index is append-only by trigger; lift it for this one upgrade.
    tx.execute_batch("DROP TRIGGER IF EXISTS reviews_no_update")?;
    for (id, seq, body, payload) in rows {
        let (Ok((body, decided_at)), Some(payload)) = (body, payload) else {
            continue;
        };
        let logged = serde_json::from_str::<Value>(&payload).ok();
        let agrees = logged
            .as_ref()
            .and_then(|v| v.get("request"))
            .map(canonical_json)
            == Some(canonical_json(&body))
            && logged
                .as_ref()
                .and_then(|v| v.get("ts"))
                .and_then(Value::as_str)
                == Some(decided_at.as_str());
        if agrees {
            let mac = key.mac_hex(&review_mac_input(id, seq, &body, &decided_at));
            tx.execute(
                "UPDATE reviews SET mac = ?1 WHERE id = ?2",
                params![mac, id],
            )?;
        }
    }
    tx.execute_batch(crate::schema::REVIEWS_NO_UPDATE)?;
    Ok(())
}

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

const SELECT_REVIEW: &str = "SELECT id, audit_seq, subject_key, entity_id, entity_fingerprint, entity_json, verdict, reason, reviewer, decided_at, expires, mac FROM reviews";

/// Whether a row read with `SELECT_REVIEW` carries a valid MAC.
fn row_mac_ok(r: &Row<'_>, key: &LogKey) -> Result<bool, String> {
    let id: i64 = r.get(0).map_err(|e| e.to_string())?;
    let seq: i64 = r.get(1).map_err(|e| e.to_string())?;
    let mac: Option<String> = r.get(11).map_err(|e| e.to_string())?;
    let Some(mac) = mac else { return Ok(false) };
    let (body, decided_at) = review_body_from_row(r, 2)?;
    Ok(key.mac_ok(&review_mac_input(id, seq, &body, &decided_at), &mac))
}

/// A decision as it is written: its audit record, the body its row's MAC
/// covers (the entity as it reads back), the entity's stored text and the
/// expiry as text.
pub(crate) struct ReviewRecord {
    pub record: NewRecord,
    pub mac_body: Value,
    pub entity_text: Option<String>,
    pub expires: Option<String>,
}

/// Checks a decision and composes its audit record (kind `review`, actor
/// the reviewer, request the decision, result the score and why approval
/// is needed). Every back end writes this record.
pub(crate) fn review_record(r: &NewReview) -> Result<ReviewRecord, AuditError> {
    let entity_value = validate(r)?;
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
    let entity_text = entity_value.as_ref().map(canonical_json);
    // The MAC covers the body as it reads back from the row.
    let mut mac_body = body.clone();
    if let (Some(t), Some(o)) = (&entity_text, mac_body.as_object_mut()) {
        let reread: Value =
            serde_json::from_str(t).map_err(|e| invalid("entity", &e.to_string()))?;
        o.insert("entity".into(), reread);
    }
    let mut result = serde_json::Map::new();
    if let Some(s) = r.score {
        result.insert("score".into(), json!(s));
    }
    if let Some(why) = &r.approval_required {
        result.insert("approval_required".into(), json!(why));
    }
    let result = if result.is_empty() {
        Value::Null
    } else {
        Value::Object(result)
    };
    Ok(ReviewRecord {
        record: NewRecord {
            kind: RecordKind::Review,
            actor: r.reviewer.clone(),
            request: body,
            result,
            list_versions: vec![],
        },
        mac_body,
        entity_text,
        expires,
    })
}

/// The decision an audit record of kind `review` holds, as review `id`
/// (the PostgreSQL index keeps only pointers; the decision is read from
/// the hash-chained record itself).
pub(crate) fn review_from_record(id: i64, rec: &crate::AuditRecord) -> Result<Review, String> {
    if rec.kind != RecordKind::Review {
        return Err(format!(
            "audit record {} is a {} record, not a review",
            rec.seq,
            rec.kind.as_str()
        ));
    }
    let b = &rec.request;
    let s = |k: &str| {
        b.get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("audit record {}: review lacks {k:?}", rec.seq))
    };
    let verdict_text = s("verdict")?;
    let entity = match b.get("entity") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            serde_json::from_value(v.clone())
                .map_err(|e| format!("audit record {}: entity: {e}", rec.seq))?,
        ),
    };
    Ok(Review {
        id,
        audit_seq: rec.seq,
        decided_at: rec.ts,
        subject_key: s("subject_key")?,
        entity_id: EntityId(s("entity_id")?),
        entity_fingerprint: s("entity_fingerprint")?,
        entity,
        verdict: Verdict::parse(&verdict_text)
            .ok_or_else(|| format!("unknown verdict {verdict_text:?}"))?,
        reason: s("reason")?,
        reviewer: s("reviewer")?,
        expires: match b.get("expires").and_then(Value::as_str) {
            Some(t) => Some(
                NaiveDate::parse_from_str(t, "%Y-%m-%d")
                    .map_err(|e| format!("expires {t:?}: {e}"))?,
            ),
            None => None,
        },
    })
}

impl AuditLog {
    /// Records a decision, together with its audit record.
    pub fn record_review(&self, r: NewReview) -> Result<Review, AuditError> {
        let ReviewRecord {
            record,
            mac_body,
            entity_text,
            expires,
        } = review_record(&r)?;
        self.write_tx(|tx| {
            let rec = self.append_in(tx, record)?;
            let id: i64 = tx
                .query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM reviews", [], |x| {
                    x.get(0)
                })
                .map_err(|e| self.db(e))?;
            let decided_at = format_ts(&rec.ts);
            let mac = self.log_key().mac_hex(&review_mac_input(
                id,
                rec.seq as i64,
                &mac_body,
                &decided_at,
            ));
            tx.execute(
                &format!("INSERT INTO reviews (id, mac, audit_seq, {REVIEW_COLUMNS}) VALUES (?11, ?12, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
                params![
                    rec.seq as i64,
                    r.subject_key,
                    r.entity_id.as_str(),
                    r.entity_fingerprint,
                    entity_text,
                    r.verdict.as_str(),
                    r.reason,
                    r.reviewer,
                    decided_at,
                    expires,
                    id,
                    mac,
                ],
            )
            .map_err(|e| self.db(e))?;
            Ok(Review {
                id,
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

    /// The latest decision on (subject, entity) whose row passes its
    /// integrity check, if any.
    pub fn latest_review(
        &self,
        subject_key: &str,
        entity_id: &EntityId,
    ) -> Result<Option<Review>, AuditError> {
        Ok(self.checked_history(subject_key, entity_id)?.0.pop())
    }

    /// Every decision on (subject, entity) whose row passes its integrity
    /// check, oldest first.
    pub fn review_history(
        &self,
        subject_key: &str,
        entity_id: &EntityId,
    ) -> Result<Vec<Review>, AuditError> {
        Ok(self.checked_history(subject_key, entity_id)?.0)
    }

    /// Every decision filed for one subject, on any listed record, oldest
    /// first, and one warning per row ignored because its MAC fails (the
    /// review history a page shows beside a hit).
    pub fn subject_reviews(
        &self,
        subject_key: &str,
    ) -> Result<(Vec<Review>, Vec<String>), AuditError> {
        self.checked_rows(subject_key, None)
    }

    /// The decisions on (subject, entity), oldest first, and one warning
    /// per row ignored because its MAC fails (written or edited outside
    /// Embargo).
    fn checked_history(
        &self,
        subject_key: &str,
        entity_id: &EntityId,
    ) -> Result<(Vec<Review>, Vec<String>), AuditError> {
        self.checked_rows(subject_key, Some(entity_id))
    }

    /// Rows of one subject (and one record, when given), checked.
    fn checked_rows(
        &self,
        subject_key: &str,
        entity_id: Option<&EntityId>,
    ) -> Result<(Vec<Review>, Vec<String>), AuditError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare(&format!(
                "{SELECT_REVIEW} WHERE subject_key = ?1 AND (?2 IS NULL OR entity_id = ?2) ORDER BY id"
            ))
            .map_err(|e| self.db(e))?;
        let key = self.log_key();
        let rows = stmt
            .query_map(params![subject_key, entity_id.map(|e| e.as_str())], |r| {
                let id: i64 = r.get(0)?;
                Ok((id, row_mac_ok(r, key), review_from_row(r)))
            })
            .map_err(|e| self.db(e))?;
        let mut out = Vec::new();
        let mut warnings = Vec::new();
        for r in rows {
            let (id, mac_ok, review) = r.map_err(|e| self.db(e))?;
            match (mac_ok, review) {
                (Ok(true), Ok(review)) => out.push(review),
                (Ok(true), Err(reason)) => return Err(self.review_corrupt(reason)),
                (Ok(false), _) | (Err(_), _) => warnings.push(format!(
                    "review row {id} fails its integrity check (written outside Embargo?) and was ignored; run `embargo audit verify`"
                )),
            }
        }
        Ok((out, warnings))
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
    /// No approval policy: one reviewer's clear stands.
    pub fn review_status(
        &self,
        subject_key: &str,
        entity_id: &EntityId,
        current_fingerprint: &str,
        today: NaiveDate,
    ) -> Result<Option<ReviewStatus>, AuditError> {
        let (history, _) = self.checked_history(subject_key, entity_id)?;
        Ok(status_of(&history, current_fingerprint, None, today, None))
    }

    /// Whether a decision applies to this hit on the record as listed now;
    /// a `Stale` answer names the fields that changed. No approval policy:
    /// one reviewer's clear stands (see `review_lookup`).
    pub fn review_status_for_entity(
        &self,
        subject_key: &str,
        current: &Entity,
        today: NaiveDate,
    ) -> Result<Option<ReviewStatus>, AuditError> {
        Ok(self
            .review_lookup(subject_key, current, today, None)?
            .status)
    }

    /// The standing decision on this hit under a maker-checker policy:
    /// `approval_required` (the reason, from the caller's policy) makes a
    /// false positive stand only once two different reviewers made it;
    /// until then it is `PendingApproval`. Rows failing their integrity
    /// check are ignored and named in `warnings`.
    pub fn review_lookup(
        &self,
        subject_key: &str,
        current: &Entity,
        today: NaiveDate,
        approval_required: Option<&str>,
    ) -> Result<ReviewLookup, AuditError> {
        let fp = entity_fingerprint(current);
        let (history, warnings) = self.checked_history(subject_key, &current.id)?;
        Ok(ReviewLookup {
            status: status_of(&history, &fp, Some(current), today, approval_required),
            warnings,
        })
    }
}

/// Every review decision whose row passes its integrity check, read at
/// once, for callers that look up many (subject, entity) pairs without
/// knowing them in advance (the decision engine's party resolution).
/// Look-ups answer exactly as `AuditLog::review_lookup` does.
#[derive(Clone, Debug, Default)]
pub struct ReviewBook {
    by_pair: std::collections::HashMap<(String, String), Vec<Review>>,
    /// Rows ignored because they fail their integrity check, by pair.
    ignored: std::collections::HashMap<(String, String), Vec<String>>,
}

impl ReviewBook {
    /// The standing decision on (subject, entity) under a maker-checker
    /// policy (see `AuditLog::review_lookup`).
    pub fn lookup(
        &self,
        subject_key: &str,
        current: &Entity,
        today: NaiveDate,
        approval_required: Option<&str>,
    ) -> ReviewLookup {
        let key = (subject_key.to_string(), current.id.as_str().to_string());
        let history = self.by_pair.get(&key).map_or(&[][..], Vec::as_slice);
        ReviewLookup {
            status: status_of(
                history,
                &entity_fingerprint(current),
                Some(current),
                today,
                approval_required,
            ),
            warnings: self.ignored.get(&key).cloned().unwrap_or_default(),
        }
    }

    /// The decision with this id, if its row passed its check.
    pub fn review(&self, id: i64) -> Option<&Review> {
        self.by_pair.values().flatten().find(|r| r.id == id)
    }

    /// Adds a decision that passed its check (oldest first per pair).
    pub(crate) fn add(&mut self, review: Review) {
        let pair = (review.subject_key.clone(), review.entity_id.0.clone());
        self.by_pair.entry(pair).or_default().push(review);
    }

    /// Notes a row of (subject, entity) ignored because it fails its check.
    pub(crate) fn ignore(&mut self, pair: (String, String), warning: String) {
        self.ignored.entry(pair).or_default().push(warning);
    }

    /// Every decision filed for one subject, oldest first, and the warnings
    /// of its ignored rows (`AuditLog::subject_reviews`).
    pub fn subject(&self, subject_key: &str) -> (Vec<Review>, Vec<String>) {
        let mut out: Vec<Review> = self
            .by_pair
            .iter()
            .filter(|((s, _), _)| s == subject_key)
            .flat_map(|(_, v)| v.iter().cloned())
            .collect();
        out.sort_by_key(|r| r.id);
        let warnings = self
            .ignored
            .iter()
            .filter(|((s, _), _)| s == subject_key)
            .flat_map(|(_, v)| v.iter().cloned())
            .collect();
        (out, warnings)
    }

    /// Whether any decision exists (a cheap test before looking up).
    pub fn is_empty(&self) -> bool {
        self.by_pair.is_empty() && self.ignored.is_empty()
    }
}

/// The last `ReviewBook` read, with what identifies the `reviews` table
/// it was read from (see `AuditLog::review_book`).
#[derive(Default)]
pub(crate) struct BookCache(std::sync::Mutex<Option<(BookKey, Arc<ReviewBook>)>>);

/// `PRAGMA data_version` of the log's connection (changes whenever another
/// connection, in this process or another, commits) and the highest review
/// id (changes when this connection records a review).
type BookKey = (i64, i64);

impl AuditLog {
    /// Every review decision, checked (`ReviewBook`).
    ///
    /// On the path of every decision, so the book is read once and kept:
    /// it is read again only when the file may hold other rows than those
    /// it was read from, i.e. when another connection committed since
    /// (`PRAGMA data_version`, which also catches rows written or edited
    /// behind Embargo's back) or this one recorded a review (the highest
    /// review id). The answer is always what a fresh read would give.
    pub fn review_book(&self) -> Result<Arc<ReviewBook>, AuditError> {
        let conn = self.lock();
        let key: BookKey = (
            conn.query_row("PRAGMA data_version", [], |r| r.get(0))
                .map_err(|e| self.db(e))?,
            conn.query_row("SELECT COALESCE(MAX(id), 0) FROM reviews", [], |r| r.get(0))
                .map_err(|e| self.db(e))?,
        );
        let mut cache = self
            .review_books
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some((k, book)) = cache.as_ref() {
            if *k == key {
                return Ok(Arc::clone(book));
            }
        }
        let book = Arc::new(self.read_review_book(&conn)?);
        *cache = Some((key, Arc::clone(&book)));
        Ok(book)
    }

    fn read_review_book(&self, conn: &rusqlite::Connection) -> Result<ReviewBook, AuditError> {
        let mut stmt = conn
            .prepare(&format!("{SELECT_REVIEW} ORDER BY id"))
            .map_err(|e| self.db(e))?;
        let key = self.log_key();
        let rows = stmt
            .query_map([], |r| {
                let id: i64 = r.get(0)?;
                let pair: (String, String) = (r.get(2)?, r.get(3)?);
                Ok((id, pair, row_mac_ok(r, key), review_from_row(r)))
            })
            .map_err(|e| self.db(e))?;
        let mut book = ReviewBook::default();
        for r in rows {
            let (id, pair, mac_ok, review) = r.map_err(|e| self.db(e))?;
            match (mac_ok, review) {
                (Ok(true), Ok(review)) => book.by_pair.entry(pair).or_default().push(review),
                (Ok(true), Err(reason)) => return Err(self.review_corrupt(reason)),
                _ => book.ignored.entry(pair).or_default().push(format!(
                    "review row {id} fails its integrity check (written outside Embargo?) and was ignored; run `embargo audit verify`"
                )),
            }
        }
        Ok(book)
    }
}

/// A changed record outranks expiry: both re-alert, and "what changed" is
/// the more useful thing to tell the analyst.
fn status_of(
    history: &[Review],
    current_fingerprint: &str,
    current: Option<&Entity>,
    today: NaiveDate,
    approval_required: Option<&str>,
) -> Option<ReviewStatus> {
    let (r, history) = history.split_last()?;
    let expired = |x: &Review| x.expires.is_some_and(|last| today > last);
    if r.entity_fingerprint != current_fingerprint {
        let changes = match (&r.entity, current) {
            (Some(old), Some(new)) => Some(diff_entities(old, new)),
            _ => None,
        };
        return Some(ReviewStatus::Stale {
            previous: r.clone(),
            changes,
        });
    }
    if expired(r) {
        return Some(ReviewStatus::Expired {
            previous: r.clone(),
        });
    }
    let mut approved_by = None;
    let mut by = r.reviewer.clone();
    let mut reason = r.reason.clone();
    if let (Verdict::FalsePositive, Some(why)) = (r.verdict, approval_required) {
        // The maker: an earlier false positive by someone else, in the same
        // unbroken run of clears of this record content.
        let maker = history
            .iter()
            .rev()
            .take_while(|x| {
                x.verdict == Verdict::FalsePositive
                    && x.entity_fingerprint == current_fingerprint
                    && !expired(x)
            })
            .find(|x| x.reviewer != r.reviewer);
        match maker {
            Some(m) => {
                approved_by = Some(r.reviewer.clone());
                by = m.reviewer.clone();
                reason = m.reason.clone();
            }
            None => {
                return Some(ReviewStatus::PendingApproval {
                    why: why.to_string(),
                    review: r.clone(),
                })
            }
        }
    }
    Some(ReviewStatus::Cleared {
        by,
        approved_by,
        on: r.decided_at,
        reason,
        verdict: r.verdict,
        expires: r.expires,
        review_id: r.id,
    })
}
