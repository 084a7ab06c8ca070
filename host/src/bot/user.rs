//! What every user can do: `/start`, `/help`, `/countries`, pick a number,
//! Change and Cancel, `/stats`.

use std::time::Duration;

use teloxide::{
    prelude::*,
    types::{InlineKeyboardButton, InlineKeyboardMarkup, ParseMode},
    RequestError,
};

use super::{access, commands, send, App, Caller, Press, Tg};
use crate::{
    store::{Assignment, StoreError},
    users::NumberSlot,
};

/// Categories per page of `/countries`.
pub const PAGE: usize = 8;
/// Categories listed by `/stats` (a message holds 4,096 characters).
const STATS_LISTED: usize = 40;

/// A callback handler's result: the text for the answer toast, if any.
pub type Answer = Result<Option<String>, RequestError>;

pub async fn start<B: Tg>(bot: &B, app: &App, me: &Caller) -> Result<(), RequestError> {
    let text = format!(
        "Welcome to numbot. It hands out phone numbers from your team's pool for SMS verification tests.\n\n{}",
        access::describe(app, me)
    );
    send::retrying(bot.send_message(me.chat, text)).await?;
    Ok(())
}

pub async fn help<B: Tg>(bot: &B, app: &App, me: &Caller) -> Result<(), RequestError> {
    let mut text = String::from(
        "numbot gives you a phone number from the team's pool; use it for a verification, then press Cancel (or Change number for another).\n\n",
    );
    for (name, about) in commands::USER {
        text.push_str(&format!("/{name} — {about}\n"));
    }
    if me.admin {
        text.push_str("\nAdmins:\n");
        for (name, about) in commands::ADMIN {
            text.push_str(&format!("/{name} — {about}\n"));
        }
        text.push_str("Send a CSV file to add numbers; its caption (or its Range column) names the category.\n");
    }
    text.push_str(&format!(
        "\nYou can take {} numbers per {}; one at a time.",
        app.numbers.max,
        send::wait(app.numbers.window)
    ));
    send::retrying(bot.send_message(me.chat, text)).await?;
    Ok(())
}

/// Categories with numbers available, by name.
async fn open_categories(app: &App) -> Result<Vec<(String, u64)>, StoreError> {
    Ok(app
        .store
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
                format!("pk:{}", send::key(name)),
            )]
        })
        .collect();
    if pages > 1 {
        let mut nav = Vec::new();
        if page > 0 {
            nav.push(InlineKeyboardButton::callback(
                "« Prev",
                format!("pg:{}", page - 1),
            ));
        }
        nav.push(InlineKeyboardButton::callback(
            format!("{}/{pages}", page + 1),
            format!("pg:{page}"),
        ));
        if page + 1 < pages {
            nav.push(InlineKeyboardButton::callback(
                "Next »",
                format!("pg:{}", page + 1),
            ));
        }
        rows.push(nav);
    }
    InlineKeyboardMarkup::new(rows)
}

/// `/countries` (a new message) or a page button (the same message, edited).
pub async fn countries<B: Tg>(
    bot: &B,
    app: &App,
    me: &Caller,
    page: Option<(&Press<'_>, &str)>,
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
        send::retrying(bot.send_message(me.chat, text)).await?;
        return Ok(None);
    }
    let text = "Pick a category:";
    match page {
        None => {
            let keyboard = countries_keyboard(&categories, 0);
            send::retrying(bot.send_message(me.chat, text).reply_markup(keyboard)).await?;
        }
        Some((press, arg)) => {
            let page = arg.parse().unwrap_or(0);
            let keyboard = countries_keyboard(&categories, page);
            let edit = bot
                .edit_message_text(me.chat, press.message.id, text)
                .reply_markup(keyboard);
            // Pressing the current page again changes nothing: Telegram says so.
            if let Err(e) = send::retrying(edit).await {
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
        InlineKeyboardButton::callback("Change number", "chg"),
        InlineKeyboardButton::callback("Cancel", "cxl"),
    ]])
}

