//! Kafka: requests from one or more topics through a consumer group, with
//! offsets committed by Embargo — per partition, only up to the first
//! message not yet handled, and only after the batch's audit records are
//! durable and its replies and dead letters are on the brokers.
//!
//! Split in two so the part that carries the guarantees is tested on every
//! build, without a broker:
//! - this module: the settings (`kafka://` URL → librdkafka properties,
//!   [`KafkaConfig`]), and [`KafkaBus`], the [`MessageBus`] over any
//!   [`KafkaIo`]: received messages → requests, per-partition offset
//!   bookkeeping ([`OffsetTracker`]), retries by seeking back, partitions
//!   taken away by a rebalance, replies that cannot be delivered sent to the
//!   dead-letter topic;
//! - [`client`] (cargo feature `kafka`): [`KafkaIo`] over librdkafka
//!   (`rdkafka`, librdkafka built from source and linked statically).
//!
//! Guarantees beyond those of [`crate::consume`] (docs/bus.md, "Kafka"):
//! - **offsets after the audit write:** a partition's offset moves past a
//!   message only once it and every earlier message of the partition were
//!   answered (audited, replied) or dead-lettered, and the producer's
//!   `acks=all` confirmation for those replies is in;
//! - **per-partition (so per-key) order:** a partition's messages are
//!   answered in offset order; when one must be retried, the later ones of
//!   its partition in the batch are given back with it and the partition is
//!   read again from it (they are answered after it; those already
//!   answered are answered again from the store);
//! - **rebalance:** a partition taken away is forgotten at once (nothing of
//!   it is committed by this consumer any more); its new owner starts at
//!   the last committed offset, and the request-id table answers anything
//!   this consumer had already answered from the store.

use crate::offsets::OffsetTracker;
use crate::{backoff, BusError, Incoming, MessageBus, Outgoing};
use embargo_app::bus::BUS_VERSION;
use embargo_app::types::canonical_json;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

#[cfg(feature = "kafka")]
pub mod client;

/// The request topic when the URL names none.
pub const DEFAULT_TOPIC: &str = "embargo.requests";
/// The consumer group when the URL names none.
pub const DEFAULT_GROUP: &str = "embargo";

/// Properties Embargo sets itself because the guarantees rest on them: a
/// URL naming one of them is refused. (name, value, why)
pub const PINNED_CONSUMER: &[(&str, &str, &str)] = &[
    (
        "enable.auto.commit",
        "false",
        "offsets are committed only after the audit write",
    ),
    (
        "enable.auto.offset.store",
        "false",
        "offsets are committed only after the audit write",
    ),
    (
        "isolation.level",
        "read_committed",
        "a message of an aborted producer transaction is never decided",
    ),
];

/// Producer properties Embargo sets itself (replies and dead letters).
pub const PINNED_PRODUCER: &[(&str, &str, &str)] = &[
    (
        "enable.idempotence",
        "true",
        "a reply retried by the producer is written once and in order",
    ),
    (
        "acks",
        "all",
        "a request's offset moves only once its reply is on every in-sync replica",
    ),
];

/// Where the consumer connects and what it reads, from a `kafka://` URL:
///
/// `kafka://[user:password@]host:port[,host:port…][?topic=a,b&group=g&name.of.librdkafka.property=value…]`
///
/// - `topic`: the request topics, comma-separated (default
///   `embargo.requests`);
/// - `group`: the consumer group (default `embargo`); nodes in one group
///   share the partitions;
/// - `user:password@`: SASL credentials (`sasl.username`,
///   `sasl.password`); they need `sasl.mechanisms` (`PLAIN`,
///   `SCRAM-SHA-256`, `SCRAM-SHA-512`) and default `security.protocol` to
///   `sasl_ssl`;
/// - any other key with a dot is a librdkafka property, given to the
///   consumer and the producer alike (`security.protocol=ssl`,
///   `ssl.ca.location=…`, `auto.offset.reset=latest`,
///   `message.timeout.ms=…`), except the ones Embargo pins
///   ([`PINNED_CONSUMER`], [`PINNED_PRODUCER`], `bootstrap.servers`,
///   `group.id`).
///
/// Values are percent-decoded (`%2C` for a comma in a value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KafkaConfig {
    /// `host:port` of each bootstrap broker.
    pub brokers: Vec<String>,
    pub topics: Vec<String>,
    pub group: String,
    /// librdkafka properties from the URL, in URL order (credentials
    /// included).
    pub properties: Vec<(String, String)>,
}

