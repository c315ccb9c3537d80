//! # embargo-testkit
//!
//! Tests and benchmarks read real list files and evaluation sets from the
//! `shared/` folder that sits beside the project checkout (`../shared`).
//! Those files are never committed. When the folder is absent, tests that
//! need it must skip *with a printed reason* and the rest of the suite must
//! still pass; this crate is the one place that rule is implemented.
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
    }
    found
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