/// The message showing a number: formatted, country, source file, lease end.
fn number_text(app: &App, a: &Assignment) -> String {
    let formatted = app
        .store
        .plugins()
        .format(std::slice::from_ref(&a.number), None)
        .ok()
        .and_then(|mut v| v.pop())
        .and_then(Result::ok);
    let (display, country) = match formatted {
        Some(f) => (f.display, f.country),
        None => (a.number.clone(), "?".into()),
    };
    let until = chrono::DateTime::from_timestamp(i64::from(a.until), 0)
        .map(|t| t.format("%H:%M UTC").to_string())
        .unwrap_or_default();
    let waiting = if app.config.sms.is_some() {
        "Use it now: the code will be sent here when the SMS arrives."
    } else {
        "When you are done, press Cancel; Change number gives you another."
    };
    format!(
        "Your number: <code>{}</code>\n{}\nCountry: {} · Category: {}\nFrom file: {}\nIt is yours until {until}. {waiting}",
        send::html(&a.number),
        send::html(&display),
        send::html(&country),
        send::html(&a.category),
        send::html(&a.file),
    )
}

/// A number counted against the user's limit before the store is asked, so
/// that the check and the count are one step on every replica.
enum Slot {
    /// Counted at this time: given back unless a number comes of it.
    Taken(i64),
    /// The user store failed: the limit is not applied (logged), as a broken
    /// counter should not stop the pool.
    Unchecked,
}

/// Takes a place under the user's numbers limit, or tells them how long to
/// wait (`None`).
async fn take_slot<B: Tg>(bot: &B, app: &App, me: &Caller) -> Result<Option<Slot>, RequestError> {
    let now = chrono::Utc::now().timestamp();
    match app
        .users
        .take_number(me.id, now, &app.numbers, me.admin)
        .await
    {
        Ok(NumberSlot::Granted) => Ok(Some(Slot::Taken(now))),
        Ok(NumberSlot::Full(times)) => {
            // No times: the record could not be read after the refusal, so
            // the whole window is the honest bound.
            let wait = app
                .numbers
                .wait(&times, now)
                .err()
                .unwrap_or(if times.is_empty() {
                    app.numbers.window
                } else {
                    Duration::from_secs(1)
                });
            let text = format!(
                "You have taken {} numbers in the last {}. You can take another in {}.",
                app.numbers.max,
                send::wait(app.numbers.window),
                send::wait(wait)
            );
            send::retrying(bot.send_message(me.chat, text)).await?;
            Ok(None)
        }
        Err(e) => {
            tracing::error!("user store: {e}");
            Ok(Some(Slot::Unchecked))
        }
    }
}

/// Gives back a place no number came of. A claim that failed on a timeout
/// after the pool did take it leaves that number uncounted; a give-back that
/// fails leaves the place taken for one window: both err towards the user
/// and are logged.
async fn give_back(app: &App, me: &Caller, slot: Slot) {
    if let Slot::Taken(at) = slot {
        if let Err(e) = app.users.give_back_number(me.id, at).await {
            tracing::error!("user store: {e}");
        }
    }
}

pub async fn pick<B: Tg>(bot: &B, app: &App, me: &Caller, _press: &Press<'_>, key: &str) -> Answer {
    if !access::may_take(bot, app, me).await? {
        return Ok(None);
    }
    let category = match app.store.categories().await {
        Ok(all) => all
            .into_iter()
            .map(|(c, _)| c)
            .find(|c| send::key(c) == key),
        Err(e) => return store_failed(bot, me, e).await,
    };
    let Some(category) = category else {
        return Ok(Some("That category is gone. Send /countries again.".into()));
    };
    let Some(slot) = take_slot(bot, app, me).await? else {
        return Ok(None);
    };
    let claimed = app.store.claim(&category, me.id).await;
    if claimed.is_err() {
        give_back(app, me, slot).await;
    }
    match claimed {
        Ok(a) => {
            let text = number_text(app, &a);
            send::retrying(
                bot.send_message(me.chat, text)
                    .parse_mode(ParseMode::Html)
                    .reply_markup(number_keyboard()),
            )
            .await?;
            Ok(None)
        }
        Err(StoreError::AlreadyAssigned { number, .. }) => {
            let text = format!(
                "You already hold <code>{}</code>. One number at a time: press Cancel when you are done, or Change number for another.",
                send::html(&number)
            );
            send::retrying(
                bot.send_message(me.chat, text)
                    .parse_mode(ParseMode::Html)
                    .reply_markup(number_keyboard()),
            )
            .await?;
            Ok(None)
        }
        Err(StoreError::NoneAvailable(_)) => {
            let text = format!(
                "No {} numbers are left right now. Pick another category: /countries",
                category
            );
            send::retrying(bot.send_message(me.chat, text)).await?;
            Ok(None)
        }
        Err(e) => store_failed(bot, me, e).await,
    }
}

