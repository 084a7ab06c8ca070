//! Where the `numbot` binary looks for plugins and caches compiled ones.

use std::path::PathBuf;

/// Plugin directories: `NUMBOT_PLUGIN_DIRS` (colon-separated) when set, else
/// `plugins/` beside the executable when it exists (an installed numbot),
/// else the workspace's `target/plugins`, where `cargo build-plugins` puts the
/// default plugins.
pub fn default_plugin_dirs() -> Vec<PathBuf> {
    if let Some(dirs) = std::env::var_os("NUMBOT_PLUGIN_DIRS") {
        return std::env::split_paths(&dirs).collect();
    }
    if let Some(beside) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|d| d.join("plugins")))
        .filter(|d| d.is_dir())
    {
        return vec![beside];
    }
    vec![workspace_target().join("plugins")]
}

/// The example plugins built by `cargo build-plugins`.
pub fn example_plugin_dir() -> PathBuf {
    workspace_target().join("plugins-examples")
}

/// The compiled-component cache: `NUMBOT_CACHE_DIR`, else `$XDG_CACHE_HOME/numbot`,
/// else `~/.cache/numbot`; none (compile at every start) when neither is set,
/// never a shared temporary directory.
pub fn default_cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("NUMBOT_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|base| base.join("numbot").join("plugins"))
}

fn workspace_target() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target"))
}
