//! `/language`: the language numbot writes to a user in. The choice is
//! kept in the user's record, so every replica and every message sent
//! unasked (a relayed code) uses it; "automatic" goes back to the
//! language of the user's Telegram app.

use teloxide::{
    prelude::*,
    types::{BotCommandScope, InlineKeyboardButton, InlineKeyboardMarkup, Recipient},
    RequestError,
};

use crate::{
    app::{App, Caller},
    callback::Callback,
    commands,
    i18n::Lang,
    schema::Answer,
    Tg,
};

/// `/language` lists the languages as buttons; `/language CODE` picks
/// one (`auto`: Telegram's).
pub(crate) async fn command(
    bot: &Tg,
    app: &App,
    me: &Caller,
    arg: &str,
) -> Result<(), RequestError> {
    if arg.is_empty() {
        let mut rows: Vec<Vec<InlineKeyboardButton>> = Lang::all()
            .collect::<Vec<_>>()
            .chunks(2)
            .map(|pair| {
                pair.iter()
                    .map(|l| {
                        InlineKeyboardButton::callback(
                            l.name(),
                            Callback::Language(Some(l.code().to_string())),
                        )
                    })
                    .collect()
            })
            .collect();
        rows.push(vec![InlineKeyboardButton::callback(
            tr!(me.lang, "language-automatic"),
            Callback::Language(None),
        )]);
        let text = tr!(me.lang, "language-choose", current = me.lang.name());
        bot.send(
            bot.send_message(me.chat, text)
                .reply_markup(InlineKeyboardMarkup::new(rows)),
        )
        .await?;
        return Ok(());
    }
    let choice = if arg.eq_ignore_ascii_case("auto") {
        None
    } else {
        match Lang::from_tag(arg) {
            Some(l) => Some(l),
            None => {
                let known: Vec<&str> = Lang::all().map(Lang::code).collect();
                let text = tr!(
                    me.lang,
                    "language-unknown",
                    given = arg,
                    known = known.join(", ")
                );
                bot.send(bot.send_message(me.chat, text)).await?;
                return Ok(());
            }
        }
    };
    if let Some(text) = choose(bot, app, me, choice).await? {
        bot.send(bot.send_message(me.chat, text)).await?;
    }
    Ok(())
}

/// A language button: the choice is kept and the list message says so.
pub(crate) async fn pressed(
    bot: &Tg,
    app: &App,
    me: &Caller,
    message: &Message,
    code: Option<&str>,
) -> Answer {
    let choice = match code {
        None => None,
        Some(code) => match Lang::from_tag(code) {
            Some(l) => Some(l),
            None => return Ok(Some(tr!(me.lang, "language-unknown-button"))),
        },
    };
    let Some(text) = choose(bot, app, me, choice).await? else {
        return Ok(None);
    };
    bot.send(bot.edit_message_text(me.chat, message.id, text.clone()))
        .await?;
    Ok(Some(text))
}

/// Keeps the choice and sets the caller's menu in the new language: the
/// confirmation in it, or `None` when the user was told of a failure.
async fn choose(
    bot: &Tg,
    app: &App,
    me: &Caller,
    choice: Option<Lang>,
) -> Result<Option<String>, RequestError> {
    if let Err(e) = app
        .numbers
        .set_language(me.id, choice.map(Lang::code))
        .await
    {
        tracing::error!(user = me.id, "user store: {e}");
        bot.send(bot.send_message(me.chat, tr!(me.lang, "language-not-saved")))
            .await?;
        return Ok(None);
    }
    let lang = choice.unwrap_or_else(|| {
        Lang::pick(
            [me.record.telegram_language.as_deref()],
            app.settings.language(),
        )
    });
    // Automatic, for a user: no menu of their own, so Telegram shows the
    // one in their app's language even after they change it. Admins keep
    // a menu of their own: theirs has the admin commands.
    let menu = if choice.is_none() && !me.admin {
        bot.send(bot.delete_my_commands().scope(BotCommandScope::Chat {
            chat_id: Recipient::Id(me.chat),
        }))
        .await
        .map(drop)
    } else {
        set_chat_menu(bot, me.chat, lang, me.admin).await
    };
    if let Err(e) = menu {
        tracing::warn!(user = me.id, "could not set the menu: {e}");
    }
    Ok(Some(match choice {
        Some(_) => tr!(lang, "language-set", name = lang.name()),
        None => tr!(lang, "language-set-automatic", name = lang.name()),
    }))
}

/// The command menu of one chat, in `lang`: admins' or users'.
pub(crate) async fn set_chat_menu(
    bot: &Tg,
    chat: ChatId,
    lang: Lang,
    admin: bool,
) -> Result<(), RequestError> {
    let scoped = bot
        .set_my_commands(commands::menu(lang, admin))
        .scope(BotCommandScope::Chat {
            chat_id: Recipient::Id(chat),
        });
    bot.send(scoped).await?;
    Ok(())
}
