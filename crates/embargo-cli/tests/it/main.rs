//! The integration tests of `embargo-cli`, one test binary: each module
//! was once a binary of its own; together they link once instead of
//! once per file (CI time and disk; see ARCHITECTURE.md, "Tests").

mod audit_cli;
mod audit_shape;
mod bus_support;
mod cli;
mod common;
mod consume_nats;
mod json_vocabulary;
mod monitor_cli;
mod no_silent_clear;
mod ofac_algorithm;
mod output_polish;
mod readme_walkthrough;
mod serve;
mod shared_lists_pg;
mod shared_reviews_pg;
mod shared_store_pg;
mod snapshot_cli;
mod update;
