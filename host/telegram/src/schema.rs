//! The handler tree, in teloxide's shape: private messages and button
//! presses pass the flood limit and the access check (which yields the
//! [`Caller`]), then branch on what they are; admin commands and admin
//! buttons pass an admin filter, and whoever fails it is refused and
//! audited.

use std::sync::Arc;

use teloxide::{
    dispatching::{UpdateFilterExt, UpdateHandler},
    prelude::*,
    types::{CallbackQuery, Message},
    RequestError,
};

use crate::{
    access, admin,
    app::{App, Caller},
    callback::Callback,
    commands::{self, AdminCommand, Parsed, UserCommand},
    i18n::Lang,
    language, render, user, Tg,
};

/// The outcome of a button's handler: the text for the answer toast, if any.
pub(crate) type Answer = Result<Option<String>, RequestError>;

/// The handler tree: messages and button presses.
pub fn schema() -> UpdateHandler<RequestError> {
    let commands = dptree::filter_map(|msg: Message, app: Arc<App>| {
        commands::parse(msg.text()?, app.me.username())
    })
    .branch(dptree::case![Parsed::User(c)].endpoint(on_user_command))
    .branch(
        dptree::case![Parsed::Admin(c)]
            .branch(dptree::filter(|me: Caller| me.admin).endpoint(on_admin_command))
            .endpoint(refuse_admin_command),
    )
    .branch(dptree::case![Parsed::Unknown(name)].endpoint(on_unknown_command));
    let messages = Update::filter_message()
        .filter(|msg: Message| msg.chat.is_private() && msg.from.is_some())
        .filter_map_async(admit_message)
        .branch(dptree::filter(|msg: Message| msg.document().is_some()).endpoint(admin::document))
        .branch(commands)
        .endpoint(on_text);
    let presses = Update::filter_callback_query()
        .filter_map_async(admit_press)
        .branch(
            dptree::filter(|q: CallbackQuery, me: Caller| {
                !me.admin && Callback::admin_action(q.data.as_deref().unwrap_or_default())
            })
            .endpoint(refuse_button),
        )
        .branch(
            dptree::filter_map(|q: CallbackQuery| Callback::parse(q.data.as_deref()?))
                .endpoint(on_button),
        )
        .endpoint(|bot: Tg, q: CallbackQuery, me: Caller| async move {
            let stale = tr!(me.lang, "bot-button-stale");
            answer(&bot, &q, me.lang, Ok(Some(stale))).await
        });
    dptree::entry().branch(messages).branch(presses)
}

/// Logs a request that failed inside a filter (a filter has no error to return).
fn logged<T>(result: Result<T, RequestError>) -> Option<T> {
    result
        .inspect_err(|e| tracing::warn!("a request to Telegram failed: {e}"))
        .ok()
}

/// The flood limit, then the user's record and access: the caller, or
/// `None` when the message was answered already.
async fn admit_message(bot: Tg, msg: Message, app: Arc<App>) -> Option<Caller> {
    let from = msg.from.clone()?;
    let user = from.id.0 as i64;
    if let Err((wait, first)) = app.flood.acquire(user) {
        if first {
            let lang = Lang::pick([from.language_code.as_deref()], app.settings.language());
            let text = tr!(lang, "bot-too-fast", wait = render::wait(lang, wait));
            logged(bot.send(bot.send_message(msg.chat.id, text)).await);
        }
        return None;
    }
    logged(access::identify(&bot, &app, &from, msg.chat.id).await).flatten()
}

/// [`admit_message`] for a button press; every refused press is answered
/// (the button stops spinning whatever happened).
async fn admit_press(bot: Tg, q: CallbackQuery, app: Arc<App>) -> Option<Caller> {
    let user = q.from.id.0 as i64;
    let Some(message) = q.regular_message().filter(|_| q.data.is_some()) else {
        logged(bot.send(bot.answer_callback_query(q.id.clone())).await);
        return None;
    };
    if let Err((wait, _)) = app.flood.acquire(user) {
        let lang = Lang::pick([q.from.language_code.as_deref()], app.settings.language());
        let text = tr!(lang, "bot-too-fast-toast", wait = render::wait(lang, wait));
        logged(
            bot.send(bot.answer_callback_query(q.id.clone()).text(text))
                .await,
        );
        return None;
    }
    let caller = logged(access::identify(&bot, &app, &q.from, message.chat.id).await).flatten();
    if caller.is_none() {
        logged(bot.send(bot.answer_callback_query(q.id.clone())).await);
    }
    caller
}

async fn on_user_command(
    bot: Tg,
    app: Arc<App>,
    me: Caller,
    command: UserCommand,
) -> Result<(), RequestError> {
    match command {
        UserCommand::Start => user::start(&bot, &app, &me).await,
        UserCommand::Help => user::help(&bot, &app, &me).await,
        UserCommand::Countries => user::countries(&bot, &app, &me, None).await.map(drop),
        UserCommand::Stats => user::stats(&bot, &app, &me).await,
        UserCommand::History => user::history(&bot, &app, &me).await,
        UserCommand::Language(arg) => language::command(&bot, &app, &me, arg.trim()).await,
        UserCommand::Dashboard => user::dashboard(&bot, &app, &me).await,
    }
}

