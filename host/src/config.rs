//! The `numbot run` configuration: one TOML file, secrets from the
//! environment. `examples/numbot.toml` documents every key.
//!
//! Environment overrides (they win over the file, so the file can be committed
//! without secrets): `NUMBOT_TELEGRAM_TOKEN` (or `TELOXIDE_TOKEN`),
//! `NUMBOT_TELEGRAM_API_URL`, `NUMBOT_WEBHOOK_SECRET`, `NUMBOT_ADMINS`
//! (comma-separated ids), `NUMBOT_DATA_DIR`, `NUMBOT_SMS_TOKEN`,
//! `NUMBOT_MONGODB_URI`.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use serde::Deserialize;

use crate::store::{ReuseRule, StoreConfig};

/// Why a configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is not valid TOML for numbot.
    #[error("{}: {source}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the parser found.
        source: toml::de::Error,
    },
    /// A value is missing or out of range.
    #[error("configuration: {0}")]
    Invalid(String),
}

/// The whole configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// How numbot talks to Telegram.
    #[serde(default)]
    pub telegram: TelegramConfig,
    /// Who may use the bot.
    #[serde(default)]
    pub access: AccessConfig,
    /// Per-user limits.
    #[serde(default)]
    pub limits: LimitsConfig,
    /// The number store.
    #[serde(default)]
    pub store: StoreSection,
    /// Plugin directories and cache.
    #[serde(default)]
    pub plugins: PluginsSection,
    /// The SMS provider the OTP monitor reads; none: numbers are handed out
    /// but no code is relayed.
    #[serde(default)]
    pub sms: Option<crate::sms::SmsConfig>,
}

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

/// `[telegram.webhook]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// Where numbot listens, e.g. `0.0.0.0:8443` (behind a TLS proxy).
    pub listen: SocketAddr,
    /// The public URL Telegram posts to.
    pub url: String,
    /// Telegram sends it in `X-Telegram-Bot-Api-Secret-Token`; a request
    /// without it is refused (prefer `NUMBOT_WEBHOOK_SECRET`).
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

/// `[store]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSection {
    /// The data directory (uploaded CSVs, metadata, journals, user records).
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// How long a user holds a number before it is released.
    #[serde(default = "default_lease_minutes")]
    pub lease_minutes: u32,
    /// `cooldown`, `once` or `unlimited`.
    #[serde(default = "default_reuse")]
    pub reuse: String,
    /// For `cooldown`: hours before a used number comes back.
    #[serde(default = "default_cooldown_hours")]
    pub cooldown_hours: u32,
    /// ISO country for uploaded numbers written without a country code.
    #[serde(default)]
    pub default_country: Option<String>,
    /// A MongoDB connection string (prefer `NUMBOT_MONGODB_URI`): user records
    /// move there, and the numbers too as `pool` says. Unset: the embedded
    /// file store holds everything.
    #[serde(default)]
    pub mongodb_uri: Option<String>,
    /// The MongoDB database.
    #[serde(default = "default_mongodb_database")]
    pub mongodb_database: String,
    /// Where the numbers live: `file` (the data directory), `mongodb` (shared
    /// by every replica) or `migration` (files first, MongoDB when a category
    /// has none left in files). Default: `mongodb` with a `mongodb_uri`, else `file`.
    #[serde(default)]
    pub pool: Option<String>,
}

/// Where the numbers live (`store.pool`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolKind {
    /// The embedded file store in the data directory.
    File,
    /// MongoDB, shared by every replica.
    Mongo,
    /// The file store first, MongoDB as the fallback.
    Migration,
}

/// `[plugins]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginsSection {
    /// Plugin directories; empty: the built defaults.
    #[serde(default)]
    pub dirs: Vec<PathBuf>,
    /// The compiled-plugin cache; unset: `~/.cache/numbot`.
    #[serde(default)]
    pub cache_dir: Option<PathBuf>,
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
fn default_mongodb_database() -> String {
    "numbot".into()
}
fn default_data_dir() -> PathBuf {
    "csv_files".into()
}
fn default_lease_minutes() -> u32 {
    20
}
fn default_reuse() -> String {
    "cooldown".into()
}
fn default_cooldown_hours() -> u32 {
    24
}

impl Default for TelegramConfig {
    fn default() -> Self {
        TelegramConfig {
            token: String::new(),
            api_url: default_api_url(),
            mode: Mode::default(),
            throttle: true,
            webhook: None,
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

impl Default for StoreSection {
    fn default() -> Self {
        StoreSection {
            data_dir: default_data_dir(),
            lease_minutes: default_lease_minutes(),
            reuse: default_reuse(),
            cooldown_hours: default_cooldown_hours(),
            default_country: None,
            mongodb_uri: None,
            mongodb_database: default_mongodb_database(),
            pool: None,
        }
    }
}

impl StoreSection {
    /// The store's settings.
    pub fn store_config(&self) -> Result<StoreConfig, ConfigError> {
        let mut config = StoreConfig::new(&self.data_dir);
        config.lease_secs = self.lease_minutes.saturating_mul(60);
        config.reuse = self.reuse_rule()?;
        Ok(config)
    }

    /// Where the numbers live.
    pub fn pool_kind(&self) -> Result<PoolKind, ConfigError> {
        match (self.pool.as_deref(), self.mongodb_uri.is_some()) {
            (None, false) | (Some("file"), _) => Ok(PoolKind::File),
            (None, true) | (Some("mongodb"), true) => Ok(PoolKind::Mongo),
            (Some("migration"), true) => Ok(PoolKind::Migration),
            (Some(p @ ("mongodb" | "migration")), false) => Err(ConfigError::Invalid(format!(
                "store.pool = \"{p}\" needs store.mongodb_uri (or NUMBOT_MONGODB_URI)"
            ))),
            (Some(other), _) => Err(ConfigError::Invalid(format!(
                "store.pool is `{other}`: use file, mongodb or migration"
            ))),
        }
    }

    /// The reuse rule the store applies.
    pub fn reuse_rule(&self) -> Result<ReuseRule, ConfigError> {
        match self.reuse.as_str() {
            "cooldown" => Ok(ReuseRule::Cooldown(
                self.cooldown_hours.saturating_mul(3600),
            )),
            "once" => Ok(ReuseRule::Once),
            "unlimited" => Ok(ReuseRule::Unlimited),
            other => Err(ConfigError::Invalid(format!(
                "store.reuse is `{other}`: use cooldown, once or unlimited"
            ))),
        }
    }
}

impl Config {
    /// Reads a file, applies the environment, and checks the result.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let config = Config::parse(&text).map_err(|source| ConfigError::Parse {
            path: path.to_path_buf(),
            source,
        })?;
        config.with_env(|k| std::env::var(k).ok())?.checked()
    }

