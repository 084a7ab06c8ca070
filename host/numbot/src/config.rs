//! The `numbot run` configuration: one TOML file, secrets from the
//! environment. `examples/numbot.toml` documents every key.
//!
//! Environment overrides (they win over the file, so the file can be committed
//! without secrets): `NUMBOT_TELEGRAM_TOKEN` (or `TELOXIDE_TOKEN`),
//! `NUMBOT_TELEGRAM_API_URL`, `NUMBOT_WEBHOOK_SECRET`, `NUMBOT_ADMINS`
//! (comma-separated ids), `NUMBOT_DATA_DIR`, `NUMBOT_SMS_TOKEN`,
//! `NUMBOT_MONGODB_URI`.

use std::path::{Path, PathBuf};

use numbot_api::ApiConfig;
use numbot_core::{reuse::ReuseKind, ReuseRule, StoreConfig};
use numbot_otp::SmsConfig;
use numbot_telegram::{AccessConfig, AccessMode, BotSettings, LimitsConfig, Mode, TelegramConfig};
use serde::Deserialize;

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
    pub sms: Option<SmsConfig>,
    /// The HTTP API for test automation (with `/metrics` and health
    /// checks); none: off.
    #[serde(default)]
    pub api: Option<ApiConfig>,
    /// `[web]`: the Telegram Mini App; off unless present.
    #[serde(default)]
    pub web: Option<numbot_telegram::WebConfig>,
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
    #[serde(default)]
    pub reuse: ReuseKind,
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
    pub pool: Option<PoolKind>,
}

/// Where the numbers live (`store.pool`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum PoolKind {
    /// The embedded file store in the data directory.
    File,
    /// MongoDB, shared by every replica.
    #[serde(rename = "mongodb")]
    #[value(name = "mongodb")]
    Mongo,
    /// The file store first, MongoDB as the fallback.
    Migration,
}

/// `[plugins]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PluginsSection {
    /// Plugin directories; empty: the built defaults.
    #[serde(default)]
    pub dirs: Vec<PathBuf>,
    /// The compiled-plugin cache; unset: `~/.cache/numbot`.
    #[serde(default)]
    pub cache_dir: Option<PathBuf>,
    /// How often the running bot rescans the directories, in milliseconds:
    /// a plugin built or dropped in serves from the next call, without a
    /// restart. 0: never.
    #[serde(default = "default_reload_ms")]
    pub reload_ms: u64,
    /// The validator, by id; unset: `numbot-validator` (else the only one).
    #[serde(default)]
    pub validator: Option<String>,
    /// The selection policy, by id; unset: `numbot-policy` (else the only one).
    #[serde(default)]
    pub policy: Option<String>,
    /// The code extractor, by id; unset: `numbot-extractor` (else the only one).
    #[serde(default)]
    pub extractor: Option<String>,
}

fn default_reload_ms() -> u64 {
    2_000
}

impl Default for PluginsSection {
    fn default() -> Self {
        PluginsSection {
            dirs: Vec::new(),
            cache_dir: None,
            reload_ms: default_reload_ms(),
            validator: None,
            policy: None,
            extractor: None,
        }
    }
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
fn default_cooldown_hours() -> u32 {
    24
}

impl Default for StoreSection {
    fn default() -> Self {
        StoreSection {
            data_dir: default_data_dir(),
            lease_minutes: default_lease_minutes(),
            reuse: ReuseKind::default(),
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
    pub fn store_config(&self) -> StoreConfig {
        let mut config = StoreConfig::new(&self.data_dir);
        config.lease_secs = self.lease_minutes.saturating_mul(60);
        config.reuse = self.reuse_rule();
        config
    }

    /// Where the numbers live.
    pub fn pool_kind(&self) -> Result<PoolKind, ConfigError> {
        match (self.pool, self.mongodb_uri.is_some()) {
            (None, false) => Ok(PoolKind::File),
            (None, true) => Ok(PoolKind::Mongo),
            (Some(PoolKind::File), _) => Ok(PoolKind::File),
            (Some(kind), true) => Ok(kind),
            (Some(kind), false) => Err(ConfigError::Invalid(format!(
                "store.pool = \"{}\" needs store.mongodb_uri (or NUMBOT_MONGODB_URI)",
                match kind {
                    PoolKind::Migration => "migration",
                    _ => "mongodb",
                }
            ))),
        }
    }

    /// The reuse rule the store applies.
    pub fn reuse_rule(&self) -> ReuseRule {
        self.reuse.rule(self.cooldown_hours)
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
                *sms.provider.token_mut() = token;
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
            if secret.len() < numbot_telegram::settings::WEBHOOK_SECRET_MIN
                || secret.len() > 256
                || !secret
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return bad("telegram.webhook.secret_token (or NUMBOT_WEBHOOK_SECRET) must be 32-256 characters of A-Z, a-z, 0-9, _ and -: anyone who can reach the webhook port and guess it can post updates as any user (`openssl rand -hex 32` makes one)");
            }
        }
        if let Some(problem) = self.api.as_ref().and_then(ApiConfig::problem) {
            return Err(ConfigError::Invalid(problem));
        }
        if let Some(problem) = self
            .web
            .as_ref()
            .and_then(numbot_telegram::WebConfig::problem)
        {
            return Err(ConfigError::Invalid(problem));
        }
        if let Some(language) = &self.telegram.language {
            if numbot_telegram::Lang::from_tag(language).is_none() {
                let known: Vec<&str> = numbot_telegram::Lang::all().map(|l| l.code()).collect();
                return Err(ConfigError::Invalid(format!(
                    "telegram.language `{language}` is not one numbot speaks: {}",
                    known.join(", ")
                )));
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
        self.store.pool_kind()?;
        if let Some(uri) = &self.store.mongodb_uri {
            if !uri.starts_with("mongodb://") && !uri.starts_with("mongodb+srv://") {
                return bad("store.mongodb_uri (or NUMBOT_MONGODB_URI) must start with mongodb:// or mongodb+srv://");
            }
        }
        if let Some(sms) = &self.sms {
            sms.build()
                .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        }
        Ok(self)
    }

    /// What the Telegram bot needs of it.
    pub fn bot_settings(&self) -> BotSettings {
        BotSettings {
            telegram: self.telegram.clone(),
            access: self.access.clone(),
            limits: self.limits.clone(),
            default_country: self.store.default_country.clone(),
            relays_codes: self.sms.is_some(),
            web: self.web.clone(),
        }
    }
}
