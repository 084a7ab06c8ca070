//! Admins' view of the uploaded files: `/csvstats` (table and chart),
//! `/csvlist`, and `/csvdelete` with its confirmation.

use numbot_core::{text::truncate, FileInfo, StoreError};
use teloxide::{
    prelude::*,
    types::{InlineKeyboardButton, InlineKeyboardMarkup, InputFile},
    RequestError,
};

use super::failed;
use crate::{
    app::{App, Caller},
    callback::Callback,
    chart,
    render::{count, html, key},
    schema::Answer,
    Tg,
};

/// Files listed in one message or keyboard (a message holds 4,096
/// characters, a keyboard about 100 buttons).
const LISTED_FILES: usize = 25;

pub(crate) async fn csvstats(bot: &Tg, app: &App, me: &Caller) -> Result<(), RequestError> {
    let files: Vec<_> = match app.numbers.files().await {
        Ok(f) => f.into_iter().filter(|f| !f.meta.deleted).collect(),
        Err(e) => return failed(bot, me, e).await,
    };
    if files.is_empty() {
        bot.send(bot.send_message(me.chat, tr!(me.lang, "files-none-yet-send")))
            .await?;
        return Ok(());
    }
    let total_files = files.len();
    let files: Vec<_> = files.into_iter().take(LISTED_FILES).collect();
    // Column headings in the admin's language; a column widens to fit a
    // longer heading.
    let headings = [
        "#".to_string(),
        tr!(me.lang, "files-column-file"),
        tr!(me.lang, "files-column-total"),
        tr!(me.lang, "files-column-free"),
        tr!(me.lang, "files-column-in-use"),
        tr!(me.lang, "files-column-used"),
        tr!(me.lang, "files-column-taken"),
    ];
    let widths: Vec<usize> = headings
        .iter()
        .zip([3, 30, 7, 7, 6, 6, 6])
        .map(|(h, w)| w.max(h.chars().count()))
        .collect();
    let row = |cells: [String; 7]| {
        let mut line = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i > 0 {
                line.push(' ');
            }
            if i < 2 {
                line.push_str(&format!("{cell:<w$}"));
            } else {
                line.push_str(&format!("{cell:>w$}"));
            }
        }
        line.push('\n');
        line
    };
    let mut table = row(headings.clone());
    for (i, f) in files.iter().enumerate() {
        let u = &f.usage;
        table.push_str(&row([
            (i + 1).to_string(),
            truncate(&f.name, 30),
            u.total.to_string(),
            u.available.to_string(),
            u.assigned.to_string(),
            format!("{:.1}%", u.used_percent),
            u.assignments.to_string(),
        ]));
    }
    let mut text = format!(
        "{}\n<pre>{}</pre>",
        tr!(me.lang, "files-usage-title"),
        html(&table)
    );
    if total_files > files.len() {
        text.push('\n');
        text.push_str(&tr!(
            me.lang,
            "files-usage-first",
            shown = files.len(),
            total = total_files
        ));
    }
    bot.say(me.chat, &text, true).await?;
    let bars: Vec<chart::Bar> = files
        .iter()
        .map(|f| chart::Bar {
            name: f.name.clone(),
            available: f.usage.available,
            assigned: f.usage.assigned,
            cooling: f.usage.cooling,
            retired: f.usage.retired,
        })
        .collect();
    // Drawing is CPU work: off the async threads.
    let png = tokio::task::spawn_blocking(move || chart::render(&bars))
        .await
        .unwrap_or_default();
    let caption = tr!(me.lang, "files-chart-caption", n = files.len());
    bot.send(
        bot.send_photo(me.chat, InputFile::memory(png).file_name("csvstats.png"))
            .caption(caption),
    )
    .await?;
    let days = match usage_days(app).await {
        Ok(days) => days,
        Err(e) => return failed(bot, me, e).await,
    };
    let png = tokio::task::spawn_blocking(move || chart::render_usage(&days))
        .await
        .unwrap_or_default();
    let caption = tr!(me.lang, "files-usage-caption", days = USAGE_DAYS);
    bot.send(
        bot.send_photo(me.chat, InputFile::memory(png).file_name("usage.png"))
            .caption(caption),
    )
    .await?;
    Ok(())
}

/// Days the usage chart covers, today included.
const USAGE_DAYS: i64 = 14;

/// Numbers taken and codes received per UTC day over the last
/// [`USAGE_DAYS`], labelled for the chart.
async fn usage_days(app: &App) -> Result<Vec<chart::Day>, StoreError> {
    Ok(app
        .numbers
        .usage_by_day(USAGE_DAYS)
        .await?
        .into_iter()
        .map(|d| chart::Day {
            label: chrono::DateTime::from_timestamp(d.start, 0)
                .map(|t| t.format("%m-%d").to_string())
                .unwrap_or_default(),
            taken: d.taken,
            codes: d.codes,
        })
        .collect())
}

