use anyhow::{Context, Result};
use chrono::{NaiveDate, TimeZone, Utc};
use clap::{Args, Subcommand};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: AuditCommand,
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain; exit 1 if any record was altered, removed or reordered.
    Verify,
    /// Write records as JSON lines.
    Export {
        /// Only records on or after this date (YYYY-MM-DD).
        #[arg(long)]
        since: Option<NaiveDate>,
        /// Output file (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub fn run(data_dir: &Path, a: AuditArgs) -> Result<ExitCode> {
    match a.command {
        AuditCommand::Verify => {
            let report = embargo_app::verify_audit(data_dir)
                .with_context(|| format!("the audit log in {}", data_dir.display()))?;
            if report.ok {
                println!("audit log OK: {} records, chain intact", report.records);
                Ok(ExitCode::SUCCESS)
            } else {
                match &report.first_bad {
                    Some((seq, why)) => println!("audit log BROKEN at record {seq}: {why}"),
                    None => println!("audit log BROKEN"),
                }
                Ok(ExitCode::from(1))
            }
        }
        AuditCommand::Export { since, out } => {
            let since = since
                .map(|d| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight exists")));
            let mut w: Box<dyn Write> = match &out {
                Some(p) => Box::new(
                    File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
                ),
                None => Box::new(std::io::stdout().lock()),
            };
            let n = embargo_app::export_audit(data_dir, since, &mut w)
                .with_context(|| format!("the audit log in {}", data_dir.display()))?;
            w.flush()?;
            eprintln!("{n} records exported");
            Ok(ExitCode::SUCCESS)
        }
    }
}
