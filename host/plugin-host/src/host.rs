//! The plugin host: discovery in directories, routing, hot reload.

use std::{
    collections::{BTreeMap, HashMap},
    fs,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex, RwLock,
    },
    thread,
    time::{Duration, SystemTime},
};

use numbot_core::plugins::{Inventory, PluginInfo};

use crate::{
    engine::PluginEngine,
    error::{LoadError, PluginError},
    instance::{AnyPlugin, Plugin},
    manifest::{Manifest, WorldKind},
    routes::{build_routes, pick, Routes},
    types::{Choice, Formatted, Request, Validation},
    worlds::{ExtractorWorld, FormatterWorld, PolicyWorld, ValidatorWorld},
};

/// Ids preferred when several plugins of a world are loaded and none is configured.
const DEFAULT_VALIDATOR: &str = "numbot-validator";
const DEFAULT_POLICY: &str = "numbot-policy";
const DEFAULT_EXTRACTOR: &str = "numbot-extractor";

/// How the host finds and runs plugins.
#[derive(Debug, Clone, Default)]
pub struct PluginHostConfig {
    /// Directories scanned for `<name>.wasm` + `<name>.toml`, in order.
    pub dirs: Vec<PathBuf>,
    /// Where compiled components are cached; `None` compiles on every start.
    pub cache_dir: Option<PathBuf>,
    /// The validator to use, by id (default: `numbot-validator`, else the only one).
    pub validator: Option<String>,
    /// The policy to use, by id (default: `numbot-policy`, else the only one).
    pub policy: Option<String>,
    /// The extractor to use, by id (default: `numbot-extractor`, else the only one).
    pub extractor: Option<String>,
    /// Settings per plugin id, overriding the manifests' `[settings]`.
    pub settings: HashMap<String, Vec<(String, String)>>,
}

/// What one rescan changed.
#[derive(Debug, Default)]
pub struct ReloadReport {
    /// Plugins loaded for the first time.
    pub added: Vec<String>,
    /// Plugins replaced by a new version of their file.
    pub replaced: Vec<String>,
    /// Plugins whose file disappeared.
    pub removed: Vec<String>,
    /// Files that failed to load; a plugin that was serving before keeps serving.
    pub failed: Vec<(PathBuf, Arc<LoadError>)>,
}

impl ReloadReport {
    /// True when the set of serving plugins changed.
    pub fn changed(&self) -> bool {
        !(self.added.is_empty() && self.replaced.is_empty() && self.removed.is_empty())
    }
}

/// Size and modification time of a plugin's `.wasm` and manifest.
type Fingerprint = (u64, Option<SystemTime>, u64, Option<SystemTime>);

/// What the host knows of one `.wasm` path.
pub(crate) struct FileEntry {
    /// The fingerprint last tried, successful or not.
    pub(crate) tried: Fingerprint,
    /// The plugin serving from this path, if any (the old one when a reload failed).
    pub(crate) plugin: Option<AnyPlugin>,
    /// The last load error for this path.
    pub(crate) error: Option<Arc<LoadError>>,
}

/// Loads plugins from directories and routes calls to them.
pub struct PluginHost {
    engine: PluginEngine,
    config: PluginHostConfig,
    files: Mutex<BTreeMap<PathBuf, FileEntry>>,
    /// Held for a whole rescan.
    rescanning: Mutex<()>,
    routes: RwLock<Arc<Routes>>,
}

impl PluginHost {
    /// Creates the engine and loads every plugin found. Broken files are
    /// reported by [`PluginHost::load_errors`], not fatal.
    pub fn start(config: PluginHostConfig) -> Result<Arc<PluginHost>, LoadError> {
        let engine = PluginEngine::new(config.cache_dir.clone())?;
        let host = Arc::new(PluginHost {
            engine,
            config,
            files: Mutex::new(BTreeMap::new()),
            rescanning: Mutex::new(()),
            routes: RwLock::new(Arc::new(Routes::default())),
        });
        host.rescan();
        Ok(host)
    }

    /// Scans the directories: loads new files, reloads changed ones, drops
    /// removed ones. A changed file that fails to load leaves the previous
    /// version serving.
    pub fn rescan(&self) -> ReloadReport {
        // One rescan at a time; plugins start outside the file table's lock,
        // so that `plugins()` and `load_errors()` never wait for a `configure`.
        let _one = self.rescanning.lock().unwrap_or_else(|p| p.into_inner());
        let mut report = ReloadReport::default();
        let found = self.discover();
        let attempts = self.load_changed(&found);
        let mut files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        let gone: Vec<PathBuf> = files
            .keys()
            .filter(|p| !found.contains_key(*p))
            .cloned()
            .collect();
        for path in gone {
            if let Some(FileEntry {
                plugin: Some(plugin),
                ..
            }) = files.remove(&path)
            {
                tracing::info!(plugin = %plugin.manifest().id, "plugin removed");
                report.removed.push(plugin.manifest().id.clone());
            }
        }
        for (path, fingerprint, loaded) in attempts {
            apply(&mut files, path, fingerprint, loaded, &mut report);
        }
        if report.changed()
            || self
                .routes
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .infos
                .is_empty()
        {
            let routes = build_routes(&files);
            *self.routes.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(routes);
        }
        report
    }

