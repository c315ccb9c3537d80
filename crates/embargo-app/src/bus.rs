//! The message-bus act: screening and decision requests that arrive as
//! messages (`embargo consume`), answered in batches, each answer audited
//! and recorded under its request id before anyone may see it.
//!
//! The transport (NATS JetStream, Kafka) lives in `embargo-bus`; this
//! module owns what a message means, so a request screened or decided from
//! the bus leaves the same audit record as the same act from the CLI or the
//! HTTP API (kind `screen` or `decide`, same `request` and `result`).
//!
//! Message format (version 1, documented in `docs/bus.md`):
//!
//! ```json
//! {"version": 1, "request_id": "pay-2026-000123", "type": "decide",
//!  "transaction": { ...the format of docs/transactions.md... }}
//! {"version": 1, "request_id": "kyc-88", "type": "screen",
//!  "screen": { ...the body of POST /v1/screen... }}
//! ```
//!
//! Flow of one batch ([`App::answer_bus_batch`]):
//! 1. every message is parsed ([`parse_message`]); one that cannot be is a
//!    dead letter with the reason (never retried, never blocks the rest);
//! 2. request ids already answered get their stored answer (a
//!    redelivery: no second audit record);
//! 3. the others are screened or decided on one snapshot, on every core;
//!    an input the engine refuses (a bad field) is a dead letter;
//! 4. the answers are written to the audit store in **one** durable
//!    transaction together with their request ids
//!    ([`embargo_audit::AuditStore::append_requests`]), which again answers
//!    a request id another node recorded meanwhile from the store.
//!
//! Only after step 4 returns may the transport reply and acknowledge. An
//! error from step 4 is the batch's: nothing was written, nothing may be
//! acknowledged, and every message will come again.

use crate::deciding::{decide_prepared_with, ReviewInputs};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::subject::ScreenInput;
use crate::{App, Snapshot};
/// The audit stores a consumer writes to (the data directory's SQLite log,
/// or PostgreSQL shared by several nodes), for front ends.
pub use embargo_audit::{
    AuditStore, NewRecord, PgAuditLog, RecordKind, RequestOutcome, RequestRecord,
};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// The message format version this build reads and writes.
pub const BUS_VERSION: u64 = 1;
/// Longest accepted request id.
pub const MAX_REQUEST_ID_CHARS: usize = 200;

/// A screening request's body: the JSON body of `POST /v1/screen`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScreenBody {
    #[serde(default)]
    id: Option<String>,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    schema: Option<String>,
    #[serde(default)]
    birth_date: Option<String>,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    countries: Vec<String>,
    #[serde(default)]
    identifiers: Vec<String>,
    #[serde(default)]
    threshold: Option<f64>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    algorithm: Option<String>,
    #[serde(default)]
    datasets: Option<Vec<String>>,
    #[serde(default)]
    family_name: Option<String>,
    #[serde(default)]
    as_of: Option<String>,
}

impl ScreenBody {
    fn into_input(self) -> ScreenInput {
        ScreenInput {
            reference: self.id,
            name: self.name,
            aliases: self.aliases,
            schema: self.schema,
            birth_date: self.birth_date,
            country: self.country,
            countries: self.countries,
            identifiers: self.identifiers,
            family_name: self.family_name,
            threshold: self.threshold,
            limit: self.limit,
            algorithm: self.algorithm,
            datasets: self.datasets,
            as_of: self.as_of,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    version: u64,
    request_id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    transaction: Option<Value>,
    #[serde(default)]
    screen: Option<Value>,
    #[serde(default)]
    reply_to: Option<String>,
}

/// What a message asks for.
#[derive(Clone, Debug)]
pub enum BusBody {
    Screen(Box<ScreenInput>),
    /// The transaction document's JSON text.
    Decide(String),
}

/// A parsed request message.
#[derive(Clone, Debug)]
pub struct BusRequest {
    pub request_id: String,
    /// Where the answer goes, when the sender named a subject/topic.
    pub reply_to: Option<String>,
    pub body: BusBody,
}

impl BusRequest {
    fn kind(&self) -> &'static str {
        match self.body {
            BusBody::Screen(_) => "screen",
            BusBody::Decide(_) => "decide",
        }
    }
}

/// A message that cannot be answered: it goes to the dead-letter
/// subject with this error and is never retried.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejected {
    /// The request id, when the message got far enough to have one.
    pub request_id: Option<String>,
    pub error: String,
}

