//! The embedded number store: uploaded files on disk, exclusive assignment,
//! durable usage tracking.
//!
//! Layout of the data directory (default `csv_files/`):
//!
//! - `<Category>_<YYYYMMDD_HHMMSS>.csv`: each upload, the bytes as the admin sent them;
//! - `<same name>.numbers`: its accepted numbers, normalized (binary, checksummed);
//! - `metadata.json`: one entry per file (see [`FileMeta`]);
//! - `journal.<generation>`: every claim, completion and release, fsynced
//!   before it is acknowledged (group commit);
//! - `snapshot.bin`: the journal compacted; `usage_tracking.json`: the same
//!   for people, written with each snapshot;
//! - `.lock`: held by the process that owns the directory.
//!
//! All state changes run under one lock in memory and are acknowledged once
//! their journal record is on disk. A restart loads the files, the snapshot,
//! and replays the journal through the same code as live operations.

mod backend;
mod error;
mod journal;
mod metadata;
mod migration;
mod mongo;
mod pool;
mod snapshot;
mod upload;

use std::{
    collections::{BTreeMap, HashMap},
    fs,
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU32, Ordering},
        Arc, Mutex, MutexGuard,
    },
    time::{SystemTime, UNIX_EPOCH},
};

use serde::Serialize;

pub use backend::{NumberStore, Store};
pub use error::StoreError;
pub use metadata::{write_atomic, FileMeta, Metadata};
pub use migration::MigrationStore;
pub(crate) use mongo::integer;
pub use mongo::MongoStore;
pub use pool::{ReuseRule, Status};
pub use upload::{RejectedNumber, UploadReport};

use crate::plugin::{
    types::{Candidate, Request},
    PluginHost,
};
use journal::{Journal, Op, Record};
use pool::{Applied, Pool};

/// Where "now" comes from: the system clock, or a hand-driven one in tests.
/// It never goes back: a clock stepped back reads as the latest time seen.
#[derive(Clone)]
pub struct Clock {
    manual: Option<Arc<AtomicU32>>,
    latest: Arc<AtomicU32>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock {
            manual: None,
            latest: Arc::default(),
        }
    }

    /// A clock that moves only when told to (tests of leases and cooldowns).
    pub fn manual(start: u32) -> (Clock, Arc<AtomicU32>) {
        let cell = Arc::new(AtomicU32::new(start));
        (
            Clock {
                manual: Some(cell.clone()),
                latest: Arc::default(),
            },
            cell,
        )
    }

    /// Unix seconds.
    pub fn now(&self) -> u32 {
        let raw = match &self.manual {
            Some(cell) => cell.load(Ordering::Relaxed),
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs() as u32)
                .unwrap_or(0),
        };
        self.latest.fetch_max(raw, Ordering::Relaxed).max(raw)
    }
}

/// How the store behaves.
#[derive(Clone)]
pub struct StoreConfig {
    /// The data directory.
    pub data_dir: PathBuf,
    /// How long a user holds a number before it is released (seconds).
    pub lease_secs: u32,
    /// When used numbers come back.
    pub reuse: ReuseRule,
    /// Journal records between two snapshots.
    pub compact_every: u64,
    /// The time source.
    pub clock: Clock,
}

impl StoreConfig {
    /// Defaults: 20-minute leases, 24-hour cooldown, a snapshot every 4 M records.
    pub fn new(data_dir: impl Into<PathBuf>) -> StoreConfig {
        StoreConfig {
            data_dir: data_dir.into(),
            lease_secs: 20 * 60,
            reuse: ReuseRule::default(),
            compact_every: 4_000_000,
            clock: Clock::system(),
        }
    }
}

/// A number given to a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    /// E.164.
    pub number: String,
    /// The category it came from.
    pub category: String,
    /// The stored file it came from.
    pub file: String,
    /// The holder.
    pub user: i64,
    /// Assigned at (Unix seconds).
    pub since: u32,
    /// The lease ends at (Unix seconds).
    pub until: u32,
}

