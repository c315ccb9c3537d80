//! The screening act: run a [`Subject`] through the matcher on one snapshot,
//! mark hits that earlier review decisions settled, and write the one audit
//! record of the screen.
//!
//! Audit record of a screen (kind `screen`), the same from every front end:
//! - `request`: [`Subject::audit_request`] (typed query and options);
//! - `result`: `{"hits": [{"entity_id", "score", "matched_name", "review",
//!   "review_id", "reviewer", "approved_by"}]}` where `review` is the status
//!   of a standing review decision (`cleared`, `confirmed`,
//!   `pending_approval`, `stale`, `expired`, `ignored`) or null, and
//!   `review_id`/`reviewer`/`approved_by` name that decision (absent
//!   when there is none);
//! - `list_versions`: `dataset@version` of every list in the snapshot.

use crate::error::{AppError, AppResult};
use crate::reviewing::ReviewMark;
use crate::subject::Subject;
use crate::{App, ScreenRequest, ScreenResult, Snapshot};
use chrono::{DateTime, Utc};
use embargo_audit::{NewRecord, RecordKind, ReviewLookup, ReviewStatus};
use serde::Serialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// One hit with the review decision that stands on it for the subject.
#[derive(Clone, Debug)]
pub struct ReviewedHit {
    pub result: ScreenResult,
    pub review: Option<ReviewStatus>,
    /// Review rows ignored because they failed their integrity check.
    pub review_warnings: Vec<String>,
}

impl ReviewedHit {
    /// The display form of the standing review decision, if any.
    pub fn mark(&self) -> Option<ReviewMark> {
        ReviewMark::from_lookup(ReviewLookup {
            status: self.review.clone(),
            warnings: self.review_warnings.clone(),
        })
    }
}

/// One list a screen searched: which version, published when, how big.
#[derive(Clone, Debug, Serialize)]
pub struct Coverage {
    pub dataset: String,
    pub version: String,
    pub published: Option<chrono::NaiveDate>,
    /// Where the publication date comes from (`file`, `http_last_modified`,
    /// `operator`, `import_date`).
    pub published_basis: Option<String>,
    pub entities: u64,
}

/// What a screen found, and where its audit record is.
pub struct Screened {
    /// The snapshot the screen ran on (its lists and versions).
    pub snapshot: Arc<Snapshot>,
    pub evaluated_at: DateTime<Utc>,
    /// The datasets searched.
    pub datasets: Vec<String>,
    /// Each list searched, with its version, publication date and size:
    /// a result is only as good as what was looked at.
    pub coverage: Vec<Coverage>,
    /// What the result does not cover, in plain English (a screen against
    /// the embedded pack alone, a past day screened).
    pub notes: Vec<String>,
    /// Why this screen cannot vouch that a party absent from its results
    /// was absent from the lists (a past day before a list's stored
    /// history). Not empty = the result is not a clear: review it.
    pub undecided: Vec<String>,
    pub hits: Vec<ReviewedHit>,
    /// Sequence number of the screen's audit record.
    pub audit_seq: u64,
}

impl App {
    /// Screens one subject on the current snapshot and audits it.
    pub fn screen(&self, actor: &str, subject: &Subject) -> AppResult<Screened> {
        self.screen_on(&self.snapshot(), actor, subject)
    }

    /// Screens one subject on `snap` (a batch holds one snapshot for all its
    /// lines) and audits it. An answer whose audit record could not be
    /// written is an error, never returned.
    pub fn screen_on(
        &self,
        snap: &Arc<Snapshot>,
        actor: &str,
        subject: &Subject,
    ) -> AppResult<Screened> {
        let (mut screened, record) = self.screen_prepared(snap, actor, subject)?;
        crate::deadline::commit_point()?;
        screened.audit_seq = self.audit_backend().append_record(record)?.seq;
        Ok(screened)
    }

