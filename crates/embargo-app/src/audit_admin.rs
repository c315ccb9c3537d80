//! Audit log and API key administration for front ends: verifying against
//! signed checkpoints, writing checkpoints, exporting, the public key, and
//! the key lifecycle (list, create, rotate, revoke). Thin wrappers over
//! `embargo-audit`, so the CLI and server need not depend on it.

use crate::error::AppResult;
use chrono::{DateTime, NaiveDate, Utc};
use embargo_audit::{verify_data_dir, ApiKeyInfo, AuditLog, Role, VerifyReport};
use std::io::Write;
use std::path::{Path, PathBuf};

pub use embargo_audit::{BatchProof, Checkpoint, VerifyOptions, CHECKPOINT_FILE, KEY_FILE};

/// Verifies the audit log of `data_dir` (chain, reviews, API keys and
/// signed checkpoints) without ever creating it: a missing database next to
/// a checkpoint file is a failed verification. `checkpoint_files` are
/// further checkpoint files to check (an examiner's copies); `public_key`
/// (hex or a file holding it) is the key checkpoints must be signed with,
/// by default the directory's own.
pub fn verify(
    data_dir: &Path,
    checkpoint_files: Vec<PathBuf>,
    public_key: Option<String>,
) -> AppResult<VerifyReport> {
    Ok(verify_data_dir(
        data_dir,
        &VerifyOptions {
            checkpoint_files,
            public_key,
        },
    )?)
}

/// The proof that row `row` (1-based) of the batch `batch` (its audit
/// record number or run id) is committed to by the batch's chained record:
/// the row's stored result, its leaf hash, the audit path and the root
/// (see `embargo_audit::batch`). Never creates the log.
pub fn prove(data_dir: &Path, batch: &str, row: u64) -> AppResult<BatchProof> {
    if !data_dir.join(embargo_audit::AUDIT_FILE).is_file() {
        return Err(crate::AppError::NotFound(format!(
            "no audit log in {}",
            data_dir.display()
        )));
    }
    Ok(AuditLog::open(data_dir)?.batch_proof(batch, row)?)
}

/// Signs a checkpoint of the log now (table and checkpoint file).
pub fn checkpoint(data_dir: &Path) -> AppResult<Checkpoint> {
    Ok(AuditLog::open(data_dir)?.checkpoint()?)
}

/// Writes a checkpoint, then every record on or after `since` as JSON
/// lines; returns how many records and the checkpoint.
pub fn export(
    data_dir: &Path,
    since: Option<DateTime<Utc>>,
    out: &mut dyn Write,
) -> AppResult<(u64, Checkpoint)> {
    let log = AuditLog::open(data_dir)?;
    let cp = log.checkpoint()?;
    let n = log.export_since(since, out)?;
    Ok((n, cp))
}

/// The log's Ed25519 public key (64 hex digits); creates the log and key
/// if the directory has none yet.
pub fn public_key(data_dir: &Path) -> AppResult<String> {
    Ok(AuditLog::open(data_dir)?.public_key())
}

/// Every API key, by name (never the secrets).
pub fn list_keys(data_dir: &Path) -> AppResult<Vec<ApiKeyInfo>> {
    Ok(AuditLog::open(data_dir)?.list_api_keys()?)
}

/// Creates a key working through `expires` (UTC) and returns its secret.
pub fn create_key(
    data_dir: &Path,
    name: &str,
    role: Role,
    expires: Option<NaiveDate>,
    actor: &str,
) -> AppResult<String> {
    Ok(AuditLog::open(data_dir)?.create_api_key_with(name, role, expires, actor)?)
}

/// Creates an API key in a shared PostgreSQL audit store (`postgres://…`),
/// where every node on that store accepts it; returns the secret.
pub fn create_key_shared(
    url: &str,
    name: &str,
    role: Role,
    expires: Option<NaiveDate>,
    actor: &str,
) -> AppResult<String> {
    use embargo_audit::AuditBackend;
    Ok(embargo_audit::PgAuditLog::connect(url)?.create_key(name, role, expires, actor)?)
}

/// Revokes a key in a shared PostgreSQL audit store; every node refuses
/// it from its next request. `false` if no active key has that name.
pub fn revoke_key_shared(url: &str, name: &str, actor: &str) -> AppResult<bool> {
    use embargo_audit::AuditBackend;
    Ok(embargo_audit::PgAuditLog::connect(url)?.revoke_key(name, actor)?)
}

/// Revokes a key; `false` if no active key has that name.
pub fn revoke_key(data_dir: &Path, name: &str, actor: &str) -> AppResult<bool> {
    Ok(AuditLog::open(data_dir)?.revoke_api_key(name, actor)?)
}

/// Gives a key a new secret (and a new expiry if given); returns it.
pub fn rotate_key(
    data_dir: &Path,
    name: &str,
    expires: Option<NaiveDate>,
    actor: &str,
) -> AppResult<String> {
    Ok(AuditLog::open(data_dir)?.rotate_api_key(name, expires, actor)?)
}
