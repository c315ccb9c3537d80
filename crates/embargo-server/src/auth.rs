//! Who is calling, and may they: API keys, roles, the localhost exception
//! and the per-caller rate limit, applied as one middleware.
//!
//! The middleware puts a `Caller` into the request extensions; handlers ask
//! `caller.require(Access::Review)?`. Roles are ordered: `Screen` (screen,
//! match, search, decide, read lists) < `Review` (also record review
//! decisions) < `Admin` (also verify the audit chain, reload lists).
//!
//! A keyless loopback caller (`AuthMode::OpenForLocalhost`) gets `Screen`
//! only: a review must be made by an identity, so every review endpoint
//! answers it 403.

use crate::config::AuthMode;
use crate::error::ApiError;
use crate::state::Shared;
use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::time::Instant;

/// What a caller may do. Ordered: each level includes the ones below it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    Screen,
    Review,
    Admin,
}

impl Access {
    pub fn as_str(&self) -> &'static str {
        match self {
            Access::Screen => "screen",
            Access::Review => "review",
            Access::Admin => "admin",
        }
    }

    fn from_role(r: &embargo_app::types::Role) -> Access {
        match r {
            embargo_app::types::Role::Screen => Access::Screen,
            embargo_app::types::Role::Review => Access::Review,
            embargo_app::types::Role::Admin => Access::Admin,
        }
    }
}

/// The authenticated caller of one request.
#[derive(Clone, Debug)]
pub struct Caller {
    /// API key name, or `anonymous-localhost`; recorded as the audit actor.
    pub name: String,
    pub access: Access,
}

/// Actor name of keyless loopback callers in `OpenForLocalhost` mode.
pub const ANONYMOUS_LOCALHOST: &str = "anonymous-localhost";

impl Caller {
    pub fn require(&self, needed: Access) -> Result<(), ApiError> {
        if self.access >= needed {
            Ok(())
        } else {
            Err(ApiError::forbidden(needed.as_str()))
        }
    }
}

/// The key from `Authorization: Bearer <key>`, `Authorization: ApiKey <key>`
/// (what yente clients such as nomenklatura send) or `X-API-Key: <key>`.
/// `Ok(None)` when no key was sent; `Err` when a header is malformed.
fn presented_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    if let Some(v) = headers.get("x-api-key") {
        let k = v
            .to_str()
            .map_err(|_| ApiError::bad_request("X-API-Key is not valid ASCII"))?
            .trim();
        if !k.is_empty() {
            return Ok(Some(k.to_string()));
        }
    }
    if let Some(v) = headers.get(header::AUTHORIZATION) {
        let v = v
            .to_str()
            .map_err(|_| ApiError::bad_request("Authorization header is not valid ASCII"))?
            .trim();
        let (scheme, rest) = v.split_once(' ').unwrap_or((v, ""));
        if scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("apikey") {
            let k = rest.trim();
            if !k.is_empty() {
                return Ok(Some(k.to_string()));
            }
        }
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "unsupported Authorization header: use `Bearer <key>` or `ApiKey <key>`",
        ));
    }
    Ok(None)
}

