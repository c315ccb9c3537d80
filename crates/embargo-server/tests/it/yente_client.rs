//! The real OpenSanctions client against a real Embargo server.
//!
//! Starts the server in-process on a free loopback port in API-key mode,
//! then runs `tests/yente_client/run.sh`: nomenklatura's `YenteEnricher`
//! (from PyPI, in a test-only virtualenv) screens "Hikvision" and "Chen
//! Quanguo" and prints what it parsed. The client authenticates the way
//! yente clients do (`Authorization: ApiKey …`), builds its own request and
//! parses our response into FollowTheMoney entities, so a shape mistake on
//! our side fails here.
//!
//! Skips, with a printed reason, only when python3 or its venv/pip module is
//! missing. Any other failure (pip cannot install, client error, wrong
//! matches) fails the test.

use embargo_app::App;
use embargo_audit::Role;
use embargo_server::{serve_on, AuthMode, ServerConfig};
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

fn python_available() -> Result<(), String> {
    let ok = |args: &[&str]| {
        Command::new("python3")
            .args(args)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    if !ok(&["--version"]) {
        return Err("python3 is not installed".into());
    }
    if !ok(&["-c", "import venv, ensurepip"]) {
        return Err("python3 has no venv/ensurepip module (pip unavailable)".into());
    }
    Ok(())
}

#[test]
fn nomenklatura_yente_enricher_finds_hikvision_and_chen_quanguo() {
    if let Err(why) = python_available() {
        eprintln!("SKIP nomenklatura client test: {why}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(dir.path()).unwrap());
    let key = app
        .audit
        .create_api_key("nomenklatura", Role::Screen)
        .unwrap();
    let before = app.audit.head().unwrap().map(|a| a.seq).unwrap_or(0);

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let cfg = ServerConfig {
        auth: AuthMode::ApiKeys,
        ..ServerConfig::default()
    };
    rt.spawn(serve_on(listener, app.clone(), cfg));

    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/yente_client/run.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg(format!("http://127.0.0.1:{port}/"))
        .arg(&key)
        .arg("Company:Hikvision")
        .arg("Person:Chen Quanguo")
        .output()
        .expect("run the client script");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "client failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );

    let lines: Vec<Value> = stdout
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{stdout}\n{stderr}");

    // Hikvision: the client sees the Entity List entry, as a Company, with
    // its alias, country and a sourceUrl pointing back at our /entities.
    let hik = &lines[0];
    assert_eq!(hik["query"], "Hikvision");
    let results = hik["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        4,
        "default limit 5, four Hikvision listings above cutoff: {hik}"
    );
    let el = results
        .iter()
        .find(|r| r["id"] == "embargo_xinjiang_pack:el-hikvision")
        .unwrap_or_else(|| panic!("{hik}"));
    assert_eq!(el["schema"], "Company");
    assert_eq!(
        el["caption"],
        "Hangzhou Hikvision Digital Technology Co., Ltd."
    );
    assert!(el["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "Hikvision"));
    assert_eq!(el["countries"], serde_json::json!(["cn"]));
    // The client adds its own link back to our /entities endpoint.
    let ours = format!("http://127.0.0.1:{port}/entities/embargo_xinjiang_pack:el-hikvision");
    assert!(
        el["source_url"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u == &ours),
        "{el}"
    );
    for r in results {
        assert!(
            r["caption"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("hikvision"),
            "{r}"
        );
    }

    // Chen Quanguo: the GLOMAG designation, first.
    let chen = &lines[1];
    let top = &chen["results"][0];
    assert_eq!(
        top["id"], "embargo_xinjiang_pack:glomag-chen-quanguo",
        "{chen}"
    );
    assert_eq!(top["schema"], "Person");
    assert_eq!(top["programs"], serde_json::json!(["GLOMAG"]));

    // Each client query was audited under the key's name.
    let head = app.audit.head().unwrap().unwrap().seq;
    assert_eq!(head, before + 2);
    let rec = app.audit.get(head).unwrap().unwrap();
    assert_eq!(rec.actor, "nomenklatura");
    assert_eq!(rec.request["api"], "yente-match");
    rt.shutdown_background();
}
