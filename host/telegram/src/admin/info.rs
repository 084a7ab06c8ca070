//! What admins can look at: `/plugins` and `/audit`.

use numbot_core::WorldKind;
use teloxide::{prelude::*, RequestError};

use crate::{
    app::{App, Caller},
    render::html,
    Tg,
};

pub(crate) async fn plugins(bot: &Tg, app: &App, me: &Caller) -> Result<(), RequestError> {
    let inventory = app.numbers.plugins();
    let mut text = tr!(me.lang, "info-plugins-title");
    text.push('\n');
    for p in &inventory.plugins {
        let countries = match (&p.countries, p.world) {
            (_, w) if w != WorldKind::Formatter => String::new(),
            (Some(c), _) => format!(" · {}", c.join(",")),
            (None, _) => format!(" · {}", tr!(me.lang, "info-plugins-all-countries")),
        };
        text.push_str(&format!(
            "{} {} ({}){}\n",
            html(&p.id),
            html(&p.version),
            p.world,
            html(&countries)
        ));
    }
    for (path, error) in &inventory.refused {
        text.push_str(&tr!(
            me.lang,
            "info-plugins-refused",
            path = html(&path.display().to_string()),
            error = html(error)
        ));
        text.push('\n');
    }
    bot.say(me.chat, &text, true).await?;
    Ok(())
}

pub(crate) async fn audit(bot: &Tg, app: &App, me: &Caller) -> Result<(), RequestError> {
    let events = app.numbers.recent_audit(20).await.unwrap_or_default();
    if events.is_empty() {
        bot.send(bot.send_message(me.chat, tr!(me.lang, "info-audit-empty")))
            .await?;
        return Ok(());
    }
    let mut text = tr!(me.lang, "info-audit-title");
    text.push('\n');
    for e in events {
        let at = chrono::DateTime::from_timestamp(e.at, 0)
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        text.push_str(&format!(
            "{at} · {} · {} · {}\n",
            e.actor,
            html(e.action.as_str()),
            html(&e.detail)
        ));
    }
    bot.say(me.chat, &text, true).await?;
    Ok(())
}