/// Reads one message (`bytes`: its payload).
pub fn parse_message(bytes: &[u8]) -> Result<BusRequest, Rejected> {
    let reject = |id: Option<String>, e: String| Rejected {
        request_id: id,
        error: e,
    };
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| reject(None, format!("not a JSON message: {e}")))?;
    // The id first, so even a message refused below can be traced.
    let id = value
        .get("request_id")
        .and_then(Value::as_str)
        .map(str::to_string);
    let env: Envelope = serde_json::from_value(value)
        .map_err(|e| reject(id.clone(), format!("invalid message: {e}")))?;
    if env.version != BUS_VERSION {
        return Err(reject(
            id,
            format!(
                "`version`: {} is not understood (this build reads version {BUS_VERSION})",
                env.version
            ),
        ));
    }
    let rid = env.request_id.trim();
    if rid.is_empty() || rid.chars().count() > MAX_REQUEST_ID_CHARS || rid != env.request_id {
        return Err(reject(
            id,
            format!(
                "`request_id`: must be 1 to {MAX_REQUEST_ID_CHARS} characters without outer spaces"
            ),
        ));
    }
    let body = match (env.kind.as_str(), env.transaction, env.screen) {
        ("decide", Some(t @ Value::Object(_)), None) => BusBody::Decide(t.to_string()),
        ("decide", _, _) => {
            return Err(reject(
                id,
                "`transaction`: a decide request carries one transaction object and no `screen`"
                    .into(),
            ))
        }
        ("screen", None, Some(s @ Value::Object(_))) => {
            let body: ScreenBody = serde_json::from_value(s)
                .map_err(|e| reject(id.clone(), format!("`screen`: {e}")))?;
            BusBody::Screen(Box::new(body.into_input()))
        }
        ("screen", _, _) => {
            return Err(reject(
                id,
                "`screen`: a screen request carries one screen object and no `transaction`".into(),
            ))
        }
        (other, _, _) => {
            return Err(reject(
                id,
                format!("`type`: {other:?} is not one of \"screen\", \"decide\""),
            ))
        }
    };
    Ok(BusRequest {
        request_id: env.request_id,
        reply_to: env.reply_to.filter(|s| !s.trim().is_empty()),
        body,
    })
}

/// The answer to one message of a batch.
#[derive(Clone, Debug)]
pub enum BusOutcome {
    /// Audited and recorded: send `reply` (to `reply_to` when the request
    /// named one), then acknowledge.
    Reply {
        request_id: String,
        reply_to: Option<String>,
        reply: Value,
        audit_seq: u64,
        /// Answered before (a redelivery): no new audit record.
        replayed: bool,
    },
    /// Cannot be answered: send to the dead-letter subject, then acknowledge.
    DeadLetter(Rejected),
}

/// The reply message: envelope fields around the stored result body.
fn reply_message(
    request_id: &str,
    kind: &str,
    audit_seq: u64,
    replayed: bool,
    body: &Value,
) -> Value {
    let mut result = body.get("result").cloned().unwrap_or(Value::Null);
    // A decision is answered as the document every front end gives
    // (`Decided::document`): its audit record's number is in it too.
    if kind == "decide" {
        if let Value::Object(o) = &mut result {
            o.insert("audit_seq".into(), Value::from(audit_seq));
        }
    }
    json!({
        "version": BUS_VERSION,
        "request_id": request_id,
        "type": kind,
        "status": "ok",
        "audit_seq": audit_seq,
        "replayed": replayed,
        "needs_action": body.get("needs_action").cloned().unwrap_or(Value::Bool(true)),
        "result": result,
    })
}

/// One request answered but not yet audited.
struct Prepared {
    record: NewRecord,
    /// `{"type", "needs_action", "result"}`: what is stored and replayed.
    body: Value,
}

fn prepare(
    app: &App,
    snap: &Arc<Snapshot>,
    reviews: &ReviewInputs,
    actor: &str,
    req: &BusRequest,
) -> AppResult<Prepared> {
    match &req.body {
        BusBody::Decide(text) => {
            let (crate::deciding::Decided { decision, json, .. }, record) =
                decide_prepared_with(snap, actor, text, reviews)?;
            Ok(Prepared {
                record,
                body: json!({
                    "type": "decide",
                    "needs_action": decision.needs_action(),
                    "result": crate::deciding::answer_document(&json, &decision, None),
                }),
            })
        }
        BusBody::Screen(input) => {
            let subject = input.validate()?;
            let (screened, record) = app.screen_prepared(snap, actor, &subject)?;
            let hits = screened.hit_rows()?;
            let needs_action = !hits.is_empty() || !screened.undecided.is_empty();
            Ok(Prepared {
                record,
                body: json!({
                    "type": "screen",
                    "needs_action": needs_action,
                    "result": {
                        "reference": subject.reference,
                        "evaluated_at": screened.evaluated_at,
                        "datasets": screened.datasets,
                        "coverage": screened.coverage,
                        "notes": screened.notes,
                        "undecided": screened.undecided,
                        "results": hits,
                        "list_versions": snap.version_labels(),
                    },
                }),
            })
        }
    }
}

