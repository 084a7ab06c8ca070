//! Where numbot looks for plugins and caches compiled ones.

use std::path::{Path, PathBuf};

/// Plugin directories: `NUMBOT_PLUGIN_DIRS` (colon-separated) when set, else
/// `plugins/` beside the executable (an installed numbot), else `plugins/`
/// one level up (`target/plugins` for a `target/debug/numbot` built in the
/// workspace, where `cargo build-plugins` puts the default plugins).
pub fn default_plugin_dirs() -> Vec<PathBuf> {
    if let Some(dirs) = std::env::var_os("NUMBOT_PLUGIN_DIRS") {
        return std::env::split_paths(&dirs).collect();
    }
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf));
    let Some(exe_dir) = exe_dir else {
        return vec![PathBuf::from("plugins")];
    };
    let beside = exe_dir.join("plugins");
    if beside.is_dir() {
        return vec![beside];
    }
    match exe_dir.parent() {
        Some(up) => vec![up.join("plugins")],
        None => vec![beside],
    }
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
