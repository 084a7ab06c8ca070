//! User records, the audit trail, upload questions, tokens and broadcasts
//! in MongoDB, shared by every replica. Collections `users` (keyed by
//! Telegram id), `audit`, `pending_uploads`, `tokens` ([`MongoTokens`]) and
//! the broadcast's ([`MongoJobs`]). Each change is one atomic operation on
//! one document (upsert, `$set`, `$inc`, insert); taking a number under the
//! limit prunes old times first, then checks and counts in one conditional
//! update.

use futures::TryStreamExt;
use mongodb::{
    bson::{doc, Bson, Document},
    Collection, Database, IndexModel,
};
use numbot_core::{
    clock::unix_now,
    hooks::{Attempt, Delivery, Webhook, Webhooks},
    jobs::{Broadcast, Progress},
    queue::{QueueError, WaitQueue},
    sessions::{WebSession, WebSessions},
    tokens::{ApiToken, NewToken},
    AuditAction, AuditEvent, AuditLog, Jobs, NumberLimit, NumberSlot, PendingUpload,
    PendingUploads, TokenStore, UserRecord, UserStatus, UserStoreError, Users,
};

use crate::{jobs::MongoJobs, tokens::MongoTokens};
use serde::{Deserialize, Deserializer};

/// The MongoDB user store.
pub struct MongoUsers {
    users: Collection<Document>,
    audit: Collection<Document>,
    pending: Collection<Document>,
    tokens: MongoTokens,
    jobs: MongoJobs,
    queue: crate::queue::MongoQueue,
    hooks: crate::hooks::MongoHooks,
    sessions: crate::sessions::MongoSessions,
}

/// A user's document; a status numbot does not know is an error (a
/// damaged ban must not read as access).
#[derive(Deserialize)]
struct UserDoc {
    #[serde(rename = "_id", deserialize_with = "int")]
    id: i64,
    #[serde(default)]
    name: String,
    status: UserStatus,
    #[serde(default, deserialize_with = "int")]
    first_seen: i64,
    #[serde(default, deserialize_with = "int")]
    numbers_taken: i64,
    #[serde(default, deserialize_with = "ints")]
    recent_numbers: Vec<i64>,
    #[serde(default, deserialize_with = "opt_int")]
    status_by: Option<i64>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    telegram_language: Option<String>,
}

#[derive(Deserialize)]
struct AuditDoc {
    #[serde(deserialize_with = "int")]
    at: i64,
    #[serde(deserialize_with = "int")]
    actor: i64,
    action: AuditAction,
    detail: String,
}

#[derive(Deserialize)]
struct PendingDoc {
    file_id: String,
    file_name: String,
    #[serde(default, deserialize_with = "int")]
    numbers: i64,
    #[serde(deserialize_with = "int")]
    at: i64,
}

fn integer(b: &Bson) -> Option<i64> {
    match b {
        Bson::Int32(v) => Some(i64::from(*v)),
        Bson::Int64(v) => Some(*v),
        Bson::Double(v) if v.fract() == 0.0 => Some(*v as i64),
        _ => None,
    }
}

fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let b = Bson::deserialize(d)?;
    integer(&b).ok_or_else(|| serde::de::Error::custom(format!("expected an integer, found {b}")))
}

fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Bson::deserialize(d)? {
        Bson::Null => Ok(None),
        b => integer(&b)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("expected an integer, found {b}"))),
    }
}

fn ints<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    let items = Vec::<Bson>::deserialize(d)?;
    items
        .iter()
        .map(|b| {
            integer(b)
                .ok_or_else(|| serde::de::Error::custom(format!("expected an integer, found {b}")))
        })
        .collect()
}

fn typed<T: serde::de::DeserializeOwned>(d: Document) -> Result<T, UserStoreError> {
    mongodb::bson::from_document(d).map_err(|e| UserStoreError::Damaged(e.to_string()))
}