    /// The screen and the audit record that must be written before it is
    /// given to anyone (`audit_seq` is 0 until then); the bus consumer
    /// writes many in one transaction.
    pub(crate) fn screen_prepared(
        &self,
        snap: &Arc<Snapshot>,
        actor: &str,
        subject: &Subject,
    ) -> AppResult<(Screened, NewRecord)> {
        let evaluated_at = Utc::now();
        let datasets = searched_datasets(snap, subject.options.datasets.as_deref())?;
        let results = snap.screen(&ScreenRequest {
            query: subject.query.clone(),
            options: subject.options.clone(),
            as_of: subject.as_of,
        });
        let today = evaluated_at.date_naive();
        let mut hits = Vec::with_capacity(results.len());
        // The maker-checker threshold, read once per screen when needed.
        let mut threshold = None;
        for result in results {
            let lookup = match snap.entity(&result.entity_id) {
                Some(e) => {
                    let t = match threshold {
                        Some(t) => t,
                        None => {
                            *threshold.insert(crate::settings::approval_threshold(&self.data_dir)?)
                        }
                    };
                    self.review_lookup(&subject.review_key, e, result.score, today, t)?
                }
                None => ReviewLookup::default(),
            };
            hits.push(ReviewedHit {
                result,
                review: lookup.status,
                review_warnings: lookup.warnings,
            });
        }
        let record = NewRecord {
            kind: RecordKind::Screen,
            actor: actor.to_string(),
            request: subject.audit_request(),
            result: screen_audit_result(&hits),
            list_versions: snap.version_labels(),
        };
        Ok((
            described(snap, subject, datasets, evaluated_at, hits, 0),
            record,
        ))
    }
}

/// Screens one subject on a snapshot that has no data directory behind it
/// (the embedded pack alone, or a snapshot handed to a Spark executor):
/// no review decisions are looked up and no audit record is written, so
/// `audit_seq` is 0. Front ends that hold an [`App`] use [`App::screen`].
pub fn screen_unaudited(snap: &Arc<Snapshot>, subject: &Subject) -> AppResult<Screened> {
    let evaluated_at = Utc::now();
    let datasets = searched_datasets(snap, subject.options.datasets.as_deref())?;
    let hits = snap
        .screen(&ScreenRequest {
            query: subject.query.clone(),
            options: subject.options.clone(),
            as_of: subject.as_of,
        })
        .into_iter()
        .map(|result| ReviewedHit {
            result,
            review: None,
            review_warnings: Vec::new(),
        })
        .collect();
    let mut screened = described(snap, subject, datasets, evaluated_at, hits, 0);
    screened
        .notes
        .push("Not audited and no review decisions applied: no data directory is open.".into());
    Ok(screened)
}

/// What a screen searched and cannot vouch for, around its hits.
fn described(
    snap: &Arc<Snapshot>,
    subject: &Subject,
    datasets: Vec<String>,
    evaluated_at: DateTime<Utc>,
    hits: Vec<ReviewedHit>,
    audit_seq: u64,
) -> Screened {
    let coverage = coverage_of(snap, &datasets);
    let undecided: Vec<String> = subject
        .as_of
        .map(|day| {
            datasets
                .iter()
                .filter_map(|d| snap.blind_spot(d, day))
                .collect()
        })
        .unwrap_or_default();
    let mut notes = notes_for(&coverage, subject);
    notes.extend(
        undecided
            .iter()
            .map(|r| format!("Cannot vouch for absence: {r}")),
    );
    Screened {
        datasets,
        coverage,
        notes,
        undecided,
        snapshot: snap.clone(),
        evaluated_at,
        hits,
        audit_seq,
    }
}

