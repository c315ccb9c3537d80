//! Continuous monitoring (issue 14): the real SDN change of 2024-05-02 →
//! 2024-05-03 (8 removals) closes exactly the alerts on removed entries;
//! reviews resolve alerts under four eyes and stay standing until the
//! entry or the customer changes; re-runs are idempotent; every alert
//! event reaches the audit log.

use embargo_app::{import_file, AlertFilter, AlertResolution, App, BookColumns, ImportOptions};
use embargo_model::{Entity, EntityId, PublishedBasis, Schema, SourceKind};
use embargo_store::NewVersion;
use std::collections::BTreeSet;

const ACTOR: &str = "cli:test";

fn cols() -> BookColumns {
    BookColumns {
        id: "id".into(),
        name: "name".into(),
        schema: Some("schema".into()),
        country: Some("country".into()),
        ..Default::default()
    }
}

fn import_book(app: &App, csv: &str) -> embargo_app::BookImport {
    app.import_book(ACTOR, "retail", "book.csv", csv.as_bytes(), &cols(), 0.8)
        .expect("book imports")
}

fn alerts(app: &App) -> Vec<embargo_app::Alert> {
    app.alerts(&AlertFilter {
        book: Some("retail".into()),
        ..Default::default()
    })
    .expect("alerts")
}

fn state_of(app: &App, customer: &str) -> Vec<(String, String)> {
    alerts(app)
        .into_iter()
        .filter(|a| a.customer_id == customer)
        .map(|a| (a.entity_id, a.state))
        .collect()
}

#[test]
fn the_real_sdn_removals_close_exactly_their_alerts() {
    let Some(old) = embargo_testkit::shared_file("data/lists/ofac_sdn/2024-05-02/sdn.csv") else {
        return;
    };
    let Some(new) = embargo_testkit::shared_file("data/lists/ofac_sdn/2024-05-03/sdn.csv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let opts = |d: &str| ImportOptions {
        published: Some(d.parse().unwrap()),
        ..Default::default()
    };
    import_file(&app.store, &old, &opts("2024-05-02")).unwrap();
    app.reload().unwrap();
    // Three of the eight removed entries, one entry that stays listed, and
    // customers nobody lists.
    import_book(
        &app,
        "id,name,schema,country\n\
         c1,Emperor Aviation Ltd,Company,\n\
         c2,9H-AMN,Aircraft,\n\
         c3,9H-TIO,Aircraft,\n\
         c4,Jane Quincy Customer,Person,US\n\
         c5,BANCO NACIONAL DE CUBA,Company,\n\
         c6,Harbour Bakery Supplies,Company,GB\n",
    );
    let r = app.monitor(ACTOR, Some("retail")).unwrap();
    assert_eq!(r[0].deltas[0].kind, "baseline");
    let before: BTreeSet<(String, String)> = alerts(&app)
        .into_iter()
        .map(|a| (a.customer_id, a.entity_id))
        .collect();
    for c in ["c1", "c2", "c3", "c5"] {
        assert!(
            before.iter().any(|(x, _)| x == c),
            "{c} has no alert: {before:?}"
        );
    }
    assert!(
        !before.iter().any(|(x, _)| x == "c4" || x == "c6"),
        "{before:?}"
    );

    import_file(&app.store, &new, &opts("2024-05-03")).unwrap();
    app.reload().unwrap();
    let diff = app.store.diff("us_ofac_sdn", None, None).unwrap();
    assert_eq!(diff.removed.len(), 8, "the shared files changed");
    let removed: BTreeSet<String> = diff.removed.iter().map(|e| e.id.to_string()).collect();
    let r = app.monitor(ACTOR, None).unwrap();
    let d = &r[0].deltas;
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].entries_removed, 8);
    let after = alerts(&app);
    let closed: BTreeSet<(String, String)> = after
        .iter()
        .filter(|a| a.state == "closed")
        .map(|a| (a.customer_id.clone(), a.entity_id.clone()))
        .collect();
    let expected: BTreeSet<(String, String)> = before
        .iter()
        .filter(|(_, e)| removed.contains(e))
        .cloned()
        .collect();
    assert_eq!(expected.len(), 3, "{before:?}");
    assert_eq!(
        closed, expected,
        "exactly the removed entries' alerts close"
    );
    let version = &diff.new.version;
    for a in after.iter().filter(|a| a.state == "closed") {
        assert_eq!(
            a.state_reason,
            format!("removed from list us_ofac_sdn in version {version}")
        );
    }
    assert!(after
        .iter()
        .any(|a| a.customer_id == "c5" && a.state == "open"));
    // Idempotent: nothing left to do.
    let r = app.monitor(ACTOR, None).unwrap();
    assert!(r[0].deltas.is_empty(), "{:?}", r[0].deltas);
    // Every event is in the audit log.
    let one = app.alert(after[0].id).unwrap();
    assert!(
        one.history.iter().all(|e| e.audit_seq.is_some()),
        "{:?}",
        one.history
    );
}

