use anyhow::{Context, Result};
use clap::Args;
use embargo_app::types::DEFAULT_THRESHOLD;
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
    /// Score at or above which a pair is a match (the `match` column).
    #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
    pub threshold: f64,
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
    let n = embargo_app::compare_pairs(input, &mut out, a.threshold)
        .with_context(|| format!("{}", a.pairs.display()))?;
    out.flush()?;
    eprintln!("{n} pairs scored at threshold {:.2}", a.threshold);
    Ok(ExitCode::SUCCESS)
}
