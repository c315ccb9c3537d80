//! The Kafka transport without a broker: the URL, the librdkafka
//! properties, and the real consumer loop ([`crate::consume`]) over an
//! in-memory partitioned log that keeps committed offsets like a broker and
//! checks, at every commit, that what is committed is audited and answered.

use super::*;
use crate::{consume, ConsumeOptions, ConsumeStats, Store};
use embargo_app::App;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

// ---------------------------------------------------------------- settings

#[test]
fn a_url_names_brokers_topics_group_and_librdkafka_properties() {
    let c = KafkaConfig::from_url(
        "kafka://b1.example:9092,10.0.0.2:9093?topic=pay.in,pay.retry&group=screening\
         &security.protocol=ssl&ssl.ca.location=%2Fetc%2Fca.pem",
    )
    .unwrap();
    assert_eq!(c.brokers, vec!["b1.example:9092", "10.0.0.2:9093"]);
    assert_eq!(c.topics, vec!["pay.in", "pay.retry"]);
    assert_eq!(c.group, "screening");
    assert_eq!(c.property("ssl.ca.location"), Some("/etc/ca.pem"));
    assert_eq!(c.redacted(), "kafka://b1.example:9092,10.0.0.2:9093");

    let d = KafkaConfig::from_url("kafka://localhost:9092").unwrap();
    assert_eq!(d.topics, vec![DEFAULT_TOPIC]);
    assert_eq!(d.group, DEFAULT_GROUP);
    assert!(d.properties.is_empty());
    // A trailing slash is harmless; an IPv6 broker in brackets is a broker.
    assert!(KafkaConfig::from_url("kafka://[::1]:9092/?group=g").is_ok());
}

#[test]
fn credentials_become_sasl_settings_and_stay_out_of_the_banner() {
    let c = KafkaConfig::from_url(
        "kafka://svc-embargo:p%40ss%3Aword@broker:9094?sasl.mechanisms=SCRAM-SHA-512",
    )
    .unwrap();
    assert_eq!(c.property("sasl.username"), Some("svc-embargo"));
    assert_eq!(c.property("sasl.password"), Some("p@ss:word"));
    // Credentials are never sent in the clear by default.
    assert_eq!(c.property("security.protocol"), Some("sasl_ssl"));
    assert!(!c.redacted().contains("word"));
    // Explicit protocol kept.
    let p = KafkaConfig::from_url(
        "kafka://u:p@broker:9094?sasl.mechanisms=PLAIN&security.protocol=sasl_plaintext",
    )
    .unwrap();
    assert_eq!(p.property("security.protocol"), Some("sasl_plaintext"));
    // Without a mechanism librdkafka would try Kerberos: refused.
    let e = KafkaConfig::from_url("kafka://u:p@broker:9094").unwrap_err();
    assert!(e.0.contains("sasl.mechanisms"), "{e}");
}

