//! The embedded user store: `users.jsonl` and `audit.jsonl` in the data
//! directory, append-only, one JSON object per line, fsynced in groups by one
//! writer thread (a thousand new users cost a few fsyncs, not a thousand).
//!
//! `users.jsonl` holds whole records; the last line of an id wins. It is
//! rewritten compactly at open when it holds more than twice the records. A
//! torn last line (a crash mid-write) is skipped.

use std::{
    collections::{HashMap, VecDeque},
    fs::{self, OpenOptions},
    path::{Path, PathBuf},
    sync::Mutex,
};

use numbot_core::{
    clock::unix_now,
    hooks::{Attempt, Delivery, Webhook, Webhooks},
    jobs::{Broadcast, Progress},
    queue::{MemoryQueue, QueueError, WaitQueue},
    sessions::{WebSession, WebSessions},
    tokens::{ApiToken, NewToken},
    AuditEvent, AuditLog, Jobs, NumberLimit, NumberSlot, PendingUpload, PendingUploads, TokenStore,
    UserRecord, UserStatus, UserStoreError, Users,
};

use crate::{
    hooks::FileHooks,
    jobs::FileJobs,
    log::{self, open_append, GroupLog, Pending},
    metadata::write_atomic,
    private,
    sessions::FileSessions,
    tokens::TokenLog,
};

/// Audit events kept in memory for `/audit`.
const RECENT_AUDIT: usize = 500;
/// How much of `audit.jsonl` start-up reads for them: the trail only
/// grows, and only its end is kept in memory (4 KiB per event at most).
const AUDIT_TAIL_BYTES: u64 = RECENT_AUDIT as u64 * 4096;

/// User records, the audit trail, tokens, upload questions and broadcasts
/// in files of the data directory.
pub struct FileUsers {
    records: Mutex<HashMap<i64, UserRecord>>,
    recent: Mutex<VecDeque<AuditEvent>>,
    /// Admins' uploads waiting for a category: one process owns the data
    /// directory, so memory is where they are asked for.
    pending: Mutex<HashMap<i64, PendingUpload>>,
    users_log: GroupLog,
    audit_log: GroupLog,
    tokens: TokenLog,
    jobs: FileJobs,
    /// Waiters for a free number: one process owns the data directory,
    /// and a waiter is a request that dies with it.
    queue: MemoryQueue,
    hooks: FileHooks,
    sessions: FileSessions,
    dir: PathBuf,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> UserStoreError + '_ {
    move |source| UserStoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads a JSON-lines file. A torn tail (a crash mid-write: no final
/// newline) is cut off the file, so that the next record starts on a line
/// of its own; a whole line that does not parse is damage and stops the
/// read ([`UserStoreError::DamagedLine`]): skipping it could bring back a
/// ban or a token it revoked.
pub(crate) fn read_lines<T: serde::de::DeserializeOwned>(
    path: &Path,
) -> Result<Vec<T>, UserStoreError> {
    read_tail(path, u64::MAX)
}

/// [`read_lines`] of at most the last `max_bytes` of the file (from the
/// first whole line in them): what start-up needs of a log that only grows.
pub(crate) fn read_tail<T: serde::de::DeserializeOwned>(
    path: &Path,
    max_bytes: u64,
) -> Result<Vec<T>, UserStoreError> {
    let Some((start, bytes)) = tail_bytes(path, max_bytes)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (offset, number, line) in lines(start, &bytes) {
        match serde_json::from_slice(line) {
            Ok(v) => out.push(v),
            Err(e) => {
                tracing::error!("{}: line {number} does not parse: {e}", path.display());
                return Err(UserStoreError::DamagedLine {
                    path: path.to_path_buf(),
                    line: number,
                    offset,
                });
            }
        }
    }
    Ok(out)
}

/// The whole lines of the last `max_bytes` of `path` (from `start`), its
/// torn last line cut off the file first; `None` when there is no file.
fn tail_bytes(path: &Path, max_bytes: u64) -> Result<Option<(u64, Vec<u8>)>, UserStoreError> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(path)(e)),
    };
    let len = file.metadata().map_err(io_err(path))?.len();
    let start = len.saturating_sub(max_bytes);
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(start))
        .and_then(|_| file.read_to_end(&mut bytes))
        .map_err(io_err(path))?;
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if complete < bytes.len() {
        tracing::warn!(
            "{}: cutting a torn last line ({} bytes)",
            path.display(),
            bytes.len() - complete
        );
        OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|f| {
                f.set_len(start + complete as u64)
                    .and_then(|()| f.sync_data())
            })
            .map_err(io_err(path))?;
    }
    bytes.truncate(complete);
    // Past the start of the file, the first line may be cut: skip it.
    if start > 0 {
        let first = bytes
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| i + 1);
        bytes.drain(..first);
        return Ok(Some((start + first as u64, bytes)));
    }
    Ok(Some((0, bytes)))
}

