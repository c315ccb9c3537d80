//! `embargo consume`: answer screening and decision requests from NATS
//! JetStream (docs/bus.md). The loop and its guarantees are in
//! `embargo-bus`; what a message means and its audit record in
//! `embargo_app::bus`.

use anyhow::{Context, Result};
use clap::Args;
use embargo_app::bus::{AuditStore, PgAuditLog};
use embargo_app::App;
use embargo_bus::nats::{NatsBus, NatsConfig};
use embargo_bus::{ConsumeOptions, Store};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Args)]
pub struct ConsumeArgs {
    /// NATS server URL.
    #[arg(
        long,
        env = "EMBARGO_NATS_URL",
        default_value = "nats://127.0.0.1:4222"
    )]
    pub nats: String,
    /// Audit log and list store shared by several nodes
    /// (`postgres://user:pass@host/db`; the node reloads when another changes
    /// the lists); default: the data directory's SQLite files.
    #[arg(long, env = "EMBARGO_STORE", value_name = "URL")]
    pub store: Option<String>,
    /// JetStream stream holding the requests.
    #[arg(long, default_value = "EMBARGO_REQUESTS")]
    pub stream: String,
    /// Subjects of the request stream (when it is created).
    #[arg(long, default_value = "embargo.requests.>")]
    pub subject: String,
    /// Durable consumer name; nodes with the same name share the work.
    #[arg(long, default_value = "embargo")]
    pub durable: String,
    /// Where replies go when a request names no `reply_to`.
    #[arg(long, default_value = "embargo.replies")]
    pub reply_subject: String,
    /// Where unreadable and undecidable messages go, with the reason.
    #[arg(long, default_value = "embargo.dead")]
    pub dead_letter_subject: String,
    /// Most messages held (and decided together) at once.
    #[arg(long, default_value_t = 256)]
    pub max_in_flight: usize,
    /// Seconds the server waits for an acknowledgement before redelivering.
    #[arg(long, default_value_t = 30)]
    pub ack_wait: u64,
    /// Require the streams and consumer to exist instead of creating them.
    #[arg(long)]
    pub no_create: bool,
    /// Read from Kafka instead of NATS:
    /// `kafka://host:port[,host:port]?topic=embargo.requests&group=embargo`
    /// plus any librdkafka property (docs/bus.md, "Kafka"). Replies and dead
    /// letters go to the topics `--reply-subject` and
    /// `--dead-letter-subject`. Needs a build with the cargo feature `kafka`.
    #[arg(
        long,
        env = "EMBARGO_KAFKA_URL",
        value_name = "URL",
        conflicts_with_all = ["stream", "subject", "durable", "ack_wait", "no_create"]
    )]
    pub kafka: Option<String>,
}

/// Connects to a shared store, outside any async runtime (the PostgreSQL
/// client runs its own).
pub fn shared_store(url: &str) -> Result<Arc<dyn AuditStore>> {
    let log = PgAuditLog::connect(url)?;
    Ok(Arc::new(log))
}

