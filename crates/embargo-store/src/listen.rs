//! Other nodes' changes to a shared (PostgreSQL) list store, as they
//! commit: every write transaction of [`crate::Store`] sends
//! `NOTIFY embargo_lists` ([`crate::CHANNEL`]), which PostgreSQL delivers
//! only once the transaction committed. A node holds one
//! [`ChangeListener`] (its own connection) and reloads its snapshot when
//! [`ChangeListener::wait`] says something changed.

use crate::db::{pg_reason, redact, CHANNEL};
use crate::error::StoreError;
use std::time::Duration;

/// A connection listening on [`CHANNEL`].
pub struct ChangeListener {
    client: postgres::Client,
    url: String,
}

impl ChangeListener {
    /// Opens a connection to `url` and starts listening. Changes committed
    /// before this returns are not reported: read the store after it.
    pub fn connect(url: &str) -> Result<ChangeListener, StoreError> {
        let shown = redact(url);
        let err = |e: postgres::Error| StoreError::OpenShared {
            url: shown.clone(),
            reason: pg_reason(&e),
        };
        let mut client = postgres::Client::connect(url, postgres::NoTls).map_err(err)?;
        client
            .batch_execute(&format!("LISTEN {CHANNEL}"))
            .map_err(err)?;
        Ok(ChangeListener { client, url: shown })
    }

    /// Waits up to `timeout` for a change; `Ok(true)` when one (or more:
    /// every pending notice is taken) arrived. An error means the
    /// connection is gone: the caller reconnects and reloads, since
    /// notices sent meanwhile are lost.
    pub fn wait(&mut self, timeout: Duration) -> Result<bool, StoreError> {
        let err = |e: postgres::Error| StoreError::Postgres {
            context: format!("listening for list changes on {}", self.url),
            reason: pg_reason(&e),
        };
        let mut n = self.client.notifications();
        let mut it = n.timeout_iter(timeout);
        let mut changed = match postgres::fallible_iterator::FallibleIterator::next(&mut it) {
            Ok(Some(_)) => true,
            Ok(None) => false,
            Err(e) => return Err(err(e)),
        };
        drop(it);
        // Take whatever else is already queued, so a burst is one reload.
        let mut pending = n.iter();
        while let Some(_m) =
            postgres::fallible_iterator::FallibleIterator::next(&mut pending).map_err(err)?
        {
            changed = true;
        }
        Ok(changed)
    }
}
