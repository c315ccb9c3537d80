//! Alerts: the work queue that monitoring fills ([`crate::monitoring`]).
//!
//! One alert per (book, customer, listed record), merged by consolidated
//! subject: a hit on another record of a subject the customer already has
//! an alert for updates that alert instead of opening a second one. Each
//! alert carries the customer, the consolidated listed subject (every
//! record with its list and programmes), the score and explanation of the
//! customer's screen, the list or book change that caused it, a state and
//! its history.
//!
//! States: `open` (to work), `under_review` (cleared by one reviewer,
//! waiting for a second under the four-eyes rule), `cleared` (false
//! positive), `confirmed` (true match), `closed` (the listed record was
//! removed from its list, the customer left the book, or a change made the
//! hit go away). Resolving goes through [`App::review`], so a resolution
//! is a review decision: audited, four eyes where the policy says so, and
//! stale when the entry or the customer changes in a field that matters.
//!
//! Audit: every event (created, reopened, closed, resolved) is committed
//! in `alert_events` in the same transaction as the alert, then carried to
//! the audit log ([`App::flush_alert_audit`]); an event committed before a
//! kill is carried by the next act, so none is lost.

use crate::book::{db_err, now, BookDb, Customer};
use crate::error::{AppError, AppResult};
use crate::reviewing::{ReviewInput, ReviewMark, Reviewed};
use crate::{App, ScreenResult};
use embargo_audit::{NewRecord, RecordKind, ReviewLookup};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::{json, Value};

/// Every alert state, in queue order.
pub const ALERT_STATES: &[&str] = &["open", "under_review", "cleared", "confirmed", "closed"];

/// One record of the consolidated listed subject an alert is about.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertRecord {
    pub entity_id: String,
    pub caption: String,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<String>,
    #[serde(default)]
    pub programs: Vec<String>,
    pub list_version: String,
}

/// One alert, as the CLI, the API and the page show it.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    pub id: i64,
    pub book: String,
    pub customer_id: String,
    /// The customer's name as the book holds it.
    pub customer_name: String,
    /// The customer's row (name, schema, country, dob, id_number).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub customer: Value,
    /// The listed record that scored best for the customer.
    pub entity_id: String,
    pub caption: String,
    /// Dataset of that record.
    pub source: String,
    /// Every record of the consolidated subject (lists, programmes).
    pub subject: Vec<AlertRecord>,
    pub score: f64,
    /// The matcher's explanation (token alignment, qualifiers).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub explanation: Value,
    pub explanation_text: String,
    pub list_version: String,
    /// The list or book change that raised the alert.
    pub cause: String,
    /// `open`, `under_review`, `cleared`, `confirmed` or `closed`.
    pub state: String,
    /// Why the alert is in its state (the review, the removal).
    pub state_reason: String,
    pub created_at: String,
    pub updated_at: String,
    /// Every event, oldest first (only when one alert is read).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<AlertEvent>,
}

/// One step of an alert's history.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertEvent {
    pub at: String,
    pub actor: String,
    /// `created`, `reopened`, `review`, `closed`, `resolved`, `updated`.
    pub event: String,
    /// The state after the event.
    pub state: String,
    pub detail: String,
    /// The audit record carrying the event (`None`: not carried yet).
    pub audit_seq: Option<u64>,
}

/// Which alerts to list.
#[derive(Clone, Debug, Default)]
pub struct AlertFilter {
    pub book: Option<String>,
    /// Only these states (empty: every state).
    pub states: Vec<String>,
    pub customer_id: Option<String>,
    pub entity_id: Option<String>,
    pub limit: Option<usize>,
}

/// A resolution as the caller typed it.
#[derive(Clone, Debug, Default)]
pub struct AlertResolution {
    /// `false_positive` or `true_match`.
    pub verdict: String,
    pub reason: String,
    /// Last day the decision applies (YYYY-MM-DD).
    pub expires: Option<String>,
}

/// What resolving did: the alert after it and the review behind it.
#[derive(Clone, Debug, Serialize)]
pub struct AlertResolved {
    pub alert: Alert,
    pub review: Reviewed,
}

