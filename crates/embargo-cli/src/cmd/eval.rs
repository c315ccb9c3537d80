use anyhow::{bail, Result};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct EvalArgs {
    /// The shared data folder holding eval/ and data/lists/ (default: ../shared).
    #[arg(long, env = "EMBARGO_SHARED_DIR")]
    pub shared: Option<PathBuf>,
    /// Print JSON instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Measure the matcher's rules one by one: run every set once more per
    /// rule of the profile with that rule off, and report each rule's
    /// effect on the dev and test splits.
    #[arg(long)]
    pub ablate: bool,
}

pub fn run(a: EvalArgs) -> Result<ExitCode> {
    let shared = a.shared.unwrap_or_else(|| PathBuf::from("../shared"));
    if !shared.join("eval").is_dir() {
        bail!(
            "no evaluation sets in {} (expected an eval/ folder); pass --shared DIR",
            shared.display()
        );
    }
    if a.ablate {
        let report = embargo_eval::ablation::run(&shared);
        if a.json {
            outln!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            outln!("{}", report.baseline);
            outln!("{report}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let report = embargo_eval::run_all(&shared);
    if a.json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        outln!("{report}");
    }
    Ok(ExitCode::SUCCESS)
}
