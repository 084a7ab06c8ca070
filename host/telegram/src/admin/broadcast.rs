//! `/broadcast`: a message to every active user. The admin sees a preview
//! and confirms; one replica at a time sends it (the use cases' job, see
//! [`numbot_core::numbers::broadcast`]) through the sending path (paced
//! under Telegram's limits, flood waits waited out), with a progress
//! message edited as it goes, a Stop button that works on any replica, and
//! a final count of delivered, blocked and failed.

use numbot_core::{
    jobs::{Broadcast, Stage},
    numbers::{Courier, Delivery, Over},
};
use teloxide::{
    prelude::*,
    types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageId},
    ApiError, RequestError,
};

use crate::{
    app::{App, Caller},
    callback::Callback,
    i18n::Lang,
    notifier::permanent,
    schema::Answer,
    Tg,
};

fn counts(lang: Lang, b: &Broadcast) -> String {
    tr!(
        lang,
        "broadcast-counts",
        delivered = b.progress.delivered,
        blocked = b.progress.blocked,
        failed = b.progress.failed
    )
}

fn progress(lang: Lang, b: &Broadcast) -> String {
    tr!(
        lang,
        "broadcast-progress",
        sent = b.progress.next,
        total = b.total,
        counts = counts(lang, b)
    )
}

fn buttons(lang: Lang, b: &Broadcast) -> InlineKeyboardMarkup {
    match b.stage {
        Stage::Preview => InlineKeyboardMarkup::new([[
            InlineKeyboardButton::callback(
                tr!(lang, "broadcast-send-button", n = b.total),
                Callback::BroadcastSend(b.id),
            ),
            InlineKeyboardButton::callback(
                tr!(lang, "broadcast-cancel-button"),
                Callback::BroadcastCancel(b.id),
            ),
        ]]),
        Stage::Sending => InlineKeyboardMarkup::new([[InlineKeyboardButton::callback(
            tr!(lang, "broadcast-stop-button"),
            Callback::BroadcastStop(b.id),
        )]]),
    }
}

/// `/broadcast TEXT`: the preview, with Send and Cancel.
pub(crate) async fn broadcast(
    bot: &Tg,
    app: &App,
    me: &Caller,
    text: &str,
) -> Result<(), RequestError> {
    if text.is_empty() {
        let usage = tr!(me.lang, "broadcast-usage");
        bot.send(bot.send_message(me.chat, usage)).await?;
        return Ok(());
    }
    let b = match app.numbers.preview_broadcast(me.id, text).await {
        Ok(Some(b)) => b,
        Ok(None) => {
            let busy = tr!(me.lang, "broadcast-busy");
            bot.send(bot.send_message(me.chat, busy)).await?;
            return Ok(());
        }
        Err(e) => {
            let text = tr!(me.lang, "broadcast-records-failed", error = e.to_string());
            bot.send(bot.send_message(me.chat, text)).await?;
            return Ok(());
        }
    };
    // The admin's own words follow, untranslated.
    let preview = format!(
        "{}\n\n{}",
        tr!(me.lang, "broadcast-preview", n = b.total),
        b.text
    );
    let sent = bot
        .send(
            bot.send_message(me.chat, preview)
                .reply_markup(buttons(me.lang, &b)),
        )
        .await?;
    if let Err(e) = app.numbers.show_broadcast_in(b.id, sent.id.0).await {
        tracing::warn!("broadcast: {e}");
    }
    Ok(())
}

/// "Send": the broadcast goes out (from whichever replica holds the lease).
pub(crate) async fn send(app: &App, me: &Caller, id: u64) -> Answer {
    match app.numbers.send_broadcast(me.id, id).await {
        Ok(Some(_)) => Ok(Some(tr!(me.lang, "broadcast-sending"))),
        Ok(None) => Ok(Some(tr!(me.lang, "broadcast-not-current"))),
        Err(e) => {
            tracing::error!("broadcast: {e}");
            Ok(Some(tr!(me.lang, "broadcast-not-current")))
        }
    }
}

/// "Cancel" under the preview.
pub(crate) async fn cancel(bot: &Tg, app: &App, me: &Caller, message: &Message, id: u64) -> Answer {
    match app.numbers.drop_broadcast(id).await {
        Ok(true) => {
            bot.send(bot.edit_message_text(
                me.chat,
                message.id,
                tr!(me.lang, "broadcast-cancelled"),
            ))
            .await?;
            Ok(None)
        }
        Ok(false) => Ok(Some(tr!(me.lang, "broadcast-not-current"))),
        Err(e) => {
            tracing::error!("broadcast: {e}");
            Ok(Some(tr!(me.lang, "broadcast-not-current")))
        }
    }
}

/// "Stop" under the progress: the sender, on whichever replica, ends after
/// the message in flight.
pub(crate) async fn stop(app: &App, me: &Caller, id: u64) -> Answer {
    match app.numbers.stop_broadcast(id).await {
        Ok(true) => Ok(Some(tr!(me.lang, "broadcast-stopping"))),
        Ok(false) => Ok(Some(tr!(me.lang, "broadcast-over"))),
        Err(e) => {
            tracing::error!("broadcast: {e}");
            Ok(Some(tr!(me.lang, "broadcast-over")))
        }
    }
}

/// Sends a broadcast's messages through the bot and edits its progress
/// message in the admin's language.
pub(crate) struct TelegramCourier {
    pub(crate) bot: Tg,
    pub(crate) app: std::sync::Arc<App>,
}

#[async_trait::async_trait]
impl Courier for TelegramCourier {
    async fn deliver(&self, b: &Broadcast, user: i64) -> Delivery {
        match self
            .bot
            .send(self.bot.send_message(ChatId(user), b.text.clone()))
            .await
        {
            Ok(_) => Delivery::Delivered,
            Err(RequestError::Api(e)) if permanent(&e) => Delivery::Blocked,
            Err(e) => {
                tracing::warn!(user, "broadcast: {e}");
                Delivery::Failed
            }
        }
    }

    async fn show(&self, b: &Broadcast, over: Option<Over>) {
        let lang = self.app.lang_of(b.admin).await;
        let (sent, total, counts) = (b.progress.next, b.total, counts(lang, b));
        let text = match over {
            None => progress(lang, b),
            Some(Over::Stopped) => tr!(
                lang,
                "broadcast-stopped",
                sent = sent,
                total = total,
                counts = counts
            ),
            Some(Over::Finished) => tr!(
                lang,
                "broadcast-finished",
                sent = sent,
                total = total,
                counts = counts
            ),
        };
        let bot = &self.bot;
        let chat = ChatId(b.admin);
        let mut edit = bot.edit_message_text(chat, MessageId(b.message), text.clone());
        if over.is_none() {
            edit = edit.reply_markup(buttons(lang, b));
        }
        match bot.send(edit).await {
            Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified)) => {}
            Err(_) if over.is_some() => {
                let _ = bot.send(bot.send_message(chat, text)).await;
            }
            Err(e) => tracing::warn!("broadcast progress: {e}"),
        }
    }
}
