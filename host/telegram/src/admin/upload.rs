//! Uploads: an admin sends a CSV, numbot reads its category from the
//! caption or the Range column, or asks; the answer (typed or a button) may
//! reach any replica, which fetches the file from Telegram again.

use std::sync::Arc;

use numbot_core::{clock::unix_now, PendingUpload, StoreError, Upload, UploadReport};
use teloxide::{
    net::Download,
    prelude::*,
    types::{FileId, InlineKeyboardButton, InlineKeyboardMarkup, ParseMode},
    RequestError,
};

use crate::{
    app::{App, Caller},
    callback::Callback,
    i18n::Lang,
    render::{count, html, key},
    schema::Answer,
    Tg,
};

/// Telegram's getFile limit for bots.
pub(crate) const MAX_DOWNLOAD: u64 = 20 * 1024 * 1024;
/// Rejected rows listed one by one in an upload report.
const LISTED_REJECTIONS: usize = 10;
/// File extensions numbot imports.
const CSV_EXTENSIONS: [&str; 3] = ["csv", "txt", "tsv"];

/// An uploaded document: checks, download, then the category or the question.
pub(crate) async fn document(
    bot: Tg,
    app: Arc<App>,
    me: Caller,
    msg: Message,
) -> Result<(), RequestError> {
    let Some(doc) = msg.document() else {
        return Ok(());
    };
    let name = doc.file_name.clone().unwrap_or_else(|| "upload.csv".into());
    if !me.admin {
        app.audit(me.id, "denied", format!("upload of {name}"))
            .await;
        let text = tr!(me.lang, "upload-admins-only");
        bot.send(bot.send_message(me.chat, text)).await?;
        return Ok(());
    }
    if let Some(refusal) = refusal(me.lang, &name, u64::from(doc.file.size)) {
        bot.send(bot.send_message(me.chat, refusal)).await?;
        return Ok(());
    }
    let file = bot.send(bot.get_file(doc.file.id.clone())).await?;
    let mut bytes = Vec::with_capacity(doc.file.size as usize);
    if let Err(e) = bot.download_file(&file.path, &mut bytes).await {
        tracing::error!("download of {name} failed: {e}");
        let text = tr!(
            me.lang,
            "upload-download-failed",
            name = name.as_str(),
            error = e.to_string()
        );
        bot.send(bot.send_message(me.chat, text)).await?;
        return Ok(());
    }
    let pending = PendingUpload {
        file_id: doc.file.id.0.clone(),
        file_name: name,
        numbers: 0,
        at: unix_now(),
    };
    match msg.caption().map(str::trim).filter(|c| !c.is_empty()) {
        Some(category) => {
            import(
                &bot,
                &app,
                &me,
                &pending,
                Arc::new(bytes),
                category.to_string(),
            )
            .await
        }
        None => route(&bot, &app, &me, pending, Arc::new(bytes)).await,
    }
}

/// Why a document is not downloaded at all: too big for bots, or not a CSV.
fn refusal(lang: Lang, name: &str, size: u64) -> Option<String> {
    if size > MAX_DOWNLOAD {
        let mb = format!("{:.1}", size as f64 / (1024.0 * 1024.0));
        return Some(tr!(lang, "upload-too-big", name = name, mb = mb));
    }
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    (!CSV_EXTENSIONS.contains(&extension.as_str()))
        .then(|| tr!(lang, "upload-not-csv", name = name))
}

/// A file without a caption: its Range column may name one category;
/// otherwise the admin is asked.
async fn route(
    bot: &Tg,
    app: &App,
    me: &Caller,
    pending: PendingUpload,
    data: Arc<Vec<u8>>,
) -> Result<(), RequestError> {
    let name = pending.file_name.clone();
    let validation = match app
        .numbers
        .plugins()
        .validate(name.clone(), data.clone())
        .await
    {
        Ok(v) => v,
        Err(e) => {
            let text = tr!(
                me.lang,
                "upload-nothing-imported",
                name = name.as_str(),
                error = e.to_string()
            );
            bot.send(bot.send_message(me.chat, text)).await?;
            return Ok(());
        }
    };
    let mut hints: Vec<&str> = validation
        .numbers
        .iter()
        .filter_map(|n| n.category.as_deref())
        .collect();
    hints.sort_unstable();
    hints.dedup();
    let all_hinted = validation.numbers.iter().all(|n| n.category.is_some());
    if let ([only], true) = (hints.as_slice(), all_hinted) {
        let category = only.to_string();
        return import(bot, app, me, &pending, data, category).await;
    }
    let asked = PendingUpload {
        numbers: validation.numbers.len() as u64,
        ..pending
    };
    ask_category(bot, app, me, asked, hints.len()).await
}

