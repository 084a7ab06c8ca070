//! `/broadcast`: a message to every active user. The admin sees a preview
//! and confirms; it is sent through the sending path (paced under
//! Telegram's limits, flood waits waited out) with a progress message
//! edited as it goes, a Stop button, and a final count of delivered,
//! blocked and failed. It is kept in `broadcast.json` in the data directory
//! after every batch, so a restart resumes it where it was (a batch sent
//! just before a crash may be sent again).

use std::{
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use numbot_core::{clock::unix_now, UserStatus};
use serde::{Deserialize, Serialize};
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

/// Sends between two saves and progress edits (and at most this long).
const BATCH: usize = 25;
const BATCH_TIME: Duration = Duration::from_secs(3);
const FILE: &str = "broadcast.json";

/// Where a broadcast is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Stage {
    /// Shown to the admin, not confirmed.
    Preview,
    /// Being sent.
    Sending,
}

/// One broadcast, as kept on disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Broadcast {
    id: u64,
    admin: i64,
    text: String,
    /// The preview, then the progress message.
    message: i32,
    recipients: Vec<i64>,
    next: usize,
    delivered: u64,
    blocked: u64,
    failed: u64,
    stage: Stage,
}

impl Broadcast {
    fn counts(&self, lang: Lang) -> String {
        tr!(
            lang,
            "broadcast-counts",
            delivered = self.delivered,
            blocked = self.blocked,
            failed = self.failed
        )
    }

    fn progress(&self, lang: Lang) -> String {
        tr!(
            lang,
            "broadcast-progress",
            sent = self.next,
            total = self.recipients.len(),
            counts = self.counts(lang)
        )
    }

    /// How it ended, for the audit trail (data, in English).
    fn record(&self, stopped: bool) -> String {
        format!(
            "📣 Broadcast {} {} of {}: {} delivered, {} blocked the bot, {} failed.",
            if stopped {
                "stopped after"
            } else {
                "finished:"
            },
            self.next,
            self.recipients.len(),
            self.delivered,
            self.blocked,
            self.failed
        )
    }
}

/// The one broadcast at a time, with its file.
#[derive(Default)]
pub(crate) struct Broadcasts {
    path: Option<PathBuf>,
    current: Mutex<Option<Broadcast>>,
    stop: AtomicBool,
}

impl Broadcasts {
    /// Broadcasts kept in `dir` (none: not kept across restarts), with the
    /// one a restart interrupted.
    pub(crate) async fn open(dir: Option<&Path>) -> Broadcasts {
        let path = dir.map(|d| d.join(FILE));
        let current = match &path {
            Some(p) => tokio::fs::read(p)
                .await
                .ok()
                .and_then(|bytes| serde_json::from_slice(&bytes).ok()),
            None => None,
        };
        Broadcasts {
            path,
            current: Mutex::new(current),
            stop: AtomicBool::new(false),
        }
    }

    fn get(&self) -> Option<Broadcast> {
        self.current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Keeps `b` (none: the broadcast is over) in memory and on disk.
    async fn set(&self, b: Option<Broadcast>) {
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = b.clone();
        let Some(path) = &self.path else { return };
        let written = match b {
            Some(b) => write_private(path, &serde_json::to_vec(&b).expect("serializes")).await,
            None => match tokio::fs::remove_file(path).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
        };
        if let Err(e) = written {
            tracing::warn!("{}: {e}", path.display());
        }
    }
}

async fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let partial = path.with_extension("partial");
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&partial)
        .await?;
    tokio::io::AsyncWriteExt::write_all(&mut file, bytes).await?;
    file.sync_all().await?;
    tokio::fs::rename(&partial, path).await
}

