//! Per-caller token buckets.
//!
//! Data structure: one `Bucket { tokens, last }` per caller name (API key
//! name, or `anonymous-localhost`) in a mutex-guarded map. A bucket refills
//! at `rate` tokens per second up to `burst`; each request takes one token.
//! The map only grows by the number of distinct *authenticated* callers plus
//! the anonymous one, so it cannot be inflated by unauthenticated traffic.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Token buckets keyed by caller.
#[derive(Debug)]
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// `rate` tokens per second, at most `burst` saved up.
    pub fn new(rate: f64, burst: f64) -> Self {
        RateLimiter {
            rate: rate.max(f64::MIN_POSITIVE),
            burst: burst.max(1.0),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `caller`, or says how long until one is available.
    pub fn check(&self, caller: &str, now: Instant) -> Result<(), Duration> {
        // A poisoned lock only means another request panicked mid-update;
        // the counts are still usable, so keep serving.
        let mut map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let b = map.entry(caller.to_string()).or_insert(Bucket {
            tokens: self.burst,
            last: now,
        });
        let elapsed = now.saturating_duration_since(b.last).as_secs_f64();
        b.tokens = (b.tokens + elapsed * self.rate).min(self.burst);
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - b.tokens) / self.rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refill_per_caller() {
        let rl = RateLimiter::new(2.0, 3.0);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(rl.check("a", t0).is_ok());
        }
        let wait = rl.check("a", t0).unwrap_err();
        assert!((wait.as_secs_f64() - 0.5).abs() < 1e-9, "{wait:?}");
        // Another caller has its own bucket.
        assert!(rl.check("b", t0).is_ok());
        // Half a second refills one token at 2/s.
        assert!(rl.check("a", t0 + Duration::from_millis(500)).is_ok());
        assert!(rl.check("a", t0 + Duration::from_millis(500)).is_err());
    }
}
