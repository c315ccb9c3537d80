//! The media type a request declares, for endpoints that refuse the
//! content types an HTML form can post cross-site without a CORS preflight
//! (`/v1/decide`, `/v1/batch`).

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{header, HeaderMap};

/// The `Content-Type` without parameters, trimmed and lower-cased
/// (`Application/JSON; charset=utf-8` → `application/json`); `None` when
/// the header is missing or not visible ASCII.
pub fn media_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
}

/// The body of a transaction endpoint (`/v1/decide`, `/v1/report/decide`)
/// as text: only JSON (a cross-site HTML form can post text/plain without a
/// CORS preflight, and must not reach a keyless localhost server), UTF-8.
pub fn transaction_text(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<String, ApiError> {
    let json_ct =
        media_type(headers).is_some_and(|ct| ct == "application/json" || ct.ends_with("+json"));
    if !json_ct {
        return Err(ApiError::unsupported_media_type(
            "send the transaction as `Content-Type: application/json`",
        ));
    }
    let body = body?;
    std::str::from_utf8(&body)
        .map(str::to_string)
        .map_err(|_| ApiError::bad_request("the transaction is not valid UTF-8"))
}
