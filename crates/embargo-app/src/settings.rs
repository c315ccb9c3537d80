//! Settings of one data directory, in `<data dir>/config.toml`: who the
//! CLI reviews as (`reviewer`), and the score from which clearing a hit
//! needs a second reviewer (`approval_threshold`, default 0.90).
//!
//! The file is a flat TOML table of `key = value` lines (strings quoted),
//! written by `embargo config set` and readable by hand.

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

/// Sets one setting (validated), keeping the others.
pub fn config_set(data_dir: &Path, key: &str, value: &str) -> AppResult<()> {
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
    let mut all: Vec<(String, String)> = read_all(data_dir)?
        .into_iter()
        .filter(|(k, _)| k != key)
        .collect();
    all.push((key.to_string(), value));
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
    let tmp = data_dir.join(format!(".{CONFIG_FILE}.{}", std::process::id()));
    std::fs::write(&tmp, text)
        .and_then(|_| std::fs::rename(&tmp, &path))
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
}
