//! The bot's sections of the configuration: `[telegram]`, `[access]`,
//! `[limits]`. The `numbot` binary reads them from TOML and the
//! environment and checks them before the bot starts.

use std::{net::SocketAddr, time::Duration};

use numbot_core::NumberLimit;

use crate::i18n::Lang;
use serde::Deserialize;

/// `[telegram]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelegramConfig {
    /// The bot token from @BotFather (prefer `NUMBOT_TELEGRAM_TOKEN`).
    #[serde(default)]
    pub token: String,
    /// The Bot API server (a local Bot API server, or the fake one in tests).
    #[serde(default = "default_api_url")]
    pub api_url: String,
    /// `polling` (default) or `webhook`.
    #[serde(default)]
    pub mode: Mode,
    /// Pace requests under Telegram's limits (teloxide's Throttle). Only
    /// benchmarks turn it off, to measure numbot rather than the limiter.
    #[serde(default = "yes")]
    pub throttle: bool,
    /// Webhook mode settings.
    #[serde(default)]
    pub webhook: Option<WebhookConfig>,
    /// A chat (`-100…` id or `@name`, the bot a member that may post)
    /// where every relayed code and every audit event is posted, numbers
    /// masked but for their last four digits; none: no log chat.
    #[serde(default)]
    pub log_chat: Option<String>,
    /// The language (`en`, `ru`, ...) for users whose Telegram app is in
    /// a language numbot does not speak, and for the log chat; English
    /// when unset.
    #[serde(default)]
    pub language: Option<String>,
}

/// How updates arrive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Long polling with `getUpdates`: one process per bot.
    #[default]
    Polling,
    /// Telegram posts updates to an HTTPS endpoint (behind a TLS proxy).
    Webhook,
}

/// The shortest webhook secret accepted: one that cannot be guessed.
pub const WEBHOOK_SECRET_MIN: usize = 32;

/// `[telegram.webhook]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// Where numbot listens, e.g. `0.0.0.0:8443` (behind a TLS proxy).
    pub listen: SocketAddr,
    /// The public URL Telegram posts to.
    pub url: String,
    /// Telegram sends it in `X-Telegram-Bot-Api-Secret-Token`; a request
    /// without it is refused before its body is read (prefer
    /// `NUMBOT_WEBHOOK_SECRET`; at least 32 characters).
    #[serde(default)]
    pub secret_token: String,
}

/// `[access]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessConfig {
    /// `open`, `approval` or `channel`.
    #[serde(default)]
    pub mode: AccessMode,
    /// The channel users must join in `channel` mode: its id (`-100...`) or `@name`.
    #[serde(default)]
    pub channel: Option<String>,
    /// Telegram user ids of the admins.
    #[serde(default)]
    pub admins: Vec<i64>,
}

/// Who may take numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccessMode {
    /// Anyone who is not banned.
    #[default]
    Open,
    /// An admin approves each new user.
    Approval,
    /// Members of a configured channel.
    Channel,
}

/// `[limits]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Numbers (new or changed) a user may take per window.
    #[serde(default = "default_numbers_per_window")]
    pub numbers_per_window: u32,
    /// The window, in seconds.
    #[serde(default = "default_window_secs")]
    pub window_secs: u64,
    /// Messages and button presses a user may send per minute (flood guard).
    #[serde(default = "default_updates_per_minute")]
    pub updates_per_minute: u32,
}

impl LimitsConfig {
    /// The numbers limit every front end applies.
    pub fn numbers(&self) -> NumberLimit {
        NumberLimit {
            max: self.numbers_per_window.max(1) as usize,
            window: Duration::from_secs(self.window_secs),
        }
    }
}

/// What the bot needs of the configuration.
#[derive(Debug, Clone, Default)]
pub struct BotSettings {
    /// `[telegram]`.
    pub telegram: TelegramConfig,
    /// `[access]`.
    pub access: AccessConfig,
    /// `[limits]`.
    pub limits: LimitsConfig,
    /// ISO country for uploaded numbers written without a country code.
    pub default_country: Option<String>,
    /// Whether an OTP monitor relays codes (the number message says so).
    pub relays_codes: bool,
    /// `[web]`: the Mini App, when served.
    pub web: Option<crate::miniapp::WebConfig>,
}

impl BotSettings {
    /// The bot's default language (`telegram.language`).
    pub fn language(&self) -> Lang {
        Lang::pick([self.telegram.language.as_deref()], Lang::EN)
    }
}

fn yes() -> bool {
    true
}
fn default_api_url() -> String {
    "https://api.telegram.org".into()
}
fn default_numbers_per_window() -> u32 {
    10
}
fn default_window_secs() -> u64 {
    3600
}
fn default_updates_per_minute() -> u32 {
    60
}

impl Default for TelegramConfig {
    fn default() -> Self {
        TelegramConfig {
            token: String::new(),
            api_url: default_api_url(),
            mode: Mode::default(),
            throttle: true,
            webhook: None,
            log_chat: None,
            language: None,
        }
    }
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            numbers_per_window: default_numbers_per_window(),
            window_secs: default_window_secs(),
            updates_per_minute: default_updates_per_minute(),
        }
    }
}
