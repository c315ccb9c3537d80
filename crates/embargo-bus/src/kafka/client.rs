//! [`KafkaIo`] over librdkafka (cargo feature `kafka`): a `StreamConsumer`
//! in the consumer group with automatic commits off, and an idempotent
//! `FutureProducer` (`acks=all`) for replies and dead letters.
//!
//! librdkafka is built from source by `rdkafka-sys` (its `configure` and
//! `make`, no cmake) and linked statically; zlib, zstd and OpenSSL come
//! from the system (pkg-config), so TLS, SASL PLAIN/SCRAM and every
//! compression codec a producer may use are readable. Kerberos (GSSAPI)
//! is not built.

use super::{KafkaConfig, KafkaIo, ProduceFailure, Record};
use crate::{BusError, Outgoing};
use futures_util::FutureExt;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{
    BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance, StreamConsumer,
};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use rdkafka::{ClientContext, Message, Offset, TopicPartitionList};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Partitions revoked by rebalances, noted by librdkafka's rebalance
/// callback (which runs inside the consumer's poll) and taken by
/// [`KafkaBus`](super::KafkaBus) after each poll.
#[derive(Default)]
pub struct GroupContext {
    revoked: Arc<Mutex<Vec<(String, i32)>>>,
}

impl ClientContext for GroupContext {}

impl ConsumerContext for GroupContext {
    fn pre_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Revoke(tpl) => {
                let mut r = self.revoked.lock().unwrap_or_else(|e| e.into_inner());
                for e in tpl.elements() {
                    r.push((e.topic().to_string(), e.partition()));
                }
            }
            Rebalance::Assign(tpl) => {
                let parts: Vec<String> = tpl
                    .elements()
                    .iter()
                    .map(|e| format!("{}[{}]", e.topic(), e.partition()))
                    .collect();
                tracing::info!("assigned {}", parts.join(", "));
            }
            Rebalance::Error(e) => tracing::warn!("rebalance error: {e}"),
        }
    }
}

/// Whether a produce error will recur however often the message is sent
/// (the reply then goes to the dead letters instead of blocking the
/// partition).
pub fn permanent(code: RDKafkaErrorCode) -> bool {
    matches!(
        code,
        RDKafkaErrorCode::UnknownTopic
            | RDKafkaErrorCode::UnknownTopicOrPartition
            | RDKafkaErrorCode::TopicAuthorizationFailed
            | RDKafkaErrorCode::InvalidTopic
            | RDKafkaErrorCode::MessageSizeTooLarge
            | RDKafkaErrorCode::InvalidMessageSize
            | RDKafkaErrorCode::InvalidRecord
            | RDKafkaErrorCode::PolicyViolation
    )
}

fn failure(e: &KafkaError) -> ProduceFailure {
    match e.rdkafka_error_code() {
        Some(c) if permanent(c) => ProduceFailure::Permanent(e.to_string()),
        _ => ProduceFailure::Transient(e.to_string()),
    }
}

fn client_config(props: &[(String, String)]) -> ClientConfig {
    let mut c = ClientConfig::new();
    for (k, v) in props {
        c.set(k, v);
    }
    c
}

/// librdkafka refused a setting: say which, never echoing a secret.
fn config_error(e: KafkaError) -> BusError {
    BusError::new("Kafka settings", e)
}

/// A connected consumer and producer.
pub struct RdKafka {
    consumer: Arc<StreamConsumer<GroupContext>>,
    producer: FutureProducer,
    revoked: Arc<Mutex<Vec<(String, i32)>>>,
    topics: Vec<String>,
}

impl RdKafka {
    /// Creates the clients (librdkafka checks every property here) without
    /// waiting for a broker. Must run inside a tokio runtime.
    pub fn new(cfg: &KafkaConfig, max_in_flight: usize) -> Result<RdKafka, BusError> {
        let ctx = GroupContext::default();
        let revoked = ctx.revoked.clone();
        let consumer: StreamConsumer<GroupContext> =
            client_config(&cfg.consumer_properties(max_in_flight))
                .create_with_context(ctx)
                .map_err(config_error)?;
        let producer: FutureProducer = client_config(&cfg.producer_properties())
            .create()
            .map_err(config_error)?;
        Ok(RdKafka {
            consumer: Arc::new(consumer),
            producer,
            revoked,
            topics: cfg.topics.clone(),
        })
    }

