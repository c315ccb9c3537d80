//! Helpers shared by the CLI's integration tests: run the `embargo` binary
//! on a data directory, read its output.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// Runs `embargo --data-dir DIR ARGS…` and returns what it did.
pub fn embargo(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_embargo"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        // Output is a pipe here, so it is not wrapped unless a test asks
        // for a width (`COLUMNS`): a caller's exported COLUMNS must not
        // change what the tests read.
        .env_remove("COLUMNS")
        .output()
        .expect("the embargo binary runs")
}

/// Output bytes as text.
pub fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

/// Runs a command that must not fail: exit 0 (nothing to act on) or 1 (a
/// hit or finding to act on) — 2 and above are errors. Returns stdout.
pub fn ok(data_dir: &Path, args: &[&str]) -> String {
    let out = embargo(data_dir, args);
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "embargo {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}
