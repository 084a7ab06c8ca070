//! The Bot API side: what a bot (teloxide) calls.

use std::{
    sync::{atomic::Ordering, Arc},
    time::Duration,
};

use axum::{
    body::{to_bytes, Body},
    extract::{FromRequest, Multipart, Path, Request, State as Extract},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde_json::{json, Value};

use super::state::{self, bot_user, Refusal, State};

/// Largest request body accepted (the real API takes 50 MB uploads).
const MAX_BODY: usize = 60 << 20;

pub(super) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/{bot}/{method}", post(call).get(call))
        .route("/file/{bot}/{*path}", get(download))
        .with_state(state)
}

fn ok(result: Value) -> Response {
    Json(json!({"ok": true, "result": result})).into_response()
}

fn fail(status: StatusCode, description: &str) -> Response {
    (
        status,
        Json(json!({"ok": false, "error_code": status.as_u16(), "description": description})),
    )
        .into_response()
}

/// A file part of a multipart request.
struct Upload {
    field: String,
    name: String,
    bytes: Vec<u8>,
}

/// The call's parameters, from JSON, a form, the query or multipart parts.
async fn params(req: Request) -> Result<(Value, Option<Upload>), Response> {
    let bad = |e: String| fail(StatusCode::BAD_REQUEST, &format!("Bad Request: {e}"));
    let query: Value = req
        .uri()
        .query()
        .map(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).unwrap_or_default())
        .map(|pairs| {
            pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect::<serde_json::Map<_, _>>()
        })
        .map(Value::Object)
        .unwrap_or_else(|| json!({}));
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(req, &())
            .await
            .map_err(|e| bad(e.to_string()))?;
        let mut params = query;
        let mut upload = None;
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| bad(e.to_string()))?
        {
            let name = field.name().unwrap_or_default().to_string();
            match field.file_name().map(str::to_string) {
                Some(file_name) => {
                    let bytes = field
                        .bytes()
                        .await
                        .map_err(|e| bad(e.to_string()))?
                        .to_vec();
                    upload = Some(Upload {
                        field: name,
                        name: file_name,
                        bytes,
                    });
                }
                None => {
                    let text = field.text().await.map_err(|e| bad(e.to_string()))?;
                    // JSON-valued fields (reply_markup) arrive as text.
                    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
                    params[name] = value;
                }
            }
        }
        return Ok((params, upload));
    }
    let body = to_bytes(req.into_body(), MAX_BODY)
        .await
        .map_err(|e| bad(e.to_string()))?;
    if body.is_empty() {
        return Ok((query, None));
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&body).map_err(|e| bad(e.to_string()))?;
        let mut params = query;
        for (k, v) in pairs {
            params[k] = serde_json::from_str(&v).unwrap_or(Value::String(v));
        }
        return Ok((params, None));
    }
    serde_json::from_slice(&body)
        .map(|v| (v, None))
        .map_err(|e| bad(e.to_string()))
}

fn int(params: &Value, key: &str) -> Option<i64> {
    match &params[key] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

async fn call(
    Extract(state): Extract<Arc<State>>,
    Path((bot, method)): Path<(String, String)>,
    req: Request,
) -> Response {
    if bot.strip_prefix("bot") != Some(state.token.as_str()) {
        return fail(StatusCode::UNAUTHORIZED, "Unauthorized");
    }
    let (params, upload) = match params(req).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let method = method.to_ascii_lowercase();
    match state.record_call(&method, &params) {
        Some(Refusal::TooMany(retry_after)) => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                Json(json!({
                    "ok": false, "error_code": 429,
                    "description": format!("Too Many Requests: retry after {retry_after}"),
                    "parameters": {"retry_after": retry_after},
                })),
            )
                .into_response();
        }
        Some(Refusal::Internal) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({
                    "ok": false, "error_code": 500,
                    "description": "Internal Server Error",
                })),
            )
                .into_response();
        }
        None => {}
    }
    let chat = int(&params, "chat_id");
    let slow = state.slowness(&method);
    let answer = match method.as_str() {
        "getme" => get_me(),
        "getupdates" => get_updates(&state, &params).await,
        "sendmessage" => send_message(&state, chat, &method, &params),
        "senddocument" | "sendphoto" => send_file(&state, chat, upload, &method, &params),
        "editmessagetext" | "editmessagereplymarkup" => {
            edit_message(&state, chat, &method, &params)
        }
        "deletemessage" => match (chat, int(&params, "message_id")) {
            (Some(chat), Some(id)) if state.delete_message(chat, id) => ok(json!(true)),
            _ => fail(
                StatusCode::BAD_REQUEST,
                "Bad Request: message to delete not found",
            ),
        },
        "answercallbackquery" | "setmycommands" | "deletemycommands" | "setchatmenubutton" => {
            ok(json!(true))
        }
        "getfile" => get_file(&state, &params),
        "getchatmember" => get_chat_member(&state, chat, &params),
        "setwebhook" | "deletewebhook" | "getwebhookinfo" => webhook(&state, &method, &params),
        _ => fail(StatusCode::NOT_FOUND, "Not Found: method not found"),
    };
    // Done (a message is in the transcript), answered late: a bot that
    // dies meanwhile never learns it was sent.
    if let Some(delay) = slow {
        tokio::time::sleep(delay).await;
    }
    answer
}

