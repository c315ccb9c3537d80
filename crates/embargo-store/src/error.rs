//! Errors of the store. Each names the dataset, version, entity or file it
//! concerns, so a CLI can print it as is.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create store directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open store {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("store {path} has schema version {found}; this program understands up to {supported}")]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("store error while {context}: {source}")]
    Sqlite {
        context: String,
        source: rusqlite::Error,
    },
    #[error("cannot open the shared list store {url}: {reason}")]
    OpenShared { url: String, reason: String },
    #[error("shared list store error while {context}: {reason}")]
    Postgres { context: String, reason: String },
    #[error("dataset name must be non-empty and without surrounding spaces, got {0:?}")]
    InvalidDataset(String),
    #[error("import of {dataset}: sha256 must be 64 hex digits, got {sha256:?}")]
    InvalidSha256 { dataset: String, sha256: String },
    #[error("import of {dataset}: entity id {id} appears more than once")]
    DuplicateEntity { dataset: String, id: String },
    #[error("dataset {0:?} is not in the store")]
    UnknownDataset(String),
    #[error("dataset {dataset:?} has no version {version:?}")]
    UnknownVersion { dataset: String, version: String },
    #[error("dataset {dataset:?}: version {version:?} is the oldest kept; there is nothing to diff it against")]
    NoPreviousVersion { dataset: String, version: String },
    #[error("cannot serialise entity {id}: {source}")]
    Encode {
        id: String,
        source: serde_json::Error,
    },
    #[error("import refused: {0}")]
    Refused(#[from] crate::types::Refusal),
    #[error("unreadable stored {what}: {detail}")]
    Corrupt { what: String, detail: String },
}

/// Attaches "while doing what" to SQLite errors.
pub(crate) trait Context<T> {
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T, StoreError>;
}

impl<T> Context<T> for Result<T, rusqlite::Error> {
    fn ctx(self, context: impl FnOnce() -> String) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Sqlite {
            context: context(),
            source,
        })
    }
}

impl StoreError {
    /// Whether SQLite said the database is busy or locked (another
    /// connection holds a lock it would not wait for).
    pub fn is_locked(&self) -> bool {
        match self {
            StoreError::Open { source, .. } | StoreError::Sqlite { source, .. } => matches!(
                source,
                rusqlite::Error::SqliteFailure(e, _)
                    if matches!(
                        e.code,
                        rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                    )
            ),
            _ => false,
        }
    }
}
