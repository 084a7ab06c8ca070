//! Uploads: an admin sends a CSV, numbot reads its category from the
//! caption or the Range column, or asks; the answer (typed or a button) may
//! reach any replica. The rules (validate once, the hint, the question
//! taken once) are the use cases'; this is what the admin reads.

use std::sync::Arc;

use numbot_core::{
    clock::unix_now,
    numbers::{Answer, Answered, Inspection},
    text::truncate,
    CategoryHint, PendingUpload, StoreError, UploadReport,
};
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
    schema::Answer as Toast,
    Tg,
};

/// Telegram's getFile limit for bots.
pub(crate) const MAX_DOWNLOAD: u64 = 20 * 1024 * 1024;
/// Rejected rows listed one by one in an upload report.
const LISTED_REJECTIONS: usize = 10;
/// Characters of a rejection reason shown (a plugin writes them).
const REASON_CHARS: usize = 200;
/// File extensions numbot imports.
const CSV_EXTENSIONS: [&str; 3] = ["csv", "txt", "tsv"];

/// An uploaded document: checks, download, one inspection, then the
/// category (caption, else the rows' hint) or the question.
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
        app.numbers
            .denied(me.id, &format!("upload of {name}"))
            .await;
        let text = tr!(me.lang, "upload-admins-only");
        bot.send(bot.send_message(me.chat, text)).await?;
        return Ok(());
    }
    if let Some(refusal) = refusal(me.lang, &name, u64::from(doc.file.size)) {
        bot.send(bot.send_message(me.chat, refusal)).await?;
        return Ok(());
    }
    let bytes = match download(&bot, &doc.file.id).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!("download of {name} failed: {e}");
            let text = tr!(
                me.lang,
                "upload-download-failed",
                name = name.as_str(),
                error = e
            );
            bot.send(bot.send_message(me.chat, text)).await?;
            return Ok(());
        }
    };
    let inspection = match app.numbers.inspect(&name, Arc::new(bytes)).await {
        Ok(i) => i,
        Err(e) => return nothing_imported(&bot, &me, &name, &e).await,
    };
    let pending = PendingUpload {
        file_id: doc.file.id.0.clone(),
        file_name: name,
        numbers: inspection.numbers(),
        at: unix_now(),
    };
    let caption = msg.caption().map(str::trim).filter(|c| !c.is_empty());
    let category = match (caption, &inspection.hint) {
        (Some(c), _) => c.to_string(),
        (None, CategoryHint::One(c)) => c.clone(),
        (None, CategoryHint::Unclear(named)) => {
            let named = *named;
            return ask(&bot, &app, &me, pending, inspection, named).await;
        }
    };
    match app
        .numbers
        .import(
            me.id,
            &inspection,
            &category,
            app.settings.default_country.clone(),
        )
        .await
    {
        Ok(report) => send_report(&bot, &me, &report).await,
        Err(e @ StoreError::BadCategory { .. }) => {
            // The admin may type another name: the upload waits for it.
            let text = tr!(me.lang, "upload-bad-category", error = e.to_string());
            let asked = app
                .numbers
                .ask_category(me.id, pending, inspection, |_| {
                    bot.send(bot.send_message(me.chat, text))
                })
                .await;
            match asked {
                Ok(sent) => sent.map(drop),
                Err(e) => not_kept(&bot, &me, e).await,
            }
        }
        Err(e) => nothing_imported(&bot, &me, &pending.file_name, &e).await,
    }
}

