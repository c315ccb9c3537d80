//! The integration tests of `embargo-match`, one test binary: each module
//! was once a binary of its own; together they link once instead of
//! once per file (CI time and disk; see ARCHITECTURE.md, "Tests").

mod acronym;
mod bounded;
mod chinese_parts;
mod cross_script_han;
mod evasion;
mod index_file;
mod ofac_fast;
mod robustness;
mod screen;
mod stream_build;
mod transcription;
mod xinjiang_chinese;
