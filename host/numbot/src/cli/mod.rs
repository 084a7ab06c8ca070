//! The `numbot` command line: one function per subcommand, each opening
//! only what it needs. The pool's commands (import, files, stats, delete,
//! token, export) are a front end on the use cases ([`pool`]); the
//! operator's maintenance (repair, backup, restore) works on the data
//! directory itself ([`maintenance`]).

mod maintenance;
mod pool;

use std::{
    fs::File,
    io::{self, BufRead, BufReader, IsTerminal},
    path::{Path, PathBuf},
    process::ExitCode,
};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use numbot_plugin_host::{
    dirs::{default_cache_dir, default_plugin_dirs},
    types::Countries,
    AnyPlugin, Manifest, PluginEngine, WorldKind,
};

use crate::{
    compose,
    config::{Config, PoolKind, StoreSection},
    plugin_run::{self, RunError, RunOptions},
    scaffold,
};

/// numbot: a team's pool of phone numbers on Telegram, with WebAssembly plugins.
#[derive(Parser)]
#[command(version, about)]
pub struct Cli {
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
    /// With a MongoDB connection string: where the numbers live.
    #[arg(long, global = true, value_enum)]
    pool: Option<PoolKind>,
    /// Who runs the command (a Telegram user id), for the audit trail.
    #[arg(long, global = true, default_value_t = 0)]
    admin: i64,
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
        /// The category users will pick (exact name); default: the one
        /// every row names (a vendor's `Range` column), as the bot reads it.
        #[arg(long)]
        category: Option<String>,
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
    /// API tokens for test automation (see `[api]`).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Salvages a data directory whose journal has damaged records (numbot
    /// refuses to start on one): keeps every valid record, keeps numbers
    /// whose state is unknown out of the free pool, and reports what it did.
    /// numbot must not be running.
    Repair {
        /// The configuration numbot runs with: its `[store]` reuse rule and
        /// lease decide how long unknown numbers stay out (default: the
        /// defaults, in `--data-dir`).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Treat the numbers a damaged record may have used as used (the
        /// reuse rule's cooldown, or retired under `once`) instead of giving
        /// them back once any lease it began has ended.
        #[arg(long)]
        retire_possibly_used: bool,
    },
    /// Writes a backup of the data directory to FILE (a .tar.gz with a
    /// manifest and checksums): a consistent state of the pool, whether
    /// numbot is running on the directory or not.
    Backup {
        /// The archive to write.
        file: PathBuf,
        /// The configuration numbot runs with (its `[store]` reuse rule is
        /// needed to read the pool; default: the defaults, in `--data-dir`).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Writes every use that ended (who held which number, when, how it
    /// ended, its codes) to FILE, as CSV or XLSX by its extension. Works
    /// beside a running numbot.
    Export {
        /// The file to write: `.csv` or `.xlsx`.
        file: PathBuf,
        /// The first day (YYYY-MM-DD, UTC) of uses that ended; default: the first.
        #[arg(long)]
        from: Option<String>,
        /// The last day (YYYY-MM-DD, UTC), included; default: today.
        #[arg(long)]
        to: Option<String>,
    },
    /// Restores a backup into `--data-dir`, which must be new or empty; a
    /// damaged archive is refused and leaves nothing behind.
    Restore {
        /// The archive `numbot backup` wrote.
        file: PathBuf,
    },
    /// The bot's webhook at Telegram.
    Webhook {
        #[command(subcommand)]
        command: WebhookCommand,
    },
    /// Asks a running numbot's API whether it is ready (`GET /readyz`):
    /// exit 0 when it is, 1 with the reasons when not. For health checks
    /// of images that have no HTTP client.
    Ready {
        /// The API's address, as `[api] listen` has it.
        #[arg(long, default_value = "127.0.0.1:8080")]
        api: String,
    },
}

#[derive(Subcommand)]
enum WebhookCommand {
    /// Deletes the webhook (`deleteWebhook`), with the token and API of
    /// the configuration. A stopping replica never does: the others share it.
    Delete {
        /// The TOML configuration, as `numbot run` reads it.
        #[arg(long)]
        config: PathBuf,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Makes a token and prints its secret, once (only its hash is kept).
    Create {
        /// A name for people (unique).
        name: String,
        /// Categories it may take numbers of (comma-separated); default: all.
        #[arg(long, value_delimiter = ',')]
        categories: Vec<String>,
        /// Its own numbers-per-window limit; default: the configured one.
        #[arg(long)]
        numbers_per_window: Option<u32>,
        /// Numbers it may hold at once (parallel test workers).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=999))]
        max_uses: u32,
    },
    /// Lists the tokens (never their secrets).
    List,
    /// Revokes a token: it stops working within seconds on every replica.
    Revoke {
        /// The token's name.
        name: String,
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
    /// Writes a new plugin crate on the SDK: the plugin, its manifest
    /// defaults, a unit test and a README (`cargo build-plugins --dir` builds it).
    New {
        /// The world: validator, formatter, policy or extractor.
        kind: WorldKind,
        /// The crate's name and the plugin's id (lower-case letters, digits, - and _).
        name: String,
        /// Where to write it (it must not exist or be empty); default: ./NAME.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// The numbot checkout (or its plugins/sdk) to take the SDK from;
        /// default: the one this numbot was built from.
        #[arg(long)]
        sdk: Option<PathBuf>,
    },
    /// Runs a loaded plugin on standard input, one JSON line out per input:
    /// formatter (a number a line), extractor (`{"text": ...}` lines),
    /// policy (JSON requests), validator (a file).
    Run {
        /// The world: formatter, extractor, policy or validator.
        world: WorldKind,
        /// The plugin's id; default: the host's routing (formatter) or the
        /// plugin it uses (numbot-extractor, numbot-policy, numbot-validator).
        #[arg(long)]
        plugin: Option<String>,
        /// Formatter: the country of numbers written without a calling code
        /// (ISO 3166 alpha-2).
        #[arg(long, value_parser = country_code)]
        country: Option<String>,
        /// Read this file instead of standard input (the validator's file).
        file: Option<PathBuf>,
    },
}

/// An ISO 3166 alpha-2 code, upper-cased.
fn country_code(s: &str) -> Result<String, String> {
    if s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(s.to_ascii_uppercase())
    } else {
        Err(format!("`{s}` is not an ISO 3166 alpha-2 code such as AE"))
    }
}

impl Cli {
    fn cache_dir(&self) -> Option<PathBuf> {
        if self.no_cache {
            None
        } else {
            self.cache_dir.clone().or_else(default_cache_dir)
        }
    }

