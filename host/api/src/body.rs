//! JSON bodies read strictly: a body that does not parse, lacks a field or
//! has one it should not is a 400 naming the field; one over the limit is
//! a 413. Nothing a client sends reaches a handler half-read.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body of `T`.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !json {
            return Err(ApiError::bad_request(
                None,
                "send the body as JSON (Content-Type: application/json)",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::too_large(crate::MAX_BODY)
            } else {
                ApiError::bad_request(None, e.body_text())
            }
        })?;
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(&mut de) {
            Ok(value) => Ok(JsonBody(value)),
            Err(e) => {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let field = match path.as_str() {
                    "." | "" => missing_or_unknown(&inner.to_string()),
                    p => Some(p.to_string()),
                };
                Err(ApiError::bad_request(field, inner.to_string()))
            }
        }
    }
}

/// The field serde names in "missing field `x`" or "unknown field `x`".
fn missing_or_unknown(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let end = message[start..].find('`')? + start;
    Some(message[start..end].to_string())
}
