//! Review decisions: recording one for a hit, and the display form of the
//! decision that stands on a hit ("cleared by … on …", or "alert again:
//! what changed").
//!
//! **Who.** A reviewer is an authenticated identity (the API key's owner,
//! the CLI's `--reviewer` or the data directory's configured reviewer);
//! placeholders such as `cli:unknown` or `anonymous-localhost` are refused.
//!
//! **Four eyes.** Clearing (false positive) a hit scored at or above the
//! data directory's `approval_threshold` (default 0.90), or any hit on an
//! SDN, Entity List or UFLPA record, needs a second, different reviewer's
//! false positive on the same (subject, entity) before it suppresses the
//! alert; until then the hit shows `pending_approval`. The score is looked
//! up by screening the subject on the current snapshot; a record the
//! subject does not reach at all is treated as needing approval. A true
//! match needs no approval.

use crate::error::{AppError, AppResult};
use crate::subject::{check_name, parse_country, parse_date, parse_schema};
use crate::App;
use embargo_audit::{NewReview, Review, ReviewLookup, ReviewStatus, Verdict};
use embargo_model::{Entity, EntityId};
use embargo_rules::listing::{regimes, Regime};
use serde::Serialize;

/// Longest accepted review reason.
pub const MAX_REASON_CHARS: usize = 2000;

/// The review state of one hit for the screened subject, as the page, the
/// API and `screen --json` show it.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewMark {
    /// `cleared` (false positive, entity unchanged), `confirmed` (true
    /// match), `pending_approval` (a clear waiting for a second reviewer:
    /// still an alert), `stale` (entity changed since the review: alert
    /// again), `expired` (review past its expiry: alert again), `ignored`
    /// (only review rows that failed their integrity check: an alert).
    pub status: String,
    pub reviewer: String,
    /// The second reviewer who approved a clear that needed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// Day the review was recorded (YYYY-MM-DD).
    pub date: String,
    pub reason: String,
    /// Human sentence: "cleared by … on …" or what changed.
    pub message: String,
    /// Fields of the entity that changed since the review (stale only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<String>,
    /// Review rows ignored because they failed their integrity check
    /// (written outside Embargo); `embargo audit verify` names them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl ReviewMark {
    /// The display form of a look-up: the standing decision with the
    /// warnings about ignored rows, or `ignored` when only those exist.
    pub fn from_lookup(l: ReviewLookup) -> Option<ReviewMark> {
        match l.status {
            Some(s) => {
                let mut m = ReviewMark::from(s);
                m.warnings = l.warnings;
                Some(m)
            }
            None if l.warnings.is_empty() => None,
            None => Some(ReviewMark {
                status: "ignored".into(),
                reviewer: String::new(),
                approved_by: None,
                date: String::new(),
                reason: String::new(),
                message: format!("alert: {}", l.warnings.join("; ")),
                changed: vec![],
                warnings: l.warnings,
            }),
        }
    }
}

/// A recorded decision and what it does to the hit now.
#[derive(Clone, Debug, Serialize)]
pub struct Reviewed {
    pub review: Review,
    /// The hit's review state after this decision (e.g. `pending_approval`).
    pub mark: ReviewMark,
    /// Why a clear of this hit needs a second reviewer, if it does.
    pub approval_required: Option<String>,
    /// The hit's score for the subject on the current lists, if it is hit.
    pub score: Option<f64>,
}