impl App {
    /// Answers a batch of bus messages (see the module doc), writing every
    /// new answer to `store` in one durable transaction. `Err`: the store
    /// failed and nothing of the batch is recorded — acknowledge nothing.
    /// Outcomes are in the order of `requests`.
    pub fn answer_bus_batch(
        &self,
        store: &dyn AuditStore,
        actor: &str,
        requests: Vec<BusRequest>,
    ) -> AppResult<Vec<BusOutcome>> {
        let ids: Vec<String> = requests.iter().map(|r| r.request_id.clone()).collect();
        let stored = store.stored_requests(&ids)?;
        let snap = self.snapshot();
        // Screen and decide the new ones on every core, one snapshot.
        let todo: Vec<usize> = (0..requests.len())
            .filter(|&i| !stored.contains_key(&requests[i].request_id))
            .collect();
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 8);
        let chunk = todo.len().div_ceil(threads).max(1);
        let mut prepared: HashMap<usize, AppResult<Prepared>> = HashMap::new();
        if !todo.is_empty() {
            // The review decisions in force, read once for the batch (as
            // the lists: one snapshot), not once per message.
            let reviews = ReviewInputs::read(self)?;
            std::thread::scope(|s| {
                let handles: Vec<_> = todo
                    .chunks(chunk)
                    .map(|part| {
                        let (snap, requests, reviews) = (&snap, &requests, &reviews);
                        s.spawn(move || {
                            part.iter()
                                .map(|&i| (i, prepare(self, snap, reviews, actor, &requests[i])))
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                for h in handles {
                    // A panic: its requests stay unanswered (checked below).
                    if let Ok(rows) = h.join() {
                        prepared.extend(rows);
                    }
                }
            });
        }
        let mut outcomes: Vec<Option<BusOutcome>> = vec![None; requests.len()];
        let mut items = Vec::new();
        let mut slots = Vec::new();
        for (i, req) in requests.iter().enumerate() {
            if let Some(prev) = stored.get(&req.request_id) {
                outcomes[i] = Some(BusOutcome::Reply {
                    request_id: req.request_id.clone(),
                    reply_to: req.reply_to.clone(),
                    reply: reply_message(
                        &req.request_id,
                        req.kind(),
                        prev.audit_seq,
                        true,
                        &prev.reply,
                    ),
                    audit_seq: prev.audit_seq,
                    replayed: true,
                });
                continue;
            }
            match prepared.remove(&i) {
                Some(Ok(p)) => {
                    slots.push(i);
                    items.push(RequestRecord {
                        request_id: req.request_id.clone(),
                        record: p.record,
                        reply: p.body,
                    });
                }
                Some(Err(e)) if e.kind() != ErrorKind::Internal => {
                    outcomes[i] = Some(BusOutcome::DeadLetter(Rejected {
                        request_id: Some(req.request_id.clone()),
                        error: e.to_string(),
                    }));
                }
                // Our fault or the machine's: the whole batch is retried.
                Some(Err(e)) => return Err(e),
                None => {
                    return Err(AppError::Encode {
                        what: "a bus request",
                        message: format!("answering request {:?} panicked", req.request_id),
                    })
                }
            }
        }
        let written = store.append_requests(items)?;
        for (i, w) in slots.into_iter().zip(written) {
            let req = &requests[i];
            outcomes[i] = Some(BusOutcome::Reply {
                request_id: w.request_id.clone(),
                reply_to: req.reply_to.clone(),
                reply: reply_message(&w.request_id, req.kind(), w.audit_seq, w.replayed, &w.reply),
                audit_seq: w.audit_seq,
                replayed: w.replayed,
            });
        }
        Ok(outcomes.into_iter().flatten().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_read_or_refused_with_the_reason() {
        let ok = parse_message(
            br#"{"version":1,"request_id":"p1","type":"decide","transaction":{"date":"2024-01-01","flow":"payment"}}"#,
        )
        .unwrap();
        assert_eq!(ok.request_id, "p1");
        assert!(matches!(ok.body, BusBody::Decide(_)));
        let s = parse_message(
            br#"{"version":1,"request_id":"s1","type":"screen","screen":{"name":"Acme"},"reply_to":"r.x"}"#,
        )
        .unwrap();
        assert_eq!(s.reply_to.as_deref(), Some("r.x"));
        for (bad, says, id) in [
            (&b"not json"[..], "not a JSON message", None),
            (
                br#"{"version":2,"request_id":"a","type":"decide","transaction":{}}"#,
                "`version`",
                Some("a"),
            ),
            (
                br#"{"version":1,"request_id":"a","type":"pay","transaction":{}}"#,
                "`type`",
                Some("a"),
            ),
            (
                br#"{"version":1,"request_id":"a","type":"decide"}"#,
                "`transaction`",
                Some("a"),
            ),
            (
                br#"{"version":1,"request_id":"a","type":"screen","screen":{"nom":"x"}}"#,
                "`screen`",
                Some("a"),
            ),
            (
                br#"{"version":1,"request_id":" ","type":"decide","transaction":{}}"#,
                "`request_id`",
                Some(" "),
            ),
            (
                br#"{"version":1,"type":"decide","transaction":{}}"#,
                "request_id",
                None,
            ),
            (
                br#"{"version":1,"request_id":"a","type":"decide","transaction":{},"x":1}"#,
                "unknown field",
                Some("a"),
            ),
        ] {
            let r = parse_message(bad).unwrap_err();
            assert!(
                r.error.contains(says),
                "{} -> {}",
                String::from_utf8_lossy(bad),
                r.error
            );
            assert_eq!(r.request_id.as_deref(), id);
        }
    }

    #[test]
    fn a_batch_is_audited_once_per_request_id_and_bad_ones_are_dead_letters() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(dir.path()).unwrap();
        let msg = |id: &str, body: &str| {
            parse_message(format!(r#"{{"version":1,"request_id":"{id}",{body}}}"#).as_bytes())
                .unwrap()
        };
        let pay = r#""type":"decide","transaction":{"date":"2022-06-01","flow":"payment","actor":{"us_person":true,"country":"US"},"parties":[{"role":"counterparty","name":"Xinjiang Production and Construction Corps","country":"CN"}],"context":{"currency":"USD"}}"#;
        let bad = r#""type":"decide","transaction":{"date":"not a date","flow":"payment"}"#;
        let screen =
            r#""type":"screen","screen":{"name":"Xinjiang Production and Construction Corps"}"#;
        let before = app.audit.verify().unwrap().records;
        let out = app
            .answer_bus_batch(
                &app.audit,
                "bus",
                vec![
                    msg("a", pay),
                    msg("b", bad),
                    msg("c", screen),
                    msg("a", pay),
                ],
            )
            .unwrap();
        assert_eq!(out.len(), 4);
        let seq_a = match &out[0] {
            BusOutcome::Reply {
                reply,
                replayed: false,
                audit_seq,
                ..
            } => {
                assert_eq!(reply["needs_action"], true, "{reply}");
                assert_eq!(reply["type"], "decide");
                assert!(reply["result"]["findings"]
                    .as_array()
                    .is_some_and(|f| !f.is_empty()));
                *audit_seq
            }
            other => panic!("{other:?}"),
        };
        match &out[1] {
            BusOutcome::DeadLetter(r) => {
                assert_eq!(r.request_id.as_deref(), Some("b"));
                assert!(r.error.contains("date"), "{}", r.error);
            }
            other => panic!("{other:?}"),
        }
        match &out[2] {
            BusOutcome::Reply { reply, .. } => {
                assert_eq!(reply["needs_action"], true);
                assert!(!reply["result"]["results"].as_array().unwrap().is_empty());
            }
            other => panic!("{other:?}"),
        }
        // The duplicate in the same batch: the first answer, no record.
        match &out[3] {
            BusOutcome::Reply {
                replayed: true,
                audit_seq,
                ..
            } => assert_eq!(*audit_seq, seq_a),
            other => panic!("{other:?}"),
        }
        assert_eq!(app.audit.verify().unwrap().records, before + 2);
        // A redelivery later: the stored answer, still no record.
        let again = app
            .answer_bus_batch(&app.audit, "bus", vec![msg("a", pay)])
            .unwrap();
        match &again[0] {
            BusOutcome::Reply {
                replayed: true,
                audit_seq,
                reply,
                ..
            } => {
                assert_eq!(*audit_seq, seq_a);
                assert_eq!(reply["replayed"], true);
                assert_eq!(reply["audit_seq"], seq_a);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(app.audit.verify().unwrap().records, before + 2);
        // The bus record has the same shape as `decide`'s.
        let direct = app
            .decide(
                "bus",
                &serde_json::from_str::<Value>(&format!("{{{pay}}}")).unwrap()["transaction"]
                    .to_string(),
            )
            .unwrap();
        assert_eq!(
            direct.json["findings"],
            match &out[0] {
                BusOutcome::Reply { reply, .. } => reply["result"]["findings"].clone(),
                _ => unreachable!(),
            }
        );
    }
}
