//! Load generator for the crash tests: claims numbers of a category on the
//! file store as fast as it can and prints `ACK <user> <number>` once each
//! claim is durable, until the pool runs out; optionally uploads files
//! meanwhile (`UPLOADED <stored name> <numbers>` once each is in) and
//! compacts often. The test kills it at random moments and checks every
//! acknowledged claim and upload after a restart.

use std::{
    io::Write,
    path::PathBuf,
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc,
    },
};

use clap::Parser;
use numbot_core::{NumberStore, SharedPlugins, StoreConfig, Upload};
use numbot_plugin_host::dirs::{default_cache_dir, default_plugin_dirs};
use numbot_store_file::FileStore;

/// Claims numbers until the pool runs out.
#[derive(Parser)]
struct Args {
    /// The store's data directory.
    #[arg(long, default_value = "csv_files")]
    data_dir: PathBuf,
    /// Plugin directory (repeatable); default: the built defaults.
    #[arg(long = "plugin-dir")]
    plugin_dirs: Vec<PathBuf>,
    /// Compiled-plugin cache directory; default: NUMBOT_CACHE_DIR, then ~/.cache/numbot.
    #[arg(long)]
    cache_dir: Option<PathBuf>,
    /// The category to claim from.
    #[arg(long)]
    category: String,
    /// First user id; each claim uses the next one.
    #[arg(long)]
    first_user: i64,
    /// Concurrent claimers.
    #[arg(long, default_value_t = 8)]
    threads: usize,
    /// Upload a file of 100 new numbers (category `Uploads`) this often, in
    /// milliseconds; 0: never.
    #[arg(long, default_value_t = 0)]
    upload_every_ms: u64,
    /// Compact the journal after this many records (the store's default
    /// when not given).
    #[arg(long)]
    compact_every: Option<u64>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dirs = if args.plugin_dirs.is_empty() {
        default_plugin_dirs()
    } else {
        args.plugin_dirs.clone()
    };
    let cache_dir = args.cache_dir.clone().or_else(default_cache_dir);
    let plugins = numbot::compose::start_plugins(dirs, cache_dir)?;
    let mut config = StoreConfig::new(&args.data_dir);
    if let Some(n) = args.compact_every {
        config.compact_every = n;
    }
    let store: Arc<dyn NumberStore> = Arc::new(FileStore::open(config, plugins.clone())?);
    let runtime = tokio::runtime::Runtime::new()?;
    if args.upload_every_ms > 0 {
        runtime.spawn(upload_loop(
            store.clone(),
            plugins,
            args.first_user,
            args.upload_every_ms,
        ));
    }
    runtime.block_on(claim_loop(store, args));
    Ok(())
}

/// Uploads a file of 100 numbers no earlier upload had, every `every_ms`,
/// printing `UPLOADED <stored name> 100` once each is in.
async fn upload_loop(
    store: Arc<dyn NumberStore>,
    plugins: SharedPlugins,
    seed: i64,
    every_ms: u64,
) {
    let first = 560_000_000 + (seed / 1_000_000).rem_euclid(50) * 100_000;
    for i in 0..1_000 {
        tokio::time::sleep(std::time::Duration::from_millis(every_ms)).await;
        let mut csv = String::from("Number\n");
        for k in 0..100 {
            csv.push_str(&format!("971{}\n", first + i * 100 + k));
        }
        let upload = Upload {
            file_name: format!("up-{i}.csv"),
            bytes: Arc::new(csv.into_bytes()),
            category: "Uploads".into(),
            admin: 1,
            default_country: None,
        };
        match numbot_core::upload::import(&*plugins, &*store, upload).await {
            Ok(report) => {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "UPLOADED {} {}", report.file, report.accepted);
                let _ = out.flush();
            }
            Err(e) => {
                eprintln!("claim-loop: upload: {e}");
                return;
            }
        }
    }
}

/// `threads` claimers side by side, each printing `ACK <user> <number>` once
/// its claim is acknowledged, until the pool runs out.
async fn claim_loop(store: Arc<dyn NumberStore>, args: Args) {
    let next = Arc::new(AtomicI64::new(args.first_user));
    let claimers: Vec<_> = (0..args.threads.max(1))
        .map(|_| {
            let (store, category, next) = (store.clone(), args.category.clone(), next.clone());
            tokio::spawn(async move {
                loop {
                    let user = next.fetch_add(1, Ordering::Relaxed);
                    match store.claim(&category, user).await {
                        Ok(a) => {
                            let mut out = std::io::stdout().lock();
                            let _ = writeln!(out, "ACK {user} {}", a.number);
                            let _ = out.flush();
                        }
                        Err(e) => {
                            eprintln!("claim-loop: {e}");
                            return;
                        }
                    }
                }
            })
        })
        .collect();
    for c in claimers {
        let _ = c.await;
    }
}
