//! Opens the configured backends: the pool of numbers and the user records,
//! in the data directory (the embedded default) or in MongoDB
//! (`store.mongodb_uri`, `store.pool`).

use std::{sync::Arc, time::Duration};

use mongodb::{bson::doc, options::ClientOptions, Client, Database};

use crate::{
    config::{ConfigError, PoolKind, StoreSection},
    plugin::PluginHost,
    store::{FileStore, MigrationStore, MongoStore, Store, StoreConfig, StoreError},
    users::{FileUsers, MongoUsers, UserStore, UserStoreError},
};

/// How long to look for a reachable MongoDB server before an operation fails.
const SERVER_SELECTION: Duration = Duration::from_secs(10);

/// The pool and the user records the bot runs on.
pub struct Backends {
    /// The pool of numbers.
    pub store: Store,
    /// User records and the audit trail.
    pub users: Arc<dyn UserStore>,
}

/// Why the backends could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// A setting is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The pool could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The user records could not be opened.
    #[error(transparent)]
    Users(#[from] UserStoreError),
}

/// Connects to MongoDB and checks that it answers (`ping`), so that a wrong
/// address fails at start-up with a clear message, not at the first claim.
pub async fn connect(uri: &str, database: &str) -> Result<Database, StoreError> {
    let mut options = ClientOptions::parse(uri)
        .await
        .map_err(|e| StoreError::Database(format!("store.mongodb_uri: {}", e.kind)))?;
    options
        .server_selection_timeout
        .get_or_insert(SERVER_SELECTION);
    options.app_name.get_or_insert_with(|| "numbot".into());
    let client = Client::with_options(options)
        .map_err(|e| StoreError::Database(format!("store.mongodb_uri: {}", e.kind)))?;
    let db = client.database(database);
    db.run_command(doc! { "ping": 1 })
        .await
        .map_err(|e| StoreError::Database(format!("MongoDB does not answer: {}", e.kind)))?;
    Ok(db)
}

/// Opens what `section` configures, with `config` for the pool's rules
/// (leases, reuse, clock).
pub async fn open(
    section: &StoreSection,
    config: StoreConfig,
    plugins: Arc<PluginHost>,
) -> Result<Backends, OpenError> {
    let kind = section.pool_kind()?;
    let database = match &section.mongodb_uri {
        Some(uri) => Some(connect(uri, &section.mongodb_database).await?),
        None => None,
    };
    let open_files = |config: StoreConfig, plugins: Arc<PluginHost>| async move {
        tokio::task::spawn_blocking(move || FileStore::open(config, plugins))
            .await
            .map_err(|e| StoreError::Panicked(e.to_string()))?
    };
    let store: Store = match (kind, &database) {
        (PoolKind::Mongo, Some(db)) => Arc::new(MongoStore::open(db, &config, plugins).await?),
        (PoolKind::Migration, Some(db)) => {
            let mongo = MongoStore::open(db, &config, plugins.clone()).await?;
            Arc::new(MigrationStore::new(
                open_files(config, plugins).await?,
                mongo,
            ))
        }
        _ => Arc::new(open_files(config, plugins).await?),
    };
    let users: Arc<dyn UserStore> = match &database {
        Some(db) => Arc::new(MongoUsers::open(db).await?),
        None => Arc::new(FileUsers::open(&section.data_dir)?),
    };
    tracing::info!(pool = %store.backend(), "store opened");
    Ok(Backends { store, users })
}
