//! The MongoDB pool: the same [`NumberStore`] contract as the file store,
//! shared by every numbot process connected to the database.
//!
//! Collections (database `numbot` by default):
//!
//! - `numbers`: one document per number: `n` (E.164 digits), `file` (file
//!   id), `r` (a fixed pseudo-random key spreading claimers over the pool),
//!   `state` (`free`, `held`, `reserved`, `cooling`, `retired`, `gone`),
//!   `free_at` (the end of a cooldown), the holder (`user`, `since`,
//!   `until`) and usage (`uses`, `last_used`, `last_user`). `live` marks numbers still in the pool.
//! - `files`: one document per upload, keyed by stored name: the
//!   [`FileMeta`] fields plus `ready` (set once every number is in).
//! - `originals`: the uploaded bytes, in parts of 4 MiB.
//! - `counters`, `leases`, `relayed`: file ids, the OTP monitor's lease and
//!   the ids of messages relayed.
//!
//! Exclusivity comes from single-document atomic updates, not from locks:
//! a claim is a compare-and-set (`update_one` on a number still `free`), and
//! two unique partial indexes make the rest impossible: a number is `live`
//! once in the pool (`n`), and a user is the holder of one `held` number at
//! most (`user`). A process killed between two steps leaves nothing
//! half-done that the next lease sweep does not end.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{
        atomic::{AtomicU32, AtomicU64, Ordering},
        Arc, Mutex,
    },
};

use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::{
    bson::{self, doc, spec::BinarySubtype, Binary, Bson, Document},
    error::{Error as DbError, ErrorKind, WriteFailure},
    options::{IndexOptions, ReturnDocument},
    Collection, Cursor, Database, IndexModel,
};

use super::{
    percent,
    upload::{prepare, stored_name},
    Assignment, Clock, FileInfo, FileMeta, NumberStore, ReuseRule, Stats, StoreConfig, StoreError,
    UploadReport, Usage,
};
use crate::{
    monitor::{MonitorShare, SharedWatch},
    plugin::{
        types::{Candidate, Request},
        PluginHost,
    },
};

/// Number documents written per `insert_many`.
const INSERT_BATCH: usize = 20_000;
/// Bytes of an original upload per document.
const PART_BYTES: usize = 4 << 20;
/// Candidates read per window of the claim search.
const WINDOW_READ: i64 = 8;
/// How long a "change number" reservation lives if its process dies.
const RESERVATION_SECS: u32 = 60;
/// How long the OTP monitor's lease lasts without renewal.
const MONITOR_LEASE_SECS: u32 = 15;
/// How long relayed message ids are kept.
const RELAYED_FOR_SECS: i64 = 2 * 24 * 3600;
/// How old an upload still being written must be before a start-up treats
/// it as abandoned by a process that died (and removes what it wrote).
const ABANDONED_UPLOAD_SECS: i64 = 3600;
/// MongoDB's duplicate-key error.
const DUPLICATE_KEY: i32 = 11000;

/// A file as claims know it: name, category, upload time.
#[derive(Clone)]
struct FileKey {
    name: String,
    category: String,
    created: i64,
    deleted: bool,
}

/// A file's free numbers as counted at one second of the store's clock.
#[derive(Clone)]
struct FileCount {
    id: u32,
    key: FileKey,
    available: u64,
    total: u64,
    used: u64,
    last_used: Option<i64>,
}

struct Counts {
    at: u32,
    files: Vec<FileCount>,
}

struct Inner {
    numbers: Collection<Document>,
    files: Collection<Document>,
    originals: Collection<Document>,
    counters: Collection<Document>,
    leases: Collection<Document>,
    relayed: Collection<Document>,
    /// The OTP monitor leader's watches (see `MonitorShare`).
    watches: Collection<Document>,
    plugins: Arc<PluginHost>,
    lease_secs: u32,
    reuse: ReuseRule,
    clock: Clock,
    /// The second of the last lease sweep by this process.
    swept: AtomicU32,
    /// Free numbers per file, recounted when the second changes.
    counts: Mutex<Option<Counts>>,
    /// Held by the task recounting.
    recount: tokio::sync::Mutex<()>,
    /// File ids to names and categories (files never change id).
    keys: Mutex<HashMap<u32, FileKey>>,
    seed: AtomicU64,
    /// This process, as the OTP monitor's lease names it.
    owner: String,
    /// The hour (Unix seconds / 3600) old relayed ids were last pruned.
    pruned: AtomicU32,
}

/// The MongoDB pool. Cheap to clone; every clone and every process on the
/// same database shares the pool.
#[derive(Clone)]
pub struct MongoStore {
    inner: Arc<Inner>,
}

/// A database error as the store reports it (never with the connection string).
fn db(e: DbError) -> StoreError {
    StoreError::Database(e.kind.to_string())
}

/// Every document a `find` returns.
async fn all(
    find: impl std::future::IntoFuture<Output = mongodb::error::Result<Cursor<Document>>>,
) -> Result<Vec<Document>, StoreError> {
    find.await.map_err(db)?.try_collect().await.map_err(db)
}

