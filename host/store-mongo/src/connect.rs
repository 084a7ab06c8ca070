//! Connecting: a wrong address fails at start-up with a clear message, not
//! at the first claim; the round trips a process makes can be counted
//! (the pool bench reports them per claim).

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use mongodb::{
    bson::doc,
    event::{command::CommandEvent, EventHandler},
    options::ClientOptions,
    Client, Database,
};
use numbot_core::StoreError;

/// How long to look for a reachable MongoDB server before an operation fails.
const SERVER_SELECTION: Duration = Duration::from_secs(10);

/// How long a pooled connection may sit unused before it is closed rather
/// than reused. Servers, load balancers and NAT gateways drop idle
/// connections (SecantusDB after 300 s, cloud balancers after 4 to 6
/// minutes); a write sent on one fails with an end-of-file that the driver
/// does not retry against a standalone server. A URI's `maxIdleTimeMS` wins.
const MAX_IDLE: Duration = Duration::from_secs(60);

/// A database handle, with the commands sent through it counted when asked.
#[derive(Clone)]
pub struct Connection {
    /// The database.
    pub database: Database,
    /// Commands sent so far (one per round trip), when counting.
    pub commands: Option<Arc<AtomicU64>>,
}

impl Connection {
    /// Commands sent so far (0 when not counting).
    pub fn round_trips(&self) -> u64 {
        self.commands
            .as_ref()
            .map_or(0, |c| c.load(Ordering::Relaxed))
    }
}

/// Connects to `database` at `uri` and checks that the server answers (`ping`).
pub async fn connect(uri: &str, database: &str) -> Result<Database, StoreError> {
    Ok(open(uri, database, None).await?.database)
}

/// [`connect`], counting every command sent (the driver's command monitoring).
pub async fn connect_counting(uri: &str, database: &str) -> Result<Connection, StoreError> {
    open(uri, database, Some(Arc::default())).await
}

/// The driver's options for `uri`, with numbot's defaults where the URI is
/// silent.
async fn options(uri: &str) -> Result<ClientOptions, StoreError> {
    let mut options = ClientOptions::parse(uri)
        .await
        .map_err(StoreError::database("store.mongodb_uri"))?;
    options
        .server_selection_timeout
        .get_or_insert(SERVER_SELECTION);
    options.max_idle_time.get_or_insert(MAX_IDLE);
    options.app_name.get_or_insert_with(|| "numbot".into());
    Ok(options)
}

async fn open(
    uri: &str,
    database: &str,
    commands: Option<Arc<AtomicU64>>,
) -> Result<Connection, StoreError> {
    let mut options = options(uri).await?;
    if let Some(count) = &commands {
        let count = count.clone();
        options.command_event_handler = Some(EventHandler::callback(move |e: CommandEvent| {
            if matches!(e, CommandEvent::Started(_)) {
                count.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let client =
        Client::with_options(options).map_err(StoreError::database("store.mongodb_uri"))?;
    let db = client.database(database);
    db.run_command(doc! { "ping": 1 })
        .await
        .map_err(StoreError::database("MongoDB does not answer"))?;
    Ok(Connection {
        database: db,
        commands,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn idle_connections_are_closed_before_servers_drop_them() {
        let plain = options("mongodb://127.0.0.1:27017").await.unwrap();
        assert_eq!(plain.max_idle_time, Some(MAX_IDLE));
        assert_eq!(plain.server_selection_timeout, Some(SERVER_SELECTION));
        let set =
            options("mongodb://127.0.0.1:27017/?maxIdleTimeMS=5000&serverSelectionTimeoutMS=700")
                .await
                .unwrap();
        assert_eq!(set.max_idle_time, Some(Duration::from_secs(5)));
        assert_eq!(
            set.server_selection_timeout,
            Some(Duration::from_millis(700))
        );
    }
}
