use anyhow::Result;
use clap::Args;
use embargo_app::{Catalog, ImportOptions};
use embargo_update::{fetch_all, load_sources, FetchStatus, Progress, ProgressSink};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

#[derive(Args)]
pub struct UpdateArgs {
    /// List store shared by several nodes (`postgres://user:pass@host/db`);
    /// default: the data directory's SQLite store.
    #[arg(long, env = "EMBARGO_STORE", value_name = "URL")]
    pub store: Option<String>,
    /// Sources file (JSON, or TOML when it ends in .toml) that overrides or
    /// adds download URLs: `{"replace_defaults": false, "sources": [{"name":
    /// "us_csl", "kind": "csl", "urls": ["https://mirror/consolidated.csv"]}]}`.
    #[arg(long, alias = "sources", env = "EMBARGO_SOURCES")]
    pub config: Option<PathBuf>,
    /// Only update these sources (by name, e.g. ofac_sdn, csl, un).
    #[arg(long)]
    pub only: Vec<String>,
    /// Import even if more than half of a source's active entries are gone
    /// (or the download is empty).
    #[arg(long)]
    pub allow_shrink: bool,
    /// Store a download published before the active version as history;
    /// the active version stays.
    #[arg(long)]
    pub allow_older: bool,
}

/// Renders download progress with one indicatif bar per file.
struct Bars {
    bar: Mutex<Option<ProgressBar>>,
}

impl Bars {
    fn with_bar(&self, f: impl FnOnce(&mut Option<ProgressBar>)) {
        f(&mut self.bar.lock().unwrap_or_else(|p| p.into_inner()));
    }
}

impl ProgressSink for Bars {
    fn event(&self, event: &Progress<'_>) {
        match *event {
            Progress::Started { source, url, total } => self.with_bar(|slot| {
                let bar = match total {
                    Some(t) => ProgressBar::new(t),
                    None => ProgressBar::new_spinner(),
                };
                bar.set_style(
                    ProgressStyle::with_template(
                        "{msg:32} {bytes:>10}/{total_bytes:10} {bar:30} {bytes_per_sec}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                bar.set_message(format!(
                    "{source}: {}",
                    url.rsplit('/').next().unwrap_or(url)
                ));
                *slot = Some(bar);
            }),
            Progress::Bytes { done, .. } => self.with_bar(|slot| {
                if let Some(b) = slot {
                    b.set_position(done);
                }
            }),
            Progress::Retrying {
                source,
                url,
                attempt,
                wait,
                error,
            } => {
                eprintln!(
                    "{source}: attempt {attempt} for {url} failed ({error}); retrying in {wait:?}"
                );
            }
            Progress::Finished { .. } => self.with_bar(|slot| {
                if let Some(b) = slot.take() {
                    b.finish();
                }
            }),
        }
    }
}

pub fn run(data_dir: &Path, a: UpdateArgs) -> Result<ExitCode> {
    let mut specs = load_sources(a.config.as_deref())?;
    if !a.only.is_empty() {
        specs.retain(|s| a.only.iter().any(|o| o == &s.name));
    }
    let store = Catalog::open_with_store(data_dir, a.store.as_deref())?;
    let downloads = data_dir.join("downloads");
    let bars = Bars {
        bar: Mutex::new(None),
    };
    let mut failed = 0;
    for result in fetch_all(&specs, &downloads, &bars) {
        match result {
            Err(e) => {
                failed += 1;
                eprintln!("error: {e:#}");
            }
            Ok(f) if f.status == FetchStatus::NotModified => {
                outln!("{}: not modified since the last download", f.spec.name);
            }
            Ok(f) => {
                let Some(first) = f.files.first() else {
                    continue;
                };
                let dataset = f.spec.kind.dataset();
                if store
                    .active_version(dataset)?
                    .is_some_and(|v| v.sha256 == f.sha256)
                {
                    outln!(
                        "{}: downloaded, identical to the active version",
                        f.spec.name
                    );
                    continue;
                }
                // The same guards as `lists import`; the server's
                // Last-Modified dates a file that states no date.
                let opts = ImportOptions {
                    kind: Some(f.spec.kind),
                    last_modified: f.last_modified,
                    allow_shrink: a.allow_shrink,
                    allow_older: a.allow_older,
                    ..ImportOptions::default()
                };
                match store.import(&embargo_app::cli_actor(), first, &opts) {
                    Ok(r) if r.imported && !r.activated => outln!(
                        "{}: stored version {} as history (published before the active version)",
                        f.spec.name,
                        r.version.version
                    ),
                    Ok(r) if r.imported => outln!(
                        "{}: imported version {} ({} entities)",
                        f.spec.name,
                        r.version.version,
                        r.version.entity_count
                    ),
                    Ok(r) => outln!(
                        "{}: downloaded, identical to active version {}",
                        f.spec.name,
                        r.version.version
                    ),
                    Err(e) => {
                        failed += 1;
                        eprintln!(
                            "error: {}: {e:#} (the previous version stays active)",
                            f.spec.name
                        );
                    }
                }
            }
        }
    }
    crate::cmd::monitor::after_list_change(data_dir)?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
