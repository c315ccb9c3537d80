//! `fetch_all` against a local HTTP server that implements ETag / 304,
//! errors, truncation and stalls, serving hand-written fixtures and (when
//! present) the real list files from ../shared.

use embargo_model::SourceKind;
use embargo_update::{
    fetch_all_with, load_sources, FetchOptions, FetchStatus, NoProgress, Progress, SourceSpec,
    UpdateError, STATE_FILE,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------- server

#[derive(Clone, Debug)]
struct Req {
    path: String,
    headers: HashMap<String, String>,
}

impl Req {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Announce this Content-Length instead of the body's (truncation).
    claimed_len: Option<usize>,
    delay: Duration,
}

impl Reply {
    /// 200 with this body and its true length.
    fn ok(body: Vec<u8>) -> Reply {
        Reply {
            status: 200,
            headers: vec![],
            body,
            claimed_len: None,
            delay: Duration::ZERO,
        }
    }

    fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: vec![],
            body: format!("status {status}").into_bytes(),
            claimed_len: None,
            delay: Duration::ZERO,
        }
    }
}

type Handler = dyn Fn(&Req) -> Reply + Send + Sync;

/// A one-thread-per-connection HTTP/1.1 server on 127.0.0.1:0 that logs
/// every request and closes each connection after one response.
struct Server {
    base: String,
    log: Arc<Mutex<Vec<Req>>>,
}

impl Server {
    fn start(handler: impl Fn(&Req) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log2 = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (h, l) = (handler.clone(), log2.clone());
                std::thread::spawn(move || serve(stream, &*h, &l));
            }
        });
        Server { base, log }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn requests(&self, path: &str) -> Vec<Req> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }
}

fn serve(stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Req>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let req = Req { path, headers };
    log.lock().unwrap().push(req.clone());
    let reply = handler(&req);
    std::thread::sleep(reply.delay);
    let mut out = stream;
    let mut head = format!("HTTP/1.1 {} X\r\n", reply.status);
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    let len = reply.claimed_len.unwrap_or(reply.body.len());
    head.push_str(&format!(
        "Content-Length: {len}\r\nConnection: close\r\n\r\n"
    ));
    let _ = out.write_all(head.as_bytes());
    if reply.status != 304 {
        let _ = out.write_all(&reply.body);
    }
    let _ = out.flush();
    let _ = out.shutdown(std::net::Shutdown::Both);
}

/// Serves `files` (path → bytes) with a strong ETag and Last-Modified,
/// answering 304 when If-None-Match matches.
fn file_handler(files: Arc<Mutex<HashMap<String, Vec<u8>>>>) -> impl Fn(&Req) -> Reply {
    move |req| {
        let files = files.lock().unwrap();
        let Some(body) = files.get(&req.path) else {
            return Reply::status(404);
        };
        let etag = format!("\"{}\"", &sha256(body)[..16]);
        let headers = vec![
            ("ETag".to_string(), etag.clone()),
            (
                "Last-Modified".to_string(),
                "Fri, 03 May 2024 12:00:00 GMT".to_string(),
            ),
        ];
        if req.header("if-none-match") == Some(etag.as_str()) {
            return Reply {
                status: 304,
                headers,
                body: vec![],
                claimed_len: Some(0),
                delay: Duration::ZERO,
            };
        }
        Reply {
            headers,
            ..Reply::ok(body.clone())
        }
    }
}

// ---------------------------------------------------------------- helpers

