//! Plugin manifests: the `<id>.toml` beside each `<id>.wasm`.

use std::path::Path;

pub use numbot_core::plugins::WorldKind;

use serde::Deserialize;

use super::error::LoadError;

/// The WIT package version this host implements (`wit/v0.1`).
pub const API_VERSION: &str = "0.1.0";

/// Resource limits for every call into the plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Linear memory ceiling, in MiB.
    pub memory_mib: u64,
    /// Wall-clock deadline of one call (instantiation included), in milliseconds.
    pub timeout_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_mib: 64,
            timeout_ms: 1_000,
        }
    }
}

/// Upper bounds a manifest may ask for: a plugin cannot take the machine.
const MAX_MEMORY_MIB: u64 = 4 * 1024;
const MAX_TIMEOUT_MS: u64 = 10 * 60 * 1000;

/// What a plugin declares about itself.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Unique id, used in logs, errors and config.
    pub id: String,
    /// The plugin's own version.
    pub version: String,
    /// The world it implements.
    pub world: WorldKind,
    /// The `numbot:plugin` version it was built against.
    pub api: String,
    /// Per-call limits.
    #[serde(default)]
    pub limits: Limits,
    /// Default settings passed to `configure`; the host config overrides them.
    #[serde(default)]
    pub settings: toml::Table,
}

impl Manifest {
    /// Parses and checks a manifest's text.
    pub fn parse(text: &str, path: &Path) -> Result<Manifest, LoadError> {
        let bad = |message: String| LoadError::Manifest {
            path: path.to_path_buf(),
            message,
        };
        let manifest: Manifest = toml::from_str(text).map_err(|e| bad(e.message().to_string()))?;
        if manifest.id.is_empty()
            || !manifest
                .id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(bad(format!(
                "id `{}` must be non-empty ASCII letters, digits, `-` or `_`",
                manifest.id
            )));
        }
        if !api_compatible(&manifest.api) {
            return Err(LoadError::ApiVersion {
                path: path.to_path_buf(),
                found: manifest.api.clone(),
            });
        }
        let Limits {
            memory_mib,
            timeout_ms,
        } = manifest.limits;
        if !(1..=MAX_MEMORY_MIB).contains(&memory_mib) {
            return Err(bad(format!(
                "limits.memory_mib must be 1..={MAX_MEMORY_MIB}"
            )));
        }
        if !(1..=MAX_TIMEOUT_MS).contains(&timeout_ms) {
            return Err(bad(format!(
                "limits.timeout_ms must be 1..={MAX_TIMEOUT_MS}"
            )));
        }
        Ok(manifest)
    }

    /// Reads the manifest at `path`.
    pub fn read(path: &Path) -> Result<Manifest, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Manifest::parse(&text, path)
    }

    /// The manifest's settings as strings, for `configure`.
    pub fn settings(&self) -> Vec<(String, String)> {
        self.settings
            .iter()
            .map(|(k, v)| {
                let value = match v {
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), value)
            })
            .collect()
    }
}

/// Same major and minor as [`API_VERSION`]: patch releases never change the contract.
fn api_compatible(found: &str) -> bool {
    let major_minor = |v: &str| v.split('.').take(2).collect::<Vec<_>>().join(".");
    major_minor(found) == major_minor(API_VERSION) && found.split('.').count() == 3
}
