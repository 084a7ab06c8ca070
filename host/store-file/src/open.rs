//! Opening a data directory: its lock, then the pool as the files, the
//! snapshot and the journals leave it.

use std::{
    fs,
    path::{Path, PathBuf},
};

use numbot_core::{StoreConfig, StoreError};

use crate::{
    journal,
    metadata::Metadata,
    pool::{Applied, FastMap, Pool},
    private, snapshot,
    store::FileKey,
};

/// Tries at 20 ms intervals before a held lock is reported: one second.
const LOCK_ATTEMPTS: u32 = 50;

pub(crate) fn journal_path(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("journal.{generation:06}"))
}

/// Takes the data directory's lock file, waiting a little: a lock can
/// outlive its owner for an instant (a child forked while it was held
/// keeps it until exec).
pub(crate) fn take_lock(dir: &Path) -> Result<fs::File, StoreError> {
    let lock_path = dir.join(".lock");
    let lock = private::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(StoreError::io(&lock_path))?;
    for _ in 0..LOCK_ATTEMPTS {
        match lock.try_lock() {
            Ok(()) => return Ok(lock),
            Err(fs::TryLockError::WouldBlock) => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(fs::TryLockError::Error(e)) => return Err(StoreError::io(&lock_path)(e)),
        }
    }
    Err(StoreError::Locked {
        dir: dir.to_path_buf(),
        lock: lock_path,
    })
}

/// The pool as the files, the snapshot and the journals leave it.
pub(crate) struct Loaded {
    pub(crate) pool: Pool,
    pub(crate) meta: Metadata,
    pub(crate) by_category: FastMap<String, Vec<u32>>,
    pub(crate) index: FastMap<u32, FileKey>,
    pub(crate) generation: u64,
    /// The generation the snapshot starts from.
    pub(crate) snapshot_generation: u64,
    pub(crate) records: u64,
    pub(crate) valid_len: u64,
}

/// Removes journals older than the snapshot: they are in it (a compaction
/// that died after writing the snapshot left them); newer ones stay until
/// the next snapshot covers them. Only the process owning the directory.
pub(crate) fn remove_stale_journals(dir: &Path, snapshot_generation: u64) {
    for stale in 1..snapshot_generation {
        let _ = fs::remove_file(journal_path(dir, stale));
    }
}

/// The pool as the files and the snapshot leave it, before the journals.
pub(crate) struct Base {
    pub(crate) pool: Pool,
    pub(crate) meta: Metadata,
    pub(crate) by_category: FastMap<String, Vec<u32>>,
    pub(crate) index: FastMap<u32, FileKey>,
    /// The first journal to replay.
    pub(crate) generation: u64,
}

/// Loads every file's numbers and the snapshot.
pub(crate) fn load_base(config: &StoreConfig) -> Result<Base, StoreError> {
    let dir = &config.data_dir;
    let meta = Metadata::read(&dir.join("metadata.json"))?;
    let mut pool = Pool::new(config.reuse);
    let mut by_category: FastMap<String, Vec<u32>> = FastMap::default();
    let mut index = FastMap::default();
    for (name, file) in &meta.files {
        let path = dir.join(name).with_extension("numbers");
        let bytes = fs::read(&path).map_err(StoreError::io(&path))?;
        pool.add_file(file.id, snapshot::decode_numbers(&bytes, &path)?);
        index.insert(file.id, FileKey::of(name, file));
        if !file.deleted {
            by_category
                .entry(file.country_name.clone())
                .or_default()
                .push(file.id);
        }
    }
    let snapshot_path = dir.join("snapshot.bin");
    let generation = match fs::read(&snapshot_path) {
        Ok(bytes) => snapshot::decode(&bytes, &mut pool, &snapshot_path)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => 1,
        Err(e) => return Err(StoreError::io(&snapshot_path)(e)),
    };
    Ok(Base {
        pool,
        meta,
        by_category,
        index,
        generation,
    })
}

/// Removes what uploads that never finished left (a crash between writing
/// an upload's files and `metadata.json`): each `.numbers` file with no
/// entry in the metadata, and its `.csv`. Only at open: no upload runs.
pub(crate) fn remove_unfinished_uploads(dir: &Path, meta: &Metadata) -> Result<(), StoreError> {
    for entry in fs::read_dir(dir).map_err(StoreError::io(dir))? {
        let path = entry.map_err(StoreError::io(dir))?.path();
        if path.extension().is_none_or(|e| e != "numbers") {
            continue;
        }
        let csv = path.with_extension("csv");
        let known = csv
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| meta.files.contains_key(n));
        if known {
            continue;
        }
        tracing::warn!(file = %csv.display(), "removing an upload that never finished");
        for p in [&csv, &path] {
            match fs::remove_file(p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(StoreError::io(p)(e)),
            }
        }
    }
    Ok(())
}

/// What is left to do after the journals: deleted files' numbers leave
/// (records about them replay first, exactly as they happened), then the
/// dedup set is rebuilt from what remains.
pub(crate) fn finish(pool: &mut Pool, meta: &Metadata) {
    for file in meta.files.values().filter(|f| f.deleted) {
        pool.delete_file(file.id);
    }
    pool.rebuild_known();
}

/// Loads every file's numbers, the snapshot, then replays the journals from
/// the snapshot's generation on (a crash between rotation and snapshot
/// leaves two).
pub(crate) fn load(config: &StoreConfig) -> Result<Loaded, StoreError> {
    let dir = &config.data_dir;
    let Base {
        mut pool,
        meta,
        by_category,
        index,
        generation: snapshot_generation,
    } = load_base(config)?;
    let mut generation = snapshot_generation;
    let mut replayed = 0u64;
    let mut latest = 0u32;
    let (records, valid_len) = loop {
        let path = journal_path(dir, generation);
        let (list, valid) = journal::read(&path)?;
        for (offset, r) in &list {
            latest = latest.max(r.at);
            if let Applied::Ignored(why) = pool.apply(r, journal::use_id(generation, *offset)) {
                tracing::debug!(?r, why, "journal record ignored on replay");
            }
        }
        replayed += list.len() as u64;
        if journal_path(dir, generation + 1).exists() {
            generation += 1;
            continue;
        }
        break (list.len() as u64, valid);
    };
    finish(&mut pool, &meta);
    // Time never goes back past what the journal has seen, even if the
    // system clock was stepped back while the store was down.
    config.clock.observe(latest);
    tracing::info!(files = meta.files.len(), replayed, "store loaded");
    Ok(Loaded {
        pool,
        meta,
        by_category,
        index,
        generation,
        snapshot_generation,
        records,
        valid_len,
    })
}
