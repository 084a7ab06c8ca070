//! What every user can do: `/start`, `/help`, `/countries`, pick a number,
//! Done, Change and Cancel, `/stats`.

use numbot_core::{
    history::{self, Ended},
    Assignment, HistoryQuery, StoreError, TakeError, UseId,
};
use teloxide::{
    prelude::*,
    types::{InlineKeyboardButton, InlineKeyboardButtonKind, InlineKeyboardMarkup, ParseMode},
    RequestError,
};

use crate::{
    access,
    app::{App, Caller},
    callback::Callback,
    commands,
    i18n::Lang,
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
        "{}\n\n{}",
        tr!(me.lang, "user-welcome"),
        access::describe(me.lang, app, me)
    );
    bot.send(bot.send_message(me.chat, text)).await?;
    Ok(())
}

/// `/dashboard`: a button that opens the Mini App, when it is served.
pub(crate) async fn dashboard(bot: &Tg, app: &App, me: &Caller) -> Result<(), RequestError> {
    let url = app
        .settings
        .web
        .as_ref()
        .and_then(crate::miniapp::button_url);
    let Some(url) = url else {
        bot.send(bot.send_message(me.chat, tr!(me.lang, "web-dashboard-off")))
            .await?;
        return Ok(());
    };
    let mut rows = vec![vec![InlineKeyboardButton::web_app(
        tr!(me.lang, "web-menu-button"),
        teloxide::types::WebAppInfo { url },
    )]];
    let web = app.settings.web.as_ref();
    if let Some(link) =
        web.and_then(|w| crate::miniapp::login_url(w, me.id, &app.settings.telegram.token))
    {
        let minutes = web.map_or(0, |w| w.login_link_secs.div_ceil(60));
        rows.push(vec![InlineKeyboardButton::url(
            tr!(me.lang, "web-browser-button", minutes = minutes),
            link,
        )]);
    }
    bot.send(
        bot.send_message(me.chat, tr!(me.lang, "web-dashboard"))
            .reply_markup(InlineKeyboardMarkup::new(rows)),
    )
    .await?;
    Ok(())
}

pub(crate) async fn help(bot: &Tg, app: &App, me: &Caller) -> Result<(), RequestError> {
    let mut text = format!("{}\n\n", tr!(me.lang, "user-help-intro"));
    let users = commands::menu(me.lang, false);
    let line = |c: &teloxide::types::BotCommand| {
        format!(
            "/{} — {}\n",
            c.command.trim_start_matches('/'),
            c.description
        )
    };
    for c in &users {
        text.push_str(&line(c));
    }
    if me.admin {
        text.push_str(&format!("\n{}\n", tr!(me.lang, "user-help-admins")));
        for c in commands::menu(me.lang, true).iter().skip(users.len()) {
            text.push_str(&line(c));
        }
        text.push_str(&format!("{}\n", tr!(me.lang, "user-help-csv")));
    }
    let limit = app.numbers.limit();
    text.push_str(&format!(
        "\n{}",
        tr!(
            me.lang,
            "user-help-limit",
            max = limit.max,
            window = wait(me.lang, limit.window)
        )
    ));
    bot.send(bot.send_message(me.chat, text)).await?;
    Ok(())
}

/// Categories with numbers available, by name.
async fn open_categories(app: &App) -> Result<Vec<(String, u64)>, StoreError> {
    Ok(app
        .numbers
        .categories()
        .await?
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect())
}

