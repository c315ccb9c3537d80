//! The request schemas of `/openapi.json` are exact: for each example body
//! the schema accepts it exactly when the handler does (a 2xx, or a 404 for
//! a well-formed review of an entity that is not loaded) and refuses it
//! exactly when the handler answers 400. A small validator for the JSON
//! Schema keywords the document uses reads the served document itself, so
//! a schema that drifts from its handler fails here before schemathesis
//! (`tests/fuzz/run.sh`) finds it.

use crate::common;

use axum::http::StatusCode;
use common::*;
use embargo_server::AuthMode;
use serde_json::{json, Value};

/// Whether `v` is valid against `schema` (the keywords the document uses).
fn valid(doc: &Value, schema: &Value, v: &Value) -> bool {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/components/schemas/");
        return valid(doc, &doc["components"]["schemas"][name], v);
    }
    if let Some(alts) = schema.get("anyOf").and_then(Value::as_array) {
        if !alts.iter().any(|a| valid(doc, a, v)) {
            return false;
        }
    }
    if let Some(not) = schema.get("not") {
        if valid(doc, not, v) {
            return false;
        }
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let is = |t: &str| match t {
            "null" => v.is_null(),
            "boolean" => v.is_boolean(),
            "string" => v.is_string(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            "number" => v.is_number(),
            "integer" => v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
            other => panic!("type {other} not handled"),
        };
        if !types.iter().any(|t| is(t)) {
            return false;
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            return false;
        }
    }
    if let Value::String(s) = v {
        if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
            let re = regex::Regex::new(p).unwrap_or_else(|e| panic!("pattern {p}: {e}"));
            if !re.is_match(s) {
                return false;
            }
        }
        let n = s.chars().count() as u64;
        if schema
            .get("maxLength")
            .and_then(Value::as_u64)
            .is_some_and(|m| n > m)
            || schema
                .get("minLength")
                .and_then(Value::as_u64)
                .is_some_and(|m| n < m)
        {
            return false;
        }
    }
    if let Some(x) = v.as_f64() {
        if schema
            .get("minimum")
            .and_then(Value::as_f64)
            .is_some_and(|m| x < m)
            || schema
                .get("maximum")
                .and_then(Value::as_f64)
                .is_some_and(|m| x > m)
        {
            return false;
        }
    }
    if let Value::Array(a) = v {
        let n = a.len() as u64;
        if schema
            .get("maxItems")
            .and_then(Value::as_u64)
            .is_some_and(|m| n > m)
            || schema
                .get("minItems")
                .and_then(Value::as_u64)
                .is_some_and(|m| n < m)
        {
            return false;
        }
        if let Some(items) = schema.get("items") {
            if !a.iter().all(|x| valid(doc, items, x)) {
                return false;
            }
        }
    }
    if let Value::Object(o) = v {
        let n = o.len() as u64;
        if schema
            .get("maxProperties")
            .and_then(Value::as_u64)
            .is_some_and(|m| n > m)
            || schema
                .get("minProperties")
                .and_then(Value::as_u64)
                .is_some_and(|m| n < m)
        {
            return false;
        }
        for r in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !o.contains_key(r.as_str().unwrap()) {
                return false;
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, x) in o {
            if let Some(names) = schema.get("propertyNames") {
                if !valid(doc, names, &json!(k)) {
                    return false;
                }
            }
            match props.and_then(|p| p.get(k)) {
                Some(s) => {
                    if !valid(doc, s, x) {
                        return false;
                    }
                }
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => return false,
                    Some(s @ Value::Object(_)) if !valid(doc, s, x) => return false,
                    _ => {}
                },
            }
        }
    }
    true
}

/// The request body schema of `method path` in `doc`.
fn body_schema(doc: &Value, path: &str, method: &str) -> Value {
    let s =
        doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"].clone();
    assert!(s.is_object(), "{method} {path} has no JSON body schema");
    s
}

