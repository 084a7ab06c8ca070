//! Load generator for the crash tests: claims numbers of a category on the
//! file store as fast as it can and prints `ACK <user> <number>` once each
//! claim is durable, until the pool runs out. The test kills it at random
//! moments and checks every acknowledged claim after a restart.

use std::{
    io::Write,
    path::PathBuf,
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc,
    },
};

use clap::Parser;
use numbot_core::{NumberStore, StoreConfig};
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
    let store = FileStore::open(StoreConfig::new(&args.data_dir), plugins)?;
    let store: Arc<dyn NumberStore> = Arc::new(store);
    tokio::runtime::Runtime::new()?.block_on(claim_loop(store, args));
    Ok(())
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
