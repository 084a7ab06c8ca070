//! Broadcasts in the data directory: `broadcast.json` holds the one
//! previewed or being sent, with its recipients (written when it is made
//! and when it goes out), and `broadcast.log` what happened since, a short
//! line per message sent (group-committed), so progress costs the same
//! whatever the number of recipients. One process owns the directory, so
//! the sending lease lives in memory.

use std::{
    path::{Path, PathBuf},
    sync::Mutex,
};

use numbot_core::{
    clock::unix_now,
    jobs::{Broadcast, Progress, Stage},
    UserStoreError,
};
use serde::{Deserialize, Serialize};

use crate::{
    log::{self, open_append, GroupLog},
    metadata::write_atomic,
    users::{line, read_lines},
};

const JOB_FILE: &str = "broadcast.json";
const LOG_FILE: &str = "broadcast.log";

/// `broadcast.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Job {
    broadcast: Broadcast,
    recipients: Vec<i64>,
}

/// `broadcast.json` as numbot 0.1 wrote it before broadcasts were jobs: a
/// broadcast interrupted by the upgrade goes on from where it was.
#[derive(Debug, Deserialize)]
struct Older {
    id: u64,
    admin: i64,
    text: String,
    message: i32,
    recipients: Vec<i64>,
    next: usize,
    delivered: u64,
    blocked: u64,
    failed: u64,
    stage: Stage,
}

/// A line of `broadcast.log`: a change to broadcast `id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Change {
    id: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    progress: Option<Progress>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    stop: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<i32>,
}

#[derive(Default)]
struct State {
    job: Option<Job>,
    /// Who sends it, until when.
    lease: Option<(String, i64)>,
}

