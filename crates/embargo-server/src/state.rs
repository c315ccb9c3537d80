//! Shared server state: the `App` (store, audit log, current snapshot), the
//! configuration and the rate limiter. Cloned per request as one `Arc`.

use crate::config::ServerConfig;
use crate::ratelimit::RateLimiter;
use embargo_app::App;
use std::sync::Arc;

pub struct AppState {
    pub app: Arc<App>,
    pub cfg: ServerConfig,
    /// `None` when rate limiting is off.
    pub limiter: Option<RateLimiter>,
}

pub type Shared = Arc<AppState>;

impl AppState {
    pub fn new(app: Arc<App>, cfg: ServerConfig) -> Shared {
        let limiter = cfg
            .rate_per_sec
            .map(|r| RateLimiter::new(r, cfg.rate_burst));
        Arc::new(AppState { app, cfg, limiter })
    }
}

/// Runs blocking work (matching, SQLite) off the async workers. A panic in
/// the closure becomes a 500, never a dropped connection. The closure runs
/// in the request's log span and under its deadline gate: if the request
/// was abandoned, the act inside stops before writing its audit record
/// (`embargo_app::deadline`).
pub async fn blocking<T: Send + 'static>(
    what: &'static str,
    f: impl FnOnce() -> Result<T, crate::error::ApiError> + Send + 'static,
) -> Result<T, crate::error::ApiError> {
    let gate = crate::guard::current_gate();
    let span = tracing::Span::current();
    let dispatch = tracing::dispatcher::get_default(|d| d.clone());
    let work = move || {
        tracing::dispatcher::with_default(&dispatch, || {
            span.in_scope(|| match &gate {
                // Abandoned before it started: do nothing at all.
                Some(g) if g.is_abandoned() => Err(crate::error::ApiError::from(
                    embargo_app::AppError::Abandoned,
                )),
                Some(g) => embargo_app::deadline::run_gated(g, f),
                None => f(),
            })
        })
    };
    match tokio::task::spawn_blocking(work).await {
        Ok(r) => r,
        Err(e) => Err(crate::error::ApiError::internal(what, e)),
    }
}
