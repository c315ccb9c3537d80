//! Errors of `embargo update`. Each names the URL or file it concerns.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("source config {path}: {detail}")]
    Config { path: PathBuf, detail: String },
    #[error("source {source_name}: {detail}")]
    Spec { source_name: String, detail: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{url}: HTTP {status} (after {attempts} attempt(s))")]
    Status {
        url: String,
        status: u16,
        attempts: u32,
    },
    #[error("{url}: {detail} (after {attempts} attempt(s))")]
    Network {
        url: String,
        detail: String,
        attempts: u32,
    },
    #[error("{url}: body truncated, got {got} of {expected} bytes (after {attempts} attempt(s))")]
    Truncated {
        url: String,
        expected: u64,
        got: u64,
        attempts: u32,
    },
}

impl UpdateError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        UpdateError::Io {
            path: path.into(),
            source,
        }
    }
}
