//! `embargo consume` against a real NATS server with JetStream: round trip,
//! redelivery answered from the store, poison messages to the dead-letter
//! stream, and kill -9 in the middle of 10,000 requests losing none and
//! duplicating none.

use crate::bus_support;

use async_nats::jetstream::{self, consumer};
use bus_support::{runtime, Nats, Reaper};
use embargo_app::bus::AuditStore;
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn embargo() -> Command {
    Command::new(env!("CARGO_BIN_EXE_embargo"))
}

/// Starts `consume` and waits for its first line.
fn start_consume(data: &Path, nats: &Nats, extra: &[&str]) -> Reaper {
    let mut child = embargo()
        .arg("--data-dir")
        .arg(data)
        .args(["consume", "--nats", &nats.url])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start embargo consume");
    let out = child.stdout.take().unwrap();
    let mut lines = BufReader::new(out).lines();
    let first = lines.next().expect("a first line").expect("readable");
    assert!(first.starts_with("consuming "), "{first}");
    // Keep draining stdout so the process never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.by_ref() {});
    Reaper(child)
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    child.wait().unwrap()
}

const PARTY: &str = "Xinjiang Production and Construction Corps";

fn payment(reference: &str, party: &str) -> Value {
    json!({
        "date": "2022-06-01",
        "flow": "payment",
        "reference": reference,
        "actor": {"us_person": true, "country": "US"},
        "parties": [{"role": "counterparty", "name": party, "country": "CN"}],
        "context": {"currency": "USD"}
    })
}

fn decide_msg(id: &str, party: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "version": 1, "request_id": id, "type": "decide",
        "transaction": payment(id, party),
    }))
    .unwrap()
}

async fn publish_all(js: &jetstream::Context, msgs: Vec<Vec<u8>>) {
    for chunk in msgs.chunks(500) {
        let mut acks = Vec::new();
        for m in chunk {
            acks.push(
                js.publish("embargo.requests.pay", m.clone().into())
                    .await
                    .unwrap(),
            );
        }
        for a in acks {
            a.await.unwrap();
        }
    }
}

/// Every message of `stream` once `count` are there (or the deadline).
async fn read_stream(
    js: &jetstream::Context,
    stream: &str,
    count: usize,
    within: Duration,
) -> Vec<Value> {
    let end = Instant::now() + within;
    let s = loop {
        match js.get_stream(stream).await {
            Ok(s) => break s,
            Err(_) if Instant::now() < end => tokio::time::sleep(Duration::from_millis(100)).await,
            Err(e) => panic!("stream {stream}: {e}"),
        }
    };
    let mut s = s;
    while s.info().await.unwrap().state.messages < count as u64 && Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let c: consumer::PullConsumer = s
        .create_consumer(consumer::pull::Config {
            ack_policy: consumer::AckPolicy::None,
            ..Default::default()
        })
        .await
        .unwrap();
    let total = s.info().await.unwrap().state.messages as usize;
    let mut out = Vec::new();
    let mut msgs = c.messages().await.unwrap();
    while out.len() < total {
        let m = tokio::time::timeout(Duration::from_secs(10), msgs.next())
            .await
            .expect("stream message in time")
            .unwrap()
            .unwrap();
        out.push(serde_json::from_slice(&m.payload).unwrap());
    }
    out
}

#[test]
fn requests_are_answered_once_and_poison_goes_to_the_dead_letters() {
    let test = "requests_are_answered_once_and_poison_goes_to_the_dead_letters";
    let Some(nats) = Nats::start(test) else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let mut consume = start_consume(data.path(), &nats, &["--max-in-flight", "16"]);
    let rt = runtime();
    let (replies, dead) = rt.block_on(async {
        let client = async_nats::connect(&nats.url).await.unwrap();
        let js = jetstream::new(client);
        let screen = serde_json::to_vec(&json!({
            "version": 1, "request_id": "s1", "type": "screen",
            "screen": {"name": PARTY, "country": "CN"}
        }))
        .unwrap();
        let bad_date = serde_json::to_vec(&json!({
            "version": 1, "request_id": "b1", "type": "decide",
            "transaction": {"date": "2022-13-45", "flow": "payment"}
        }))
        .unwrap();
        publish_all(
            &js,
            vec![
                decide_msg("p1", PARTY),
                b"{garbage".to_vec(),
                screen,
                bad_date,
                decide_msg("p2", "Harmless Bakery Ltd"),
            ],
        )
        .await;
        // The same request again, as a redelivery would bring it.
        tokio::time::sleep(Duration::from_millis(500)).await;
        publish_all(&js, vec![decide_msg("p1", PARTY)]).await;
        let replies = read_stream(&js, "EMBARGO_REPLIES", 4, Duration::from_secs(30)).await;
        let dead = read_stream(&js, "EMBARGO_DEAD", 2, Duration::from_secs(10)).await;
        (replies, dead)
    });
    let status = terminate(&mut consume);
    assert!(status.success(), "consume stopped with {status}");

    let by_id =
        |id: &str| -> Vec<&Value> { replies.iter().filter(|r| r["request_id"] == id).collect() };
    let p1 = by_id("p1");
    assert_eq!(p1.len(), 2, "{replies:?}");
    assert_eq!(p1[0]["replayed"], false);
    assert_eq!(p1[1]["replayed"], true);
    assert_eq!(p1[0]["audit_seq"], p1[1]["audit_seq"]);
    assert_eq!(
        p1[0]["result"], p1[1]["result"],
        "a redelivery gets the stored answer"
    );
    assert_eq!(p1[0]["needs_action"], true);
    assert_eq!(p1[0]["version"], 1);
    assert!(p1[0]["result"]["findings"]
        .as_array()
        .is_some_and(|f| !f.is_empty()));
    let s1 = by_id("s1");
    assert_eq!(s1.len(), 1);
    assert!(
        !s1[0]["result"]["results"].as_array().unwrap().is_empty(),
        "{}",
        s1[0]
    );
    assert_eq!(by_id("p2").len(), 1);
    assert_eq!(replies.len(), 4);

    assert_eq!(dead.len(), 2, "{dead:?}");
    let garbage = dead
        .iter()
        .find(|d| d["payload"] == "{garbage")
        .expect("the garbage");
    assert!(garbage["error"]
        .as_str()
        .unwrap()
        .contains("not a JSON message"));
    let b1 = dead.iter().find(|d| d["request_id"] == "b1").expect("b1");
    assert!(b1["error"].as_str().unwrap().contains("date"), "{b1}");

    // One audit record per answered request id, chain intact.
    let app = embargo_app::App::open(data.path()).unwrap();
    let index = app.audit.request_index().unwrap();
    let ids: Vec<&str> = index.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    for id in ["p1", "s1", "p2"] {
        assert!(ids.contains(&id), "{ids:?}");
    }
    let v = embargo()
        .arg("--data-dir")
        .arg(data.path())
        .args(["audit", "verify"])
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
}

