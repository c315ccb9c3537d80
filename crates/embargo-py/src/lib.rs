//! # embargo-py
//!
//! The `embargo` Python package's native module (`embargo._embargo`): an
//! [`Engine`] over `embargo-app` that screens names, decides transactions
//! and screens Arrow record batches. It only translates between Python and
//! `embargo-app`: validation, screening, consolidation, decisions and audit
//! records are all `embargo-app`'s, so a name screened here gets the same
//! hits, the same JSON rows and the same audit record as from the CLI or
//! the HTTP API.
//!
//! **For:** the Python API (`python/embargo/__init__.py` re-exports it) and
//! `embargo.spark`, which calls [`Engine::screen_arrow`] from `mapInArrow`.
//!
//! **Not for:** any screening or legal logic.
//!
//! Invariants:
//! - An engine opened on a data directory ([`Engine::open`] with a path)
//!   audits every screen, batch and decision in that directory's audit log,
//!   as the CLI does. An engine without one (the embedded pack alone, or a
//!   read-only copy of a data directory on a Spark executor) says so:
//!   `audited` is false and every screen report carries a note.
//! - Arrow strings are read in place (borrowed from the Arrow buffers) and
//!   the hit columns are built as Arrow arrays: no string crosses Python
//!   objects. The GIL is released while screening.
//! - A row that could not be screened carries the reason in `embargo_note`;
//!   it is never an empty "no hit".

use arrow_array::builder::{Float64Builder, ListBuilder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::{
    Array, ArrayRef, BooleanArray, ListArray, RecordBatch, StringArray, StructArray,
};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_pyarrow::{FromPyArrow, ToPyArrow};
use arrow_schema::{DataType, Field, Fields, Schema};
use embargo_app::types::{Algorithm, ScreenOptions};
use embargo_app::{
    App, AppError, BatchConfig, RowFields, RowOutcome, ScreenInput, ScreenResult, Screened,
    Snapshot,
};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyUserWarning};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyString};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;

create_exception!(
    _embargo,
    EmbargoError,
    PyException,
    "An error from the Embargo engine; the message is the engine's (it names the field, file or \
     dataset at fault)."
);
create_exception!(
    _embargo,
    UndecidedWarning,
    PyUserWarning,
    "A screen that cannot vouch for the absence of a party (a past day before a list's stored \
     history): an empty result is not a clear; review it."
);

