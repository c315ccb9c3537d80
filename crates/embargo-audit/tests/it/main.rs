//! The integration tests of `embargo-audit`, one test binary: each module
//! was once a binary of its own; together they link once instead of
//! once per file (CI time and disk; see ARCHITECTURE.md, "Tests").

mod batch;
mod chain;
mod checkpoint;
mod crash;
mod four_eyes;
mod group_commit;
mod keys;
mod review;
