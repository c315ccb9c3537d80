//! Screen a CSV of customers: one output row per input row, in input
//! order, with the best hit above the threshold (CSV) or every hit (JSONL).
//!
//! Rows are read and screened in chunks so memory stays flat for files of
//! millions of rows; each chunk is screened on all cores.
//!
//! **Audit (`App::screen_csv`).** Every row's result is stored in the audit
//! log (`batch_rows`: input columns, hits with entity id, score and matched
//! name, or why the row was not screened), chunk by chunk, and the batch
//! ends with one chained record (kind `screen`) whose `result.rows_root`
//! is the RFC 6962 Merkle root over those rows (`embargo_audit::batch`).
//! Each output row carries its leaf hash (`audit_leaf`), and the CLI prints
//! the record number and run id, so `embargo audit prove --batch ID --row N`
//! proves any row. Review decisions are not applied to batch rows (the
//! output shows every hit as an alert), so no review changed what the
//! user saw; the record says so (`reviews_applied: false`).

use crate::error::{AppError, AppResult};
use crate::{App, ScreenResult, Snapshot};
use embargo_audit::{BatchWriter, NewRecord, RecordKind};
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
    /// The batch's audit record (`App::screen_csv` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit_seq: Option<u64>,
    /// The run id in the audit record and its `batch_rows`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_id: Option<String>,
    /// The Merkle root over every row's result (hex).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows_root: Option<String>,
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
    /// Screens every row of `input` (see [`screen_csv`]), stores every
    /// row's result in the audit log and writes one audit record for the
    /// batch (module docs): `request` `{"batch": source, "columns",
    /// "threshold", "datasets", "run_id", "reviews_applied": false}`,
    /// `result` the [`BatchSummary`] counts with `rows_root`. Output rows
    /// gain an `audit_leaf` column (CSV) or field (JSONL).
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
    /// [`crate::batch_out::BatchExtras`] (`App::batch_file`); `progress`
    /// sees the summary after each chunk's rows are written and flushed.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn screen_csv_with(
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
        // A resumed run continues the killed run's tree (its rows keep
        // their numbers and leaves); when that run cannot be continued (a
        // checkpoint from before run ids were kept, a run that already has
        // its record) the rows left start a new one.
        let resumed = match extras.start.run_id.as_deref() {
            Some(run) if extras.skip_rows > 0 => {
                self.audit.resume_batch(run, extras.skip_rows).ok()
            }
            _ => None,
        };
        let mut writer = match resumed {
            Some(w) => w,
            None => self.audit.begin_batch()?,
        };
        // Checkpoints carry the run id (through the running summary).
        let mut extras = extras.clone();
        extras.start.run_id = Some(writer.run_id().to_string());
        let mut summary = screen_csv_rows(
            &snap,
            input,
            output,
            cfg,
            &extras,
            progress,
            Some(&mut writer),
        )?;
        let mut request = batch_request(source, cfg);
        extras.annotate(&mut request);
        self.finish_batch(writer, &snap, actor, request, &mut summary)?;
        Ok(summary)
    }
}