impl Alert {
    /// The lists of the listed subject, one per source ("us_trade_csl
    /// (Entity List …); us_ofac_sdn").
    pub fn lists(&self) -> String {
        let mut lists: Vec<String> = self
            .subject
            .iter()
            .map(|r| match &r.list {
                Some(l) => format!("{} ({l})", r.source),
                None => r.source.clone(),
            })
            .collect();
        lists.dedup();
        lists.join("; ")
    }

    /// Every programme of the listed subject, sorted, space-separated.
    pub fn programmes(&self) -> String {
        let mut p: Vec<&str> = self
            .subject
            .iter()
            .flat_map(|r| r.programs.iter().map(String::as_str))
            .collect();
        p.sort_unstable();
        p.dedup();
        p.join(" ")
    }
}

/// Alerts as CSV (`alerts --csv`): one row per alert with the customer,
/// state, score, listed subject (lists, programmes), cause and explanation.
pub fn alerts_csv(alerts: &[Alert]) -> AppResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(vec![]);
    let err = |e: csv::Error| AppError::write("writing alerts as CSV", e);
    w.write_record([
        "id",
        "book",
        "customer_id",
        "customer_name",
        "state",
        "score",
        "entity_id",
        "caption",
        "lists",
        "programs",
        "list_version",
        "cause",
        "state_reason",
        "explanation",
        "created_at",
        "updated_at",
    ])
    .map_err(err)?;
    for x in alerts {
        w.write_record([
            x.id.to_string(),
            x.book.clone(),
            x.customer_id.clone(),
            x.customer_name.clone(),
            x.state.clone(),
            format!("{:.4}", x.score),
            x.entity_id.clone(),
            x.caption.clone(),
            x.lists(),
            x.programmes(),
            x.list_version.clone(),
            x.cause.clone(),
            x.state_reason.clone(),
            x.explanation_text.replace('\n', " | "),
            x.created_at.clone(),
            x.updated_at.clone(),
        ])
        .map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| AppError::io("writing alerts as CSV", e.into_error()))
}

const ALERT_COLS: &str = "id, book, customer_id, customer, entity_id, dataset, caption, subject, \
     score, explanation, explanation_text, list_version, cause, state, state_reason, created_at, updated_at";

fn alert_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Alert> {
    let customer: String = r.get(3)?;
    let customer: Value = serde_json::from_str(&customer).unwrap_or(Value::Null);
    let subject: String = r.get(7)?;
    let explanation: String = r.get(9)?;
    Ok(Alert {
        id: r.get(0)?,
        book: r.get(1)?,
        customer_id: r.get(2)?,
        customer_name: customer["name"].as_str().unwrap_or_default().to_string(),
        customer,
        entity_id: r.get(4)?,
        source: r.get(5)?,
        caption: r.get(6)?,
        subject: serde_json::from_str(&subject).unwrap_or_default(),
        score: r.get(8)?,
        explanation: serde_json::from_str(&explanation).unwrap_or(Value::Null),
        explanation_text: r.get(10)?,
        list_version: r.get(11)?,
        cause: r.get(12)?,
        state: r.get(13)?,
        state_reason: r.get(14)?,
        created_at: r.get(15)?,
        updated_at: r.get(16)?,
        history: Vec::new(),
    })
}

/// The alert state a review mark's status gives: a standing clear or
/// confirmation, a clear waiting for its second reviewer, and anything
/// else (stale, expired, ignored) leaves the alert to work.
fn alert_state(mark_status: &str) -> &'static str {
    match mark_status {
        "cleared" => "cleared",
        "confirmed" => "confirmed",
        "pending_approval" => "under_review",
        _ => "open",
    }
}

/// The state a review decision puts a hit in, and why.
pub(crate) fn state_of_review(lookup: ReviewLookup) -> (&'static str, String) {
    match ReviewMark::from_lookup(lookup) {
        Some(m) => (alert_state(&m.status), m.message),
        None => ("open", String::new()),
    }
}

