//! NATS JetStream: requests from a stream through a durable pull consumer
//! with explicit acknowledgements; replies and dead letters published to
//! JetStream and confirmed (`PubAck`) before the requests are acknowledged.
//!
//! Layout (defaults; every name is a setting):
//!
//! | what | stream | subjects |
//! |---|---|---|
//! | requests | `EMBARGO_REQUESTS` | `embargo.requests.>` |
//! | replies | `EMBARGO_REPLIES` | `embargo.replies`, `embargo.replies.>` |
//! | dead letters | `EMBARGO_DEAD` | `embargo.dead` |
//!
//! With `create_streams` the three streams and the durable consumer are
//! created when missing (file storage); otherwise they must exist. A
//! request naming a `reply_to` outside the replies stream's subjects is
//! answered with a plain (unconfirmed) publish.

use crate::{BusError, Incoming, MessageBus, Outgoing};
use async_nats::jetstream::{self, consumer, stream, AckKind};
use futures_util::StreamExt;
use std::time::Duration;

/// Where the consumer connects and what it reads.
#[derive(Clone, Debug)]
pub struct NatsConfig {
    pub url: String,
    pub request_stream: String,
    pub request_subjects: Vec<String>,
    pub reply_stream: String,
    pub reply_subject: String,
    pub dead_letter_stream: String,
    pub dead_letter_subject: String,
    /// Durable consumer name: nodes sharing it share the work.
    pub durable: String,
    /// How long the server waits for an acknowledgement before
    /// redelivering.
    pub ack_wait: Duration,
    /// Most messages delivered and not yet acknowledged (backpressure on
    /// the server side; the loop's `max_in_flight` is the client side).
    pub max_ack_pending: i64,
    pub create_streams: bool,
}

impl Default for NatsConfig {
    fn default() -> Self {
        NatsConfig {
            url: "nats://127.0.0.1:4222".into(),
            request_stream: "EMBARGO_REQUESTS".into(),
            request_subjects: vec!["embargo.requests.>".into()],
            reply_stream: "EMBARGO_REPLIES".into(),
            reply_subject: "embargo.replies".into(),
            dead_letter_stream: "EMBARGO_DEAD".into(),
            dead_letter_subject: "embargo.dead".into(),
            durable: "embargo".into(),
            ack_wait: Duration::from_secs(30),
            max_ack_pending: 1024,
            create_streams: true,
        }
    }
}

/// A connected consumer.
pub struct NatsBus {
    client: async_nats::Client,
    js: jetstream::Context,
    messages: consumer::pull::Stream,
    /// Subjects that a JetStream stream captures (confirmed publishes).
    confirmed: Vec<String>,
}

