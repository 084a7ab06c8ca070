//! Shared by the bench commands. Each bench uses part of it.
#![allow(dead_code)]

use std::{path::PathBuf, sync::Arc};

use numbot::plugin::{PluginHost, PluginHostConfig};

/// The default plugins from `cargo build-plugins`, with a compiled cache of
/// the benches' own.
pub fn plugins() -> Arc<PluginHost> {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let host = PluginHost::start(PluginHostConfig {
        dirs: vec![root.join("target/plugins")],
        cache_dir: Some(root.join("target/bench-plugin-cache")),
        ..Default::default()
    })
    .expect("plugins");
    assert!(host.plugins().len() >= 3, "run `cargo build-plugins` first");
    host
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
