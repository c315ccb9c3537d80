use crate::output;
use anyhow::Result;
use clap::{Args, ValueEnum};
use embargo_app::{App, ScreenInput};
use std::path::Path;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum AlgorithmArg {
    /// Embargo's cross-script matcher (default).
    Embargo,
    /// Reproduces OFAC Sanctions List Search scores, for parity checks.
    Ofac,
}

#[derive(Args)]
pub struct ScreenArgs {
    /// List store shared by several nodes (`postgres://user:pass@host/db`);
    /// default: the data directory's SQLite store.
    #[arg(long, env = "EMBARGO_STORE", value_name = "URL")]
    pub store: Option<String>,
    /// The name to screen, in any script ("Hikvision", "海康威视", "Чэнь Цюаньго").
    pub name: String,
    /// What the name belongs to (Person, Organization, Company, Vessel,
    /// Aircraft; any case); narrows candidates and raises the score of
    /// same-type hits.
    #[arg(long)]
    pub schema: Option<String>,
    /// Country of the subject (ISO-2, e.g. CN). Repeatable.
    #[arg(long)]
    pub country: Vec<String>,
    /// Date or year of birth (1955, 1955-06 or 1955-06-18).
    #[arg(long)]
    pub dob: Option<String>,
    /// An identifier (passport, USCC, IMO, …); an exact match is decisive.
    #[arg(long)]
    pub id: Vec<String>,
    /// The family name within NAME, for a person: hits that leave it out or
    /// read it as a given name score lower.
    #[arg(long)]
    pub family_name: Option<String>,
    /// Only screen these datasets (e.g. us_trade_csl, us_ofac_sdn, embargo_xinjiang_pack).
    #[arg(long)]
    pub dataset: Vec<String>,
    /// Minimum score for a candidate to be shown (default: 0.75 for the
    /// embargo algorithm, 0.95 for ofac, whose scores run higher).
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Maximum number of candidates.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// The scoring algorithm.
    #[arg(long, value_enum, default_value = "embargo")]
    pub algorithm: AlgorithmArg,
    /// Screen the lists as they stood on this past day (YYYY-MM-DD): parties
    /// removed since are found, parties listed later are not.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Print the documented JSON schema instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Explain each candidate: matched alias, token alignment, qualifiers.
    #[arg(long)]
    pub explain: bool,
    /// Also write a filing report of this screen to FILE as PDF (query,
    /// lists and versions consulted, hits with explanations, review
    /// decisions, audit record and chain head; one to three pages).
    #[arg(long, value_name = "FILE")]
    pub report: Option<std::path::PathBuf>,
}

pub fn run(data_dir: &Path, a: ScreenArgs) -> Result<ExitCode> {
    let input = ScreenInput {
        name: a.name.clone(),
        schema: a.schema.clone(),
        birth_date: a.dob.clone(),
        countries: a.country.clone(),
        identifiers: a.id.clone(),
        family_name: a.family_name.clone(),
        threshold: a.threshold,
        limit: Some(a.limit),
        algorithm: Some(
            match a.algorithm {
                AlgorithmArg::Embargo => "embargo",
                AlgorithmArg::Ofac => "ofac",
            }
            .into(),
        ),
        datasets: (!a.dataset.is_empty()).then(|| a.dataset.clone()),
        as_of: a.as_of.clone(),
        ..Default::default()
    };
    let subject = input.validate().map_err(output::flag_error)?;
    let app = App::open_with_store(data_dir, a.store.as_deref())?;
    let screened = app
        .screen(&embargo_app::cli_actor(), &subject)
        .map_err(output::flag_error)?;
    if a.json {
        let mut rows =
            serde_json::to_value(screened.hits.iter().map(|h| &h.result).collect::<Vec<_>>())?;
        if let Some(rows) = rows.as_array_mut() {
            for (row, hit) in rows.iter_mut().zip(&screened.hits) {
                row["review"] = output::review_json(hit.review.as_ref());
            }
        }
        let q = &subject.query;
        let doc = serde_json::json!({
            "query": {
                "name": q.name,
                "schema": q.schema,
                "countries": q.countries,
                "birth_dates": q.birth_dates,
                "identifiers": q.identifiers,
                "family_name": q.family_name,
            },
            "threshold": subject.options.threshold,
            "algorithm": embargo_app::algorithm_name(subject.options.algorithm),
            "evaluated_at": screened.evaluated_at,
            "as_of": subject.as_of,
            "datasets": screened.datasets,
            "coverage": screened.coverage,
            "notes": screened.notes,
            "undecided": screened.undecided,
            "list_versions": screened.snapshot.version_labels(),
            "results": rows,
        });
        outln!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        output::print_screen(&a.name, &screened, a.explain)?;
    }
    if let Some(path) = &a.report {
        let rendered = app.screen_report(&subject, &screened)?;
        crate::output::write_report(path, &rendered)?;
    }
    // 1 when an analyst has something to look at: a hit that no standing
    // review decision settles, or a result that cannot vouch for absence.
    let open = screened
        .hits
        .iter()
        .any(|h| !h.review.as_ref().is_some_and(|r| r.suppresses_alert()));
    Ok(crate::exit::outcome(open || !screened.undecided.is_empty()))
}
