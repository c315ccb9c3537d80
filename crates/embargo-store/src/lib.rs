//! # embargo-store
//!
//! The versioned list store: every snapshot of every sanctions or
//! export-control list that was ever imported, kept in one SQLite file
//! (`<data_dir>/embargo.sqlite`) that an auditor can open with `sqlite3`.
//! A screening result names the list versions it used; this crate is what
//! makes "which entries did version X contain, and what changed since" an
//! answerable question months later.
//!
//! **What this crate is for:** atomic imports of whole lists and of FtM-style
//! deltas, a per-dataset "active version" pointer with roll back / roll
//! forward, entity look-up, and field-level diffs between versions; each
//! version's publication date and where it comes from
//! (`ListVersion::published_basis`); guarded imports that refuse to
//! degrade screening silently ([`Store::import_guarded`], [`Refusal`]);
//! and per entity the intervals it was listed, bounded by the versions'
//! publication dates ([`Store::listing_history`], answered by
//! `embargo_model::listing`).
//!
//! **What it is not for:** parsing list files (`embargo-sources`),
//! downloading them (`embargo-update`), indexing names for matching
//! (`embargo-match`), or the audit log of screening decisions. It never
//! deletes a version, so it is not a cache either.
//!
//! Entry point: [`Store::open`]. The storage design (why SQLite, why entity
//! bodies are deduplicated by content hash) is explained in [`schema`].

mod db;
mod diff;
mod encode;
mod error;
mod intents;
mod judgements;
mod listen;
pub mod schema;
mod store;
mod types;

pub use db::CHANNEL;
pub use error::StoreError;
pub use intents::{IntentFn, StoredIntent};
pub use judgements::{LinkJudgement, LinkVerdict};
pub use listen::ChangeListener;
pub use store::Store;
pub use types::{
    EntityChange, FieldChange, ImportOutcome, ImportPolicy, ListDiff, ListStatus, NewVersion,
    Refusal,
};
/// Reserved dataset names: never imported into (the embedded pack's name,
/// and the word front ends use for "the default selection").
pub const RESERVED_DATASETS: [&str; 2] = ["embargo_xinjiang_pack", "default"];

/// Test hook for crash tests: when the environment variable
/// `EMBARGO_TEST_FAILPOINT` equals `name`, the process aborts here (as a
/// kill -9 would stop it: no destructors, no rollback message). Never set
/// in production; the tests that set it spawn a child process.
pub fn failpoint(name: &str) {
    if std::env::var("EMBARGO_TEST_FAILPOINT").is_ok_and(|v| v == name) {
        std::process::abort();
    }
}