/// The non-blank lines of `bytes` (which start at byte `start` of their
/// file): each line's offset, its number (from 1 when `start` is 0) and
/// its bytes.
fn lines(start: u64, bytes: &[u8]) -> impl Iterator<Item = (u64, u64, &[u8])> {
    let mut offset = start;
    bytes
        .split_inclusive(|&b| b == b'\n')
        .enumerate()
        .filter_map(move |(i, line)| {
            let at = offset;
            offset += line.len() as u64;
            let text = line.strip_suffix(b"\n").unwrap_or(line);
            (!text.iter().all(u8::is_ascii_whitespace)).then_some((at, i as u64 + 1, text))
        })
}

/// A line `numbot repair` dropped from a records file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedLine {
    /// The file.
    pub path: PathBuf,
    /// Its line number.
    pub line: u64,
    /// What it held (cut to 200 characters), for the operator to re-apply.
    pub text: String,
}

/// Whether a line reads as a `T`.
fn reads_as<T: serde::de::DeserializeOwned>(line: &[u8]) -> bool {
    serde_json::from_slice::<T>(line).is_ok()
}

/// A records file and how to tell its lines are whole.
type RecordsFile = (&'static str, fn(&[u8]) -> bool);

/// `numbot repair` on the records files of `dir` (`users.jsonl`,
/// `tokens.jsonl`, `audit.jsonl`, `broadcast.log`, `webhooks.jsonl`, `sessions.jsonl`): each damaged line is
/// dropped (the file rewritten, its original kept as `<file>.damaged`),
/// and reported. Its caller holds the directory's lock.
pub(crate) fn repair_records(dir: &Path) -> Result<Vec<DroppedLine>, UserStoreError> {
    let files: [RecordsFile; 6] = [
        ("users.jsonl", reads_as::<UserLine>),
        ("tokens.jsonl", reads_as::<ApiToken>),
        ("audit.jsonl", reads_as::<AuditEvent>),
        ("broadcast.log", crate::jobs::reads_as_change),
        (crate::hooks::HOOKS_FILE, crate::hooks::reads_as_change),
        (
            crate::sessions::SESSIONS_FILE,
            crate::sessions::reads_as_change,
        ),
    ];
    let mut dropped = Vec::new();
    for (name, reads) in files {
        let path = dir.join(name);
        let Some((_, bytes)) = tail_bytes(&path, u64::MAX)? else {
            continue;
        };
        let mut kept = Vec::with_capacity(bytes.len());
        let mut bad = Vec::new();
        for (_, number, line) in lines(0, &bytes) {
            if reads(line) {
                kept.extend_from_slice(line);
                kept.push(b'\n');
            } else {
                bad.push(DroppedLine {
                    path: path.clone(),
                    line: number,
                    text: numbot_core::text::truncate(&String::from_utf8_lossy(line), 200),
                });
            }
        }
        if bad.is_empty() {
            continue;
        }
        let keep = |p: &Path, b: &[u8]| {
            write_atomic(p, b).map_err(|e| UserStoreError::Io {
                path: p.to_path_buf(),
                source: std::io::Error::other(e.to_string()),
            })
        };
        keep(&dir.join(format!("{name}.damaged")), &bytes)?;
        keep(&path, &kept)?;
        dropped.extend(bad);
    }
    Ok(dropped)
}

impl FileUsers {
    /// Opens (or creates) the user files of `dir`.
    pub fn open(dir: &Path) -> Result<FileUsers, UserStoreError> {
        private::create_dir(dir).map_err(io_err(dir))?;
        let users_path = dir.join("users.jsonl");
        let lines: Vec<UserLine> = read_lines(&users_path)?;
        let line_count = lines.len();
        let mut records = HashMap::new();
        for l in lines {
            l.apply(&mut records);
        }
        if line_count > 2 * records.len() + 64 {
            let mut sorted: Vec<&UserRecord> = records.values().collect();
            sorted.sort_by_key(|r| r.id);
            let mut text = String::new();
            for r in sorted {
                text.push_str(&serde_json::to_string(r).expect("records serialize"));
                text.push('\n');
            }
            write_atomic(&users_path, text.as_bytes()).map_err(|e| UserStoreError::Io {
                path: users_path.clone(),
                source: std::io::Error::other(e.to_string()),
            })?;
        }
        let audit_path = dir.join("audit.jsonl");
        let audit: Vec<AuditEvent> = read_tail(&audit_path, AUDIT_TAIL_BYTES)?;
        let recent: VecDeque<AuditEvent> =
            audit.into_iter().rev().take(RECENT_AUDIT).rev().collect();

        let users_file = open_append(&users_path).map_err(io_err(&users_path))?;
        let audit_file = open_append(&audit_path).map_err(io_err(&audit_path))?;
        Ok(FileUsers {
            records: Mutex::new(records),
            recent: Mutex::new(recent),
            pending: Mutex::default(),
            users_log: GroupLog::start("numbot-users", &users_path, users_file)
                .map_err(io_err(&users_path))?,
            audit_log: GroupLog::start("numbot-audit", &audit_path, audit_file)
                .map_err(io_err(&audit_path))?,
            tokens: TokenLog::open(dir)?,
            jobs: FileJobs::open(dir)?,
            queue: MemoryQueue::default(),
            hooks: FileHooks::open(dir)?,
            sessions: FileSessions::open(dir)?,
            dir: dir.to_path_buf(),
        })
    }

    /// Waits until a queued line of `file` is on disk.
    async fn written(&self, file: &str, pending: Pending) -> Result<(), UserStoreError> {
        log::wait_async(pending)
            .await
            .map_err(io_err(&self.dir.join(file)))
    }

    /// Applies `change` to the record of `id` in memory and logs the result.
    /// The line is queued under the records lock: two changes of one user
    /// reach the disk in the order they were made.
    async fn update(
        &self,
        id: i64,
        change: impl FnOnce(&mut Option<UserRecord>) -> bool,
    ) -> Result<Option<UserRecord>, UserStoreError> {
        let (record, wait) = {
            let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
            let mut slot = records.remove(&id);
            let changed = change(&mut slot);
            let wait = match (&slot, changed) {
                (Some(r), true) => Some(self.users_log.append(line(r))),
                _ => None,
            };
            if let Some(r) = &slot {
                records.insert(id, r.clone());
            }
            (slot, wait)
        };
        if let Some(wait) = wait {
            self.written("users.jsonl", wait).await?;
        }
        Ok(record)
    }

    /// Changes the record of `id`, if there is one, where it lies, and logs
    /// the line `change` returns (none: nothing changed). Queued under the
    /// records lock, as [`FileUsers::update`]'s.
    async fn change_in_place(
        &self,
        id: i64,
        change: impl FnOnce(&mut UserRecord) -> Option<UserLine>,
    ) -> Result<(), UserStoreError> {
        let wait = {
            let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
            records
                .get_mut(&id)
                .and_then(change)
                .map(|l| self.users_log.append(line(&l)))
        };
        if let Some(wait) = wait {
            self.written("users.jsonl", wait).await?;
        }
        Ok(())
    }
}

/// A line of `users.jsonl`: a whole record, or one number taken or given
/// back. A take writes only itself: the record of a token with a high
/// limit holds every take the limit counts, and writing it whole on each
/// take cost time and disk in proportion to the limit.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
enum UserLine {
    /// `user` took a number at `took`; the record keeps the latest `keep`.
    Took {
        user: i64,
        took: i64,
        keep: usize,
    },
    /// `user` gave back the number taken at `gave_back`.
    GaveBack {
        user: i64,
        gave_back: i64,
    },
    Record(UserRecord),
}

impl UserLine {
    /// Replays the line onto `records`.
    fn apply(self, records: &mut HashMap<i64, UserRecord>) {
        match self {
            UserLine::Record(r) => {
                records.insert(r.id, r);
            }
            UserLine::Took { user, took, keep } => {
                if let Some(r) = records.get_mut(&user) {
                    took_number(r, took, keep);
                }
            }
            UserLine::GaveBack { user, gave_back } => {
                if let Some(r) = records.get_mut(&user) {
                    gave_back_number(r, gave_back);
                }
            }
        }
    }
}

/// Counts a number taken at `at`, keeping the latest `keep` times.
fn took_number(r: &mut UserRecord, at: i64, keep: usize) {
    r.numbers_taken += 1;
    r.recent_numbers.push(at);
    let extra = r.recent_numbers.len().saturating_sub(keep);
    r.recent_numbers.drain(..extra);
}

/// Forgets the number taken at `at`, if it is counted.
fn gave_back_number(r: &mut UserRecord, at: i64) -> bool {
    let Some(i) = r.recent_numbers.iter().rposition(|&t| t == at) else {
        return false;
    };
    r.recent_numbers.remove(i);
    r.numbers_taken = r.numbers_taken.saturating_sub(1);
    true
}

/// One JSON line.
pub(crate) fn line<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(value).expect("records serialize");
    bytes.push(b'\n');
    bytes
}

