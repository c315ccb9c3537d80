//! Server configuration: where to listen, who may call, and how much.
//!
//! `ServerConfig` is plain data built by the CLI (`embargo serve`), by tests,
//! or from `EMBARGO_*` environment variables (`ServerConfig::from_env`). Every
//! limit has a default that suits one compliance team on one machine.

use std::net::SocketAddr;
use std::time::Duration;

/// Who may call the API without an API key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    /// Every request needs a valid API key (`Authorization: Bearer <key>` or
    /// `X-API-Key: <key>`). Use this whenever the server listens on anything
    /// but loopback.
    ApiKeys,
    /// **The default.** Requests whose peer address is loopback may call
    /// without a key; they act as `anonymous-localhost` with the `screen` role
    /// (screen, decide), never review or administer. Requests from any
    /// other address still need a key, so binding to 0.0.0.0 by mistake does
    /// not open the API to the network. A key, when sent, always wins.
    OpenForLocalhost,
}

/// Everything `router` and `serve` need besides the `App`.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Default `127.0.0.1:8000`: loopback only unless told otherwise.
    pub listen: SocketAddr,
    pub auth: AuthMode,
    /// Largest accepted request body in bytes (default 1 MiB). `/v1/batch`
    /// gets `batch_body_limit` instead because NDJSON files are larger.
    pub body_limit: usize,
    /// Largest `/v1/batch` body in bytes (default 32 MiB).
    pub batch_body_limit: usize,
    /// Most queries in one `/match` request or one `/v1/batch` upload (default 1000).
    pub max_batch: usize,
    /// Sustained requests per second allowed per API key (or per anonymous
    /// caller); `None` disables rate limiting. Default 50/s.
    pub rate_per_sec: Option<f64>,
    /// Burst size of the per-key token bucket (default 100).
    pub rate_burst: f64,
    /// Time after which a request is abandoned with 503 (default 30 s).
    pub request_timeout: Duration,
    /// A connection that has not sent a complete request head within this
    /// time is closed (default 10 s).
    pub header_read_timeout: Duration,
    /// Most connections open at once (default 1024); at the cap the oldest
    /// idle connection is closed to make room (`listen`).
    pub max_connections: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8000)),
            auth: AuthMode::OpenForLocalhost,
            body_limit: 1024 * 1024,
            batch_body_limit: 32 * 1024 * 1024,
            max_batch: 1000,
            rate_per_sec: Some(50.0),
            rate_burst: 100.0,
            request_timeout: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(10),
            max_connections: 1024,
        }
    }
}

impl ServerConfig {
    /// The defaults, overridden by any of these environment variables:
    /// `EMBARGO_LISTEN` (addr:port), `EMBARGO_AUTH` (`keys` | `localhost`),
    /// `EMBARGO_BODY_LIMIT` (bytes), `EMBARGO_MAX_BATCH`,
    /// `EMBARGO_RATE_LIMIT` (requests/s per key; `0` or `off` disables),
    /// `EMBARGO_RATE_BURST`, `EMBARGO_MAX_CONNECTIONS`.
    pub fn from_env() -> anyhow::Result<ServerConfig> {
        let mut c = ServerConfig::default();
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        if let Some(v) = var("EMBARGO_LISTEN") {
            c.listen = v
                .trim()
                .parse()
                .map_err(|e| anyhow::anyhow!("EMBARGO_LISTEN={v:?}: {e}"))?;
        }
        if let Some(v) = var("EMBARGO_AUTH") {
            c.auth = match v.trim() {
                "keys" | "api-keys" | "api_keys" => AuthMode::ApiKeys,
                "localhost" | "open-for-localhost" => AuthMode::OpenForLocalhost,
                other => anyhow::bail!("EMBARGO_AUTH={other:?}: expected `keys` or `localhost`"),
            };
        }
        let num = |k: &str, v: String| -> anyhow::Result<f64> {
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .ok_or_else(|| anyhow::anyhow!("{k}={v:?}: expected a non-negative number"))
        };
        if let Some(v) = var("EMBARGO_BODY_LIMIT") {
            c.body_limit = num("EMBARGO_BODY_LIMIT", v)? as usize;
        }
        if let Some(v) = var("EMBARGO_MAX_BATCH") {
            c.max_batch = num("EMBARGO_MAX_BATCH", v)? as usize;
        }
        if let Some(v) = var("EMBARGO_RATE_LIMIT") {
            c.rate_per_sec = if v.trim() == "off" {
                None
            } else {
                Some(num("EMBARGO_RATE_LIMIT", v)?).filter(|r| *r > 0.0)
            };
        }
        if let Some(v) = var("EMBARGO_RATE_BURST") {
            c.rate_burst = num("EMBARGO_RATE_BURST", v)?.max(1.0);
        }
        if let Some(v) = var("EMBARGO_MAX_CONNECTIONS") {
            c.max_connections = (num("EMBARGO_MAX_CONNECTIONS", v)? as usize).max(1);
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // One test touches the process environment, so the cases run in
    // sequence here rather than as parallel tests.
    #[test]
    fn env_overrides_defaults_and_rejects_bad_values() {
        let keys = [
            "EMBARGO_LISTEN",
            "EMBARGO_AUTH",
            "EMBARGO_BODY_LIMIT",
            "EMBARGO_MAX_BATCH",
            "EMBARGO_RATE_LIMIT",
            "EMBARGO_RATE_BURST",
            "EMBARGO_MAX_CONNECTIONS",
        ];
        let clear = || keys.iter().for_each(|k| std::env::remove_var(k));
        clear();
        let d = ServerConfig::from_env().unwrap();
        assert_eq!(d.listen, SocketAddr::from(([127, 0, 0, 1], 8000)));
        assert_eq!(d.auth, AuthMode::OpenForLocalhost);
        assert_eq!(d.rate_per_sec, Some(50.0));

        std::env::set_var("EMBARGO_LISTEN", "0.0.0.0:9000");
        std::env::set_var("EMBARGO_AUTH", "keys");
        std::env::set_var("EMBARGO_MAX_BATCH", "10");
        std::env::set_var("EMBARGO_RATE_LIMIT", "off");
        let c = ServerConfig::from_env().unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.auth, AuthMode::ApiKeys);
        assert_eq!(c.max_batch, 10);
        assert_eq!(c.rate_per_sec, None);

        for (k, v) in [
            ("EMBARGO_AUTH", "nobody"),
            ("EMBARGO_MAX_BATCH", "-1"),
            ("EMBARGO_LISTEN", "localhost"),
        ] {
            clear();
            std::env::set_var(k, v);
            let e = ServerConfig::from_env().unwrap_err().to_string();
            assert!(e.contains(k), "{e}");
        }
        clear();
    }
}
