//! Broadcasts in MongoDB: collection `jobs` holds the one broadcast
//! previewed or being sent (document `broadcast`), with its progress and
//! the lease of the process sending it; `broadcast_recipients` its
//! recipients, in chunks written once. Every change is one conditional
//! update of the `broadcast` document, so progress from a process whose
//! lease another one took is refused.

use futures::TryStreamExt;
use mongodb::{
    bson::{self, doc, Document},
    options::ReturnDocument,
    Collection, Database, IndexModel,
};
use numbot_core::{
    jobs::{Broadcast, Progress, Stage},
    UserStoreError,
};
use serde::Deserialize;

use crate::docs::is_duplicate;

/// Recipients per chunk document.
const CHUNK: u64 = 10_000;
/// The broadcast document's id.
const BROADCAST: &str = "broadcast";

/// The broadcast collections of a database.
pub(crate) struct MongoJobs {
    jobs: Collection<Document>,
    recipients: Collection<Document>,
    counters: Collection<Document>,
}

#[derive(Deserialize)]
struct JobDoc {
    id: i64,
    admin: i64,
    text: String,
    #[serde(default)]
    message: i32,
    total: i64,
    stage: Stage,
    #[serde(default)]
    next: i64,
    #[serde(default)]
    delivered: i64,
    #[serde(default)]
    blocked: i64,
    #[serde(default)]
    failed: i64,
    #[serde(default)]
    stop: bool,
}

#[derive(Deserialize)]
struct ChunkDoc {
    chunk: i64,
    ids: Vec<i64>,
}

fn failed(context: &'static str) -> impl FnOnce(mongodb::error::Error) -> UserStoreError {
    UserStoreError::database(context)
}

fn broadcast_of(d: Document) -> Result<Broadcast, UserStoreError> {
    let j: JobDoc =
        bson::from_document(d).map_err(|e| UserStoreError::Damaged(format!("broadcast: {e}")))?;
    let count = |n: i64| n.max(0) as u64;
    Ok(Broadcast {
        id: count(j.id),
        admin: j.admin,
        text: j.text,
        message: j.message,
        total: count(j.total),
        stage: j.stage,
        progress: Progress {
            next: count(j.next),
            delivered: count(j.delivered),
            blocked: count(j.blocked),
            failed: count(j.failed),
        },
        stop: j.stop,
    })
}

fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Preview => "preview",
        Stage::Sending => "sending",
    }
}

impl MongoJobs {
    pub(crate) async fn open(database: &Database) -> Result<MongoJobs, UserStoreError> {
        let recipients = database.collection::<Document>("broadcast_recipients");
        recipients
            .create_index(
                IndexModel::builder()
                    .keys(doc! { "job": 1, "chunk": 1 })
                    .build(),
            )
            .await
            .map_err(failed("creating the broadcast recipients' index"))?;
        Ok(MongoJobs {
            jobs: database.collection("jobs"),
            recipients,
            counters: database.collection("counters"),
        })
    }

    async fn next_id(&self) -> Result<i64, UserStoreError> {
        let counter = self
            .counters
            .find_one_and_update(
                doc! { "_id": "broadcast_id" },
                doc! { "$inc": { "n": 1i64 } },
            )
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await
            .map_err(failed("numbering a broadcast"))?
            .ok_or_else(|| UserStoreError::Damaged("the broadcast counter is missing".into()))?;
        match counter.get("n") {
            Some(bson::Bson::Int64(n)) => Ok(*n),
            Some(bson::Bson::Int32(n)) => Ok(i64::from(*n)),
            _ => Err(UserStoreError::Damaged(
                "the broadcast counter is damaged".into(),
            )),
        }
    }

    pub(crate) async fn create(
        &self,
        admin: i64,
        text: &str,
        recipients: &[i64],
    ) -> Result<Option<Broadcast>, UserStoreError> {
        if self
            .current()
            .await?
            .is_some_and(|b| b.stage == Stage::Sending)
        {
            return Ok(None);
        }
        let id = self.next_id().await?;
        let chunks: Vec<Document> = recipients
            .chunks(CHUNK as usize)
            .enumerate()
            .map(|(k, ids)| doc! { "job": id, "chunk": k as i64, "ids": ids.to_vec() })
            .collect();
        if !chunks.is_empty() {
            self.recipients
                .insert_many(chunks)
                .await
                .map_err(failed("keeping a broadcast's recipients"))?;
        }
        let job = doc! {
            "_id": BROADCAST, "id": id, "admin": admin, "text": text, "message": 0,
            "total": recipients.len() as i64, "stage": stage_name(Stage::Preview),
            "next": 0i64, "delivered": 0i64, "blocked": 0i64, "failed": 0i64, "stop": false,
        };
        // Replaces a preview, never a broadcast being sent (a replica may
        // have sent one off meanwhile: then the insert collides).
        let written = self
            .jobs
            .replace_one(
                doc! { "_id": BROADCAST, "stage": { "$ne": stage_name(Stage::Sending) } },
                job.clone(),
            )
            .upsert(true)
            .await;
        match written {
            Ok(_) => {}
            Err(e) if is_duplicate(&e) => {
                self.forget_recipients(id).await;
                return Ok(None);
            }
            Err(e) => return Err(failed("keeping a broadcast")(e)),
        }
        let _ = self
            .recipients
            .delete_many(doc! { "job": { "$ne": id } })
            .await;
        broadcast_of(job).map(Some)
    }

