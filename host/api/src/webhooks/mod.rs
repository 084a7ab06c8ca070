//! Message webhooks: a token sets a URL (`PUT /v1/webhook`, the secret
//! shown once), and every message relayed to its uses is posted there as
//! JSON, signed, from a queue in the store (see [`sender`]); the tries are
//! listed at `GET /v1/webhook/deliveries`.

pub mod address;
pub(crate) mod sender;

use std::sync::Arc;

use axum::{extract::State, http::StatusCode, Json};
use numbot_core::{
    clock::rfc3339,
    hooks::{Delivery, DeliveryState},
    UseId,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    auth::Client,
    body::JsonBody,
    error::{ApiError, ErrorBody},
    routes::Message,
    ApiState,
};

pub use sender::signature;

/// `[api.webhooks]` of the configuration.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// Allow webhooks on private, loopback and link-local addresses (a
    /// receiver inside the company network); off by default, so that a
    /// token cannot make numbot call into the network it runs in.
    #[serde(default)]
    pub allow_private: bool,
    /// How long a delivery is tried before it is given up.
    #[serde(default = "default_retry_for_secs")]
    pub retry_for_secs: u64,
    /// How long one try may take.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

fn default_retry_for_secs() -> u64 {
    3600
}

fn default_timeout_ms() -> u64 {
    10_000
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            allow_private: false,
            retry_for_secs: default_retry_for_secs(),
            timeout_ms: default_timeout_ms(),
        }
    }
}

/// What `PUT /v1/webhook` asks for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookRequest {
    /// Where to post messages: an http or https URL of a host name or an
    /// IPv4 address.
    #[schema(
        max_length = 2048,
        pattern = r"^https?://(([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?|((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]))(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?([/?#]\S*)?$"
    )]
    pub url: String,
}

/// The webhook just set.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookSet {
    /// Where messages are posted.
    pub url: String,
    /// The key of `X-Numbot-Signature` (`sha256=` and the hex HMAC-SHA256
    /// of the body): shown this once.
    pub secret: String,
    /// When it was set (RFC 3339).
    pub created_at: String,
}

/// The token's webhook.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookShown {
    /// Where messages are posted.
    pub url: String,
    /// When it was set (RFC 3339).
    pub created_at: String,
}

/// One delivery and its tries.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryShown {
    /// The delivery.
    pub id: u64,
    /// The `event` of the payload (and `X-Numbot-Event`).
    pub event: String,
    /// `pending`, `delivered` or `failed`.
    pub state: &'static str,
    /// Tries so far.
    pub attempts: u32,
    /// When it was queued (RFC 3339).
    pub created_at: String,
    /// When it was last tried.
    pub last_attempt_at: Option<String>,
    /// The receiver's last status.
    pub last_status: Option<u16>,
    /// Why the last try failed.
    pub last_error: Option<String>,
    /// When a pending one is tried next.
    pub next_attempt_at: Option<String>,
}

/// What a webhook receives for each message.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageEvent {
    /// The same for the same message however often it comes: de-duplicate
    /// on it.
    pub event: String,
    /// `message`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The use the message reached.
    pub use_id: String,
    /// Its number (E.164).
    pub number: String,
    /// The message, as `GET /v1/uses/{use_id}/messages` shows it.
    pub message: Message,
}

impl MessageEvent {
    /// The event of `message` on use `id` of `number`.
    pub fn new(id: UseId, number: &str, message: Message) -> MessageEvent {
        MessageEvent {
            event: format!("{id}.{}", message.id),
            kind: "message",
            use_id: id.to_string(),
            number: number.to_string(),
            message,
        }
    }
}

fn shown(d: Delivery) -> DeliveryShown {
    DeliveryShown {
        id: d.id,
        event: d.event,
        state: match d.state {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        },
        attempts: d.attempts,
        created_at: rfc3339(d.created_at),
        last_attempt_at: d.last_at.map(rfc3339),
        last_status: d.last_status,
        last_error: d.last_error,
        next_attempt_at: (d.state == DeliveryState::Pending).then(|| rfc3339(d.next_at)),
    }
}

