//! The OTP monitor's events, written for Telegram and sent by the bot.

use std::{sync::Arc, time::Duration};

use numbot_core::UseId;
use numbot_otp::{Delivery, Notifier, OtpEvent};
use teloxide::{
    prelude::*,
    types::{InlineKeyboardButton, InlineKeyboardMarkup, ParseMode},
    ApiError, RequestError,
};

use crate::{callback::Callback, i18n::Lang, render::html, App, Tg};

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

    /// Tells a user something (HTML), with a Done button (in `lang`, the
    /// user's language) when the use waits for one, trying again with
    /// backoff while Telegram fails for now.
    async fn tell_user(
        &self,
        lang: Lang,
        user: i64,
        html: String,
        done: Option<UseId>,
    ) -> Delivery {
        let mut backoff = FIRST_BACKOFF;
        for attempt in 1..=ATTEMPTS {
            let mut request = self
                .bot
                .send_message(ChatId(user), html.clone())
                .parse_mode(ParseMode::Html);
            if let Some(id) = done {
                request = request.reply_markup(InlineKeyboardMarkup::new([[
                    InlineKeyboardButton::callback(
                        tr!(lang, "relay-done-button"),
                        Callback::Done(Some(id)),
                    ),
                ]]));
            }
            let wait = match self.bot.send(request).await {
                Ok(_) => return Delivery::Delivered,
                Err(RequestError::Api(e)) if permanent(&e) => {
                    tracing::warn!(user, "Telegram refused a relayed message for good: {e}");
                    self.app
                        .numbers
                        .relay_refused(user, &format!("Telegram: {e}"))
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

    /// Tells every admin of `event` (plain text), each in their language.
    async fn tell_admins(&self, event: &OtpEvent) {
        for &admin in &self.app.settings.access.admins {
            let text = render(self.app.lang_of(admin).await, event);
            if let Err(e) = self
                .bot
                .send(self.bot.send_message(ChatId(admin), text))
                .await
            {
                tracing::warn!(admin, "could not alert an admin: {e}");
            }
        }
    }
}

impl TelegramNotifier {
    /// Keeps a relayed message for the Mini App's page of its holder.
    async fn keep_for_the_page(&self, event: OtpEvent) {
        let OtpEvent::Message {
            id,
            user,
            text,
            code,
            sender,
            unexpected_sender,
            received_at,
            ..
        } = event
        else {
            return;
        };
        let message = numbot_core::inbox::InboxMessage {
            id: 0,
            received_at,
            sender,
            text,
            code,
            unexpected_sender,
        };
        if let Err(e) = self.app.numbers.deliver(id, user, message).await {
            tracing::warn!(user, "a message not kept for the Mini App: {e}");
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

/// The message a user gets for an event, in Telegram's HTML, in `lang`.
pub fn render(lang: Lang, event: &OtpEvent) -> String {
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
                let sender = match sender {
                    Some(sender) => html(sender),
                    None => tr!(lang, "relay-unknown-sender"),
                };
                out.push_str(&tr!(lang, "relay-unexpected-sender", sender = sender));
                out.push_str("\n\n");
            }
            out.push_str(&match code {
                Some(code) => tr!(lang, "relay-code", number = html(number), code = html(code)),
                None => tr!(lang, "relay-message-without-code", number = html(number)),
            });
            out.push_str("\n\n");
            out.push_str(&html(&body));
            if *awaits_done {
                out.push_str("\n\n");
                out.push_str(&tr!(lang, "relay-more-messages"));
            }
            out
        }
        OtpEvent::LeaseEnded { number, .. } => {
            tr!(lang, "relay-lease-ended", number = html(number))
        }
        OtpEvent::ProviderDown { provider, error } => tr!(
            lang,
            "relay-provider-down",
            provider = provider.as_str(),
            error = error.as_str()
        ),
        OtpEvent::ProviderRecovered { provider, failures } => tr!(
            lang,
            "relay-provider-recovered",
            provider = provider.as_str(),
            failures = *failures
        ),
    }
}

#[async_trait::async_trait]
impl Notifier for TelegramNotifier {
    async fn notify(&self, event: OtpEvent) -> Delivery {
        match event {
            OtpEvent::Message {
                id,
                user,
                awaits_done,
                ..
            } => {
                let lang = self.app.lang_of(user).await;
                let text = render(lang, &event);
                let told = self
                    .tell_user(lang, user, text, awaits_done.then_some(id))
                    .await;
                if self.app.settings.web.is_some() && !matches!(told, Delivery::Retry) {
                    self.keep_for_the_page(event).await;
                }
                told
            }
            OtpEvent::LeaseEnded { user, .. } => {
                let lang = self.app.lang_of(user).await;
                let text = render(lang, &event);
                self.tell_user(lang, user, text, None).await
            }
            OtpEvent::ProviderDown { .. } | OtpEvent::ProviderRecovered { .. } => {
                self.tell_admins(&event).await;
                Delivery::Delivered
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(code: Option<&str>, sender: Option<&str>, unexpected: bool, done: bool) -> OtpEvent {
        OtpEvent::Message {
            id: UseId(1),
            user: 7,
            number: "+971501234567".into(),
            category: "wa".into(),
            since: 0,
            text: "Your code is 482913 <b>".into(),
            code: code.map(str::to_string),
            sender: sender.map(str::to_string),
            unexpected_sender: unexpected,
            received_at: 0,
            awaits_done: done,
        }
    }

    #[test]
    fn english_reads_as_before() {
        assert_eq!(
            render(Lang::EN, &message(Some("482913"), None, false, false)),
            "Code for <code>+971501234567</code>: <code>482913</code>\n\nYour code is 482913 &lt;b&gt;"
        );
        assert_eq!(
            render(Lang::EN, &message(None, None, true, true)),
            "⚠️ From an unexpected sender (unknown): this category's codes come from elsewhere, so it may be forged. The number stays yours.\n\n\
             A message reached <code>+971501234567</code> (no code found in it):\n\nYour code is 482913 &lt;b&gt;\n\n\
             More messages to this number come here too. Press Done when you have finished."
        );
        assert!(
            render(Lang::EN, &message(None, Some("+971555000111"), true, false))
                .starts_with("⚠️ From an unexpected sender (+971555000111): ")
        );
        assert_eq!(
            render(Lang::EN, &OtpEvent::LeaseEnded { user: 7, number: "+44 1".into() }),
            "No code reached <code>+44 1</code> before its time ran out; the number went back to the pool. Send /countries for another."
        );
        assert_eq!(
            render(Lang::EN, &OtpEvent::ProviderDown { provider: "twilio".into(), error: "timeout".into() }),
            "The SMS provider (twilio) keeps failing: timeout. Codes are not relayed until it answers again; numbot keeps retrying and will say when it recovers."
        );
        assert_eq!(
            render(Lang::EN, &OtpEvent::ProviderRecovered { provider: "twilio".into(), failures: 6 }),
            "The SMS provider (twilio) answers again after 6 failed polls; codes are relayed again."
        );
    }

    #[test]
    fn every_language_keeps_the_code_and_number() {
        for lang in Lang::all() {
            let text = render(lang, &message(Some("482913"), Some("X"), true, true));
            assert!(
                text.contains("<code>482913</code>"),
                "{}: {text}",
                lang.code()
            );
            assert!(
                text.contains("<code>+971501234567</code>"),
                "{}: {text}",
                lang.code()
            );
            for failures in [1, 2, 3, 6, 11, 21, 100] {
                let text = render(
                    lang,
                    &OtpEvent::ProviderRecovered {
                        provider: "p".into(),
                        failures,
                    },
                );
                assert!(
                    text.contains("(p)") && !text.contains('{'),
                    "{}: {text}",
                    lang.code()
                );
            }
        }
    }
}
