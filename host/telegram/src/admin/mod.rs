//! What admins can do: upload CSV files, see and delete them, manage
//! users, see the plugins and the audit trail. The caller's role is checked
//! before these run (see [`crate::schema`]); each change is audited.

mod broadcast;
mod export;
mod files;
mod info;
mod people;
mod tokens;
pub(crate) mod upload;

use numbot_core::StoreError;
use teloxide::{prelude::*, RequestError};

pub(crate) use broadcast::{
    broadcast, cancel as broadcast_cancel, send as broadcast_send, stop as broadcast_stop,
    TelegramCourier,
};
pub(crate) use export::export;
pub(crate) use files::{csvdelete, csvlist, csvstats, delete_confirmed, delete_kept, delete_pick};
pub(crate) use info::{audit, plugins};
pub(crate) use people::{approve, ban, decide, unban};
pub(crate) use tokens::{forget_secret, token};
pub(crate) use upload::{category_reply, document, upload_choice};

use crate::{app::Caller, Tg};

async fn failed(bot: &Tg, me: &Caller, e: StoreError) -> Result<(), RequestError> {
    tracing::error!(admin = me.id, "store: {e}");
    let text = tr!(me.lang, "admin-store-failed", error = e.to_string());
    bot.send(bot.send_message(me.chat, text)).await?;
    Ok(())
}
