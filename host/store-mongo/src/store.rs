//! The MongoDB pool's state and the steps every operation shares: the
//! lease sweep, file keys, per-second counts of free numbers, ending a use.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU32, Ordering},
        Arc, Mutex,
    },
};

use mongodb::{
    bson::{doc, Bson, Document},
    options::{IndexOptions, ReturnDocument},
    Collection, Database, IndexModel,
};
use numbot_core::{
    policy::Policy, reuse::AfterUse, Assignment, Clock, CodeRecord, Ended, ReuseRule,
    SharedPlugins, StoreConfig, StoreError, UseId, UseRecord,
};

use crate::{
    counts::Counts,
    docs::{all, db, FileDoc, FileRef, NumberDoc, State},
};

/// How old an upload still being written must be before a start-up treats
/// it as abandoned by a process that died (and removes what it wrote).
pub(crate) const ABANDONED_UPLOAD_SECS: i64 = 3600;

/// A file as claims know it: name, category, upload time.
#[derive(Clone)]
pub(crate) struct FileKey {
    pub(crate) name: String,
    pub(crate) category: String,
    pub(crate) created: i64,
    pub(crate) deleted: bool,
}

impl FileKey {
    pub(crate) fn of(f: &FileDoc) -> FileKey {
        FileKey {
            name: f.name.clone(),
            category: f.country_name.clone(),
            created: f.created_unix,
            deleted: f.deleted,
        }
    }
}

pub(crate) struct Inner {
    pub(crate) numbers: Collection<Document>,
    pub(crate) files: Collection<Document>,
    pub(crate) originals: Collection<Document>,
    pub(crate) counters: Collection<Document>,
    /// Every use that ended.
    pub(crate) history: Collection<UseRecord>,
    /// Codes relayed during uses, until their use joins the history.
    pub(crate) codes: Collection<CodeRecord>,
    pub(crate) policy: Policy,
    pub(crate) lease_secs: u32,
    pub(crate) reuse: ReuseRule,
    pub(crate) clock: Clock,
    /// The second of the last lease sweep by this process.
    swept: AtomicU32,
    /// Free numbers per file, recounted when the second changes.
    pub(crate) counts: Mutex<Option<Counts>>,
    /// Held by the task recounting.
    pub(crate) recount: tokio::sync::Mutex<()>,
    /// File ids to names and categories (files never change id).
    keys: Mutex<HashMap<u32, FileKey>>,
    /// Assignments not yet counted on their file's document (count, last
    /// time): counted by the next sweep, so that a claim is two round trips.
    uses: Mutex<HashMap<u32, (i64, u32)>>,
    /// Use ids this process may hand out.
    use_ids: UseIds,
}

/// Use ids taken from the `counters` collection a block at a time: one
/// round trip per [`USE_ID_BLOCK`] claims, unique across replicas and
/// restarts (a block a process did not finish is never handed out again).
#[derive(Default)]
struct UseIds {
    /// The next id and the end of the block (exclusive).
    block: tokio::sync::Mutex<(u64, u64)>,
}

/// Ids reserved per round trip.
const USE_ID_BLOCK: u64 = 1024;

/// The MongoDB pool. Cheap to clone; every clone and every process on the
/// same database shares the pool.
#[derive(Clone)]
pub struct MongoStore {
    pub(crate) inner: Arc<Inner>,
}

