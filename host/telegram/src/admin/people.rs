//! Admins managing people: `/ban`, `/unban`, `/approve` and the Approve /
//! Reject buttons; each change is audited and both sides are told.

use numbot_core::UserStatus;
use teloxide::{
    prelude::*,
    types::{InlineKeyboardButton, InlineKeyboardMarkup},
    RequestError,
};

use crate::{
    app::{App, Caller},
    callback::Callback,
    schema::Answer,
    Tg,
};

/// `/ban <id> [reason]`.
pub(crate) async fn ban(bot: &Tg, app: &App, me: &Caller, args: &str) -> Result<(), RequestError> {
    let Some((target, reason)) = target_of(args) else {
        bot.send(bot.send_message(me.chat, tr!(me.lang, "people-ban-usage")))
            .await?;
        return Ok(());
    };
    if app.is_admin(target) {
        bot.send(bot.send_message(me.chat, tr!(me.lang, "people-admin-unbannable")))
            .await?;
        return Ok(());
    }
    set_status(bot, app, me, target, UserStatus::Banned, reason).await
}

/// `/unban <id>`.
pub(crate) async fn unban(
    bot: &Tg,
    app: &App,
    me: &Caller,
    args: &str,
) -> Result<(), RequestError> {
    let Some((target, _)) = target_of(args) else {
        bot.send(bot.send_message(me.chat, tr!(me.lang, "people-unban-usage")))
            .await?;
        return Ok(());
    };
    set_status(bot, app, me, target, UserStatus::Active, None).await
}

/// `/approve` lists the users waiting; `/approve <id>` approves one.
pub(crate) async fn approve(
    bot: &Tg,
    app: &App,
    me: &Caller,
    args: &str,
) -> Result<(), RequestError> {
    if let Some((target, _)) = target_of(args) {
        if refuse_unless_pending(bot, app, me, target).await? {
            return Ok(());
        }
        return set_status(bot, app, me, target, UserStatus::Active, None).await;
    }
    let pending = match app.numbers.users().with_status(UserStatus::Pending).await {
        Ok(p) => p,
        Err(e) => {
            tracing::error!("user store: {e}");
            let text = tr!(me.lang, "people-records-unreadable");
            bot.send(bot.send_message(me.chat, text)).await?;
            return Ok(());
        }
    };
    if pending.is_empty() {
        bot.send(bot.send_message(me.chat, tr!(me.lang, "people-nobody-waiting")))
            .await?;
        return Ok(());
    }
    let rows: Vec<Vec<InlineKeyboardButton>> = pending
        .iter()
        .take(40)
        .map(|r| {
            vec![
                InlineKeyboardButton::callback(
                    tr!(
                        me.lang,
                        "people-approve-button",
                        name = r.name.as_str(),
                        id = r.id
                    ),
                    Callback::Approve(r.id),
                ),
                InlineKeyboardButton::callback(
                    tr!(me.lang, "people-reject-button"),
                    Callback::Reject(r.id),
                ),
            ]
        })
        .collect();
    let text = tr!(me.lang, "people-waiting", n = pending.len());
    bot.send(
        bot.send_message(me.chat, text)
            .reply_markup(InlineKeyboardMarkup::new(rows)),
    )
    .await?;
    Ok(())
}

/// The Approve / Reject buttons.
pub(crate) async fn decide(bot: &Tg, app: &App, me: &Caller, approve: bool, target: i64) -> Answer {
    if refuse_unless_pending(bot, app, me, target).await? {
        return Ok(None);
    }
    let status = if approve {
        UserStatus::Active
    } else {
        UserStatus::Banned
    };
    // No reason is stored: the user reads it in their language instead
    // ("you are banned"), and the audit trail says who rejected them.
    set_status(bot, app, me, target, status, None).await?;
    let text = if approve {
        tr!(me.lang, "people-approved-toast", id = target)
    } else {
        tr!(me.lang, "people-rejected-toast", id = target)
    };
    Ok(Some(text))
}

/// Approving or rejecting is for users waiting: a banned user is unbanned
/// with `/unban`, not by an old button. Says so and returns true otherwise.
async fn refuse_unless_pending(
    bot: &Tg,
    app: &App,
    me: &Caller,
    target: i64,
) -> Result<bool, RequestError> {
    let status = app
        .numbers
        .users()
        .get(target)
        .await
        .ok()
        .flatten()
        .map(|r| r.status);
    let text = match status {
        Some(UserStatus::Pending) => return Ok(false),
        Some(UserStatus::Banned) => tr!(me.lang, "people-is-banned", id = target),
        Some(UserStatus::Active) => tr!(me.lang, "people-has-access", id = target),
        None => tr!(me.lang, "people-not-asked", id = target),
    };
    bot.send(bot.send_message(me.chat, text)).await?;
    Ok(true)
}

fn target_of(args: &str) -> Option<(i64, Option<String>)> {
    let (id, rest) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
    let id = id.parse().ok()?;
    let rest = rest.trim();
    Some((id, (!rest.is_empty()).then(|| rest.to_string())))
}

/// Changes a user's status, audits it, tells the admin and the user.
async fn set_status(
    bot: &Tg,
    app: &App,
    me: &Caller,
    target: i64,
    status: UserStatus,
    reason: Option<String>,
) -> Result<(), RequestError> {
    let record = match app
        .numbers
        .users()
        .set_status(target, status, me.id, reason.clone())
        .await
    {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("user store: {e}");
            let text = tr!(me.lang, "people-records-unwritable");
            bot.send(bot.send_message(me.chat, text)).await?;
            return Ok(());
        }
    };
    // The user is told in their own language, the admin in theirs.
    let lang = app.lang_of(target).await;
    let name = record.name.as_str();
    let (action, to_admin, to_user) = match status {
        UserStatus::Banned => {
            // A banned user's number goes back to the pool.
            let released = app.numbers.store().cancel(target).await.is_ok();
            let to_admin = if released {
                tr!(me.lang, "people-banned-released", name = name, id = target)
            } else {
                tr!(me.lang, "people-banned", name = name, id = target)
            };
            ("ban", to_admin, tr!(lang, "people-you-are-banned"))
        }
        UserStatus::Active => (
            "approve",
            tr!(me.lang, "people-approved", name = name, id = target),
            tr!(lang, "people-you-have-access"),
        ),
        UserStatus::Pending => unreachable!("admins never set pending"),
    };
    let detail = match &reason {
        Some(r) => format!("user {target}: {r}"),
        None => format!("user {target}"),
    };
    app.audit(me.id, action, detail).await;
    bot.send(bot.send_message(me.chat, to_admin)).await?;
    // The user may never have talked to the bot: a refusal here is expected.
    if let Err(e) = bot.send(bot.send_message(ChatId(target), to_user)).await {
        tracing::info!("could not tell user {target}: {e}");
    }
    Ok(())
}