pub(crate) async fn csvlist(bot: &Tg, app: &App, me: &Caller) -> Result<(), RequestError> {
    let files = match app.numbers.files().await {
        Ok(f) => f,
        Err(e) => return failed(bot, me, e).await,
    };
    let (live, deleted): (Vec<_>, Vec<_>) = files.into_iter().partition(|f| !f.meta.deleted);
    if live.is_empty() {
        bot.send(bot.send_message(me.chat, tr!(me.lang, "files-none-yet")))
            .await?;
        return Ok(());
    }
    let mut text = tr!(me.lang, "files-list-title", n = live.len());
    text.push('\n');
    for f in live.iter().take(LISTED_FILES) {
        let entry = tr!(
            me.lang,
            "files-list-entry",
            country = html(&f.meta.country_name),
            n = f.usage.total,
            shown = count(me.lang, f.usage.total),
            free = count(me.lang, f.usage.available),
            date = html(&f.meta.created_at),
            admin = f.meta.admin_id.to_string()
        );
        text.push_str(&format!("<code>{}</code>\n  {entry}\n", html(&f.name)));
    }
    if live.len() > LISTED_FILES {
        text.push_str(&tr!(
            me.lang,
            "files-list-more",
            n = live.len() - LISTED_FILES
        ));
        text.push('\n');
    }
    if !deleted.is_empty() {
        text.push('\n');
        text.push_str(&tr!(me.lang, "files-list-deleted", n = deleted.len()));
    }
    bot.say(me.chat, &text, true).await?;
    Ok(())
}

pub(crate) async fn csvdelete(bot: &Tg, app: &App, me: &Caller) -> Result<(), RequestError> {
    let files: Vec<_> = match app.numbers.files().await {
        Ok(f) => f.into_iter().filter(|f| !f.meta.deleted).collect(),
        Err(e) => return failed(bot, me, e).await,
    };
    if files.is_empty() {
        bot.send(bot.send_message(me.chat, tr!(me.lang, "files-none-to-delete")))
            .await?;
        return Ok(());
    }
    let rows: Vec<Vec<InlineKeyboardButton>> = files
        .iter()
        .take(LISTED_FILES)
        .map(|f| {
            vec![InlineKeyboardButton::callback(
                tr!(
                    me.lang,
                    "files-delete-button",
                    name = f.name.as_str(),
                    n = f.usage.total,
                    shown = count(me.lang, f.usage.total)
                ),
                Callback::Delete(key(&f.name)),
            )]
        })
        .collect();
    let question = if files.len() > LISTED_FILES {
        tr!(
            me.lang,
            "files-delete-question-first",
            shown = LISTED_FILES,
            total = files.len()
        )
    } else {
        tr!(me.lang, "files-delete-question")
    };
    bot.send(
        bot.send_message(me.chat, question)
            .reply_markup(InlineKeyboardMarkup::new(rows)),
    )
    .await?;
    Ok(())
}

/// The file `file_key` names, unless it is gone (or the store failed: said).
async fn live_file(
    bot: &Tg,
    app: &App,
    me: &Caller,
    file_key: &str,
) -> Result<Option<FileInfo>, RequestError> {
    match app.numbers.files().await {
        Ok(files) => Ok(files
            .into_iter()
            .find(|f| !f.meta.deleted && key(&f.name) == file_key)),
        Err(e) => failed(bot, me, e).await.map(|()| None),
    }
}

/// A file picked under `/csvdelete`: the question, Yes or No.
pub(crate) async fn delete_pick(
    bot: &Tg,
    app: &App,
    me: &Caller,
    message: &Message,
    file_key: &str,
) -> Answer {
    let Some(file) = live_file(bot, app, me, file_key).await? else {
        return Ok(Some(tr!(me.lang, "files-gone")));
    };
    let text = tr!(
        me.lang,
        "files-delete-confirm",
        name = file.name.as_str(),
        free_n = file.usage.available,
        free = count(me.lang, file.usage.available),
        in_use_n = file.usage.assigned,
        in_use = count(me.lang, file.usage.assigned)
    );
    let keyboard = InlineKeyboardMarkup::new([[
        InlineKeyboardButton::callback(
            tr!(me.lang, "files-delete-yes"),
            Callback::DeleteYes(file_key.to_string()),
        ),
        InlineKeyboardButton::callback(tr!(me.lang, "files-delete-no"), Callback::DeleteNo),
    ]]);
    bot.send(
        bot.edit_message_text(me.chat, message.id, text)
            .reply_markup(keyboard),
    )
    .await?;
    Ok(None)
}

/// "Yes, delete".
pub(crate) async fn delete_confirmed(
    bot: &Tg,
    app: &App,
    me: &Caller,
    message: &Message,
    file_key: &str,
) -> Answer {
    let Some(file) = live_file(bot, app, me, file_key).await? else {
        return Ok(Some(tr!(me.lang, "files-gone")));
    };
    match app.numbers.delete_file(me.id, &file.name).await {
        Ok(_) => {
            let text = tr!(
                me.lang,
                "files-deleted",
                name = file.name.as_str(),
                n = file.usage.available,
                shown = count(me.lang, file.usage.available)
            );
            bot.send(bot.edit_message_text(me.chat, message.id, text))
                .await?;
            Ok(Some(tr!(me.lang, "files-deleted-toast")))
        }
        Err(e) => {
            failed(bot, me, e).await?;
            Ok(None)
        }
    }
}

/// "No": nothing deleted.
pub(crate) async fn delete_kept(bot: &Tg, me: &Caller, message: &Message) -> Answer {
    bot.send(bot.edit_message_text(me.chat, message.id, tr!(me.lang, "files-nothing-deleted")))
        .await?;
    Ok(None)
}
