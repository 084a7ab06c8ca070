//! Shared by the bench commands. Each bench uses part of it.
#![allow(dead_code)]

use std::{path::PathBuf, sync::Arc};

use numbot_core::{upload, NumberStore, SharedPlugins, Upload, UploadReport};
use numbot_plugin_host::{PluginHost, PluginHostConfig, PluginRunner};

/// The workspace's target directory.
pub fn target() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target"))
}

/// This process's peak resident memory (`VmHWM`), in MiB.
pub fn rss_peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

/// The default plugins from `cargo build-plugins`, with a compiled cache of
/// the benches' own.
pub fn host() -> Arc<PluginHost> {
    let host = PluginHost::start(PluginHostConfig {
        dirs: vec![target().join("plugins")],
        cache_dir: Some(target().join("bench-plugin-cache")),
        ..Default::default()
    })
    .expect("plugins");
    assert!(host.plugins().len() >= 3, "run `cargo build-plugins` first");
    host
}

/// [`host`] as the stores and front ends call it.
pub fn plugins() -> SharedPlugins {
    PluginRunner::new(host())
}

/// Imports `bytes` into `category` through the use case the front ends
/// call.
pub async fn import(
    plugins: &SharedPlugins,
    store: &(impl NumberStore + ?Sized),
    name: &str,
    bytes: Vec<u8>,
    category: &str,
) -> UploadReport {
    let upload = Upload {
        file_name: name.to_string(),
        bytes: Arc::new(bytes),
        category: category.to_string(),
        admin: 1,
        default_country: None,
    };
    upload::import(&**plugins, store, upload)
        .await
        .expect("the import")
}

/// Runs `start` on a runtime of its own (one thread, named `name`), as the
/// remote service it stands for, so the bot's threads do only the bot's work.
pub fn remote<T, F>(name: &'static str, start: impl FnOnce() -> F + Send + 'static) -> T
where
    T: Send + 'static,
    F: std::future::Future<Output = T> + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name(name)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                tx.send(start().await).unwrap();
                std::future::pending::<()>().await
            })
        })
        .unwrap();
    rx.recv().unwrap()
}

/// The `p` quantile of sorted microseconds, in milliseconds.
pub fn percentile_ms(sorted: &[u64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

/// CPU time (ns) used so far by this process's threads but those named
/// `except` (the fake services) and the bench's own main thread, from
/// `/proc/self/task/*/schedstat`; and by the threads named `except`.
pub fn cpu_split(except: &[&str]) -> (u64, u64) {
    let pid = std::process::id().to_string();
    let (mut mine, mut theirs) = (0, 0);
    for task in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        let path = task.path();
        let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        let ns: u64 = std::fs::read_to_string(path.join("schedstat"))
            .ok()
            .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
            .unwrap_or(0);
        if except.contains(&comm.trim()) {
            theirs += ns;
        } else if task.file_name().to_string_lossy() != pid {
            mine += ns;
        }
    }
    (mine, theirs)
}
