//! Canonical JSON and SHA-256 helpers.
//!
//! Hashes must not depend on how a map happened to be ordered in memory:
//! `serde_json::Map` is a `BTreeMap` by default but becomes insertion-ordered
//! when any crate in the build enables serde_json's `preserve_order`
//! feature, so this module never relies on `Value`'s own serialisation of
//! objects. Canonical form here means: object keys sorted by UTF-16 code
//! units (as RFC 8785 / JCS does), no insignificant whitespace, strings
//! escaped minimally, numbers exactly as serde_json writes them.
//!
//! `sort_arrays` additionally orders array elements by their canonical text;
//! it is used for entity fingerprints, where a list file re-ordering aliases
//! or addresses must not count as "the listed record changed".

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The canonical text of `v`.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_value(v, false, &mut out);
    out
}

/// The canonical text of `v` with every array treated as a multiset.
pub fn canonical_json_unordered(v: &Value) -> String {
    let mut out = String::new();
    write_value(v, true, &mut out);
    out
}

fn write_value(v: &Value, sort_arrays: bool, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            if sort_arrays {
                let mut parts: Vec<String> = items
                    .iter()
                    .map(|i| {
                        let mut s = String::new();
                        write_value(i, true, &mut s);
                        s
                    })
                    .collect();
                parts.sort();
                out.push_str(&parts.join(","));
            } else {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_value(item, false, out);
                }
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                if let Some(val) = map.get(k) {
                    write_value(val, sort_arrays, out);
                }
            }
            out.push('}');
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0C}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Lower-case hex SHA-256 of the concatenation of `parts`.
pub fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    hex::encode(h.finalize())
}

/// Whether `s` looks like a lower-case hex SHA-256.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_depth_and_whitespace_dropped() {
        let v = json!({"b": 1, "a": {"z": [3, 1], "y": "q\"\n\u{1}"}});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":{"y":"q\"\n\u0001","z":[3,1]},"b":1}"#
        );
        assert_eq!(
            canonical_json_unordered(&v),
            r#"{"a":{"y":"q\"\n\u0001","z":[1,3]},"b":1}"#
        );
    }

    #[test]
    fn canonical_text_round_trips_through_the_parser() {
        let v = json!({"f": 1.5e300, "g": -0.1, "n": u64::MAX, "s": "日本\u{7f}"});
        let once = canonical_json(&v);
        let back: Value = serde_json::from_str(&once).unwrap();
        assert_eq!(canonical_json(&back), once);
    }

    #[test]
    fn sha256_of_empty_input_is_the_known_constant() {
        assert_eq!(
            sha256_hex(&[]),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(is_sha256_hex(&sha256_hex(&[b"x"])));
        assert!(!is_sha256_hex("E3B0"));
    }
}
