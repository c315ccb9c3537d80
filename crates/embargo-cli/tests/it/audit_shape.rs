//! One act, one audit record shape: the same subject screened through the
//! CLI and through the HTTP API leaves byte-identical request and result
//! bodies in the audit log (the workflow layer writes both).

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::Request;
use embargo_app::types::AuditRecord;
use embargo_app::App;
use embargo_server::{router, AuthMode, ServerConfig};
use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;
use tower::ServiceExt;

fn last_record(dir: &std::path::Path) -> AuditRecord {
    let mut out = Vec::new();
    embargo_app::export_audit(dir, None, &mut out).unwrap();
    let line = String::from_utf8(out)
        .unwrap()
        .lines()
        .last()
        .expect("a record")
        .to_string();
    serde_json::from_str(&line).expect("an audit record")
}

#[test]
fn cli_and_api_write_identical_screen_records() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_embargo"))
        .arg("--data-dir")
        .arg(dir.path())
        .args([
            "screen",
            "Hikvision",
            "--schema",
            "company",
            "--country",
            "China",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let from_cli = last_record(dir.path());

    let app = Arc::new(App::open(dir.path()).unwrap());
    let cfg = ServerConfig {
        auth: AuthMode::OpenForLocalhost,
        rate_per_sec: None,
        ..ServerConfig::default()
    };
    let svc = router(app, cfg).layer(MockConnectInfo(SocketAddr::from(([127, 0, 0, 1], 1))));
    let body = r#"{"name": "Hikvision", "schema": "Company", "country": "CN"}"#;
    let req = Request::post("/v1/screen")
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
    let from_api = last_record(dir.path());

    assert_eq!(from_api.seq, from_cli.seq + 1);
    assert_ne!(from_cli.actor, from_api.actor);
    let canon = |v: &serde_json::Value| embargo_app::types::canonical_json(v);
    assert_eq!(canon(&from_cli.request), canon(&from_api.request));
    assert_eq!(canon(&from_cli.result), canon(&from_api.result));
    assert_eq!(from_cli.list_versions, from_api.list_versions);
    // And the record says what was found, not just that something was.
    let hits = from_api.result["hits"].as_array().expect("hits");
    assert!(
        hits.iter()
            .any(|h| h["entity_id"] == "embargo_xinjiang_pack:el-hikvision"),
        "{}",
        from_api.result
    );
}

#[cfg(feature = "eval")]
#[test]
fn the_eval_command_is_built_with_the_eval_feature() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_embargo"))
        .args(["eval", "--shared"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no evaluation sets"), "{err}");
}
