use anyhow::Result;
use clap::Args;
use embargo_app::App;
use embargo_server::{AuthMode, ServerConfig};
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on. Binds loopback unless told otherwise.
    #[arg(long, default_value = "127.0.0.1:8000", env = "EMBARGO_LISTEN")]
    pub listen: SocketAddr,
    /// Require an API key on every request. Without it, loopback callers may
    /// screen, decide and review without a key (never administer); any
    /// non-loopback address always requires keys.
    #[arg(long)]
    pub require_keys: bool,
}

pub fn run(data_dir: &Path, a: ServeArgs) -> Result<ExitCode> {
    let app = Arc::new(App::open(data_dir)?);
    let cfg = ServerConfig {
        listen: a.listen,
        auth: if a.require_keys || !a.listen.ip().is_loopback() {
            AuthMode::ApiKeys
        } else {
            AuthMode::OpenForLocalhost
        },
        ..Default::default()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(embargo_server::serve(app, cfg))?;
    Ok(ExitCode::SUCCESS)
}
