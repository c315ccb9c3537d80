//! The media type a request declares, for endpoints that refuse the
//! content types an HTML form can post cross-site without a CORS preflight
//! (`/v1/decide`, `/v1/batch`).

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
