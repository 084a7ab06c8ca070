//! The `numbot` command line.

use std::{path::PathBuf, process::ExitCode};

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use numbot::{
    plugin::{Manifest, PluginEngine, PluginHost, PluginHostConfig},
    plugin_dirs,
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
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Inspect plugins.
    Plugins {
        #[command(subcommand)]
        command: PluginsCommand,
    },
    /// Runs the offline demo: the default plugins at work on the sample CSV.
    Demo {
        /// The CSV to upload (default: examples/sample.csv).
        #[arg(long)]
        csv: Option<PathBuf>,
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

fn run(cli: Cli) -> Result<ExitCode> {
    let cache_dir = (!cli.no_cache).then(|| {
        cli.cache_dir
            .clone()
            .unwrap_or_else(plugin_dirs::default_cache_dir)
    });
    let dirs = if cli.plugin_dirs.is_empty() {
        plugin_dirs::default_plugin_dirs()
    } else {
        cli.plugin_dirs.clone()
    };
    match cli.command {
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
        Command::Demo { csv } => {
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
            )?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
