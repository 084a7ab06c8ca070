//! Clients waiting for a free number of a category, first come first
//! served across the processes of a pool: each waiter holds a ticket, and
//! only the first live ticket of its category may take a number that
//! comes free. A ticket lives while its waiter renews it, so a waiter whose
//! process died stops holding the others up within seconds.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Mutex,
    time::Duration,
};

use crate::error::BackendError;

/// Why the queue could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("waiting queue: {0}")]
pub struct QueueError(#[from] pub BackendError);

/// The queues of waiters, by category.
#[async_trait::async_trait]
pub trait WaitQueue: Send + Sync {
    /// A ticket in `category`'s queue, after every ticket issued before it
    /// (in any process), live until `until` (Unix seconds).
    async fn join(&self, category: &str, until: i64) -> Result<u64, QueueError>;
    /// Renews `ticket` until `until`, and says whether it is the first live
    /// ticket of `category` at `now`.
    async fn first(
        &self,
        category: &str,
        ticket: u64,
        now: i64,
        until: i64,
    ) -> Result<bool, QueueError>;
    /// Takes `ticket` out.
    async fn leave(&self, category: &str, ticket: u64) -> Result<(), QueueError>;
    /// How often a waiter looks again for numbers other processes freed.
    fn recheck(&self) -> Duration;
}

/// Each category's tickets with their end.
type Queues = HashMap<String, BTreeMap<u64, i64>>;

/// The queues of one process (the file store's deployment).
#[derive(Default)]
pub struct MemoryQueue {
    /// The last ticket issued, and the queues.
    state: Mutex<(u64, Queues)>,
}

#[async_trait::async_trait]
impl WaitQueue for MemoryQueue {
    async fn join(&self, category: &str, until: i64) -> Result<u64, QueueError> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.0 += 1;
        let ticket = state.0;
        state
            .1
            .entry(category.to_string())
            .or_default()
            .insert(ticket, until);
        Ok(ticket)
    }

    async fn first(
        &self,
        category: &str,
        ticket: u64,
        now: i64,
        until: i64,
    ) -> Result<bool, QueueError> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        // A waiter that renews is alive: its ticket keeps its place even
        // when it lapsed meanwhile (the waiter stalled), as on MongoDB.
        let queue = state.1.entry(category.to_string()).or_default();
        queue.insert(ticket, until);
        queue.retain(|_, end| *end > now);
        Ok(queue.keys().next() == Some(&ticket))
    }

    async fn leave(&self, category: &str, ticket: u64) -> Result<(), QueueError> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(queue) = state.1.get_mut(category) {
            queue.remove(&ticket);
            if queue.is_empty() {
                state.1.remove(category);
            }
        }
        Ok(())
    }

    fn recheck(&self) -> Duration {
        // Releases in this process wake waiters at once; this catches
        // leases that ran out.
        Duration::from_secs(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_live_ticket_goes_first() {
        let q = MemoryQueue::default();
        let a = q.join("UAE", 10).await.unwrap();
        let b = q.join("UAE", 10).await.unwrap();
        let other = q.join("UK", 10).await.unwrap();
        assert!(q.first("UAE", a, 5, 10).await.unwrap());
        assert!(!q.first("UAE", b, 5, 10).await.unwrap(), "behind a");
        assert!(q.first("UK", other, 5, 10).await.unwrap(), "its own queue");
        // a stops renewing: b is first once a's ticket lapses.
        assert!(q.first("UAE", b, 11, 20).await.unwrap());
        let c = q.join("UAE", 20).await.unwrap();
        assert!(!q.first("UAE", c, 11, 20).await.unwrap(), "behind b");
        q.leave("UAE", b).await.unwrap();
        assert!(q.first("UAE", c, 11, 20).await.unwrap(), "b left");
    }

    #[tokio::test]
    async fn a_waiter_that_stalled_keeps_its_place() {
        let q = MemoryQueue::default();
        let a = q.join("UAE", 10).await.unwrap();
        let b = q.join("UAE", 10).await.unwrap();
        // Both lapse; b renews first, then a: a came first and is first.
        assert!(q.first("UAE", b, 12, 20).await.unwrap());
        assert!(q.first("UAE", a, 12, 20).await.unwrap());
        assert!(!q.first("UAE", b, 12, 20).await.unwrap(), "behind a again");
    }
}
