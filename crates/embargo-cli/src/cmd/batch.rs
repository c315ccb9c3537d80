use super::screen::AlgorithmArg;
use anyhow::{Context, Result};
use clap::Args;
use embargo_app::types::{Algorithm, ScreenOptions, DEFAULT_THRESHOLD, OFAC_THRESHOLD};
use embargo_app::{App, BatchConfig};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct BatchArgs {
    /// Input CSV with a header row.
    pub file: PathBuf,
    /// The header of the column holding the name to screen.
    #[arg(long, value_name = "COLUMN")]
    pub name_column: String,
    /// The column holding what each name belongs to (Person, Organization,
    /// Company, Vessel, Aircraft); narrows candidates like `screen --schema`.
    #[arg(long, value_name = "COLUMN")]
    pub schema_column: Option<String>,
    /// The column holding each subject's country (ISO-2, e.g. CN).
    #[arg(long, value_name = "COLUMN")]
    pub country_column: Option<String>,
    /// The column holding each subject's date or year of birth (1955,
    /// 1955-06 or 1955-06-18).
    #[arg(long, value_name = "COLUMN")]
    pub dob_column: Option<String>,
    /// Output file: .csv (best hit per row) or .jsonl/.ndjson (every hit per
    /// row); another extension is an error unless --format says which.
    #[arg(long)]
    pub out: PathBuf,
    /// Output format (csv or jsonl), whatever the output's extension.
    #[arg(long)]
    pub format: Option<String>,
    /// CSV with one row per hit above the threshold (rank, score, list,
    /// programmes, consolidated subject, measures), not only the best.
    #[arg(long)]
    pub all_hits: bool,
    /// Continue a run that was killed, from the last row it committed
    /// (OUT.partial and OUT.checkpoint); the input, options and lists must
    /// be the same.
    #[arg(long)]
    pub resume: bool,
    /// Rows screened between two checkpoints.
    #[arg(long, default_value_t = 8192, value_name = "ROWS")]
    pub checkpoint_rows: usize,
    /// Minimum score for a hit to be written (default: 0.75 for the
    /// embargo algorithm, 0.95 for ofac).
    #[arg(long)]
    pub threshold: Option<f64>,
    /// The scoring algorithm: embargo, or ofac to reproduce OFAC Sanctions
    /// List Search scores (compares every name on the lists: slower).
    #[arg(long, value_enum, default_value = "embargo")]
    pub algorithm: AlgorithmArg,
    /// Only screen these datasets.
    #[arg(long)]
    pub dataset: Vec<String>,
}

pub fn run(data_dir: &Path, a: BatchArgs) -> Result<ExitCode> {
    let (algorithm, default) = match a.algorithm {
        AlgorithmArg::Embargo => (Algorithm::Embargo, DEFAULT_THRESHOLD),
        AlgorithmArg::Ofac => (Algorithm::Ofac, OFAC_THRESHOLD),
    };
    let threshold = a.threshold.unwrap_or(default);
    let size = std::fs::metadata(&a.file)
        .with_context(|| format!("cannot open {}", a.file.display()))?
        .len();
    let format = embargo_app::output_format(&a.out, a.format.as_deref())
        .map_err(crate::output::flag_error)?;
    let jsonl = format == embargo_app::OutputFormat::Jsonl;
    let app = App::open(data_dir)?;
    // Rows are not counted up front (that would read the file twice): the
    // bar follows the bytes read and the message counts rows.
    let bar = ProgressBar::new(size);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {percent:>3}% {msg} elapsed {elapsed}, eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let cfg = BatchConfig {
        name_column: a.name_column,
        schema_column: a.schema_column,
        country_column: a.country_column,
        dob_column: a.dob_column,
        options: ScreenOptions {
            threshold,
            algorithm,
            limit: if jsonl || a.all_hits { 25 } else { 1 },
            datasets: (!a.dataset.is_empty()).then_some(a.dataset),
            ..Default::default()
        },
        jsonl,
        chunk_rows: a.checkpoint_rows.max(1),
    };
    let req = embargo_app::BatchFile {
        input: a.file.clone(),
        out: a.out.clone(),
        format: a.format,
        all_hits: a.all_hits,
        resume: a.resume,
    };
    let source = a.file.display().to_string();
    let summary = app
        .batch_file(&embargo_app::cli_actor(), &req, &cfg, &mut |rows, read| {
            bar.set_position(read);
            bar.set_message(format!("{rows} rows"));
        })
        .map_err(crate::output::flag_error)
        .with_context(|| source.clone());
    bar.finish_and_clear();
    let summary = summary?;
    outln!(
        "{} rows read, {} with a hit at threshold {:.2}, {} with unreadable optional columns; results in {}",
        summary.rows, summary.rows_with_hits, threshold, summary.rows_with_warnings, a.out.display()
    );
    if let (Some(seq), Some(run)) = (summary.audit_seq, &summary.run_id) {
        outln!(
            "audit record {seq} (run {run}) commits to every row (Merkle root {}); prove a row with `embargo audit prove --batch {seq} --row N`",
            summary.rows_root.as_deref().unwrap_or("?")
        );
    }
    if summary.rows_not_screened > 0 {
        outln!(
            "{} rows NOT screened (empty or unusable name; see the match_note column): review them",
            summary.rows_not_screened
        );
    }
    Ok(crate::exit::outcome(
        summary.rows_with_hits > 0 || summary.rows_not_screened > 0,
    ))
}