#[async_trait::async_trait]
impl Users for FileUsers {
    async fn seen(
        &self,
        id: i64,
        name: &str,
        telegram_language: Option<&str>,
        status: UserStatus,
    ) -> Result<(UserRecord, bool), UserStoreError> {
        let mut created = false;
        let record = self
            .update(id, |slot| match slot {
                Some(r)
                    if r.name == name && r.telegram_language.as_deref() == telegram_language =>
                {
                    false
                }
                Some(r) => {
                    r.name = name.to_string();
                    r.telegram_language = telegram_language.map(str::to_string);
                    true
                }
                None => {
                    created = true;
                    let mut r = UserRecord::new(id, name, status, unix_now());
                    r.telegram_language = telegram_language.map(str::to_string);
                    *slot = Some(r);
                    true
                }
            })
            .await?
            .expect("seen always leaves a record");
        Ok((record, created))
    }

    async fn set_language(&self, id: i64, language: Option<&str>) -> Result<(), UserStoreError> {
        self.update(id, |slot| match slot {
            Some(r) if r.language.as_deref() != language => {
                r.language = language.map(str::to_string);
                true
            }
            _ => false,
        })
        .await?;
        Ok(())
    }

    async fn get(&self, id: i64) -> Result<Option<UserRecord>, UserStoreError> {
        Ok(self
            .records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
            .cloned())
    }