/// Why clearing a hit on `entity` scored `score` needs a second reviewer
/// (`None`: one reviewer may clear it). `score: None` means the subject
/// does not reach the record at all, which is treated as needing approval.
pub fn approval_needed(entity: &Entity, score: Option<f64>, threshold: f64) -> Option<String> {
    let lists: Vec<&str> = regimes(entity)
        .into_iter()
        .filter_map(|r| match r {
            Regime::Sdn => Some("the SDN list"),
            Regime::EntityList => Some("the Entity List"),
            Regime::Uflpa => Some("the UFLPA Entity List"),
            _ => None,
        })
        .collect();
    if !lists.is_empty() {
        return Some(format!("a hit on {}", lists.join(" and ")));
    }
    match score {
        Some(s) if s >= threshold => Some(format!("score {s:.2} ≥ {threshold:.2}")),
        Some(_) => None,
        None => Some("the hit's score could not be established for this subject".into()),
    }
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

/// The lowest score at which a hit can be reviewed: below the default
/// threshold, so a hit screened at a lowered `--threshold` can be cleared.
const REVIEW_FLOOR: f64 = 0.5;

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

impl App {
    /// Records a review decision by `reviewer` (an authenticated identity)
    /// on the hit `input.entity_id` for the subject `input` describes. The
    /// decision is an audit record; the answer says whether it stands or
    /// waits for a second reviewer.
    pub fn review(&self, reviewer: &str, input: &ReviewInput) -> AppResult<Reviewed> {
        let reviewer = crate::settings::check_reviewer(reviewer)?;
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
                crate::subject::parse_day(s)
                    .ok_or_else(|| AppError::invalid("expires", format!("{s:?} is not YYYY-MM-DD")))
            })
            .transpose()?;
        let today = chrono::Utc::now().date_naive();
        if let Some(d) = expires.filter(|d| *d < today) {
            return Err(AppError::invalid(
                "expires",
                format!("{d} is in the past (today is {today}, UTC)"),
            ));
        }
        let subject_key = crate::review_subject(&name, schema, dob, country);
        let id = EntityId(input.entity_id.trim().to_string());
        let snap = self.snapshot();
        let entity = snap
            .entity(&id)
            .ok_or_else(|| AppError::NotFound(format!("no entity {id} in the loaded lists")))?;
        let score = self.hit_score(&snap, input, &id)?;
        // A clear of a record the subject does not reach clears nothing:
        // it is almost always the name typed differently from the screen,
        // and recording it would leave the real hit standing while the
        // reviewer believes it cleared. A confirmation stays possible (an
        // analyst may know the party is listed under a name that does not
        // match).
        if score.is_none() && verdict == Verdict::FalsePositive {
            return Err(AppError::invalid(
                "entity_id",
                format!(
                    "{name:?} does not reach {id} (no score of {REVIEW_FLOOR} or more), so there is no hit to clear; give the name, schema, birth date and country as they were screened"
                ),
            ));
        }
        let threshold = crate::settings::approval_threshold(&self.data_dir)?;
        let approval_required = approval_needed(entity, score, threshold);
        let mut new =
            NewReview::for_entity(subject_key, entity, verdict, reason, reviewer, expires);
        new.score = score;
        new.approval_required = match verdict {
            Verdict::FalsePositive => approval_required.clone(),
            Verdict::TrueMatch => None,
        };
        crate::deadline::commit_point()?;
        let review = self.audit_backend().record_review(new)?;
        let lookup = self.audit_backend().review_lookup(
            &review.subject_key,
            entity,
            chrono::Utc::now().date_naive(),
            approval_required.as_deref(),
        )?;
        let mark = ReviewMark::from_lookup(lookup).ok_or_else(|| {
            AppError::NotFound("the decision just recorded cannot be read back".into())
        })?;
        Ok(Reviewed {
            review,
            mark,
            approval_required,
            score,
        })
    }

    /// The score of the hit on `id` when the review's subject is screened
    /// on `snap` (the row's own record or one of its consolidated records).
    fn hit_score(
        &self,
        snap: &crate::Snapshot,
        input: &ReviewInput,
        id: &EntityId,
    ) -> AppResult<Option<f64>> {
        let subject = crate::ScreenInput {
            name: input.name.clone(),
            schema: input.schema.clone(),
            birth_date: input.birth_date.clone(),
            country: input.country.clone(),
            limit: Some(crate::MAX_LIMIT),
            threshold: Some(REVIEW_FLOOR),
            ..Default::default()
        }
        .validate()?;
        let rows = snap.screen(&crate::ScreenRequest {
            query: subject.query,
            options: subject.options,
            as_of: None,
        });
        Ok(rows.iter().find_map(|r| {
            if &r.entity_id == id {
                Some(r.score)
            } else {
                r.records
                    .iter()
                    .find(|x| &x.entity_id == id)
                    .map(|x| x.score.unwrap_or(r.score))
            }
        }))
    }

    /// The review state of one hit for a subject, under this data
    /// directory's maker-checker policy.
    pub fn review_lookup(
        &self,
        subject_key: &str,
        entity: &Entity,
        score: f64,
        today: chrono::NaiveDate,
        threshold: f64,
    ) -> AppResult<ReviewLookup> {
        let why = approval_needed(entity, Some(score), threshold);
        Ok(self
            .audit_backend()
            .review_lookup(subject_key, entity, today, why.as_deref())?)
    }
}

/// The display form of a standing decision.
impl From<ReviewStatus> for ReviewMark {
    fn from(s: ReviewStatus) -> ReviewMark {
        match s {
            ReviewStatus::Cleared {
                by,
                approved_by,
                on,
                reason,
                verdict,
                ..
            } => {
                let date = on.format("%Y-%m-%d").to_string();
                let approval = approved_by
                    .as_deref()
                    .map(|a| format!(", approved by {a}"))
                    .unwrap_or_default();
                let (status, message) = match verdict {
                    Verdict::FalsePositive => {
                        ("cleared", format!("cleared by {by}{approval} on {date}"))
                    }
                    Verdict::TrueMatch => (
                        "confirmed",
                        format!("confirmed as a true match by {by} on {date}"),
                    ),
                };
                ReviewMark {
                    status: status.into(),
                    reviewer: by,
                    approved_by,
                    date,
                    reason,
                    message,
                    changed: vec![],
                    warnings: vec![],
                }
            }
            ReviewStatus::PendingApproval { review, why } => {
                let date = review.decided_at.format("%Y-%m-%d").to_string();
                ReviewMark {
                    status: "pending_approval".into(),
                    message: format!(
                        "alert: cleared by {} on {date}, pending approval by a second, different reviewer ({why})",
                        review.reviewer
                    ),
                    reviewer: review.reviewer,
                    approved_by: None,
                    date,
                    reason: review.reason,
                    changed: vec![],
                    warnings: vec![],
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
                approved_by: None,
                date,
                reason: previous.reason,
                changed,
                warnings: vec![],
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
                    approved_by: None,
                    date,
                    reason: previous.reason,
                    changed: vec![],
                    warnings: vec![],
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
            approved_by: None,
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