fn record(d: Document) -> Result<UserRecord, UserStoreError> {
    let u: UserDoc = typed(d)?;
    Ok(UserRecord {
        id: u.id,
        name: u.name,
        status: u.status,
        first_seen: u.first_seen,
        numbers_taken: u.numbers_taken.max(0) as u64,
        recent_numbers: u.recent_numbers,
        status_by: u.status_by,
        reason: u.reason,
        language: u.language,
        telegram_language: u.telegram_language,
    })
}

fn pending_of(d: Document) -> Result<PendingUpload, UserStoreError> {
    let p: PendingDoc = typed(d)?;
    Ok(PendingUpload {
        file_id: p.file_id,
        file_name: p.file_name,
        numbers: p.numbers.max(0) as u64,
        at: p.at,
    })
}

fn unavailable(context: &'static str) -> impl FnOnce(mongodb::error::Error) -> UserStoreError {
    UserStoreError::database(context)
}

fn status_name(s: UserStatus) -> &'static str {
    match s {
        UserStatus::Active => "active",
        UserStatus::Pending => "pending",
        UserStatus::Banned => "banned",
    }
}

impl MongoUsers {
    /// The user store in `database`, with its indexes.
    pub async fn open(database: &Database) -> Result<MongoUsers, UserStoreError> {
        let users = database.collection::<Document>("users");
        let audit = database.collection::<Document>("audit");
        users
            .create_index(IndexModel::builder().keys(doc! { "status": 1 }).build())
            .await
            .map_err(unavailable("MongoDB"))?;
        audit
            .create_index(
                IndexModel::builder()
                    .keys(doc! { "at": -1, "_id": -1 })
                    .build(),
            )
            .await
            .map_err(unavailable("MongoDB"))?;
        Ok(MongoUsers {
            users,
            audit,
            pending: database.collection("pending_uploads"),
            tokens: MongoTokens::open(database).await?,
            jobs: MongoJobs::open(database).await?,
            queue: crate::queue::MongoQueue::open(database)
                .await
                .map_err(unavailable("MongoDB"))?,
            hooks: crate::hooks::MongoHooks::open(database).await?,
            sessions: crate::sessions::MongoSessions::open(database),
        })
    }
}

#[async_trait::async_trait]
impl Users for MongoUsers {
    async fn seen(
        &self,
        id: i64,
        name: &str,
        telegram_language: Option<&str>,
        status: UserStatus,
    ) -> Result<(UserRecord, bool), UserStoreError> {
        let first_seen = unix_now();
        // An upsert and a read, not find-and-modify: two cheap operations on
        // every server (find-and-modify is slow on some wire-compatible ones).
        let upserted = self
            .users
            .update_one(
                doc! { "_id": id },
                doc! {
                    "$set": { "name": name, "telegram_language": telegram_language },
                    "$setOnInsert": {
                        "status": status_name(status), "first_seen": first_seen,
                        "numbers_taken": 0i64,
                    },
                },
            )
            .upsert(true)
            .await
            .map_err(unavailable("MongoDB"))?;
        let created = upserted.upserted_id.is_some();
        let record = self
            .get(id)
            .await?
            .unwrap_or_else(|| UserRecord::new(id, name, status, first_seen));
        Ok((record, created))
    }

    async fn set_language(&self, id: i64, language: Option<&str>) -> Result<(), UserStoreError> {
        self.users
            .update_one(
                doc! { "_id": id },
                doc! { "$set": { "language": language } },
            )
            .await
            .map_err(unavailable("MongoDB"))?;
        Ok(())
    }

    async fn get(&self, id: i64) -> Result<Option<UserRecord>, UserStoreError> {
        let d = self
            .users
            .find_one(doc! { "_id": id })
            .await
            .map_err(unavailable("MongoDB"))?;
        d.map(record).transpose()
    }