pub async fn change<B: Tg>(bot: &B, app: &App, me: &Caller, press: &Press<'_>) -> Answer {
    if !access::may_take(bot, app, me).await? {
        return Ok(None);
    }
    let Some(slot) = take_slot(bot, app, me).await? else {
        return Ok(None);
    };
    let changed = app.store.change(me.id).await;
    if changed.is_err() {
        give_back(app, me, slot).await;
    }
    match changed {
        Ok(a) => {
            let text = number_text(app, &a);
            send::retrying(
                bot.edit_message_text(me.chat, press.message.id, text)
                    .parse_mode(ParseMode::Html)
                    .reply_markup(number_keyboard()),
            )
            .await?;
            Ok(Some("Here is another number.".into()))
        }
        Err(StoreError::NotAssigned(_)) => {
            Ok(Some("You hold no number now: use /countries.".into()))
        }
        Err(StoreError::NoneAvailable(category)) => Ok(Some(format!(
            "No other {category} number is free now; you keep this one."
        ))),
        Err(e) => store_failed(bot, me, e).await,
    }
}

pub async fn cancel<B: Tg>(bot: &B, app: &App, me: &Caller, press: &Press<'_>) -> Answer {
    let user = me.id;
    let held = match app.store.holding(user).await {
        Ok(h) => h,
        Err(e) => return store_failed(bot, me, e).await,
    };
    let Some(held) = held else {
        return Ok(Some("You hold no number now.".into()));
    };
    match app.store.cancel(user).await {
        Ok(()) => {
            let text = format!(
                "Released <code>{}</code>. Send /countries when you need another number.",
                send::html(&held.number)
            );
            send::retrying(
                bot.edit_message_text(me.chat, press.message.id, text)
                    .parse_mode(ParseMode::Html),
            )
            .await?;
            Ok(Some("Number released.".into()))
        }
        Err(StoreError::NotAssigned(_)) => Ok(Some("You hold no number now.".into())),
        Err(e) => store_failed(bot, me, e).await,
    }
}

pub async fn stats<B: Tg>(bot: &B, app: &App, me: &Caller) -> Result<(), RequestError> {
    if !access::may_take(bot, app, me).await? {
        return Ok(());
    }
    let categories = match app.store.categories().await {
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
        text.push_str(&format!("{}: {}\n", send::html(name), send::count(*n)));
    }
    if categories.len() > STATS_LISTED {
        text.push_str(&format!(
            "… and {} more categories: /countries lists them all\n",
            categories.len() - STATS_LISTED
        ));
    }
    let record = app.users.get(me.id).await.ok().flatten();
    let taken = record.map_or(0, |r| r.numbers_taken);
    text.push_str(&format!(
        "\n<b>You</b>\nNumbers taken: {}\n",
        send::count(taken)
    ));
    match app.store.holding(me.id).await {
        Ok(Some(a)) => {
            let until = chrono::DateTime::from_timestamp(i64::from(a.until), 0)
                .map(|t| t.format("%H:%M UTC").to_string())
                .unwrap_or_default();
            text.push_str(&format!(
                "Holding <code>{}</code> ({}) until {until}\n",
                send::html(&a.number),
                send::html(&a.category)
            ));
        }
        Ok(None) => text.push_str("Holding no number now\n"),
        Err(e) => tracing::error!("store: {e}"),
    }
    send::retrying(bot.send_message(me.chat, text).parse_mode(ParseMode::Html)).await?;
    Ok(())
}

/// A store failure the user cannot fix: said plainly, logged in full.
async fn store_failed<B: Tg>(bot: &B, me: &Caller, e: StoreError) -> Answer {
    tracing::error!(user = me.id, "store: {e}");
    let text = "Something went wrong on numbot's side; nothing was changed. The admins can see the details in the log.";
    send::retrying(bot.send_message(me.chat, text)).await?;
    Ok(None)
}
