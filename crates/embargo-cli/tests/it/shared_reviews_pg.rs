//! Several `embargo serve` nodes on one PostgreSQL store answer reviews
//! and keys consistently: keys created through a third node's CLI work on
//! both servers, a review filed on node A is listed by node B and applied
//! to B's screens within a second, a clear needing a second reviewer is
//! approved on the other node (four eyes across nodes), a key revoked on
//! the store stops working everywhere, and the one shared audit chain
//! verifies with the exact number of records written.

use crate::bus_support;

use bus_support::{Postgres, Reaper};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn embargo(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_embargo"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("EMBARGO_STORE")
        .output()
        .expect("run embargo")
}

fn ok(data: &Path, args: &[&str]) -> String {
    let out = embargo(data, args);
    assert!(
        out.status.success(),
        "embargo {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Starts `embargo serve --store URL` on a free port.
fn serve(data: &Path, store: &str) -> (Reaper, String) {
    let (server, addr, mut lines) = bus_support::serve_on_store(data, store);
    std::thread::spawn(move || for _ in lines.by_ref() {});
    (server, addr)
}

fn http(
    addr: &str,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut s = TcpStream::connect(addr).expect("connect to the server");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let auth = key
        .map(|k| format!("Authorization: Bearer {k}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{auth}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status: u16 = out[9..12].parse().expect("a status code");
    let json = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    (status, json)
}

const NAME: &str = "Aerocaribbean Airlines";

/// Screens NAME on `addr`; the hit on `id` (or the first hit).
fn screen(addr: &str, id: Option<&str>) -> Value {
    let (status, body) = http(
        addr,
        "POST",
        "/v1/screen",
        None,
        Some(&json!({"name": NAME})),
    );
    assert_eq!(status, 200, "{body}");
    let hits = body["results"].as_array().expect("results").clone();
    match id {
        None => hits.first().cloned().expect("a hit"),
        Some(id) => hits
            .into_iter()
            .find(|h| h["entity_id"] == id)
            .unwrap_or_else(|| panic!("no hit on {id}: {body:#}")),
    }
}

fn reviews(addr: &str) -> Vec<Value> {
    let path = format!("/v1/reviews?name={}", NAME.replace(' ', "%20"));
    let (status, body) = http(addr, "GET", &path, None, None);
    assert_eq!(status, 200, "{body}");
    body["reviews"].as_array().expect("reviews").clone()
}

/// Waits (at most 5 s) until `f` holds; how long it took.
fn until(what: &str, f: impl Fn() -> bool) -> Duration {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{what}: not after 5 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    start.elapsed()
}

#[test]
fn reviews_and_keys_filed_on_one_node_are_in_force_on_the_other() {
    let test = "reviews_and_keys_filed_on_one_node_are_in_force_on_the_other";
    let sdn = embargo_testkit::require_shared!("data/lists/ofac_sdn/2024-05-03/sdn.csv");
    let Some(pg) = Postgres::start(test) else {
        return;
    };
    let url = pg.url.as_str();
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    // A third node imports the official SDN list and creates two
    // reviewers' keys in the shared store.
    ok(
        c.path(),
        &[
            "lists",
            "import",
            sdn.to_str().unwrap(),
            "--source",
            "ofac-sdn",
            "--store",
            url,
        ],
    );
    let key = |name: &str| {
        ok(
            c.path(),
            &["keys", "create", name, "--role", "review", "--store", url],
        )
        .trim()
        .to_string()
    };
    let (alice, bob) = (key("alice"), key("bob"));
    let mut records = 2u64; // the two key creations

    let (_sa, addr_a) = serve(a.path(), url);
    let (_sb, addr_b) = serve(b.path(), url);

    let hit = screen(&addr_a, None);
    records += 1;
    let id = hit["entity_id"].as_str().expect("entity_id").to_string();
    assert!(id.starts_with("us_ofac_sdn:"), "{hit:#}");
    assert!(hit["review"].is_null(), "no review yet: {hit:#}");
    assert!(reviews(&addr_b).is_empty());

    // Alice clears the hit on A: an SDN clear needs a second reviewer.
    let review = |addr: &str, key: &str| {
        http(
            addr,
            "POST",
            "/v1/reviews",
            Some(key),
            Some(&json!({"subject": {"name": NAME}, "entity_id": id,
                         "verdict": "false_positive", "reason": "different company (test)"})),
        )
    };
    let (status, body) = review(&addr_a, &alice);
    assert_eq!(
        status, 201,
        "alice's key, created on another node, works on A: {body}"
    );
    assert_eq!(body["status"], "pending_approval", "{body:#}");
    records += 1;

    // B lists it and its screens show it, within a second.
    let seen = until("B lists alice's review", || {
        reviews(&addr_b)
            .iter()
            .any(|r| r.to_string().contains("alice"))
    });
    eprintln!("{test}: review filed on A listed by B after {seen:?}");
    assert!(seen < Duration::from_secs(1), "{seen:?}");
    let on_b = screen(&addr_b, Some(&id));
    records += 1;
    assert_eq!(on_b["review"]["status"], "pending_approval", "{on_b:#}");

    // Bob approves on B: four eyes across two nodes.
    let (status, body) = review(&addr_b, &bob);
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body["status"], "cleared",
        "B sees alice's clear as the maker: {body:#}"
    );
    records += 1;
    // Every poll is an audited screen: count them.
    let polls = std::cell::Cell::new(0u64);
    let seen = until("A screens the hit as cleared", || {
        polls.set(polls.get() + 1);
        screen(&addr_a, Some(&id))["review"]["status"] == "cleared"
    });
    eprintln!("{test}: approval filed on B applied by A's screen after {seen:?}");
    assert!(seen < Duration::from_secs(1), "{seen:?}");
    records += polls.get();
    let on_a = screen(&addr_a, Some(&id));
    records += 1;
    assert_eq!(on_a["review"]["approved_by"], "bob", "{on_a:#}");
    assert_eq!(reviews(&addr_a).len(), 2);
    assert_eq!(reviews(&addr_b).len(), 2);

    // A key revoked in the store stops working on both nodes at once.
    let out = embargo(c.path(), &["keys", "revoke", "bob", "--store", url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    records += 1;
    for addr in [&addr_a, &addr_b] {
        let (status, body) = review(addr, &bob);
        assert_eq!(status, 401, "a revoked key is refused on {addr}: {body}");
    }
    let (status, _) = review(&addr_b, "emb_0000");
    assert_eq!(status, 401);

    // One chain, every act of both servers and the CLI in it, exactly.
    let out = embargo(c.path(), &["audit", "verify", "--store", url]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains(&format!("audit log OK: {records} records")),
        "expected {records} records: {text}"
    );
}
