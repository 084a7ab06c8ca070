//! One wasmtime engine for every plugin: epoch ticker, linker, compiled cache.

use std::{
    fs,
    hash::{Hash, Hasher},
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    thread,
    time::Duration,
};

use sha2::{Digest, Sha256};
use wasmtime::{
    component::{Component, Linker},
    Config, Engine,
};

use super::{
    bindings::{self, HostState},
    error::LoadError,
    instance::{self, AnyPlugin},
    manifest::Manifest,
};

/// The epoch ticks this often; deadlines are rounded up to whole ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(5);

/// Whether a component came from the compiled cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Deserialized from a cached artifact.
    Hit,
    /// Compiled now (and stored, when a cache directory is set).
    Compiled,
}

/// The shared engine. Cloning is cheap; the ticker stops when the last clone goes.
#[derive(Clone)]
pub struct PluginEngine {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    linker: Linker<HostState>,
    cache_dir: Option<PathBuf>,
    /// wasmtime's compatibility hash (version and compiler settings): part of every cache key.
    engine_key: String,
    stop: Arc<AtomicBool>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl PluginEngine {
    /// Builds the engine; compiled components are cached in `cache_dir` when given.
    pub fn new(cache_dir: Option<PathBuf>) -> Result<Self, LoadError> {
        let mut config = Config::new();
        config.epoch_interruption(true);
        config.wasm_component_model(true);
        let engine = Engine::new(&config).map_err(|e| LoadError::Compile {
            path: PathBuf::from("<engine>"),
            message: e.to_string(),
        })?;
        let mut linker = Linker::new(&engine);
        bindings::add_to_linker(&mut linker).map_err(|e| LoadError::Compile {
            path: PathBuf::from("<linker>"),
            message: e.to_string(),
        })?;
        if let Some(dir) = &cache_dir {
            create_private_dir(dir)?;
        }
        let engine_key = {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            engine.precompile_compatibility_hash().hash(&mut hasher);
            format!("engine-{:016x}", hasher.finish())
        };
        let stop = Arc::new(AtomicBool::new(false));
        spawn_ticker(engine.clone(), stop.clone());
        Ok(PluginEngine {
            inner: Arc::new(Inner {
                engine,
                linker,
                cache_dir,
                engine_key,
                stop,
            }),
        })
    }

    /// The wasmtime engine.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    pub(crate) fn linker(&self) -> &Linker<HostState> {
        &self.inner.linker
    }

    /// Compiles a component, or loads it from the cache keyed by content hash and engine.
    pub fn compile(
        &self,
        path: &Path,
        bytes: &[u8],
    ) -> Result<(Component, CacheOutcome), LoadError> {
        let compile_error = |e: wasmtime::Error| LoadError::Compile {
            path: path.to_path_buf(),
            message: format!("{e:#}"),
        };
        let Some(dir) = &self.inner.cache_dir else {
            let component = Component::new(&self.inner.engine, bytes).map_err(compile_error)?;
            return Ok((component, CacheOutcome::Compiled));
        };
        let digest = Sha256::digest(bytes);
        let key = format!("{}-{}.cwasm2", hex(&digest), self.inner.engine_key);
        let cached = dir.join(key);
        let trusted_dir = private(dir);
        if let Err(why) = &trusted_dir {
            tracing::warn!(dir = %dir.display(), "compiled-plugin cache not used, compiling instead: {why}");
        }
        let trusted = trusted_dir.is_ok()
            && match private(&cached) {
                Ok(()) => true,
                Err(why) if cached.exists() => {
                    tracing::warn!(path = %cached.display(), "cached compiled plugin refused, recompiling: {why}");
                    false
                }
                Err(_) => false,
            };
        if trusted {
            match read_artifact(&cached) {
                Ok(artifact) => {
                    // SAFETY: the cache file and its directory are this user's
                    // own and no one else may write them (checked just now); the
                    // bytes are those `Component::serialize` wrote from this
                    // engine configuration (the key holds both the content hash
                    // and the engine hash), as their checksum says.
                    match unsafe { Component::deserialize(&self.inner.engine, &artifact) } {
                        Ok(component) => return Ok((component, CacheOutcome::Hit)),
                        Err(e) => {
                            tracing::warn!(path = %cached.display(), "stale compiled cache entry, recompiling: {e}")
                        }
                    }
                }
                Err(why) if cached.exists() => {
                    tracing::warn!(path = %cached.display(), "damaged compiled cache entry, recompiling: {why}")
                }
                Err(_) => {}
            }
        }
        let component = Component::new(&self.inner.engine, bytes).map_err(compile_error)?;
        if trusted_dir.is_err() {
            return Ok((component, CacheOutcome::Compiled));
        }
        match component.serialize() {
            Ok(artifact) => {
                static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
                let n = NEXT.fetch_add(1, Ordering::Relaxed);
                let tmp = cached.with_extension(format!("tmp.{}.{n}", std::process::id()));
                let stored = write_private(&tmp, &framed(&artifact))
                    .and_then(|()| fs::rename(&tmp, &cached))
                    .and_then(|()| fs::File::open(dir)?.sync_all());
                if let Err(e) = stored {
                    tracing::warn!(path = %cached.display(), "could not store compiled plugin: {e}");
                    let _ = fs::remove_file(&tmp);
                }
            }
            Err(e) => tracing::warn!("could not serialize compiled plugin: {e}"),
        }
        Ok((component, CacheOutcome::Compiled))
    }

