//! The red team's HTTP findings (issue 13), one test each: the rebinding
//! Host, the cross-site GET, the timed-out request, the 1 MiB id, the
//! 70 KB NDJSON line in one chunk, the idle-connection flood, a past
//! expiry; plus the request id on every response (the log of a 500 is in
//! `redteam_log.rs`).

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use embargo_server::{AuthMode, ServerConfig};
use serde_json::json;
use std::io::{Read, Write};

use std::time::{Duration, Instant};

fn head_seq(f: &Fixture) -> u64 {
    f.app.audit.head().unwrap().map(|a| a.seq).unwrap_or(0)
}

fn screen_req(host: Option<&str>, extra: &[(&str, &str)]) -> Request<Body> {
    let mut b = Request::post("/v1/screen").header("content-type", "application/json");
    if let Some(h) = host {
        b = b.header("host", h);
    }
    for (k, v) in extra {
        b = b.header(*k, *v);
    }
    b.body(Body::from(json!({"name": "Hikvision"}).to_string()))
        .unwrap()
}

#[tokio::test]
async fn a_rebinding_host_gets_no_keyless_access() {
    let f = fixture();
    let app = local(&f, cfg(AuthMode::OpenForLocalhost));
    for host in [
        "127.0.0.1:8000",
        "localhost:8000",
        "[::1]:8000",
        "127.0.0.1",
    ] {
        let r = send(&app, screen_req(Some(host), &[])).await;
        assert_eq!(r.status, StatusCode::OK, "{host}: {}", r.text);
    }
    let before = head_seq(&f);
    for host in [
        "127.0.0.1.evil.example:8000",
        "127.evil.example",
        "evil.example:8000",
        "127.0.0.1:8000.evil.example",
        "[::1].evil.example",
    ] {
        let r = send(&app, screen_req(Some(host), &[])).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{host}: {}", r.text);
    }
    assert_eq!(
        head_seq(&f),
        before,
        "a refused request wrote an audit record"
    );
}

