//! # embargo-update
//!
//! `embargo update`: fetches the current official list files (OFAC SDN and
//! consolidated legacy CSVs, the trade.gov Consolidated Screening List, the
//! UN Security Council list, the BIS Denied Persons List) into a download
//! directory, so the CLI can parse and import them.
//!
//! **What this crate is for:** HTTP downloads that are conditional
//! (`If-None-Match` / `If-Modified-Since`, remembered per URL in
//! `<download_dir>/update-state.json`), retried with bounded exponential
//! backoff on transient failures, bounded by timeouts, checked against
//! `Content-Length`, hashed (SHA-256) and written atomically (temporary file
//! in the same directory, fsync, rename, fsync of the directory), with
//! progress reported through [`ProgressSink`].
//!
//! **What it is not for:** parsing the files (`embargo-sources`), storing
//! versions (`embargo-store`), or scheduling. It never deletes a previous
//! download unless a complete replacement is ready to take its place.
//!
//! Layout of a download directory:
//! ```text
//! <download_dir>/update-state.json          ETag / Last-Modified / sha256 per URL
//! <download_dir>/<source name>/<file name>  e.g. ofac_sdn/sdn.csv, un/UN_consolidated.xml
//! ```
//! File names are the ones the parsers expect (OFAC names lower-cased).

mod atomic;
mod error;
mod fetch;
mod progress;
mod sources;
mod state;

pub use error::UpdateError;
pub use fetch::{fetch_all, fetch_all_with, FetchOptions, FetchStatus, Fetched};
pub use progress::{NoProgress, Progress, ProgressSink};
pub use sources::{default_sources, load_sources, local_file_name, SourceSpec};
pub use state::STATE_FILE;
