//! `/token`: admins make, list and revoke API tokens in Telegram. A new
//! token's secret is shown once, in the admin's own chat.

use numbot_core::{
    clock::rfc3339,
    tokens::{self, NewToken},
    UserStoreError,
};
use teloxide::{
    prelude::*,
    types::{InlineKeyboardButton, InlineKeyboardMarkup, ParseMode},
    RequestError,
};

use crate::{
    app::{App, Caller},
    callback::Callback,
    i18n::Lang,
    render::html,
    schema::Answer,
    Tg,
};

/// `/token create|list|revoke ...`.
pub(crate) async fn token(
    bot: &Tg,
    app: &App,
    me: &Caller,
    args: &str,
) -> Result<(), RequestError> {
    let lang = me.lang;
    let usage = html(&tr!(lang, "token-usage"));
    let mut words = args.split_whitespace();
    let text = match (words.next(), words.next()) {
        (Some("create"), Some(name)) => match options(lang, name, words) {
            Ok(new) => match create(app, me, new).await {
                Made::Secret(text) => return show_secret(bot, me, text).await,
                Made::Not(text) => text,
            },
            Err(why) => format!("{}\n\n{usage}", html(&why)),
        },
        (Some("list"), None) => list(app, lang).await,
        (Some("revoke"), Some(name)) => revoke(app, me, name).await,
        _ => usage,
    };
    bot.say(me.chat, &text, true).await?;
    Ok(())
}

/// The token `/token create NAME ...` asks for.
fn options<'a>(
    lang: Lang,
    name: &str,
    mut words: impl Iterator<Item = &'a str>,
) -> Result<NewToken, String> {
    let mut new = NewToken {
        name: name.to_string(),
        categories: Vec::new(),
        numbers_per_window: None,
        max_uses: 1,
    };
    while let Some(flag) = words.next() {
        let value = words
            .next()
            .ok_or_else(|| tr!(lang, "token-needs-value", flag = flag))?;
        let number = || {
            value
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=tokens::MAX_USES).contains(n))
                .ok_or_else(|| {
                    tr!(
                        lang,
                        "token-takes-number",
                        flag = flag,
                        max = tokens::MAX_USES
                    )
                })
        };
        match flag {
            "--max-uses" => new.max_uses = number()?,
            "--numbers-per-window" => new.numbers_per_window = Some(number()?),
            "--categories" => {
                new.categories = value.split(',').map(str::to_string).collect();
            }
            other => return Err(tr!(lang, "token-unknown-option", option = other)),
        }
    }
    Ok(new)
}

/// What `/token create` answers.
enum Made {
    /// The message holding the new secret.
    Secret(String),
    /// Why no token was made.
    Not(String),
}

async fn create(app: &App, me: &Caller, new: NewToken) -> Made {
    let name = new.name.clone();
    match app.numbers.issue_token(me.id, new).await {
        Ok((secret, _)) => Made::Secret(tr!(
            me.lang,
            "token-made",
            name = html(&name),
            secret = html(&secret)
        )),
        Err(UserStoreError::Duplicate(name)) => {
            Made::Not(tr!(me.lang, "token-exists", name = html(&name)))
        }
        Err(e) => {
            tracing::error!("user store: {e}");
            Made::Not(tr!(me.lang, "token-store-failed"))
        }
    }
}

/// How long a secret stays in the admin's chat unless they delete it first.
const SECRET_SHOWN_FOR: std::time::Duration = std::time::Duration::from_secs(600);

/// Shows a new secret once, with a button that deletes the message, and
/// deletes it after [`SECRET_SHOWN_FOR`] anyway: the secret does not stay
/// in the chat's history (a restart in between leaves it for the admin's
/// button).
async fn show_secret(bot: &Tg, me: &Caller, text: String) -> Result<(), RequestError> {
    let button = InlineKeyboardButton::callback(
        tr!(me.lang, "token-secret-delete-button"),
        Callback::ForgetSecret,
    );
    let sent = bot
        .send(
            bot.send_message(me.chat, text)
                .parse_mode(ParseMode::Html)
                .reply_markup(InlineKeyboardMarkup::new([[button]])),
        )
        .await?;
    let (bot, chat) = (bot.clone(), me.chat);
    tokio::spawn(async move {
        tokio::time::sleep(SECRET_SHOWN_FOR).await;
        // Gone already when the admin pressed the button.
        let _ = bot.send(bot.delete_message(chat, sent.id)).await;
    });
    Ok(())
}

/// The button under a secret: the message goes.
pub(crate) async fn forget_secret(bot: &Tg, me: &Caller, message: &Message) -> Answer {
    bot.send(bot.delete_message(me.chat, message.id)).await?;
    Ok(Some(tr!(me.lang, "token-secret-deleted")))
}

async fn list(app: &App, lang: Lang) -> String {
    let tokens = match app.numbers.tokens().await {
        Ok(t) => t,
        Err(e) => {
            tracing::error!("user store: {e}");
            return tr!(lang, "token-unreadable");
        }
    };
    if tokens.is_empty() {
        return tr!(lang, "token-none");
    }
    let mut text = tr!(lang, "token-list-title");
    text.push('\n');
    for t in tokens {
        let state = match t.revoked_at {
            None => tr!(lang, "token-live"),
            Some(at) => tr!(lang, "token-revoked-at", at = rfc3339(at)),
        };
        let categories = if t.categories.is_empty() {
            tr!(lang, "token-all-categories")
        } else {
            t.categories.join(", ")
        };
        text.push_str(&tr!(
            lang,
            "token-list-line",
            name = html(&t.name),
            max = t.max_uses,
            categories = html(&categories),
            state = state
        ));
        text.push('\n');
    }
    text
}

async fn revoke(app: &App, me: &Caller, name: &str) -> String {
    match app.numbers.revoke_token(me.id, name).await {
        Ok(Some(t)) => {
            tr!(me.lang, "token-revoked", name = html(&t.name))
        }
        Ok(None) => tr!(me.lang, "token-no-live", name = html(name)),
        Err(e) => {
            tracing::error!("user store: {e}");
            tr!(me.lang, "token-revoke-failed")
        }
    }
}