    async fn set_status(
        &self,
        id: i64,
        status: UserStatus,
        by: i64,
        reason: Option<String>,
    ) -> Result<UserRecord, UserStoreError> {
        Ok(self
            .update(id, |slot| {
                let r = slot.get_or_insert_with(|| {
                    UserRecord::new(id, &format!("user {id}"), status, unix_now())
                });
                r.status = status;
                r.status_by = Some(by);
                r.reason = reason;
                true
            })
            .await?
            .expect("set_status always leaves a record"))
    }

    async fn take_number(
        &self,
        id: i64,
        at: i64,
        limit: &NumberLimit,
        exempt: bool,
    ) -> Result<NumberSlot, UserStoreError> {
        let mut slot = NumberSlot::Granted;
        self.change_in_place(id, |r| {
            r.recent_numbers.retain(|&t| limit.counts(t, at));
            if !exempt && r.recent_numbers.len() >= limit.max {
                slot = NumberSlot::Full(r.recent_numbers.clone());
                return None;
            }
            took_number(r, at, limit.max);
            Some(UserLine::Took {
                user: id,
                took: at,
                keep: limit.max,
            })
        })
        .await?;
        Ok(slot)
    }

    async fn give_back_number(&self, id: i64, at: i64) -> Result<(), UserStoreError> {
        self.change_in_place(id, |r| {
            gave_back_number(r, at).then_some(UserLine::GaveBack {
                user: id,
                gave_back: at,
            })
        })
        .await
    }