#[tokio::test]
async fn a_cross_site_search_is_refused_and_not_audited() {
    let f = fixture();
    let app = local(&f, cfg(AuthMode::OpenForLocalhost));
    let search = |hdrs: &[(&str, &str)]| {
        let mut b =
            Request::get("/search/default?q=ATTACKER%20TEXT").header("host", "127.0.0.1:8000");
        for (k, v) in hdrs {
            b = b.header(*k, *v);
        }
        b.body(Body::empty()).unwrap()
    };
    let before = head_seq(&f);
    for hdrs in [
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site")],
        vec![("origin", "http://evil.example")],
        vec![("origin", "null")],
    ] {
        let r = send(&app, search(&hdrs)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{hdrs:?}: {}", r.text);
        assert_eq!(r.error_code(), "cross_site");
    }
    // A key does not make a cross-site request acceptable either.
    let mut req = screen_req(Some("127.0.0.1:8000"), &[("origin", "http://evil.example")]);
    req.headers_mut()
        .insert("x-api-key", f.admin_key.parse().unwrap());
    assert_eq!(send(&app, req).await.status, StatusCode::FORBIDDEN);
    assert_eq!(head_seq(&f), before, "a cross-site request was audited");
    // The analyst page's own requests (same origin) and programs pass.
    let r = send(
        &app,
        search(&[
            ("sec-fetch-site", "same-origin"),
            ("origin", "http://127.0.0.1:8000"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = send(&app, search(&[])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(head_seq(&f), before + 2);
}

/// The deadline passes while the screen waits for a blocking thread (the
/// only one is busy), so its work starts after the 503 was sent: it must
/// finish without writing an audit record.
#[test]
fn a_timed_out_request_is_abandoned_and_not_audited() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .max_blocking_threads(1)
        .build()
        .unwrap();
    rt.block_on(async {
        let f = fixture();
        let c = ServerConfig {
            request_timeout: Duration::from_millis(100),
            ..cfg(AuthMode::OpenForLocalhost)
        };
        let app = local(&f, c);
        // Prove the setup audits normally.
        let before = head_seq(&f);
        assert_eq!(
            send(&app, screen_req(None, &[])).await.status,
            StatusCode::OK
        );
        assert_eq!(head_seq(&f), before + 1);

        let before = head_seq(&f);
        let busy = tokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(700)));
        let t = Instant::now();
        let r = send(&app, screen_req(None, &[])).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
        assert_eq!(r.error_code(), "timeout");
        assert!(
            t.elapsed() < Duration::from_millis(650),
            "{:?}",
            t.elapsed()
        );
        busy.await.unwrap();
        // Let the queued screen run to its end on the freed thread.
        let done = tokio::task::spawn_blocking(|| ()).await;
        assert!(done.is_ok());
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(head_seq(&f), before, "the abandoned screen was audited");
        // Decisions are gated the same way.
        let busy = tokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_millis(500)));
        let tx = json!({"date": "2024-06-01", "flow": "export",
            "actor": {"name": "Acme", "country": "US", "us_person": true},
            "destination": "CN", "item": {"description": "widgets", "eccn": "EAR99"},
            "parties": [{"name": "Hikvision", "role": "consignee", "country": "CN"}]});
        let r = send(&app, post_json("/v1/decide", None, &tx)).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
        busy.await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(head_seq(&f), before, "the abandoned decision was audited");
    });
}

#[tokio::test]
async fn a_one_mebibyte_id_is_refused_naming_the_field() {
    let f = fixture();
    let app = local(&f, cfg(AuthMode::OpenForLocalhost));
    let before = head_seq(&f);
    let id = "x".repeat(1_000_000);
    let r = send(
        &app,
        post_json("/v1/screen", None, &json!({"id": id, "name": "Hikvision"})),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "{}",
        &r.text[..200.min(r.text.len())]
    );
    let msg = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(msg.contains("`id`"), "{msg}");
    assert!(
        msg.len() < 300,
        "the error echoes the id: {} bytes",
        msg.len()
    );
    // A full 1 MiB id does not fit the body limit at all.
    let id = "x".repeat(1 << 20);
    let r = send(
        &app,
        post_json("/v1/screen", None, &json!({"id": id, "name": "Hikvision"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // yente /match: the query key is the id.
    let key = "k".repeat(1_000_000);
    let body =
        json!({"queries": {key: {"schema": "Company", "properties": {"name": ["Hikvision"]}}}});
    let r = send(&app, post_json("/match/default", None, &body)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text.len() < 300, "{} bytes", r.text.len());
    // The batch id field too.
    let line = json!({"id": "x".repeat(60_000), "name": "Hikvision"}).to_string();
    let r = send(
        &app,
        post_raw("/v1/batch", None, "application/x-ndjson", line),
    )
    .await;
    assert!(
        r.text.contains("`id`"),
        "{}",
        &r.text[..300.min(r.text.len())]
    );
    assert_eq!(head_seq(&f), before, "an over-long id was audited");
}

#[tokio::test]
async fn a_70_kb_ndjson_line_in_one_chunk_is_refused() {
    let f = fixture();
    let app = local(&f, cfg(AuthMode::OpenForLocalhost));
    let before = head_seq(&f);
    let long = json!({"name": "Hikvision", "aliases": ["a".repeat(70_000)]}).to_string();
    // One chunk: the long line, its newline and a valid line after it.
    let body = format!("{long}\n{}\n", json!({"name": "Hikvision"}));
    let r = send(
        &app,
        post_raw("/v1/batch", None, "application/x-ndjson", body),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let lines: Vec<serde_json::Value> = r
        .text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{}", r.text);
    assert_eq!(lines[1]["line"], 1);
    assert_eq!(lines[1]["error"]["code"], "too_large");
    assert!(lines[1]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("65536 bytes"));
    assert_eq!(head_seq(&f), before, "a line past the limit was screened");
}

#[tokio::test]
async fn a_past_expiry_is_a_client_error() {
    let f = fixture();
    let app = local(&f, cfg(AuthMode::OpenForLocalhost));
    let body = json!({"subject": {"name": "Hikvision"}, "entity_id": "embargo_xinjiang_pack:el-hikvision",
        "verdict": "true_match", "reason": "checked", "expires": "2001-01-01"});
    let r = send(&app, post_json("/v1/reviews", Some(&f.review_key), &body)).await;
    // post_json sends the key as X-API-Key.
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("expires"), "{}", r.text);
    // Key creation (the CLI's `keys create --expires`) maps to the same class.
    let e = embargo_app::audit_admin::create_key(
        f._dir.path(),
        "late",
        embargo_app::types::Role::Screen,
        Some(chrono::NaiveDate::from_ymd_opt(2001, 1, 1).unwrap()),
        "test",
    )
    .unwrap_err();
    assert_eq!(e.kind(), embargo_app::ErrorKind::Invalid, "{e}");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let f = fixture();
    let app = remote(&f, cfg(AuthMode::OpenForLocalhost));
    let mut seen = std::collections::HashSet::new();
    for req in [
        get("/healthz", None),
        get("/nope", None),
        get("/v1/lists", None),
        get("/v1/lists", Some(&f.screen_key)),
        get("/v1/audit/verify", Some(&f.screen_key)),
    ] {
        let r = send(&app, req).await;
        let id = r
            .headers
            .get("x-request-id")
            .expect("x-request-id")
            .to_str()
            .unwrap()
            .to_string();
        assert!(id.len() >= 16, "{id}");
        assert!(seen.insert(id), "request ids repeat");
    }
    let req = Request::get("/healthz")
        .header("x-request-id", "client-42")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, req).await.headers["x-request-id"], "client-42");
    let req = Request::get("/healthz")
        .header("x-request-id", "bad id\twith spaces")
        .body(Body::empty())
        .unwrap();
    assert_ne!(
        send(&app, req).await.headers["x-request-id"],
        "bad id\twith spaces"
    );
}

/// A log sink for one test.
/// Raw HTTP/1.1 GET over a fresh connection; the status code.
fn raw_get(addr: std::net::SocketAddr, path: &str) -> std::io::Result<u16> {
    let mut s = std::net::TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )?;
    let mut buf = String::new();
    s.read_to_string(&mut buf)?;
    buf.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status in {buf:?}")))
}

#[test]
fn an_idle_connection_flood_does_not_starve_healthz() {
    let f = fixture();
    let c = ServerConfig {
        max_connections: 32,
        header_read_timeout: Duration::from_secs(2),
        ..cfg(AuthMode::OpenForLocalhost)
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = f.app.clone();
    rt.spawn(async move { embargo_server::serve_on(listener, app, c).await });
    assert_eq!(raw_get(addr, "/healthz").unwrap(), 200);
    // Ten times the cap in idle connections that never send a byte.
    let idle: Vec<std::net::TcpStream> = (0..320)
        .map(|_| std::net::TcpStream::connect(addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let t = Instant::now();
    assert_eq!(raw_get(addr, "/healthz").unwrap(), 200);
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "healthz took {:?}",
        t.elapsed()
    );
    // Idle connections are closed: by eviction, or by the header timeout.
    let mut first = idle.into_iter().next().unwrap();
    first
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut b = [0u8; 1];
    let n = first.read(&mut b);
    assert!(
        matches!(n, Ok(0)) || n.is_err(),
        "the oldest idle connection is still open: {n:?}"
    );
    // A slow client that never finishes its headers is cut at the timeout.
    let mut slow = std::net::TcpStream::connect(addr).unwrap();
    write!(slow, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n").unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(6))).unwrap();
    let t = Instant::now();
    let mut buf = Vec::new();
    let _ = slow.read_to_end(&mut buf);
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    rt.shutdown_background();
}

/// The gate inside the workflow layer: a screen or decision running when
/// its request is abandoned does its work but writes no record.
#[test]
fn an_abandoned_gate_stops_acts_before_their_audit_record() {
    let f = fixture();
    let subject = embargo_app::ScreenInput {
        name: "Hikvision".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let before = head_seq(&f);
    let gate = embargo_app::deadline::Gate::new();
    let ok = embargo_app::deadline::run_gated(&gate, || f.app.screen("t", &subject));
    assert!(ok.is_ok());
    assert_eq!(head_seq(&f), before + 1);
    assert!(!gate.abandon(), "a committed request must be waited for");

    let gate = embargo_app::deadline::Gate::new();
    assert!(gate.abandon());
    let before = head_seq(&f);
    let r = embargo_app::deadline::run_gated(&gate, || f.app.screen("t", &subject));
    assert!(matches!(r, Err(embargo_app::AppError::Abandoned)));
    let r = embargo_app::deadline::run_gated(&gate, || f.app.decide("t", "{}"));
    assert!(r.is_err());
    assert_eq!(head_seq(&f), before);
}
