//! The integration tests of `embargo-pack`, one test binary: each module
//! was once a binary of its own; together they link once instead of
//! once per file (CI time and disk; see ARCHITECTURE.md, "Tests").

mod pack;
mod shared_crosscheck;
