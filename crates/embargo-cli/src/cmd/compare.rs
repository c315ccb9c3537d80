use super::screen::AlgorithmArg;
use anyhow::{Context, Result};
use clap::Args;
use embargo_app::types::{Algorithm, DEFAULT_THRESHOLD, OFAC_THRESHOLD};
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct CompareArgs {
    /// CSV with header `schema,name1,name2` (extra columns are passed through).
    #[arg(long)]
    pub pairs: PathBuf,
    /// Output CSV (default: stdout): the input rows plus `score` and `match`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Score at or above which a pair is a match (the `match` column);
    /// default 0.75 for the embargo algorithm, 0.95 for ofac.
    #[arg(long)]
    pub threshold: Option<f64>,
    /// The scoring algorithm: embargo, or ofac to reproduce OFAC Sanctions
    /// List Search scores.
    #[arg(long, value_enum, default_value = "embargo")]
    pub algorithm: AlgorithmArg,
}

pub fn run(a: CompareArgs) -> Result<ExitCode> {
    let mut out: Box<dyn Write> = match &a.out {
        Some(p) => {
            Box::new(File::create(p).with_context(|| format!("cannot create {}", p.display()))?)
        }
        None => Box::new(std::io::stdout().lock()),
    };
    let input =
        File::open(&a.pairs).with_context(|| format!("cannot open {}", a.pairs.display()))?;
    let (algorithm, default) = match a.algorithm {
        AlgorithmArg::Embargo => (Algorithm::Embargo, DEFAULT_THRESHOLD),
        AlgorithmArg::Ofac => (Algorithm::Ofac, OFAC_THRESHOLD),
    };
    let threshold = a.threshold.unwrap_or(default);
    let n = embargo_app::compare_pairs(input, &mut out, threshold, algorithm)
        .with_context(|| format!("{}", a.pairs.display()))?;
    out.flush()?;
    eprintln!("{n} pairs scored at threshold {threshold:.2}");
    Ok(ExitCode::SUCCESS)
}
