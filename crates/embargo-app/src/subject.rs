//! What a caller asks to screen, validated once for every front end.
//!
//! Data flow: [`ScreenInput`] (loosely typed, as a CLI flag or a JSON field
//! arrives) → [`ScreenInput::validate`] → [`Subject`] (parsed dates, ISO
//! countries, known schema, bounded sizes) → the matcher. The CLI, the HTTP
//! API (native and yente-compatible), NDJSON batches and the web page all
//! build a `ScreenInput`, so one name screened anywhere is the same
//! `Subject`, files its reviews under the same key and writes the same audit
//! request ([`Subject::audit_request`]).

use crate::error::{AppError, AppResult};
use embargo_match::{Algorithm, Query, ScreenOptions, DEFAULT_THRESHOLD, OFAC_THRESHOLD};
use embargo_model::{Country, PartialDate, Schema};
use serde_json::{json, Value};

/// Longest accepted name; real names are far shorter, and the matcher's
/// cost grows with length.
pub const MAX_NAME_CHARS: usize = 300;
/// Most hits returned for one subject.
pub const MAX_LIMIT: usize = 100;
/// Hits returned when the caller names no limit.
pub const DEFAULT_LIMIT: usize = 10;
/// Most aliases, countries, identifiers or datasets in one subject.
pub const MAX_VALUES: usize = 20;
/// Longest accepted identifier or caller reference.
pub const MAX_IDENTIFIER_CHARS: usize = 100;

/// One subject to screen, as the caller typed it. Empty strings mean absent.
#[derive(Clone, Debug, Default)]
pub struct ScreenInput {
    /// Caller's reference, echoed back and kept in the audit record.
    pub reference: Option<String>,
    pub name: String,
    pub aliases: Vec<String>,
    pub schema: Option<String>,
    pub birth_date: Option<String>,
    /// The subject's main country (ISO-2 or an English name).
    pub country: Option<String>,
    /// Further countries (nationality, address, registration).
    pub countries: Vec<String>,
    pub identifiers: Vec<String>,
    pub family_name: Option<String>,
    pub threshold: Option<f64>,
    pub limit: Option<usize>,
    pub algorithm: Option<String>,
    pub datasets: Option<Vec<String>>,
    /// Screen the lists as they stood on this day (YYYY-MM-DD); absent or
    /// today = now.
    pub as_of: Option<String>,
}

