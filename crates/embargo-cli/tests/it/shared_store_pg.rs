//! Several nodes on one PostgreSQL audit store (`--store postgres://…`):
//! two `consume` processes append concurrently to one hash chain, a
//! request both receive is decided once, and `audit verify --store` counts
//! exactly the records written.

use crate::bus_support;

use async_nats::jetstream;
use bus_support::{runtime, Nats, Postgres, Reaper};
use embargo_app::bus::{AuditStore, PgAuditLog};
use serde_json::json;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn embargo() -> Command {
    Command::new(env!("CARGO_BIN_EXE_embargo"))
}

fn start_consume(data: &Path, nats: &Nats, store: &str, durable: &str) -> Reaper {
    let mut child = embargo()
        .arg("--data-dir")
        .arg(data)
        .args(["consume", "--nats", &nats.url, "--store", store])
        .args(["--durable", durable, "--max-in-flight", "64"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start embargo consume");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().expect("a first line").expect("readable");
    assert!(first.starts_with("consuming "), "{first}");
    std::thread::spawn(move || for _ in lines.by_ref() {});
    Reaper(child)
}

fn terminate(child: &mut Child) {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
}

#[test]
fn two_nodes_share_one_chain_and_decide_each_request_once() {
    let test = "two_nodes_share_one_chain_and_decide_each_request_once";
    let Some(pg) = Postgres::start(test) else {
        return;
    };
    let Some(nats) = Nats::start(test) else {
        return;
    };
    const N: usize = 2_000;
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // Two durable consumers: each node receives every request, so every
    // request reaches both nodes at about the same time.
    let mut a = start_consume(a_dir.path(), &nats, &pg.url, "node-a");
    let mut b = start_consume(b_dir.path(), &nats, &pg.url, "node-b");
    let rt = runtime();
    rt.block_on(async {
        let js = jetstream::new(async_nats::connect(&nats.url).await.unwrap());
        let mut acks = Vec::new();
        for i in 0..N {
            let msg = json!({
                "version": 1, "request_id": format!("q{i:05}"), "type": "decide",
                "transaction": {
                    "date": "2022-06-01", "flow": "payment", "reference": format!("q{i:05}"),
                    "actor": {"us_person": true, "country": "US"},
                    "parties": [{"role": "counterparty", "name": "Xinjiang Production and Construction Corps", "country": "CN"}]
                }
            });
            acks.push(
                js.publish("embargo.requests.pay", serde_json::to_vec(&msg).unwrap().into())
                    .await
                    .unwrap(),
            );
        }
        for a in acks {
            a.await.unwrap();
        }
    });
    let store = PgAuditLog::connect(&pg.url).unwrap();
    let end = Instant::now() + Duration::from_secs(180);
    while store.request_index().unwrap().len() < N {
        assert!(Instant::now() < end, "not all answered in 180 s");
        std::thread::sleep(Duration::from_millis(200));
    }
    // Let both nodes drain their copies (the slower one replays).
    std::thread::sleep(Duration::from_secs(2));
    terminate(&mut a);
    terminate(&mut b);

    let index = store.request_index().unwrap();
    assert_eq!(index.len(), N);
    // Both nodes wrote records into the one chain.
    let mut by_actor: HashMap<String, usize> = HashMap::new();
    let mut after = 0;
    loop {
        let recs = store.records_after(after, 1000).unwrap();
        let Some(last) = recs.last() else { break };
        after = last.seq;
        for r in &recs {
            *by_actor.entry(r.actor.clone()).or_default() += 1;
        }
    }
    assert_eq!(by_actor.values().sum::<usize>(), N, "{by_actor:?}");
    assert!(
        by_actor.get("bus:node-a").is_some_and(|n| *n > 0),
        "{by_actor:?}"
    );
    assert!(
        by_actor.get("bus:node-b").is_some_and(|n| *n > 0),
        "{by_actor:?}"
    );
    let report = store.verify_chain().unwrap();
    assert!(report.ok, "{:?}", report.problems);
    assert_eq!(report.records, N as u64);

    // The CLI says the same, with the exact count.
    let out = embargo()
        .arg("--data-dir")
        .arg(a_dir.path())
        .args(["audit", "verify", "--store", &pg.url])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains(&format!("audit log OK: {N} records")),
        "{text}"
    );
}

#[test]
fn appends_from_two_processes_form_one_chain() {
    let test = "appends_from_two_processes_form_one_chain";
    let Some(pg) = Postgres::start(test) else {
        return;
    };
    // Two handles = two connections, as two processes would have; each
    // with several threads appending (group commit inside each).
    let logs = [
        std::sync::Arc::new(PgAuditLog::connect(&pg.url).unwrap()),
        std::sync::Arc::new(PgAuditLog::connect(&pg.url).unwrap()),
    ];
    let per_thread = 150;
    std::thread::scope(|s| {
        for (n, log) in logs.iter().enumerate() {
            for t in 0..4 {
                let log = log.clone();
                s.spawn(move || {
                    for i in 0..per_thread {
                        log.append(embargo_app::bus::NewRecord {
                            kind: embargo_app::bus::RecordKind::Screen,
                            actor: format!("writer-{n}"),
                            request: json!({"t": t, "i": i}),
                            result: json!({"hits": []}),
                            list_versions: vec![],
                        })
                        .unwrap();
                    }
                });
            }
        }
    });
    let report = logs[0].verify_chain().unwrap();
    assert!(report.ok, "{:?}", report.problems);
    assert_eq!(report.records, 2 * 4 * per_thread);
    // A tampered row is found.
    let mut c = postgres::Client::connect(&pg.url, postgres::NoTls).unwrap();
    assert!(
        c.execute("UPDATE audit_log SET actor = 'x' WHERE seq = 5", &[])
            .is_err(),
        "the trigger refuses edits"
    );
    c.batch_execute(
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only; \
         UPDATE audit_log SET payload = replace(payload, 'hits', 'hitz') WHERE seq = 7;",
    )
    .unwrap();
    let report = logs[1].verify_chain().unwrap();
    assert!(!report.ok);
    assert_eq!(report.records, 6);
    assert!(
        report.problems[0].contains("record 7"),
        "{:?}",
        report.problems
    );
}

fn screen_record(actor: &str, i: usize) -> embargo_app::bus::NewRecord {
    embargo_app::bus::NewRecord {
        kind: embargo_app::bus::RecordKind::Screen,
        actor: actor.to_string(),
        // Non-ASCII text: the database hashes the same UTF-8 bytes as
        // `verify` (Rust) does.
        request: json!({"name": format!("Ali ḤASAN 阿里 {i}"), "seq": 0}),
        result: json!({"hits": [], "note": "«ok»"}),
        list_versions: vec!["us_ofac_sdn 2024-05-03".into()],
    }
}

/// Group commit of request records (what `consume` writes) from two
/// handles, as two nodes would: every request id is sent by both handles,
/// in batches with repeats inside them and plain appends between, yet each
/// id gets one audit record, every caller gets that record's number, and
/// the chain verifies with the exact count.
#[test]
fn request_groups_from_two_handles_record_each_id_once() {
    use embargo_app::bus::RequestOutcome;
    use embargo_app::bus::RequestRecord;
    let test = "request_groups_from_two_handles_record_each_id_once";
    let Some(pg) = Postgres::start(test) else {
        return;
    };
    let logs = [
        std::sync::Arc::new(PgAuditLog::connect(&pg.url).unwrap()),
        std::sync::Arc::new(PgAuditLog::connect(&pg.url).unwrap()),
    ];
    const IDS: usize = 600;
    const PLAIN: usize = 40;
    let outcomes: std::sync::Mutex<Vec<RequestOutcome>> = Default::default();
    std::thread::scope(|s| {
        for (n, log) in logs.iter().enumerate() {
            for t in 0..3 {
                let (log, outcomes) = (log.clone(), &outcomes);
                s.spawn(move || {
                    // Thread t of handle n walks the ids in its own order,
                    // in batches of 1 to 37 with the batch's first id
                    // repeated at its end.
                    let mut order: Vec<usize> = (0..IDS).collect();
                    order.rotate_left((n * 3 + t) * 97 % IDS);
                    if (n + t) % 2 == 1 {
                        order.reverse();
                    }
                    let mut i = 0;
                    let mut size = 1 + t;
                    while i < order.len() {
                        let end = (i + size).min(order.len());
                        let mut items: Vec<RequestRecord> = order[i..end]
                            .iter()
                            .map(|&k| RequestRecord {
                                request_id: format!("req-{k:04}"),
                                record: screen_record(&format!("node-{n}"), k),
                                reply: json!({"k": k}),
                            })
                            .collect();
                        items.push(items[0].clone());
                        let got = log.append_requests(items.clone()).unwrap();
                        assert_eq!(got.len(), items.len());
                        for (o, item) in got.iter().zip(&items) {
                            assert_eq!(o.request_id, item.request_id);
                        }
                        assert!(got.last().unwrap().replayed, "a repeat is a replay");
                        assert_eq!(got.last().unwrap().audit_seq, got[0].audit_seq);
                        outcomes.lock().unwrap().extend(got);
                        i = end;
                        size = size % 37 + 5;
                    }
                    if t == 0 {
                        for k in 0..PLAIN {
                            log.append(screen_record(&format!("plain-{n}"), k)).unwrap();
                        }
                    }
                });
            }
        }
    });
    let outcomes = outcomes.into_inner().unwrap();
    // One fresh answer per id, and every answer to an id names its record.
    let mut fresh: HashMap<String, u64> = HashMap::new();
    for o in outcomes.iter().filter(|o| !o.replayed) {
        assert!(
            fresh.insert(o.request_id.clone(), o.audit_seq).is_none(),
            "{} answered fresh twice",
            o.request_id
        );
    }
    assert_eq!(fresh.len(), IDS);
    for o in &outcomes {
        assert_eq!(fresh[&o.request_id], o.audit_seq, "{}", o.request_id);
        let k: usize = o.request_id[4..].parse().unwrap();
        assert_eq!(o.reply, json!({"k": k}), "the stored reply is returned");
    }
    let index = logs[1].request_index().unwrap();
    assert_eq!(index.len(), IDS);
    for (id, seq) in &index {
        assert_eq!(fresh[id], *seq);
    }
    let report = logs[0].verify_chain().unwrap();
    assert!(report.ok, "{:?}", report.problems);
    assert_eq!(report.records, (IDS + 2 * PLAIN) as u64);
    // The records read back are the ones answered, hashes and all.
    let recs = logs[0].records_after(0, 10_000).unwrap();
    assert_eq!(recs.len(), IDS + 2 * PLAIN);
    assert!(recs.iter().all(|r| r.hash_is_valid()));
    assert!(recs.windows(2).all(|w| w[1].prev_hash == w[0].hash));
}

/// In a database whose encoding is not UTF-8 (SQL_ASCII, initdb's default
/// under the C locale), records with non-ASCII text still chain and verify:
/// the database hashes the payload's UTF-8 bytes, as `verify` does.
#[test]
fn a_sql_ascii_database_hashes_non_ascii_records_as_verify_does() {
    let test = "a_sql_ascii_database_hashes_non_ascii_records_as_verify_does";
    let Some(pg) = Postgres::start(test) else {
        return;
    };
    let mut c = postgres::Client::connect(&pg.url, postgres::NoTls).unwrap();
    c.batch_execute(
        "CREATE DATABASE ascii ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0",
    )
    .unwrap();
    let url = format!("{}/ascii", pg.url.rsplit_once('/').unwrap().0);
    let log = PgAuditLog::connect(&url).unwrap();
    let written = log
        .append_many((0..5).map(|i| screen_record("ascii", i)).collect())
        .unwrap();
    assert_eq!(written.len(), 5);
    assert!(written.iter().all(|r| r.hash_is_valid()));
    let report = log.verify_chain().unwrap();
    assert!(report.ok, "{:?}", report.problems);
    assert_eq!(report.records, 5);
    let back = log.records_after(0, 10).unwrap();
    assert_eq!(back, written);
}