impl MongoStore {
    /// Opens the pool in `database`: creates its indexes (idempotent), ends
    /// leases that ran out while no process was sweeping, and removes
    /// uploads a dead process left unfinished.
    pub async fn open(
        database: &Database,
        config: &StoreConfig,
        plugins: SharedPlugins,
    ) -> Result<MongoStore, StoreError> {
        let numbers = database.collection::<Document>("numbers");
        let index = |keys: Document, options: Option<IndexOptions>| {
            IndexModel::builder().keys(keys).options(options).build()
        };
        let unique = |filter: Document| {
            Some(
                IndexOptions::builder()
                    .unique(true)
                    .partial_filter_expression(filter)
                    .build(),
            )
        };
        for model in [
            index(doc! { "n": 1 }, unique(doc! { "live": true })),
            index(doc! { "user": 1 }, unique(doc! { "state": State::Held })),
            index(doc! { "use": 1 }, unique(doc! { "state": State::Held })),
            index(doc! { "file": 1, "state": 1, "r": 1 }, None),
            index(doc! { "state": 1, "until": 1 }, None),
            index(doc! { "state": 1, "free_at": 1 }, None),
        ] {
            numbers
                .create_index(model)
                .await
                .map_err(db("creating the numbers' indexes"))?;
        }
        let files = database.collection::<Document>("files");
        files
            .create_index(index(doc! { "id": 1 }, None))
            .await
            .map_err(db("creating the files' index"))?;
        let originals = database.collection::<Document>("originals");
        originals
            .create_index(index(doc! { "file": 1 }, None))
            .await
            .map_err(db("creating the originals' index"))?;
        let history = database.collection::<UseRecord>("history");
        for keys in [
            doc! { "end": 1 },
            doc! { "holder": 1, "end": 1 },
            doc! { "category": 1, "end": 1 },
        ] {
            history
                .create_index(index(keys, None))
                .await
                .map_err(db("creating the history's indexes"))?;
        }
        let codes = database.collection::<CodeRecord>("codes");
        codes
            .create_index(index(doc! { "number": 1, "start": 1 }, None))
            .await
            .map_err(db("creating the codes' index"))?;
        let store = MongoStore {
            inner: Arc::new(Inner {
                numbers,
                files,
                originals,
                history,
                codes,
                counters: database.collection("counters"),
                policy: Policy::new(plugins),
                lease_secs: config.lease_secs,
                reuse: config.reuse,
                clock: config.clock.clone(),
                swept: AtomicU32::new(0),
                counts: Mutex::new(None),
                recount: tokio::sync::Mutex::new(()),
                keys: Mutex::new(HashMap::new()),
                uses: Mutex::new(HashMap::new()),
                use_ids: UseIds::default(),
            }),
        };
        store.name_unnamed_uses().await?;
        store.sweep(true).await?;
        store.remove_abandoned_uploads().await?;
        Ok(store)
    }

    /// A new use id.
    pub(crate) async fn next_use_id(&self) -> Result<UseId, StoreError> {
        let mut block = self.inner.use_ids.block.lock().await;
        if block.0 >= block.1 {
            let after = self
                .inner
                .counters
                .find_one_and_update(
                    doc! { "_id": "use_ids" },
                    doc! { "$inc": { "n": USE_ID_BLOCK as i64 } },
                )
                .upsert(true)
                .return_document(ReturnDocument::After)
                .await
                .map_err(db("reserving use ids"))?
                .ok_or_else(|| StoreError::Inconsistent("the use id counter is missing".into()))?;
            let end = match after.get("n") {
                Some(Bson::Int64(n)) => *n,
                Some(Bson::Int32(n)) => i64::from(*n),
                Some(Bson::Double(n)) if n.fract() == 0.0 => *n as i64,
                _ => {
                    return Err(StoreError::Inconsistent(
                        "the use id counter is damaged".into(),
                    ))
                }
            } as u64;
            *block = (end + 1 - USE_ID_BLOCK, end + 1);
        }
        let id = block.0;
        block.0 += 1;
        Ok(UseId(id))
    }

    /// Gives held numbers of a pool written before uses had ids an id each.
    async fn name_unnamed_uses(&self) -> Result<(), StoreError> {
        let unnamed = all(
            "reading uses without an id",
            self.numbers()
                .find(doc! { "state": State::Held, "use": { "$exists": false } }),
        )
        .await?;
        for d in unnamed {
            let id = self.next_use_id().await?;
            self.inner
                .numbers
                .update_one(
                    doc! { "_id": d.id, "state": State::Held, "user": d.user, "since": d.since, "use": { "$exists": false } },
                    doc! { "$set": { "use": id.0 as i64 } },
                )
                .await
                .map_err(db("naming a use"))?;
        }
        Ok(())
    }

    pub(crate) fn numbers(&self) -> Collection<NumberDoc> {
        self.inner.numbers.clone_with_type()
    }

    pub(crate) fn now_secs(&self) -> u32 {
        self.inner.clock.now()
    }