async fn on_admin_command(
    bot: Tg,
    app: Arc<App>,
    me: Caller,
    command: AdminCommand,
) -> Result<(), RequestError> {
    match command {
        AdminCommand::Csvstats => admin::csvstats(&bot, &app, &me).await,
        AdminCommand::Csvlist => admin::csvlist(&bot, &app, &me).await,
        AdminCommand::Csvdelete => admin::csvdelete(&bot, &app, &me).await,
        AdminCommand::Approve(args) => admin::approve(&bot, &app, &me, args.trim()).await,
        AdminCommand::Ban(args) => admin::ban(&bot, &app, &me, args.trim()).await,
        AdminCommand::Unban(args) => admin::unban(&bot, &app, &me, args.trim()).await,
        AdminCommand::Plugins => admin::plugins(&bot, &app, &me).await,
        AdminCommand::Audit => admin::audit(&bot, &app, &me).await,
        AdminCommand::Token(args) => admin::token(&bot, &app, &me, args.trim()).await,
        AdminCommand::Broadcast(text) => admin::broadcast(&bot, &app, &me, text.trim()).await,
        AdminCommand::Export(args) => admin::export(&bot, &app, &me, args.trim()).await,
    }
}

async fn refuse_admin_command(
    bot: Tg,
    app: Arc<App>,
    me: Caller,
    command: AdminCommand,
) -> Result<(), RequestError> {
    let name = commands::admin_name(&command);
    app.numbers.denied(me.id, &format!("/{name}")).await;
    tracing::warn!(user = me.id, command = %name, "admin command refused");
    let text = tr!(me.lang, "bot-admin-only-command");
    bot.send(bot.send_message(me.chat, text)).await?;
    Ok(())
}

async fn on_unknown_command(bot: Tg, me: Caller, name: String) -> Result<(), RequestError> {
    let text = tr!(me.lang, "bot-unknown-command", name = name);
    bot.send(bot.send_message(me.chat, text)).await?;
    Ok(())
}

/// Plain text: an admin's answer to the category question, else a hint.
async fn on_text(bot: Tg, app: Arc<App>, me: Caller, msg: Message) -> Result<(), RequestError> {
    let text = msg.text().unwrap_or_default();
    if me.admin && !text.is_empty() && admin::category_reply(&bot, &app, &me, text).await? {
        return Ok(());
    }
    let hint = tr!(me.lang, "bot-hint");
    bot.send(bot.send_message(me.chat, hint)).await?;
    Ok(())
}

async fn refuse_button(
    bot: Tg,
    app: Arc<App>,
    me: Caller,
    q: CallbackQuery,
) -> Result<(), RequestError> {
    let data = q.data.as_deref().unwrap_or_default();
    let action = data.split(':').next().unwrap_or_default();
    app.numbers.denied(me.id, &format!("button {action}")).await;
    bot.send(
        bot.answer_callback_query(q.id.clone())
            .text(tr!(me.lang, "bot-admin-only-button"))
            .show_alert(true),
    )
    .await?;
    Ok(())
}

async fn on_button(
    bot: Tg,
    app: Arc<App>,
    me: Caller,
    q: CallbackQuery,
    callback: Callback,
) -> Result<(), RequestError> {
    let Some(message) = q.regular_message() else {
        return answer(&bot, &q, me.lang, Ok(None)).await;
    };
    let outcome = match callback {
        Callback::Page(page) => user::countries(&bot, &app, &me, Some((message, page))).await,
        Callback::Pick(key) => user::pick(&bot, &app, &me, &key).await,
        Callback::Change(id) => user::change(&bot, &app, &me, message, id).await,
        Callback::Cancel(id) => user::cancel(&bot, &app, &me, message, id).await,
        Callback::Done(id) => user::done(&bot, &app, &me, message, id).await,
        Callback::Approve(target) => admin::decide(&bot, &app, &me, true, target).await,
        Callback::Reject(target) => admin::decide(&bot, &app, &me, false, target).await,
        Callback::Delete(key) => admin::delete_pick(&bot, &app, &me, message, &key).await,
        Callback::DeleteYes(key) => admin::delete_confirmed(&bot, &app, &me, message, &key).await,
        Callback::DeleteNo => admin::delete_kept(&bot, &me, message).await,
        Callback::UploadCategory { category, file } => {
            admin::upload_choice(&bot, &app, &me, message, Some(&category), &file).await
        }
        Callback::UploadCancel(file) => {
            admin::upload_choice(&bot, &app, &me, message, None, &file).await
        }
        Callback::BroadcastSend(id) => admin::broadcast_send(&app, &me, id).await,
        Callback::BroadcastCancel(id) => {
            admin::broadcast_cancel(&bot, &app, &me, message, id).await
        }
        Callback::BroadcastStop(id) => admin::broadcast_stop(&app, &me, id).await,
        Callback::ForgetSecret => admin::forget_secret(&bot, &me, message).await,
        Callback::Language(code) => {
            language::pressed(&bot, &app, &me, message, code.as_deref()).await
        }
    };
    answer(&bot, &q, me.lang, outcome).await
}

/// Answers a press (the button stops spinning whatever happened), then
/// reports the handler's own failure.
async fn answer(
    bot: &Tg,
    q: &CallbackQuery,
    lang: Lang,
    outcome: Answer,
) -> Result<(), RequestError> {
    let mut reply = bot.answer_callback_query(q.id.clone());
    match &outcome {
        Ok(Some(text)) => reply = reply.text(text.clone()),
        Ok(None) => {}
        Err(_) => reply = reply.text(tr!(lang, "something-went-wrong")),
    }
    bot.send(reply).await?;
    outcome.map(drop)
}
