//! Waiters for a free number in MongoDB (collection `waits`): a ticket is a
//! document whose `_id` comes from one counter (`counters.wait_tickets`),
//! so tickets are ordered across replicas; `until` is renewed by its
//! waiter, and only the lowest live ticket of a category is first.

use std::time::Duration;

use mongodb::{
    bson::{doc, Document},
    options::ReturnDocument,
    Collection, Database, IndexModel,
};
use numbot_core::queue::QueueError;

/// How often a waiter looks for numbers other replicas freed.
const RECHECK: Duration = Duration::from_millis(250);

/// The `waits` collection.
pub(crate) struct MongoQueue {
    waits: Collection<Document>,
    counters: Collection<Document>,
}

fn wrap(e: mongodb::error::Error) -> QueueError {
    QueueError(Box::new(e))
}

impl MongoQueue {
    pub(crate) async fn open(database: &Database) -> Result<MongoQueue, mongodb::error::Error> {
        let waits = database.collection::<Document>("waits");
        waits
            .create_index(
                IndexModel::builder()
                    .keys(doc! { "category": 1, "_id": 1 })
                    .build(),
            )
            .await?;
        Ok(MongoQueue {
            waits,
            counters: database.collection("counters"),
        })
    }

    pub(crate) async fn join(&self, category: &str, until: i64) -> Result<u64, QueueError> {
        // Tickets of waiters that died are removed by the next to join.
        let stale = numbot_core::clock::unix_now() - 60;
        self.waits
            .delete_many(doc! { "category": category, "until": { "$lte": stale } })
            .await
            .map_err(wrap)?;
        let counter = self
            .counters
            .find_one_and_update(
                doc! { "_id": "wait_tickets" },
                doc! { "$inc": { "n": 1_i64 } },
            )
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await
            .map_err(wrap)?
            .and_then(|d| d.get_i64("n").ok())
            .unwrap_or(0);
        self.waits
            .insert_one(doc! { "_id": counter, "category": category, "until": until })
            .await
            .map_err(wrap)?;
        Ok(counter.max(0) as u64)
    }

    pub(crate) async fn first(
        &self,
        category: &str,
        ticket: u64,
        now: i64,
        until: i64,
    ) -> Result<bool, QueueError> {
        self.waits
            .update_one(
                doc! { "_id": ticket as i64 },
                doc! { "$set": { "until": until } },
            )
            .await
            .map_err(wrap)?;
        let first = self
            .waits
            .find_one(doc! { "category": category, "until": { "$gt": now } })
            .sort(doc! { "_id": 1 })
            .await
            .map_err(wrap)?;
        Ok(first.and_then(|d| d.get_i64("_id").ok()) == Some(ticket as i64))
    }

    pub(crate) async fn leave(&self, ticket: u64) -> Result<(), QueueError> {
        self.waits
            .delete_one(doc! { "_id": ticket as i64 })
            .await
            .map_err(wrap)?;
        Ok(())
    }

    pub(crate) fn recheck(&self) -> Duration {
        RECHECK
    }
}