    async fn forget_recipients(&self, id: i64) {
        if let Err(e) = self.recipients.delete_many(doc! { "job": id }).await {
            tracing::warn!("broadcast recipients not removed: {e}");
        }
    }

    pub(crate) async fn set_message(&self, id: u64, message: i32) -> Result<(), UserStoreError> {
        self.jobs
            .update_one(
                doc! { "_id": BROADCAST, "id": id as i64 },
                doc! { "$set": { "message": message } },
            )
            .await
            .map_err(failed("noting a broadcast's message"))?;
        Ok(())
    }

    pub(crate) async fn current(&self) -> Result<Option<Broadcast>, UserStoreError> {
        self.jobs
            .find_one(doc! { "_id": BROADCAST })
            .await
            .map_err(failed("reading the broadcast"))?
            .map(broadcast_of)
            .transpose()
    }

    async fn update(
        &self,
        filter: Document,
        update: Document,
        context: &'static str,
    ) -> Result<Option<Broadcast>, UserStoreError> {
        self.jobs
            .find_one_and_update(filter, update)
            .return_document(ReturnDocument::After)
            .await
            .map_err(failed(context))?
            .map(broadcast_of)
            .transpose()
    }

    pub(crate) async fn start(&self, id: u64) -> Result<Option<Broadcast>, UserStoreError> {
        self.update(
            doc! { "_id": BROADCAST, "id": id as i64, "stage": stage_name(Stage::Preview) },
            doc! { "$set": { "stage": stage_name(Stage::Sending) } },
            "sending a broadcast off",
        )
        .await
    }

    pub(crate) async fn drop_preview(&self, id: u64) -> Result<bool, UserStoreError> {
        let dropped = self
            .jobs
            .delete_one(
                doc! { "_id": BROADCAST, "id": id as i64, "stage": stage_name(Stage::Preview) },
            )
            .await
            .map_err(failed("dropping a broadcast"))?;
        if dropped.deleted_count == 1 {
            self.forget_recipients(id as i64).await;
        }
        Ok(dropped.deleted_count == 1)
    }

    pub(crate) async fn stop(&self, id: u64) -> Result<bool, UserStoreError> {
        let stopped = self
            .jobs
            .update_one(
                doc! { "_id": BROADCAST, "id": id as i64, "stage": stage_name(Stage::Sending) },
                doc! { "$set": { "stop": true } },
            )
            .await
            .map_err(failed("stopping a broadcast"))?;
        Ok(stopped.matched_count == 1)
    }

    pub(crate) async fn lease(
        &self,
        owner: &str,
        now: i64,
        until: i64,
    ) -> Result<Option<Broadcast>, UserStoreError> {
        self.update(
            doc! {
                "_id": BROADCAST, "stage": stage_name(Stage::Sending),
                "$or": [
                    { "owner": owner },
                    { "until": { "$lte": now } },
                    { "owner": { "$exists": false } },
                ],
            },
            doc! { "$set": { "owner": owner, "until": until } },
            "taking the broadcast's lease",
        )
        .await
    }

    pub(crate) async fn recipients(
        &self,
        id: u64,
        from: u64,
        n: usize,
    ) -> Result<Vec<i64>, UserStoreError> {
        let first = from / CHUNK;
        let last = (from + n as u64).div_ceil(CHUNK);
        let chunks: Vec<ChunkDoc> = self
            .recipients
            .clone_with_type::<ChunkDoc>()
            .find(doc! {
                "job": id as i64,
                "chunk": { "$gte": first as i64, "$lt": last as i64 },
            })
            .sort(doc! { "chunk": 1 })
            .await
            .map_err(failed("reading a broadcast's recipients"))?
            .try_collect()
            .await
            .map_err(failed("reading a broadcast's recipients"))?;
        Ok(chunks
            .into_iter()
            .flat_map(|c| {
                let start = c.chunk.max(0) as u64 * CHUNK;
                c.ids
                    .into_iter()
                    .enumerate()
                    .map(move |(i, user)| (start + i as u64, user))
            })
            .filter(|(at, _)| *at >= from)
            .take(n)
            .map(|(_, user)| user)
            .collect())
    }

    pub(crate) async fn advance(
        &self,
        id: u64,
        owner: &str,
        progress: Progress,
    ) -> Result<Option<Broadcast>, UserStoreError> {
        self.update(
            doc! { "_id": BROADCAST, "id": id as i64, "owner": owner },
            doc! { "$set": {
                "next": progress.next as i64, "delivered": progress.delivered as i64,
                "blocked": progress.blocked as i64, "failed": progress.failed as i64,
            } },
            "recording a broadcast's progress",
        )
        .await
    }

    pub(crate) async fn finish(&self, id: u64, owner: &str) -> Result<bool, UserStoreError> {
        let finished = self
            .jobs
            .delete_one(doc! { "_id": BROADCAST, "id": id as i64, "owner": owner })
            .await
            .map_err(failed("ending a broadcast"))?;
        if finished.deleted_count == 1 {
            self.forget_recipients(id as i64).await;
        }
        Ok(finished.deleted_count == 1)
    }
}
