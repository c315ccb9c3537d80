//! Batch output and robustness: the output format (by extension or
//! `--format`, never a silent CSV), one row per hit (`--all-hits`) with
//! list, programme, consolidated subject and measure columns, and resuming
//! a killed run (`--resume`) from the last row it committed.
//!
//! **Resume.** [`App::batch_file`] writes `OUT.partial` and, after each
//! chunk of rows is written, flushed and synced to disk, a checkpoint
//! `OUT.checkpoint` (JSON, replaced atomically): rows done, bytes of output
//! that hold them, the summary so far, and what the run was (input file
//! size and modification time, columns, threshold, datasets, format, list
//! versions). `--resume` checks that all of these still hold, cuts the
//! partial output back to the checkpointed length (dropping rows written
//! after it), skips the checkpointed rows of the input and carries on: no
//! row is written twice and none is missed. The checkpoint's summary names
//! the run's audit batch (`run_id`), and the resumed run continues that
//! run's tree (`AuditLog::resume_batch`): the rows keep their numbers and
//! `audit_leaf` hashes, so the output equals an uninterrupted run's byte
//! for byte and one batch record proves every row. A run that cannot be resumed
//! (another input, other lists, other options) is an error that says why.

use crate::batch::BatchSummary;
use crate::error::{AppError, AppResult};
use crate::{App, BatchConfig, ScreenResult, Snapshot};
use embargo_rules::listing::{regimes, Regime};
use serde::{Deserialize, Serialize};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

/// What a batch writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// CSV: the input columns and the best hit (or one row per hit).
    Csv,
    /// JSON lines: one object per input row with every hit.
    Jsonl,
}

impl OutputFormat {
    pub fn as_str(&self) -> &'static str {
        match self {
            OutputFormat::Csv => "csv",
            OutputFormat::Jsonl => "jsonl",
        }
    }
}

/// The output format: `--format` when given, else the output file's
/// extension (`.csv`, `.jsonl`, `.ndjson`). Anything else is an error,
/// never a silent CSV.
pub fn output_format(out: &Path, format: Option<&str>) -> AppResult<OutputFormat> {
    let parse = |s: &str| match s.to_ascii_lowercase().as_str() {
        "csv" => Some(OutputFormat::Csv),
        "jsonl" | "ndjson" => Some(OutputFormat::Jsonl),
        _ => None,
    };
    match format {
        Some(f) => parse(f)
            .ok_or_else(|| AppError::invalid("format", format!("{f:?}: expected csv or jsonl"))),
        None => {
            let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("");
            parse(ext).ok_or_else(|| {
                AppError::invalid(
                    "out",
                    format!(
                        "{}: unknown output extension {ext:?}; use .csv, .jsonl or .ndjson, or say --format csv|jsonl",
                        out.display()
                    ),
                )
            })
        }
    }
}

/// Options of a batch beyond [`BatchConfig`].
#[derive(Clone, Debug, Default)]
pub struct BatchExtras {
    /// Rows a previous run already wrote: skipped (checked, not screened),
    /// and no header is written.
    pub skip_rows: u64,
    /// One CSV row per hit above the threshold (an input row without hits
    /// still gets one row, with empty match columns).
    pub all_hits: bool,
    /// The summary of the rows skipped, carried into the final one.
    pub start: BatchSummary,
}

impl BatchExtras {
    /// Consumes the rows to skip; an input shorter than that is an error
    /// (the file changed since the checkpoint).
    pub(crate) fn skip<R: std::io::Read>(
        &self,
        records: &mut csv::StringRecordsIter<'_, R>,
    ) -> AppResult<()> {
        for i in 0..self.skip_rows {
            match records.next() {
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    return Err(AppError::Csv(format!("CSV line {}: {e}", i + 2)));
                }
                None => {
                    return Err(AppError::Csv(format!(
                        "cannot resume: the input has only {i} rows, the checkpoint counts {}",
                        self.skip_rows
                    )))
                }
            }
        }
        Ok(())
    }

    /// Adds what differs from a plain batch to its audit request.
    pub(crate) fn annotate(&self, request: &mut serde_json::Value) {
        if self.skip_rows > 0 {
            request["resumed_after_row"] = serde_json::json!(self.skip_rows);
        }
        if self.all_hits {
            request["all_hits"] = serde_json::json!(true);
        }
    }
}