/// The broadcast files of a data directory.
pub(crate) struct FileJobs {
    state: Mutex<State>,
    log: GroupLog,
    dir: PathBuf,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> UserStoreError + '_ {
    move |source| UserStoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl FileJobs {
    /// Reads the broadcast of `dir`, if any, with what happened to it.
    pub(crate) fn open(dir: &Path) -> Result<FileJobs, UserStoreError> {
        let job_path = dir.join(JOB_FILE);
        let log_path = dir.join(LOG_FILE);
        let job = match std::fs::read(&job_path) {
            Ok(bytes) => Some(read_job(&bytes, &job_path)?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_err(&job_path)(e)),
        };
        let mut state = State { job, lease: None };
        for change in read_lines::<Change>(&log_path)? {
            apply(&mut state, &change);
        }
        let file = open_append(&log_path).map_err(io_err(&log_path))?;
        Ok(FileJobs {
            state: Mutex::new(state),
            log: GroupLog::start("numbot-jobs", &log_path, file).map_err(io_err(&log_path))?,
            dir: dir.to_path_buf(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes `broadcast.json` and empties the log it starts (blocking
    /// work, off the async threads).
    async fn rewrite(&self, job: Option<Job>) -> Result<(), UserStoreError> {
        let dir = self.dir.clone();
        let log = self.log.path();
        tokio::task::spawn_blocking(move || {
            let path = dir.join(JOB_FILE);
            match &job {
                Some(job) => {
                    let bytes = serde_json::to_vec(job).expect("jobs serialize");
                    write_atomic(&path, &bytes).map_err(|e| UserStoreError::Io {
                        path: path.clone(),
                        source: std::io::Error::other(e.to_string()),
                    })?;
                }
                None => match std::fs::remove_file(&path) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(io_err(&path)(e))
                    }
                    _ => {}
                },
            }
            std::fs::OpenOptions::new()
                .write(true)
                .open(&log)
                .and_then(|f| f.set_len(0).and_then(|()| f.sync_all()))
                .map_err(io_err(&log))
        })
        .await
        .map_err(|e| UserStoreError::Io {
            path: self.dir.clone(),
            source: std::io::Error::other(e.to_string()),
        })?
    }

    async fn append(&self, change: &Change) -> Result<(), UserStoreError> {
        let pending = self.log.append(line(change));
        log::wait_async(pending)
            .await
            .map_err(io_err(&self.dir.join(LOG_FILE)))
    }

    pub(crate) async fn create(
        &self,
        admin: i64,
        text: &str,
        recipients: &[i64],
    ) -> Result<Option<Broadcast>, UserStoreError> {
        let job = {
            let st = self.lock();
            if st
                .job
                .as_ref()
                .is_some_and(|j| j.broadcast.stage == Stage::Sending)
            {
                return Ok(None);
            }
            let id = st
                .job
                .as_ref()
                .map_or(0, |j| j.broadcast.id)
                .max(unix_now().unsigned_abs())
                + 1;
            Job {
                broadcast: Broadcast {
                    id,
                    admin,
                    text: text.to_string(),
                    message: 0,
                    total: recipients.len() as u64,
                    stage: Stage::Preview,
                    progress: Progress::default(),
                    stop: false,
                },
                recipients: recipients.to_vec(),
            }
        };
        self.rewrite(Some(job.clone())).await?;
        let created = job.broadcast.clone();
        self.lock().job = Some(job);
        Ok(Some(created))
    }

    pub(crate) fn current(&self) -> Option<Broadcast> {
        self.lock().job.as_ref().map(|j| j.broadcast.clone())
    }

    pub(crate) async fn set_message(&self, id: u64, message: i32) -> Result<(), UserStoreError> {
        let change = Change {
            id,
            progress: None,
            stop: false,
            message: Some(message),
        };
        if self.is(id, None) {
            self.append(&change).await?;
            apply(&mut self.lock(), &change);
        }
        Ok(())
    }

    /// Whether the broadcast is `id` (at `stage`, when given).
    fn is(&self, id: u64, stage: Option<Stage>) -> bool {
        self.lock()
            .job
            .as_ref()
            .is_some_and(|j| j.broadcast.id == id && stage.is_none_or(|s| j.broadcast.stage == s))
    }

    pub(crate) async fn start(&self, id: u64) -> Result<Option<Broadcast>, UserStoreError> {
        let job = {
            let st = self.lock();
            match &st.job {
                Some(j) if j.broadcast.id == id && j.broadcast.stage == Stage::Preview => {
                    let mut j = j.clone();
                    j.broadcast.stage = Stage::Sending;
                    j
                }
                _ => return Ok(None),
            }
        };
        self.rewrite(Some(job.clone())).await?;
        let started = job.broadcast.clone();
        self.lock().job = Some(job);
        Ok(Some(started))
    }

    pub(crate) async fn drop_preview(&self, id: u64) -> Result<bool, UserStoreError> {
        if !self.is(id, Some(Stage::Preview)) {
            return Ok(false);
        }
        self.rewrite(None).await?;
        self.lock().job = None;
        Ok(true)
    }

    pub(crate) async fn stop(&self, id: u64) -> Result<bool, UserStoreError> {
        if !self.is(id, Some(Stage::Sending)) {
            return Ok(false);
        }
        let change = Change {
            id,
            progress: None,
            stop: true,
            message: None,
        };
        self.append(&change).await?;
        apply(&mut self.lock(), &change);
        Ok(true)
    }

    pub(crate) fn lease(&self, owner: &str, now: i64, until: i64) -> Option<Broadcast> {
        let mut st = self.lock();
        let sending = st
            .job
            .as_ref()
            .filter(|j| j.broadcast.stage == Stage::Sending)?
            .broadcast
            .clone();
        let free = match &st.lease {
            Some((holder, end)) => holder == owner || *end <= now,
            None => true,
        };
        if !free {
            return None;
        }
        st.lease = Some((owner.to_string(), until));
        Some(sending)
    }

    fn holds(&self, id: u64, owner: &str) -> bool {
        let st = self.lock();
        st.lease.as_ref().is_some_and(|(o, _)| o == owner)
            && st.job.as_ref().is_some_and(|j| j.broadcast.id == id)
    }

    pub(crate) fn recipients(&self, id: u64, from: u64, n: usize) -> Vec<i64> {
        let st = self.lock();
        match &st.job {
            Some(j) if j.broadcast.id == id => j
                .recipients
                .iter()
                .skip(usize::try_from(from).unwrap_or(usize::MAX))
                .take(n)
                .copied()
                .collect(),
            _ => Vec::new(),
        }
    }

    pub(crate) async fn advance(
        &self,
        id: u64,
        owner: &str,
        progress: Progress,
    ) -> Result<Option<Broadcast>, UserStoreError> {
        if !self.holds(id, owner) {
            return Ok(None);
        }
        let change = Change {
            id,
            progress: Some(progress),
            stop: false,
            message: None,
        };
        self.append(&change).await?;
        let mut st = self.lock();
        apply(&mut st, &change);
        Ok(st.job.as_ref().map(|j| j.broadcast.clone()))
    }

    pub(crate) async fn finish(&self, id: u64, owner: &str) -> Result<bool, UserStoreError> {
        if !self.holds(id, owner) {
            return Ok(false);
        }
        self.rewrite(None).await?;
        let mut st = self.lock();
        st.job = None;
        st.lease = None;
        Ok(true)
    }
}

/// `broadcast.json` in either form.
fn read_job(bytes: &[u8], path: &Path) -> Result<Job, UserStoreError> {
    if let Ok(job) = serde_json::from_slice::<Job>(bytes) {
        return Ok(job);
    }
    let older: Older = serde_json::from_slice(bytes)
        .map_err(|e| UserStoreError::Damaged(format!("{}: {e}", path.display())))?;
    Ok(Job {
        broadcast: Broadcast {
            id: older.id,
            admin: older.admin,
            text: older.text,
            message: older.message,
            total: older.recipients.len() as u64,
            stage: older.stage,
            progress: Progress {
                next: older.next as u64,
                delivered: older.delivered,
                blocked: older.blocked,
                failed: older.failed,
            },
            stop: false,
        },
        recipients: older.recipients,
    })
}

/// Whether a line of `broadcast.log` reads as a change (`numbot repair`).
pub(crate) fn reads_as_change(line: &[u8]) -> bool {
    serde_json::from_slice::<Change>(line).is_ok()
}

fn apply(st: &mut State, change: &Change) {
    let Some(job) = st.job.as_mut().filter(|j| j.broadcast.id == change.id) else {
        return;
    };
    let b = &mut job.broadcast;
    if let Some(p) = change.progress {
        b.progress = p;
    }
    if change.stop {
        b.stop = true;
    }
    if let Some(m) = change.message {
        b.message = m;
    }
}