/// Why a document is not downloaded at all: too big for bots, or not a CSV.
pub(crate) fn refusal(lang: Lang, name: &str, size: u64) -> Option<String> {
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

/// A file's bytes from Telegram (any replica can: Telegram keeps it).
async fn download(bot: &Tg, file_id: &FileId) -> Result<Vec<u8>, String> {
    let file = bot
        .send(bot.get_file(file_id.clone()))
        .await
        .map_err(|e| e.to_string())?;
    let mut bytes = Vec::with_capacity(file.size as usize);
    bot.download_file(&file.path, &mut bytes)
        .await
        .map_err(|e| e.to_string())?;
    Ok(bytes)
}

async fn nothing_imported(
    bot: &Tg,
    me: &Caller,
    name: &str,
    e: &StoreError,
) -> Result<(), RequestError> {
    tracing::warn!(admin = me.id, "upload of {name} refused: {e}");
    let text = tr!(
        me.lang,
        "upload-nothing-imported",
        name = name,
        error = e.to_string()
    );
    bot.send(bot.send_message(me.chat, text)).await?;
    Ok(())
}

async fn not_kept(
    bot: &Tg,
    me: &Caller,
    e: numbot_core::UserStoreError,
) -> Result<(), RequestError> {
    tracing::error!("user store: {e}");
    bot.send(bot.send_message(me.chat, tr!(me.lang, "upload-not-kept")))
        .await?;
    Ok(())
}

async fn send_report(bot: &Tg, me: &Caller, report: &UploadReport) -> Result<(), RequestError> {
    bot.say(me.chat, &report_text(me.lang, report), true).await
}

/// Asks which category a file goes to (type a name or press one); the
/// upload waits for the answer on whichever replica it reaches.
async fn ask(
    bot: &Tg,
    app: &App,
    me: &Caller,
    pending: PendingUpload,
    inspection: Inspection,
    named: usize,
) -> Result<(), RequestError> {
    let file = key(&pending.file_id);
    let mut rows: Vec<Vec<InlineKeyboardButton>> = app
        .numbers
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
    let mut text = tr!(
        me.lang,
        "upload-ask-category",
        file = html(&pending.file_name),
        n = pending.numbers,
        shown = count(me.lang, pending.numbers)
    );
    let asked = app
        .numbers
        .ask_category(me.id, pending, inspection, |replaced| {
            // The earlier question lapses now: an answer cannot import that file.
            if let Some(previous) = replaced {
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
            bot.send(
                bot.send_message(me.chat, text)
                    .parse_mode(ParseMode::Html)
                    .reply_markup(InlineKeyboardMarkup::new(rows)),
            )
        })
        .await;
    match asked {
        Ok(sent) => sent.map(drop),
        Err(e) => not_kept(bot, me, e).await,
    }
}

/// The admin typed the category of their waiting upload; false when no
/// upload was waiting (the text is something else).
pub(crate) async fn category_reply(
    bot: &Tg,
    app: &App,
    me: &Caller,
    text: &str,
) -> Result<bool, RequestError> {
    let answered = answer(bot, app, me, None, Answer::Category(text.trim())).await;
    match answered {
        Ok(Answered::NoQuestion) => Ok(false),
        Ok(answered) => {
            if let Some(text) = told(me.lang, &answered) {
                bot.send(bot.send_message(me.chat, text)).await?;
            }
            if let Answered::Imported(report) = &answered {
                send_report(bot, me, report).await?;
            }
            Ok(true)
        }
        Err(e) => {
            tracing::error!("user store: {e}");
            Ok(false)
        }
    }
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
) -> Toast {
    let Ok(Some(waiting)) = app.numbers.question(me.id).await else {
        return Ok(Some(tr!(me.lang, "upload-none-waiting")));
    };
    // Buttons name their file: a button under an older question must not
    // import (or cancel) the file waiting now.
    if file != key(&waiting.file_id) {
        return Ok(Some(tr!(me.lang, "upload-out-of-date")));
    }
    let category = match category {
        None => None,
        Some(category_key) => {
            let found = app
                .numbers
                .categories()
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|(c, _)| c)
                .find(|c| key(c) == category_key);
            match found {
                Some(c) => Some(c),
                None => return Ok(Some(tr!(me.lang, "upload-category-gone"))),
            }
        }
    };
    let choice = match &category {
        Some(c) => Answer::Category(c),
        None => Answer::Cancel,
    };
    let answered = match answer(bot, app, me, Some(&waiting.file_id), choice).await {
        Ok(a) => a,
        Err(e) => {
            tracing::error!("user store: {e}");
            return Ok(Some(tr!(me.lang, "upload-none-waiting")));
        }
    };
    match answered {
        Answered::Cancelled(p) => {
            let text = tr!(
                me.lang,
                "upload-cancelled",
                name = p.file_name.as_str(),
                n = p.numbers,
                shown = count(me.lang, p.numbers)
            );
            bot.send(bot.edit_message_text(me.chat, message.id, text))
                .await?;
            Ok(None)
        }
        Answered::Imported(report) => {
            send_report(bot, me, &report).await?;
            Ok(None)
        }
        Answered::NoQuestion => Ok(Some(tr!(me.lang, "upload-none-waiting"))),
        Answered::OutOfDate => Ok(Some(tr!(me.lang, "upload-out-of-date"))),
        Answered::Lapsed(_) => Ok(Some(tr!(me.lang, "upload-lapsed"))),
        other => {
            if let Some(text) = told(me.lang, &other) {
                bot.send(bot.send_message(me.chat, text)).await?;
            }
            Ok(None)
        }
    }
}

/// Answers the waiting question through the use case, fetching the file
/// from Telegram again when this process no longer holds it.
async fn answer(
    bot: &Tg,
    app: &App,
    me: &Caller,
    file_id: Option<&str>,
    answer: Answer<'_>,
) -> Result<Answered, numbot_core::UserStoreError> {
    app.numbers
        .answer_category(
            me.id,
            file_id,
            answer,
            app.settings.default_country.clone(),
            |pending| async move { download(bot, &FileId(pending.file_id)).await },
        )
        .await
}

/// What the admin reads of an answer that imported nothing.
fn told(lang: Lang, answered: &Answered) -> Option<String> {
    Some(match answered {
        Answered::NoQuestion | Answered::Imported(_) => return None,
        Answered::OutOfDate => tr!(lang, "upload-out-of-date"),
        Answered::Lapsed(_) => tr!(lang, "upload-lapsed"),
        Answered::Cancelled(p) => tr!(
            lang,
            "upload-cancelled",
            name = p.file_name.as_str(),
            n = p.numbers,
            shown = count(lang, p.numbers)
        ),
        Answered::BadCategory(e) => tr!(lang, "upload-bad-category", error = e.to_string()),
        Answered::FetchFailed(p, e) => tr!(
            lang,
            "upload-fetch-failed",
            name = p.file_name.as_str(),
            error = e.as_str()
        ),
        Answered::Failed(p, e) => {
            tracing::warn!("upload of {} refused: {e}", p.file_name);
            tr!(
                lang,
                "upload-nothing-imported",
                name = p.file_name.as_str(),
                error = e.to_string()
            )
        }
    })
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
        let reason = truncate(reason, REASON_CHARS);
        text.push_str(&format!("  {}: {}\n", html(&reason), count(lang, *n)));
    }
    for row in r.rejected.iter().take(LISTED_REJECTIONS) {
        let line = tr!(
            lang,
            "upload-report-line",
            line = row.line,
            reason = html(&truncate(&row.reason, REASON_CHARS))
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