/// The subject records of a screen row (the row's own record first).
pub(crate) fn subject_of(row: &ScreenResult) -> Vec<AlertRecord> {
    if row.records.is_empty() {
        return vec![AlertRecord {
            entity_id: row.entity_id.to_string(),
            caption: row.caption.clone(),
            source: row.source.clone(),
            list: row.list.clone(),
            programs: row.programs.clone(),
            list_version: row.list_version.clone(),
        }];
    }
    row.records
        .iter()
        .map(|r| AlertRecord {
            entity_id: r.entity_id.to_string(),
            caption: r.caption.clone(),
            source: r.source.clone(),
            list: r.list.clone(),
            programs: r.programs.clone(),
            list_version: r.list_version.clone(),
        })
        .collect()
}

/// One hit to file as an alert: the customer, the screen row, the review
/// state it is in and the change that found it.
pub(crate) struct AlertHit<'a> {
    pub customer: &'a Customer,
    pub row: &'a ScreenResult,
    pub review: (&'static str, String),
    pub cause: &'a str,
}

/// How a delta moved the queue.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct AlertCounts {
    pub created: u64,
    pub reopened: u64,
    pub updated: u64,
    pub closed: u64,
}

fn event(
    tx: &Transaction<'_>,
    alert: i64,
    actor: &str,
    kind: &str,
    state: &str,
    detail: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO alert_events (alert_id, at, actor, event, state, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![alert, now(), actor, kind, state, detail],
    )?;
    Ok(())
}

