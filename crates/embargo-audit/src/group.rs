//! Group commit for `AuditLog::append`: concurrent appends share one
//! durable transaction, without weakening durability.
//!
//! Why: a durable commit costs one fsync (~0.25 ms here), far more than
//! building a record, so one commit per screen caps the server at a few
//! thousand screens per second and makes them queue behind each other.
//!
//! Design (leader/follower, as in RocksDB's write group):
//!
//! - `GroupQueue` holds the waiting requests (`NewRecord` + `Slot`) and
//!   whether a leader is active. A `Slot` is one caller's completion
//!   signal: `Waiting`, then either `Done(result)` or `Lead` ("your turn
//!   to write"), with a condvar the caller sleeps on.
//! - A caller queues its request. If no leader is active it becomes the
//!   leader at once; otherwise it sleeps on its own slot.
//! - The leader takes the connection lock, *then* drains the queue (its own
//!   request plus everything that arrived while the previous group was
//!   committing or while it waited for the lock), writes the records in
//!   queue order in one `BEGIN IMMEDIATE` transaction and commits (one
//!   fsync). Only after `COMMIT` returns does it fill every drained slot
//!   with that caller's record, so no caller returns before its record is
//!   durable.
//! - It then hands leadership to the oldest queued request (sets its slot
//!   to `Lead`) or, if the queue is empty, clears the leader flag. Exactly
//!   one leader exists at a time, so the queue is drained by one thread and
//!   chain order = queue order within a group = commit order overall
//!   (each record's `prev_hash` is still read inside the transaction, so
//!   other processes appending to the same file cannot fork the chain).
//! - Failure: if anything in the group fails (SQLite error, commit/fsync
//!   failure) the transaction rolls back and every caller in the group gets
//!   an error (`group_error` copies it, since `AuditError` is not `Clone`);
//!   nothing partial is committed. A record invalid on its own (no actor)
//!   is refused before it is queued, so it cannot fail others. If the
//!   leader panics, `Leader`'s `Drop` fails its group and still hands on
//!   leadership, so nobody waits forever.
//! - Size: each blocked caller has at most one request queued, so a group
//!   is bounded by the number of concurrent callers (the server's blocking
//!   threads); no cap is needed. A lone caller pays no waiting: it leads a
//!   group of one immediately.

use crate::error::AuditError;
use crate::record::{AuditRecord, NewRecord};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

pub(crate) type Outcome = Result<AuditRecord, AuditError>;

enum SlotState {
    Waiting,
    Lead,
    Done(Outcome),
}

/// One caller's completion signal.
pub(crate) struct Slot {
    state: Mutex<SlotState>,
    cv: Condvar,
}

impl Slot {
    fn set(&self, s: SlotState) {
        *self.state.lock().unwrap_or_else(|p| p.into_inner()) = s;
        self.cv.notify_one();
    }

    /// Sleeps until a leader committed this request (`Some(result)`) or
    /// handed over leadership (`None`: the caller must lead now).
    pub(crate) fn wait(&self) -> Option<Outcome> {
        let mut g = self.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            match std::mem::replace(&mut *g, SlotState::Waiting) {
                SlotState::Waiting => g = self.cv.wait(g).unwrap_or_else(|p| p.into_inner()),
                SlotState::Lead => return None,
                SlotState::Done(r) => return Some(r),
            }
        }
    }
}

#[derive(Default)]
struct Queue {
    reqs: Vec<(NewRecord, Arc<Slot>)>,
    leader: bool,
}

/// The requests waiting for the next group commit.
#[derive(Default)]
pub(crate) struct GroupQueue {
    q: Mutex<Queue>,
}

impl GroupQueue {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // Pushing, draining or flipping a flag cannot leave it half-changed.
        self.q.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a request; `true` if the caller is the leader now.
    pub(crate) fn enqueue(&self, rec: NewRecord) -> (Arc<Slot>, bool) {
        let slot = Arc::new(Slot {
            state: Mutex::new(SlotState::Waiting),
            cv: Condvar::new(),
        });
        let mut q = self.lock();
        q.reqs.push((rec, Arc::clone(&slot)));
        let lead = !q.leader;
        q.leader = true;
        (slot, lead)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().reqs.len()
    }