fn get_me() -> Response {
    let mut me = bot_user();
    for (k, v) in [
        ("can_join_groups", true),
        ("can_read_all_group_messages", false),
        ("supports_inline_queries", false),
        ("can_connect_to_business", false),
        ("has_main_web_app", false),
    ] {
        me[k] = json!(v);
    }
    ok(me)
}

/// Long polling: answers at once with queued updates, else when one
/// arrives or the timeout passes; a newer poll ends this one with 409, as
/// Telegram does.
async fn get_updates(state: &State, params: &Value) -> Response {
    if state.webhook().0.is_some() {
        return fail(
            StatusCode::CONFLICT,
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        );
    }
    let offset = int(params, "offset").unwrap_or(0);
    let limit = int(params, "limit").unwrap_or(100).clamp(1, 100) as usize;
    let timeout = Duration::from_secs(int(params, "timeout").unwrap_or(0).clamp(0, 50) as u64);
    let deadline = tokio::time::Instant::now() + timeout;
    let mine = state.polls.fetch_add(1, Ordering::SeqCst) + 1;
    state.updates_ready.notify_waiters();
    loop {
        let ready = state.updates_ready.notified();
        tokio::pin!(ready);
        ready.as_mut().enable();
        if state.polls.load(Ordering::SeqCst) != mine {
            return fail(
                StatusCode::CONFLICT,
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            );
        }
        let updates = state.updates_from(offset, limit);
        if !updates.is_empty() || tokio::time::timeout_at(deadline, ready).await.is_err() {
            return ok(Value::Array(state.updates_from(offset, limit)));
        }
    }
}

fn send_message(state: &State, chat: Option<i64>, method: &str, params: &Value) -> Response {
    match chat {
        Some(chat) if state.blocked(chat) => fail(
            StatusCode::FORBIDDEN,
            "Forbidden: bot was blocked by the user",
        ),
        Some(chat) if params["text"].as_str().is_some_and(|t| !t.is_empty()) => {
            ok(state.bot_message(chat, method, params, json!({})))
        }
        Some(_) => fail(
            StatusCode::BAD_REQUEST,
            "Bad Request: message text is empty",
        ),
        None => fail(StatusCode::BAD_REQUEST, "Bad Request: chat_id is empty"),
    }
}

fn send_file(
    state: &State,
    chat: Option<i64>,
    upload: Option<Upload>,
    method: &str,
    params: &Value,
) -> Response {
    let (Some(chat), Some(upload)) = (chat, upload) else {
        return fail(
            StatusCode::BAD_REQUEST,
            "Bad Request: there is no file in the request",
        );
    };
    let size = upload.bytes.len();
    let file_id = state.store_file(&upload.name, upload.bytes);
    let body = if upload.field == "photo" {
        json!({"photo": [{"file_id": file_id, "file_unique_id": format!("u{file_id}"), "width": 800, "height": 600, "file_size": size}]})
    } else {
        json!({"document": {"file_id": file_id, "file_unique_id": format!("u{file_id}"), "file_name": upload.name, "file_size": size}})
    };
    ok(state.bot_message(
        chat,
        method,
        params,
        json!({"body": body, "file": {"name": upload.name, "size": size}}),
    ))
}