/// A `kafka://` URL that cannot be used, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Kafka URL: {0}")]
pub struct ConfigError(pub String);

fn bad(msg: impl Into<String>) -> ConfigError {
    ConfigError(msg.into())
}

/// Decodes `%XX` escapes (and nothing else: `+` stays `+`).
fn percent_decode(s: &str, what: &str) -> Result<String, ConfigError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| bad(format!("{what}: bad %-escape in {s:?}")))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad(format!("{what}: not UTF-8 once decoded")))
}

/// Whether `name` is a legal Kafka topic name (1–249 characters of
/// `[A-Za-z0-9._-]`, not `.` or `..`).
pub fn valid_topic(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 249
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'))
}

fn valid_broker(b: &str) -> bool {
    let Some((host, port)) = b.rsplit_once(':') else {
        return false;
    };
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    !host.is_empty()
        && host
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b':' | b'_'))
        && port.parse::<u16>().is_ok_and(|p| p > 0)
}

impl KafkaConfig {
    /// Reads a `kafka://` URL (see the type's doc); every error names the
    /// part of the URL that is wrong.
    pub fn from_url(url: &str) -> Result<KafkaConfig, ConfigError> {
        let rest = url
            .strip_prefix("kafka://")
            .ok_or_else(|| bad("must start with kafka:// (kafka://host:port?topic=…)"))?;
        let (authority, query) = match rest.split_once('?') {
            Some((a, q)) => (a, q),
            None => (rest, ""),
        };
        let authority = authority.strip_suffix('/').unwrap_or(authority);
        if authority.contains('/') {
            return Err(bad(
                "no path after the brokers: name topics with ?topic=a,b",
            ));
        }
        let (userinfo, hosts) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let brokers: Vec<String> = hosts.split(',').map(|h| h.trim().to_string()).collect();
        if hosts.is_empty() {
            return Err(bad("no broker: kafka://host:port"));
        }
        for b in &brokers {
            if !valid_broker(b) {
                return Err(bad(format!(
                    "broker {b:?} is not host:port (a port from 1 to 65535)"
                )));
            }
        }
        let mut cfg = KafkaConfig {
            brokers,
            topics: vec![DEFAULT_TOPIC.to_string()],
            group: DEFAULT_GROUP.to_string(),
            properties: Vec::new(),
        };
        let mut seen: Vec<String> = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair
                .split_once('=')
                .ok_or_else(|| bad(format!("{pair:?} is not key=value")))?;
            let key = percent_decode(k, "a key")?;
            let value = percent_decode(v, &format!("`{key}`"))?;
            if seen.contains(&key) {
                return Err(bad(format!("`{key}` is given twice")));
            }
            seen.push(key.clone());
            match key.as_str() {
                "topic" => {
                    let topics: Vec<String> =
                        value.split(',').map(|t| t.trim().to_string()).collect();
                    if let Some(t) = topics.iter().find(|t| !valid_topic(t)) {
                        return Err(bad(format!(
                            "`topic`: {t:?} is not a Kafka topic name ([A-Za-z0-9._-], at most 249)"
                        )));
                    }
                    cfg.topics = topics;
                }
                "group" => {
                    if value.trim().is_empty() {
                        return Err(bad("`group` is empty"));
                    }
                    cfg.group = value;
                }
                "bootstrap.servers" => {
                    return Err(bad(
                        "`bootstrap.servers`: name the brokers as kafka://host:port,host:port",
                    ))
                }
                "group.id" => return Err(bad("`group.id`: use group=NAME")),
                k if PINNED_CONSUMER
                    .iter()
                    .chain(PINNED_PRODUCER)
                    .any(|(name, ..)| *name == k) =>
                {
                    let (name, val, why) = PINNED_CONSUMER
                        .iter()
                        .chain(PINNED_PRODUCER)
                        .find(|(name, ..)| *name == k)
                        .expect("matched above");
                    return Err(bad(format!("`{name}` is fixed by Embargo ({val}): {why}")));
                }
                k if k.contains('.')
                    && k.bytes().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'.' | b'_')
                    }) =>
                {
                    cfg.properties.push((key, value));
                }
                _ => {
                    return Err(bad(format!(
                        "unknown key `{key}` (topic, group, or a librdkafka property such as security.protocol)"
                    )))
                }
            }
        }
        if let Some(u) = userinfo {
            let (user, pass) = u
                .split_once(':')
                .ok_or_else(|| bad("credentials must be user:password@"))?;
            for name in ["sasl.username", "sasl.password"] {
                if cfg.property(name).is_some() {
                    return Err(bad(format!(
                        "`{name}` is given twice (in the URL's user:password@ and as a key)"
                    )));
                }
            }
            if cfg.property("sasl.mechanisms").is_none() && cfg.property("sasl.mechanism").is_none()
            {
                return Err(bad(
                    "credentials need sasl.mechanisms=PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
                ));
            }
            if cfg.property("security.protocol").is_none() {
                cfg.properties
                    .push(("security.protocol".into(), "sasl_ssl".into()));
            }
            cfg.properties
                .push(("sasl.username".into(), percent_decode(user, "the user")?));
            cfg.properties.push((
                "sasl.password".into(),
                percent_decode(pass, "the password")?,
            ));
        }
        Ok(cfg)
    }

    /// A property named in the URL.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The URL without credentials, for logs and banners.
    pub fn redacted(&self) -> String {
        format!("kafka://{}", self.brokers.join(","))
    }

    /// The consumer's librdkafka properties: Embargo's defaults, then the
    /// URL's, then the pinned ones. `max_in_flight` bounds what librdkafka
    /// prefetches per partition.
    pub fn consumer_properties(&self, max_in_flight: usize) -> Vec<(String, String)> {
        let defaults = [
            ("client.id", "embargo-consume".to_string()),
            // A new group starts at the oldest request kept, never skipping
            // requests published before it first ran.
            ("auto.offset.reset", "earliest".to_string()),
            ("enable.partition.eof", "false".to_string()),
            (
                "queued.min.messages",
                (max_in_flight.max(1) * 4).max(64).to_string(),
            ),
            ("queued.max.messages.kbytes", "16384".to_string()),
        ];
        let fixed = [
            ("bootstrap.servers", self.brokers.join(",")),
            ("group.id", self.group.clone()),
        ];
        merge(&defaults, &self.properties, &fixed, PINNED_CONSUMER)
    }

    /// The producer's (replies and dead letters) librdkafka properties.
    pub fn producer_properties(&self) -> Vec<(String, String)> {
        let defaults = [
            ("client.id", "embargo-consume".to_string()),
            ("linger.ms", "2".to_string()),
            // A reply the brokers cannot take within this time fails the
            // batch (given back, read again) instead of waiting forever.
            ("message.timeout.ms", "30000".to_string()),
            // A reply_to naming a topic that does not exist is known
            // within this time (the reply then goes to the dead letters).
            ("topic.metadata.propagation.max.ms", "10000".to_string()),
        ];
        let fixed = [("bootstrap.servers", self.brokers.join(","))];
        // Consumer-only properties of the URL would draw librdkafka
        // warnings on the producer; they are not given to it.
        let props: Vec<(String, String)> = self
            .properties
            .iter()
            .filter(|(k, _)| !CONSUMER_ONLY.contains(&k.as_str()))
            .cloned()
            .collect();
        merge(&defaults, &props, &fixed, PINNED_PRODUCER)
    }
}

