//! Screen a CSV of customers: one output row per input row, in input
//! order, with the best hit above the threshold (CSV) or every hit (JSONL).
//!
//! Rows are read and screened in chunks so memory stays flat for files of
//! millions of rows; each chunk is screened on all cores.

use crate::error::{AppError, AppResult};
use crate::{App, Snapshot};
use embargo_audit::{NewRecord, RecordKind};
use embargo_match::{Query, ScreenOptions};
use embargo_model::{Country, PartialDate, Schema};
use std::io::{Read, Write};

#[derive(Clone, Debug)]
pub struct BatchConfig {
    pub name_column: String,
    pub schema_column: Option<String>,
    pub country_column: Option<String>,
    pub dob_column: Option<String>,
    pub options: ScreenOptions,
    /// JSON lines (every hit per row) instead of CSV (best hit per row).
    pub jsonl: bool,
    pub chunk_rows: usize,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BatchSummary {
    pub rows: u64,
    pub rows_with_hits: u64,
    /// Rows whose name could not be screened (empty, longer than
    /// `MAX_NAME_CHARS`, control characters): never counted as clear, marked
    /// in the output with the reason.
    pub rows_not_screened: u64,
    /// Rows whose optional columns could not be read (bad date, unknown
    /// country): screened on the name alone, and counted here.
    pub rows_with_warnings: u64,
}

pub(crate) struct Columns {
    name: usize,
    schema: Option<usize>,
    country: Option<usize>,
    dob: Option<usize>,
}

fn find(headers: &csv::StringRecord, col: &str) -> AppResult<usize> {
    headers.iter().position(|h| h == col).ok_or_else(|| {
        AppError::Csv(format!(
            "column {col:?} not found; the header has: {}",
            headers.iter().collect::<Vec<_>>().join(", ")
        ))
    })
}

fn write_err(e: csv::Error) -> AppError {
    AppError::write("writing the results", e)
}

fn io_err(e: std::io::Error) -> AppError {
    AppError::io("writing the results", e)
}

impl App {
    /// Screens every row of `input` (see [`screen_csv`]) and writes one
    /// audit record for the batch: `request` `{"batch": source, "columns",
    /// "threshold", "datasets"}`, `result` the [`BatchSummary`].
    pub fn screen_csv(
        &self,
        actor: &str,
        source: &str,
        input: impl Read,
        output: impl Write,
        cfg: &BatchConfig,
        progress: &mut dyn FnMut(u64),
    ) -> AppResult<BatchSummary> {
        let extras = crate::batch_out::BatchExtras::default();
        self.screen_csv_with(actor, source, input, output, cfg, &extras, &mut |s| {
            progress(s.rows)
        })
    }