/// A validated subject, ready for the matcher.
#[derive(Clone, Debug)]
pub struct Subject {
    pub reference: Option<String>,
    pub query: Query,
    pub options: ScreenOptions,
    /// Key under which review decisions for this subject are filed.
    pub review_key: String,
    /// The foreign API a subject arrived through (`yente-match`,
    /// `yente-search`), recorded in the audit request; `None` for Embargo's
    /// own interfaces (CLI, `/v1`, the web page), whose records are identical
    /// for the same subject.
    pub api: Option<&'static str>,
    /// A past day to screen the lists as of (never today or later).
    pub as_of: Option<chrono::NaiveDate>,
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// Parses a schema name (`Person`, `organization`, `Company`, FtM's
/// `LegalEntity`, `Airplane`, …). The one schema parser of every front end.
pub fn parse_schema(field: &str, s: &str) -> AppResult<Schema> {
    let t = s.trim();
    if t.is_empty() {
        return Err(AppError::invalid(field, "must not be empty"));
    }
    Schema::parse(t).ok_or_else(|| {
        AppError::invalid(
            field,
            format!("unknown schema {s:?}; expected Person, Organization, Company, Vessel, Aircraft or LegalEntity"),
        )
    })
}

pub fn parse_country(field: &str, s: &str) -> AppResult<Country> {
    Country::parse(s).ok_or_else(|| {
        AppError::invalid(
            field,
            format!("{s:?} is not an ISO 3166-1 alpha-2 code or a known country name"),
        )
    })
}

pub fn parse_date(field: &str, s: &str) -> AppResult<PartialDate> {
    PartialDate::parse_iso(s.trim()).map_err(|_| {
        AppError::invalid(
            field,
            format!("{s:?} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD"),
        )
    })
}

/// A day written exactly `YYYY-MM-DD` (chrono alone also reads `2024-1-5`),
/// as the API's schema says.
pub(crate) fn parse_day(s: &str) -> Option<chrono::NaiveDate> {
    let shape = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shape
        .then(|| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
}

/// Reads an algorithm name. yente clients send `best`, `logic-v2`,
/// `name-based`, …: all mean "the server's best matcher", which is ours.
pub fn parse_algorithm(s: Option<&str>) -> AppResult<Algorithm> {
    match s.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
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
        Some(other) => Err(AppError::invalid(
            "algorithm",
            format!("unknown algorithm {other:?}; expected embargo or ofac (see GET /algorithms)"),
        )),
    }
}

/// The threshold in force: the caller's, or the algorithm's default (OFAC
/// scores run higher, so its default is higher).
pub fn check_threshold(t: Option<f64>, algorithm: Algorithm) -> AppResult<f64> {
    match t {
        None => Ok(match algorithm {
            Algorithm::Embargo => DEFAULT_THRESHOLD,
            Algorithm::Ofac => OFAC_THRESHOLD,
        }),
        Some(t) if t.is_finite() && (0.0..=1.0).contains(&t) => Ok(t),
        Some(t) => Err(AppError::invalid(
            "threshold",
            format!("{t} is not between 0 and 1"),
        )),
    }
}

pub fn check_limit(l: Option<usize>) -> AppResult<usize> {
    match l {
        None => Ok(DEFAULT_LIMIT),
        Some(l) if (1..=MAX_LIMIT).contains(&l) => Ok(l),
        Some(l) => Err(AppError::invalid(
            "limit",
            format!("{l} is not between 1 and {MAX_LIMIT}"),
        )),
    }
}

/// A name as screened: trimmed, 1–300 characters, no control characters.
pub fn check_name(field: &str, s: &str) -> AppResult<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(AppError::invalid(field, "must not be empty"));
    }
    if t.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::invalid(
            field,
            format!("longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    if t.chars().any(|c| c.is_control()) {
        return Err(AppError::invalid(field, "contains control characters"));
    }
    Ok(t.to_string())
}

fn check_count(field: &str, n: usize) -> AppResult<()> {
    if n > MAX_VALUES {
        return Err(AppError::invalid(
            field,
            format!("at most {MAX_VALUES} values"),
        ));
    }
    Ok(())
}

