//! Work whose answer nobody will receive is not audited as answered.
//!
//! A front end with a deadline (the HTTP server answers 503 after
//! `request_timeout`) runs an act under a [`Gate`] with [`run_gated`].
//! Every act appends its audit record only after passing
//! [`commit_point`]; once the front end has [`Gate::abandon`]ed the
//! request, the commit point fails and the act stops without a record.
//! The gate is decided once: either the front end gives up first (no
//! record will be written) or an act commits first (the front end must
//! then wait for the answer, which is owed). So an audit record always
//! stands for an answer that was produced and sent.

use crate::{AppError, AppResult};
use std::cell::RefCell;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

const RUNNING: u8 = 0;
const COMMITTED: u8 = 1;
const ABANDONED: u8 = 2;

/// The shared fate of one request: running, committed or abandoned.
#[derive(Clone, Debug, Default)]
pub struct Gate(Arc<AtomicU8>);

impl Gate {
    pub fn new() -> Gate {
        Gate::default()
    }

    /// Gives up on the request. True when no audit record has been (or
    /// will be) written for it; false when an act already committed, so
    /// the caller must wait for its answer instead.
    pub fn abandon(&self) -> bool {
        match self
            .0
            .compare_exchange(RUNNING, ABANDONED, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => true,
            Err(state) => state == ABANDONED,
        }
    }

    /// Whether the request was given up.
    pub fn is_abandoned(&self) -> bool {
        self.0.load(Ordering::Acquire) == ABANDONED
    }

    fn commit(&self) -> bool {
        match self
            .0
            .compare_exchange(RUNNING, COMMITTED, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => true,
            Err(state) => state == COMMITTED,
        }
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Gate>> = const { RefCell::new(None) };
}

/// Runs `f` on this thread under `gate`: the acts it calls audit only
/// while the gate is not abandoned.
pub fn run_gated<T>(gate: &Gate, f: impl FnOnce() -> T) -> T {
    struct Reset(Option<Gate>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let prev = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = prev);
        }
    }
    let prev = CURRENT.with(|c| c.borrow_mut().replace(gate.clone()));
    let _reset = Reset(prev);
    f()
}

/// Called by every act just before it appends its audit record: fails
/// when the request running on this thread was abandoned.
pub(crate) fn commit_point() -> AppResult<()> {
    let ok = CURRENT.with(|c| c.borrow().as_ref().is_none_or(Gate::commit));
    if ok {
        Ok(())
    } else {
        Err(AppError::Abandoned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_of_abandon_and_commit_wins() {
        let g = Gate::new();
        assert!(run_gated(&g, commit_point).is_ok());
        assert!(!g.abandon(), "committed work must be waited for");
        let g = Gate::new();
        assert!(g.abandon());
        assert!(matches!(
            run_gated(&g, commit_point),
            Err(AppError::Abandoned)
        ));
        // Outside any gate, and after run_gated returns, acts commit.
        assert!(commit_point().is_ok());
    }
}
