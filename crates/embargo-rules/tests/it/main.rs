//! The integration tests of `embargo-rules`, one test binary: each module
//! was once a binary of its own; together they link once instead of
//! once per file (CI time and disk; see ARCHITECTURE.md, "Tests").

mod addresses;
mod dated_law;
mod measures;
mod no_silent_clear;
mod subunits;
mod tables;
mod uflpa_lists;