/// The engine's message with every cause ("context: cause").
fn message(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

fn err(e: AppError) -> PyErr {
    EmbargoError::new_err(message(&e))
}

fn invalid(field: &str, why: impl std::fmt::Display) -> PyErr {
    err(AppError::invalid(field, why))
}

/// What an engine screens on.
enum Inner {
    /// A data directory with its list store and audit log: audited.
    App(Box<App>),
    /// A snapshot alone (the embedded pack, or a data directory read
    /// without its audit log): not audited.
    Snapshot {
        snap: Arc<Snapshot>,
        data_dir: Option<PathBuf>,
    },
}

/// A screening engine: the loaded lists (matcher index, consolidated
/// subjects, decision engine) and, when opened on a data directory, its
/// audit log.
///
/// Open one with `Engine.open(data_dir)`; it is safe to share between
/// threads, and screening releases the GIL.
#[pyclass(frozen, module = "embargo._embargo")]
struct Engine {
    inner: Inner,
    actor: String,
}

impl Engine {
    fn snapshot(&self) -> Arc<Snapshot> {
        match &self.inner {
            Inner::App(app) => app.snapshot(),
            Inner::Snapshot { snap, .. } => snap.clone(),
        }
    }

    fn screened(&self, input: ScreenInput) -> Result<Screened, AppError> {
        let subject = input.validate()?;
        match &self.inner {
            Inner::App(app) => app.screen(&self.actor, &subject),
            Inner::Snapshot { snap, .. } => embargo_app::screen_unaudited(snap, &subject),
        }
    }
}

/// The actor audit records name for this process: `python:<user>`.
fn default_actor() -> String {
    let cli = embargo_app::cli_actor();
    format!("python:{}", cli.strip_prefix("cli:").unwrap_or(&cli))
}

/// Reads a date argument given as text or as a `datetime.date`.
fn date_text(v: Option<&Bound<'_, PyAny>>) -> PyResult<Option<String>> {
    let Some(v) = v else { return Ok(None) };
    if v.is_none() {
        return Ok(None);
    }
    if let Ok(s) = v.extract::<String>() {
        return Ok(Some(s));
    }
    if v.hasattr("isoformat")? {
        return Ok(Some(v.call_method0("isoformat")?.extract::<String>()?));
    }
    Err(invalid(
        "date",
        format!(
            "expected text YYYY[-MM[-DD]] or a datetime.date, got {}",
            v.get_type().name()?
        ),
    ))
}

/// Reads a string-or-list-of-strings argument.
fn strings(field: &str, v: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    let Some(v) = v else { return Ok(Vec::new()) };
    if v.is_none() {
        return Ok(Vec::new());
    }
    if let Ok(s) = v.extract::<String>() {
        return Ok(vec![s]);
    }
    v.extract::<Vec<String>>()
        .map_err(|_| invalid(field, "expected a string or a list of strings"))
}

#[allow(clippy::too_many_arguments)]
fn screen_input(
    name: String,
    schema: Option<String>,
    countries: Option<&Bound<'_, PyAny>>,
    dob: Option<&Bound<'_, PyAny>>,
    ids: Option<&Bound<'_, PyAny>>,
    threshold: Option<f64>,
    as_of: Option<&Bound<'_, PyAny>>,
    limit: Option<usize>,
    datasets: Option<Vec<String>>,
    algorithm: Option<String>,
    family_name: Option<String>,
) -> PyResult<ScreenInput> {
    Ok(ScreenInput {
        name,
        schema,
        birth_date: date_text(dob)?,
        countries: strings("countries", countries)?,
        identifiers: strings("ids", ids)?,
        family_name,
        threshold,
        limit,
        algorithm,
        datasets,
        as_of: date_text(as_of)?,
        ..Default::default()
    })
}

/// JSON value to the plain Python value (dict, list, str, int, float,
/// bool, None).
fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(a) => {
            let list = PyList::empty(py);
            for x in a {
                list.append(to_py(py, x)?)?;
            }
            list.into_any()
        }
        Value::Object(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                d.set_item(k, to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

fn warn_undecided(py: Python<'_>, screened: &Screened) -> PyResult<()> {
    if screened.undecided.is_empty() {
        return Ok(());
    }
    let text = format!(
        "this screen cannot vouch for absence: {}",
        screened.undecided.join("; ")
    );
    let text = std::ffi::CString::new(text.replace('\0', " "))
        .map_err(|e| EmbargoError::new_err(e.to_string()))?;
    PyErr::warn(py, &py.get_type::<UndecidedWarning>(), &text, 2)
}

#[pymethods]
impl Engine {
    /// Opens an engine.
    ///
    /// `data_dir`: an Embargo data directory (the one `embargo lists import`
    /// and `embargo update` fill; created if missing, like the CLI). Every
    /// screen, batch and decision is written to its audit log under
    /// `actor` (default `python:<user>`).
    ///
    /// `data_dir=None`: the embedded Xinjiang regime pack alone, with no
    /// audit log. Screens say so in their notes; import the official lists
    /// into a data directory for a full screen.
    #[staticmethod]
    #[pyo3(signature = (data_dir=None, *, actor=None))]
    fn open(py: Python<'_>, data_dir: Option<PathBuf>, actor: Option<String>) -> PyResult<Engine> {
        let actor = actor.unwrap_or_else(default_actor);
        let inner = py
            .detach(|| match &data_dir {
                Some(dir) => App::open(dir).map(|a| Inner::App(Box::new(a))),
                None => Snapshot::load(None).map(|s| Inner::Snapshot {
                    snap: Arc::new(s),
                    data_dir: None,
                }),
            })
            .map_err(err)?;
        Ok(Engine { inner, actor })
    }

    /// Opens the lists of an existing data directory without its audit log
    /// (read-only use: a copy of the directory on a Spark executor).
    /// Screens and decisions are not audited (`audited` is False and every
    /// screen report says so). A directory without a list store is an error.
    #[staticmethod]
    fn open_unaudited(py: Python<'_>, data_dir: PathBuf) -> PyResult<Engine> {
        let snap = py
            .detach(|| embargo_app::load_snapshot(&data_dir))
            .map_err(err)?;
        Ok(Engine {
            inner: Inner::Snapshot {
                snap: Arc::new(snap),
                data_dir: Some(data_dir),
            },
            actor: default_actor(),
        })
    }

    /// Opens an engine from a snapshot: a file written by
    /// `embargo snapshot export FILE` (the indexed, consolidated lists in
    /// one checksummed, memory-mapped file; refused with the reason when it
    /// is damaged or from an incompatible build), or a data directory, read
    /// as by `open_unaudited`. Not audited: no data directory is open.
    #[staticmethod]
    fn from_snapshot(py: Python<'_>, path: PathBuf) -> PyResult<Engine> {
        if path.is_dir() {
            return Engine::open_unaudited(py, path);
        }
        let snap = py
            .detach(|| embargo_app::Snapshot::open_file(&path))
            .map_err(err)?;
        Ok(Engine {
            inner: Inner::Snapshot {
                snap: Arc::new(snap),
                data_dir: None,
            },
            actor: default_actor(),
        })
    }

    /// True when screens and decisions are written to an audit log.
    #[getter]
    fn audited(&self) -> bool {
        matches!(self.inner, Inner::App(_))
    }

    /// The data directory, or None for the embedded pack alone.
    #[getter]
    fn data_dir(&self) -> Option<String> {
        match &self.inner {
            Inner::App(app) => Some(app.data_dir.display().to_string()),
            Inner::Snapshot { data_dir, .. } => data_dir.as_ref().map(|d| d.display().to_string()),
        }
    }

    /// True when only the embedded regime pack is loaded (no official list).
    #[getter]
    fn pack_only(&self) -> bool {
        let pack = embargo_app::pack_version().dataset;
        self.snapshot().versions.iter().all(|v| v.dataset == pack)
    }

    /// `dataset@version` of every list loaded.
    #[getter]
    fn list_versions(&self) -> Vec<String> {
        self.snapshot().version_labels()
    }

    /// The datasets a screen searches when it names none.
    #[getter]
    fn datasets(&self) -> Vec<String> {
        self.snapshot().default_datasets.clone()
    }

    /// Who audit records name as acting.
    #[getter]
    fn actor(&self) -> String {
        self.actor.clone()
    }

    fn __repr__(&self) -> String {
        format!(
            "Engine(data_dir={:?}, audited={}, lists=[{}])",
            self.data_dir(),
            self.audited(),
            self.list_versions().join(", ")
        )
    }

    /// Screens one name and returns the hits, best first, one per
    /// consolidated party, as dicts with the fields of the CLI's
    /// `screen --json` `results` and the HTTP API (`entity_id`, `caption`,
    /// `schema`, `score`, `matched_name`, `source`, `list`, `programs`,
    /// `listed_on`, `list_version`, `explanation`, `explanation_text`,
    /// `records`, `review`, …).
    ///
    /// `schema`: Person, Organization, Company, Vessel or Aircraft.
    /// `countries`: ISO-2 code(s). `dob`: YYYY, YYYY-MM, YYYY-MM-DD or a
    /// date. `ids`: identifier(s). `threshold`: 0–1 (default 0.75).
    /// `as_of`: screen the lists as they stood on that past day; when the
    /// stored history cannot vouch for absence, an UndecidedWarning is
    /// issued (use `screen_report` for the reasons).
    /// Bad input raises EmbargoError naming the field.
    #[pyo3(signature = (name, schema=None, countries=None, dob=None, ids=None, threshold=None, as_of=None, *, limit=None, datasets=None, algorithm=None, family_name=None))]
    #[allow(clippy::too_many_arguments)]
    fn screen<'py>(
        &self,
        py: Python<'py>,
        name: String,
        schema: Option<String>,
        countries: Option<&Bound<'py, PyAny>>,
        dob: Option<&Bound<'py, PyAny>>,
        ids: Option<&Bound<'py, PyAny>>,
        threshold: Option<f64>,
        as_of: Option<&Bound<'py, PyAny>>,
        limit: Option<usize>,
        datasets: Option<Vec<String>>,
        algorithm: Option<String>,
        family_name: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let input = screen_input(
            name,
            schema,
            countries,
            dob,
            ids,
            threshold,
            as_of,
            limit,
            datasets,
            algorithm,
            family_name,
        )?;
        let screened = py.detach(|| self.screened(input)).map_err(err)?;
        warn_undecided(py, &screened)?;
        let rows = screened.hit_rows().map_err(err)?;
        to_py(py, &Value::Array(rows))
    }

    /// Screens one name and returns the whole report, as the CLI's
    /// `screen --json` prints it: `query`, `threshold`, `algorithm`,
    /// `evaluated_at`, `as_of`, `datasets`, `coverage` (each list searched,
    /// its version, publication date and size), `notes`, `undecided`,
    /// `list_versions` and `results`; plus `audited` and `audit_seq` (the
    /// audit record's number; 0 when not audited).
    #[pyo3(signature = (name, schema=None, countries=None, dob=None, ids=None, threshold=None, as_of=None, *, limit=None, datasets=None, algorithm=None, family_name=None))]
    #[allow(clippy::too_many_arguments)]
    fn screen_report<'py>(
        &self,
        py: Python<'py>,
        name: String,
        schema: Option<String>,
        countries: Option<&Bound<'py, PyAny>>,
        dob: Option<&Bound<'py, PyAny>>,
        ids: Option<&Bound<'py, PyAny>>,
        threshold: Option<f64>,
        as_of: Option<&Bound<'py, PyAny>>,
        limit: Option<usize>,
        datasets: Option<Vec<String>>,
        algorithm: Option<String>,
        family_name: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let input = screen_input(
            name,
            schema,
            countries,
            dob,
            ids,
            threshold,
            as_of,
            limit,
            datasets,
            algorithm,
            family_name,
        )?;
        let subject = input.validate().map_err(err)?;
        let screened = py.detach(|| self.screened(input)).map_err(err)?;
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
            "results": screened.hit_rows().map_err(err)?,
            "audited": self.audited(),
            "audit_seq": screened.audit_seq,
        });
        to_py(py, &doc)
    }

    /// Decides a transaction (a dict, or its JSON text, in the format of
    /// docs/transactions.md) and returns the decision document the CLI's
    /// `decide --json` prints and `POST /v1/decide` answers (docs/json.md):
    /// `decision_id`, `evaluated_for`, `evaluated_at`, `input`,
    /// `list_versions`, the findings with their citations, evidence and
    /// actions, `decision_text`, and `audit_seq` (0 on an engine without an
    /// audit log). A malformed transaction raises EmbargoError naming the
    /// field.
    fn decide<'py>(
        &self,
        py: Python<'py>,
        transaction: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let text: String = match transaction.extract::<String>() {
            Ok(s) => s,
            Err(_) => py
                .import("json")?
                .call_method1("dumps", (transaction,))?
                .extract()?,
        };
        let decided = py
            .detach(|| match &self.inner {
                Inner::App(app) => app.decide(&self.actor, &text),
                Inner::Snapshot { snap, .. } => embargo_app::decide_unaudited(snap, &text),
            })
            .map_err(err)?;
        to_py(py, &decided.document())
    }

    /// Writes the one audit record of a batch screened elsewhere (by
    /// `embargo.spark.screen` on Spark executors, which open the lists
    /// read-only): the same record as `embargo batch` — `request` the
    /// source, columns, threshold and datasets, `result` the `summary`
    /// (`rows`, `rows_with_hits`, `rows_not_screened`,
    /// `rows_with_warnings`). Returns the record's number. Only an engine
    /// opened on a data directory can record.
    #[pyo3(signature = (source, name_col, schema_col, country_col, dob_col, summary, *, threshold=None, datasets=None))]
    #[allow(clippy::too_many_arguments)]
    fn record_batch(
        &self,
        py: Python<'_>,
        source: String,
        name_col: String,
        schema_col: Option<String>,
        country_col: Option<String>,
        dob_col: Option<String>,
        summary: std::collections::HashMap<String, u64>,
        threshold: Option<f64>,
        datasets: Option<Vec<String>>,
    ) -> PyResult<u64> {
        let Inner::App(app) = &self.inner else {
            return Err(EmbargoError::new_err(
                "this engine has no audit log (opened without a data directory, or read-only): \
                 open the data directory with Engine.open to record a batch",
            ));
        };
        let count = |k: &str| -> PyResult<u64> {
            summary
                .get(k)
                .copied()
                .ok_or_else(|| invalid("summary", format!("missing {k:?}")))
        };
        let summary = embargo_app::BatchSummary {
            rows: count("rows")?,
            rows_with_hits: count("rows_with_hits")?,
            rows_not_screened: count("rows_not_screened")?,
            rows_with_warnings: count("rows_with_warnings")?,
            ..Default::default()
        };
        let cfg = BatchConfig {
            name_column: name_col,
            schema_column: schema_col,
            country_column: country_col,
            dob_column: dob_col,
            options: ScreenOptions {
                threshold: embargo_app::check_threshold(threshold, Algorithm::Embargo)
                    .map_err(err)?,
                datasets,
                ..Default::default()
            },
            jsonl: false,
            chunk_rows: 0,
        };
        py.detach(|| app.audit_batch(&app.snapshot(), &self.actor, &source, &cfg, &summary))
            .map_err(err)
    }

    /// Screens every row of a `pyarrow.RecordBatch` and returns the batch
    /// with four columns added:
    ///
    /// - `embargo_best`: struct of the best hit (null when none);
    /// - `embargo_hits`: list of every hit at or above the threshold, best
    ///   first; each hit is a struct `entity_id`, `subject_id` (the
    ///   consolidated party: the smallest entity id of its records),
    ///   `score`, `caption`, `matched_name`, `source` (dataset), `list`,
    ///   `programs` (list of programme codes), `record_ids` (every record
    ///   of the consolidated party);
    /// - `embargo_note`: why a row was not screened (empty or unusable
    ///   name), else null; such a row is never a clear;
    /// - `embargo_warned`: an optional column's value could not be read
    ///   (unknown schema or country, bad date) and the row was screened on
    ///   the rest.
    ///
    /// The name, schema, country and date-of-birth columns are read in
    /// place (string, large_string or string_view); the GIL is released
    /// while screening. The same batch rules as `embargo batch`. An
    /// audited engine writes one batch audit record (`source` names it).
    #[pyo3(signature = (batch, name_col, schema_col=None, country_col=None, dob_col=None, *, threshold=None, limit=None, datasets=None, source=None))]
    #[allow(clippy::too_many_arguments)]
    fn screen_arrow<'py>(
        &self,
        py: Python<'py>,
        batch: &Bound<'py, PyAny>,
        name_col: String,
        schema_col: Option<String>,
        country_col: Option<String>,
        dob_col: Option<String>,
        threshold: Option<f64>,
        limit: Option<usize>,
        datasets: Option<Vec<String>>,
        source: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let batch = RecordBatch::from_pyarrow_bound(batch)?;
        let options = ScreenOptions {
            threshold: embargo_app::check_threshold(threshold, Algorithm::Embargo).map_err(err)?,
            limit: embargo_app::check_limit(limit.or(Some(embargo_app::DEFAULT_LIMIT)))
                .map_err(err)?,
            datasets,
            ..Default::default()
        };
        let cfg = BatchConfig {
            name_column: name_col,
            schema_column: schema_col,
            country_column: country_col,
            dob_column: dob_col,
            options,
            jsonl: false,
            chunk_rows: 0,
        };
        let source = source.unwrap_or_else(|| "arrow".to_string());
        let out = py.detach(|| self.screen_batch(&batch, &cfg, &source))?;
        out.to_pyarrow(py)
    }
}

