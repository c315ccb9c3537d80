//! The analyst web page: three static files compiled into the binary
//! (`include_str!`), so the page works offline with no build step and can
//! never drift from the server it ships with. The page only calls the
//! JSON API; it has no server-side rendering.

use axum::http::header;
use axum::response::IntoResponse;

const INDEX: &str = include_str!("../../../web/index.html");
const CSS: &str = include_str!("../../../web/app.css");
const JS: &str = include_str!("../../../web/app.js");

/// Headers every page response carries: no framing by other sites, no
/// inline script or third-party origins (the page loads only its own files).
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

fn page(ct: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, ct),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
}

pub async fn index() -> impl IntoResponse {
    page("text/html; charset=utf-8", INDEX)
}

pub async fn css() -> impl IntoResponse {
    page("text/css; charset=utf-8", CSS)
}

pub async fn js() -> impl IntoResponse {
    page("text/javascript; charset=utf-8", JS)
}