/// Consumer properties a URL may name that the producer does not take.
const CONSUMER_ONLY: &[&str] = &[
    "auto.offset.reset",
    "enable.partition.eof",
    "queued.min.messages",
    "queued.max.messages.kbytes",
    "fetch.max.bytes",
    "fetch.min.bytes",
    "fetch.wait.max.ms",
    "fetch.message.max.bytes",
    "max.partition.fetch.bytes",
    "max.poll.interval.ms",
    "session.timeout.ms",
    "heartbeat.interval.ms",
    "partition.assignment.strategy",
    "group.instance.id",
    "group.protocol",
    "group.remote.assignor",
    "auto.commit.interval.ms",
    "check.crcs",
];

fn merge(
    defaults: &[(&str, String)],
    url: &[(String, String)],
    fixed: &[(&str, String)],
    pinned: &[(&str, &str, &str)],
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut set = |k: &str, v: &str| {
        if let Some(slot) = out.iter_mut().find(|(n, _)| n == k) {
            slot.1 = v.to_string();
        } else {
            out.push((k.to_string(), v.to_string()));
        }
    };
    for (k, v) in defaults {
        set(k, v);
    }
    for (k, v) in url {
        set(k, v);
    }
    for (k, v) in fixed {
        set(k, v);
    }
    for (k, v, _) in pinned {
        set(k, v);
    }
    out
}