/// The datasets a subject searches: the ones it names (each must be
/// loaded: a typo must not screen nothing and read as "no hit"), or the
/// snapshot's defaults.
pub fn searched_datasets(snap: &Snapshot, named: Option<&[String]>) -> AppResult<Vec<String>> {
    let known: Vec<&str> = snap.versions.iter().map(|v| v.dataset.as_str()).collect();
    match named {
        None => Ok(snap.default_datasets.clone()),
        Some([]) => Err(AppError::invalid(
            "datasets",
            format!(
                "an empty list screens nothing; loaded: {}",
                known.join(", ")
            ),
        )),
        Some(ds) => {
            for d in ds {
                if !known.contains(&d.as_str()) {
                    return Err(AppError::invalid(
                        "datasets",
                        format!("unknown dataset {d:?}; loaded: {}", known.join(", ")),
                    ));
                }
            }
            Ok(ds.to_vec())
        }
    }
}

fn coverage_of(snap: &Snapshot, datasets: &[String]) -> Vec<Coverage> {
    snap.versions
        .iter()
        .filter(|v| datasets.contains(&v.dataset))
        .map(|v| Coverage {
            dataset: v.dataset.clone(),
            version: v.version.clone(),
            published: v.published,
            published_basis: v.published_basis.map(|b| b.as_str().to_string()),
            entities: v.entity_count,
        })
        .collect()
}

fn notes_for(coverage: &[Coverage], subject: &Subject) -> Vec<String> {
    let pack = crate::pack_version().dataset;
    let mut notes = Vec::new();
    if coverage.iter().all(|c| c.dataset == pack) {
        let n = coverage.first().map_or(0, |c| c.entities);
        notes.push(format!(
            "Only the embedded regime pack was searched ({n} Xinjiang-related entries): import \
             the official lists (`embargo update` or `embargo lists import`) for a full screen."
        ));
    }
    if let Some(day) = subject.as_of {
        notes.push(format!(
            "Screened as of {day}: records listed then, removed ones included; uncertain days are \
             marked with the reason. Subjects are not consolidated in a past-day screen."
        ));
    }
    notes
}

/// The `result` of a screen's audit record: each hit, and the review
/// decision standing on it (what made the user see "cleared" or an alert).
fn screen_audit_result(hits: &[ReviewedHit]) -> Value {
    json!({
        "hits": hits.iter().map(|h| {
            let mut v = json!({
                "entity_id": h.result.entity_id,
                "score": h.result.score,
                "matched_name": h.result.matched_name,
                "review": h.mark().map(|m| m.status),
            });
            if let Some((id, reviewer, approved_by)) = review_ref(h.review.as_ref()) {
                v["review_id"] = json!(id);
                v["reviewer"] = json!(reviewer);
                if let Some(a) = approved_by {
                    v["approved_by"] = json!(a);
                }
            }
            v
        }).collect::<Vec<_>>(),
    })
}

/// The review decision a status rests on: its id, reviewer and approver.
fn review_ref(s: Option<&ReviewStatus>) -> Option<(i64, &str, Option<&str>)> {
    Some(match s? {
        ReviewStatus::Cleared {
            review_id,
            by,
            approved_by,
            ..
        } => (*review_id, by.as_str(), approved_by.as_deref()),
        ReviewStatus::PendingApproval { review: r, .. }
        | ReviewStatus::Stale { previous: r, .. }
        | ReviewStatus::Expired { previous: r } => (r.id, r.reviewer.as_str(), None),
    })
}

impl Screened {
    /// Every hit as the JSON row the API and `screen --json` print: the
    /// [`ScreenResult`] fields, `explanation_text`, and `review` (the
    /// [`ReviewMark`], or null).
    pub fn hit_rows(&self) -> AppResult<Vec<Value>> {
        self.hits
            .iter()
            .map(|h| {
                let mut v = serde_json::to_value(&h.result)
                    .map_err(|e| AppError::encode("a screen result", e))?;
                if let Value::Object(m) = &mut v {
                    m.insert(
                        "explanation_text".into(),
                        Value::String(h.result.explanation.to_text()),
                    );
                    m.insert(
                        "review".into(),
                        h.mark().map(|r| json!(r)).unwrap_or(Value::Null),
                    );
                }
                Ok(v)
            })
            .collect()
    }
}