    async fn with_status(&self, status: UserStatus) -> Result<Vec<UserRecord>, UserStoreError> {
        let mut out: Vec<UserRecord> = self
            .records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .filter(|r| r.status == status)
            .cloned()
            .collect();
        out.sort_by_key(|r| r.id);
        Ok(out)
    }
}

#[async_trait::async_trait]
impl AuditLog for FileUsers {
    async fn audit(&self, event: AuditEvent) -> Result<(), UserStoreError> {
        let bytes = line(&event);
        {
            let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
            if recent.len() == RECENT_AUDIT {
                recent.pop_front();
            }
            recent.push_back(event);
        }
        let wait = self.audit_log.append(bytes);
        self.written("audit.jsonl", wait).await
    }

    async fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEvent>, UserStoreError> {
        let recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        Ok(recent
            .iter()
            .skip(recent.len().saturating_sub(limit))
            .cloned()
            .collect())
    }
}

/// One process owns the data directory, so questions wait in its memory.
#[async_trait::async_trait]
impl PendingUploads for FileUsers {
    async fn put_pending_upload(
        &self,
        admin: i64,
        upload: PendingUpload,
    ) -> Result<Option<PendingUpload>, UserStoreError> {
        Ok(self
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(admin, upload))
    }

    async fn pending_upload(&self, admin: i64) -> Result<Option<PendingUpload>, UserStoreError> {
        Ok(self
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&admin)
            .cloned())
    }

    async fn take_pending_upload(
        &self,
        admin: i64,
        file_id: &str,
    ) -> Result<Option<PendingUpload>, UserStoreError> {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if pending.get(&admin).is_some_and(|p| p.file_id == file_id) {
            return Ok(pending.remove(&admin));
        }
        Ok(None)
    }
}

#[async_trait::async_trait]
impl TokenStore for FileUsers {
    async fn add_token(
        &self,
        new: NewToken,
        hash: String,
        at: i64,
    ) -> Result<ApiToken, UserStoreError> {
        self.tokens.add(new, hash, at).await
    }

    async fn token_by_hash(&self, hash: &str) -> Result<Option<ApiToken>, UserStoreError> {
        Ok(self.tokens.by_hash(hash))
    }

    async fn tokens(&self) -> Result<Vec<ApiToken>, UserStoreError> {
        Ok(self.tokens.all())
    }

    async fn revoke_token(&self, name: &str, at: i64) -> Result<Option<ApiToken>, UserStoreError> {
        self.tokens.revoke(name, at).await
    }
}

#[async_trait::async_trait]
impl WebSessions for FileUsers {
    async fn open_session(
        &self,
        launch: &str,
        launch_until: i64,
        key: &str,
        session: WebSession,
    ) -> Result<bool, UserStoreError> {
        self.sessions
            .open_session(launch, launch_until, key, session)
            .await
    }

