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

mod common;
mod json;
mod sms_activate;
mod twilio;

pub use json::JsonProvider;
pub use sms_activate::SmsActivate;
pub use twilio::Twilio;

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
    /// Who sent it, where the provider says.
    pub sender: Option<String>,
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