impl Engine {
    fn screen_batch(
        &self,
        batch: &RecordBatch,
        cfg: &BatchConfig,
        source: &str,
    ) -> PyResult<RecordBatch> {
        let name = StrColumn::find(batch, "name_col", &cfg.name_column)?;
        let opt = |field: &str, c: &Option<String>| -> PyResult<Option<StrColumn<'_>>> {
            c.as_deref()
                .map(|c| StrColumn::find(batch, field, c))
                .transpose()
        };
        let schema = opt("schema_col", &cfg.schema_column)?;
        let country = opt("country_col", &cfg.country_column)?;
        let dob = opt("dob_col", &cfg.dob_column)?;
        let rows: Vec<RowFields<'_>> = (0..batch.num_rows())
            .map(|i| RowFields {
                name: name.get(i).unwrap_or(""),
                schema: schema.as_ref().and_then(|c| c.get(i)),
                country: country.as_ref().and_then(|c| c.get(i)),
                dob: dob.as_ref().and_then(|c| c.get(i)),
            })
            .collect();
        let outcomes = match &self.inner {
            Inner::App(app) => {
                app.screen_rows(&self.actor, source, &rows, cfg)
                    .map_err(err)?
                    .0
            }
            Inner::Snapshot { snap, .. } => {
                let mut summary = Default::default();
                embargo_app::screen_rows(snap, &rows, &cfg.options, &mut summary).map_err(err)?
            }
        };
        drop(rows);
        with_hit_columns(batch, &outcomes)
    }
}

