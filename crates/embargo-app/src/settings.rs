//! Settings of one data directory, in `<data dir>/config.toml`: who the
//! CLI reviews as (`reviewer`), and the score from which clearing a hit
//! needs a second reviewer (`approval_threshold`, default 0.90).
//!
//! The file is a flat TOML table of `key = value` lines (strings quoted),
//! written by `embargo config set` and readable by hand.
//!
//! **Audited, write-ahead.** `config_set` writes the new file beside the
//! old one (`.config.toml.pending`, fsynced), then appends the audit record
//! (kind `admin`, `action: config_set`, with the new file's SHA-256), then
//! renames the file into place. The audit record is the commit point: a
//! crash before it leaves the old settings and a pending file that
//! `recover` deletes; a crash after it leaves a pending file whose hash
//! the log holds, which `recover` (run whenever the data directory is
//! opened) renames into place. No change without its record, no record
//! without its change.

use crate::error::{AppError, AppResult};
use std::path::Path;

/// File name of the settings inside the data directory.
pub const CONFIG_FILE: &str = "config.toml";
/// Clearing a hit scored at or above this needs a second reviewer.
pub const DEFAULT_APPROVAL_THRESHOLD: f64 = 0.90;
/// The settings `config set` accepts.
pub const CONFIG_KEYS: &[&str] = &["reviewer", "approval_threshold"];

fn read_all(data_dir: &Path) -> AppResult<Vec<(String, String)>> {
    let path = data_dir.join(CONFIG_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(AppError::io(format!("cannot read {}", path.display()), e)),
    };
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || {
            AppError::invalid(
                "config",
                format!(
                    "{}:{}: expected `key = value`, got {line:?}",
                    path.display(),
                    i + 1
                ),
            )
        };
        let (k, v) = line.split_once('=').ok_or_else(bad)?;
        let v = v.trim();
        let value = if let Some(inner) = v.strip_prefix('"') {
            let inner = inner.strip_suffix('"').ok_or_else(bad)?;
            inner.replace("\\\"", "\"").replace("\\\\", "\\")
        } else {
            v.to_string()
        };
        out.push((k.trim().to_string(), value));
    }
    Ok(out)
}

/// The value of one setting, if set.
pub fn config_get(data_dir: &Path, key: &str) -> AppResult<Option<String>> {
    check_key(key)?;
    Ok(read_all(data_dir)?
        .into_iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v))
}

fn check_key(key: &str) -> AppResult<()> {
    if CONFIG_KEYS.contains(&key) {
        Ok(())
    } else {
        Err(AppError::invalid(
            "key",
            format!("unknown setting {key:?}; known: {}", CONFIG_KEYS.join(", ")),
        ))
    }
}

const PENDING: &str = ".config.toml.pending";

/// Sets one setting (validated), keeping the others, as the CLI's user.
pub fn config_set(data_dir: &Path, key: &str, value: &str) -> AppResult<()> {
    config_set_as(data_dir, key, value, &crate::cli_actor())
}

/// Finishes or drops a settings change a crash interrupted (module docs).
pub(crate) fn recover(data_dir: &Path, audit: &embargo_audit::AuditLog) -> AppResult<()> {
    let pending = data_dir.join(PENDING);
    let text = match std::fs::read(&pending) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(AppError::io(
                format!("cannot read {}", pending.display()),
                e,
            ))
        }
    };
    let hash = embargo_audit::sha256_hex(&[&text]);
    let recorded = audit
        .last_admin_action("config_set")?
        .and_then(|r| r.result["config_sha256"].as_str().map(str::to_string));
    let path = data_dir.join(CONFIG_FILE);
    let res = if recorded.as_deref() == Some(hash.as_str()) {
        std::fs::rename(&pending, &path)
    } else {
        std::fs::remove_file(&pending)
    };
    res.map_err(|e| AppError::io(format!("cannot recover {}", pending.display()), e))
}

/// Sets one setting (validated), keeping the others, and audits the change
/// as `actor` (module docs).
pub fn config_set_as(data_dir: &Path, key: &str, value: &str, actor: &str) -> AppResult<()> {
    check_key(key)?;
    let value = match key {
        "reviewer" => check_reviewer(value)?,
        "approval_threshold" => parse_threshold(value)?.to_string(),
        _ => value.to_string(),
    };
    std::fs::create_dir_all(data_dir).map_err(|e| {
        AppError::io(
            format!("cannot create data directory {}", data_dir.display()),
            e,
        )
    })?;
    let audit = embargo_audit::AuditLog::open(data_dir)?;
    recover(data_dir, &audit)?;
    let previous = config_get(data_dir, key)?;
    let mut all: Vec<(String, String)> = read_all(data_dir)?
        .into_iter()
        .filter(|(k, _)| k != key)
        .collect();
    all.push((key.to_string(), value.clone()));
    let mut text = String::from("# Embargo settings for this data directory (`embargo config`).\n");
    for (k, v) in all {
        if k == "approval_threshold" {
            text.push_str(&format!("{k} = {v}\n"));
        } else {
            let q = v.replace('\\', "\\\\").replace('"', "\\\"");
            text.push_str(&format!("{k} = \"{q}\"\n"));
        }
    }
    let path = data_dir.join(CONFIG_FILE);
    let tmp = data_dir.join(PENDING);
    let write = || -> std::io::Result<()> {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()
    };
    write().map_err(|e| AppError::io(format!("cannot write {}", tmp.display()), e))?;
    audit.append(embargo_audit::NewRecord {
        kind: embargo_audit::RecordKind::Admin,
        actor: actor.to_string(),
        request: serde_json::json!({"action": "config_set", "key": key, "value": value}),
        result: serde_json::json!({
            "previous": previous,
            "config_sha256": embargo_audit::sha256_hex(&[text.as_bytes()]),
        }),
        list_versions: vec![],
    })?;
    crate::journal::failpoint("after_config_audit");
    std::fs::rename(&tmp, &path)
        .map_err(|e| AppError::io(format!("cannot write {}", path.display()), e))
}

