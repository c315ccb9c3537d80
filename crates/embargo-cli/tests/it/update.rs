//! `embargo update` end to end: downloads from a local HTTP server (no
//! internet here), imports what changed, and on a second run sends
//! conditional requests and imports nothing.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};

/// A minimal HTTP/1.1 file server with ETags, enough for conditional GETs.
/// Returns the base URL and the request log (method, path, If-None-Match).
fn serve(files: Vec<(&'static str, PathBuf)>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let log2 = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(64) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            let mut if_none_match = None;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("if-none-match:") {
                    if_none_match = Some(v.trim().to_string());
                }
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
            log2.lock().unwrap().push(format!(
                "{path} {}",
                if_none_match.clone().unwrap_or_default()
            ));
            let Some((_, file)) = files.iter().find(|(p, _)| *p == path) else {
                let _ = stream.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
                continue;
            };
            let body = std::fs::read(file).unwrap();
            let etag = format!("\"{}\"", body.len());
            if if_none_match.as_deref() == Some(etag.as_str()) {
                let _ = write!(
                    stream,
                    "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n"
                );
                continue;
            }
            let _ = write!(stream, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: {etag}\r\nConnection: close\r\n\r\n", body.len());
            let _ = stream.write_all(&body);
        }
    });
    (base, log)
}

#[test]
fn update_downloads_imports_and_then_asks_conditionally() {
    let csl = embargo_testkit::require_shared!("data/lists/us_csl/2025-06-sample/consolidated.csv");
    let un = embargo_testkit::require_shared!("data/lists/un/2026-02/UN_consolidated.xml");
    let (base, log) = serve(vec![("/csl.csv", csl), ("/un.xml", un)]);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sources.json");
    std::fs::write(
        &config,
        serde_json::json!({
            "replace_defaults": true,
            "sources": [
                {"name": "us_csl", "kind": "csl", "urls": [format!("{base}/csl.csv#consolidated.csv")]},
                {"name": "un", "kind": "un", "urls": [format!("{base}/un.xml#UN_consolidated.xml")]}
            ]
        })
        .to_string(),
    )
    .unwrap();
    let data = dir.path().join("data");
    let run = || {
        let out = Command::new(env!("CARGO_BIN_EXE_embargo"))
            .arg("--data-dir")
            .arg(&data)
            .args(["update", "--config"])
            .arg(&config)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    let first = run();
    assert!(first.contains("us_csl: imported version"), "{first}");
    assert!(first.contains("un: imported version"), "{first}");
    let second = run();
    assert!(second.contains("us_csl: not modified"), "{second}");
    assert!(second.contains("un: not modified"), "{second}");
    let requests = log.lock().unwrap().clone();
    assert_eq!(requests.len(), 4, "{requests:?}");
    assert!(
        requests[2..].iter().all(|r| r.contains('"')),
        "second run must send If-None-Match: {requests:?}"
    );

    let lists = Command::new(env!("CARGO_BIN_EXE_embargo"))
        .arg("--data-dir")
        .arg(&data)
        .args(["lists", "--json"])
        .output()
        .unwrap();
    let lists: serde_json::Value = serde_json::from_slice(&lists.stdout).unwrap();
    let counts: Vec<(String, u64)> = lists
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["dataset"].as_str().unwrap().to_string(),
                l["active"]["entity_count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        vec![
            ("un_sc_sanctions".to_string(), 1003),
            ("us_trade_csl".to_string(), 13)
        ]
    );
}

#[test]
fn update_reports_a_missing_file_and_exits_non_zero() {
    let (base, _log) = serve(vec![]);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sources.json");
    std::fs::write(
        &config,
        format!(r#"{{"replace_defaults": true, "sources": [{{"name": "us_csl", "kind": "csl", "urls": ["{base}/gone.csv"]}}]}}"#),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_embargo"))
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["update", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("gone.csv") && err.contains("404"), "{err}");
}
