//! Admins' view of the uploaded files: `/csvstats` (table and chart),
//! `/csvlist`, and `/csvdelete` with its confirmation.

use numbot_core::{text::truncate, FileInfo, HistoryQuery, StoreError};
use teloxide::{
    prelude::*,
    types::{InlineKeyboardButton, InlineKeyboardMarkup, InputFile, ParseMode},
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
    let files: Vec<_> = match app.numbers.store().files().await {
        Ok(f) => f.into_iter().filter(|f| !f.meta.deleted).collect(),
        Err(e) => return failed(bot, me, e).await,
    };
    if files.is_empty() {
        bot.send(bot.send_message(
            me.chat,
            "No files uploaded yet. Send a CSV file to add numbers.",
        ))
        .await?;
        return Ok(());
    }
    let total_files = files.len();
    let files: Vec<_> = files.into_iter().take(LISTED_FILES).collect();
    let mut table = format!(
        "{:<3} {:<30} {:>7} {:>7} {:>6} {:>6} {:>6}\n",
        "#", "file", "total", "free", "in use", "used%", "taken"
    );
    for (i, f) in files.iter().enumerate() {
        let u = &f.usage;
        table.push_str(&format!(
            "{:<3} {:<30} {:>7} {:>7} {:>6} {:>5.1}% {:>6}\n",
            i + 1,
            truncate(&f.name, 30),
            u.total,
            u.available,
            u.assigned,
            u.used_percent,
            u.assignments
        ));
    }
    let mut text = format!("<b>Usage per file</b>\n<pre>{}</pre>", html(&table));
    if total_files > files.len() {
        text.push_str(&format!(
            "\nThe first {} of {total_files} files; <code>numbot files</code> on the server lists all.",
            files.len()
        ));
    }
    bot.send(bot.send_message(me.chat, text).parse_mode(ParseMode::Html))
        .await?;
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
    let caption = format!("Numbers per file by state ({} files).", files.len());
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
    let caption = format!(
        "Numbers taken and codes received per day, last {USAGE_DAYS} days (UTC). Codes count once their use has ended."
    );
    bot.send(
        bot.send_photo(me.chat, InputFile::memory(png).file_name("usage.png"))
            .caption(caption),
    )
    .await?;
    Ok(())
}

/// Days the usage chart covers, today included.
const USAGE_DAYS: i64 = 14;

/// Numbers taken (uses begun, ended or not) and codes received per UTC day
/// over the last [`USAGE_DAYS`], from the history and the holds of now.
async fn usage_days(app: &App) -> Result<Vec<chart::Day>, StoreError> {
    const DAY: i64 = 86_400;
    let store = app.numbers.store();
    let now = i64::from(store.now());
    let first = now - now.rem_euclid(DAY) - (USAGE_DAYS - 1) * DAY;
    let mut days: Vec<chart::Day> = (0..USAGE_DAYS)
        .map(|i| chart::Day {
            label: chrono::DateTime::from_timestamp(first + i * DAY, 0)
                .map(|t| t.format("%m-%d").to_string())
                .unwrap_or_default(),
            taken: 0,
            codes: 0,
        })
        .collect();
    let slot = |t: i64| {
        let i = (t - first).div_euclid(DAY);
        (0..USAGE_DAYS).contains(&i).then_some(i as usize)
    };
    let query = HistoryQuery {
        from: u32::try_from(first).ok(),
        ..HistoryQuery::default()
    };
    let mut uses = store.history(query).await?;
    while let Some(r) = uses.recv().await {
        let r = r?;
        if let Some(i) = slot(i64::from(r.start)) {
            days[i].taken += 1;
        }
        for c in &r.codes {
            if let Some(i) = slot(c.at) {
                days[i].codes += 1;
            }
        }
    }
    for a in store.assignments().await? {
        if let Some(i) = slot(i64::from(a.since)) {
            days[i].taken += 1;
        }
    }
    Ok(days)
}

