//! "Never a silent clear" over HTTP (issue 10, section 5): the traps a
//! red-team run found, each answered with an error or a marked result,
//! never a clean one.

use crate::common;

use axum::http::StatusCode;
use common::*;
use embargo_server::AuthMode;
use serde_json::{json, Value};

/// `POST /v1/screen` with `body`, from loopback without a key.
async fn screen(app: &axum::Router, body: &Value) -> Resp {
    send(app, post_json("/v1/screen", None, body)).await
}

#[tokio::test]
async fn an_unknown_dataset_is_a_400_naming_the_loaded_ones() {
    let f = fixture();
    let app = local(&f, cfg(AuthMode::OpenForLocalhost));
    let r = screen(
        &app,
        &json!({"name": "Hikvision", "datasets": ["us_trade_cls"]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let msg = r.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(msg.contains("unknown dataset \"us_trade_cls\""), "{msg}");
    assert!(msg.contains("embargo_xinjiang_pack"), "{msg}");
    let r = screen(&app, &json!({"name": "Hikvision", "datasets": []})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
}

#[tokio::test]
async fn every_screen_says_what_it_searched() {
    let f = fixture();
    let app = local(&f, cfg(AuthMode::OpenForLocalhost));
    let r = screen(&app, &json!({"name": "Zzyzx Qwertyuiop Holdings"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert!(v["results"].as_array().unwrap().is_empty(), "{v}");
    let cov = v["coverage"].as_array().expect("coverage");
    assert_eq!(cov.len(), 1, "{v}");
    assert_eq!(cov[0]["dataset"], "embargo_xinjiang_pack");
    assert!(cov[0]["entities"].as_u64().unwrap() > 100, "{v}");
    assert!(cov[0]["published"].is_string(), "{v}");
    let notes = v["notes"].as_array().expect("notes");
    assert!(
        notes.iter().any(|n| n
            .as_str()
            .unwrap()
            .contains("Only the embedded regime pack")),
        "{v}"
    );
}

#[tokio::test]
async fn a_past_day_screen_finds_what_was_listed_then() {
    let f = fixture();
    let app = local(&f, cfg(AuthMode::OpenForLocalhost));
    let chen = "embargo_xinjiang_pack:glomag-chen-quanguo";
    let chen_on =
        |day: &'static str| json!({"name": "Chen Quanguo", "schema": "Person", "as_of": day});
    let v = screen(&app, &chen_on("2021-03-01")).await.json();
    let top = &v["results"][0];
    assert_eq!(top["entity_id"], chen, "{v}");
    assert_eq!(top["listed_as_of"]["status"], "listed", "{v}");
    let v = screen(&app, &chen_on("2019-06-01")).await.json();
    assert!(
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["entity_id"] != chen),
        "designated 2020-07-09, not listed in 2019: {v}"
    );
    let r = screen(&app, &chen_on("2999-01-01")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("as_of"), "{}", r.text);
}

#[tokio::test]
async fn a_decision_missing_facts_is_never_clean() {
    let f = fixture();
    let app = local(&f, cfg(AuthMode::OpenForLocalhost));
    // No parties at all.
    let tx = json!({"date": "2024-03-01", "flow": "payment",
                    "actor": {"us_person": true, "country": "US"},
                    "context": {"currency": "USD"}, "parties": []});
    let r = send(&app, post_json("/v1/decide", None, &tx)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    let ofac = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["measure"] == "OFAC_SDN")
        .unwrap_or_else(|| panic!("no OFAC finding: {v}"));
    assert_eq!(ofac["outcome"], "NEEDS_REVIEW", "{ofac}");
    assert_ne!(ofac["confidence"], "Verified", "{ofac}");
    // A free-text purpose is not one of the codes: an error listing them.
    let tx = json!({"date": "2024-03-01", "flow": "procurement",
                    "actor": {"us_person": true, "country": "US"},
                    "context": {"buyer": "us_federal_agency", "purpose": "cameras for our lobby"},
                    "item": {"description": "IP cameras", "tags": ["video_surveillance"]},
                    "parties": [{"role": "supplier", "name": "Zhejiang Dahua Technology Co., Ltd."}]});
    let r = send(&app, post_json("/v1/decide", None, &tx)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("context.purpose"), "{}", r.text);
    assert!(
        r.text.contains("physical_security"),
        "allowed values listed: {}",
        r.text
    );
}

#[tokio::test]
async fn the_openapi_document_lists_the_allowed_transaction_values() {
    let f = fixture();
    let app = local(&f, cfg(AuthMode::OpenForLocalhost));
    let doc = send(&app, get("/openapi.json", None)).await.json();
    let desc = doc["paths"]["/v1/decide"]["post"]["requestBody"]["description"]
        .as_str()
        .expect("a request body description")
        .to_string();
    assert!(
        desc.contains("`context.purpose`: physical_security"),
        "{desc}"
    );
    assert!(desc.contains("`flow`: export"), "{desc}");
}

#[tokio::test]
async fn yente_match_on_a_chinese_name_returns_the_official_record_too() {
    let Some(csl) = embargo_testkit::shared_file("data/lists/us_csl/2022-05/consolidated.csv")
    else {
        return;
    };
    let f = fixture();
    embargo_app::import_path(&f.app.store, &csl, None, None).expect("CSL imports");
    f.app.reload().expect("reload");
    let app = local(&f, cfg(AuthMode::OpenForLocalhost));
    let q = json!({"queries": {"q": {"schema": "Company", "properties": {"name": ["海康威视"]}}}});
    let r = send(&app, post_json("/match/default?limit=10", None, &q)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    let results = v["responses"]["q"]["results"].as_array().unwrap();
    let ids: Vec<&str> = results.iter().map(|x| x["id"].as_str().unwrap()).collect();
    // The pack spells the Chinese name; the CSL's Entity List record is the
    // same party and comes back with it, at the same score.
    assert!(
        ids.iter()
            .any(|i| i.starts_with("embargo_xinjiang_pack:el-hikvision")),
        "{ids:?}"
    );
    assert!(
        ids.iter().any(|i| i.starts_with("us_trade_csl:")),
        "{ids:?}"
    );
    let top = results[0]["score"].as_f64().unwrap();
    assert!(
        results
            .iter()
            .filter(|x| x["id"].as_str().unwrap().starts_with("us_trade_csl:"))
            .all(|x| x["score"].as_f64().unwrap() == top),
        "{v}"
    );
}
