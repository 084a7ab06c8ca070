//! The OTP monitor's events, written for Telegram and sent by the bot.

use numbot_otp::{Notifier, OtpEvent};
use teloxide::{prelude::*, types::ParseMode, RequestError};

use crate::{render::html, Tg};

/// Characters of an SMS relayed (the rest is cut, marked with `…`): a
/// message holds 4,096; an SMS rarely more than a few hundred.
const MAX_RELAYED_TEXT: usize = 3000;

/// Sends the monitor's events: messages and expiries to their users,
/// provider alerts to every admin.
pub struct TelegramNotifier {
    bot: Tg,
    admins: Vec<i64>,
}

impl TelegramNotifier {
    /// Sends through `bot`; alerts go to `admins`.
    pub fn new(bot: Tg, admins: Vec<i64>) -> TelegramNotifier {
        TelegramNotifier { bot, admins }
    }

    /// Tells a user something (HTML); whether it was delivered.
    async fn tell_user(&self, user: i64, html: String) -> bool {
        let request = self
            .bot
            .send_message(ChatId(user), html)
            .parse_mode(ParseMode::Html);
        match self.bot.send(request).await {
            Ok(_) => true,
            // Telegram refused it for good (the user blocked the bot, say):
            // trying again every poll would not change that.
            Err(RequestError::Api(e)) => {
                tracing::warn!(user, "Telegram refused a relayed message: {e}");
                true
            }
            Err(e) => {
                tracing::warn!(user, "could not relay a message, will try again: {e}");
                false
            }
        }
    }

    /// Tells every admin something (plain text).
    async fn tell_admins(&self, text: String) {
        for &admin in &self.admins {
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

/// The message a user gets for an event, in Telegram's HTML.
pub fn render(event: &OtpEvent) -> String {
    match event {
        OtpEvent::Message {
            number, text, code, ..
        } => {
            let body = if text.chars().count() > MAX_RELAYED_TEXT {
                let mut cut: String = text.chars().take(MAX_RELAYED_TEXT).collect();
                cut.push('…');
                cut
            } else {
                text.clone()
            };
            match code {
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
            }
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
    async fn notify(&self, event: OtpEvent) -> bool {
        let text = render(&event);
        match event {
            OtpEvent::Message { user, .. } | OtpEvent::LeaseEnded { user, .. } => {
                self.tell_user(user, text).await
            }
            OtpEvent::ProviderDown { .. } | OtpEvent::ProviderRecovered { .. } => {
                self.tell_admins(text).await;
                true
            }
        }
    }
}
