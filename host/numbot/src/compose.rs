//! The composition root: builds every part from the configuration and
//! hands each exactly what it needs. The plugins first, then the pool, the
//! user records and the OTP monitor's coordination (files or MongoDB),
//! then the front ends on the shared use cases.

use std::{path::PathBuf, sync::Arc, time::Duration};

use numbot_api::{ApiConfig, ApiNotifier, ApiState, RunningApi};
use numbot_core::{
    inbox::{Inbox, MemoryInbox},
    Coordination, HistoryQuery, NumberLimit, Numbers, Parts, Records, SharedPlugins, Store,
    StoreConfig, StoreError, UseStream, UserStoreError,
};
use numbot_otp::{MonitorStatus, Notifier, OtpMonitor, SmsConfig, SmsConfigError};
use numbot_plugin_host::{
    host::WatchHandle, LoadError, PluginHost, PluginHostConfig, PluginRunner,
};
use numbot_store_file::{FileStore, FileUsers, LocalCoordination};
use numbot_telegram::{BotError, RunningBot};

use crate::config::{Config, ConfigError, PluginsSection, StoreSection};

/// The pool, the records and the monitor's coordination.
pub struct Backends {
    /// The pool of numbers.
    pub store: Store,
    /// User records, the audit trail, tokens, questions, broadcasts.
    pub records: Records,
    /// What the OTP monitors of the processes on this pool share.
    pub coordination: Arc<dyn Coordination>,
    /// Where API clients' messages wait.
    pub inbox: Arc<dyn Inbox>,
}

