//! Screening a subject over HTTP: the request as the API documents it, and
//! its translation into the workflow layer's `ScreenInput`. Validation,
//! review marks and the audit record live in `embargo-app`, shared with the
//! CLI. Used by `/v1/screen`, `/v1/batch` and the yente-compatible `/match`.

use crate::error::ApiError;
use crate::state::AppState;
use embargo_app::{ScreenInput, Snapshot, Subject};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use utoipa::ToSchema;

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
    /// Screen the lists as they stood on this past day (`YYYY-MM-DD`):
    /// parties removed since are found, parties listed later are not, and
    /// a day the stored versions cannot decide is marked uncertain.
    /// Absent: today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
}

impl ScreenRequest {
    /// The workflow layer's input for this request.
    pub fn to_input(&self) -> ScreenInput {
        ScreenInput {
            reference: self.id.clone(),
            name: self.name.clone(),
            aliases: self.aliases.clone(),
            schema: self.schema.clone(),
            birth_date: self.birth_date.clone(),
            country: self.country.clone(),
            countries: self.countries.clone(),
            identifiers: self.identifiers.clone(),
            family_name: self.family_name.clone(),
            threshold: self.threshold,
            limit: self.limit,
            algorithm: self.algorithm.clone(),
            datasets: self.datasets.clone(),
            as_of: self.as_of.clone(),
        }
    }

    /// Validates every field, naming the first bad one.
    pub fn validate(&self) -> Result<Subject, ApiError> {
        Ok(self.to_input().validate()?)
    }
}

/// Screens one validated subject on `snap` through the workflow layer
/// (review marks, audit record). Returns the JSON hits and the audit
/// sequence.
pub fn screen_and_audit(
    st: &AppState,
    snap: &Arc<Snapshot>,
    actor: &str,
    subject: &Subject,
) -> Result<(Vec<Value>, u64), ApiError> {
    let screened = st.app.screen_on(snap, actor, subject)?;
    Ok((screened.hit_rows()?, screened.audit_seq))
}

/// Like [`screen_and_audit`], with what the screen searched.
pub fn screen_with_coverage(
    st: &AppState,
    snap: &Arc<Snapshot>,
    actor: &str,
    subject: &Subject,
) -> Result<(Vec<Value>, u64, Value, Vec<String>), ApiError> {
    let screened = st.app.screen_on(snap, actor, subject)?;
    let coverage = serde_json::to_value(&screened.coverage)
        .map_err(|e| ApiError::internal("encoding coverage", e))?;
    Ok((
        screened.hit_rows()?,
        screened.audit_seq,
        coverage,
        screened.notes.clone(),
    ))
}