/// Sends each example and checks the schema and the handler agree.
async fn agree(path: &str, examples: &[(Value, bool)], accepted: impl Fn(StatusCode) -> bool) {
    let f = fixture();
    let app = local(&f, cfg(AuthMode::ApiKeys));
    let doc = send(&app, get("/openapi.json", None)).await.json();
    let documented = if path.starts_with("/match/") {
        "/match/{dataset}"
    } else {
        path
    };
    let schema = body_schema(&doc, documented, "post");
    let mut wrong = vec![];
    for (body, expect) in examples {
        let by_schema = valid(&doc, &schema, body);
        let r = send(&app, post_json(path, Some(&f.admin_key), body)).await;
        assert!(
            r.status.is_success() || r.status.is_client_error(),
            "{path} {body}: {} {}",
            r.status,
            r.text
        );
        let by_handler = accepted(r.status);
        if by_schema != *expect || by_handler != *expect {
            wrong.push(format!(
                "{body}: expected {expect}, schema says {by_schema}, handler answers {} {}",
                r.status, r.text
            ));
        }
    }
    assert!(wrong.is_empty(), "{path}:\n{}", wrong.join("\n"));
}

fn ok(s: StatusCode) -> bool {
    s.is_success()
}

#[tokio::test]
async fn screen_requests_are_refused_by_schema_and_handler_alike() {
    let long = |n: usize| "x".repeat(n);
    let examples = [
        (json!({"name": "Hikvision"}), true),
        (
            json!({"name": "  Hikvision  ", "schema": "Company", "country": "cn",
                   "countries": ["US", " "], "birth_date": "1970-01", "limit": 5,
                   "threshold": 0.5, "algorithm": "ofac", "id": "r-1",
                   "datasets": ["embargo_xinjiang_pack"], "as_of": "2024-01-02",
                   "aliases": ["HIK"], "identifiers": ["91330000"], "family_name": ""}),
            true,
        ),
        (json!({"name": long(300)}), true),
        (
            json!({"name": "x", "schema": null, "birth_date": "", "as_of": null}),
            true,
        ),
        (json!({"name": ""}), false),
        (json!({"name": "   "}), false),
        (json!({"name": "a\u{7}b"}), false),
        (json!({"name": long(301)}), false),
        (json!({"name": "x", "schema": "Robot"}), false),
        (json!({"name": "x", "country": "ZZZ"}), false),
        (json!({"name": "x", "limit": 0}), false),
        (json!({"name": "x", "limit": 101}), false),
        (json!({"name": "x", "limit": 100}), true),
        (json!({"name": "x", "threshold": 1.5}), false),
        (json!({"name": "x", "datasets": ["nope"]}), false),
        (json!({"name": "x", "datasets": []}), false),
        (json!({"name": "x", "as_of": "2999-01-01"}), false),
        (json!({"name": "x", "as_of": "2024-1-5"}), false),
        (json!({"name": "x", "birth_date": "1970-13"}), false),
        (json!({"name": "x", "birth_date": "1970-02-30"}), false),
        (json!({"name": "x", "birth_date": "1970-02-03T10:00"}), true),
        (json!({"name": "x", "aliases": vec!["a"; 21]}), false),
        (json!({"name": "x", "identifiers": [long(101)]}), false),
        (json!({"name": "x", "id": long(101)}), false),
        (json!({"name": "x", "unknown": 1}), false),
        (json!({"name": "x", "algorithm": "fastest"}), false),
        (json!({"name": 7}), false),
        (json!({}), false),
    ];
    agree("/v1/screen", &examples, ok).await;
    agree("/v1/report/screen", &examples[..6], ok).await;
}

fn transaction() -> Value {
    json!({
        "date": "2024-03-01", "flow": "export",
        "actor": {"us_person": true, "country": "US"},
        "destination": "CN",
        "item": {"description": "camera module", "origin": "US", "located_in": "US",
                 "eccn": "6A993", "value": 100, "tags": ["video_surveillance"],
                 "us_content": [{"eccn": null, "value": 3.5}], "direct_product_of": []},
        "parties": [{"role": "end_user", "name": "Hangzhou Hikvision Digital Technology Co., Ltd.",
                     "country": "CN", "address": null, "registration_id": null}],
        "ownership": [{"owner": "A Corp", "owned": "B Ltd", "pct": 50}],
        "knowledge": {"end_user": null, "directors": [{"entity": "B Ltd", "name": "Li Wei"}]},
        "context": {"currency": "usd", "buyer": "private", "purpose": null}
    })
}

