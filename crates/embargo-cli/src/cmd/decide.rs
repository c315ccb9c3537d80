use anyhow::{Context, Result};
use clap::Args;
use embargo_app::App;
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
    /// Also write a filing report of this decision to FILE as PDF
    /// (transaction, lists and versions consulted with publication dates,
    /// findings with citations, review decisions applied, audit record and
    /// chain head; one to three pages).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
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
    let app = App::open(data_dir)?;
    let decided = app
        .decide(&embargo_app::cli_actor(), &text)
        .with_context(|| format!("{}", a.file.display()))?;
    if a.json {
        // The one decision document of every front end (docs/json.md).
        outln!("{}", serde_json::to_string_pretty(&decided.document())?);
    } else {
        // The engine's header names the lists its findings rest on; the
        // closing line names every list version consulted, hit or not, so
        // a decision with no hit still says what it searched.
        // Short form: outcome and action per finding; --explain adds the
        // rule, reasons, evidence, dates and citations.
        let text = if a.explain {
            decided.decision.to_text()
        } else {
            decided.decision.to_short_text()
        };
        let consulted = decided.snapshot.version_labels();
        let versions = &decided.decision.list_versions;
        // Dropped only when the closing line repeats it (a dated decision
        // may rest on a stored older version, which it keeps naming).
        let repeated = !versions.is_empty() && versions.iter().all(|v| consulted.contains(v));
        let header = repeated.then(|| {
            format!(
                "Lists consulted: {}",
                decided.decision.list_versions.join(", ")
            )
        });
        // Each line fitted to the terminal, continuation lines indented
        // under the line's text; `--wide` or a pipe keeps lines whole.
        let width = crate::output::width();
        let mut lines: Vec<String> = text
            .lines()
            .filter(|line| header.as_deref() != Some(*line))
            .map(str::to_string)
            .collect();
        if !a.explain {
            lines.push("(run with --explain for reasons, evidence and dates)".into());
        }
        lines.push(format!("Lists consulted: {}", consulted.join(", ")));
        for line in &lines {
            for l in crate::output::fit(line, width, crate::output::hang_of(line)) {
                outln!("{l}");
            }
        }
    }
    if let Some(path) = &a.report {
        let rendered = app.decision_report(&decided)?;
        crate::output::write_report(path, &rendered)?;
    }
    Ok(crate::exit::outcome(decided.decision.needs_action()))
}