impl App {
    /// Screens rows of a table that is not a CSV file (an Arrow batch from
    /// the Python package, say) with the rules of [`screen_csv`], stores
    /// every row's result in the audit log and writes the same batch record
    /// as a CSV batch (its `rows_root` proves each row; each outcome carries
    /// its `audit_leaf`). `cfg.jsonl` and `cfg.chunk_rows` are not used.
    pub fn screen_rows(
        &self,
        actor: &str,
        source: &str,
        rows: &[RowFields<'_>],
        cfg: &BatchConfig,
    ) -> AppResult<(Vec<RowOutcome>, BatchSummary)> {
        let snap = self.snapshot();
        let mut summary = BatchSummary::default();
        let mut out = screen_rows(&snap, rows, &cfg.options, &mut summary)?;
        let mut writer = self.audit.begin_batch()?;
        store_rows(&mut writer, rows, &mut out)?;
        self.finish_batch(
            writer,
            &snap,
            actor,
            batch_request(source, cfg),
            &mut summary,
        )?;
        Ok((out, summary))
    }

    /// The audit record of a batch whose rows were screened elsewhere (a
    /// Spark job's executors): its counts only, no per-row proof (the
    /// record says `rows_stored: false`).
    pub fn audit_batch(
        &self,
        snap: &Snapshot,
        actor: &str,
        source: &str,
        cfg: &BatchConfig,
        summary: &BatchSummary,
    ) -> AppResult<u64> {
        let mut request = batch_request(source, cfg);
        request["rows_stored"] = serde_json::json!(false);
        let rec = self.audit.append(NewRecord {
            kind: RecordKind::Screen,
            actor: actor.to_string(),
            request,
            result: serde_json::to_value(summary)
                .map_err(|e| AppError::encode("a batch summary", e))?,
            list_versions: snap.version_labels(),
        })?;
        Ok(rec.seq)
    }

    /// Closes a batch's row store with its one chained record.
    fn finish_batch(
        &self,
        writer: BatchWriter<'_>,
        snap: &Snapshot,
        actor: &str,
        request: serde_json::Value,
        summary: &mut BatchSummary,
    ) -> AppResult<u64> {
        let run_id = writer.run_id().to_string();
        let rec = writer.finish(NewRecord {
            kind: RecordKind::Screen,
            actor: actor.to_string(),
            request,
            result: serde_json::to_value(&*summary)
                .map_err(|e| AppError::encode("a batch summary", e))?,
            list_versions: snap.version_labels(),
        })?;
        summary.audit_seq = Some(rec.seq);
        summary.run_id = Some(run_id);
        summary.rows_root = rec.result["rows_root"]["root"].as_str().map(str::to_string);
        Ok(rec.seq)
    }
}

/// The `request` of a batch's audit record.
fn batch_request(source: &str, cfg: &BatchConfig) -> serde_json::Value {
    serde_json::json!({
        "batch": source,
        "columns": {
            "name": cfg.name_column,
            "schema": cfg.schema_column,
            "country": cfg.country_column,
            "dob": cfg.dob_column,
        },
        "threshold": cfg.options.threshold,
        "algorithm": crate::algorithm_name(cfg.options.algorithm),
        "datasets": cfg.options.datasets,
        "reviews_applied": false,
    })
}

/// One row of a table to screen, as text from whatever holds it (a CSV
/// record, an Arrow batch). Empty or blank optional fields are absent.
#[derive(Clone, Copy, Debug, Default)]
pub struct RowFields<'a> {
    pub name: &'a str,
    pub schema: Option<&'a str>,
    pub country: Option<&'a str>,
    pub dob: Option<&'a str>,
}

/// What one row of a batch got.
#[derive(Clone, Debug, Default)]
pub struct RowOutcome {
    /// Hits at or above the threshold, best first (empty when not screened).
    pub hits: Vec<ScreenResult>,
    /// Why the row was not screened (`not screened: …`): never a clear.
    pub not_screened: Option<String>,
    /// An optional field could not be read and was dropped.
    pub warned: bool,
    /// The row's leaf in the audit log's batch tree (audited batches).
    pub audit_leaf: Option<String>,
}