fn with(path: &[&str], v: Value) -> Value {
    let mut t = transaction();
    let mut at = &mut t;
    for (i, k) in path.iter().enumerate() {
        if i + 1 == path.len() {
            if let Some(gone) = k.strip_prefix('-').filter(|_| v.is_null()) {
                at.as_object_mut().unwrap().remove(gone);
            } else {
                at[*k] = v.clone();
            }
            break;
        }
        at = match k.parse::<usize>() {
            Ok(n) => &mut at[n],
            Err(_) => &mut at[*k],
        };
    }
    t
}

#[tokio::test]
async fn transactions_are_refused_by_schema_and_parser_alike() {
    let mut examples = vec![
        (transaction(), true),
        (with(&["reference"], json!("our-ref-17")), true),
        (json!({"transaction": transaction(), "expect": []}), true),
        (json!({"date": "2024-03-01", "flow": "screening"}), true),
        (with(&["item"], Value::Null), true),
        (with(&["-date"], Value::Null), false),
        (with(&["date"], json!("2024-3-1")), false),
        (with(&["date"], json!("yesterday")), false),
        (with(&["flow"], json!("smuggle")), false),
        (with(&["actor"], Value::Null), false),
        (with(&["destination"], json!("China")), false),
        (with(&["parties", "0", "name"], json!("  ")), false),
        (with(&["parties", "0", "role"], json!("friend")), false),
        (with(&["ownership", "0", "pct"], json!(101)), false),
        (with(&["item", "value"], json!(-1)), false),
        (with(&["item", "tags"], json!(["cameras"])), false),
        (with(&["context", "currency"], json!("US dollars")), false),
        (with(&["context", "site"], json!("lobby")), false),
        (
            with(&["knowledge", "directors", "0", "name"], json!("")),
            false,
        ),
        (json!({"transaction": {"date": "2024-03-01"}}), false),
        (json!([1, 2]), false),
    ];
    // Every documented example is a transaction the schema takes.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".json") && !name.ends_with(".expect.json") {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            examples.push((v, true));
            n += 1;
        }
    }
    assert!(n >= 10, "only {n} examples in {}", dir.display());
    agree("/v1/decide", &examples, ok).await;
    agree("/v1/report/decide", &examples[..6], ok).await;
}

#[tokio::test]
async fn reviews_and_matches_are_refused_by_schema_and_handler_alike() {
    let review = |patch: Value| {
        let mut r = json!({"subject": {"name": "Hikvision"}, "entity_id": "embargo_xinjiang_pack:el-hikvision",
                           "verdict": "true_match", "reason": "same party, same address"});
        for (k, v) in patch.as_object().unwrap() {
            r[k] = v.clone();
        }
        r
    };
    // A well-formed review of an entity not loaded is a 404, not a 400.
    let taken = |s: StatusCode| s.is_success() || s == StatusCode::NOT_FOUND;
    agree(
        "/v1/reviews",
        &[
            (review(json!({})), true),
            (
                review(json!({"entity_id": "embargo_xinjiang_pack:nope"})),
                true,
            ),
            (review(json!({"expires": "2999-12-31"})), true),
            (review(json!({"verdict": "maybe"})), false),
            (review(json!({"reason": " "})), false),
            (review(json!({"expires": "2000-01-01"})), false),
            (review(json!({"entity_id": "x".repeat(257)})), false),
            (
                review(json!({"subject": {"name": "Hikvision", "age": 3}})),
                false,
            ),
            (review(json!({"note": "x"})), false),
        ],
        taken,
    )
    .await;
    let q = |example: Value| json!({"queries": {"q1": example}});
    agree(
        "/match/default",
        &[
            (q(json!({"schema": "Company", "properties": {"name": ["Hikvision"]}})), true),
            (q(json!({"schema": "company", "properties": {"name": "Hikvision", "country": ["cn"], "note": [1]}})), true),
            (q(json!({"schema": "Robot", "properties": {"name": "Hikvision"}})), false),
            (q(json!({"schema": "Company", "properties": {"country": "cn"}})), false),
            (q(json!({"schema": "Company", "properties": {"name": "  "}})), false),
            (q(json!({"schema": "Company", "properties": {"name": "x", "idNumber": "1".repeat(101)}})), false),
            (json!({"queries": {}}), false),
        ],
        ok,
    )
    .await;
}