    async fn set_status(
        &self,
        id: i64,
        status: UserStatus,
        by: i64,
        reason: Option<String>,
    ) -> Result<UserRecord, UserStoreError> {
        let mut set = doc! { "status": status_name(status), "status_by": by };
        let mut update = doc! {
            "$setOnInsert": { "name": format!("user {id}"), "first_seen": unix_now(), "numbers_taken": 0i64 },
        };
        match reason {
            Some(r) => {
                set.insert("reason", r);
            }
            None => {
                update.insert("$unset", doc! { "reason": "" });
            }
        }
        update.insert("$set", set);
        self.users
            .update_one(doc! { "_id": id }, update)
            .upsert(true)
            .await
            .map_err(unavailable("MongoDB"))?;
        self.get(id)
            .await?
            .ok_or_else(|| UserStoreError::Damaged("MongoDB lost a record just written".into()))
    }

    async fn take_number(
        &self,
        id: i64,
        at: i64,
        limit: &NumberLimit,
        exempt: bool,
    ) -> Result<NumberSlot, UserStoreError> {
        let max = limit.max.max(1);
        let prune = doc! { "$pull": { "recent_numbers": { "$lte": at - limit.secs() } } };
        if exempt {
            self.users
                .update_one(doc! { "_id": id }, prune)
                .await
                .map_err(unavailable("MongoDB"))?;
            self.users
                .update_one(
                    doc! { "_id": id },
                    doc! {
                        "$inc": { "numbers_taken": 1i64 },
                        "$push": { "recent_numbers": { "$each": [at], "$slice": -(max as i64) } },
                    },
                )
                .await
                .map_err(unavailable("MongoDB"))?;
            return Ok(NumberSlot::Granted);
        }
        // Pushed only while the window has a free place: one conditional
        // update, so two replicas cannot both take the last one.
        let full = format!("recent_numbers.{}", max - 1);
        let mut tries = 0;
        loop {
            tries += 1;
            // Times that left the window, and given-back places (0), go
            // first: whoever removes them, they are out of every window.
            self.users
                .update_one(doc! { "_id": id }, prune.clone())
                .await
                .map_err(unavailable("MongoDB"))?;
            let counted = self
                .users
                .update_one(
                    doc! { "_id": id, &full: { "$exists": false } },
                    doc! {
                        "$inc": { "numbers_taken": 1i64 },
                        "$push": { "recent_numbers": at },
                    },
                )
                .await
                .map_err(unavailable("MongoDB"))?;
            if counted.matched_count == 1 {
                return Ok(NumberSlot::Granted);
            }
            // Refused: a failed read must not turn that into a pass.
            let Ok(record) = self.get(id).await else {
                return Ok(NumberSlot::Full(Vec::new()));
            };
            let Some(record) = record else {
                return Ok(NumberSlot::Granted);
            };
            let inside: Vec<i64> = record
                .recent_numbers
                .into_iter()
                .filter(|&t| limit.counts(t, at))
                .collect();
            // A place given back between the prune and the update filled the
            // list without counting: once more.
            if inside.len() >= max || tries == 2 {
                return Ok(NumberSlot::Full(inside));
            }
        }
    }

    async fn give_back_number(&self, id: i64, at: i64) -> Result<(), UserStoreError> {
        // The first slot taken at `at` becomes 0, out of every window; the
        // next take pulls it.
        self.users
            .update_one(
                doc! { "_id": id, "recent_numbers": at },
                doc! {
                    "$set": { "recent_numbers.$": 0i64 },
                    "$inc": { "numbers_taken": -1i64 },
                },
            )
            .await
            .map_err(unavailable("MongoDB"))?;
        Ok(())
    }

    async fn with_status(&self, status: UserStatus) -> Result<Vec<UserRecord>, UserStoreError> {
        let docs: Vec<Document> = self
            .users
            .find(doc! { "status": status_name(status) })
            .sort(doc! { "_id": 1 })
            .await
            .map_err(unavailable("MongoDB"))?
            .try_collect()
            .await
            .map_err(unavailable("MongoDB"))?;
        docs.into_iter().map(record).collect()
    }
}

