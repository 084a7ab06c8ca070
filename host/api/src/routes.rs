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
    clock::rfc3339, inbox::InboxMessage, numbers::MessagesError, tokens::ApiToken, Account,
    Assignment, StoreError, TakeError, UseId,
};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast::error::RecvError;
use utoipa::{IntoParams, ToSchema};

use crate::{
    auth::Client,
    body::JsonBody,
    error::{ApiError, ErrorBody},
    ApiState,
};

/// Longest a request waits for messages.
pub const MAX_WAIT_SECS: u64 = 120;

/// How often a waiting request checks that its token is still live.
const LIVENESS_EVERY: Duration = Duration::from_secs(5);

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
    #[schema(min_length = 1, pattern = r"\S")]
    pub category: String,
    /// Seconds to wait for a number when none is free (at most 120): the
    /// first to wait gets the first released. Without it, `409` at once.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 120)]
    pub wait: u64,
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
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WaitQuery {
    /// Seconds to wait for a message when none is there yet (at most 120).
    #[serde(default)]
    #[param(minimum = 0, maximum = 120)]
    pub wait: u64,
    /// Only messages after this id.
    #[serde(default)]
    #[param(minimum = 0)]
    pub after: i64,
}

/// The use an id names: ids are the store's use ids, written in decimal.
fn parse_use_id(id: &str) -> Result<UseId, ApiError> {
    id.parse().map_err(|_| ApiError::not_found("no such use"))
}

async fn view(state: &ApiState, a: Assignment) -> Use {
    let shown = state.numbers.view(&a.number).await;
    Use {
        use_id: a.id.to_string(),
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
    ),
    security(("bearer" = []))
)]
pub async fn categories(
    State(state): State<Arc<ApiState>>,
    Client(client): Client,
) -> Result<Json<Vec<Category>>, ApiError> {
    let all = state.numbers.categories().await.map_err(ApiError::store)?;
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
        (status = 403, body = ErrorBody, description = "the token may not take numbers of this category"),
        (status = 409, body = ErrorBody, description = "no free number (within `wait`, when given: `none_available`), or the token holds as many as it may (`holding_max`)"),
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
    if request.wait > MAX_WAIT_SECS {
        return Err(ApiError::bad_request(
            Some("wait".into()),
            format!("wait is at most {MAX_WAIT_SECS} seconds"),
        ));
    }
    let _wait = if request.wait > 0 {
        Some(state.waits.enter(client.id)?)
    } else {
        None
    };
    let taken = if request.wait == 0 {
        let account = Account::Token(client);
        state.numbers.take(&account, &request.category).await
    } else {
        let cancelled = revoked(&state, &client);
        let account = Account::Token(client);
        state
            .numbers
            .take_waiting(
                &account,
                &request.category,
                Duration::from_secs(request.wait),
                cancelled,
            )
            .await
    };
    match taken {
        Ok(a) => Ok((StatusCode::CREATED, Json(view(&state, a).await))),
        Err(e @ TakeError::Forbidden(_)) => Err(ApiError::forbidden(e.to_string())),
        Err(e @ TakeError::HoldingMax(_)) => Err(ApiError::conflict("holding_max", e.to_string())),
        Err(TakeError::Limited { max, window, wait }) => Err(ApiError::rate_limited(
            wait,
            format!(
                "{max} numbers per {}s taken; the next one in {}s",
                window.as_secs(),
                wait.as_secs().max(1)
            ),
        )),
        Err(TakeError::Store(StoreError::NoneAvailable(category))) => Err(ApiError::conflict(
            "none_available",
            format!("no free number in `{category}` now"),
        )),
        Err(TakeError::Store(e)) => Err(ApiError::store(e)),
        Err(TakeError::Queue(e)) => Err(ApiError::unavailable(e)),
    }
}

/// Fires when `client`'s token is revoked: at once in the process that
/// revoked it, within seconds on the other replicas.
fn revoked(state: &Arc<ApiState>, client: &ApiToken) -> impl std::future::Future<Output = ()> {
    let token = client.clone();
    let mut revoked = state.numbers.revocations();
    let watcher = state.clone();
    async move {
        let mut every = tokio::time::interval(LIVENESS_EVERY);
        every.tick().await;
        loop {
            tokio::select! {
                r = revoked.recv() => match r {
                    Ok(t) if t == token.id => return,
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => std::future::pending::<()>().await,
                },
                _ = every.tick() => {
                    if !watcher.tokens.live(&watcher.numbers, &token).await {
                        return;
                    }
                }
            }
        }
    }
}

/// The token's uses now.
#[utoipa::path(
    get,
    path = "/v1/uses",
    responses((status = 200, body = [Use])),
    security(("bearer" = []))
)]
pub async fn uses(
    State(state): State<Arc<ApiState>>,
    Client(client): Client,
) -> Result<Json<Vec<Use>>, ApiError> {
    let held = state
        .numbers
        .uses(&Account::Token(client))
        .await
        .map_err(ApiError::store)?;
    let mut out = Vec::with_capacity(held.len());
    for a in held {
        out.push(view(&state, a).await);
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
    let after = u64::try_from(query.after)
        .map_err(|_| ApiError::bad_request(Some("after".into()), "after is not negative"))?;
    if query.wait > MAX_WAIT_SECS {
        return Err(ApiError::bad_request(
            Some("wait".into()),
            format!("wait is at most {MAX_WAIT_SECS} seconds"),
        ));
    }
    let id = parse_use_id(&id)?;
    let _wait = if query.wait > 0 {
        Some(state.waits.enter(client.id)?)
    } else {
        None
    };
    let cancelled = revoked(&state, &client);
    let found = state
        .numbers
        .messages(
            &Account::Token(client),
            id,
            after,
            Duration::from_secs(query.wait),
            cancelled,
        )
        .await
        .map_err(|e| match e {
            MessagesError::NotFound => ApiError::not_found("no such use, or it ended"),
            MessagesError::Store(e) => ApiError::store(e),
            e => ApiError::internal(e),
        })?;
    Ok(Json(found.into_iter().map(message).collect()))
}

/// A kept message as the API shows it.
pub(crate) fn message(m: InboxMessage) -> Message {
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
    responses((status = 200, body = Ended), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn done(
    State(state): State<Arc<ApiState>>,
    Client(client): Client,
    Path(id): Path<String>,
) -> Result<Json<Ended>, ApiError> {
    let use_id = parse_use_id(&id)?;
    ended(state.numbers.done(&Account::Token(client), use_id).await)?;
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
    responses((status = 200, body = Ended), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn cancel(
    State(state): State<Arc<ApiState>>,
    Client(client): Client,
    Path(id): Path<String>,
) -> Result<Json<Ended>, ApiError> {
    let use_id = parse_use_id(&id)?;
    ended(state.numbers.release(&Account::Token(client), use_id).await)?;
    Ok(Json(Ended {
        use_id: id,
        ended: "cancelled",
    }))
}

/// A use ended, or the answer saying why not.
fn ended(result: Result<Assignment, StoreError>) -> Result<(), ApiError> {
    match result {
        Ok(_) => Ok(()),
        Err(StoreError::NotCurrent(_)) => Err(ApiError::not_found("no such use, or it ended")),
        Err(e) => Err(ApiError::store(e)),
    }
}
