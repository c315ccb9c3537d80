//! # embargo-bus
//!
//! Embargo inside a payment flow: `embargo consume` reads screening and
//! decision requests from a message bus, answers each through the workflow
//! layer (`embargo_app::bus`: the same screen and decide acts as the CLI and
//! the HTTP API, the same audit records), publishes the answer and only then
//! acknowledges the request.
//!
//! **What this crate is for:** the transport. [`MessageBus`] is what a
//! broker must offer (receive a bounded batch, publish durably, acknowledge,
//! ask for redelivery); [`consume`] is the loop over it; [`nats`] is the
//! NATS JetStream implementation (durable pull consumer, explicit acks);
//! [`kafka`] is the Kafka one (offsets committed per partition only behind
//! the audit writes, through [`offsets`]; the librdkafka client itself is
//! compiled with the cargo feature `kafka`, see docs/bus.md).
//!
//! **What it is not for:** what a message means, or how it is audited
//! (`embargo_app::bus`), the audit store (`embargo_audit::AuditStore`).
//!
//! Guarantees of the loop (docs/bus.md has the operator's view):
//! - **acknowledge after durable audit:** a batch's answers are committed to
//!   the audit store (one transaction, with their request ids) before any
//!   reply is published, and replies and dead letters are confirmed by the
//!   broker before any request is acknowledged;
//! - **at-least-once, answered once:** a redelivered request (crash, lost
//!   acknowledgement, a second node) gets the stored answer; no second audit
//!   record;
//! - **no poison:** a message that cannot be read or decided goes to the
//!   dead-letter subject with the reason and is acknowledged; one that keeps
//!   failing for our reasons (`max_failures` deliveries) goes there too;
//! - **bounded work:** at most `max_in_flight` messages are held at a time;
//!   the broker keeps the rest;
//! - **graceful stop:** on shutdown the batch in hand is finished (audited,
//!   replied, acknowledged) before [`consume`] returns.

pub mod kafka;
pub mod nats;
pub mod offsets;

use embargo_app::bus::AuditStore;
use embargo_app::bus::{parse_message, BusOutcome, BusRequest, Rejected, BUS_VERSION};
use embargo_app::types::canonical_json;
use embargo_app::App;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Where the answers are audited.
#[derive(Clone)]
pub enum Store {
    /// The data directory's own SQLite audit log.
    Local,
    /// A store shared by several nodes (PostgreSQL).
    Shared(Arc<dyn AuditStore>),
}

/// A transport failure (broker unreachable, publish refused).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BusError(pub String);

impl BusError {
    pub fn new(context: &str, e: impl std::fmt::Display) -> BusError {
        BusError(format!("{context}: {e}"))
    }
}

/// One received message.
pub struct Incoming<T> {
    pub payload: Vec<u8>,
    /// How many times the broker has delivered it (1 = first time).
    pub deliveries: u64,
    /// Where it came from (subject/topic), for dead letters.
    pub source: String,
    /// What `ack`/`retry` need to find it again.
    pub token: T,
    /// Messages with the same order key are answered in the order
    /// received: once one is given back for a retry, the later ones of its
    /// key in the batch are given back with it (Kafka: the partition; NATS:
    /// none).
    pub order_key: Option<String>,
}

/// One message to publish.
#[derive(Clone, Debug, PartialEq)]
pub struct Outgoing {
    pub subject: String,
    /// Partitioning key (Kafka) / informational (NATS): the request id.
    pub key: Option<String>,
    pub payload: Vec<u8>,
}

/// What a broker must offer the consumer loop.
#[allow(async_fn_in_trait)]
pub trait MessageBus {
    type Token: Send + 'static;

    /// Waits for at least one message and returns it with whatever else
    /// is ready, at most `max` (never waits to fill a batch).
    async fn receive(&mut self, max: usize) -> Result<Vec<Incoming<Self::Token>>, BusError>;

    /// Publishes every message; returns once the broker holds them all.
    async fn publish(&mut self, msgs: Vec<Outgoing>) -> Result<(), BusError>;

