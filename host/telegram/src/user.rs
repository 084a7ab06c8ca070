//! What every user can do: `/start`, `/help`, `/countries`, pick a number,
//! Done, Change and Cancel, `/stats`.

use numbot_core::{history, Assignment, HistoryQuery, StoreError, TakeError};
use teloxide::{
    prelude::*,
    types::{InlineKeyboardButton, InlineKeyboardMarkup, ParseMode},
    utils::command::BotCommands,
    RequestError,
};

use crate::{
    access,
    app::{App, Caller},
    callback::Callback,
    commands::{AdminCommand, UserCommand},
    render::{count, html, key, wait},
    schema::Answer,
    Tg,
};

/// Categories per page of `/countries`.
pub(crate) const PAGE: usize = 8;
/// Categories listed by `/stats` (a message holds 4,096 characters).
const STATS_LISTED: usize = 40;

pub(crate) async fn start(bot: &Tg, app: &App, me: &Caller) -> Result<(), RequestError> {
    let text = format!(
        "Welcome to numbot. It hands out phone numbers from your team's pool for SMS verification tests.\n\n{}",
        access::describe(app, me)
    );
    bot.send(bot.send_message(me.chat, text)).await?;
    Ok(())
}

pub(crate) async fn help(bot: &Tg, app: &App, me: &Caller) -> Result<(), RequestError> {
    let mut text = String::from(
        "numbot gives you a phone number from the team's pool; use it for a verification, then press Done (Cancel gives it back unused; Change number gets another).\n\n",
    );
    for c in UserCommand::bot_commands() {
        text.push_str(&format!(
            "/{} — {}\n",
            c.command.trim_start_matches('/'),
            c.description
        ));
    }
    if me.admin {
        text.push_str("\nAdmins:\n");
        for c in AdminCommand::bot_commands() {
            text.push_str(&format!(
                "/{} — {}\n",
                c.command.trim_start_matches('/'),
                c.description
            ));
        }
        text.push_str("Send a CSV file to add numbers; its caption (or its Range column) names the category.\n");
    }
    let limit = app.numbers.limit();
    text.push_str(&format!(
        "\nYou can take {} numbers per {}; one at a time.",
        limit.max,
        wait(me.lang, limit.window)
    ));
    bot.send(bot.send_message(me.chat, text)).await?;
    Ok(())
}

/// Categories with numbers available, by name.
async fn open_categories(app: &App) -> Result<Vec<(String, u64)>, StoreError> {
    Ok(app
        .numbers
        .store()
        .categories()
        .await?
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect())
}

/// The `/countries` keyboard for `page`.
fn countries_keyboard(categories: &[(String, u64)], page: usize) -> InlineKeyboardMarkup {
    let pages = categories.len().div_ceil(PAGE).max(1);
    let page = page.min(pages - 1);
    let mut rows: Vec<Vec<InlineKeyboardButton>> = categories
        .iter()
        .skip(page * PAGE)
        .take(PAGE)
        .map(|(name, n)| {
            vec![InlineKeyboardButton::callback(
                format!("{name} Numbers ({n})"),
                Callback::pick(name),
            )]
        })
        .collect();
    if pages > 1 {
        let mut nav = Vec::new();
        if page > 0 {
            nav.push(InlineKeyboardButton::callback(
                "« Prev",
                Callback::Page(page - 1),
            ));
        }
        nav.push(InlineKeyboardButton::callback(
            format!("{}/{pages}", page + 1),
            Callback::Page(page),
        ));
        if page + 1 < pages {
            nav.push(InlineKeyboardButton::callback(
                "Next »",
                Callback::Page(page + 1),
            ));
        }
        rows.push(nav);
    }
    InlineKeyboardMarkup::new(rows)
}

