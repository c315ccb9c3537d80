//! # embargo-app
//!
//! The glue every front end shares: the CLI, the HTTP server and (later) the
//! Python wheel and the message-bus consumer. It opens a data directory
//! (list store + audit log), loads the active list versions into one
//! immutable [`Snapshot`] (matcher index + decision engine), and swaps
//! snapshots atomically when lists change.
//!
//! **For:** turning "a data directory" into "something that can screen and
//! decide", and the few workflows that combine several crates (import a file,
//! screen a CSV).
//!
//! **Not for:** matching logic (`embargo-match`), legal logic
//! (`embargo-rules`), parsing (`embargo-sources`) or storage
//! (`embargo-store`, `embargo-audit`). Nothing here knows a list format or
//! a regulation.
//!
//! Invariants:
//! - A `Snapshot` is immutable. Readers hold an `Arc<Snapshot>`; `App::reload`
//!   builds a complete new one before publishing it, so a screen never sees a
//!   half-loaded list.
//! - `App::open` and `App::reload` read the snapshot from the data
//!   directory's index file (`index_file`), built once per list change and
//!   memory-mapped; `EMBARGO_INDEX=memory` builds it in memory instead.
//! - The embedded regime pack is always in the decision engine's listings
//!   (it carries the dated history the rules need). For name screening it is
//!   the offline default: used when no list has been imported, otherwise
//!   selectable with the `embargo_xinjiang_pack` dataset.

mod admin;
pub mod alerts;
pub mod audit_admin;
mod batch;
pub mod batch_out;
pub mod book;
pub mod book_index;
pub mod bus;
mod catalog;
mod compare;
pub mod consolidate;
pub mod deadline;
mod deciding;
mod error;
pub mod history;
mod import;
pub mod index_file;
mod journal;
pub mod monitoring;
pub mod report;
mod resolver;
mod review_history;
mod reviewing;
mod screening;
mod settings;
pub mod shared;
mod snapshot;
mod subject;

pub use admin::{create_api_key, export_audit, verify_audit, FoundEntity};
pub use alerts::{
    Alert, AlertEvent, AlertFilter, AlertRecord, AlertResolution, AlertResolved, ALERT_STATES,
};
pub use batch::{screen_csv, screen_rows, BatchConfig, BatchSummary, RowFields, RowOutcome};
pub use batch_out::{output_format, BatchExtras, BatchFile, OutputFormat};
pub use book::{BookColumns, BookDb, BookImport, BookIndex, BookInfo, Customer};
pub use catalog::Catalog;
pub use compare::compare_pairs;
pub use deciding::{decide_unaudited, Decided};
pub use error::{AppError, AppResult, ErrorKind};
pub use import::{import_file, import_path, ImportError, ImportOptions, ImportReport};
pub use monitoring::{monitor_after_list_change, DeltaReport, MonitorReport};
pub use resolver::AppliedReview;
pub use review_history::{ReviewHistoryEntry, SubjectReviews};
pub use reviewing::{approval_needed, ReviewInput, ReviewMark, Reviewed, MAX_REASON_CHARS};
pub use screening::{screen_unaudited, searched_datasets, Coverage, ReviewedHit, Screened};
pub use settings::{
    approval_threshold, check_reviewer, config_get, config_set, config_set_as, configured_reviewer,
    CONFIG_FILE, CONFIG_KEYS, DEFAULT_APPROVAL_THRESHOLD,
};
pub use snapshot::{ListedAsOf, ScreenRequest, ScreenResult, Snapshot, SubjectRecord};
pub use subject::{
    algorithm_name, check_limit, check_name, check_threshold, parse_algorithm, parse_country,
    parse_date, parse_schema, ScreenInput, Subject, DEFAULT_LIMIT, MAX_IDENTIFIER_CHARS, MAX_LIMIT,
    MAX_NAME_CHARS, MAX_VALUES,
};

