//! Messages for API clients: the OTP monitor puts each message that reaches
//! a number held through the API here, and a client's long poll reads them.
//! A put wakes the waiting requests of this process at once.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::{clock::unix_now, error::BackendError};

/// One use: its holder and its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UseKey {
    /// The holder.
    pub holder: i64,
    /// When the use began (Unix seconds).
    pub since: u32,
}

/// A message received on a use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxMessage {
    /// Increasing within the use.
    pub id: u64,
    /// When the provider received it (Unix seconds).
    pub received_at: i64,
    /// Its sender, where the provider gives one.
    pub sender: Option<String>,
    /// The text.
    pub text: String,
    /// The code the extractor found in it.
    pub code: Option<String>,
    /// Its sender is not one the category expects (`[sms.senders]`).
    #[serde(default)]
    pub unexpected_sender: bool,
}

/// Why the inbox could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("inbox: {0}")]
pub struct InboxError(#[from] pub BackendError);

/// Where API clients' messages wait.
#[async_trait::async_trait]
pub trait Inbox: Send + Sync {
    /// Keeps `message` (its id is assigned here) for the use `key`.
    async fn put(&self, key: UseKey, message: InboxMessage) -> Result<u64, InboxError>;
    /// The messages of `key` with an id above `after`, oldest first.
    async fn after(&self, key: UseKey, after: u64) -> Result<Vec<InboxMessage>, InboxError>;
    /// Changes with every put in this process.
    fn watch(&self) -> watch::Receiver<u64>;
    /// How often a waiting request reads again for what other processes
    /// put (none: this process is the only one).
    fn recheck(&self) -> Option<Duration> {
        None
    }
}

/// Ids increasing across the process: nanoseconds, never repeated.
pub fn next_id(last: &AtomicU64) -> u64 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut previous = last.load(Ordering::Relaxed);
    loop {
        let id = now.max(previous + 1);
        match last.compare_exchange_weak(previous, id, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return id,
            Err(seen) => previous = seen,
        }
    }
}

/// Messages kept per use at most.
const PER_USE: usize = 100;
/// How long a use's messages are kept after its last one.
const KEPT_SECS: i64 = 3600;

/// The inbox of one process (the file store's deployment).
pub struct MemoryInbox {
    uses: Mutex<HashMap<UseKey, (i64, Vec<InboxMessage>)>>,
    last: AtomicU64,
    changed: watch::Sender<u64>,
}

impl Default for MemoryInbox {
    fn default() -> Self {
        MemoryInbox {
            uses: Mutex::default(),
            last: AtomicU64::new(0),
            changed: watch::Sender::new(0),
        }
    }
}

#[async_trait::async_trait]
impl Inbox for MemoryInbox {
    async fn put(&self, key: UseKey, mut message: InboxMessage) -> Result<u64, InboxError> {
        message.id = next_id(&self.last);
        let id = message.id;
        let now = unix_now();
        {
            let mut uses = self.uses.lock().unwrap_or_else(|e| e.into_inner());
            uses.retain(|_, (last, _)| now - *last < KEPT_SECS);
            let (last, messages) = uses.entry(key).or_default();
            *last = now;
            if messages.len() == PER_USE {
                messages.remove(0);
            }
            messages.push(message);
        }
        self.changed.send_modify(|n| *n += 1);
        Ok(id)
    }

    async fn after(&self, key: UseKey, after: u64) -> Result<Vec<InboxMessage>, InboxError> {
        let uses = self.uses.lock().unwrap_or_else(|e| e.into_inner());
        Ok(uses.get(&key).map_or_else(Vec::new, |(_, messages)| {
            messages.iter().filter(|m| m.id > after).cloned().collect()
        }))
    }

    fn watch(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }
}

/// Waits until `key` has a message above `after`, or `wait` passes.
pub async fn wait_for(
    inbox: &dyn Inbox,
    key: UseKey,
    after: u64,
    wait: Duration,
) -> Result<Vec<InboxMessage>, InboxError> {
    let deadline = tokio::time::Instant::now() + wait;
    // Subscribed before reading, so a put between the read and the wait is
    // not missed.
    let mut changes = inbox.watch();
    loop {
        let found = inbox.after(key, after).await?;
        if !found.is_empty() {
            return Ok(found);
        }
        let until = match inbox.recheck() {
            Some(every) => deadline.min(tokio::time::Instant::now() + every),
            None => deadline,
        };
        if tokio::time::timeout_at(until, changes.changed())
            .await
            .is_err()
            && tokio::time::Instant::now() >= deadline
        {
            return Ok(Vec::new());
        }
    }
}
