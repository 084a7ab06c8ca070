//! `history.jsonl`: every use that ended and every code relayed, one JSON
//! object a line, appended (group-committed) as they happen and never held
//! in memory. A code comes before the end of its use, so a reader joins
//! them in one pass, holding only the codes of uses still open.
//!
//! It is read without the store's lock (`numbot export` beside a running
//! bot): lines are appended whole, and a torn last line is skipped.

use std::{
    collections::{HashMap, VecDeque},
    fs::File,
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    sync::Mutex,
};

use numbot_core::{
    history::STREAM_BUFFER, CodeRecord, CodeSeen, DayCounts, HistoryQuery, HistorySearch,
    StoreError, UseId, UseRecord, UseStream,
};
use serde::{Deserialize, Serialize};

use crate::{
    find::{self, Entry, Filter, Finder, Head, FIND_FILE},
    log::{self, GroupLog, Pending},
};

/// The file, in the data directory.
pub const HISTORY_FILE: &str = "history.jsonl";

/// One line of the file.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Line {
    /// A use ended (its codes are the `Code` lines before it).
    Use(UseRecord),
    /// A code relayed during a use.
    Code(CodeRecord),
}

impl Line {
    /// The line's bytes, newline included.
    pub(crate) fn bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec(self).expect("history lines serialize");
        out.push(b'\n');
        out
    }
}

/// Streams the uses `query` asks for from `dir`'s history, oldest first,
/// reading on a blocking thread. Needs a tokio runtime.
pub fn read(dir: &Path, query: HistoryQuery) -> UseStream {
    let (tx, rx) = tokio::sync::mpsc::channel(STREAM_BUFFER);
    let path = dir.join(HISTORY_FILE);
    tokio::task::spawn_blocking(move || {
        if let Err(e) = read_into(&path, query, |r| tx.blocking_send(Ok(r)).is_ok()) {
            let _ = tx.blocking_send(Err(e));
        }
    });
    rx
}

/// Reads `path` (missing: no uses), handing each use asked for to `each`
/// until it returns false. Blocking.
pub fn read_into(
    path: &Path,
    query: HistoryQuery,
    mut each: impl FnMut(UseRecord) -> bool,
) -> Result<(), StoreError> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(StoreError::io(path)(e)),
    };
    // A use is its id; records kept before uses had ids carry id 0, and
    // their number and start name them.
    let mut open: HashMap<(UseId, String, u32), Vec<CodeSeen>> = HashMap::new();
    let mut skipped = 0u64;
    for line in BufReader::with_capacity(1 << 20, file).split(b'\n') {
        let line = line.map_err(StoreError::io(path))?;
        if line.is_empty() {
            continue;
        }
        match serde_json::from_slice::<Line>(&line) {
            Ok(Line::Code(c)) => {
                let codes = open.entry((c.use_id, c.number, c.start)).or_default();
                // A message tried again is kept again.
                if !codes.contains(&c.seen) {
                    codes.push(c.seen);
                }
            }
            Ok(Line::Use(mut r)) => {
                if let Some(codes) = open.remove(&(r.id, r.number.clone(), r.start)) {
                    r.codes = codes;
                }
                if query.matches(&r) && !each(r) {
                    return Ok(());
                }
            }
            Err(_) => skipped += 1,
        }
    }
    if skipped > 0 {
        tracing::warn!("{}: {skipped} unreadable line(s) skipped", path.display());
    }
    Ok(())
}

/// `history.idx`: where each holder's lines of `history.jsonl` start (16
/// bytes an entry: holder, offset), so that a user's `/history` reads their
/// last lines, never the whole file. Entries are appended beside the lines
/// (not waited on: entries a crash lost are indexed again from the
/// history's tail when the store opens); a reader checks that each offset
/// still starts a line of its holder.
pub const INDEX_FILE: &str = "history.idx";
/// Lines remembered per holder (uses and their codes).
const KEPT_PER_HOLDER: usize = 64;
const ENTRY: usize = 16;

/// `history.jsonl` as the store appends to it, with the holders' index.
pub(crate) struct HistoryLog {
    log: GroupLog,
    index: GroupLog,
    find: GroupLog,
    state: Mutex<State>,
    path: PathBuf,
}

/// What appends keep up to date.
struct State {
    /// The file's length as queued.
    len: u64,
    /// Each holder's last lines' offsets.
    by_holder: HashMap<i64, VecDeque<u64>>,
    /// The search index.
    finder: Finder,
}