    async fn session(&self, key: &str, now: i64) -> Result<Option<WebSession>, UserStoreError> {
        Ok(self.sessions.session(key, now))
    }
}

#[async_trait::async_trait]
impl Webhooks for FileUsers {
    async fn set_webhook(&self, hook: Webhook) -> Result<(), UserStoreError> {
        self.hooks.set(hook).await
    }

    async fn webhook(&self, token: i64) -> Result<Option<Webhook>, UserStoreError> {
        Ok(self.hooks.get(token))
    }

    async fn remove_webhook(&self, token: i64) -> Result<bool, UserStoreError> {
        self.hooks.remove(token).await
    }

    async fn queue_delivery(&self, delivery: Delivery) -> Result<u64, UserStoreError> {
        self.hooks.queue(delivery).await
    }

    async fn due_deliveries(
        &self,
        now: i64,
        owner: &str,
        until: i64,
        limit: usize,
    ) -> Result<Vec<Delivery>, UserStoreError> {
        Ok(self.hooks.due(now, owner, until, limit))
    }

    async fn record_attempt(
        &self,
        id: u64,
        delivered: bool,
        attempt: Attempt,
    ) -> Result<(), UserStoreError> {
        self.hooks.tried(id, delivered, attempt).await
    }

    async fn deliveries(&self, token: i64, limit: usize) -> Result<Vec<Delivery>, UserStoreError> {
        Ok(self.hooks.list(token, limit))
    }
}

#[async_trait::async_trait]
impl WaitQueue for FileUsers {
    async fn join(&self, category: &str, until: i64) -> Result<u64, QueueError> {
        self.queue.join(category, until).await
    }

    async fn first(
        &self,
        category: &str,
        ticket: u64,
        now: i64,
        until: i64,
    ) -> Result<bool, QueueError> {
        self.queue.first(category, ticket, now, until).await
    }

    async fn leave(&self, category: &str, ticket: u64) -> Result<(), QueueError> {
        self.queue.leave(category, ticket).await
    }

    fn recheck(&self) -> std::time::Duration {
        self.queue.recheck()
    }
}

#[async_trait::async_trait]
impl Jobs for FileUsers {
    async fn create_broadcast(
        &self,
        admin: i64,
        text: &str,
        recipients: &[i64],
    ) -> Result<Option<Broadcast>, UserStoreError> {
        self.jobs.create(admin, text, recipients).await
    }

    async fn set_broadcast_message(&self, id: u64, message: i32) -> Result<(), UserStoreError> {
        self.jobs.set_message(id, message).await
    }

    async fn broadcast(&self) -> Result<Option<Broadcast>, UserStoreError> {
        Ok(self.jobs.current())
    }

    async fn start_broadcast(&self, id: u64) -> Result<Option<Broadcast>, UserStoreError> {
        self.jobs.start(id).await
    }

    async fn drop_broadcast(&self, id: u64) -> Result<bool, UserStoreError> {
        self.jobs.drop_preview(id).await
    }

    async fn stop_broadcast(&self, id: u64) -> Result<bool, UserStoreError> {
        self.jobs.stop(id).await
    }

    async fn lease_broadcast(
        &self,
        owner: &str,
        now: i64,
        until: i64,
    ) -> Result<Option<Broadcast>, UserStoreError> {
        Ok(self.jobs.lease(owner, now, until))
    }

    async fn broadcast_recipients(
        &self,
        id: u64,
        from: u64,
        n: usize,
    ) -> Result<Vec<i64>, UserStoreError> {
        Ok(self.jobs.recipients(id, from, n))
    }

    async fn advance_broadcast(
        &self,
        id: u64,
        owner: &str,
        progress: Progress,
    ) -> Result<Option<Broadcast>, UserStoreError> {
        self.jobs.advance(id, owner, progress).await
    }