fn parse_threshold(v: &str) -> AppResult<f64> {
    match v.trim().parse::<f64>() {
        Ok(t) if (0.0..=1.0).contains(&t) => Ok(t),
        _ => Err(AppError::invalid(
            "approval_threshold",
            format!("{v:?} is not a score between 0 and 1"),
        )),
    }
}

/// A reviewer name: something that identifies a person, never a
/// placeholder for "we do not know who".
pub fn check_reviewer(name: &str) -> AppResult<String> {
    let n = name.trim();
    let lower = n.to_ascii_lowercase();
    if n.is_empty()
        || n.chars().count() > 100
        || n.chars().any(char::is_control)
        || lower == "unknown"
        || lower.ends_with(":unknown")
        || lower.starts_with("anonymous")
    {
        return Err(AppError::invalid(
            "reviewer",
            format!("{n:?} does not identify a reviewer: give a name of 1–100 characters"),
        ));
    }
    Ok(n.to_string())
}

/// The reviewer configured for this data directory, if any.
pub fn configured_reviewer(data_dir: &Path) -> AppResult<Option<String>> {
    config_get(data_dir, "reviewer")
}

/// The score from which a clear needs a second reviewer.
pub fn approval_threshold(data_dir: &Path) -> AppResult<f64> {
    match config_get(data_dir, "approval_threshold")? {
        Some(v) => parse_threshold(&v),
        None => Ok(DEFAULT_APPROVAL_THRESHOLD),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_refuse_placeholders() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(configured_reviewer(dir.path()).unwrap(), None);
        assert_eq!(
            approval_threshold(dir.path()).unwrap(),
            DEFAULT_APPROVAL_THRESHOLD
        );
        config_set(dir.path(), "reviewer", "Jane \"J\" Doe").unwrap();
        config_set(dir.path(), "approval_threshold", "0.8").unwrap();
        assert_eq!(
            configured_reviewer(dir.path()).unwrap().as_deref(),
            Some("Jane \"J\" Doe")
        );
        assert_eq!(approval_threshold(dir.path()).unwrap(), 0.8);
        assert!(config_set(dir.path(), "reviewer", "cli:unknown").is_err());
        assert!(config_set(dir.path(), "reviewer", "anonymous-localhost").is_err());
        assert!(config_set(dir.path(), "approval_threshold", "2").is_err());
        assert!(config_set(dir.path(), "colour", "red").is_err());
    }

    #[test]
    fn every_change_is_audited_and_a_crash_is_recovered_from_the_log() {
        let dir = tempfile::tempdir().unwrap();
        config_set_as(dir.path(), "approval_threshold", "0.8", "ops:jane").unwrap();
        config_set_as(dir.path(), "approval_threshold", "0.7", "ops:joe").unwrap();
        let log = embargo_audit::AuditLog::open(dir.path()).unwrap();
        let last = log.last_admin_action("config_set").unwrap().unwrap();
        assert_eq!(last.actor, "ops:joe");
        assert_eq!(last.request["value"], "0.7");
        assert_eq!(last.result["previous"], "0.8");
        assert!(!dir.path().join(PENDING).exists());

        // Killed after the record, before the rename: the logged file wins.
        let text = "approval_threshold = 0.6\n";
        std::fs::write(dir.path().join(PENDING), text).unwrap();
        log.append(embargo_audit::NewRecord {
            kind: embargo_audit::RecordKind::Admin,
            actor: "ops:joe".into(),
            request: serde_json::json!({"action": "config_set"}),
            result: serde_json::json!({"config_sha256": embargo_audit::sha256_hex(&[text.as_bytes()])}),
            list_versions: vec![],
        })
        .unwrap();
        recover(dir.path(), &log).unwrap();
        assert_eq!(approval_threshold(dir.path()).unwrap(), 0.6);
        // Killed before the record: the change never happened.
        std::fs::write(dir.path().join(PENDING), "approval_threshold = 0.1\n").unwrap();
        recover(dir.path(), &log).unwrap();
        assert_eq!(approval_threshold(dir.path()).unwrap(), 0.6);
        assert!(!dir.path().join(PENDING).exists());
    }
}