#[test]
fn a_bad_url_is_refused_naming_what_is_wrong() {
    let cases = [
        ("nats://localhost:4222", "kafka://"),
        ("kafka://", "no broker"),
        ("kafka://broker", "not host:port"),
        ("kafka://broker:0", "not host:port"),
        ("kafka://broker:99999", "not host:port"),
        ("kafka://b:9092,", "not host:port"),
        ("kafka://b:9092/requests", "?topic="),
        ("kafka://b:9092?topic=bad topic", "not a Kafka topic name"),
        ("kafka://b:9092?topic=a,,b", "not a Kafka topic name"),
        ("kafka://b:9092?group=", "`group` is empty"),
        ("kafka://b:9092?grup=x", "unknown key `grup`"),
        ("kafka://b:9092?topic", "not key=value"),
        ("kafka://b:9092?topic=a&topic=b", "given twice"),
        ("kafka://b:9092?linger.ms=%zz", "%-escape"),
        ("kafka://b:9092?group.id=x", "group=NAME"),
        ("kafka://b:9092?bootstrap.servers=x:1", "kafka://host:port"),
        (
            "kafka://b:9092?enable.auto.commit=true",
            "after the audit write",
        ),
        (
            "kafka://b:9092?enable.auto.offset.store=true",
            "fixed by Embargo",
        ),
        ("kafka://b:9092?isolation.level=read_uncommitted", "aborted"),
        ("kafka://b:9092?acks=1", "in-sync replica"),
        (
            "kafka://b:9092?enable.idempotence=false",
            "fixed by Embargo",
        ),
        (
            "kafka://u:p@b:9092?sasl.mechanisms=PLAIN&sasl.username=v",
            "given twice",
        ),
        (
            "kafka://nopass@b:9092?sasl.mechanisms=PLAIN",
            "user:password@",
        ),
    ];
    for (url, why) in cases {
        match KafkaConfig::from_url(url) {
            Ok(c) => panic!("{url} accepted: {c:?}"),
            Err(e) => assert!(e.0.contains(why), "{url}: {e} (expected {why:?})"),
        }
    }
}

#[test]
fn the_guarantees_settings_win_over_everything_and_defaults_yield_to_the_url() {
    let c = KafkaConfig::from_url(
        "kafka://b:9092?group=g&auto.offset.reset=latest&linger.ms=20&queued.min.messages=10",
    )
    .unwrap();
    let get = |props: &[(String, String)], k: &str| {
        let hits: Vec<&String> = props
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v)
            .collect();
        assert!(hits.len() <= 1, "{k} set twice: {props:?}");
        hits.first().map(|v| v.to_string())
    };
    let cons = c.consumer_properties(256);
    assert_eq!(get(&cons, "bootstrap.servers").as_deref(), Some("b:9092"));
    assert_eq!(get(&cons, "group.id").as_deref(), Some("g"));
    for (k, v, _) in PINNED_CONSUMER {
        assert_eq!(get(&cons, k).as_deref(), Some(*v), "{k}");
    }
    assert_eq!(get(&cons, "auto.offset.reset").as_deref(), Some("latest"));
    assert_eq!(get(&cons, "queued.min.messages").as_deref(), Some("10"));
    // Embargo's default for a property the URL leaves alone.
    assert_eq!(
        get(&cons, "queued.max.messages.kbytes").as_deref(),
        Some("16384")
    );
    // The prefetch follows max_in_flight when the URL says nothing.
    let d = KafkaConfig::from_url("kafka://b:9092").unwrap();
    assert_eq!(
        get(&d.consumer_properties(500), "queued.min.messages").as_deref(),
        Some("2000")
    );
    assert_eq!(
        get(&d.consumer_properties(256), "auto.offset.reset").as_deref(),
        Some("earliest")
    );

    let prod = c.producer_properties();
    for (k, v, _) in PINNED_PRODUCER {
        assert_eq!(get(&prod, k).as_deref(), Some(*v), "{k}");
    }
    assert_eq!(get(&prod, "linger.ms").as_deref(), Some("20"));
    // Consumer-only settings are not given to the producer.
    assert_eq!(get(&prod, "auto.offset.reset"), None);
    assert_eq!(get(&prod, "group.id"), None);
    assert_eq!(get(&prod, "enable.auto.commit"), None);
}

#[test]
fn topic_names_follow_kafka_rules() {
    for ok in ["embargo.replies", "a", "A-b_c.9", &"x".repeat(249)] {
        assert!(valid_topic(ok), "{ok}");
    }
    for bad in ["", ".", "..", "a b", "a/b", "ü", "a,b", &"x".repeat(250)] {
        assert!(!valid_topic(bad), "{bad}");
    }
}

// ------------------------------------------------------------ a fake broker

type Tp = (String, i32);

