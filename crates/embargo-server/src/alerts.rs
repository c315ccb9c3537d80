//! The monitoring work queue over HTTP: `GET /v1/alerts` (filters),
//! `GET /v1/alerts/{id}` (with history), `POST /v1/alerts/{id}/resolve`
//! (a review decision through `App::resolve_alert`: audited, four eyes).
//! Reading takes role `screen`, resolving role `review` (keyless loopback
//! callers get 403, as for every review).

use crate::auth::{Access, Caller};
use crate::error::{ApiError, ErrorBody};
use crate::state::{blocking, Shared};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Extension, Path, Query, State};
use axum::Json;
use embargo_app::{Alert, AlertFilter, AlertResolution};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertParams {
    /// Only alerts of this book.
    pub book: Option<String>,
    /// Only alerts in these states, comma-separated (`open`,
    /// `under_review`, `cleared`, `confirmed`, `closed`); `open=true` is
    /// short for `open,under_review`.
    pub state: Option<String>,
    /// Only alerts still to work (open or under review).
    pub open: Option<bool>,
    /// Only alerts of this customer id.
    pub customer: Option<String>,
    /// Only alerts on this listed record.
    pub entity_id: Option<String>,
    /// At most this many, newest first (default 500, at most 10000).
    pub limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct AlertsResponse {
    pub count: usize,
    pub alerts: Vec<Alert>,
}

/// A resolution: a review decision on the alert's hit.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    /// `false_positive` (clears) or `true_match` (confirms).
    pub verdict: String,
    /// Why; required.
    pub reason: String,
    /// Last day the decision applies (YYYY-MM-DD).
    #[serde(default)]
    pub expires: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ResolveResponse {
    /// The alert after the decision (`cleared`, `confirmed`, or
    /// `under_review` while a clear waits for a second reviewer).
    pub alert: Alert,
    /// The review mark the customer's next screen shows.
    pub mark: embargo_app::ReviewMark,
    pub approval_required: Option<String>,
    /// Audit record holding the review decision.
    pub audit_seq: u64,
}

/// The alert queue, newest first (role `screen`).
#[utoipa::path(get, path = "/v1/alerts", tag = "native", params(AlertParams),
    responses((status = 200, body = AlertsResponse), (status = 400, body = ErrorBody)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn list(
    State(st): State<Shared>,
    Extension(caller): Extension<Caller>,
    params: Result<Query<AlertParams>, QueryRejection>,
) -> Result<Json<AlertsResponse>, ApiError> {
    caller.require(Access::Screen)?;
    let Query(p) = params?;
    let mut states: Vec<String> = p
        .state
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if p.open == Some(true) {
        states.extend(["open".to_string(), "under_review".to_string()]);
    }
    let filter = AlertFilter {
        book: p.book.filter(|b| !b.is_empty()),
        states,
        customer_id: p.customer.filter(|c| !c.is_empty()),
        entity_id: p.entity_id.filter(|e| !e.is_empty()),
        limit: Some(p.limit.unwrap_or(500).clamp(1, 10_000)),
    };
    let st2 = st.clone();
    let alerts = blocking("listing alerts", move || Ok(st2.app.alerts(&filter)?)).await?;
    Ok(Json(AlertsResponse {
        count: alerts.len(),
        alerts,
    }))
}

/// One alert with its explanation and history (role `screen`).
#[utoipa::path(get, path = "/v1/alerts/{id}", tag = "native",
    params(("id" = i64, Path, description = "Alert id")),
    responses((status = 200, body = Alert), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn one(
    State(st): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Alert>, ApiError> {
    caller.require(Access::Screen)?;
    let id = alert_id(&id)?;
    let st2 = st.clone();
    Ok(Json(
        blocking("reading an alert", move || Ok(st2.app.alert(id)?)).await?,
    ))
}

/// Resolve an alert through the review workflow (role `review`; keyless
/// loopback callers get 403). A clear of an SDN, Entity List or UFLPA hit,
/// or of one scored at or above the approval threshold, leaves the alert
/// `under_review` until a second, different reviewer agrees.
#[utoipa::path(post, path = "/v1/alerts/{id}/resolve", tag = "native",
    params(("id" = i64, Path, description = "Alert id")),
    request_body = ResolveRequest,
    responses((status = 200, body = ResolveResponse), (status = 400, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn resolve(
    State(st): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Json<ResolveRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<ResolveResponse>, ApiError> {
    caller.require(Access::Review)?;
    let id = alert_id(&id)?;
    let Json(req) = body?;
    let r = AlertResolution {
        verdict: req.verdict,
        reason: req.reason,
        expires: req.expires,
    };
    let st2 = st.clone();
    let done = blocking("resolving an alert", move || {
        Ok(st2.app.resolve_alert(&caller.name, id, &r)?)
    })
    .await?;
    Ok(Json(ResolveResponse {
        alert: done.alert,
        mark: done.review.mark,
        approval_required: done.review.approval_required,
        audit_seq: done.review.review.audit_seq,
    }))
}

/// An alert id from the path: a positive whole number, else a JSON 400
/// naming the field (not the router's plain-text rejection).
fn alert_id(text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        ApiError::from(embargo_app::AppError::invalid(
            "id",
            format!("{text:?} is not an alert id (a positive whole number)"),
        ))
    })
}
