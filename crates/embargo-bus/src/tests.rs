//! The consumer loop against an in-memory bus: what is published, what is
//! acknowledged, and in which order.

use super::*;
use std::collections::VecDeque;

#[derive(Default)]
struct FakeBus {
    inbox: VecDeque<Vec<u8>>,
    /// Every call, in order: "publish N", "ack [ids]", "retry [ids]".
    calls: Vec<String>,
    published: Vec<Outgoing>,
    fail_publish: bool,
    next: u64,
}

impl MessageBus for FakeBus {
    type Token = u64;

    async fn receive(&mut self, max: usize) -> Result<Vec<Incoming<u64>>, BusError> {
        let mut out = Vec::new();
        while out.len() < max {
            let Some(p) = self.inbox.pop_front() else {
                break;
            };
            self.next += 1;
            out.push(Incoming {
                payload: p,
                deliveries: 1,
                source: "embargo.requests.test".into(),
                token: self.next,
                order_key: None,
            });
        }
        if out.is_empty() {
            // Nothing left: wait like a quiet broker.
            std::future::pending::<()>().await;
        }
        Ok(out)
    }

    async fn publish(&mut self, msgs: Vec<Outgoing>) -> Result<(), BusError> {
        if self.fail_publish {
            return Err(BusError("broker down".into()));
        }
        self.calls.push(format!("publish {}", msgs.len()));
        self.published.extend(msgs);
        Ok(())
    }

    async fn ack(&mut self, tokens: Vec<u64>) -> Result<(), BusError> {
        self.calls.push(format!("ack {tokens:?}"));
        Ok(())
    }

    async fn retry(&mut self, tokens: Vec<u64>) -> Result<(), BusError> {
        self.calls.push(format!("retry {tokens:?}"));
        Ok(())
    }
}

const PAY: &str = r#"{"date":"2022-06-01","flow":"payment","actor":{"us_person":true,"country":"US"},"parties":[{"role":"counterparty","name":"Xinjiang Production and Construction Corps","country":"CN"}],"context":{"currency":"USD"}}"#;

fn decide(id: &str) -> Vec<u8> {
    format!(r#"{{"version":1,"request_id":"{id}","type":"decide","transaction":{PAY}}}"#)
        .into_bytes()
}

async fn run(bus: &mut FakeBus, app: Arc<App>) -> ConsumeStats {
    let (tx, rx) = watch::channel(false);
    let store = Store::Local;
    let opts = ConsumeOptions {
        max_in_flight: 3,
        ..Default::default()
    };
    // Stop once the inbox is drained (the fake then waits forever).
    let stopper = async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let _ = tx.send(true);
    };
    let (stats, ()) = tokio::join!(consume(bus, app, store, &opts, rx), stopper);
    stats.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_published_before_acks_and_poison_goes_to_the_dead_letters() {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(dir.path()).unwrap());
    let mut bus = FakeBus::default();
    bus.inbox.push_back(decide("p1"));
    bus.inbox.push_back(b"{not json".to_vec());
    bus.inbox.push_back(decide("p2"));
    bus.inbox.push_back(decide("p1")); // a redelivery
    let stats = run(&mut bus, app.clone()).await;
    assert_eq!(stats.answered, 2, "{stats:?}");
    assert_eq!(stats.replayed, 1);
    assert_eq!(stats.dead_letters, 1);
    assert_eq!(
        bus.calls,
        vec!["publish 3", "ack [1, 2, 3]", "publish 1", "ack [4]"],
    );
    let dead: Vec<&Outgoing> = bus
        .published
        .iter()
        .filter(|o| o.subject == "embargo.dead")
        .collect();
    assert_eq!(dead.len(), 1);
    let d: serde_json::Value = serde_json::from_slice(&dead[0].payload).unwrap();
    assert!(d["error"].as_str().unwrap().contains("not a JSON message"));
    assert_eq!(d["payload"], "{not json");
    // Two decide records for three answers.
    let index = embargo_app::bus::AuditStore::request_index(&app.audit).unwrap();
    assert_eq!(index.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_publish_gives_the_batch_back_unacknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(dir.path()).unwrap());
    let mut bus = FakeBus {
        fail_publish: true,
        ..Default::default()
    };
    bus.inbox.push_back(decide("p1"));
    let stats = run(&mut bus, app.clone()).await;
    assert_eq!(bus.calls, vec!["retry [1]"]);
    assert_eq!(stats.retried, 1);
    // The answer is durable: the redelivery will replay it.
    assert_eq!(
        embargo_app::bus::AuditStore::request_index(&app.audit)
            .unwrap()
            .len(),
        1
    );
}
