//! # embargo-server (placeholder build)
//!
//! Temporary library root used only until `embargo-app` lands in the
//! workspace: the real crate root is `lib.rs`, which needs it. Meanwhile
//! this compiles (and tests) the modules that do not. Removed when the
//! manifest switches to `lib.rs`.
#![allow(dead_code)]

mod config;
mod error;
mod ftm;
mod ratelimit;
