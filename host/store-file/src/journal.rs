//! The append-only journal: every claim, completion and release, fsynced
//! before it is acknowledged. Concurrent writers share one fsync (group
//! commit, [`GroupLog`]).

use std::{
    fs::File,
    io::Read,
    path::Path,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
};

use numbot_core::{StoreError, UseId};

use crate::{
    log::{self, GroupLog, Pending},
    private,
};

/// One journal record: 32 bytes, CRC-protected, so that a torn tail after a
/// crash is recognised and cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Record {
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
pub(crate) enum Op {
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
pub(crate) const RECORD_SIZE: usize = 32;

/// The longest tail a crash can tear: one write of the group commit (a
/// batch, and one append after it; an append ends at most
/// [`MAX_RECORDS_AT_ONCE`] records).
pub(crate) const MAX_TORN: u64 = (log::MAX_BATCH + MAX_RECORDS_AT_ONCE * RECORD_SIZE) as u64;

/// Records one append holds at most (a sweep of leases ends at most this
/// many at once, the rest at the next).
pub(crate) const MAX_RECORDS_AT_ONCE: usize = 1024;

/// The use a claim begins: its journal's generation and its byte offset
/// there. Generations only grow (a compaction or a repair starts the next)
/// and a record's offset is its own, so no two claims share an id, across
/// restarts too; generation 0 has no journal (ids of holds read from a
/// snapshot written before uses had ids). A journal stays far below 4 GiB
/// (it is compacted every `compact_every` records).
pub(crate) fn use_id(generation: u64, offset: u64) -> UseId {
    UseId((generation << 32) | (offset & 0xFFFF_FFFF))
}

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
        // The cheap checks first: a damaged journal is searched byte by byte.
        let record = Record::decode_unchecked(bytes)?;
        (crc32(&bytes[..28]) == u32_at(28)).then_some(record)
    }

    /// What a record's bytes say, without its checksum: what a damaged
    /// record most likely was (`numbot repair` names the numbers it may
    /// have touched), or `None` when even its shape is wrong.
    pub(crate) fn decode_unchecked(bytes: &[u8]) -> Option<Record> {
        if bytes.len() < RECORD_SIZE {
            return None;
        }
        let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
        let op = match bytes[0] {
            1 => Op::Claim,
            2 => Op::Complete,
            3 => Op::Cancel,
            4 => Op::Expire,
            _ => return None,
        };
        if bytes[1..4] != [0; 3] {
            return None;
        }
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

/// What a journal's bytes hold.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// Every valid record, with its byte offset.
    pub records: Vec<(u64, Record)>,
    /// Damaged regions (offset, length) that valid records follow.
    pub damaged: Vec<(u64, u64)>,
    /// Where the last valid record ends: what follows is a torn tail.
    pub valid_len: u64,
}

impl Scan {
    /// Reads the journal at `path` (missing: empty).
    pub(crate) fn read(path: &Path) -> Result<(Scan, u64), StoreError> {
        let mut bytes = Vec::new();
        match File::open(path) {
            Ok(mut f) => {
                f.read_to_end(&mut bytes).map_err(StoreError::io(path))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Scan::default(), 0)),
            Err(e) => return Err(StoreError::io(path)(e)),
        }
        Ok((Scan::of(&bytes), bytes.len() as u64))
    }

    /// Records are 32-byte aligned; after a bad one, the next valid record
    /// is searched at every byte (a lost or extra byte shifts the rest).
    /// A false match needs a valid op, zero padding and a matching CRC-32.
    fn of(bytes: &[u8]) -> Scan {
        let mut scan = Scan {
            records: Vec::with_capacity(bytes.len() / RECORD_SIZE),
            ..Scan::default()
        };
        let mut at = 0;
        while at + RECORD_SIZE <= bytes.len() {
            if let Some(r) = Record::decode(&bytes[at..at + RECORD_SIZE]) {
                scan.records.push((at as u64, r));
                at += RECORD_SIZE;
                continue;
            }
            let next = (at + 1..=bytes.len() - RECORD_SIZE)
                .find(|&i| Record::decode(&bytes[i..i + RECORD_SIZE]).is_some());
            let Some(next) = next else { break };
            scan.damaged.push((at as u64, (next - at) as u64));
            at = next;
        }
        scan.valid_len = scan
            .records
            .last()
            .map_or(0, |(offset, _)| offset + RECORD_SIZE as u64);
        scan
    }
}

/// Reads a journal for replay: a torn tail (a crash mid-write: bad bytes
/// with no valid record after them) is left to be cut off; a damaged record
/// with valid ones after it stops the store ([`StoreError::JournalDamaged`]).
/// Returns the records with their offsets and the length of the valid prefix.
pub(crate) fn read(path: &Path) -> Result<(Vec<(u64, Record)>, u64), StoreError> {
    let (scan, len) = Scan::read(path)?;
    if let Some(&(offset, bad)) = scan.damaged.first() {
        return Err(StoreError::JournalDamaged {
            path: path.to_path_buf(),
            dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            offset,
            next_valid: offset + bad,
        });
    }
    // A crash tears the last write only; garbage longer than any write is
    // damage (a disk's, or another program's), not a tear to cut.
    if len - scan.valid_len > MAX_TORN {
        return Err(StoreError::JournalDamaged {
            path: path.to_path_buf(),
            dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            offset: scan.valid_len,
            next_valid: len,
        });
    }
    Ok((scan.records, scan.valid_len))
}

