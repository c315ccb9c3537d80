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
}

/// Connects to a shared store, outside any async runtime (the PostgreSQL
/// client runs its own).
pub fn shared_store(url: &str) -> Result<Arc<dyn AuditStore>> {
    let log = PgAuditLog::connect(url)?;
    Ok(Arc::new(log))
}

pub fn run(data_dir: &Path, a: ConsumeArgs) -> Result<ExitCode> {
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
    let stats = stats?;
    outln!(
        "stopped: {} answered, {} redeliveries answered from the store, {} dead letters, {} given back, {} batches",
        stats.answered,
        stats.replayed,
        stats.dead_letters,
        stats.retried,
        stats.batches
    );
    Ok(ExitCode::SUCCESS)
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