    /// Loads the files that are new or changed since they were tried (or
    /// whose refusal may have gone: another file held its id, or it failed
    /// to start).
    fn load_changed(
        &self,
        found: &BTreeMap<PathBuf, Fingerprint>,
    ) -> Vec<(PathBuf, Fingerprint, Result<AnyPlugin, LoadError>)> {
        let pending: Vec<(PathBuf, Fingerprint)> = {
            let files = self.files.lock().unwrap_or_else(|p| p.into_inner());
            found
                .iter()
                .filter(|(path, fingerprint)| {
                    !files.get(*path).is_some_and(|e| {
                        e.tried == **fingerprint
                            && !matches!(
                                e.error.as_deref(),
                                Some(LoadError::DuplicateId { .. } | LoadError::Start { .. })
                            )
                    })
                })
                .map(|(p, f)| (p.clone(), *f))
                .collect()
        };
        pending
            .into_iter()
            .map(|(path, fingerprint)| {
                let loaded = self.engine.load(&path, &self.settings_for(&path));
                (path, fingerprint, loaded)
            })
            .collect()
    }

    /// Rescans every `interval` on a background thread until the handle is dropped.
    pub fn watch(self: &Arc<Self>, interval: Duration) -> WatchHandle {
        let stop = Arc::new(AtomicBool::new(false));
        let host = Arc::downgrade(self);
        let flag = stop.clone();
        thread::Builder::new()
            .name("numbot-plugin-watch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    thread::sleep(interval);
                    match host.upgrade() {
                        Some(host) => {
                            host.rescan();
                        }
                        None => break,
                    }
                }
            })
            .expect("spawn the plugin watcher thread");
        WatchHandle { stop }
    }

    /// The serving plugins, sorted by world and id.
    pub fn plugins(&self) -> Vec<PluginInfo> {
        self.routes().infos.clone()
    }

    /// The serving plugins and the refused files, with the reasons.
    pub fn inventory(&self) -> Inventory {
        Inventory {
            plugins: self.plugins(),
            refused: self
                .load_errors()
                .into_iter()
                .map(|(path, e)| (path, e.to_string()))
                .collect(),
        }
    }

    /// The serving plugin `id`, whatever its world: for callers that name
    /// one plugin (`numbot plugins run --plugin`) instead of the routing.
    pub fn plugin(&self, id: &str) -> Option<AnyPlugin> {
        self.routes().by_id.get(id).cloned()
    }

    /// Files that failed to load on their latest version.
    pub fn load_errors(&self) -> Vec<(PathBuf, Arc<LoadError>)> {
        let files = self.files.lock().unwrap_or_else(|p| p.into_inner());
        files
            .iter()
            .filter_map(|(p, e)| e.error.clone().map(|err| (p.clone(), err)))
            .collect()
    }

    /// Validates an uploaded file with the configured validator.
    pub fn validate(&self, file_name: &str, data: &[u8]) -> Result<Validation, PluginError> {
        self.validator()?.validate(file_name, data)
    }

    /// The configured validator.
    pub fn validator(&self) -> Result<Arc<Plugin<ValidatorWorld>>, PluginError> {
        let routes = self.routes();
        pick(
            &routes.validators,
            self.config.validator.as_deref(),
            DEFAULT_VALIDATOR,
            WorldKind::Validator,
        )
    }

    /// Picks a number with the configured policy.
    pub fn select(&self, request: &Request) -> Result<Choice, PluginError> {
        self.policy()?.select(request)
    }

    /// The configured policy.
    pub fn policy(&self) -> Result<Arc<Plugin<PolicyWorld>>, PluginError> {
        let routes = self.routes();
        pick(
            &routes.policies,
            self.config.policy.as_deref(),
            DEFAULT_POLICY,
            WorldKind::Policy,
        )
    }

    /// Finds the verification code in an SMS with the configured extractor.
    pub fn extract(&self, text: &str) -> Result<Option<String>, PluginError> {
        self.extractor()?.extract(text)
    }

    /// The configured extractor.
    pub fn extractor(&self) -> Result<Arc<Plugin<ExtractorWorld>>, PluginError> {
        let routes = self.routes();
        pick(
            &routes.extractors,
            self.config.extractor.as_deref(),
            DEFAULT_EXTRACTOR,
            WorldKind::Extractor,
        )
    }

    /// The formatter that answers for `country` (ISO alpha-2), falling back to the default.
    pub fn formatter_for(&self, country: &str) -> Result<Arc<Plugin<FormatterWorld>>, PluginError> {
        let routes = self.routes();
        routes
            .by_country
            .get(&country.to_ascii_uppercase())
            .or(routes.fallback.as_ref())
            .cloned()
            .ok_or(PluginError::Missing {
                world: WorldKind::Formatter,
                wanted: None,
            })
    }

    /// Formats a batch, routing each number to the formatter that claims its country.
    ///
    /// The fallback formatter (one that claims all countries) reads every
    /// number first, which tells its country; numbers of a claimed country are
    /// then formatted again by their claiming plugin, whose answer wins. A
    /// claiming plugin that fails leaves the fallback's answer, with a warning.
    pub fn format(
        &self,
        numbers: &[String],
        default_country: Option<&str>,
    ) -> Result<Vec<Result<Formatted, String>>, PluginError> {
        let default_country = default_country.map(str::to_ascii_uppercase);
        let default_country = default_country.as_deref();
        let routes = self.routes();
        let Some(fallback) = routes.fallback.clone() else {
            // Without a fallback, only the claim on the default country routes.
            let country = default_country.ok_or(PluginError::Missing {
                world: WorldKind::Formatter,
                wanted: None,
            })?;
            return self
                .formatter_for(country)?
                .format(numbers, default_country);
        };
        let mut out = fallback.format(numbers, default_country)?;
        if routes.by_country.is_empty() {
            return Ok(out);
        }
        let mut groups: HashMap<&str, (Arc<Plugin<FormatterWorld>>, Vec<usize>)> = HashMap::new();
        for (i, result) in out.iter().enumerate() {
            let country = match result {
                Ok(f) => Some(f.country.as_str()),
                Err(_) => default_country,
            };
            if let Some((country, plugin)) =
                country.and_then(|c| routes.by_country.get_key_value(c))
            {
                groups
                    .entry(country.as_str())
                    .or_insert_with(|| (plugin.clone(), Vec::new()))
                    .1
                    .push(i);
            }
        }
        let mut replacements = Vec::new();
        for (country, (plugin, indices)) in groups {
            let batch: Vec<String> = indices.iter().map(|&i| numbers[i].clone()).collect();
            match plugin.format(&batch, Some(country)) {
                Ok(results) => replacements.extend(indices.into_iter().zip(results)),
                Err(e) => {
                    tracing::warn!(%country, "country formatter failed, default formatting kept: {e}")
                }
            }
        }
        for (i, result) in replacements {
            out[i] = result;
        }
        Ok(out)
    }

    fn routes(&self) -> Arc<Routes> {
        self.routes
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn discover(&self) -> BTreeMap<PathBuf, Fingerprint> {
        let mut found = BTreeMap::new();
        for dir in &self.config.dirs {
            let Ok(entries) = fs::read_dir(dir) else {
                tracing::warn!(dir = %dir.display(), "plugin directory not readable");
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "wasm") {
                    found.insert(path.clone(), fingerprint(&path));
                }
            }
        }
        found
    }

    fn settings_for(&self, wasm: &Path) -> Vec<(String, String)> {
        Manifest::read(&wasm.with_extension("toml"))
            .ok()
            .and_then(|m| self.config.settings.get(&m.id).cloned())
            .unwrap_or_default()
    }
}

