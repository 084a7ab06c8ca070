//! Typed errors of the plugin platform: loading, and calling.

use std::path::PathBuf;

pub use numbot_core::plugins::PluginError;

use numbot_core::plugins::WorldKind;

/// Why a plugin file could not be loaded. The host keeps serving with what it had.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A plugin file or its directory may be written by someone else.
    #[error("{}: not loaded: it {why}", path.display())]
    Untrusted {
        /// The file or directory.
        path: PathBuf,
        /// What is wrong with its owner or mode.
        why: String,
    },
    /// The `.wasm` has no manifest beside it.
    #[error("{}: no manifest `{}` beside it", wasm.display(), manifest.display())]
    MissingManifest {
        /// The component.
        wasm: PathBuf,
        /// Where the manifest was expected.
        manifest: PathBuf,
    },
    /// The manifest is malformed.
    #[error("{}: bad manifest: {message}", path.display())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The plugin targets a WIT version this host does not implement.
    #[error("{}: built for numbot:plugin@{found}, this host implements @{}", path.display(), super::API_VERSION)]
    ApiVersion {
        /// The manifest.
        path: PathBuf,
        /// The version it names.
        found: String,
    },
    /// The bytes are not a valid WebAssembly component.
    #[error("{}: not a valid component: {message}", path.display())]
    Compile {
        /// The component.
        path: PathBuf,
        /// wasmtime's diagnosis.
        message: String,
    },
    /// The component does not implement the world its manifest names.
    #[error("{}: manifest says world `{expected}` but the component {}: {detail}",
        path.display(),
        match found { Some(w) => format!("implements `{w}`"), None => "implements no numbot world".to_string() })]
    WrongWorld {
        /// The component.
        path: PathBuf,
        /// The manifest's world.
        expected: WorldKind,
        /// The world it does implement, if any.
        found: Option<WorldKind>,
        /// wasmtime's type-check message against the expected world.
        detail: String,
    },
    /// The plugin failed to start: instantiation, `configure` or `claims`.
    #[error("plugin `{plugin}` failed to start: {source}")]
    Start {
        /// The plugin id.
        plugin: String,
        /// What went wrong.
        source: PluginError,
    },
    /// Two files declare the same id.
    #[error("{}: id `{id}` is already used by {}", path.display(), other.display())]
    DuplicateId {
        /// The refused file.
        path: PathBuf,
        /// The id.
        id: String,
        /// The file that holds the id.
        other: PathBuf,
    },
}
