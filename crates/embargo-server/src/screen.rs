//! Screening a subject: request validation, running the matcher on the
//! current snapshot, marking hits cleared by earlier review decisions, and
//! writing the audit record. Shared by `/v1/screen`, `/v1/batch` and the
//! yente-compatible `/match`.
//!
//! Data flow: `ScreenRequest` (what the caller sent, loosely typed) →
//! `Subject` (validated: parsed dates, ISO countries, known schema) →
//! `embargo_match::Query` → `ScreenResult`s → `ScreenedHit`s with review
//! status → JSON, and one audit record per subject.

use crate::error::ApiError;
use crate::state::AppState;
use chrono::Utc;
use embargo_app::Snapshot;
use embargo_audit::{NewRecord, RecordKind};
use embargo_match::{Algorithm, Query, ScreenOptions};
use embargo_model::{Country, EntityId, PartialDate, Schema};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;
use utoipa::ToSchema;

/// Longest accepted name; real names are far shorter, and the matcher's
/// cost grows with length.
pub const MAX_NAME_CHARS: usize = 300;
/// Most hits returned for one subject.
pub const MAX_LIMIT: usize = 100;
/// Most aliases, countries or identifiers in one subject.
const MAX_VALUES: usize = 20;

/// One subject to screen.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreenRequest {
    /// Caller's reference, echoed back (useful in batches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The name to screen, in any script.
    pub name: String,
    /// Other names of the same subject.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// `Person`, `Organization`, `Company`, `Vessel`, `Aircraft`; absent = any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    /// ISO 3166-1 alpha-2 code (or an English country name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Further countries (nationality, address, registration).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// Registration or document numbers (passport, USCC, IMO, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<String>,
    /// Minimum score in [0, 1]; default: the matcher's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// Most hits to return (1–100, default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// `embargo` (default) or `ofac` (OFAC Sanctions List Search style scores).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    /// Only screen against these datasets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datasets: Option<Vec<String>>,
    /// The family name within `name`, for a person, when known: a hit that
    /// leaves it out, or has it as a given name, scores lower.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
}

/// A validated subject, ready for the matcher.
pub struct Subject {
    pub query: Query,
    pub opts: ScreenOptions,
    /// Key under which review decisions for this subject are stored.
    pub subject_key: String,
    /// What is written to the audit log as the request.
    pub echo: Value,
}

fn field_err(field: &str, msg: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!("`{field}`: {msg}"))
}

pub fn parse_schema(field: &str, s: &str) -> Result<Schema, ApiError> {
    crate::ftm::parse_schema(s.trim()).ok_or_else(|| {
        field_err(
            field,
            format!("unknown schema {s:?}; expected Person, Organization, Company, Vessel, Aircraft or LegalEntity"),
        )
    })
}

pub fn parse_country(field: &str, s: &str) -> Result<Country, ApiError> {
    Country::parse(s).ok_or_else(|| {
        field_err(
            field,
            format!("{s:?} is not an ISO 3166-1 alpha-2 code or a known country name"),
        )
    })
}

pub fn parse_date(field: &str, s: &str) -> Result<PartialDate, ApiError> {
    PartialDate::parse_iso(s.trim()).map_err(|_| {
        field_err(
            field,
            format!("{s:?} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"),
        )
    })
}

pub fn parse_algorithm(s: Option<&str>) -> Result<Algorithm, ApiError> {
    match s.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        // yente clients send `best`, `logic-v2`, `name-based`, …: all mean
        // "the server's best matcher", which is ours.
        None
        | Some("")
        | Some("embargo")
        | Some("best")
        | Some("default")
        | Some("logic-v1")
        | Some("logic-v2")
        | Some("name-based")
        | Some("name-qualified")
        | Some("regression-v1")
        | Some("regression-v2") => Ok(Algorithm::Embargo),
        Some("ofac") => Ok(Algorithm::Ofac),
        Some(other) => Err(field_err(
            "algorithm",
            format!("unknown algorithm {other:?}; see GET /algorithms"),
        )),
    }
}

pub fn check_threshold(t: Option<f64>) -> Result<f64, ApiError> {
    match t {
        None => Ok(embargo_match::DEFAULT_THRESHOLD),
        Some(t) if t.is_finite() && (0.0..=1.0).contains(&t) => Ok(t),
        Some(t) => Err(field_err(
            "threshold",
            format!("{t} is not between 0 and 1"),
        )),
    }
}

pub fn check_limit(l: Option<usize>) -> Result<usize, ApiError> {
    match l {
        None => Ok(10),
        Some(l) if (1..=MAX_LIMIT).contains(&l) => Ok(l),
        Some(l) => Err(field_err(
            "limit",
            format!("{l} is not between 1 and {MAX_LIMIT}"),
        )),
    }
}

