//! Entity fingerprints and field-level differences.
//!
//! A review decision is tied to the listed record as it stood when the
//! analyst looked at it. The fingerprint is the SHA-256 of the entity's
//! canonical JSON with object keys sorted and arrays treated as multisets:
//! a list publisher re-ordering aliases or addresses is not a change, while
//! any added, removed or edited name, address, programme, identifier, date
//! or remark is. `changed_fields` uses the same canonical form, so it names
//! a field exactly when that field moved the fingerprint.

use crate::canonical::{canonical_json_unordered, sha256_hex};
use embargo_model::Entity;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// Stable content hash of a listed record (64 lower-case hex digits).
pub fn entity_fingerprint(e: &Entity) -> String {
    let text = canonical_json_unordered(&entity_value(e));
    sha256_hex(&[text.as_bytes()])
}

/// Names of the top-level entity fields that differ between `old` and `new`
/// (`names`, `addresses`, `programs`, …), in field-name order.
pub fn changed_fields(old: &Entity, new: &Entity) -> Vec<String> {
    diff_entities(old, new)
        .into_iter()
        .map(|c| c.field)
        .collect()
}

/// One field that differs, with what was added and removed. For list
/// fields these are the elements that appear on one side only; for single
/// values `removed` holds the old value and `added` the new one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub added: Vec<Value>,
    pub removed: Vec<Value>,
}

impl fmt::Display for FieldChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.field)?;
        for v in &self.removed {
            write!(f, " -{}", short(v))?;
        }
        for v in &self.added {
            write!(f, " +{}", short(v))?;
        }
        Ok(())
    }
}

/// Compact text of a value for messages: names show as their text.
fn short(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Object(o) => match o.get("value").or_else(|| o.get("full")) {
            Some(Value::String(s)) => format!("{s:?}"),
            _ => crate::canonical::canonical_json(v),
        },
        other => crate::canonical::canonical_json(other),
    }
}

/// Field-by-field differences between two versions of a listed record.
pub fn diff_entities(old: &Entity, new: &Entity) -> Vec<FieldChange> {
    let (a, b) = (entity_value(old), entity_value(new));
    let empty = Map::new();
    let a = a.as_object().unwrap_or(&empty);
    let b = b.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for k in keys {
        let (va, vb) = (a.get(k), b.get(k));
        let same = match (va, vb) {
            (Some(x), Some(y)) => canonical_json_unordered(x) == canonical_json_unordered(y),
            (None, None) => true,
            _ => false,
        };
        if same {
            continue;
        }
        let (added, removed) = match (va, vb) {
            (Some(Value::Array(x)), Some(Value::Array(y))) => (only_in(y, x), only_in(x, y)),
            (None, Some(Value::Array(y))) => (y.clone(), vec![]),
            (Some(Value::Array(x)), None) => (vec![], x.clone()),
            (x, y) => (
                y.cloned().into_iter().collect(),
                x.cloned().into_iter().collect(),
            ),
        };
        out.push(FieldChange {
            field: k.clone(),
            added,
            removed,
        });
    }
    out
}

/// Elements of `xs` not matched by an element of `ys` (multiset difference).
fn only_in(xs: &[Value], ys: &[Value]) -> Vec<Value> {
    let mut pool: Vec<String> = ys.iter().map(canonical_json_unordered).collect();
    let mut out = Vec::new();
    for x in xs {
        let c = canonical_json_unordered(x);
        match pool.iter().position(|p| *p == c) {
            Some(i) => {
                pool.swap_remove(i);
            }
            None => out.push(x.clone()),
        }
    }
    out
}

/// The entity as JSON. Serialising the model's plain data types cannot
/// fail; `Null` would only stand in if a future model type made it fail,
/// and would then still give a stable (if uninformative) fingerprint.
fn entity_value(e: &Entity) -> Value {
    serde_json::to_value(e).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use embargo_model::{EntityId, NameKind, Schema};

    fn base() -> Entity {
        let mut e = Entity::new(
            EntityId::new("us_ofac_sdn", "36"),
            Schema::Organization,
            "us_ofac_sdn",
            "AEROCARIBBEAN AIRLINES",
        );
        e.add_name("AERO-CARIBBEAN", NameKind::Alias);
        e.add_name("AEROCARIBE", NameKind::Alias);
        e.programs = vec!["CUBA".into()];
        e
    }

    #[test]
    fn fingerprint_ignores_alias_order_but_not_content() {
        let a = base();
        let mut b = base();
        b.names.swap(1, 2);
        assert_eq!(entity_fingerprint(&a), entity_fingerprint(&b));
        assert!(changed_fields(&a, &b).is_empty());

        b.add_name("AEROCARIBBEAN SA", NameKind::Alias);
        assert_ne!(entity_fingerprint(&a), entity_fingerprint(&b));
        let diff = diff_entities(&a, &b);
        assert_eq!(diff.len(), 1);
        assert_eq!(diff[0].field, "names");
        assert_eq!(diff[0].added.len(), 1);
        assert!(diff[0].removed.is_empty());
        assert_eq!(diff[0].to_string(), "names: +\"AEROCARIBBEAN SA\"");
    }

    #[test]
    fn changed_fields_names_added_removed_and_edited_fields() {
        let a = base();
        let mut b = base();
        b.programs = vec!["CUBA".into(), "SDGT".into()];
        b.remarks = vec!["Linked To: X".into()];
        b.list = Some("SDN".into());
        b.names[0].value = "AEROCARIBBEAN AIRLINES SA".into();
        assert_eq!(
            changed_fields(&a, &b),
            vec!["list", "names", "programs", "remarks"]
        );
        let list = &diff_entities(&a, &b)[0];
        assert_eq!(list.added, vec![Value::String("SDN".into())]);
        assert!(list.removed.is_empty());
        assert_eq!(entity_fingerprint(&a).len(), 64);
    }
}