    fn plugin_dirs(&self) -> Vec<PathBuf> {
        if self.plugin_dirs.is_empty() {
            default_plugin_dirs()
        } else {
            self.plugin_dirs.clone()
        }
    }

    fn store_section(&self) -> StoreSection {
        StoreSection {
            data_dir: self.data_dir.clone(),
            mongodb_uri: self.mongodb_uri.clone(),
            mongodb_database: self.mongodb_database.clone(),
            pool: self.pool,
            ..StoreSection::default()
        }
    }
}

/// Runs the command the line names.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Run { config } => run_bot(&cli, config),
        Command::Plugins {
            command: PluginsCommand::List,
        } => plugins_list(&cli),
        Command::Plugins {
            command: PluginsCommand::Check { file, manifest },
        } => plugins_check(&cli, file, manifest.as_deref()),
        Command::Plugins {
            command:
                PluginsCommand::New {
                    kind,
                    name,
                    dir,
                    sdk,
                },
        } => plugins_new(*kind, name, dir.as_deref(), sdk.as_deref()),
        Command::Plugins {
            command:
                PluginsCommand::Run {
                    world,
                    plugin,
                    country,
                    file,
                },
        } => {
            let options = RunOptions {
                plugin: plugin.clone(),
                country: country.clone(),
                interactive: file.is_none() && io::stdin().is_terminal(),
            };
            plugins_run(&cli, *world, &options, file.as_deref())
        }
        Command::Import {
            file,
            category,
            country,
        } => pool::import(&cli, file, category.as_deref(), country.clone()),
        Command::Files => pool::files(&cli),
        Command::Stats => pool::stats(&cli),
        Command::Delete { file } => pool::delete(&cli, file),
        Command::Token { command } => pool::token(&cli, command),
        Command::Webhook {
            command: WebhookCommand::Delete { config },
        } => webhook_delete(config),
        Command::Repair {
            config,
            retire_possibly_used,
        } => maintenance::repair(&cli, config.as_deref(), *retire_possibly_used),
        Command::Backup { file, config } => maintenance::backup(&cli, file, config.as_deref()),
        Command::Restore { file } => maintenance::restore(&cli, file),
        Command::Export { file, from, to } => {
            pool::export(&cli, file, from.as_deref(), to.as_deref())
        }
        Command::Ready { api } => ready(api),
    }
}

