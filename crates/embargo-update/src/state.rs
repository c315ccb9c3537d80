//! What the last successful download of each URL returned, kept in
//! `<download_dir>/update-state.json`:
//! ```json
//! { "urls": { "https://…/SDN.CSV": { "etag": "\"abc\"", "last_modified": "Thu, 02 May 2024 …",
//!             "sha256": "…", "file": "ofac_sdn/sdn.csv", "fetched_at": "2024-05-03T12:00:00Z" } } }
//! ```
//! It is a cache of validators: a missing or unreadable state file only
//! costs one unconditional download, so it is never an error. Validators
//! are used only while the local file still has the recorded sha256; a
//! file edited or deleted by hand is fetched again in full.

use crate::atomic;
use crate::error::UpdateError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const STATE_FILE: &str = "update-state.json";

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct UrlState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    pub sha256: String,
    /// Relative to the download directory.
    pub file: String,
    pub fetched_at: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct State {
    #[serde(default)]
    pub urls: BTreeMap<String, UrlState>,
}

pub(crate) fn path(dir: &Path) -> PathBuf {
    dir.join(STATE_FILE)
}

impl State {
    pub fn load(dir: &Path) -> State {
        std::fs::read(path(dir))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, dir: &Path) -> Result<(), UpdateError> {
        let p = path(dir);
        let json = serde_json::to_vec_pretty(self).map_err(|e| UpdateError::Io {
            path: p.clone(),
            source: std::io::Error::other(e),
        })?;
        atomic::write_file(&p, &json)
    }
}
