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

mod canonical;
mod error;
mod fingerprint;
mod keys;
mod log;
mod record;
mod review;
mod schema;
mod subject;
mod verify;

pub use canonical::{canonical_json, sha256_hex};
pub use error::AuditError;
pub use fingerprint::{changed_fields, diff_entities, entity_fingerprint, FieldChange};
pub use keys::{ApiKeyInfo, Role};
pub use log::{Anchor, AuditLog, AUDIT_FILE};
pub use record::{chain_hash, AuditRecord, NewRecord, RecordKind, GENESIS_HASH};
pub use review::{NewReview, Review, ReviewStatus, Verdict};
pub use subject::subject_key;
pub use verify::{verify_jsonl, VerifyReport};

#[cfg(test)]
mod send_sync {
    fn assert_send_sync<T: Send + Sync>() {}
    #[test]
    fn audit_log_can_be_shared_between_threads() {
        assert_send_sync::<super::AuditLog>();
    }
}
