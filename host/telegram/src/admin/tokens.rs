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
    render::html,
    Tg,
};

const USAGE: &str = "Usage:\n/token create NAME [--max-uses N] [--numbers-per-window N] [--categories A,B]\n/token list\n/token revoke NAME";

/// `/token create|list|revoke ...`.
pub(crate) async fn token(
    bot: &Tg,
    app: &App,
    me: &Caller,
    args: &str,
) -> Result<(), RequestError> {
    let mut words = args.split_whitespace();
    let text = match (words.next(), words.next()) {
        (Some("create"), Some(name)) => match options(name, words) {
            Ok(new) => create(app, me, new).await,
            Err(why) => format!("{}\n\n{}", html(&why), html(USAGE)),
        },
        (Some("list"), None) => list(app).await,
        (Some("revoke"), Some(name)) => revoke(app, me, name).await,
        _ => html(USAGE),
    };
    bot.send(bot.send_message(me.chat, text).parse_mode(ParseMode::Html))
        .await?;
    Ok(())
}

/// The token `/token create NAME ...` asks for.
fn options<'a>(name: &str, mut words: impl Iterator<Item = &'a str>) -> Result<NewToken, String> {
    let mut new = NewToken {
        name: name.to_string(),
        categories: Vec::new(),
        numbers_per_window: None,
        max_uses: 1,
    };
    while let Some(flag) = words.next() {
        let value = words
            .next()
            .ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=tokens::MAX_USES).contains(n))
                .ok_or_else(|| format!("{flag} takes a number from 1 to {}", tokens::MAX_USES))
        };
        match flag {
            "--max-uses" => new.max_uses = number()?,
            "--numbers-per-window" => new.numbers_per_window = Some(number()?),
            "--categories" => {
                new.categories = value.split(',').map(str::to_string).collect();
            }
            other => return Err(format!("unknown option {other}")),
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
            format!(
                "Token <b>{}</b> made. Its secret, shown this once (numbot keeps only its hash):\n<code>{}</code>\nClients send it as <code>Authorization: Bearer …</code>.",
                html(&name),
                html(&secret)
            )
        }
        Err(UserStoreError::Duplicate(name)) => {
            format!("A token named <b>{}</b> exists already.", html(&name))
        }
        Err(e) => {
            tracing::error!("user store: {e}");
            "The token could not be stored now; nothing changed.".into()
        }
    }
}

async fn list(app: &App) -> String {
    let tokens = match app.numbers.users().tokens().await {
        Ok(t) => t,
        Err(e) => {
            tracing::error!("user store: {e}");
            return "The tokens cannot be read now.".into();
        }
    };
    if tokens.is_empty() {
        return "No API tokens yet: /token create NAME".into();
    }
    let mut text = String::from("<b>API tokens</b>\n");
    for t in tokens {
        let state = t
            .revoked_at
            .map_or("live".to_string(), |at| format!("revoked {}", rfc3339(at)));
        let categories = if t.categories.is_empty() {
            "all categories".to_string()
        } else {
            t.categories.join(", ")
        };
        text.push_str(&format!(
            "{} · {} at once · {} · {}\n",
            html(&t.name),
            t.max_uses,
            html(&categories),
            state
        ));
    }
    text
}

async fn revoke(app: &App, me: &Caller, name: &str) -> String {
    match app.numbers.users().revoke_token(name, unix_now()).await {
        Ok(Some(t)) => {
            app.audit(me.id, "token", format!("revoked {} (id {})", t.name, t.id))
                .await;
            format!("Token <b>{}</b> revoked.", html(&t.name))
        }
        Ok(None) => format!("No live token named <b>{}</b>.", html(name)),
        Err(e) => {
            tracing::error!("user store: {e}");
            "The token could not be revoked now; nothing changed.".into()
        }
    }
}
