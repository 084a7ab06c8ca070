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
        bot.send(bot.send_message(me.chat, "Usage: /ban <user id> [reason]"))
            .await?;
        return Ok(());
    };
    if app.is_admin(target) {
        bot.send(bot.send_message(
            me.chat,
            "Admins cannot be banned; remove them from the configuration first.",
        ))
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
        bot.send(bot.send_message(me.chat, "Usage: /unban <user id>"))
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
            bot.send(bot.send_message(me.chat, "The user records cannot be read now."))
                .await?;
            return Ok(());
        }
    };
    if pending.is_empty() {
        bot.send(bot.send_message(me.chat, "Nobody is waiting for approval."))
            .await?;
        return Ok(());
    }
    let rows: Vec<Vec<InlineKeyboardButton>> = pending
        .iter()
        .take(40)
        .map(|r| {
            vec![
                InlineKeyboardButton::callback(
                    format!("Approve {} ({})", r.name, r.id),
                    Callback::Approve(r.id),
                ),
                InlineKeyboardButton::callback("Reject", Callback::Reject(r.id)),
            ]
        })
        .collect();
    let text = format!("{} users wait for approval:", pending.len());
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
    let reason = (!approve).then(|| "access request rejected".to_string());
    set_status(bot, app, me, target, status, reason).await?;
    let text = format!(
        "{} user {target}.",
        if approve {
            "Approved"
        } else {
            "Rejected and banned"
        }
    );
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
        Some(UserStatus::Banned) => {
            format!("User {target} is banned: /unban {target} lifts the ban.")
        }
        Some(UserStatus::Active) => format!("User {target} already has access."),
        None => format!("User {target} has not asked for access."),
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
            bot.send(bot.send_message(
                me.chat,
                "The user records cannot be written now; nothing changed.",
            ))
            .await?;
            return Ok(());
        }
    };
    let (action, to_admin, to_user) = match status {
        UserStatus::Banned => {
            // A banned user's number goes back to the pool.
            let released = app.numbers.store().cancel(target).await.is_ok();
            (
                "ban",
                format!(
                    "Banned {} ({target}){}.",
                    record.name,
                    if released {
                        "; their number went back to the pool"
                    } else {
                        ""
                    }
                ),
                "You have been banned from this bot by an admin.".to_string(),
            )
        }
        UserStatus::Active => (
            "approve",
            format!("{} ({target}) may now take numbers.", record.name),
            "An admin gave you access: use /countries to get a number.".to_string(),
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