/// Columns `--all-hits` adds to the input's.
pub const ALL_HITS_COLUMNS: [&str; 12] = [
    "match_rank",
    "match_score",
    "match_entity_id",
    "match_caption",
    "match_source",
    "match_list",
    "match_programs",
    "match_list_version",
    "match_subject",
    "match_measures",
    "match_license_requirement",
    "match_note",
];

/// The measure a listed record brings (RULES.md's regimes).
fn measure(r: Regime) -> &'static str {
    match r {
        Regime::Sdn => "OFAC SDN: blocking (31 CFR 501)",
        Regime::EntityList => "BIS Entity List: licence requirement (15 CFR 744.11)",
        Regime::Cmic => "OFAC CMIC: securities prohibition (EO 13959)",
        Regime::Ndaa889 => "NDAA section 889: federal procurement prohibition",
        Regime::FccCovered => "FCC Covered List: equipment authorisation ban",
        Regime::Uflpa => "UFLPA Entity List: import presumption (19 USC 1307)",
        Regime::EuGhrsr => "EU GHRSR: asset freeze (Reg. (EU) 2020/1998)",
    }
}

/// The measures every record of a hit's subject brings, deduplicated.
pub fn measures_of(snap: &Snapshot, hit: &ScreenResult) -> Vec<&'static str> {
    let mut ids = vec![&hit.entity_id];
    ids.extend(hit.records.iter().map(|r| &r.entity_id));
    let mut out: Vec<&'static str> = Vec::new();
    for id in ids {
        if let Some(e) = snap.entity(id) {
            for r in regimes(e) {
                let m = measure(r);
                if !out.contains(&m) {
                    out.push(m);
                }
            }
        }
    }
    out
}

/// Writes the `--all-hits` rows of one input row.
pub(crate) fn write_all_hits<W: Write>(
    snap: &Snapshot,
    w: &mut csv::Writer<W>,
    rec: &csv::StringRecord,
    hits: &[ScreenResult],
    refused: Option<&str>,
) -> AppResult<()> {
    let input: Vec<String> = rec.iter().map(str::to_string).collect();
    let err = |e: csv::Error| AppError::write("writing the results", e);
    if hits.is_empty() {
        let mut row = input;
        row.extend(std::iter::repeat_n(
            String::new(),
            ALL_HITS_COLUMNS.len() - 1,
        ));
        row.push(refused.unwrap_or_default().to_string());
        return w.write_record(&row).map_err(err);
    }
    for (rank, h) in hits.iter().enumerate() {
        let mut row = input.clone();
        let subject = if h.records.is_empty() {
            format!("{} ({})", h.entity_id, h.source)
        } else {
            h.records
                .iter()
                .map(|r| format!("{} ({})", r.entity_id, r.source))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let mut lists: Vec<String> = std::iter::once(h.list.clone().unwrap_or(h.source.clone()))
            .chain(
                h.records
                    .iter()
                    .map(|r| r.list.clone().unwrap_or(r.source.clone())),
            )
            .collect();
        lists.dedup();
        row.extend([
            (rank + 1).to_string(),
            format!("{:.4}", h.score),
            h.entity_id.to_string(),
            h.caption.clone(),
            h.source.clone(),
            lists.join("; "),
            h.programs.join(" "),
            h.list_version.clone(),
            subject,
            measures_of(snap, h).join("; "),
            h.license_requirement.clone().unwrap_or_default(),
            String::new(),
        ]);
        w.write_record(&row).map_err(err)?;
    }
    Ok(())
}

/// A batch over files, as `embargo batch` runs it.
#[derive(Clone, Debug)]
pub struct BatchFile {
    pub input: PathBuf,
    pub out: PathBuf,
    /// `--format`; the output's extension when `None`.
    pub format: Option<String>,
    pub all_hits: bool,
    /// Continue a killed run from its checkpoint.
    pub resume: bool,
}

/// The checkpoint of a batch run (`OUT.checkpoint`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
struct Checkpoint {
    /// What the run is; a resume must match it exactly.
    run: serde_json::Value,
    rows: u64,
    bytes: u64,
    summary: BatchSummary,
}

fn partial_path(out: &Path) -> PathBuf {
    let mut p = out.as_os_str().to_owned();
    p.push(".partial");
    PathBuf::from(p)
}

/// Where a run's checkpoint is kept.
pub fn checkpoint_path(out: &Path) -> PathBuf {
    let mut p = out.as_os_str().to_owned();
    p.push(".checkpoint");
    PathBuf::from(p)
}

/// Writes through to the partial file and counts the bytes.
struct Counted<'a> {
    file: &'a std::fs::File,
    written: &'a std::cell::Cell<u64>,
}

