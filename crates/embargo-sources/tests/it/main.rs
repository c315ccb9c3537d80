//! The integration tests of `embargo-sources`, one test binary: each module
//! was once a binary of its own; together they link once instead of
//! once per file (CI time and disk; see ARCHITECTURE.md, "Tests").

mod caps;
mod dhs_uflpa;
mod fixtures;
mod props;
mod shared_lists;
