//! The plugin host behind numbot's async [`Plugins`] trait: every
//! WebAssembly call runs on tokio's blocking pool, and callers wait for a
//! free instance on an async semaphore, never on a thread.

use std::sync::Arc;

use numbot_core::plugins::{
    Choice, FormatResults, Inventory, PluginError, Plugins, Request, Validation, WorldKind,
};
use tokio::sync::Semaphore;

use crate::{host::PluginHost, instance::MAX_INSTANCES};

/// The host's plugins, callable from async code.
pub struct PluginRunner {
    host: Arc<PluginHost>,
    /// Calls in flight per world: no more than a plugin has instances, so a
    /// blocking thread never waits for one, and no more than the machine has
    /// cores: the calls are pure CPU, and each instance beyond that would
    /// cost its start (the formatter's metadata) and memory for nothing.
    permits: [Semaphore; 4],
}

impl PluginRunner {
    /// Runs `host`'s plugins.
    pub fn new(host: Arc<PluginHost>) -> Arc<PluginRunner> {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let in_flight = MAX_INSTANCES.min(cores.max(2));
        Arc::new(PluginRunner {
            host,
            permits: std::array::from_fn(|_| Semaphore::new(in_flight)),
        })
    }

    /// The host (reloads, load errors, single plugins).
    pub fn host(&self) -> &Arc<PluginHost> {
        &self.host
    }

    async fn run<T: Send + 'static>(
        &self,
        world: WorldKind,
        call: impl FnOnce(&PluginHost) -> Result<T, PluginError> + Send + 'static,
    ) -> Result<T, PluginError> {
        let index = WorldKind::ALL
            .iter()
            .position(|w| *w == world)
            .unwrap_or_default();
        let _permit = self.permits[index]
            .acquire()
            .await
            .map_err(|e| PluginError::Host(e.to_string()))?;
        let host = self.host.clone();
        tokio::task::spawn_blocking(move || call(&host))
            .await
            .map_err(|e| PluginError::Host(e.to_string()))?
    }
}

#[async_trait::async_trait]
impl Plugins for PluginRunner {
    async fn validate(
        &self,
        file_name: String,
        bytes: Arc<Vec<u8>>,
    ) -> Result<Validation, PluginError> {
        self.run(WorldKind::Validator, move |h| {
            h.validate(&file_name, &bytes)
        })
        .await
    }

    async fn format(
        &self,
        numbers: Vec<String>,
        default_country: Option<String>,
    ) -> Result<FormatResults, PluginError> {
        self.run(WorldKind::Formatter, move |h| {
            h.format(&numbers, default_country.as_deref())
        })
        .await
    }

    async fn select(&self, request: Request) -> Result<Choice, PluginError> {
        self.run(WorldKind::Policy, move |h| h.select(&request))
            .await
    }

    fn select_blocking(&self, request: &Request) -> Result<Choice, PluginError> {
        self.host.select(request)
    }

    async fn extract(&self, text: String) -> Result<Option<String>, PluginError> {
        self.run(WorldKind::Extractor, move |h| h.extract(&text))
            .await
    }

    fn inventory(&self) -> Inventory {
        self.host.inventory()
    }
}
