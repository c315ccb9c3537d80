use anyhow::{Context, Result};
use clap::Args;
use embargo_app::App;
use embargo_server::{AuthMode, ServerConfig};
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on. Binds loopback unless told otherwise; port 0
    /// lets the system pick a free port (printed at start).
    #[arg(long, default_value = "127.0.0.1:8000", env = "EMBARGO_LISTEN")]
    pub listen: SocketAddr,
    /// Require an API key on every request. Without it, loopback callers may
    /// screen, decide and review without a key (never administer); any
    /// non-loopback address always requires keys.
    #[arg(long)]
    pub require_keys: bool,
    /// Log format on stderr: `text` (default) or `json` (one object per
    /// line). The level is set by EMBARGO_LOG (e.g. `info`, `debug`).
    #[arg(long, default_value = "text", env = "EMBARGO_LOG_FORMAT")]
    pub log_format: embargo_server::LogFormat,
    /// List store, audit chain, review decisions and API keys shared by
    /// several nodes (`postgres://user:pass@host/db`); each node then
    /// reloads when another changes the lists, and applies reviews filed
    /// on any node (default: the data directory's SQLite files).
    #[arg(long, env = "EMBARGO_STORE", value_name = "URL")]
    pub store: Option<String>,
}

pub fn run(data_dir: &Path, a: ServeArgs) -> Result<ExitCode> {
    embargo_server::init_logging(a.log_format);
    let app = Arc::new(App::open_with_store(data_dir, a.store.as_deref())?);
    let following = app.follow_shared_store()?;
    // The last handle to a PostgreSQL store (whose client owns a runtime
    // of its own) must be dropped outside the async runtime.
    let keep = app.clone();
    let auth = if a.require_keys || !a.listen.ip().is_loopback() {
        AuthMode::ApiKeys
    } else {
        AuthMode::OpenForLocalhost
    };
    let cfg = ServerConfig {
        listen: a.listen,
        auth,
        ..Default::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(a.listen)
            .await
            .with_context(|| format!("cannot listen on {}", a.listen))?;
        let addr = listener.local_addr()?;
        // The first line is the one scripts read (`--listen 127.0.0.1:0`).
        outln!("listening on http://{addr}");
        outln!("data directory: {}", data_dir.display());
        outln!(
            "auth: {}",
            match auth {
                AuthMode::ApiKeys => "API key required on every request",
                AuthMode::OpenForLocalhost =>
                    "loopback callers may screen and decide without a key; reviews need a review key, admin an admin key",
            }
        );
        let snapshot = app.snapshot();
        outln!("lists loaded: {}", snapshot.version_labels().join(", "));
        if following {
            outln!("list store: {} (shared; reloads on changes)", app.store.path().display());
        }
        std::io::Write::flush(&mut std::io::stdout())?;
        embargo_server::serve_on(listener, app, cfg).await
    })?;
    drop(rt);
    drop(keep);
    Ok(ExitCode::SUCCESS)
}