/// Sets the token's webhook (replacing any) with a new secret.
#[utoipa::path(
    put,
    path = "/v1/webhook",
    request_body = WebhookRequest,
    responses(
        (status = 200, body = WebhookSet),
        (status = 403, body = ErrorBody, description = "a private, loopback or link-local address, which `[api.webhooks] allow_private` does not allow"),
    ),
    security(("bearer" = []))
)]
pub async fn set_webhook(
    State(state): State<Arc<ApiState>>,
    Client(client): Client,
    JsonBody(request): JsonBody<WebhookRequest>,
) -> Result<Json<WebhookSet>, ApiError> {
    if request.url.len() > 2048 {
        return Err(ApiError::bad_request(
            Some("url".into()),
            "url is over 2,048 bytes",
        ));
    }
    let url = match address::check(&request.url, state.webhooks.allow_private) {
        Ok(url) => url,
        Err(e @ address::UrlProblem::NotAUrl) => {
            return Err(ApiError::bad_request(Some("url".into()), e.to_string()))
        }
        // A well-formed URL numbot is configured not to call.
        Err(e) => return Err(ApiError::forbidden(e.to_string())),
    };
    let hook = state
        .numbers
        .set_webhook(&client, url.as_str())
        .await
        .map_err(ApiError::records)?;
    Ok(Json(WebhookSet {
        url: hook.url,
        secret: hook.secret,
        created_at: rfc3339(hook.created_at),
    }))
}

/// The token's webhook.
#[utoipa::path(
    get,
    path = "/v1/webhook",
    responses(
        (status = 200, body = WebhookShown),
        (status = 404, body = ErrorBody, description = "the token has no webhook"),
    ),
    security(("bearer" = []))
)]
pub async fn webhook(
    State(state): State<Arc<ApiState>>,
    Client(client): Client,
) -> Result<Json<WebhookShown>, ApiError> {
    match state
        .numbers
        .webhook(client.id)
        .await
        .map_err(ApiError::records)?
    {
        Some(hook) => Ok(Json(WebhookShown {
            url: hook.url,
            created_at: rfc3339(hook.created_at),
        })),
        None => Err(ApiError::not_found("this token has no webhook")),
    }
}

/// Removes the token's webhook; deliveries already queued are still tried.
#[utoipa::path(
    delete,
    path = "/v1/webhook",
    responses(
        (status = 204, description = "removed"),
        (status = 404, body = ErrorBody, description = "the token has no webhook"),
    ),
    security(("bearer" = []))
)]
pub async fn remove_webhook(
    State(state): State<Arc<ApiState>>,
    Client(client): Client,
) -> Result<StatusCode, ApiError> {
    if state
        .numbers
        .remove_webhook(&client)
        .await
        .map_err(ApiError::records)?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("this token has no webhook"))
    }
}

/// The token's latest deliveries (at most 100), newest first.
#[utoipa::path(
    get,
    path = "/v1/webhook/deliveries",
    responses((status = 200, body = [DeliveryShown])),
    security(("bearer" = []))
)]
pub async fn deliveries(
    State(state): State<Arc<ApiState>>,
    Client(client): Client,
) -> Result<Json<Vec<DeliveryShown>>, ApiError> {
    let list = state
        .numbers
        .webhook_deliveries(client.id)
        .await
        .map_err(ApiError::records)?;
    Ok(Json(list.into_iter().map(shown).collect()))
}

#[cfg(test)]
mod tests {
    use utoipa::PartialSchema;

    use super::*;

    #[test]
    fn the_documented_pattern_is_the_one_checked() {
        let schema = serde_json::to_value(WebhookRequest::schema()).unwrap();
        assert_eq!(schema["properties"]["url"]["pattern"], address::PATTERN);
    }
}
