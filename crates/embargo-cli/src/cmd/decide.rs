use anyhow::{Context, Result};
use clap::Args;
use embargo_app::App;
use embargo_audit::{NewRecord, RecordKind};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct DecideArgs {
    /// Transaction JSON (the format of docs/transactions.md); `-` reads stdin.
    pub file: PathBuf,
    /// Print the findings as JSON.
    #[arg(long)]
    pub json: bool,
    /// Print the full report: reasons, evidence, dates and citations per finding.
    #[arg(long)]
    pub explain: bool,
}

pub fn run(data_dir: &Path, a: DecideArgs) -> Result<ExitCode> {
    let text = if a.file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("cannot read the transaction from stdin")?;
        s
    } else {
        std::fs::read_to_string(&a.file)
            .with_context(|| format!("cannot read {}", a.file.display()))?
    };
    // A worked-case file wraps the transaction with its expected findings;
    // accept it as well, so `embargo decide cases/A1.json` just works.
    let text = match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(serde_json::Value::Object(mut m)) if m.contains_key("transaction") => {
            serde_json::to_string(&m.remove("transaction").unwrap_or_default())?
        }
        _ => text,
    };
    let tx =
        embargo_rules::parse_transaction(&text).with_context(|| format!("{}", a.file.display()))?;
    let app = App::open(data_dir)?;
    let snap = app.snapshot();
    let decision = snap.engine.decide(&tx);
    let result = serde_json::to_value(&decision)?;
    app.audit.append(NewRecord {
        kind: RecordKind::Decide,
        actor: embargo_app::cli_actor(),
        request: serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        result: result.clone(),
        list_versions: snap.version_labels(),
    })?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print!("{}", decision.to_text());
        if !a.explain {
            println!("(run with --explain for reasons, evidence and dates)");
        }
    }
    Ok(ExitCode::SUCCESS)
}
