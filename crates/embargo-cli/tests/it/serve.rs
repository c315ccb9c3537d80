//! `embargo serve` says where it listens: a script starting it with
//! `--listen 127.0.0.1:0` reads the port from the first line.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Kills the server however the test ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect to the server");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn serve_prints_the_bound_address_data_dir_auth_and_lists() {
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_embargo"))
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env_remove("EMBARGO_LISTEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start embargo serve");
    let mut server = Server(child);
    let mut lines = BufReader::new(server.0.stdout.take().unwrap()).lines();
    let mut next = || lines.next().expect("a line").expect("readable");

    let first = next();
    let addr = first
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("first line names the address: {first:?}"))
        .to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    assert_ne!(addr, "127.0.0.1:0", "the real port, not the requested 0");
    let rest = [next(), next(), next()];
    assert_eq!(rest[0], format!("data directory: {}", dir.path().display()));
    assert!(rest[1].starts_with("auth: loopback callers"), "{rest:?}");
    assert!(
        rest[2].starts_with("lists loaded: embargo_xinjiang_pack@"),
        "{rest:?}"
    );

    let resp = get(&addr, "/healthz");
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
}

#[test]
fn serve_with_required_keys_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_embargo"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--require-keys"])
        .env_remove("EMBARGO_LISTEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start embargo serve");
    let mut server = Server(child);
    let lines: Vec<String> = BufReader::new(server.0.stdout.take().unwrap())
        .lines()
        .take(4)
        .map(|l| l.unwrap())
        .collect();
    assert!(lines[2].starts_with("auth: API key required"), "{lines:?}");
}
