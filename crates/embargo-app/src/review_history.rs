//! The review history of one screened subject: every decision filed for
//! it, on any listed record, oldest first — what the web page shows in a
//! hit's detail beside the decision that stands now. A read: not audited
//! (the decisions themselves are audit records; each entry names its
//! record's `audit_seq`).

use crate::error::{AppError, AppResult};
use crate::subject::{check_name, parse_country, parse_date, parse_schema};
use crate::App;
use serde::Serialize;

/// One decision as filed.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewHistoryEntry {
    pub review_id: i64,
    /// The audit record holding the decision.
    pub audit_seq: u64,
    /// When it was recorded (RFC 3339, UTC).
    pub decided_at: String,
    /// The listed record the decision is about.
    pub entity_id: String,
    /// That record's caption in the loaded lists; `None` when it is no
    /// longer in them (delisted or its list removed).
    pub caption: Option<String>,
    /// `false_positive` or `true_match`.
    pub verdict: String,
    pub reason: String,
    pub reviewer: String,
    /// Last day the decision applied (YYYY-MM-DD), if it had one.
    pub expires: Option<String>,
}

/// Every decision filed for one subject.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubjectReviews {
    /// The review subject key the decisions are filed under
    /// (`review_subject`: name, schema, date of birth, country).
    pub subject_key: String,
    /// Oldest first.
    pub reviews: Vec<ReviewHistoryEntry>,
    /// Decision rows left out because they fail their integrity check
    /// (written outside Embargo); `embargo audit verify` names them.
    pub warnings: Vec<String>,
}

fn given(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

impl App {
    /// Every review decision filed for the subject screened as `name`
    /// (with the same optional schema, date of birth and country as the
    /// screen: the subject key the decisions were filed under).
    pub fn subject_reviews(
        &self,
        name: &str,
        schema: Option<&str>,
        birth_date: Option<&str>,
        country: Option<&str>,
    ) -> AppResult<SubjectReviews> {
        let name = check_name("name", name)?;
        let schema = given(schema)
            .map(|s| parse_schema("schema", s))
            .transpose()?;
        let dob = given(birth_date)
            .map(|s| parse_date("birth_date", s))
            .transpose()?;
        let country = given(country)
            .map(|s| parse_country("country", s))
            .transpose()?;
        let subject_key = crate::review_subject(&name, schema, dob, country);
        let (rows, warnings) = self
            .audit_backend()
            .subject_reviews(&subject_key)
            .map_err(AppError::from)?;
        let snap = self.snapshot();
        let reviews = rows
            .into_iter()
            .map(|r| ReviewHistoryEntry {
                caption: snap.entity(&r.entity_id).map(|e| e.caption().to_string()),
                review_id: r.id,
                audit_seq: r.audit_seq,
                decided_at: r.decided_at.to_rfc3339(),
                entity_id: r.entity_id.0,
                verdict: r.verdict.as_str().into(),
                reason: r.reason,
                reviewer: r.reviewer,
                expires: r.expires.map(|d| d.to_string()),
            })
            .collect();
        Ok(SubjectReviews {
            subject_key,
            reviews,
            warnings,
        })
    }
}
