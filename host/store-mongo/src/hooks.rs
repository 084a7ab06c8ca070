//! Message webhooks in MongoDB: `webhooks` (one document per token) and
//! `webhook_deliveries` (ids from `counters.webhook_deliveries`). A process
//! takes a due delivery with one conditional update that holds it until a
//! time, so two replicas never try the same one at once; finished ones are
//! kept a week for the token's list.

use std::sync::atomic::{AtomicI64, Ordering};

use futures::TryStreamExt;
use mongodb::{
    bson::{self, doc, Document},
    options::ReturnDocument,
    Collection, Database, IndexModel,
};
use numbot_core::{
    clock::unix_now,
    hooks::{Attempt, Delivery, DeliveryState, Webhook},
    UserStoreError,
};

/// How long finished deliveries are kept.
const KEPT_SECS: i64 = 7 * 24 * 3600;

pub(crate) struct MongoHooks {
    hooks: Collection<Document>,
    deliveries: Collection<Document>,
    counters: Collection<Document>,
    /// The minute finished deliveries were last pruned.
    pruned: AtomicI64,
}

fn db<E: std::error::Error + Send + Sync + 'static>(
    context: &'static str,
) -> impl FnOnce(E) -> UserStoreError {
    UserStoreError::database(context)
}

fn state(s: DeliveryState) -> &'static str {
    match s {
        DeliveryState::Pending => "pending",
        DeliveryState::Delivered => "delivered",
        DeliveryState::Failed => "failed",
    }
}

fn delivery(d: Document) -> Result<Delivery, UserStoreError> {
    bson::from_document(d).map_err(db("reading a webhook delivery"))
}

impl MongoHooks {
    pub(crate) async fn open(database: &Database) -> Result<MongoHooks, UserStoreError> {
        let deliveries = database.collection::<Document>("webhook_deliveries");
        for keys in [
            doc! { "state": 1, "next_at": 1 },
            doc! { "token": 1, "_id": -1 },
        ] {
            deliveries
                .create_index(IndexModel::builder().keys(keys).build())
                .await
                .map_err(db("creating the webhook deliveries' indexes"))?;
        }
        Ok(MongoHooks {
            hooks: database.collection("webhooks"),
            deliveries,
            counters: database.collection("counters"),
            pruned: AtomicI64::new(0),
        })
    }

    pub(crate) async fn set(&self, hook: Webhook) -> Result<(), UserStoreError> {
        let mut d = bson::to_document(&hook).map_err(db("writing a webhook"))?;
        d.insert("_id", hook.token);
        self.hooks
            .replace_one(doc! { "_id": hook.token }, d)
            .upsert(true)
            .await
            .map_err(db("writing a webhook"))?;
        Ok(())
    }

    pub(crate) async fn get(&self, token: i64) -> Result<Option<Webhook>, UserStoreError> {
        self.hooks
            .find_one(doc! { "_id": token })
            .await
            .map_err(db("reading a webhook"))?
            .map(|d| bson::from_document(d).map_err(db("reading a webhook")))
            .transpose()
    }

    pub(crate) async fn remove(&self, token: i64) -> Result<bool, UserStoreError> {
        let removed = self
            .hooks
            .delete_one(doc! { "_id": token })
            .await
            .map_err(db("removing a webhook"))?;
        Ok(removed.deleted_count > 0)
    }

    pub(crate) async fn queue(&self, mut delivery: Delivery) -> Result<u64, UserStoreError> {
        let id = self
            .counters
            .find_one_and_update(
                doc! { "_id": "webhook_deliveries" },
                doc! { "$inc": { "n": 1_i64 } },
            )
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await
            .map_err(db("numbering a webhook delivery"))?
            .and_then(|d| d.get_i64("n").ok())
            .unwrap_or(0);
        delivery.id = id.max(0) as u64;
        let mut d = bson::to_document(&delivery).map_err(db("queuing a webhook delivery"))?;
        d.insert("_id", id);
        self.deliveries
            .insert_one(d)
            .await
            .map_err(db("queuing a webhook delivery"))?;
        let now = unix_now();
        if self.pruned.swap(now / 60, Ordering::Relaxed) != now / 60 {
            let _ = self
                .deliveries
                .delete_many(doc! {
                    "state": { "$ne": state(DeliveryState::Pending) },
                    "created_at": { "$lt": now - KEPT_SECS },
                })
                .await;
        }
        Ok(delivery.id)
    }

    pub(crate) async fn due(
        &self,
        now: i64,
        owner: &str,
        until: i64,
        limit: usize,
    ) -> Result<Vec<Delivery>, UserStoreError> {
        let mut due = Vec::new();
        while due.len() < limit {
            let taken = self
                .deliveries
                .find_one_and_update(
                    doc! {
                        "state": state(DeliveryState::Pending),
                        "next_at": { "$lte": now },
                        "$or": [
                            { "held_until": { "$exists": false } },
                            { "held_until": { "$lte": now } },
                        ],
                    },
                    doc! { "$set": { "owner": owner, "held_until": until } },
                )
                .sort(doc! { "next_at": 1 })
                .return_document(ReturnDocument::After)
                .await
                .map_err(db("taking webhook deliveries"))?;
            match taken {
                Some(d) => due.push(delivery(d)?),
                None => break,
            }
        }
        Ok(due)
    }

    pub(crate) async fn tried(
        &self,
        id: u64,
        delivered: bool,
        attempt: Attempt,
    ) -> Result<(), UserStoreError> {
        let mut set = doc! {
            "last_at": attempt.at,
            "last_status": attempt.status.map(i32::from),
            "last_error": attempt.error,
        };
        match (delivered, attempt.next_at) {
            (true, _) => set.insert("state", state(DeliveryState::Delivered)),
            (false, Some(next)) => set.insert("next_at", next),
            (false, None) => set.insert("state", state(DeliveryState::Failed)),
        };
        self.deliveries
            .update_one(
                doc! { "_id": id as i64 },
                doc! {
                    "$set": set,
                    "$inc": { "attempts": 1_i64 },
                    "$unset": { "owner": "", "held_until": "" },
                },
            )
            .await
            .map_err(db("recording a webhook delivery"))?;
        Ok(())
    }

    pub(crate) async fn list(
        &self,
        token: i64,
        limit: usize,
    ) -> Result<Vec<Delivery>, UserStoreError> {
        let docs: Vec<Document> = self
            .deliveries
            .find(doc! { "token": token })
            .sort(doc! { "_id": -1 })
            .limit(limit as i64)
            .await
            .map_err(db("listing webhook deliveries"))?
            .try_collect()
            .await
            .map_err(db("listing webhook deliveries"))?;
        docs.into_iter().map(delivery).collect()
    }
}
