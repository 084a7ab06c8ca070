//! The `/v1` routes: what a test suite calls to take a number, wait for the
//! message that reaches it, read the code and release it. Each handler is
//! annotated for the OpenAPI document, which is generated from them.

use std::{sync::Arc, time::Duration};

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    Json,
};
use numbot_core::{
    clock::rfc3339,
    inbox::{wait_for, InboxMessage, UseKey},
    tokens::ApiToken,
    Assignment, StoreError, TakeError, Taker,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    auth::Client,
    body::JsonBody,
    error::{ApiError, ErrorBody},
    ApiState,
};

/// Longest a request waits for messages.
pub const MAX_WAIT_SECS: u64 = 120;

/// A category and its free numbers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Category {
    /// The category's name, as admins named it.
    pub name: String,
    /// Numbers free now.
    pub available: u64,
}

/// What `POST /v1/numbers` asks for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TakeRequest {
    /// The category (exact name).
    pub category: String,
}

/// A number held through the API.
#[derive(Debug, Serialize, ToSchema)]
pub struct Use {
    /// Names this use in the other calls.
    pub use_id: String,
    /// E.164.
    pub number: String,
    /// As the country writes it.
    pub display: String,
    /// ISO 3166 alpha-2.
    pub country: String,
    /// The category it came from.
    pub category: String,
    /// When it goes back to the pool unless released first (RFC 3339).
    pub expires_at: String,
}

/// A message received on a use.
#[derive(Debug, Serialize, ToSchema)]
pub struct Message {
    /// Pass it as `after` to wait for the next one.
    pub id: u64,
    /// When the provider received it (RFC 3339).
    pub received_at: String,
    /// Its sender, where the provider gives one.
    pub sender: Option<String>,
    /// The text.
    pub text: String,
    /// The verification code found in it.
    pub code: Option<String>,
    /// Sent by someone the category does not expect (`[sms.senders]`):
    /// possibly forged; the use goes on.
    pub unexpected_sender: bool,
}

/// How the use ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ended {
    /// The use.
    pub use_id: String,
    /// `done` or `cancelled`.
    pub ended: &'static str,
}

/// `?wait=SECONDS&after=ID`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct WaitQuery {
    /// Seconds to wait for a message when none is there yet (at most 120).
    #[serde(default)]
    pub wait: u64,
    /// Only messages after this id.
    #[serde(default)]
    pub after: u64,
}

/// The use an id names: its holder and start. Ids are
/// `<token>.<slot>.<start>`, so that a use of another token is not one of
/// the caller's.
pub fn use_id(holder: i64, since: u32) -> String {
    let n = -holder;
    format!("{}.{}.{since}", n / 1000, n % 1000 - 1)
}

fn parse_use_id(client: &ApiToken, id: &str) -> Option<UseKey> {
    let mut parts = id.split('.');
    let token: i64 = parts.next()?.parse().ok()?;
    let slot: u32 = parts.next()?.parse().ok()?;
    let since: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || token != client.id || slot >= client.max_uses {
        return None;
    }
    Some(UseKey {
        holder: client.holder(slot),
        since,
    })
}

/// The assignment of a use that is current, else 404.
async fn current(state: &ApiState, key: UseKey) -> Result<Assignment, ApiError> {
    match state.numbers.store().holding(key.holder).await {
        Ok(Some(a)) if a.since == key.since => Ok(a),
        Ok(_) => Err(ApiError::not_found("no such use, or it ended")),
        Err(e) => Err(ApiError::internal(e)),
    }
}

async fn view(state: &ApiState, a: Assignment) -> Use {
    let shown = state.numbers.view(&a.number).await;
    Use {
        use_id: use_id(a.user, a.since),
        number: a.number,
        display: shown.display,
        country: shown.country,
        category: a.category,
        expires_at: rfc3339(i64::from(a.until)),
    }
}

/// Categories the token may take numbers of, with their free numbers.
#[utoipa::path(
    get,
    path = "/v1/categories",
    responses(
        (status = 200, body = [Category]),
        (status = 401, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn categories(
    State(state): State<Arc<ApiState>>,
    Client(client): Client,
) -> Result<Json<Vec<Category>>, ApiError> {
    let all = state
        .numbers
        .store()
        .categories()
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(
        all.into_iter()
            .filter(|(name, _)| client.allows(name))
            .map(|(name, available)| Category { name, available })
            .collect(),
    ))
}

/// Takes a number of a category.
#[utoipa::path(
    post,
    path = "/v1/numbers",
    request_body = TakeRequest,
    responses(
        (status = 201, body = Use),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "the token may not take numbers of this category"),
        (status = 409, body = ErrorBody, description = "no free number, or the token holds as many as it may"),
        (status = 413, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "over the token's limit; see Retry-After"),
    ),
    security(("bearer" = []))
)]
pub async fn take(
    State(state): State<Arc<ApiState>>,
    Client(client): Client,
    JsonBody(request): JsonBody<TakeRequest>,
) -> Result<(StatusCode, Json<Use>), ApiError> {
    if request.category.trim().is_empty() {
        return Err(ApiError::bad_request(
            Some("category".into()),
            "category is empty",
        ));
    }
    if !client.allows(&request.category) {
        return Err(ApiError::forbidden(format!(
            "this token may not take numbers of `{}`",
            request.category
        )));
    }
    let limit = client
        .numbers_per_window
        .or(state.numbers_per_window)
        .map(|max| numbot_core::NumberLimit {
            max: max.max(1) as usize,
            window: state.numbers.limit().window,
        });
    for holder in client.holders() {
        let taker = Taker {
            holder,
            account: client.account(),
            exempt: false,
            limit,
        };
        match state.numbers.take(taker, &request.category).await {
            Ok(a) => {
                audit(
                    &state,
                    &client,
                    "take",
                    format!("{} ({})", a.number, a.category),
                )
                .await;
                return Ok((StatusCode::CREATED, Json(view(&state, a).await)));
            }
            Err(TakeError::Store(StoreError::AlreadyAssigned { .. })) => continue,
            Err(TakeError::Limited { max, window, wait }) => {
                return Err(ApiError::rate_limited(
                    wait,
                    format!(
                        "{max} numbers per {}s taken; the next one in {}s",
                        window.as_secs(),
                        wait.as_secs().max(1)
                    ),
                ))
            }
            Err(TakeError::Store(StoreError::NoneAvailable(category))) => {
                return Err(ApiError::conflict(
                    "none_available",
                    format!("no free number in `{category}` now"),
                ))
            }
            Err(TakeError::Store(e)) => return Err(ApiError::internal(e)),
        }
    }
    Err(ApiError::conflict(
        "holding_max",
        format!(
            "this token holds {} numbers already, as many as it may: release one",
            client.max_uses
        ),
    ))
}

