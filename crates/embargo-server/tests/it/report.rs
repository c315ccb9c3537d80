//! `POST /v1/report/screen` and `/v1/report/decide` answer with the act's
//! PDF report and audit the act once, like `/v1/screen` and `/v1/decide`
//! (the PDF's content is checked with poppler in embargo-app's
//! `report_pdf` tests).

use crate::common;

use axum::http::StatusCode;
use common::*;
use embargo_server::AuthMode;
use serde_json::json;

const EXPORT_TX: &str = include_str!("../../../../docs/examples/export.json");

fn audited(f: &Fixture, r: &Resp) -> u64 {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.headers["content-type"], "application/pdf");
    assert!(r.text.starts_with("%PDF-"), "not a PDF");
    let seq: u64 = r.headers["x-embargo-audit-seq"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        r.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!("-{seq}.pdf")),
        "{:?}",
        r.headers
    );
    let stamp = f.app.audit_stamp(seq).unwrap();
    assert!(stamp.hash.is_some(), "record #{seq} is not in the log");
    seq
}

#[tokio::test]
async fn a_screen_report_is_a_pdf_of_an_audited_screen() {
    let f = fixture();
    let app = remote(&f, cfg(AuthMode::ApiKeys));
    let r = send(
        &app,
        post_json(
            "/v1/report/screen",
            Some(&f.screen_key),
            &json!({"name": "Hikvision"}),
        ),
    )
    .await;
    let seq = audited(&f, &r);
    // The same act as /v1/screen: the next screen is the next record.
    let j = send(
        &app,
        post_json(
            "/v1/screen",
            Some(&f.screen_key),
            &json!({"name": "Hikvision"}),
        ),
    )
    .await
    .json();
    assert_eq!(j["audit_seq"], seq + 1);
    // Bad input is the same JSON 400 as /v1/screen, and audits nothing.
    let bad = send(
        &app,
        post_json(
            "/v1/report/screen",
            Some(&f.screen_key),
            &json!({"nom": "x"}),
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);
}

#[tokio::test]
async fn a_decision_report_is_a_pdf_and_needs_json() {
    let f = fixture();
    let app = remote(&f, cfg(AuthMode::ApiKeys));
    let r = send(
        &app,
        post_raw(
            "/v1/report/decide",
            Some(&f.screen_key),
            "application/json",
            EXPORT_TX.to_string(),
        ),
    )
    .await;
    audited(&f, &r);
    let form = send(
        &app,
        post_raw(
            "/v1/report/decide",
            Some(&f.screen_key),
            "text/plain",
            EXPORT_TX.to_string(),
        ),
    )
    .await;
    assert_eq!(form.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}