pub(crate) async fn csvlist(bot: &Tg, app: &App, me: &Caller) -> Result<(), RequestError> {
    let files = match app.numbers.store().files().await {
        Ok(f) => f,
        Err(e) => return failed(bot, me, e).await,
    };
    let (live, deleted): (Vec<_>, Vec<_>) = files.into_iter().partition(|f| !f.meta.deleted);
    if live.is_empty() {
        bot.send(bot.send_message(me.chat, "No files uploaded yet."))
            .await?;
        return Ok(());
    }
    let mut text = format!("<b>{} files</b>\n", live.len());
    for f in live.iter().take(LISTED_FILES) {
        text.push_str(&format!(
            "<code>{}</code>\n  {} · {} numbers ({} free) · uploaded {} by {}\n",
            html(&f.name),
            html(&f.meta.country_name),
            count(f.usage.total),
            count(f.usage.available),
            html(&f.meta.created_at),
            f.meta.admin_id
        ));
    }
    if live.len() > LISTED_FILES {
        text.push_str(&format!(
            "… and {} more: <code>numbot files</code> on the server lists all.\n",
            live.len() - LISTED_FILES
        ));
    }
    if !deleted.is_empty() {
        text.push_str(&format!(
            "\n{} deleted files kept in the history.",
            deleted.len()
        ));
    }
    bot.send(bot.send_message(me.chat, text).parse_mode(ParseMode::Html))
        .await?;
    Ok(())
}

pub(crate) async fn csvdelete(bot: &Tg, app: &App, me: &Caller) -> Result<(), RequestError> {
    let files: Vec<_> = match app.numbers.store().files().await {
        Ok(f) => f.into_iter().filter(|f| !f.meta.deleted).collect(),
        Err(e) => return failed(bot, me, e).await,
    };
    if files.is_empty() {
        bot.send(bot.send_message(me.chat, "No files to delete."))
            .await?;
        return Ok(());
    }
    let rows: Vec<Vec<InlineKeyboardButton>> = files
        .iter()
        .take(LISTED_FILES)
        .map(|f| {
            vec![InlineKeyboardButton::callback(
                format!("{} ({} numbers)", f.name, count(f.usage.total)),
                Callback::Delete(key(&f.name)),
            )]
        })
        .collect();
    let question = if files.len() > LISTED_FILES {
        format!("Which file should be deleted? (The first {LISTED_FILES} of {}; `numbot delete` on the server takes any.)", files.len())
    } else {
        "Which file should be deleted?".to_string()
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
    match app.numbers.store().files().await {
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
        return Ok(Some("That file is already gone.".into()));
    };
    let text = format!(
        "Delete {}? Its {} free numbers leave the pool now; the {} in use leave when they are released. The history stays.",
        file.name,
        count(file.usage.available),
        count(file.usage.assigned)
    );
    let keyboard = InlineKeyboardMarkup::new([[
        InlineKeyboardButton::callback("Yes, delete", Callback::DeleteYes(file_key.to_string())),
        InlineKeyboardButton::callback("No", Callback::DeleteNo),
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
        return Ok(Some("That file is already gone.".into()));
    };
    match app.numbers.store().delete_file(&file.name).await {
        Ok(_) => {
            app.audit(
                me.id,
                "delete",
                format!("{} ({} numbers)", file.name, file.usage.total),
            )
            .await;
            let text = format!(
                "Deleted {}: {} numbers left the pool.",
                file.name,
                count(file.usage.available)
            );
            bot.send(bot.edit_message_text(me.chat, message.id, text))
                .await?;
            Ok(Some("Deleted.".into()))
        }
        Err(e) => {
            failed(bot, me, e).await?;
            Ok(None)
        }
    }
}

/// "No": nothing deleted.
pub(crate) async fn delete_kept(bot: &Tg, me: &Caller, message: &Message) -> Answer {
    bot.send(bot.edit_message_text(me.chat, message.id, "Nothing deleted."))
        .await?;
    Ok(None)
}
