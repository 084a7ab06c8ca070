//! Shared test support: where the built plugins are, shared hosts, log capture.

use std::{
    io::Write,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, OnceLock},
};

use numbot::plugin::{AnyPlugin, PluginEngine, PluginHost, PluginHostConfig};

/// The workspace's target directory.
pub fn target() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target")
}

fn built(dir: &str) -> PathBuf {
    let path = target().join(dir);
    assert!(
        path.is_dir(),
        "{} is missing: run `cargo build-plugins` before the tests",
        path.display()
    );
    path
}

/// The default plugins.
pub fn defaults() -> PathBuf {
    built("plugins")
}

/// The example plugins.
pub fn examples() -> PathBuf {
    built("plugins-examples")
}

/// The hostile fixtures.
pub fn fixtures() -> PathBuf {
    built("plugins-fixtures")
}

/// A compiled cache shared by the tests, so that each component compiles once per run.
pub fn cache() -> PathBuf {
    target().join("test-plugin-cache")
}

/// A host with the default and example plugins, shared by read-only tests.
pub fn shared_host() -> Arc<PluginHost> {
    static HOST: OnceLock<Arc<PluginHost>> = OnceLock::new();
    HOST.get_or_init(|| host(vec![defaults(), examples()]))
        .clone()
}

/// A host on the given directories; panics if any file fails to load.
pub fn host(dirs: Vec<PathBuf>) -> Arc<PluginHost> {
    let host = PluginHost::start(PluginHostConfig {
        dirs,
        cache_dir: Some(cache()),
        ..Default::default()
    })
    .expect("start the plugin host");
    assert!(
        host.load_errors().is_empty(),
        "load errors: {:?}",
        host.load_errors()
    );
    host
}

/// An engine for loading single plugins.
pub fn engine() -> PluginEngine {
    static ENGINE: OnceLock<PluginEngine> = OnceLock::new();
    ENGINE
        .get_or_init(|| PluginEngine::new(Some(cache())).expect("engine"))
        .clone()
}

/// Loads one built plugin file.
pub fn load(dir: &Path, name: &str) -> AnyPlugin {
    engine()
        .load(&dir.join(format!("{name}.wasm")), &[])
        .unwrap_or_else(|e| panic!("load {name}: {e}"))
}

/// Copies `<name>.wasm` and `<name>.toml` from `from` into `to` as `<as_name>.*`.
pub fn copy_plugin(from: &Path, name: &str, to: &Path, as_name: &str) {
    for ext in ["wasm", "toml"] {
        let tmp = to.join(format!(".{as_name}.{ext}.tmp"));
        std::fs::copy(from.join(format!("{name}.{ext}")), &tmp).expect("copy plugin");
        std::fs::rename(&tmp, to.join(format!("{as_name}.{ext}"))).expect("rename plugin");
    }
}

/// Collects what `tracing` prints while `f` runs on this thread.
pub fn capture_logs<R>(f: impl FnOnce() -> R) -> (R, String) {
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let result = tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    (result, text)
}
