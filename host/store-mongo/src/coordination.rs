//! The OTP monitor's coordination on MongoDB, shared by every replica:
//! the right to poll (`leases`: one document, a 15 s lease renewed by its
//! holder), the ids of relayed messages (`relayed`, unique, kept two days)
//! and the leader's watches (`watches`).

use std::sync::{
    atomic::{AtomicU32, Ordering},
    Arc,
};

use mongodb::{
    bson::{doc, Document},
    Collection, Database, IndexModel,
};
use numbot_core::{Clock, Coordination, CoordinationError, StoreError, UseId, WatchRecord};

use crate::docs::{db, is_duplicate, only_duplicates, WatchDoc};

/// How long the OTP monitor's lease lasts without renewal.
const MONITOR_LEASE_SECS: i64 = 15;
/// How long relayed message ids are kept.
const RELAYED_FOR_SECS: i64 = 2 * 24 * 3600;

/// The monitors' shared state in MongoDB.
pub struct MongoCoordination {
    leases: Collection<Document>,
    relayed: Collection<Document>,
    watches: Collection<Document>,
    clock: Clock,
    /// This process, as the lease names it.
    owner: String,
    /// The hour (Unix seconds / 3600) old relayed ids were last pruned.
    pruned: AtomicU32,
}

impl MongoCoordination {
    /// The coordination in `database`, with its index.
    pub async fn open(
        database: &Database,
        clock: Clock,
    ) -> Result<Arc<MongoCoordination>, StoreError> {
        let relayed = database.collection::<Document>("relayed");
        relayed
            .create_index(IndexModel::builder().keys(doc! { "at": 1 }).build())
            .await
            .map_err(db("creating the relayed messages' index"))?;
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        Ok(Arc::new(MongoCoordination {
            leases: database.collection("leases"),
            relayed,
            watches: database.collection("watches"),
            clock,
            owner: format!(
                "{}-{}-{started:x}",
                std::env::var("HOSTNAME").unwrap_or_else(|_| "numbot".into()),
                std::process::id(),
            ),
            pruned: AtomicU32::new(0),
        }))
    }
}

/// One use's watch: its use id (older records: holder, number and start).
fn watch_id(w: &WatchRecord) -> String {
    if w.id.0 == 0 {
        format!("{}:{}:{}", w.user, w.number, w.since)
    } else {
        format!("use:{}", w.id)
    }
}

fn wrap(context: &'static str) -> impl FnOnce(mongodb::error::Error) -> CoordinationError {
    CoordinationError::wrap(context)
}

#[async_trait::async_trait]
impl Coordination for MongoCoordination {
    async fn lead(&self) -> bool {
        let now = i64::from(self.clock.now());
        let until = now + MONITOR_LEASE_SECS;
        let me = &self.owner;
        let renewed = self
            .leases
            .update_one(
                doc! { "_id": "otp-monitor", "$or": [ { "owner": me }, { "until": { "$lt": now } } ] },
                doc! { "$set": { "owner": me, "until": until } },
            )
            .await;
        let leading = match renewed {
            Ok(r) if r.matched_count == 1 => true,
            Ok(_) => match self
                .leases
                .insert_one(doc! { "_id": "otp-monitor", "owner": me, "until": until })
                .await
            {
                Ok(_) => true,
                Err(e) if is_duplicate(&e) => false,
                Err(e) => {
                    tracing::warn!("monitor lease: {e}");
                    false
                }
            },
            Err(e) => {
                tracing::warn!("monitor lease: {e}");
                false
            }
        };
        let hour = (now / 3600) as u32;
        if leading && self.pruned.swap(hour, Ordering::Relaxed) != hour {
            let _ = self
                .relayed
                .delete_many(doc! { "at": { "$lt": now - RELAYED_FOR_SECS } })
                .await;
        }
        leading
    }

    async fn first_relay(&self, id: &str, at: i64) -> Result<bool, CoordinationError> {
        match self.relayed.insert_one(doc! { "_id": id, "at": at }).await {
            Ok(_) => Ok(true),
            Err(e) if is_duplicate(&e) => Ok(false),
            Err(e) => Err(wrap("recording a relayed message")(e)),
        }
    }

    async fn relayed(&self, _id: &str, _at: i64) -> Result<(), CoordinationError> {
        // Recorded by `first_relay` already.
        Ok(())
    }

    async fn forget(&self, id: &str) {
        if let Err(e) = self.relayed.delete_one(doc! { "_id": id }).await {
            tracing::warn!("relayed messages: {e}");
        }
    }

    async fn watches(&self) -> Result<Vec<WatchRecord>, CoordinationError> {
        use futures::TryStreamExt;
        let docs: Vec<WatchDoc> = self
            .watches
            .clone_with_type::<WatchDoc>()
            .find(doc! {})
            .await
            .map_err(wrap("reading the watches"))?
            .try_collect()
            .await
            .map_err(wrap("reading the watches"))?;
        Ok(docs
            .into_iter()
            .map(|d| WatchRecord {
                id: UseId(d.use_id as u64),
                user: d.user,
                number: d.number,
                since: d.since,
                until: u32::try_from(d.until).unwrap_or(0),
            })
            .collect())
    }

    async fn add_watches(&self, watches: &[WatchRecord]) -> Result<(), CoordinationError> {
        let docs = watches.iter().map(|w| {
            doc! {
                "_id": watch_id(w), "use": w.id.0 as i64, "user": w.user, "number": &w.number,
                "since": w.since, "until": i64::from(w.until),
            }
        });
        match self.watches.insert_many(docs).ordered(false).await {
            Ok(_) => Ok(()),
            Err(e) if only_duplicates(&e).is_some() => Ok(()),
            Err(e) => Err(wrap("recording watches")(e)),
        }
    }

    async fn end_watch(&self, watch: &WatchRecord) -> Result<bool, CoordinationError> {
        self.watches
            .delete_one(doc! { "_id": watch_id(watch) })
            .await
            .map(|r| r.deleted_count == 1)
            .map_err(wrap("ending a watch"))
    }
}
