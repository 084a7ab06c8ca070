//! The fake server's state: pending updates, transcripts, files, members.

use std::{
    collections::{BTreeMap, HashMap, VecDeque},
    sync::Mutex,
};

use numbot_core::clock::unix_now;
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::Notify;

/// A user of the fake Telegram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestUser {
    /// Telegram user id (also the private chat id).
    pub id: i64,
    /// First name.
    pub first_name: String,
    /// Username, without `@`.
    pub username: Option<String>,
    /// The language of their Telegram app (`language_code`).
    pub language_code: Option<String>,
}

impl TestUser {
    /// A user with a name made from the id.
    pub fn new(id: i64) -> TestUser {
        TestUser {
            id,
            first_name: format!("User{id}"),
            username: Some(format!("user{id}")),
            language_code: Some("en".into()),
        }
    }

    /// The same user with their Telegram app in `language` (`None`: unset).
    pub fn speaking(mut self, language: Option<&str>) -> TestUser {
        self.language_code = language.map(str::to_string);
        self
    }

    pub(crate) fn json(&self) -> Value {
        let mut user = json!({"id": self.id, "is_bot": false, "first_name": self.first_name});
        if let Some(name) = &self.username {
            user["username"] = json!(name);
        }
        if let Some(language) = &self.language_code {
            user["language_code"] = json!(language);
        }
        user
    }
}

/// One line of a chat's transcript.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// `user` or `bot`.
    pub from: &'static str,
    /// The Bot API method (bot side) or the update kind (user side).
    pub method: String,
    /// The message this entry is or edits.
    pub message_id: Option<i64>,
    /// Text or caption.
    pub text: Option<String>,
    /// Callback data of a button press.
    pub data: Option<String>,
    /// When it happened: microseconds since the server started (latency
    /// measurements compare these).
    pub at_us: u64,
    /// Inline keyboard: rows of (label, callback data).
    pub buttons: Vec<Vec<(String, String)>>,
    /// A file sent: name and size.
    pub file: Option<(String, usize)>,
}

struct Inner {
    next_update: i64,
    updates: VecDeque<Value>,
    next_message: i64,
    transcripts: HashMap<i64, Vec<Entry>>,
    /// Bot messages by (chat, message id), for callbacks and edits.
    messages: HashMap<(i64, i64), Value>,
    files: HashMap<String, (String, Vec<u8>)>,
    next_file: u64,
    members: HashMap<(i64, i64), String>,
    /// Users who blocked the bot: messages to them get 403.
    blocked: std::collections::HashSet<i64>,
    /// Calls left to refuse, retry_after, and the one method refused (all when `None`).
    throttle: (u32, u32, Option<String>),
    /// Calls left to fail with HTTP 500, and the one method failed (all when `None`).
    failing: (u32, Option<String>),
    /// Methods answered this long after they are done.
    slowed: HashMap<String, std::time::Duration>,
    calls: BTreeMap<String, u64>,
    last_params: HashMap<String, Value>,
    /// Every `setMyCommands` call's parameters, in order.
    menus: Vec<Value>,
    webhook: Option<Webhook>,
}

/// How an armed fault refuses a call.
pub(super) enum Refusal {
    /// HTTP 429 with this `retry_after`.
    TooMany(u32),
    /// HTTP 500.
    Internal,
}

/// A webhook set with `setWebhook`: updates are posted there, not polled.
#[derive(Clone)]
pub(super) struct Webhook {
    /// Where updates go.
    pub url: String,
    /// Sent as `X-Telegram-Bot-Api-Secret-Token`.
    pub secret: Option<String>,
}

/// Shared by the HTTP handlers and the [`super::FakeTelegram`] handle.
pub(super) struct State {
    started: std::time::Instant,
    pub token: String,
    inner: Mutex<Inner>,
    /// Woken when updates arrive (long polls) or transcripts change (waiters).
    pub updates_ready: Notify,
    pub changed: Notify,
    /// Counts `getUpdates` calls: a newer one ends an older one with a 409,
    /// as Telegram does when two processes poll one bot.
    pub polls: std::sync::atomic::AtomicU64,
}

/// The bot's own user, as `getMe` and sent messages show it.
pub(super) fn bot_user() -> Value {
    json!({"id": 123456, "is_bot": true, "first_name": "numbot", "username": "numbot_fake_bot"})
}

fn private_chat(user: &TestUser) -> Value {
    json!({"id": user.id, "type": "private", "first_name": user.first_name})
}

