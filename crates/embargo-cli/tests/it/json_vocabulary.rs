//! One JSON vocabulary (docs/json.md): a decision is the same document,
//! unwrapped, from `embargo decide --json`, `POST /v1/decide` and the bus
//! reply's `result` — the same keys at the top level, the same findings —
//! differing only in what is the decision's own (its id, time, text and
//! audit record). The Python package's `Engine.decide` is checked against
//! the CLI the same way in `crates/embargo-py/tests/test_engine.py`.

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::Request;
use embargo_app::bus::{parse_message, BusOutcome};
use embargo_app::App;
use embargo_server::{router, AuthMode, ServerConfig};
use serde_json::Value;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use tower::ServiceExt;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/export.json")
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect()
}

/// The document without what is the decision's own.
fn comparable(v: &Value) -> Value {
    let mut v = v.clone();
    let o = v.as_object_mut().unwrap();
    for k in ["decision_id", "evaluated_at", "decision_text", "audit_seq"] {
        assert!(o.remove(k).is_some(), "{k} missing");
    }
    v
}

fn cli_decide(dir: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_embargo"))
        .arg("--data-dir")
        .arg(dir)
        .arg("decide")
        .arg(example())
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("decide --json prints one JSON document")
}

fn http_decide(app: Arc<App>, body: String) -> Value {
    let cfg = ServerConfig {
        auth: AuthMode::OpenForLocalhost,
        rate_per_sec: None,
        ..ServerConfig::default()
    };
    let svc = router(app, cfg).layer(MockConnectInfo(SocketAddr::from(([127, 0, 0, 1], 1))));
    let req = Request::post("/v1/decide")
        .header("content-type", "application/json")
        .header("host", "127.0.0.1")
        .body(Body::from(body))
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let resp = rt.block_on(svc.oneshot(req)).unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let bytes = rt
        .block_on(axum::body::to_bytes(resp.into_body(), usize::MAX))
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn cli_http_and_bus_answer_a_decision_with_the_same_document() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(example()).unwrap();
    let cli = cli_decide(dir.path());

    let app = Arc::new(App::open(dir.path()).unwrap());
    let http = http_decide(app.clone(), text.clone());

    let tx: Value = serde_json::from_str(&text).unwrap();
    let msg = serde_json::json!({"version": 1, "request_id": "vocab-1", "type": "decide", "transaction": tx});
    let req = parse_message(msg.to_string().as_bytes()).expect("a bus request");
    let out = app.answer_bus_batch(&app.audit, "bus", vec![req]).unwrap();
    let (bus, bus_seq) = match &out[..] {
        [BusOutcome::Reply {
            reply, audit_seq, ..
        }] => (reply["result"].clone(), *audit_seq),
        other => panic!("not one reply: {other:?}"),
    };

    // Unwrapped everywhere: the findings are at the top level.
    for (front, doc) in [("CLI", &cli), ("HTTP", &http), ("bus", &bus)] {
        assert!(doc["findings"].is_array(), "{front}: {doc}");
        assert!(doc.get("decision").is_none(), "{front} wraps its answer");
        assert!(
            doc["decision_text"]
                .as_str()
                .is_some_and(|t| t.contains(doc["decision_id"].as_str().unwrap())),
            "{front}: decision_text names the decision"
        );
    }
    assert_eq!(keys(&cli), keys(&http), "CLI and HTTP keys differ");
    assert_eq!(keys(&cli), keys(&bus), "CLI and bus keys differ");
    assert_eq!(comparable(&cli), comparable(&http));
    assert_eq!(comparable(&cli), comparable(&bus));

    // Each names its own audit record, in the order they were made.
    let (c, h) = (
        cli["audit_seq"].as_u64().unwrap(),
        http["audit_seq"].as_u64().unwrap(),
    );
    assert!(c > 0 && h > c && bus_seq > h, "{c} {h} {bus_seq}");
    assert_eq!(bus["audit_seq"].as_u64(), Some(bus_seq));
    let rec = app
        .audit
        .get(h)
        .unwrap()
        .expect("the HTTP decision's record");
    assert_eq!(rec.result["decision_id"], http["decision_id"]);
}
