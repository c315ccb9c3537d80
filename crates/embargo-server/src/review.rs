//! Review decisions: recording one (`POST /v1/reviews`) and showing the
//! standing decision on a hit ("cleared by … on …", or "alert again: what
//! changed").

use crate::auth::{Access, Caller};
use crate::error::ApiError;
use crate::screen::{parse_country, parse_date, parse_schema, ReviewMark};
use crate::state::{blocking, Shared};
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::Json;
use embargo_audit::{NewReview, ReviewStatus, Verdict};
use embargo_model::EntityId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What was screened: the same fields as a screen request, so the decision
/// applies the next time this subject is screened.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewSubject {
    pub name: String,
    #[serde(default)]
    pub schema: Option<String>,
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
}

/// A review decision on one hit.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    pub subject: ReviewSubject,
    /// The listed entity the hit pointed at.
    pub entity_id: String,
    /// `false_positive` (clears the hit) or `true_match`.
    pub verdict: String,
    /// Why; required.
    pub reason: String,
    /// Last day the decision applies (YYYY-MM-DD); absent = until the entry changes.
    #[serde(default)]
    pub expires: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ReviewResponse {
    pub review_id: i64,
    /// Audit record holding the decision.
    pub audit_seq: u64,
    pub subject_key: String,
    pub entity_id: String,
    pub verdict: String,
    pub reviewer: String,
    pub decided_at: String,
}

/// The display form of a standing decision.
pub fn mark_of(s: ReviewStatus) -> ReviewMark {
    match s {
        ReviewStatus::Cleared {
            by,
            on,
            reason,
            verdict,
            ..
        } => {
            let date = on.format("%Y-%m-%d").to_string();
            let (status, message) = match verdict {
                Verdict::FalsePositive => ("cleared", format!("cleared by {by} on {date}")),
                Verdict::TrueMatch => (
                    "confirmed",
                    format!("confirmed as a true match by {by} on {date}"),
                ),
            };
            ReviewMark {
                status: status.into(),
                reviewer: by,
                date,
                reason,
                message,
                changed: vec![],
            }
        }
        ReviewStatus::Stale { previous, changes } => {
            let date = previous.decided_at.format("%Y-%m-%d").to_string();
            let changed: Vec<String> = changes
                .unwrap_or_default()
                .iter()
                .map(|c| c.to_string())
                .collect();
            let what = if changed.is_empty() {
                "the listed entry".to_string()
            } else {
                changed.join("; ")
            };
            ReviewMark {
                status: "stale".into(),
                message: format!(
                    "alert again: reviewed by {} on {date} ({}), but the listing changed since: {what}",
                    previous.reviewer,
                    previous.verdict.as_str()
                ),
                reviewer: previous.reviewer,
                date,
                reason: previous.reason,
                changed,
            }
        }
        ReviewStatus::Expired { previous } => {
            let date = previous.decided_at.format("%Y-%m-%d").to_string();
            ReviewMark {
                status: "expired".into(),
                message: format!(
                    "alert again: the review by {} on {date} applied only until {}",
                    previous.reviewer,
                    previous.expires.map(|d| d.to_string()).unwrap_or_default()
                ),
                reviewer: previous.reviewer,
                date,
                reason: previous.reason,
                changed: vec![],
            }
        }
    }
}

/// Record a review decision (role `review`).
#[utoipa::path(post, path = "/v1/reviews", tag = "native",
    request_body = ReviewRequest,
    responses((status = 201, body = ReviewResponse), (status = 400, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn record(
    State(st): State<Shared>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<ReviewRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<ReviewResponse>), ApiError> {
    caller.require(Access::Review)?;
    let Json(req) = body?;
    let name = req.subject.name.trim().to_string();
    if name.is_empty() || name.chars().count() > crate::screen::MAX_NAME_CHARS {
        return Err(ApiError::bad_request(
            "`subject.name`: must be 1–300 characters",
        ));
    }
    let schema = match req.subject.schema.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(parse_schema("subject.schema", s)?),
    };
    let dob = match req.subject.birth_date.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(parse_date("subject.birth_date", s)?),
    };
    let country = match req.subject.country.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(parse_country("subject.country", s)?),
    };
    let verdict = Verdict::parse(req.verdict.trim()).ok_or_else(|| {
        ApiError::bad_request("`verdict`: expected `false_positive` or `true_match`")
    })?;
    let reason = req.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Err(ApiError::bad_request("`reason`: must be 1–2000 characters"));
    }
    let expires = match req.expires.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                ApiError::bad_request(format!("`expires`: {s:?} is not YYYY-MM-DD"))
            })?,
        ),
    };
    let subject_key = embargo_app::review_subject(&name, schema, dob, country);
    let id = EntityId(req.entity_id.trim().to_string());
    let snap = st.app.snapshot();
    let st2 = st.clone();
    let review = blocking("recording a review", move || {
        let entity = snap
            .matcher
            .get(&id)
            .ok_or_else(|| ApiError::not_found(format!("no entity {id} in the loaded lists")))?;
        let nr = NewReview::for_entity(subject_key, entity, verdict, reason, caller.name, expires);
        st2.app
            .audit
            .record_review(nr)
            .map_err(|e| ApiError::internal("recording a review", e))
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(ReviewResponse {
            review_id: review.id,
            audit_seq: review.audit_seq,
            subject_key: review.subject_key,
            entity_id: review.entity_id.0,
            verdict: review.verdict.as_str().into(),
            reviewer: review.reviewer,
            decided_at: review.decided_at.to_rfc3339(),
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Utc};
    use embargo_audit::Review;

    fn review(verdict: Verdict, expires: Option<NaiveDate>) -> Review {
        Review {
            id: 1,
            audit_seq: 7,
            decided_at: Utc.with_ymd_and_hms(2026, 3, 4, 10, 0, 0).unwrap(),
            subject_key: "k".into(),
            entity_id: EntityId("x:1".into()),
            entity_fingerprint: "0".repeat(64),
            entity: None,
            verdict,
            reason: "why".into(),
            reviewer: "ana".into(),
            expires,
        }
    }

    #[test]
    fn standing_decisions_read_as_cleared_or_confirmed() {
        let r = review(Verdict::TrueMatch, None);
        let m = mark_of(ReviewStatus::Cleared {
            by: r.reviewer.clone(),
            on: r.decided_at,
            reason: r.reason.clone(),
            verdict: Verdict::TrueMatch,
            expires: None,
            review_id: 1,
        });
        assert_eq!(m.status, "confirmed");
        assert_eq!(m.message, "confirmed as a true match by ana on 2026-03-04");
    }

    #[test]
    fn expired_and_changed_decisions_alert_again() {
        let exp = NaiveDate::from_ymd_opt(2026, 6, 30);
        let m = mark_of(ReviewStatus::Expired {
            previous: review(Verdict::FalsePositive, exp),
        });
        assert_eq!(m.status, "expired");
        assert_eq!(
            m.message,
            "alert again: the review by ana on 2026-03-04 applied only until 2026-06-30"
        );
        let m = mark_of(ReviewStatus::Stale {
            previous: review(Verdict::FalsePositive, None),
            changes: None,
        });
        assert_eq!(m.status, "stale");
        assert!(m.changed.is_empty());
        assert!(
            m.message.ends_with("changed since: the listed entry"),
            "{}",
            m.message
        );
    }
}