/// Files one hit: a new alert, or an update of the customer's alert on the
/// same subject. Runs inside the caller's transaction.
pub(crate) fn file_hit(
    tx: &Transaction<'_>,
    book: &str,
    actor: &str,
    hit: &AlertHit<'_>,
    counts: &mut AlertCounts,
) -> rusqlite::Result<()> {
    let subject = subject_of(hit.row);
    let ids: Vec<&str> = subject
        .iter()
        .map(|r| r.entity_id.as_str())
        .chain(std::iter::once(hit.row.entity_id.as_str()))
        .collect();
    // The customer's alert on this record, or on any record of its subject.
    let mut existing: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, state FROM alerts WHERE book = ?1 AND customer_id = ?2 AND entity_id = ?3",
            params![book, hit.customer.id, hit.row.entity_id.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if existing.is_none() {
        let mut stmt = tx.prepare_cached(
            "SELECT id, state, subject FROM alerts WHERE book = ?1 AND customer_id = ?2 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![book, hit.customer.id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (id, state, subj) = row?;
            let subj: Vec<AlertRecord> = serde_json::from_str(&subj).unwrap_or_default();
            if subj.iter().any(|r| ids.contains(&r.entity_id.as_str())) {
                existing = Some((id, state));
                break;
            }
        }
    }
    let at = now();
    let explanation = serde_json::to_string(&hit.row.explanation).unwrap_or_default();
    let subject_json = serde_json::to_string(&subject).unwrap_or_default();
    let (review_state, review_why) = (&hit.review.0, &hit.review.1);
    match existing {
        None => {
            tx.execute(
                &format!(
                    "INSERT INTO alerts ({}) VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15)",
                    ALERT_COLS
                ),
                params![
                    book,
                    hit.customer.id,
                    serde_json::to_string(hit.customer).unwrap_or_default(),
                    hit.row.entity_id.as_str(),
                    hit.row.source,
                    hit.row.caption,
                    subject_json,
                    hit.row.score,
                    explanation,
                    hit.row.explanation.to_text(),
                    hit.row.list_version,
                    hit.cause,
                    review_state,
                    review_why,
                    at
                ],
            )?;
            let id = tx.last_insert_rowid();
            let detail = if review_why.is_empty() {
                hit.cause.to_string()
            } else {
                format!("{}; {}", hit.cause, review_why)
            };
            event(tx, id, actor, "created", review_state, &detail)?;
            counts.created += 1;
        }
        Some((id, state)) => {
            tx.execute(
                "UPDATE alerts SET customer = ?2, caption = ?3, subject = ?4, score = ?5,
                   explanation = ?6, explanation_text = ?7, list_version = ?8, updated_at = ?9
                 WHERE id = ?1",
                params![
                    id,
                    serde_json::to_string(hit.customer).unwrap_or_default(),
                    hit.row.caption,
                    subject_json,
                    hit.row.score,
                    explanation,
                    hit.row.explanation.to_text(),
                    hit.row.list_version,
                    at
                ],
            )?;
            if state == *review_state {
                counts.updated += 1;
                return Ok(());
            }
            let (kind, detail) = if state == "closed" {
                counts.reopened += 1;
                ("reopened", format!("{}; {}", hit.cause, review_why))
            } else if *review_state == "open" {
                // A standing review no longer stands: the entry or the
                // customer changed in a field that matters, or it expired.
                counts.reopened += 1;
                ("reopened", format!("{}; {}", hit.cause, review_why))
            } else {
                counts.updated += 1;
                ("review", review_why.clone())
            };
            tx.execute(
                "UPDATE alerts SET state = ?2, state_reason = ?3, cause = ?4 WHERE id = ?1",
                params![id, review_state, review_why, hit.cause],
            )?;
            event(
                tx,
                id,
                actor,
                kind,
                review_state,
                detail.trim_end_matches("; "),
            )?;
        }
    }
    Ok(())
}

/// Closes the open (and under-review) alerts `which` selects, with `reason`.
pub(crate) fn close_where(
    tx: &Transaction<'_>,
    actor: &str,
    ids: &[i64],
    reason: &str,
    counts: &mut AlertCounts,
) -> rusqlite::Result<()> {
    for &id in ids {
        let n = tx.execute(
            "UPDATE alerts SET state = 'closed', state_reason = ?2, updated_at = ?3
             WHERE id = ?1 AND state IN ('open','under_review')",
            params![id, reason, now()],
        )?;
        if n > 0 {
            event(tx, id, actor, "closed", "closed", reason)?;
            counts.closed += 1;
        }
    }
    Ok(())
}

/// Ids of the book's open or under-review alerts on `entity_id`.
pub(crate) fn open_on_entity(
    tx: &rusqlite::Connection,
    book: &str,
    entity_id: &str,
) -> rusqlite::Result<Vec<(i64, String)>> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, customer_id FROM alerts WHERE book = ?1 AND entity_id = ?2
         AND state IN ('open','under_review')",
    )?;
    let rows = stmt.query_map(params![book, entity_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// Ids and entity ids of the customer's open or under-review alerts.
pub(crate) fn open_of_customer(
    tx: &Transaction<'_>,
    book: &str,
    customer_id: &str,
) -> rusqlite::Result<Vec<(i64, String)>> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, entity_id FROM alerts WHERE book = ?1 AND customer_id = ?2
         AND state IN ('open','under_review')",
    )?;
    let rows = stmt.query_map(params![book, customer_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

impl BookDb {
    /// Alerts matching `filter`, newest first.
    pub fn alerts(&self, filter: &AlertFilter) -> AppResult<Vec<Alert>> {
        for s in &filter.states {
            if !ALERT_STATES.contains(&s.as_str()) {
                return Err(AppError::invalid(
                    "state",
                    format!("{s:?}: expected one of {}", ALERT_STATES.join(", ")),
                ));
            }
        }
        let mut sql = format!("SELECT {ALERT_COLS} FROM alerts WHERE 1=1");
        let mut args: Vec<String> = Vec::new();
        if let Some(b) = &filter.book {
            args.push(b.clone());
            sql.push_str(&format!(" AND book = ?{}", args.len()));
        }
        if let Some(c) = &filter.customer_id {
            args.push(c.clone());
            sql.push_str(&format!(" AND customer_id = ?{}", args.len()));
        }
        if let Some(e) = &filter.entity_id {
            args.push(e.clone());
            sql.push_str(&format!(" AND entity_id = ?{}", args.len()));
        }
        if !filter.states.is_empty() {
            let mut marks = Vec::new();
            for s in &filter.states {
                args.push(s.clone());
                marks.push(format!("?{}", args.len()));
            }
            sql.push_str(&format!(" AND state IN ({})", marks.join(",")));
        }
        sql.push_str(" ORDER BY id DESC");
        if let Some(l) = filter.limit {
            sql.push_str(&format!(" LIMIT {l}"));
        }
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql).map_err(db_err("listing alerts"))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), alert_from_row)
            .map_err(db_err("listing alerts"))?;
        rows.collect::<Result<_, _>>()
            .map_err(db_err("listing alerts"))
    }

    /// One alert with its history; `NotFound` for an unknown id.
    pub fn alert(&self, id: i64) -> AppResult<Alert> {
        let ctx = || format!("reading alert {id}");
        let conn = self.conn();
        let alert = conn
            .query_row(
                &format!("SELECT {ALERT_COLS} FROM alerts WHERE id = ?1"),
                [id],
                alert_from_row,
            )
            .optional()
            .map_err(db_err(ctx()))?;
        let Some(mut alert) = alert else {
            return Err(AppError::NotFound(format!("no alert {id}")));
        };
        let mut stmt = conn
            .prepare(
                "SELECT at, actor, event, state, detail, audit_seq FROM alert_events
                 WHERE alert_id = ?1 ORDER BY id",
            )
            .map_err(db_err(ctx()))?;
        alert.history = stmt
            .query_map([id], |r| {
                Ok(AlertEvent {
                    at: r.get(0)?,
                    actor: r.get(1)?,
                    event: r.get(2)?,
                    state: r.get(3)?,
                    detail: r.get(4)?,
                    audit_seq: r.get(5)?,
                })
            })
            .map_err(db_err(ctx()))?
            .collect::<Result<_, _>>()
            .map_err(db_err(ctx()))?;
        Ok(alert)
    }
}

