//! Liveness and readiness probes (no authentication: load balancers call them).

use crate::state::Shared;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `empty` when no list is loaded.
    pub status: String,
    /// Lists in the current snapshot.
    pub lists: usize,
    /// Entities screenable now.
    pub entities: u64,
}

fn health(st: &Shared) -> (bool, Health) {
    let snap = st.app.snapshot();
    let entities: u64 = snap.versions.iter().map(|v| v.entity_count).sum();
    let ready = !snap.versions.is_empty() && entities > 0;
    (
        ready,
        Health {
            status: if ready { "ok" } else { "empty" }.into(),
            lists: snap.versions.len(),
            entities,
        },
    )
}

/// The process is up (always 200 while it can answer).
#[utoipa::path(get, path = "/healthz", tag = "meta", responses((status = 200, body = Health)))]
pub async fn healthz(State(st): State<Shared>) -> Json<Health> {
    Json(health(&st).1)
}

/// The process can screen: a snapshot with at least one list is loaded.
#[utoipa::path(get, path = "/readyz", tag = "meta",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn readyz(State(st): State<Shared>) -> (StatusCode, Json<Health>) {
    let (ready, h) = health(&st);
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(h))
}
