//! Who may use the bot: bans first, then the access mode (`open`,
//! `approval`, `channel`). Admins from the configuration always may.

use std::time::Duration;

use teloxide::{
    prelude::*,
    types::{InlineKeyboardButton, InlineKeyboardMarkup, Recipient, User},
    RequestError,
};

use numbot_core::{UserRecord, UserStatus};

use crate::{
    app::{App, Caller},
    callback::Callback,
    i18n::Lang,
    render::html,
    settings::AccessMode,
    Tg,
};

/// How long a channel membership check is trusted.
pub(crate) const MEMBERSHIP_TTL: Duration = Duration::from_secs(60);

fn display_name(user: &User) -> String {
    match &user.username {
        Some(u) => format!("{} (@{u})", user.full_name()),
        None => user.full_name(),
    }
}

/// Records the user and refuses banned ones (with a message); `None` means
/// the update is answered already.
pub(crate) async fn identify(
    bot: &Tg,
    app: &App,
    from: &User,
    chat: ChatId,
) -> Result<Option<Caller>, RequestError> {
    let id = from.id.0 as i64;
    let admin = app.is_admin(id);
    let initial = if admin || app.settings.access.mode != AccessMode::Approval {
        UserStatus::Active
    } else {
        UserStatus::Pending
    };
    let telegram_language = from.language_code.as_deref();
    let lang = Lang::pick([telegram_language], app.settings.language());
    let (record, created) = match app
        .numbers
        .seen(id, &display_name(from), telegram_language, initial)
        .await
    {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("user store: {e}");
            let text = tr!(lang, "access-records-unavailable");
            bot.send(bot.send_message(chat, text)).await?;
            return Ok(None);
        }
    };
    if created && record.status == UserStatus::Pending {
        notify_admins_of_request(bot, app, &record).await?;
    }
    let lang = Lang::pick([record.language.as_deref()], lang);
    if record.status == UserStatus::Banned && !admin {
        let text = match record.reason.as_deref() {
            Some(reason) => tr!(lang, "access-banned-reason", reason = reason),
            None => tr!(lang, "access-banned"),
        };
        bot.send(bot.send_message(chat, text)).await?;
        return Ok(None);
    }
    Ok(Some(Caller {
        id,
        chat,
        admin,
        record,
        lang,
    }))
}

async fn notify_admins_of_request(
    bot: &Tg,
    app: &App,
    record: &UserRecord,
) -> Result<(), RequestError> {
    // Each admin on their own, in their language: one who blocked the bot
    // does not stop the others.
    for &admin in &app.settings.access.admins {
        let lang = app.lang_of(admin).await;
        let text = tr!(
            lang,
            "access-new-user",
            name = html(&record.name),
            id = record.id.to_string()
        );
        let keyboard = InlineKeyboardMarkup::new([[
            InlineKeyboardButton::callback(
                tr!(lang, "access-button-approve"),
                Callback::Approve(record.id),
            ),
            InlineKeyboardButton::callback(
                tr!(lang, "access-button-reject"),
                Callback::Reject(record.id),
            ),
        ]]);
        let sent = bot
            .send(
                bot.send_message(ChatId(admin), text)
                    .parse_mode(teloxide::types::ParseMode::Html)
                    .reply_markup(keyboard),
            )
            .await;
        if let Err(e) = sent {
            tracing::warn!(admin, "could not tell an admin about a new user: {e}");
        }
    }
    Ok(())
}

/// Whether the caller may take numbers now; when not, they are told why.
pub(crate) async fn may_take(bot: &Tg, app: &App, caller: &Caller) -> Result<bool, RequestError> {
    match refusal(bot, app, caller).await {
        None => Ok(true),
        Some(text) => {
            bot.send(bot.send_message(caller.chat, text)).await?;
            Ok(false)
        }
    }
}

/// Why the caller may not take numbers now, if they may not (the bot says
/// it in the chat, the Mini App on the page).
pub(crate) async fn refusal(bot: &Tg, app: &App, caller: &Caller) -> Option<String> {
    if caller.admin {
        return None;
    }
    let lang = caller.lang;
    match app.settings.access.mode {
        AccessMode::Open => None,
        AccessMode::Approval => match caller.record.status {
            UserStatus::Active => None,
            _ => Some(tr!(lang, "access-waiting-approval")),
        },
        AccessMode::Channel => match member_of_channel(bot, app, caller.id).await {
            Ok(true) => None,
            Ok(false) => Some(match app.settings.access.channel.as_deref() {
                Some(channel) => tr!(lang, "access-join-channel", channel = channel),
                None => tr!(lang, "access-join-team-channel"),
            }),
            Err(e) => {
                tracing::error!("getChatMember failed: {e}");
                Some(tr!(lang, "access-channel-check-failed"))
            }
        },
    }
}

/// Access as `/start` describes it, in `lang`.
pub(crate) fn describe(lang: Lang, app: &App, caller: &Caller) -> String {
    match (app.settings.access.mode, caller.record.status, caller.admin) {
        (_, _, true) => tr!(lang, "access-describe-admin"),
        (AccessMode::Approval, UserStatus::Pending, _) => tr!(lang, "access-describe-pending"),
        (AccessMode::Channel, _, _) => tr!(lang, "access-describe-channel"),
        _ => tr!(lang, "access-describe-open"),
    }
}

/// Channel membership through getChatMember, cached for a minute when positive.
async fn member_of_channel(bot: &Tg, app: &App, user: i64) -> Result<bool, RequestError> {
    if app.members.get(user) == Some(true) {
        return Ok(true);
    }
    let channel = app.settings.access.channel.clone().unwrap_or_default();
    let recipient = match channel.parse::<i64>() {
        Ok(id) => Recipient::Id(ChatId(id)),
        Err(_) => Recipient::ChannelUsername(channel),
    };
    let member = bot
        .send(bot.get_chat_member(recipient, UserId(user as u64)))
        .await?;
    let present = member.kind.is_present();
    if present {
        app.members.write(user, |m| *m = true);
    }
    Ok(present)
}
