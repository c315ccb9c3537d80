use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use embargo_app::App;
use embargo_audit::{subject_key, NewReview, Verdict};
use embargo_model::EntityId;
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
    /// Reviewer name (default: the current user).
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
    if a.reason.trim().is_empty() {
        bail!("--reason must say why");
    }
    let app = App::open(data_dir)?;
    let snap = app.snapshot();
    let id = EntityId(a.entity_id.clone());
    let entity = snap
        .entity(&id)
        .with_context(|| format!("no entity {id} in the loaded lists"))?;
    let verdict = match a.verdict {
        VerdictArg::TrueMatch => Verdict::TrueMatch,
        VerdictArg::FalsePositive => Verdict::FalsePositive,
    };
    let review = app.audit.record_review(NewReview::for_entity(
        subject_key(
            &a.name,
            a.schema.as_deref(),
            a.dob.as_deref(),
            a.country.as_deref(),
        ),
        entity,
        verdict,
        a.reason,
        a.reviewer.unwrap_or_else(embargo_app::cli_actor),
        a.expires,
    ))?;
    println!("{}", serde_json::to_string_pretty(&review)?);
    Ok(ExitCode::SUCCESS)
}
