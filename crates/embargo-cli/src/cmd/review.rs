use crate::output;
use anyhow::Result;
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use embargo_app::types::Verdict;
use embargo_app::{App, ReviewInput};
use std::path::Path;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum VerdictArg {
    TrueMatch,
    FalsePositive,
}

#[derive(Args)]
pub struct ReviewArgs {
    /// The screened name, as it was screened.
    pub name: String,
    /// The hit's entity id (as shown by `embargo screen`).
    pub entity_id: String,
    #[arg(long, value_enum)]
    pub verdict: VerdictArg,
    #[arg(long)]
    pub reason: String,
    /// Who is reviewing (default: the data directory's reviewer, set with
    /// `embargo config set reviewer NAME`). Required one way or the other.
    #[arg(long)]
    pub reviewer: Option<String>,
    /// The decision lapses on this date (YYYY-MM-DD).
    #[arg(long)]
    pub expires: Option<NaiveDate>,
    #[arg(long)]
    pub schema: Option<String>,
    #[arg(long)]
    pub dob: Option<String>,
    #[arg(long)]
    pub country: Option<String>,
}

pub fn run(data_dir: &Path, a: ReviewArgs) -> Result<ExitCode> {
    let input = ReviewInput {
        name: a.name,
        schema: a.schema,
        birth_date: a.dob,
        country: a.country,
        entity_id: a.entity_id,
        verdict: match a.verdict {
            VerdictArg::TrueMatch => Verdict::TrueMatch,
            VerdictArg::FalsePositive => Verdict::FalsePositive,
        }
        .as_str()
        .to_string(),
        reason: a.reason,
        expires: a.expires.map(|d| d.to_string()),
    };
    let reviewer = match a.reviewer {
        Some(r) => r,
        None => embargo_app::configured_reviewer(data_dir)?.ok_or_else(|| {
            anyhow::anyhow!(
                "a review needs a reviewer: pass --reviewer NAME, or set one for this data directory with `embargo config set reviewer NAME`"
            )
        })?,
    };
    let app = App::open(data_dir)?;
    let done = app.review(&reviewer, &input).map_err(output::flag_error)?;
    outln!("{}", serde_json::to_string_pretty(&done)?);
    if done.mark.status == "pending_approval" {
        eprintln!("{}", done.mark.message);
    }
    Ok(ExitCode::SUCCESS)
}