fn sha256(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn fast() -> FetchOptions {
    FetchOptions {
        attempts: 3,
        backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
        connect_timeout: Duration::from_secs(5),
        response_timeout: Duration::from_secs(5),
        body_timeout: Duration::from_secs(30),
        ..FetchOptions::default()
    }
}

fn spec(name: &str, kind: SourceKind, urls: Vec<String>) -> SourceSpec {
    SourceSpec {
        name: name.into(),
        kind,
        urls,
    }
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

/// All file names under `dir`, recursively, sorted (to spot leftovers).
fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(d: &Path, base: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, base, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out.sort();
    out
}

/// Fetches, first and again, a set of files; checks hashes and the 304 path.
fn check_set(files: Vec<(String, Vec<u8>)>, kind: SourceKind, expect_names: &[&str]) -> usize {
    let map: HashMap<String, Vec<u8>> = files
        .iter()
        .map(|(p, b)| (p.to_string(), b.clone()))
        .collect();
    let server = Server::start(file_handler(Arc::new(Mutex::new(map))));
    let urls: Vec<String> = files.iter().map(|(p, _)| server.url(p)).collect();
    let s = spec("src", kind, urls);
    let dir = tempfile::tempdir().unwrap();

    let first = fetch_all_with(std::slice::from_ref(&s), dir.path(), &NoProgress, &fast());
    let f = first.into_iter().next().unwrap().unwrap();
    assert_eq!(f.status, FetchStatus::Downloaded);
    let names: Vec<String> = f
        .files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, expect_names);
    let mut all = Vec::new();
    for (path, (_, bytes)) in f.files.iter().zip(&files) {
        let local = std::fs::read(path).unwrap();
        assert_eq!(sha256(&local), sha256(bytes), "{}", path.display());
        all.extend_from_slice(bytes);
    }
    assert_eq!(f.sha256, sha256(&all));
    assert_eq!(
        f.last_modified.map(|d| d.to_string()).as_deref(),
        Some("2024-05-03"),
        "the server's Last-Modified, for the version's publication date"
    );
    assert!(dir.path().join(STATE_FILE).is_file());

    let events = Mutex::new(Vec::new());
    let sink = |e: &Progress<'_>| events.lock().unwrap().push(format!("{e:?}"));
    let second = fetch_all_with(std::slice::from_ref(&s), dir.path(), &sink, &fast());
    let g = second.into_iter().next().unwrap().unwrap();
    assert_eq!(g.status, FetchStatus::NotModified);
    assert_eq!(g.sha256, f.sha256);
    assert_eq!(g.files, f.files);
    assert_eq!(
        g.last_modified, f.last_modified,
        "remembered when not modified"
    );
    for (p, bytes) in &files {
        let reqs = server.requests(p);
        assert_eq!(reqs.len(), 2, "{p}");
        assert_eq!(reqs[0].header("if-none-match"), None);
        let etag = format!("\"{}\"", &sha256(bytes)[..16]);
        assert_eq!(reqs[1].header("if-none-match"), Some(etag.as_str()));
        assert_eq!(
            reqs[1].header("if-modified-since"),
            Some("Fri, 03 May 2024 12:00:00 GMT")
        );
    }
    let events = events.into_inner().unwrap();
    assert_eq!(
        events.iter().filter(|e| e.contains("NotModified")).count(),
        files.len()
    );
    assert_eq!(
        listing(dir.path()).len(),
        files.len() + 1,
        "{:?}",
        listing(dir.path())
    );
    // The parser hashes a set in the same order, so the CLI can compare
    // `Fetched::sha256` with the store's active version before parsing.
    let parsed = embargo_sources::parse_path(&g.files[0], Some(kind)).unwrap();
    assert_eq!(parsed.sha256, g.sha256);
    parsed.entities.len()
}

// ---------------------------------------------------------------- tests

#[test]
fn fixture_set_downloads_then_is_not_modified() {
    let entities = check_set(
        vec![
            ("/exports/SDN.CSV".into(), fixture("sdn.sample.csv")),
            ("/exports/ALT.CSV".into(), fixture("alt.sample.csv")),
        ],
        SourceKind::OfacSdn,
        &["sdn.csv", "alt.csv"],
    );
    assert_eq!(entities, 3);
}

#[test]
fn real_ofac_set_downloads_byte_identical() {
    let dir = embargo_testkit::require_shared!("data/lists/ofac_sdn/2021-07");
    let files = ["SDN.CSV", "ALT.CSV", "ADD.CSV", "SDN_COMMENTS.CSV"]
        .iter()
        .map(|n| {
            (
                format!("/exports/{n}"),
                std::fs::read(dir.join(n.to_ascii_lowercase())).unwrap(),
            )
        })
        .collect();
    let entities = check_set(
        files,
        SourceKind::OfacSdn,
        &["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"],
    );
    assert_eq!(entities, 8_976);
}

#[test]
fn real_un_and_csl_files_download_byte_identical() {
    let un = embargo_testkit::require_shared!("data/lists/un/2026-02/UN_consolidated.xml");
    let entities = check_set(
        vec![(
            "/resources/xml/en/consolidated.xml".into(),
            std::fs::read(un).unwrap(),
        )],
        SourceKind::UnSc,
        &["UN_consolidated.xml"],
    );
    assert_eq!(entities, 1_003);
    let csl = embargo_testkit::require_shared!("data/lists/us_csl/2022-05/consolidated.csv");
    let entities = check_set(
        vec![("/v1/consolidated.csv".into(), std::fs::read(csl).unwrap())],
        SourceKind::TradeCsl,
        &["consolidated.csv"],
    );
    assert!(entities > 13_000, "{entities} CSL entities");
}

#[test]
fn a_changed_upstream_file_is_downloaded_again() {
    let files = Arc::new(Mutex::new(HashMap::from([(
        "/dpl.txt".to_string(),
        b"v1\n".to_vec(),
    )])));
    let server = Server::start(file_handler(files.clone()));
    let s = spec("bis_dpl", SourceKind::BisDpl, vec![server.url("/dpl.txt")]);
    let dir = tempfile::tempdir().unwrap();
    let a = fetch_all_with(std::slice::from_ref(&s), dir.path(), &NoProgress, &fast())
        .remove(0)
        .unwrap();
    files
        .lock()
        .unwrap()
        .insert("/dpl.txt".into(), b"v2 longer\n".to_vec());
    let b = fetch_all_with(std::slice::from_ref(&s), dir.path(), &NoProgress, &fast())
        .remove(0)
        .unwrap();
    assert_eq!(b.status, FetchStatus::Downloaded);
    assert_ne!(a.sha256, b.sha256);
    assert_eq!(std::fs::read(&b.files[0]).unwrap(), b"v2 longer\n");
    assert_eq!(server.requests("/dpl.txt").len(), 2);
}

#[test]
fn a_local_file_edited_by_hand_is_fetched_in_full() {
    let files = Arc::new(Mutex::new(HashMap::from([(
        "/a.csv".to_string(),
        b"abc\n".to_vec(),
    )])));
    let server = Server::start(file_handler(files));
    let s = spec("csl", SourceKind::TradeCsl, vec![server.url("/a.csv")]);
    let dir = tempfile::tempdir().unwrap();
    let a = fetch_all_with(std::slice::from_ref(&s), dir.path(), &NoProgress, &fast())
        .remove(0)
        .unwrap();
    std::fs::write(&a.files[0], b"tampered").unwrap();
    let b = fetch_all_with(std::slice::from_ref(&s), dir.path(), &NoProgress, &fast())
        .remove(0)
        .unwrap();
    assert_eq!(b.status, FetchStatus::Downloaded);
    assert_eq!(b.sha256, a.sha256);
    assert_eq!(server.requests("/a.csv")[1].header("if-none-match"), None);
}

#[test]
fn a_500_is_retried_and_then_succeeds() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let server = Server::start(move |_req| {
        if c.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::status(500)
        } else {
            Reply::ok(b"ok\n".to_vec())
        }
    });
    let s = spec(
        "csl",
        SourceKind::TradeCsl,
        vec![server.url("/consolidated.csv")],
    );
    let dir = tempfile::tempdir().unwrap();
    let retries = Mutex::new(Vec::new());
    let sink = |e: &Progress<'_>| {
        if let Progress::Retrying { attempt, error, .. } = e {
            retries.lock().unwrap().push((*attempt, error.to_string()));
        }
    };
    let f = fetch_all_with(&[s], dir.path(), &sink, &fast())
        .remove(0)
        .unwrap();
    assert_eq!(f.status, FetchStatus::Downloaded);
    assert_eq!(std::fs::read(&f.files[0]).unwrap(), b"ok\n");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(
        retries.into_inner().unwrap(),
        vec![(1, "HTTP 500".to_string())]
    );
}

