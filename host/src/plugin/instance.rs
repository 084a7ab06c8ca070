//! Running plugin instances: every call under a deadline and a memory limit;
//! an instance that traps is dropped, never reused.

use std::{
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Condvar, Mutex,
    },
};

use wasmtime::{
    component::{Component, InstancePre},
    Store, Trap,
};

use super::{
    bindings::{self, HostState, MemoryLimitExceeded, MemoryLimiter},
    engine::{PluginEngine, EPOCH_TICK},
    error::{LoadError, PluginError},
    manifest::{Manifest, WorldKind},
    types::{Choice, Countries, Formatted, Request, Spans, Validation},
};
use bindings::formatter::exports::numbot::plugin::format::Countries as WitCountries;

/// Instances one plugin may have at once (idle or busy); more callers wait.
const MAX_INSTANCES: usize = 8;

/// One plugin world as the host drives it.
pub trait World: 'static {
    /// Which world this is.
    const KIND: WorldKind;
    /// Pre-instantiated component, type-checked against the world.
    type Pre: Clone + Send + Sync;
    /// The generated bindings of one instance.
    type Bindings: Send;

    /// Type-checks the component's exports against the world.
    fn pre(pre: InstancePre<HostState>) -> wasmtime::Result<Self::Pre>;
    /// Instantiates into a store.
    fn instantiate(
        pre: &Self::Pre,
        store: &mut Store<HostState>,
    ) -> wasmtime::Result<Self::Bindings>;
    /// Calls the plugin's `configure` (the generated binding takes `&Vec`).
    #[allow(clippy::ptr_arg)]
    fn configure(
        bindings: &Self::Bindings,
        store: &mut Store<HostState>,
        settings: &Vec<(String, String)>,
    ) -> wasmtime::Result<Result<(), String>>;
}

macro_rules! world {
    ($name:ident, $kind:ident, $module:ident, $pre:ident, $bindings:ident) => {
        #[doc = concat!("The `", stringify!($module), "` world.")]
        pub struct $name;

        impl World for $name {
            const KIND: WorldKind = WorldKind::$kind;
            type Pre = bindings::$module::$pre<HostState>;
            type Bindings = bindings::$module::$bindings;

            fn pre(pre: InstancePre<HostState>) -> wasmtime::Result<Self::Pre> {
                bindings::$module::$pre::new(pre)
            }

            fn instantiate(
                pre: &Self::Pre,
                store: &mut Store<HostState>,
            ) -> wasmtime::Result<Self::Bindings> {
                pre.instantiate(store)
            }

            #[allow(clippy::ptr_arg)]
            fn configure(
                bindings: &Self::Bindings,
                store: &mut Store<HostState>,
                settings: &Vec<(String, String)>,
            ) -> wasmtime::Result<Result<(), String>> {
                bindings
                    .numbot_plugin_config()
                    .call_configure(store, settings)
            }
        }
    };
}

