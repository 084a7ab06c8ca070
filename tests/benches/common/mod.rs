//! Shared by the bench commands. Each bench uses part of it.
#![allow(dead_code)]

use std::{path::PathBuf, sync::Arc};

use numbot::{compose, config::Config};
use numbot_core::{tokens::NewToken, upload, NumberStore, SharedPlugins, Upload, UploadReport};
use numbot_otp::{ProviderConfig, SmsConfig};
use numbot_plugin_host::{PluginHost, PluginHostConfig, PluginRunner};
use numbot_store_file::{FileStore, FileUsers, LocalCoordination};
use numbot_testing::{
    fake_sms::{self, FakeSms},
    fake_telegram::FakeTelegram,
};

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

/// The real service on the file store in a temporary directory under
/// `target/`: the default plugins, the OTP monitor on the fake SMS provider
/// (polled every `interval_ms`), the bot on the fake Telegram, the API on
/// 127.0.0.1 (its config as `api` leaves it).
pub struct Served {
    pub service: compose::Service,
    pub store: FileStore,
    pub plugins: SharedPlugins,
    pub sms: FakeSms,
    pub base: String,
    pub dir: tempfile::TempDir,
}

/// Starts [`Served`]; the fakes run on runtimes of their own.
pub async fn serve_api(interval_ms: u64, api: impl FnOnce(&mut numbot_api::ApiConfig)) -> Served {
    let tg = remote("fake-telegram", || async {
        FakeTelegram::start().await.unwrap()
    });
    let sms = remote("fake-sms", || async { FakeSms::start().await.unwrap() });
    let dir = tempfile::tempdir_in(target()).unwrap();
    let mut config = Config::default();
    config.telegram.token = tg.token().into();
    config.telegram.api_url = tg.api_url();
    config.access.admins = vec![1];
    config.store.data_dir = dir.path().to_path_buf();
    let mut provider = SmsConfig::new(ProviderConfig::Twilio {
        url: sms.url(),
        account: fake_sms::ACCOUNT.into(),
        token: fake_sms::TOKEN.into(),
    });
    provider.poll_interval_ms = interval_ms;
    config.sms = Some(provider);
    let mut api_config = numbot_api::ApiConfig::new("127.0.0.1:0".parse().unwrap());
    api(&mut api_config);
    config.api = Some(api_config);
    let config = config.checked().unwrap();
    let plugins = plugins();
    let store = FileStore::open(config.store.store_config(), plugins.clone()).unwrap();
    let users = Arc::new(FileUsers::open(dir.path()).unwrap());
    let backends = compose::Backends {
        store: Arc::new(store.clone()),
        records: numbot_core::Records::all(users),
        coordination: Arc::new(LocalCoordination::open(dir.path()).unwrap()),
        inbox: Arc::new(numbot_core::inbox::MemoryInbox::default()),
    };
    let service = compose::serve(&config, backends, plugins.clone())
        .await
        .unwrap();
    let base = format!("http://{}", service.api_addr().unwrap());
    Served {
        service,
        store,
        plugins,
        sms,
        base,
        dir,
    }
}

impl Served {
    /// Imports `n` UAE numbers from the `first`-th into `category`.
    pub async fn numbers(&self, name: &str, first: usize, n: usize, category: &str) {
        let mut csv = String::from("Number\n");
        for i in first..first + n {
            csv.push_str(&format!("97150{i:07}\n"));
        }
        import(&self.plugins, &self.store, name, csv.into_bytes(), category).await;
    }

    /// A token's secret: no numbers-per-window limit, `max_uses` at once.
    pub async fn token(&self, name: &str, max_uses: u32) -> String {
        let new = NewToken {
            name: name.into(),
            categories: vec![],
            numbers_per_window: Some(u32::MAX),
            max_uses,
        };
        self.service.numbers().issue_token(0, new).await.unwrap().0
    }
}