/// What outlives one consumer process: the partition logs, committed
/// offsets and everything produced.
#[derive(Default)]
struct Cluster {
    log: BTreeMap<Tp, Vec<Vec<u8>>>,
    committed: HashMap<Tp, i64>,
    produced: Vec<Outgoing>,
    /// Topics a produce fails on for good (do not exist).
    missing: HashSet<String>,
    /// The next this many produce calls fail as a whole (brokers away).
    transient: usize,
    /// Every commit, in order.
    commits: Vec<(String, i32, i64)>,
}

impl Cluster {
    fn append(&mut self, topic: &str, partition: i32, payload: Vec<u8>) {
        self.log
            .entry((topic.to_string(), partition))
            .or_default()
            .push(payload);
    }
}

/// One consumer of the group against the [`Cluster`].
struct FakeKafka {
    cluster: Arc<Mutex<Cluster>>,
    app: Arc<App>,
    assigned: Vec<Tp>,
    position: HashMap<Tp, i64>,
    revoked: Vec<Tp>,
    rr: usize,
    polls: usize,
    /// After this many polls, take this partition away (and hand it back
    /// from its committed offset when `reassign`).
    revoke_at: Option<(usize, Tp, bool)>,
    /// Sent once nothing is left to read.
    stop: watch::Sender<bool>,
    seeks: Vec<(String, i32, i64)>,
}

impl FakeKafka {
    fn new(
        cluster: &Arc<Mutex<Cluster>>,
        app: &Arc<App>,
        assigned: &[Tp],
        stop: watch::Sender<bool>,
    ) -> FakeKafka {
        let c = cluster.lock().unwrap();
        let position = assigned
            .iter()
            .map(|tp| (tp.clone(), c.committed.get(tp).copied().unwrap_or(0)))
            .collect();
        FakeKafka {
            cluster: cluster.clone(),
            app: app.clone(),
            assigned: assigned.to_vec(),
            position,
            revoked: Vec::new(),
            rr: 0,
            polls: 0,
            revoke_at: None,
            stop,
            seeks: Vec::new(),
        }
    }
}

/// The request id of a payload, when it has one.
fn request_id(payload: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(payload).ok()?;
    v.get("request_id")?.as_str().map(str::to_string)
}

impl KafkaIo for FakeKafka {
    async fn next(&mut self) -> Result<Record, BusError> {
        if let Some(r) = self.ready() {
            return Ok(r);
        }
        // Drained: stop the loop, then wait like a quiet broker.
        let _ = self.stop.send(true);
        std::future::pending::<()>().await;
        unreachable!()
    }

    fn ready(&mut self) -> Option<Record> {
        self.polls += 1;
        if let Some((at, tp, reassign)) = self.revoke_at.clone() {
            if self.polls >= at {
                self.revoke_at = None;
                self.revoked.push(tp.clone());
                self.assigned.retain(|a| a != &tp);
                if reassign {
                    // An eager rebalance handing the partition back: from
                    // its committed offset.
                    let c = self.cluster.lock().unwrap();
                    self.position
                        .insert(tp.clone(), c.committed.get(&tp).copied().unwrap_or(0));
                    self.assigned.push(tp);
                }
            }
        }
        let c = self.cluster.lock().unwrap();
        for k in 0..self.assigned.len() {
            let tp = &self.assigned[(self.rr + k) % self.assigned.len()];
            let pos = self.position.get(tp).copied().unwrap_or(0);
            if let Some(p) = c.log.get(tp).and_then(|l| l.get(pos as usize)) {
                let r = Record {
                    topic: tp.0.clone(),
                    partition: tp.1,
                    offset: pos,
                    key: request_id(p).map(String::into_bytes),
                    payload: if p.is_empty() { None } else { Some(p.clone()) },
                };
                self.position.insert(tp.clone(), pos + 1);
                self.rr = (self.rr + k + 1) % self.assigned.len();
                return Some(r);
            }
        }
        None
    }

