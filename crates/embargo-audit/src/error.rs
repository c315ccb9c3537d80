//! The one error type of the crate. Every variant names what failed and
//! where (file, record sequence number, field) so an operator can act on it
//! without reading the source.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// SQLite refused an operation on the audit file.
    #[error("audit store {path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// The data directory could not be created.
    #[error("audit data directory {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Writing an export failed (disk full, closed pipe, …).
    #[error("writing audit export: {0}")]
    Export(#[source] std::io::Error),
    /// Reading an exported JSON-lines file failed.
    #[error("reading audit export line {line}: {reason}")]
    ExportInput { line: u64, reason: String },
    /// A caller-supplied value is not acceptable (empty reviewer, bad fingerprint, …).
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// A stored row cannot be read back; the file was damaged or edited.
    /// `verify` reports the same condition as a failed check instead.
    #[error("audit store {path}: {table} row {row}, field {field}: {reason}")]
    Corrupt {
        path: PathBuf,
        table: &'static str,
        row: i64,
        field: &'static str,
        reason: String,
    },
    /// An API key with this name already exists.
    #[error("an API key named {0:?} already exists")]
    DuplicateKeyName(String),
    /// The file was written by a newer version of this crate.
    #[error("audit store {path}: format version {found} is newer than this program understands ({supported})")]
    NewerFormat {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// The log's signing key file is unusable.
    #[error("audit signing key {path}: {reason}")]
    Key { path: PathBuf, reason: String },
    /// The operating system's random source failed (needed for API keys).
    #[error("random number source: {0}")]
    Random(String),
    /// PostgreSQL refused an operation (shared store, `pg`). `url` has no password.
    #[error("audit store {url}: {reason}")]
    Postgres { url: String, reason: String },
}