    /// Parses TOML text (no environment, no checks).
    pub fn parse(text: &str) -> Result<Config, toml::de::Error> {
        toml::from_str(text)
    }

    /// Applies overrides read through `var` (the environment in `load`).
    pub fn with_env(mut self, var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        if let Some(token) = var("NUMBOT_TELEGRAM_TOKEN").or_else(|| var("TELOXIDE_TOKEN")) {
            self.telegram.token = token;
        }
        if let Some(url) = var("NUMBOT_TELEGRAM_API_URL") {
            self.telegram.api_url = url;
        }
        if let Some(secret) = var("NUMBOT_WEBHOOK_SECRET") {
            if let Some(webhook) = self.telegram.webhook.as_mut() {
                webhook.secret_token = secret;
            }
        }
        if let Some(admins) = var("NUMBOT_ADMINS") {
            self.access.admins = admins
                .split(',')
                .filter(|s| !s.trim().is_empty())
                .map(|s| {
                    s.trim().parse().map_err(|_| {
                        ConfigError::Invalid(format!("NUMBOT_ADMINS: `{s}` is not a user id"))
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(token) = var("NUMBOT_SMS_TOKEN") {
            if let Some(sms) = self.sms.as_mut() {
                sms.token = token;
            }
        }
        if let Some(uri) = var("NUMBOT_MONGODB_URI") {
            self.store.mongodb_uri = Some(uri);
        }
        if let Some(dir) = var("NUMBOT_DATA_DIR") {
            self.store.data_dir = dir.into();
        }
        Ok(self)
    }

    /// Refuses settings the bot cannot run with, saying which key to fix.
    pub fn checked(self) -> Result<Config, ConfigError> {
        let bad = |m: &str| Err(ConfigError::Invalid(m.to_string()));
        if self.telegram.token.trim().is_empty() {
            return bad("no bot token: set telegram.token or NUMBOT_TELEGRAM_TOKEN");
        }
        if reqwest::Url::parse(&self.telegram.api_url).is_err() {
            return bad("telegram.api_url is not a URL");
        }
        if self.telegram.mode == Mode::Webhook {
            let Some(webhook) = &self.telegram.webhook else {
                return bad("webhook mode needs [telegram.webhook] with listen and url");
            };
            if reqwest::Url::parse(&webhook.url).is_err() {
                return bad("telegram.webhook.url is not a URL");
            }
            let secret = &webhook.secret_token;
            if secret.is_empty()
                || secret.len() > 256
                || !secret
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return bad("telegram.webhook.secret_token (or NUMBOT_WEBHOOK_SECRET) must be 1-256 characters of A-Z, a-z, 0-9, _ and -");
            }
        }
        if self.access.mode == AccessMode::Channel {
            let channel = self.access.channel.as_deref().unwrap_or("").trim();
            let name_ok = channel.strip_prefix('@').is_some_and(|n| {
                n.len() >= 4 && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            });
            if !name_ok && channel.parse::<i64>().is_err() {
                return bad("access.mode = \"channel\" needs access.channel: the channel's id (-100...) or @name");
            }
        }
        if self.access.admins.is_empty() {
            if self.access.mode == AccessMode::Approval {
                return bad("access.mode = \"approval\" needs at least one admin in access.admins (or NUMBOT_ADMINS)");
            }
            tracing::warn!("no admins configured: nobody can upload numbers");
        }
        if let Some(country) = &self.store.default_country {
            if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_alphabetic()) {
                return bad("store.default_country must be an ISO 3166 alpha-2 code such as AE");
            }
        }
        if self.limits.numbers_per_window == 0
            || self.limits.window_secs == 0
            || self.limits.updates_per_minute == 0
        {
            return bad("limits.numbers_per_window, limits.window_secs and limits.updates_per_minute must be above 0");
        }
        if self.store.lease_minutes == 0 {
            return bad("store.lease_minutes must be above 0");
        }
        self.store.reuse_rule()?;
        self.store.pool_kind()?;
        if let Some(uri) = &self.store.mongodb_uri {
            if !uri.starts_with("mongodb://") && !uri.starts_with("mongodb+srv://") {
                return bad("store.mongodb_uri (or NUMBOT_MONGODB_URI) must start with mongodb:// or mongodb+srv://");
            }
        }
        if let Some(sms) = &self.sms {
            sms.build().map_err(ConfigError::Invalid)?;
        }
        Ok(self)
    }
}
