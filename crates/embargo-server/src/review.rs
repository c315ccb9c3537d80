//! Review decisions over HTTP: `POST /v1/reviews` translated into the
//! workflow layer's `App::review`. The display form of a standing decision
//! (`ReviewMark`) lives in `embargo-app`.

use crate::auth::{Access, Caller};
use crate::error::ApiError;
use crate::state::{blocking, Shared};
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::Json;
use embargo_app::ReviewInput;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::schemas::MAX_ENTITY_ID_CHARS;

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
    /// The hit's review state after this decision: `cleared`, `confirmed`
    /// or `pending_approval` (a clear that needs a second, different
    /// reviewer's approval; the hit still alerts).
    pub status: String,
    /// The review mark the next screen shows.
    pub mark: embargo_app::ReviewMark,
    /// Why a clear of this hit needs a second reviewer, if it does.
    pub approval_required: Option<String>,
    /// The hit's score for the subject on the current lists, if it is hit.
    pub score: Option<f64>,
    pub review_id: i64,
    /// Audit record holding the decision.
    pub audit_seq: u64,
    pub subject_key: String,
    pub entity_id: String,
    pub verdict: String,
    pub reviewer: String,
    pub decided_at: String,
}

/// Record a review decision (role `review`; keyless loopback callers get 403).
/// Clearing a hit at or above the approval threshold, or on an SDN, Entity
/// List or UFLPA record, needs a second, different reviewer.
#[utoipa::path(post, path = "/v1/reviews", tag = "native",
    request_body = ReviewRequest,
    responses((status = 201, body = ReviewResponse), (status = 400, body = crate::error::ErrorBody),
              (status = 403, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn record(
    State(st): State<Shared>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<ReviewRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<ReviewResponse>), ApiError> {
    caller.require(Access::Review)?;
    let Json(req) = body?;
    if req.entity_id.chars().count() > MAX_ENTITY_ID_CHARS {
        return Err(ApiError::bad_request(format!(
            "`entity_id`: longer than {MAX_ENTITY_ID_CHARS} characters"
        )));
    }
    let input = ReviewInput {
        name: req.subject.name,
        schema: req.subject.schema,
        birth_date: req.subject.birth_date,
        country: req.subject.country,
        entity_id: req.entity_id,
        verdict: req.verdict,
        reason: req.reason,
        expires: req.expires,
    };
    let st2 = st.clone();
    let done = blocking("recording a review", move || {
        Ok(st2.app.review(&caller.name, &input)?)
    })
    .await?;
    let review = done.review;
    Ok((
        StatusCode::CREATED,
        Json(ReviewResponse {
            status: done.mark.status.clone(),
            mark: done.mark,
            approval_required: done.approval_required,
            score: done.score,
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

/// Whose review history to read: the subject as it was screened.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// The screened name, as in the screen request.
    pub name: String,
    /// The screen's `schema`, if it had one.
    pub schema: Option<String>,
    /// The screen's `birth_date`, if it had one.
    pub birth_date: Option<String>,
    /// The screen's `country`, if it had one.
    pub country: Option<String>,
}

/// Every review decision filed for one screened subject, on any listed
/// record, oldest first (role `screen`). The subject is keyed as in a
/// review request: name, schema, date of birth and country.
#[utoipa::path(get, path = "/v1/reviews", tag = "native", params(HistoryParams),
    responses((status = 200, body = embargo_app::SubjectReviews),
              (status = 400, body = crate::error::ErrorBody)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn history(
    State(st): State<Shared>,
    Extension(caller): Extension<Caller>,
    params: Result<axum::extract::Query<HistoryParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<embargo_app::SubjectReviews>, ApiError> {
    caller.require(Access::Screen)?;
    let axum::extract::Query(p) = params?;
    let st2 = st.clone();
    let out = blocking("reading review history", move || {
        Ok(st2.app.subject_reviews(
            &p.name,
            p.schema.as_deref(),
            p.birth_date.as_deref(),
            p.country.as_deref(),
        )?)
    })
    .await?;
    Ok(Json(out))
}
