//! # embargo-testkit
//!
//! Tests and benchmarks read real list files and evaluation sets from the
//! `shared/` folder that sits beside the project checkout (`../shared`).
//! Those files are never committed. When the folder is absent, tests that
//! need it must skip *with a printed reason* and the rest of the suite must
//! still pass; this crate is the one place that rule is implemented.
//!
//! `cargo test` captures what a passing test prints, so every skip is also
//! appended to a log (`target/embargo-skipped.txt`, or `$EMBARGO_SKIP_LOG`)
//! that `scripts/test` prints at the end: a skip is never silent.
//!
//! Set `EMBARGO_SHARED_DIR` to point elsewhere. Set
//! `EMBARGO_REQUIRE_SHARED=1` (CI does when the folder exists) to turn a
//! missing file into a failure instead of a skip, so a moved file cannot
//! silently disable a test.

use std::path::PathBuf;

/// The shared data folder, if it exists.
pub fn shared_dir() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("EMBARGO_SHARED_DIR") {
        let p = PathBuf::from(p);
        return p.is_dir().then_some(p);
    }
    // crates/<name>/ -> workspace root -> ../shared
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let p = root.join("../shared");
    p.is_dir().then(|| p.canonicalize().unwrap_or(p))
}

/// Path of a file under the shared folder, or `None` after printing why the
/// calling test skips. Panics instead when `EMBARGO_REQUIRE_SHARED=1`.
pub fn shared_file(rel: &str) -> Option<PathBuf> {
    let found = shared_dir().map(|d| d.join(rel)).filter(|p| p.exists());
    if found.is_none() {
        let msg = format!(
            "SKIP: shared data file {rel} not found (looked in ../shared or $EMBARGO_SHARED_DIR)"
        );
        if std::env::var("EMBARGO_REQUIRE_SHARED").as_deref() == Ok("1") {
            panic!("{msg}, and EMBARGO_REQUIRE_SHARED=1");
        }
        eprintln!("{msg}");
        log_skip(&msg);
    }
    found
}

/// Appends one line per skipped test to the skip log.
fn log_skip(msg: &str) {
    use std::io::Write;
    let path = std::env::var_os("EMBARGO_SKIP_LOG")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/embargo-skipped.txt")
        });
    let test = std::thread::current()
        .name()
        .filter(|n| !n.is_empty())
        .unwrap_or("(unnamed test)")
        .to_string();
    // One write per line: appends from parallel tests never interleave.
    let line = format!("{test}: {msg}\n");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = f.write_all(line.as_bytes());
    }
}

/// Skips the current test (returns early) when a shared file is missing.
///
/// ```ignore
/// let path = embargo_testkit::require_shared!("data/lists/ofac_sdn/2024-05-03/sdn.csv");
/// ```
#[macro_export]
macro_rules! require_shared {
    ($rel:expr) => {
        match $crate::shared_file($rel) {
            Some(p) => p,
            None => return,
        }
    };
}

/// The full name (`module::test`) of a test defined in the calling module,
/// for re-running the test binary as a child on that test alone with
/// `--exact`: inside a crate's one test binary (`tests/it/main.rs`) the
/// bare name matches no test, and a child that runs no test exits 0.
///
/// ```ignore
/// Command::new(std::env::current_exe()?).args([embargo_testkit::test_path!("crash_child").as_str(), "--exact"]);
/// ```
#[macro_export]
macro_rules! test_path {
    ($name:expr) => {
        format!(
            "{}::{}",
            module_path!().split_once("::").map_or("", |m| m.1),
            $name
        )
    };
}

pub mod synth;
