//! The integration tests of `embargo-server`, one test binary: each module
//! was once a binary of its own; together they link once instead of
//! once per file (CI time and disk; see ARCHITECTURE.md, "Tests").

mod alerts_api;
mod api;
mod common;
mod lists;
mod no_silent_clear;
mod openapi_schemas;
mod redteam;
mod report;
mod roles;
mod yente_client;