/// An alert event not yet in the audit log: its row there.
struct PendingEvent {
    id: i64,
    actor: String,
    row: Value,
}

impl App {
    /// The book database of this data directory.
    pub fn books(&self) -> AppResult<BookDb> {
        BookDb::open(&self.data_dir)
    }

    /// Alerts matching `filter` (events not yet in the audit log are
    /// carried there first).
    pub fn alerts(&self, filter: &AlertFilter) -> AppResult<Vec<Alert>> {
        let db = self.books()?;
        self.flush_alert_audit(&db)?;
        db.alerts(filter)
    }

    /// One alert with its history.
    pub fn alert(&self, id: i64) -> AppResult<Alert> {
        let db = self.books()?;
        self.flush_alert_audit(&db)?;
        db.alert(id)
    }

    /// Resolves alert `id` by `reviewer` through the review workflow
    /// ([`App::review`]): the decision is recorded (audited, four eyes
    /// where the policy asks) for the customer's screen key and the
    /// alert's record, and the alert takes the state the decision gives
    /// (`cleared`, `confirmed`, or `under_review` while a clear waits for a
    /// second reviewer).
    pub fn resolve_alert(
        &self,
        reviewer: &str,
        id: i64,
        r: &AlertResolution,
    ) -> AppResult<AlertResolved> {
        let db = self.books()?;
        self.flush_alert_audit(&db)?;
        let alert = db.alert(id)?;
        if alert.state == "closed" {
            return Err(AppError::invalid(
                "alert",
                format!(
                    "alert {id} is closed ({}); nothing to resolve",
                    alert.state_reason
                ),
            ));
        }
        let c = &alert.customer;
        let field = |k: &str| c[k].as_str().map(str::to_string);
        let reviewed = self.review(
            reviewer,
            &ReviewInput {
                name: alert.customer_name.clone(),
                schema: field("schema"),
                birth_date: field("dob"),
                country: field("country"),
                entity_id: alert.entity_id.clone(),
                verdict: r.verdict.clone(),
                reason: r.reason.clone(),
                expires: r.expires.clone(),
            },
        )?;
        // A decision that does not stand (should not happen for one just
        // recorded) leaves the alert to work.
        let state = alert_state(&reviewed.mark.status);
        let detail = json!({
            "verdict": reviewed.review.verdict.as_str(),
            "reason": reviewed.review.reason,
            "review_audit_seq": reviewed.review.audit_seq,
            "message": reviewed.mark.message,
        })
        .to_string();
        {
            let mut conn = db.conn();
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(db_err(format!("resolving alert {id}")))?;
            tx.execute(
                "UPDATE alerts SET state = ?2, state_reason = ?3, updated_at = ?4 WHERE id = ?1",
                params![id, state, reviewed.mark.message, now()],
            )
            .map_err(db_err(format!("resolving alert {id}")))?;
            event(&tx, id, reviewer, "resolved", state, &detail)
                .map_err(db_err(format!("resolving alert {id}")))?;
            tx.commit()
                .map_err(db_err(format!("resolving alert {id}")))?;
        }
        self.flush_alert_audit(&db)?;
        Ok(AlertResolved {
            alert: db.alert(id)?,
            review: reviewed,
        })
    }