    /// Ends every lease (and "change" reservation) due by now and every
    /// cooldown, and counts the assignments made since the last sweep on
    /// their files; at most once a second per process unless `force`. Any
    /// process may end any lease: each end is a compare-and-set on the exact
    /// use, so two sweeps never end one use twice.
    pub(crate) async fn sweep(&self, force: bool) -> Result<(), StoreError> {
        let now = self.now_secs();
        if self.inner.swept.swap(now, Ordering::Relaxed) == now && !force {
            return Ok(());
        }
        self.count_uses().await;
        let thawed = self
            .inner
            .numbers
            .update_many(
                doc! { "state": State::Cooling, "free_at": { "$lte": i64::from(now) } },
                doc! { "$set": { "state": State::Free } },
            )
            .await
            .map_err(db("ending cooldowns"))?;
        if thawed.modified_count > 0 {
            self.forget_counts();
        }
        let due = all(
            "reading leases that ended",
            self.numbers().find(doc! {
                "state": { "$in": [State::Held, State::Reserved] },
                "until": { "$lte": i64::from(now) },
            }),
        )
        .await?;
        for d in due {
            if d.state == State::Held {
                self.end_use(&d, Ended::Expired).await?;
            } else {
                let freed = self
                    .inner
                    .numbers
                    .update_one(
                        doc! { "_id": d.id, "state": State::Reserved, "until": d.until },
                        doc! { "$set": { "state": State::Free }, "$unset": { "user": "", "until": "" } },
                    )
                    .await
                    .map_err(db("ending a reservation"))?;
                if freed.modified_count == 1 {
                    self.adjust_count(d.file_id(), 1);
                    self.leave_if_deleted(&d).await?;
                }
            }
        }
        Ok(())
    }

    /// Counts an assignment against its file (statistics and policies), on
    /// the file's document at the next sweep.
    pub(crate) fn count_use(&self, file: u32, now: u32) {
        let mut uses = self.inner.uses.lock().unwrap_or_else(|e| e.into_inner());
        let entry = uses.entry(file).or_default();
        entry.0 += 1;
        entry.1 = entry.1.max(now);
    }

    /// Writes the counted assignments to their files' documents. Best
    /// effort: the claims happened, and a lost count must not make a user
    /// believe theirs did not.
    async fn count_uses(&self) {
        let uses: Vec<(u32, (i64, u32))> = self
            .inner
            .uses
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
            .collect();
        for (file, (count, last)) in uses {
            let counted = self
                .inner
                .files
                .update_one(
                    doc! { "id": i64::from(file) },
                    doc! { "$inc": { "usage_count": count }, "$max": { "last_used": i64::from(last) } },
                )
                .await;
            if let Err(e) = counted {
                tracing::warn!("file usage count not updated: {e}");
            }
        }
    }

    /// The name, category and state of file `id`.
    pub(crate) async fn key(&self, id: u32) -> Result<FileKey, StoreError> {
        if let Some(k) = self
            .inner
            .keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
        {
            return Ok(k.clone());
        }
        let f = self
            .inner
            .files
            .clone_with_type::<FileDoc>()
            .find_one(doc! { "id": i64::from(id) })
            .await
            .map_err(db("reading a file's document"))?
            .ok_or_else(|| {
                StoreError::Inconsistent(format!("file id {id} has no files document"))
            })?;
        let key = FileKey::of(&f);
        if !key.deleted {
            self.inner
                .keys
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(id, key.clone());
        }
        Ok(key)
    }

    /// Forgets a file's key (it was deleted).
    pub(crate) fn forget_key(&self, id: u32) {
        self.inner
            .keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
    }

    /// Whether file `id` is deleted now (asked of the database: another process may have).
    async fn is_deleted(&self, id: u32) -> Result<bool, StoreError> {
        Ok(self
            .inner
            .files
            .find_one(doc! { "id": i64::from(id), "deleted": true })
            .await
            .map_err(db("reading a file's document"))?
            .is_some())
    }

    /// The assignment a number document holds.
    pub(crate) async fn assignment(&self, d: &NumberDoc) -> Result<Assignment, StoreError> {
        let key = self.key(d.file_id()).await?;
        Ok(assignment(
            d,
            &key,
            UseId(d.use_id.unwrap_or_default() as u64),
            d.user.unwrap_or_default(),
            (d.since.unwrap_or_default(), d.until.unwrap_or_default()),
        ))
    }

    /// The document of the number `user` holds, if any. A hold whose lease
    /// ran out is ended here (the sweep may not have reached it yet), as the
    /// file store ends due leases before every operation.
    pub(crate) async fn held_by(&self, user: i64) -> Result<Option<NumberDoc>, StoreError> {
        self.held(doc! { "user": user, "state": State::Held }).await
    }

    /// The document of use `id` while it lasts (ended here when its lease
    /// ran out).
    pub(crate) async fn held_in(&self, id: UseId) -> Result<Option<NumberDoc>, StoreError> {
        self.held(doc! { "use": id.0 as i64, "state": State::Held })
            .await
    }

    async fn held(&self, filter: Document) -> Result<Option<NumberDoc>, StoreError> {
        let d = self
            .numbers()
            .find_one(filter)
            .await
            .map_err(db("reading a number held"))?;
        match d {
            Some(d) if d.until.unwrap_or_default() <= i64::from(self.now_secs()) => {
                self.end_use(&d, Ended::Expired).await?;
                Ok(None)
            }
            other => Ok(other),
        }
    }

