//! Private servers for the message-bus and shared-store tests: a NATS
//! server with JetStream and a PostgreSQL cluster, each on 127.0.0.1, a
//! free port and a temporary directory, stopped when dropped.
//!
//! When a binary is missing the test prints why and returns early, unless
//! `EMBARGO_REQUIRE_SERVICES=1` (set by scripts/test after installing them),
//! where a missing server fails the test instead.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn require() -> bool {
    std::env::var("EMBARGO_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

/// Says why a test cannot run; panics when services are required.
pub fn skip(test: &str, why: &str) {
    if require() {
        panic!("{test}: {why} (EMBARGO_REQUIRE_SERVICES=1)");
    }
    eprintln!("SKIP {test}: {why}");
}

fn find(name: &str, extra: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .chain(extra.iter().map(PathBuf::from))
        .find(|p| p.is_file())
}

fn wait_port(port: u16, within: Duration) -> bool {
    let end = Instant::now() + within;
    while Instant::now() < end {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

pub struct Nats {
    child: Child,
    pub port: u16,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Nats {
    pub fn start(test: &str) -> Option<Nats> {
        let Some(bin) = find(
            "nats-server",
            &["/usr/sbin/nats-server", "/usr/bin/nats-server"],
        ) else {
            skip(
                test,
                "nats-server is not installed (apt-get install nats-server)",
            );
            return None;
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let child = Command::new(bin)
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nats-server");
        assert!(
            wait_port(port, Duration::from_secs(10)),
            "nats-server did not listen"
        );
        Some(Nats {
            child,
            port,
            url: format!("nats://127.0.0.1:{port}"),
            _dir: dir,
        })
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Postgres {
    pub url: String,
    pg_ctl: PathBuf,
    data: PathBuf,
    as_user: Option<String>,
    _dir: tempfile::TempDir,
}

fn command(bin: &Path, as_user: &Option<String>) -> Command {
    match as_user {
        Some(u) => {
            let mut c = Command::new("runuser");
            c.args(["-u", u, "--"]).arg(bin);
            c
        }
        None => Command::new(bin),
    }
}

impl Postgres {
    pub fn start(test: &str) -> Option<Postgres> {
        let extra: Vec<String> = std::fs::read_dir("/usr/lib/postgresql")
            .map(|d| {
                let mut v: Vec<String> = d
                    .flatten()
                    .map(|e| e.path().join("bin").display().to_string())
                    .collect();
                v.sort();
                v.reverse();
                v
            })
            .unwrap_or_default();
        let candidates = |name: &str| {
            let extra: Vec<String> = extra.iter().map(|d| format!("{d}/{name}")).collect();
            let refs: Vec<&str> = extra.iter().map(String::as_str).collect();
            find(name, &refs)
        };
        let (Some(initdb), Some(pg_ctl)) = (candidates("initdb"), candidates("pg_ctl")) else {
            skip(
                test,
                "PostgreSQL's initdb/pg_ctl are not installed (apt-get install postgresql)",
            );
            return None;
        };
        // initdb refuses to run as root: run the cluster as `postgres`.
        let root = std::env::var("USER").is_ok_and(|u| u == "root")
            || Command::new("id")
                .arg("-u")
                .output()
                .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        let as_user = root.then(|| "postgres".to_string());
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        if let Some(u) = &as_user {
            let ids = Command::new("id").args(["-u", u]).output().ok();
            let gid = Command::new("id").args(["-g", u]).output().ok();
            let parse = |o: Option<std::process::Output>| {
                o.and_then(|o| {
                    String::from_utf8_lossy(&o.stdout)
                        .trim()
                        .parse::<u32>()
                        .ok()
                })
            };
            let (Some(uid), Some(gid)) = (parse(ids), parse(gid)) else {
                skip(
                    test,
                    "running as root and there is no `postgres` user to run PostgreSQL",
                );
                return None;
            };
            for p in [dir.path(), data.as_path()] {
                std::os::unix::fs::chown(p, Some(uid), Some(gid)).unwrap();
            }
        }
        let ok = command(&initdb, &as_user)
            .args(["-D"])
            .arg(&data)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run initdb");
        assert!(ok.success(), "initdb failed");
        let port = free_port();
        let opts = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -k {} -c max_connections=50",
            dir.path().display()
        );
        let ok = command(&pg_ctl, &as_user)
            .args(["-D"])
            .arg(&data)
            .args(["-o", &opts, "-w", "-l"])
            .arg(dir.path().join("log"))
            .arg("start")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run pg_ctl");
        assert!(ok.success(), "pg_ctl start failed");
        Some(Postgres {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            pg_ctl,
            data,
            as_user,
            _dir: dir,
        })
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = command(&self.pg_ctl, &self.as_user)
            .args(["-D"])
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// A NATS client for the tests (its own runtime).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A child process killed when dropped (a failed assertion must not leave
/// a consumer running).
pub struct Reaper(pub Child);

impl std::ops::Deref for Reaper {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Reaper {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Reaper {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Starts `embargo serve --store URL` on a free port: the server, its
/// address (from the first line it prints) and the lines it prints after
/// that, for a test that reads the rest of its start-up report.
pub fn serve_on_store(
    data: &Path,
    store: &str,
) -> (
    Reaper,
    String,
    std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_embargo"))
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--listen", "127.0.0.1:0", "--store", store])
        .env_remove("EMBARGO_LISTEN")
        .env_remove("EMBARGO_STORE")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start embargo serve");
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("a first line").expect("readable");
    let addr = first
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("first line names the address: {first:?}"))
        .to_string();
    (Reaper(child), addr, lines)
}
