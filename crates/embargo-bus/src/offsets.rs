//! Which Kafka offsets may be committed: only those whose message and
//! every earlier message of the same partition were handled (audited and
//! answered, or dead-lettered).
//!
//! Kafka acknowledges by committing one offset per partition ("everything
//! before this is done"), not message by message. A consumer that
//! committed the offset of the newest message it *received* would lose the
//! ones still being decided if it died; so the tracker remembers every
//! received offset, marks handled ones, and commits the first offset not
//! yet handled. A message given back for retry stays unhandled, so the
//! partition's commit stops before it and a restart re-reads it (and the
//! handled ones after it, which the request-id table answers from the
//! store without a second audit record).
//!
//! Compiled without the `kafka` feature so the logic is tested on every
//! build; `kafka` drives it from librdkafka.

use std::collections::{BTreeMap, HashMap};

/// Per-partition bookkeeping of received and handled offsets.
#[derive(Default, Debug)]
pub struct OffsetTracker {
    /// (topic, partition) → offset → handled?
    pending: HashMap<(String, i32), BTreeMap<i64, bool>>,
    /// (topic, partition) → the next offset to read once every handled
    /// message so far is committed (the end of the handled prefix).
    ready: HashMap<(String, i32), i64>,
    /// (topic, partition) → the last offset the broker confirmed committed.
    committed: HashMap<(String, i32), i64>,
}

impl OffsetTracker {
    /// A message was received.
    pub fn received(&mut self, topic: &str, partition: i32, offset: i64) {
        self.pending
            .entry((topic.to_string(), partition))
            .or_default()
            .insert(offset, false);
    }

    /// A message was handled: its answer (or dead letter) is durable.
    pub fn handled(&mut self, topic: &str, partition: i32, offset: i64) {
        if let Some(p) = self.pending.get_mut(&(topic.to_string(), partition)) {
            if let Some(done) = p.get_mut(&offset) {
                *done = true;
            }
        }
    }

    /// Forgets a message given back: it stays the partition's first
    /// unhandled offset until it is received and handled again.
    pub fn given_back(&mut self, topic: &str, partition: i32, offset: i64) {
        let _ = (topic, partition, offset); // stays `false` in `pending`
    }

    /// The partition was taken away (a rebalance): everything known about
    /// it is dropped, so no offset of it is committed by this consumer any
    /// more. Its next owner reads from the last committed offset.
    pub fn revoked(&mut self, topic: &str, partition: i32) {
        let key = (topic.to_string(), partition);
        self.pending.remove(&key);
        self.ready.remove(&key);
        self.committed.remove(&key);
    }

    /// The offsets to commit now, `(topic, partition, next offset)`, for
    /// every partition whose handled prefix reaches past its last confirmed
    /// commit; drops the handled prefix from the bookkeeping. Call
    /// [`OffsetTracker::committed`] once the broker confirms them: until
    /// then (a failed commit) they are offered again.
    pub fn to_commit(&mut self) -> Vec<(String, i32, i64)> {
        for (key, offsets) in self.pending.iter_mut() {
            while let Some((&off, &done)) = offsets.iter().next() {
                if !done {
                    break;
                }
                offsets.remove(&off);
                self.ready.insert(key.clone(), off + 1);
            }
        }
        let mut out: Vec<(String, i32, i64)> = self
            .ready
            .iter()
            .filter(|(key, &n)| self.committed.get(*key).is_none_or(|&c| n > c))
            .map(|(key, &n)| (key.0.clone(), key.1, n))
            .collect();
        out.sort();
        out
    }

    /// The broker confirmed these commits.
    pub fn committed(&mut self, done: &[(String, i32, i64)]) {
        for (topic, partition, next) in done {
            let c = self
                .committed
                .entry((topic.clone(), *partition))
                .or_insert(*next);
            *c = (*c).max(*next);
        }
    }

    /// The last confirmed commit of a partition (the next offset a restart
    /// reads).
    pub fn committed_offset(&self, topic: &str, partition: i32) -> Option<i64> {
        self.committed.get(&(topic.to_string(), partition)).copied()
    }

    /// Messages received and not yet handled (all partitions).
    pub fn in_flight(&self) -> usize {
        self.pending
            .values()
            .map(|p| p.values().filter(|d| !**d).count())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake broker's committed offsets, driven like the Kafka consumer:
    /// commit only what the tracker allows, after the audit write.
    #[test]
    fn commits_stop_before_the_first_unhandled_message() {
        let mut t = OffsetTracker::default();
        for off in 10..15 {
            t.received("pay", 0, off);
        }
        t.received("pay", 1, 3);
        // Nothing handled, nothing to commit.
        assert!(t.to_commit().is_empty());
        // Handled out of order: 10 and 12 (11 still being decided).
        t.handled("pay", 0, 12);
        t.handled("pay", 0, 10);
        let c = t.to_commit();
        assert_eq!(c, vec![("pay".into(), 0, 11)]);
        t.committed(&c);
        assert_eq!(t.in_flight(), 4);
        // 11 fails and is given back: the commit stays at 11.
        t.given_back("pay", 0, 11);
        t.handled("pay", 0, 13);
        t.handled("pay", 1, 3);
        let c = t.to_commit();
        assert_eq!(c, vec![("pay".into(), 1, 4)]);
        t.committed(&c);
        // 11 handled on its retry: the commit jumps past 13.
        t.handled("pay", 0, 11);
        let c = t.to_commit();
        assert_eq!(c, vec![("pay".into(), 0, 14)]);
        t.committed(&c);
        t.handled("pay", 0, 14);
        // The broker refuses this commit: it is offered again.
        assert_eq!(t.to_commit(), vec![("pay".into(), 0, 15)]);
        let c = t.to_commit();
        assert_eq!(c, vec![("pay".into(), 0, 15)]);
        t.committed(&c);
        assert!(t.to_commit().is_empty());
        assert_eq!(t.committed_offset("pay", 0), Some(15));
        assert_eq!(t.in_flight(), 0);
    }

    #[test]
    fn a_crash_before_commit_rereads_from_the_committed_offset() {
        // The "broker": a partition log and a committed offset.
        let log: Vec<i64> = (0..6).collect();
        let mut committed = 0i64;
        let mut t = OffsetTracker::default();
        for &o in &log[..4] {
            t.received("pay", 0, o);
        }
        // 0..2 audited, 3 in flight when the process dies.
        for o in 0..3 {
            t.handled("pay", 0, o);
        }
        let c = t.to_commit();
        for (_, _, n) in &c {
            committed = *n;
        }
        t.committed(&c);
        drop(t); // kill -9
                 // The restart reads from the committed offset: 3 is not lost.
        let reread: Vec<i64> = log.iter().copied().filter(|&o| o >= committed).collect();
        assert_eq!(reread, vec![3, 4, 5]);
    }

    #[test]
    fn a_revoked_partition_is_never_committed_by_its_old_owner() {
        let mut t = OffsetTracker::default();
        t.received("pay", 0, 7);
        t.received("pay", 0, 8);
        t.handled("pay", 0, 7);
        t.revoked("pay", 0);
        // A handled message of the old assignment changes nothing.
        t.handled("pay", 0, 8);
        assert!(t.to_commit().is_empty());
        assert_eq!(t.in_flight(), 0);
        assert_eq!(t.committed_offset("pay", 0), None);
    }
}
