//! The control API: what tests (and people trying the demo) do as users.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, Query, State as Extract},
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use serde_json::{json, Value};

use super::state::{State, TestUser};

pub(super) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/control/users/{id}/text", post(text))
        .route("/control/users/{id}/document", post(document))
        .route("/control/users/{id}/press", post(press))
        .route("/control/chats/{id}/transcript", get(transcript))
        .route("/control/throttle", post(throttle))
        .route("/control/members", post(member))
        .with_state(state)
}

async fn text(
    Extract(state): Extract<Arc<State>>,
    Path(id): Path<i64>,
    body: String,
) -> Json<Value> {
    Json(json!({"update_id": state.user_message(&TestUser::new(id), Some(&body), None)}))
}

#[derive(Deserialize)]
struct DocumentQuery {
    name: String,
    caption: Option<String>,
}

async fn document(
    Extract(state): Extract<Arc<State>>,
    Path(id): Path<i64>,
    Query(q): Query<DocumentQuery>,
    body: Bytes,
) -> Json<Value> {
    let update = state.user_document(
        &TestUser::new(id),
        &q.name,
        body.to_vec(),
        q.caption.as_deref(),
    );
    Json(json!({"update_id": update}))
}

#[derive(Deserialize)]
struct Press {
    message_id: i64,
    data: String,
}

async fn press(
    Extract(state): Extract<Arc<State>>,
    Path(id): Path<i64>,
    Json(p): Json<Press>,
) -> Json<Value> {
    Json(json!({"update_id": state.callback(&TestUser::new(id), p.message_id, &p.data)}))
}

async fn transcript(Extract(state): Extract<Arc<State>>, Path(id): Path<i64>) -> Json<Value> {
    Json(serde_json::to_value(state.transcript(id)).unwrap_or_default())
}

#[derive(Deserialize)]
struct Throttle {
    count: u32,
    retry_after: u32,
    /// Only this method, when given.
    #[serde(default)]
    method: Option<String>,
}

async fn throttle(Extract(state): Extract<Arc<State>>, Json(t): Json<Throttle>) -> Json<Value> {
    state.throttle(t.count, t.retry_after, t.method.as_deref());
    Json(json!(true))
}

#[derive(Deserialize)]
struct Member {
    channel: i64,
    user: i64,
    status: String,
}

async fn member(Extract(state): Extract<Arc<State>>, Json(m): Json<Member>) -> Json<Value> {
    state.set_member(m.channel, m.user, &m.status);
    Json(json!(true))
}