pub fn run(data_dir: &Path, a: ConsumeArgs) -> Result<ExitCode> {
    // Kafka settings are checked before anything is opened.
    let kafka = a.kafka.as_deref().map(kafka::settings).transpose()?;
    let app = Arc::new(App::open_with_store(data_dir, a.store.as_deref())?);
    app.follow_shared_store()?;
    let keep_app = app.clone();
    let (store, store_name) = match &a.store {
        Some(url) => {
            let s = shared_store(url)?;
            let name = s.location();
            (Store::Shared(s), name)
        }
        None => (Store::Local, app.audit.path().display().to_string()),
    };
    if let Some(cfg) = kafka {
        drop(keep_app);
        return kafka::run(cfg, &a, app, store, store_name);
    }
    let cfg = NatsConfig {
        url: a.nats.clone(),
        request_stream: a.stream.clone(),
        request_subjects: vec![a.subject.clone()],
        reply_subject: a.reply_subject.clone(),
        dead_letter_subject: a.dead_letter_subject.clone(),
        durable: a.durable.clone(),
        ack_wait: Duration::from_secs(a.ack_wait.max(1)),
        max_ack_pending: (a.max_in_flight.max(1) * 4) as i64,
        create_streams: !a.no_create,
        ..Default::default()
    };
    let opts = ConsumeOptions {
        actor: format!("bus:{}", a.durable),
        reply_subject: a.reply_subject.clone(),
        dead_letter_subject: a.dead_letter_subject.clone(),
        max_in_flight: a.max_in_flight.max(1),
        ..Default::default()
    };
    // Kept here so the last handle to a PostgreSQL store (whose client
    // owns a runtime of its own) is dropped outside the async runtime.
    let keep = store.clone();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let stats = rt.block_on(async move {
        let mut bus = NatsBus::connect(&cfg, opts.max_in_flight)
            .await
            .with_context(|| format!("NATS at {}", cfg.url))?;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            wait_for_signal().await;
            let _ = stop.send(true);
        });
        // The first line is the one scripts wait for.
        outln!(
            "consuming {} ({}) from {} as durable {:?}",
            cfg.request_stream,
            a.subject,
            cfg.url,
            cfg.durable
        );
        outln!(
            "replies to {}, dead letters to {}; audit store {}",
            opts.reply_subject,
            opts.dead_letter_subject,
            store_name
        );
        outln!(
            "lists loaded: {}",
            app.snapshot().version_labels().join(", ")
        );
        std::io::Write::flush(&mut std::io::stdout())?;
        let stats = embargo_bus::consume(&mut bus, app, store, &opts, stopped).await?;
        Ok::<_, anyhow::Error>(stats)
    });
    drop(rt);
    drop(keep);
    drop(keep_app);
    report(&stats?)?;
    Ok(ExitCode::SUCCESS)
}

/// The closing line of a consumer.
fn report(stats: &embargo_bus::ConsumeStats) -> Result<()> {
    outln!(
        "stopped: {} answered, {} redeliveries answered from the store, {} dead letters, {} given back, {} batches",
        stats.answered,
        stats.replayed,
        stats.dead_letters,
        stats.retried,
        stats.batches
    );
    Ok(())
}

/// SIGTERM or Ctrl-C: stop taking messages, finish the batch in hand.
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {},
                    _ = tokio::signal::ctrl_c() => {},
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// `audit verify --store URL`: the shared store's chain.
pub fn verify_shared(url: &str) -> Result<embargo_app::types::VerifyReport> {
    let store = shared_store(url)?;
    let mut report = store.verify_chain()?;
    let requests = store.request_index()?.len();
    report
        .notes
        .push(format!("{requests} bus request ids recorded"));
    Ok(report)
}

/// `consume --kafka URL`: the same loop over Kafka (docs/bus.md, "Kafka").
mod kafka {
    use super::*;
    use embargo_bus::kafka::KafkaConfig;

    /// The URL's settings; without the `kafka` feature, an error saying
    /// how to get it.
    pub fn settings(url: &str) -> Result<KafkaConfig> {
        let cfg = KafkaConfig::from_url(url)?;
        if !cfg!(feature = "kafka") {
            anyhow::bail!(
                "this embargo was built without Kafka support: build it with \
                 `cargo build --release -p embargo-cli --features kafka` (docs/bus.md, \"Kafka\")"
            );
        }
        Ok(cfg)
    }

    #[cfg(not(feature = "kafka"))]
    pub fn run(
        _cfg: KafkaConfig,
        _a: &ConsumeArgs,
        _app: Arc<App>,
        _store: Store,
        _store_name: String,
    ) -> Result<ExitCode> {
        unreachable!("`settings` refuses Kafka without the feature")
    }