/// Types front ends print or pass through, re-exported so that they depend
/// on this crate alone (see ARCHITECTURE.md, "front ends talk to
/// embargo-app").
pub mod types {
    pub use embargo_audit::{
        canonical_json, Anchor, ApiKeyInfo, AuditRecord, FieldChange, Review, ReviewLookup,
        ReviewStatus, Role, Verdict, VerifyReport,
    };
    pub use embargo_match::{
        Algorithm, Explanation, Query, ScreenOptions, DEFAULT_THRESHOLD, OFAC_THRESHOLD,
    };
    pub use embargo_rules::{Decision, Finding};
    pub use embargo_store::{
        EntityChange, LinkJudgement, LinkVerdict, ListDiff, ListStatus, StoreError,
    };
}

use arc_swap::ArcSwap;
use embargo_audit::{AuditBackend, AuditLog, PgAuditLog};
use embargo_store::Store;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A data directory opened for work: list store, audit log and the current
/// snapshot.
pub struct App {
    pub data_dir: PathBuf,
    pub store: Store,
    pub audit: AuditLog,
    /// The audit log, reviews and API keys shared with other nodes
    /// (`--store postgres://…`); `None`: the data directory's `audit`.
    shared_audit: Option<Arc<PgAuditLog>>,
    snapshot: ArcSwap<Snapshot>,
}

impl App {
    pub fn open(data_dir: &Path) -> AppResult<App> {
        App::open_with_store(data_dir, None)
    }

    /// [`App::open`] with the list store, and the audit chain with review
    /// decisions and API keys, in a shared PostgreSQL database when
    /// `shared` is a `postgres://…` URL (several nodes, one store). What
    /// stays in `data_dir`: the index cache, and the data directory's own
    /// SQLite audit log, which keeps what has not moved to the shared
    /// chain (the list store's journal, batch screens, monitoring alerts,
    /// settings changes, signed checkpoints). Call
    /// [`App::follow_shared_store`] to reload on other nodes' changes.
    /// Must not be called inside an async runtime (the PostgreSQL client
    /// runs its own).
    pub fn open_with_store(data_dir: &Path, shared: Option<&str>) -> AppResult<App> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            AppError::io(
                format!("cannot create data directory {}", data_dir.display()),
                e,
            )
        })?;
        let store = Store::open_at(data_dir, shared)?;
        let audit = AuditLog::open(data_dir)?;
        // Store and settings changes a crash kept out of the audit log go
        // in first.
        journal::deliver(&store, &audit)?;
        settings::recover(data_dir, &audit)?;
        let shared_audit = match shared {
            Some(url) => Some(Arc::new(PgAuditLog::connect(url)?)),
            None => None,
        };
        let snapshot = index_file::load(&store, data_dir)?;
        Ok(App {
            data_dir: data_dir.to_path_buf(),
            store,
            audit,
            shared_audit,
            snapshot: ArcSwap::from_pointee(snapshot),
        })
    }

    /// Where screens, decisions, reviews, key checks and reloads are
    /// audited: the shared PostgreSQL chain when the app was opened on
    /// one, else the data directory's log (the same as `audit`).
    pub fn audit_backend(&self) -> &dyn AuditBackend {
        match &self.shared_audit {
            Some(pg) => pg.as_ref(),
            None => &self.audit,
        }
    }

    /// The shared PostgreSQL audit store, when the app was opened on one.
    pub fn shared_audit(&self) -> Option<Arc<PgAuditLog>> {
        self.shared_audit.clone()
    }

    /// A snapshot read from a snapshot file (`embargo snapshot export`),
    /// without a data directory: screens and decisions from the file
    /// alone. See [`Snapshot::open_file`].
    pub fn snapshot_from_file(path: &Path) -> AppResult<Snapshot> {
        Snapshot::open_file(path)
    }

    /// The snapshot in force now. Hold it for the whole request.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    /// Rebuilds the snapshot from the store and publishes it atomically.
    pub fn reload(&self) -> AppResult<()> {
        let fresh = index_file::load(&self.store, &self.data_dir)?;
        self.snapshot.store(Arc::new(fresh));
        Ok(())
    }
}