    /// Acknowledges handled messages (they will not come again).
    async fn ack(&mut self, tokens: Vec<Self::Token>) -> Result<(), BusError>;

    /// Gives messages back for a later redelivery (their batch failed).
    async fn retry(&mut self, tokens: Vec<Self::Token>) -> Result<(), BusError>;
}

/// Settings of the consumer loop.
#[derive(Clone, Debug)]
pub struct ConsumeOptions {
    /// Actor named in the audit records.
    pub actor: String,
    /// Where replies go when a request names no `reply_to`.
    pub reply_subject: String,
    /// Where unreadable and undecidable messages go.
    pub dead_letter_subject: String,
    /// Most messages held at once (one batch).
    pub max_in_flight: usize,
    /// Deliveries after which a message failing for an internal reason is
    /// dead-lettered instead of retried again.
    pub max_failures: u64,
}

impl Default for ConsumeOptions {
    fn default() -> Self {
        ConsumeOptions {
            actor: "bus".into(),
            reply_subject: "embargo.replies".into(),
            dead_letter_subject: "embargo.dead".into(),
            max_in_flight: 256,
            max_failures: 5,
        }
    }
}

/// Counts kept by [`consume`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConsumeStats {
    pub batches: u64,
    /// Answers written and replied.
    pub answered: u64,
    /// Redeliveries answered from the store.
    pub replayed: u64,
    pub dead_letters: u64,
    /// Messages given back after a failed batch.
    pub retried: u64,
}

/// A dead-letter message: the reason, the request id when known, where
/// it came from, and the payload as received (UTF-8, invalid bytes
/// replaced).
pub fn dead_letter(rejected: &Rejected, source: &str, deliveries: u64, payload: &[u8]) -> Vec<u8> {
    canonical_json(&json!({
        "version": BUS_VERSION,
        "request_id": rejected.request_id,
        "status": "rejected",
        "error": rejected.error,
        "source": source,
        "deliveries": deliveries,
        "payload": String::from_utf8_lossy(payload),
    }))
    .into_bytes()
}

/// Runs until `shutdown` turns true (finishing the batch in hand) or the
/// broker fails.
pub async fn consume<B: MessageBus>(
    bus: &mut B,
    app: Arc<App>,
    store: Store,
    opts: &ConsumeOptions,
    mut shutdown: watch::Receiver<bool>,
) -> Result<ConsumeStats, BusError> {
    let mut stats = ConsumeStats::default();
    let max = opts.max_in_flight.max(1);
    loop {
        if *shutdown.borrow() {
            break;
        }
        let batch = tokio::select! {
            biased;
            _ = shutdown.changed() => break,
            r = bus.receive(max) => r?,
        };
        if batch.is_empty() {
            continue;
        }
        handle_batch(bus, &app, &store, opts, batch, &mut stats).await?;
    }
    Ok(stats)
}

