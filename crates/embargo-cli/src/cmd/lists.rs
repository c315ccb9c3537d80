use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use embargo_app::{Catalog, ImportOptions};
use embargo_model::SourceKind;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct ListsArgs {
    #[command(subcommand)]
    pub command: Option<ListsCommand>,
    /// Print JSON instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
    /// List store shared by several nodes (`postgres://user:pass@host/db`);
    /// default: the data directory's SQLite store.
    #[arg(long, global = true, env = "EMBARGO_STORE", value_name = "URL")]
    pub store: Option<String>,
}

#[derive(Subcommand)]
pub enum ListsCommand {
    /// Import a list file. For OFAC legacy CSV give sdn.csv (or cons_prim.csv);
    /// alt.csv, add.csv and the comments file beside it are read too.
    Import {
        /// The list file (OFAC XML or CSV, trade.gov CSL CSV, UN XML, BIS DPL,
        /// FollowTheMoney JSON lines, or a custom CSV list).
        file: PathBuf,
        /// ofac-sdn, ofac-cons, csl, dpl, un, ftm, custom, uflpa. Detected when unambiguous.
        #[arg(long)]
        source: Option<String>,
        /// Store under this dataset name (default: the source's, e.g. us_trade_csl).
        #[arg(long)]
        dataset: Option<String>,
        /// Publication date (YYYY-MM-DD) for a file that states none (OFAC
        /// legacy CSV, CSL, DPL, custom). Without it the import date is
        /// recorded, marked as such.
        #[arg(long, value_name = "DATE")]
        published: Option<chrono::NaiveDate>,
        /// Import even if more than half of the active version's entries
        /// are gone (or the list is empty).
        #[arg(long)]
        allow_shrink: bool,
        /// Store a version published before the active one as history (for
        /// dated decisions); the active version stays.
        #[arg(long)]
        allow_older: bool,
    },
    /// Entities added, removed and changed between two versions (default: previous vs active).
    Diff {
        /// Dataset or source name (e.g. us_ofac_sdn or ofac-sdn).
        source: String,
        /// The older version (as `lists versions` shows it; default: the
        /// version stored just before NEW).
        old: Option<String>,
        /// The newer version (default: the active version).
        new: Option<String>,
        /// Show every changed field, not only counts and names.
        #[arg(long)]
        full: bool,
    },
    /// Every stored version of one dataset, in import order, with its
    /// publication date and where that date comes from; `*` marks the active one.
    Versions {
        /// Dataset or source name (e.g. us_ofac_sdn or ofac-sdn).
        source: String,
    },
    /// The links that make records of several sources one party (a
    /// consolidated subject), with the reason for each.
    Links {
        /// Only links touching this entity id.
        #[arg(long)]
        entity: Option<String>,
    },
    /// Judge a link as an analyst: two records are one party (`--same`,
    /// linked even where no rule links them) or not (`--different`, kept
    /// apart whatever the rules say). Takes effect at the next snapshot
    /// (the next command, or a server reload).
    Judge {
        /// One record's entity id (as `screen` shows it).
        a: String,
        /// The other record's entity id.
        b: String,
        /// The two records are one party.
        #[arg(
            long,
            conflicts_with = "different",
            required_unless_present = "different"
        )]
        same: bool,
        /// The two records are different parties.
        #[arg(long)]
        different: bool,
        /// Why (kept in the audit log).
        #[arg(long)]
        reason: String,
        /// Who judges (default: the current user).
        #[arg(long)]
        reviewer: Option<String>,
    },
    /// Make a stored version the active one (roll back or forward).
    Activate {
        /// Dataset or source name (e.g. us_ofac_sdn or ofac-sdn).
        source: String,
        /// The version to make active (as `lists versions` shows it).
        version: String,
    },
}

fn dataset_name(s: &str) -> String {
    SourceKind::from_cli(s)
        .map(|k| k.dataset().to_string())
        .unwrap_or_else(|| s.to_string())
}