/// A CSV of `count` distinct valid GB mobile numbers from the `first`-th,
/// one per line.
pub fn number_csv(first: u64, count: u64) -> Vec<u8> {
    let mut out = String::with_capacity(count as usize * 15 + 8);
    out.push_str("number\n");
    for i in first..first + count {
        out.push_str(&format!("+4474{i:08}\n"));
    }
    out.into_bytes()
}

/// `history.jsonl` as the file store writes it, with `uses` uses of
/// `holders` holders (one code each: a code line, then its use line).
/// Returns its size in bytes.
pub fn write_history(dir: &std::path::Path, uses: u32, holders: u32) -> u64 {
    write_history_from(dir, uses, holders, 1_764_547_200, 2)
}

/// [`write_history`] with the first use starting at `t0` (Unix seconds)
/// and the next every `every` seconds.
pub fn write_history_from(
    dir: &std::path::Path,
    uses: u32,
    holders: u32,
    t0: u32,
    every: u32,
) -> u64 {
    use numbot_core::{CodeRecord, CodeSeen, Ended, UseId, UseRecord};
    use std::io::Write;
    let path = dir.join(numbot_store_file::history::HISTORY_FILE);
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for i in 0..uses {
        let number = format!("+97150{:07}", i % 200_000);
        let start = t0 + i * every;
        let id = UseId(u64::from(i) + 1);
        let code = CodeRecord {
            use_id: id,
            number: number.clone(),
            holder: i64::from(i % holders) + 1,
            start,
            seen: CodeSeen {
                at: i64::from(start) + 20,
                code: Some(format!("{:06}", i % 1_000_000)),
            },
        };
        let used = UseRecord {
            id,
            number,
            holder: code.holder,
            category: format!("Category {}", i % 10),
            file: format!("Category_{}_20261201_101010.csv", i % 10),
            start,
            end: start + 40,
            ended: Ended::Completed,
            codes: vec![],
        };
        serde_json::to_writer(&mut out, &serde_json::json!({ "code": code })).unwrap();
        out.write_all(b"\n").unwrap();
        serde_json::to_writer(&mut out, &serde_json::json!({ "use": used })).unwrap();
        out.write_all(b"\n").unwrap();
    }
    out.flush().unwrap();
    std::fs::metadata(&path).unwrap().len()
}

/// This process's resident memory now (`VmRSS`), in MiB.
pub fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Bytes this process has written to storage so far (`/proc/self/io`).
pub fn bytes_written() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("write_bytes: ")?.trim().parse().ok())
        .unwrap_or(0)
}

/// The `p` quantile of sorted microseconds, in milliseconds.
pub fn percentile_ms(sorted: &[u64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

/// Each thread of this process: its name, whether it is the bench's own
/// main thread, and its CPU time so far (ns), from
/// `/proc/self/task/*/schedstat`.
pub fn threads_cpu() -> Vec<(String, bool, u64)> {
    let pid = std::process::id().to_string();
    std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
        .map(|task| {
            let path = task.path();
            let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
            let ns: u64 = std::fs::read_to_string(path.join("schedstat"))
                .ok()
                .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
                .unwrap_or(0);
            let main = task.file_name().to_string_lossy() == pid;
            (comm.trim().to_string(), main, ns)
        })
        .collect()
}

/// CPU time (ns) used so far by this process's threads but those named
/// `except` (the fake services) and the bench's own main thread; and by
/// the threads named `except`.
pub fn cpu_split(except: &[&str]) -> (u64, u64) {
    let (mut mine, mut theirs) = (0, 0);
    for (name, main, ns) in threads_cpu() {
        if except.contains(&name.as_str()) {
            theirs += ns;
        } else if !main {
            mine += ns;
        }
    }
    (mine, theirs)
}

/// The latencies (µs) the `tasks` return, sorted, and how many per second
/// they recorded since `started`.
pub async fn gathered(
    tasks: Vec<tokio::task::JoinHandle<Vec<u64>>>,
    started: std::time::Instant,
) -> (f64, Vec<u64>) {
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let rate = all.len() as f64 / started.elapsed().as_secs_f64();
    all.sort_unstable();
    (rate, all)
}
