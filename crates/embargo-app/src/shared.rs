//! Several nodes on one shared list store (`--store postgres://…`): each
//! node follows the others' changes. [`App::follow_shared_store`] runs a
//! thread that listens for the store's change notices
//! (`embargo_store::ChangeListener`, PostgreSQL LISTEN/NOTIFY, sent only by
//! committed imports, activations and link judgements), copies the store's
//! journal into this node's audit log, and reloads the snapshot, auditing
//! the reload with the list versions now in force (actor
//! [`FOLLOWER_ACTOR`]). A lost connection is re-opened and followed by a
//! reload, since notices sent meanwhile are lost; the snapshot in force
//! stays in use until a reload succeeds, so screens never see a
//! half-loaded list.

use crate::App;
use std::sync::{Arc, Weak};
use std::time::Duration;

/// The actor of the audit record of a reload caused by another node.
pub const FOLLOWER_ACTOR: &str = "system:shared-store";

/// How long a wait for a notice lasts before the thread checks whether
/// the app is still alive.
const TICK: Duration = Duration::from_millis(500);

impl App {
    /// For an app on a shared store: starts the thread that reloads on
    /// other nodes' changes and returns at once. `Ok(false)` for a data
    /// directory's own SQLite store (nothing to follow). Fails only when
    /// the first listening connection cannot be opened. The thread ends
    /// when the last `Arc<App>` is dropped.
    pub fn follow_shared_store(self: &Arc<App>) -> crate::AppResult<bool> {
        let Some(first) = self.store.listen()? else {
            return Ok(false);
        };
        // Changes committed between opening the app and listening.
        self.follow_once()?;
        let weak = Arc::downgrade(self);
        std::thread::Builder::new()
            .name("embargo-follow-store".into())
            .spawn(move || follow(weak, first))
            .map_err(|e| crate::AppError::io("cannot start the shared-store follower", e))?;
        Ok(true)
    }

    /// Copies the store's journal into the audit log and reloads; the
    /// reload is audited when it changed the list versions in force.
    fn follow_once(&self) -> crate::AppResult<()> {
        crate::journal::deliver(&self.store, &self.audit)?;
        let before = self.snapshot().version_labels();
        self.reload()?;
        if self.snapshot().version_labels() != before {
            self.audit_reload(FOLLOWER_ACTOR)?;
        }
        Ok(())
    }
}

fn follow(app: Weak<App>, mut listener: embargo_store::ChangeListener) {
    loop {
        let changed = match listener.wait(TICK) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "shared list store: lost the listening connection; reconnecting");
                let Some(l) = reconnect(&app) else { return };
                listener = l;
                true
            }
        };
        let Some(app) = app.upgrade() else { return };
        if changed {
            match app.follow_once() {
                Ok(()) => tracing::info!(
                    lists = %app.snapshot().version_labels().join(", "),
                    "shared list store changed: reloaded"
                ),
                Err(e) => {
                    tracing::error!(error = %e, "shared list store changed but the reload failed; the previous lists stay in force")
                }
            }
        }
    }
}

fn reconnect(app: &Weak<App>) -> Option<embargo_store::ChangeListener> {
    let mut pause = Duration::from_millis(200);
    loop {
        let strong = app.upgrade()?;
        match strong.store.listen() {
            Ok(Some(l)) => return Some(l),
            Ok(None) => return None,
            Err(e) => tracing::warn!(error = %e, "shared list store: cannot listen yet"),
        }
        drop(strong);
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_secs(5));
    }
}