impl Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = (&*self.file).write(buf)?;
        self.written.set(self.written.get() + n as u64);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        (&*self.file).flush()
    }
}

fn write_checkpoint(path: &Path, c: &Checkpoint) -> AppResult<()> {
    let tmp = path.with_extension("checkpoint-tmp");
    let body = serde_json::to_vec(c).map_err(|e| AppError::encode("a batch checkpoint", e))?;
    let io = |e| AppError::io(format!("writing the checkpoint {}", tmp.display()), e);
    let mut f = std::fs::File::create(&tmp).map_err(io)?;
    f.write_all(&body).map_err(io)?;
    f.sync_all().map_err(io)?;
    std::fs::rename(&tmp, path)
        .map_err(|e| AppError::io(format!("writing the checkpoint {}", path.display()), e))
}

impl App {
    /// Screens `req.input` into `req.out` through a partial file and
    /// checkpoints (module docs), then renames the partial file into
    /// place and removes the checkpoint. `progress` gets (rows done,
    /// input bytes read).
    pub fn batch_file(
        &self,
        actor: &str,
        req: &BatchFile,
        cfg: &BatchConfig,
        progress: &mut dyn FnMut(u64, u64),
    ) -> AppResult<BatchSummary> {
        let format = output_format(&req.out, req.format.as_deref())?;
        if req.all_hits && format != OutputFormat::Csv {
            return Err(AppError::invalid(
                "all_hits",
                "--all-hits writes CSV rows; JSON lines already hold every hit",
            ));
        }
        let mut cfg = cfg.clone();
        cfg.jsonl = format == OutputFormat::Jsonl;
        let meta = std::fs::metadata(&req.input)
            .map_err(|e| AppError::io(format!("cannot read {}", req.input.display()), e))?;
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_nanos().to_string());
        let snap = self.snapshot();
        let run = serde_json::json!({
            "input": req.input.display().to_string(),
            "input_bytes": meta.len(),
            "input_modified": mtime,
            "columns": [cfg.name_column, cfg.schema_column, cfg.country_column, cfg.dob_column],
            "threshold": cfg.options.threshold,
            "limit": cfg.options.limit,
            "datasets": cfg.options.datasets,
            "format": format.as_str(),
            "all_hits": req.all_hits,
            "list_versions": snap.version_labels(),
        });
        let partial = partial_path(&req.out);
        let ckpt = checkpoint_path(&req.out);
        let mut extras = BatchExtras {
            all_hits: req.all_hits,
            ..Default::default()
        };
        let file = if req.resume {
            let body = std::fs::read(&ckpt).map_err(|e| {
                AppError::io(
                    format!(
                        "cannot resume: no checkpoint {} (run without --resume to start over)",
                        ckpt.display()
                    ),
                    e,
                )
            })?;
            let c: Checkpoint = serde_json::from_slice(&body).map_err(|e| {
                AppError::invalid(
                    "resume",
                    format!("{}: unreadable checkpoint: {e}", ckpt.display()),
                )
            })?;
            if c.run != run {
                return Err(AppError::invalid(
                    "resume",
                    format!(
                        "the checkpoint {} was made for another run (input, options or list versions differ): {} vs now {}",
                        ckpt.display(),
                        c.run,
                        run
                    ),
                ));
            }
            let f = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&partial)
                .map_err(|e| AppError::io(format!("cannot resume: {}", partial.display()), e))?;
            let len = f
                .metadata()
                .map_err(|e| AppError::io(format!("cannot resume: {}", partial.display()), e))?
                .len();
            if len < c.bytes {
                return Err(AppError::invalid(
                    "resume",
                    format!(
                        "{} holds {len} bytes, fewer than the {} its checkpoint counts",
                        partial.display(),
                        c.bytes
                    ),
                ));
            }
            // Rows written after the checkpoint are dropped and redone.
            f.set_len(c.bytes)
                .map_err(|e| AppError::io(format!("cannot resume: {}", partial.display()), e))?;
            extras.skip_rows = c.rows;
            extras.start = c.summary;
            f
        } else {
            let _ = std::fs::remove_file(&ckpt);
            std::fs::File::create(&partial)
                .map_err(|e| AppError::io(format!("cannot create {}", partial.display()), e))?
        };
        let mut f = file;
        f.seek(std::io::SeekFrom::End(0))
            .map_err(|e| AppError::io(format!("writing {}", partial.display()), e))?;
        let input = std::fs::File::open(&req.input)
            .map_err(|e| AppError::io(format!("cannot open {}", req.input.display()), e))?;
        let reading = std::cell::Cell::new(0u64);
        let written = std::cell::Cell::new(0u64);
        let base = f
            .metadata()
            .map_err(|e| AppError::io(format!("writing {}", partial.display()), e))?
            .len();
        let source = req.input.display().to_string();
        let counted_in = ReadCounter {
            inner: std::io::BufReader::new(input),
            read: &reading,
        };
        let out = Counted {
            file: &f,
            written: &written,
        };
        let mut failed: Option<AppError> = None;
        let summary =
            self.screen_csv_with(actor, &source, counted_in, out, &cfg, &extras, &mut |s| {
                if failed.is_some() {
                    return;
                }
                // The batch flushed its rows before calling: sync them, then
                // say how far they go.
                let r = f
                    .sync_data()
                    .map_err(|e| AppError::io(format!("syncing {}", partial.display()), e))
                    .and_then(|_| {
                        write_checkpoint(
                            &ckpt,
                            &Checkpoint {
                                run: run.clone(),
                                rows: s.rows,
                                bytes: base + written.get(),
                                summary: s.clone(),
                            },
                        )
                    });
                if let Err(e) = r {
                    failed = Some(e);
                }
                progress(s.rows, reading.get());
            });
        let summary = summary?;
        if let Some(e) = failed {
            return Err(e);
        }
        f.sync_all()
            .map_err(|e| AppError::io(format!("syncing {}", partial.display()), e))?;
        std::fs::rename(&partial, &req.out)
            .map_err(|e| AppError::io(format!("moving the results to {}", req.out.display()), e))?;
        let _ = std::fs::remove_file(&ckpt);
        Ok(summary)
    }
}

/// The input reader handed to the batch: counts bytes for the progress.
struct ReadCounter<'a, R> {
    inner: R,
    read: &'a std::cell::Cell<u64>,
}

impl<R: std::io::Read> std::io::Read for ReadCounter<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_follows_the_extension_or_the_flag_and_unknown_is_an_error() {
        let f = |p: &str, x: Option<&str>| output_format(Path::new(p), x);
        assert_eq!(f("a.csv", None).unwrap(), OutputFormat::Csv);
        assert_eq!(f("a.JSONL", None).unwrap(), OutputFormat::Jsonl);
        assert_eq!(f("a.ndjson", None).unwrap(), OutputFormat::Jsonl);
        assert_eq!(f("a.txt", Some("jsonl")).unwrap(), OutputFormat::Jsonl);
        let e = f("a.xlsx", None).unwrap_err().to_string();
        assert!(e.contains("xlsx") && e.contains("--format"), "{e}");
        assert!(f("results", None).is_err());
        assert!(f("a.csv", Some("parquet")).is_err());
    }
}
