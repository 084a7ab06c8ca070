//! Admins managing people: `/ban`, `/unban`, `/approve` and the Approve /
//! Reject buttons; each change is audited and both sides are told.

use numbot_core::{
    numbers::{DecideError, Decision},
    UserStatus,
};
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
    decide_and_tell(bot, app, me, target, Decision::Ban, reason)
        .await
        .map(drop)
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
    decide_and_tell(bot, app, me, target, Decision::Unban, None)
        .await
        .map(drop)
}

/// `/approve` lists the users waiting; `/approve <id>` approves one.
pub(crate) async fn approve(
    bot: &Tg,
    app: &App,
    me: &Caller,
    args: &str,
) -> Result<(), RequestError> {
    if let Some((target, _)) = target_of(args) {
        return decide_and_tell(bot, app, me, target, Decision::Approve, None)
            .await
            .map(drop);
    }
    let pending = match app.numbers.users_with(UserStatus::Pending).await {
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
    // No reason is stored: the user reads it in their language instead
    // ("you are banned"), and the audit trail says who rejected them.
    let decision = if approve {
        Decision::Approve
    } else {
        Decision::Reject
    };
    if !decide_and_tell(bot, app, me, target, decision, None).await? {
        return Ok(None);
    }
    let text = if approve {
        tr!(me.lang, "people-approved-toast", id = target)
    } else {
        tr!(me.lang, "people-rejected-toast", id = target)
    };
    Ok(Some(text))
}

fn target_of(args: &str) -> Option<(i64, Option<String>)> {
    let (id, rest) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
    let id = id.parse().ok()?;
    let rest = rest.trim();
    Some((id, (!rest.is_empty()).then(|| rest.to_string())))
}

/// Applies a decision, tells the admin and the user; false when it was
/// refused (the admin is told why).
async fn decide_and_tell(
    bot: &Tg,
    app: &App,
    me: &Caller,
    target: i64,
    decision: Decision,
    reason: Option<String>,
) -> Result<bool, RequestError> {
    let decided = match app.numbers.decide(me.id, target, decision, reason).await {
        Ok(d) => d,
        Err(e) => {
            let text = match e {
                DecideError::Admin(_) => tr!(me.lang, "people-admin-unbannable"),
                DecideError::NotWaiting(_, Some(UserStatus::Banned)) => {
                    tr!(me.lang, "people-is-banned", id = target)
                }
                DecideError::NotWaiting(_, Some(_)) => {
                    tr!(me.lang, "people-has-access", id = target)
                }
                DecideError::NotWaiting(_, None) => tr!(me.lang, "people-not-asked", id = target),
                DecideError::Records(e) => {
                    tracing::error!("user store: {e}");
                    tr!(me.lang, "people-records-unwritable")
                }
            };
            bot.send(bot.send_message(me.chat, text)).await?;
            return Ok(false);
        }
    };
    // The user is told in their own language, the admin in theirs.
    let lang = app.lang_of(target).await;
    let name = decided.record.name.as_str();
    let (to_admin, to_user) = match decided.record.status {
        UserStatus::Banned => {
            let to_admin = if decided.released.is_some() {
                tr!(me.lang, "people-banned-released", name = name, id = target)
            } else {
                tr!(me.lang, "people-banned", name = name, id = target)
            };
            (to_admin, tr!(lang, "people-you-are-banned"))
        }
        _ => (
            tr!(me.lang, "people-approved", name = name, id = target),
            tr!(lang, "people-you-have-access"),
        ),
    };
    bot.send(bot.send_message(me.chat, to_admin)).await?;
    // The user may never have talked to the bot: a refusal here is expected.
    if let Err(e) = bot.send(bot.send_message(ChatId(target), to_user)).await {
        tracing::info!("could not tell user {target}: {e}");
    }
    Ok(true)
}
