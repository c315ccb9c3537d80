use anyhow::{Context, Result};
use chrono::{NaiveDate, TimeZone, Utc};
use clap::{Args, Subcommand};
use embargo_app::audit_admin;
use embargo_app::types::VerifyReport;
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
    /// Check the log: hash chain, reviews, API keys and signed checkpoints;
    /// exit 1 if any record was altered, removed, reordered or cut off, a
    /// checkpoint is forged, or the log was deleted. Never creates the log.
    Verify {
        /// A checkpoint file to check as well as <data dir>/audit.checkpoints
        /// (e.g. a copy kept elsewhere); repeatable.
        #[arg(long = "checkpoint", value_name = "FILE")]
        checkpoints: Vec<PathBuf>,
        /// The public key checkpoints must be signed with (64 hex digits or a
        /// file holding them); default: the data directory's own key.
        #[arg(long, value_name = "KEY")]
        public_key: Option<String>,
        /// Verify the audit chain in a shared store (`postgres://…`)
        /// instead of the data directory's log.
        #[arg(long, env = "EMBARGO_STORE", value_name = "URL")]
        store: Option<String>,
    },
    /// Write a signed checkpoint, then records as JSON lines.
    Export {
        /// Only records on or after this date (YYYY-MM-DD).
        #[arg(long)]
        since: Option<NaiveDate>,
        /// Output file (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Sign a checkpoint of the log now (table and audit.checkpoints) and print it.
    Checkpoint,
    /// Print the log's Ed25519 public key (give it to whoever verifies).
    PublicKey,
    /// Prove that one row of a batch screen is committed to by the batch's
    /// chained audit record: prints the row's stored result, its leaf hash,
    /// the Merkle audit path and the root, and checks the path (exit 1 if it
    /// does not lead to the root).
    Prove {
        /// The batch: its audit record number or run id (printed by `batch`).
        #[arg(long, value_name = "ID")]
        batch: String,
        /// The row number, 1 for the first data row.
        #[arg(long, value_name = "N")]
        row: u64,
        /// Print the proof as JSON.
        #[arg(long)]
        json: bool,
    },
}

fn print_report(report: &VerifyReport) -> Result<()> {
    if report.ok {
        print!("audit log OK: {} records, chain intact", report.records);
        match &report.last_checkpoint {
            Some(cp) => outln!(
                "; {} signed checkpoint(s) verified, the last (checkpoint {}, {}) covers records 1-{}",
                report.checkpoints, cp.n, cp.ts, cp.head_seq
            ),
            None => outln!("; no signed checkpoint yet"),
        }
    } else {
        match &report.first_bad {
            Some((0, why)) => outln!("audit log BROKEN: {why}"),
            Some((seq, why)) => outln!("audit log BROKEN at record {seq}: {why}"),
            None => outln!("audit log BROKEN"),
        }
        for p in report.problems.iter().skip(1) {
            outln!("  also: {p}");
        }
    }
    for n in &report.notes {
        outln!("  note: {n}");
    }
    Ok(())
}

pub fn run(data_dir: &Path, a: AuditArgs) -> Result<ExitCode> {
    let context = || format!("the audit log in {}", data_dir.display());
    match a.command {
        AuditCommand::Verify {
            checkpoints,
            public_key,
            store,
        } => {
            let report = match store {
                Some(url) => crate::cmd::consume::verify_shared(&url)?,
                None => {
                    audit_admin::verify(data_dir, checkpoints, public_key).with_context(context)?
                }
            };
            print_report(&report)?;
            Ok(if report.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
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
            let (n, cp) = audit_admin::export(data_dir, since, &mut w).with_context(context)?;
            w.flush()?;
            eprintln!("{n} records exported");
            eprintln!(
                "checkpoint {} signed over records 1-{} (head {}); appended to {}",
                cp.n,
                cp.head_seq,
                cp.head_hash,
                data_dir.join(audit_admin::CHECKPOINT_FILE).display()
            );
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Checkpoint => {
            let cp = audit_admin::checkpoint(data_dir).with_context(context)?;
            outln!("{}", cp.to_json_line());
            eprintln!(
                "checkpoint {} signed over records 1-{}; appended to {}",
                cp.n,
                cp.head_seq,
                data_dir.join(audit_admin::CHECKPOINT_FILE).display()
            );
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Prove { batch, row, json } => {
            let p = audit_admin::prove(data_dir, &batch, row).with_context(context)?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&p)?);
            } else {
                outln!(
                    "row {} of batch record {} (run {}, {} rows): {}",
                    p.row,
                    p.seq,
                    p.run_id,
                    p.rows,
                    if p.verified { "included" } else { "NOT proved" }
                );
                outln!(
                    "  row result: {}",
                    embargo_app::types::canonical_json(&p.body)
                );
                outln!("  leaf:       {}", p.leaf);
                for (i, h) in p.path.iter().enumerate() {
                    outln!("  path[{i}]:    {h}");
                }
                outln!(
                    "  root:       {} (in audit record {}, hash {})",
                    p.root,
                    p.seq,
                    p.record_hash
                );
                outln!("  the record itself is checked by `embargo audit verify` (chain and signed checkpoints)");
            }
            Ok(if p.verified {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        AuditCommand::PublicKey => {
            outln!(
                "{}",
                audit_admin::public_key(data_dir).with_context(context)?
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
