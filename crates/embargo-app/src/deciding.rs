//! The deciding act: read a transaction document, run every measure on the
//! current snapshot's engine, and write the one audit record of the
//! decision.
//!
//! Audit record of a decision (kind `decide`): `request` is the transaction
//! object (a worked-case file is unwrapped to its `transaction`), `result`
//! the decision document as JSON — `decision_id`, `evaluated_for`,
//! `evaluated_at`, `input` (the transaction as parsed), `list_versions`
//! (every version in the snapshot) and the findings with their actions —
//! and `list_versions` the snapshot's.

use crate::error::{AppError, AppResult};
use crate::{App, Snapshot};
use embargo_audit::{NewRecord, RecordKind};
use embargo_rules::Decision;
use serde_json::Value;
use std::sync::Arc;

/// A decision, its JSON form, and where its audit record is.
pub struct Decided {
    pub snapshot: Arc<Snapshot>,
    pub decision: Decision,
    /// The decision as JSON (what the audit record holds).
    pub json: Value,
    pub audit_seq: u64,
}

/// The transaction object of a document: a worked-case file
/// (`{"transaction": {...}, "expect": ...}`) is unwrapped, anything else is
/// taken as it is.
fn transaction_object(text: &str) -> Value {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(mut m)) if m.contains_key("transaction") && !m.contains_key("date") => {
            m.remove("transaction").unwrap_or(Value::Null)
        }
        Ok(v) => v,
        Err(_) => Value::Null,
    }
}

impl App {
    /// Decides the transaction in `text` (JSON, the format of
    /// docs/transactions.md) and audits the decision.
    pub fn decide(&self, actor: &str, text: &str) -> AppResult<Decided> {
        let snap = self.snapshot();
        let (decision, json, record) = decide_unaudited(&snap, actor, text)?;
        let rec = self.audit.append(record)?;
        Ok(Decided {
            snapshot: snap,
            decision,
            json,
            audit_seq: rec.seq,
        })
    }
}

/// The decision on `snap` and the audit record that must be written
/// before it is given to anyone (`decide`, and the bus consumer, which
/// writes many in one transaction).
pub(crate) fn decide_unaudited(
    snap: &Snapshot,
    actor: &str,
    text: &str,
) -> AppResult<(Decision, Value, NewRecord)> {
    let tx =
        embargo_rules::parse_transaction(text).map_err(|e| AppError::Transaction(e.to_string()))?;
    let mut decision = snap.engine.decide(&tx);
    // The decision document: its id, when it was made, and every list
    // version the snapshot holds (not only those a party matched).
    decision.stamp(snap.version_labels());
    let json = serde_json::to_value(&decision).map_err(|e| AppError::encode("a decision", e))?;
    let record = NewRecord {
        kind: RecordKind::Decide,
        actor: actor.to_string(),
        request: transaction_object(text),
        result: json.clone(),
        list_versions: snap.version_labels(),
    };
    Ok((decision, json, record))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_file_is_recorded_as_its_transaction() {
        let case = r#"{"transaction": {"date": "2024-01-01"}, "expect": []}"#;
        assert_eq!(
            transaction_object(case),
            serde_json::json!({"date": "2024-01-01"})
        );
        let bare = r#"{"date": "2024-01-01", "transaction": "x"}"#;
        assert_eq!(transaction_object(bare)["date"], "2024-01-01");
    }
}
