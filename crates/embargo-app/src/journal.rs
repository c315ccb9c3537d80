//! Store changes and their audit records, inseparable: every change of the
//! list store (import, update, activation, link judgement) writes its audit
//! record into the store's journal in the change's own transaction
//! (`embargo_store` `audit_intents`); [`deliver`] then copies the journal
//! into the audit log, in journal order, each entry exactly once
//! (`embargo_audit` `journal`). A crash between the two commits leaves the
//! entry in the journal, and the next open of the data directory
//! (`App::open`, `Catalog::open`) delivers it; two processes changing the
//! store at once append in the order the store committed.
//!
//! The delivered record is the one the change wrote, with
//! `result.store_change` = `{"journal", "id", "committed_at"}` added, so
//! an examiner can match it to the store.

use crate::error::AppResult;
use embargo_audit::{AuditLog, AuditRecord, NewRecord, RecordKind};
use embargo_store::{Store, StoredIntent};
use serde_json::{json, Value};

/// Test hook for crash tests, as `embargo_store::failpoint`.
pub(crate) fn failpoint(name: &str) {
    embargo_store::failpoint(name);
}

/// The journal form of an audit record (what a store change writes).
pub(crate) fn intent(rec: NewRecord) -> Value {
    json!({
        "kind": rec.kind.as_str(),
        "actor": rec.actor,
        "request": rec.request,
        "result": rec.result,
        "list_versions": rec.list_versions,
    })
}

fn to_record(journal: &str, i: StoredIntent) -> Result<(i64, NewRecord), String> {
    let r = &i.record;
    let bad = |what: &str| format!("journal entry {}: {what}", i.id);
    let kind = r["kind"]
        .as_str()
        .and_then(RecordKind::parse)
        .ok_or_else(|| bad("unknown kind"))?;
    let actor = r["actor"].as_str().ok_or_else(|| bad("no actor"))?;
    let list_versions = r["list_versions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut result = r["result"].clone();
    let change = json!({"journal": journal, "id": i.id, "committed_at": i.at});
    match result.as_object_mut() {
        Some(o) => {
            o.insert("store_change".into(), change);
        }
        None => result = json!({"value": result, "store_change": change}),
    }
    Ok((
        i.id,
        NewRecord {
            kind,
            actor: actor.to_string(),
            request: r["request"].clone(),
            result,
            list_versions,
        },
    ))
}

/// Copies every journal entry the audit log lacks into it; returns the
/// records appended (empty when it was up to date, the usual case, which
/// costs two indexed reads).
pub(crate) fn deliver(store: &Store, audit: &AuditLog) -> AppResult<Vec<AuditRecord>> {
    let journal = store.journal_id()?;
    if audit.delivered_intent(&journal)? >= store.last_intent()? {
        return Ok(Vec::new());
    }
    Ok(audit.deliver_intents(&journal, &mut |after| {
        store
            .intents_after(after)
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|i| to_record(&journal, i))
            .collect()
    })?)
}