/// Usage figures for a file or a category.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Usage {
    /// Numbers in the pool.
    pub total: u64,
    /// Free to assign now.
    pub available: u64,
    /// Held by users now.
    pub assigned: u64,
    /// Waiting for their cooldown to end.
    pub cooling: u64,
    /// Retired after use (`once` rule).
    pub retired: u64,
    /// Numbers used at least once.
    pub used_numbers: u64,
    /// Assignments made.
    pub assignments: u64,
    /// `used_numbers / total` in percent: never above 100.
    pub used_percent: f64,
    /// Last assignment (Unix seconds).
    pub last_used: Option<u32>,
}

impl Usage {
    /// Adds another file's (or pool's) figures, for a category's total; the
    /// percentage follows.
    pub fn add(&mut self, other: &Usage) {
        self.total += other.total;
        self.available += other.available;
        self.assigned += other.assigned;
        self.cooling += other.cooling;
        self.retired += other.retired;
        self.used_numbers += other.used_numbers;
        self.assignments += other.assignments;
        self.last_used = self.last_used.max(other.last_used);
        self.used_percent = percent(self.used_numbers, self.total);
    }
}

/// One file as `numbot files` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileInfo {
    /// The stored name.
    pub name: String,
    /// Its metadata entry.
    pub meta: FileMeta,
    /// Live usage.
    pub usage: Usage,
}

/// Statistics by category and by file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Per category (deleted files excluded).
    pub categories: BTreeMap<String, Usage>,
    /// Per file, deleted ones included.
    pub files: Vec<FileInfo>,
}

/// What claims need to know of a file, by id.
struct FileKey {
    name: String,
    category: String,
    created_unix: i64,
}

struct State {
    pool: Pool,
    meta: Metadata,
    /// File ids by exact category name.
    by_category: HashMap<String, Vec<u32>>,
    /// Stored name, category and upload time by file id.
    index: HashMap<u32, FileKey>,
    /// Journal generation being written.
    generation: u64,
    /// Records in the current journal generation.
    records: u64,
    /// Seed source for the policy.
    seed: u64,
    /// Set when a journal write failed: the store refuses further changes.
    failed: bool,
    /// Stored names taken by uploads still being written.
    reserved: std::collections::HashSet<String>,
    /// The compactor has been asked to run.
    compaction_requested: bool,
}

struct Inner {
    config: StoreConfig,
    plugins: Arc<PluginHost>,
    state: Mutex<State>,
    journal: Journal,
    /// Wakes the compactor thread.
    compactor: Mutex<std::sync::mpsc::Sender<()>>,
    /// Held for a whole compaction: one at a time.
    compaction: Mutex<()>,
    _lock: fs::File,
}

impl Drop for Inner {
    /// A clean shutdown leaves `usage_tracking.json` and the usage counts of
    /// `metadata.json` current for admins (durability comes from the journal).
    fn drop(&mut self) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if st.failed {
            return;
        }
        let dir = self.config.data_dir.clone();
        let written =
            metadata::write_atomic(&dir.join("usage_tracking.json"), &usage_tracking(&st))
                .and_then(|()| save_usage_counts(&mut st, &dir));
        if let Err(e) = written {
            tracing::warn!("could not write the usage files at shutdown: {e}");
        }
    }
}

/// Writes `metadata.json` with each file's current usage count (under the state lock).
fn save_usage_counts(st: &mut State, dir: &Path) -> Result<(), StoreError> {
    let mut meta = st.meta.clone();
    for m in meta.files.values_mut() {
        if let Some(f) = st.pool.file(m.id) {
            m.usage_count = f.usage_count;
        }
    }
    meta.write(&dir.join("metadata.json"))?;
    st.meta = meta;
    Ok(())
}

/// The embedded file store. Cheap to clone; safe to share across threads.
#[derive(Clone)]
pub struct FileStore {
    inner: Arc<Inner>,
}

impl FileKey {
    fn of(name: &str, meta: &FileMeta) -> FileKey {
        FileKey {
            name: name.to_string(),
            category: meta.country_name.clone(),
            created_unix: meta.created_unix,
        }
    }
}

/// Tries at 20 ms intervals before a held lock is reported: one second.
const LOCK_ATTEMPTS: u32 = 50;

fn journal_path(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("journal.{generation:06}"))
}

