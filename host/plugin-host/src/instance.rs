//! Running plugin instances: every call under a deadline and a memory limit;
//! an instance that traps is dropped, never reused.

use std::{
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc, Condvar, Mutex,
    },
};

use wasmtime::{
    component::{Component, InstancePre},
    Store, Trap,
};

use crate::{
    bindings::{self, HostState, MemoryLimitExceeded, MemoryLimiter},
    engine::{PluginEngine, EPOCH_TICK},
    error::{LoadError, PluginError},
    manifest::{Manifest, WorldKind},
    types::Countries,
    worlds::{ExtractorWorld, FormatterWorld, PolicyWorld, ValidatorWorld, World},
};

/// Instances one plugin may have at once (idle or busy); more callers wait.
pub(crate) const MAX_INSTANCES: usize = 8;

/// An instance whose memory passed this share of its limit (in percent)
/// after a call is retired: the next call gets a fresh one, so no call fails
/// for memory that earlier calls accumulated.
pub const RETIRE_AT_PERCENT: usize = 50;

struct Live<W: World> {
    store: Store<HostState>,
    bindings: W::Bindings,
}

/// A plugin's instances: the idle ones, and how many exist in all.
struct Instances<W: World> {
    idle: Vec<Live<W>>,
    total: usize,
}

/// A loaded plugin of world `W`, safe to call from many threads.
pub struct Plugin<W: World> {
    id: Arc<str>,
    manifest: Manifest,
    source: PathBuf,
    /// Kept so that the epoch ticker runs as long as the plugin can be called.
    engine: PluginEngine,
    pre: W::Pre,
    settings: Vec<(String, String)>,
    deadline_ticks: u64,
    instances: Mutex<Instances<W>>,
    /// Signalled when an instance is returned or dropped.
    returned: Condvar,
    instantiated: AtomicU64,
    discarded: AtomicU64,
    retired: AtomicU64,
    peak: AtomicUsize,
}

impl<W: World> Plugin<W> {
    /// The plugin's manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The `.wasm` it was loaded from.
    pub fn source(&self) -> &Path {
        &self.source
    }

    /// Instances created so far (a dropped instance is replaced by a new one).
    pub fn instances_created(&self) -> u64 {
        self.instantiated.load(Ordering::Relaxed)
    }

    /// Instances dropped after a trap, timeout or memory error.
    pub fn instances_discarded(&self) -> u64 {
        self.discarded.load(Ordering::Relaxed)
    }

    /// Instances retired after a call because their memory passed
    /// [`RETIRE_AT_PERCENT`] of the limit.
    pub fn instances_retired(&self) -> u64 {
        self.retired.load(Ordering::Relaxed)
    }

    /// The most memory one instance held after a call, in bytes.
    pub fn peak_memory(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    /// Bytes of memory past which an instance is retired after its call.
    fn retire_above(&self) -> usize {
        let limit = usize::try_from(self.manifest.limits.memory_mib << 20).unwrap_or(usize::MAX);
        limit / 100 * RETIRE_AT_PERCENT
    }

    fn new_instance(&self) -> Result<Live<W>, PluginError> {
        let limit_bytes =
            usize::try_from(self.manifest.limits.memory_mib << 20).unwrap_or(usize::MAX);
        let mut store = Store::new(
            self.engine.engine(),
            HostState {
                plugin: self.id.clone(),
                limiter: MemoryLimiter {
                    limit_bytes,
                    granted_bytes: 0,
                },
                last_error: None,
                log_budget: bindings::LOG_LINES_PER_CALL,
            },
        );
        store.limiter(|state| &mut state.limiter);
        store.set_epoch_deadline(self.deadline_ticks);
        let bindings = match W::instantiate(&self.pre, &mut store) {
            Ok(b) => b,
            Err(e) => return Err(self.classify(e, &mut store)),
        };
        match W::configure(&bindings, &mut store, &self.settings) {
            Ok(Ok(())) => {}
            Ok(Err(message)) => {
                return Err(PluginError::Refused {
                    plugin: self.id.to_string(),
                    message: format!("configure: {message}"),
                })
            }
            Err(e) => return Err(self.classify(e, &mut store)),
        }
        self.instantiated.fetch_add(1, Ordering::Relaxed);
        Ok(Live { store, bindings })
    }

    /// An idle instance (its deadline still to set), or a new one (its
    /// deadline already running since instantiation), waiting while the
    /// plugin has `MAX_INSTANCES` busy.
    fn acquire(&self) -> Result<(Live<W>, bool), PluginError> {
        let mut pool = self.instances.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(live) = pool.idle.pop() {
                return Ok((live, true));
            }
            if pool.total < MAX_INSTANCES {
                pool.total += 1;
                break;
            }
            pool = self.returned.wait(pool).unwrap_or_else(|p| p.into_inner());
        }
        drop(pool);
        self.new_instance()
            .map(|live| (live, false))
            .inspect_err(|_| self.forget())
    }

