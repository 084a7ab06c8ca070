//! Sending to Telegram, in one place: every request goes through
//! [`Tg::send`]. Messages are paced under Telegram's limits (one per second
//! and twenty per minute in a chat, thirty per second in all) when pacing
//! is on, and a 429's `retry_after` is waited out and the request sent
//! again, never dropped.

use std::{
    num::NonZeroU32,
    ops::Deref,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use governor::{
    clock::{Clock, DefaultClock, QuantaInstant},
    DefaultDirectRateLimiter, DefaultKeyedRateLimiter, NotUntil, Quota, RateLimiter,
};
use teloxide::{
    payloads::{
        AnswerCallbackQuery, DeleteMessage, DeleteMyCommands, DeleteWebhook,
        EditMessageReplyMarkup, EditMessageText, GetChatMember, GetFile, GetMe, SendDocument,
        SendMessage, SendPhoto, SetChatMenuButton, SetMyCommands, SetWebhook,
    },
    requests::{Output, Request, Requester},
    types::{ChatId, Recipient},
    ApiError, Bot, RequestError,
};

/// How long a request that keeps getting 429 is tried (each time after the
/// `retry_after` Telegram asked for) before it is given up: a flood wait is
/// waited out, however many refusals it takes.
const LONGEST_FLOOD_WAIT: Duration = Duration::from_secs(300);
/// Tries of a request Telegram's servers failed (5xx): the first wait is
/// 250 ms and doubles, about 4 s in all.
const SERVER_ATTEMPTS: u32 = 5;
/// Sends between two prunings of the per-chat limiters' memory.
const PRUNE_EVERY: u64 = 4096;

/// The bot as every handler sees it: teloxide's `Bot` (requests are built
/// on it through `Deref`), with numbot's pacing and retries for sending.
#[derive(Clone)]
pub struct Tg {
    bot: Bot,
    pacer: Option<Arc<Pacer>>,
}

/// Telegram's limits for bots, per chat and overall.
struct Pacer {
    per_second: DefaultKeyedRateLimiter<i64>,
    per_minute: DefaultKeyedRateLimiter<i64>,
    overall: DefaultDirectRateLimiter,
    clock: DefaultClock,
    sent: AtomicU64,
}

impl Pacer {
    fn new() -> Pacer {
        let n = |v: u32| NonZeroU32::new(v).expect("a positive limit");
        Pacer {
            per_second: RateLimiter::keyed(Quota::per_second(n(1))),
            per_minute: RateLimiter::keyed(Quota::per_minute(n(20))),
            overall: RateLimiter::direct(Quota::per_second(n(30))),
            clock: DefaultClock::default(),
            sent: AtomicU64::new(0),
        }
    }

    /// Waits until a message to `chat` is within every limit.
    async fn wait(&self, chat: i64) {
        while let Err(wait) = self.per_second.check_key(&chat).map_err(|n| self.until(&n)) {
            tokio::time::sleep(wait).await;
        }
        while let Err(wait) = self.per_minute.check_key(&chat).map_err(|n| self.until(&n)) {
            tokio::time::sleep(wait).await;
        }
        while let Err(wait) = self.overall.check().map_err(|n| self.until(&n)) {
            tokio::time::sleep(wait).await;
        }
        if self
            .sent
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(PRUNE_EVERY)
        {
            // Chats quiet for a minute hold nothing.
            self.per_second.retain_recent();
            self.per_minute.retain_recent();
        }
    }
}

impl Pacer {
    /// How long until a refused message may go.
    fn until(&self, not_until: &NotUntil<QuantaInstant>) -> Duration {
        not_until.wait_time_from(self.clock.now())
    }
}

impl Tg {
    /// Sends `text` to `chat` (HTML when `html`) as as many messages as it
    /// takes to stay within Telegram's length ([`crate::render::pages`]).
    pub async fn say(&self, chat: ChatId, text: &str, html: bool) -> Result<(), RequestError> {
        for page in crate::render::pages(text) {
            let mut message = self.send_message(chat, page);
            if html {
                message = teloxide::payloads::SendMessageSetters::parse_mode(
                    message,
                    teloxide::types::ParseMode::Html,
                );
            }
            self.send(message).await?;
        }
        Ok(())
    }

    /// `bot`, its messages paced under Telegram's limits when `paced`
    /// (benchmarks turn it off to measure numbot, not the limits).
    pub fn new(bot: Bot, paced: bool) -> Tg {
        Tg {
            bot,
            pacer: paced.then(|| Arc::new(Pacer::new())),
        }
    }

    /// Sends `request` (paced when it is a message), waiting out every
    /// `RetryAfter`, retrying a dropped connection once and a server error
    /// (5xx) with backoff. A reply sent twice is better than one lost: a
    /// 5xx may come after Telegram took the message.
    pub async fn send<R>(&self, request: R) -> Result<Output<R>, RequestError>
    where
        R: Request<Err = RequestError>,
        R::Payload: Paced,
    {
        if let (Some(pacer), Some(chat)) = (&self.pacer, request.payload_ref().chat()) {
            pacer.wait(chat).await;
        }
        let mut network_retried = false;
        let mut attempt = 0;
        let mut server_attempt = 0;
        let mut backoff = Duration::from_millis(250);
        let mut flood_waited = Duration::ZERO;
        loop {
            attempt += 1;
            match request.send_ref().await {
                Err(e) if server_error(&e) && server_attempt + 1 < SERVER_ATTEMPTS => {
                    server_attempt += 1;
                    metrics::counter!("numbot_telegram_errors_total", "kind" => "server")
                        .increment(1);
                    tracing::warn!("Telegram failed ({e}), trying again in {backoff:?}");
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                }
                Err(RequestError::RetryAfter(after))
                    if flood_waited + after.duration() <= LONGEST_FLOOD_WAIT =>
                {
                    flood_waited += after.duration();
                    metrics::counter!("numbot_telegram_errors_total", "kind" => "retry_after")
                        .increment(1);
                    tracing::warn!("Telegram asked to wait {after:?} (attempt {attempt})");
                    tokio::time::sleep(after.duration()).await;
                }
                Err(RequestError::Network(e)) if !network_retried => {
                    metrics::counter!("numbot_telegram_errors_total", "kind" => "network")
                        .increment(1);
                    tracing::warn!("network error, retrying once: {e}");
                    network_retried = true;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => {
                    let kind = match &e {
                        RequestError::Api(_) => "api",
                        RequestError::RetryAfter(_) => "retry_after",
                        RequestError::Network(_) => "network",
                        _ => "other",
                    };
                    metrics::counter!("numbot_telegram_errors_total", "kind" => kind).increment(1);
                    return Err(e);
                }
                ok => return ok,
            }
        }
    }
}

/// A failure of Telegram's servers rather than of the request: a 5xx
/// (teloxide reads its description as an unknown API error) or a proxy's
/// page that is not JSON.
fn server_error(e: &RequestError) -> bool {
    match e {
        RequestError::Api(ApiError::Unknown(description)) => {
            let d = description.to_ascii_lowercase();
            [
                "internal server error",
                "bad gateway",
                "service unavailable",
                "gateway timeout",
            ]
            .iter()
            .any(|s| d.contains(s))
        }
        RequestError::InvalidJson { .. } => true,
        _ => false,
    }
}

impl Deref for Tg {
    type Target = Bot;

    fn deref(&self) -> &Bot {
        &self.bot
    }
}

/// Whether a request is a message Telegram's limits count, and to which chat.
pub trait Paced {
    /// The chat the message goes to; `None` for requests that are not paced.
    fn chat(&self) -> Option<i64>;
}

fn chat_of(recipient: &Recipient) -> Option<i64> {
    match recipient {
        Recipient::Id(ChatId(id)) => Some(*id),
        Recipient::ChannelUsername(_) => None,
    }
}

impl Paced for SendMessage {
    fn chat(&self) -> Option<i64> {
        chat_of(&self.chat_id)
    }
}

impl Paced for SendPhoto {
    fn chat(&self) -> Option<i64> {
        chat_of(&self.chat_id)
    }
}

impl Paced for SendDocument {
    fn chat(&self) -> Option<i64> {
        chat_of(&self.chat_id)
    }
}

macro_rules! not_paced {
    ($($payload:ty),*) => {
        $(impl Paced for $payload {
            fn chat(&self) -> Option<i64> {
                None
            }
        })*
    };
}

not_paced!(
    AnswerCallbackQuery,
    DeleteMessage,
    DeleteMyCommands,
    DeleteWebhook,
    EditMessageReplyMarkup,
    EditMessageText,
    GetChatMember,
    GetFile,
    GetMe,
    SetChatMenuButton,
    SetMyCommands,
    SetWebhook
);
