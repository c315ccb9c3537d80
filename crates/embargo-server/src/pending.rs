//! # embargo-server (placeholder build)
//!
//! Temporary library root used only until `embargo-app` lands in the
//! workspace: the real crate root is `lib.rs`, which needs it. This keeps
//! the workspace loadable meanwhile. Removed when the manifest switches to
//! `lib.rs`.