    async fn finish_broadcast(&self, id: u64, owner: &str) -> Result<bool, UserStoreError> {
        self.jobs.finish(id, owner).await
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use numbot_core::{AuditAction, AuditLog};

    use super::*;

    fn event(i: i64) -> AuditEvent {
        AuditEvent {
            at: 1_700_000_000 + i,
            actor: 7,
            action: AuditAction::Upload,
            detail: format!("file {i} ({})", "x".repeat(100)),
        }
    }

    #[test]
    fn start_up_reads_only_the_end_of_a_long_audit_trail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let mut text = Vec::new();
        let total = 40_000;
        for i in 0..total {
            text.extend(line(&event(i)));
        }
        assert!(
            text.len() as u64 > 2 * AUDIT_TAIL_BYTES,
            "longer than the tail"
        );
        let complete = text.len() as u64;
        // A crash mid-write left a torn last line.
        text.extend_from_slice(b"{\"at\":17000");
        fs::File::create(&path).unwrap().write_all(&text).unwrap();

        let tail: Vec<AuditEvent> = read_tail(&path, AUDIT_TAIL_BYTES).unwrap();
        assert!(tail.len() < total as usize / 2, "{} read", tail.len());
        assert_eq!(tail.last(), Some(&event(total - 1)));
        let first = tail[0].at - event(0).at;
        assert_eq!(
            tail,
            (first..total).map(event).collect::<Vec<_>>(),
            "whole lines, in order"
        );
        assert_eq!(
            fs::metadata(&path).unwrap().len(),
            complete,
            "the torn line is cut"
        );

        let users = FileUsers::open(dir.path()).unwrap();
        let recent = futures::executor::block_on(users.recent_audit(RECENT_AUDIT)).unwrap();
        assert_eq!(
            recent,
            (total - RECENT_AUDIT as i64..total)
                .map(event)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_take_writes_a_short_line_whatever_the_limit_holds_and_replays() {
        use futures::executor::block_on;
        let dir = tempfile::tempdir().unwrap();
        let high = NumberLimit {
            max: 1_000_000,
            window: std::time::Duration::from_secs(3600),
        };
        let at = 1_700_000_000;
        {
            let users = FileUsers::open(dir.path()).unwrap();
            block_on(users.seen(5, "five", None, UserStatus::Active)).unwrap();
            block_on(users.seen(6, "six", None, UserStatus::Active)).unwrap();
            for i in 0..1_000 {
                let slot = block_on(users.take_number(5, at + i, &high, false)).unwrap();
                assert_eq!(slot, NumberSlot::Granted);
            }
            block_on(users.give_back_number(5, at + 999)).unwrap();
            // An exempt admin past a limit of 3 keeps the latest 3 times.
            let low = NumberLimit { max: 3, ..high };
            for i in 0..5 {
                block_on(users.take_number(6, at + i, &low, true)).unwrap();
            }
        }
        let text = fs::read_to_string(dir.path().join("users.jsonl")).unwrap();
        let longest = text.lines().skip(2).map(str::len).max().unwrap();
        assert!(longest < 80, "a take's line is {longest} bytes");

        let users = FileUsers::open(dir.path()).unwrap();
        let five = block_on(users.get(5)).unwrap().unwrap();
        assert_eq!(five.numbers_taken, 999);
        assert_eq!(five.recent_numbers.len(), 999);
        assert_eq!(five.recent_numbers.last(), Some(&(at + 998)));
        let six = block_on(users.get(6)).unwrap().unwrap();
        assert_eq!(six.numbers_taken, 5);
        assert_eq!(six.recent_numbers, vec![at + 2, at + 3, at + 4]);
        // Opening compacted the file to whole records, which read the same.
        drop(users);
        let again = FileUsers::open(dir.path()).unwrap();
        assert_eq!(block_on(again.get(5)).unwrap().unwrap(), five);
        assert_eq!(
            fs::read_to_string(dir.path().join("users.jsonl"))
                .unwrap()
                .lines()
                .count(),
            2
        );
    }
}
