//! HTTP contract of the server, exercised in-process with `oneshot`:
//! status codes, JSON shapes, auth roles in both auth modes, limits, and the
//! audit records every screen and decision leaves behind.

use crate::common;

use axum::http::StatusCode;
use common::*;
use embargo_audit::RecordKind;
use embargo_server::{AuthMode, ServerConfig};
use serde_json::{json, Value};

const HIKVISION_ID: &str = "embargo_xinjiang_pack:el-hikvision";
/// Every pack entry that lists Hikvision under that exact alias.
const ALL_HIKVISION: [&str; 4] = [
    "embargo_xinjiang_pack:cmic-hikvision",
    "embargo_xinjiang_pack:el-hikvision",
    "embargo_xinjiang_pack:fcc-hikvision",
    "embargo_xinjiang_pack:ndaa889-hikvision",
];

/// The hit for `id` among `results` (ties between the four Hikvision
/// listings may come in any order).
fn hit<'a>(results: &'a Value, id_field: &str, id: &str) -> &'a Value {
    results
        .as_array()
        .unwrap_or_else(|| panic!("no results array: {results}"))
        .iter()
        .find(|h| h[id_field] == id)
        .unwrap_or_else(|| panic!("{id} not among {results}"))
}

/// Ids of hits scoring at least the default threshold, sorted.
/// Ids of every record that scored at or above the threshold: each row's
/// own, and those of the other records of its consolidated subject.
fn strong_ids(results: &Value, id_field: &str) -> Vec<String> {
    let strong = |h: &Value| {
        h["score"]
            .as_f64()
            .is_some_and(|s| s >= embargo_match::DEFAULT_THRESHOLD)
    };
    let mut ids: Vec<String> = results
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|h| {
            let mut v = vec![h.clone()];
            v.extend(h["records"].as_array().cloned().unwrap_or_default());
            v
        })
        .filter(|h| strong(h))
        .map(|h| h[id_field].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn head_seq(f: &Fixture) -> u64 {
    f.app.audit.head().unwrap().map(|a| a.seq).unwrap_or(0)
}

#[tokio::test]
async fn health_readiness_page_and_openapi_need_no_key() {
    let f = fixture();
    let app = remote(&f, cfg(AuthMode::ApiKeys));
    let h = send(&app, get("/healthz", None)).await;
    assert_eq!(h.status, StatusCode::OK, "{}", h.text);
    assert_eq!(h.json()["status"], "ok");
    let r = send(&app, get("/readyz", None)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.json()["entities"].as_u64().unwrap() > 0);

    let page = send(&app, get("/", None)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("<title>Embargo"),
        "{}",
        &page.text[..200]
    );
    assert!(page.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'self'"));
    let js = send(&app, get("/static/app.js", None)).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));

    let doc = send(&app, get("/openapi.json", None)).await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/match/{dataset}",
        "/search/{dataset}",
        "/entities/{id}",
        "/catalog",
        "/algorithms",
        "/healthz",
        "/readyz",
        "/v1/screen",
        "/v1/decide",
        "/v1/batch",
        "/v1/lists",
        "/v1/lists/{source}/diff",
        "/v1/reviews",
        "/v1/audit/verify",
        "/v1/admin/reload",
    ] {
        assert!(paths.contains_key(p), "openapi lacks {p}");
    }
    assert!(doc["components"]["schemas"]["ScreenRequest"].is_object());
}