    /// [`App::screen_csv`] with the resume and all-hits options of
    /// [`crate::batch_out::BatchExtras`]; `progress` sees the summary after
    /// each chunk's rows are written and flushed.
    #[allow(clippy::too_many_arguments)]
    pub fn screen_csv_with(
        &self,
        actor: &str,
        source: &str,
        input: impl Read,
        output: impl Write,
        cfg: &BatchConfig,
        extras: &crate::batch_out::BatchExtras,
        progress: &mut dyn FnMut(&BatchSummary),
    ) -> AppResult<BatchSummary> {
        let snap = self.snapshot();
        crate::searched_datasets(&snap, cfg.options.datasets.as_deref())?;
        let summary = screen_csv_with(&snap, input, output, cfg, extras, progress)?;
        let mut request = serde_json::json!({
            "batch": source,
            "columns": {
                "name": cfg.name_column,
                "schema": cfg.schema_column,
                "country": cfg.country_column,
                "dob": cfg.dob_column,
            },
            "threshold": cfg.options.threshold,
            "datasets": cfg.options.datasets,
        });
        extras.annotate(&mut request);
        self.audit.append(NewRecord {
            kind: RecordKind::Screen,
            actor: actor.to_string(),
            request,
            result: serde_json::to_value(&summary)
                .map_err(|e| AppError::encode("a batch summary", e))?,
            list_versions: snap.version_labels(),
        })?;
        Ok(summary)
    }
}

/// Screens every row of `input` and writes results to `output`.
/// `progress` is called with the number of rows done so far.
pub fn screen_csv(
    snapshot: &Snapshot,
    input: impl Read,
    output: impl Write,
    cfg: &BatchConfig,
    progress: &mut dyn FnMut(u64),
) -> AppResult<BatchSummary> {
    let extras = crate::batch_out::BatchExtras::default();
    screen_csv_with(snapshot, input, output, cfg, &extras, &mut |s| {
        progress(s.rows)
    })
}

/// [`screen_csv`] that skips the rows a killed run already wrote and can
/// write one row per hit (see [`crate::batch_out`]).
pub fn screen_csv_with(
    snapshot: &Snapshot,
    input: impl Read,
    output: impl Write,
    cfg: &BatchConfig,
    extras: &crate::batch_out::BatchExtras,
    progress: &mut dyn FnMut(&BatchSummary),
) -> AppResult<BatchSummary> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| AppError::Csv(format!("cannot read the CSV header: {e}")))?
        .clone();
    let cols = Columns {
        name: find(&headers, &cfg.name_column)?,
        schema: cfg
            .schema_column
            .as_deref()
            .map(|c| find(&headers, c))
            .transpose()?,
        country: cfg
            .country_column
            .as_deref()
            .map(|c| find(&headers, c))
            .transpose()?,
        dob: cfg
            .dob_column
            .as_deref()
            .map(|c| find(&headers, c))
            .transpose()?,
    };
    let mut out_csv = None;
    let mut out_json = None;
    if cfg.jsonl {
        out_json = Some(std::io::BufWriter::new(output));
    } else {
        let mut w = csv::Writer::from_writer(output);
        let mut h: Vec<&str> = headers.iter().collect();
        if extras.all_hits {
            h.extend(crate::batch_out::ALL_HITS_COLUMNS);
        } else {
            h.extend([
                "match_score",
                "match_entity_id",
                "match_caption",
                "match_source",
                "match_note",
            ]);
        }
        if extras.skip_rows == 0 {
            w.write_record(&h).map_err(write_err)?;
        }
        out_csv = Some(w);
    }
    let mut summary = extras.start.clone();
    let mut records = reader.records();
    extras.skip(&mut records)?;
    let mut chunk: Vec<csv::StringRecord> = Vec::with_capacity(cfg.chunk_rows);
    loop {
        chunk.clear();
        for rec in records.by_ref().take(cfg.chunk_rows.max(1)) {
            let line = summary.rows + chunk.len() as u64 + 2;
            chunk.push(rec.map_err(|e| AppError::Csv(format!("CSV line {line}: {e}")))?);
        }
        if chunk.is_empty() {
            break;
        }
        let mut queries = Vec::with_capacity(chunk.len());
        let mut refused: Vec<Option<String>> = Vec::with_capacity(chunk.len());
        for rec in &chunk {
            let (q, warned) = row_query(rec, &cols);
            summary.rows_with_warnings += u64::from(warned);
            // The same name rules as a single screen: a row that cannot be
            // screened is said to be so, not passed as an empty "no hit".
            match crate::subject::check_name("name", &q.name) {
                Ok(_) => {
                    refused.push(None);
                    queries.push(q);
                }
                Err(e) => {
                    refused.push(Some(format!("not screened: {e}")));
                    queries.push(Query::default());
                }
            }
        }
        let results = snapshot.screen_batch(&queries, &cfg.options);
        for ((rec, hits), refused) in chunk.iter().zip(results).zip(refused) {
            summary.rows += 1;
            let hits = if refused.is_some() {
                summary.rows_not_screened += 1;
                Vec::new()
            } else {
                hits
            };
            if !hits.is_empty() {
                summary.rows_with_hits += 1;
            }
            if let (Some(w), true) = (out_csv.as_mut(), extras.all_hits) {
                crate::batch_out::write_all_hits(snapshot, w, rec, &hits, refused.as_deref())?;
            } else if let Some(w) = out_csv.as_mut() {
                let mut row: Vec<String> = rec.iter().map(str::to_string).collect();
                match hits.first() {
                    Some(h) => row.extend([
                        format!("{:.4}", h.score),
                        h.entity_id.to_string(),
                        h.caption.clone(),
                        h.source.clone(),
                    ]),
                    None => row.extend(std::iter::repeat_n(String::new(), 4)),
                }
                row.push(refused.clone().unwrap_or_default());
                w.write_record(&row).map_err(write_err)?;
            } else if let Some(w) = out_json.as_mut() {
                let input: serde_json::Map<String, serde_json::Value> = headers
                    .iter()
                    .zip(rec.iter())
                    .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
                    .collect();
                let mut line = serde_json::json!({"input": input, "hits": hits});
                if let Some(why) = &refused {
                    line["not_screened"] = serde_json::json!(why);
                }
                serde_json::to_writer(&mut *w, &line).map_err(|e| io_err(e.into()))?;
                w.write_all(b"\n").map_err(io_err)?;
            }
        }
        // Flushed before progress is reported, so a checkpoint taken
        // there covers every byte of the rows it counts.
        if let Some(w) = out_csv.as_mut() {
            w.flush().map_err(io_err)?;
        }
        if let Some(w) = out_json.as_mut() {
            w.flush().map_err(io_err)?;
        }
        progress(&summary);
    }
    if let Some(mut w) = out_csv {
        w.flush().map_err(io_err)?;
    }
    if let Some(mut w) = out_json {
        w.flush().map_err(io_err)?;
    }
    if summary.rows == 0 {
        return Err(AppError::Csv("the input has a header but no rows".into()));
    }
    Ok(summary)
}

/// Builds the query for one row. Unreadable optional fields are dropped
/// (the name is still screened) and reported by the returned flag.
fn row_query(rec: &csv::StringRecord, cols: &Columns) -> (Query, bool) {
    let get = |i: Option<usize>| {
        i.and_then(|i| rec.get(i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let mut warned = false;
    let mut q = Query {
        name: get(Some(cols.name)).unwrap_or("").to_string(),
        ..Default::default()
    };
    if let Some(s) = get(cols.schema) {
        match Schema::parse(s) {
            Some(schema) => q.schema = Some(schema),
            None => warned = true,
        }
    }
    if let Some(c) = get(cols.country) {
        match Country::parse(c) {
            Some(c) => q.countries.push(c),
            None => warned = true,
        }
    }
    if let Some(d) = get(cols.dob) {
        match PartialDate::parse_iso(d) {
            Ok(d) => q.birth_dates.push(d),
            Err(_) => warned = true,
        }
    }
    (q, warned)
}
