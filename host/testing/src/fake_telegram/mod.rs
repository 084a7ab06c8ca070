//! A fake Telegram Bot API server over real HTTP, for tests and the offline
//! demo. teloxide talks to it unchanged through `Bot::set_api_url`.
//!
//! - Bot API: `POST /bot<token>/<method>` (JSON or multipart), long-polled
//!   `getUpdates`, file downloads at `/file/bot<token>/<path>`.
//! - Control API (`/control/...`, also as methods on [`FakeTelegram`]):
//!   inject user messages, documents and button presses, read the transcript
//!   of a chat, answer the next calls with 429, set channel memberships.

mod api;
mod control;
mod state;

use std::{net::SocketAddr, sync::Arc, time::Duration};

use serde_json::Value;
use tokio::{net::TcpListener, sync::oneshot};

use state::State;
pub use state::{Entry, TestUser};

/// The token the fake server accepts.
pub const TOKEN: &str = "123456:numbot-fake-token";

/// A running fake server; it stops when dropped.
pub struct FakeTelegram {
    addr: SocketAddr,
    state: Arc<State>,
    _stop: oneshot::Sender<()>,
}

/// While a webhook is set, posts each update to it in order, with the secret
/// token header, as Telegram does; an update stays queued until the webhook
/// answers 2xx.
async fn deliver_to_webhook(state: Arc<State>) {
    let client = reqwest::Client::new();
    loop {
        // Stops with the server: the state is then held only here.
        if Arc::strong_count(&state) == 1 {
            return;
        }
        let ready = state.updates_ready.notified();
        tokio::pin!(ready);
        ready.as_mut().enable();
        let Some((hook, update)) = state.next_for_webhook() else {
            let _ = tokio::time::timeout(Duration::from_secs(1), ready).await;
            continue;
        };
        let mut request = client.post(&hook.url).json(&update);
        if let Some(secret) = &hook.secret {
            request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        match request.send().await {
            Ok(r) if r.status().is_success() => {
                state.delivered(update["update_id"].as_i64().unwrap_or(0));
            }
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

impl FakeTelegram {
    /// Starts on an ephemeral port of 127.0.0.1.
    pub async fn start() -> std::io::Result<FakeTelegram> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State::new(TOKEN));
        let app = api::router(state.clone()).merge(control::router(state.clone()));
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(deliver_to_webhook(state.clone()));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(FakeTelegram {
            addr,
            state,
            _stop: stop,
        })
    }

    /// The base URL to give `Bot::set_api_url`.
    pub fn api_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The bot token it accepts.
    pub fn token(&self) -> &'static str {
        TOKEN
    }

    /// A user writes `text` to the bot (a command is just text starting with `/`).
    pub fn send_text(&self, user: &TestUser, text: &str) -> i64 {
        self.state.user_message(user, Some(text), None)
    }

    /// A user sends a document, with an optional caption.
    pub fn send_document(
        &self,
        user: &TestUser,
        file_name: &str,
        bytes: Vec<u8>,
        caption: Option<&str>,
    ) -> i64 {
        self.state.user_document(user, file_name, bytes, caption)
    }

    /// A user presses an inline button of one of the bot's messages; the
    /// update's id.
    pub fn press_button(&self, user: &TestUser, message_id: i64, data: &str) -> i64 {
        self.state.callback(user, message_id, data)
    }

    /// The id of the callback query that the press with update id `update`
    /// sent, as the bot's `answerCallbackQuery` names it.
    pub fn callback_query_id(update: i64) -> String {
        state::callback_query_id(update)
    }

    /// The bytes of the last document or photo the bot sent under
    /// `file_name`.
    pub fn sent_file(&self, file_name: &str) -> Option<Vec<u8>> {
        self.state.last_file_named(file_name)
    }

    /// Everything said in a chat, in order.
    pub fn transcript(&self, chat_id: i64) -> Vec<Entry> {
        self.state.transcript(chat_id)
    }

    /// Waits until an entry of the chat satisfies `matches`; the first such entry.
    pub async fn wait_for(
        &self,
        chat_id: i64,
        timeout: Duration,
        matches: impl Fn(&Entry) -> bool,
    ) -> Option<Entry> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let changed = self.state.changed.notified();
            if let Some(entry) = self.transcript(chat_id).into_iter().find(|e| matches(e)) {
                return Some(entry);
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return None;
            }
        }
    }

    /// The next `count` Bot API calls get HTTP 429 with `retry_after` seconds.
    pub fn throttle(&self, count: u32, retry_after: u32) {
        self.state.throttle(count, retry_after, None);
    }

    /// The next `count` calls of `method` (any case) get HTTP 429; other
    /// methods are answered normally.
    pub fn throttle_method(&self, method: &str, count: u32, retry_after: u32) {
        self.state.throttle(count, retry_after, Some(method));
    }

    /// The next `count` calls (of `method` only, any case, when given) get
    /// HTTP 500. teloxide waits 10 s after a failed `getUpdates`.
    pub fn fail(&self, count: u32, method: Option<&str>) {
        self.state.fail(count, method);
    }

    /// Every later call of `method` (any case) is done at once but
    /// answered `delay` later, as a slow network answers.
    pub fn slow(&self, method: &str, delay: Duration) {
        self.state.slow(method, delay);
    }

    /// The user blocks the bot: messages to them get 403 "bot was blocked
    /// by the user", as Telegram answers.
    pub fn block(&self, user: i64) {
        self.state.block(user);
    }

    /// Sets a user's status in a channel, as `getChatMember` reports it
    /// (`member`, `administrator`, `creator`, `left`, `kicked`, `restricted`).
    pub fn set_member(&self, channel: i64, user: i64, status: &str) {
        self.state.set_member(channel, user, status);
    }

    /// Calls answered so far, by method (lower case): for asserting protocol use.
    pub fn calls(&self, method: &str) -> u64 {
        self.state.calls(method)
    }

    /// The server's clock (microseconds since it started), as transcript
    /// entries are stamped.
    pub fn clock_us(&self) -> u64 {
        self.state.elapsed_us()
    }

    /// The webhook set by the bot (URL and secret token), if any.
    pub fn webhook(&self) -> Option<(String, Option<String>)> {
        self.state.webhook().0.map(|h| (h.url, h.secret))
    }

    /// Every `setMyCommands` call's parameters, in order.
    pub fn menus(&self) -> Vec<Value> {
        self.state.menus()
    }

    /// The last parameters a method was called with.
    pub fn last_params(&self, method: &str) -> Option<Value> {
        self.state.last_params(method)
    }
}