    /// An instance is gone (trapped, or failed to start): its place is free.
    fn forget(&self) {
        self.instances
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .total -= 1;
        self.returned.notify_one();
    }

    /// Runs one call on an idle (or new) instance under the plugin's limits.
    pub(crate) fn call<R>(
        &self,
        f: impl FnOnce(&W::Bindings, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        let started = std::time::Instant::now();
        let (mut live, reused) = self.acquire()?;
        if reused {
            live.store.set_epoch_deadline(self.deadline_ticks);
        }
        let state = live.store.data_mut();
        state.last_error = None;
        state.log_budget = bindings::LOG_LINES_PER_CALL;
        let result = f(&live.bindings, &mut live.store);
        let (plugin, world) = (self.id.to_string(), W::KIND.as_str());
        metrics::histogram!("numbot_plugin_call_seconds", "plugin" => plugin.clone(), "world" => world)
            .record(started.elapsed().as_secs_f64());
        match result {
            Ok(value) => {
                let grown = live.store.data().limiter.granted_bytes;
                self.peak.fetch_max(grown, Ordering::Relaxed);
                if grown > self.retire_above() {
                    // Memory a long-lived instance accumulated (caches, a
                    // fragmented heap) never fails a call: a fresh instance
                    // serves the next one.
                    self.retired.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!(plugin = %self.id, grown, "instance retired for its memory");
                    drop(live);
                    self.forget();
                } else {
                    self.instances
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .idle
                        .push(live);
                    self.returned.notify_one();
                }
                Ok(value)
            }
            Err(e) => {
                // The instance's state is unknown after a trap: drop it.
                self.discarded.fetch_add(1, Ordering::Relaxed);
                let error = self.classify(e, &mut live.store);
                let kind = match &error {
                    PluginError::Timeout { .. } => "timeout",
                    PluginError::OutOfMemory { .. } => "out_of_memory",
                    _ => "trap",
                };
                metrics::counter!("numbot_plugin_failures_total", "plugin" => plugin, "world" => world, "kind" => kind)
                    .increment(1);
                drop(live);
                self.forget();
                Err(error)
            }
        }
    }

    pub(crate) fn classify(&self, e: wasmtime::Error, store: &mut Store<HostState>) -> PluginError {
        let plugin = self.id.to_string();
        if let Some(limit) = e.downcast_ref::<MemoryLimitExceeded>() {
            return PluginError::OutOfMemory {
                plugin,
                limit_mib: self.manifest.limits.memory_mib,
                requested_mib: (limit.requested_bytes as u64).div_ceil(1 << 20),
            };
        }
        if e.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
            return PluginError::Timeout {
                plugin,
                timeout_ms: self.manifest.limits.timeout_ms,
            };
        }
        let mut message = match e.downcast_ref::<Trap>() {
            Some(trap) => trap.to_string(),
            None => format!("{e:#}"),
        };
        if let Some(logged) = store.data_mut().last_error.take() {
            message = format!("{message}; it logged: {logged}");
        }
        PluginError::Trap { plugin, message }
    }

    pub(crate) fn refused(&self, message: String) -> PluginError {
        PluginError::Refused {
            plugin: self.id.to_string(),
            message,
        }
    }

    pub(crate) fn contract(&self, message: String) -> PluginError {
        PluginError::Contract {
            plugin: self.id.to_string(),
            message,
        }
    }
}

impl<W: World> Plugin<W> {
    /// Bytes a result may expand to on the host: the plugin's memory limit.
    pub(crate) fn result_budget(&self) -> usize {
        usize::try_from(self.manifest.limits.memory_mib << 20).unwrap_or(usize::MAX)
    }
}

/// A loaded plugin of any world.
#[derive(Clone)]
pub enum AnyPlugin {
    /// A validator.
    Validator(Arc<Plugin<ValidatorWorld>>),
    /// A formatter, with the countries it claimed at load.
    Formatter(Arc<Plugin<FormatterWorld>>, Countries),
    /// A selection policy.
    Policy(Arc<Plugin<PolicyWorld>>),
    /// A code extractor.
    Extractor(Arc<Plugin<ExtractorWorld>>),
}