/// The `/countries` keyboard for `page`.
fn countries_keyboard(
    lang: Lang,
    categories: &[(String, u64)],
    page: usize,
) -> InlineKeyboardMarkup {
    let pages = categories.len().div_ceil(PAGE).max(1);
    let page = page.min(pages - 1);
    let mut rows: Vec<Vec<InlineKeyboardButton>> = categories
        .iter()
        .skip(page * PAGE)
        .take(PAGE)
        .map(|(name, n)| {
            vec![InlineKeyboardButton::callback(
                format!("{name} ({n})"),
                Callback::pick(name),
            )]
        })
        .collect();
    if pages > 1 {
        let mut nav = Vec::new();
        if page > 0 {
            nav.push(InlineKeyboardButton::callback(
                tr!(lang, "user-page-prev"),
                Callback::Page(page - 1),
            ));
        }
        nav.push(InlineKeyboardButton::callback(
            format!("{}/{pages}", page + 1),
            Callback::Page(page),
        ));
        if page + 1 < pages {
            nav.push(InlineKeyboardButton::callback(
                tr!(lang, "user-page-next"),
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
        let text = tr!(me.lang, "user-none-available");
        bot.send(bot.send_message(me.chat, text)).await?;
        return Ok(None);
    }
    let text = tr!(me.lang, "user-pick-category");
    match page {
        None => {
            let keyboard = countries_keyboard(me.lang, &categories, 0);
            bot.send(bot.send_message(me.chat, text).reply_markup(keyboard))
                .await?;
        }
        Some((message, page)) => {
            let keyboard = countries_keyboard(me.lang, &categories, page);
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

/// The buttons under a number: they act on its use only.
fn number_keyboard(lang: Lang, id: UseId) -> InlineKeyboardMarkup {
    let id = Some(id);
    InlineKeyboardMarkup::new([[
        InlineKeyboardButton::callback(tr!(lang, "user-button-done"), Callback::Done(id)),
        InlineKeyboardButton::callback(tr!(lang, "user-button-change"), Callback::Change(id)),
        InlineKeyboardButton::callback(tr!(lang, "user-button-cancel"), Callback::Cancel(id)),
    ]])
}

/// Whether `message` shows a number (it has the Change button, which a
/// relayed message has not), in whatever language it is written.
fn shows_number(message: &Message) -> bool {
    message.reply_markup().is_some_and(|m| {
        m.inline_keyboard.iter().flatten().any(|b| {
            matches!(&b.kind, InlineKeyboardButtonKind::CallbackData(d)
                if matches!(Callback::parse(d), Some(Callback::Change(_))))
        })
    })
}

/// The use a button acts on: the one it names, else (buttons written
/// before they named one) the caller's current use.
async fn use_of(app: &App, me: &Caller, id: Option<UseId>) -> Result<Option<UseId>, StoreError> {
    match id {
        Some(id) => Ok(Some(id)),
        None => Ok(app.numbers.holding(me.id).await?.map(|a| a.id)),
    }
}

/// The message showing a number: formatted, country, source file, lease end.
async fn number_text(lang: Lang, app: &App, a: &Assignment) -> String {
    let view = app.numbers.view(&a.number).await;
    let until = clock(a.until);
    let waiting = if app.settings.relays_codes {
        tr!(lang, "user-number-relayed")
    } else {
        tr!(lang, "user-number-waiting")
    };
    tr!(
        lang,
        "user-number",
        number = html(&a.number),
        display = html(&view.display),
        country = html(&view.country),
        category = html(&a.category),
        file = html(&a.file),
        until = until,
        waiting = waiting,
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
        let text = tr!(
            me.lang,
            "user-limited",
            max = *max,
            window = wait(me.lang, *window),
            wait = wait(me.lang, *w)
        );
        bot.send(bot.send_message(me.chat, text)).await?;
    }
    Ok(())
}

pub(crate) async fn pick(bot: &Tg, app: &App, me: &Caller, category_key: &str) -> Answer {
    if !access::may_take(bot, app, me).await? {
        return Ok(None);
    }
    let category = match app.numbers.categories().await {
        Ok(all) => all
            .into_iter()
            .map(|(c, _)| c)
            .find(|c| key(c) == category_key),
        Err(e) => return store_failed(bot, me, e).await,
    };
    let Some(category) = category else {
        return Ok(Some(tr!(me.lang, "user-category-gone")));
    };
    match app.numbers.take(&me.account(), &category).await {
        Ok(a) => {
            let text = number_text(me.lang, app, &a).await;
            bot.send(
                bot.send_message(me.chat, text)
                    .parse_mode(ParseMode::Html)
                    .reply_markup(number_keyboard(me.lang, a.id)),
            )
            .await?;
            Ok(None)
        }
        Err(e @ TakeError::Limited { .. }) => limited(bot, me, &e).await.map(|()| None),
        Err(TakeError::Store(StoreError::AlreadyAssigned { number, .. })) => {
            let text = tr!(me.lang, "user-already-holding", number = html(&number));
            let mut message = bot.send_message(me.chat, text).parse_mode(ParseMode::Html);
            if let Ok(Some(held)) = app.numbers.holding(me.id).await {
                message = message.reply_markup(number_keyboard(me.lang, held.id));
            }
            bot.send(message).await?;
            Ok(None)
        }
        Err(TakeError::Store(StoreError::NoneAvailable(_))) => {
            let text = tr!(me.lang, "user-category-empty", category = category.as_str());
            bot.send(bot.send_message(me.chat, text)).await?;
            Ok(None)
        }
        Err(TakeError::Store(e)) => store_failed(bot, me, e).await,
        // A user is no token: neither can happen.
        Err(e @ (TakeError::Forbidden(_) | TakeError::HoldingMax(_) | TakeError::Queue(_))) => {
            tracing::error!(user = me.id, "take: {e}");
            Ok(None)
        }
    }
}

pub(crate) async fn change(
    bot: &Tg,
    app: &App,
    me: &Caller,
    message: &Message,
    id: Option<UseId>,
) -> Answer {
    if !access::may_take(bot, app, me).await? {
        return Ok(None);
    }
    let id = match use_of(app, me, id).await {
        Ok(Some(id)) => id,
        Ok(None) => return Ok(Some(tr!(me.lang, "user-holding-none-countries"))),
        Err(e) => return store_failed(bot, me, e).await,
    };
    match app.numbers.change(&me.account(), id).await {
        Ok(a) => {
            let text = number_text(me.lang, app, &a).await;
            bot.send(
                bot.edit_message_text(me.chat, message.id, text)
                    .parse_mode(ParseMode::Html)
                    .reply_markup(number_keyboard(me.lang, a.id)),
            )
            .await?;
            Ok(Some(tr!(me.lang, "user-changed")))
        }
        Err(e @ TakeError::Limited { .. }) => limited(bot, me, &e).await.map(|()| None),
        Err(TakeError::Store(StoreError::NotCurrent(_))) => {
            Ok(Some(tr!(me.lang, "user-holding-none-countries")))
        }
        Err(TakeError::Store(StoreError::NoneAvailable(category))) => {
            Ok(Some(tr!(me.lang, "user-change-none", category = category)))
        }
        Err(TakeError::Store(e)) => store_failed(bot, me, e).await,
        Err(e @ (TakeError::Forbidden(_) | TakeError::HoldingMax(_) | TakeError::Queue(_))) => {
            tracing::error!(user = me.id, "change: {e}");
            Ok(None)
        }
    }
}

pub(crate) async fn cancel(
    bot: &Tg,
    app: &App,
    me: &Caller,
    message: &Message,
    id: Option<UseId>,
) -> Answer {
    let id = match use_of(app, me, id).await {
        Ok(Some(id)) => id,
        Ok(None) => return Ok(Some(tr!(me.lang, "user-holding-none"))),
        Err(e) => return store_failed(bot, me, e).await,
    };
    match app.numbers.release(&me.account(), id).await {
        Ok(held) => {
            let text = tr!(me.lang, "user-released", number = html(&held.number));
            bot.send(
                bot.edit_message_text(me.chat, message.id, text)
                    .parse_mode(ParseMode::Html),
            )
            .await?;
            Ok(Some(tr!(me.lang, "user-released-toast")))
        }
        Err(StoreError::NotCurrent(_)) => Ok(Some(tr!(me.lang, "user-holding-none"))),
        Err(e) => store_failed(bot, me, e).await,
    }
}

/// Done: the use ends and counts as used. Pressed under the number, the
/// message says so; under a relayed message, its button goes.
pub(crate) async fn done(
    bot: &Tg,
    app: &App,
    me: &Caller,
    message: &Message,
    id: Option<UseId>,
) -> Answer {
    let id = match use_of(app, me, id).await {
        Ok(Some(id)) => id,
        Ok(None) => return Ok(Some(tr!(me.lang, "user-holding-none"))),
        Err(e) => return store_failed(bot, me, e).await,
    };
    match app.numbers.done(&me.account(), id).await {
        Ok(held) => {
            if shows_number(message) {
                let text = tr!(me.lang, "user-done", number = html(&held.number));
                bot.send(
                    bot.edit_message_text(me.chat, message.id, text)
                        .parse_mode(ParseMode::Html),
                )
                .await?;
            } else {
                bot.send(bot.edit_message_reply_markup(me.chat, message.id))
                    .await?;
            }
            Ok(Some(tr!(
                me.lang,
                "user-done-toast",
                number = held.number.as_str()
            )))
        }
        Err(StoreError::NotCurrent(_)) => Ok(Some(tr!(me.lang, "user-holding-none"))),
        Err(e) => store_failed(bot, me, e).await,
    }
}

pub(crate) async fn stats(bot: &Tg, app: &App, me: &Caller) -> Result<(), RequestError> {
    if !access::may_take(bot, app, me).await? {
        return Ok(());
    }
    let categories = match app.numbers.categories().await {
        Ok(c) => c,
        Err(e) => {
            store_failed(bot, me, e).await?;
            return Ok(());
        }
    };
    let mut text = format!("{}\n", tr!(me.lang, "user-stats-available"));
    if categories.is_empty() {
        text.push_str(&format!("{}\n", tr!(me.lang, "user-stats-empty")));
    }
    for (name, n) in categories.iter().take(STATS_LISTED) {
        text.push_str(&format!("{}: {}\n", html(name), count(me.lang, *n)));
    }
    if categories.len() > STATS_LISTED {
        text.push_str(&format!(
            "{}\n",
            tr!(
                me.lang,
                "user-stats-more",
                n = categories.len() - STATS_LISTED
            )
        ));
    }
    let record = app.numbers.user(me.id).await.ok().flatten();
    let taken = record.map_or(0, |r| r.numbers_taken);
    text.push_str(&format!(
        "\n{}\n",
        tr!(me.lang, "user-stats-you", taken = count(me.lang, taken))
    ));
    match app.numbers.holding(me.id).await {
        Ok(Some(a)) => {
            let until = clock(a.until);
            text.push_str(&format!(
                "{}\n",
                tr!(
                    me.lang,
                    "user-stats-holding",
                    number = html(&a.number),
                    category = html(&a.category),
                    until = until
                )
            ));
        }
        Ok(None) => text.push_str(&format!("{}\n", tr!(me.lang, "user-stats-holding-none"))),
        Err(e) => tracing::error!("store: {e}"),
    }
    bot.say(me.chat, &text, true).await?;
    Ok(())
}

/// A store failure the user cannot fix: said plainly, logged in full.
async fn store_failed(bot: &Tg, me: &Caller, e: StoreError) -> Answer {
    tracing::error!(user = me.id, "store: {e}");
    let text = tr!(me.lang, "user-store-failed");
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
    let query = HistoryQuery {
        holder: Some(me.id),
        last: Some(HISTORY_LISTED),
        ..HistoryQuery::default()
    };
    let uses = match app.numbers.history(query).await {
        Ok(stream) => history::last(stream, HISTORY_LISTED).await,
        Err(e) => Err(e),
    };
    let uses = match uses {
        Ok(u) => u,
        Err(e) => return store_failed(bot, me, e).await.map(drop),
    };
    let mut text = String::new();
    if let Ok(Some(a)) = app.numbers.holding(me.id).await {
        text.push_str(&format!(
            "{}\n\n",
            tr!(
                me.lang,
                "user-history-now",
                number = html(&a.number),
                category = html(&a.category),
                since = minute(i64::from(a.since))
            )
        ));
    }
    if uses.is_empty() {
        text.push_str(&tr!(me.lang, "user-history-none"));
    } else {
        text.push_str(&format!(
            "{}\n",
            tr!(me.lang, "user-history-last", n = uses.len())
        ));
    }
    for u in uses.iter().rev() {
        let texts: Vec<String> = u
            .codes
            .iter()
            .filter_map(|c| c.code.as_deref())
            .map(|c| format!("<code>{}</code>", html(c)))
            .collect();
        let codes = match (u.codes.len(), texts.is_empty()) {
            (0, _) => tr!(me.lang, "user-codes-none"),
            (n, true) => tr!(me.lang, "user-codes", n = n),
            (_, false) => texts.join(", "),
        };
        text.push_str(&format!(
            "<code>{}</code> · {} · {} · {} · {codes}\n",
            html(&u.number),
            html(&u.category),
            minute(i64::from(u.start)),
            ended(me.lang, u.ended)
        ));
    }
    bot.say(me.chat, &text, true).await?;
    Ok(())
}

/// How a use ended, in words.
fn ended(lang: Lang, e: Ended) -> String {
    match e {
        Ended::Completed => tr!(lang, "user-ended-completed"),
        Ended::Cancelled => tr!(lang, "user-ended-cancelled"),
        Ended::Changed => tr!(lang, "user-ended-changed"),
        Ended::Expired => tr!(lang, "user-ended-expired"),
    }
}

/// A time as `2026-12-01 14:05 UTC`.
fn minute(secs: i64) -> String {
    utc(secs, "%Y-%m-%d %H:%M UTC")
}

/// A time of day as `14:05 UTC` (a lease's end).
fn clock(secs: u32) -> String {
    utc(i64::from(secs), "%H:%M UTC")
}

fn utc(secs: i64, format: &str) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format(format).to_string())
        .unwrap_or_default()
}