/// Asks which category a file goes to (type a name or press one), then
/// keeps the upload waiting for the answer.
async fn ask_category(
    bot: &Tg,
    app: &App,
    me: &Caller,
    pending: PendingUpload,
    named: usize,
) -> Result<(), RequestError> {
    let users = app.numbers.users();
    let mut text = tr!(
        me.lang,
        "upload-ask-category",
        file = html(&pending.file_name),
        n = pending.numbers,
        shown = count(me.lang, pending.numbers)
    );
    // The earlier question lapses now: an answer cannot import that file.
    if let Ok(Some(previous)) = users.take_pending_upload(me.id).await {
        text.push('\n');
        text.push_str(&tr!(
            me.lang,
            "upload-replaces",
            file = html(&previous.file_name)
        ));
    }
    if named > 1 {
        text.push('\n');
        text.push_str(&tr!(me.lang, "upload-many-categories", named = named));
    }
    let file = key(&pending.file_id);
    let mut rows: Vec<Vec<InlineKeyboardButton>> = app
        .numbers
        .store()
        .categories()
        .await
        .unwrap_or_default()
        .into_iter()
        .take(20)
        .map(|(c, _)| {
            let button = Callback::UploadCategory {
                category: key(&c),
                file: file.clone(),
            };
            vec![InlineKeyboardButton::callback(c, button)]
        })
        .collect();
    rows.push(vec![InlineKeyboardButton::callback(
        tr!(me.lang, "upload-cancel-button"),
        Callback::UploadCancel(file),
    )]);
    // Waiting before the question goes out, so that however fast the admin
    // answers (on whichever replica), the answer finds it; taken back if
    // the question could not be sent, so no reply is taken for a category
    // they were never asked for.
    let waiting = PendingUpload {
        at: unix_now(),
        ..pending
    };
    if let Err(e) = users.put_pending_upload(me.id, waiting).await {
        tracing::error!("user store: {e}");
        let text = tr!(me.lang, "upload-not-kept");
        bot.send(bot.send_message(me.chat, text)).await?;
        return Ok(());
    }
    let asked = bot
        .send(
            bot.send_message(me.chat, text)
                .parse_mode(ParseMode::Html)
                .reply_markup(InlineKeyboardMarkup::new(rows)),
        )
        .await;
    if asked.is_err() {
        if let Err(e) = users.take_pending_upload(me.id).await {
            tracing::error!("user store: {e}");
        }
    }
    asked?;
    Ok(())
}

/// How long an upload waits for its category.
const PENDING_FOR_SECS: i64 = 3600;

/// Whether the question of a waiting upload is still open.
fn fresh(p: &PendingUpload) -> bool {
    unix_now() - p.at < PENDING_FOR_SECS
}

/// Downloads a file an admin sent earlier (any replica can: Telegram keeps it).
async fn fetch(
    bot: &Tg,
    app: &App,
    me: &Caller,
    pending: &PendingUpload,
) -> Result<Option<Arc<Vec<u8>>>, RequestError> {
    let name = &pending.file_name;
    let downloaded = match bot
        .send(bot.get_file(FileId(pending.file_id.clone())))
        .await
    {
        Ok(file) => {
            let mut bytes = Vec::with_capacity(file.size as usize);
            bot.download_file(&file.path, &mut bytes)
                .await
                .map(|()| bytes)
                .map_err(|e| e.to_string())
        }
        Err(e) => Err(e.to_string()),
    };
    match downloaded {
        Ok(bytes) => Ok(Some(Arc::new(bytes))),
        Err(e) => {
            // Still waiting: the admin may answer again.
            tracing::error!("download of {name} failed: {e}");
            if let Err(e) = app
                .numbers
                .users()
                .put_pending_upload(me.id, pending.clone())
                .await
            {
                tracing::error!("user store: {e}");
            }
            let text = tr!(
                me.lang,
                "upload-fetch-failed",
                name = name.as_str(),
                error = e
            );
            bot.send(bot.send_message(me.chat, text)).await?;
            Ok(None)
        }
    }
}

/// The admin typed the category of their pending upload; false when no
/// upload was waiting (the text is something else).
pub(crate) async fn category_reply(
    bot: &Tg,
    app: &App,
    me: &Caller,
    text: &str,
) -> Result<bool, RequestError> {
    let pending = match app.numbers.users().take_pending_upload(me.id).await {
        Ok(Some(p)) if fresh(&p) => p,
        Ok(_) => return Ok(false),
        Err(e) => {
            tracing::error!("user store: {e}");
            return Ok(false);
        }
    };
    if let Some(bytes) = fetch(bot, app, me, &pending).await? {
        import(bot, app, me, &pending, bytes, text.trim().to_string()).await?;
    }
    Ok(true)
}