/// The server's error code for a write, if any.
fn write_code(e: &DbError) -> Option<i32> {
    match &*e.kind {
        ErrorKind::Write(WriteFailure::WriteError(w)) => Some(w.code),
        ErrorKind::Command(c) => Some(c.code),
        _ => None,
    }
}

fn is_duplicate(e: &DbError) -> bool {
    write_code(e) == Some(DUPLICATE_KEY)
}

/// For an unordered `insert_many` that failed only on documents already
/// there: how many those were.
fn only_duplicates(e: &DbError) -> Option<u64> {
    match &*e.kind {
        ErrorKind::InsertMany(m) if m.write_concern_error.is_none() => m
            .write_errors
            .as_ref()
            .filter(|w| w.iter().all(|w| w.code == DUPLICATE_KEY))
            .map(|w| w.len() as u64),
        _ => None,
    }
}

/// An integer field, however the server encoded it.
fn int(d: &Document, key: &str) -> i64 {
    d.get(key).and_then(integer).unwrap_or(0)
}

/// A BSON number as an integer, however the server encoded it (servers
/// that store numbers in a dynamic language send small ones as 32-bit).
pub(crate) fn integer(b: &Bson) -> Option<i64> {
    match b {
        Bson::Int32(v) => Some(i64::from(*v)),
        Bson::Int64(v) => Some(*v),
        Bson::Double(v) => Some(*v as i64),
        _ => None,
    }
}

fn text<'a>(d: &'a Document, key: &str) -> &'a str {
    d.get_str(key).unwrap_or_default()
}

/// A well-spread 32-bit key from a number and its file (splitmix64).
fn spread(n: u64, file: u32) -> i64 {
    let mut z = n ^ (u64::from(file) << 40) ^ 0x9E37_79B9_7F4A_7C15;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) & 0xFFFF_FFFF) as i64
}

/// What a number becomes when its use ends.
fn ended_state(op: End, rule: ReuseRule, now: u32) -> Document {
    match (op, rule) {
        (End::Complete, ReuseRule::Once) => doc! { "state": "retired" },
        (End::Complete, ReuseRule::Cooldown(secs)) if secs > 0 => {
            doc! { "state": "cooling", "free_at": i64::from(now.saturating_add(secs)) }
        }
        _ => doc! { "state": "free", "free_at": 0i64 },
    }
}

/// How a use ends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Complete,
    Cancel,
    Expire,
}

