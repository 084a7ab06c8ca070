//! The `numbot` command line.

use std::{path::PathBuf, process::ExitCode, sync::Arc};

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use numbot::{
    backends::{self, Backends},
    bot,
    config::Config,
    config::StoreSection,
    plugin::{Manifest, PluginEngine, PluginHost, PluginHostConfig},
    plugin_dirs,
    store::{Store, StoreConfig},
};

/// numbot: a team's pool of phone numbers on Telegram, with WebAssembly plugins.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Plugin directory (repeatable); default: NUMBOT_PLUGIN_DIRS, then the built defaults.
    #[arg(long = "plugin-dir", global = true)]
    plugin_dirs: Vec<PathBuf>,
    /// Compiled-plugin cache directory; default: NUMBOT_CACHE_DIR, then ~/.cache/numbot.
    #[arg(long, global = true)]
    cache_dir: Option<PathBuf>,
    /// Compile plugins on every start instead of caching them.
    #[arg(long, global = true)]
    no_cache: bool,
    /// The store's data directory.
    #[arg(long, global = true, default_value = "csv_files")]
    data_dir: PathBuf,
    /// MongoDB connection string: the commands work on the MongoDB pool
    /// (default: NUMBOT_MONGODB_URI; unset: the data directory).
    #[arg(
        long,
        global = true,
        env = "NUMBOT_MONGODB_URI",
        hide_env_values = true
    )]
    mongodb_uri: Option<String>,
    /// The MongoDB database.
    #[arg(long, global = true, default_value = "numbot")]
    mongodb_database: String,
    /// With a MongoDB connection string: `mongodb`, `migration` or `file`.
    #[arg(long, global = true)]
    pool: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the Telegram bot (long polling or webhook, as the config says).
    Run {
        /// The TOML configuration (see examples/numbot.toml); secrets may
        /// come from NUMBOT_TELEGRAM_TOKEN and NUMBOT_WEBHOOK_SECRET.
        #[arg(long)]
        config: PathBuf,
    },
    /// Inspect plugins.
    Plugins {
        #[command(subcommand)]
        command: PluginsCommand,
    },
    /// Imports a CSV of numbers into a category.
    Import {
        /// The file (CSV, or a plain list of numbers).
        file: PathBuf,
        /// The category users will pick (exact name).
        #[arg(long)]
        category: String,
        /// The admin doing the import (Telegram user id), for the record.
        #[arg(long, default_value_t = 0)]
        admin: i64,
        /// ISO country for numbers written without a country code.
        #[arg(long)]
        country: Option<String>,
    },
    /// Lists uploaded files with their usage.
    Files,
    /// Usage by category and by file.
    Stats,
    /// Deletes an uploaded file (by stored name): available numbers leave at
    /// once, numbers in use when their use ends.
    Delete {
        /// The stored name, as `numbot files` shows it.
        file: String,
    },
    /// Load generator for crash tests: claims numbers of a category as fast as
    /// possible and prints `ACK <user> <number>` once each claim is durable.
    #[command(hide = true)]
    ClaimLoop {
        #[arg(long)]
        category: String,
        /// First user id; each claim uses the next one.
        #[arg(long)]
        first_user: i64,
        /// Concurrent claimers.
        #[arg(long, default_value_t = 8)]
        threads: usize,
    },
    /// Runs the offline demo: the default plugins at work on the sample CSV.
    Demo {
        /// The CSV to upload (default: examples/sample.csv).
        #[arg(long)]
        csv: Option<PathBuf>,
        /// Keep the fake servers and the bot running after the script (Ctrl-C stops).
        #[arg(long)]
        keep_running: bool,
    },
}