/// One message as read from a partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub key: Option<Vec<u8>>,
    /// `None` for a tombstone (no value): a dead letter.
    pub payload: Option<Vec<u8>>,
}

/// Why a message could not be produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProduceFailure {
    /// Will fail again however often it is tried (the topic does not exist
    /// or may not be written, the message is too large).
    Permanent(String),
    /// May succeed later (brokers unreachable, timed out).
    Transient(String),
}

/// What [`KafkaBus`] needs from a Kafka client: the seam between the
/// guarantees (tested with an in-memory log) and librdkafka ([`client`]).
#[allow(async_fn_in_trait)]
pub trait KafkaIo {
    /// Waits for the next message of the assigned partitions. Transient
    /// broker trouble is waited out here; `Err` is fatal.
    async fn next(&mut self) -> Result<Record, BusError>;
    /// The next message if one is ready now.
    fn ready(&mut self) -> Option<Record>;
    /// Produces every message and waits for each one's outcome (in order).
    async fn produce(&mut self, msgs: &[Outgoing]) -> Vec<Result<(), ProduceFailure>>;
    /// Commits `(topic, partition, next offset to read)` and waits for the
    /// broker's confirmation.
    async fn commit(&mut self, offsets: &[(String, i32, i64)]) -> Result<(), BusError>;
    /// Reads the partition again from `offset`.
    async fn seek(&mut self, topic: &str, partition: i32, offset: i64) -> Result<(), BusError>;
    /// Partitions taken away by rebalances since the last call.
    fn take_revoked(&mut self) -> Vec<(String, i32)>;
    /// Flushes the producer and leaves the group.
    async fn close(&mut self) -> Result<(), BusError>;
}

/// What `ack`/`retry` need to find a message again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KafkaToken {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    /// The partition's assignment it was read in (a token of an earlier
    /// assignment is ignored: the partition was taken away meanwhile).
    epoch: u64,
}

/// The source named in a dead letter: `topic[partition]@offset`.
pub fn source_label(topic: &str, partition: i32, offset: i64) -> String {
    format!("{topic}[{partition}]@{offset}")
}

/// The dead letter for a reply that could not be delivered to its
/// `reply_to`: the request was answered and audited; the answer is kept
/// here.
pub fn undeliverable(reply: &Outgoing, error: &str) -> Vec<u8> {
    let body: Value = serde_json::from_slice(&reply.payload)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&reply.payload).into_owned()));
    canonical_json(&json!({
        "version": BUS_VERSION,
        "request_id": reply.key,
        "status": "undeliverable",
        "error": error,
        "reply_to": reply.subject,
        "reply": body,
    }))
    .into_bytes()
}