/// A category button (`category`: its key) or "Cancel upload" (`None`)
/// under the question about the file `file` (its key).
pub(crate) async fn upload_choice(
    bot: &Tg,
    app: &App,
    me: &Caller,
    message: &Message,
    category: Option<&str>,
    file: &str,
) -> Answer {
    let users = app.numbers.users();
    let Ok(Some(p)) = users.take_pending_upload(me.id).await else {
        return Ok(Some(tr!(me.lang, "upload-none-waiting")));
    };
    if !fresh(&p) {
        return Ok(Some(tr!(me.lang, "upload-lapsed")));
    }
    // Buttons name their file: a button under an older question must not
    // import (or cancel) the file waiting now.
    if file != key(&p.file_id) {
        if let Err(e) = users.put_pending_upload(me.id, p).await {
            tracing::error!("user store: {e}");
        }
        return Ok(Some(tr!(me.lang, "upload-out-of-date")));
    }
    let Some(category_key) = category else {
        let text = tr!(
            me.lang,
            "upload-cancelled",
            name = p.file_name.as_str(),
            n = p.numbers,
            shown = count(me.lang, p.numbers)
        );
        bot.send(bot.edit_message_text(me.chat, message.id, text))
            .await?;
        return Ok(None);
    };
    let category = app
        .numbers
        .store()
        .categories()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(c, _)| c)
        .find(|c| key(c) == category_key);
    let Some(category) = category else {
        if let Err(e) = users.put_pending_upload(me.id, p).await {
            tracing::error!("user store: {e}");
        }
        return Ok(Some(tr!(me.lang, "upload-category-gone")));
    };
    if let Some(bytes) = fetch(bot, app, me, &p).await? {
        import(bot, app, me, &p, bytes, category).await?;
    }
    Ok(None)
}

/// Imports through the store (validator, formatter, dedup) and reports.
async fn import(
    bot: &Tg,
    app: &App,
    me: &Caller,
    pending: &PendingUpload,
    bytes: Arc<Vec<u8>>,
    category: String,
) -> Result<(), RequestError> {
    let name = pending.file_name.clone();
    let upload = Upload {
        file_name: name.clone(),
        bytes,
        category,
        admin: me.id,
        default_country: app.settings.default_country.clone(),
    };
    let result = app.numbers.upload(upload).await;
    match result {
        Ok(report) => {
            app.audit(
                me.id,
                "upload",
                format!(
                    "{name} -> {} ({} numbers in {})",
                    report.file, report.accepted, report.category
                ),
            )
            .await;
            bot.send(
                bot.send_message(me.chat, report_text(me.lang, &report))
                    .parse_mode(ParseMode::Html),
            )
            .await?;
        }
        Err(e @ StoreError::BadCategory { .. }) => {
            if let Err(e) = app
                .numbers
                .users()
                .put_pending_upload(me.id, pending.clone())
                .await
            {
                tracing::error!("user store: {e}");
            }
            let text = tr!(me.lang, "upload-bad-category", error = e.to_string());
            bot.send(bot.send_message(me.chat, text)).await?;
        }
        Err(e) => {
            tracing::warn!(admin = me.id, "upload of {name} refused: {e}");
            let text = tr!(
                me.lang,
                "upload-nothing-imported",
                name = name.as_str(),
                error = e.to_string()
            );
            bot.send(bot.send_message(me.chat, text)).await?;
        }
    }
    Ok(())
}

/// The upload report for the admin.
pub(crate) fn report_text(lang: Lang, r: &UploadReport) -> String {
    let mut text = format!(
        "{}\n{}\n",
        tr!(
            lang,
            "upload-report-imported",
            n = r.accepted,
            shown = count(lang, r.accepted),
            category = html(&r.category)
        ),
        tr!(lang, "upload-report-stored", file = html(&r.file))
    );
    if let Some(country) = &r.country_code {
        text.push_str(&tr!(lang, "upload-report-country", country = html(country)));
        text.push('\n');
    }
    text.push_str(&tr!(
        lang,
        "upload-report-duplicates",
        in_file = count(lang, r.duplicates_in_file),
        in_pool = count(lang, r.duplicates_in_pool)
    ));
    text.push('\n');
    text.push_str(&tr!(
        lang,
        "upload-report-rejected",
        shown = count(lang, r.rejected_count)
    ));
    text.push('\n');
    for (reason, n) in &r.rejected_by_reason {
        text.push_str(&format!("  {}: {}\n", html(reason), count(lang, *n)));
    }
    for row in r.rejected.iter().take(LISTED_REJECTIONS) {
        let line = tr!(
            lang,
            "upload-report-line",
            line = row.line,
            reason = html(&row.reason)
        );
        text.push_str(&format!("  {line}\n"));
    }
    if r.rejected.len() > LISTED_REJECTIONS {
        let more = tr!(
            lang,
            "upload-report-more",
            shown = count(lang, r.rejected_count - LISTED_REJECTIONS as u64)
        );
        text.push_str(&format!("  {more}\n"));
    }
    text
}