/// `numbot run`: the store, the user records, the bot and the OTP
/// monitor, until SIGTERM or SIGINT (Ctrl-C): then the updates in hand
/// finish, the store flushes and the data directory's lock is released.
fn run_bot(cli: &Cli, path: &Path) -> Result<ExitCode> {
    let config = Config::load(path)?;
    let dirs = if config.plugins.dirs.is_empty() {
        cli.plugin_dirs()
    } else {
        config.plugins.dirs.clone()
    };
    let cache_dir = config.plugins.cache_dir.clone().or_else(|| cli.cache_dir());
    let (plugins, _reload) = compose::start_bot_plugins(&config.plugins, dirs, cache_dir)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        // Listening before anything starts: a signal during start-up is not lost.
        let mut stop = Signals::new()?;
        let backends =
            compose::open_backends(&config.store, config.store.store_config(), plugins.clone())
                .await?;
        let pool = backends.store.backend();
        let mut service = compose::serve(&config, backends, plugins).await?;
        eprintln!(
            "numbot is running as @{} ({:?} mode, numbers in the {pool}); Ctrl-C or SIGTERM stops it",
            service.bot.username, config.telegram.mode,
        );
        tokio::select! {
            name = stop.next() => {
                eprintln!("{name}: stopping, finishing the updates in hand");
                service.stop(std::time::Duration::from_secs(15)).await;
                anyhow::Ok(())
            }
            reason = service.bot.finished() => Err(anyhow::anyhow!("the bot stopped: {reason}")),
        }
    })?;
    // The runtime's end drops the store: usage files written, lock released.
    drop(runtime);
    eprintln!("numbot stopped");
    Ok(ExitCode::SUCCESS)
}

/// The signals that stop `numbot run`: SIGTERM (service managers,
/// containers) and SIGINT (Ctrl-C).
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals {
            term: signal(SignalKind::terminate()).context("listening for SIGTERM")?,
            int: signal(SignalKind::interrupt()).context("listening for SIGINT")?,
        })
    }

    /// Waits for the first of them; its name.
    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.term.recv() => "SIGTERM",
            _ = self.int.recv() => "SIGINT",
        }
    }
}

/// `numbot webhook delete`: the one way numbot deletes the bot's webhook.
fn webhook_delete(path: &Path) -> Result<ExitCode> {
    let config = Config::load(path)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime
        .block_on(numbot_telegram::delete_webhook(&config.telegram))
        .context("deleteWebhook")?;
    println!("webhook deleted");
    Ok(ExitCode::SUCCESS)
}

