//! Host bindings of the four worlds, generated from `wit/v0.1`. The shared
//! `types` and `host` interfaces are generated once and reused.

use std::sync::Arc;

use wasmtime::{component::HasSelf, ResourceLimiter};

/// The `validator` world; also the home of the shared interfaces.
pub mod validator {
    wasmtime::component::bindgen!({
        path: "../wit/v0.1",
        world: "validator",
        additional_derives: [PartialEq, Eq],
    });
}

/// The `formatter` world.
pub mod formatter {
    wasmtime::component::bindgen!({
        path: "../wit/v0.1",
        world: "formatter",
        additional_derives: [PartialEq, Eq],
        with: {
            "numbot:plugin/types": super::validator::numbot::plugin::types,
            "numbot:plugin/host": super::validator::numbot::plugin::host,
        },
    });
}

/// The `policy` world.
pub mod policy {
    wasmtime::component::bindgen!({
        path: "../wit/v0.1",
        world: "policy",
        additional_derives: [PartialEq, Eq],
        with: {
            "numbot:plugin/types": super::validator::numbot::plugin::types,
            "numbot:plugin/host": super::validator::numbot::plugin::host,
        },
    });
}

/// The `extractor` world.
pub mod extractor {
    wasmtime::component::bindgen!({
        path: "../wit/v0.1",
        world: "extractor",
        additional_derives: [PartialEq, Eq],
        with: {
            "numbot:plugin/types": super::validator::numbot::plugin::types,
            "numbot:plugin/host": super::validator::numbot::plugin::host,
        },
    });
}

use validator::numbot::plugin::{host, types::Level};

/// Per-store state: who the plugin is (for logs) and its memory ceiling.
pub struct HostState {
    pub plugin: Arc<str>,
    pub limiter: MemoryLimiter,
    /// The last error-level line the plugin logged during the current call
    /// (its panic message, say), attached to a trap so that the error says why.
    pub last_error: Option<String>,
    /// Log lines the plugin may still write during the current call.
    pub log_budget: u32,
}

/// Log lines one call may write; past it lines are dropped (and counted once).
pub const LOG_LINES_PER_CALL: u32 = 100;

/// Grows memory up to a ceiling for all of an instance's memories together;
/// asking for more fails the call with a typed error.
pub struct MemoryLimiter {
    pub limit_bytes: usize,
    /// Bytes of linear memory granted so far, all memories together.
    pub granted_bytes: usize,
}

/// Raised inside wasmtime when a plugin asks for memory past its limit.
#[derive(Debug, thiserror::Error)]
#[error("memory limit of {limit_bytes} bytes exceeded (asked for {requested_bytes})")]
pub struct MemoryLimitExceeded {
    pub limit_bytes: usize,
    pub requested_bytes: usize,
}

/// Tables only hold function references; this bounds a hostile `table.grow`.
const MAX_TABLE_ELEMENTS: usize = 1 << 20;
/// Core instances, memories and tables one plugin instance may create.
const MAX_INSTANCES: usize = 32;
const MAX_MEMORIES: usize = 2;
const MAX_TABLES: usize = 16;

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let total = self.granted_bytes - current.min(self.granted_bytes) + desired;
        if total > self.limit_bytes {
            return Err(wasmtime::Error::new(MemoryLimitExceeded {
                limit_bytes: self.limit_bytes,
                requested_bytes: total,
            }));
        }
        self.granted_bytes = total;
        Ok(true)
    }

    // A component from wit-component has a handful of core instances, one
    // memory and a few tables; these bounds leave room and stop a module that
    // declares hundreds of memories or tables to multiply its allowance.
    fn instances(&self) -> usize {
        MAX_INSTANCES
    }

    fn memories(&self) -> usize {
        MAX_MEMORIES
    }

    fn tables(&self) -> usize {
        MAX_TABLES
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }
}

/// Longest log line kept from a plugin; a plugin cannot flood the host's log.
const MAX_LOG_LINE: usize = 4096;

impl host::Host for HostState {
    fn log(&mut self, level: Level, message: String) {
        if self.log_budget == 0 {
            return;
        }
        self.log_budget -= 1;
        if self.log_budget == 0 {
            tracing::warn!(target: "numbot::plugin", plugin = &*self.plugin, "log limit of {LOG_LINES_PER_CALL} lines reached for this call");
        }
        let mut message = message;
        if message.len() > MAX_LOG_LINE {
            let mut cut = MAX_LOG_LINE;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
            message.push('…');
        }
        let plugin = &*self.plugin;
        match level {
            Level::Trace => tracing::trace!(target: "numbot::plugin", plugin, "{message}"),
            Level::Debug => tracing::debug!(target: "numbot::plugin", plugin, "{message}"),
            Level::Info => tracing::info!(target: "numbot::plugin", plugin, "{message}"),
            Level::Warn => tracing::warn!(target: "numbot::plugin", plugin, "{message}"),
            Level::Error => tracing::error!(target: "numbot::plugin", plugin, "{message}"),
        }
        if level == Level::Error {
            self.last_error = Some(message);
        }
    }
}

/// Provides the `host` interface to every world.
pub fn add_to_linker(linker: &mut wasmtime::component::Linker<HostState>) -> wasmtime::Result<()> {
    host::add_to_linker::<HostState, HasSelf<HostState>>(linker, |state| state)
}
