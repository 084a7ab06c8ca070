//! numbot: a Telegram bot that runs a team's pool of phone numbers.
//!
//! The host runs Telegram, the store and the OTP monitor; CSV validation,
//! per-country formatting and the selection policy are WebAssembly components
//! loaded through the `numbot:plugin` WIT contract ([`plugin`]).

pub mod backends;
pub mod bot;
pub mod config;
pub mod demo;
pub mod fake_sms;
pub mod fake_telegram;
pub mod monitor;
pub mod plugin;
pub mod plugin_dirs;
pub mod sms;
pub mod store;
pub mod users;
