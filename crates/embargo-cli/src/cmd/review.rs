use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use embargo_app::App;
use embargo_audit::{NewReview, Verdict};
use embargo_model::{Country, EntityId, PartialDate, Schema};
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
    let schema = a
        .schema
        .as_deref()
        .map(|s| Schema::parse(s).with_context(|| format!("--schema {s:?} is not a schema")))
        .transpose()?;
    let dob = a
        .dob
        .as_deref()
        .map(|d| PartialDate::parse_iso(d).with_context(|| format!("--dob {d:?}")))
        .transpose()?;
    let country = a
        .country
        .as_deref()
        .map(|c| {
            Country::parse(c).with_context(|| {
                format!("--country {c:?} is not an ISO-2 code or a known country name")
            })
        })
        .transpose()?;
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
        embargo_app::review_subject(&a.name, schema, dob, country),
        entity,
        verdict,
        a.reason,
        a.reviewer.unwrap_or_else(embargo_app::cli_actor),
        a.expires,
    ))?;
    println!("{}", serde_json::to_string_pretty(&review)?);
    Ok(ExitCode::SUCCESS)
}