/// The journal writer, shared by all claimers: records are group-committed
/// (see [`GroupLog`]); once a write fails the journal refuses to confirm
/// anything more, since memory and disk may disagree from there on.
pub(crate) struct Journal {
    log: GroupLog,
    failed: Arc<AtomicBool>,
}

/// A position in the journal a caller can wait on: the answer to an
/// append, or nothing (no record was written).
pub(crate) type Seq = Option<Pending>;

impl Journal {
    /// Opens `path` for appending, cutting it to `valid_len` first (a torn tail).
    pub(crate) fn open(path: &Path, valid_len: u64) -> Result<Journal, StoreError> {
        let file = open_append(path, valid_len)?;
        let log = GroupLog::start("numbot-journal", path, file).map_err(StoreError::io(path))?;
        Ok(Journal {
            log,
            failed: Arc::default(),
        })
    }

    /// Appends records (in order); returns the answer to wait on.
    pub(crate) fn append(&self, records: &[Record]) -> Seq {
        let mut bytes = Vec::with_capacity(records.len() * RECORD_SIZE);
        for r in records {
            r.encode(&mut bytes);
        }
        Some(self.log.append(bytes))
    }

    /// The file appended to now.
    pub(crate) fn path(&self) -> std::path::PathBuf {
        self.log.path()
    }

    /// Waits until everything appended so far has been written (or has
    /// failed), then forgets an earlier failure: the caller reloads memory
    /// from the disk (see `FileStore::recover`). A write that fails now
    /// keeps the failure.
    pub(crate) fn settle(&self) -> Result<(), StoreError> {
        let written = log::wait(self.log.append(Vec::new()));
        if let Err(e) = written {
            return Err(StoreError::Corrupt {
                path: self.log.path(),
                message: format!("journal write failed: {e}"),
            });
        }
        self.failed.store(false, Ordering::SeqCst);
        Ok(())
    }

    /// The outcome of a write as the store's answer: an earlier failure
    /// fails it too.
    pub(crate) fn check(&self, written: std::io::Result<()>) -> Result<(), StoreError> {
        let written = written.inspect_err(|_| self.failed.store(true, Ordering::SeqCst));
        if let Err(e) = written {
            return Err(StoreError::Corrupt {
                path: self.log.path(),
                message: format!("journal write failed: {e}"),
            });
        }
        if self.failed.load(Ordering::SeqCst) {
            return Err(StoreError::Corrupt {
                path: self.log.path(),
                message: "an earlier journal write failed".into(),
            });
        }
        Ok(())
    }

    /// Blocks until the records of `seq` are on disk.
    pub(crate) fn wait(&self, seq: Seq) -> Result<(), StoreError> {
        match seq {
            Some(pending) => self.check(log::wait(pending)),
            None => self.check(Ok(())),
        }
    }

    /// Flushes everything appended so far, then directs new records to a new
    /// file (blocking).
    pub(crate) fn rotate(&self, new_path: &Path) -> Result<(), StoreError> {
        let written = self.log.switch(new_path).map_err(StoreError::io(new_path));
        if let Some(dir) = new_path.parent() {
            sync_dir(dir)?;
        }
        written
    }
}

fn open_append(path: &Path, valid_len: u64) -> Result<File, StoreError> {
    let file = private::options()
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
pub(crate) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(StoreError::io(dir))
}

/// CRC-32 (IEEE) of the records and files the store writes.
pub(crate) fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(n: u32) -> Vec<u8> {
        let mut out = Vec::new();
        for i in 0..n {
            Record {
                op: Op::Claim,
                file: 1,
                index: i,
                at: 1_000 + i,
                user: i64::from(i),
                until: 2_000,
            }
            .encode(&mut out);
        }
        out
    }

    #[test]
    fn damage_is_told_from_a_torn_tail() {
        // Clean, and torn at the end: no damage, the tail is cut.
        let clean = Scan::of(&records(4));
        assert_eq!((clean.records.len(), clean.damaged.len()), (4, 0));
        let mut torn = records(4);
        torn.extend_from_slice(&records(1)[..20]);
        let scan = Scan::of(&torn);
        assert_eq!((scan.records.len(), scan.valid_len), (4, 128));
        assert!(scan.damaged.is_empty());
        // A flipped bit in the middle: one record dropped, the rest kept.
        let mut flipped = records(4);
        flipped[40] ^= 1;
        let scan = Scan::of(&flipped);
        assert_eq!(scan.records.len(), 3);
        assert_eq!(scan.damaged, vec![(32, 32)]);
        // A lost byte shifts what follows: found again, not cut as a tail.
        let mut shifted = records(4);
        shifted.remove(50);
        let scan = Scan::of(&shifted);
        assert_eq!(scan.records.len(), 3);
        assert_eq!(scan.damaged, vec![(32, 31)]);
        assert_eq!(scan.valid_len, 127);
    }
}
