//! Field-level comparison of two versions of one entity.

use crate::types::FieldChange;
use serde_json::{Map, Value};

/// Top-level fields of the entity JSON that differ, in the order of the
/// new entity's fields, then fields only the old one had. Comparing JSON
/// values (not Rust structs) keeps this independent of model additions.
pub(crate) fn field_changes(old: &Value, new: &Value) -> Vec<FieldChange> {
    let empty = Map::new();
    let o = old.as_object().unwrap_or(&empty);
    let n = new.as_object().unwrap_or(&empty);
    let mut out = Vec::new();
    for (k, nv) in n {
        let ov = o.get(k).unwrap_or(&Value::Null);
        if ov != nv {
            out.push(FieldChange {
                field: k.clone(),
                old: ov.clone(),
                new: nv.clone(),
            });
        }
    }
    for (k, ov) in o {
        if !n.contains_key(k) {
            out.push(FieldChange {
                field: k.clone(),
                old: ov.clone(),
                new: Value::Null,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_changed_added_and_dropped_fields() {
        let old = json!({"id": "x", "programs": ["SDGT"], "remarks": ["r"]});
        let new = json!({"id": "x", "programs": ["SDGT", "IFSR"], "gender": "male"});
        let ch = field_changes(&old, &new);
        let names: Vec<&str> = ch.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(names, ["gender", "programs", "remarks"]);
        assert_eq!(ch[0].old, Value::Null);
        assert_eq!(ch[2].new, Value::Null);
        assert_eq!(ch[1].new, json!(["SDGT", "IFSR"]));
    }
}
