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

use crate::{clock::unix_now, error::BackendError, model::UseId};

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

/// The messages of one use, with its holder: a client may read them only
/// if the holder is its own, also after the use ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Received {
    /// The use's holder (0 when nothing was received).
    pub holder: i64,
    /// The messages asked for, oldest first.
    pub messages: Vec<InboxMessage>,
    /// The holder asked for another message when the use's messages went
    /// up to this id (0: never asked).
    pub asked_again: u64,
}

/// Why the inbox could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("inbox: {0}")]
pub struct InboxError(#[from] pub BackendError);

/// Where API clients' messages wait.
#[async_trait::async_trait]
pub trait Inbox: Send + Sync {
    /// Keeps `message` (its id is assigned here) for the use `id` of `holder`.
    async fn put(&self, id: UseId, holder: i64, message: InboxMessage) -> Result<u64, InboxError>;
    /// Keeps use `id` of `holder` readable by its holder before any message
    /// and after it ended (as long as messages are kept).
    async fn open(&self, id: UseId, holder: i64) -> Result<(), InboxError>;
    /// Notes that the holder of use `id` asked for another message: those
    /// received so far are earlier ones. Only on an opened use.
    async fn ask_again(&self, id: UseId) -> Result<(), InboxError>;
    /// The messages of use `id` with an id above `after`, oldest first;
    /// `None` when the use was never opened and nothing was received on it.
    async fn after(&self, id: UseId, after: u64) -> Result<Option<Received>, InboxError>;
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
pub const PER_USE: usize = 100;
/// How long a use's messages are kept after its last one.
pub const KEPT_SECS: i64 = 3600;

/// One use's messages in memory: the holder, the last put, the messages.
struct Kept {
    holder: i64,
    last: i64,
    messages: Vec<InboxMessage>,
    asked_again: u64,
}

impl Kept {
    fn new(holder: i64, now: i64) -> Kept {
        Kept {
            holder,
            last: now,
            messages: Vec::new(),
            asked_again: 0,
        }
    }
}

/// The inbox of one process (the file store's deployment).
pub struct MemoryInbox {
    uses: Mutex<HashMap<UseId, Kept>>,
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
    async fn put(
        &self,
        id: UseId,
        holder: i64,
        mut message: InboxMessage,
    ) -> Result<u64, InboxError> {
        message.id = next_id(&self.last);
        let message_id = message.id;
        let now = unix_now();
        {
            let mut uses = self.uses.lock().unwrap_or_else(|e| e.into_inner());
            uses.retain(|_, kept| now - kept.last < KEPT_SECS);
            let kept = uses.entry(id).or_insert_with(|| Kept::new(holder, now));
            kept.last = now;
            if kept.messages.len() == PER_USE {
                kept.messages.remove(0);
            }
            kept.messages.push(message);
        }
        self.changed.send_modify(|n| *n += 1);
        Ok(message_id)
    }

    async fn open(&self, id: UseId, holder: i64) -> Result<(), InboxError> {
        let now = unix_now();
        let mut uses = self.uses.lock().unwrap_or_else(|e| e.into_inner());
        uses.retain(|_, kept| now - kept.last < KEPT_SECS);
        uses.entry(id)
            .or_insert_with(|| Kept::new(holder, now))
            .last = now;
        Ok(())
    }

    async fn ask_again(&self, id: UseId) -> Result<(), InboxError> {
        let mut uses = self.uses.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(kept) = uses.get_mut(&id) {
            kept.asked_again = kept.messages.last().map_or(0, |m| m.id);
            kept.last = unix_now();
        }
        Ok(())
    }

    async fn after(&self, id: UseId, after: u64) -> Result<Option<Received>, InboxError> {
        let uses = self.uses.lock().unwrap_or_else(|e| e.into_inner());
        Ok(uses.get(&id).map(|kept| Received {
            holder: kept.holder,
            asked_again: kept.asked_again,
            messages: kept
                .messages
                .iter()
                .filter(|m| m.id > after)
                .cloned()
                .collect(),
        }))
    }

    fn watch(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }
}

/// Waits until use `id` has a message above `after`, or `wait` passes, or
/// `cancelled` fires (the caller's token was revoked).
pub async fn wait_for(
    inbox: &dyn Inbox,
    id: UseId,
    after: u64,
    wait: Duration,
    cancelled: impl std::future::Future<Output = ()>,
) -> Result<Vec<InboxMessage>, InboxError> {
    let deadline = tokio::time::Instant::now() + wait;
    // Subscribed before reading, so a put between the read and the wait is
    // not missed.
    let mut changes = inbox.watch();
    tokio::pin!(cancelled);
    loop {
        let found = inbox
            .after(id, after)
            .await?
            .map(|r| r.messages)
            .unwrap_or_default();
        if !found.is_empty() {
            return Ok(found);
        }
        let until = match inbox.recheck() {
            Some(every) => deadline.min(tokio::time::Instant::now() + every),
            None => deadline,
        };
        tokio::select! {
            () = &mut cancelled => return Ok(Vec::new()),
            changed = tokio::time::timeout_at(until, changes.changed()) => {
                if changed.is_err() && tokio::time::Instant::now() >= deadline {
                    return Ok(Vec::new());
                }
            }
        }
    }
}
