//! API clients' messages in MongoDB (collection `messages`), so that a long
//! poll on any replica sees what the leading monitor put. A put wakes the
//! requests waiting in its own process; the others read again every
//! quarter of a second.

use std::{
    sync::{
        atomic::{AtomicU32, AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use futures::TryStreamExt;
use mongodb::{
    bson::{doc, Document},
    options::IndexOptions,
    Collection, Database, IndexModel,
};
use numbot_core::{
    clock::unix_now,
    inbox::{next_id, Inbox, InboxError, InboxMessage, Received},
    StoreError, UseId,
};
use serde::Deserialize;
use tokio::sync::watch;

use crate::docs::db;

/// How long messages are kept.
const KEPT_SECS: i64 = 3600;
/// How often other processes' puts are looked for.
const RECHECK: Duration = Duration::from_millis(250);

/// The shared inbox.
pub struct MongoInbox {
    messages: Collection<Document>,
    last: AtomicU64,
    changed: watch::Sender<u64>,
    /// The minute old messages were last pruned.
    pruned: AtomicU32,
}

/// A message, or (id 0) the use's own record: its holder, and when its
/// holder asked for another message.
#[derive(Deserialize)]
struct MessageDoc {
    holder: i64,
    id: i64,
    #[serde(default)]
    received_at: i64,
    #[serde(default)]
    sender: Option<String>,
    #[serde(default)]
    text: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    unexpected_sender: bool,
    #[serde(default)]
    asked_again: i64,
}

fn wrap(e: mongodb::error::Error) -> InboxError {
    InboxError(Box::new(e))
}

impl MongoInbox {
    /// The inbox in `database`, with its index.
    pub async fn open(database: &Database) -> Result<Arc<MongoInbox>, StoreError> {
        let messages = database.collection::<Document>("messages");
        messages
            .create_index(
                IndexModel::builder()
                    .keys(doc! { "use": 1, "id": 1 })
                    .options(IndexOptions::builder().unique(true).build())
                    .build(),
            )
            .await
            .map_err(db("creating the messages' index"))?;
        Ok(Arc::new(MongoInbox {
            messages,
            last: AtomicU64::new(0),
            changed: watch::Sender::new(0),
            pruned: AtomicU32::new(0),
        }))
    }

    /// The highest id the use has, so that a new leader (whose clock may
    /// be behind the last one's) still puts later ids.
    async fn highest(&self, use_id: UseId) -> Result<u64, InboxError> {
        let found = self
            .messages
            .find_one(doc! { "use": use_id.0 as i64 })
            .sort(doc! { "id": -1 })
            .await
            .map_err(wrap)?;
        Ok(found
            .and_then(|d| d.get_i64("id").ok())
            .map_or(0, |id| id.max(0) as u64))
    }
}

#[async_trait::async_trait]
impl Inbox for MongoInbox {
    async fn put(
        &self,
        use_id: UseId,
        holder: i64,
        message: InboxMessage,
    ) -> Result<u64, InboxError> {
        let highest = self.highest(use_id).await?;
        self.last.fetch_max(highest, Ordering::Relaxed);
        let id = next_id(&self.last);
        let now = unix_now();
        self.messages
            .insert_one(doc! {
                "use": use_id.0 as i64, "holder": holder, "id": id as i64,
                "received_at": message.received_at, "sender": message.sender,
                "text": message.text, "code": message.code,
                "unexpected_sender": message.unexpected_sender, "at": now,
            })
            .await
            .map_err(wrap)?;
        let minute = (now / 60) as u32;
        if self.pruned.swap(minute, Ordering::Relaxed) != minute {
            let _ = self
                .messages
                .delete_many(doc! { "at": { "$lt": now - KEPT_SECS } })
                .await;
        }
        self.changed.send_modify(|n| *n += 1);
        Ok(id)
    }

    async fn open(&self, use_id: UseId, holder: i64) -> Result<(), InboxError> {
        self.messages
            .update_one(
                doc! { "use": use_id.0 as i64, "id": 0_i64 },
                doc! {
                    "$setOnInsert": { "holder": holder, "asked_again": 0_i64 },
                    "$set": { "at": unix_now() },
                },
            )
            .upsert(true)
            .await
            .map_err(wrap)?;
        Ok(())
    }

    async fn ask_again(&self, use_id: UseId) -> Result<(), InboxError> {
        let highest = self.highest(use_id).await?;
        self.messages
            .update_one(
                doc! { "use": use_id.0 as i64, "id": 0_i64 },
                doc! { "$set": { "asked_again": highest as i64, "at": unix_now() } },
            )
            .await
            .map_err(wrap)?;
        Ok(())
    }

    async fn after(&self, use_id: UseId, after: u64) -> Result<Option<Received>, InboxError> {
        // The use's own record (id 0) first, when it was opened.
        let mut found: Vec<MessageDoc> = self
            .messages
            .clone_with_type::<MessageDoc>()
            .find(doc! {
                "use": use_id.0 as i64,
                "$or": [{ "id": 0_i64 }, { "id": { "$gt": after as i64 } }],
            })
            .sort(doc! { "id": 1 })
            .await
            .map_err(wrap)?
            .try_collect()
            .await
            .map_err(wrap)?;
        let opened = found.first().is_some_and(|m| m.id == 0);
        let own = if opened { Some(found.remove(0)) } else { None };
        let holder = match (own.as_ref(), found.first()) {
            (Some(m), _) | (None, Some(m)) => m.holder,
            // Messages not asked for still name the holder.
            (None, None) if after > 0 => {
                match self
                    .messages
                    .clone_with_type::<MessageDoc>()
                    .find_one(doc! { "use": use_id.0 as i64 })
                    .await
                    .map_err(wrap)?
                {
                    Some(m) => m.holder,
                    None => return Ok(None),
                }
            }
            (None, None) => return Ok(None),
        };
        Ok(Some(Received {
            holder,
            asked_again: own.map_or(0, |m| m.asked_again.max(0) as u64),
            messages: found
                .into_iter()
                .map(|m| InboxMessage {
                    id: m.id.max(0) as u64,
                    received_at: m.received_at,
                    sender: m.sender,
                    text: m.text,
                    code: m.code,
                    unexpected_sender: m.unexpected_sender,
                })
                .collect(),
        }))
    }

    fn watch(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    fn recheck(&self) -> Option<Duration> {
        Some(RECHECK)
    }
}
