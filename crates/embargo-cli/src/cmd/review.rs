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
    /// `false-positive` clears the hit (four eyes where the policy asks);
    /// `true-match` confirms it.
    #[arg(long, value_enum)]
    pub verdict: VerdictArg,
    /// Why: kept in the audit record and shown with the hit from now on.
    #[arg(long)]
    pub reason: String,
    /// Who is reviewing (default: the data directory's reviewer, set with
    /// `embargo config set reviewer NAME`). Required one way or the other.
    #[arg(long)]
    pub reviewer: Option<String>,
    /// The decision lapses on this date (YYYY-MM-DD).
    #[arg(long)]
    pub expires: Option<NaiveDate>,
    /// The schema the name was screened with (Person, Company, …), if any.
    #[arg(long)]
    pub schema: Option<String>,
    /// The birth date the name was screened with (YYYY, YYYY-MM or YYYY-MM-DD), if any.
    #[arg(long)]
    pub dob: Option<String>,
    /// The country the name was screened with (ISO 3166-1 alpha-2), if any.
    #[arg(long)]
    pub country: Option<String>,
    /// Print the recorded review, the entity it rests on and its state as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(data_dir: &Path, a: ReviewArgs) -> Result<ExitCode> {
    let input_name = a.name.clone();
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
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&done)?);
        return Ok(ExitCode::SUCCESS);
    }
    // One line a reviewer can read back: what was recorded where, then the
    // hit's state now (e.g. waiting for a second reviewer).
    let r = &done.review;
    let caption = r.entity.as_ref().map(|e| e.caption()).unwrap_or("");
    let score = done
        .score
        .map(|s| format!(", score {s:.2}"))
        .unwrap_or_else(|| ", not reached by this name".into());
    outln!(
        "Recorded review {} (audit record {}): {} marked {} \"{}\" a {} for {:?}{}.",
        r.id,
        r.audit_seq,
        r.reviewer,
        r.entity_id,
        caption,
        r.verdict.as_str().replace('_', " "),
        input_name,
        score
    );
    outln!("{}", done.mark.message);
    Ok(ExitCode::SUCCESS)
}
