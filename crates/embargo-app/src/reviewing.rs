//! Review decisions: recording one for a hit, and the display form of the
//! decision that stands on a hit ("cleared by … on …", or "alert again:
//! what changed").

use crate::error::{AppError, AppResult};
use crate::subject::{check_name, parse_country, parse_date, parse_schema};
use crate::App;
use embargo_audit::{NewReview, Review, ReviewStatus, Verdict};
use embargo_model::EntityId;
use serde::Serialize;

/// Longest accepted review reason.
pub const MAX_REASON_CHARS: usize = 2000;

/// The review state of one hit for the screened subject, as the page, the
/// API and `screen --json` show it.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// A review decision on one hit, as the caller typed it.
#[derive(Clone, Debug, Default)]
pub struct ReviewInput {
    /// What was screened: the same fields as a screen, so the decision
    /// applies the next time this subject is screened.
    pub name: String,
    pub schema: Option<String>,
    pub birth_date: Option<String>,
    pub country: Option<String>,
    /// The listed entity the hit pointed at.
    pub entity_id: String,
    /// `false_positive` (clears the hit) or `true_match`.
    pub verdict: String,
    pub reason: String,
    /// Last day the decision applies (YYYY-MM-DD); absent = until the entry changes.
    pub expires: Option<String>,
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

impl App {
    /// Records a review decision by `reviewer` on the hit `input.entity_id`
    /// for the subject `input` describes. The decision is an audit record.
    pub fn review(&self, reviewer: &str, input: &ReviewInput) -> AppResult<Review> {
        let name = check_name("subject.name", &input.name)?;
        let schema = non_empty(input.schema.as_deref())
            .map(|s| parse_schema("subject.schema", s))
            .transpose()?;
        let dob = non_empty(input.birth_date.as_deref())
            .map(|s| parse_date("subject.birth_date", s))
            .transpose()?;
        let country = non_empty(input.country.as_deref())
            .map(|s| parse_country("subject.country", s))
            .transpose()?;
        let verdict = Verdict::parse(input.verdict.trim()).ok_or_else(|| {
            AppError::invalid("verdict", "expected `false_positive` or `true_match`")
        })?;
        let reason = input.reason.trim().to_string();
        if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
            return Err(AppError::invalid(
                "reason",
                format!("must say why, in 1–{MAX_REASON_CHARS} characters"),
            ));
        }
        let expires = non_empty(input.expires.as_deref())
            .map(|s| {
                chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map_err(|_| AppError::invalid("expires", format!("{s:?} is not YYYY-MM-DD")))
            })
            .transpose()?;
        let subject_key = crate::review_subject(&name, schema, dob, country);
        let id = EntityId(input.entity_id.trim().to_string());
        let snap = self.snapshot();
        let entity = snap
            .entity(&id)
            .ok_or_else(|| AppError::NotFound(format!("no entity {id} in the loaded lists")))?;
        let review = self.audit.record_review(NewReview::for_entity(
            subject_key,
            entity,
            verdict,
            reason,
            reviewer.to_string(),
            expires,
        ))?;
        Ok(review)
    }
}

/// The display form of a standing decision.
impl From<ReviewStatus> for ReviewMark {
    fn from(s: ReviewStatus) -> ReviewMark {
        match s {
            ReviewStatus::Cleared {
                by,
                on,
                reason,
                verdict,
                ..
            } => {
                let date = on.format("%Y-%m-%d").to_string();
                let (status, message) = match verdict {
                    Verdict::FalsePositive => ("cleared", format!("cleared by {by} on {date}")),
                    Verdict::TrueMatch => (
                        "confirmed",
                        format!("confirmed as a true match by {by} on {date}"),
                    ),
                };
                ReviewMark {
                    status: status.into(),
                    reviewer: by,
                    date,
                    reason,
                    message,
                    changed: vec![],
                }
            }
            ReviewStatus::Stale { previous, changes } => {
                let date = previous.decided_at.format("%Y-%m-%d").to_string();
                let changed: Vec<String> = changes
                    .unwrap_or_default()
                    .iter()
                    .map(|c| c.to_string())
                    .collect();
                let what = if changed.is_empty() {
                    "the listed entry".to_string()
                } else {
                    changed.join("; ")
                };
                ReviewMark {
                status: "stale".into(),
                message: format!(
                    "alert again: reviewed by {} on {date} ({}), but the listing changed since: {what}",
                    previous.reviewer,
                    previous.verdict.as_str()
                ),
                reviewer: previous.reviewer,
                date,
                reason: previous.reason,
                changed,
            }
            }
            ReviewStatus::Expired { previous } => {
                let date = previous.decided_at.format("%Y-%m-%d").to_string();
                ReviewMark {
                    status: "expired".into(),
                    message: format!(
                        "alert again: the review by {} on {date} applied only until {}",
                        previous.reviewer,
                        previous.expires.map(|d| d.to_string()).unwrap_or_default()
                    ),
                    reviewer: previous.reviewer,
                    date,
                    reason: previous.reason,
                    changed: vec![],
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Utc};
    use embargo_audit::Review;

    fn review(verdict: Verdict, expires: Option<NaiveDate>) -> Review {
        Review {
            id: 1,
            audit_seq: 7,
            decided_at: Utc.with_ymd_and_hms(2026, 3, 4, 10, 0, 0).unwrap(),
            subject_key: "k".into(),
            entity_id: EntityId("x:1".into()),
            entity_fingerprint: "0".repeat(64),
            entity: None,
            verdict,
            reason: "why".into(),
            reviewer: "ana".into(),
            expires,
        }
    }

    #[test]
    fn standing_decisions_read_as_cleared_or_confirmed() {
        let r = review(Verdict::TrueMatch, None);
        let m = ReviewMark::from(ReviewStatus::Cleared {
            by: r.reviewer.clone(),
            on: r.decided_at,
            reason: r.reason.clone(),
            verdict: Verdict::TrueMatch,
            expires: None,
            review_id: 1,
        });
        assert_eq!(m.status, "confirmed");
        assert_eq!(m.message, "confirmed as a true match by ana on 2026-03-04");
    }

    #[test]
    fn expired_and_changed_decisions_alert_again() {
        let exp = NaiveDate::from_ymd_opt(2026, 6, 30);
        let m = ReviewMark::from(ReviewStatus::Expired {
            previous: review(Verdict::FalsePositive, exp),
        });
        assert_eq!(m.status, "expired");
        assert_eq!(
            m.message,
            "alert again: the review by ana on 2026-03-04 applied only until 2026-06-30"
        );
        let m = ReviewMark::from(ReviewStatus::Stale {
            previous: review(Verdict::FalsePositive, None),
            changes: None,
        });
        assert_eq!(m.status, "stale");
        assert!(m.changed.is_empty());
        assert!(
            m.message.ends_with("changed since: the listed entry"),
            "{}",
            m.message
        );
    }
}
