//! API errors: a status, a machine-readable code, a message for people and,
//! for a malformed request, the field at fault. Every refusal goes out as
//! `{"error": {"code", "message", "field"?}}`.

use std::time::Duration;

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use numbot_core::{StoreError, UserStoreError};
use serde::Serialize;
use utoipa::ToSchema;

/// A refusal.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
    retry_after: Option<Duration>,
}

/// What a refusal says.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The refusal itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Machine-readable: `unauthorized`, `bad_request`, `not_found`,
    /// `forbidden`, `none_available`, `holding_max`, `rate_limited`,
    /// `too_many_requests`, `too_many_waits`, `too_many_lookups`,
    /// `too_large`, `internal`, `unavailable`.
    pub code: &'static str,
    /// For people.
    pub message: String,
    /// The request field at fault, for `bad_request`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                error: ErrorDetail {
                    code,
                    message: message.into(),
                    field: None,
                },
            },
            retry_after: None,
        }
    }

    /// The machine-readable code.
    pub fn code(&self) -> &'static str {
        self.body.error.code
    }

    /// 401: no token, or not a live one.
    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "send `Authorization: Bearer <token>` with a token from `numbot token create`",
        )
    }

    /// 400, naming the field at fault when there is one.
    pub fn bad_request(field: Option<String>, message: impl Into<String>) -> ApiError {
        let mut e = ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message);
        e.body.error.field = field;
        e
    }

    /// 404: no such use for this token.
    pub fn not_found(what: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", what)
    }

    /// 403: the token may not do this.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 409: the pool cannot give what was asked now.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, code, message)
    }

    /// 429, with `Retry-After`.
    pub fn rate_limited(wait: Duration, message: impl Into<String>) -> ApiError {
        let mut e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message);
        e.retry_after = Some(wait);
        e
    }

    /// 429: the token sends requests faster than `[api] requests_per_second`.
    pub fn too_many_requests(wait: Duration) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            "this token sends requests too fast; slow down",
        );
        e.retry_after = Some(wait);
        e
    }

    /// 429: the token (or the process) holds as many waiting requests as
    /// it may.
    pub fn too_many_waits(per_token: bool) -> ApiError {
        let message = if per_token {
            "this token holds as many waiting requests as it may; wait for one to end"
        } else {
            "numbot holds as many waiting requests as it may; try again shortly"
        };
        let mut e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_waits", message);
        e.retry_after = Some(Duration::from_secs(1));
        e
    }

    /// 429: this address presented too many tokens numbot had to look up.
    pub fn too_many_lookups(wait: Duration) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_lookups",
            "too many unknown tokens from this address; slow down",
        );
        e.retry_after = Some(wait.max(Duration::from_secs(1)));
        e
    }

    /// 413: the body is over the limit.
    pub fn too_large(limit: usize) -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the body is over {limit} bytes"),
        )
    }

    /// 500: numbot's side failed; nothing was changed (logged in full).
    pub fn internal(e: impl std::fmt::Display) -> ApiError {
        tracing::error!("api: {e}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "numbot failed on its side; nothing was changed",
        )
    }

    /// 503, with `Retry-After`: the storage cannot be reached or written
    /// now (a database down, a full disk); nothing was changed.
    pub fn unavailable(e: impl std::fmt::Display) -> ApiError {
        tracing::error!("api: {e}");
        let mut e = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "numbot cannot reach its storage now; nothing was changed, try again shortly",
        );
        e.retry_after = Some(Duration::from_secs(1));
        e
    }

    /// A pool failure: 503 when it may pass (the database, the disk), 500
    /// otherwise.
    pub fn store(e: StoreError) -> ApiError {
        match e {
            StoreError::Database { .. } | StoreError::Io { .. } | StoreError::Stopped(_) => {
                ApiError::unavailable(e)
            }
            e => ApiError::internal(e),
        }
    }

    /// A records failure (tokens, limits): as [`ApiError::store`].
    pub fn records(e: UserStoreError) -> ApiError {
        match e {
            UserStoreError::Database { .. }
            | UserStoreError::Io { .. }
            | UserStoreError::Stopped => ApiError::unavailable(e),
            e => ApiError::internal(e),
        }
    }

    /// How long the client should wait, for refusals that say.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// The status it answers with.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(wait) = self.retry_after {
            let secs = wait.as_secs_f64().ceil().max(1.0).to_string();
            if let Ok(value) = HeaderValue::from_str(&secs) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}
