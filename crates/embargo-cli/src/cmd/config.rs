//! `embargo config set|get KEY [VALUE]`: settings of the data directory
//! (`config.toml`): `reviewer` (who `embargo review` records as) and
//! `approval_threshold` (score from which a clear needs a second reviewer).

use anyhow::Result;
use clap::{Args, Subcommand};
use std::path::Path;
use std::process::ExitCode;

#[derive(Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: ConfigAction,
}

#[derive(Subcommand)]
pub enum ConfigAction {
    /// Set a setting: `reviewer NAME` or `approval_threshold 0.90`.
    Set {
        /// `reviewer` or `approval_threshold`.
        key: String,
        /// The new value.
        value: String,
    },
    /// Print a setting (exit 1 when it is not set).
    Get {
        /// `reviewer` or `approval_threshold`.
        key: String,
    },
}

pub fn run(data_dir: &Path, a: ConfigArgs) -> Result<ExitCode> {
    match a.action {
        ConfigAction::Set { key, value } => {
            // Audited as the CLI's user (embargo-app settings).
            embargo_app::config_set_as(data_dir, &key, &value, &embargo_app::cli_actor())?;
            let now = embargo_app::config_get(data_dir, &key)?.unwrap_or_default();
            outln!("{key} = {now}");
            Ok(ExitCode::SUCCESS)
        }
        ConfigAction::Get { key } => match embargo_app::config_get(data_dir, &key)? {
            Some(v) => {
                outln!("{v}");
                Ok(ExitCode::SUCCESS)
            }
            None if key == "approval_threshold" => {
                outln!("{}", embargo_app::DEFAULT_APPROVAL_THRESHOLD);
                Ok(ExitCode::SUCCESS)
            }
            None => {
                eprintln!("{key} is not set (embargo config set {key} …)");
                Ok(ExitCode::from(1))
            }
        },
    }
}