#[test]
fn persistent_503_gives_up_after_the_bounded_attempts() {
    let server = Server::start(|_req| Reply::status(503));
    let s = spec(
        "csl",
        SourceKind::TradeCsl,
        vec![server.url("/consolidated.csv")],
    );
    let dir = tempfile::tempdir().unwrap();
    let err = fetch_all_with(&[s], dir.path(), &NoProgress, &fast())
        .remove(0)
        .unwrap_err();
    assert!(
        matches!(
            err,
            UpdateError::Status {
                status: 503,
                attempts: 3,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(server.requests("/consolidated.csv").len(), 3);
}

#[test]
fn a_404_is_a_clear_error_naming_the_url_and_is_not_retried() {
    let server = Server::start(|_req| Reply::status(404));
    let url = server.url("/exports/SDN.CSV");
    let s = spec("ofac_sdn", SourceKind::OfacSdn, vec![url.clone()]);
    let dir = tempfile::tempdir().unwrap();
    let err = fetch_all_with(&[s], dir.path(), &NoProgress, &fast())
        .remove(0)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{url}: HTTP 404 (after 1 attempt(s))")
    );
    assert_eq!(server.requests("/exports/SDN.CSV").len(), 1);
    assert_eq!(listing(dir.path()), Vec::<String>::new());
}

#[test]
fn a_failure_in_a_set_keeps_every_file_of_the_set_unchanged() {
    let files = Arc::new(Mutex::new(HashMap::from([
        ("/SDN.CSV".to_string(), fixture("sdn.sample.csv")),
        ("/ALT.CSV".to_string(), fixture("alt.sample.csv")),
    ])));
    let server = Server::start(file_handler(files.clone()));
    let s = spec(
        "ofac_sdn",
        SourceKind::OfacSdn,
        vec![server.url("/SDN.CSV"), server.url("/ALT.CSV")],
    );
    let dir = tempfile::tempdir().unwrap();
    let good = fetch_all_with(std::slice::from_ref(&s), dir.path(), &NoProgress, &fast())
        .remove(0)
        .unwrap();
    // Upstream publishes a new SDN.CSV but ALT.CSV disappears.
    {
        let mut f = files.lock().unwrap();
        f.insert("/SDN.CSV".into(), b"new\r\n".to_vec());
        f.remove("/ALT.CSV");
    }
    let err = fetch_all_with(std::slice::from_ref(&s), dir.path(), &NoProgress, &fast())
        .remove(0)
        .unwrap_err();
    assert!(
        matches!(err, UpdateError::Status { status: 404, .. }),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&good.files[0]).unwrap(),
        fixture("sdn.sample.csv")
    );
    assert_eq!(
        listing(dir.path()),
        ["ofac_sdn/alt.csv", "ofac_sdn/sdn.csv", STATE_FILE]
    );
}

#[test]
fn a_truncated_body_is_an_error_and_leaves_no_partial_file() {
    let truncate = Arc::new(AtomicUsize::new(0));
    let t = truncate.clone();
    let server = Server::start(move |_req| {
        let full = b"0123456789".repeat(100);
        if t.load(Ordering::SeqCst) == 0 {
            Reply::ok(full)
        } else {
            Reply {
                claimed_len: Some(1000),
                ..Reply::ok(full[..400].to_vec())
            }
        }
    });
    let s = spec(
        "csl",
        SourceKind::TradeCsl,
        vec![server.url("/consolidated.csv")],
    );
    let dir = tempfile::tempdir().unwrap();
    let good = fetch_all_with(std::slice::from_ref(&s), dir.path(), &NoProgress, &fast())
        .remove(0)
        .unwrap();
    let before = listing(dir.path());
    truncate.store(1, Ordering::SeqCst);
    let err = fetch_all_with(std::slice::from_ref(&s), dir.path(), &NoProgress, &fast())
        .remove(0)
        .unwrap_err();
    assert!(
        matches!(
            err,
            UpdateError::Truncated {
                expected: 1000,
                got: 400,
                attempts: 3,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains(&server.url("/consolidated.csv")),
        "{err}"
    );
    // The previous complete file is still there, and nothing else.
    assert_eq!(
        std::fs::read(&good.files[0]).unwrap(),
        b"0123456789".repeat(100)
    );
    assert_eq!(listing(dir.path()), before);

    // Without a previous file there is no file at all afterwards.
    let dir2 = tempfile::tempdir().unwrap();
    assert!(fetch_all_with(&[s], dir2.path(), &NoProgress, &fast())
        .remove(0)
        .is_err());
    assert_eq!(listing(dir2.path()), Vec::<String>::new());
}

#[test]
fn a_stalled_server_times_out() {
    let server = Server::start(|_req| Reply {
        delay: Duration::from_secs(3),
        ..Reply::status(200)
    });
    let s = spec(
        "un",
        SourceKind::UnSc,
        vec![server.url("/consolidated.xml")],
    );
    let dir = tempfile::tempdir().unwrap();
    let opts = FetchOptions {
        attempts: 2,
        response_timeout: Duration::from_millis(300),
        ..fast()
    };
    let t = Instant::now();
    let err = fetch_all_with(&[s], dir.path(), &NoProgress, &opts)
        .remove(0)
        .unwrap_err();
    assert!(
        matches!(err, UpdateError::Network { attempts: 2, .. }),
        "{err}"
    );
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "took {:?}",
        t.elapsed()
    );
}

#[test]
fn one_failing_source_does_not_stop_the_others() {
    let files = Arc::new(Mutex::new(HashMap::from([(
        "/ok.csv".to_string(),
        b"x\n".to_vec(),
    )])));
    let server = Server::start(file_handler(files));
    let specs = [
        spec("a", SourceKind::TradeCsl, vec![server.url("/missing.csv")]),
        spec("b", SourceKind::TradeCsl, vec![server.url("/ok.csv")]),
    ];
    let dir = tempfile::tempdir().unwrap();
    let r = fetch_all_with(&specs, dir.path(), &NoProgress, &fast());
    assert!(r[0].is_err());
    assert_eq!(r[1].as_ref().unwrap().status, FetchStatus::Downloaded);
}

#[test]
fn config_files_override_and_extend_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("sources.json");
    std::fs::write(
        &p,
        r#"{"sources": [
            {"name": "us_csl", "kind": "csl", "urls": ["https://mirror.example/csl.csv#consolidated.csv"]},
            {"name": "mine", "kind": "custom", "urls": ["https://example.org/list.csv"]}
        ]}"#,
    )
    .unwrap();
    let got = load_sources(Some(&p)).unwrap();
    let names: Vec<&str> = got.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["ofac_sdn", "ofac_cons", "us_csl", "un", "bis_dpl", "mine"]
    );
    assert_eq!(
        got[2].urls,
        ["https://mirror.example/csl.csv#consolidated.csv"]
    );
    assert_eq!(got[5].kind, SourceKind::Custom);

    std::fs::write(&p, r#"{"replace_defaults": true, "sources": [{"name": "x", "kind": "un", "urls": ["https://e.org/u.xml"]}]}"#).unwrap();
    assert_eq!(load_sources(Some(&p)).unwrap().len(), 1);

    std::fs::write(
        &p,
        r#"{"sources": [{"name": "x", "kind": "nope", "urls": ["https://e.org/u.xml"]}]}"#,
    )
    .unwrap();
    let err = load_sources(Some(&p)).unwrap_err().to_string();
    assert!(
        err.contains("sources.json") && err.contains("sources[0]") && err.contains("\"nope\""),
        "{err}"
    );

    std::fs::write(&p, "{\n  \"sources\": [,]\n}").unwrap();
    let err = load_sources(Some(&p)).unwrap_err().to_string();
    assert!(err.contains("line 2"), "{err}");

    std::fs::write(
        &p,
        r#"{"sources": [{"name": "../x", "kind": "un", "urls": ["https://e.org/u.xml"]}]}"#,
    )
    .unwrap();
    assert!(load_sources(Some(&p)).is_err());
    assert_eq!(load_sources(None).unwrap().len(), 5);
}

#[test]
fn config_files_may_be_toml() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("sources.toml");
    std::fs::write(
        &p,
        "replace_defaults = true\n\n[[sources]]\nname = \"un\"\nkind = \"un\"\nurls = [\"https://mirror.example/un.xml\"]\n",
    )
    .unwrap();
    let got = load_sources(Some(&p)).unwrap();
    assert_eq!(
        got,
        vec![SourceSpec {
            name: "un".into(),
            kind: SourceKind::UnSc,
            urls: vec!["https://mirror.example/un.xml".into()],
        }]
    );
    std::fs::write(&p, "[[sources]]\nname = \"un\"\nkind = \"un\"\nurls = 3\n").unwrap();
    let err = load_sources(Some(&p)).unwrap_err().to_string();
    assert!(
        err.contains("sources.toml") && err.contains("line 4"),
        "{err}"
    );
}