#[tokio::test]
async fn screen_from_localhost_without_key_is_audited_as_anonymous() {
    let f = fixture();
    let app = local(&f, cfg(AuthMode::OpenForLocalhost));
    let before = head_seq(&f);
    let r = send(
        &app,
        post_json("/v1/screen", None, &json!({"name": "Hikvision"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(strong_ids(&v["results"], "entity_id"), ALL_HIKVISION, "{v}");
    let top = hit(&v["results"], "entity_id", HIKVISION_ID);
    assert_eq!(
        top["caption"],
        "Hangzhou Hikvision Digital Technology Co., Ltd."
    );
    assert_eq!(top["matched_name"], "Hikvision");
    assert!(top["score"].as_f64().unwrap() >= embargo_match::DEFAULT_THRESHOLD);
    assert!(top["explanation"]["tokens"].is_array(), "{top}");
    assert!(!top["explanation_text"].as_str().unwrap().is_empty());
    assert!(top["review"].is_null());
    let labels = v["list_versions"].as_array().unwrap();
    assert!(!labels.is_empty());

    let seq = v["audit_seq"].as_u64().unwrap();
    assert_eq!(seq, before + 1);
    let rec = f.app.audit.get(seq).unwrap().unwrap();
    assert_eq!(rec.kind, RecordKind::Screen);
    assert_eq!(rec.actor, "anonymous-localhost");
    assert_eq!(rec.request["name"], "Hikvision");
    assert_eq!(
        rec.result["hits"].as_array().unwrap().len(),
        v["results"].as_array().unwrap().len()
    );
    hit(&rec.result["hits"], "entity_id", HIKVISION_ID);
    let expect: Vec<String> = labels
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect();
    assert_eq!(rec.list_versions, expect);
}

#[tokio::test]
async fn open_mode_still_requires_a_key_from_other_hosts() {
    let f = fixture();
    let app = remote(&f, cfg(AuthMode::OpenForLocalhost));
    let r = send(
        &app,
        post_json("/v1/screen", None, &json!({"name": "Hikvision"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.error_code(), "unauthorized");
    let ok = send(
        &app,
        post_json(
            "/v1/screen",
            Some(&f.screen_key),
            &json!({"name": "Hikvision"}),
        ),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
}

#[tokio::test]
async fn key_mode_enforces_roles() {
    let f = fixture();
    // Even loopback needs a key in ApiKeys mode.
    let app = local(&f, cfg(AuthMode::ApiKeys));
    let none = send(&app, get("/v1/lists", None)).await;
    assert_eq!(
        (none.status, none.error_code().as_str()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    let bad = send(&app, get("/v1/lists", Some("emb_not-a-real-key"))).await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    let scheme = send(
        &app,
        axum::http::Request::get("/v1/lists")
            .header("authorization", format!("Basic {}", f.screen_key))
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(scheme.status, StatusCode::UNAUTHORIZED);
    // yente clients send `Authorization: ApiKey <key>`.
    let yente_style = send(
        &app,
        axum::http::Request::get("/catalog")
            .header("authorization", format!("ApiKey {}", f.screen_key))
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(yente_style.status, StatusCode::OK, "{}", yente_style.text);

    let review = json!({"subject": {"name": "Hikvision"}, "entity_id": HIKVISION_ID,
                        "verdict": "false_positive", "reason": "test"});
    let r = send(&app, post_json("/v1/reviews", Some(&f.screen_key), &review)).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let r = send(&app, get("/v1/audit/verify", Some(&f.review_key))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &app,
        post_json("/v1/admin/reload", Some(&f.review_key), &json!({})),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let r = send(&app, post_json("/v1/reviews", Some(&f.review_key), &review)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json()["reviewer"], "reviewer");

    let v = send(&app, get("/v1/audit/verify", Some(&f.admin_key))).await;
    assert_eq!(v.status, StatusCode::OK, "{}", v.text);
    assert_eq!(v.json()["ok"], true);
    let rl = send(
        &app,
        post_json("/v1/admin/reload", Some(&f.admin_key), &json!({})),
    )
    .await;
    assert_eq!(rl.status, StatusCode::OK, "{}", rl.text);
    assert!(!rl.json()["labels"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_review_clears_the_hit_on_the_next_screen_of_the_same_subject_only() {
    let f = fixture();
    let app = local(&f, cfg(AuthMode::OpenForLocalhost));
    let q = json!({"name": "Hikvision", "country": "CN"});
    let first = send(&app, post_json("/v1/screen", None, &q)).await.json();
    assert!(hit(&first["results"], "entity_id", HIKVISION_ID)["review"].is_null());

    let review = json!({"subject": {"name": "hikvision ", "country": "cn"}, "entity_id": HIKVISION_ID,
                        "verdict": "false_positive", "reason": "our supplier is a different Hikvision reseller"});
    // The keyless loopback caller may screen but never review.
    let before = head_seq(&f);
    let r = send(&app, post_json("/v1/reviews", None, &review)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(head_seq(&f), before, "a refused review writes nothing");

    // One reviewer's clear of an Entity List hit waits for a second one.
    let r = send(&app, post_json("/v1/reviews", Some(&f.review_key), &review)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json()["status"], "pending_approval", "{}", r.text);
    assert!(r.json()["approval_required"]
        .as_str()
        .unwrap()
        .contains("Entity List"));
    let seq = r.json()["audit_seq"].as_u64().unwrap();
    assert_eq!(
        f.app.audit.get(seq).unwrap().unwrap().kind,
        RecordKind::Review
    );
    let pending = send(&app, post_json("/v1/screen", None, &q)).await.json();
    let pending = hit(&pending["results"], "entity_id", HIKVISION_ID);
    assert_eq!(pending["review"]["status"], "pending_approval", "{pending}");
    // The same reviewer again does not approve her own clear.
    let r = send(&app, post_json("/v1/reviews", Some(&f.review_key), &review)).await;
    assert_eq!(r.json()["status"], "pending_approval", "{}", r.text);
    // A second, different reviewer does.
    let r = send(&app, post_json("/v1/reviews", Some(&f.admin_key), &review)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json()["status"], "cleared", "{}", r.text);

    let again = send(&app, post_json("/v1/screen", None, &q)).await.json();
    let cleared = hit(&again["results"], "entity_id", HIKVISION_ID);
    let today = chrono::Utc::now().date_naive().to_string();
    assert_eq!(cleared["review"]["status"], "cleared", "{cleared}");
    assert_eq!(
        cleared["review"]["message"],
        format!("cleared by reviewer, approved by admin on {today}")
    );
    // The decision was about one listing; the pack's other Hikvision
    // listings are records of the same subject, not cleared by it.
    let others: Vec<&Value> = cleared["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["entity_id"] != HIKVISION_ID)
        .collect();
    assert!(others.len() >= 3, "{cleared}");

    // A different subject (other country) is not cleared by that decision.
    let other = send(
        &app,
        post_json(
            "/v1/screen",
            None,
            &json!({"name": "Hikvision", "country": "US"}),
        ),
    )
    .await
    .json();
    assert!(
        hit(&other["results"], "entity_id", HIKVISION_ID)["review"].is_null(),
        "{other}"
    );
}

#[tokio::test]
async fn review_requests_are_validated() {
    let f = fixture();
    let app = local(&f, cfg(AuthMode::OpenForLocalhost));
    let base = json!({"subject": {"name": "Hikvision"}, "entity_id": HIKVISION_ID, "verdict": "false_positive", "reason": "x"});
    let cases = [
        ("verdict", json!("maybe"), StatusCode::BAD_REQUEST),
        ("reason", json!("  "), StatusCode::BAD_REQUEST),
        ("entity_id", json!("nope:1"), StatusCode::NOT_FOUND),
        ("expires", json!("31/12/2030"), StatusCode::BAD_REQUEST),
    ];
    for (field, value, status) in cases {
        let mut b = base.clone();
        b[field] = value;
        let r = send(&app, post_json("/v1/reviews", Some(&f.review_key), &b)).await;
        assert_eq!(r.status, status, "{field}: {}", r.text);
        r.error_code();
    }
}

#[tokio::test]
async fn yente_match_has_yente_shapes() {
    let f = fixture();
    let app = local(&f, cfg(AuthMode::OpenForLocalhost));
    let body = json!({"queries": {
        "q1": {"schema": "Company", "properties": {"name": ["Hikvision"], "country": ["cn"]}},
        "q2": {"schema": "Person", "properties": {"name": ["Chen Quanguo"], "birthDate": ["1955"], "nationality": ["CN"]}},
    }});
    let before = head_seq(&f);
    let r = send(
        &app,
        post_json(
            "/match/default?limit=3&algorithm=best&fuzzy=False",
            None,
            &body,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(v["limit"], 3);
    let q1 = &v["responses"]["q1"];
    assert_eq!(q1["status"], 200);
    assert_eq!(q1["total"]["relation"], "eq");
    let top = hit(&q1["results"], "id", HIKVISION_ID);
    assert_eq!(top["schema"], "Company");
    assert_eq!(top["match"], true);
    assert!(top["properties"]["name"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n == "Hangzhou Hikvision Digital Technology Co., Ltd."));
    assert!(top["properties"]["alias"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n == "Hikvision"));
    assert!(top["properties"]["country"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n == "cn"));
    assert_eq!(top["datasets"], json!(["embargo_xinjiang_pack"]));
    assert!(top["features"]["name_match"].is_number());
    assert_eq!(q1["results"].as_array().unwrap().len(), 3, "limit=3");
    assert_eq!(q1["total"]["value"], 3);
    let q2 = &v["responses"]["q2"]["results"][0];
    assert_eq!(q2["id"], "embargo_xinjiang_pack:glomag-chen-quanguo", "{v}");
    assert_eq!(q2["schema"], "Person");
    assert_eq!(q2["properties"]["birthDate"], json!(["1955"]));
    assert_eq!(q2["properties"]["program"], json!(["GLOMAG"]));
    assert_eq!(
        v["responses"]["q2"]["query"]["properties"]["birthDate"],
        json!(["1955"])
    );
    // One audit record per query.
    assert_eq!(head_seq(&f), before + 2);
}

#[tokio::test]
async fn yente_match_rejects_bad_input_with_json_errors() {
    let f = fixture();
    let app = local(
        &f,
        ServerConfig {
            max_batch: 2,
            ..cfg(AuthMode::OpenForLocalhost)
        },
    );
    let q = |schema: &str, name: Value| json!({"schema": schema, "properties": {"name": name}});
    let cases: Vec<(String, Value, StatusCode)> = vec![
        (
            "/match/default".into(),
            json!({"queries": {}}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/match/default".into(),
            json!({"queries": {"a": q("Bank", json!(["x"]))}}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/match/default".into(),
            json!({"queries": {"a": q("Person", json!([]))}}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/match/default".into(),
            json!({"queries": {"a": q("Person", json!(["x"])), "b": q("Person", json!(["y"])), "c": q("Person", json!(["z"]))}}),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "/match/no_such_list".into(),
            json!({"queries": {"a": q("Person", json!(["x"]))}}),
            StatusCode::NOT_FOUND,
        ),
        (
            "/match/default?threshold=7".into(),
            json!({"queries": {"a": q("Person", json!(["x"]))}}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/match/default?limit=abc".into(),
            json!({"queries": {"a": q("Person", json!(["x"]))}}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/match/default".into(),
            json!({"queries": 5}),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (path, body, status) in cases {
        let r = send(&app, post_json(&path, None, &body)).await;
        assert_eq!(r.status, status, "{path} {body}: {}", r.text);
        r.error_code();
    }
    let r = send(
        &app,
        post_raw(
            "/match/default",
            None,
            "application/json",
            "{not json".into(),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), "bad_request");
    let r = send(
        &app,
        post_raw("/v1/screen", None, "text/plain", "{}".into()),
    )
    .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
    );
    for path in ["/v1/decide", "/v1/batch"] {
        let r = send(&app, post_raw(path, None, "text/plain", "{}".into())).await;
        assert_eq!(
            r.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{path}: {}",
            r.text
        );
    }
    // DNS rebinding: a page on another host name that resolves to loopback
    // gets no keyless access.
    let mut req = post_json("/v1/screen", None, &json!({"name": "Hikvision"}));
    req.headers_mut()
        .insert("host", "evil.example:8000".parse().unwrap());
    assert_eq!(send(&app, req).await.status, StatusCode::UNAUTHORIZED);
    let mut req = post_json("/v1/screen", None, &json!({"name": "Hikvision"}));
    req.headers_mut()
        .insert("host", "localhost:8000".parse().unwrap());
    assert_eq!(send(&app, req).await.status, StatusCode::OK);
}

#[tokio::test]
async fn screen_requests_are_validated_field_by_field() {
    let f = fixture();
    let app = local(&f, cfg(AuthMode::OpenForLocalhost));
    for (body, needle) in [
        (json!({"name": ""}), "`name`"),
        (json!({"name": "x".repeat(301)}), "`name`"),
        (json!({"name": "a\u{0}b"}), "`name`"),
        (json!({"name": "Hikvision", "schema": "Bank"}), "`schema`"),
        (
            json!({"name": "Hikvision", "birth_date": "1955-13"}),
            "`birth_date`",
        ),
        (
            json!({"name": "Hikvision", "country": "Atlantis"}),
            "`country`",
        ),
        (
            json!({"name": "Hikvision", "threshold": 1.5}),
            "`threshold`",
        ),
        (json!({"name": "Hikvision", "limit": 0}), "`limit`"),
        (
            json!({"name": "Hikvision", "algorithm": "magic"}),
            "`algorithm`",
        ),
        (json!({"name": "Hikvision", "colour": "red"}), "colour"),
        (
            json!({"name": "Chen Quanguo", "family_name": "a\u{0}b"}),
            "`family_name`",
        ),
    ] {
        let r = send(&app, post_json("/v1/screen", None, &body)).await;
        assert!(r.status.is_client_error(), "{body}: {}", r.text);
        let msg = r.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(msg.contains(needle), "{body}: {msg}");
    }
}

#[tokio::test]
async fn body_and_rate_limits_answer_in_json() {
    let f = fixture();
    let app = local(
        &f,
        ServerConfig {
            body_limit: 1024,
            ..cfg(AuthMode::OpenForLocalhost)
        },
    );
    let big = json!({"name": "x".repeat(4000)});
    let r = send(&app, post_json("/v1/screen", None, &big)).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "too_large")
    );
    let r = send(
        &app,
        post_raw("/v1/decide", None, "application/json", "x".repeat(4000)),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
    let app = local(
        &f,
        ServerConfig {
            batch_body_limit: 100,
            ..cfg(AuthMode::OpenForLocalhost)
        },
    );
    let lines = (0..10)
        .map(|_| json!({"name": "Hikvision"}).to_string())
        .collect::<Vec<_>>()
        .join("\n");
    let mut req = post_raw("/v1/batch", None, "application/x-ndjson", lines.clone());
    req.headers_mut()
        .insert("content-length", lines.len().into());
    let r = send(&app, req).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "too_large")
    );

    let app = local(
        &f,
        ServerConfig {
            rate_per_sec: Some(0.5),
            rate_burst: 2.0,
            ..cfg(AuthMode::OpenForLocalhost)
        },
    );
    for _ in 0..2 {
        assert_eq!(
            send(&app, get("/v1/lists", None)).await.status,
            StatusCode::OK
        );
    }
    let r = send(&app, get("/v1/lists", None)).await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    );
    assert_eq!(r.headers["retry-after"], "2");
    // Another key has its own bucket.
    assert_eq!(
        send(&app, get("/v1/lists", Some(&f.screen_key)))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn batch_streams_one_line_per_input_line() {
    let f = fixture();
    let app = local(
        &f,
        ServerConfig {
            max_batch: 4,
            ..cfg(AuthMode::OpenForLocalhost)
        },
    );
    let body = [
        json!({"id": "a", "name": "Hikvision"}).to_string(),
        String::new(),
        "{oops".to_string(),
        json!({"id": "c", "name": "Chen Quanguo", "schema": "Person"}).to_string(),
        json!({"id": "d", "name": "", "schema": "Person"}).to_string(),
    ]
    .join("\n");
    let before = head_seq(&f);
    let r = send(
        &app,
        post_raw("/v1/batch", None, "application/x-ndjson", body),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.headers["content-type"], "application/x-ndjson");
    let lines: Vec<Value> = r
        .text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5, "{}", r.text);
    assert!(!lines[0]["list_versions"].as_array().unwrap().is_empty());
    assert_eq!(
        (lines[1]["line"].as_u64(), lines[1]["id"].as_str()),
        (Some(1), Some("a"))
    );
    assert_eq!(strong_ids(&lines[1]["results"], "entity_id"), ALL_HIKVISION);
    assert_eq!(lines[2]["line"], 3);
    assert_eq!(lines[2]["error"]["code"], "bad_request");
    assert_eq!(
        lines[3]["results"][0]["entity_id"],
        "embargo_xinjiang_pack:glomag-chen-quanguo"
    );
    assert_eq!(lines[4]["id"], "d", "{}", r.text);
    assert!(lines[4]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("`name`"));
    assert_eq!(head_seq(&f), before + 2, "only screened lines are audited");

    // Over the batch size: the extra line gets one final error.
    let app = local(
        &f,
        ServerConfig {
            max_batch: 3,
            ..cfg(AuthMode::OpenForLocalhost)
        },
    );
    let many = (0..5)
        .map(|i| json!({"name": format!("Name {i}")}).to_string())
        .collect::<Vec<_>>()
        .join("\n");
    let r = send(
        &app,
        post_raw("/v1/batch", None, "application/x-ndjson", many),
    )
    .await;
    let lines: Vec<Value> = r
        .text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5, "{}", r.text);
    assert_eq!(lines[4]["error"]["code"], "too_large");
    assert_eq!(lines[4]["line"], 4);
}

fn a1_transaction() -> Value {
    json!({
        "date": "2019-11-01", "flow": "export",
        "actor": {"us_person": true, "country": "US"},
        "destination": "CN",
        "item": {"description": "US-made camera module", "origin": "US", "located_in": "US", "eccn": "6A993", "tags": []},
        "parties": [{"role": "end_user", "name": "Hangzhou Hikvision Digital Technology Co., Ltd.", "country": "CN",
                     "address": "No. 555 Qianmo Road, Binjiang District, Hangzhou, 310052", "registration_id": null}]
    })
}

#[tokio::test]
async fn decide_returns_cited_findings_and_is_audited() {
    let f = fixture();
    let app = local(&f, cfg(AuthMode::OpenForLocalhost));
    let r = send(&app, post_json("/v1/decide", None, &a1_transaction())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    let findings = v["findings"].as_array().unwrap();
    let el = findings
        .iter()
        .find(|f| f["measure"] == "EAR_ENTITY_LIST" && f["outcome"] == "LICENSE_REQUIRED")
        .unwrap_or_else(|| panic!("no Entity List finding: {v}"));
    assert_eq!(el["review_policy"], "PRESUMPTION_OF_DENIAL");
    assert!(el["citations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c.as_str().unwrap().contains("744.11")));
    assert!(!v["decision_text"].as_str().unwrap().is_empty());
    let rec = f
        .app
        .audit
        .get(v["audit_seq"].as_u64().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(rec.kind, RecordKind::Decide);
    assert_eq!(rec.request["destination"], "CN");
    assert_eq!(
        rec.result["findings"].as_array().unwrap().len(),
        findings.len()
    );

    let mut bad = a1_transaction();
    bad["date"] = json!("yesterday");
    let r = send(&app, post_json("/v1/decide", None, &bad)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("date"),
        "{}",
        r.text
    );
    let r = send(
        &app,
        post_raw("/v1/decide", None, "application/json", "[1,2".into()),
    )
    .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
}

#[tokio::test]
async fn entities_lists_catalog_and_algorithms() {
    let f = fixture();
    let app = local(&f, cfg(AuthMode::OpenForLocalhost));
    let e = send(&app, get(&format!("/v1/entities/{HIKVISION_ID}"), None)).await;
    assert_eq!(e.status, StatusCode::OK, "{}", e.text);
    let e = e.json();
    assert_eq!(
        e["caption"].as_str().or(e["names"][0]["value"].as_str()),
        Some("Hangzhou Hikvision Digital Technology Co., Ltd.")
    );
    assert!(!e["citations"].as_array().unwrap().is_empty());
    let y = send(&app, get(&format!("/entities/{HIKVISION_ID}"), None))
        .await
        .json();
    assert_eq!(y["id"], HIKVISION_ID);
    assert_eq!(
        y["caption"],
        "Hangzhou Hikvision Digital Technology Co., Ltd."
    );
    let nf = send(&app, get("/v1/entities/nope:1", None)).await;
    assert_eq!(
        (nf.status, nf.error_code().as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );

    let lists = send(&app, get("/v1/lists", None)).await.json();
    let versions = lists["versions"].as_array().unwrap();
    assert!(
        versions
            .iter()
            .any(|v| v["dataset"] == "embargo_xinjiang_pack"),
        "{lists}"
    );
    let diff = send(&app, get("/v1/lists/no_such_list/diff", None)).await;
    assert_eq!(diff.status, StatusCode::NOT_FOUND, "{}", diff.text);

    let cat = send(&app, get("/catalog", None)).await.json();
    assert!(cat["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["name"] == "embargo_xinjiang_pack"));
    let alg = send(&app, get("/algorithms", None)).await.json();
    assert_eq!(alg["best"], "embargo");

    let s = send(&app, get("/search/default?q=Hikvision&limit=2", None)).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.text);
    let s = s.json();
    assert_eq!(s["results"].as_array().unwrap().len(), 2, "{s}");
    for r in s["results"].as_array().unwrap() {
        assert!(ALL_HIKVISION.contains(&r["id"].as_str().unwrap()), "{r}");
    }

    // An unknown schema is refused, with or without a query (schemathesis
    // found `?schema=null` answered as an empty result).
    for path in [
        "/search/default?schema=null",
        "/search/default?q=Hikvision&schema=Bank",
    ] {
        let bad = send(&app, get(path, None)).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{path}: {}", bad.text);
        assert!(bad.text.contains("schema"), "{path}: {}", bad.text);
    }

    let nf = send(&app, get("/no/such/path", None)).await;
    assert_eq!(
        (nf.status, nf.error_code().as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let m = send(&app, get("/v1/screen", None)).await;
    assert_eq!(
        (m.status, m.error_code().as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
}

#[tokio::test]
async fn a_subjects_review_history_lists_every_decision_filed_for_it() {
    let f = fixture();
    let app = local(&f, cfg(AuthMode::OpenForLocalhost));
    let review = |reason: &str| {
        json!({"subject": {"name": "Hikvision", "country": "CN"}, "entity_id": HIKVISION_ID,
               "verdict": "false_positive", "reason": reason})
    };
    let path = "/v1/reviews?name=hikvision&country=cn";
    // Nothing filed yet: an empty history, not an error.
    let r = send(&app, get(path, None)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["reviews"].as_array().unwrap().len(), 0);

    let first = send(
        &app,
        post_json(
            "/v1/reviews",
            Some(&f.review_key),
            &review("unrelated reseller"),
        ),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let second = send(
        &app,
        post_json(
            "/v1/reviews",
            Some(&f.admin_key),
            &review("checked the registry"),
        ),
    )
    .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.text);
    // Another subject's decision stays out of this history.
    let other = json!({"subject": {"name": "Hikvision"}, "entity_id": HIKVISION_ID,
                       "verdict": "true_match", "reason": "same company"});
    let r = send(&app, post_json("/v1/reviews", Some(&f.review_key), &other)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    // The keyless loopback caller (role screen) may read it.
    let r = send(&app, get(path, None)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let h = r.json();
    let rows = h["reviews"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{h}");
    assert_eq!(rows[0]["reviewer"], "reviewer");
    assert_eq!(rows[0]["reason"], "unrelated reseller");
    assert_eq!(rows[0]["audit_seq"], first.json()["audit_seq"]);
    assert_eq!(rows[1]["reviewer"], "admin");
    assert_eq!(rows[1]["verdict"], "false_positive");
    assert_eq!(rows[1]["entity_id"], HIKVISION_ID);
    assert_eq!(
        rows[1]["caption"],
        "Hangzhou Hikvision Digital Technology Co., Ltd."
    );
    assert_eq!(h["subject_key"], first.json()["subject_key"]);
    assert!(h["warnings"].as_array().unwrap().is_empty());

    // Bad input names the field.
    let r = send(&app, get("/v1/reviews?name=Hikvision&country=XX1", None)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("country"), "{}", r.text);
    let r = send(&app, get("/v1/reviews", None)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
}
