//! Several nodes on one PostgreSQL list store (`--store postgres://…`):
//! two `embargo serve` processes with their own data directories, a list
//! imported by a third node through the CLI is served by both (each
//! reloads on the store's NOTIFY), and an import that dies before its
//! commit leaves every node on the previous version.

use crate::bus_support;

use bus_support::{Postgres, Reaper};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn embargo(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_embargo"));
    c.arg("--data-dir").arg(data).args(args);
    c.env_remove("EMBARGO_STORE");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run embargo")
}

fn ok(data: &Path, args: &[&str]) -> String {
    let out = embargo(data, args, &[]);
    assert!(
        out.status.success(),
        "embargo {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Starts `embargo serve --store URL` on a free port; returns the server
/// and its address.
fn serve(data: &Path, store: &str) -> (Reaper, String) {
    let (server, addr, mut lines) = bus_support::serve_on_store(data, store);
    let rest: Vec<String> = (0..4).map(|_| lines.next().unwrap().unwrap()).collect();
    assert!(
        rest[3].starts_with("list store: postgres://") && rest[3].contains("shared"),
        "{rest:?}"
    );
    std::thread::spawn(move || for _ in lines.by_ref() {});
    (server, addr)
}

fn http(addr: &str, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let mut s = TcpStream::connect(addr).expect("connect to the server");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
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

fn labels(addr: &str) -> Vec<String> {
    let (status, body) = http(addr, "GET", "/v1/lists", None);
    assert_eq!(status, 200, "{body}");
    body["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect()
}

/// The active label of `dataset` in the shared store, asked through the
/// CLI from `data`.
fn active(data: &Path, store: &str, dataset: &str) -> Option<String> {
    let lists: Value = serde_json::from_str(&ok(data, &["lists", "--json", "--store", store]))
        .expect("lists --json");
    lists.as_array().unwrap().iter().find_map(|l| {
        (l["dataset"] == dataset).then(|| l["active"]["version"].as_str().unwrap().to_string())
    })
}

/// Waits until every server serves `label`; the time it took.
fn until_served(addrs: &[&str], label: &str) -> Duration {
    let start = Instant::now();
    loop {
        if addrs.iter().all(|a| labels(a).iter().any(|l| l == label)) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{label} not served by every node after 60 s: {:?}",
            addrs.iter().map(|a| labels(a)).collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_list_imported_on_one_node_is_served_by_every_node_and_a_killed_import_by_none() {
    let test = "a_list_imported_on_one_node_is_served_by_every_node_and_a_killed_import_by_none";
    let old = embargo_testkit::require_shared!("data/lists/ofac_sdn/2024-05-02/sdn.csv");
    let new = embargo_testkit::require_shared!("data/lists/ofac_sdn/2024-05-03/sdn.csv");
    let Some(pg) = Postgres::start(test) else {
        return;
    };
    let url = pg.url.as_str();
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let (_sa, addr_a) = serve(a.path(), url);
    let (_sb, addr_b) = serve(b.path(), url);
    let sdn = |addr: &str| -> Vec<String> {
        labels(addr)
            .into_iter()
            .filter(|l| l.starts_with("us_ofac_sdn@"))
            .collect()
    };
    assert!(sdn(&addr_a).is_empty() && sdn(&addr_b).is_empty());

    // A third node imports through the CLI; both servers follow.
    let imp = |file: &Path, env: &[(&str, &str)]| {
        embargo(
            c.path(),
            &[
                "lists",
                "import",
                file.to_str().unwrap(),
                "--source",
                "ofac-sdn",
                "--store",
                url,
            ],
            env,
        )
    };
    let out = imp(&old, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = active(c.path(), url, "us_ofac_sdn").expect("the import is active");
    let label = format!("us_ofac_sdn@{first}");
    let took = until_served(&[&addr_a, &addr_b], &label);
    eprintln!("{test}: both servers served {label} {took:?} after the import returned");
    // The imported list answers screens on the node that did not import it.
    let (status, body) = http(
        &addr_b,
        "POST",
        "/v1/screen",
        Some(&json!({"name": "Aerocaribbean Airlines"})),
    );
    assert_eq!(status, 200, "{body}");
    let hit = &body["results"][0];
    assert!(
        hit.to_string().contains("us_ofac_sdn"),
        "the SDN entry is found on node B: {body:#}"
    );

    // An import killed just before its commit changes nothing anywhere.
    let out = imp(&new, &[("EMBARGO_TEST_FAILPOINT", "store_before_commit")]);
    assert!(!out.status.success(), "the failpoint aborts the import");
    assert_eq!(
        active(c.path(), url, "us_ofac_sdn").as_deref(),
        Some(first.as_str())
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(sdn(&addr_a), vec![label.clone()]);
    assert_eq!(sdn(&addr_b), vec![label.clone()]);

    // The same import completed: every node moves to it.
    let out = imp(&new, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let second = active(c.path(), url, "us_ofac_sdn").unwrap();
    assert_ne!(second, first);
    until_served(&[&addr_a, &addr_b], &format!("us_ofac_sdn@{second}"));
    assert_eq!(sdn(&addr_a), vec![format!("us_ofac_sdn@{second}")]);
    // Both versions are kept in the one store, seen from any node.
    let versions = ok(
        a.path(),
        &["lists", "versions", "us_ofac_sdn", "--store", url],
    );
    assert!(
        versions.contains(&first) && versions.contains(&second),
        "{versions}"
    );
}
