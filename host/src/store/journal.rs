//! The append-only journal: every claim, completion and release, fsynced
//! before it is acknowledged. Concurrent writers share one fsync (group
//! commit): a flusher thread writes whatever accumulated while the previous
//! fsync ran, and wakes everyone it covered.

use std::{
    fs::{File, OpenOptions},
    io::{Read, Write},
    path::{Path, PathBuf},
    sync::{Arc, Condvar, Mutex},
    thread,
};

use super::error::StoreError;

/// One journal record: 32 bytes, CRC-protected, so that a torn tail after a
/// crash is recognised and cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    /// What happened.
    pub op: Op,
    /// Which file.
    pub file: u32,
    /// Which number of the file.
    pub index: u32,
    /// When (Unix seconds).
    pub at: u32,
    /// Who (claims), else 0.
    pub user: i64,
    /// Lease end (claims), else 0.
    pub until: u32,
}

/// Journal operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Op {
    /// A number assigned to a user under a lease.
    Claim = 1,
    /// The code arrived: the use is complete.
    Complete = 2,
    /// Cancelled by the user.
    Cancel = 3,
    /// The lease ran out.
    Expire = 4,
}

/// Size of one encoded record.
pub const RECORD_SIZE: usize = 32;

impl Record {
    fn encode(&self, out: &mut Vec<u8>) {
        let start = out.len();
        out.push(self.op as u8);
        out.extend_from_slice(&[0; 3]);
        out.extend_from_slice(&self.file.to_le_bytes());
        out.extend_from_slice(&self.index.to_le_bytes());
        out.extend_from_slice(&self.at.to_le_bytes());
        out.extend_from_slice(&self.user.to_le_bytes());
        out.extend_from_slice(&self.until.to_le_bytes());
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_le_bytes());
    }

    fn decode(bytes: &[u8]) -> Option<Record> {
        let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
        if crc32(&bytes[..28]) != u32_at(28) {
            return None;
        }
        let op = match bytes[0] {
            1 => Op::Claim,
            2 => Op::Complete,
            3 => Op::Cancel,
            4 => Op::Expire,
            _ => return None,
        };
        Some(Record {
            op,
            file: u32_at(4),
            index: u32_at(8),
            at: u32_at(12),
            user: i64::from_le_bytes(bytes[16..24].try_into().unwrap()),
            until: u32_at(24),
        })
    }
}

