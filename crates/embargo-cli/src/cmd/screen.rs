use crate::output;
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use embargo_app::{App, ScreenRequest};
use embargo_audit::{NewRecord, RecordKind};
use embargo_match::{Algorithm, Query, ScreenOptions, DEFAULT_THRESHOLD, OFAC_THRESHOLD};
use embargo_model::{Country, PartialDate, Schema};
use std::path::Path;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum SchemaArg {
    Person,
    Organization,
    Vessel,
    Aircraft,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum AlgorithmArg {
    /// Embargo's cross-script matcher (default).
    Embargo,
    /// Reproduces OFAC Sanctions List Search scores, for parity checks.
    Ofac,
}

#[derive(Args)]
pub struct ScreenArgs {
    /// The name to screen, in any script ("Hikvision", "海康威视", "Чэнь Цюаньго").
    pub name: String,
    /// What the name belongs to; narrows candidates and raises the score of same-type hits.
    #[arg(long, value_enum)]
    pub schema: Option<SchemaArg>,
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
    #[arg(long, value_enum, default_value = "embargo")]
    pub algorithm: AlgorithmArg,
    /// Print the documented JSON schema instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Explain each candidate: matched alias, token alignment, qualifiers.
    #[arg(long)]
    pub explain: bool,
}

pub fn run(data_dir: &Path, a: ScreenArgs) -> Result<ExitCode> {
    let mut query = Query {
        name: a.name.clone(),
        schema: a.schema.map(|s| match s {
            SchemaArg::Person => Schema::Person,
            SchemaArg::Organization => Schema::Organization,
            SchemaArg::Vessel => Schema::Vessel,
            SchemaArg::Aircraft => Schema::Aircraft,
        }),
        identifiers: a.id.clone(),
        family_name: a.family_name.clone(),
        ..Default::default()
    };
    for c in &a.country {
        let country = Country::parse(c).with_context(|| {
            format!("--country {c:?} is not an ISO-2 code or a known country name")
        })?;
        query.countries.push(country);
    }
    if let Some(d) = &a.dob {
        query
            .birth_dates
            .push(PartialDate::parse_iso(d).with_context(|| format!("--dob {d:?}"))?);
    }
    let threshold = a.threshold.unwrap_or(match a.algorithm {
        AlgorithmArg::Embargo => DEFAULT_THRESHOLD,
        AlgorithmArg::Ofac => OFAC_THRESHOLD,
    });
    let options = ScreenOptions {
        threshold,
        limit: a.limit,
        algorithm: match a.algorithm {
            AlgorithmArg::Embargo => Algorithm::Embargo,
            AlgorithmArg::Ofac => Algorithm::Ofac,
        },
        datasets: (!a.dataset.is_empty()).then(|| a.dataset.clone()),
    };
    let app = App::open(data_dir)?;
    let snap = app.snapshot();
    let results = snap.screen(&ScreenRequest {
        query: query.clone(),
        options: options.clone(),
    });
    let evaluated_at = chrono::Utc::now();
    // The same subject key the server uses, so a review recorded on the web
    // page shows here too (and the other way round).
    let subject = embargo_app::review_subject(
        &a.name,
        query.schema,
        query.birth_dates.first().copied(),
        query.countries.first().copied(),
    );
    let today = evaluated_at.date_naive();
    let mut reviews = Vec::with_capacity(results.len());
    for r in &results {
        let status = match snap.entity(&r.entity_id) {
            Some(e) => app.audit.review_status_for_entity(&subject, e, today)?,
            None => None,
        };
        reviews.push(status);
    }
    let mut rows = serde_json::to_value(&results)?;
    if let Some(rows) = rows.as_array_mut() {
        for (row, status) in rows.iter_mut().zip(&reviews) {
            row["review"] = output::review_json(status.as_ref());
        }
    }
    let doc = serde_json::json!({
        "query": {
            "name": a.name,
            "schema": query.schema,
            "countries": query.countries,
            "birth_dates": query.birth_dates,
            "identifiers": query.identifiers,
            "family_name": query.family_name,
        },
        "threshold": options.threshold,
        "algorithm": format!("{:?}", options.algorithm).to_lowercase(),
        "evaluated_at": evaluated_at,
        "datasets": options.datasets.clone().unwrap_or_else(|| snap.default_datasets.clone()),
        "list_versions": snap.version_labels(),
        "results": rows,
    });
    app.audit.append(NewRecord {
        kind: RecordKind::Screen,
        actor: embargo_app::cli_actor(),
        request: doc["query"].clone(),
        result: serde_json::json!({"results": results.iter().map(|r| serde_json::json!({"entity_id": r.entity_id, "score": r.score})).collect::<Vec<_>>()}),
        list_versions: snap.version_labels(),
    })?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        output::print_screen(&a.name, &snap, &results, &reviews, a.explain);
    }
    Ok(ExitCode::SUCCESS)
}
