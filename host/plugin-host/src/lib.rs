//! The plugin platform: WebAssembly components behind `numbot:plugin@0.1.0`.
//!
//! - [`manifest`]: what a plugin says about itself (id, world, limits);
//! - [`engine`]: one wasmtime engine, the epoch ticker and the compiled cache;
//! - [`instance`]: calls under a deadline and a memory limit, trapped instances dropped;
//! - [`worlds`]: the four worlds, their calls and the checks of their answers;
//! - [`host`]: discovery in directories, routing, hot reload;
//! - [`runner`]: the host behind numbot's async `Plugins` trait;
//! - [`dirs`]: where plugins and the compiled cache are by default.

mod bindings;
pub mod dirs;
pub mod engine;
pub mod error;
pub mod host;
pub mod instance;
pub mod manifest;
mod routes;
pub mod runner;
pub mod types;
pub mod worlds;

pub use engine::PluginEngine;
pub use error::{LoadError, PluginError};
pub use host::{PluginHost, PluginHostConfig, ReloadReport};
pub use instance::{AnyPlugin, Plugin};
pub use manifest::{Limits, Manifest, WorldKind, API_VERSION};
pub use numbot_core::plugins::PluginInfo;
pub use runner::PluginRunner;
