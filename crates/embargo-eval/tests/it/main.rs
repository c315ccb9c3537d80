//! The integration tests of `embargo-eval`, one test binary: each module
//! was once a binary of its own; together they link once instead of
//! once per file (CI time and disk; see ARCHITECTURE.md, "Tests").

mod targets;
mod xinjiang_el;