    /// Creates the clients, checks that the request, reply and dead-letter
    /// topics exist (a missing one is an error naming it: Embargo never
    /// creates topics) and joins the group.
    pub async fn connect(
        cfg: &KafkaConfig,
        max_in_flight: usize,
        reply_topic: &str,
        dead_letter_topic: &str,
    ) -> Result<RdKafka, BusError> {
        let me = RdKafka::new(cfg, max_in_flight)?;
        let mut check: Vec<String> = cfg.topics.clone();
        check.push(reply_topic.to_string());
        check.push(dead_letter_topic.to_string());
        for topic in check {
            let consumer = me.consumer.clone();
            let t = topic.clone();
            let md = tokio::task::spawn_blocking(move || {
                consumer.fetch_metadata(Some(&t), Duration::from_secs(15))
            })
            .await
            .map_err(|e| BusError::new("metadata", e))?
            .map_err(|e| BusError::new(&format!("reading metadata of topic {topic}"), e))?;
            let found = md.topics().iter().find(|m| m.name() == topic);
            match found {
                Some(m) if m.error().is_none() && !m.partitions().is_empty() => {}
                Some(m) => {
                    return Err(BusError(format!(
                        "topic {topic}: {} (create it first; Embargo does not create topics)",
                        m.error()
                            .map(|e| RDKafkaErrorCode::from(e).to_string())
                            .unwrap_or_else(|| "no partitions".into())
                    )))
                }
                None => return Err(BusError(format!("topic {topic} does not exist"))),
            }
        }
        let topics: Vec<&str> = me.topics.iter().map(String::as_str).collect();
        me.consumer
            .subscribe(&topics)
            .map_err(|e| BusError::new("subscribing", e))?;
        Ok(me)
    }
}

fn to_record(m: &impl Message) -> Record {
    Record {
        topic: m.topic().to_string(),
        partition: m.partition(),
        offset: m.offset(),
        key: m.key().map(<[u8]>::to_vec),
        payload: m.payload().map(<[u8]>::to_vec),
    }
}

impl KafkaIo for RdKafka {
    async fn next(&mut self) -> Result<Record, BusError> {
        let mut attempt = 0;
        loop {
            match self.consumer.recv().await {
                Ok(m) => return Ok(to_record(&m)),
                Err(KafkaError::MessageConsumptionFatal(c)) => {
                    return Err(BusError(format!("Kafka consumer: fatal error: {c}")))
                }
                // Brokers away, a partition's leader moving: librdkafka
                // recovers by itself; say so and keep waiting.
                Err(e) => {
                    tracing::warn!("Kafka consumer: {e}");
                    crate::backoff(attempt).await;
                    attempt = (attempt + 1).min(6);
                }
            }
        }
    }

    fn ready(&mut self) -> Option<Record> {
        match self.consumer.recv().now_or_never()? {
            Ok(m) => Some(to_record(&m)),
            Err(e) => {
                // Kept for the next `next`, which waits it out.
                tracing::warn!("Kafka consumer: {e}");
                None
            }
        }
    }