#[async_trait::async_trait]
impl AuditLog for MongoUsers {
    async fn audit(&self, event: AuditEvent) -> Result<(), UserStoreError> {
        self.audit
            .insert_one(doc! {
                "at": event.at, "actor": event.actor,
                "action": event.action.as_str(), "detail": &event.detail,
            })
            .await
            .map_err(unavailable("MongoDB"))?;
        Ok(())
    }

    async fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEvent>, UserStoreError> {
        let docs: Vec<Document> = self
            .audit
            .find(doc! {})
            .sort(doc! { "at": -1, "_id": -1 })
            .limit(limit as i64)
            .await
            .map_err(unavailable("MongoDB"))?
            .try_collect()
            .await
            .map_err(unavailable("MongoDB"))?;
        let mut out = docs
            .into_iter()
            .map(|d| {
                typed::<AuditDoc>(d).map(|a| AuditEvent {
                    at: a.at,
                    actor: a.actor,
                    action: a.action,
                    detail: a.detail,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.reverse();
        Ok(out)
    }
}

#[async_trait::async_trait]
impl PendingUploads for MongoUsers {
    async fn put_pending_upload(
        &self,
        admin: i64,
        upload: PendingUpload,
    ) -> Result<Option<PendingUpload>, UserStoreError> {
        let replaced = self
            .pending
            .find_one_and_replace(
                doc! { "_id": admin },
                doc! {
                    "file_id": upload.file_id, "file_name": upload.file_name,
                    "numbers": upload.numbers as i64, "at": upload.at,
                },
            )
            .upsert(true)
            .await
            .map_err(unavailable("MongoDB"))?;
        replaced.map(pending_of).transpose()
    }

    async fn pending_upload(&self, admin: i64) -> Result<Option<PendingUpload>, UserStoreError> {
        let d = self
            .pending
            .find_one(doc! { "_id": admin })
            .await
            .map_err(unavailable("MongoDB"))?;
        d.map(pending_of).transpose()
    }

    async fn take_pending_upload(
        &self,
        admin: i64,
        file_id: &str,
    ) -> Result<Option<PendingUpload>, UserStoreError> {
        // A read and a conditional delete (find-and-modify is slow on some
        // wire-compatible servers): of two replicas taking it, one deletes it.
        let Some(d) = self
            .pending
            .find_one(doc! { "_id": admin, "file_id": file_id })
            .await
            .map_err(unavailable("MongoDB"))?
        else {
            return Ok(None);
        };
        let taken = self
            .pending
            .delete_one(doc! { "_id": admin, "file_id": file_id, "at": d.get("at") })
            .await
            .map_err(unavailable("MongoDB"))?;
        if taken.deleted_count == 1 {
            pending_of(d).map(Some)
        } else {
            Ok(None)
        }
    }
}

#[async_trait::async_trait]
impl TokenStore for MongoUsers {
    async fn add_token(
        &self,
        new: NewToken,
        hash: String,
        at: i64,
    ) -> Result<ApiToken, UserStoreError> {
        self.tokens.add(new, hash, at).await
    }

    async fn token_by_hash(&self, hash: &str) -> Result<Option<ApiToken>, UserStoreError> {
        self.tokens.by_hash(hash).await
    }

    async fn tokens(&self) -> Result<Vec<ApiToken>, UserStoreError> {
        self.tokens.all().await
    }

    async fn revoke_token(&self, name: &str, at: i64) -> Result<Option<ApiToken>, UserStoreError> {
        self.tokens.revoke(name, at).await
    }
}

#[async_trait::async_trait]
impl WebSessions for MongoUsers {
    async fn open_session(
        &self,
        launch: &str,
        launch_until: i64,
        key: &str,
        session: WebSession,
    ) -> Result<bool, UserStoreError> {
        self.sessions
            .open_session(launch, launch_until, key, session)
            .await
    }

    async fn session(&self, key: &str, now: i64) -> Result<Option<WebSession>, UserStoreError> {
        self.sessions.session(key, now).await
    }
}

#[async_trait::async_trait]
impl Webhooks for MongoUsers {
    async fn set_webhook(&self, hook: Webhook) -> Result<(), UserStoreError> {
        self.hooks.set(hook).await
    }

    async fn webhook(&self, token: i64) -> Result<Option<Webhook>, UserStoreError> {
        self.hooks.get(token).await
    }

    async fn remove_webhook(&self, token: i64) -> Result<bool, UserStoreError> {
        self.hooks.remove(token).await
    }

    async fn queue_delivery(&self, delivery: Delivery) -> Result<u64, UserStoreError> {
        self.hooks.queue(delivery).await
    }

    async fn due_deliveries(
        &self,
        now: i64,
        owner: &str,
        until: i64,
        limit: usize,
    ) -> Result<Vec<Delivery>, UserStoreError> {
        self.hooks.due(now, owner, until, limit).await
    }

    async fn record_attempt(
        &self,
        id: u64,
        delivered: bool,
        attempt: Attempt,
    ) -> Result<(), UserStoreError> {
        self.hooks.tried(id, delivered, attempt).await
    }

    async fn deliveries(&self, token: i64, limit: usize) -> Result<Vec<Delivery>, UserStoreError> {
        self.hooks.list(token, limit).await
    }
}

#[async_trait::async_trait]
impl WaitQueue for MongoUsers {
    async fn join(&self, category: &str, until: i64) -> Result<u64, QueueError> {
        self.queue.join(category, until).await
    }

    async fn first(
        &self,
        category: &str,
        ticket: u64,
        now: i64,
        until: i64,
    ) -> Result<bool, QueueError> {
        self.queue.first(category, ticket, now, until).await
    }

    async fn leave(&self, _category: &str, ticket: u64) -> Result<(), QueueError> {
        self.queue.leave(ticket).await
    }

    fn recheck(&self) -> std::time::Duration {
        self.queue.recheck()
    }
}

#[async_trait::async_trait]
impl Jobs for MongoUsers {
    async fn create_broadcast(
        &self,
        admin: i64,
        text: &str,
        recipients: &[i64],
    ) -> Result<Option<Broadcast>, UserStoreError> {
        self.jobs.create(admin, text, recipients).await
    }

    async fn set_broadcast_message(&self, id: u64, message: i32) -> Result<(), UserStoreError> {
        self.jobs.set_message(id, message).await
    }

    async fn broadcast(&self) -> Result<Option<Broadcast>, UserStoreError> {
        self.jobs.current().await
    }

    async fn start_broadcast(&self, id: u64) -> Result<Option<Broadcast>, UserStoreError> {
        self.jobs.start(id).await
    }

    async fn drop_broadcast(&self, id: u64) -> Result<bool, UserStoreError> {
        self.jobs.drop_preview(id).await
    }

    async fn stop_broadcast(&self, id: u64) -> Result<bool, UserStoreError> {
        self.jobs.stop(id).await
    }

    async fn lease_broadcast(
        &self,
        owner: &str,
        now: i64,
        until: i64,
    ) -> Result<Option<Broadcast>, UserStoreError> {
        self.jobs.lease(owner, now, until).await
    }

    async fn broadcast_recipients(
        &self,
        id: u64,
        from: u64,
        n: usize,
    ) -> Result<Vec<i64>, UserStoreError> {
        self.jobs.recipients(id, from, n).await
    }

    async fn advance_broadcast(
        &self,
        id: u64,
        owner: &str,
        progress: Progress,
    ) -> Result<Option<Broadcast>, UserStoreError> {
        self.jobs.advance(id, owner, progress).await
    }

    async fn finish_broadcast(&self, id: u64, owner: &str) -> Result<bool, UserStoreError> {
        self.jobs.finish(id, owner).await
    }
}