    async fn produce(&mut self, msgs: &[Outgoing]) -> Vec<Result<(), ProduceFailure>> {
        let mut c = self.cluster.lock().unwrap();
        if c.transient > 0 {
            c.transient -= 1;
            return msgs
                .iter()
                .map(|_| Err(ProduceFailure::Transient("Local: Message timed out".into())))
                .collect();
        }
        msgs.iter()
            .map(|m| {
                if c.missing.contains(&m.subject) {
                    Err(ProduceFailure::Permanent(
                        "Broker: Unknown topic or partition".into(),
                    ))
                } else {
                    c.produced.push(m.clone());
                    Ok(())
                }
            })
            .collect()
    }

    async fn commit(&mut self, offsets: &[(String, i32, i64)]) -> Result<(), BusError> {
        // The broker's view at the moment of the commit: every message
        // before the committed offset is audited and its answer produced,
        // or it is a dead letter.
        let index: HashSet<String> = embargo_app::bus::AuditStore::request_index(&self.app.audit)
            .unwrap()
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let mut c = self.cluster.lock().unwrap();
        for (topic, partition, next) in offsets {
            let tp = (topic.clone(), *partition);
            assert!(
                self.assigned.contains(&tp),
                "committed {topic}[{partition}], which is not assigned"
            );
            let prev = c.committed.get(&tp).copied().unwrap_or(0);
            assert!(*next >= prev, "commit went back: {prev} -> {next}");
            for off in 0..*next {
                let payload = &c.log[&tp][off as usize];
                let source = source_label(topic, *partition, off);
                let dead = c.produced.iter().any(|o| {
                    o.subject == "embargo.dead"
                        && serde_json::from_slice::<Value>(&o.payload)
                            .is_ok_and(|v| v["source"] == source.as_str())
                });
                match request_id(payload) {
                    Some(id) if !dead => {
                        assert!(
                            index.contains(&id),
                            "{source} ({id}) committed before its audit record"
                        );
                        assert!(
                            c.produced
                                .iter()
                                .any(|o| o.key.as_deref() == Some(id.as_str())),
                            "{source} ({id}) committed before its reply"
                        );
                    }
                    _ => assert!(
                        dead,
                        "{source} committed, neither answered nor dead-lettered"
                    ),
                }
            }
            c.committed.insert(tp, *next);
            c.commits.push((topic.clone(), *partition, *next));
        }
        Ok(())
    }

    async fn seek(&mut self, topic: &str, partition: i32, offset: i64) -> Result<(), BusError> {
        self.seeks.push((topic.to_string(), partition, offset));
        self.position.insert((topic.to_string(), partition), offset);
        Ok(())
    }

    fn take_revoked(&mut self) -> Vec<(String, i32)> {
        std::mem::take(&mut self.revoked)
    }

    async fn close(&mut self) -> Result<(), BusError> {
        Ok(())
    }
}

const PAY: &str = r#"{"date":"2022-06-01","flow":"payment","actor":{"us_person":true,"country":"US"},"parties":[{"role":"counterparty","name":"Xinjiang Production and Construction Corps","country":"CN"}],"context":{"currency":"USD"}}"#;

