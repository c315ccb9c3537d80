//! Helpers shared by the integration tests: a fresh `App` in a temporary
//! data directory (no lists imported, so the snapshot is the embedded
//! regime pack), API keys of each role, and one-shot requests.
#![allow(dead_code)]

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode};
use axum::Router;
use embargo_app::App;
use embargo_audit::Role;
use embargo_server::{router, AuthMode, ServerConfig};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;
use tower::ServiceExt;

pub struct Fixture {
    pub _dir: tempfile::TempDir,
    pub app: Arc<App>,
    pub screen_key: String,
    pub review_key: String,
    pub admin_key: String,
}

pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = Arc::new(App::open(dir.path()).expect("open app"));
    let screen_key = app.audit.create_api_key("screener", Role::Screen).unwrap();
    let review_key = app.audit.create_api_key("reviewer", Role::Review).unwrap();
    let admin_key = app.audit.create_api_key("admin", Role::Admin).unwrap();
    Fixture {
        _dir: dir,
        app,
        screen_key,
        review_key,
        admin_key,
    }
}

/// Config for tests: no rate limit unless a test sets one.
pub fn cfg(auth: AuthMode) -> ServerConfig {
    ServerConfig {
        auth,
        rate_per_sec: None,
        ..ServerConfig::default()
    }
}

/// The router as a loopback peer sees it.
pub fn local(f: &Fixture, c: ServerConfig) -> Router {
    router(f.app.clone(), c).layer(MockConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))))
}

/// The router as a peer on another machine sees it.
pub fn remote(f: &Fixture, c: ServerConfig) -> Router {
    router(f.app.clone(), c).layer(MockConnectInfo(SocketAddr::from(([10, 1, 2, 3], 40000))))
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    /// Asserts the error shape and returns its code.
    pub fn error_code(&self) -> String {
        let v = self.json();
        let code = v["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error.code: {v}"));
        let msg = v["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no error.message: {v}"));
        assert!(!msg.is_empty());
        code.to_string()
    }
}

pub async fn send(app: &Router, req: Request<Body>) -> Resp {
    let res = app.clone().oneshot(req).await.expect("infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    Resp {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub fn get(path: &str, key: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path);
    if let Some(k) = key {
        b = b.header("authorization", format!("Bearer {k}"));
    }
    b.body(Body::empty()).unwrap()
}

pub fn post_json(path: &str, key: Option<&str>, body: &Value) -> Request<Body> {
    post_raw(path, key, "application/json", body.to_string())
}

pub fn post_raw(path: &str, key: Option<&str>, ct: &str, body: String) -> Request<Body> {
    let mut b = Request::post(path).header("content-type", ct);
    if let Some(k) = key {
        b = b.header("x-api-key", k);
    }
    b.body(Body::from(body)).unwrap()
}
