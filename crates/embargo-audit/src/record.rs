//! Audit records and how one is hashed into the chain.
//!
//! A record is stored as one row of `audit_log`:
//!
//! | column      | content                                                        |
//! |-------------|----------------------------------------------------------------|
//! | `seq`       | 1, 2, 3, … without gaps                                        |
//! | `ts`        | RFC 3339 UTC with microseconds (`2026-11-29T07:01:02.123456Z`), so text order is time order |
//! | `kind`, `actor` | copies of the payload's fields, for SQL queries by auditors |
//! | `payload`   | canonical JSON (see `canonical`) of `{v, seq, ts, kind, actor, request, result, list_versions}` |
//! | `prev_hash` | `hash` of record `seq - 1`; 64 zeros for record 1             |
//! | `hash`      | hex SHA-256 of `prev_hash` (its 64 ASCII hex bytes) followed by the payload bytes |
//!
//! Because `seq` and `ts` are inside the hashed payload, moving, re-dating or
//! renumbering a record breaks the chain, and because each hash covers the
//! previous one, deleting or editing any record breaks every later link.
//! The copied columns are checked against the payload by `verify`, so an
//! edit of `actor` that would fool an SQL query is caught too.

use crate::canonical::{canonical_json, sha256_hex};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// `prev_hash` of the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Version of the payload layout, stored in every payload as `v`.
pub const PAYLOAD_VERSION: u64 = 1;

/// What was served or done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A name or batch screened (API, web page or CLI).
    Screen,
    /// A transaction decision served by the rules engine.
    Decide,
    /// An analyst's review decision on a hit (written by `record_review`).
    Review,
    /// A list version imported.
    Import,
    /// Administration: API keys created or revoked, configuration changes.
    Admin,
}

impl RecordKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            RecordKind::Screen => "screen",
            RecordKind::Decide => "decide",
            RecordKind::Review => "review",
            RecordKind::Import => "import",
            RecordKind::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<RecordKind> {
        Some(match s {
            "screen" => RecordKind::Screen,
            "decide" => RecordKind::Decide,
            "review" => RecordKind::Review,
            "import" => RecordKind::Import,
            "admin" => RecordKind::Admin,
            _ => return None,
        })
    }
}

/// What a caller asks to record. `actor` is the API key name or user.
#[derive(Clone, Debug, PartialEq)]
pub struct NewRecord {
    pub kind: RecordKind,
    pub actor: String,
    pub request: Value,
    pub result: Value,
    /// The list versions the result was computed from (`ListVersion::version`).
    pub list_versions: Vec<String>,
}

/// One committed record, as stored and as exported (one JSON line each).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub seq: u64,
    pub ts: DateTime<Utc>,
    pub kind: RecordKind,
    pub actor: String,
    pub request: Value,
    pub result: Value,
    pub list_versions: Vec<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The fixed timestamp text used in payloads and the `ts` column.
pub fn format_ts(ts: &DateTime<Utc>) -> String {
    ts.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Now, truncated to the microseconds the text form keeps, so that a
/// record read back compares equal to the one returned by `append`.
pub fn now_micros() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

/// The hashed payload object of a record.
pub(crate) fn payload_value(seq: u64, ts: &DateTime<Utc>, rec: &NewRecord) -> Value {
    json!({
        "v": PAYLOAD_VERSION,
        "seq": seq,
        "ts": format_ts(ts),
        "kind": rec.kind.as_str(),
        "actor": rec.actor,
        "request": rec.request,
        "result": rec.result,
        "list_versions": rec.list_versions,
    })
}

/// Canonical payload text of a record.
pub(crate) fn payload_text(seq: u64, ts: &DateTime<Utc>, rec: &NewRecord) -> String {
    canonical_json(&payload_value(seq, ts, rec))
}

/// The chain hash of a record: SHA-256(prev_hash ‖ payload).
pub fn chain_hash(prev_hash: &str, payload: &[u8]) -> String {
    sha256_hex(&[prev_hash.as_bytes(), payload])
}

/// Rebuilds a record from its stored payload and hashes; `Err` says which
/// payload field is missing or malformed.
pub(crate) fn record_from_payload(
    payload: &Value,
    prev_hash: String,
    hash: String,
) -> Result<AuditRecord, String> {
    let obj = payload.as_object().ok_or("payload is not a JSON object")?;
    let field = |k: &str| obj.get(k).ok_or_else(|| format!("payload lacks {k:?}"));
    let seq = field("seq")?
        .as_u64()
        .ok_or("payload seq is not a number")?;
    let ts_text = field("ts")?.as_str().ok_or("payload ts is not text")?;
    let ts = DateTime::parse_from_rfc3339(ts_text)
        .map_err(|e| format!("payload ts {ts_text:?}: {e}"))?
        .with_timezone(&Utc);
    let kind_text = field("kind")?.as_str().ok_or("payload kind is not text")?;
    let kind = RecordKind::parse(kind_text).ok_or_else(|| format!("unknown kind {kind_text:?}"))?;
    let actor = field("actor")?
        .as_str()
        .ok_or("payload actor is not text")?
        .to_string();
    let list_versions = field("list_versions")?
        .as_array()
        .ok_or("payload list_versions is not an array")?
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect::<Option<Vec<_>>>()
        .ok_or("payload list_versions holds a non-text value")?;
    Ok(AuditRecord {
        seq,
        ts,
        kind,
        actor,
        request: field("request")?.clone(),
        result: field("result")?.clone(),
        list_versions,
        prev_hash,
        hash,
    })
}

impl AuditRecord {
    /// The payload this record was hashed from (recomputed).
    pub fn payload_text(&self) -> String {
        let new = NewRecord {
            kind: self.kind,
            actor: self.actor.clone(),
            request: self.request.clone(),
            result: self.result.clone(),
            list_versions: self.list_versions.clone(),
        };
        payload_text(self.seq, &self.ts, &new)
    }

    /// Whether `hash` is the chain hash of this record's content and `prev_hash`.
    pub fn hash_is_valid(&self) -> bool {
        chain_hash(&self.prev_hash, self.payload_text().as_bytes()) == self.hash
    }

    /// The JSON-lines form used by `export_since`: canonical, one line.
    pub fn to_json_line(&self) -> String {
        let mut v = json!({
            "seq": self.seq,
            "ts": format_ts(&self.ts),
            "kind": self.kind.as_str(),
            "actor": self.actor,
            "request": self.request,
            "result": self.result,
            "list_versions": self.list_versions,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        });
        if let Some(o) = v.as_object_mut() {
            o.insert("v".into(), json!(PAYLOAD_VERSION));
        }
        canonical_json(&v)
    }
}
