//! numbot's test support, never linked into the production binary: fake
//! Telegram and SMS servers that speak the real protocols over HTTP on
//! 127.0.0.1, the MongoDB-wire server the tests run on, and (as binaries)
//! the crash tests' load generator and the offline demo.

pub mod fake_sms;
pub mod fake_telegram;
pub mod secantus;
