//! What admins can do: upload CSV files, see and delete them, manage users,
//! see the plugins and the audit trail. The caller's role is checked before
//! these run (see `on_message`/`on_callback`); each change is audited.

use std::sync::Arc;

use teloxide::{
    net::Download,
    prelude::*,
    types::{FileId, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, ParseMode},
    RequestError,
};

use super::{chart, send, user::Answer, App, Caller, Press, Tg};
use crate::{
    store::{StoreError, UploadReport},
    users::{PendingUpload, UserStatus},
};

/// Telegram's getFile limit for bots.
pub const MAX_DOWNLOAD: u64 = 20 * 1024 * 1024;
/// Rejected rows listed one by one in an upload report.
const LISTED_REJECTIONS: usize = 10;
/// Files listed in one message or keyboard (a message holds 4,096
/// characters, a keyboard about 100 buttons).
const LISTED_FILES: usize = 25;
/// File extensions numbot imports.
const CSV_EXTENSIONS: [&str; 3] = ["csv", "txt", "tsv"];

/// An uploaded document: checks, download, then the category or the question.
pub async fn document<B: Tg>(
    bot: &B,
    app: &App,
    me: &Caller,
    msg: &Message,
) -> Result<(), RequestError> {
    let doc = msg.document().expect("called for documents");
    let name = doc.file_name.clone().unwrap_or_else(|| "upload.csv".into());
    if !me.admin {
        app.audit(me.id, "denied", format!("upload of {name}"))
            .await;
        let text = "Only admins can upload numbers. The attempt has been logged.";
        send::retrying(bot.send_message(me.chat, text)).await?;
        return Ok(());
    }
    let size = u64::from(doc.file.size);
    if size > MAX_DOWNLOAD {
        let text = format!(
            "{name} is {:.1} MB; Telegram lets bots download files up to 20 MB. Split it into smaller CSV files and send them one by one (or use `numbot import` on the server).",
            size as f64 / (1024.0 * 1024.0)
        );
        send::retrying(bot.send_message(me.chat, text)).await?;
        return Ok(());
    }
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if !CSV_EXTENSIONS.contains(&extension.as_str()) {
        let text = format!(
            "{name} is not a CSV file. numbot imports .csv (or .txt) files with one number per row. In Excel or Google Sheets, save or download the sheet as CSV and send that."
        );
        send::retrying(bot.send_message(me.chat, text)).await?;
        return Ok(());
    }
    let file = send::retrying(bot.get_file(doc.file.id.clone())).await?;
    let mut bytes = Vec::with_capacity(size as usize);
    if let Err(e) = app.raw.download_file(&file.path, &mut bytes).await {
        tracing::error!("download of {name} failed: {e}");
        let text = format!("Could not download {name} from Telegram ({e}). Send it again.");
        send::retrying(bot.send_message(me.chat, text)).await?;
        return Ok(());
    }
    let caption = msg.caption().map(str::trim).filter(|c| !c.is_empty());
    let pending = PendingUpload {
        file_id: doc.file.id.0.clone(),
        file_name: name.clone(),
        numbers: 0,
        at: chrono::Utc::now().timestamp(),
    };
    if let Some(category) = caption {
        return import(bot, app, me, &pending, bytes, category.to_string()).await;
    }
    // No caption: the file's Range column may name one category.
    let plugins = app.store.plugins().clone();
    let (file_name, data) = (name.clone(), bytes);
    let Ok((validation, data)) = tokio::task::spawn_blocking(move || {
        let v = plugins.validate(&file_name, &data);
        (v, data)
    })
    .await
    else {
        let text = format!("Reading {name} failed inside numbot; nothing imported. Send it again.");
        send::retrying(bot.send_message(me.chat, text)).await?;
        return Ok(());
    };
    let validation = match validation {
        Ok(v) => v,
        Err(e) => {
            let text = format!("Nothing imported from {name}: {e}");
            send::retrying(bot.send_message(me.chat, text)).await?;
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
    let numbers = validation.numbers.len() as u64;
    let mut text = format!(
        "{}: {} numbers found. Which category should they go to? Reply with its name (for example <i>UAE Mobile</i>) or pick one.",
        send::html(&name),
        send::count(numbers)
    );
    // The earlier question lapses now: an answer cannot import that file.
    if let Ok(Some(previous)) = app.users.take_pending_upload(me.id).await {
        text.push_str(&format!(
            "\n(This replaces {}, which was waiting for its category.)",
            send::html(&previous.file_name)
        ));
    }
    if hints.len() > 1 {
        text.push_str(&format!(
            "\nIts Range column names {} categories; a file goes into one category, so split it if they should stay apart.",
            hints.len()
        ));
    }
    let mut rows: Vec<Vec<InlineKeyboardButton>> = app
        .store
        .categories()
        .await
        .unwrap_or_default()
        .into_iter()
        .take(20)
        .map(|(c, _)| {
            vec![InlineKeyboardButton::callback(
                c.clone(),
                format!("upc:{}:{}", send::key(&c), send::key(&doc.file.id.0)),
            )]
        })
        .collect();
    rows.push(vec![InlineKeyboardButton::callback(
        "Cancel upload",
        format!("upx:{}", send::key(&doc.file.id.0)),
    )]);
    // Waiting only once the admin has seen the question: a reply cannot be
    // taken for a category they were never asked for.
    send::retrying(
        bot.send_message(me.chat, text)
            .parse_mode(ParseMode::Html)
            .reply_markup(InlineKeyboardMarkup::new(rows)),
    )
    .await?;
    let pending = PendingUpload {
        file_id: doc.file.id.0.clone(),
        file_name: name,
        numbers,
        at: chrono::Utc::now().timestamp(),
    };
    if let Err(e) = app.users.put_pending_upload(me.id, pending).await {
        tracing::error!("user store: {e}");
        let text = "numbot could not keep the upload while waiting for its category; send it again with the category as its caption.";
        send::retrying(bot.send_message(me.chat, text)).await?;
    }
    Ok(())
}

/// How long an upload waits for its category.
const PENDING_FOR_SECS: i64 = 3600;

/// Whether the question of a waiting upload is still open.
fn fresh(p: &PendingUpload) -> bool {
    chrono::Utc::now().timestamp() - p.at < PENDING_FOR_SECS
}

/// Downloads a file an admin sent earlier (any replica can: Telegram keeps it).
async fn fetch<B: Tg>(
    bot: &B,
    app: &App,
    me: &Caller,
    pending: &PendingUpload,
) -> Result<Option<Vec<u8>>, RequestError> {
    let name = &pending.file_name;
    let downloaded = match send::retrying(bot.get_file(FileId(pending.file_id.clone()))).await {
        Ok(file) => {
            let mut bytes = Vec::with_capacity(file.size as usize);
            app.raw
                .download_file(&file.path, &mut bytes)
                .await
                .map(|()| bytes)
                .map_err(|e| e.to_string())
        }
        Err(e) => Err(e.to_string()),
    };
    match downloaded {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) => {
            // Still waiting: the admin may answer again.
            tracing::error!("download of {name} failed: {e}");
            if let Err(e) = app.users.put_pending_upload(me.id, pending.clone()).await {
                tracing::error!("user store: {e}");
            }
            let text = format!(
                "Could not fetch {name} from Telegram ({e}); nothing imported. Answer again, or send the file again."
            );
            send::retrying(bot.send_message(me.chat, text)).await?;
            Ok(None)
        }
    }
}

/// The admin typed the category of their pending upload; false when no
/// upload was waiting (the text is something else).
pub async fn category_reply<B: Tg>(
    bot: &B,
    app: &App,
    me: &Caller,
    text: &str,
) -> Result<bool, RequestError> {
    let pending = match app.users.take_pending_upload(me.id).await {
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

/// A category button or "Cancel upload" under the question.
pub async fn upload_choice<B: Tg>(
    bot: &B,
    app: &App,
    me: &Caller,
    press: &Press<'_>,
    action: &str,
    key: &str,
) -> Answer {
    let Ok(Some(p)) = app.users.take_pending_upload(me.id).await else {
        return Ok(Some("No upload is waiting.".into()));
    };
    if !fresh(&p) {
        return Ok(Some("That question lapsed: send the file again.".into()));
    }
    // Buttons name their file: a button under an older question must not
    // import (or cancel) the file waiting now.
    let (key, file) = match action {
        "upx" => ("", key),
        _ => key.split_once(':').unwrap_or((key, "")),
    };
    if file != send::key(&p.file_id) {
        if let Err(e) = app.users.put_pending_upload(me.id, p).await {
            tracing::error!("user store: {e}");
        }
        return Ok(Some(
            "That question is out of date: answer the latest one.".into(),
        ));
    }
    if action == "upx" {
        let text = format!(
            "Upload of {} cancelled; {} numbers not imported.",
            p.file_name,
            send::count(p.numbers)
        );
        send::retrying(bot.edit_message_text(me.chat, press.message.id, text)).await?;
        return Ok(None);
    }
    let category = app
        .store
        .categories()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(c, _)| c)
        .find(|c| send::key(c) == key);
    let Some(category) = category else {
        if let Err(e) = app.users.put_pending_upload(me.id, p).await {
            tracing::error!("user store: {e}");
        }
        return Ok(Some("That category is gone: type a name.".into()));
    };
    if let Some(bytes) = fetch(bot, app, me, &p).await? {
        import(bot, app, me, &p, bytes, category).await?;
    }
    Ok(None)
}

/// Imports through the store (validator, formatter, dedup) and reports.
async fn import<B: Tg>(
    bot: &B,
    app: &App,
    me: &Caller,
    pending: &PendingUpload,
    bytes: Vec<u8>,
    category: String,
) -> Result<(), RequestError> {
    let name = pending.file_name.clone();
    let country = app.config.store.default_country.clone();
    let result = app
        .store
        .upload(&name, Arc::new(bytes), &category, me.id, country)
        .await;
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
            send::retrying(
                bot.send_message(me.chat, report_text(&report))
                    .parse_mode(ParseMode::Html),
            )
            .await?;
        }
        Err(StoreError::BadCategory(c)) => {
            if let Err(e) = app.users.put_pending_upload(me.id, pending.clone()).await {
                tracing::error!("user store: {e}");
            }
            let text = format!(
                "`{c}` cannot be a category name (1-64 printable characters). Type another name."
            );
            send::retrying(bot.send_message(me.chat, text)).await?;
        }
        Err(e) => {
            tracing::warn!(admin = me.id, "upload of {name} refused: {e}");
            let text = format!("Nothing imported from {name}: {e}");
            send::retrying(bot.send_message(me.chat, text)).await?;
        }
    }
    Ok(())
}