fn buttons(lang: Lang, b: &Broadcast) -> InlineKeyboardMarkup {
    match b.stage {
        Stage::Preview => InlineKeyboardMarkup::new([[
            InlineKeyboardButton::callback(
                tr!(lang, "broadcast-send-button", n = b.recipients.len()),
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
    if app
        .broadcasts
        .get()
        .is_some_and(|b| b.stage == Stage::Sending)
    {
        let busy = tr!(me.lang, "broadcast-busy");
        bot.send(bot.send_message(me.chat, busy)).await?;
        return Ok(());
    }
    let recipients: Vec<i64> = match app.numbers.users().with_status(UserStatus::Active).await {
        Ok(users) => users.into_iter().map(|u| u.id).collect(),
        Err(e) => {
            let text = tr!(me.lang, "broadcast-records-failed", error = e.to_string());
            bot.send(bot.send_message(me.chat, text)).await?;
            return Ok(());
        }
    };
    let mut b = Broadcast {
        id: unix_now().unsigned_abs(),
        admin: me.id,
        text: text.to_string(),
        message: 0,
        recipients,
        next: 0,
        delivered: 0,
        blocked: 0,
        failed: 0,
        stage: Stage::Preview,
    };
    // The admin's own words follow, untranslated.
    let preview = format!(
        "{}\n\n{}",
        tr!(me.lang, "broadcast-preview", n = b.recipients.len()),
        b.text
    );
    let sent = bot
        .send(
            bot.send_message(me.chat, preview)
                .reply_markup(buttons(me.lang, &b)),
        )
        .await?;
    b.message = sent.id.0;
    app.broadcasts.set(Some(b)).await;
    Ok(())
}

/// The current broadcast, if `id` names it at `stage`.
fn current(app: &App, id: u64, stage: Stage) -> Option<Broadcast> {
    app.broadcasts
        .get()
        .filter(|b| b.id == id && b.stage == stage)
}

/// "Send": the sending starts, in the background.
pub(crate) async fn send(bot: &Tg, app: &Arc<App>, me: &Caller, id: u64) -> Answer {
    let Some(mut b) = current(app, id, Stage::Preview) else {
        return Ok(Some(tr!(me.lang, "broadcast-not-current")));
    };
    b.stage = Stage::Sending;
    app.broadcasts.stop.store(false, Ordering::SeqCst);
    app.broadcasts.set(Some(b.clone())).await;
    app.audit(
        me.id,
        "broadcast",
        format!("to {} users: {}", b.recipients.len(), b.text),
    )
    .await;
    tokio::spawn(run(bot.clone(), app.clone()));
    Ok(Some(tr!(me.lang, "broadcast-sending")))
}

/// "Cancel" under the preview.
pub(crate) async fn cancel(bot: &Tg, app: &App, me: &Caller, message: &Message, id: u64) -> Answer {
    if current(app, id, Stage::Preview).is_none() {
        return Ok(Some(tr!(me.lang, "broadcast-not-current")));
    }
    app.broadcasts.set(None).await;
    bot.send(bot.edit_message_text(me.chat, message.id, tr!(me.lang, "broadcast-cancelled")))
        .await?;
    Ok(None)
}

/// "Stop" under the progress: the sending ends after the message in flight.
/// The button is in the chat of the admin who sent the broadcast, so the
/// answer is in their language (the bot's default once it is over).
pub(crate) async fn stop(app: &App, me: &Caller, id: u64) -> Answer {
    if current(app, id, Stage::Sending).is_none() {
        return Ok(Some(tr!(me.lang, "broadcast-over")));
    }
    app.broadcasts.stop.store(true, Ordering::SeqCst);
    Ok(Some(tr!(me.lang, "broadcast-stopping")))
}

/// Resumes a broadcast a restart interrupted.
pub(crate) fn resume(bot: &Tg, app: &Arc<App>) {
    if app
        .broadcasts
        .get()
        .is_some_and(|b| b.stage == Stage::Sending)
    {
        tracing::info!("resuming the broadcast a restart interrupted");
        tokio::spawn(run(bot.clone(), app.clone()));
    }
}

/// Edits the progress message (a new one when it cannot be edited).
async fn show(bot: &Tg, lang: Lang, b: &Broadcast, text: String, done: bool) {
    let chat = ChatId(b.admin);
    let mut edit = bot.edit_message_text(chat, MessageId(b.message), text.clone());
    if !done {
        edit = edit.reply_markup(buttons(lang, b));
    }
    match bot.send(edit).await {
        Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified)) => {}
        Err(_) if done => {
            let _ = bot.send(bot.send_message(chat, text)).await;
        }
        Err(e) => tracing::warn!("broadcast progress: {e}"),
    }
}

async fn run(bot: Tg, app: Arc<App>) {
    let Some(mut b) = app.broadcasts.get() else {
        return;
    };
    // A resumed broadcast has no caller: the admin's language is looked up.
    let lang = app.lang_of(b.admin).await;
    show(&bot, lang, &b, b.progress(lang), false).await;
    let mut batch_started = Instant::now();
    let mut in_batch = 0;
    let mut stopped = false;
    while b.next < b.recipients.len() {
        if app.broadcasts.stop.load(Ordering::SeqCst) {
            stopped = true;
            break;
        }
        let user = b.recipients[b.next];
        match bot
            .send(bot.send_message(ChatId(user), b.text.clone()))
            .await
        {
            Ok(_) => b.delivered += 1,
            Err(RequestError::Api(e)) if permanent(&e) => b.blocked += 1,
            Err(e) => {
                tracing::warn!(user, "broadcast: {e}");
                b.failed += 1;
            }
        }
        b.next += 1;
        in_batch += 1;
        if in_batch == BATCH || batch_started.elapsed() >= BATCH_TIME {
            app.broadcasts.set(Some(b.clone())).await;
            show(&bot, lang, &b, b.progress(lang), false).await;
            (in_batch, batch_started) = (0, Instant::now());
        }
    }
    let (sent, total, counts) = (b.next, b.recipients.len(), b.counts(lang));
    let end = if stopped {
        tr!(
            lang,
            "broadcast-stopped",
            sent = sent,
            total = total,
            counts = counts
        )
    } else {
        tr!(
            lang,
            "broadcast-finished",
            sent = sent,
            total = total,
            counts = counts
        )
    };
    app.broadcasts.set(None).await;
    app.audit(b.admin, "broadcast_end", b.record(stopped)).await;
    show(&bot, lang, &b, end, true).await;
}
