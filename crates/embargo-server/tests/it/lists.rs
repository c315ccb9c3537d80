//! Lists updated while serving: import a new version into the store,
//! reload through the admin endpoint, and see (1) the new version named in
//! results, (2) the diff between versions, and (3) a review made on the old
//! entry alerting again with what changed.

use crate::common;

use axum::http::StatusCode;
use common::*;
use embargo_model::SourceKind;
use embargo_server::AuthMode;
use serde_json::json;
use std::path::Path;

// Imported under the FtM parser's own dataset name: importing with a
// dataset override (`Some("test_list")`) stores the version as `test_list`
// but keeps `Entity::dataset == "ftm"`, so the snapshot's default dataset
// filter hides every entity (reported to the lead; embargo-app/sources).
const DATASET: &str = "ftm";
const ID: &str = "ftm:t-oceanic";

fn write_version(dir: &Path, name: &str, country: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    let e = json!({"id": "t-oceanic", "schema": "Company",
                   "properties": {"name": ["Oceanic Shipping Trading LLC"], "country": [country]}});
    let other = json!({"id": "t-other", "schema": "Person", "properties": {"name": ["Ivan Petrovich Sidorov"]}});
    std::fs::write(&p, format!("{e}\n{other}\n")).unwrap();
    p
}

#[tokio::test]
async fn reload_swaps_lists_and_a_changed_entry_alerts_again_with_its_changes() {
    let f = fixture();
    let files = tempfile::tempdir().unwrap();
    let app = local(&f, cfg(AuthMode::OpenForLocalhost));
    let admin = |path: &str| post_json(path, Some(&f.admin_key), &json!({}));

    let v1 = write_version(files.path(), "v1.ftm.json", "ir");
    embargo_app::import_path(&f.app.store, &v1, Some(SourceKind::Ftm), None).unwrap();
    // Not visible until reloaded: the snapshot is immutable.
    let q = json!({"name": "Oceanic Shipping Trading", "schema": "Company"});
    let before = send(&app, post_json("/v1/screen", None, &q)).await.json();
    assert!(before["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["entity_id"] != ID));
    let r = send(&app, admin("/v1/admin/reload")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.json()["labels"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l.as_str().unwrap().starts_with("ftm@")));

    let first = send(&app, post_json("/v1/screen", None, &q)).await.json();
    assert_eq!(first["results"][0]["entity_id"], ID, "{first}");
    let review = json!({"subject": {"name": "Oceanic Shipping Trading", "schema": "Company"},
                        "entity_id": ID, "verdict": "false_positive", "reason": "different company, Panama"});
    // A clear of a hit this strong needs two different reviewers.
    let r = send(&app, post_json("/v1/reviews", Some(&f.review_key), &review)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json()["status"], "pending_approval", "{}", r.text);
    let r = send(&app, post_json("/v1/reviews", Some(&f.admin_key), &review)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let cleared = send(&app, post_json("/v1/screen", None, &q)).await.json();
    assert_eq!(
        cleared["results"][0]["review"]["status"], "cleared",
        "{cleared}"
    );

    // The list is updated: the entry's country changed.
    let v2 = write_version(files.path(), "v2.ftm.json", "ae");
    embargo_app::import_path(&f.app.store, &v2, Some(SourceKind::Ftm), None).unwrap();
    assert_eq!(
        send(&app, admin("/v1/admin/reload")).await.status,
        StatusCode::OK
    );

    let again = send(&app, post_json("/v1/screen", None, &q)).await.json();
    let hit = &again["results"][0];
    assert_eq!(hit["entity_id"], ID);
    assert_eq!(hit["review"]["status"], "stale", "{hit}");
    let changed = hit["review"]["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 1, "{hit}");
    assert!(
        changed[0].as_str().unwrap().starts_with("countries"),
        "{hit}"
    );
    let msg = hit["review"]["message"].as_str().unwrap();
    assert!(
        msg.starts_with("alert again:") && msg.contains("countries"),
        "{msg}"
    );

    // Versions and diff of the list.
    let vs = send(&app, get(&format!("/v1/lists/{DATASET}/versions"), None))
        .await
        .json();
    assert_eq!(vs["versions"].as_array().unwrap().len(), 2, "{vs}");
    let d = send(&app, get(&format!("/v1/lists/{DATASET}/diff"), None)).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.text);
    let d = d.json();
    assert_eq!(d["added"].as_array().unwrap().len(), 0);
    assert_eq!(d["removed"].as_array().unwrap().len(), 0);
    let ch = d["changed"].as_array().unwrap();
    assert_eq!(ch.len(), 1, "{d}");
    assert_eq!(ch[0]["id"], ID);
    let old = vs["versions"][0]["version"].as_str().unwrap();
    let r = send(
        &app,
        get(
            &format!("/v1/lists/{DATASET}/diff?old={old}&new=nope"),
            None,
        ),
    )
    .await;
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
}
