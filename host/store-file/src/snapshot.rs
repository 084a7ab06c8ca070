//! Binary files of the store: each file's numbers (`<name>.numbers`) and the
//! snapshot that the journal is compacted into (`snapshot.bin`). Both end
//! with a CRC-32, so that damage is reported rather than loaded.

use std::path::Path;

use numbot_core::{NumberState as Status, StoreError, UseId};

use crate::{
    journal::crc32,
    pool::{Hold, Pool},
};

const NUMBERS_MAGIC: &[u8; 8] = b"NBNUM01\0";
/// Snapshots name each hold's use; version 1 (before use ids) is read too.
const SNAPSHOT_MAGIC: &[u8; 8] = b"NBSNAP2\0";
const SNAPSHOT_V1_MAGIC: &[u8; 8] = b"NBSNAP1\0";

/// Encodes a file's numbers (E.164 digits as integers).
pub(crate) fn encode_numbers(numbers: &[u64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(20 + numbers.len() * 8);
    out.extend_from_slice(NUMBERS_MAGIC);
    out.extend_from_slice(&(numbers.len() as u64).to_le_bytes());
    for n in numbers {
        out.extend_from_slice(&n.to_le_bytes());
    }
    let crc = crc32(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Decodes a `.numbers` file.
pub(crate) fn decode_numbers(bytes: &[u8], path: &Path) -> Result<Vec<u64>, StoreError> {
    let corrupt = |message: &str| StoreError::Corrupt {
        path: path.to_path_buf(),
        message: message.into(),
    };
    if bytes.len() < 20 || &bytes[..8] != NUMBERS_MAGIC {
        return Err(corrupt("not a numbot numbers file"));
    }
    let body = &bytes[..bytes.len() - 4];
    let crc = u32::from_le_bytes(bytes[bytes.len() - 4..].try_into().unwrap());
    if crc32(body) != crc {
        return Err(corrupt("checksum mismatch"));
    }
    let count = u64::from_le_bytes(body[8..16].try_into().unwrap()) as usize;
    if body.len() != 16 + count * 8 {
        return Err(corrupt("length does not match the count"));
    }
    Ok(body[16..]
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
        .collect())
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
}

/// Encodes the pool's state: every number that was ever used or is not
/// available, every hold, and which journal generation follows.
pub(crate) fn encode(pool: &Pool, next_generation: u64) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(1 << 20));
    w.0.extend_from_slice(SNAPSHOT_MAGIC);
    w.u64(next_generation);
    let files: Vec<(u32, &_)> = pool
        .files
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.as_ref().map(|f| (i as u32, f)))
        .collect();
    w.u32(files.len() as u32);
    for (id, file) in files {
        w.u32(id);
        w.u64(file.usage_count);
        w.u32(file.last_assigned.unwrap_or(0));
        let touched: Vec<u32> = (0..file.numbers.len() as u32)
            .filter(|&i| file.uses[i as usize] > 0 || file.status[i as usize] != Status::Available)
            .collect();
        w.u32(touched.len() as u32);
        for i in touched {
            let u = i as usize;
            w.u32(i);
            w.u8(file.status[u] as u8);
            w.u32(file.uses[u]);
            w.u32(file.last_used[u]);
            w.i64(file.last_user[u]);
            w.u32(if file.status[u] == Status::Cooling {
                file.cool_until[u]
            } else {
                0
            });
        }
    }
    let mut holds: Vec<&Hold> = pool.holds.values().collect();
    holds.sort_by_key(|h| (h.until, h.user));
    w.u32(holds.len() as u32);
    for h in holds {
        w.u64(h.id.0);
        w.u32(h.file);
        w.u32(h.index);
        w.i64(h.user);
        w.u32(h.since);
        w.u32(h.until);
    }
    let crc = crc32(&w.0);
    w.u32(crc);
    w.0
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let out = self.bytes.get(self.at..self.at + N)?.try_into().ok()?;
        self.at += N;
        Some(out)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take::<1>().map(|b| b[0])
    }
    fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Option<u64> {
        self.take().map(u64::from_le_bytes)
    }
    fn i64(&mut self) -> Option<i64> {
        self.take().map(i64::from_le_bytes)
    }
}

/// Restores a snapshot into a pool whose files are loaded; returns the
/// journal generation that follows it.
pub(crate) fn decode(bytes: &[u8], pool: &mut Pool, path: &Path) -> Result<u64, StoreError> {
    let corrupt = |message: &str| StoreError::Corrupt {
        path: path.to_path_buf(),
        message: message.into(),
    };
    let with_ids = match bytes.get(..8) {
        Some(m) if bytes.len() >= 24 && m == SNAPSHOT_MAGIC => true,
        Some(m) if bytes.len() >= 24 && m == SNAPSHOT_V1_MAGIC => false,
        _ => return Err(corrupt("not a numbot snapshot")),
    };
    let (body, tail) = bytes.split_at(bytes.len() - 4);
    if crc32(body) != u32::from_le_bytes(tail.try_into().unwrap()) {
        return Err(corrupt("checksum mismatch"));
    }
    let mut r = Reader { bytes: body, at: 8 };
    let truncated = || corrupt("truncated");
    let generation = r.u64().ok_or_else(truncated)?;
    let files = r.u32().ok_or_else(truncated)?;
    for _ in 0..files {
        let id = r.u32().ok_or_else(truncated)?;
        let usage = r.u64().ok_or_else(truncated)?;
        let last = r.u32().ok_or_else(truncated)?;
        let count = r.u32().ok_or_else(truncated)?;
        pool.restore_file_usage(id, usage, (last != 0).then_some(last));
        for _ in 0..count {
            let index = r.u32().ok_or_else(truncated)?;
            let status = match r.u8().ok_or_else(truncated)? {
                0 => Status::Available,
                1 => Status::Assigned,
                2 => Status::Cooling,
                3 => Status::Retired,
                4 => Status::Removed,
                _ => return Err(corrupt("unknown number status")),
            };
            let uses = r.u32().ok_or_else(truncated)?;
            let last_used = r.u32().ok_or_else(truncated)?;
            let last_user = r.i64().ok_or_else(truncated)?;
            let cool_until = r.u32().ok_or_else(truncated)?;
            pool.restore_number(id, index, status, cool_until, (uses, last_used, last_user));
        }
    }
    let holds = r.u32().ok_or_else(truncated)?;
    for k in 0..holds {
        // A version 1 snapshot's holds get ids of generation 0, which no
        // journal has (generations count from 1): unique, and the same at
        // every open until the next snapshot keeps them.
        let id = if with_ids {
            UseId(r.u64().ok_or_else(truncated)?)
        } else {
            UseId(u64::from(k) + 1)
        };
        let hold = Hold {
            id,
            file: r.u32().ok_or_else(truncated)?,
            index: r.u32().ok_or_else(truncated)?,
            user: r.i64().ok_or_else(truncated)?,
            since: r.u32().ok_or_else(truncated)?,
            until: r.u32().ok_or_else(truncated)?,
        };
        pool.restore_hold(hold);
    }
    pool.sort_queues();
    Ok(generation)
}
