//! [`AuditBackend`]: everything a node's workflow layer writes to and
//! reads from its audit store — the hash chain ([`AuditStore`]), review
//! decisions and API keys — behind one trait with two implementations:
//! the data directory's SQLite file ([`AuditLog`], the default) and a
//! PostgreSQL database shared by several nodes ([`crate::PgAuditLog`],
//! `--store postgres://…`), so a review filed or a key created on one node
//! is in force on every node at its next request.
//!
//! Both write a decision or a key change in the same transaction as its
//! audit record, and answer look-ups the same way (`ReviewBook::lookup`
//! is `AuditLog::review_lookup`). How rows written behind Embargo's back
//! are caught differs: SQLite rows carry a MAC under the data directory's
//! key; the PostgreSQL tables hold only pointers into the chain (the
//! decision and the key's hash, role and expiry are read from, or checked
//! against, the hash-chained record), since nodes do not share a key.

use crate::error::AuditError;
use crate::keys::Role;
use crate::log::{Anchor, AuditLog};
use crate::record::AuditRecord;
use crate::requests::AuditStore;
use crate::review::{NewReview, Review, ReviewBook, ReviewLookup};
use chrono::NaiveDate;
use embargo_model::Entity;
use std::sync::Arc;

/// The audit store of a node: chain, review decisions and API keys.
pub trait AuditBackend: AuditStore {
    /// Records a decision with its audit record, in one transaction.
    fn record_review(&self, r: NewReview) -> Result<Review, AuditError>;

    /// Every review decision that passes its check (kept between calls
    /// while nothing changed).
    fn review_book(&self) -> Result<Arc<ReviewBook>, AuditError>;

    /// The standing decision on a hit under a maker-checker policy (see
    /// `AuditLog::review_lookup`).
    fn review_lookup(
        &self,
        subject_key: &str,
        current: &Entity,
        today: NaiveDate,
        approval_required: Option<&str>,
    ) -> Result<ReviewLookup, AuditError> {
        Ok(self
            .review_book()?
            .lookup(subject_key, current, today, approval_required))
    }

    /// Every decision filed for one subject, oldest first, and one warning
    /// per ignored row.
    fn subject_reviews(&self, subject_key: &str) -> Result<(Vec<Review>, Vec<String>), AuditError>;

    /// Creates a key that works through `expires`; returns its secret.
    fn create_key(
        &self,
        name: &str,
        role: Role,
        expires: Option<NaiveDate>,
        actor: &str,
    ) -> Result<String, AuditError>;

    /// Revokes a key by name; `false` if no active key has that name.
    fn revoke_key(&self, name: &str, actor: &str) -> Result<bool, AuditError>;

    /// The name and role of a usable key; `None` for an unknown, revoked,
    /// expired or unverifiable one.
    fn authenticate_key(&self, key: &str) -> Result<Option<(String, Role)>, AuditError>;

    /// One record by sequence number.
    fn record_at(&self, seq: u64) -> Result<Option<AuditRecord>, AuditError>;

    /// The chain's last record.
    fn chain_head(&self) -> Result<Option<Anchor>, AuditError>;
}

impl AuditBackend for AuditLog {
    fn record_review(&self, r: NewReview) -> Result<Review, AuditError> {
        AuditLog::record_review(self, r)
    }

    fn review_book(&self) -> Result<Arc<ReviewBook>, AuditError> {
        AuditLog::review_book(self)
    }

    fn review_lookup(
        &self,
        subject_key: &str,
        current: &Entity,
        today: NaiveDate,
        approval_required: Option<&str>,
    ) -> Result<ReviewLookup, AuditError> {
        AuditLog::review_lookup(self, subject_key, current, today, approval_required)
    }

    fn subject_reviews(&self, subject_key: &str) -> Result<(Vec<Review>, Vec<String>), AuditError> {
        AuditLog::subject_reviews(self, subject_key)
    }

    fn create_key(
        &self,
        name: &str,
        role: Role,
        expires: Option<NaiveDate>,
        actor: &str,
    ) -> Result<String, AuditError> {
        self.create_api_key_with(name, role, expires, actor)
    }

    fn revoke_key(&self, name: &str, actor: &str) -> Result<bool, AuditError> {
        self.revoke_api_key(name, actor)
    }

    fn authenticate_key(&self, key: &str) -> Result<Option<(String, Role)>, AuditError> {
        self.authenticate(key)
    }

    fn record_at(&self, seq: u64) -> Result<Option<AuditRecord>, AuditError> {
        self.get(seq)
    }

    fn chain_head(&self) -> Result<Option<Anchor>, AuditError> {
        self.head()
    }
}
