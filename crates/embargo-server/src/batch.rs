//! `POST /v1/batch`: NDJSON in, NDJSON out, streamed.
//!
//! Each input line is one `ScreenRequest`. Each output line answers the
//! input line with the same number: `{"line", "id", "results", "audit_seq"}`
//! or `{"line", "id", "error": {"code", "message"}}`; a bad line never stops
//! the batch. Lines are answered as they are read, so a client can pipe a
//! large file through without either side holding it in memory. The whole
//! batch runs on one snapshot, so every line names the same list versions
//! (sent first, as a `{"list_versions": [...]}` header line).
//!
//! Limits: at most `max_batch` non-empty lines (the rest get one final
//! error line), at most 64 KiB per line, at most `batch_body_limit` bytes
//! (413 up front when `Content-Length` says so, else an error line).

use crate::auth::{Access, Caller};
use crate::error::{ApiError, ErrorBody};
use crate::media::media_type;
use crate::screen::{screen_and_audit, ScreenRequest};
use crate::state::{AppState, Shared};
use axum::body::{Body, Bytes};
use axum::extract::{Extension, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::convert::Infallible;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Longest accepted NDJSON line.
const MAX_LINE: usize = 64 * 1024;

/// Screen many subjects: one JSON `ScreenRequest` per line (role `screen`).
#[utoipa::path(post, path = "/v1/batch", tag = "native",
    request_body(content = String, description = "NDJSON: one ScreenRequest object per line", content_type = "application/x-ndjson"),
    responses((status = 200, description = "NDJSON: a `{list_versions}` header line, then one result or error line per input line", content_type = "application/x-ndjson", body = String),
              (status = 401, body = ErrorBody), (status = 413, body = ErrorBody)),
    security(("api_key" = []), ("bearer" = [])))]
pub async fn batch(
    State(st): State<Shared>,
    Extension(caller): Extension<Caller>,
    req: Request,
) -> Result<Response, ApiError> {
    caller.require(Access::Screen)?;
    // Refuse the content types an HTML form can send without a CORS
    // preflight, so a web page cannot drive a keyless localhost server.
    let ct = media_type(req.headers()).unwrap_or_default();
    if matches!(
        ct.as_str(),
        "" | "text/plain" | "application/x-www-form-urlencoded" | "multipart/form-data"
    ) {
        return Err(ApiError::unsupported_media_type(
            "send the batch as `Content-Type: application/x-ndjson`",
        ));
    }
    let limit = st.cfg.batch_body_limit;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::too_large(format!(
            "batch body is larger than {limit} bytes; split the file"
        )));
    }
    let (tx, rx) = mpsc::channel::<Bytes>(32);
    let body = req.into_body();
    tokio::spawn(run(st, caller, body, tx));
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, Infallible>(b), rx))
    });
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(stream),
    )
        .into_response())
}

fn line_bytes(v: &Value) -> Bytes {
    let mut s = v.to_string();
    s.push('\n');
    Bytes::from(s)
}

fn error_line(line: usize, id: Option<&str>, e: &ApiError) -> Value {
    json!({"line": line, "id": id, "error": {"code": e.code, "message": e.message}})
}

async fn run(st: Shared, caller: Caller, body: Body, tx: mpsc::Sender<Bytes>) {
    let snap = st.app.snapshot();
    if tx
        .send(line_bytes(&json!({"list_versions": snap.version_labels()})))
        .await
        .is_err()
    {
        return;
    }
    let mut data = body.into_data_stream();
    let mut buf: Vec<u8> = Vec::new();
    let mut line_no = 0usize;
    let mut screened = 0usize;
    let mut received = 0usize;
    let max = st.cfg.max_batch;
    let limit = st.cfg.batch_body_limit;
    loop {
        let chunk = data.next().await;
        let last = chunk.is_none();
        match chunk {
            Some(Ok(b)) => {
                received += b.len();
                if received > limit {
                    let err = ApiError::too_large(format!(
                        "batch body is larger than {limit} bytes; lines from {} on were not screened",
                        line_no + 1
                    ));
                    let _ = tx
                        .send(line_bytes(&error_line(line_no + 1, None, &err)))
                        .await;
                    return;
                }
                buf.extend_from_slice(&b);
            }
            Some(Err(e)) => {
                // The client broke off the upload; say where we stopped.
                let err = ApiError::bad_request(format!("reading the request body failed: {e}"));
                let _ = tx
                    .send(line_bytes(&error_line(line_no + 1, None, &err)))
                    .await;
                return;
            }
            None => {}
        }
        // Complete lines (and, at the end, the final unterminated one).
        loop {
            let line: Vec<u8> = match buf.iter().position(|&c| c == b'\n') {
                Some(pos) => buf.drain(..=pos).collect(),
                None if last && !buf.is_empty() => std::mem::take(&mut buf),
                None => break,
            };
            line_no += 1;
            // The limit holds however the line arrived: in pieces, or
            // whole inside one chunk with its newline.
            if line.len() > MAX_LINE + 2 || line.trim_ascii_end().len() > MAX_LINE {
                let err = ApiError::too_large(format!(
                    "line {line_no} is longer than {MAX_LINE} bytes; lines from {line_no} on were not screened"
                ));
                let _ = tx.send(line_bytes(&error_line(line_no, None, &err))).await;
                return;
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            if screened >= max {
                let err = ApiError::too_large(format!(
                    "batch has more than {max} lines; lines from {line_no} on were not screened"
                ));
                let _ = tx.send(line_bytes(&error_line(line_no, None, &err))).await;
                return;
            }
            screened += 1;
            let out = one_line(&st, &snap, &caller, line_no, text.to_string()).await;
            if tx.send(line_bytes(&out)).await.is_err() {
                return; // client went away
            }
        }
        if buf.len() > MAX_LINE {
            let err = ApiError::too_large(format!(
                "line {} is longer than {MAX_LINE} bytes",
                line_no + 1
            ));
            let _ = tx
                .send(line_bytes(&error_line(line_no + 1, None, &err)))
                .await;
            return;
        }
        if last {
            return;
        }
    }
}

async fn one_line(
    st: &Shared,
    snap: &Arc<embargo_app::Snapshot>,
    caller: &Caller,
    line: usize,
    text: String,
) -> Value {
    let req: ScreenRequest = match serde_json::from_str(&text) {
        Ok(r) => r,
        Err(e) => {
            return error_line(
                line,
                None,
                &ApiError::bad_request(format!("not a screen request: {e}")),
            );
        }
    };
    let id = req.id.clone();
    let subject = match req.validate() {
        Ok(s) => s,
        Err(e) => return error_line(line, id.as_deref(), &e),
    };
    let st2: Arc<AppState> = st.clone();
    let snap = snap.clone();
    let actor = caller.name.clone();
    let res =
        tokio::task::spawn_blocking(move || screen_and_audit(&st2, &snap, &actor, &subject)).await;
    match res {
        Ok(Ok((results, seq))) => {
            json!({"line": line, "id": id, "results": results, "audit_seq": seq})
        }
        Ok(Err(e)) => error_line(line, id.as_deref(), &e),
        Err(e) => error_line(
            line,
            id.as_deref(),
            &ApiError::internal("screening a batch line", e),
        ),
    }
}
