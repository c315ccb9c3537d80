//! Progress reporting. The CLI renders these events with indicatif; tests
//! collect them. Events borrow their strings so reporting costs nothing
//! when nobody listens.

use serde::{Deserialize, Serialize};

/// How a source's fetch ended. Lives here, beside the progress events that
/// report it, so `fetch` depends on `progress` and not the other way round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FetchStatus {
    /// At least one file of the source was downloaded anew.
    Downloaded,
    /// Every file answered 304 Not Modified; the local files are current.
    NotModified,
}
use std::time::Duration;

#[derive(Clone, Debug, PartialEq)]
pub enum Progress<'a> {
    /// A request for `url` got a response; `total` is its Content-Length.
    Started {
        source: &'a str,
        url: &'a str,
        total: Option<u64>,
    },
    /// `done` bytes of the body received so far.
    Bytes {
        source: &'a str,
        url: &'a str,
        done: u64,
        total: Option<u64>,
    },
    /// Attempt `attempt` failed with `error`; the next starts after `wait`.
    Retrying {
        source: &'a str,
        url: &'a str,
        attempt: u32,
        wait: Duration,
        error: &'a str,
    },
    /// `url` is done: downloaded (`bytes` long) or not modified.
    Finished {
        source: &'a str,
        url: &'a str,
        status: FetchStatus,
        bytes: u64,
    },
}

pub trait ProgressSink {
    fn event(&self, event: &Progress<'_>);
}

/// Any closure taking an event is a sink.
impl<F: Fn(&Progress<'_>)> ProgressSink for F {
    fn event(&self, event: &Progress<'_>) {
        self(event)
    }
}

/// Discards all events.
pub struct NoProgress;

impl ProgressSink for NoProgress {
    fn event(&self, _: &Progress<'_>) {}
}
