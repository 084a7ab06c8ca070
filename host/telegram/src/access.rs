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
        .users()
        .seen(id, &display_name(from), telegram_language, initial)
        .await
    {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("user store: {e}");
            let text = "numbot cannot read its user records right now. Try again in a minute.";
            bot.send(bot.send_message(chat, text)).await?;
            return Ok(None);
        }
    };
    if created && record.status == UserStatus::Pending {
        notify_admins_of_request(bot, app, &record).await?;
    }
    if record.status == UserStatus::Banned && !admin {
        let reason = record
            .reason
            .as_deref()
            .map(|r| format!(" Reason: {r}."))
            .unwrap_or_default();
        let text =
            format!("You are banned from this bot.{reason} Contact an admin if this is a mistake.");
        bot.send(bot.send_message(chat, text)).await?;
        return Ok(None);
    }
    let lang = Lang::pick([record.language.as_deref()], lang);
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
    let text = format!(
        "New user asks for access: {} (id <code>{}</code>).",
        html(&record.name),
        record.id
    );
    let keyboard = InlineKeyboardMarkup::new([[
        InlineKeyboardButton::callback("Approve", Callback::Approve(record.id)),
        InlineKeyboardButton::callback("Reject and ban", Callback::Reject(record.id)),
    ]]);
    // Each admin on their own: one who blocked the bot does not stop the others.
    for &admin in &app.settings.access.admins {
        let sent = bot
            .send(
                bot.send_message(ChatId(admin), text.clone())
                    .parse_mode(teloxide::types::ParseMode::Html)
                    .reply_markup(keyboard.clone()),
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
    if caller.admin {
        return Ok(true);
    }
    let refusal = match app.settings.access.mode {
        AccessMode::Open => None,
        AccessMode::Approval => match caller.record.status {
            UserStatus::Active => None,
            _ => Some("Your access request is waiting for an admin's approval. You will get a message here once it is approved.".to_string()),
        },
        AccessMode::Channel => match member_of_channel(bot, app, caller.id).await {
            Ok(true) => None,
            Ok(false) => Some(format!(
                "numbot is for members of {}. Join it, then try again.",
                app.settings.access.channel.as_deref().unwrap_or("the team channel")
            )),
            Err(e) => {
                tracing::error!("getChatMember failed: {e}");
                Some("numbot cannot check the channel membership right now (is the bot an admin of the channel?). Try again later.".to_string())
            }
        },
    };
    match refusal {
        None => Ok(true),
        Some(text) => {
            bot.send(bot.send_message(caller.chat, text)).await?;
            Ok(false)
        }
    }
}

/// Access as `/start` describes it.
pub(crate) fn describe(app: &App, caller: &Caller) -> &'static str {
    match (app.settings.access.mode, caller.record.status, caller.admin) {
        (_, _, true) => "You are an admin: send a CSV file to add numbers, /help for the commands.",
        (AccessMode::Approval, UserStatus::Pending, _) => {
            "Access needs an admin's approval: your request has been sent. You will get a message here once it is approved."
        }
        (AccessMode::Channel, _, _) => {
            "Access is for members of the team channel: /countries checks your membership."
        }
        _ => "You have access: use /countries to get a number.",
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