/// `/countries` (a new message) or a page button (the same message, edited).
pub(crate) async fn countries(
    bot: &Tg,
    app: &App,
    me: &Caller,
    page: Option<(&Message, usize)>,
) -> Answer {
    if !access::may_take(bot, app, me).await? {
        return Ok(None);
    }
    let categories = match open_categories(app).await {
        Ok(c) => c,
        Err(e) => return store_failed(bot, me, e).await,
    };
    if categories.is_empty() {
        let text = "No numbers are available right now. An admin has to upload some first.";
        bot.send(bot.send_message(me.chat, text)).await?;
        return Ok(None);
    }
    let text = "Pick a category:";
    match page {
        None => {
            let keyboard = countries_keyboard(&categories, 0);
            bot.send(bot.send_message(me.chat, text).reply_markup(keyboard))
                .await?;
        }
        Some((message, page)) => {
            let keyboard = countries_keyboard(&categories, page);
            let edit = bot
                .edit_message_text(me.chat, message.id, text)
                .reply_markup(keyboard);
            // Pressing the current page again changes nothing: Telegram says so.
            if let Err(e) = bot.send(edit).await {
                if !e.to_string().contains("not modified") {
                    return Err(e);
                }
            }
        }
    }
    Ok(None)
}

/// The buttons under a number.
fn number_keyboard() -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([[
        InlineKeyboardButton::callback("Done", Callback::Done),
        InlineKeyboardButton::callback("Change number", Callback::Change),
        InlineKeyboardButton::callback("Cancel", Callback::Cancel),
    ]])
}

/// The message showing a number: formatted, country, source file, lease end.
async fn number_text(app: &App, a: &Assignment) -> String {
    let view = app.numbers.view(&a.number).await;
    let until = chrono::DateTime::from_timestamp(i64::from(a.until), 0)
        .map(|t| t.format("%H:%M UTC").to_string())
        .unwrap_or_default();
    let waiting = if app.settings.relays_codes {
        "Use it now: messages to it are sent here. Press Done when you have finished, Cancel to give it back unused."
    } else {
        "Press Done when you have finished, Cancel to give it back unused; Change number gives you another."
    };
    format!(
        "Your number: <code>{}</code>\n{}\nCountry: {} · Category: {}\nFrom file: {}\nIt is yours until {until}. {waiting}",
        html(&a.number),
        html(&view.display),
        html(&view.country),
        html(&a.category),
        html(&a.file),
    )
}

/// Tells a user they reached their numbers limit.
async fn limited(bot: &Tg, me: &Caller, e: &TakeError) -> Result<(), RequestError> {
    if let TakeError::Limited {
        max,
        window,
        wait: w,
    } = e
    {
        let text = format!(
            "You have taken {max} numbers in the last {}. You can take another in {}.",
            wait(me.lang, *window),
            wait(me.lang, *w)
        );
        bot.send(bot.send_message(me.chat, text)).await?;
    }
    Ok(())
}

pub(crate) async fn pick(bot: &Tg, app: &App, me: &Caller, category_key: &str) -> Answer {
    if !access::may_take(bot, app, me).await? {
        return Ok(None);
    }
    let category = match app.numbers.store().categories().await {
        Ok(all) => all
            .into_iter()
            .map(|(c, _)| c)
            .find(|c| key(c) == category_key),
        Err(e) => return store_failed(bot, me, e).await,
    };
    let Some(category) = category else {
        return Ok(Some("That category is gone. Send /countries again.".into()));
    };
    match app.numbers.take(me.taker(), &category).await {
        Ok(a) => {
            let text = number_text(app, &a).await;
            bot.send(
                bot.send_message(me.chat, text)
                    .parse_mode(ParseMode::Html)
                    .reply_markup(number_keyboard()),
            )
            .await?;
            Ok(None)
        }
        Err(e @ TakeError::Limited { .. }) => limited(bot, me, &e).await.map(|()| None),
        Err(TakeError::Store(StoreError::AlreadyAssigned { number, .. })) => {
            let text = format!(
                "You already hold <code>{}</code>. One number at a time: press Done when you have finished, or Change number for another.",
                html(&number)
            );
            bot.send(
                bot.send_message(me.chat, text)
                    .parse_mode(ParseMode::Html)
                    .reply_markup(number_keyboard()),
            )
            .await?;
            Ok(None)
        }
        Err(TakeError::Store(StoreError::NoneAvailable(_))) => {
            let text = format!(
                "No {category} numbers are left right now. Pick another category: /countries"
            );
            bot.send(bot.send_message(me.chat, text)).await?;
            Ok(None)
        }
        Err(TakeError::Store(e)) => store_failed(bot, me, e).await,
    }
}