impl FileStore {
    /// Opens (or creates) the data directory: takes its lock, loads the files,
    /// the snapshot and the journal. Leases that ran out while the store was
    /// down end now.
    pub fn open(config: StoreConfig, plugins: Arc<PluginHost>) -> Result<FileStore, StoreError> {
        let dir = config.data_dir.clone();
        fs::create_dir_all(&dir).map_err(StoreError::io(&dir))?;
        let lock_path = dir.join(".lock");
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(StoreError::io(&lock_path))?;
        // A lock can outlive its owner for an instant (a child forked while it
        // was held keeps it until exec), so wait a little before giving up.
        let mut attempts = 0;
        loop {
            match lock.try_lock() {
                Ok(()) => break,
                Err(fs::TryLockError::WouldBlock) if attempts < LOCK_ATTEMPTS => {
                    attempts += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(StoreError::Locked {
                        dir,
                        lock: lock_path,
                    });
                }
                Err(fs::TryLockError::Error(e)) => return Err(StoreError::io(&lock_path)(e)),
            }
        }

        let meta = Metadata::read(&dir.join("metadata.json"))?;
        let mut pool = Pool::new(config.reuse);
        let mut by_category: HashMap<String, Vec<u32>> = HashMap::new();
        let mut index = HashMap::new();
        for (name, file) in &meta.files {
            let path = dir.join(name).with_extension("numbers");
            let bytes = fs::read(&path).map_err(StoreError::io(&path))?;
            let numbers = snapshot::decode_numbers(&bytes, &path)?;
            pool.add_file(file.id, numbers);
            index.insert(file.id, FileKey::of(name, file));
            if !file.deleted {
                by_category
                    .entry(file.country_name.clone())
                    .or_default()
                    .push(file.id);
            }
        }

        let snapshot_path = dir.join("snapshot.bin");
        let snapshot_generation = match fs::read(&snapshot_path) {
            Ok(bytes) => snapshot::decode(&bytes, &mut pool, &snapshot_path)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 1,
            Err(e) => return Err(StoreError::io(&snapshot_path)(e)),
        };
        let mut generation = snapshot_generation;
        // Replay every journal from the snapshot's generation on (a crash
        // between rotation and snapshot leaves two).
        let mut replayed = 0u64;
        let mut latest = 0u32;
        let (records, valid_len) = loop {
            let path = journal_path(&dir, generation);
            let (list, valid) = journal::read(&path)?;
            for r in &list {
                latest = latest.max(r.at);
                if let Applied::Ignored(why) = pool.apply(r) {
                    tracing::debug!(?r, why, "journal record ignored on replay");
                }
            }
            replayed += list.len() as u64;
            if journal_path(&dir, generation + 1).exists() {
                generation += 1;
                continue;
            }
            break (list.len() as u64, valid);
        };
        // Deletions last: records about a deleted file's numbers replay first,
        // exactly as they happened. Then the dedup set from what remains.
        for file in meta.files.values().filter(|f| f.deleted) {
            pool.delete_file(file.id);
        }
        pool.rebuild_known();
        // Time never goes back past what the journal has seen, even if the
        // system clock was stepped back while the store was down.
        config.clock.latest.fetch_max(latest, Ordering::Relaxed);
        // Journals older than the snapshot are in it (a compaction that died
        // after writing the snapshot left them); newer ones stay until the next
        // snapshot covers them.
        for stale in 1..snapshot_generation {
            let _ = fs::remove_file(journal_path(&dir, stale));
        }
        let journal = Journal::open(&journal_path(&dir, generation), valid_len)?;
        tracing::info!(files = meta.files.len(), replayed, "store opened");

        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
            ^ u64::from(std::process::id()).rotate_left(32);
        let (compactor, requests) = std::sync::mpsc::channel();
        let store = FileStore {
            inner: Arc::new(Inner {
                compactor: Mutex::new(compactor),
                compaction: Mutex::new(()),
                config,
                plugins,
                state: Mutex::new(State {
                    pool,
                    meta,
                    by_category,
                    index,
                    generation,
                    records,
                    seed,
                    failed: false,
                    reserved: Default::default(),
                    compaction_requested: false,
                }),
                journal,
                _lock: lock,
            }),
        };
        // Leases that ended while the store was down.
        let seq = {
            let mut st = store.lock()?;
            store.expire(&mut st)
        };
        store.inner.journal.wait(seq)?;
        spawn_compactor(Arc::downgrade(&store.inner), requests);
        Ok(store)
    }

