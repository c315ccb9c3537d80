//! Filing reports over HTTP: `POST /v1/report/screen` (body: a
//! `ScreenRequest`) and `POST /v1/report/decide` (body: a transaction)
//! perform the act exactly as `/v1/screen` and `/v1/decide` do — one audit
//! record — and answer with the act's PDF report (`embargo-app::report`)
//! instead of JSON. The record's sequence number is in the
//! `x-embargo-audit-seq` header and in the report.

use crate::auth::{Access, Caller};
use crate::error::{ApiError, ErrorBody};
use crate::screen::ScreenRequest;
use crate::state::{blocking, Shared};
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::extract::{Extension, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;

fn pdf_response(kind: &str, seq: u64, pdf: Vec<u8>) -> Response {
    let mut r = Body::from(pdf).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"embargo-{kind}-{seq}.pdf\""
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert("x-embargo-audit-seq", HeaderValue::from(seq));
    r
}

/// Screen one name and answer with its filing report as PDF (role
/// `screen`). Audited like `/v1/screen`.
#[utoipa::path(post, path = "/v1/report/screen", tag = "native", request_body = ScreenRequest,
    responses((status = 200, description = "The screen's filing report (one to three pages); `x-embargo-audit-seq` names its audit record", content_type = "application/pdf", body = String),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 429, body = ErrorBody)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn screen(
    State(st): State<Shared>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<ScreenRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    caller.require(Access::Screen)?;
    let Json(req) = body?;
    let subject = req.validate()?;
    let snap = st.app.snapshot();
    let (seq, pdf) = blocking("screen report", move || {
        let screened = st.app.screen_on(&snap, &caller.name, &subject)?;
        let r = st.app.screen_report(&subject, &screened)?;
        Ok((screened.audit_seq, r.pdf))
    })
    .await?;
    Ok(pdf_response("screen", seq, pdf))
}

/// Decide one transaction and answer with its filing report as PDF (role
/// `screen`). Audited like `/v1/decide`; the body is the same.
#[utoipa::path(post, path = "/v1/report/decide", tag = "native",
    request_body(content = Object, description = "Transaction: date, flow, actor, destination, item, parties, …", content_type = "application/json"),
    responses((status = 200, description = "The decision's filing report (one to three pages); `x-embargo-audit-seq` names its audit record", content_type = "application/pdf", body = String),
              (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 415, body = ErrorBody)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn decide(
    State(st): State<Shared>,
    Extension(caller): Extension<Caller>,
    headers: axum::http::HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    caller.require(Access::Screen)?;
    let text = crate::media::transaction_text(&headers, body)?;
    let (seq, pdf) = blocking("decision report", move || {
        let decided = st.app.decide(&caller.name, &text)?;
        let r = st.app.decision_report(&decided)?;
        Ok((decided.audit_seq, r.pdf))
    })
    .await?;
    Ok(pdf_response("decision", seq, pdf))
}