    /// Drains the queue for the leader (call with the connection locked).
    pub(crate) fn lead<'a>(&'a self, path: &'a Path) -> (Vec<NewRecord>, Leader<'a>) {
        let (recs, slots) = std::mem::take(&mut self.lock().reqs).into_iter().unzip();
        (
            recs,
            Leader {
                queue: self,
                slots,
                path,
            },
        )
    }
}

/// The leader's drained group. Dropping it (normally after `finish`, or on
/// a panic) fails any unanswered caller and hands leadership on.
pub(crate) struct Leader<'a> {
    queue: &'a GroupQueue,
    slots: Vec<Arc<Slot>>,
    path: &'a Path,
}

impl Leader<'_> {
    /// Answers every caller in the group with its record, or all with the
    /// group's error, and returns the leader's own answer.
    pub(crate) fn finish(
        mut self,
        result: Result<Vec<AuditRecord>, AuditError>,
        mine: &Arc<Slot>,
    ) -> Outcome {
        let slots = std::mem::take(&mut self.slots);
        let outcomes: Vec<Outcome> = match result {
            Ok(recs) if recs.len() == slots.len() => recs.into_iter().map(Ok).collect(),
            Ok(_) => slots
                .iter()
                .map(|_| Err(aborted(self.path, "record count mismatch in group")))
                .collect(),
            Err(e) => slots.iter().map(|_| Err(group_error(&e))).collect(),
        };
        let mut own = None;
        for (slot, outcome) in slots.iter().zip(outcomes) {
            if Arc::ptr_eq(slot, mine) {
                own = Some(outcome);
            } else {
                slot.set(SlotState::Done(outcome));
            }
        }
        // Unreachable by the invariant that only the leader drains the queue
        // and its own request was queued before it led.
        own.unwrap_or_else(|| {
            Err(aborted(
                self.path,
                "leader's own record missing from its group",
            ))
        })
    }
}

impl Drop for Leader<'_> {
    fn drop(&mut self) {
        for slot in self.slots.drain(..) {
            slot.set(SlotState::Done(Err(aborted(
                self.path,
                "append not committed: the thread writing its group panicked",
            ))));
        }
        let mut q = self.queue.lock();
        match q.reqs.first() {
            Some((_, next)) => next.set(SlotState::Lead),
            None => q.leader = false,
        }
    }
}

fn aborted(path: &Path, why: &str) -> AuditError {
    AuditError::Sqlite {
        path: path.to_path_buf(),
        source: rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
            Some(why.into()),
        ),
    }
}

/// The error each caller of a failed group receives. `AuditError` is not
/// `Clone` (it wraps `rusqlite::Error` and `io::Error`), so variants are
/// copied field by field; a SQLite error that cannot be copied becomes a
/// SQLite "aborted" error carrying the original message.
fn group_error(e: &AuditError) -> AuditError {
    match e {
        AuditError::Sqlite { path, source } => AuditError::Sqlite {
            path: path.clone(),
            source: match source {
                rusqlite::Error::SqliteFailure(code, msg) => {
                    rusqlite::Error::SqliteFailure(*code, msg.clone())
                }
                other => rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
                    Some(format!("group commit rolled back: {other}")),
                ),
            },
        },
        AuditError::Io { path, source } => AuditError::Io {
            path: path.clone(),
            source: std::io::Error::new(source.kind(), source.to_string()),
        },
        AuditError::Export(source) => {
            AuditError::Export(std::io::Error::new(source.kind(), source.to_string()))
        }
        AuditError::ExportInput { line, reason } => AuditError::ExportInput {
            line: *line,
            reason: reason.clone(),
        },
        AuditError::Invalid { field, reason } => AuditError::Invalid {
            field,
            reason: reason.clone(),
        },
        AuditError::Corrupt {
            path,
            table,
            row,
            field,
            reason,
        } => AuditError::Corrupt {
            path: path.clone(),
            table,
            row: *row,
            field,
            reason: reason.clone(),
        },
        AuditError::DuplicateKeyName(n) => AuditError::DuplicateKeyName(n.clone()),
        AuditError::NewerFormat {
            path,
            found,
            supported,
        } => AuditError::NewerFormat {
            path: path.clone(),
            found: *found,
            supported: *supported,
        },
        AuditError::Random(m) => AuditError::Random(m.clone()),
        AuditError::Postgres { url, reason } => AuditError::Postgres {
            url: url.clone(),
            reason: reason.clone(),
        },
        AuditError::Key { path, reason } => AuditError::Key {
            path: path.clone(),
            reason: reason.clone(),
        },
    }
}
