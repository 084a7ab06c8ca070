//! `[sms]` of the configuration: the provider and its protocol's own
//! settings (a tagged enum: `provider = "twilio" | "json" | "sms-activate"`),
//! and the polling settings every protocol shares.

use std::{collections::BTreeMap, time::Duration};

use serde::Deserialize;

use crate::{
    providers::{JsonProvider, Provider, SmsActivate, Twilio},
    rules::{CompleteOn, RelayRules},
};

/// `[sms]`.
#[derive(Debug, Clone, Deserialize)]
pub struct SmsConfig {
    /// The provider and its settings.
    #[serde(flatten)]
    pub provider: ProviderConfig,
    /// Milliseconds between polls while all is well.
    #[serde(default = "default_interval_ms")]
    pub poll_interval_ms: u64,
    /// Deadline of one request, in milliseconds.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Requests in flight at once for providers asked per number.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// When a use ends: `"done"` (the holder says so; default) or
    /// `"first_code"`.
    #[serde(default)]
    pub complete_on: CompleteOn,
    /// Category → senders its messages should come from (names, `*`
    /// patterns); `"*"` for every other category. Others are relayed
    /// marked and never end a use.
    #[serde(default)]
    pub senders: BTreeMap<String, Vec<String>>,
    /// Whether the history keeps the text of each relayed code (by
    /// default only that one came, and when).
    #[serde(default)]
    pub keep_codes: bool,
}

/// The provider, by protocol.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "provider", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ProviderConfig {
    /// A Twilio-compatible messages list.
    Twilio {
        /// Base URL (`https://api.twilio.com`).
        url: String,
        /// The account SID.
        account: String,
        /// The auth token (prefer `NUMBOT_SMS_TOKEN`).
        #[serde(default)]
        token: String,
    },
    /// Any JSON API, described by paths.
    Json(JsonConfig),
    /// The SMS-Activate protocol.
    SmsActivate {
        /// Base URL of the handler API.
        url: String,
        /// The API key (prefer `NUMBOT_SMS_TOKEN`).
        #[serde(default)]
        token: String,
    },
}

/// A JSON API described by paths.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonConfig {
    /// The URL template: `{since}` and `{number}` are filled in; without
    /// `{number}` one request lists every number's messages.
    pub url: String,
    /// The bearer token or API key (prefer `NUMBOT_SMS_TOKEN`).
    #[serde(default)]
    pub token: String,
    /// The header that carries the token.
    #[serde(default = "default_auth_header")]
    pub auth_header: String,
    /// The header's value, `{token}` replaced.
    #[serde(default = "default_auth_value")]
    pub auth_value: String,
    /// Dotted path to the list of messages (empty: the answer is the list).
    #[serde(default)]
    pub messages: String,
    /// Path to a message's receiving number.
    #[serde(default = "default_number_path")]
    pub number: String,
    /// Path to its text.
    #[serde(default = "default_text_path")]
    pub text: String,
    /// Path to its time (Unix seconds, or RFC 3339).
    #[serde(default = "default_time_path")]
    pub time: String,
    /// Path to its id (default: number, time and text together).
    #[serde(default)]
    pub id: String,
    /// Path to its sender (optional in each message).
    #[serde(default = "default_sender_path")]
    pub sender: String,
}

