//! The plugin platform: WebAssembly components behind `numbot:plugin@0.1.0`.
//!
//! - [`manifest`]: what a plugin says about itself (id, world, limits);
//! - [`engine`]: one wasmtime engine, the epoch ticker and the compiled cache;
//! - [`instance`]: calls under a deadline and a memory limit, trapped instances dropped;
//! - [`host`]: discovery in directories, routing, hot reload.

mod bindings;
pub mod engine;
pub mod error;
pub mod host;
pub mod instance;
pub mod manifest;
pub mod types;

pub use engine::PluginEngine;
pub use error::{LoadError, PluginError};
pub use host::{PluginHost, PluginHostConfig, PluginInfo, ReloadReport};
pub use instance::{AnyPlugin, Plugin};
pub use manifest::{Limits, Manifest, WorldKind, API_VERSION};
