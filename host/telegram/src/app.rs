//! What every handler is given: the bot's settings and the shared use
//! cases, and the caller an update comes from.

use std::sync::Arc;

use numbot_core::{Account, Numbers, UserRecord};
use teloxide::types::{ChatId, Me};

use crate::{
    i18n::Lang,
    limits::{RateLimiter, Recent},
    settings::BotSettings,
};

/// Everything a handler needs.
pub struct App {
    pub(crate) settings: BotSettings,
    pub(crate) numbers: Arc<Numbers>,
    pub(crate) me: Me,
    pub(crate) flood: RateLimiter,
    /// Users found in the channel within the last minute.
    pub(crate) members: Recent<bool>,
    /// The OTP monitor's view of the SMS provider, when `[sms]` runs one.
    pub(crate) provider: Option<Arc<numbot_otp::MonitorStatus>>,
}

impl App {
    pub(crate) fn is_admin(&self, user: i64) -> bool {
        self.settings.access.admins.contains(&user)
    }

    /// The language to write to `user` in when they did not just write
    /// (a relayed code, an admin's decision): their stored choice or
    /// Telegram language, else the bot's default.
    pub(crate) async fn lang_of(&self, user: i64) -> Lang {
        let record = match self.numbers.user(user).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(user, "user store: {e}; writing in the default language");
                None
            }
        };
        let record = record.as_ref();
        Lang::pick(
            [
                record.and_then(|r| r.language.as_deref()),
                record.and_then(|r| r.telegram_language.as_deref()),
            ],
            self.settings.language(),
        )
    }
}

/// The user behind an update, once access allows them to talk to the bot.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Telegram user id.
    pub id: i64,
    /// Their private chat with the bot.
    pub chat: ChatId,
    /// An admin from the configuration.
    pub admin: bool,
    /// Their record.
    pub record: UserRecord,
    /// The language to answer in: their `/language` choice, else their
    /// Telegram app's, else the bot's default.
    pub lang: Lang,
}

impl Caller {
    /// The caller as the use cases see them.
    pub fn account(&self) -> Account {
        Account::User {
            id: self.id,
            admin: self.admin,
        }
    }
}