impl MongoStore {
    /// Opens the pool in `database`: creates its indexes (idempotent) and
    /// ends leases that ran out while no process was sweeping.
    pub async fn open(
        database: &Database,
        config: &StoreConfig,
        plugins: Arc<PluginHost>,
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
            index(doc! { "user": 1 }, unique(doc! { "state": "held" })),
            index(doc! { "file": 1, "state": 1, "r": 1 }, None),
            index(doc! { "state": 1, "until": 1 }, None),
            index(doc! { "state": 1, "free_at": 1 }, None),
        ] {
            numbers.create_index(model).await.map_err(db)?;
        }
        let files = database.collection::<Document>("files");
        files
            .create_index(index(doc! { "id": 1 }, None))
            .await
            .map_err(db)?;
        let originals = database.collection::<Document>("originals");
        originals
            .create_index(index(doc! { "file": 1 }, None))
            .await
            .map_err(db)?;
        let relayed = database.collection::<Document>("relayed");
        relayed
            .create_index(index(doc! { "at": 1 }, None))
            .await
            .map_err(db)?;
        let store = MongoStore {
            inner: Arc::new(Inner {
                numbers,
                files,
                originals,
                counters: database.collection("counters"),
                leases: database.collection("leases"),
                relayed,
                watches: database.collection("watches"),
                plugins,
                lease_secs: config.lease_secs,
                reuse: config.reuse,
                clock: config.clock.clone(),
                swept: AtomicU32::new(0),
                counts: Mutex::new(None),
                recount: tokio::sync::Mutex::new(()),
                keys: Mutex::new(HashMap::new()),
                seed: AtomicU64::new(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_nanos() as u64)
                        .unwrap_or(0)
                        ^ u64::from(std::process::id()).rotate_left(32),
                ),
                pruned: AtomicU32::new(0),
                owner: format!(
                    "{}-{}-{:x}",
                    std::env::var("HOSTNAME").unwrap_or_else(|_| "numbot".into()),
                    std::process::id(),
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.subsec_nanos())
                        .unwrap_or(0)
                ),
            }),
        };
        store.sweep(true).await?;
        store.remove_abandoned_uploads().await?;
        Ok(store)
    }

    /// Uploads a process started and never finished (it died mid-way): their
    /// numbers are not claimable, and would block a new upload of the same
    /// numbers, so they are removed.
    async fn remove_abandoned_uploads(&self) -> Result<(), StoreError> {
        let before = i64::from(self.now_secs()) - ABANDONED_UPLOAD_SECS;
        let abandoned: Vec<Document> = all(self
            .inner
            .files
            .find(doc! { "ready": false, "touched": { "$lt": before } }))
        .await?;
        for f in abandoned {
            let name = text(&f, "_id").to_string();
            tracing::warn!(file = %name, "removing an upload a stopped process left unfinished");
            self.undo_upload(&name, int(&f, "id") as u32).await;
        }
        Ok(())
    }

    fn now_secs(&self) -> u32 {
        self.inner.clock.now()
    }

    fn forget_counts(&self) {
        *self.inner.counts.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Adjusts this process's count of a file's free numbers after its own change.
    fn adjust_count(&self, file: u32, delta: i64) {
        if let Some(counts) = self
            .inner
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
        {
            if let Some(f) = counts.files.iter_mut().find(|f| f.id == file) {
                f.available = f.available.saturating_add_signed(delta);
            }
        }
    }

    /// Ends every lease (and "change" reservation) due by now and every
    /// cooldown; at most once a second per process unless `force`. Any
    /// process may end any lease: each end is a compare-and-set on the exact
    /// use, so two sweeps never end one use twice.
    async fn sweep(&self, force: bool) -> Result<(), StoreError> {
        let now = self.now_secs();
        if self.inner.swept.swap(now, Ordering::Relaxed) == now && !force {
            return Ok(());
        }
        let thawed = self
            .inner
            .numbers
            .update_many(
                doc! { "state": "cooling", "free_at": { "$lte": i64::from(now) } },
                doc! { "$set": { "state": "free" } },
            )
            .await
            .map_err(db)?;
        if thawed.modified_count > 0 {
            self.forget_counts();
        }
        for state in ["held", "reserved"] {
            let due: Vec<Document> = all(self
                .inner
                .numbers
                .find(doc! { "state": state, "until": { "$lte": i64::from(now) } }))
            .await?;
            for d in due {
                if state == "held" {
                    self.end_use(&d, End::Expire).await?;
                } else {
                    let freed = self
                        .inner
                        .numbers
                        .update_one(
                            doc! { "_id": d.get("_id"), "state": "reserved", "until": d.get("until") },
                            doc! { "$set": { "state": "free" }, "$unset": { "user": "", "until": "" } },
                        )
                        .await
                        .map_err(db)?;
                    if freed.modified_count == 1 {
                        self.adjust_count(int(&d, "file") as u32, 1);
                        self.leave_if_deleted(&d).await?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The name, category and state of file `id`.
    async fn key(&self, id: u32) -> Result<FileKey, StoreError> {
        if let Some(k) = self
            .inner
            .keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
        {
            return Ok(k.clone());
        }
        let d = self
            .inner
            .files
            .find_one(doc! { "id": i64::from(id) })
            .await
            .map_err(db)?
            .ok_or_else(|| StoreError::Database(format!("file id {id} has no files document")))?;
        let key = FileKey {
            name: text(&d, "_id").to_string(),
            category: text(&d, "country_name").to_string(),
            created: int(&d, "created_unix"),
            deleted: d.get_bool("deleted").unwrap_or(false),
        };
        if !key.deleted {
            self.inner
                .keys
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(id, key.clone());
        }
        Ok(key)
    }

    /// Whether file `id` is deleted now (asked of the database: another process may have).
    async fn is_deleted(&self, id: u32) -> Result<bool, StoreError> {
        Ok(self
            .inner
            .files
            .find_one(doc! { "id": i64::from(id), "deleted": true })
            .await
            .map_err(db)?
            .is_some())
    }

    async fn assignment(&self, d: &Document) -> Result<Assignment, StoreError> {
        let key = self.key(int(d, "file") as u32).await?;
        Ok(Self::claimed(d, &key, int(d, "user")))
    }

    /// The document of the number `user` holds, if any. A hold whose lease
    /// ran out is ended here (the sweep may not have reached it yet), as the
    /// file store ends due leases before every operation.
    async fn held_by(&self, user: i64) -> Result<Option<Document>, StoreError> {
        let d = self
            .inner
            .numbers
            .find_one(doc! { "user": user, "state": "held" })
            .await
            .map_err(db)?;
        match d {
            Some(d) if int(&d, "until") <= i64::from(self.now_secs()) => {
                self.end_use(&d, End::Expire).await?;
                Ok(None)
            }
            other => Ok(other),
        }
    }

    /// A number of a deleted file whose use or reservation just ended
    /// leaves the pool (the delete may have run while it was in use).
    async fn leave_if_deleted(&self, d: &Document) -> Result<(), StoreError> {
        if self.is_deleted(int(d, "file") as u32).await? {
            self.inner
                .numbers
                .update_one(
                    doc! { "_id": d.get("_id"), "state": { "$in": ["free", "cooling", "retired"] } },
                    doc! { "$set": { "state": "gone" }, "$unset": { "live": "" } },
                )
                .await
                .map_err(db)?;
        }
        Ok(())
    }

    async fn already(&self, user: i64) -> StoreError {
        match self.held_by(user).await {
            Ok(Some(d)) => StoreError::AlreadyAssigned {
                user,
                number: format!("+{}", int(&d, "n")),
            },
            Ok(None) => StoreError::Database(format!(
                "user {user} was taking another number at the same moment"
            )),
            Err(e) => e,
        }
    }

    /// Free numbers per live file, counted once per second of the store's clock.
    async fn counts(&self) -> Result<Vec<FileCount>, StoreError> {
        let now = self.now_secs();
        let cached = || {
            self.inner
                .counts
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .as_ref()
                .map(|c| (c.at == now, c.files.clone()))
        };
        let stale = match cached() {
            Some((true, files)) => return Ok(files),
            Some((false, files)) => Some(files),
            None => None,
        };
        // One recount at a time: the others go on with the last count (a
        // second old at most) rather than all asking the server at once.
        let _recount = match (self.inner.recount.try_lock(), stale) {
            (Ok(guard), _) => guard,
            (Err(_), Some(stale)) => return Ok(stale),
            (Err(_), None) => self.inner.recount.lock().await,
        };
        if let Some((true, files)) = cached() {
            return Ok(files);
        }
        let files: Vec<Document> = all(self
            .inner
            .files
            .find(doc! { "ready": true, "deleted": false }))
        .await?;
        let mut out = Vec::with_capacity(files.len());
        for f in files {
            let id = int(&f, "id") as u32;
            let available = self
                .inner
                .numbers
                .count_documents(doc! { "file": i64::from(id), "state": "free" })
                .await
                .map_err(db)?;
            let last = int(&f, "last_used");
            out.push(FileCount {
                id,
                key: FileKey {
                    name: text(&f, "_id").to_string(),
                    category: text(&f, "country_name").to_string(),
                    created: int(&f, "created_unix"),
                    deleted: false,
                },
                available,
                total: int(&f, "number_count") as u64,
                used: int(&f, "usage_count") as u64,
                last_used: (last > 0).then_some(last),
            });
        }
        *self.inner.counts.lock().unwrap_or_else(|e| e.into_inner()) = Some(Counts {
            at: now,
            files: out.clone(),
        });
        Ok(out)
    }

    /// Takes a free number of `category` for `user` with `set` (a hold or a
    /// reservation): the policy picks the file and where to start, then
    /// compare-and-set on candidates read from a window of `r` around it.
    async fn take(
        &self,
        category: &str,
        user: i64,
        set: Document,
    ) -> Result<Option<(Document, FileKey)>, StoreError> {
        let mut files: Vec<FileCount> = self
            .counts()
            .await?
            .into_iter()
            .filter(|f| f.key.category == category && f.available > 0)
            .collect();
        while !files.is_empty() {
            let request = Request {
                category: category.to_string(),
                user,
                seed: self
                    .inner
                    .seed
                    .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed),
                candidates: files
                    .iter()
                    .map(|f| Candidate {
                        id: u64::from(f.id),
                        name: f.key.name.clone(),
                        total: f.total,
                        available: f.available,
                        used: f.used,
                        created_at: f.key.created,
                        last_used: f.last_used,
                    })
                    .collect(),
            };
            let plugins = self.inner.plugins.clone();
            let choice = tokio::task::spawn_blocking(move || plugins.select(&request))
                .await
                .map_err(|e| StoreError::Panicked(e.to_string()))??;
            let chosen = files[choice.candidate as usize].clone();
            if let Some(d) = self.take_from(&chosen, choice.slot, user, &set).await? {
                self.adjust_count(chosen.id, -1);
                return Ok(Some((d, chosen.key)));
            }
            // Empty by now (other processes took the rest): not a candidate.
            self.adjust_count(chosen.id, -(chosen.available as i64));
            files.retain(|f| f.id != chosen.id);
        }
        Ok(None)
    }

    /// Compare-and-set over windows of `r` that start where `slot` points
    /// and widen until the whole file was read.
    async fn take_from(
        &self,
        file: &FileCount,
        slot: u64,
        user: i64,
        set: &Document,
    ) -> Result<Option<Document>, StoreError> {
        const SPAN: i64 = 1 << 32;
        let available = file.available.max(1) as i64;
        let start = ((slot as i64).min(available - 1) * (SPAN / available)).rem_euclid(SPAN);
        let mut width = (SPAN / available).saturating_mul(16).max(1 << 12);
        let mut lost_races = 0;
        loop {
            let whole = width >= SPAN;
            let ranges = if whole {
                vec![(0, SPAN)]
            } else if start + width <= SPAN {
                vec![(start, start + width)]
            } else {
                vec![(start, SPAN), (0, start + width - SPAN)]
            };
            let mut seen_any = false;
            for (lo, hi) in ranges {
                let found = all(self
                    .inner
                    .numbers
                    .find(doc! {
                        "file": i64::from(file.id), "state": "free",
                        "r": { "$gte": lo, "$lt": hi },
                    })
                    .limit(WINDOW_READ))
                .await?;
                for mut d in found {
                    seen_any = true;
                    let won = self
                        .inner
                        .numbers
                        .update_one(doc! { "_id": d.get("_id"), "state": "free" }, set.clone())
                        .await;
                    match won {
                        Ok(r) if r.modified_count == 1 => {
                            if let Ok(fields) = set.get_document("$set") {
                                d.extend(fields.clone());
                            }
                            return Ok(Some(d));
                        }
                        Ok(_) => {}
                        Err(e) if is_duplicate(&e) => return Err(self.already(user).await),
                        Err(e) => return Err(db(e)),
                    }
                }
            }
            if seen_any {
                // Every candidate read went to someone else first: read again.
                lost_races += 1;
                if lost_races < 64 {
                    continue;
                }
            }
            if whole {
                return Ok(None);
            }
            width = width.saturating_mul(8);
        }
    }

    /// Ends the use in `d` (compare-and-set on holder and start): what the
    /// number becomes follows the reuse rule, then it leaves the pool if its
    /// file was deleted. Whether this call ended it.
    async fn end_use(&self, d: &Document, op: End) -> Result<bool, StoreError> {
        let now = self.now_secs();
        let file = int(d, "file") as u32;
        let update = doc! {
            "$set": ended_state(op, self.inner.reuse, now),
            "$unset": { "user": "", "until": "" },
        };
        let ended = self
            .inner
            .numbers
            .update_one(
                doc! { "_id": d.get("_id"), "state": "held", "user": d.get("user"), "since": d.get("since") },
                update,
            )
            .await
            .map_err(db)?;
        let done = ended.modified_count == 1;
        if done {
            // Its file may have been deleted before or during the use.
            self.leave_if_deleted(d).await?;
            let freed_now = !matches!((op, self.inner.reuse), (End::Complete, ReuseRule::Once))
                && !matches!((op, self.inner.reuse), (End::Complete, ReuseRule::Cooldown(s)) if s > 0);
            if freed_now {
                self.adjust_count(file, 1);
            }
        }
        Ok(done)
    }

    /// A hold on a number: who, since when, until when.
    fn hold(user: i64, now: u32, until: u32) -> Document {
        doc! {
            "$set": {
                "state": "held", "user": user, "since": i64::from(now),
                "until": i64::from(until), "last_used": i64::from(now), "last_user": user,
            },
            "$inc": { "uses": 1 },
        }
    }

    /// Counts an assignment on its file's document (statistics and
    /// policies). Best effort: the claim already happened, and a lost count
    /// must not make the user believe it did not.
    async fn count_use(&self, file: i64, now: u32) {
        let counted = self
            .inner
            .files
            .update_one(
                doc! { "id": file },
                doc! { "$inc": { "usage_count": 1i64 }, "$max": { "last_used": i64::from(now) } },
            )
            .await;
        if let Err(e) = counted {
            tracing::warn!("file usage count not updated: {}", db(e));
        }
    }

    /// The assignment a claim made: from the number's document and the file
    /// the claim chose (no further round trip that could fail after the fact).
    fn claimed(d: &Document, key: &FileKey, user: i64) -> Assignment {
        Assignment {
            number: format!("+{}", int(d, "n")),
            category: key.category.clone(),
            file: key.name.clone(),
            user,
            since: int(d, "since") as u32,
            until: int(d, "until") as u32,
        }
    }

    /// Removes what an unfinished upload wrote.
    async fn undo_upload(&self, name: &str, id: u32) {
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

    /// [`NumberStore::upload`], leaving out the numbers `elsewhere` knows
    /// (another pool: migration mode), counted as already in the pool.
    pub async fn upload_except(
        &self,
        original_name: &str,
        bytes: Arc<Vec<u8>>,
        category: &str,
        admin_id: i64,
        default_country: Option<String>,
        elsewhere: &(dyn Fn(u64) -> bool + Send + Sync),
    ) -> Result<UploadReport, StoreError> {
        let plugins = self.inner.plugins.clone();
        let (name, wanted, input) = (
            original_name.to_string(),
            category.to_string(),
            bytes.clone(),
        );
        let prepared = tokio::task::spawn_blocking(move || {
            prepare(&plugins, &name, &input, &wanted, default_country.as_deref())
        })
        .await
        .map_err(|e| StoreError::Panicked(e.to_string()))??;
        let mut prepared = prepared;
        let before = prepared.numbers.len();
        prepared.numbers.retain(|&n| !elsewhere(n));
        let known_elsewhere = (before - prepared.numbers.len()) as u64;
        if prepared.numbers.is_empty() {
            return Err(prepared.nothing_left(known_elsewhere));
        }
        let counter = self
            .inner
            .counters
            .find_one_and_update(doc! { "_id": "file_id" }, doc! { "$inc": { "next": 1i64 } })
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await
            .map_err(db)?
            .ok_or_else(|| StoreError::Database("the file-id counter did not answer".into()))?;
        let id = u32::try_from(int(&counter, "next"))
            .map_err(|_| StoreError::Database("file ids exhausted".into()))?;
        let now = self.now_secs();
        // The stored name: the first free one of this second.
        let mut meta = prepared.meta(id, admin_id, original_name, 0, 0, now);
        let mut name = String::new();
        for n in 1..=1000 {
            let candidate = stored_name(&prepared.category, now, n);
            let mut d =
                bson::to_document(&meta).map_err(|e| StoreError::Database(e.to_string()))?;
            d.insert("_id", candidate.clone());
            d.insert("ready", false);
            // Renewed after every batch: an upload not touched for an hour was
            // abandoned by a process that died.
            d.insert("touched", i64::from(now));
            match self.inner.files.insert_one(d).await {
                Ok(_) => {
                    name = candidate;
                    break;
                }
                Err(e) if is_duplicate(&e) => continue,
                Err(e) => return Err(db(e)),
            }
        }
        if name.is_empty() {
            return Err(StoreError::Database(
                "no free stored name in this second".into(),
            ));
        }
        let written = async {
            let parts: Vec<Document> = bytes
                .chunks(PART_BYTES)
                .enumerate()
                .map(|(k, part)| {
                    doc! {
                        "_id": format!("{name}#{k}"), "file": &name, "part": k as i64,
                        "data": Binary { subtype: BinarySubtype::Generic, bytes: part.to_vec() },
                    }
                })
                .collect();
            if !parts.is_empty() {
                self.inner.originals.insert_many(parts).await.map_err(db)?;
            }
            let mut in_pool = 0u64;
            for batch in prepared.numbers.chunks(INSERT_BATCH) {
                let docs = batch.iter().map(|&n| {
                    doc! {
                        "n": n as i64, "file": i64::from(id), "r": spread(n, id),
                        "state": "free", "free_at": 0i64, "uses": 0i64, "live": true,
                    }
                });
                let inserted = self.inner.numbers.insert_many(docs).ordered(false).await;
                self.inner
                    .files
                    .update_one(
                        doc! { "_id": &name },
                        doc! { "$set": { "touched": i64::from(self.now_secs()) } },
                    )
                    .await
                    .map_err(db)?;
                if let Err(e) = inserted {
                    in_pool += only_duplicates(&e).ok_or_else(|| db(e))?;
                }
            }
            Ok::<u64, StoreError>(in_pool)
        }
        .await;
        let in_pool = match written {
            Ok(n) => n,
            Err(e) => {
                self.undo_upload(&name, id).await;
                return Err(e);
            }
        };
        let accepted = prepared.numbers.len() as u64 - in_pool;
        let in_pool = in_pool + known_elsewhere;
        if accepted == 0 {
            self.undo_upload(&name, id).await;
            return Err(prepared.nothing_left(in_pool));
        }
        meta.number_count = accepted;
        meta.duplicates_in_pool = in_pool;
        let ready = self
            .inner
            .files
            .update_one(
                doc! { "_id": &name },
                doc! { "$set": {
                    "ready": true, "number_count": accepted as i64,
                    "duplicates_in_pool": in_pool as i64,
                } },
            )
            .await;
        match ready {
            Ok(r) if r.matched_count == 1 => {}
            Ok(_) => {
                self.undo_upload(&name, id).await;
                return Err(StoreError::Database(format!(
                    "{name} was removed while it was being imported (taken for abandoned); import it again"
                )));
            }
            Err(e) => {
                self.undo_upload(&name, id).await;
                return Err(db(e));
            }
        }
        self.forget_counts();
        tracing::info!(file = %name, category = %prepared.category, admin = admin_id, accepted, "upload imported into MongoDB");
        Ok(prepared.report(name, accepted, in_pool))
    }
}

#[async_trait]
impl NumberStore for MongoStore {
    fn backend(&self) -> String {
        format!("MongoDB database {}", self.inner.numbers.namespace().db)
    }

    fn plugins(&self) -> &Arc<PluginHost> {
        &self.inner.plugins
    }

    fn now(&self) -> u32 {
        self.now_secs()
    }

    async fn upload(
        &self,
        original_name: &str,
        bytes: Arc<Vec<u8>>,
        category: &str,
        admin_id: i64,
        default_country: Option<String>,
    ) -> Result<UploadReport, StoreError> {
        self.upload_except(
            original_name,
            bytes,
            category,
            admin_id,
            default_country,
            &|_| false,
        )
        .await
    }

    async fn claim(&self, category: &str, user: i64) -> Result<Assignment, StoreError> {
        self.sweep(false).await?;
        if self.held_by(user).await?.is_some() {
            return Err(self.already(user).await);
        }
        let now = self.now_secs();
        let until = now.saturating_add(self.inner.lease_secs);
        let (d, key) = self
            .take(category, user, Self::hold(user, now, until))
            .await?
            .ok_or_else(|| StoreError::NoneAvailable(category.to_string()))?;
        self.count_use(int(&d, "file"), now).await;
        Ok(Self::claimed(&d, &key, user))
    }

    async fn change(&self, user: i64) -> Result<Assignment, StoreError> {
        self.sweep(false).await?;
        let old = self
            .held_by(user)
            .await?
            .ok_or(StoreError::NotAssigned(user))?;
        let key = self.key(int(&old, "file") as u32).await?;
        let now = self.now_secs();
        // Reserved while the old number is still held, so it cannot come back
        // and the user keeps theirs when nothing else is free.
        let reserve = doc! { "$set": {
            "state": "reserved", "user": user,
            "until": i64::from(now.saturating_add(RESERVATION_SECS)),
        } };
        let (new, new_key) = self
            .take(&key.category, user, reserve)
            .await?
            .ok_or_else(|| StoreError::NoneAvailable(key.category.clone()))?;
        let unreserve = || async {
            let undone = self
                .inner
                .numbers
                .update_one(
                    doc! { "_id": new.get("_id"), "state": "reserved", "user": user },
                    doc! { "$set": { "state": "free" }, "$unset": { "user": "", "until": "" } },
                )
                .await;
            if matches!(undone, Ok(ref r) if r.modified_count == 1) {
                self.adjust_count(int(&new, "file") as u32, 1);
                let _ = self.leave_if_deleted(&new).await;
            }
        };
        if !self.end_use(&old, End::Cancel).await? {
            // The old use ended meanwhile (cancelled, completed or expired
            // elsewhere): there is nothing to change.
            unreserve().await;
            return Err(StoreError::NotAssigned(user));
        }
        let until = now.saturating_add(self.inner.lease_secs);
        let promoted = self
            .inner
            .numbers
            .update_one(
                doc! { "_id": new.get("_id"), "state": "reserved", "user": user },
                Self::hold(user, now, until),
            )
            .await;
        let mut held = new.clone();
        held.insert("since", i64::from(now));
        held.insert("until", i64::from(until));
        match promoted {
            Ok(r) if r.modified_count == 1 => {
                self.count_use(int(&held, "file"), now).await;
                Ok(Self::claimed(&held, &new_key, user))
            }
            Err(e) if !is_duplicate(&e) => {
                // The write may have applied and only its answer got lost.
                match self.held_by(user).await {
                    Ok(Some(d)) if d.get("_id") == new.get("_id") => {
                        self.count_use(int(&held, "file"), now).await;
                        Ok(Self::claimed(&d, &new_key, user))
                    }
                    _ => {
                        unreserve().await;
                        Err(db(e))
                    }
                }
            }
            _ => {
                // Raced by another claim of the same user: give the reservation back.
                unreserve().await;
                Err(self.already(user).await)
            }
        }
    }

    async fn cancel(&self, user: i64) -> Result<(), StoreError> {
        self.sweep(false).await?;
        let d = self
            .held_by(user)
            .await?
            .ok_or(StoreError::NotAssigned(user))?;
        if self.end_use(&d, End::Cancel).await? {
            Ok(())
        } else {
            Err(StoreError::NotAssigned(user))
        }
    }

    async fn complete_use(&self, user: i64, number: &str, since: u32) -> Result<bool, StoreError> {
        self.sweep(false).await?;
        let Ok(n) = number.trim_start_matches('+').parse::<i64>() else {
            return Ok(false);
        };
        match self.held_by(user).await? {
            Some(d) if int(&d, "n") == n && int(&d, "since") == i64::from(since) => {
                self.end_use(&d, End::Complete).await
            }
            _ => Ok(false),
        }
    }

    async fn holding(&self, user: i64) -> Result<Option<Assignment>, StoreError> {
        self.sweep(false).await?;
        match self.held_by(user).await? {
            Some(d) if int(&d, "until") > i64::from(self.now_secs()) => {
                Ok(Some(self.assignment(&d).await?))
            }
            _ => Ok(None),
        }
    }

    async fn assignments(&self) -> Result<Vec<Assignment>, StoreError> {
        self.sweep(false).await?;
        let held: Vec<Document> = all(self.inner.numbers.find(doc! { "state": "held" })).await?;
        let mut out = Vec::with_capacity(held.len());
        for d in &held {
            out.push(self.assignment(d).await?);
        }
        out.sort_by_key(|a| a.user);
        Ok(out)
    }

    async fn categories(&self) -> Result<Vec<(String, u64)>, StoreError> {
        self.sweep(false).await?;
        let mut by: BTreeMap<String, u64> = BTreeMap::new();
        for f in self.counts().await? {
            *by.entry(f.key.category).or_default() += f.available;
        }
        Ok(by.into_iter().collect())
    }

    async fn stats(&self) -> Result<Stats, StoreError> {
        self.sweep(false).await?;
        let now = i64::from(self.now_secs());
        let files: Vec<Document> = all(self
            .inner
            .files
            .find(doc! { "ready": true })
            .sort(doc! { "_id": 1 }))
        .await?;
        let mut usage: HashMap<i64, Usage> = HashMap::new();
        let mut numbers = self
            .inner
            .numbers
            .find(doc! {})
            .projection(doc! { "file": 1, "state": 1, "free_at": 1, "uses": 1, "last_used": 1 })
            .await
            .map_err(db)?;
        while let Some(d) = numbers.try_next().await.map_err(db)? {
            let u = usage.entry(int(&d, "file")).or_default();
            u.total += 1;
            match text(&d, "state") {
                "free" => u.available += 1,
                "cooling" if int(&d, "free_at") <= now => u.available += 1,
                "cooling" => u.cooling += 1,
                "held" | "reserved" => u.assigned += 1,
                "retired" => u.retired += 1,
                _ => {}
            }
            let uses = int(&d, "uses");
            if uses > 0 {
                u.used_numbers += 1;
                u.assignments += uses as u64;
                let last = int(&d, "last_used") as u32;
                u.last_used = u.last_used.max(Some(last));
            }
        }
        let mut stats = Stats::default();
        for f in files {
            let name = text(&f, "_id").to_string();
            let mut meta: FileMeta =
                bson::from_document(f).map_err(|e| StoreError::Database(e.to_string()))?;
            let mut u = usage.remove(&i64::from(meta.id)).unwrap_or_default();
            if meta.deleted {
                u.available = 0;
                u.cooling = 0;
            }
            u.used_percent = percent(u.used_numbers, u.total);
            meta.usage_count = u.assignments;
            if !meta.deleted {
                stats
                    .categories
                    .entry(meta.country_name.clone())
                    .or_default()
                    .add(&u);
            }
            stats.files.push(FileInfo {
                name,
                meta,
                usage: u,
            });
        }
        Ok(stats)
    }

    async fn delete_file(&self, name: &str) -> Result<FileMeta, StoreError> {
        let deleted_at = chrono::Utc::now().to_rfc3339();
        let found = self
            .inner
            .files
            .find_one_and_update(
                doc! { "_id": name, "ready": true, "deleted": false },
                doc! { "$set": { "deleted": true, "deleted_at": &deleted_at } },
            )
            .await
            .map_err(db)?;
        let meta: FileMeta = match found {
            Some(before) => {
                let mut meta: FileMeta =
                    bson::from_document(before).map_err(|e| StoreError::Database(e.to_string()))?;
                meta.deleted = true;
                meta.deleted_at = Some(deleted_at);
                meta
            }
            // Deleted already (then the numbers' update below repeats
            // harmlessly), or no such file.
            None => self
                .inner
                .files
                .find_one(doc! { "_id": name, "ready": true })
                .await
                .map_err(db)?
                .map(|d| bson::from_document(d).map_err(|e| StoreError::Database(e.to_string())))
                .transpose()?
                .ok_or_else(|| StoreError::UnknownFile(name.to_string()))?,
        };
        // Held numbers leave when their use ends (see `end_use`).
        self.inner
            .numbers
            .update_many(
                doc! { "file": i64::from(meta.id), "state": { "$in": ["free", "cooling", "retired"] } },
                doc! { "$set": { "state": "gone" }, "$unset": { "live": "" } },
            )
            .await
            .map_err(db)?;
        self.inner
            .keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&meta.id);
        self.forget_counts();
        Ok(meta)
    }

    fn monitor_share(&self) -> Option<Arc<dyn MonitorShare>> {
        Some(Arc::new(self.clone()))
    }
}

#[async_trait]
impl MonitorShare for MongoStore {
    async fn lead(&self) -> bool {
        let now = i64::from(self.now_secs());
        let until = now + i64::from(MONITOR_LEASE_SECS);
        let me = &self.inner.owner;
        let renewed = self
            .inner
            .leases
            .update_one(
                doc! { "_id": "otp-monitor", "$or": [ { "owner": me }, { "until": { "$lt": now } } ] },
                doc! { "$set": { "owner": me, "until": until } },
            )
            .await;
        let leading = match renewed {
            Ok(r) if r.matched_count == 1 => true,
            Ok(_) => match self
                .inner
                .leases
                .insert_one(doc! { "_id": "otp-monitor", "owner": me, "until": until })
                .await
            {
                Ok(_) => true,
                Err(e) if is_duplicate(&e) => false,
                Err(e) => {
                    tracing::warn!("monitor lease: {}", db(e));
                    false
                }
            },
            Err(e) => {
                tracing::warn!("monitor lease: {}", db(e));
                false
            }
        };
        let hour = (now / 3600) as u32;
        if leading && self.inner.pruned.swap(hour, Ordering::Relaxed) != hour {
            let _ = self
                .inner
                .relayed
                .delete_many(doc! { "at": { "$lt": now - RELAYED_FOR_SECS } })
                .await;
        }
        leading
    }

    async fn first_relay(&self, id: &str, at: i64) -> Result<bool, String> {
        match self
            .inner
            .relayed
            .insert_one(doc! { "_id": id, "at": at })
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if is_duplicate(&e) => Ok(false),
            Err(e) => Err(db(e).to_string()),
        }
    }

    async fn forget(&self, id: &str) {
        if let Err(e) = self.inner.relayed.delete_one(doc! { "_id": id }).await {
            tracing::warn!("relayed messages: {}", db(e));
        }
    }

    async fn watches(&self) -> Result<Vec<SharedWatch>, String> {
        let docs = all(self.inner.watches.find(doc! {}))
            .await
            .map_err(|e| e.to_string())?;
        Ok(docs
            .iter()
            .map(|d| SharedWatch {
                user: int(d, "user"),
                number: text(d, "number").to_string(),
                since: int(d, "since"),
                until: u32::try_from(int(d, "until")).unwrap_or(0),
            })
            .collect())
    }

    async fn add_watches(&self, watches: &[SharedWatch]) -> Result<(), String> {
        let docs = watches.iter().map(|w| {
            doc! {
                "_id": watch_id(w), "user": w.user, "number": &w.number,
                "since": w.since, "until": i64::from(w.until),
            }
        });
        match self.inner.watches.insert_many(docs).ordered(false).await {
            Ok(_) => Ok(()),
            Err(e) if only_duplicates(&e).is_some() => Ok(()),
            Err(e) => Err(db(e).to_string()),
        }
    }

    async fn end_watch(&self, watch: &SharedWatch) -> Result<bool, String> {
        self.inner
            .watches
            .delete_one(doc! { "_id": watch_id(watch) })
            .await
            .map(|r| r.deleted_count == 1)
            .map_err(|e| db(e).to_string())
    }
}

/// One use's watch: its holder, number and start.
fn watch_id(w: &SharedWatch) -> String {
    format!("{}:{}:{}", w.user, w.number, w.since)
}