/// The inline keyboard of a `reply_markup` parameter, as (label, data) rows.
pub(super) fn buttons(markup: Option<&Value>) -> Vec<Vec<(String, String)>> {
    let Some(rows) = markup
        .and_then(|m| m.get("inline_keyboard"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    rows.iter()
        .map(|row| {
            row.as_array()
                .into_iter()
                .flatten()
                .map(|b| {
                    let label = b["text"].as_str().unwrap_or_default().to_string();
                    let data = b["callback_data"]
                        .as_str()
                        .or(b["url"].as_str())
                        .unwrap_or_default()
                        .to_string();
                    (label, data)
                })
                .collect()
        })
        .collect()
}

impl State {
    pub(super) fn new(token: &str) -> State {
        State {
            started: std::time::Instant::now(),
            token: token.to_string(),
            inner: Mutex::new(Inner {
                next_update: 1,
                updates: VecDeque::new(),
                next_message: 1,
                transcripts: HashMap::new(),
                messages: HashMap::new(),
                files: HashMap::new(),
                next_file: 1,
                members: HashMap::new(),
                blocked: std::collections::HashSet::new(),
                throttle: (0, 0, None),
                failing: (0, None),
                slowed: HashMap::new(),
                calls: BTreeMap::new(),
                last_params: HashMap::new(),
                menus: Vec::new(),
                webhook: None,
            }),
            updates_ready: Notify::new(),
            changed: Notify::new(),
            polls: std::sync::atomic::AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn push_update(&self, inner: &mut Inner, body: (&str, Value)) -> i64 {
        let id = inner.next_update;
        inner.next_update += 1;
        let mut update = json!({"update_id": id});
        update[body.0] = body.1;
        inner.updates.push_back(update);
        self.updates_ready.notify_waiters();
        self.changed.notify_waiters();
        id
    }

    pub(super) fn user_message(
        &self,
        user: &TestUser,
        text: Option<&str>,
        document: Option<(Value, Option<&str>)>,
    ) -> i64 {
        let mut inner = self.lock();
        let message_id = inner.next_message;
        inner.next_message += 1;
        let mut message = json!({
            "message_id": message_id, "date": unix_now(), "chat": private_chat(user), "from": user.json(),
        });
        let mut entry = Entry {
            from: "user",
            method: "message".into(),
            message_id: Some(message_id),
            text: text.map(str::to_string),
            data: None,
            buttons: Vec::new(),
            file: None,
            at_us: self.elapsed_us(),
        };
        if let Some(text) = text {
            message["text"] = json!(text);
            if text.starts_with('/') {
                let len = text
                    .split_whitespace()
                    .next()
                    .map_or(0, |c| c.encode_utf16().count());
                message["entities"] = json!([{"type": "bot_command", "offset": 0, "length": len}]);
            }
        }
        if let Some((document, caption)) = document {
            entry.method = "document".into();
            entry.file = Some((
                document["file_name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                document["file_size"].as_u64().unwrap_or(0) as usize,
            ));
            entry.text = caption.map(str::to_string);
            message["document"] = document;
            if let Some(caption) = caption {
                message["caption"] = json!(caption);
            }
        }
        inner.transcripts.entry(user.id).or_default().push(entry);
        self.push_update(&mut inner, ("message", message))
    }

    pub(super) fn user_document(
        &self,
        user: &TestUser,
        file_name: &str,
        bytes: Vec<u8>,
        caption: Option<&str>,
    ) -> i64 {
        let size = bytes.len();
        let file_id = self.store_file(file_name, bytes);
        let document = json!({
            "file_id": file_id, "file_unique_id": format!("u{file_id}"), "file_name": file_name,
            "mime_type": if file_name.ends_with(".csv") { "text/csv" } else { "application/octet-stream" },
            "file_size": size,
        });
        self.user_message(user, None, Some((document, caption)))
    }

    pub(super) fn callback(&self, user: &TestUser, message_id: i64, data: &str) -> i64 {
        let mut inner = self.lock();
        let message = inner.messages.get(&(user.id, message_id)).cloned().unwrap_or_else(|| {
            json!({"message_id": message_id, "date": unix_now(), "chat": private_chat(user), "from": bot_user(), "text": ""})
        });
        let id = callback_query_id(inner.next_update);
        inner.transcripts.entry(user.id).or_default().push(Entry {
            from: "user",
            method: "callback_query".into(),
            message_id: Some(message_id),
            text: None,
            data: Some(data.to_string()),
            buttons: Vec::new(),
            file: None,
            at_us: self.elapsed_us(),
        });
        let query = json!({
            "id": id, "from": user.json(), "message": message, "chat_instance": format!("ci{}", user.id), "data": data,
        });
        self.push_update(&mut inner, ("callback_query", query))
    }

    /// Updates from `offset` on; confirms (drops) those before it.
    pub(super) fn updates_from(&self, offset: i64, limit: usize) -> Vec<Value> {
        let mut inner = self.lock();
        while inner
            .updates
            .front()
            .is_some_and(|u| u["update_id"].as_i64().unwrap_or(0) < offset)
        {
            inner.updates.pop_front();
        }
        inner.updates.iter().take(limit).cloned().collect()
    }

    pub(super) fn store_file(&self, file_name: &str, bytes: Vec<u8>) -> String {
        let mut inner = self.lock();
        let id = format!("file{}", inner.next_file);
        inner.next_file += 1;
        inner
            .files
            .insert(id.clone(), (format!("documents/{id}_{file_name}"), bytes));
        id
    }

    /// (path, size) of a stored file.
    pub(super) fn file_info(&self, file_id: &str) -> Option<(String, usize)> {
        self.lock()
            .files
            .get(file_id)
            .map(|(path, bytes)| (path.clone(), bytes.len()))
    }

    /// The bytes of the last file stored under `file_name`.
    pub(super) fn last_file_named(&self, file_name: &str) -> Option<Vec<u8>> {
        let suffix = format!("_{file_name}");
        self.lock()
            .files
            .iter()
            .filter(|(_, (path, _))| path.ends_with(&suffix))
            .max_by_key(|(id, _)| id.trim_start_matches("file").parse::<u64>().unwrap_or(0))
            .map(|(_, (_, bytes))| bytes.clone())
    }

    pub(super) fn file_bytes(&self, path: &str) -> Option<Vec<u8>> {
        self.lock()
            .files
            .values()
            .find(|(p, _)| p == path)
            .map(|(_, b)| b.clone())
    }

    /// Records a message the bot sent; returns it as the Bot API shows it.
    pub(super) fn bot_message(
        &self,
        chat_id: i64,
        method: &str,
        params: &Value,
        extra: Value,
    ) -> Value {
        let mut inner = self.lock();
        let message_id = inner.next_message;
        inner.next_message += 1;
        let text = params["text"]
            .as_str()
            .or(params["caption"].as_str())
            .map(str::to_string);
        let mut message = json!({
            "message_id": message_id, "date": unix_now(),
            "chat": {"id": chat_id, "type": if chat_id < 0 { "supergroup" } else { "private" }, "first_name": "chat", "title": "chat"},
            "from": bot_user(),
        });
        if let Some(t) = &text {
            message[if method == "sendmessage" {
                "text"
            } else {
                "caption"
            }] = json!(t);
        }
        if let Some(markup) = params.get("reply_markup").filter(|m| !m.is_null()) {
            message["reply_markup"] = markup.clone();
        }
        let file = extra.get("file").and_then(|f| {
            Some((
                f["name"].as_str()?.to_string(),
                f["size"].as_u64()? as usize,
            ))
        });
        if let Some(body) = extra.get("body") {
            for (k, v) in body.as_object().into_iter().flatten() {
                message[k] = v.clone();
            }
        }
        inner
            .messages
            .insert((chat_id, message_id), message.clone());
        inner.transcripts.entry(chat_id).or_default().push(Entry {
            from: "bot",
            method: method.to_string(),
            message_id: Some(message_id),
            text,
            data: None,
            buttons: buttons(params.get("reply_markup")),
            file,
            at_us: self.elapsed_us(),
        });
        drop(inner);
        self.changed.notify_waiters();
        message
    }

    /// Records an edit of a bot message; returns the edited message.
    pub(super) fn edit_message(
        &self,
        chat_id: i64,
        message_id: i64,
        method: &str,
        params: &Value,
    ) -> Option<Value> {
        let mut inner = self.lock();
        let mut message = inner.messages.get(&(chat_id, message_id))?.clone();
        if let Some(text) = params["text"].as_str() {
            message["text"] = json!(text);
        }
        match params.get("reply_markup").filter(|m| !m.is_null()) {
            Some(markup) => message["reply_markup"] = markup.clone(),
            None => {
                message.as_object_mut().map(|m| m.remove("reply_markup"));
            }
        }
        message["edit_date"] = json!(unix_now());
        inner
            .messages
            .insert((chat_id, message_id), message.clone());
        inner.transcripts.entry(chat_id).or_default().push(Entry {
            from: "bot",
            method: method.into(),
            message_id: Some(message_id),
            text: params["text"].as_str().map(str::to_string),
            data: None,
            buttons: buttons(params.get("reply_markup")),
            file: None,
            at_us: self.elapsed_us(),
        });
        drop(inner);
        self.changed.notify_waiters();
        Some(message)
    }

    /// Deletes a bot message: gone from the chat, as Telegram shows it
    /// (its transcript entries lose their text and buttons; the deletion is
    /// an entry of its own). False when there is no such message.
    pub(super) fn delete_message(&self, chat_id: i64, message_id: i64) -> bool {
        let mut inner = self.lock();
        if inner.messages.remove(&(chat_id, message_id)).is_none() {
            return false;
        }
        let at_us = self.elapsed_us();
        let transcript = inner.transcripts.entry(chat_id).or_default();
        for e in transcript
            .iter_mut()
            .filter(|e| e.message_id == Some(message_id))
        {
            e.text = None;
            e.buttons.clear();
        }
        transcript.push(Entry {
            from: "bot",
            method: "deletemessage".into(),
            message_id: Some(message_id),
            text: None,
            data: None,
            buttons: Vec::new(),
            file: None,
            at_us,
        });
        drop(inner);
        self.changed.notify_waiters();
        true
    }

    /// Records a call; answers how to refuse it while a throttle or a
    /// failure is armed.
    pub(super) fn record_call(&self, method: &str, params: &Value) -> Option<Refusal> {
        let mut inner = self.lock();
        *inner.calls.entry(method.to_string()).or_default() += 1;
        inner.last_params.insert(method.to_string(), params.clone());
        if method == "setmycommands" {
            inner.menus.push(params.clone());
        }
        let applies = inner.failing.1.as_deref().is_none_or(|m| m == method);
        if inner.failing.0 > 0 && applies {
            inner.failing.0 -= 1;
            return Some(Refusal::Internal);
        }
        let applies = inner.throttle.2.as_deref().is_none_or(|m| m == method);
        if inner.throttle.0 > 0 && applies {
            inner.throttle.0 -= 1;
            return Some(Refusal::TooMany(inner.throttle.1));
        }
        None
    }

    pub(super) fn fail(&self, count: u32, method: Option<&str>) {
        self.lock().failing = (count, method.map(str::to_ascii_lowercase));
    }

    pub(super) fn throttle(&self, count: u32, retry_after: u32, method: Option<&str>) {
        self.lock().throttle = (count, retry_after, method.map(str::to_ascii_lowercase));
    }

    pub(super) fn slow(&self, method: &str, delay: std::time::Duration) {
        self.lock()
            .slowed
            .insert(method.to_ascii_lowercase(), delay);
    }

    pub(super) fn slowness(&self, method: &str) -> Option<std::time::Duration> {
        self.lock().slowed.get(method).copied()
    }

    pub(super) fn block(&self, user: i64) {
        self.lock().blocked.insert(user);
    }

    pub(super) fn blocked(&self, user: i64) -> bool {
        self.lock().blocked.contains(&user)
    }

    pub(super) fn set_member(&self, channel: i64, user: i64, status: &str) {
        self.lock()
            .members
            .insert((channel, user), status.to_string());
    }

    pub(super) fn member(&self, channel: i64, user: i64) -> String {
        self.lock()
            .members
            .get(&(channel, user))
            .cloned()
            .unwrap_or_else(|| "left".into())
    }

    pub(super) fn calls(&self, method: &str) -> u64 {
        self.lock()
            .calls
            .get(&method.to_ascii_lowercase())
            .copied()
            .unwrap_or(0)
    }

    pub(super) fn last_params(&self, method: &str) -> Option<Value> {
        self.lock()
            .last_params
            .get(&method.to_ascii_lowercase())
            .cloned()
    }

    pub(super) fn menus(&self) -> Vec<Value> {
        self.lock().menus.clone()
    }

    pub(super) fn transcript(&self, chat_id: i64) -> Vec<Entry> {
        self.lock()
            .transcripts
            .get(&chat_id)
            .cloned()
            .unwrap_or_default()
    }

    pub(super) fn set_webhook(&self, hook: Option<Webhook>) {
        self.lock().webhook = hook;
        self.updates_ready.notify_waiters();
    }

    pub(super) fn webhook(&self) -> (Option<Webhook>, usize) {
        let inner = self.lock();
        (inner.webhook.clone(), inner.updates.len())
    }

    /// The oldest update not yet delivered, while a webhook is set.
    pub(super) fn next_for_webhook(&self) -> Option<(Webhook, Value)> {
        let inner = self.lock();
        let hook = inner.webhook.clone()?;
        inner.updates.front().cloned().map(|u| (hook, u))
    }

    /// The webhook acknowledged update `id`.
    pub(super) fn delivered(&self, id: i64) {
        let mut inner = self.lock();
        if inner.updates.front().and_then(|u| u["update_id"].as_i64()) == Some(id) {
            inner.updates.pop_front();
        }
    }

    pub(super) fn elapsed_us(&self) -> u64 {
        self.started.elapsed().as_micros() as u64
    }
}

/// The id of the callback query sent in update `update`.
pub(super) fn callback_query_id(update: i64) -> String {
    format!("cb{update}")
}