    #[cfg(feature = "kafka")]
    pub fn run(
        cfg: KafkaConfig,
        a: &ConsumeArgs,
        app: Arc<App>,
        store: Store,
        store_name: String,
    ) -> Result<ExitCode> {
        use embargo_bus::kafka::client::RdKafka;
        use embargo_bus::kafka::{valid_topic, KafkaBus};
        for (flag, topic) in [
            ("--reply-subject", &a.reply_subject),
            ("--dead-letter-subject", &a.dead_letter_subject),
        ] {
            if !valid_topic(topic) {
                anyhow::bail!("{flag} {topic:?} is not a Kafka topic name ([A-Za-z0-9._-])");
            }
        }
        let opts = ConsumeOptions {
            actor: format!("bus:{}", cfg.group),
            reply_subject: a.reply_subject.clone(),
            dead_letter_subject: a.dead_letter_subject.clone(),
            max_in_flight: a.max_in_flight.max(1),
            ..Default::default()
        };
        // Dropped outside the async runtime (see the NATS path).
        let keep = store.clone();
        let keep_app = app.clone();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        let stats = rt.block_on(async move {
            let io = RdKafka::connect(
                &cfg,
                opts.max_in_flight,
                &opts.reply_subject,
                &opts.dead_letter_subject,
            )
            .await
            .with_context(|| format!("Kafka at {}", cfg.redacted()))?;
            let mut bus = KafkaBus::new(io, &opts.dead_letter_subject);
            let (stop, stopped) = tokio::sync::watch::channel(false);
            tokio::spawn(async move {
                wait_for_signal().await;
                let _ = stop.send(true);
            });
            // The first line is the one scripts wait for.
            outln!(
                "consuming {} from {} as group {:?}",
                cfg.topics.join(","),
                cfg.redacted(),
                cfg.group
            );
            outln!(
                "replies to {}, dead letters to {}; audit store {}",
                opts.reply_subject,
                opts.dead_letter_subject,
                store_name
            );
            outln!(
                "lists loaded: {}",
                app.snapshot().version_labels().join(", ")
            );
            std::io::Write::flush(&mut std::io::stdout())?;
            let stats = embargo_bus::consume(&mut bus, app, store, &opts, stopped).await;
            // Flush replies and leave the group, also after a failure.
            let closed = bus.close().await;
            let stats = stats?;
            closed?;
            Ok::<_, anyhow::Error>(stats)
        });
        drop(rt);
        drop(keep);
        drop(keep_app);
        report(&stats?)?;
        Ok(ExitCode::SUCCESS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        a: ConsumeArgs,
    }

    #[test]
    fn nats_only_flags_are_refused_with_kafka() {
        for flag in [
            ["--durable", "x"],
            ["--stream", "S"],
            ["--subject", "a.>"],
            ["--ack-wait", "5"],
        ] {
            let e = Cli::try_parse_from(["consume", "--kafka", "kafka://b:9092", flag[0], flag[1]])
                .err()
                .unwrap_or_else(|| panic!("{flag:?} accepted with --kafka"));
            assert_eq!(
                e.kind(),
                clap::error::ErrorKind::ArgumentConflict,
                "{flag:?}"
            );
        }
        let c = Cli::try_parse_from([
            "consume",
            "--kafka",
            "kafka://b:9092",
            "--reply-subject",
            "pay.replies",
            "--max-in-flight",
            "64",
        ])
        .unwrap();
        assert_eq!(c.a.kafka.as_deref(), Some("kafka://b:9092"));
        assert_eq!(c.a.reply_subject, "pay.replies");
    }

    #[test]
    fn kafka_settings_are_checked_before_anything_is_opened() {
        let e = kafka::settings("kafka://broker").unwrap_err();
        assert!(e.to_string().contains("host:port"), "{e}");
        let e = kafka::settings("kafka://b:9092?enable.auto.commit=true").unwrap_err();
        assert!(e.to_string().contains("audit write"), "{e}");
        let r = kafka::settings("kafka://b:9092?topic=pay&group=g");
        if cfg!(feature = "kafka") {
            let c = r.unwrap();
            assert_eq!(
                (c.topics, c.group),
                (vec!["pay".to_string()], "g".to_string())
            );
        } else {
            let e = r.unwrap_err();
            assert!(e.to_string().contains("--features kafka"), "{e}");
        }
    }
}
