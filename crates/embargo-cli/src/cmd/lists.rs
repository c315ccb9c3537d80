use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use embargo_app::import_path;
use embargo_audit::{AuditLog, NewRecord, RecordKind};
use embargo_model::SourceKind;
use embargo_store::Store;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct ListsArgs {
    #[command(subcommand)]
    pub command: Option<ListsCommand>,
    /// Print JSON instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum ListsCommand {
    /// Import a list file. For OFAC legacy CSV give sdn.csv (or cons_prim.csv);
    /// alt.csv, add.csv and the comments file beside it are read too.
    Import {
        file: PathBuf,
        /// ofac-sdn, ofac-cons, csl, dpl, un, ftm, custom. Detected when unambiguous.
        #[arg(long)]
        source: Option<String>,
        /// Store under this dataset name (default: the source's, e.g. us_trade_csl).
        #[arg(long)]
        dataset: Option<String>,
    },
    /// Entities added, removed and changed between two versions (default: previous vs active).
    Diff {
        /// Dataset or source name (e.g. us_ofac_sdn or ofac-sdn).
        source: String,
        old: Option<String>,
        new: Option<String>,
        /// Show every changed field, not only counts and names.
        #[arg(long)]
        full: bool,
    },
    /// Every stored version of one dataset, oldest first.
    Versions { source: String },
    /// Make a stored version the active one (roll back or forward).
    Activate { source: String, version: String },
}

fn dataset_name(s: &str) -> String {
    SourceKind::from_cli(s)
        .map(|k| k.dataset().to_string())
        .unwrap_or_else(|| s.to_string())
}

pub fn run(data_dir: &Path, a: ListsArgs) -> Result<ExitCode> {
    std::fs::create_dir_all(data_dir)?;
    let store = Store::open(data_dir)?;
    match a.command {
        None => {
            let lists = store.lists()?;
            if a.json {
                println!("{}", serde_json::to_string_pretty(&lists)?);
            } else if lists.is_empty() {
                println!("No lists imported in {}. Screening uses the embedded Xinjiang regime pack ({}).", data_dir.display(), embargo_pack::version().version);
                println!("Import one with `embargo lists import FILE` or download with `embargo update`.");
            } else {
                println!(
                    "{:<22} {:<28} {:>9} {:<11} {:>8}  origin",
                    "dataset", "active version", "entities", "published", "versions"
                );
                for l in lists {
                    let v = &l.active;
                    println!(
                        "{:<22} {:<28} {:>9} {:<11} {:>8}  {}",
                        v.dataset,
                        v.version,
                        v.entity_count,
                        v.published
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "-".into()),
                        l.versions_kept,
                        v.origin
                    );
                }
            }
        }
        Some(ListsCommand::Import {
            file,
            source,
            dataset,
        }) => {
            let kind = match source.as_deref() {
                Some(s) => match SourceKind::from_cli(s) {
                    Some(k) => Some(k),
                    None => bail!("unknown --source {s:?}; use one of ofac-sdn, ofac-cons, csl, dpl, un, ftm, custom"),
                },
                None => None,
            };
            let report = import_path(&store, &file, kind, dataset.as_deref())?;
            for w in &report.warnings {
                eprintln!("warning: {w}");
            }
            let v = &report.version;
            if report.imported {
                println!(
                    "Imported {} version {}: {} entities (sha256 {}).",
                    v.dataset,
                    v.version,
                    v.entity_count,
                    &v.sha256[..16.min(v.sha256.len())]
                );
            } else {
                println!(
                    "Unchanged: {} is identical to the active version {} of {}; nothing imported.",
                    file.display(),
                    v.version,
                    v.dataset
                );
            }
            let audit = AuditLog::open(data_dir)?;
            audit.append(NewRecord {
                kind: RecordKind::Import,
                actor: embargo_app::cli_actor(),
                request: serde_json::json!({"file": file, "source": source, "dataset": dataset}),
                result: serde_json::to_value(&report)?,
                list_versions: vec![format!("{}@{}", v.dataset, v.version)],
            })?;
            if a.json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            }
        }
        Some(ListsCommand::Diff {
            source,
            old,
            new,
            full,
        }) => {
            let diff = store.diff(&dataset_name(&source), old.as_deref(), new.as_deref())?;
            if a.json {
                println!("{}", serde_json::to_string_pretty(&diff)?);
            } else {
                println!(
                    "{}: {} -> {}",
                    diff.dataset, diff.old.version, diff.new.version
                );
                println!(
                    "{} added, {} removed, {} changed",
                    diff.added.len(),
                    diff.removed.len(),
                    diff.changed.len()
                );
                for e in &diff.added {
                    println!("  + {}  {}", e.id, e.caption());
                }
                for e in &diff.removed {
                    println!("  - {}  {}", e.id, e.caption());
                }
                for c in &diff.changed {
                    println!("  ~ {}  {}", c.id, c.caption);
                    if full {
                        for f in &c.fields {
                            println!("      {}: {} -> {}", f.field, f.old, f.new);
                        }
                    } else {
                        let names: Vec<&str> = c.fields.iter().map(|f| f.field.as_str()).collect();
                        println!("      fields: {}", names.join(", "));
                    }
                }
            }
        }
        Some(ListsCommand::Versions { source }) => {
            let versions = store.versions(&dataset_name(&source))?;
            if a.json {
                println!("{}", serde_json::to_string_pretty(&versions)?);
            } else {
                for v in versions {
                    println!(
                        "{:<28} {:>9} entities  published {:<10}  imported {}  {}",
                        v.version,
                        v.entity_count,
                        v.published
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "-".into()),
                        v.imported_at.format("%Y-%m-%d %H:%M"),
                        v.origin
                    );
                }
            }
        }
        Some(ListsCommand::Activate { source, version }) => {
            let ds = dataset_name(&source);
            store.activate(&ds, &version)?;
            println!("{ds}: version {version} is now active.");
        }
    }
    Ok(ExitCode::SUCCESS)
}
