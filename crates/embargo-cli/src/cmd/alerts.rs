//! `embargo alerts`: the monitoring work queue, and resolving an alert
//! through the review workflow.

use anyhow::Result;
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use embargo_app::types::Verdict;
use embargo_app::{AlertFilter, AlertResolution, App};
use std::path::Path;
use std::process::ExitCode;

#[derive(Args)]
pub struct AlertsArgs {
    #[command(subcommand)]
    pub command: Option<AlertsCommand>,
    /// Only alerts still to work (open or under review).
    #[arg(long)]
    pub open: bool,
    /// Only alerts in this state (open, under_review, cleared, confirmed, closed); repeatable.
    #[arg(long)]
    pub state: Vec<String>,
    /// Only alerts of this book.
    #[arg(long)]
    pub book: Option<String>,
    /// Only alerts of this customer id.
    #[arg(long)]
    pub customer: Option<String>,
    /// At most this many alerts, newest first.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Print JSON.
    #[arg(long, global = true, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV.
    #[arg(long, global = true)]
    pub csv: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum VerdictArg {
    TrueMatch,
    FalsePositive,
}

#[derive(Subcommand)]
pub enum AlertsCommand {
    /// One alert with its explanation and history.
    Show {
        /// The alert's id.
        id: i64,
    },
    /// Resolve an alert: a review decision on the customer's hit (audited; a clear may need a second reviewer).
    Resolve {
        /// The alert's id.
        id: i64,
        /// true-match (confirmed) or false-positive (cleared).
        #[arg(long, value_enum)]
        verdict: VerdictArg,
        /// Why: recorded with the decision.
        #[arg(long)]
        reason: String,
        /// Who is reviewing (default: the data directory's reviewer).
        #[arg(long)]
        reviewer: Option<String>,
        /// The decision lapses on this date (YYYY-MM-DD).
        #[arg(long)]
        expires: Option<NaiveDate>,
    },
}

pub fn run(data_dir: &Path, a: AlertsArgs) -> Result<ExitCode> {
    let app = App::open(data_dir)?;
    match a.command {
        None => {
            let mut states = a.state.clone();
            if a.open {
                states.extend(["open".to_string(), "under_review".to_string()]);
            }
            let alerts = app
                .alerts(&AlertFilter {
                    book: a.book,
                    states,
                    customer_id: a.customer,
                    entity_id: None,
                    limit: a.limit,
                })
                .map_err(crate::output::flag_error)?;
            if a.json {
                outln!("{}", serde_json::to_string_pretty(&alerts)?);
            } else if a.csv {
                let bytes = embargo_app::alerts::alerts_csv(&alerts)?;
                use std::io::Write as _;
                std::io::stdout().lock().write_all(&bytes)?;
            } else if alerts.is_empty() {
                outln!("No alerts.");
            } else {
                let rows: Vec<Vec<String>> = alerts
                    .iter()
                    .map(|x| {
                        vec![
                            x.id.to_string(),
                            x.state.clone(),
                            x.book.clone(),
                            format!("{} {}", x.customer_id, x.customer_name),
                            format!("{:.2}", x.score),
                            format!("{} [{}]", x.caption, x.lists()),
                            x.cause.clone(),
                        ]
                    })
                    .collect();
                let header = [
                    "id",
                    "state",
                    "book",
                    "customer",
                    "score",
                    "listed subject",
                    "cause",
                ];
                for line in crate::output::table(
                    &header,
                    &rows,
                    &[true, false, false, false, true, false, false],
                    crate::output::width(),
                ) {
                    outln!("{line}");
                }
            }
            let open = alerts
                .iter()
                .any(|x| x.state == "open" || x.state == "under_review");
            Ok(crate::exit::outcome(open))
        }
        Some(AlertsCommand::Show { id }) => {
            let x = app.alert(id).map_err(crate::output::flag_error)?;
            if a.json {
                outln!("{}", serde_json::to_string_pretty(&x)?);
                return Ok(ExitCode::SUCCESS);
            }
            outln!("Alert {} [{}] book {}", x.id, x.state, x.book);
            outln!("Customer: {} {}", x.customer_id, x.customer);
            outln!(
                "Listed:   {} ({}), score {:.2}, {}",
                x.caption,
                x.entity_id,
                x.score,
                x.list_version
            );
            for r in &x.subject {
                outln!(
                    "  record {} {} — {}{} [{}]",
                    r.entity_id,
                    r.caption,
                    r.source,
                    r.list
                        .as_deref()
                        .map(|l| format!(" / {l}"))
                        .unwrap_or_default(),
                    r.programs.join(" ")
                );
            }
            outln!("Cause:    {}", x.cause);
            if !x.state_reason.is_empty() {
                outln!("State:    {}", x.state_reason);
            }
            outln!("Why it matched:");
            for l in x.explanation_text.lines() {
                outln!("  {l}");
            }
            outln!("History:");
            for e in &x.history {
                outln!(
                    "  {} {} {} -> {}: {}{}",
                    e.at,
                    e.actor,
                    e.event,
                    e.state,
                    e.detail,
                    e.audit_seq
                        .map(|s| format!(" (audit #{s})"))
                        .unwrap_or_default()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(AlertsCommand::Resolve {
            id,
            verdict,
            reason,
            reviewer,
            expires,
        }) => {
            let reviewer = match reviewer {
                Some(r) => r,
                None => embargo_app::configured_reviewer(data_dir)?.ok_or_else(|| {
                    anyhow::anyhow!(
                        "resolving an alert needs a reviewer: pass --reviewer NAME, or set one with `embargo config set reviewer NAME`"
                    )
                })?,
            };
            let verdict = match verdict {
                VerdictArg::TrueMatch => Verdict::TrueMatch,
                VerdictArg::FalsePositive => Verdict::FalsePositive,
            };
            let done = app
                .resolve_alert(
                    &reviewer,
                    id,
                    &AlertResolution {
                        verdict: verdict.as_str().to_string(),
                        reason,
                        expires: expires.map(|d| d.to_string()),
                    },
                )
                .map_err(crate::output::flag_error)?;
            if a.json {
                outln!("{}", serde_json::to_string_pretty(&done)?);
            } else {
                outln!(
                    "Alert {} is now {}: {}",
                    id,
                    done.alert.state,
                    done.review.mark.message
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