/// A decide request whose transaction carries its id as `reference`.
fn payment(id: &str) -> Vec<u8> {
    let tx = PAY.replacen('{', &format!(r#"{{"reference":"{id}","#), 1);
    format!(r#"{{"version":1,"request_id":"{id}","type":"decide","transaction":{tx}}}"#)
        .into_bytes()
}

fn opts(max_in_flight: usize) -> ConsumeOptions {
    ConsumeOptions {
        max_in_flight,
        reply_subject: "embargo.replies".into(),
        dead_letter_subject: "embargo.dead".into(),
        ..Default::default()
    }
}

async fn run(
    bus: &mut KafkaBus<FakeKafka>,
    app: &Arc<App>,
    rx: watch::Receiver<bool>,
    o: &ConsumeOptions,
) -> ConsumeStats {
    tokio::time::timeout(
        Duration::from_secs(120),
        consume(bus, app.clone(), Store::Local, o, rx),
    )
    .await
    .expect("the loop did not finish")
    .expect("the loop failed")
}

/// `decide` audit records per transaction reference.
fn decided(app: &App) -> HashMap<String, usize> {
    let mut out = Vec::new();
    app.audit.export_since(None, &mut out).unwrap();
    let mut per: HashMap<String, usize> = HashMap::new();
    for line in String::from_utf8(out).unwrap().lines() {
        let rec: Value = serde_json::from_str(line).unwrap();
        if rec["kind"] == "decide" {
            if let Some(r) = rec["request"]["reference"].as_str() {
                *per.entry(r.to_string()).or_default() += 1;
            }
        }
    }
    per
}

fn tp(t: &str, p: i32) -> Tp {
    (t.to_string(), p)
}

// ------------------------------------------------------------------ tests

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offsets_move_only_behind_the_audit_and_poison_goes_to_the_dead_letter_topic() {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(dir.path()).unwrap());
    let cluster = Arc::new(Mutex::new(Cluster::default()));
    {
        let mut c = cluster.lock().unwrap();
        for i in 0..12 {
            c.append("pay", i % 2, payment(&format!("p{i}")));
        }
        c.append("pay", 0, b"{not json".to_vec());
        c.append("pay", 1, Vec::new()); // a tombstone
        c.append(
            "pay",
            1,
            br#"{"version":2,"request_id":"v2","type":"decide"}"#.to_vec(),
        );
        c.append("pay", 0, payment("p0")); // a redelivery from the producer
        c.append("pay", 0, payment("p12"));
    }
    let (tx, rx) = watch::channel(false);
    let io = FakeKafka::new(&cluster, &app, &[tp("pay", 0), tp("pay", 1)], tx);
    let mut bus = KafkaBus::new(io, "embargo.dead");
    let stats = run(&mut bus, &app, rx, &opts(4)).await;
    assert_eq!(stats.answered, 13, "{stats:?}");
    assert_eq!(stats.replayed, 1);
    assert_eq!(stats.dead_letters, 3);
    let c = cluster.lock().unwrap();
    // Everything read is committed, to the end of each partition.
    assert_eq!(
        c.committed[&tp("pay", 0)],
        c.log[&tp("pay", 0)].len() as i64
    );
    assert_eq!(
        c.committed[&tp("pay", 1)],
        c.log[&tp("pay", 1)].len() as i64
    );
    assert_eq!(bus.in_flight(), 0);
    // Commits were made batch by batch (bounded work), never going back.
    assert!(c.commits.len() >= 4, "{:?}", c.commits);
    // Dead letters name where the message came from and why.
    let dead: Vec<Value> = c
        .produced
        .iter()
        .filter(|o| o.subject == "embargo.dead")
        .map(|o| serde_json::from_slice(&o.payload).unwrap())
        .collect();
    assert_eq!(dead.len(), 3);
    assert!(dead
        .iter()
        .any(|d| d["source"] == "pay[0]@6" && d["payload"] == "{not json"));
    assert!(dead.iter().any(|d| d["source"] == "pay[1]@6"));
    assert!(dead
        .iter()
        .any(|d| d["request_id"] == "v2" && d["error"].as_str().unwrap().contains("version")));
    // Replies are keyed by request id (one partition per request id).
    let replies: Vec<&Outgoing> = c
        .produced
        .iter()
        .filter(|o| o.subject == "embargo.replies")
        .collect();
    assert_eq!(replies.len(), 14);
    assert!(replies.iter().all(|o| o.key.is_some()));
    // One decide record per request id, the redelivery included.
    let per = decided(&app);
    assert_eq!(per.len(), 13, "{per:?}");
    assert!(per.values().all(|n| *n == 1), "{per:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_before_the_commit_loses_nothing_and_decides_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(dir.path()).unwrap());
    let cluster = Arc::new(Mutex::new(Cluster::default()));
    {
        let mut c = cluster.lock().unwrap();
        for i in 0..10 {
            c.append("pay", 0, payment(&format!("c{i}")));
        }
    }
    // First process: one batch of 4, audited and answered; its offsets
    // are never committed (killed between the audit write and the commit).
    {
        let (tx, _rx) = watch::channel(false);
        let io = FakeKafka::new(&cluster, &app, &[tp("pay", 0)], tx);
        let mut bus = KafkaBus::new(io, "embargo.dead");
        let batch = bus.receive(4).await.unwrap();
        assert_eq!(batch.len(), 4);
        let reqs: Vec<_> = batch
            .iter()
            .map(|m| embargo_app::bus::parse_message(&m.payload).unwrap())
            .collect();
        let out = app.answer_bus_batch(&app.audit, "bus:test", reqs).unwrap();
        assert_eq!(out.len(), 4);
        // kill -9: no publish, no ack.
    }
    assert!(cluster.lock().unwrap().committed.is_empty());
    // The restart reads from the committed offset (0): the four come
    // again, answered from the store; the six others are decided.
    let (tx, rx) = watch::channel(false);
    let io = FakeKafka::new(&cluster, &app, &[tp("pay", 0)], tx);
    let mut bus = KafkaBus::new(io, "embargo.dead");
    let stats = run(&mut bus, &app, rx, &opts(3)).await;
    assert_eq!((stats.answered, stats.replayed), (6, 4), "{stats:?}");
    assert_eq!(cluster.lock().unwrap().committed[&tp("pay", 0)], 10);
    let per = decided(&app);
    assert_eq!(per.len(), 10);
    assert!(per.values().all(|n| *n == 1), "{per:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_publish_reads_the_partitions_again_and_commits_nothing_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(dir.path()).unwrap());
    let cluster = Arc::new(Mutex::new(Cluster::default()));
    {
        let mut c = cluster.lock().unwrap();
        for i in 0..6 {
            c.append("pay", i % 2, payment(&format!("f{i}")));
        }
        c.transient = 2; // the first two batches cannot reach the brokers
    }
    let (tx, rx) = watch::channel(false);
    let io = FakeKafka::new(&cluster, &app, &[tp("pay", 0), tp("pay", 1)], tx);
    let mut bus = KafkaBus::new(io, "embargo.dead");
    let stats = run(&mut bus, &app, rx, &opts(6)).await;
    // Both failed batches were given back and read again from offset 0.
    assert_eq!(stats.retried, 12, "{stats:?}");
    let seeks = &bus.io().seeks;
    assert_eq!(seeks.len(), 4, "{seeks:?}");
    assert!(seeks.iter().all(|(_, _, o)| *o == 0), "{seeks:?}");
    let c = cluster.lock().unwrap();
    // Decided once (first batch), then answered from the store.
    assert_eq!((stats.answered, stats.replayed), (6, 12), "{stats:?}");
    assert_eq!(c.committed[&tp("pay", 0)], 3);
    assert_eq!(c.committed[&tp("pay", 1)], 3);
    let per = decided(&app);
    assert_eq!(per.len(), 6);
    assert!(per.values().all(|n| *n == 1), "{per:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_to_a_topic_that_cannot_take_it_goes_to_the_dead_letters_with_the_answer() {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(dir.path()).unwrap());
    let cluster = Arc::new(Mutex::new(Cluster::default()));
    let with_reply_to = |id: &str, to: &str| {
        let mut v: Value = serde_json::from_slice(&payment(id)).unwrap();
        v["reply_to"] = Value::String(to.into());
        serde_json::to_vec(&v).unwrap()
    };
    {
        let mut c = cluster.lock().unwrap();
        c.missing.insert("gone.replies".into());
        c.append("pay", 0, with_reply_to("r1", "gone.replies"));
        c.append("pay", 0, with_reply_to("r2", "no such topic!"));
        c.append("pay", 0, with_reply_to("r3", "team.replies"));
    }
    let (tx, rx) = watch::channel(false);
    let io = FakeKafka::new(&cluster, &app, &[tp("pay", 0)], tx);
    let mut bus = KafkaBus::new(io, "embargo.dead");
    let stats = run(&mut bus, &app, rx, &opts(8)).await;
    assert_eq!(stats.answered, 3, "{stats:?}");
    assert_eq!(
        stats.retried, 0,
        "a bad reply_to must not block the partition"
    );
    let c = cluster.lock().unwrap();
    assert_eq!(c.committed[&tp("pay", 0)], 3);
    assert!(c.produced.iter().any(|o| o.subject == "team.replies"));
    let dead: Vec<Value> = c
        .produced
        .iter()
        .filter(|o| o.subject == "embargo.dead")
        .map(|o| serde_json::from_slice(&o.payload).unwrap())
        .collect();
    assert_eq!(dead.len(), 2, "{dead:?}");
    for (id, why) in [("r1", "Unknown topic"), ("r2", "not a Kafka topic name")] {
        let d = dead
            .iter()
            .find(|d| d["request_id"] == id)
            .unwrap_or_else(|| panic!("{id}: {dead:?}"));
        assert_eq!(d["status"], "undeliverable");
        assert!(d["error"].as_str().unwrap().contains(why), "{d}");
        // The answer itself is kept.
        assert_eq!(d["reply"]["request_id"], id);
        assert_eq!(d["reply"]["type"], "decide");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partition_taken_away_is_not_committed_by_its_old_owner_and_its_new_owner_loses_nothing()
{
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(dir.path()).unwrap());
    let cluster = Arc::new(Mutex::new(Cluster::default()));
    {
        let mut c = cluster.lock().unwrap();
        for i in 0..20 {
            c.append("pay", i % 2, payment(&format!("g{i}")));
        }
    }
    // Node A holds both partitions; partition 1 is taken away in the
    // middle of its second batch, after pay[1]@2 was read into it: A
    // answers that one, but must not commit it.
    let (tx, rx) = watch::channel(false);
    let mut io = FakeKafka::new(&cluster, &app, &[tp("pay", 0), tp("pay", 1)], tx);
    io.revoke_at = Some((7, tp("pay", 1), false));
    let mut a = KafkaBus::new(io, "embargo.dead");
    let sa = run(&mut a, &app, rx, &opts(4)).await;
    let p1_after_a = cluster
        .lock()
        .unwrap()
        .committed
        .get(&tp("pay", 1))
        .copied();
    assert!(
        p1_after_a.unwrap_or(0) < 10,
        "node A finished partition 1 after losing it: {p1_after_a:?}"
    );
    assert_eq!(cluster.lock().unwrap().committed[&tp("pay", 0)], 10);
    // Node B (same audit store: a shared one) gets partition 1 from its
    // last committed offset.
    let (tx, rx) = watch::channel(false);
    let io = FakeKafka::new(&cluster, &app, &[tp("pay", 1)], tx);
    let mut b = KafkaBus::new(io, "embargo.dead");
    let sb = run(&mut b, &app, rx, &opts(4)).await;
    assert_eq!(cluster.lock().unwrap().committed[&tp("pay", 1)], 10);
    assert_eq!(p1_after_a, Some(2));
    assert_eq!(sa.answered + sb.answered, 20, "{sa:?} {sb:?}");
    // B read pay[1]@2 again and answered it from the store.
    assert_eq!(sb.replayed, 1, "{sb:?}");
    let per = decided(&app);
    assert_eq!(per.len(), 20);
    assert!(per.values().all(|n| *n == 1), "{per:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_eager_rebalance_handing_the_partition_back_rereads_from_the_commit() {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(dir.path()).unwrap());
    let cluster = Arc::new(Mutex::new(Cluster::default()));
    {
        let mut c = cluster.lock().unwrap();
        for i in 0..9 {
            c.append("pay", 0, payment(&format!("e{i}")));
        }
    }
    let (tx, rx) = watch::channel(false);
    let mut io = FakeKafka::new(&cluster, &app, &[tp("pay", 0)], tx);
    // Revoked and reassigned while the second batch is gathered.
    io.revoke_at = Some((5, tp("pay", 0), true));
    let mut bus = KafkaBus::new(io, "embargo.dead");
    let stats = run(&mut bus, &app, rx, &opts(3)).await;
    assert_eq!(cluster.lock().unwrap().committed[&tp("pay", 0)], 9);
    assert_eq!(stats.answered, 9, "{stats:?}");
    let per = decided(&app);
    assert_eq!(per.len(), 9);
    assert!(per.values().all(|n| *n == 1), "{per:?}");
}

/// Seek-back bookkeeping alone: a message given back holds its partition's
/// commit and brings the later ones back with it; another partition moves on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_given_back_holds_its_partition_and_counts_its_deliveries() {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(dir.path()).unwrap());
    let cluster = Arc::new(Mutex::new(Cluster::default()));
    {
        let mut c = cluster.lock().unwrap();
        for i in 0..3 {
            c.append("pay", 0, payment(&format!("h{i}")));
        }
        c.append("pay", 1, b"{}".to_vec());
    }
    let (tx, _rx) = watch::channel(false);
    let io = FakeKafka::new(&cluster, &app, &[tp("pay", 0), tp("pay", 1)], tx);
    let mut bus = KafkaBus::new(io, "embargo.dead");
    let batch = bus.receive(10).await.unwrap();
    assert_eq!(batch.len(), 4);
    assert!(batch.iter().all(|m| m.deliveries == 1));
    assert_eq!(batch[0].order_key.as_deref(), Some("pay[0]"));
    let tokens: Vec<KafkaToken> = batch.into_iter().map(|m| m.token).collect();
    let p0: Vec<&KafkaToken> = tokens.iter().filter(|t| t.partition == 0).collect();
    // pay[0]@1 and @2 given back; @0 and pay[1]@0 handled (dead letter
    // published beforehand by the loop — produced here by hand).
    let (mut back, mut done): (Vec<KafkaToken>, Vec<KafkaToken>) = tokens
        .iter()
        .cloned()
        .partition(|t| t.partition == 0 && t.offset >= 1);
    assert_eq!(p0.len(), 3);
    {
        let mut c = cluster.lock().unwrap();
        // Satisfy the fake broker's audit check for what is committed.
        c.produced.push(Outgoing {
            subject: "embargo.dead".into(),
            key: None,
            payload: serde_json::to_vec(&json!({"source": "pay[1]@0"})).unwrap(),
        });
        c.produced.push(Outgoing {
            subject: "embargo.dead".into(),
            key: None,
            payload: serde_json::to_vec(&json!({"source": "pay[0]@0"})).unwrap(),
        });
    }
    bus.retry(std::mem::take(&mut back)).await.unwrap();
    bus.ack(std::mem::take(&mut done)).await.unwrap();
    assert_eq!(bus.committed_offset("pay", 0), Some(1));
    assert_eq!(bus.committed_offset("pay", 1), Some(1));
    assert_eq!(bus.io().seeks, vec![("pay".to_string(), 0, 1)]);
    // Read again from pay[0]@1, counted as second deliveries.
    let again = bus.receive(10).await.unwrap();
    let offs: Vec<(i64, u64)> = again
        .iter()
        .map(|m| (m.token.offset, m.deliveries))
        .collect();
    assert_eq!(offs, vec![(1, 2), (2, 2)]);
}
