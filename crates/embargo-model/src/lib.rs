//! # embargo-model
//!
//! The one entity model every Embargo list source is parsed into, close to
//! what users of FollowTheMoney expect: a stable id, a schema, names in their
//! original script, structured facts (dates, countries, identifiers) and the
//! legal facts that make a listing matter (programs, licence requirement and
//! review policy, Federal Register citations, listing dates).
//!
//! **What this crate is for:** plain data types with serde, validation of
//! the few values that have a fixed shape (ISO-2 country codes, partial
//! dates), and small helpers (captions, "is this listing in force on day D").
//!
//! **What it is not for:** parsing list files (`embargo-sources`), storage
//! (`embargo-store`), matching (`embargo-match`) or legal reasoning
//! (`embargo-rules`). It has no I/O and almost no dependencies so that every
//! other crate, the Python wheel and the server can share it.
//!
//! Invariants:
//! - `Entity::id` is stable across versions of the same source: it is built
//!   from the source's own record key (OFAC `ent_num`, CSL `_id`, UN
//!   `DATAID`, FtM `id`), prefixed with the dataset, never from a row number.
//! - `names[0]` is the primary name (`NameKind::Primary`); every entity has
//!   at least one name.
//! - Country codes are upper-case ISO 3166-1 alpha-2 (`Country` enforces it).

pub mod country;
mod date;
mod entity;
pub mod ftm;
pub mod listing;
pub mod table;

pub use country::{Country, CountryError};
pub use date::{DateError, DateValue, PartialDate};
pub use entity::*;
pub use listing::PublishedBasis;
