//! numbot's integration tests: one binary, real compiled plugins.
//!
//! The plugins come from `cargo build-plugins` (the README's test command runs it first).

mod api;
mod audit;
mod backup;
mod bot;
mod broadcast;
mod cli;
mod fake_telegram;
mod faults;
mod formatter;
mod history;
mod hostile;
mod languages;
mod miniapp;
mod openapi;
mod otp;
mod policy;
mod reload;
mod replicas;
mod scaffold;
mod shutdown;
mod sms_activate;
mod store;
mod store_contract;
mod support;
mod tidy;
mod users;
mod validator;
mod waits;
mod webhooks;
