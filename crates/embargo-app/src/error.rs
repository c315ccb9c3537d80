//! The one error type of the workflow layer.
//!
//! Front ends map it to their transport: the server to an HTTP status and
//! stable code ([`AppError::kind`]), the CLI to a message and exit status 2,
//! the future Python package to an exception class. Every variant names what
//! the caller can fix (a field, a file, an entity id) or says that the fault
//! is ours.

use embargo_audit::AuditError;
use embargo_store::StoreError;

/// What went wrong in an act of the workflow layer.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A field of the caller's input is missing, malformed or out of range.
    #[error("`{field}`: {message}")]
    InvalidInput { field: String, message: String },
    /// The input names something the loaded data does not have.
    #[error("{0}")]
    NotFound(String),
    /// A transaction document that does not follow the documented format.
    #[error("{0}")]
    Transaction(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An import that was refused, could not be parsed, or failed to store;
    /// the previous active version is unchanged.
    #[error(transparent)]
    Import(Box<crate::import::ImportError>),
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// A file the caller named could not be read or written.
    // The source is chained, not repeated: `{:#}` prints "context: cause".
    #[error("{context}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// A CSV the caller gave could not be read (names the line or column).
    #[error("{0}")]
    Csv(String),
    /// Encoding one of our own values failed: a bug, not the caller's fault.
    #[error("encoding {what}: {message}")]
    Encode { what: &'static str, message: String },
    /// The front end gave up on the request (its deadline passed) before
    /// the act was audited; nothing was recorded (`deadline`).
    #[error("the request was abandoned at its deadline before it was audited")]
    Abandoned,
    /// A filing report could not be written (a font file that cannot be
    /// read); the act it reports on is audited all the same.
    #[error("report: {0}")]
    Report(String),
}

/// Coarse class of an [`AppError`], for mapping to HTTP statuses or exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The caller's input is wrong (HTTP 400).
    Invalid,
    /// The input names something that is not there (HTTP 404).
    NotFound,
    /// Our fault or the machine's (HTTP 500).
    Internal,
    /// The request was abandoned at its deadline (HTTP 503).
    Unavailable,
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl std::fmt::Display) -> AppError {
        AppError::InvalidInput {
            field: field.into(),
            message: message.to_string(),
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> AppError {
        AppError::Io {
            context: context.into(),
            source,
        }
    }

    /// A failed write of results, keeping the I/O error's kind (a closed
    /// pipe stays recognisable as one).
    pub(crate) fn write(context: &str, e: csv::Error) -> AppError {
        let source = match e.into_kind() {
            csv::ErrorKind::Io(io) => io,
            other => std::io::Error::other(format!("{other:?}")),
        };
        AppError::io(context, source)
    }

    pub(crate) fn encode(what: &'static str, e: impl std::fmt::Display) -> AppError {
        AppError::Encode {
            what,
            message: e.to_string(),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            AppError::InvalidInput { .. } | AppError::Transaction(_) | AppError::Csv(_) => {
                ErrorKind::Invalid
            }
            AppError::NotFound(_) => ErrorKind::NotFound,
            AppError::Store(StoreError::UnknownDataset(_) | StoreError::UnknownVersion { .. }) => {
                ErrorKind::NotFound
            }
            AppError::Store(
                StoreError::NoPreviousVersion { .. } | StoreError::InvalidDataset(_),
            ) => ErrorKind::Invalid,
            AppError::Import(e) if matches!(**e, crate::import::ImportError::Store { .. }) => {
                ErrorKind::Internal
            }
            AppError::Import(_) => ErrorKind::Invalid,
            // A value the caller chose that the audit log refuses (a past
            // key expiry, a duplicate key name) is the caller's to fix.
            AppError::Audit(AuditError::Invalid { .. } | AuditError::DuplicateKeyName(_)) => {
                ErrorKind::Invalid
            }
            AppError::Store(_)
            | AppError::Audit(_)
            | AppError::Io { .. }
            | AppError::Encode { .. }
            | AppError::Report(_) => ErrorKind::Internal,
            AppError::Abandoned => ErrorKind::Unavailable,
        }
    }
}

impl From<crate::import::ImportError> for AppError {
    fn from(e: crate::import::ImportError) -> Self {
        AppError::Import(Box::new(e))
    }
}

pub type AppResult<T> = Result<T, AppError>;