fn plugins_list(cli: &Cli) -> Result<ExitCode> {
    let dirs = cli.plugin_dirs();
    let plugins = compose::start_plugins(dirs.clone(), cli.cache_dir())?;
    let inventory = plugins.host().inventory();
    println!(
        "{:<22} {:<8} {:<10} {:<12} SOURCE",
        "ID", "VERSION", "WORLD", "COUNTRIES"
    );
    for p in &inventory.plugins {
        let countries = match (&p.countries, p.world) {
            (_, w) if w != WorldKind::Formatter => "-".to_string(),
            (Some(c), _) => c.join(","),
            (None, _) => "all".to_string(),
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
    for (_, error) in &inventory.refused {
        eprintln!("refused: {error}");
    }
    if inventory.plugins.is_empty() {
        eprintln!(
            "no plugins found in {}: run `cargo build-plugins` or pass --plugin-dir",
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(if inventory.refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

fn plugins_check(cli: &Cli, file: &Path, manifest: Option<&Path>) -> Result<ExitCode> {
    let engine = PluginEngine::new(cli.cache_dir())?;
    let plugin = match manifest {
        Some(path) => {
            let manifest = Manifest::read(path)?;
            let bytes = std::fs::read(file).with_context(|| format!("read {}", file.display()))?;
            engine.load_bytes(file, &bytes, manifest, &[])?
        }
        None => engine.load(file, &[])?,
    };
    let m = plugin.manifest();
    let claims = match &plugin {
        AnyPlugin::Formatter(_, Countries::All) => ", claims all countries".to_string(),
        AnyPlugin::Formatter(_, Countries::Only(c)) => format!(", claims {}", c.join(",")),
        _ => String::new(),
    };
    println!(
        "ok: {} {} implements numbot:plugin@{}/{}{claims} (limits: {} MiB, {} ms)",
        m.id, m.version, m.api, m.world, m.limits.memory_mib, m.limits.timeout_ms
    );
    Ok(ExitCode::SUCCESS)
}

/// `numbot plugins new`: the crate, and what to do next.
fn plugins_new(
    kind: WorldKind,
    name: &str,
    dir: Option<&Path>,
    sdk: Option<&Path>,
) -> Result<ExitCode> {
    scaffold::check_name(name)?;
    let sdk = scaffold::find_sdk(sdk)?;
    let dir = dir.map_or_else(|| PathBuf::from(name), Path::to_path_buf);
    let files = scaffold::write_crate(kind, name, &dir, &sdk)?;
    let root = files[0].parent().unwrap_or(&dir).display().to_string();
    println!(
        "wrote the {kind} plugin `{name}` in {root} (SDK: {})",
        sdk.display()
    );
    for file in &files {
        println!("  {}", file.display());
    }
    println!("next: edit src/lib.rs, `cargo test` in {root}, then from the numbot checkout");
    println!("      cargo build-plugins --dir {root} [--out PLUGIN_DIR]");
    Ok(ExitCode::SUCCESS)
}

/// `numbot plugins run`: the plugin's answers on standard output.
fn plugins_run(
    cli: &Cli,
    world: WorldKind,
    options: &RunOptions,
    file: Option<&Path>,
) -> Result<ExitCode> {
    if options.country.is_some() && world != WorldKind::Formatter {
        bail!("--country is for the formatter only");
    }
    let plugins = compose::start_plugins(cli.plugin_dirs(), cli.cache_dir())?;
    let host = plugins.host();
    let mut out = io::BufWriter::new(io::stdout().lock());
    let run = match world {
        WorldKind::Validator => {
            let path =
                file.context("the validator reads a file: `numbot plugins run validator FILE`")?;
            let result = plugin_run::validator(host, options, path, &mut out).map(|s| {
                eprintln!(
                    "plugin `{}`: numbers {}, rejected {}, duplicates {}",
                    s.plugin, s.numbers, s.rejected, s.duplicates
                )
            });
            return finish_run(result);
        }
        WorldKind::Formatter => plugin_run::formatter,
        WorldKind::Extractor => plugin_run::extractor,
        WorldKind::Policy => plugin_run::policy,
    };
    let mut input: Box<dyn BufRead> = match file {
        Some(path) => Box::new(BufReader::new(
            File::open(path).with_context(|| format!("open {}", path.display()))?,
        )),
        None => Box::new(io::stdin().lock()),
    };
    finish_run(run(host, options, &mut *input, &mut out))
}

/// A reader of the output that went away (`| head`) is not a failure.
fn finish_run(result: Result<(), RunError>) -> Result<ExitCode> {
    match result {
        Err(e) if e.is_broken_pipe() => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e.into()),
        Ok(()) => Ok(ExitCode::SUCCESS),
    }
}

/// `numbot ready`: `GET /readyz` on a running numbot.
fn ready(api: &str) -> Result<ExitCode> {
    let url = format!("http://{api}/readyz");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let answer = runtime.block_on(async {
        let response = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(5))
            .build()?
            .get(&url)
            .send()
            .await?;
        let status = response.status();
        reqwest::Result::Ok((status, response.text().await?))
    });
    match answer {
        Ok((status, body)) if status.is_success() => {
            println!("{body}");
            Ok(ExitCode::SUCCESS)
        }
        Ok((status, body)) => {
            eprintln!("not ready ({status}): {body}");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => {
            eprintln!("no answer from {url}: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}
