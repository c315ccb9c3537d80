//! Exit statuses that tell scripts the outcome (documented in `--help` and
//! the README): a pipeline can branch on `embargo screen` without parsing
//! its output.

use std::process::ExitCode;

/// Nothing to act on.
pub const CLEAR: u8 = 0;
/// Something to act on: a hit, an action-required finding, NEEDS_REVIEW.
pub const ACT: u8 = 1;

/// The status of a screen, batch or decision.
pub fn outcome(act: bool) -> ExitCode {
    ExitCode::from(if act { ACT } else { CLEAR })
}