/// The token's uses now.
#[utoipa::path(
    get,
    path = "/v1/uses",
    responses((status = 200, body = [Use]), (status = 401, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn uses(
    State(state): State<Arc<ApiState>>,
    Client(client): Client,
) -> Result<Json<Vec<Use>>, ApiError> {
    let mut out = Vec::new();
    for holder in client.holders() {
        if let Some(a) = state
            .numbers
            .store()
            .holding(holder)
            .await
            .map_err(ApiError::internal)?
        {
            out.push(view(&state, a).await);
        }
    }
    Ok(Json(out))
}

/// The messages received on a use, waiting up to `wait` seconds for one.
#[utoipa::path(
    get,
    path = "/v1/uses/{use_id}/messages",
    params(("use_id" = String, Path, description = "from `POST /v1/numbers`"), WaitQuery),
    responses(
        (status = 200, body = [Message], description = "the messages after `after`; empty when none came in time"),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn messages(
    State(state): State<Arc<ApiState>>,
    Client(client): Client,
    Path(id): Path<String>,
    query: Result<Query<WaitQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<Message>>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(None, e.body_text()))?;
    if query.wait > MAX_WAIT_SECS {
        return Err(ApiError::bad_request(
            Some("wait".into()),
            format!("wait is at most {MAX_WAIT_SECS} seconds"),
        ));
    }
    let key = parse_use_id(&client, &id).ok_or_else(|| ApiError::not_found("no such use"))?;
    let inbox = &*state.inbox;
    let known = !inbox
        .after(key, 0)
        .await
        .map_err(ApiError::internal)?
        .is_empty();
    if !known {
        current(&state, key).await?;
    }
    let found = wait_for(inbox, key, query.after, Duration::from_secs(query.wait))
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(found.into_iter().map(message).collect()))
}

fn message(m: InboxMessage) -> Message {
    Message {
        id: m.id,
        received_at: rfc3339(m.received_at),
        sender: m.sender,
        text: m.text,
        code: m.code,
        unexpected_sender: m.unexpected_sender,
    }
}

/// The use is done: the number goes back by the pool's reuse rule.
#[utoipa::path(
    post,
    path = "/v1/uses/{use_id}/done",
    params(("use_id" = String, Path)),
    responses((status = 200, body = Ended), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn done(
    State(state): State<Arc<ApiState>>,
    Client(client): Client,
    Path(id): Path<String>,
) -> Result<Json<Ended>, ApiError> {
    let key = parse_use_id(&client, &id).ok_or_else(|| ApiError::not_found("no such use"))?;
    let a = current(&state, key).await?;
    let ended = state
        .numbers
        .store()
        .complete_use(key.holder, &a.number, key.since)
        .await
        .map_err(ApiError::internal)?;
    if !ended {
        return Err(ApiError::not_found("no such use, or it ended"));
    }
    audit(&state, &client, "done", a.number).await;
    Ok(Json(Ended {
        use_id: id,
        ended: "done",
    }))
}

/// The use is cancelled: the number goes back at once.
#[utoipa::path(
    post,
    path = "/v1/uses/{use_id}/cancel",
    params(("use_id" = String, Path)),
    responses((status = 200, body = Ended), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn cancel(
    State(state): State<Arc<ApiState>>,
    Client(client): Client,
    Path(id): Path<String>,
) -> Result<Json<Ended>, ApiError> {
    let key = parse_use_id(&client, &id).ok_or_else(|| ApiError::not_found("no such use"))?;
    let a = current(&state, key).await?;
    match state.numbers.store().cancel(key.holder).await {
        Ok(()) => {}
        Err(StoreError::NotAssigned(_)) => {
            return Err(ApiError::not_found("no such use, or it ended"))
        }
        Err(e) => return Err(ApiError::internal(e)),
    }
    audit(&state, &client, "release", a.number).await;
    Ok(Json(Ended {
        use_id: id,
        ended: "cancelled",
    }))
}

async fn audit(state: &ApiState, client: &ApiToken, action: &str, detail: String) {
    let event = numbot_core::AuditEvent {
        at: numbot_core::clock::unix_now(),
        actor: client.account(),
        action: action.to_string(),
        detail: format!("api token {}: {detail}", client.name),
    };
    if let Err(e) = state.numbers.users().audit(event).await {
        tracing::error!("audit trail: {e}");
    }
}