/// Hands `note` each line of the history at `path` after the one at
/// `indexed` (all of them when none is), read lightly, with its offset.
fn index_lines(
    path: &Path,
    indexed: Option<u64>,
    note: &mut impl FnMut(&Head<'_>, u64),
) -> Result<(), StoreError> {
    use std::io::{Seek, SeekFrom};
    let mut file = File::open(path).map_err(StoreError::io(path))?;
    let mut offset = indexed.unwrap_or(0);
    file.seek(SeekFrom::Start(offset))
        .map_err(StoreError::io(path))?;
    let reader = BufReader::with_capacity(1 << 20, file);
    for (i, line) in reader.split(b'\n').enumerate() {
        let line = line.map_err(StoreError::io(path))?;
        if i > 0 || indexed.is_none() {
            if let Ok(head) = serde_json::from_slice::<Head>(&line) {
                note(&head, offset);
            }
        }
        offset += line.len() as u64 + 1;
    }
    Ok(())
}

/// Reads the index at `path` (entries of `size` bytes; a torn last one is
/// cut off), handing each to `each`; then appends `missing(last offset)`
/// (what the history holds past it) and opens it for appending. A missing
/// index is built whole.
fn open_index<S>(
    path: &Path,
    size: usize,
    state: &mut S,
    each: impl Fn(&mut S, &[u8]) -> Option<u64>,
    missing: impl FnOnce(&mut S, Option<u64>) -> Result<Vec<u8>, StoreError>,
) -> Result<File, StoreError> {
    use std::io::{Read, Write};
    match File::open(path) {
        Ok(file) => {
            // Read a slice at a time: the index of a million uses is tens
            // of megabytes.
            let len = file.metadata().map_err(StoreError::io(path))?.len();
            let whole = len - len % size as u64;
            let mut reader = BufReader::with_capacity(1 << 20, file);
            let mut entry = vec![0; size];
            let mut last = None;
            for _ in 0..whole / size as u64 {
                reader
                    .read_exact(&mut entry)
                    .map_err(StoreError::io(path))?;
                last = last.max(each(state, &entry));
            }
            let missing = missing(state, last)?;
            let mut file = log::open_append(path).map_err(StoreError::io(path))?;
            if whole < len {
                file.set_len(whole).map_err(StoreError::io(path))?;
            }
            if !missing.is_empty() {
                file.write_all(&missing)
                    .and_then(|()| file.sync_data())
                    .map_err(StoreError::io(path))?;
            }
            Ok(file)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            crate::metadata::write_atomic(path, &missing(state, None)?)?;
            log::open_append(path).map_err(StoreError::io(path))
        }
        Err(e) => Err(StoreError::io(path)(e)),
    }
}

impl HistoryLog {
    /// Opens `dir`'s history for appending, reading its index (built from
    /// the history once when it is missing: a store from before it).
    /// Blocking.
    pub(crate) fn open(dir: &Path) -> Result<HistoryLog, StoreError> {
        let path = dir.join(HISTORY_FILE);
        let index_path = dir.join(INDEX_FILE);
        let find_path = dir.join(FIND_FILE);
        let file = log::open_append(&path).map_err(StoreError::io(&path))?;
        let len = file.metadata().map_err(StoreError::io(&path))?.len();
        let mut by_holder: HashMap<i64, VecDeque<u64>> = HashMap::new();
        fn note(by_holder: &mut HashMap<i64, VecDeque<u64>>, holder: i64, offset: u64) {
            let kept = by_holder.entry(holder).or_default();
            if kept.len() == KEPT_PER_HOLDER {
                kept.pop_front();
            }
            kept.push_back(offset);
        }
        // The indexes are written without waiting: a crash can leave them
        // behind the history, which they catch up with here.
        let index_file = open_index(
            &index_path,
            ENTRY,
            &mut by_holder,
            |by_holder, entry| {
                let holder = i64::from_le_bytes(entry[..8].try_into().unwrap());
                let offset = u64::from_le_bytes(entry[8..].try_into().unwrap());
                note(by_holder, holder, offset);
                Some(offset)
            },
            |by_holder, last| {
                let mut entries = Vec::new();
                index_lines(&path, last, &mut |head, offset| {
                    note(by_holder, head.holder(), offset);
                    entries.extend_from_slice(&entry(head.holder(), offset));
                })?;
                Ok(entries)
            },
        )?;
        let mut finder = Finder::default();
        let find_file = open_index(
            &find_path,
            find::ENTRY,
            &mut finder,
            |finder, bytes| {
                let e = Entry::read(bytes)?;
                finder.note(e);
                Some(e.offset)
            },
            |finder, last| {
                let mut entries = Vec::new();
                index_lines(&path, last, &mut |head, offset| {
                    let e = Entry::of_head(head, offset);
                    finder.note(e);
                    entries.extend_from_slice(&e.bytes());
                })?;
                Ok(entries)
            },
        )?;
        Ok(HistoryLog {
            log: GroupLog::start("numbot-history", &path, file).map_err(StoreError::io(&path))?,
            index: GroupLog::start("numbot-history-idx", &index_path, index_file)
                .map_err(StoreError::io(&index_path))?,
            find: GroupLog::start("numbot-history-find", &find_path, find_file)
                .map_err(StoreError::io(&find_path))?,
            state: Mutex::new(State {
                len,
                by_holder,
                finder,
            }),
            path,
        })
    }

    /// Appends a line of `holder`'s; the answer comes once it is on disk.
    pub(crate) fn append(&self, holder: i64, line: &Line) -> Pending {
        self.queue(holder, line, |log, bytes| Some(log.append(bytes)))
            .expect("an awaited append answers")
    }

    /// Appends a line of `holder`'s that nobody waits for (a use's start
    /// and end; the journal holds the use itself): written with the next
    /// awaited line or within [`log::LATER_WITHIN`]. Readers call
    /// [`HistoryLog::settle`] first.
    pub(crate) fn append_later(&self, holder: i64, line: &Line) {
        self.queue(holder, line, |log, bytes| {
            log.append_later(bytes);
            None
        });
    }

    /// Indexes a line and queues it with `send`, in the order of the
    /// offsets, under the lock. The index is never waited for: a lost tail
    /// of it only sends a reader to the whole file.
    fn queue(
        &self,
        holder: i64,
        line: &Line,
        send: impl FnOnce(&GroupLog, Vec<u8>) -> Option<Pending>,
    ) -> Option<Pending> {
        let bytes = line.bytes();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let offset = state.len;
        state.len += bytes.len() as u64;
        let kept = state.by_holder.entry(holder).or_default();
        if kept.len() == KEPT_PER_HOLDER {
            kept.pop_front();
        }
        kept.push_back(offset);
        let found = Entry::of(line, offset);
        state.finder.note(found);
        let pending = send(&self.log, bytes);
        self.index.append_later(entry(holder, offset).to_vec());
        self.find.append_later(found.bytes().to_vec());
        pending
    }

    /// Waits until every line queued so far is written, so that a reader
    /// sees them.
    pub(crate) async fn settle(&self) -> Result<(), StoreError> {
        log::wait_async(self.log.append(Vec::new()))
            .await
            .map_err(StoreError::io(&self.path))
    }

    /// The file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// `holder`'s last `n` uses, oldest first, with their codes: read from
    /// the lines the index points at. Blocking.
    pub(crate) fn last(&self, holder: i64, n: usize) -> Result<Vec<UseRecord>, StoreError> {
        let offsets: Vec<u64> = {
            let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            state
                .by_holder
                .get(&holder)
                .map(|o| o.iter().copied().collect())
                .unwrap_or_default()
        };
        let file = File::open(&self.path).map_err(StoreError::io(&self.path))?;
        // A use is its id; records kept before uses had ids carry id 0, and
        // their number and start name them.
        let mut open: HashMap<(UseId, String, u32), Vec<CodeSeen>> = HashMap::new();
        let mut uses = VecDeque::new();
        for offset in offsets {
            let Some(line) = line_at(&file, offset).map_err(StoreError::io(&self.path))? else {
                continue;
            };
            match serde_json::from_slice::<Line>(&line) {
                Ok(Line::Code(c)) if c.holder == holder => {
                    let codes = open.entry((c.use_id, c.number, c.start)).or_default();
                    if !codes.contains(&c.seen) {
                        codes.push(c.seen);
                    }
                }
                Ok(Line::Use(mut r)) if r.holder == holder => {
                    if let Some(codes) = open.remove(&(r.id, r.number.clone(), r.start)) {
                        r.codes = codes;
                    }
                    uses.push_back(r);
                    if uses.len() > n {
                        uses.pop_front();
                    }
                }
                // An entry whose line a failed write moved: not this holder's.
                _ => {}
            }
        }
        Ok(uses.into())
    }
}

impl HistoryLog {
    /// The newest uses `search` matches, newest first, with their codes:
    /// the index picks them, and only their lines are read. Blocking.
    pub(crate) fn search(&self, search: &HistorySearch) -> Result<Vec<UseRecord>, StoreError> {
        let filter = Filter::new(search);
        let file = File::open(&self.path).map_err(StoreError::io(&self.path))?;
        let mut found = Vec::new();
        let mut upto = usize::MAX;
        while found.len() < search.limit && upto > 0 {
            let mut batch = Vec::new();
            upto = self
                .state
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .finder
                .scan(
                    &filter,
                    upto,
                    SCAN_SLICE,
                    search.limit - found.len(),
                    &mut batch,
                );
            for u in batch {
                let Some(line) = line_at(&file, u.offset).map_err(StoreError::io(&self.path))?
                else {
                    continue;
                };
                let Ok(Line::Use(mut r)) = serde_json::from_slice::<Line>(&line) else {
                    continue;
                };
                if !search.matches(&r) {
                    continue;
                }
                if let Some(from) = u.codes_from() {
                    r.codes = self.codes_between(&file, from, u.offset, &r)?;
                }
                found.push(r);
            }
        }
        Ok(found)
    }

    /// The codes of `r` from the lines in `[from, to)` (at most the last
    /// [`CODES_WITHIN`] bytes of them).
    fn codes_between(
        &self,
        file: &File,
        from: u64,
        to: u64,
        r: &UseRecord,
    ) -> Result<Vec<CodeSeen>, StoreError> {
        use std::os::unix::fs::FileExt;
        let from = from.max(to.saturating_sub(CODES_WITHIN));
        let mut bytes = vec![0; (to - from) as usize];
        file.read_exact_at(&mut bytes, from)
            .map_err(StoreError::io(&self.path))?;
        let mut codes = Vec::new();
        for line in bytes.split(|&b| b == b'\n') {
            if !line.starts_with(b"{\"code\"") {
                continue;
            }
            if let Ok(Line::Code(c)) = serde_json::from_slice::<Line>(line) {
                let ours = c.use_id == r.id && c.number == r.number && c.start == r.start;
                if ours && !codes.contains(&c.seen) {
                    codes.push(c.seen);
                }
            }
        }
        Ok(codes)
    }

    /// Uses begun and codes received per UTC day for the `days` days from
    /// `first`, of the uses that ended: from the index's counts.
    pub(crate) fn count_days(&self, first: i64, days: usize) -> Vec<DayCounts> {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .finder
            .days(first, days)
    }
}

/// Index records a search scans under the lock at a time (a millisecond
/// or so: appends wait no longer).
const SCAN_SLICE: usize = 65_536;

/// How far before a use's line its codes are looked for: a use's codes
/// come within its lease, and a lease's worth of history lines is far
/// less than this.
const CODES_WITHIN: u64 = 4 << 20;

fn entry(holder: i64, offset: u64) -> [u8; ENTRY] {
    let mut out = [0; ENTRY];
    out[..8].copy_from_slice(&holder.to_le_bytes());
    out[8..].copy_from_slice(&offset.to_le_bytes());
    out
}

/// The line starting at `offset` (without its newline), when a whole one
/// starts there.
fn line_at(file: &File, offset: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::os::unix::fs::FileExt;
    let mut line = Vec::new();
    let mut chunk = vec![0; 4096];
    let mut at = offset;
    loop {
        let read = file.read_at(&mut chunk, at)?;
        if read == 0 {
            return Ok(None);
        }
        if let Some(end) = chunk[..read].iter().position(|&b| b == b'\n') {
            line.extend_from_slice(&chunk[..end]);
            return Ok(Some(line));
        }
        line.extend_from_slice(&chunk[..read]);
        at += read as u64;
        if line.len() > MAX_LINE {
            return Ok(None);
        }
    }
}

/// The longest history line read through the index (an SMS text is short;
/// a line past this is not one numbot wrote).
const MAX_LINE: usize = 1 << 20;

#[cfg(test)]
mod tests {
    use numbot_core::Ended;

    use super::*;

    fn ended(number: &str, start: u32, end: u32) -> UseRecord {
        UseRecord {
            id: numbot_core::UseId(u64::from(start)),
            number: number.into(),
            holder: 5,
            category: "UAE".into(),
            file: "a.csv".into(),
            start,
            end,
            ended: Ended::Completed,
            codes: vec![],
        }
    }

    fn code(number: &str, start: u32, at: i64) -> Line {
        Line::Code(CodeRecord {
            use_id: numbot_core::UseId(u64::from(start)),
            number: number.into(),
            holder: 5,
            start,
            seen: CodeSeen {
                at,
                code: Some(format!("{at}")),
            },
        })
    }

    #[test]
    fn codes_join_their_use_and_a_torn_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(HISTORY_FILE);
        let mut bytes = Vec::new();
        for line in [
            code("+1", 10, 11),
            code("+1", 10, 11),
            code("+2", 10, 12),
            code("+1", 10, 13),
            Line::Use(ended("+1", 10, 14)),
            // The same number again: a new use, its own codes.
            code("+1", 20, 21),
            Line::Use(ended("+1", 20, 22)),
            Line::Use(ended("+2", 10, 30)),
        ] {
            bytes.extend(line.bytes());
        }
        bytes.extend_from_slice(b"{\"use\":{\"number\":\"+3\"");
        std::fs::write(&path, bytes).unwrap();
        let mut got = Vec::new();
        read_into(&path, HistoryQuery::default(), |r| {
            got.push(r);
            true
        })
        .unwrap();
        let codes: Vec<(u32, Vec<i64>)> = got
            .iter()
            .map(|r| (r.end, r.codes.iter().map(|c| c.at).collect()))
            .collect();
        assert_eq!(codes, [(14, vec![11, 13]), (22, vec![21]), (30, vec![12])]);
        let mut window = Vec::new();
        read_into(
            &path,
            HistoryQuery {
                from: Some(20),
                to: Some(30),
                ..HistoryQuery::default()
            },
            |r| {
                window.push(r.end);
                true
            },
        )
        .unwrap();
        assert_eq!(window, [22]);
    }

    #[test]
    fn later_lines_are_written_and_an_index_left_behind_catches_up() {
        let dir = tempfile::tempdir().unwrap();
        {
            let history = HistoryLog::open(dir.path()).unwrap();
            history.append_later(5, &Line::Use(ended("+1", 10, 14)));
            let other = UseRecord {
                holder: 6,
                ..ended("+2", 10, 15)
            };
            history.append_later(6, &Line::Use(other));
            // An awaited line writes the later ones before it.
            log::wait(history.append(5, &code("+1", 20, 21))).unwrap();
            let text = std::fs::read_to_string(dir.path().join(HISTORY_FILE)).unwrap();
            assert_eq!(text.lines().count(), 3, "{text}");
            history.append_later(5, &Line::Use(ended("+1", 20, 22)));
        }
        // Closing wrote the last one; a crash left the index one entry long.
        let index = dir.path().join(INDEX_FILE);
        assert_eq!(std::fs::metadata(&index).unwrap().len(), 4 * ENTRY as u64);
        let whole = std::fs::read(&index).unwrap();
        std::fs::write(&index, &whole[..ENTRY]).unwrap();

        let history = HistoryLog::open(dir.path()).unwrap();
        let ends: Vec<u32> = history.last(5, 10).unwrap().iter().map(|r| r.end).collect();
        assert_eq!(ends, [14, 22]);
        assert_eq!(history.last(6, 10).unwrap().len(), 1);
        drop(history);
        assert_eq!(std::fs::read(&index).unwrap(), whole, "the index caught up");
    }

    #[test]
    fn a_search_reads_the_index_and_its_uses_codes_and_the_index_survives_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let search = |history: &HistoryLog, number: &str| -> Vec<(u32, Vec<i64>)> {
            futures::executor::block_on(history.settle()).unwrap();
            let found = history
                .search(&HistorySearch {
                    number: HistorySearch::digits(number),
                    limit: 10,
                    ..HistorySearch::default()
                })
                .unwrap();
            found
                .iter()
                .map(|r| (r.end, r.codes.iter().map(|c| c.at).collect()))
                .collect()
        };
        {
            let history = HistoryLog::open(dir.path()).unwrap();
            log::wait(history.append(5, &code("+971500000001", 10, 11))).unwrap();
            history.append_later(5, &Line::Use(ended("+971500000002", 9, 12)));
            log::wait(history.append(5, &code("+971500000001", 10, 13))).unwrap();
            history.append_later(5, &Line::Use(ended("+971500000001", 10, 14)));
            history.append_later(5, &Line::Use(ended("+971500000001", 20, 25)));
            assert_eq!(
                search(&history, "+971 50 000 0001"),
                [(25, vec![]), (14, vec![11, 13])]
            );
            assert_eq!(search(&history, "0002"), [(12, vec![])]);
            assert_eq!(history.count_days(0, 1), [DayCounts { began: 3, codes: 2 }]);
        }
        // A crash tore the index's last entry and lost the one before.
        let find = dir.path().join(FIND_FILE);
        let whole = std::fs::read(&find).unwrap();
        assert_eq!(whole.len(), 5 * find::ENTRY);
        std::fs::write(&find, &whole[..3 * find::ENTRY + 7]).unwrap();
        let history = HistoryLog::open(dir.path()).unwrap();
        assert_eq!(search(&history, "0001"), [(25, vec![]), (14, vec![11, 13])]);
        assert_eq!(history.count_days(0, 1)[0].began, 3);
        drop(history);
        assert_eq!(std::fs::read(&find).unwrap(), whole, "the index caught up");
    }
}
