//! User records and the audit trail in MongoDB, shared by every replica.
//! Collections `users` (keyed by Telegram id) and `audit`. Each change is
//! one atomic operation on one document (upsert, `$set`, `$inc`, insert);
//! taking a number under the limit prunes old times first, then checks and
//! counts in one conditional update.

use futures::TryStreamExt;
use mongodb::{
    bson::{doc, Document},
    Collection, Database, IndexModel,
};

use crate::store::integer;

use super::{
    AuditEvent, NumberLimit, NumberSlot, PendingUpload, UserRecord, UserStatus, UserStore,
    UserStoreError,
};

/// The MongoDB user store.
pub struct MongoUsers {
    users: Collection<Document>,
    audit: Collection<Document>,
    pending: Collection<Document>,
}

fn pending_of(d: &Document) -> PendingUpload {
    PendingUpload {
        file_id: d.get_str("file_id").unwrap_or_default().to_string(),
        file_name: d.get_str("file_name").unwrap_or_default().to_string(),
        numbers: int(d, "numbers").unwrap_or_default().max(0) as u64,
        at: int(d, "at").unwrap_or_default(),
    }
}

fn unavailable(e: mongodb::error::Error) -> UserStoreError {
    UserStoreError::Unavailable(format!("MongoDB: {}", e.kind))
}

fn status_name(s: UserStatus) -> &'static str {
    match s {
        UserStatus::Active => "active",
        UserStatus::Pending => "pending",
        UserStatus::Banned => "banned",
    }
}

fn int(d: &Document, key: &str) -> Option<i64> {
    d.get(key).and_then(integer)
}