    fn lock(&self) -> Result<MutexGuard<'_, State>, StoreError> {
        let st = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
        if st.failed {
            return Err(StoreError::Corrupt {
                path: self.inner.config.data_dir.clone(),
                message: "a journal write failed earlier; restart numbot to recover".into(),
            });
        }
        Ok(st)
    }

    /// The data directory (other parts of numbot keep their files beside the store's).
    pub fn dir(&self) -> &Path {
        &self.inner.config.data_dir
    }

    /// Appends records already applied, returning the sequence to wait on.
    fn log(&self, st: &mut State, records: &[Record]) -> journal::Seq {
        st.records += records.len() as u64;
        if st.records >= self.inner.config.compact_every && !st.compaction_requested {
            st.compaction_requested = true;
            let _ = self
                .inner
                .compactor
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .send(());
        }
        self.inner.journal.append(records)
    }

    /// Waits until `seq` is durable; a failure poisons the store.
    fn durable(&self, seq: journal::Seq) -> Result<(), StoreError> {
        self.inner.journal.wait(seq).inspect_err(|_| self.poison())
    }

    /// After a failed journal write the disk and memory may disagree: refuse all changes.
    fn poison(&self) {
        self.inner
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .failed = true;
    }

    /// Ends due leases (journaled); returns the sequence to wait on.
    fn expire(&self, st: &mut State) -> journal::Seq {
        let now = self.inner.config.clock.now();
        let due = st.pool.due_expiries(now);
        for r in &due {
            st.pool.apply(r);
        }
        if due.is_empty() {
            0
        } else {
            self.log(st, &due)
        }
    }

    /// Assigns a number of `category` (exact name) to `user`; returns once
    /// the claim is on disk. A user holds one number at a time.
    pub fn claim(&self, category: &str, user: i64) -> Result<Assignment, StoreError> {
        let (assignment, seq) = self.claim_in_memory(category, user)?;
        self.durable(seq)?;
        Ok(assignment)
    }

    /// [`FileStore::claim`] for async callers: waits for the disk without
    /// holding a thread, so thousands of claimers share a few threads.
    pub async fn claim_async(&self, category: &str, user: i64) -> Result<Assignment, StoreError> {
        let (assignment, seq) = self.claim_in_memory(category, user)?;
        self.inner
            .journal
            .wait_async(seq)
            .await
            .inspect_err(|_| self.poison())?;
        Ok(assignment)
    }

    fn claim_in_memory(
        &self,
        category: &str,
        user: i64,
    ) -> Result<(Assignment, journal::Seq), StoreError> {
        let mut st = self.lock()?;
        self.expire(&mut st);
        if let Some(hold) = st.pool.holds.get(&user) {
            return Err(StoreError::AlreadyAssigned {
                user,
                number: number_text(&st.pool, hold.file, hold.index),
            });
        }
        let (file, index) = self.choose(&mut st, category, user)?;
        Ok(self.assign(&mut st, category, user, file, index))
    }

    /// "Change number": releases the user's number and assigns another of the
    /// same category (never the same one), as one step.
    pub fn change(&self, user: i64) -> Result<Assignment, StoreError> {
        let (assignment, seq) = {
            let mut st = self.lock()?;
            self.expire(&mut st);
            let hold = held(&st, user)?;
            let category = st
                .index
                .get(&hold.file)
                .map(|k| k.category.clone())
                .unwrap_or_default();
            // Chosen while the old number is still held, so it cannot come back.
            let (file, index) = self.choose(&mut st, &category, user)?;
            self.end_hold(&mut st, hold, Op::Cancel);
            self.assign(&mut st, &category, user, file, index)
        };
        self.durable(seq)?;
        Ok(assignment)
    }

    /// The code arrived: the user's use of the number is complete.
    pub fn complete(&self, user: i64) -> Result<(), StoreError> {
        self.finish(user, Op::Complete)
    }

    /// Completes the use of `number` that `user` began at `since`, and only
    /// that one: false when the user holds something else by now (they
    /// changed or cancelled while the code was on its way).
    pub fn complete_use(&self, user: i64, number: &str, since: u32) -> Result<bool, StoreError> {
        let seq = {
            let mut st = self.lock()?;
            self.expire(&mut st);
            let Some(hold) = st.pool.holds.get(&user).copied() else {
                return Ok(false);
            };
            if hold.since != since || number_text(&st.pool, hold.file, hold.index) != number {
                return Ok(false);
            }
            self.end_hold(&mut st, hold, Op::Complete)
        };
        self.durable(seq)?;
        Ok(true)
    }

    /// The user gives the number back without a code.
    pub fn cancel(&self, user: i64) -> Result<(), StoreError> {
        self.finish(user, Op::Cancel)
    }

    fn finish(&self, user: i64, op: Op) -> Result<(), StoreError> {
        let seq = {
            let mut st = self.lock()?;
            self.expire(&mut st);
            let hold = held(&st, user)?;
            self.end_hold(&mut st, hold, op)
        };
        self.durable(seq)
    }

    /// Ends a hold with `op` (journaled); returns the sequence to wait on.
    fn end_hold(&self, st: &mut State, hold: pool::Hold, op: Op) -> journal::Seq {
        let now = self.inner.config.clock.now();
        let r = Record {
            op,
            file: hold.file,
            index: hold.index,
            at: now,
            user: hold.user,
            until: 0,
        };
        st.pool.apply(&r);
        self.log(st, &[r])
    }

    /// The number a user holds now, if any.
    pub fn holding(&self, user: i64) -> Result<Option<Assignment>, StoreError> {
        let mut st = self.lock()?;
        let seq = self.expire(&mut st);
        let hold = st.pool.holds.get(&user).copied();
        let out = hold.map(|h| assignment_of(&st, h));
        drop(st);
        self.durable(seq)?;
        Ok(out)
    }

    /// Every number held now, by user.
    pub fn assignments(&self) -> Result<Vec<Assignment>, StoreError> {
        let mut st = self.lock()?;
        let seq = self.expire(&mut st);
        let mut holds: Vec<pool::Hold> = st.pool.holds.values().copied().collect();
        holds.sort_by_key(|h| h.user);
        let out = holds.into_iter().map(|h| assignment_of(&st, h)).collect();
        drop(st);
        self.durable(seq)?;
        Ok(out)
    }

    /// Picks an available number of `category` with the policy plugin.
    fn choose(&self, st: &mut State, category: &str, user: i64) -> Result<(u32, u32), StoreError> {
        let now = self.inner.config.clock.now();
        let ids = st.by_category.get(category).cloned().unwrap_or_default();
        let mut candidates = Vec::with_capacity(ids.len());
        for id in ids {
            let (name, created_at) = st
                .index
                .get(&id)
                .map(|k| (k.name.clone(), k.created_unix))
                .unwrap_or_default();
            let Some(file) = st.pool.files.get_mut(id as usize).and_then(Option::as_mut) else {
                continue;
            };
            file.thaw(now);
            if file.deleted || file.available.is_empty() {
                continue;
            }
            candidates.push(Candidate {
                id: u64::from(id),
                name,
                total: file.total(),
                available: file.available.len() as u64,
                used: file.usage_count,
                created_at,
                last_used: file.last_assigned.map(i64::from),
            });
        }
        if candidates.is_empty() {
            return Err(StoreError::NoneAvailable(category.to_string()));
        }
        st.seed = st.seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let request = Request {
            category: category.to_string(),
            user,
            seed: st.seed,
            candidates,
        };
        let choice = self.inner.plugins.select(&request)?;
        let id = request.candidates[choice.candidate as usize].id as u32;
        let file = st.pool.file(id).expect("candidate files are loaded");
        Ok((id, file.available[choice.slot as usize]))
    }

    fn assign(
        &self,
        st: &mut State,
        category: &str,
        user: i64,
        file: u32,
        index: u32,
    ) -> (Assignment, journal::Seq) {
        let now = self.inner.config.clock.now();
        let until = now.saturating_add(self.inner.config.lease_secs);
        let r = Record {
            op: Op::Claim,
            file,
            index,
            at: now,
            user,
            until,
        };
        let applied = st.pool.apply(&r);
        debug_assert_eq!(applied, Applied::Done);
        let seq = self.log(st, &[r]);
        let assignment = Assignment {
            number: number_text(&st.pool, file, index),
            category: category.to_string(),
            file: st
                .index
                .get(&file)
                .map(|k| k.name.clone())
                .unwrap_or_default(),
            user,
            since: now,
            until,
        };
        (assignment, seq)
    }

    /// Deletes a file: its available numbers leave the pool now, held ones
    /// when their use ends; its metadata and history stay, marked deleted.
    pub fn delete_file(&self, name: &str) -> Result<FileMeta, StoreError> {
        let mut st = self.lock()?;
        let mut meta = st.meta.clone();
        let entry = meta
            .files
            .get_mut(name)
            .ok_or_else(|| StoreError::UnknownFile(name.to_string()))?;
        if entry.deleted {
            return Ok(entry.clone());
        }
        entry.deleted = true;
        entry.deleted_at = Some(chrono::Utc::now().to_rfc3339());
        let (id, category) = (entry.id, entry.country_name.clone());
        let out = entry.clone();
        meta.write(&self.dir().join("metadata.json"))?;
        st.meta = meta;
        st.pool.delete_file(id);
        if let Some(ids) = st.by_category.get_mut(&category) {
            ids.retain(|&f| f != id);
            if ids.is_empty() {
                st.by_category.remove(&category);
            }
        }
        Ok(out)
    }

    /// Categories with their available numbers, by name. O(files), not
    /// O(numbers): the bot asks on every `/countries` and every pick.
    pub fn categories(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut guard = self.lock()?;
        let seq = self.expire(&mut guard);
        let now = self.inner.config.clock.now();
        let st = &mut *guard;
        let mut out: Vec<(String, u64)> = Vec::with_capacity(st.by_category.len());
        for (category, ids) in &st.by_category {
            let mut available = 0;
            for &id in ids {
                if let Some(file) = st.pool.files.get_mut(id as usize).and_then(Option::as_mut) {
                    file.thaw(now);
                    if !file.deleted {
                        available += file.available.len() as u64;
                    }
                }
            }
            out.push((category.clone(), available));
        }
        drop(guard);
        self.durable(seq)?;
        out.sort_unstable();
        Ok(out)
    }

    /// Files with metadata and live usage, by name.
    pub fn files(&self) -> Result<Vec<FileInfo>, StoreError> {
        Ok(self.stats()?.files)
    }

    /// Usage by category and by file.
    pub fn stats(&self) -> Result<Stats, StoreError> {
        let mut st = self.lock()?;
        let seq = self.expire(&mut st);
        let now = self.inner.config.clock.now();
        let mut stats = Stats::default();
        let names: Vec<(String, FileMeta)> = st
            .meta
            .files
            .iter()
            .map(|(n, m)| (n.clone(), m.clone()))
            .collect();
        for (name, meta) in names {
            let Some(file) = st
                .pool
                .files
                .get_mut(meta.id as usize)
                .and_then(Option::as_mut)
            else {
                continue;
            };
            file.thaw(now);
            let usage = usage_of(file);
            if !meta.deleted {
                stats
                    .categories
                    .entry(meta.country_name.clone())
                    .or_default()
                    .add(&usage);
            }
            stats.files.push(FileInfo { name, meta, usage });
        }
        drop(st);
        self.durable(seq)?;
        Ok(stats)
    }

    /// Compacts the journal into a snapshot and writes `usage_tracking.json`.
    /// One compaction at a time; claims go on while the files are written.
    pub fn compact(&self) -> Result<(), StoreError> {
        let _one = self
            .inner
            .compaction
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let dir = self.dir().to_path_buf();
        let (bytes, tracking, old) = {
            let mut st = self.lock()?;
            st.compaction_requested = false;
            let old = st.generation;
            let next = old + 1;
            self.inner.journal.rotate(&journal_path(&dir, next))?;
            st.generation = next;
            st.records = 0;
            (snapshot::encode(&st.pool, next), usage_tracking(&st), old)
        };
        metadata::write_atomic(&dir.join("snapshot.bin"), &bytes)?;
        let _ = fs::remove_file(journal_path(&dir, old));
        metadata::write_atomic(&dir.join("usage_tracking.json"), &tracking)?;
        let mut st = self.lock()?;
        save_usage_counts(&mut st, &dir)
    }

    /// Whether a number (E.164 digits) is in this pool (deleted files' numbers are not).
    pub fn knows(&self, digits: u64) -> bool {
        self.inner
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pool
            .known
            .contains(&digits)
    }

    /// The store's "now" (Unix seconds): leases are measured against it.
    pub fn now(&self) -> u32 {
        self.inner.config.clock.now()
    }

    /// The plugin host the store validates, formats and selects with.
    pub fn plugins(&self) -> &Arc<PluginHost> {
        &self.inner.plugins
    }
}

