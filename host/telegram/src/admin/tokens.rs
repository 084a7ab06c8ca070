//! `/token`: admins make, list and revoke API tokens in Telegram. A new
//! token's secret is shown once, in the admin's own chat.

use numbot_core::{
    clock::{rfc3339, unix_now},
    tokens::{self, NewToken},
    UserStoreError,
};
use teloxide::{prelude::*, types::ParseMode, RequestError};

use crate::{
    app::{App, Caller},
    i18n::Lang,
    render::html,
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
            Ok(new) => create(app, me, new).await,
            Err(why) => format!("{}\n\n{usage}", html(&why)),
        },
        (Some("list"), None) => list(app, lang).await,
        (Some("revoke"), Some(name)) => revoke(app, me, name).await,
        _ => usage,
    };
    bot.send(bot.send_message(me.chat, text).parse_mode(ParseMode::Html))
        .await?;
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

async fn create(app: &App, me: &Caller, new: NewToken) -> String {
    let name = new.name.clone();
    match tokens::issue(&**app.numbers.users(), new).await {
        Ok((secret, token)) => {
            app.audit(me.id, "token", format!("created {name} (id {})", token.id))
                .await;
            tr!(
                me.lang,
                "token-made",
                name = html(&name),
                secret = html(&secret)
            )
        }
        Err(UserStoreError::Duplicate(name)) => {
            tr!(me.lang, "token-exists", name = html(&name))
        }
        Err(e) => {
            tracing::error!("user store: {e}");
            tr!(me.lang, "token-store-failed")
        }
    }
}

async fn list(app: &App, lang: Lang) -> String {
    let tokens = match app.numbers.users().tokens().await {
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
    match app.numbers.users().revoke_token(name, unix_now()).await {
        Ok(Some(t)) => {
            app.audit(me.id, "token", format!("revoked {} (id {})", t.name, t.id))
                .await;
            tr!(me.lang, "token-revoked", name = html(&t.name))
        }
        Ok(None) => tr!(me.lang, "token-no-live", name = html(name)),
        Err(e) => {
            tracing::error!("user store: {e}");
            tr!(me.lang, "token-revoke-failed")
        }
    }
}
