//! The embedded number store: uploaded files on disk, exclusive assignment,
//! durable usage tracking.
//!
//! All state changes run under one lock in memory and are acknowledged once
//! their journal record is on disk. A restart loads the files, the snapshot,
//! and replays the journal through the same code as live operations
//! ([`Pool::apply`]).
//!
//! Every operation comes in two steps: the change in memory (returning the
//! journal position it needs on disk), then the wait for the disk. The
//! blocking API here does both on the caller's thread; the async one
//! ([`crate::FileStore`]'s `NumberStore`) runs the first on the store's own
//! thread and waits for the disk without holding a thread.

use std::{
    collections::HashSet,
    fs,
    ops::RangeInclusive,
    path::Path,
    sync::{Arc, Mutex, MutexGuard},
};

use numbot_core::{
    clock::rfc3339, plugins::Candidate, policy::Policy, Assignment, CodeRecord, Ended, FileInfo,
    FileMeta, Finish, SharedPlugins, Stats, StoreConfig, StoreError, UseId, UseRecord,
};

use crate::{
    history::{HistoryLog, Line},
    journal::{self, Journal, Op, Record, Seq, RECORD_SIZE},
    log,
    metadata::{self, Metadata},
    open::{
        journal_path, load, remove_stale_journals, remove_unfinished_uploads, take_lock, Loaded,
    },
    pool::{Applied, FastMap, Hold, Pool},
    private, snapshot,
    usage::{save_usage_counts, usage_of, usage_tracking},
    worker::Worker,
};

/// A journal this long is compacted whatever `compact_every` says: use ids
/// take a record's offset in 32 bits.
const COMPACT_BYTES: u64 = 1 << 30;

/// What claims need to know of a file, by id.
pub(crate) struct FileKey {
    pub(crate) name: String,
    pub(crate) category: String,
    pub(crate) created_unix: i64,
}

impl FileKey {
    pub(crate) fn of(name: &str, meta: &FileMeta) -> FileKey {
        FileKey {
            name: name.to_string(),
            category: meta.country_name.clone(),
            created_unix: meta.created_unix,
        }
    }
}

pub(crate) struct State {
    pub(crate) pool: Pool,
    pub(crate) meta: Metadata,
    /// File ids by exact category name.
    pub(crate) by_category: FastMap<String, Vec<u32>>,
    /// Stored name, category and upload time by file id.
    pub(crate) index: FastMap<u32, FileKey>,
    /// Journal generation being written.
    generation: u64,
    /// Records in the current journal generation.
    records: u64,
    /// Bytes in the current journal generation: where the next record goes.
    journal_len: u64,
    /// Set when a journal write failed: the store refuses further changes.
    failed: bool,
    /// Stored names taken by uploads still being written.
    pub(crate) reserved: HashSet<String>,
    /// The compactor has been asked to run.
    compaction_requested: bool,
}

impl State {
    /// The state the disk holds, with the upload names still `reserved`.
    fn loaded(loaded: Loaded, reserved: HashSet<String>) -> State {
        State {
            pool: loaded.pool,
            meta: loaded.meta,
            by_category: loaded.by_category,
            index: loaded.index,
            generation: loaded.generation,
            records: loaded.records,
            journal_len: loaded.valid_len,
            failed: false,
            reserved,
            compaction_requested: false,
        }
    }
}