/// Compacts in the background when the journal grows past `compact_every`,
/// so that no claim waits for a snapshot to be written.
fn spawn_compactor(inner: std::sync::Weak<Inner>, requests: std::sync::mpsc::Receiver<()>) {
    let spawned = std::thread::Builder::new()
        .name("numbot-compactor".into())
        .spawn(move || {
            while requests.recv().is_ok() {
                let Some(inner) = inner.upgrade() else { return };
                if let Err(e) = (FileStore { inner }).compact() {
                    tracing::error!("journal compaction failed: {e}");
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!("no compactor thread, the journal will not be compacted: {e}");
    }
}

/// The user's hold, or why there is none.
fn held(st: &State, user: i64) -> Result<pool::Hold, StoreError> {
    st.pool
        .holds
        .get(&user)
        .copied()
        .ok_or(StoreError::NotAssigned(user))
}

pub(crate) fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        ((part.min(whole) as f64 / whole as f64) * 1000.0).round() / 10.0
    }
}

fn usage_of(file: &pool::FilePool) -> Usage {
    let mut u = Usage {
        total: file.total(),
        assignments: file.usage_count,
        last_used: file.last_assigned,
        ..Usage::default()
    };
    for (status, uses) in file.status.iter().zip(&file.uses) {
        match status {
            Status::Available => u.available += 1,
            Status::Assigned => u.assigned += 1,
            Status::Cooling => u.cooling += 1,
            Status::Retired => u.retired += 1,
            Status::Removed => {}
        }
        if *uses > 0 {
            u.used_numbers += 1;
        }
    }
    u.used_percent = percent(u.used_numbers, u.total);
    u
}

fn number_text(pool: &Pool, file: u32, index: u32) -> String {
    pool.file(file)
        .map(|f| format!("+{}", f.numbers[index as usize]))
        .unwrap_or_default()
}

fn assignment_of(st: &State, hold: pool::Hold) -> Assignment {
    let file = st.meta.name_of(hold.file).unwrap_or_default().to_string();
    let category = st
        .meta
        .files
        .get(&file)
        .map(|m| m.country_name.clone())
        .unwrap_or_default();
    Assignment {
        number: number_text(&st.pool, hold.file, hold.index),
        category,
        file,
        user: hold.user,
        since: hold.since,
        until: hold.until,
    }
}

/// `usage_tracking.json`: per file, its usage and every number used so far.
fn usage_tracking(st: &State) -> Vec<u8> {
    #[derive(Serialize)]
    struct NumberUse {
        number: String,
        uses: u32,
        last_user: i64,
        last_used: String,
    }
    #[derive(Serialize)]
    struct FileUse {
        usage: Usage,
        numbers: Vec<NumberUse>,
    }
    let mut out: BTreeMap<String, FileUse> = BTreeMap::new();
    for (name, meta) in &st.meta.files {
        let Some(file) = st.pool.file(meta.id) else {
            continue;
        };
        let numbers = (0..file.numbers.len())
            .filter(|&i| file.uses[i] > 0)
            .map(|i| NumberUse {
                number: format!("+{}", file.numbers[i]),
                uses: file.uses[i],
                last_user: file.last_user[i],
                last_used: chrono::DateTime::from_timestamp(i64::from(file.last_used[i]), 0)
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_default(),
            })
            .collect();
        out.insert(
            name.clone(),
            FileUse {
                usage: usage_of(file),
                numbers,
            },
        );
    }
    serde_json::to_vec_pretty(&out).expect("usage tracking serializes")
}