#[derive(Subcommand)]
enum PluginsCommand {
    /// Lists loaded plugins: id, version, world, countries, source file.
    List,
    /// Checks a component against the numbot worlds and its manifest.
    Check {
        /// The component (`NAME.wasm`; its manifest is `NAME.toml` beside it).
        file: PathBuf,
        /// The manifest, when it is not beside the component.
        #[arg(long)]
        manifest: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("NUMBOT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The store the command-line options name, with the runtime its calls run on.
fn open_store(
    section: &StoreSection,
    dirs: Vec<PathBuf>,
    cache_dir: Option<PathBuf>,
) -> Result<(tokio::runtime::Runtime, Store)> {
    let runtime = tokio::runtime::Runtime::new()?;
    let config = StoreConfig::new(&section.data_dir);
    let store = runtime
        .block_on(open_backends(section, config, dirs, cache_dir))?
        .store;
    Ok((runtime, store))
}

/// The plugin host (refused plugins are reported) and the backends on it.
async fn open_backends(
    section: &StoreSection,
    config: StoreConfig,
    dirs: Vec<PathBuf>,
    cache_dir: Option<PathBuf>,
) -> Result<Backends> {
    let plugins = PluginHost::start(PluginHostConfig {
        dirs,
        cache_dir,
        ..Default::default()
    })?;
    for (_, error) in plugins.load_errors() {
        eprintln!("warning: plugin refused: {error}");
    }
    Ok(backends::open(section, config, plugins).await?)
}

/// `numbot run`: the store, the user records and the bot, until Ctrl-C.
fn run_bot(
    path: &std::path::Path,
    dirs: Vec<PathBuf>,
    cache_dir: Option<PathBuf>,
) -> Result<ExitCode> {
    let config = Config::load(path)?;
    let dirs = if config.plugins.dirs.is_empty() {
        dirs
    } else {
        config.plugins.dirs.clone()
    };
    let cache_dir = config.plugins.cache_dir.clone().or(cache_dir);
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let Backends { store, users } =
            open_backends(&config.store, config.store.store_config()?, dirs, cache_dir).await?;
        let pool = store.backend();
        let bot = bot::start(config.clone(), store, users).await?;
        eprintln!(
            "numbot is running as @{} ({:?} mode, numbers in the {pool}); Ctrl-C stops it",
            bot.username, config.telegram.mode,
        );
        let mut bot = bot;
        tokio::select! {
            signal = tokio::signal::ctrl_c() => {
                signal?;
                eprintln!("stopping: finishing the updates in hand");
                bot.stop(std::time::Duration::from_secs(15)).await;
                anyhow::Ok(())
            }
            reason = bot.finished() => Err(anyhow::anyhow!("the bot stopped: {reason}")),
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `numbot claim-loop`: `threads` claimers side by side, each printing
/// `ACK <user> <number>` once its claim is acknowledged, until the pool runs out.
async fn claim_loop(store: Store, category: String, first_user: i64, threads: usize) {
    let next = Arc::new(std::sync::atomic::AtomicI64::new(first_user));
    let claimers: Vec<_> = (0..threads.max(1))
        .map(|_| {
            let (store, category, next) = (store.clone(), category.clone(), next.clone());
            tokio::spawn(async move {
                loop {
                    let user = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    match store.claim(&category, user).await {
                        Ok(a) => {
                            use std::io::Write;
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

fn run(cli: Cli) -> Result<ExitCode> {
    let cache_dir = if cli.no_cache {
        None
    } else {
        cli.cache_dir
            .clone()
            .or_else(plugin_dirs::default_cache_dir)
    };
    let dirs = if cli.plugin_dirs.is_empty() {
        plugin_dirs::default_plugin_dirs()
    } else {
        cli.plugin_dirs.clone()
    };
    let section = StoreSection {
        data_dir: cli.data_dir.clone(),
        mongodb_uri: cli.mongodb_uri.clone(),
        mongodb_database: cli.mongodb_database.clone(),
        pool: cli.pool.clone(),
        ..StoreSection::default()
    };
    match cli.command {
        Command::Run { config } => run_bot(&config, dirs, cache_dir),
        Command::Plugins {
            command: PluginsCommand::List,
        } => {
            let host = PluginHost::start(PluginHostConfig {
                dirs: dirs.clone(),
                cache_dir,
                ..Default::default()
            })?;
            let plugins = host.plugins();
            println!(
                "{:<22} {:<8} {:<10} {:<12} SOURCE",
                "ID", "VERSION", "WORLD", "COUNTRIES"
            );
            for p in &plugins {
                let countries = p
                    .countries
                    .as_ref()
                    .map_or("all".to_string(), |c| c.join(","));
                let countries = if p.world == numbot::plugin::WorldKind::Formatter {
                    countries
                } else {
                    "-".into()
                };
                println!(
                    "{:<22} {:<8} {:<10} {:<12} {}",
                    p.id,
                    p.version,
                    p.world,
                    countries,
                    p.source.display()
                );
            }
            let errors = host.load_errors();
            for (_, error) in &errors {
                eprintln!("refused: {error}");
            }
            if plugins.is_empty() {
                eprintln!(
                    "no plugins found in {}: run `cargo build-plugins` or pass --plugin-dir",
                    dirs.iter()
                        .map(|d| d.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                return Ok(ExitCode::FAILURE);
            }
            Ok(if errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            })
        }
        Command::Plugins {
            command: PluginsCommand::Check { file, manifest },
        } => {
            let engine = PluginEngine::new(cache_dir)?;
            let plugin = match manifest {
                Some(path) => {
                    let manifest = Manifest::read(&path)?;
                    let bytes =
                        std::fs::read(&file).with_context(|| format!("read {}", file.display()))?;
                    engine.load_bytes(&file, &bytes, manifest, &[])?
                }
                None => engine.load(&file, &[])?,
            };
            let m = plugin.manifest();
            let claims = match &plugin {
                numbot::plugin::AnyPlugin::Formatter(_, numbot::plugin::types::Countries::All) => {
                    ", claims all countries".to_string()
                }
                numbot::plugin::AnyPlugin::Formatter(
                    _,
                    numbot::plugin::types::Countries::Only(c),
                ) => format!(", claims {}", c.join(",")),
                _ => String::new(),
            };
            println!(
                "ok: {} {} implements numbot:plugin@{}/{}{claims} (limits: {} MiB, {} ms)",
                m.id, m.version, m.api, m.world, m.limits.memory_mib, m.limits.timeout_ms
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            file,
            category,
            admin,
            country,
        } => {
            let (runtime, store) = open_store(&section, dirs, cache_dir)?;
            let bytes = std::fs::read(&file).with_context(|| format!("read {}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let report = runtime.block_on(store.upload(
                &name,
                Arc::new(bytes),
                &category,
                admin,
                country.clone(),
            ))?;
            println!(
                "imported {} into `{}` as {}",
                name, report.category, report.file
            );
            println!("  accepted:            {}", report.accepted);
            println!("  duplicates in file:  {}", report.duplicates_in_file);
            println!("  already in the pool: {}", report.duplicates_in_pool);
            println!("  rejected:            {}", report.rejected_count);
            for (reason, count) in &report.rejected_by_reason {
                println!("    {count:>6}  {reason}");
            }
            for r in report.rejected.iter().take(20) {
                println!("    line {:>6}: {} ({})", r.line, r.reason, r.content);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Files => {
            let (runtime, store) = open_store(&section, dirs, cache_dir)?;
            println!(
                "{:<36} {:<18} {:>9} {:>9} {:>9} {:>7}  CREATED",
                "FILE", "CATEGORY", "NUMBERS", "AVAILABLE", "USES", "USED%"
            );
            for f in runtime.block_on(store.files())? {
                let deleted = if f.meta.deleted { "  (deleted)" } else { "" };
                println!(
                    "{:<36} {:<18} {:>9} {:>9} {:>9} {:>6.1}%  {}{deleted}",
                    f.name,
                    f.meta.country_name,
                    f.usage.total,
                    f.usage.available,
                    f.usage.assignments,
                    f.usage.used_percent,
                    f.meta.created_at
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Stats => {
            let (runtime, store) = open_store(&section, dirs, cache_dir)?;
            let stats = runtime.block_on(store.stats())?;
            println!(
                "{:<24} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7}",
                "CATEGORY", "NUMBERS", "AVAILABLE", "IN USE", "COOLING", "USES", "USED%"
            );
            for (category, u) in &stats.categories {
                println!(
                    "{:<24} {:>9} {:>9} {:>9} {:>9} {:>9} {:>6.1}%",
                    category,
                    u.total,
                    u.available,
                    u.assigned,
                    u.cooling,
                    u.assignments,
                    u.used_percent
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Delete { file } => {
            let (runtime, store) = open_store(&section, dirs, cache_dir)?;
            let meta = runtime.block_on(store.delete_file(&file))?;
            println!(
                "deleted {file} ({} numbers of `{}`); its history stays in the statistics",
                meta.number_count, meta.country_name
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::ClaimLoop {
            category,
            first_user,
            threads,
        } => {
            let (runtime, store) = open_store(&section, dirs, cache_dir)?;
            runtime.block_on(claim_loop(store, category, first_user, threads));
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { csv, keep_running } => {
            let mut dirs = dirs;
            let examples = plugin_dirs::example_plugin_dir();
            if examples.is_dir() && !dirs.contains(&examples) {
                dirs.push(examples);
            }
            let csv = csv.unwrap_or_else(|| {
                PathBuf::from(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../examples/sample.csv"
                ))
            });
            numbot::demo::run(
                PluginHostConfig {
                    dirs,
                    cache_dir,
                    ..Default::default()
                },
                &csv,
                keep_running,
            )?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