/// A text column of any Arrow string layout, read in place.
enum StrColumn<'a> {
    Utf8(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
}

impl<'a> StrColumn<'a> {
    fn find(batch: &'a RecordBatch, field: &str, name: &str) -> PyResult<StrColumn<'a>> {
        let col = batch.column_by_name(name).ok_or_else(|| {
            let have: Vec<&str> = batch
                .schema_ref()
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect();
            invalid(
                field,
                format!(
                    "column {name:?} not found; the batch has: {}",
                    have.join(", ")
                ),
            )
        })?;
        if let Some(a) = col.as_string_opt::<i32>() {
            Ok(StrColumn::Utf8(a))
        } else if let Some(a) = col.as_string_opt::<i64>() {
            Ok(StrColumn::Large(a))
        } else if let Some(a) = col.as_string_view_opt() {
            Ok(StrColumn::View(a))
        } else {
            Err(invalid(
                field,
                format!(
                    "column {name:?} is {}, not a string column; cast it to string first",
                    col.data_type()
                ),
            ))
        }
    }

    fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            StrColumn::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            StrColumn::Large(a) => a.is_valid(i).then(|| a.value(i)),
            StrColumn::View(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

/// The Arrow fields of one hit.
fn hit_fields() -> Fields {
    let strings = || DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
    Fields::from(vec![
        Field::new("entity_id", DataType::Utf8, true),
        Field::new("subject_id", DataType::Utf8, true),
        Field::new("score", DataType::Float64, true),
        Field::new("caption", DataType::Utf8, true),
        Field::new("matched_name", DataType::Utf8, true),
        Field::new("source", DataType::Utf8, true),
        Field::new("list", DataType::Utf8, true),
        Field::new("programs", strings(), true),
        Field::new("record_ids", strings(), true),
    ])
}

/// Column builders for a run of hits.
struct HitColumns {
    entity_id: StringBuilder,
    subject_id: StringBuilder,
    score: Float64Builder,
    caption: StringBuilder,
    matched_name: StringBuilder,
    source: StringBuilder,
    list: StringBuilder,
    programs: ListBuilder<StringBuilder>,
    record_ids: ListBuilder<StringBuilder>,
}

impl HitColumns {
    fn new() -> HitColumns {
        HitColumns {
            entity_id: StringBuilder::new(),
            subject_id: StringBuilder::new(),
            score: Float64Builder::new(),
            caption: StringBuilder::new(),
            matched_name: StringBuilder::new(),
            source: StringBuilder::new(),
            list: StringBuilder::new(),
            programs: ListBuilder::new(StringBuilder::new()),
            record_ids: ListBuilder::new(StringBuilder::new()),
        }
    }

    fn push(&mut self, h: &ScreenResult) {
        let id = h.entity_id.to_string();
        // The consolidated party: the smallest id among its records, so it
        // is the same whichever record of the party matched best.
        let subject = h
            .records
            .iter()
            .map(|r| r.entity_id.to_string())
            .min()
            .filter(|m| *m < id)
            .unwrap_or_else(|| id.clone());
        self.entity_id.append_value(&id);
        self.subject_id.append_value(subject);
        self.score.append_value(h.score);
        self.caption.append_value(&h.caption);
        self.matched_name.append_value(&h.matched_name);
        self.source.append_value(&h.source);
        self.list.append_option(h.list.as_deref());
        for p in &h.programs {
            self.programs.values().append_value(p);
        }
        self.programs.append(true);
        if h.records.is_empty() {
            self.record_ids.values().append_value(&id);
        }
        for r in &h.records {
            self.record_ids
                .values()
                .append_value(r.entity_id.to_string());
        }
        self.record_ids.append(true);
    }

    fn push_null(&mut self) {
        self.entity_id.append_null();
        self.subject_id.append_null();
        self.score.append_null();
        self.caption.append_null();
        self.matched_name.append_null();
        self.source.append_null();
        self.list.append_null();
        self.programs.append_null();
        self.record_ids.append_null();
    }

    fn finish(mut self, nulls: Option<NullBuffer>) -> PyResult<StructArray> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.entity_id.finish()),
            Arc::new(self.subject_id.finish()),
            Arc::new(self.score.finish()),
            Arc::new(self.caption.finish()),
            Arc::new(self.matched_name.finish()),
            Arc::new(self.source.finish()),
            Arc::new(self.list.finish()),
            Arc::new(self.programs.finish()),
            Arc::new(self.record_ids.finish()),
        ];
        StructArray::try_new(hit_fields(), columns, nulls)
            .map_err(|e| EmbargoError::new_err(format!("building the hit columns: {e}")))
    }
}

