//! Errors name the file, the line (1-based, where there is one) and the
//! field, so a broken evaluation file can be fixed without guessing.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Parse {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{path}:{line}: field {field}: {message}")]
    Field {
        path: PathBuf,
        line: u64,
        field: String,
        message: String,
    },
    #[error("{path}: cannot load list: {message}")]
    List { path: PathBuf, message: String },
    #[error("{path}: missing (shared data not present)")]
    Missing { path: PathBuf },
}

impl EvalError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::NotFound {
            EvalError::Missing {
                path: path.to_path_buf(),
            }
        } else {
            EvalError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    }

    pub(crate) fn csv(path: &std::path::Path, e: csv::Error) -> Self {
        let line = e.position().map_or(0, |p| p.line());
        EvalError::Parse {
            path: path.to_path_buf(),
            line,
            message: e.to_string(),
        }
    }
}