pub(crate) struct Inner {
    pub(crate) config: StoreConfig,
    policy: Policy,
    state: Mutex<State>,
    journal: Journal,
    /// `history.jsonl`: uses as they end, codes as they are relayed.
    pub(crate) history: HistoryLog,
    /// Runs the in-memory steps of async callers, one after another.
    pub(crate) worker: Worker,
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

/// The embedded file store. Cheap to clone; safe to share across threads.
#[derive(Clone)]
pub struct FileStore {
    pub(crate) inner: Arc<Inner>,
}

impl FileStore {
    /// Opens (or creates) the data directory: takes its lock, loads the files,
    /// the snapshot and the journal. Leases that ran out while the store was
    /// down end now. Blocking: call it off the async threads.
    pub fn open(config: StoreConfig, plugins: SharedPlugins) -> Result<FileStore, StoreError> {
        let dir = config.data_dir.clone();
        private::create_dir(&dir).map_err(StoreError::io(&dir))?;
        private::check(&dir);
        let lock = take_lock(&dir)?;
        let loaded = load(&config)?;
        remove_stale_journals(&dir, loaded.snapshot_generation);
        remove_unfinished_uploads(&dir, &loaded.meta)?;
        let journal = Journal::open(&journal_path(&dir, loaded.generation), loaded.valid_len)?;
        let history = HistoryLog::open(&dir)?;
        let (compactor, requests) = std::sync::mpsc::channel();
        let store = FileStore {
            inner: Arc::new(Inner {
                compactor: Mutex::new(compactor),
                compaction: Mutex::new(()),
                config,
                policy: Policy::new(plugins),
                state: Mutex::new(State::loaded(loaded, HashSet::new())),
                journal,
                history,
                worker: Worker::start(&dir)?,
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

    /// The state, when its lock is free at once and no failed write waits
    /// to be recovered from: what an async caller may take in place.
    pub(crate) fn try_lock(&self) -> Option<MutexGuard<'_, State>> {
        let st = match self.inner.state.try_lock() {
            Ok(st) => st,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return None,
        };
        (!st.failed).then_some(st)
    }

    pub(crate) fn lock(&self) -> Result<MutexGuard<'_, State>, StoreError> {
        let mut st = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
        if st.failed {
            self.recover(&mut st)?;
        }
        Ok(st)
    }

    /// After a failed journal write (a full disk), memory may hold changes
    /// the disk does not: memory is loaded again from the disk, which holds
    /// every acknowledged change and nothing half-written (a failed write is
    /// cut back off). Until that succeeds every change is refused.
    fn recover(&self, st: &mut State) -> Result<(), StoreError> {
        let refused = |message: &str| StoreError::Corrupt {
            path: self.inner.config.data_dir.clone(),
            message: format!("a journal write failed ({message}); nothing was changed"),
        };
        // A compaction holds its lock while it waits for this one.
        let Ok(_one) = self.inner.compaction.try_lock() else {
            return Err(refused("a compaction is running"));
        };
        self.inner.journal.settle()?;
        let loaded = load(&self.inner.config)?;
        let path = journal_path(&self.inner.config.data_dir, loaded.generation);
        if path != self.inner.journal.path() {
            return Err(refused("the journal moved"));
        }
        // A failed write that could not be cut back is cut now, so the next
        // record does not follow a partial one.
        let file = fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(StoreError::io(&path))?;
        if file.metadata().map_err(StoreError::io(&path))?.len() > loaded.valid_len {
            file.set_len(loaded.valid_len)
                .and_then(|()| file.sync_all())
                .map_err(StoreError::io(&path))?;
        }
        tracing::warn!(
            "the store recovered from a failed journal write: memory reloaded from disk"
        );
        let reserved = std::mem::take(&mut st.reserved);
        *st = State::loaded(loaded, reserved);
        Ok(())
    }

    /// The data directory (other parts of numbot keep their files beside the store's).
    pub fn dir(&self) -> &Path {
        &self.inner.config.data_dir
    }

    /// Appends records already applied, returning the sequence to wait on.
    fn log(&self, st: &mut State, records: &[Record]) -> Seq {
        st.records += records.len() as u64;
        st.journal_len += (records.len() * RECORD_SIZE) as u64;
        let full = st.records >= self.inner.config.compact_every || st.journal_len >= COMPACT_BYTES;
        if full && !st.compaction_requested {
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
    pub(crate) fn durable(&self, seq: Seq) -> Result<(), StoreError> {
        self.inner.journal.wait(seq).inspect_err(|_| self.poison())
    }

    /// A journal write's outcome, as [`FileStore::durable`] answers it.
    pub(crate) fn written(&self, outcome: std::io::Result<()>) -> Result<(), StoreError> {
        self.inner
            .journal
            .check(outcome)
            .inspect_err(|_| self.poison())
    }

    /// Runs an in-memory step, then waits for the disk, on this thread.
    fn blocking<T>(&self, step: Result<(T, Seq), StoreError>) -> Result<T, StoreError> {
        let (value, seq) = step?;
        self.durable(seq)?;
        Ok(value)
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
    /// Every due lease ends, one append per chunk of them: an expiry lost
    /// to a failed append ends again on replay (it is due).
    fn expire(&self, st: &mut State) -> Seq {
        self.expire_at(st, self.inner.config.clock.now())
    }

    /// [`FileStore::expire`] at `now`, read once by the caller.
    fn expire_at(&self, st: &mut State, now: u32) -> Seq {
        let mut seq = None;
        loop {
            let due = st.pool.due_expiries(now);
            if due.is_empty() {
                return seq;
            }
            for r in &due {
                let hold = st.pool.holds.get(&r.user).copied();
                if st.pool.apply(r, UseId::default()) == Applied::Done {
                    if let Some(hold) = hold {
                        self.keep(st, hold, r.at, Ended::Expired);
                    }
                }
            }
            seq = self.log(st, &due);
        }
    }

    /// Assigns a number of `category` (exact name) to `user`; returns once
    /// the claim is on disk. A user holds one number at a time.
    pub fn claim(&self, category: &str, user: i64) -> Result<Assignment, StoreError> {
        self.blocking(self.claim_in_memory(category, user))
    }

    pub(crate) fn claim_in_memory(
        &self,
        category: &str,
        user: i64,
    ) -> Result<(Assignment, Seq), StoreError> {
        let mut st = self.lock()?;
        let now = self.inner.config.clock.now();
        self.expire_at(&mut st, now);
        if let Some(hold) = st.pool.holds.get(&user) {
            return Err(StoreError::AlreadyAssigned {
                user,
                number: number_text(&st.pool, hold.file, hold.index),
            });
        }
        let (file, index) = self.choose(&mut st, category, user, now)?;
        self.assign(&mut st, category, user, (file, index), now)
    }

    /// "Change number": ends use `id` and assigns its holder another number
    /// of the same category (never the same one), as one step.
    pub fn change(&self, id: UseId) -> Result<Assignment, StoreError> {
        self.blocking(self.change_in_memory(id))
    }

    pub(crate) fn change_in_memory(&self, id: UseId) -> Result<(Assignment, Seq), StoreError> {
        let mut st = self.lock()?;
        let now = self.inner.config.clock.now();
        self.expire_at(&mut st, now);
        let hold = by_use(&st, id).ok_or(StoreError::NotCurrent(id))?;
        let category = st
            .index
            .get(&hold.file)
            .map(|k| k.category.clone())
            .unwrap_or_default();
        // Chosen while the old number is still held, so it cannot come back.
        let (file, index) = self.choose(&mut st, &category, hold.user, now)?;
        self.end_hold(&mut st, hold, Ended::Changed);
        self.assign(&mut st, &category, hold.user, (file, index), now)
    }

    /// Ends use `id`, and only that one: what it was, or `None` when it
    /// ended already.
    pub fn end(&self, id: UseId, how: Finish) -> Result<Option<Assignment>, StoreError> {
        self.blocking(self.end_in_memory(id, how))
    }

    pub(crate) fn end_in_memory(
        &self,
        id: UseId,
        how: Finish,
    ) -> Result<(Option<Assignment>, Seq), StoreError> {
        let mut st = self.lock()?;
        let expired = self.expire(&mut st);
        let Some(hold) = by_use(&st, id) else {
            return Ok((None, expired));
        };
        let ended = assignment_of(&st, hold);
        Ok((Some(ended), self.end_hold(&mut st, hold, how.ended())))
    }

    /// Use `id` while it lasts.
    pub fn current(&self, id: UseId) -> Result<Option<Assignment>, StoreError> {
        self.blocking(self.current_in_memory(id))
    }

    pub(crate) fn current_in_memory(
        &self,
        id: UseId,
    ) -> Result<(Option<Assignment>, Seq), StoreError> {
        Ok(self.current_locked(&mut *self.lock()?, id))
    }

    /// [`FileStore::current_in_memory`] under a lock the caller holds.
    pub(crate) fn current_locked(&self, st: &mut State, id: UseId) -> (Option<Assignment>, Seq) {
        let seq = self.expire(st);
        (by_use(st, id).map(|h| assignment_of(st, h)), seq)
    }

    /// The numbers held by `holders`, by holder.
    pub(crate) fn held_by_locked(
        &self,
        st: &mut State,
        holders: RangeInclusive<i64>,
    ) -> (Vec<Assignment>, Seq) {
        let seq = self.expire(st);
        let mut held: Vec<Hold> = if holders.end().abs_diff(*holders.start()) < 4096 {
            holders
                .filter_map(|user| st.pool.holds.get(&user).copied())
                .collect()
        } else {
            st.pool
                .holds
                .values()
                .filter(|h| holders.contains(&h.user))
                .copied()
                .collect()
        };
        held.sort_by_key(|h| h.user);
        (
            held.into_iter().map(|h| assignment_of(st, h)).collect(),
            seq,
        )
    }

    /// Ends a hold (journaled, and kept in the history); returns the
    /// sequence to wait on.
    fn end_hold(&self, st: &mut State, hold: Hold, ended: Ended) -> Seq {
        let op = match ended {
            Ended::Completed => Op::Complete,
            Ended::Cancelled | Ended::Changed => Op::Cancel,
            Ended::Expired => Op::Expire,
        };
        let r = Record {
            op,
            file: hold.file,
            index: hold.index,
            at: self.inner.config.clock.now(),
            user: hold.user,
            until: 0,
        };
        st.pool.apply(&r, hold.id);
        self.keep(st, hold, r.at, ended);
        self.log(st, &[r])
    }

    /// Appends the use that `hold` was to the history. Not waited on: the
    /// pool's record is the journal's; a crash can lose the history of the
    /// uses that ended in its last moment.
    fn keep(&self, st: &State, hold: Hold, end: u32, ended: Ended) {
        let a = assignment_of(st, hold);
        let line = Line::Use(UseRecord {
            id: hold.id,
            number: a.number,
            holder: hold.user,
            category: a.category,
            file: a.file,
            start: hold.since,
            end,
            ended,
            codes: Vec::new(),
        });
        self.inner.history.append_later(hold.user, &line);
    }

    /// Appends a relayed code to the history; returns once it is on disk.
    pub(crate) async fn record_code(&self, code: CodeRecord) -> Result<(), StoreError> {
        let holder = code.holder;
        let pending = self.inner.history.append(holder, &Line::Code(code));
        log::wait_async(pending)
            .await
            .map_err(StoreError::io(self.inner.history.path()))
    }

    /// The number a user holds now, if any.
    pub fn holding(&self, user: i64) -> Result<Option<Assignment>, StoreError> {
        self.blocking(self.holding_in_memory(user))
    }

    pub(crate) fn holding_in_memory(
        &self,
        user: i64,
    ) -> Result<(Option<Assignment>, Seq), StoreError> {
        Ok(self.holding_locked(&mut *self.lock()?, user))
    }

    /// [`FileStore::holding_in_memory`] under a lock the caller holds.
    pub(crate) fn holding_locked(&self, st: &mut State, user: i64) -> (Option<Assignment>, Seq) {
        let seq = self.expire(st);
        let hold = st.pool.holds.get(&user).copied();
        (hold.map(|h| assignment_of(st, h)), seq)
    }

    /// Every number held now, by user.
    pub fn assignments(&self) -> Result<Vec<Assignment>, StoreError> {
        self.blocking(self.assignments_in_memory())
    }

    pub(crate) fn assignments_in_memory(&self) -> Result<(Vec<Assignment>, Seq), StoreError> {
        let mut st = self.lock()?;
        let seq = self.expire(&mut st);
        let mut holds: Vec<Hold> = st.pool.holds.values().copied().collect();
        holds.sort_by_key(|h| h.user);
        Ok((
            holds.into_iter().map(|h| assignment_of(&st, h)).collect(),
            seq,
        ))
    }

    /// Picks an available number of `category` with the policy plugin.
    fn choose(
        &self,
        st: &mut State,
        category: &str,
        user: i64,
        now: u32,
    ) -> Result<(u32, u32), StoreError> {
        let State {
            by_category,
            index,
            pool,
            ..
        } = st;
        let ids = by_category.get(category).map_or(&[][..], Vec::as_slice);
        let mut candidates = Vec::with_capacity(ids.len());
        for &id in ids {
            let Some(key) = index.get(&id) else {
                continue;
            };
            let Some(file) = pool.files.get_mut(id as usize).and_then(Option::as_mut) else {
                continue;
            };
            file.thaw(now);
            if file.deleted || file.available.is_empty() {
                continue;
            }
            candidates.push(Candidate {
                id: u64::from(id),
                name: key.name.clone(),
                total: file.total(),
                available: file.available.len() as u64,
                used: file.usage_count,
                created_at: key.created_unix,
                last_used: file.last_assigned.map(i64::from),
            });
        }
        let pick = self
            .inner
            .policy
            .pick_blocking(category, user, candidates)?;
        let id = pick.file as u32;
        let file = st.pool.file(id).expect("candidate files are loaded");
        Ok((id, file.available[pick.slot as usize]))
    }

    fn assign(
        &self,
        st: &mut State,
        category: &str,
        user: i64,
        (file, index): (u32, u32),
        now: u32,
    ) -> Result<(Assignment, Seq), StoreError> {
        if st.journal_len >= 1 << 32 {
            return Err(StoreError::Corrupt {
                path: self.inner.journal.path(),
                message: "the journal passed 4 GiB without a compaction; see the log".into(),
            });
        }
        let id = journal::use_id(st.generation, st.journal_len);
        let until = now.saturating_add(self.inner.config.lease_secs);
        let r = Record {
            op: Op::Claim,
            file,
            index,
            at: now,
            user,
            until,
        };
        let applied = st.pool.apply(&r, id);
        debug_assert_eq!(applied, Applied::Done);
        let seq = self.log(st, &[r]);
        let assignment = Assignment {
            id,
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
        Ok((assignment, seq))
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
        entry.deleted_at = Some(rfc3339(i64::from(self.inner.config.clock.now())));
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
    /// O(numbers): front ends ask on every `/countries` and every pick.
    pub fn categories(&self) -> Result<Vec<(String, u64)>, StoreError> {
        self.blocking(self.categories_in_memory())
    }

    pub(crate) fn categories_in_memory(&self) -> Result<(Vec<(String, u64)>, Seq), StoreError> {
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
        out.sort_unstable();
        Ok((out, seq))
    }

    /// Files with metadata and live usage, by name.
    pub fn files(&self) -> Result<Vec<FileInfo>, StoreError> {
        Ok(self.stats()?.files)
    }

    /// Usage by category and by file.
    pub fn stats(&self) -> Result<Stats, StoreError> {
        self.blocking(self.stats_in_memory())
    }

    pub(crate) fn stats_in_memory(&self) -> Result<(Stats, Seq), StoreError> {
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
            stats.push(FileInfo { name, meta, usage });
        }
        Ok((stats, seq))
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
            st.journal_len = 0;
            (snapshot::encode(&st.pool, next), usage_tracking(&st), old)
        };
        metadata::write_atomic(&dir.join("snapshot.bin"), &bytes)?;
        let _ = fs::remove_file(journal_path(&dir, old));
        metadata::write_atomic(&dir.join("usage_tracking.json"), &tracking)?;
        let mut st = self.lock()?;
        save_usage_counts(&mut st, &dir)
    }

    /// Which of `numbers` (E.164 digits) are in this pool (deleted files'
    /// numbers are not).
    pub fn in_pool(&self, numbers: &[u64]) -> Result<HashSet<u64>, StoreError> {
        let st = self.lock()?;
        Ok(numbers
            .iter()
            .copied()
            .filter(|n| st.pool.known.contains(n))
            .collect())
    }

    /// The store's "now" (Unix seconds): leases are measured against it.
    pub fn now(&self) -> u32 {
        self.inner.config.clock.now()
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

/// The hold of use `id`, while it lasts.
fn by_use(st: &State, id: UseId) -> Option<Hold> {
    let user = st.pool.by_use.get(&id)?;
    st.pool.holds.get(user).copied().filter(|h| h.id == id)
}

fn number_text(pool: &Pool, file: u32, index: u32) -> String {
    pool.file(file).map_or_else(String::new, |f| {
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(f.numbers[index as usize]);
        let mut text = String::with_capacity(digits.len() + 1);
        text.push('+');
        text.push_str(digits);
        text
    })
}

fn assignment_of(st: &State, hold: Hold) -> Assignment {
    let file = st.meta.name_of(hold.file).unwrap_or_default().to_string();
    let category = st
        .meta
        .files
        .get(&file)
        .map(|m| m.country_name.clone())
        .unwrap_or_default();
    Assignment {
        id: hold.id,
        number: number_text(&st.pool, hold.file, hold.index),
        category,
        file,
        user: hold.user,
        since: hold.since,
        until: hold.until,
    }
}
