//! `/v1/alerts`: the monitoring queue over HTTP. Reading takes role
//! `screen`, resolving role `review` (a screen key gets 403); a resolution
//! is a review decision (four eyes for an Entity List clear); the OpenAPI
//! document lists the three endpoints.

use crate::common;

use axum::http::StatusCode;
use common::*;
use embargo_app::BookColumns;
use embargo_server::AuthMode;
use serde_json::json;

#[tokio::test]
async fn alerts_are_listed_read_and_resolved_through_reviews() {
    let f = fixture();
    let cols = BookColumns {
        id: "id".into(),
        name: "name".into(),
        ..Default::default()
    };
    f.app
        .import_book(
            "cli:test",
            "retail",
            "book.csv",
            "id,name\nc1,Hikvision\nc2,Orchard Lane Florists\n".as_bytes(),
            &cols,
            0.8,
        )
        .unwrap();
    f.app.monitor("cli:test", None).unwrap();
    let app = remote(&f, cfg(AuthMode::ApiKeys));

    let r = send(
        &app,
        get("/v1/alerts?open=true&book=retail", Some(&f.screen_key)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let body = r.json();
    assert_eq!(body["count"], 1, "{body}");
    let a = &body["alerts"][0];
    assert_eq!(a["customer_id"], "c1");
    assert_eq!(a["state"], "open");
    assert!(
        a["explanation_text"].as_str().unwrap().contains("Score"),
        "{a}"
    );
    let id = a["id"].as_i64().unwrap();
    let r = send(&app, get("/v1/alerts?state=nonsense", Some(&f.screen_key))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let r = send(&app, get("/v1/alerts", None)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    let one = send(&app, get(&format!("/v1/alerts/{id}"), Some(&f.screen_key))).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text);
    assert_eq!(one.json()["history"][0]["event"], "created");
    let r = send(&app, get("/v1/alerts/999999", Some(&f.screen_key))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let fp = json!({"verdict": "false_positive", "reason": "another company"});
    let path = format!("/v1/alerts/{id}/resolve");
    let r = send(&app, post_json(&path, Some(&f.screen_key), &fp)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = send(&app, post_json(&path, Some(&f.review_key), &fp)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["alert"]["state"], "under_review", "{}", r.text);
    assert!(r.json()["approval_required"].is_string());
    // The same reviewer cannot approve their own clear.
    let r = send(&app, post_json(&path, Some(&f.review_key), &fp)).await;
    assert_eq!(r.json()["alert"]["state"], "under_review", "{}", r.text);
    let r = send(&app, post_json(&path, Some(&f.admin_key), &fp)).await;
    assert_eq!(r.json()["alert"]["state"], "cleared", "{}", r.text);

    let doc = send(&app, get("/openapi.json", None)).await.json();
    for p in ["/v1/alerts", "/v1/alerts/{id}", "/v1/alerts/{id}/resolve"] {
        assert!(doc["paths"][p].is_object(), "openapi lacks {p}");
    }
}
