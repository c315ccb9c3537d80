//! The request id in the log line of a 500 (issue 13's red team), alone
//! in its own test binary: it captures the log through a thread-local
//! subscriber, and tracing decides once per call site whether a span is
//! wanted — a concurrent test in the same process registering the request
//! span under no subscriber could switch it off, and the line would lose
//! its id (seen once in CI).

#[path = "it/common/mod.rs"]
mod common;

use axum::http::StatusCode;
use common::*;
use embargo_server::AuthMode;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);
impl Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_500_logs_its_cause_under_the_request_id() {
    let f = fixture();
    let app = local(&f, cfg(AuthMode::OpenForLocalhost));
    let sink = Captured::default();
    let s2 = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || s2.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // Make the data directory's settings unreadable under the running
    // server: a screen with a hit reads the approval threshold from it.
    std::fs::create_dir(f._dir.path().join("config.toml")).unwrap();
    let r = send(
        &app,
        post_json("/v1/screen", None, &json!({"name": "Hikvision"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.text);
    assert!(r.text.contains("the server log has details"), "{}", r.text);
    assert!(
        !r.text.contains("config.toml"),
        "internals leak: {}",
        r.text
    );
    let id = r.headers["x-request-id"].to_str().unwrap().to_string();
    let log = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("internal error"))
        .unwrap_or_else(|| panic!("no internal error logged:\n{log}"));
    assert!(line.contains(&id), "{line}");
    assert!(line.contains("config.toml"), "the cause is missing: {line}");
}