pub fn run(data_dir: &Path, a: ListsArgs) -> Result<ExitCode> {
    let store = Catalog::open_with_store(data_dir, a.store.as_deref())?;
    match a.command {
        None => {
            let lists = store.lists()?;
            if a.json {
                outln!("{}", serde_json::to_string_pretty(&lists)?);
            } else if lists.is_empty() {
                outln!("No lists imported in {}. Screening uses the embedded Xinjiang regime pack ({}).", data_dir.display(), embargo_app::pack_version().version);
                outln!("Import one with `embargo lists import FILE` or download with `embargo update`.");
            } else {
                let rows: Vec<Vec<String>> = lists
                    .iter()
                    .map(|l| {
                        let v = &l.active;
                        vec![
                            v.dataset.clone(),
                            v.version.clone(),
                            v.entity_count.to_string(),
                            v.published
                                .map(|d| d.to_string())
                                .unwrap_or_else(|| "-".into()),
                            l.versions_kept.to_string(),
                            v.origin.clone(),
                        ]
                    })
                    .collect();
                let header = [
                    "dataset",
                    "active version",
                    "entities",
                    "published",
                    "versions",
                    "origin",
                ];
                let right = [false, false, true, false, true, false];
                for line in crate::output::table(&header, &rows, &right, crate::output::width()) {
                    outln!("{line}");
                }
            }
        }
        Some(ListsCommand::Import {
            file,
            source,
            dataset,
            published,
            allow_shrink,
            allow_older,
        }) => {
            let kind = match source.as_deref() {
                Some(s) => match SourceKind::from_cli(s) {
                    Some(k) => Some(k),
                    None => bail!("unknown --source {s:?}; use one of ofac-sdn, ofac-cons, csl, dpl, un, ftm, custom, uflpa"),
                },
                None => None,
            };
            let opts = ImportOptions {
                kind,
                dataset: dataset.clone(),
                published,
                last_modified: None,
                allow_shrink,
                allow_older,
            };
            let report = store.import(&embargo_app::cli_actor(), &file, &opts)?;
            for w in &report.warnings {
                eprintln!("warning: {w}");
            }
            let v = &report.version;
            if report.imported && !report.activated {
                outln!(
                    "Stored {} version {} as history: {} entities, published {} (before the active version, which stays active).",
                    v.dataset,
                    v.version,
                    v.entity_count,
                    v.published.map(|d| d.to_string()).unwrap_or_default()
                );
            } else if report.imported {
                outln!(
                    "Imported {} version {}: {} entities (sha256 {}).",
                    v.dataset,
                    v.version,
                    v.entity_count,
                    &v.sha256[..16.min(v.sha256.len())]
                );
            } else {
                outln!(
                    "Unchanged: {} is identical to the active version {} of {}; nothing imported.",
                    file.display(),
                    v.version,
                    v.dataset
                );
            }
            if a.json {
                outln!("{}", serde_json::to_string_pretty(&report)?);
            }
            if report.activated {
                crate::cmd::monitor::after_list_change(data_dir)?;
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
                outln!("{}", serde_json::to_string_pretty(&diff)?);
            } else {
                outln!(
                    "{}: {} -> {}",
                    diff.dataset,
                    diff.old.version,
                    diff.new.version
                );
                outln!(
                    "{} added, {} removed, {} changed",
                    diff.added.len(),
                    diff.removed.len(),
                    diff.changed.len()
                );
                for e in &diff.added {
                    outln!("  + {}  {}", e.id, e.caption());
                }
                for e in &diff.removed {
                    outln!("  - {}  {}", e.id, e.caption());
                }
                for c in &diff.changed {
                    outln!("  ~ {}  {}", c.id, c.caption);
                    if full {
                        for f in &c.fields {
                            outln!("      {}: {} -> {}", f.field, f.old, f.new);
                        }
                    } else {
                        let names: Vec<&str> = c.fields.iter().map(|f| f.field.as_str()).collect();
                        outln!("      fields: {}", names.join(", "));
                    }
                }
            }
        }
        Some(ListsCommand::Versions { source }) => {
            let ds = dataset_name(&source);
            let versions = store.versions(&ds)?;
            let active = store.active_version(&ds)?.map(|v| v.version);
            if a.json {
                let rows: Vec<serde_json::Value> = versions
                    .iter()
                    .map(|v| {
                        let mut j = serde_json::to_value(v)?;
                        j["active"] = (active.as_deref() == Some(v.version.as_str())).into();
                        Ok(j)
                    })
                    .collect::<Result<_, serde_json::Error>>()?;
                outln!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                outln!(
                    "  {:<28} {:>9}  {:<10} {:<18}  {:<16}  origin",
                    "version",
                    "entities",
                    "published",
                    "(date from)",
                    "imported"
                );
                for v in versions {
                    let mark = if active.as_deref() == Some(v.version.as_str()) {
                        '*'
                    } else {
                        ' '
                    };
                    outln!(
                        "{mark} {:<28} {:>9}  {:<10} {:<18}  {:<16}  {}",
                        v.version,
                        v.entity_count,
                        v.published
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "-".into()),
                        format!(
                            "({})",
                            v.published_basis.map(|b| b.as_str()).unwrap_or("unknown")
                        ),
                        v.imported_at.format("%Y-%m-%d %H:%M"),
                        v.origin
                    );
                }
                outln!("* active version");
            }
        }
        Some(ListsCommand::Links { entity }) => {
            let app = embargo_app::App::open_with_store(data_dir, a.store.as_deref())?;
            let snap = app.snapshot();
            let links: Vec<_> = snap
                .subjects
                .links
                .iter()
                .filter(|l| {
                    entity
                        .as_deref()
                        .is_none_or(|e| l.from.as_str() == e || l.to.as_str() == e)
                })
                .collect();
            if a.json {
                outln!("{}", serde_json::to_string_pretty(&links)?);
            } else {
                outln!(
                    "{} links make {} subjects of more than one record (rules: crates/embargo-app/src/consolidate.rs)",
                    snap.subjects.links.len(),
                    snap.subjects.linked_subjects()
                );
                for l in links {
                    outln!("{}  =  {}  ({})", l.from, l.to, l.reason);
                }
            }
        }
        Some(ListsCommand::Judge {
            a: first,
            b: second,
            same,
            different: _,
            reason,
            reviewer,
        }) => {
            let verdict = if same {
                embargo_app::types::LinkVerdict::Same
            } else {
                embargo_app::types::LinkVerdict::Different
            };
            let who = reviewer.unwrap_or_else(embargo_app::cli_actor);
            let j = store
                .judge_link(
                    &who,
                    &embargo_model::EntityId(first),
                    &embargo_model::EntityId(second),
                    verdict,
                    &reason,
                )
                .map_err(crate::output::flag_error)?;
            if a.json {
                outln!("{}", serde_json::to_string_pretty(&j)?);
            } else {
                outln!(
                    "Recorded: {} and {} are {} ({}, by {}).",
                    j.a,
                    j.b,
                    if same {
                        "one party"
                    } else {
                        "different parties"
                    },
                    j.reason,
                    j.reviewer
                );
            }
        }
        Some(ListsCommand::Activate { source, version }) => {
            let ds = dataset_name(&source);
            store.activate(&embargo_app::cli_actor(), &ds, &version)?;
            outln!("{ds}: version {version} is now active.");
        }
    }
    Ok(ExitCode::SUCCESS)
}
