//! Request-wide guards applied to every request: the request id and its
//! log span, the deadline (and what happens to work that misses it), the
//! cross-site check, and the log set-up for the binary.
//!
//! - **Request id.** Every response carries `x-request-id`: the caller's
//!   own when it sent a short, printable one, else a fresh random id. Each
//!   log line written while serving the request (also from blocking
//!   threads and the batch task) is inside a `request` span holding it.
//! - **Deadline.** A request that has not produced its response within
//!   `request_timeout` is answered 503 and its work is abandoned through an
//!   `embargo_app::deadline::Gate`: any act that has not yet written its
//!   audit record never writes it, so the log holds no record of an answer
//!   nobody received. If an act committed first, the answer is owed and
//!   the server waits for it.
//! - **Cross-site.** A browser page from another site must not drive the
//!   API (a keyless loopback server, or a screen that writes the page's
//!   text into the audit log). Requests a browser marks `Sec-Fetch-Site:
//!   cross-site` or `same-site`, or whose `Origin` is not this server's own
//!   origin, get 403. Non-browser clients send neither header.

use crate::error::ApiError;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use embargo_app::deadline::Gate;
use std::time::{Duration, Instant};
use tracing::Instrument;

/// Header carrying the request id, in and out.
pub const REQUEST_ID: &str = "x-request-id";

tokio::task_local! {
    /// The gate of the request this task serves (see `state::blocking`).
    pub(crate) static GATE: Gate;
}

/// The gate of the current request, if running inside one.
pub(crate) fn current_gate() -> Option<Gate> {
    GATE.try_with(Gate::clone).ok()
}

/// A caller-supplied id is kept when it is 1–128 characters of
/// `[A-Za-z0-9._:-]`; anything else is replaced, so a log line can never
/// be forged or flooded through it.
fn caller_request_id(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(REQUEST_ID)?.to_str().ok()?;
    let ok = (1..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
    ok.then(|| v.to_string())
}

fn fresh_request_id() -> String {
    let mut b = [0u8; 12];
    if getrandom::fill(&mut b).is_err() {
        // No entropy source: a process-unique counter still tells
        // requests apart in the log.
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return format!("req-{}-{n}", std::process::id());
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Outermost middleware: the request id, its span, and one log line for
/// each failed request (5xx as errors, refusals at debug level).
pub async fn request_id(req: Request, next: Next) -> Response {
    let id = caller_request_id(req.headers()).unwrap_or_else(fresh_request_id);
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.uri().path(),
    );
    let started = Instant::now();
    let mut resp = next.run(req).instrument(span.clone()).await;
    let status = resp.status();
    let ms = started.elapsed().as_millis() as u64;
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), ms, "request failed");
        } else {
            tracing::debug!(status = status.as_u16(), ms, "request served");
        }
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(REQUEST_ID, v);
    }
    resp
}

/// Abandons a request that has not produced a response in time, answering
/// with the JSON error shape; work that has not committed its audit record
/// by then never does (see the module docs).
pub async fn time_limit(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    let gate = Gate::new();
    let work = GATE.scope(gate.clone(), next.run(req));
    tokio::pin!(work);
    tokio::select! {
        biased;
        r = &mut work => r,
        _ = tokio::time::sleep(limit) => {
            if gate.abandon() {
                tracing::warn!(limit_ms = limit.as_millis() as u64, "request abandoned at its deadline; nothing was audited for it");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "timeout",
                    format!(
                        "the request took longer than {} s and was abandoned; nothing was recorded for it",
                        limit.as_secs_f64()
                    ),
                )
                .into_response()
            } else {
                // An audit record is written: the answer is owed.
                work.await
            }
        }
    }
}

/// The refusal for a request a browser sent from another site, if it is one.
pub(crate) fn cross_site(headers: &HeaderMap) -> Option<ApiError> {
    let refuse = |why: String| {
        Some(ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_site",
            format!(
                "{why}: requests from other web sites are refused; call the API from its own page or from a program"
            ),
        ))
    };
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or("?");
        if !matches!(site, "same-origin" | "none") {
            return refuse(format!("Sec-Fetch-Site is {site:?}"));
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("?");
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let own = host.is_some_and(|h| {
            origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"))
                .is_some_and(|o| o.eq_ignore_ascii_case(h))
        });
        if !own {
            return refuse(format!("Origin {origin:?} is not this server"));
        }
    }
    None
}

/// How the binary writes its log: human-readable lines or JSON objects,
/// one per line, always to stderr (stdout is for the start-up lines that
/// scripts read). The level comes from `EMBARGO_LOG` (an `EnvFilter`
/// directive such as `info` or `embargo_server=debug`), default `info`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" | "" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(format!("log format {other:?}: expected `text` or `json`")),
        }
    }
}

/// Installs the process-wide log subscriber (once; later calls do
/// nothing). Called by `embargo serve`; libraries and tests do not.
pub fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("EMBARGO_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => b.with_ansi(false).try_init(),
        LogFormat::Json => b
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn only_same_origin_browser_requests_pass() {
        for ok in [
            vec![],
            vec![("sec-fetch-site", "same-origin")],
            vec![("sec-fetch-site", "none")],
            vec![
                ("host", "127.0.0.1:8000"),
                ("origin", "http://127.0.0.1:8000"),
            ],
        ] {
            assert!(cross_site(&headers(&ok)).is_none(), "{ok:?}");
        }
        for bad in [
            vec![("sec-fetch-site", "cross-site")],
            vec![("sec-fetch-site", "same-site")],
            vec![
                ("host", "127.0.0.1:8000"),
                ("origin", "http://evil.example"),
            ],
            vec![("host", "127.0.0.1:8000"), ("origin", "null")],
            vec![("origin", "http://127.0.0.1:8000")],
            vec![
                ("host", "127.0.0.1:8000"),
                ("origin", "http://127.0.0.1:8001"),
            ],
        ] {
            let e = cross_site(&headers(&bad)).unwrap_or_else(|| panic!("{bad:?}"));
            assert_eq!(e.status, StatusCode::FORBIDDEN);
        }
    }

    #[test]
    fn caller_request_ids_are_kept_only_when_harmless() {
        assert_eq!(
            caller_request_id(&headers(&[("x-request-id", "abc-123")])).as_deref(),
            Some("abc-123")
        );
        assert!(caller_request_id(&headers(&[("x-request-id", "a b")])).is_none());
        let long = "a".repeat(129);
        assert!(caller_request_id(&headers(&[("x-request-id", &long)])).is_none());
        assert_ne!(fresh_request_id(), fresh_request_id());
    }
}
