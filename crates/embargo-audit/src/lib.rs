//! # embargo-audit
//!
//! The record of what Embargo told whom, and what analysts decided.
//!
//! **What this crate is for:**
//! - a tamper-evident, append-only audit log in its own SQLite file
//!   (`<data dir>/audit.sqlite`, WAL, `synchronous=FULL`): every screen,
//!   decision, review, import and admin action, with who, the request, the
//!   result and the list versions used, hash-chained so that `verify`
//!   detects any edited, deleted or re-ordered record, and exported as JSON
//!   lines (`export_since`) that can be checked on their own (`verify_jsonl`);
//! - analysts' review decisions (true match / false positive, reason,
//!   reviewer, expiry) and whether one still applies to a new screen of the
//!   same subject (`review_status*`), including what changed in the listed
//!   record when it no longer does;
//! - API keys with roles (`screen`, `review`, `admin`), stored as hashes.
//!
//! **What it is not for:** deciding whether a hit is a match
//! (`embargo-match`), legal reasoning (`embargo-rules`), storing list
//! versions (`embargo-store`, a separate file so imports never contend with
//! audit writes), or HTTP/CLI plumbing (`embargo-server`). It does not
//! protect against someone who rewrites the whole file and recomputes every
//! hash; keep an `Anchor` (from `head()` or `verify()`) elsewhere for that.
//!
//! ```
//! use embargo_audit::*;
//! use embargo_model::{Entity, EntityId, Schema};
//! use serde_json::json;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let log = AuditLog::open(dir.path()).unwrap();
//! let key = log.create_api_key("web", Role::Review).unwrap();
//! let (who, role) = log.authenticate(&key).unwrap().unwrap();
//! assert!(role.allows(Role::Screen));
//!
//! // Every screen served is recorded.
//! log.append(NewRecord {
//!     kind: RecordKind::Screen,
//!     actor: who.clone(),
//!     request: json!({"name": "Acme Trading"}),
//!     result: json!({"hits": ["us_ofac_sdn:36"]}),
//!     list_versions: vec!["us_ofac_sdn 2024-05-03".into()],
//! }).unwrap();
//!
//! // An analyst clears the hit; the next screen of the subject shows it cleared.
//! let listed = Entity::new(EntityId::new("us_ofac_sdn", "36"), Schema::Company,
//!                          "us_ofac_sdn", "ACME TRADING LLC");
//! let subject = subject_key("Acme Trading", Some("Company"), None, Some("GB"));
//! log.record_review(NewReview::for_entity(&*subject, &listed, Verdict::FalsePositive,
//!     "Different registration number", who, None)).unwrap();
//! let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
//! let status = log.review_status_for_entity(&subject, &listed, today).unwrap().unwrap();
//! assert!(status.suppresses_alert());
//!
//! let report = log.verify().unwrap();
//! assert!(report.ok);
//! assert_eq!(report.records, 3); // key creation, screen, review
//! ```

mod backend;
mod batch;
mod canonical;
mod checkpoint;
mod error;
mod fingerprint;
mod group;
mod journal;
mod keys;
mod log;
pub mod merkle;
mod pg;
mod record;
mod requests;
mod review;
mod schema;
mod signing;
mod subject;
mod verify;

pub use backend::AuditBackend;
pub use batch::{BatchProof, BatchWriter, TREE_RULE};
pub use canonical::{canonical_json, sha256_hex};
pub use checkpoint::{Checkpoint, CHECKPOINT_FILE, DEFAULT_CHECKPOINT_EVERY};
pub use error::AuditError;
pub use fingerprint::{changed_fields, diff_entities, entity_fingerprint, FieldChange};
pub use journal::FetchIntents;
pub use keys::{ApiKeyInfo, Role};
pub use log::{Anchor, AuditLog, AuditOptions, AUDIT_FILE};
pub use pg::PgAuditLog;
pub use record::{chain_hash, AuditRecord, NewRecord, RecordKind, GENESIS_HASH};
pub use requests::{AuditStore, RequestOutcome, RequestRecord, BUS_REQUESTS_TABLE};
pub use review::{NewReview, Review, ReviewBook, ReviewLookup, ReviewStatus, Verdict};
pub use signing::KEY_FILE;
pub use subject::subject_key;
pub use verify::{verify_data_dir, verify_jsonl, VerifyOptions, VerifyReport};

#[cfg(test)]
mod send_sync {
    fn assert_send_sync<T: Send + Sync>() {}
    #[test]
    fn audit_log_can_be_shared_between_threads() {
        assert_send_sync::<super::AuditLog>();
    }
}