/// Why `[sms]` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SmsConfigError {
    /// The URL does not parse.
    #[error("sms.url `{0}` is not a URL")]
    BadUrl(String),
    /// A required setting is empty.
    #[error("sms.{0} is required for this provider")]
    Missing(&'static str),
    /// The HTTP client could not be built.
    #[error("sms: {0}")]
    Client(#[from] reqwest::Error),
}

fn default_auth_header() -> String {
    "Authorization".into()
}
fn default_auth_value() -> String {
    "Bearer {token}".into()
}
fn default_number_path() -> String {
    "to".into()
}
fn default_text_path() -> String {
    "text".into()
}
fn default_time_path() -> String {
    "received_at".into()
}
fn default_sender_path() -> String {
    "from".into()
}
fn default_interval_ms() -> u64 {
    3000
}
fn default_timeout_ms() -> u64 {
    5000
}
fn default_concurrency() -> usize {
    16
}

impl JsonConfig {
    /// A JSON API at `url` (a template) with the default paths.
    pub fn new(url: &str, token: &str) -> JsonConfig {
        JsonConfig {
            url: url.into(),
            token: token.into(),
            auth_header: default_auth_header(),
            auth_value: default_auth_value(),
            messages: String::new(),
            number: default_number_path(),
            text: default_text_path(),
            time: default_time_path(),
            id: String::new(),
            sender: default_sender_path(),
        }
    }
}

impl ProviderConfig {
    /// The protocol's name, for logs.
    pub fn name(&self) -> &'static str {
        match self {
            ProviderConfig::Twilio { .. } => "twilio",
            ProviderConfig::Json(_) => "json",
            ProviderConfig::SmsActivate { .. } => "sms-activate",
        }
    }

    /// The secret, which `NUMBOT_SMS_TOKEN` replaces.
    pub fn token_mut(&mut self) -> &mut String {
        match self {
            ProviderConfig::Twilio { token, .. } | ProviderConfig::SmsActivate { token, .. } => {
                token
            }
            ProviderConfig::Json(c) => &mut c.token,
        }
    }

    fn url(&self) -> &str {
        match self {
            ProviderConfig::Twilio { url, .. } | ProviderConfig::SmsActivate { url, .. } => url,
            ProviderConfig::Json(c) => &c.url,
        }
    }
}

impl SmsConfig {
    /// `provider` with the default polling settings.
    pub fn new(provider: ProviderConfig) -> SmsConfig {
        SmsConfig {
            provider,
            poll_interval_ms: default_interval_ms(),
            timeout_ms: default_timeout_ms(),
            concurrency: default_concurrency(),
            complete_on: CompleteOn::default(),
            senders: BTreeMap::new(),
            keep_codes: false,
        }
    }

    /// What a relayed message does to its use.
    pub fn rules(&self) -> RelayRules {
        RelayRules {
            complete_on: self.complete_on,
            senders: self.senders.clone(),
            keep_codes: self.keep_codes,
        }
    }

    /// The time between polls while all is well.
    pub fn interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms.max(10))
    }

    /// The provider this configuration describes.
    pub fn build(&self) -> Result<Box<dyn Provider>, SmsConfigError> {
        let timeout = Duration::from_millis(self.timeout_ms);
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()?;
        let url = self.provider.url();
        if reqwest::Url::parse(&url.replace(['{', '}'], "")).is_err() {
            return Err(SmsConfigError::BadUrl(url.to_string()));
        }
        let concurrency = self.concurrency.max(1);
        Ok(match &self.provider {
            ProviderConfig::Json(c) => Box::new(JsonProvider::new(c.clone(), client, concurrency)),
            ProviderConfig::SmsActivate { url, token } => {
                Box::new(SmsActivate::new(url, token, client, concurrency))
            }
            ProviderConfig::Twilio {
                url,
                account,
                token,
            } => {
                if account.is_empty() {
                    return Err(SmsConfigError::Missing("account"));
                }
                Box::new(Twilio::new(url, account, token, client))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Wrapper {
        sms: SmsConfig,
    }

    fn parse(text: &str) -> Result<SmsConfig, toml::de::Error> {
        toml::from_str::<Wrapper>(text).map(|w| w.sms)
    }

    #[test]
    fn each_provider_takes_its_own_fields() {
        let twilio = parse("[sms]\nprovider = \"twilio\"\nurl = \"https://t.example\"\naccount = \"AC1\"\npoll_interval_ms = 50\n").unwrap();
        assert!(
            matches!(twilio.provider, ProviderConfig::Twilio { ref account, .. } if account == "AC1")
        );
        assert_eq!(twilio.poll_interval_ms, 50);
        let json = parse("[sms]\nprovider = \"json\"\nurl = \"https://j.example/?since={since}\"\nmessages = \"data\"\n").unwrap();
        assert!(
            matches!(json.provider, ProviderConfig::Json(ref c) if c.messages == "data" && c.number == "to")
        );
        let pigeon = parse("[sms]\nprovider = \"carrier-pigeon\"\nurl = \"https://x.example\"\n")
            .unwrap_err();
        assert!(pigeon.to_string().contains("carrier-pigeon"), "{pigeon}");
        let stray = parse(
            "[sms]\nprovider = \"sms-activate\"\nurl = \"https://s.example\"\naccount = \"AC1\"\n",
        )
        .unwrap_err();
        assert!(stray.to_string().contains("account"), "{stray}");
    }
}