/// Loads the snapshot of an existing data directory without opening its
/// audit log: for engines that only screen and decide and cannot keep an
/// audit trail there (Spark executors reading a copy of the directory).
/// A directory without a list store is an error, never an empty snapshot.
pub fn load_snapshot(data_dir: &Path) -> AppResult<Snapshot> {
    let db = data_dir.join("embargo.sqlite");
    if !db.is_file() {
        return Err(AppError::NotFound(format!(
            "{} is not an Embargo data directory (no embargo.sqlite): import lists there first",
            data_dir.display()
        )));
    }
    let store = Store::open(data_dir)?;
    Snapshot::load(Some(&store))
}

/// The key a review decision is filed under: what was screened (name,
/// schema, first date of birth, first country). The CLI, the HTTP API and
/// the web page all build it here, from typed values, so a decision
/// recorded in one place applies in the others.
pub fn review_subject(
    name: &str,
    schema: Option<embargo_model::Schema>,
    dob: Option<embargo_model::PartialDate>,
    country: Option<embargo_model::Country>,
) -> String {
    embargo_audit::subject_key(
        name,
        schema.map(|s| s.to_string()).as_deref(),
        dob.map(|d| d.to_string()).as_deref(),
        country.as_ref().map(|c| c.as_str()),
    )
}

/// Every enumerated field of the transaction format with its allowed values
/// (the one list the parser checks against), for documentation and forms.
pub fn transaction_vocabulary() -> Vec<(&'static str, &'static [&'static str])> {
    embargo_rules::transaction::enumerated_fields()
}

/// The JSON Schema of a transaction document: exactly what `decide` reads
/// (for the OpenAPI document; `embargo_rules::transaction::json_schema`).
pub fn transaction_schema() -> serde_json::Value {
    embargo_rules::transaction::json_schema()
}

/// The characters `str::trim` removes, as a regular-expression class body
/// (for schemas of trimmed text).
pub const WHITE_SPACE_CLASS: &str = embargo_rules::transaction::WHITE_SPACE_CLASS;

/// Whether the embedded pack holds `id`.
pub(crate) fn pack_has(id: &embargo_model::EntityId) -> bool {
    embargo_pack::entities().iter().any(|e| &e.id == id)
}

/// The embedded regime pack's list version (the offline default).
pub fn pack_version() -> embargo_model::ListVersion {
    embargo_pack::version()
}

/// The platform's default data directory (`~/.local/share/embargo` on Linux).
pub fn default_data_dir() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("embargo")
}

/// Who is acting, for the audit log, when the CLI runs.
/// `$USER` (or `$USERNAME`) when set, else the process's numeric user id
/// (`cli:uid0` under a bare cron or container): never "unknown", so every
/// audit record names an account that can be traced.
pub fn cli_actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(process_uid);
    format!("cli:{user}")
}

#[cfg(unix)]
fn process_uid() -> String {
    use std::os::unix::fs::MetadataExt;
    // The owner of /proc/self is the process's user; no unsafe libc call.
    match std::fs::metadata("/proc/self") {
        Ok(m) => format!("uid{}", m.uid()),
        Err(_) => format!("pid{}", std::process::id()),
    }
}

#[cfg(not(unix))]
fn process_uid() -> String {
    format!("pid{}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;
    use embargo_model::{Country, PartialDate, Schema};

    #[test]
    fn the_cli_actor_is_never_unknown() {
        let a = cli_actor();
        assert!(a.starts_with("cli:"), "{a}");
        assert_ne!(a, "cli:unknown");
        assert!(a.len() > "cli:".len(), "{a}");
        #[cfg(target_os = "linux")]
        assert!(process_uid().starts_with("uid"), "{}", process_uid());
    }

    #[test]
    fn review_subjects_agree_however_the_values_were_typed() {
        // The CLI parses "organization"/"cn"/"1955"; the API gets
        // "Organization"/"CN"/"1955": one key either way.
        let cli = review_subject(
            "Hikvision",
            Schema::parse("organization"),
            PartialDate::parse_iso("1955").ok(),
            Country::from_code("cn").ok(),
        );
        let api = review_subject(
            "HIKVISION",
            Some(Schema::Organization),
            Some(PartialDate::Year(1955)),
            Country::from_name("China"),
        );
        assert_eq!(cli, api);
        // A different subject gets a different key.
        assert_ne!(
            cli,
            review_subject("Hikvision", Some(Schema::Person), None, None)
        );
    }
}