impl ScreenInput {
    /// Validates every field, naming the first bad one.
    pub fn validate(&self) -> AppResult<Subject> {
        let name = check_name("name", &self.name)?;
        check_count("aliases", self.aliases.len())?;
        check_count("countries", self.countries.len())?;
        check_count("identifiers", self.identifiers.len())?;
        let aliases = self
            .aliases
            .iter()
            .map(|a| check_name("aliases", a))
            .collect::<AppResult<Vec<_>>>()?;
        let schema = non_empty(self.schema.as_deref())
            .map(|s| parse_schema("schema", s))
            .transpose()?;
        let birth = non_empty(self.birth_date.as_deref())
            .map(|s| parse_date("birth_date", s))
            .transpose()?;
        let mut countries = Vec::new();
        if let Some(c) = non_empty(self.country.as_deref()) {
            countries.push(parse_country("country", c)?);
        }
        for c in self.countries.iter().filter(|c| !c.trim().is_empty()) {
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
        if identifiers
            .iter()
            .any(|i| i.chars().count() > MAX_IDENTIFIER_CHARS)
        {
            return Err(AppError::invalid(
                "identifiers",
                format!("longer than {MAX_IDENTIFIER_CHARS} characters"),
            ));
        }
        if let Some(ds) = &self.datasets {
            check_count("datasets", ds.len())?;
        }
        let reference = non_empty(self.reference.as_deref()).map(str::to_string);
        if reference
            .as_ref()
            .is_some_and(|r| r.chars().count() > MAX_IDENTIFIER_CHARS)
        {
            return Err(AppError::invalid(
                "id",
                format!("longer than {MAX_IDENTIFIER_CHARS} characters"),
            ));
        }
        let family_name = non_empty(self.family_name.as_deref())
            .map(|f| check_name("family_name", f))
            .transpose()?;
        let algorithm = parse_algorithm(self.algorithm.as_deref())?;
        let threshold = check_threshold(self.threshold, algorithm)?;
        let limit = check_limit(self.limit)?;
        let review_key = crate::review_subject(&name, schema, birth, countries.first().copied());
        let as_of = non_empty(self.as_of.as_deref())
            .map(|d| {
                parse_day(d).ok_or_else(|| {
                    AppError::invalid("as_of", format!("{d:?} is not a date YYYY-MM-DD"))
                })
            })
            .transpose()?;
        let today = chrono::Utc::now().date_naive();
        if as_of.is_some_and(|d| d > today) {
            return Err(AppError::invalid(
                "as_of",
                "is in the future; the lists of a future day are not known",
            ));
        }
        let as_of = as_of.filter(|d| *d < today);
        Ok(Subject {
            reference,
            query: Query {
                name,
                aliases,
                schema,
                countries,
                birth_dates: birth.into_iter().collect(),
                identifiers,
                family_name,
            },
            options: ScreenOptions {
                threshold,
                limit,
                algorithm,
                datasets: self.datasets.clone(),
                ..Default::default()
            },
            review_key,
            api: None,
            as_of,
        })
    }
}

impl Subject {
    /// The request part of this subject's audit record: typed values in one
    /// documented shape, whichever front end the subject came through (see
    /// ARCHITECTURE.md, "Audit records").
    pub fn audit_request(&self) -> Value {
        let q = &self.query;
        let mut v = json!({
            "reference": self.reference,
            "name": q.name,
            "aliases": q.aliases,
            "schema": q.schema,
            "birth_dates": q.birth_dates,
            "countries": q.countries,
            "identifiers": q.identifiers,
            "family_name": q.family_name,
            "threshold": self.options.threshold,
            "limit": self.options.limit,
            "algorithm": algorithm_name(self.options.algorithm),
            "datasets": self.options.datasets,
        });
        if let Some(api) = self.api {
            v["api"] = json!(api);
        }
        if let Some(day) = self.as_of {
            v["as_of"] = json!(day);
        }
        v
    }
}

/// The lower-case name of an algorithm, as requests and records spell it.
pub fn algorithm_name(a: Algorithm) -> &'static str {
    match a {
        Algorithm::Embargo => "embargo",
        Algorithm::Ofac => "ofac",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bad_field_is_named() {
        let bad = ScreenInput {
            name: "Hikvision".into(),
            birth_date: Some("1955-13".into()),
            ..Default::default()
        };
        let e = bad.validate().unwrap_err().to_string();
        assert!(e.starts_with("`birth_date`:"), "{e}");
        let empty = ScreenInput::default().validate().unwrap_err().to_string();
        assert_eq!(empty, "`name`: must not be empty");
        let e = ScreenInput {
            name: "x".into(),
            schema: Some("planet".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_err()
        .to_string();
        assert!(e.contains("unknown schema"), "{e}");
    }

    #[test]
    fn schema_spellings_of_every_front_end_are_one_schema() {
        for s in ["company", "Company", " COMPANY "] {
            assert_eq!(parse_schema("schema", s).unwrap(), Schema::Company);
        }
        assert_eq!(
            parse_schema("schema", "Airplane").unwrap(),
            Schema::Aircraft
        );
        assert_eq!(
            parse_schema("schema", "LegalEntity").unwrap(),
            Schema::LegalEntity
        );
    }

    #[test]
    fn the_default_threshold_follows_the_algorithm() {
        let s = ScreenInput {
            name: "x".into(),
            algorithm: Some("ofac".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(s.options.threshold, OFAC_THRESHOLD);
        let s = ScreenInput {
            name: "x".into(),
            algorithm: Some("logic-v2".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(s.options.threshold, DEFAULT_THRESHOLD);
    }

    #[test]
    fn the_audit_request_depends_on_values_not_spelling() {
        let a = ScreenInput {
            name: " Hikvision ".into(),
            schema: Some("company".into()),
            countries: vec!["cn".into()],
            ..Default::default()
        };
        let b = ScreenInput {
            name: "Hikvision".into(),
            schema: Some("Company".into()),
            countries: vec!["China".into()],
            ..Default::default()
        };
        let (a, b) = (a.validate().unwrap(), b.validate().unwrap());
        assert_eq!(a.audit_request(), b.audit_request());
        assert_eq!(a.review_key, b.review_key);
        assert_eq!(a.audit_request()["countries"], json!(["CN"]));
    }
}