/// Why numbot could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A setting is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The plugin host could not start.
    #[error(transparent)]
    Plugins(#[from] LoadError),
    /// The pool could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The user records could not be opened.
    #[error(transparent)]
    Users(#[from] UserStoreError),
    /// `[sms]` cannot be used.
    #[error(transparent)]
    Sms(#[from] SmsConfigError),
    /// The bot could not start.
    #[error(transparent)]
    Bot(#[from] BotError),
    /// A start-up step panicked on its thread.
    #[error("start-up failed: {0}")]
    Panicked(#[from] tokio::task::JoinError),
    /// The API cannot listen.
    #[error("api.listen: {0}")]
    Listen(#[from] std::io::Error),
}

/// Starts the plugin host on `dirs` (blocking: components are compiled or
/// read from the cache); refused plugins are reported on stderr.
pub fn start_plugins(
    dirs: Vec<PathBuf>,
    cache_dir: Option<PathBuf>,
) -> Result<Arc<PluginRunner>, LoadError> {
    start_host(PluginHostConfig {
        dirs,
        cache_dir,
        ..Default::default()
    })
    .map(PluginRunner::new)
}

fn start_host(config: PluginHostConfig) -> Result<Arc<PluginHost>, LoadError> {
    let host = PluginHost::start(config)?;
    for (_, error) in host.load_errors() {
        eprintln!("warning: plugin refused: {error}");
    }
    Ok(host)
}

/// The bot's plugins: those `[plugins]` names must be loaded, and the
/// directories are rescanned every `reload_ms` on a thread of their own
/// until the handle is dropped (none when `reload_ms` is 0).
pub fn start_bot_plugins(
    section: &PluginsSection,
    dirs: Vec<PathBuf>,
    cache_dir: Option<PathBuf>,
) -> Result<(Arc<PluginRunner>, Option<WatchHandle>), StartError> {
    let host = start_host(PluginHostConfig {
        dirs,
        cache_dir,
        validator: section.validator.clone(),
        policy: section.policy.clone(),
        extractor: section.extractor.clone(),
        ..Default::default()
    })?;
    let chosen = [
        ("validator", &section.validator, host.validator().err()),
        ("policy", &section.policy, host.policy().err()),
        ("extractor", &section.extractor, host.extractor().err()),
    ];
    for (key, id, missing) in chosen {
        if let (Some(id), Some(_)) = (id, missing) {
            return Err(ConfigError::Invalid(format!(
                "plugins.{key} = \"{id}\": no {key} plugin with that id is loaded (`numbot plugins list` shows them)"
            ))
            .into());
        }
    }
    let watch =
        (section.reload_ms > 0).then(|| host.watch(Duration::from_millis(section.reload_ms)));
    Ok((PluginRunner::new(host), watch))
}

/// Opens what `section` configures, with `config` for the pool's rules
/// (leases, reuse, clock). The data directory's files are opened off the
/// async threads.
pub async fn open_backends(
    section: &StoreSection,
    config: StoreConfig,
    plugins: SharedPlugins,
) -> Result<Backends, StartError> {
    let kind = section.pool_kind()?;
    if let Some(uri) = &section.mongodb_uri {
        return shared::open(uri, section, kind, config, plugins).await;
    }
    let dir = section.data_dir.clone();
    let store: Store = Arc::new(open_file_store(config, plugins).await?);
    let (users, coordination) = tokio::task::spawn_blocking(move || {
        Ok::<_, StartError>((FileUsers::open(&dir)?, LocalCoordination::open(&dir)?))
    })
    .await??;
    tracing::info!(pool = %store.backend(), "store opened");
    Ok(Backends {
        store,
        records: Records::all(Arc::new(users)),
        coordination: Arc::new(coordination),
        inbox: Arc::new(MemoryInbox::default()),
    })
}

/// Opens the file store off the async threads.
async fn open_file_store(
    config: StoreConfig,
    plugins: SharedPlugins,
) -> Result<FileStore, StartError> {
    Ok(tokio::task::spawn_blocking(move || FileStore::open(config, plugins)).await??)
}

/// The backends replicas share: MongoDB for the records, the coordination
/// and the inbox, and for the pool unless it stays in files.
#[cfg(feature = "mongodb")]
mod shared {
    use std::sync::Arc;

    use numbot_core::{migration::MigrationStore, Records, SharedPlugins, Store, StoreConfig};
    use numbot_store_mongo::{MongoCoordination, MongoInbox, MongoStore, MongoUsers};

    use super::{open_file_store, Backends, StartError};
    use crate::config::{PoolKind, StoreSection};

    /// Opens the pool `kind` names on the database at `uri`.
    pub(super) async fn open(
        uri: &str,
        section: &StoreSection,
        kind: PoolKind,
        config: StoreConfig,
        plugins: SharedPlugins,
    ) -> Result<Backends, StartError> {
        let db = numbot_store_mongo::connect(uri, &section.mongodb_database).await?;
        let clock = config.clock.clone();
        let store: Store = match kind {
            PoolKind::Mongo => Arc::new(MongoStore::open(&db, &config, plugins).await?),
            PoolKind::Migration => {
                let mongo = MongoStore::open(&db, &config, plugins.clone()).await?;
                let files = open_file_store(config.clone(), plugins).await?;
                Arc::new(MigrationStore::new(Arc::new(files), Arc::new(mongo)))
            }
            PoolKind::File => Arc::new(open_file_store(config.clone(), plugins).await?),
        };
        tracing::info!(pool = %store.backend(), "store opened");
        Ok(Backends {
            store,
            records: Records::all(Arc::new(MongoUsers::open(&db).await?)),
            coordination: MongoCoordination::open(&db, clock).await?,
            inbox: MongoInbox::open(&db).await?,
        })
    }
}

/// Without the `mongodb` feature, a configured database is refused with
/// the reason, before anything is opened.
#[cfg(not(feature = "mongodb"))]
mod shared {
    use numbot_core::{SharedPlugins, StoreConfig};

    use super::{Backends, StartError};
    use crate::config::{ConfigError, PoolKind, StoreSection};

    /// Refuses: this build has no MongoDB client.
    pub(super) async fn open(
        _uri: &str,
        _section: &StoreSection,
        _kind: PoolKind,
        _config: StoreConfig,
        _plugins: SharedPlugins,
    ) -> Result<Backends, StartError> {
        Err(ConfigError::Invalid(
            "store.mongodb_uri is set, but this numbot was built without the `mongodb` feature"
                .into(),
        )
        .into())
    }
}

/// The use cases the command line's pool commands run on: the pool and
/// the records `section` names, with the default limits and no admins.
pub async fn open_use_cases(
    section: &StoreSection,
    plugins: SharedPlugins,
) -> Result<Arc<Numbers>, StartError> {
    let backends = open_backends(section, section.store_config(), plugins.clone()).await?;
    // The command line takes no numbers: the limit is the default's, unused.
    let limit = numbot_telegram::LimitsConfig::default().numbers();
    Ok(use_cases(&backends, plugins, limit, None, Vec::new()))
}

/// The history `numbot export` reads: the file store's from its file (no
/// lock: numbot may be running on the directory), MongoDB's through the
/// pool (which needs the plugins `plugins` starts).
pub async fn history(
    section: &StoreSection,
    query: HistoryQuery,
    plugins: impl FnOnce() -> Result<Arc<PluginRunner>, LoadError>,
) -> Result<UseStream, StartError> {
    if section.mongodb_uri.is_some() {
        let plugins: SharedPlugins = plugins()?;
        let backends = open_backends(section, section.store_config(), plugins).await?;
        return Ok(backends.store.history(query).await?);
    }
    if !section.data_dir.is_dir() {
        return Err(ConfigError::Invalid(format!(
            "{} is not a data directory",
            section.data_dir.display()
        ))
        .into());
    }
    Ok(numbot_store_file::history::read(&section.data_dir, query))
}

/// The bot, the OTP monitor and the API, running.
pub struct Service {
    /// The Telegram bot.
    pub bot: RunningBot,
    numbers: Arc<Numbers>,
    monitor: Option<Monitor>,
    api: Option<RunningApi>,
}

impl Service {
    /// The use cases every front end of this process calls.
    pub fn numbers(&self) -> &Arc<Numbers> {
        &self.numbers
    }

    /// Where the API listens, when it runs.
    pub fn api_addr(&self) -> Option<std::net::SocketAddr> {
        self.api.as_ref().map(|a| a.addr)
    }

    /// Stops the monitor and the API, then the bot (handlers finish, at
    /// most `grace`).
    pub async fn stop(self, grace: Duration) {
        drop(self.monitor);
        drop(self.api);
        self.bot.stop(grace).await;
    }
}

/// The OTP monitor, polling until dropped.
pub struct Monitor {
    task: tokio::task::JoinHandle<()>,
    /// What `/readyz` reads.
    pub status: Arc<MonitorStatus>,
}

impl Drop for Monitor {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the OTP monitor on `sms`, telling `notifier` what arrives and
/// `status` how the provider answers.
pub fn start_monitor(
    sms: &SmsConfig,
    backends: &Backends,
    plugins: SharedPlugins,
    notifier: Arc<dyn Notifier>,
    status: Arc<MonitorStatus>,
) -> Result<Monitor, StartError> {
    let monitor = Arc::new(
        OtpMonitor::new(
            backends.store.clone(),
            backends.coordination.clone(),
            plugins,
            sms.build()?,
            notifier,
            sms.interval(),
        )
        .with_rules(sms.rules())
        .with_status(status),
    );
    let status = monitor.status();
    Ok(Monitor {
        task: tokio::spawn(monitor.run()),
        status,
    })
}

/// Starts the API on `config.listen` (with `/metrics`: the Prometheus
/// recorder is installed now).
pub async fn start_api(
    config: &ApiConfig,
    numbers: Arc<Numbers>,
    monitor: Option<Arc<MonitorStatus>>,
) -> Result<RunningApi, StartError> {
    let metrics = numbot_api::metrics::install();
    let state = ApiState::new(config, numbers, monitor, Some(metrics));
    Ok(numbot_api::serve(config, state).await?)
}

/// The use cases over `backends`: the one door of every front end.
pub fn use_cases(
    backends: &Backends,
    plugins: SharedPlugins,
    limit: NumberLimit,
    token_limit: Option<u32>,
    admins: Vec<i64>,
) -> Arc<Numbers> {
    Arc::new(Numbers::new(Parts {
        store: backends.store.clone(),
        records: backends.records.clone(),
        plugins,
        inbox: backends.inbox.clone(),
        limit,
        token_limit,
        admins,
    }))
}

/// Starts the Telegram bot on the shared use cases, with `[sms]` the OTP
/// monitor, and with `[api]` the HTTP API (whose clients' messages the
/// monitor puts in the inbox instead of sending them to Telegram).
pub async fn serve(
    config: &Config,
    backends: Backends,
    plugins: SharedPlugins,
) -> Result<Service, StartError> {
    let numbers = use_cases(
        &backends,
        plugins.clone(),
        config.limits.numbers(),
        config.api.as_ref().and_then(|a| a.numbers_per_window),
        config.access.admins.clone(),
    );
    // Made before the bot, which shows it to admins, and the monitor,
    // which needs the bot's notifier.
    let provider = config
        .sms
        .as_ref()
        .map(|_| Arc::new(MonitorStatus::default()));
    let (bot, telegram, log) =
        numbot_telegram::start(config.bot_settings(), numbers.clone(), provider.clone()).await?;
    let notifier: Arc<dyn Notifier> = match &config.api {
        Some(_) => Arc::new(ApiNotifier::new(numbers.clone(), telegram)),
        None => telegram,
    };
    let notifier: Arc<dyn Notifier> = match log {
        Some(log) => Arc::new(numbot_telegram::LoggedNotifier::new(notifier, log)),
        None => notifier,
    };
    let monitor = match (&config.sms, provider) {
        (Some(sms), Some(status)) => {
            Some(start_monitor(sms, &backends, plugins, notifier, status)?)
        }
        _ => None,
    };
    let api = match &config.api {
        Some(api) => {
            let status = monitor.as_ref().map(|m| m.status.clone());
            Some(start_api(api, numbers.clone(), status).await?)
        }
        None => None,
    };
    Ok(Service {
        bot,
        numbers,
        monitor,
        api,
    })
}