/// Answers, publishes and acknowledges one batch.
async fn handle_batch<B: MessageBus>(
    bus: &mut B,
    app: &Arc<App>,
    store: &Store,
    opts: &ConsumeOptions,
    batch: Vec<Incoming<B::Token>>,
    stats: &mut ConsumeStats,
) -> Result<(), BusError> {
    stats.batches += 1;
    let mut readable: Vec<(usize, BusRequest)> = Vec::new();
    let mut out: Vec<Outgoing> = Vec::new();
    for (i, m) in batch.iter().enumerate() {
        match parse_message(&m.payload) {
            Ok(r) => readable.push((i, r)),
            Err(rej) => {
                stats.dead_letters += 1;
                out.push(Outgoing {
                    subject: opts.dead_letter_subject.clone(),
                    key: rej.request_id.clone(),
                    payload: dead_letter(&rej, &m.source, m.deliveries, &m.payload),
                });
            }
        }
    }
    let mut give_back: Vec<usize> = Vec::new();
    let answered = answer(app, store, &opts.actor, readable.clone()).await;
    let outcomes: Vec<(usize, BusOutcome)> = match answered {
        Ok(o) => readable.iter().map(|(i, _)| *i).zip(o).collect(),
        Err(e) => {
            // Isolate: one message at a time, so one that makes the
            // engine fail cannot hold back the others forever.
            tracing::warn!(
                "batch of {} failed, retrying one by one: {e}",
                readable.len()
            );
            let mut o = Vec::new();
            // Order keys with a message given back: their later messages
            // wait for it (per-key order).
            let mut held: Vec<&str> = Vec::new();
            for (i, req) in readable {
                let key = batch[i].order_key.as_deref();
                if key.is_some_and(|k| held.contains(&k)) {
                    give_back.push(i);
                    continue;
                }
                match answer(app, store, &opts.actor, vec![(i, req.clone())]).await {
                    Ok(mut one) if one.len() == 1 => o.push((i, one.remove(0))),
                    Err(e) if batch[i].deliveries >= opts.max_failures => o.push((
                        i,
                        BusOutcome::DeadLetter(Rejected {
                            request_id: Some(req.request_id.clone()),
                            error: format!(
                                "not answered after {} deliveries: {e}",
                                batch[i].deliveries
                            ),
                        }),
                    )),
                    Ok(_) | Err(_) => {
                        give_back.push(i);
                        held.extend(key);
                    }
                }
            }
            o
        }
    };
    for (i, o) in outcomes {
        match o {
            BusOutcome::Reply {
                request_id,
                reply_to,
                reply,
                replayed,
                ..
            } => {
                if replayed {
                    stats.replayed += 1;
                } else {
                    stats.answered += 1;
                }
                out.push(Outgoing {
                    subject: reply_to.unwrap_or_else(|| opts.reply_subject.clone()),
                    key: Some(request_id),
                    payload: canonical_json(&reply).into_bytes(),
                });
            }
            BusOutcome::DeadLetter(rej) => {
                stats.dead_letters += 1;
                out.push(Outgoing {
                    subject: opts.dead_letter_subject.clone(),
                    key: rej.request_id.clone(),
                    payload: dead_letter(
                        &rej,
                        &batch[i].source,
                        batch[i].deliveries,
                        &batch[i].payload,
                    ),
                });
            }
        }
    }
    let mut acks = Vec::with_capacity(batch.len());
    let mut retries = Vec::new();
    for (i, m) in batch.into_iter().enumerate() {
        if give_back.contains(&i) {
            retries.push(m.token);
        } else {
            acks.push(m.token);
        }
    }
    // Replies and dead letters first: a request is acknowledged only once
    // the broker holds its answer.
    if let Err(e) = bus.publish(out).await {
        tracing::warn!("publishing answers failed, giving the batch back: {e}");
        stats.retried += (acks.len() + retries.len()) as u64;
        acks.extend(retries);
        bus.retry(acks).await?;
        return Ok(());
    }
    stats.retried += retries.len() as u64;
    if !retries.is_empty() {
        bus.retry(retries).await?;
    }
    bus.ack(acks).await
}

/// Runs the workflow layer's batch on a blocking thread (it audits
/// synchronously and uses every core).
async fn answer(
    app: &Arc<App>,
    store: &Store,
    actor: &str,
    reqs: Vec<(usize, BusRequest)>,
) -> Result<Vec<BusOutcome>, String> {
    let app = app.clone();
    let store = store.clone();
    let actor = actor.to_string();
    let reqs: Vec<BusRequest> = reqs.into_iter().map(|(_, r)| r).collect();
    tokio::task::spawn_blocking(move || match &store {
        Store::Local => app.answer_bus_batch(&app.audit, &actor, reqs),
        Store::Shared(s) => app.answer_bus_batch(&**s, &actor, reqs),
    })
    .await
    .map_err(|e| format!("answering panicked: {e}"))?
    .map_err(|e| e.to_string())
}

/// Waits for the retry delay a failed broker call deserves.
pub async fn backoff(attempt: u32) {
    let ms = 100u64.saturating_mul(1 << attempt.min(6));
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

#[cfg(test)]
mod tests;
