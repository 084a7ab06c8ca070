//! The OTP monitor's coordination when one process owns the pool: it
//! always leads, and the ids of the messages it relayed in the last two
//! days are kept in `relayed.log` in the data directory (one line each,
//! `id<TAB>unix seconds`, fsynced), so that a restart never relays one twice.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::Mutex,
};

use numbot_core::{clock::unix_now, Coordination, CoordinationError, StoreError, WatchRecord};

use crate::{
    log::{self, open_append, GroupLog},
    metadata::write_atomic,
};

/// How long relayed message ids are remembered.
const KEPT_FOR_SECS: i64 = 2 * 24 * 3600;
/// The file, in the data directory.
const RELAYED_FILE: &str = "relayed.log";

/// One process's coordination: `relayed.log` and nothing shared.
pub struct LocalCoordination {
    /// Relayed (or being relayed) ids with their time.
    seen: Mutex<HashMap<String, i64>>,
    log: GroupLog,
    path: PathBuf,
}

impl LocalCoordination {
    /// Reads `relayed.log` of `dir` (rewriting it without the ids older
    /// than two days when they are many) and appends to it from now on.
    /// Blocking: call it off the async threads.
    pub fn open(dir: &Path) -> Result<LocalCoordination, StoreError> {
        let path = dir.join(RELAYED_FILE);
        let seen = load(&path)?;
        let file = open_append(&path).map_err(StoreError::io(&path))?;
        let log = GroupLog::start("numbot-relayed", &path, file).map_err(StoreError::io(&path))?;
        Ok(LocalCoordination {
            seen: Mutex::new(seen),
            log,
            path,
        })
    }
}

/// The ids still within the horizon; the file is rewritten without the
/// others when they are the greater part.
fn load(path: &Path) -> Result<HashMap<String, i64>, StoreError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(e) => return Err(StoreError::io(path)(e)),
    };
    let horizon = unix_now() - KEPT_FOR_SECS;
    let mut lines = 0;
    let mut seen = HashMap::new();
    for line in text.lines() {
        lines += 1;
        let Some((id, at)) = line.rsplit_once('\t') else {
            continue;
        };
        if let Ok(at) = at.parse::<i64>() {
            if at >= horizon {
                seen.insert(id.to_string(), at);
            }
        }
    }
    if lines > 2 * seen.len() + 1000 {
        let kept: String = seen
            .iter()
            .map(|(id, at)| format!("{id}\t{at}\n"))
            .collect();
        write_atomic(path, kept.as_bytes())?;
    }
    Ok(seen)
}

#[async_trait::async_trait]
impl Coordination for LocalCoordination {
    async fn lead(&self) -> bool {
        true
    }

    async fn first_relay(&self, id: &str, at: i64) -> Result<bool, CoordinationError> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.contains_key(id) {
            return Ok(false);
        }
        let horizon = unix_now() - KEPT_FOR_SECS;
        if seen.len() > 10_000 {
            seen.retain(|_, t| *t >= horizon);
        }
        seen.insert(id.to_string(), at);
        Ok(true)
    }

    async fn relayed(&self, id: &str, at: i64) -> Result<(), CoordinationError> {
        let pending = self.log.append(format!("{id}\t{at}\n").into_bytes());
        log::wait_async(pending)
            .await
            .map_err(CoordinationError::wrap(format!("{}", self.path.display())))
    }

    async fn forget(&self, id: &str) {
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }

    async fn watches(&self) -> Result<Vec<WatchRecord>, CoordinationError> {
        Ok(Vec::new())
    }

    async fn add_watches(&self, _watches: &[WatchRecord]) -> Result<(), CoordinationError> {
        Ok(())
    }

    async fn end_watch(&self, _watch: &WatchRecord) -> Result<bool, CoordinationError> {
        Ok(true)
    }
}
