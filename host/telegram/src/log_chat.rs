//! The optional log chat (`telegram.log_chat`): every relayed message and
//! every audit event is posted to one chat (an admins' group or channel)
//! for review. Posts wait in a bounded queue for one sending task, so a slow
//! or failing log chat never holds up a relay or an admin action; past the
//! bound, posts are dropped and counted.

use std::sync::Arc;

use numbot_core::Numbers;
use numbot_otp::{Delivery, Notifier, OtpEvent};
use teloxide::{
    prelude::*,
    types::{ParseMode, Recipient},
};
use tokio::sync::{broadcast::error::RecvError, mpsc};

use crate::{i18n::Lang, render::html, Tg};

/// Posts waiting at most; more are dropped.
const QUEUE: usize = 1024;
/// Digits of a number shown in the log; the rest are masked.
const SHOWN_DIGITS: usize = 4;

/// Where the log goes, and the language it is written in (the bot's
/// default). Cheap to clone.
#[derive(Clone)]
pub struct LogChat {
    queue: mpsc::Sender<String>,
    lang: Lang,
}

impl LogChat {
    /// Starts the sending task for `chat` (an id such as `-100…`, or
    /// `@name`) on the current runtime; posts are written in `lang`.
    pub fn start(bot: Tg, chat: &str, lang: Lang) -> LogChat {
        let recipient = match chat.parse::<i64>() {
            Ok(id) => Recipient::Id(ChatId(id)),
            Err(_) => Recipient::ChannelUsername(chat.to_string()),
        };
        let (queue, mut posts) = mpsc::channel::<String>(QUEUE);
        tokio::spawn(async move {
            while let Some(text) = posts.recv().await {
                let request = bot
                    .send_message(recipient.clone(), text)
                    .parse_mode(ParseMode::Html);
                if let Err(e) = bot.send(request).await {
                    metrics::counter!("numbot_log_chat_failures_total").increment(1);
                    tracing::warn!("log chat: {e}");
                }
            }
        });
        LogChat { queue, lang }
    }

    /// Posts every audit entry `numbers` records in this process, until
    /// the runtime stops.
    pub fn follow_audit(&self, numbers: &Numbers) {
        let mut events = numbers.audit_events();
        let log = self.clone();
        tokio::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(event) => log.post(format!(
                        "📋 {} · {} · {}",
                        html(event.action.as_str()),
                        holder(log.lang, event.actor),
                        html(&event.detail)
                    )),
                    Err(RecvError::Lagged(missed)) => {
                        metrics::counter!("numbot_log_chat_dropped_total").increment(missed);
                        tracing::warn!("log chat: {missed} audit entries were not posted");
                    }
                    Err(RecvError::Closed) => return,
                }
            }
        });
    }

    /// Queues `html` for the log chat; never waits.
    pub(crate) fn post(&self, html: String) {
        if self.queue.try_send(html).is_err() {
            metrics::counter!("numbot_log_chat_dropped_total").increment(1);
            tracing::warn!("log chat: the queue is full, a post was dropped");
        }
    }
}

/// `+971501234567` as `•••4567`: enough to tell numbers apart in a log
/// others read.
pub fn mask(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    let shown: String = digits[digits.len().saturating_sub(SHOWN_DIGITS)..]
        .iter()
        .collect();
    format!("•••{shown}")
}

/// Passes every event on to `next`, and posts each message relayed to a
/// holder (Telegram user or API token) to the log chat once delivered.
pub struct LoggedNotifier {
    next: Arc<dyn Notifier>,
    log: LogChat,
}

impl LoggedNotifier {
    /// Logs what `next` delivers to `log`.
    pub fn new(next: Arc<dyn Notifier>, log: LogChat) -> LoggedNotifier {
        LoggedNotifier { next, log }
    }
}

#[async_trait::async_trait]
impl Notifier for LoggedNotifier {
    async fn notify(&self, event: OtpEvent) -> Delivery {
        let lang = self.log.lang;
        let post = match &event {
            OtpEvent::Message {
                user,
                number,
                category,
                code,
                unexpected_sender,
                ..
            } => Some(format!(
                "{} {} · {} · {} · {}",
                if *unexpected_sender {
                    tr!(lang, "log-unexpected-sender")
                } else {
                    "🔑".to_string()
                },
                match code {
                    Some(code) => tr!(lang, "log-code", code = html(code)),
                    None => tr!(lang, "log-no-code"),
                },
                mask(number),
                html(if category.is_empty() { "?" } else { category }),
                holder(lang, *user),
            )),
            _ => None,
        };
        let delivery = self.next.notify(event).await;
        if let (Delivery::Delivered, Some(post)) = (&delivery, post) {
            self.log.post(post);
        }
        delivery
    }
}

/// A holder as the log names it, in `lang`: a Telegram user, or an API
/// token's use.
pub(crate) fn holder(lang: Lang, user: i64) -> String {
    match numbot_core::tokens::token_of(user) {
        Some(token) => tr!(lang, "log-holder-token", token = token.to_string()),
        None => tr!(lang, "log-holder-user", user = user.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_show_only_their_last_digits() {
        assert_eq!(mask("+971501234567"), "•••4567");
        assert_eq!(mask("+44 7400 123456"), "•••3456");
        assert_eq!(mask("12"), "•••12");
    }

    #[test]
    fn holders_are_users_or_tokens() {
        assert_eq!(holder(Lang::EN, 77), "user 77");
        assert_eq!(holder(Lang::EN, -(5 * 1000 + 1)), "API token 5");
    }

    #[test]
    fn every_language_names_holders() {
        for lang in Lang::all() {
            assert!(
                holder(lang, 1234567890).contains("1234567890"),
                "{}",
                lang.code()
            );
            assert!(
                holder(lang, -(5 * 1000 + 1)).contains('5'),
                "{}",
                lang.code()
            );
        }
    }
}