    async fn produce(&mut self, msgs: &[Outgoing]) -> Vec<Result<(), ProduceFailure>> {
        // Everything is queued first (librdkafka batches and keeps the
        // order per partition), then every delivery report is awaited.
        let mut pending = Vec::with_capacity(msgs.len());
        for m in msgs {
            let mut record: FutureRecord<'_, str, [u8]> =
                FutureRecord::to(m.subject.as_str()).payload(m.payload.as_slice());
            if let Some(k) = &m.key {
                record = record.key(k.as_str());
            }
            let mut attempt = 0;
            let queued = loop {
                match self.producer.send_result(record) {
                    Ok(f) => break Ok(f),
                    Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), r))
                        if attempt < 100 =>
                    {
                        record = r;
                        attempt += 1;
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                    Err((e, _)) => break Err(failure(&e)),
                }
            };
            pending.push(queued);
        }
        let mut out = Vec::with_capacity(pending.len());
        for p in pending {
            out.push(match p {
                Err(f) => Err(f),
                Ok(delivery) => match delivery.await {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err((e, _))) => Err(failure(&e)),
                    Err(_) => Err(ProduceFailure::Transient(
                        "the producer was closed before the delivery report".into(),
                    )),
                },
            });
        }
        out
    }

    async fn commit(&mut self, offsets: &[(String, i32, i64)]) -> Result<(), BusError> {
        let mut tpl = TopicPartitionList::new();
        for (topic, partition, next) in offsets {
            tpl.add_partition_offset(topic, *partition, Offset::Offset(*next))
                .map_err(|e| BusError::new("committing", e))?;
        }
        let consumer = self.consumer.clone();
        tokio::task::spawn_blocking(move || consumer.commit(&tpl, CommitMode::Sync))
            .await
            .map_err(|e| BusError::new("committing", e))?
            .map_err(|e| BusError::new("committing offsets", e))
    }

    async fn seek(&mut self, topic: &str, partition: i32, offset: i64) -> Result<(), BusError> {
        let consumer = self.consumer.clone();
        let t = topic.to_string();
        tokio::task::spawn_blocking(move || {
            consumer.seek(
                &t,
                partition,
                Offset::Offset(offset),
                Duration::from_secs(10),
            )
        })
        .await
        .map_err(|e| BusError::new("seeking", e))?
        .map_err(|e| {
            BusError::new(
                &format!("reading {topic}[{partition}] again from {offset}"),
                e,
            )
        })
    }

    fn take_revoked(&mut self) -> Vec<(String, i32)> {
        std::mem::take(&mut *self.revoked.lock().unwrap_or_else(|e| e.into_inner()))
    }

    async fn close(&mut self) -> Result<(), BusError> {
        let producer = self.producer.clone();
        tokio::task::spawn_blocking(move || producer.flush(Duration::from_secs(30)))
            .await
            .map_err(|e| BusError::new("flushing", e))?
            .map_err(|e| BusError::new("flushing the producer", e))?;
        // Leaves the group now, so its partitions move to the other nodes
        // without waiting for the session to time out.
        self.consumer.unsubscribe();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::KafkaBus;
    use crate::MessageBus;

    /// A loopback address where no broker listens.
    fn nowhere() -> String {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let a = l.local_addr().unwrap();
        drop(l);
        a.to_string()
    }

    #[tokio::test]
    async fn librdkafka_takes_the_settings_with_tls_sasl_and_every_codec() {
        let url = format!(
            "kafka://svc:secret@{}?sasl.mechanisms=SCRAM-SHA-512&compression.codec=zstd\
             &ssl.endpoint.identification.algorithm=https",
            nowhere()
        );
        let cfg = KafkaConfig::from_url(&url).unwrap();
        RdKafka::new(&cfg, 64).expect("librdkafka refused Embargo's settings");
        for codec in ["gzip", "lz4", "snappy", "zstd"] {
            let cfg =
                KafkaConfig::from_url(&format!("kafka://{}?compression.codec={codec}", nowhere()))
                    .unwrap();
            RdKafka::new(&cfg, 64).unwrap_or_else(|e| panic!("{codec}: {e}"));
        }
    }

    #[tokio::test]
    async fn a_misspelt_property_is_refused_by_name() {
        let cfg = KafkaConfig::from_url(&format!("kafka://{}?linger.msx=5", nowhere())).unwrap();
        let e = RdKafka::new(&cfg, 64)
            .err()
            .expect("accepted a misspelt property");
        assert!(e.0.contains("linger.msx"), "{e}");
        let cfg = KafkaConfig::from_url(&format!(
            "kafka://{}?security.protocol=carrier_pigeon",
            nowhere()
        ))
        .unwrap();
        let e = RdKafka::new(&cfg, 64).err().expect("accepted a bad value");
        assert!(e.0.contains("security.protocol"), "{e}");
    }

    #[tokio::test]
    async fn a_reply_the_brokers_never_confirm_fails_the_publish() {
        let cfg = KafkaConfig::from_url(&format!(
            "kafka://{}?message.timeout.ms=300&socket.connection.setup.timeout.ms=1000",
            nowhere()
        ))
        .unwrap();
        let mut bus = KafkaBus::new(RdKafka::new(&cfg, 8).unwrap(), "embargo.dead");
        let e = tokio::time::timeout(
            Duration::from_secs(30),
            bus.publish(vec![Outgoing {
                subject: "embargo.replies".into(),
                key: Some("p1".into()),
                payload: b"{}".to_vec(),
            }]),
        )
        .await
        .expect("publish did not give up")
        .expect_err("published with no broker");
        assert!(e.0.contains("embargo.replies"), "{e}");
        assert!(e.0.to_lowercase().contains("timed out"), "{e}");
    }

    #[test]
    fn missing_topics_and_refusals_are_permanent_outages_are_not() {
        for c in [
            RDKafkaErrorCode::UnknownTopicOrPartition,
            RDKafkaErrorCode::UnknownTopic,
            RDKafkaErrorCode::TopicAuthorizationFailed,
            RDKafkaErrorCode::MessageSizeTooLarge,
        ] {
            assert!(permanent(c), "{c:?}");
        }
        for c in [
            RDKafkaErrorCode::MessageTimedOut,
            RDKafkaErrorCode::AllBrokersDown,
            RDKafkaErrorCode::NotEnoughReplicas,
            RDKafkaErrorCode::QueueFull,
        ] {
            assert!(!permanent(c), "{c:?}");
        }
        let e = KafkaError::MessageProduction(RDKafkaErrorCode::UnknownTopicOrPartition);
        assert!(matches!(failure(&e), ProduceFailure::Permanent(_)));
    }
}
