//! Each role gets exactly its endpoints (issue 13, "Done when"): a table
//! over every path and method of `/openapi.json`. A new endpoint without
//! a row fails the test, so its access level is always decided.
//!
//! Callers: no key from another machine, the keyless loopback caller
//! (`anonymous-localhost`), and keys of the roles `screen`, `review` and
//! `admin`. A caller below the endpoint's level gets 401 (no identity) or
//! 403 (identity without the role); a caller at or above it gets neither.

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use embargo_server::AuthMode;
use serde_json::Value;

/// Access level of each endpoint: 0 public, 1 screen, 2 review, 3 admin.
const TABLE: &[(&str, &str, u8)] = &[
    ("get", "/", 0),
    ("get", "/healthz", 0),
    ("get", "/readyz", 0),
    ("get", "/openapi.json", 0),
    ("post", "/match/{dataset}", 1),
    ("get", "/search/{dataset}", 1),
    ("get", "/entities/{id}", 1),
    ("get", "/catalog", 1),
    ("get", "/algorithms", 1),
    ("post", "/v1/screen", 1),
    ("post", "/v1/decide", 1),
    ("post", "/v1/batch", 1),
    ("get", "/v1/lists", 1),
    ("get", "/v1/lists/{source}/versions", 1),
    ("get", "/v1/lists/{source}/diff", 1),
    ("get", "/v1/entities/{id}", 1),
    ("post", "/v1/reviews", 2),
    ("get", "/v1/reviews", 1),
    ("get", "/v1/alerts", 1),
    ("get", "/v1/alerts/{id}", 1),
    ("post", "/v1/alerts/{id}/resolve", 2),
    ("get", "/v1/audit/verify", 3),
    ("post", "/v1/admin/reload", 3),
    ("post", "/v1/report/screen", 1),
    ("post", "/v1/report/decide", 1),
];

fn concrete(path: &str) -> String {
    // Alert ids are numbers; the role check must not hide behind a
    // path that fails to parse.
    path.replace("/v1/alerts/{id}", "/v1/alerts/1")
        .replace("{dataset}", "default")
        .replace("{id}", "embargo_xinjiang_pack:el-hikvision")
        .replace("{source}", "embargo_xinjiang_pack")
}

fn request(method: &str, path: &str, key: Option<&str>) -> Request<Body> {
    let uri = concrete(path);
    let mut b = match method {
        "get" => Request::get(&uri),
        "post" => Request::post(&uri),
        m => panic!("method {m} not in the table's vocabulary"),
    };
    if let Some(k) = key {
        b = b.header("authorization", format!("Bearer {k}"));
    }
    let body = if method == "post" {
        let ct = if path == "/v1/batch" {
            "application/x-ndjson"
        } else {
            "application/json"
        };
        b = b.header("content-type", ct);
        Body::from("{}")
    } else {
        Body::empty()
    };
    b.body(body).unwrap()
}

#[tokio::test]
async fn each_role_gets_exactly_its_endpoints() {
    let f = fixture();
    let doc = send(
        &local(&f, cfg(AuthMode::OpenForLocalhost)),
        get("/openapi.json", None),
    )
    .await
    .json();
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().unwrap().keys() {
            if matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                documented.push((method.clone(), path.clone()));
            }
        }
    }
    for (m, p) in &documented {
        assert!(
            TABLE.iter().any(|(tm, tp, _)| tm == m && tp == p),
            "{} {p} is in /openapi.json but not in the role table",
            m.to_uppercase()
        );
    }
    for (m, p, _) in TABLE {
        // The web page and the document itself are not API operations.
        let public_page = *p == "/" || *p == "/openapi.json";
        assert!(
            public_page || documented.iter().any(|(dm, dp)| dm == m && dp == p),
            "{m} {p} is in the role table but not in /openapi.json"
        );
    }

    let callers: [(&str, Option<&str>, bool, u8); 5] = [
        ("remote without key", None, false, 0),
        ("loopback without key", None, true, 1),
        ("screen key", Some(&f.screen_key), false, 1),
        ("review key", Some(&f.review_key), false, 2),
        ("admin key", Some(&f.admin_key), false, 3),
    ];
    let mut checked = 0;
    for (who, key, loopback, level) in callers {
        let app = if loopback {
            local(&f, cfg(AuthMode::OpenForLocalhost))
        } else {
            remote(&f, cfg(AuthMode::OpenForLocalhost))
        };
        for (m, p, needed) in TABLE {
            let r = send(&app, request(m, p, key)).await;
            let denied = matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN);
            if level >= *needed {
                assert!(
                    !denied,
                    "{who} was refused {m} {p}: {} {}",
                    r.status, r.text
                );
            } else {
                let want = if key.is_none() && !loopback {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::FORBIDDEN
                };
                assert_eq!(r.status, want, "{who} on {m} {p}: {}", r.text);
                let code: Value = r.json()["error"]["code"].clone();
                assert!(code == "forbidden" || code == "unauthorized", "{code}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 5 * TABLE.len());
}