    /// Carries alert events not yet in the audit log there: one record per
    /// actor and kind (`screen` for created/reopened/closed/updated,
    /// `review` for resolutions), request `{"alert_events": N}`, result
    /// `{"events": [{alert_id, book, customer_id, entity_id, event, state,
    /// detail, at}]}`. Holds the book database's write lock meanwhile, so
    /// two processes never carry the same event twice.
    pub fn flush_alert_audit(&self, db: &BookDb) -> AppResult<u64> {
        let ctx = || "carrying alert events to the audit log".to_string();
        let mut conn = db.conn();
        let pending: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM alert_events WHERE audit_seq IS NULL)",
                [],
                |r| r.get(0),
            )
            .map_err(db_err(ctx()))?;
        if !pending {
            return Ok(0);
        }
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(db_err(ctx()))?;
        let events: Vec<PendingEvent> = {
            let mut stmt = tx
                .prepare(
                    "SELECT e.id, e.actor, e.event, e.state, e.detail, e.at, a.book, a.id, a.customer_id, a.entity_id
                     FROM alert_events e JOIN alerts a ON a.id = e.alert_id
                     WHERE e.audit_seq IS NULL ORDER BY e.id",
                )
                .map_err(db_err(ctx()))?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(PendingEvent {
                        id: r.get(0)?,
                        actor: r.get(1)?,
                        row: json!({
                            "alert_id": r.get::<_, i64>(7)?,
                            "book": r.get::<_, String>(6)?,
                            "customer_id": r.get::<_, String>(8)?,
                            "entity_id": r.get::<_, String>(9)?,
                            "event": r.get::<_, String>(2)?,
                            "state": r.get::<_, String>(3)?,
                            "detail": r.get::<_, String>(4)?,
                            "at": r.get::<_, String>(5)?,
                        }),
                    })
                })
                .map_err(db_err(ctx()))?;
            rows.collect::<Result<_, _>>().map_err(db_err(ctx()))?
        };
        // Group by (actor, kind), keeping order within each group.
        let mut groups: Vec<((&str, bool), Vec<&PendingEvent>)> = Vec::new();
        for ev in &events {
            let key = (ev.actor.as_str(), ev.row["event"] == "resolved");
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, v)) => v.push(ev),
                None => groups.push((key, vec![ev])),
            }
        }
        let labels = self.snapshot().version_labels();
        let mut carried = 0u64;
        for ((actor, resolved), evs) in groups {
            let rows: Vec<&Value> = evs.iter().map(|e| &e.row).collect();
            let rec = self.audit.append(NewRecord {
                kind: if resolved {
                    RecordKind::Review
                } else {
                    RecordKind::Screen
                },
                actor: actor.to_string(),
                request: json!({"alert_events": rows.len()}),
                result: json!({"events": rows}),
                list_versions: labels.clone(),
            })?;
            let mut stmt = tx
                .prepare_cached("UPDATE alert_events SET audit_seq = ?2 WHERE id = ?1")
                .map_err(db_err(ctx()))?;
            for e in evs {
                stmt.execute(params![e.id, rec.seq])
                    .map_err(db_err(ctx()))?;
                carried += 1;
            }
        }
        tx.commit().map_err(db_err(ctx()))?;
        Ok(carried)
    }
}