/// The [`MessageBus`] over a Kafka client.
pub struct KafkaBus<I: KafkaIo> {
    io: I,
    tracker: OffsetTracker,
    /// (topic, partition) → its current assignment's number.
    epochs: HashMap<(String, i32), u64>,
    /// (topic, partition, offset) → times given back by this process.
    given_back: HashMap<(String, i32, i64), u64>,
    dead_letter_topic: String,
    /// Batches in a row that gave something back (the retry delay grows).
    failures_in_a_row: u32,
    retried_this_batch: bool,
}

impl<I: KafkaIo> KafkaBus<I> {
    /// Dead letters (and replies that cannot be delivered) go to
    /// `dead_letter_topic`.
    pub fn new(io: I, dead_letter_topic: &str) -> KafkaBus<I> {
        KafkaBus {
            io,
            tracker: OffsetTracker::default(),
            epochs: HashMap::new(),
            given_back: HashMap::new(),
            dead_letter_topic: dead_letter_topic.to_string(),
            failures_in_a_row: 0,
            retried_this_batch: false,
        }
    }

    /// The client, for tests and shutdown.
    pub fn io(&mut self) -> &mut I {
        &mut self.io
    }

    /// The last offset committed for a partition (confirmed by the broker).
    pub fn committed_offset(&self, topic: &str, partition: i32) -> Option<i64> {
        self.tracker.committed_offset(topic, partition)
    }

    /// Messages received and not handled yet.
    pub fn in_flight(&self) -> usize {
        self.tracker.in_flight()
    }

    /// Graceful stop after [`crate::consume`] returned: flushes the
    /// producer and leaves the group (its partitions go to the other nodes
    /// at once, from the offsets committed).
    pub async fn close(mut self) -> Result<(), BusError> {
        self.io.close().await
    }

    fn apply_revocations(&mut self) {
        for (topic, partition) in self.io.take_revoked() {
            tracing::info!("partition {topic}[{partition}] taken away by a rebalance");
            self.tracker.revoked(&topic, partition);
            *self.epochs.entry((topic.clone(), partition)).or_default() += 1;
            self.given_back
                .retain(|(t, p, _), _| !(t == &topic && *p == partition));
        }
    }

    fn incoming(&mut self, r: Record) -> Incoming<KafkaToken> {
        self.tracker.received(&r.topic, r.partition, r.offset);
        let epoch = *self
            .epochs
            .entry((r.topic.clone(), r.partition))
            .or_default();
        let deliveries = 1 + self
            .given_back
            .get(&(r.topic.clone(), r.partition, r.offset))
            .copied()
            .unwrap_or(0);
        Incoming {
            payload: r.payload.unwrap_or_default(),
            deliveries,
            source: source_label(&r.topic, r.partition, r.offset),
            order_key: Some(format!("{}[{}]", r.topic, r.partition)),
            token: KafkaToken {
                topic: r.topic,
                partition: r.partition,
                offset: r.offset,
                epoch,
            },
        }
    }

    fn current(&self, t: &KafkaToken) -> bool {
        self.epochs
            .get(&(t.topic.clone(), t.partition))
            .copied()
            .unwrap_or(0)
            == t.epoch
    }
}

impl<I: KafkaIo> MessageBus for KafkaBus<I> {
    type Token = KafkaToken;

    async fn receive(&mut self, max: usize) -> Result<Vec<Incoming<KafkaToken>>, BusError> {
        self.retried_this_batch = false;
        let first = self.io.next().await?;
        // A revocation is served inside the poll that returns the next
        // message: messages stamped before it are of the old assignment.
        self.apply_revocations();
        let mut out = vec![self.incoming(first)];
        while out.len() < max.max(1) {
            let Some(r) = self.io.ready() else { break };
            self.apply_revocations();
            out.push(self.incoming(r));
        }
        self.apply_revocations();
        Ok(out)
    }