fn edit_message(state: &State, chat: Option<i64>, method: &str, params: &Value) -> Response {
    match (chat, int(params, "message_id")) {
        (Some(chat), Some(id)) => match state.edit_message(chat, id, method, params) {
            Some(message) => ok(message),
            None => fail(
                StatusCode::BAD_REQUEST,
                "Bad Request: message to edit not found",
            ),
        },
        _ => fail(
            StatusCode::BAD_REQUEST,
            "Bad Request: message identifier is not specified",
        ),
    }
}

fn get_file(state: &State, params: &Value) -> Response {
    match params["file_id"]
        .as_str()
        .and_then(|id| state.file_info(id).map(|f| (id.to_string(), f)))
    {
        Some((id, (path, size))) => ok(
            json!({"file_id": id, "file_unique_id": format!("u{id}"), "file_size": size, "file_path": path}),
        ),
        None => fail(StatusCode::BAD_REQUEST, "Bad Request: invalid file_id"),
    }
}

fn get_chat_member(state: &State, chat: Option<i64>, params: &Value) -> Response {
    match (chat, int(params, "user_id")) {
        (Some(chat), Some(user)) => {
            let status = state.member(chat, user);
            let mut member = json!({"status": status, "user": {"id": user, "is_bot": false, "first_name": format!("User{user}")}});
            if status == "restricted" {
                for k in [
                    "is_member",
                    "can_send_messages",
                    "can_send_audios",
                    "can_send_documents",
                    "can_send_photos",
                    "can_send_videos",
                    "can_send_video_notes",
                    "can_send_voice_notes",
                    "can_send_polls",
                    "can_send_other_messages",
                    "can_add_web_page_previews",
                    "can_change_info",
                    "can_invite_users",
                    "can_pin_messages",
                    "can_manage_topics",
                ] {
                    member[k] = json!(true);
                }
                member["until_date"] = json!(0);
            }
            if status == "administrator" {
                for k in [
                    "can_be_edited",
                    "is_anonymous",
                    "can_manage_chat",
                    "can_delete_messages",
                    "can_manage_video_chats",
                    "can_restrict_members",
                    "can_promote_members",
                    "can_change_info",
                    "can_invite_users",
                    "can_post_stories",
                    "can_edit_stories",
                    "can_delete_stories",
                ] {
                    member[k] = json!(false);
                }
            }
            if status == "kicked" {
                member["until_date"] = json!(0);
            }
            if status == "creator" {
                member["is_anonymous"] = json!(false);
            }
            ok(member)
        }
        _ => fail(
            StatusCode::BAD_REQUEST,
            "Bad Request: chat_id and user_id are required",
        ),
    }
}

fn webhook(state: &State, method: &str, params: &Value) -> Response {
    match method {
        "setwebhook" => {
            let hook = params["url"]
                .as_str()
                .filter(|u| !u.is_empty())
                .map(|url| state::Webhook {
                    url: url.to_string(),
                    secret: params["secret_token"].as_str().map(str::to_string),
                });
            state.set_webhook(hook);
            ok(json!(true))
        }
        "deletewebhook" => {
            state.set_webhook(None);
            ok(json!(true))
        }
        "getwebhookinfo" => {
            let (url, pending) = state.webhook();
            ok(
                json!({"url": url.map(|h| h.url).unwrap_or_default(), "has_custom_certificate": false, "pending_update_count": pending}),
            )
        }
        _ => ok(json!(true)),
    }
}

async fn download(
    Extract(state): Extract<Arc<State>>,
    Path((bot, path)): Path<(String, String)>,
) -> Response {
    if bot.strip_prefix("bot") != Some(state.token.as_str()) {
        return fail(StatusCode::UNAUTHORIZED, "Unauthorized");
    }
    match state.file_bytes(&path) {
        Some(bytes) => Body::from(bytes).into_response(),
        None => fail(StatusCode::NOT_FOUND, "Not Found: file not found"),
    }
}
