//! Load for a running `embargo consume` (scripts/bench-bus starts the
//! servers): publishes N payment decision requests to JetStream and
//! listens on the reply subject; prints decisions/s and request→reply
//! latency percentiles.
//!
//! `cargo run --release -p embargo-bus --example bus_load -- NATS_URL [N] [RATE]`
//! RATE 0 (default) publishes as fast as JetStream confirms (throughput);
//! RATE > 0 paces requests at RATE per second (latency below saturation);
//! RATE `backlog` publishes all N first, prints `published N`, and then
//! times the replies from the first to the last: start the consumer after
//! that line to measure how fast it drains a backlog, without this
//! publisher competing for the CPU.

use futures_util::StreamExt;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "nats://127.0.0.1:4222".into());
    let n: usize = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(10_000);
    let mode = args.next().unwrap_or_else(|| "0".into());
    let backlog = mode == "backlog";
    let rate: f64 = if backlog { 0.0 } else { mode.parse()? };
    let client = async_nats::connect(&url).await?;
    let js = async_nats::jetstream::new(client.clone());
    let run = format!("{}", std::process::id());
    let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let mut replies = client.subscribe("embargo.replies").await?;
    client.flush().await?;
    let parties = [
        "Xinjiang Production and Construction Corps",
        "Harmless Bakery Ltd",
        "Hikvision",
        "Acme Trading GmbH",
    ];
    let mut start = Instant::now();
    let publisher = {
        let sent = sent.clone();
        let run = run.clone();
        tokio::spawn(async move {
            let mut acks = Vec::new();
            for i in 0..n {
                if rate > 0.0 {
                    let due = start + Duration::from_secs_f64(i as f64 / rate);
                    tokio::time::sleep_until(due.into()).await;
                }
                let id = format!("bench-{run}-{i}");
                let msg = json!({
                    "version": 1, "request_id": id, "type": "decide",
                    "transaction": {
                        "date": "2024-06-01", "flow": "payment", "reference": id,
                        "actor": {"us_person": true, "country": "US"},
                        "parties": [{"role": "counterparty", "name": parties[i % parties.len()], "country": "CN"}],
                        "context": {"currency": "USD"}
                    }
                });
                sent.lock().unwrap().insert(id, Instant::now());
                acks.push(
                    js.publish(
                        "embargo.requests.bench",
                        serde_json::to_vec(&msg).unwrap().into(),
                    )
                    .await
                    .expect("publish"),
                );
                if acks.len() >= 256 {
                    for a in acks.drain(..) {
                        a.await.expect("publish confirmed");
                    }
                }
            }
            for a in acks {
                a.await.expect("publish confirmed");
            }
        })
    };
    let publisher = if backlog {
        publisher.await?;
        println!("published {n}");
        std::io::Write::flush(&mut std::io::stdout())?;
        None
    } else {
        Some(publisher)
    };
    let mut latencies = Vec::with_capacity(n);
    let mut last = start;
    while latencies.len() < n {
        let msg = match tokio::time::timeout(Duration::from_secs(60), replies.next()).await {
            Ok(Some(m)) => m,
            _ => break,
        };
        let v: serde_json::Value = serde_json::from_slice(&msg.payload)?;
        let Some(id) = v["request_id"].as_str() else {
            continue;
        };
        if let Some(t) = sent.lock().unwrap().remove(id) {
            last = Instant::now();
            if backlog && latencies.is_empty() {
                // From the first reply: the consumer's start is not timed.
                start = last;
            }
            latencies.push(last - t);
        }
    }
    if let Some(p) = publisher {
        p.await?;
    }
    let secs = (last - start).as_secs_f64();
    latencies.sort();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(f64::NAN)
    };
    println!(
        "{} of {n} replies in {secs:.2} s = {:.0} decisions/s; latency ms p50 {:.1} p99 {:.1} max {:.1} ({})",
        latencies.len(),
        latencies.len() as f64 / secs,
        pct(0.50),
        pct(0.99),
        pct(1.0),
        if backlog {
            "backlog drained, first to last reply".into()
        } else if rate > 0.0 {
            format!("paced at {rate}/s")
        } else {
            "burst".into()
        }
    );
    Ok(())
}