    async fn publish(&mut self, msgs: Vec<Outgoing>) -> Result<(), BusError> {
        let mut rerouted: Vec<(Outgoing, String)> = Vec::new();
        let mut send: Vec<Outgoing> = Vec::with_capacity(msgs.len());
        for m in msgs {
            if valid_topic(&m.subject) {
                send.push(m);
            } else {
                let why = format!("`reply_to` {:?} is not a Kafka topic name", m.subject);
                rerouted.push((m, why));
            }
        }
        let results = self.io.produce(&send).await;
        for (m, r) in send.into_iter().zip(results) {
            match r {
                Ok(()) => {}
                Err(ProduceFailure::Permanent(why)) if m.subject != self.dead_letter_topic => {
                    tracing::warn!(
                        "reply to {} cannot be delivered ({why}): sent to {}",
                        m.subject,
                        self.dead_letter_topic
                    );
                    rerouted.push((m, why));
                }
                Err(ProduceFailure::Permanent(why)) | Err(ProduceFailure::Transient(why)) => {
                    return Err(BusError(format!("publishing to {}: {why}", m.subject)));
                }
            }
        }
        if rerouted.is_empty() {
            return Ok(());
        }
        let dead: Vec<Outgoing> = rerouted
            .iter()
            .map(|(m, why)| Outgoing {
                subject: self.dead_letter_topic.clone(),
                key: m.key.clone(),
                payload: undeliverable(m, &format!("reply not delivered to {}: {why}", m.subject)),
            })
            .collect();
        for r in self.io.produce(&dead).await {
            if let Err(ProduceFailure::Permanent(why) | ProduceFailure::Transient(why)) = r {
                return Err(BusError(format!(
                    "publishing to {}: {why}",
                    self.dead_letter_topic
                )));
            }
        }
        Ok(())
    }

    async fn ack(&mut self, tokens: Vec<KafkaToken>) -> Result<(), BusError> {
        self.apply_revocations();
        let current: Vec<KafkaToken> = tokens.into_iter().filter(|t| self.current(t)).collect();
        for t in &current {
            self.tracker.handled(&t.topic, t.partition, t.offset);
        }
        if !self.retried_this_batch {
            self.failures_in_a_row = 0;
        }
        let commits = self.tracker.to_commit();
        if commits.is_empty() {
            return Ok(());
        }
        match self.io.commit(&commits).await {
            Ok(()) => {
                self.tracker.committed(&commits);
                for (topic, partition, next) in &commits {
                    self.given_back
                        .retain(|(t, p, o), _| !(t == topic && p == partition && o < next));
                }
            }
            // Not fatal: the answers are durable; the commit is offered
            // again with the next batch, and a restart or the partition's
            // next owner reads them again and gets the stored answers.
            Err(e) => tracing::warn!("committing offsets failed: {e}"),
        }
        Ok(())
    }

    async fn retry(&mut self, tokens: Vec<KafkaToken>) -> Result<(), BusError> {
        self.apply_revocations();
        self.retried_this_batch = true;
        let mut seek_to: BTreeMap<(String, i32), i64> = BTreeMap::new();
        let current: Vec<KafkaToken> = tokens.into_iter().filter(|t| self.current(t)).collect();
        for t in &current {
            self.tracker.given_back(&t.topic, t.partition, t.offset);
            *self
                .given_back
                .entry((t.topic.clone(), t.partition, t.offset))
                .or_default() += 1;
            let o = seek_to
                .entry((t.topic.clone(), t.partition))
                .or_insert(t.offset);
            *o = (*o).min(t.offset);
        }
        if seek_to.is_empty() {
            return Ok(());
        }
        // Kafka cannot give one message back: read the partition again
        // from the first one (the later ones are answered from the store).
        backoff(self.failures_in_a_row).await;
        self.failures_in_a_row = (self.failures_in_a_row + 1).min(6);
        for ((topic, partition), offset) in seek_to {
            self.io.seek(&topic, partition, offset).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
