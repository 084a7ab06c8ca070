//! numbot's Telegram front end, in teloxide's shape: [`schema`] builds the
//! handler tree from dptree filters (flood limit, access, admin), commands
//! are [`commands::UserCommand`] and [`commands::AdminCommand`], button
//! data is one [`callback::Callback`] enum, and every handler talks to
//! Telegram through one concrete type ([`Tg`]: the bot, paced). The handlers call the
//! use cases of [`numbot_core::Numbers`]; [`TelegramNotifier`] renders the
//! OTP monitor's events.
//!
//! Every request to Telegram goes through [`Tg::send`]: messages are paced, a 429 is
//! waited out. Updates of one chat are handled in order; chats run
//! concurrently. [`miniapp`] serves the bot's Mini App (`[web]`): the same
//! use cases on a web page opened from the bot.

#[macro_use]
mod i18n;
mod access;
mod admin;
mod app;
pub mod callback;
pub mod chart;
pub mod commands;
mod language;
mod limits;
pub mod log_chat;
pub mod miniapp;
mod notifier;
pub mod render;
mod run;
mod schema;
pub mod send;
pub mod settings;
mod user;

pub use app::{App, Caller};
pub use i18n::Lang;
pub use log_chat::{LogChat, LoggedNotifier};
pub use miniapp::WebConfig;
pub use notifier::{render as render_event, TelegramNotifier};
pub use run::{delete_webhook, start, BotError, RunningBot};
pub use schema::schema;
pub use settings::{
    AccessConfig, AccessMode, BotSettings, LimitsConfig, Mode, TelegramConfig, WebhookConfig,
};

pub use send::Tg;
