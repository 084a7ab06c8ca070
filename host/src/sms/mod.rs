//! SMS providers: where the messages sent to the pool's numbers can be read.
//! One trait, three protocols over HTTP (reqwest):
//!
//! - [`JsonProvider`]: any JSON API, described in the configuration (URL
//!   template, auth header, JSON paths for number, text, time and id);
//! - [`SmsActivate`]: the SMS-Activate protocol (`getStatus` →
//!   `STATUS_WAIT_CODE` / `STATUS_OK:code` / `STATUS_CANCEL`, `setStatus`);
//! - [`Twilio`]: a Twilio-compatible messages list.
//!
//! Providers that can list messages for many numbers at once are asked once
//! per poll for every watch (paged); the others once per watch, a bounded
//! number at a time.

mod providers;

use std::time::Duration;

use serde::Deserialize;

pub use providers::{JsonProvider, SmsActivate, Twilio};

/// Why a provider could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// No answer in time, or no connection.
    #[error("{provider}: unreachable: {detail}")]
    Unreachable {
        /// The provider's name.
        provider: String,
        /// What the HTTP client said.
        detail: String,
    },
    /// An HTTP error status.
    #[error("{provider}: HTTP {status}: {body}")]
    Status {
        /// The provider's name.
        provider: String,
        /// The status code.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// An answer that does not follow the protocol.
    #[error("{provider}: unexpected answer: {detail}")]
    Garbage {
        /// The provider's name.
        provider: String,
        /// What was wrong.
        detail: String,
    },
}

/// A number being watched for a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    /// E.164.
    pub number: String,
    /// Messages received before this (Unix seconds) belong to someone else.
    pub since: i64,
}

/// A message received on a watched number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sms {
    /// The provider's id of the message (never relayed twice).
    pub id: String,
    /// E.164 of the receiving number.
    pub number: String,
    /// The text (for SMS-Activate, the code: the protocol gives no text).
    pub text: String,
    /// When the provider received it (Unix seconds).
    pub received_at: i64,
    /// The code when the provider extracted it already (SMS-Activate).
    pub code: Option<String>,
}

/// How a watch ended, for providers that track activations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The code was relayed.
    Completed,
    /// Cancelled by the user, or the lease ran out.
    Released,
}

/// An SMS provider.
#[async_trait::async_trait]
pub trait Provider: Send + Sync {
    /// A name for logs and alerts.
    fn name(&self) -> &str;

    /// Messages received on the watched numbers since their `since`.
    async fn poll(&self, watches: &[Watch]) -> Result<Vec<Sms>, ProviderError>;

    /// Tells the provider a watch ended (SMS-Activate's `setStatus`); others ignore it.
    async fn finished(&self, _watch: &Watch, _outcome: Outcome) -> Result<(), ProviderError> {
        Ok(())
    }
}

/// `[sms]` of the configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsConfig {
    /// `json`, `sms-activate` or `twilio`.
    pub provider: String,
    /// Base URL (`sms-activate`, `twilio`) or the URL template (`json`:
    /// `{number}` and `{since}` are filled in; without `{number}` one request
    /// lists every number's messages).
    pub url: String,
    /// The API key, auth token or bearer token (prefer `NUMBOT_SMS_TOKEN`).
    #[serde(default)]
    pub token: String,
    /// Twilio: the account SID.
    #[serde(default)]
    pub account: String,
    /// JSON: the header that carries the token.
    #[serde(default = "default_auth_header")]
    pub auth_header: String,
    /// JSON: the header's value, `{token}` replaced.
    #[serde(default = "default_auth_value")]
    pub auth_value: String,
    /// JSON: dotted path to the list of messages (empty: the answer is the list).
    #[serde(default)]
    pub messages: String,
    /// JSON: path to a message's receiving number.
    #[serde(default = "default_number_path")]
    pub number: String,
    /// JSON: path to its text.
    #[serde(default = "default_text_path")]
    pub text: String,
    /// JSON: path to its time (Unix seconds, or RFC 3339).
    #[serde(default = "default_time_path")]
    pub time: String,
    /// JSON: path to its id (default: number, time and text together).
    #[serde(default)]
    pub id: String,
    /// Seconds between polls while all is well.
    #[serde(default = "default_interval_ms")]
    pub poll_interval_ms: u64,
    /// Deadline of one request.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Requests in flight at once for providers asked per number.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
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
fn default_interval_ms() -> u64 {
    3000
}
fn default_timeout_ms() -> u64 {
    5000
}
fn default_concurrency() -> usize {
    16
}

impl SmsConfig {
    /// A configuration for `provider` at `url`, with defaults elsewhere.
    pub fn new(provider: &str, url: &str, token: &str) -> SmsConfig {
        SmsConfig {
            provider: provider.into(),
            url: url.into(),
            token: token.into(),
            account: String::new(),
            auth_header: default_auth_header(),
            auth_value: default_auth_value(),
            messages: String::new(),
            number: default_number_path(),
            text: default_text_path(),
            time: default_time_path(),
            id: String::new(),
            poll_interval_ms: default_interval_ms(),
            timeout_ms: default_timeout_ms(),
            concurrency: default_concurrency(),
        }
    }

    /// The provider this configuration describes.
    pub fn build(&self) -> Result<Box<dyn Provider>, String> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(self.timeout_ms))
            .connect_timeout(Duration::from_millis(self.timeout_ms))
            .build()
            .map_err(|e| e.to_string())?;
        if reqwest::Url::parse(&self.url.replace(['{', '}'], "")).is_err() {
            return Err(format!("sms.url `{}` is not a URL", self.url));
        }
        match self.provider.as_str() {
            "json" => Ok(Box::new(JsonProvider::new(self.clone(), client))),
            "sms-activate" => Ok(Box::new(SmsActivate::new(self.clone(), client))),
            "twilio" => {
                if self.account.is_empty() {
                    return Err("sms.account (the Twilio account SID) is required".into());
                }
                Ok(Box::new(Twilio::new(self.clone(), client)))
            }
            other => Err(format!(
                "sms.provider is `{other}`: use json, sms-activate or twilio"
            )),
        }
    }
}