fn subject_matches(pattern: &str, subject: &str) -> bool {
    let mut p = pattern.split('.');
    let mut s = subject.split('.');
    loop {
        match (p.next(), s.next()) {
            (Some(">"), Some(_)) => return true,
            (Some("*"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

impl NatsBus {
    /// Connects, creates what is missing (`create_streams`) and starts the
    /// pull consumer with at most `max_in_flight` messages per pull.
    pub async fn connect(cfg: &NatsConfig, max_in_flight: usize) -> Result<NatsBus, BusError> {
        let client = async_nats::ConnectOptions::new()
            .name("embargo consume")
            .connect(&cfg.url)
            .await
            .map_err(|e| BusError::new(&format!("connecting to {}", cfg.url), e))?;
        let js = jetstream::new(client.clone());
        let reply_subjects = vec![
            cfg.reply_subject.clone(),
            format!("{}.>", cfg.reply_subject),
        ];
        let stream = if cfg.create_streams {
            for (name, subjects) in [
                (&cfg.reply_stream, reply_subjects.clone()),
                (
                    &cfg.dead_letter_stream,
                    vec![cfg.dead_letter_subject.clone()],
                ),
            ] {
                js.get_or_create_stream(stream::Config {
                    name: name.clone(),
                    subjects,
                    storage: stream::StorageType::File,
                    ..Default::default()
                })
                .await
                .map_err(|e| BusError::new(&format!("creating stream {name}"), e))?;
            }
            js.get_or_create_stream(stream::Config {
                name: cfg.request_stream.clone(),
                subjects: cfg.request_subjects.clone(),
                storage: stream::StorageType::File,
                ..Default::default()
            })
            .await
            .map_err(|e| BusError::new(&format!("creating stream {}", cfg.request_stream), e))?
        } else {
            js.get_stream(&cfg.request_stream)
                .await
                .map_err(|e| BusError::new(&format!("stream {}", cfg.request_stream), e))?
        };
        let consumer: consumer::PullConsumer = stream
            .get_or_create_consumer(
                &cfg.durable,
                consumer::pull::Config {
                    durable_name: Some(cfg.durable.clone()),
                    ack_policy: consumer::AckPolicy::Explicit,
                    ack_wait: cfg.ack_wait,
                    max_ack_pending: cfg.max_ack_pending,
                    // Never dropped by the server: the loop dead-letters.
                    max_deliver: -1,
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| BusError::new(&format!("consumer {}", cfg.durable), e))?;
        let messages = consumer
            .stream()
            .max_messages_per_batch(max_in_flight.max(1))
            .messages()
            .await
            .map_err(|e| BusError::new("starting the pull consumer", e))?;
        Ok(NatsBus {
            client,
            js,
            messages,
            confirmed: [reply_subjects, vec![cfg.dead_letter_subject.clone()]].concat(),
        })
    }
}

fn to_incoming(m: jetstream::Message) -> Incoming<jetstream::Message> {
    let deliveries = m.info().map(|i| i.delivered.max(1) as u64).unwrap_or(1);
    Incoming {
        payload: m.payload.to_vec(),
        deliveries,
        source: m.subject.to_string(),
        token: m,
        order_key: None,
    }
}

impl MessageBus for NatsBus {
    type Token = jetstream::Message;

    async fn receive(&mut self, max: usize) -> Result<Vec<Incoming<Self::Token>>, BusError> {
        let first = match self.messages.next().await {
            Some(Ok(m)) => m,
            Some(Err(e)) => return Err(BusError::new("receiving", e)),
            None => return Err(BusError("the pull consumer ended".into())),
        };
        let mut out = vec![to_incoming(first)];
        while out.len() < max {
            match futures_util::FutureExt::now_or_never(self.messages.next()) {
                Some(Some(Ok(m))) => out.push(to_incoming(m)),
                Some(Some(Err(e))) => {
                    // Keep what we have; the error shows again next time.
                    tracing::warn!("receiving: {e}");
                    break;
                }
                _ => break,
            }
        }
        Ok(out)
    }

    async fn publish(&mut self, msgs: Vec<Outgoing>) -> Result<(), BusError> {
        let mut acks = Vec::new();
        let mut plain = false;
        for m in msgs {
            if self
                .confirmed
                .iter()
                .any(|p| subject_matches(p, &m.subject))
            {
                let ack = self
                    .js
                    .publish(m.subject.clone(), m.payload.into())
                    .await
                    .map_err(|e| BusError::new(&format!("publishing to {}", m.subject), e))?;
                acks.push(ack);
            } else {
                plain = true;
                self.client
                    .publish(m.subject.clone(), m.payload.into())
                    .await
                    .map_err(|e| BusError::new(&format!("publishing to {}", m.subject), e))?;
            }
        }
        for ack in acks {
            ack.await
                .map_err(|e| BusError::new("waiting for the broker's confirmation", e))?;
        }
        if plain {
            self.client
                .flush()
                .await
                .map_err(|e| BusError::new("flushing", e))?;
        }
        Ok(())
    }

    async fn ack(&mut self, tokens: Vec<Self::Token>) -> Result<(), BusError> {
        for m in &tokens {
            m.ack()
                .await
                .map_err(|e| BusError::new("acknowledging", e))?;
        }
        // The acknowledgements are on the wire before we report them done.
        self.client
            .flush()
            .await
            .map_err(|e| BusError::new("flushing", e))
    }

    async fn retry(&mut self, tokens: Vec<Self::Token>) -> Result<(), BusError> {
        for m in &tokens {
            m.ack_with(AckKind::Nak(Some(Duration::from_secs(1))))
                .await
                .map_err(|e| BusError::new("giving back", e))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::subject_matches;

    #[test]
    fn subjects_match_nats_wildcards() {
        assert!(subject_matches("embargo.replies", "embargo.replies"));
        assert!(subject_matches("embargo.replies.>", "embargo.replies.a.b"));
        assert!(!subject_matches("embargo.replies.>", "embargo.replies"));
        assert!(subject_matches("embargo.*.x", "embargo.a.x"));
        assert!(!subject_matches("embargo.*.x", "embargo.a.y"));
        assert!(!subject_matches("embargo.dead", "embargo.dead.letter"));
    }
}
