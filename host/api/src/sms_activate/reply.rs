//! The protocol's answers: always HTTP 200, plain text with nothing after
//! it, or a JSON object.

use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::Value;

/// One answer.
pub(crate) struct Reply {
    body: String,
    json: bool,
}

impl Reply {
    pub(crate) fn text(text: impl Into<String>) -> Reply {
        Reply {
            body: text.into(),
            json: false,
        }
    }

    pub(crate) fn json(value: Value) -> Reply {
        Reply {
            body: value.to_string(),
            json: true,
        }
    }

    /// The bytes sent.
    #[cfg(test)]
    pub(crate) fn body(&self) -> &str {
        &self.body
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let kind = if self.json {
            "application/json"
        } else {
            "text/plain; charset=utf-8"
        };
        (StatusCode::OK, [(header::CONTENT_TYPE, kind)], self.body).into_response()
    }
}