pub(crate) async fn change(bot: &Tg, app: &App, me: &Caller, message: &Message) -> Answer {
    if !access::may_take(bot, app, me).await? {
        return Ok(None);
    }
    match app.numbers.change(me.taker()).await {
        Ok(a) => {
            let text = number_text(app, &a).await;
            bot.send(
                bot.edit_message_text(me.chat, message.id, text)
                    .parse_mode(ParseMode::Html)
                    .reply_markup(number_keyboard()),
            )
            .await?;
            Ok(Some("Here is another number.".into()))
        }
        Err(e @ TakeError::Limited { .. }) => limited(bot, me, &e).await.map(|()| None),
        Err(TakeError::Store(StoreError::NotAssigned(_))) => {
            Ok(Some("You hold no number now: use /countries.".into()))
        }
        Err(TakeError::Store(StoreError::NoneAvailable(category))) => Ok(Some(format!(
            "No other {category} number is free now; you keep this one."
        ))),
        Err(TakeError::Store(e)) => store_failed(bot, me, e).await,
    }
}

pub(crate) async fn cancel(bot: &Tg, app: &App, me: &Caller, message: &Message) -> Answer {
    match app.numbers.release(me.id).await {
        Ok(held) => {
            let text = format!(
                "Released <code>{}</code>. Send /countries when you need another number.",
                html(&held.number)
            );
            bot.send(
                bot.edit_message_text(me.chat, message.id, text)
                    .parse_mode(ParseMode::Html),
            )
            .await?;
            Ok(Some("Number released.".into()))
        }
        Err(StoreError::NotAssigned(_)) => Ok(Some("You hold no number now.".into())),
        Err(e) => store_failed(bot, me, e).await,
    }
}

/// Done: the use ends and counts as used. Pressed under the number, the
/// message says so; under a relayed message, its button goes.
pub(crate) async fn done(bot: &Tg, app: &App, me: &Caller, message: &Message) -> Answer {
    match app.numbers.done(me.id).await {
        Ok(held) => {
            app.audit(me.id, "done", held.number.clone()).await;
            if message.text().is_some_and(|t| t.starts_with("Your number")) {
                let text = format!(
                    "Done with <code>{}</code>. Send /countries when you need another number.",
                    html(&held.number)
                );
                bot.send(
                    bot.edit_message_text(me.chat, message.id, text)
                        .parse_mode(ParseMode::Html),
                )
                .await?;
            } else {
                bot.send(bot.edit_message_reply_markup(me.chat, message.id))
                    .await?;
            }
            Ok(Some(format!("Done with {}.", held.number)))
        }
        Err(StoreError::NotAssigned(_)) => Ok(Some("You hold no number now.".into())),
        Err(e) => store_failed(bot, me, e).await,
    }
}