/// Reads a journal; a torn or damaged tail (a crash mid-write) is cut off.
/// Returns the records and the length of the valid prefix.
pub fn read(path: &Path) -> Result<(Vec<Record>, u64), StoreError> {
    let mut bytes = Vec::new();
    match File::open(path) {
        Ok(mut f) => {
            f.read_to_end(&mut bytes).map_err(StoreError::io(path))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(StoreError::io(path)(e)),
    }
    let mut records = Vec::with_capacity(bytes.len() / RECORD_SIZE);
    for chunk in bytes.chunks_exact(RECORD_SIZE) {
        match Record::decode(chunk) {
            Some(r) => records.push(r),
            None => break,
        }
    }
    let valid = (records.len() * RECORD_SIZE) as u64;
    Ok((records, valid))
}

struct Pending {
    /// Encoded records not yet handed to the flusher.
    buffer: Vec<u8>,
    /// Sequence number of the last record appended.
    appended: u64,
    /// Sequence number of the last record on disk (fsynced).
    durable: u64,
    /// A write or fsync failed: the journal refuses further work.
    failed: Option<String>,
    /// Set when the writer is dropped.
    closing: bool,
    /// The file records go to (replaced when the journal is rotated).
    file: Option<File>,
}

struct Shared {
    pending: Mutex<Pending>,
    /// Wakes the flusher when records arrive.
    work: Condvar,
    /// Wakes waiters when `durable` advances.
    done: Condvar,
    path: Mutex<PathBuf>,
    /// (durable sequence, failed) for async waiters.
    watch: tokio::sync::watch::Sender<(u64, bool)>,
}

/// The journal writer, shared by all claimers.
pub struct Journal {
    shared: Arc<Shared>,
    flusher: Option<thread::JoinHandle<()>>,
}

/// A position in the journal a caller can wait on.
pub type Seq = u64;

impl Journal {
    /// Opens `path` for appending, cutting it to `valid_len` first (a torn tail).
    pub fn open(path: &Path, valid_len: u64) -> Result<Journal, StoreError> {
        let file = open_append(path, valid_len)?;
        let shared = Arc::new(Shared {
            pending: Mutex::new(Pending {
                buffer: Vec::with_capacity(1 << 16),
                appended: 0,
                durable: 0,
                failed: None,
                closing: false,
                file: Some(file),
            }),
            work: Condvar::new(),
            done: Condvar::new(),
            path: Mutex::new(path.to_path_buf()),
            watch: tokio::sync::watch::Sender::new((0, false)),
        });
        let worker = shared.clone();
        let flusher = thread::Builder::new()
            .name("numbot-journal".into())
            .spawn(move || flush_loop(&worker))
            .map_err(StoreError::io(path))?;
        Ok(Journal {
            shared,
            flusher: Some(flusher),
        })
    }

    /// Appends records (in memory); returns the sequence number to wait on.
    pub fn append(&self, records: &[Record]) -> Seq {
        let mut p = self
            .shared
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        for r in records {
            r.encode(&mut p.buffer);
        }
        p.appended += records.len() as u64;
        self.shared.work.notify_one();
        p.appended
    }

    /// Blocks until every record up to `seq` is on disk.
    pub fn wait(&self, seq: Seq) -> Result<(), StoreError> {
        let mut p = self
            .shared
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(message) = &p.failed {
                return Err(StoreError::Corrupt {
                    path: self.path(),
                    message: format!("journal write failed: {message}"),
                });
            }
            if p.durable >= seq {
                return Ok(());
            }
            p = self.shared.done.wait(p).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Waits, without blocking a thread, until every record up to `seq` is on disk.
    pub async fn wait_async(&self, seq: Seq) -> Result<(), StoreError> {
        let mut rx = self.shared.watch.subscribe();
        let (_, failed) = *rx
            .wait_for(|(durable, failed)| *failed || *durable >= seq)
            .await
            .map_err(|_| StoreError::Corrupt {
                path: self.path(),
                message: "journal closed".into(),
            })?;
        if failed {
            return self.wait(seq);
        }
        Ok(())
    }

    /// Flushes everything appended so far, then directs new records to a new file.
    pub fn rotate(&self, new_path: &Path) -> Result<(), StoreError> {
        let seq = {
            let p = self
                .shared
                .pending
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            p.appended
        };
        self.wait(seq)?;
        let file = open_append(new_path, 0)?;
        let mut p = self
            .shared
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        // Records appended since `wait` belong to the new file: they were
        // applied after the snapshot's state was taken by the caller, who
        // holds the state lock, so there are none.
        debug_assert!(p.buffer.is_empty());
        p.file = Some(file);
        *self.shared.path.lock().unwrap_or_else(|e| e.into_inner()) = new_path.to_path_buf();
        Ok(())
    }

    fn path(&self) -> PathBuf {
        self.shared
            .path
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        {
            let mut p = self
                .shared
                .pending
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            p.closing = true;
            self.shared.work.notify_one();
        }
        if let Some(handle) = self.flusher.take() {
            let _ = handle.join();
        }
    }
}

fn open_append(path: &Path, valid_len: u64) -> Result<File, StoreError> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(StoreError::io(path))?;
    let len = file.metadata().map_err(StoreError::io(path))?.len();
    if len > valid_len {
        tracing::warn!(path = %path.display(), cut = len - valid_len, "journal: cutting a torn tail");
        file.set_len(valid_len).map_err(StoreError::io(path))?;
        file.sync_all().map_err(StoreError::io(path))?;
    }
    if let Some(dir) = path.parent() {
        sync_dir(dir)?;
    }
    Ok(file)
}

/// Makes a directory entry (a created or renamed file) durable.
pub fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(StoreError::io(dir))
}

fn flush_loop(shared: &Shared) {
    let mut batch = Vec::with_capacity(1 << 16);
    loop {
        let (target, mut file) = {
            let mut p = shared.pending.lock().unwrap_or_else(|e| e.into_inner());
            while p.buffer.is_empty() && !p.closing {
                p = shared.work.wait(p).unwrap_or_else(|e| e.into_inner());
            }
            if p.buffer.is_empty() && p.closing {
                return;
            }
            std::mem::swap(&mut batch, &mut p.buffer);
            (p.appended, p.file.take())
        };
        let result = match file.as_mut() {
            Some(f) => f.write_all(&batch).and_then(|()| f.sync_data()),
            None => Err(std::io::Error::other("journal file is closed")),
        };
        batch.clear();
        let mut p = shared.pending.lock().unwrap_or_else(|e| e.into_inner());
        if p.file.is_none() {
            p.file = file;
        }
        match result {
            Ok(()) => p.durable = target,
            Err(e) => p.failed = Some(e.to_string()),
        }
        shared.watch.send_replace((p.durable, p.failed.is_some()));
        shared.done.notify_all();
    }
}

/// CRC-32 (IEEE), table-driven.
pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = [0u32; 256];
        for (i, slot) in table.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *slot = c;
        }
        table
    });
    !bytes.iter().fold(!0u32, |c, &b| {
        table[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8)
    })
}
