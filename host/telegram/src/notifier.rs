//! The OTP monitor's events, written for Telegram and sent by the bot.

use std::{sync::Arc, time::Duration};

use numbot_otp::{Delivery, Notifier, OtpEvent};
use teloxide::{
    prelude::*,
    types::{InlineKeyboardButton, InlineKeyboardMarkup, ParseMode},
    ApiError, RequestError,
};

use crate::{callback::Callback, render::html, App, Tg};

/// Characters of an SMS relayed (the rest is cut, marked with `…`): a
/// message holds 4,096; an SMS rarely more than a few hundred.
const MAX_RELAYED_TEXT: usize = 3000;
/// Tries of one message within a poll before the next poll takes over.
const ATTEMPTS: u32 = 3;
/// The first wait between tries; it doubles.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// The longest flood wait honoured within a poll.
const LONGEST_WAIT: Duration = Duration::from_secs(5);

/// Sends the monitor's events: messages and expiries to their users,
/// provider alerts to every admin.
pub struct TelegramNotifier {
    bot: Tg,
    app: Arc<App>,
}

impl TelegramNotifier {
    /// Sends through `bot`; alerts go to `app`'s admins, refusals to its
    /// audit trail.
    pub fn new(bot: Tg, app: Arc<App>) -> TelegramNotifier {
        TelegramNotifier { bot, app }
    }

    /// Tells a user something (HTML), with a Done button when the use
    /// waits for one, trying again with backoff while Telegram fails for
    /// now.
    async fn tell_user(&self, user: i64, html: String, done: bool) -> Delivery {
        let mut backoff = FIRST_BACKOFF;
        for attempt in 1..=ATTEMPTS {
            let mut request = self
                .bot
                .send_message(ChatId(user), html.clone())
                .parse_mode(ParseMode::Html);
            if done {
                request = request.reply_markup(InlineKeyboardMarkup::new([[
                    InlineKeyboardButton::callback("Done", Callback::Done),
                ]]));
            }
            let wait = match self.bot.send(request).await {
                Ok(_) => return Delivery::Delivered,
                Err(RequestError::Api(e)) if permanent(&e) => {
                    tracing::warn!(user, "Telegram refused a relayed message for good: {e}");
                    self.app
                        .audit(user, "relay_refused", format!("Telegram: {e}"))
                        .await;
                    return Delivery::Refused(e.to_string());
                }
                Err(RequestError::RetryAfter(after)) => after.duration().min(LONGEST_WAIT),
                Err(e) => {
                    tracing::warn!(user, attempt, "could not relay a message: {e}");
                    backoff
                }
            };
            if attempt < ATTEMPTS {
                tokio::time::sleep(wait).await;
                backoff *= 2;
            }
        }
        Delivery::Retry
    }

    /// Tells every admin something (plain text).
    async fn tell_admins(&self, text: String) {
        for &admin in &self.app.settings.access.admins {
            if let Err(e) = self
                .bot
                .send(self.bot.send_message(ChatId(admin), text.clone()))
                .await
            {
                tracing::warn!(admin, "could not alert an admin: {e}");
            }
        }
    }
}

/// Errors that no retry changes: the user cannot be written to.
pub(crate) fn permanent(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::BotBlocked
            | ApiError::UserDeactivated
            | ApiError::ChatNotFound
            | ApiError::UserNotFound
            | ApiError::CantInitiateConversation
            | ApiError::CantTalkWithBots
            | ApiError::BotKicked
    )
}

/// The message a user gets for an event, in Telegram's HTML.
pub fn render(event: &OtpEvent) -> String {
    match event {
        OtpEvent::Message {
            number,
            text,
            code,
            sender,
            unexpected_sender,
            awaits_done,
            ..
        } => {
            let body = if text.chars().count() > MAX_RELAYED_TEXT {
                let mut cut: String = text.chars().take(MAX_RELAYED_TEXT).collect();
                cut.push('…');
                cut
            } else {
                text.clone()
            };
            let mut out = String::new();
            if *unexpected_sender {
                out.push_str(&format!(
                    "⚠️ From an unexpected sender ({}): this category's codes come from elsewhere, so it may be forged. The number stays yours.\n\n",
                    html(sender.as_deref().unwrap_or("unknown"))
                ));
            }
            out.push_str(&match code {
                Some(code) => format!(
                    "Code for <code>{}</code>: <code>{}</code>\n\n{}",
                    html(number),
                    html(code),
                    html(&body)
                ),
                None => format!(
                    "A message reached <code>{}</code> (no code found in it):\n\n{}",
                    html(number),
                    html(&body)
                ),
            });
            if *awaits_done {
                out.push_str("\n\nMore messages to this number come here too. Press Done when you have finished.");
            }
            out
        }
        OtpEvent::LeaseEnded { number, .. } => format!(
            "No code reached <code>{}</code> before its time ran out; the number went back to the pool. Send /countries for another.",
            html(number)
        ),
        OtpEvent::ProviderDown { provider, error } => format!(
            "The SMS provider ({provider}) keeps failing: {error}. Codes are not relayed until it answers again; numbot keeps retrying and will say when it recovers."
        ),
        OtpEvent::ProviderRecovered { provider, failures } => format!(
            "The SMS provider ({provider}) answers again after {failures} failed polls; codes are relayed again."
        ),
    }
}

#[async_trait::async_trait]
impl Notifier for TelegramNotifier {
    async fn notify(&self, event: OtpEvent) -> Delivery {
        let text = render(&event);
        match event {
            OtpEvent::Message {
                user, awaits_done, ..
            } => self.tell_user(user, text, awaits_done).await,
            OtpEvent::LeaseEnded { user, .. } => self.tell_user(user, text, false).await,
            OtpEvent::ProviderDown { .. } | OtpEvent::ProviderRecovered { .. } => {
                self.tell_admins(text).await;
                Delivery::Delivered
            }
        }
    }
}