/// Stops the watcher thread when dropped.
pub struct WatchHandle {
    stop: Arc<AtomicBool>,
}

impl Drop for WatchHandle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn fingerprint(wasm: &Path) -> Fingerprint {
    let meta = |p: &Path| {
        fs::metadata(p)
            .map(|m| (m.len(), m.modified().ok()))
            .unwrap_or((0, None))
    };
    let (wasm_len, wasm_time) = meta(wasm);
    let (toml_len, toml_time) = meta(&wasm.with_extension("toml"));
    (wasm_len, wasm_time, toml_len, toml_time)
}

/// Records one load attempt: the plugin serves from its path (replacing an
/// earlier version), or the error is kept and an earlier version, if any,
/// keeps serving. An id another file holds is refused.
fn apply(
    files: &mut BTreeMap<PathBuf, FileEntry>,
    path: PathBuf,
    fingerprint: Fingerprint,
    loaded: Result<AnyPlugin, LoadError>,
    report: &mut ReloadReport,
) {
    let loaded = loaded.and_then(|plugin| {
        let id = &plugin.manifest().id;
        match files
            .iter()
            .find(|(p, e)| **p != path && e.plugin.as_ref().is_some_and(|o| &o.manifest().id == id))
        {
            Some((other, _)) => Err(LoadError::DuplicateId {
                path: path.clone(),
                id: id.clone(),
                other: other.clone(),
            }),
            None => Ok(plugin),
        }
    });
    let entry = files.entry(path.clone()).or_insert(FileEntry {
        tried: fingerprint,
        plugin: None,
        error: None,
    });
    entry.tried = fingerprint;
    match loaded {
        Ok(plugin) => {
            let id = plugin.manifest().id.clone();
            if entry.plugin.replace(plugin).is_some() {
                tracing::info!(plugin = %id, "plugin reloaded");
                report.replaced.push(id);
            } else {
                tracing::info!(plugin = %id, "plugin loaded");
                report.added.push(id);
            }
            entry.error = None;
        }
        Err(error) => {
            let error = Arc::new(error);
            match &entry.plugin {
                Some(old) => tracing::warn!(
                    plugin = %old.manifest().id,
                    "new version refused, the previous one keeps serving: {error}"
                ),
                None => tracing::warn!("plugin refused: {error}"),
            }
            entry.error = Some(error.clone());
            report.failed.push((path, error));
        }
    }
}