/// `batch` with the hit columns of `outcomes` (one per row) added.
fn with_hit_columns(batch: &RecordBatch, outcomes: &[RowOutcome]) -> PyResult<RecordBatch> {
    let mut best = HitColumns::new();
    let mut all = HitColumns::new();
    let mut offsets: Vec<i32> = Vec::with_capacity(outcomes.len() + 1);
    offsets.push(0);
    let mut total: i32 = 0;
    let mut note = StringBuilder::new();
    let mut warned = Vec::with_capacity(outcomes.len());
    for o in outcomes {
        match o.hits.first() {
            Some(h) => best.push(h),
            None => best.push_null(),
        }
        for h in &o.hits {
            all.push(h);
        }
        total = total
            .checked_add(i32::try_from(o.hits.len()).unwrap_or(i32::MAX))
            .ok_or_else(|| EmbargoError::new_err("too many hits in one batch"))?;
        offsets.push(total);
        note.append_option(o.not_screened.as_deref());
        warned.push(o.warned);
    }
    let best_nulls = NullBuffer::from(
        outcomes
            .iter()
            .map(|o| !o.hits.is_empty())
            .collect::<Vec<_>>(),
    );
    let best = best.finish(Some(best_nulls))?;
    let all = all.finish(None)?;
    let item = Arc::new(Field::new("item", DataType::Struct(hit_fields()), true));
    let hits = ListArray::try_new(
        item.clone(),
        OffsetBuffer::new(offsets.into()),
        Arc::new(all),
        None,
    )
    .map_err(|e| EmbargoError::new_err(format!("building the hit list: {e}")))?;
    let note: StringArray = note.finish();
    let mut fields: Vec<Arc<Field>> = batch.schema_ref().fields().iter().cloned().collect();
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    for (name, array) in [
        ("embargo_best", Arc::new(best) as ArrayRef),
        ("embargo_hits", Arc::new(hits) as ArrayRef),
        ("embargo_note", Arc::new(note) as ArrayRef),
        (
            "embargo_warned",
            Arc::new(BooleanArray::from(warned)) as ArrayRef,
        ),
    ] {
        if batch.column_by_name(name).is_some() {
            return Err(invalid(
                name,
                "the batch already has this column; drop or rename it first",
            ));
        }
        fields.push(Arc::new(Field::new(name, array.data_type().clone(), true)));
        columns.push(array);
    }
    let schema = Schema::new_with_metadata(fields, batch.schema_ref().metadata().clone());
    RecordBatch::try_new(Arc::new(schema), columns)
        .map_err(|e| EmbargoError::new_err(format!("building the result batch: {e}")))
}

/// The embedded regime pack's list version (`dataset@version`).
#[pyfunction]
fn pack_version() -> String {
    let v = embargo_app::pack_version();
    format!("{}@{}", v.dataset, v.version)
}

/// The platform's default Embargo data directory (where the CLI keeps its
/// lists and audit log unless told otherwise).
#[pyfunction]
fn default_data_dir() -> String {
    embargo_app::default_data_dir().display().to_string()
}

/// Embargo's native module; use it through the `embargo` package.
#[pymodule]
fn _embargo(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Engine>()?;
    m.add("EmbargoError", m.py().get_type::<EmbargoError>())?;
    m.add("UndecidedWarning", m.py().get_type::<UndecidedWarning>())?;
    m.add_function(wrap_pyfunction!(pack_version, m)?)?;
    m.add_function(wrap_pyfunction!(default_data_dir, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
