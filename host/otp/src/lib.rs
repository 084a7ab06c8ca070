//! numbot's OTP monitor: it watches the SMS provider for every number in
//! use and relays what arrives to its holder.
//!
//! - [`providers`]: the SMS provider protocols (JSON APIs, SMS-Activate, Twilio);
//! - [`config`]: `[sms]`, a tagged enum per protocol;
//! - [`monitor`]: the watches, the polls, the relays;
//! - [`events`]: what the monitor has to tell, for a front end to render;
//! - [`rules`]: what a message does to its use (Done or first code) and
//!   which senders a category expects.
//!
//! It knows no Telegram and no HTML: [`Notifier`] delivers its events.

pub mod config;
pub mod events;
pub mod monitor;
pub mod providers;
mod relay;
pub mod rules;
mod takeover;

pub use config::{JsonConfig, ProviderConfig, SmsConfig, SmsConfigError};
pub use events::{Delivery, Notifier, OtpEvent};
pub use monitor::{MonitorStatus, OtpMonitor, ProviderHealth, Tick};
pub use providers::{Outcome, Provider, ProviderError, Sms, Watch};
pub use rules::{CompleteOn, RelayRules};