world!(
    ValidatorWorld,
    Validator,
    validator,
    ValidatorPre,
    Validator
);
world!(
    FormatterWorld,
    Formatter,
    formatter,
    FormatterPre,
    Formatter
);
world!(PolicyWorld, Policy, policy, PolicyPre, Policy);
world!(
    ExtractorWorld,
    Extractor,
    extractor,
    ExtractorPre,
    Extractor
);

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
    fn call<R>(
        &self,
        f: impl FnOnce(&W::Bindings, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        let (mut live, reused) = self.acquire()?;
        if reused {
            live.store.set_epoch_deadline(self.deadline_ticks);
        }
        let state = live.store.data_mut();
        state.last_error = None;
        state.log_budget = bindings::LOG_LINES_PER_CALL;
        match f(&live.bindings, &mut live.store) {
            Ok(value) => {
                self.instances
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .idle
                    .push(live);
                self.returned.notify_one();
                Ok(value)
            }
            Err(e) => {
                // The instance's state is unknown after a trap: drop it.
                self.discarded.fetch_add(1, Ordering::Relaxed);
                let error = self.classify(e, &mut live.store);
                drop(live);
                self.forget();
                Err(error)
            }
        }
    }

    fn classify(&self, e: wasmtime::Error, store: &mut Store<HostState>) -> PluginError {
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

    fn refused(&self, message: String) -> PluginError {
        PluginError::Refused {
            plugin: self.id.to_string(),
            message,
        }
    }

    fn contract(&self, message: String) -> PluginError {
        PluginError::Contract {
            plugin: self.id.to_string(),
            message,
        }
    }
}

impl<W: World> Plugin<W> {
    /// Bytes a result may expand to on the host: the plugin's memory limit.
    fn result_budget(&self) -> usize {
        usize::try_from(self.manifest.limits.memory_mib << 20).unwrap_or(usize::MAX)
    }
}

impl Plugin<ValidatorWorld> {
    /// Validates one uploaded file.
    pub fn validate(&self, file_name: &str, data: &[u8]) -> Result<Validation, PluginError> {
        let raw = self
            .call(|b, store| {
                b.numbot_plugin_validate()
                    .call_validate(store, file_name, data)
            })?
            .map_err(|m| self.refused(m))?;
        Spans::validation(&raw, self.result_budget()).map_err(|m| self.contract(m))
    }
}

impl Plugin<FormatterWorld> {
    /// The countries the plugin claims.
    pub fn claims(&self) -> Result<Countries, PluginError> {
        let raw = self.call(|b, store| b.numbot_plugin_format().call_claims(store))?;
        match raw {
            WitCountries::All => Ok(Countries::All),
            WitCountries::Only(list) => {
                let codes: Vec<String> = list.split(',').map(|c| c.trim().to_string()).collect();
                match codes.iter().find(|c| !is_alpha2(c)) {
                    Some(bad) => {
                        Err(self.contract(format!("`{bad}` is not an ISO 3166 alpha-2 code")))
                    }
                    None => Ok(Countries::Only(codes)),
                }
            }
        }
    }

    /// Formats a batch: one result per number, in order.
    pub fn format(
        &self,
        numbers: &[String],
        default_country: Option<&str>,
    ) -> Result<Vec<Result<Formatted, String>>, PluginError> {
        let raw = self.call(|b, store| {
            b.numbot_plugin_format()
                .call_format(store, numbers, default_country)
        })?;
        if raw.results.len() != numbers.len() {
            return Err(self.contract(format!(
                "{} results for {} numbers",
                raw.results.len(),
                numbers.len()
            )));
        }
        Spans::formatted(&raw, self.result_budget()).map_err(|m| self.contract(m))
    }
}

impl Plugin<PolicyWorld> {
    /// Picks a candidate and a slot; the pick is checked against the request.
    pub fn select(&self, request: &Request) -> Result<Choice, PluginError> {
        let wire = request.to_wit();
        let choice = self
            .call(|b, store| b.numbot_plugin_select().call_select(store, &wire))?
            .map_err(|m| self.refused(m))?;
        let Some(candidate) = request.candidates.get(choice.candidate as usize) else {
            return Err(self.contract(format!(
                "candidate {} of {}",
                choice.candidate,
                request.candidates.len()
            )));
        };
        if choice.slot >= candidate.available {
            return Err(self.contract(format!(
                "slot {} of a file with {} available",
                choice.slot, candidate.available
            )));
        }
        Ok(choice)
    }
}

/// Longest code an extractor may return: a code is for typing, not a message.
const MAX_CODE: usize = 64;

impl Plugin<ExtractorWorld> {
    /// The code `text` carries, if any; an empty code or one longer than 64
    /// bytes breaks the contract.
    pub fn extract(&self, text: &str) -> Result<Option<String>, PluginError> {
        let code = self.call(|b, store| b.numbot_plugin_extract().call_extract(store, text))?;
        match code {
            Some(c) if c.is_empty() || c.len() > MAX_CODE => {
                Err(self.contract(format!("a code of {} bytes", c.len())))
            }
            other => Ok(other),
        }
    }
}

fn is_alpha2(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
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
