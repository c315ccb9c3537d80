//! The accept loop: HTTP/1.1 connections with a header-read timeout and a
//! connection cap, so idle or slow connections cannot starve the server.
//!
//! Data structure: `Conns`, a map from connection number to its state
//! (`busy`: requests in flight; `kill`: a signal that closes it; `opened`).
//! When a connection arrives and `max_connections` are open, the oldest
//! connection with no request in flight (idle keep-alive, or one that has
//! not finished sending its headers) is closed to make room; if every
//! connection is busy the new one is closed instead. A connection that does
//! not send a complete request head within `header_read_timeout` is closed
//! by hyper. So a flood of 20,000 idle connections costs at most
//! `max_connections` file descriptors, and `/healthz` still gets a slot.

use crate::config::ServerConfig;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::Notify;

struct ConnState {
    busy: AtomicUsize,
    kill: Notify,
    opened: Instant,
}

#[derive(Default)]
struct Conns {
    next: u64,
    open: HashMap<u64, Arc<ConnState>>,
}

impl Conns {
    /// Makes room for one more connection under `cap`: true when there is
    /// room (closing the oldest idle connection if needed).
    fn admit(&mut self, cap: usize) -> bool {
        if self.open.len() < cap {
            return true;
        }
        let victim = self
            .open
            .iter()
            .filter(|(_, c)| c.busy.load(Ordering::Acquire) == 0)
            .min_by_key(|(_, c)| c.opened)
            .map(|(id, _)| *id);
        match victim.and_then(|id| self.open.remove(&id)) {
            Some(c) => {
                c.kill.notify_one();
                true
            }
            None => false,
        }
    }
}

/// Counts a request in flight on its connection while alive.
struct Busy(Arc<ConnState>);
impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then lets
/// in-flight requests finish.
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    cfg: &ServerConfig,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let conns = Arc::new(Mutex::new(Conns::default()));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(cfg.header_read_timeout)
        .keep_alive(true);
    let cap = cfg.max_connections.max(1);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors or similar: say so, back off
                    // briefly instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let (id, state) = {
            let mut c = conns.lock().unwrap_or_else(|p| p.into_inner());
            if !c.admit(cap) {
                tracing::warn!(%peer, cap, "connection refused: every connection is busy");
                drop(stream);
                continue;
            }
            let id = c.next;
            c.next += 1;
            let state = Arc::new(ConnState {
                busy: AtomicUsize::new(0),
                kill: Notify::new(),
                opened: Instant::now(),
            });
            c.open.insert(id, state.clone());
            (id, state)
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let st = state.clone();
        let svc = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            st.busy.fetch_add(1, Ordering::AcqRel);
            let busy = Busy(st.clone());
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo::<SocketAddr>(peer));
            let call = tower::ServiceExt::oneshot(router.clone(), req.map(axum::body::Body::new));
            async move {
                let r = call.await;
                drop(busy);
                r
            }
        });
        let conn = graceful.watch(builder.serve_connection(TokioIo::new(stream), svc));
        let conns = conns.clone();
        tokio::spawn(async move {
            tokio::select! {
                r = conn => {
                    if let Err(e) = r {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
                    }
                }
                _ = state.kill.notified() => {
                    tracing::debug!(%peer, "idle connection closed to make room");
                }
            }
            conns
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .open
                .remove(&id);
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(cfg.request_timeout) => {
            tracing::warn!("shutdown: connections still open after the request timeout were dropped");
        }
    }
}