/// Screens `rows` on all cores with the batch rules (a name that cannot be
/// screened is marked, an unreadable optional field is dropped and
/// flagged) and adds them to `summary`. Writes no audit record: callers
/// holding an [`App`] use [`App::screen_rows`]. A dataset the snapshot
/// does not hold is an error before any row is screened: the matcher
/// would search nothing and every row would read as "no hit".
pub fn screen_rows(
    snapshot: &Snapshot,
    rows: &[RowFields<'_>],
    options: &ScreenOptions,
    summary: &mut BatchSummary,
) -> AppResult<Vec<RowOutcome>> {
    crate::searched_datasets(snapshot, options.datasets.as_deref())?;
    let mut queries = Vec::with_capacity(rows.len());
    let mut refused: Vec<Option<String>> = Vec::with_capacity(rows.len());
    let mut warnings = Vec::with_capacity(rows.len());
    for row in rows {
        let (q, warned) = row_query(row);
        summary.rows_with_warnings += u64::from(warned);
        warnings.push(warned);
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
    let results = snapshot.screen_batch(&queries, options);
    Ok(results
        .into_iter()
        .zip(refused)
        .zip(warnings)
        .map(|((hits, not_screened), warned)| {
            summary.rows += 1;
            let hits = if not_screened.is_some() {
                summary.rows_not_screened += 1;
                Vec::new()
            } else {
                hits
            };
            if !hits.is_empty() {
                summary.rows_with_hits += 1;
            }
            RowOutcome {
                hits,
                not_screened,
                warned,
                audit_leaf: None,
            }
        })
        .collect())
}

/// Screens every row of `input` and writes results to `output`, without
/// auditing (benchmarks, embedding); `App::screen_csv` is the audited act.
/// `progress` is called with the number of rows done so far.
pub fn screen_csv(
    snapshot: &Snapshot,
    input: impl Read,
    output: impl Write,
    cfg: &BatchConfig,
    progress: &mut dyn FnMut(u64),
) -> AppResult<BatchSummary> {
    let extras = crate::batch_out::BatchExtras::default();
    screen_csv_rows(
        snapshot,
        input,
        output,
        cfg,
        &extras,
        &mut |s| progress(s.rows),
        None,
    )
}

/// Stores each row's result in the batch's row store (durable before the
/// caller shows it) and gives each outcome its leaf hash.
fn store_rows(
    writer: &mut BatchWriter<'_>,
    rows: &[RowFields<'_>],
    outcomes: &mut [RowOutcome],
) -> AppResult<()> {
    let bodies = rows
        .iter()
        .zip(outcomes.iter())
        .map(|(r, o)| row_body(r, &o.hits, o.not_screened.as_deref(), o.warned))
        .collect();
    for (o, leaf) in outcomes.iter_mut().zip(writer.add_rows(bodies)?) {
        o.audit_leaf = Some(leaf);
    }
    Ok(())
}

/// The audit body of one row: what was read, what was found.
fn row_body(
    row: &RowFields<'_>,
    hits: &[ScreenResult],
    refused: Option<&str>,
    warned: bool,
) -> serde_json::Value {
    fn get(v: Option<&str>) -> Option<&str> {
        v.map(str::trim)
    }
    let mut v = serde_json::json!({
        "input": {
            "name": row.name.trim(),
            "schema": get(row.schema),
            "country": get(row.country),
            "dob": get(row.dob),
        },
        "hits": hits.iter().map(|h| serde_json::json!({
            "entity_id": h.entity_id,
            "score": h.score,
            "matched_name": h.matched_name,
        })).collect::<Vec<_>>(),
    });
    if let Some(why) = refused {
        v["not_screened"] = serde_json::json!(why);
    }
    if warned {
        v["unreadable_columns"] = serde_json::json!(true);
    }
    v
}

/// The one CSV batch loop, audited (`audit`: the batch's row store) or
/// not; `extras` skips the rows a killed run already wrote and can write
/// one row per hit (see [`crate::batch_out`]).
fn screen_csv_rows(
    snapshot: &Snapshot,
    input: impl Read,
    output: impl Write,
    cfg: &BatchConfig,
    extras: &crate::batch_out::BatchExtras,
    progress: &mut dyn FnMut(&BatchSummary),
    mut audit: Option<&mut BatchWriter<'_>>,
) -> AppResult<BatchSummary> {
    // An unknown dataset is an error, audited or not: never rows of "no hit".
    crate::searched_datasets(snapshot, cfg.options.datasets.as_deref())?;
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
            if audit.is_some() {
                h.push("audit_leaf");
            }
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
        let rows: Vec<RowFields<'_>> = chunk.iter().map(|rec| row_fields(rec, &cols)).collect();
        let mut outcomes = screen_rows(snapshot, &rows, &cfg.options, &mut summary)?;
        // Every row's result is durable in the audit log before any of the
        // chunk is written out.
        if let Some(w) = audit.as_deref_mut() {
            store_rows(w, &rows, &mut outcomes)?;
        }
        for (rec, outcome) in chunk.iter().zip(outcomes) {
            let RowOutcome {
                hits,
                not_screened: refused,
                audit_leaf: leaf,
                ..
            } = outcome;
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
                if let Some(leaf) = leaf {
                    row.push(leaf);
                }
                w.write_record(&row).map_err(write_err)?;
            } else if let Some(w) = out_json.as_mut() {
                let input: serde_json::Map<String, serde_json::Value> = headers
                    .iter()
                    .zip(rec.iter())
                    .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
                    .collect();
                let mut line = serde_json::json!({"input": input, "results": hits});
                if let Some(why) = &refused {
                    line["not_screened"] = serde_json::json!(why);
                }
                if let Some(leaf) = leaf {
                    line["audit_leaf"] = serde_json::json!(leaf);
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

/// The fields of one CSV record.
fn row_fields<'a>(rec: &'a csv::StringRecord, cols: &Columns) -> RowFields<'a> {
    let get = |i: Option<usize>| i.and_then(|i| rec.get(i));
    RowFields {
        name: get(Some(cols.name)).unwrap_or(""),
        schema: get(cols.schema),
        country: get(cols.country),
        dob: get(cols.dob),
    }
}

/// Builds the query for one row. Unreadable optional fields are dropped
/// (the name is still screened) and reported by the returned flag.
fn row_query(row: &RowFields<'_>) -> (Query, bool) {
    fn get(v: Option<&str>) -> Option<&str> {
        v.map(str::trim).filter(|s| !s.is_empty())
    }
    let mut warned = false;
    let mut q = Query {
        name: row.name.trim().to_string(),
        ..Default::default()
    };
    if let Some(s) = get(row.schema) {
        match Schema::parse(s) {
            Some(schema) => q.schema = Some(schema),
            None => warned = true,
        }
    }
    if let Some(c) = get(row.country) {
        match Country::parse(c) {
            Some(c) => q.countries.push(c),
            None => warned = true,
        }
    }
    if let Some(d) = get(row.dob) {
        match PartialDate::parse_iso(d) {
            Ok(d) => q.birth_dates.push(d),
            Err(_) => warned = true,
        }
    }
    (q, warned)
}
