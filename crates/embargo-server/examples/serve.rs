//! A stand-alone server for scripts (browser test, fuzzing, load benchmark)
//! that must not depend on the `embargo` CLI being built.
//!
//! usage: serve --data-dir DIR [--listen ADDR] [--auth keys|localhost]
//!              [--rate-limit N|off] [--admin-key-file FILE]
//!              [--review-key-file FILE]...
//!              [--import-ftm FILE]...
//!
//! Prints `listening on http://ADDR` once bound (with `--listen
//! 127.0.0.1:0` the OS picks a free port). `--admin-key-file` creates an
//! admin API key and writes it to FILE, for scripts that need one.
//! `--import-ftm` imports a FollowTheMoney JSON-lines file into the store
//! before serving (repeat it to create successive versions of the list).

use embargo_server::{serve_on, AuthMode, ServerConfig};
use std::sync::Arc;

fn main() -> anyhow::Result<()> {
    let mut cfg = ServerConfig::from_env()?;
    let mut data_dir = None;
    let mut key_file = None;
    let mut review_key_files: Vec<String> = Vec::new();
    let mut imports = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || {
            args.next()
                .ok_or_else(|| anyhow::anyhow!("{a} needs a value"))
        };
        match a.as_str() {
            "--data-dir" => data_dir = Some(std::path::PathBuf::from(val()?)),
            "--listen" => cfg.listen = val()?.parse()?,
            "--auth" => {
                cfg.auth = match val()?.as_str() {
                    "keys" => AuthMode::ApiKeys,
                    "localhost" => AuthMode::OpenForLocalhost,
                    other => anyhow::bail!("--auth {other}: expected keys or localhost"),
                }
            }
            "--rate-limit" => {
                let v = val()?;
                cfg.rate_per_sec = if v == "off" { None } else { Some(v.parse()?) };
            }
            "--admin-key-file" => key_file = Some(val()?),
            // One review key per file (reviewer-1, reviewer-2, …): four-eyes
            // reviews need two different reviewers.
            "--review-key-file" => review_key_files.push(val()?),
            "--import-ftm" => imports.push(std::path::PathBuf::from(val()?)),
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    let data_dir = data_dir.ok_or_else(|| anyhow::anyhow!("--data-dir is required"))?;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,embargo_server=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let app = embargo_app::App::open(&data_dir)?;
    for f in &imports {
        embargo_app::import_path(&app.store, f, Some(embargo_model::SourceKind::Ftm), None)?;
    }
    if !imports.is_empty() {
        app.reload()?;
    }
    let app = Arc::new(app);
    if let Some(f) = key_file {
        let key = app
            .audit
            .create_api_key("script-admin", embargo_app::types::Role::Admin)?;
        std::fs::write(&f, key)?;
    }
    for (i, f) in review_key_files.iter().enumerate() {
        let key = app.audit.create_api_key(
            &format!("reviewer-{}", i + 1),
            embargo_app::types::Role::Review,
        )?;
        std::fs::write(f, key)?;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(cfg.listen).await?;
        println!("listening on http://{}", listener.local_addr()?);
        use std::io::Write;
        std::io::stdout().flush()?;
        serve_on(listener, app, cfg).await
    })
}