pub(crate) async fn stats(bot: &Tg, app: &App, me: &Caller) -> Result<(), RequestError> {
    if !access::may_take(bot, app, me).await? {
        return Ok(());
    }
    let store = app.numbers.store();
    let categories = match store.categories().await {
        Ok(c) => c,
        Err(e) => {
            store_failed(bot, me, e).await?;
            return Ok(());
        }
    };
    let mut text = String::from("<b>Available now</b>\n");
    if categories.is_empty() {
        text.push_str("No numbers uploaded yet.\n");
    }
    for (name, n) in categories.iter().take(STATS_LISTED) {
        text.push_str(&format!("{}: {}\n", html(name), count(*n)));
    }
    if categories.len() > STATS_LISTED {
        text.push_str(&format!(
            "… and {} more categories: /countries lists them all\n",
            categories.len() - STATS_LISTED
        ));
    }
    let record = app.numbers.users().get(me.id).await.ok().flatten();
    let taken = record.map_or(0, |r| r.numbers_taken);
    text.push_str(&format!("\n<b>You</b>\nNumbers taken: {}\n", count(taken)));
    match store.holding(me.id).await {
        Ok(Some(a)) => {
            let until = chrono::DateTime::from_timestamp(i64::from(a.until), 0)
                .map(|t| t.format("%H:%M UTC").to_string())
                .unwrap_or_default();
            text.push_str(&format!(
                "Holding <code>{}</code> ({}) until {until}\n",
                html(&a.number),
                html(&a.category)
            ));
        }
        Ok(None) => text.push_str("Holding no number now\n"),
        Err(e) => tracing::error!("store: {e}"),
    }
    bot.send(bot.send_message(me.chat, text).parse_mode(ParseMode::Html))
        .await?;
    Ok(())
}

/// A store failure the user cannot fix: said plainly, logged in full.
async fn store_failed(bot: &Tg, me: &Caller, e: StoreError) -> Answer {
    tracing::error!(user = me.id, "store: {e}");
    let text = "Something went wrong on numbot's side; nothing was changed. The admins can see the details in the log.";
    bot.send(bot.send_message(me.chat, text)).await?;
    Ok(None)
}

/// Uses `/history` shows.
const HISTORY_LISTED: usize = 10;

/// `/history`: the user's last numbers, how each use ended and the codes
/// it got (their texts when the history keeps them).
pub(crate) async fn history(bot: &Tg, app: &App, me: &Caller) -> Result<(), RequestError> {
    if !access::may_take(bot, app, me).await? {
        return Ok(());
    }
    let store = app.numbers.store();
    let query = HistoryQuery {
        holder: Some(me.id),
        ..HistoryQuery::default()
    };
    let uses = match store.history(query).await {
        Ok(stream) => history::last(stream, HISTORY_LISTED).await,
        Err(e) => Err(e),
    };
    let uses = match uses {
        Ok(u) => u,
        Err(e) => return store_failed(bot, me, e).await.map(drop),
    };
    let mut text = String::new();
    if let Ok(Some(a)) = store.holding(me.id).await {
        text.push_str(&format!(
            "<b>Now</b>\n<code>{}</code> · {} · since {}\n\n",
            html(&a.number),
            html(&a.category),
            minute(i64::from(a.since))
        ));
    }
    if uses.is_empty() {
        text.push_str("No number of yours has ended a use yet.");
    } else {
        text.push_str(&format!("<b>Your last {} numbers</b>\n", uses.len()));
    }
    for u in uses.iter().rev() {
        let texts: Vec<String> = u
            .codes
            .iter()
            .filter_map(|c| c.code.as_deref())
            .map(|c| format!("<code>{}</code>", html(c)))
            .collect();
        let codes = match (u.codes.len(), texts.is_empty()) {
            (0, _) => "no code".to_string(),
            (1, true) => "1 code".to_string(),
            (n, true) => format!("{n} codes"),
            (_, false) => texts.join(", "),
        };
        text.push_str(&format!(
            "<code>{}</code> · {} · {} · {} · {codes}\n",
            html(&u.number),
            html(&u.category),
            minute(i64::from(u.start)),
            u.ended.as_str()
        ));
    }
    bot.send(bot.send_message(me.chat, text).parse_mode(ParseMode::Html))
        .await?;
    Ok(())
}

/// A time as `2026-12-01 14:05 UTC`.
fn minute(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}