fn custom(id: &str, name: &str, remark: Option<&str>) -> Entity {
    let mut e = Entity::new(
        EntityId(format!("custom_watch:{id}")),
        Schema::Company,
        "custom_watch",
        name,
    );
    e.programs = vec!["INTERNAL".into()];
    e.remarks = remark.into_iter().map(str::to_string).collect();
    e
}

fn import_custom(app: &App, entities: &[Entity], n: u8) {
    app.store
        .import(
            NewVersion {
                dataset: "custom_watch".into(),
                source: SourceKind::Custom,
                sha256: format!("{n:064x}"),
                published: Some(format!("2026-01-0{n}").parse().unwrap()),
                published_basis: PublishedBasis::Operator,
                origin: format!("v{n}"),
            },
            entities,
        )
        .unwrap();
    app.reload().unwrap();
}

#[test]
fn cleared_alerts_stay_cleared_until_the_entry_or_the_customer_changes() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let x = custom("1", "Petrovsky Marine Trading Company", None);
    import_custom(&app, std::slice::from_ref(&x), 1);
    let book = "id,name,schema,country\nk1,Petrovsky Marine Trading Company,Company,CY\nk2,Oleander Shipping,Company,\n";
    import_book(&app, book);
    app.monitor(ACTOR, None).unwrap();
    let a = alerts(&app);
    assert_eq!(a.len(), 1, "{a:?}");
    let id = a[0].id;
    assert_eq!(a[0].state, "open");
    assert!(
        a[0].explanation_text.contains("petrovsky"),
        "{}",
        a[0].explanation_text
    );

    // Four eyes: a clear of a hit scored ≥ 0.90 waits for a second reviewer.
    let fp = AlertResolution {
        verdict: "false_positive".into(),
        reason: "different company, other registration".into(),
        expires: None,
    };
    let r = app.resolve_alert("ana", id, &fp).unwrap();
    assert_eq!(r.alert.state, "under_review", "{:?}", r.review.mark);
    assert!(app.resolve_alert("cli:unknown", id, &fp).is_err());
    let r = app.resolve_alert("bo", id, &fp).unwrap();
    assert_eq!(r.alert.state, "cleared", "{:?}", r.review.mark);
    let events: Vec<&str> = r.alert.history.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(events, ["created", "resolved", "resolved"]);

    // A new entry elsewhere: the cleared alert stays cleared; the new
    // entry alerts on the customer it reaches.
    let y = custom("2", "Oleander Shipping", None);
    import_custom(&app, &[x.clone(), y.clone()], 2);
    app.monitor(ACTOR, None).unwrap();
    assert_eq!(
        state_of(&app, "k1"),
        [("custom_watch:1".into(), "cleared".into())]
    );
    assert_eq!(
        state_of(&app, "k2"),
        [("custom_watch:2".into(), "open".into())]
    );

    // The entry changes (a remark): the review is stale, the alert reopens.
    let x2 = custom("1", "Petrovsky Marine Trading Company", Some("new address"));
    import_custom(&app, &[x2.clone(), y.clone()], 3);
    app.monitor(ACTOR, None).unwrap();
    assert_eq!(
        state_of(&app, "k1"),
        [("custom_watch:1".into(), "open".into())]
    );
    let h = app.alert(id).unwrap().history;
    assert_eq!(h.last().unwrap().event, "reopened", "{h:?}");

    // Cleared again; then the customer changes country: reopened again.
    app.resolve_alert("ana", id, &fp).unwrap();
    assert_eq!(
        app.resolve_alert("bo", id, &fp).unwrap().alert.state,
        "cleared"
    );
    // A re-import that does not touch k1 keeps it cleared.
    import_book(&app, &format!("{book}k3,Quiet Customer Ltd,Company,\n"));
    app.monitor(ACTOR, None).unwrap();
    assert_eq!(
        state_of(&app, "k1"),
        [("custom_watch:1".into(), "cleared".into())]
    );
    let r = import_book(
        &app,
        "id,name,schema,country\nk1,Petrovsky Marine Trading Company,Company,GR\nk3,Quiet Customer Ltd,Company,\n",
    );
    assert_eq!((r.changed, r.removed), (1, 1));
    app.monitor(ACTOR, None).unwrap();
    assert_eq!(
        state_of(&app, "k1"),
        [("custom_watch:1".into(), "open".into())]
    );
    // k2 left the book: its open alert closed.
    let k2 = state_of(&app, "k2");
    assert_eq!(k2, [("custom_watch:2".into(), "closed".into())]);

    // The audit log holds each alert's creation and each resolution: every
    // event names the audit record that carries it, and that record lists it.
    for e in app.alert(id).unwrap().history {
        let seq = e.audit_seq.expect("every event is audited");
        let rec = app.audit.get(seq).unwrap().expect("the record exists");
        let listed = rec.result["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["alert_id"] == id && x["event"] == e.event.as_str());
        assert!(listed, "{e:?} not in audit record {seq}: {}", rec.result);
        let kind = if e.event == "resolved" {
            "review"
        } else {
            "screen"
        };
        assert_eq!(rec.kind.as_str(), kind);
    }
}

