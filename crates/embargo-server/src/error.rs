//! The one error type every handler returns.
//!
//! Every failure leaves the server as `{"error": {"code", "message"}}` with a
//! stable machine code and a message written for the caller. Internal errors
//! are logged in full and answered with a generic message, so file paths,
//! SQL and stack details never reach a client.

use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// A failed request: HTTP status, stable code, caller-facing message.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

/// The JSON body of every error response.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `bad_request`, `unauthorized`, `rate_limited`.
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "an API key is required: send `Authorization: Bearer <key>` or `X-API-Key: <key>`",
        )
    }
    pub fn forbidden(needed: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("this endpoint needs the `{needed}` role"),
        )
    }
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
    }
    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            message,
        )
    }
    /// Logs the real cause and answers with a message that names no internals.
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        tracing::error!(context, error = %err, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("internal error while {context}; the server log has details"),
        )
    }
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message.clone(),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body())).into_response()
    }
}

// axum's own rejections carry useful text (which field was wrong) but as
// plain text; rewrap them so clients always get the JSON error shape.
impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let status = r.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::too_large("request body is larger than the configured limit");
        }
        if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
            return ApiError::new(status, "unsupported_media_type", r.body_text());
        }
        // axum answers a well-formed body of the wrong shape with 422; we
        // use 400 for every invalid request so clients handle one code.
        ApiError::bad_request(r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::bad_request(r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::bad_request(r.body_text())
    }
}

impl From<BytesRejection> for ApiError {
    fn from(r: BytesRejection) -> Self {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large("request body is larger than the configured limit")
        } else {
            ApiError::bad_request(r.body_text())
        }
    }
}

impl From<embargo_app::AppError> for ApiError {
    fn from(e: embargo_app::AppError) -> Self {
        match e.kind() {
            embargo_app::ErrorKind::Invalid => ApiError::bad_request(e.to_string()),
            embargo_app::ErrorKind::NotFound => ApiError::not_found(e.to_string()),
            embargo_app::ErrorKind::Internal => {
                // The whole chain goes to the log: "cannot read …: Is a directory".
                let mut cause = e.to_string();
                let mut src = std::error::Error::source(&e);
                while let Some(s) = src {
                    cause.push_str(": ");
                    cause.push_str(&s.to_string());
                    src = s.source();
                }
                ApiError::internal("serving the request", cause)
            }
            embargo_app::ErrorKind::Unavailable => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "timeout", e.to_string())
            }
        }
    }
}