    /// A number of a deleted file whose use or reservation just ended
    /// leaves the pool (the delete may have run while it was in use).
    pub(crate) async fn leave_if_deleted(&self, d: &NumberDoc) -> Result<(), StoreError> {
        if self.is_deleted(d.file_id()).await? {
            self.inner
                .numbers
                .update_one(
                    doc! { "_id": d.id, "state": { "$in": [State::Free, State::Cooling, State::Retired] } },
                    doc! { "$set": { "state": State::Gone }, "$unset": { "live": "" } },
                )
                .await
                .map_err(db("removing a deleted file's number"))?;
        }
        Ok(())
    }

    /// Why `user` could not take a number that a unique index refused: the
    /// number they hold.
    pub(crate) async fn already(&self, user: i64) -> StoreError {
        match self.held_by(user).await {
            Ok(Some(d)) => StoreError::AlreadyAssigned {
                user,
                number: d.e164(),
            },
            Ok(None) => StoreError::Inconsistent(format!(
                "user {user} was taking another number at the same moment"
            )),
            Err(e) => e,
        }
    }

    /// Ends the use in `d` (compare-and-set on holder and start): what the
    /// number becomes follows the reuse rule, then it leaves the pool if its
    /// file was deleted. Whether this call ended it.
    pub(crate) async fn end_use(&self, d: &NumberDoc, ended: Ended) -> Result<bool, StoreError> {
        let now = self.now_secs();
        let after = self.inner.reuse.after(ended.end(), now);
        let set = match after {
            AfterUse::Retired => doc! { "state": State::Retired },
            AfterUse::Cooling(until) => {
                doc! { "state": State::Cooling, "free_at": i64::from(until) }
            }
            AfterUse::Free => doc! { "state": State::Free, "free_at": 0i64 },
        };
        let changed = self
            .inner
            .numbers
            .update_one(
                doc! { "_id": d.id, "state": State::Held, "user": d.user, "use": d.use_id },
                doc! { "$set": set, "$unset": { "user": "", "until": "", "use": "" } },
            )
            .await
            .map_err(db("ending a use"))?;
        let done = changed.modified_count == 1;
        if done {
            self.keep(d, now, ended).await;
            // Its file may have been deleted before or during the use.
            self.leave_if_deleted(d).await?;
            if after == AfterUse::Free {
                self.adjust_count(d.file_id(), 1);
            }
        }
        Ok(done)
    }

    /// A hold on a number: which use, who, since when, until when.
    pub(crate) fn hold(id: UseId, user: i64, now: u32, until: u32) -> Document {
        doc! {
            "$set": {
                "use": id.0 as i64,
                "state": State::Held, "user": user, "since": i64::from(now),
                "until": i64::from(until), "last_used": i64::from(now), "last_user": user,
            },
            "$inc": { "uses": 1 },
        }
    }

    /// Removes what an unfinished upload wrote.
    pub(crate) async fn undo_upload(&self, name: &str, id: u32) {
        let _ = self
            .inner
            .numbers
            .delete_many(doc! { "file": i64::from(id) })
            .await;
        let _ = self
            .inner
            .originals
            .delete_many(doc! { "file": name })
            .await;
        let _ = self.inner.files.delete_one(doc! { "_id": name }).await;
    }

    /// Uploads a process started and never finished (it died mid-way): their
    /// numbers are not claimable, and would block a new upload of the same
    /// numbers, so they are removed.
    async fn remove_abandoned_uploads(&self) -> Result<(), StoreError> {
        let before = i64::from(self.now_secs()) - ABANDONED_UPLOAD_SECS;
        let abandoned = all(
            "reading unfinished uploads",
            self.inner
                .files
                .clone_with_type::<FileRef>()
                .find(doc! { "ready": false, "touched": { "$lt": before } })
                .projection(doc! { "_id": 1, "id": 1 }),
        )
        .await?;
        for f in abandoned {
            tracing::warn!(file = %f.name, "removing an upload a stopped process left unfinished");
            self.undo_upload(&f.name, f.id as u32).await;
        }
        Ok(())
    }
}

/// The assignment of number `d` to `user` as use `id` (from `since` until
/// `until`), named by its file.
pub(crate) fn assignment(
    d: &NumberDoc,
    key: &FileKey,
    id: UseId,
    user: i64,
    (since, until): (i64, i64),
) -> Assignment {
    Assignment {
        id,
        number: d.e164(),
        category: key.category.clone(),
        file: key.name.clone(),
        user,
        since: since as u32,
        until: until as u32,
    }
}