fn check_name(field: &str, s: &str) -> Result<String, ApiError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(field_err(field, "must not be empty"));
    }
    if t.chars().count() > MAX_NAME_CHARS {
        return Err(field_err(
            field,
            format!("longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    if t.chars().any(|c| c.is_control()) {
        return Err(field_err(field, "contains control characters"));
    }
    Ok(t.to_string())
}

fn check_count(field: &str, n: usize) -> Result<(), ApiError> {
    if n > MAX_VALUES {
        return Err(field_err(field, format!("at most {MAX_VALUES} values")));
    }
    Ok(())
}

impl ScreenRequest {
    /// Validates every field, naming the first bad one.
    pub fn validate(&self) -> Result<Subject, ApiError> {
        let name = check_name("name", &self.name)?;
        check_count("aliases", self.aliases.len())?;
        check_count("countries", self.countries.len())?;
        check_count("identifiers", self.identifiers.len())?;
        let aliases = self
            .aliases
            .iter()
            .map(|a| check_name("aliases", a))
            .collect::<Result<Vec<_>, _>>()?;
        let schema = match self.schema.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(parse_schema("schema", s)?),
        };
        let birth = match self.birth_date.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(parse_date("birth_date", s)?),
        };
        let mut countries = Vec::new();
        if let Some(c) = self.country.as_deref().filter(|c| !c.trim().is_empty()) {
            countries.push(parse_country("country", c)?);
        }
        for c in &self.countries {
            let c = parse_country("countries", c)?;
            if !countries.contains(&c) {
                countries.push(c);
            }
        }
        let identifiers: Vec<String> = self
            .identifiers
            .iter()
            .map(|i| i.trim().to_string())
            .filter(|i| !i.is_empty())
            .collect();
        if identifiers.iter().any(|i| i.chars().count() > 100) {
            return Err(field_err("identifiers", "longer than 100 characters"));
        }
        if let Some(ds) = &self.datasets {
            check_count("datasets", ds.len())?;
        }
        let family_name = match self.family_name.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(f) => Some(check_name("family_name", f)?),
        };
        let threshold = check_threshold(self.threshold)?;
        let limit = check_limit(self.limit)?;
        let algorithm = parse_algorithm(self.algorithm.as_deref())?;
        let subject_key =
            embargo_app::review_subject(&name, schema, birth, countries.first().copied());
        let echo = serde_json::to_value(self).unwrap_or(Value::Null);
        Ok(Subject {
            query: Query {
                name,
                aliases,
                schema,
                countries,
                birth_dates: birth.into_iter().collect(),
                identifiers,
                family_name,
            },
            opts: ScreenOptions {
                threshold,
                limit,
                algorithm,
                datasets: self.datasets.clone(),
            },
            subject_key,
            echo,
        })
    }
}

/// The review state of one hit for the screened subject, as the page and
/// API clients see it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReviewMark {
    /// `cleared` (false positive, entity unchanged), `confirmed` (true
    /// match), `stale` (entity changed since the review: alert again),
    /// `expired` (review past its expiry: alert again).
    pub status: String,
    pub reviewer: String,
    /// Day the review was recorded (YYYY-MM-DD).
    pub date: String,
    pub reason: String,
    /// Human sentence: "cleared by … on …" or what changed.
    pub message: String,
    /// Fields of the entity that changed since the review (stale only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<String>,
}

/// Screens one validated subject on `snap`, marks reviewed hits, and
/// appends the audit record. Returns the JSON hits and the audit sequence.
pub fn screen_and_audit(
    st: &AppState,
    snap: &Arc<Snapshot>,
    actor: &str,
    subject: &Subject,
) -> Result<(Vec<Value>, u64), ApiError> {
    let results = snap.screen(&embargo_app::ScreenRequest {
        query: subject.query.clone(),
        options: subject.opts.clone(),
    });
    let today = Utc::now().date_naive();
    let mut out = Vec::with_capacity(results.len());
    for r in &results {
        let mut v =
            serde_json::to_value(r).map_err(|e| ApiError::internal("encoding a result", e))?;
        let id = EntityId(r.entity_id.to_string());
        let review = review_mark(st, snap, &subject.subject_key, &id, today)?;
        if let Value::Object(m) = &mut v {
            m.insert(
                "explanation_text".into(),
                Value::String(r.explanation.to_text()),
            );
            m.insert(
                "review".into(),
                review.map(|r| json!(r)).unwrap_or(Value::Null),
            );
        }
        out.push(v);
    }
    let rec = st.audit(NewRecord {
        kind: RecordKind::Screen,
        actor: actor.to_string(),
        request: subject.echo.clone(),
        result: json!({
            "hits": out.iter().map(|h| json!({
                "entity_id": h.get("entity_id"),
                "score": h.get("score"),
                "matched_name": h.get("matched_name"),
                "review": h.get("review").and_then(|r| r.get("status")),
            })).collect::<Vec<_>>(),
        }),
        list_versions: snap.version_labels(),
    })?;
    Ok((out, rec.seq))
}

/// Looks up the review decision for (subject, entity) and says whether it
/// still holds for the entity as currently listed.
pub fn review_mark(
    st: &AppState,
    snap: &Snapshot,
    subject_key: &str,
    id: &EntityId,
    today: chrono::NaiveDate,
) -> Result<Option<ReviewMark>, ApiError> {
    let Some(entity) = snap.matcher.get(id) else {
        return Ok(None);
    };
    let status = st
        .app
        .audit
        .review_status_for_entity(subject_key, entity, today)
        .map_err(|e| ApiError::internal("reading review decisions", e))?;
    Ok(status.map(crate::review::mark_of))
}