#[test]
fn kill_9_in_the_middle_of_10000_requests_loses_none_and_duplicates_none() {
    let test = "kill_9_in_the_middle_of_10000_requests_loses_none_and_duplicates_none";
    let Some(nats) = Nats::start(test) else {
        return;
    };
    const N: usize = 10_000;
    let data = tempfile::tempdir().unwrap();
    let rt = runtime();
    let client = rt.block_on(async_nats::connect(&nats.url)).unwrap();
    let js = jetstream::new(client);
    // The consumer creates the streams; start it once so they exist.
    let mut first = start_consume(data.path(), &nats, &["--max-in-flight", "256"]);
    let parties = [
        PARTY,
        "Harmless Bakery Ltd",
        "Hikvision",
        "Huawei Technologies Co., Ltd.",
    ];
    let msgs: Vec<Vec<u8>> = (0..N)
        .map(|i| decide_msg(&format!("r{i:05}"), parties[i % parties.len()]))
        .collect();
    let publisher = {
        let js = js.clone();
        rt.spawn(async move { publish_all(&js, msgs).await })
    };
    // Kill it without warning once a good part is answered.
    let end = Instant::now() + Duration::from_secs(120);
    loop {
        let n = rt.block_on(async {
            match js.get_stream("EMBARGO_REPLIES").await {
                Ok(mut s) => s.info().await.map(|i| i.state.messages).unwrap_or(0),
                Err(_) => 0,
            }
        });
        if n >= 2_000 {
            break;
        }
        assert!(Instant::now() < end, "only {n} replies after 120 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    rt.block_on(publisher).unwrap();
    // A new process takes over the same durable consumer.
    let mut second = start_consume(
        data.path(),
        &nats,
        &["--max-in-flight", "256", "--ack-wait", "2"],
    );
    let app = embargo_app::App::open(data.path()).unwrap();
    let end = Instant::now() + Duration::from_secs(300);
    loop {
        let done = app.audit.request_index().unwrap().len();
        let pending = rt.block_on(async {
            let mut s = js.get_stream("EMBARGO_REQUESTS").await.unwrap();
            let mut c: consumer::PullConsumer = s.get_consumer("embargo").await.unwrap();
            let i = c.info().await.unwrap();
            let _ = &mut s;
            i.num_pending + i.num_ack_pending as u64
        });
        if done == N && pending == 0 {
            break;
        }
        assert!(
            Instant::now() < end,
            "{done} of {N} answered, {pending} pending after 300 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let status = terminate(&mut second);
    assert!(status.success(), "{status}");

    // Count audit records per request id, from the records themselves.
    let out = embargo()
        .arg("--data-dir")
        .arg(data.path())
        .args(["audit", "export"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let rec: Value = serde_json::from_str(line).unwrap();
        if rec["kind"] == "decide" {
            let r = rec["request"]["reference"]
                .as_str()
                .expect("reference")
                .to_string();
            *per_id.entry(r).or_default() += 1;
        }
    }
    assert_eq!(per_id.len(), N, "requests lost: {}", N - per_id.len());
    let dups: Vec<_> = per_id.iter().filter(|(_, n)| **n > 1).collect();
    assert!(dups.is_empty(), "decided twice: {dups:?}");
    // The index agrees: one distinct audit record per id.
    let index = app.audit.request_index().unwrap();
    assert_eq!(index.len(), N);
    let seqs: HashSet<u64> = index.iter().map(|(_, s)| *s).collect();
    assert_eq!(seqs.len(), N);
    // Every request got a reply (some more than one: those in flight at
    // the kill were answered again from the store).
    let replies = rt.block_on(read_stream(
        &js,
        "EMBARGO_REPLIES",
        N,
        Duration::from_secs(30),
    ));
    let replied: HashSet<&str> = replies
        .iter()
        .filter_map(|r| r["request_id"].as_str())
        .collect();
    assert_eq!(replied.len(), N);
    let mut fresh: HashMap<&str, usize> = HashMap::new();
    for r in replies.iter().filter(|r| r["replayed"] == false) {
        *fresh.entry(r["request_id"].as_str().unwrap()).or_default() += 1;
    }
    assert!(
        fresh.values().all(|n| *n == 1),
        "an id answered fresh twice"
    );
    let v = embargo()
        .arg("--data-dir")
        .arg(data.path())
        .args(["audit", "verify"])
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
}
