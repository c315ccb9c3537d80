//! # embargo-server
//!
//! The HTTP front end of Embargo: a yente-compatible API (`POST
//! /match/{dataset}`, `GET /search/{dataset}`, `/entities/{id}`, `/catalog`,
//! `/algorithms`) so existing OpenSanctions clients work unchanged, the
//! native `/v1` API (screen, decide, NDJSON batch, list versions and diffs,
//! review decisions, audit verification, reload), an OpenAPI document at
//! `/openapi.json`, and the analyst web page at `/`.
//!
//! **What it is for:** translating HTTP to calls on `embargo_app::App` and
//! back; authentication (API keys with roles `screen` < `review` <
//! `admin`), limits (body size, batch size, per-key rate), JSON errors
//! `{"error": {"code", "message"}}`, and writing every screen and decision
//! to the audit log with the list versions used.
//!
//! **What it is not for:** matching, legal reasoning, storage or list
//! parsing. Those live in `embargo-match`, `embargo-rules`,
//! `embargo-store`/`embargo-audit` and `embargo-sources`; a handler that
//! grows business logic belongs in `embargo-app` instead.
//!
//! Security defaults: listens on `127.0.0.1:8000`; `AuthMode::OpenForLocalhost`
//! (keyless callers from loopback act as `anonymous-localhost` with the
//! `screen` role, everyone else needs a key); 1 MiB bodies, 1000 queries
//! per batch, 50 requests/s per caller. See `ServerConfig`.
//!
//! ```no_run
//! # async fn run(app: std::sync::Arc<embargo_app::App>) -> anyhow::Result<()> {
//! let cfg = embargo_server::ServerConfig::default();
//! embargo_server::serve(app, cfg).await
//! # }
//! ```

mod alerts;
mod auth;
mod batch;
mod config;
mod error;
mod ftm;
mod guard;
mod listen;
mod media;
mod meta;
mod native;
mod openapi;
mod ratelimit;
mod report;
mod review;
mod schemas;
mod screen;
mod state;
mod web;
mod yente;

pub use auth::ANONYMOUS_LOCALHOST;
pub use config::{AuthMode, ServerConfig};
pub use error::ApiError;
pub use guard::{init_logging, LogFormat, REQUEST_ID};
pub use openapi::ApiDoc;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{middleware, Json, Router};
use embargo_app::App;
use std::sync::Arc;

/// The whole HTTP surface for `app`. Callers that serve it themselves must
/// use `into_make_service_with_connect_info::<SocketAddr>()` so the
/// localhost exception can see the peer address (without it every keyless
/// request is refused, which is the safe failure).
pub fn router(app: Arc<App>, cfg: ServerConfig) -> Router {
    let body_limit = cfg.body_limit;
    let batch_limit = cfg.batch_body_limit;
    let timeout = cfg.request_timeout;
    let st = state::AppState::new(app, cfg);

    let _ = batch_limit; // enforced inside the batch handler, as it streams
    let batch = Router::new().route("/v1/batch", post(batch::batch));

    let protected = Router::new()
        .route("/match/{dataset}", post(yente::match_entities))
        .route("/search/{dataset}", get(yente::search))
        .route("/entities/{id}", get(yente::entity))
        .route("/catalog", get(yente::catalog))
        .route("/algorithms", get(yente::algorithms))
        .route("/v1/screen", post(native::screen))
        .route("/v1/decide", post(native::decide))
        .route("/v1/lists", get(native::lists))
        .route("/v1/lists/{source}/versions", get(native::versions))
        .route("/v1/lists/{source}/diff", get(native::diff))
        .route("/v1/entities/{id}", get(native::entity))
        .route("/v1/reviews", post(review::record))
        .route("/v1/reviews", get(review::history))
        .route("/v1/audit/verify", get(native::audit_verify))
        .route("/v1/admin/reload", post(native::reload))
        .route("/v1/alerts", get(alerts::list))
        .route("/v1/alerts/{id}", get(alerts::one))
        .route("/v1/alerts/{id}/resolve", post(alerts::resolve))
        .route("/v1/report/screen", post(report::screen))
        .route("/v1/report/decide", post(report::decide))
        .layer(DefaultBodyLimit::max(body_limit))
        .merge(batch)
        .route_layer(middleware::from_fn_with_state(
            st.clone(),
            auth::authenticate,
        ));

    let public = Router::new()
        .route("/", get(web::index))
        .route("/static/app.css", get(web::css))
        .route("/static/app.js", get(web::js))
        .route("/healthz", get(meta::healthz))
        .route("/readyz", get(meta::readyz))
        .route("/openapi.json", get(openapi_json));

    Router::new()
        .merge(protected)
        .merge(public)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(timeout, guard::time_limit))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            panic_response,
        ))
        .layer(middleware::from_fn(guard::request_id))
        .with_state(st)
}

async fn openapi_json(
    axum::extract::State(st): axum::extract::State<state::Shared>,
) -> impl IntoResponse {
    Json(openapi::document(&st.app, &st.cfg))
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint; see /openapi.json")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "method not allowed on this endpoint; see /openapi.json",
    )
}

fn panic_response(p: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let cause = p
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into());
    tracing::error!(%cause, "handler panicked");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "internal error; the server log has details",
    )
    .into_response()
}

/// Serves `router(app, cfg)` on `cfg.listen` until Ctrl-C / SIGTERM, then
/// finishes in-flight requests.
pub async fn serve(app: Arc<App>, cfg: ServerConfig) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", cfg.listen))?;
    serve_on(listener, app, cfg).await
}

/// `serve` on an already bound listener (tests bind port 0 and read the
/// port back).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    cfg: ServerConfig,
) -> anyhow::Result<()> {
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() && cfg.auth == AuthMode::OpenForLocalhost {
        tracing::warn!(%addr, "listening beyond loopback: keyless access stays limited to loopback peers");
    }
    let snap = app.snapshot();
    tracing::info!(
        %addr,
        auth = ?cfg.auth,
        lists = %snap.version_labels().join(", "),
        max_connections = cfg.max_connections,
        header_read_timeout_s = cfg.header_read_timeout.as_secs_f64(),
        request_timeout_s = cfg.request_timeout.as_secs_f64(),
        "embargo server listening"
    );
    drop(snap);
    let router = router(app, cfg.clone());
    listen::serve(listener, router, &cfg, shutdown_signal()).await;
    tracing::info!("embargo server stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