fn record(d: &Document) -> UserRecord {
    UserRecord {
        id: int(d, "_id").unwrap_or_default(),
        name: d.get_str("name").unwrap_or_default().to_string(),
        status: match d.get_str("status").unwrap_or_default() {
            "banned" => UserStatus::Banned,
            "pending" => UserStatus::Pending,
            _ => UserStatus::Active,
        },
        first_seen: int(d, "first_seen").unwrap_or_default(),
        numbers_taken: int(d, "numbers_taken").unwrap_or_default().max(0) as u64,
        recent_numbers: d
            .get_array("recent_numbers")
            .map(|a| a.iter().filter_map(integer).collect())
            .unwrap_or_default(),
        status_by: int(d, "status_by"),
        reason: d.get_str("reason").ok().map(str::to_string),
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl MongoUsers {
    /// The user store in `database`, with its indexes.
    pub async fn open(database: &Database) -> Result<MongoUsers, UserStoreError> {
        let users = database.collection::<Document>("users");
        let audit = database.collection::<Document>("audit");
        users
            .create_index(IndexModel::builder().keys(doc! { "status": 1 }).build())
            .await
            .map_err(unavailable)?;
        audit
            .create_index(
                IndexModel::builder()
                    .keys(doc! { "at": -1, "_id": -1 })
                    .build(),
            )
            .await
            .map_err(unavailable)?;
        Ok(MongoUsers {
            users,
            audit,
            pending: database.collection("pending_uploads"),
        })
    }
}

#[async_trait::async_trait]
impl UserStore for MongoUsers {
    async fn seen(
        &self,
        id: i64,
        name: &str,
        status: UserStatus,
    ) -> Result<(UserRecord, bool), UserStoreError> {
        let first_seen = now();
        // An upsert and a read, not find-and-modify: two cheap operations on
        // every server (find-and-modify is slow on some wire-compatible ones).
        let upserted = self
            .users
            .update_one(
                doc! { "_id": id },
                doc! {
                    "$set": { "name": name },
                    "$setOnInsert": {
                        "status": status_name(status), "first_seen": first_seen,
                        "numbers_taken": 0i64,
                    },
                },
            )
            .upsert(true)
            .await
            .map_err(unavailable)?;
        let created = upserted.upserted_id.is_some();
        let record = self.get(id).await?.unwrap_or(UserRecord {
            id,
            name: name.to_string(),
            status,
            first_seen,
            numbers_taken: 0,
            recent_numbers: Vec::new(),
            status_by: None,
            reason: None,
        });
        Ok((record, created))
    }

    async fn get(&self, id: i64) -> Result<Option<UserRecord>, UserStoreError> {
        let d = self
            .users
            .find_one(doc! { "_id": id })
            .await
            .map_err(unavailable)?;
        Ok(d.as_ref().map(record))
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
            "$setOnInsert": { "name": format!("user {id}"), "first_seen": now(), "numbers_taken": 0i64 },
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
            .map_err(unavailable)?;
        self.get(id)
            .await?
            .ok_or_else(|| UserStoreError::Unavailable("MongoDB lost a record just written".into()))
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
                .map_err(unavailable)?;
            self.users
                .update_one(
                    doc! { "_id": id },
                    doc! {
                        "$inc": { "numbers_taken": 1i64 },
                        "$push": { "recent_numbers": { "$each": [at], "$slice": -(max as i64) } },
                    },
                )
                .await
                .map_err(unavailable)?;
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
                .map_err(unavailable)?;
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
                .map_err(unavailable)?;
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
            .map_err(unavailable)?;
        Ok(())
    }

    async fn with_status(&self, status: UserStatus) -> Result<Vec<UserRecord>, UserStoreError> {
        let docs: Vec<Document> = self
            .users
            .find(doc! { "status": status_name(status) })
            .sort(doc! { "_id": 1 })
            .await
            .map_err(unavailable)?
            .try_collect()
            .await
            .map_err(unavailable)?;
        Ok(docs.iter().map(record).collect())
    }

    async fn audit(&self, event: AuditEvent) -> Result<(), UserStoreError> {
        tracing::info!(actor = event.actor, action = %event.action, "audit: {}", event.detail);
        self.audit
            .insert_one(doc! {
                "at": event.at, "actor": event.actor,
                "action": &event.action, "detail": &event.detail,
            })
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn put_pending_upload(
        &self,
        admin: i64,
        upload: PendingUpload,
    ) -> Result<(), UserStoreError> {
        self.pending
            .replace_one(
                doc! { "_id": admin },
                doc! {
                    "file_id": upload.file_id, "file_name": upload.file_name,
                    "numbers": upload.numbers as i64, "at": upload.at,
                },
            )
            .upsert(true)
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn pending_upload(&self, admin: i64) -> Result<Option<PendingUpload>, UserStoreError> {
        let d = self
            .pending
            .find_one(doc! { "_id": admin })
            .await
            .map_err(unavailable)?;
        Ok(d.as_ref().map(pending_of))
    }

    async fn take_pending_upload(
        &self,
        admin: i64,
    ) -> Result<Option<PendingUpload>, UserStoreError> {
        // A read and a conditional delete (find-and-modify is slow on some
        // wire-compatible servers): of two replicas taking it, one deletes it.
        let Some(d) = self
            .pending
            .find_one(doc! { "_id": admin })
            .await
            .map_err(unavailable)?
        else {
            return Ok(None);
        };
        let taken = self
            .pending
            .delete_one(doc! { "_id": admin, "file_id": d.get("file_id"), "at": d.get("at") })
            .await
            .map_err(unavailable)?;
        Ok((taken.deleted_count == 1).then(|| pending_of(&d)))
    }

    async fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEvent>, UserStoreError> {
        let docs: Vec<Document> = self
            .audit
            .find(doc! {})
            .sort(doc! { "at": -1, "_id": -1 })
            .limit(limit as i64)
            .await
            .map_err(unavailable)?
            .try_collect()
            .await
            .map_err(unavailable)?;
        let mut out: Vec<AuditEvent> = docs
            .iter()
            .map(|d| AuditEvent {
                at: int(d, "at").unwrap_or_default(),
                actor: int(d, "actor").unwrap_or_default(),
                action: d.get_str("action").unwrap_or_default().to_string(),
                detail: d.get_str("detail").unwrap_or_default().to_string(),
            })
            .collect();
        out.reverse();
        Ok(out)
    }
}