impl AnyPlugin {
    /// The plugin's manifest.
    pub fn manifest(&self) -> &Manifest {
        match self {
            AnyPlugin::Validator(p) => p.manifest(),
            AnyPlugin::Formatter(p, _) => p.manifest(),
            AnyPlugin::Policy(p) => p.manifest(),
            AnyPlugin::Extractor(p) => p.manifest(),
        }
    }

    /// The `.wasm` it came from.
    pub fn source(&self) -> &Path {
        match self {
            AnyPlugin::Validator(p) => p.source(),
            AnyPlugin::Formatter(p, _) => p.source(),
            AnyPlugin::Policy(p) => p.source(),
            AnyPlugin::Extractor(p) => p.source(),
        }
    }
}

/// Type-checks a component against its manifest's world and starts one instance.
pub(crate) fn start(
    engine: &PluginEngine,
    source: &Path,
    component: &Component,
    manifest: Manifest,
    settings: Vec<(String, String)>,
) -> Result<AnyPlugin, LoadError> {
    let pre = engine
        .linker()
        .instantiate_pre(component)
        .map_err(|e| LoadError::WrongWorld {
            path: source.to_path_buf(),
            expected: manifest.world,
            found: None,
            detail: format!("{e:#}"),
        })?;
    let wrong_world = |e: wasmtime::Error| LoadError::WrongWorld {
        path: source.to_path_buf(),
        expected: manifest.world,
        found: detect_world(&pre),
        detail: format!("{e:#}"),
    };
    Ok(match manifest.world {
        WorldKind::Validator => {
            let typed = ValidatorWorld::pre(pre.clone()).map_err(wrong_world)?;
            AnyPlugin::Validator(Arc::new(warm(engine, source, typed, manifest, settings)?))
        }
        WorldKind::Formatter => {
            let typed = FormatterWorld::pre(pre.clone()).map_err(wrong_world)?;
            let plugin = warm(engine, source, typed, manifest, settings)?;
            let claims = plugin.claims().map_err(|source| LoadError::Start {
                plugin: plugin.id.to_string(),
                source,
            })?;
            AnyPlugin::Formatter(Arc::new(plugin), claims)
        }
        WorldKind::Policy => {
            let typed = PolicyWorld::pre(pre.clone()).map_err(wrong_world)?;
            AnyPlugin::Policy(Arc::new(warm(engine, source, typed, manifest, settings)?))
        }
        WorldKind::Extractor => {
            let typed = ExtractorWorld::pre(pre.clone()).map_err(wrong_world)?;
            AnyPlugin::Extractor(Arc::new(warm(engine, source, typed, manifest, settings)?))
        }
    })
}

/// The world a component does implement, for a clearer error.
fn detect_world(pre: &InstancePre<HostState>) -> Option<WorldKind> {
    if ValidatorWorld::pre(pre.clone()).is_ok() {
        Some(WorldKind::Validator)
    } else if FormatterWorld::pre(pre.clone()).is_ok() {
        Some(WorldKind::Formatter)
    } else if PolicyWorld::pre(pre.clone()).is_ok() {
        Some(WorldKind::Policy)
    } else if ExtractorWorld::pre(pre.clone()).is_ok() {
        Some(WorldKind::Extractor)
    } else {
        None
    }
}

/// Builds the plugin and starts (and configures) a first instance, so that a
/// plugin that cannot start is refused at load rather than on first use.
fn warm<W: World>(
    engine: &PluginEngine,
    source: &Path,
    pre: W::Pre,
    manifest: Manifest,
    settings: Vec<(String, String)>,
) -> Result<Plugin<W>, LoadError> {
    let ticks = manifest
        .limits
        .timeout_ms
        .div_ceil(EPOCH_TICK.as_millis() as u64)
        + 1;
    let plugin = Plugin {
        id: Arc::from(manifest.id.as_str()),
        manifest,
        source: source.to_path_buf(),
        engine: engine.clone(),
        pre,
        settings,
        deadline_ticks: ticks,
        instances: Mutex::new(Instances {
            idle: Vec::new(),
            total: 0,
        }),
        returned: Condvar::new(),
        instantiated: AtomicU64::new(0),
        discarded: AtomicU64::new(0),
        retired: AtomicU64::new(0),
        peak: AtomicUsize::new(0),
    };
    let live = plugin.new_instance().map_err(|source| LoadError::Start {
        plugin: plugin.id.to_string(),
        source,
    })?;
    {
        let mut pool = plugin.instances.lock().unwrap_or_else(|p| p.into_inner());
        pool.idle.push(live);
        pool.total = 1;
    }
    Ok(plugin)
}