    /// Loads `<dir>/<name>.wasm` with its manifest `<dir>/<name>.toml`.
    ///
    /// `settings` override the manifest's `[settings]` key by key.
    pub fn load(&self, wasm: &Path, settings: &[(String, String)]) -> Result<AnyPlugin, LoadError> {
        let manifest_path = wasm.with_extension("toml");
        let dir = wasm.parent().unwrap_or(Path::new("."));
        for path in [dir, wasm, &manifest_path] {
            if path.exists() {
                trusted_source(path).map_err(|why| LoadError::Untrusted {
                    path: path.to_path_buf(),
                    why,
                })?;
            }
        }
        if !manifest_path.exists() {
            return Err(LoadError::MissingManifest {
                wasm: wasm.to_path_buf(),
                manifest: manifest_path,
            });
        }
        let manifest = Manifest::read(&manifest_path)?;
        let bytes = fs::read(wasm).map_err(|source| LoadError::Io {
            path: wasm.to_path_buf(),
            source,
        })?;
        self.load_bytes(wasm, &bytes, manifest, settings)
    }

    /// Loads a component from bytes: compile (or cache), check the world, start one instance.
    pub fn load_bytes(
        &self,
        source: &Path,
        bytes: &[u8],
        manifest: Manifest,
        settings: &[(String, String)],
    ) -> Result<AnyPlugin, LoadError> {
        let (component, _) = self.compile(source, bytes)?;
        let mut merged = manifest.settings();
        for (key, value) in settings {
            match merged.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value.clone(),
                None => merged.push((key.clone(), value.clone())),
            }
        }
        instance::start(self, source, &component, manifest, merged)
    }
}

/// The cache holds native code that is loaded without checks: it must be
/// the current user's own directory, not writable by anyone else.
fn create_private_dir(dir: &Path) -> Result<(), LoadError> {
    use std::os::unix::fs::DirBuilderExt;
    let io = |source| LoadError::Io {
        path: dir.to_path_buf(),
        source,
    };
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io)?;
    private(dir).map_err(|why| {
        io(std::io::Error::other(format!(
            "compiled-plugin cache {why}"
        )))
    })
}

/// Whether `path` (a cache file or the directory) is safe to load native
/// code from: this user's own, and not writable by group or others.
fn private(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let meta = fs::symlink_metadata(path).map_err(|e| format!("cannot be read: {e}"))?;
    // The owner of /proc/self is this process's effective user.
    let me = fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(meta.uid());
    if meta.file_type().is_symlink() {
        return Err("is a symbolic link".into());
    }
    if meta.uid() != me {
        return Err(format!(
            "belongs to uid {}, not this user ({me})",
            meta.uid()
        ));
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o022 != 0 {
        return Err(format!(
            "is group- or world-writable (mode {mode:o}); fix it with `chmod go-w {}`",
            path.display()
        ));
    }
    Ok(())
}

/// The cache file's first bytes: what it is, then the SHA-256 of what follows.
const ARTIFACT_MAGIC: &[u8; 4] = b"NBCW";

/// A compiled artifact as the cache keeps it: the magic, its checksum, itself.
fn framed(artifact: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(36 + artifact.len());
    out.extend_from_slice(ARTIFACT_MAGIC);
    out.extend_from_slice(&Sha256::digest(artifact));
    out.extend_from_slice(artifact);
    out
}

/// A cached artifact, once its checksum matches: native code is never
/// deserialized from a file a crash or a disk cut short or damaged.
fn read_artifact(path: &Path) -> Result<Vec<u8>, String> {
    let mut bytes = fs::read(path).map_err(|e| format!("cannot be read: {e}"))?;
    if bytes.len() < 36 || &bytes[..4] != ARTIFACT_MAGIC {
        return Err("not a numbot cache file".into());
    }
    if Sha256::digest(&bytes[36..]).as_slice() != &bytes[4..36] {
        return Err("its checksum does not match".into());
    }
    Ok(bytes.split_off(36))
}

/// Plugin files run sandboxed, but they decide what numbot does with the
/// numbers: like the cache, a plugin and its directory must belong to this
/// user (or root, for a system-wide install) and be writable by nobody
/// else, so a hot reload never loads what another local user dropped in.
pub(crate) fn trusted_source(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let meta = fs::metadata(path).map_err(|e| format!("cannot be read: {e}"))?;
    let me = fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(meta.uid());
    if meta.uid() != me && meta.uid() != 0 {
        return Err(format!(
            "belongs to uid {}, neither this user ({me}) nor root",
            meta.uid()
        ));
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o022 != 0 {
        return Err(format!(
            "is group- or world-writable (mode {mode:o}); fix it with `chmod go-w {}`",
            path.display()
        ));
    }
    Ok(())
}

/// Writes a new cache file for this user only (0600, whatever the umask),
/// on disk before it is renamed into place.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::{io::Write, os::unix::fs::OpenOptionsExt};
    // A leftover of a crash may hold the name, with its own mode.
    let _ = fs::remove_file(path);
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn spawn_ticker(engine: Engine, stop: Arc<AtomicBool>) {
    thread::Builder::new()
        .name("numbot-epoch".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                thread::sleep(EPOCH_TICK);
                engine.increment_epoch();
            }
        })
        .expect("spawn the epoch ticker thread");
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