/// A listed name many customers share (a frequent personal name): the
/// delta alerts every one of them, as a full re-screen does, and a change
/// of the entry closes none of their alerts while each customer's own
/// screen still gives it.
#[test]
fn a_name_many_customers_share_alerts_them_all_and_a_change_closes_none() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let x = custom("1", "Petrovsky Marine Trading Company", None);
    let y = custom("2", "Oleander Shipping", None);
    import_custom(&app, std::slice::from_ref(&y), 1);
    let many = |n: usize| -> String {
        let mut csv = String::from("id,name,schema,country\n");
        for i in 0..n {
            csv.push_str(&format!("k{i},Petrovsky Marine Trading Company,Company,\n"));
        }
        csv
    };
    let open_on = |app: &App, entity: &str| {
        alerts(app)
            .iter()
            .filter(|a| a.entity_id == entity && a.state == "open")
            .count()
    };
    // 120 namesakes: a new entry with their name alerts all of them.
    import_book(&app, &many(120));
    app.monitor(ACTOR, None).unwrap();
    import_custom(&app, &[x.clone(), y.clone()], 2);
    let r = app.monitor(ACTOR, None).unwrap();
    assert_eq!(r[0].deltas.len(), 1, "{r:?}");
    assert_eq!(open_on(&app, "custom_watch:1"), 120, "{r:?}");
    // 400 namesakes, more than the matcher keeps as tied candidates of one
    // query: every alert the baseline opened stays open when the entry
    // changes, since each customer's screen still gives it.
    import_book(&app, &many(400));
    app.monitor(ACTOR, None).unwrap();
    assert_eq!(open_on(&app, "custom_watch:1"), 400);
    let x2 = custom("1", "Petrovsky Marine Trading Company", Some("new address"));
    import_custom(&app, &[x2, y], 3);
    let r = app.monitor(ACTOR, None).unwrap();
    assert_eq!(r[0].deltas[0].alerts.closed, 0, "{r:?}");
    assert_eq!(open_on(&app, "custom_watch:1"), 400, "{r:?}");
}
