//! numbot: a Telegram bot that runs a team's pool of phone numbers. This
//! crate is the application: the configuration ([`config`]), the
//! composition root that builds every part ([`compose`]), the command
//! line ([`cli`]) and its plugin tools ([`plugin_run`], [`scaffold`]). The parts are crates of their own (see ARCHITECTURE.md).

pub mod cli;
pub mod compose;
pub mod config;
pub mod plugin_run;
pub mod scaffold;
