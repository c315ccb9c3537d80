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
        let Decided {
            snapshot,
            decision,
            json,
            ..
        } = decide_unaudited(&snap, text)?;
        crate::deadline::commit_point()?;
        let rec = self.audit.append(NewRecord {
            kind: RecordKind::Decide,
            actor: actor.to_string(),
            request: transaction_object(text),
            result: json.clone(),
            list_versions: snap.version_labels(),
        })?;
        Ok(Decided {
            snapshot,
            decision,
            json,
            audit_seq: rec.seq,
        })
    }
}

/// Decides the transaction in `text` on a snapshot with no data directory
/// behind it (the embedded pack alone, a Spark executor's snapshot): the
/// same decision document, no audit record (`audit_seq` 0). Front ends
/// that hold an [`App`] use [`App::decide`].
pub fn decide_unaudited(snap: &Arc<Snapshot>, text: &str) -> AppResult<Decided> {
    let tx =
        embargo_rules::parse_transaction(text).map_err(|e| AppError::Transaction(e.to_string()))?;
    let mut decision = snap.engine().decide(&tx);
    // The decision document: its id, when it was made, and every list
    // version the snapshot holds (not only those a party matched).
    decision.stamp(snap.version_labels());
    let json = serde_json::to_value(&decision).map_err(|e| AppError::encode("a decision", e))?;
    Ok(Decided {
        snapshot: snap.clone(),
        decision,
        json,
        audit_seq: 0,
    })
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