/// Middleware: refuse cross-site browser requests, authenticate,
/// rate-limit, and attach the `Caller`. Every protected endpoint either
/// changes state or writes an audit record (a screen, a search), so the
/// cross-site check covers them all, GETs included.
pub async fn authenticate(State(st): State<Shared>, mut req: Request, next: Next) -> Response {
    if let Some(refusal) = crate::guard::cross_site(req.headers()) {
        tracing::info!(code = refusal.code, "{}", refusal.message);
        return refusal.into_response();
    }
    // The key (if any) is taken from the request first, so no borrow of
    // the request is held while the key is checked.
    let who = match identify(&st, &req) {
        Ok(Identity::Known(caller)) => Ok(caller),
        Ok(Identity::Key(key)) => check_key(&st, key).await,
        Err(e) => Err(e),
    };
    match who {
        Ok(caller) => {
            if let Some(limiter) = &st.limiter {
                if let Err(wait) = limiter.check(&caller.name, Instant::now()) {
                    let secs = (wait.as_secs_f64().ceil() as u64).max(1);
                    let mut resp = ApiError::new(
                        StatusCode::TOO_MANY_REQUESTS,
                        "rate_limited",
                        format!(
                            "rate limit exceeded for `{}`; retry in {secs} s",
                            caller.name
                        ),
                    )
                    .into_response();
                    resp.headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
                    return resp;
                }
            }
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    }
}

/// Whether the `Host` header (when present) names the loopback interface,
/// compared as a whole: `localhost`, an IPv4 address in 127.0.0.0/8
/// written as a full dotted quad, or `[::1]`, each with an optional
/// numeric port. A browser always sends the name it resolved; refusing
/// every other name stops DNS-rebinding pages (evil.example, or
/// 127.0.0.1.evil.example, resolving to 127.0.0.1) from using the keyless
/// localhost access. Clients that send no `Host` are not browsers.
fn local_host_header(headers: &HeaderMap) -> bool {
    let Some(h) = headers.get(header::HOST) else {
        return true;
    };
    let Ok(h) = h.to_str() else { return false };
    let (host, port) = if let Some(rest) = h.strip_prefix('[') {
        match rest.split_once(']') {
            Some((inner, tail)) => match tail {
                "" => (inner, None),
                t => match t.strip_prefix(':') {
                    Some(p) => (inner, Some(p)),
                    None => return false,
                },
            },
            None => return false,
        }
    } else {
        match h.split_once(':') {
            Some((a, p)) => (a, Some(p)),
            None => (h, None),
        }
    };
    if port.is_some_and(|p| p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    if h.starts_with('[') {
        return host
            .parse::<std::net::Ipv6Addr>()
            .is_ok_and(|a| a.is_loopback());
    }
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|a| a.is_loopback())
}

/// Who a request is from: known already, or a presented key to check.
enum Identity {
    Known(Caller),
    Key(String),
}

/// Checks a presented key off the async threads: a shared store's key
/// table is a database round trip (and its client must not run inside
/// this runtime). Keys are random and long; a wrong key is just
/// "unauthorized" (no hint whether the name or the secret was wrong).
async fn check_key(st: &Shared, key: String) -> Result<Caller, ApiError> {
    let app = st.app.clone();
    let checked = tokio::task::spawn_blocking(move || app.authenticate(&key))
        .await
        .map_err(|e| ApiError::internal("checking the API key", e))?;
    match checked {
        Ok(Some((name, role))) => Ok(Caller {
            name,
            access: Access::from_role(&role),
        }),
        Ok(None) => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the API key is not valid",
        )),
        Err(e) => Err(ApiError::internal("checking the API key", e)),
    }
}

fn identify(st: &Shared, req: &Request) -> Result<Identity, ApiError> {
    if let Some(key) = presented_key(req.headers())? {
        return Ok(Identity::Key(key));
    }
    // The peer address: set by `serve` (ConnectInfo), or by tests through
    // axum's MockConnectInfo layer.
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0)
        .or_else(|| {
            req.extensions()
                .get::<MockConnectInfo<SocketAddr>>()
                .map(|m| m.0)
        });
    let loopback = peer.is_some_and(|a| a.ip().is_loopback());
    if st.cfg.auth == AuthMode::OpenForLocalhost && loopback && local_host_header(req.headers()) {
        return Ok(Identity::Known(Caller {
            name: ANONYMOUS_LOCALHOST.to_string(),
            // Screening and deciding only: reviews need an identity.
            access: Access::Screen,
        }));
    }
    Err(ApiError::unauthorized())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_host_names_pass() {
        let h = |v: Option<&str>| {
            let mut m = HeaderMap::new();
            if let Some(v) = v {
                m.insert(header::HOST, HeaderValue::from_str(v).unwrap());
            }
            local_host_header(&m)
        };
        for ok in [
            None,
            Some("localhost:8000"),
            Some("127.0.0.1:8000"),
            Some("127.0.0.1"),
            Some("[::1]:8000"),
            Some("[::1]"),
            Some("LOCALHOST"),
            Some("127.5.6.7:1"),
        ] {
            assert!(h(ok), "{ok:?}");
        }
        for bad in [
            "evil.example:8000",
            "evil.example",
            "10.0.0.1:8000",
            "[2001:db8::1]:80",
            "localhost.evil.example",
            "127.0.0.1.evil.example",
            "127.0.0.1.evil.example:8000",
            "127.evil.example",
            "127.0.0.1:80:80",
            "127.0.0.1:",
            "127.0.0.1:8o",
            "127.1",
            "0177.0.0.1",
            "[::1].evil.example",
            "[::ffff:8.8.8.8]",
            "localhost:8000@evil.example",
            "::1",
        ] {
            assert!(!h(Some(bad)), "{bad}");
        }
    }
}