/// The upload report for the admin.
pub fn report_text(r: &UploadReport) -> String {
    let mut text = format!(
        "<b>Imported {} numbers into {}</b>\nStored as {}\n",
        send::count(r.accepted),
        send::html(&r.category),
        send::html(&r.file)
    );
    if let Some(country) = &r.country_code {
        text.push_str(&format!("Country: {}\n", send::html(country)));
    }
    text.push_str(&format!(
        "Duplicates: {} within the file, {} already in the pool\n",
        send::count(r.duplicates_in_file),
        send::count(r.duplicates_in_pool)
    ));
    text.push_str(&format!("Rejected: {}\n", send::count(r.rejected_count)));
    for (reason, n) in &r.rejected_by_reason {
        text.push_str(&format!("  {}: {}\n", send::html(reason), send::count(*n)));
    }
    for row in r.rejected.iter().take(LISTED_REJECTIONS) {
        text.push_str(&format!(
            "  line {}: {}\n",
            row.line,
            send::html(&row.reason)
        ));
    }
    if r.rejected.len() > LISTED_REJECTIONS {
        text.push_str(&format!(
            "  … and {} more\n",
            send::count(r.rejected_count - LISTED_REJECTIONS as u64)
        ));
    }
    text
}

pub async fn csvstats<B: Tg>(bot: &B, app: &App, me: &Caller) -> Result<(), RequestError> {
    let files: Vec<_> = match app.store.files().await {
        Ok(f) => f.into_iter().filter(|f| !f.meta.deleted).collect(),
        Err(e) => return failed(bot, me, e).await,
    };
    if files.is_empty() {
        send::retrying(bot.send_message(
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
    let mut text = format!("<b>Usage per file</b>\n<pre>{}</pre>", send::html(&table));
    if total_files > files.len() {
        text.push_str(&format!(
            "\nThe first {} of {total_files} files; <code>numbot files</code> on the server lists all.",
            files.len()
        ));
    }
    send::retrying(bot.send_message(me.chat, text).parse_mode(ParseMode::Html)).await?;
    let bars: Vec<chart::Bar> = files
        .iter()
        .map(|f| chart::Bar {
            available: f.usage.available,
            assigned: f.usage.assigned,
            cooling: f.usage.cooling,
            retired: f.usage.retired,
        })
        .collect();
    let png = chart::render(&bars);
    let legend = chart::LEGEND
        .iter()
        .zip(["green", "orange", "grey", "red"])
        .map(|((what, _), colour)| format!("{colour} = {what}"))
        .collect::<Vec<_>>()
        .join(", ");
    let caption = format!("Files 1-{} top to bottom: {legend}.", files.len());
    send::retrying(
        bot.send_photo(me.chat, InputFile::memory(png).file_name("csvstats.png"))
            .caption(caption),
    )
    .await?;
    Ok(())
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let head: String = s.chars().take(max - 1).collect();
        format!("{head}…")
    }
}

pub async fn csvlist<B: Tg>(bot: &B, app: &App, me: &Caller) -> Result<(), RequestError> {
    let files = match app.store.files().await {
        Ok(f) => f,
        Err(e) => return failed(bot, me, e).await,
    };
    let (live, deleted): (Vec<_>, Vec<_>) = files.into_iter().partition(|f| !f.meta.deleted);
    if live.is_empty() {
        send::retrying(bot.send_message(me.chat, "No files uploaded yet.")).await?;
        return Ok(());
    }
    let mut text = format!("<b>{} files</b>\n", live.len());
    for f in live.iter().take(LISTED_FILES) {
        text.push_str(&format!(
            "<code>{}</code>\n  {} · {} numbers ({} free) · uploaded {} by {}\n",
            send::html(&f.name),
            send::html(&f.meta.country_name),
            send::count(f.usage.total),
            send::count(f.usage.available),
            send::html(&f.meta.created_at),
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
    send::retrying(bot.send_message(me.chat, text).parse_mode(ParseMode::Html)).await?;
    Ok(())
}

pub async fn csvdelete<B: Tg>(bot: &B, app: &App, me: &Caller) -> Result<(), RequestError> {
    let files: Vec<_> = match app.store.files().await {
        Ok(f) => f.into_iter().filter(|f| !f.meta.deleted).collect(),
        Err(e) => return failed(bot, me, e).await,
    };
    if files.is_empty() {
        send::retrying(bot.send_message(me.chat, "No files to delete.")).await?;
        return Ok(());
    }
    let rows: Vec<Vec<InlineKeyboardButton>> = files
        .iter()
        .take(LISTED_FILES)
        .map(|f| {
            vec![InlineKeyboardButton::callback(
                format!("{} ({} numbers)", f.name, send::count(f.usage.total)),
                format!("del:{}", send::key(&f.name)),
            )]
        })
        .collect();
    let question = if files.len() > LISTED_FILES {
        format!("Which file should be deleted? (The first {LISTED_FILES} of {}; `numbot delete` on the server takes any.)", files.len())
    } else {
        "Which file should be deleted?".to_string()
    };
    send::retrying(
        bot.send_message(me.chat, question)
            .reply_markup(InlineKeyboardMarkup::new(rows)),
    )
    .await?;
    Ok(())
}

/// Pick a file, confirm, delete.
pub async fn delete_step<B: Tg>(
    bot: &B,
    app: &App,
    me: &Caller,
    press: &Press<'_>,
    action: &str,
    key: &str,
) -> Answer {
    let message = press.message.id;
    if action == "delno" {
        send::retrying(bot.edit_message_text(me.chat, message, "Nothing deleted.")).await?;
        return Ok(None);
    }
    let file = match app.store.files().await {
        Ok(files) => files
            .into_iter()
            .find(|f| !f.meta.deleted && send::key(&f.name) == key),
        Err(e) => {
            failed(bot, me, e).await?;
            return Ok(None);
        }
    };
    let Some(file) = file else {
        return Ok(Some("That file is already gone.".into()));
    };
    if action == "del" {
        let text = format!(
            "Delete {}? Its {} free numbers leave the pool now; the {} in use leave when they are released. The history stays.",
            file.name,
            send::count(file.usage.available),
            send::count(file.usage.assigned)
        );
        let keyboard = InlineKeyboardMarkup::new([[
            InlineKeyboardButton::callback("Yes, delete", format!("delok:{key}")),
            InlineKeyboardButton::callback("No", "delno"),
        ]]);
        send::retrying(
            bot.edit_message_text(me.chat, message, text)
                .reply_markup(keyboard),
        )
        .await?;
        return Ok(None);
    }
    let name = file.name.clone();
    let result = app.store.delete_file(&name).await;
    match result {
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
                send::count(file.usage.available)
            );
            send::retrying(bot.edit_message_text(me.chat, message, text)).await?;
            Ok(Some("Deleted.".into()))
        }
        Err(e) => {
            failed(bot, me, e).await?;
            Ok(None)
        }
    }
}

/// `/ban <id> [reason]`.
pub async fn ban<B: Tg>(bot: &B, app: &App, me: &Caller, args: &str) -> Result<(), RequestError> {
    let Some((target, reason)) = target_of(args) else {
        send::retrying(bot.send_message(me.chat, "Usage: /ban <user id> [reason]")).await?;
        return Ok(());
    };
    if app.is_admin(target) {
        send::retrying(bot.send_message(
            me.chat,
            "Admins cannot be banned; remove them from the configuration first.",
        ))
        .await?;
        return Ok(());
    }
    set_status(bot, app, me, target, UserStatus::Banned, reason).await
}

/// `/unban <id>`.
pub async fn unban<B: Tg>(bot: &B, app: &App, me: &Caller, args: &str) -> Result<(), RequestError> {
    let Some((target, _)) = target_of(args) else {
        send::retrying(bot.send_message(me.chat, "Usage: /unban <user id>")).await?;
        return Ok(());
    };
    set_status(bot, app, me, target, UserStatus::Active, None).await
}

/// `/approve` lists the users waiting; `/approve <id>` approves one.
pub async fn approve<B: Tg>(
    bot: &B,
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
    let pending = match app.users.with_status(UserStatus::Pending).await {
        Ok(p) => p,
        Err(e) => {
            tracing::error!("user store: {e}");
            send::retrying(bot.send_message(me.chat, "The user records cannot be read now."))
                .await?;
            return Ok(());
        }
    };
    if pending.is_empty() {
        send::retrying(bot.send_message(me.chat, "Nobody is waiting for approval.")).await?;
        return Ok(());
    }
    let rows: Vec<Vec<InlineKeyboardButton>> = pending
        .iter()
        .take(40)
        .map(|r| {
            vec![
                InlineKeyboardButton::callback(
                    format!("Approve {} ({})", r.name, r.id),
                    format!("ap:{}", r.id),
                ),
                InlineKeyboardButton::callback("Reject", format!("rj:{}", r.id)),
            ]
        })
        .collect();
    let text = format!("{} users wait for approval:", pending.len());
    send::retrying(
        bot.send_message(me.chat, text)
            .reply_markup(InlineKeyboardMarkup::new(rows)),
    )
    .await?;
    Ok(())
}

/// The Approve / Reject buttons.
pub async fn decide<B: Tg>(
    bot: &B,
    app: &App,
    me: &Caller,
    _press: &Press<'_>,
    approve: bool,
    arg: &str,
) -> Answer {
    let Ok(target) = arg.parse::<i64>() else {
        return Ok(Some("This button is no longer valid.".into()));
    };
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
async fn refuse_unless_pending<B: Tg>(
    bot: &B,
    app: &App,
    me: &Caller,
    target: i64,
) -> Result<bool, RequestError> {
    let status = app.users.get(target).await.ok().flatten().map(|r| r.status);
    let text = match status {
        Some(UserStatus::Pending) => return Ok(false),
        Some(UserStatus::Banned) => {
            format!("User {target} is banned: /unban {target} lifts the ban.")
        }
        Some(UserStatus::Active) => format!("User {target} already has access."),
        None => format!("User {target} has not asked for access."),
    };
    send::retrying(bot.send_message(me.chat, text)).await?;
    Ok(true)
}

fn target_of(args: &str) -> Option<(i64, Option<String>)> {
    let (id, rest) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
    let id = id.parse().ok()?;
    let rest = rest.trim();
    Some((id, (!rest.is_empty()).then(|| rest.to_string())))
}

/// Changes a user's status, audits it, tells the admin and the user.
async fn set_status<B: Tg>(
    bot: &B,
    app: &App,
    me: &Caller,
    target: i64,
    status: UserStatus,
    reason: Option<String>,
) -> Result<(), RequestError> {
    let record = match app
        .users
        .set_status(target, status, me.id, reason.clone())
        .await
    {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("user store: {e}");
            send::retrying(bot.send_message(
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
            let released = app.store.cancel(target).await.is_ok();
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
    send::retrying(bot.send_message(me.chat, to_admin)).await?;
    // The user may never have talked to the bot: a refusal here is expected.
    if let Err(e) = send::retrying(bot.send_message(ChatId(target), to_user)).await {
        tracing::info!("could not tell user {target}: {e}");
    }
    Ok(())
}

pub async fn plugins<B: Tg>(bot: &B, app: &App, me: &Caller) -> Result<(), RequestError> {
    let host = app.store.plugins();
    let mut text = String::from("<b>Plugins</b>\n");
    for p in host.plugins() {
        let countries = match (&p.countries, p.world) {
            (_, w) if w != crate::plugin::WorldKind::Formatter => String::new(),
            (Some(c), _) => format!(" · {}", c.join(",")),
            (None, _) => " · all countries".into(),
        };
        text.push_str(&format!(
            "{} {} ({}){}\n",
            send::html(&p.id),
            send::html(&p.version),
            p.world,
            send::html(&countries)
        ));
    }
    for (path, error) in host.load_errors() {
        text.push_str(&format!(
            "refused {}: {}\n",
            send::html(&path.display().to_string()),
            send::html(&error.to_string())
        ));
    }
    send::retrying(bot.send_message(me.chat, text).parse_mode(ParseMode::Html)).await?;
    Ok(())
}

pub async fn audit<B: Tg>(bot: &B, app: &App, me: &Caller) -> Result<(), RequestError> {
    let events = app.users.recent_audit(20).await.unwrap_or_default();
    if events.is_empty() {
        send::retrying(bot.send_message(me.chat, "The audit trail is empty.")).await?;
        return Ok(());
    }
    let mut text = String::from("<b>Recent audit events</b>\n");
    for e in events {
        let at = chrono::DateTime::from_timestamp(e.at, 0)
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        text.push_str(&format!(
            "{at} · {} · {} · {}\n",
            e.actor,
            send::html(&e.action),
            send::html(&e.detail)
        ));
    }
    send::retrying(bot.send_message(me.chat, text).parse_mode(ParseMode::Html)).await?;
    Ok(())
}

async fn failed<B: Tg>(bot: &B, me: &Caller, e: StoreError) -> Result<(), RequestError> {
    tracing::error!(admin = me.id, "store: {e}");
    let text = format!("The store failed: {e}");
    send::retrying(bot.send_message(me.chat, text)).await?;
    Ok(())
}
