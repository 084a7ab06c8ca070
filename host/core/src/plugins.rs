//! The plugins as the rest of numbot calls them: one async trait over the
//! four WIT worlds, so that no caller runs WebAssembly on an async thread.
//! The wasmtime host (`numbot-plugin-host`) implements it.

use std::{fmt, path::PathBuf, str::FromStr, sync::Arc};

use serde::Deserialize;

pub use numbot_plugin_types::{
    Countries, DuplicateRow, Formatted, NumberRow, RejectedRow, Validation,
};

/// The plugin kinds: one WIT world each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WorldKind {
    /// Reads uploaded files.
    Validator,
    /// Formats numbers per country.
    Formatter,
    /// Picks the number a user gets.
    Policy,
    /// Finds the verification code in an SMS.
    Extractor,
}

impl WorldKind {
    /// Every world, in a fixed order.
    pub const ALL: [WorldKind; 4] = [
        WorldKind::Validator,
        WorldKind::Formatter,
        WorldKind::Policy,
        WorldKind::Extractor,
    ];

    /// The world's name in the WIT package.
    pub fn as_str(self) -> &'static str {
        match self {
            WorldKind::Validator => "validator",
            WorldKind::Formatter => "formatter",
            WorldKind::Policy => "policy",
            WorldKind::Extractor => "extractor",
        }
    }
}

impl fmt::Display for WorldKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A world name that is none of the four.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown world `{0}` (validator, formatter, policy or extractor)")]
pub struct UnknownWorld(pub String);

impl FromStr for WorldKind {
    type Err = UnknownWorld;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        WorldKind::ALL
            .into_iter()
            .find(|w| w.as_str() == s)
            .ok_or_else(|| UnknownWorld(s.to_string()))
    }
}

/// Why a call into a plugin failed. The instance that failed is dropped, never reused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PluginError {
    /// The call ran past its deadline and was interrupted.
    #[error("plugin `{plugin}` timed out after {timeout_ms} ms")]
    Timeout {
        /// The plugin id.
        plugin: String,
        /// Its deadline.
        timeout_ms: u64,
    },
    /// The plugin tried to grow its memory past its limit.
    #[error("plugin `{plugin}` exceeded its memory limit of {limit_mib} MiB (asked for {requested_mib} MiB)")]
    OutOfMemory {
        /// The plugin id.
        plugin: String,
        /// Its limit.
        limit_mib: u64,
        /// The size it asked for.
        requested_mib: u64,
    },
    /// The plugin trapped: a panic, `unreachable`, a bad memory access.
    #[error("plugin `{plugin}` crashed: {message}")]
    Trap {
        /// The plugin id.
        plugin: String,
        /// The trap and its wasm backtrace.
        message: String,
    },
    /// The plugin answered with an error of its own (a file it cannot read, no choice).
    #[error("plugin `{plugin}`: {message}")]
    Refused {
        /// The plugin id.
        plugin: String,
        /// The plugin's message.
        message: String,
    },
    /// The plugin's answer breaks the contract (wrong count, index out of range).
    #[error("plugin `{plugin}` broke the contract: {message}")]
    Contract {
        /// The plugin id.
        plugin: String,
        /// What was wrong with the answer.
        message: String,
    },
    /// No plugin of the needed kind is loaded.
    #[error("no {world} plugin is loaded{}", match wanted { Some(id) => format!(" with id `{id}`"), None => String::new() })]
    Missing {
        /// The world needed.
        world: WorldKind,
        /// The id asked for, if any.
        wanted: Option<String>,
    },
    /// The call could not be run (its thread panicked, the runtime is
    /// shutting down): a host problem, not the plugin's.
    #[error("plugin call could not run: {0}")]
    Host(String),
}

/// A file the policy may pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The store's id for the file.
    pub id: u64,
    /// The file's name.
    pub name: String,
    /// Numbers in the file.
    pub total: u64,
    /// Numbers free to assign now (> 0).
    pub available: u64,
    /// Assignments so far.
    pub used: u64,
    /// Upload time, Unix seconds.
    pub created_at: i64,
    /// Last assignment, Unix seconds.
    pub last_used: Option<i64>,
}

/// One request for a number, as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The category asked for.
    pub category: String,
    /// The requesting user's id.
    pub user: i64,
    /// Randomness from the host.
    pub seed: u64,
    /// Files of the category with numbers available.
    pub candidates: Vec<Candidate>,
}

/// A policy's pick, checked against its request by the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// Index into [`Request::candidates`].
    pub candidate: u32,
    /// Index among the chosen file's available numbers.
    pub slot: u64,
}

/// One loaded plugin, as `numbot plugins list` and `/plugins` show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginInfo {
    /// Its id.
    pub id: String,
    /// Its version.
    pub version: String,
    /// Its world.
    pub world: WorldKind,
    /// For formatters: the countries claimed (`None` = all).
    pub countries: Option<Vec<String>>,
    /// The file it was loaded from.
    pub source: PathBuf,
}

/// What is loaded, and what was refused and why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inventory {
    /// The serving plugins, sorted by world and id.
    pub plugins: Vec<PluginInfo>,
    /// Files refused on their latest version, with the reason.
    pub refused: Vec<(PathBuf, String)>,
}

/// One result per number of a format call: the number, or why it is invalid.
pub type FormatResults = Vec<Result<Formatted, String>>;

/// The four plugin worlds, callable from async code: every call runs off
/// the async threads, and waits for a free instance without holding one.
#[async_trait::async_trait]
pub trait Plugins: Send + Sync {
    /// Validates an uploaded file with the configured validator.
    async fn validate(
        &self,
        file_name: String,
        bytes: Arc<Vec<u8>>,
    ) -> Result<Validation, PluginError>;

    /// Formats a batch, each number routed to the formatter that claims its
    /// country; `default_country` reads numbers written without a code.
    async fn format(
        &self,
        numbers: Vec<String>,
        default_country: Option<String>,
    ) -> Result<FormatResults, PluginError>;

    /// Picks a number with the configured policy.
    async fn select(&self, request: Request) -> Result<Choice, PluginError>;

    /// The policy called in place, for code that already runs on a thread
    /// of its own (the file store's): it blocks for the length of the call.
    fn select_blocking(&self, request: &Request) -> Result<Choice, PluginError>;

    /// The verification code an SMS carries, if any.
    async fn extract(&self, text: String) -> Result<Option<String>, PluginError>;

    /// What is loaded and what was refused.
    fn inventory(&self) -> Inventory;
}

/// The plugins every part shares.
pub type SharedPlugins = Arc<dyn Plugins>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn world_names_round_trip() {
        for w in WorldKind::ALL {
            assert_eq!(w.as_str().parse::<WorldKind>(), Ok(w));
        }
        assert_eq!(
            "policies".parse::<WorldKind>(),
            Err(UnknownWorld("policies".into()))
        );
    }
}
