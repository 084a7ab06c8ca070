//! What the OTP monitors of the processes on one pool share: the right to
//! poll (one process at a time, under a renewed lease), the messages
//! relayed (so that none is relayed twice, across restarts and takeovers),
//! and the leader's watches (so that a new leader ends, and announces, the
//! uses that ended while nobody led). The file store's coordination is one
//! process and a log file; MongoDB's is shared by every replica.

use crate::error::BackendError;

/// Why the shared state could not be read or written now.
#[derive(Debug, thiserror::Error)]
#[error("coordination: {context}: {source}")]
pub struct CoordinationError {
    /// What numbot was doing.
    pub context: String,
    /// The backend's error.
    pub source: BackendError,
}

impl CoordinationError {
    /// Wraps a backend's error with what numbot was doing.
    pub fn wrap<E>(context: impl Into<String>) -> impl FnOnce(E) -> CoordinationError
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        let context = context.into();
        move |source| CoordinationError {
            context,
            source: Box::new(source),
        }
    }
}

/// A watch as the leading monitor records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchRecord {
    /// The use watched.
    pub id: crate::model::UseId,
    /// The holder.
    pub user: i64,
    /// The number watched.
    pub number: String,
    /// The use's start (Unix seconds).
    pub since: i64,
    /// The use's lease end (Unix seconds).
    pub until: u32,
}

/// The OTP monitor's shared state.
#[async_trait::async_trait]
pub trait Coordination: Send + Sync {
    /// Takes or renews the right to poll; false while another process holds it.
    async fn lead(&self) -> bool;
    /// Records that a message (its hashed id, received at `at`) is being
    /// relayed: false when it was relayed already; an error when that
    /// cannot be known now.
    async fn first_relay(&self, id: &str, at: i64) -> Result<bool, CoordinationError>;
    /// The relay recorded by [`Coordination::first_relay`] was delivered:
    /// it must outlive a restart.
    async fn relayed(&self, id: &str, at: i64) -> Result<(), CoordinationError>;
    /// Forgets a message whose relay failed, so that it is tried again.
    async fn forget(&self, id: &str);
    /// The watches recorded by the leaders so far: a new leader starts from them.
    async fn watches(&self) -> Result<Vec<WatchRecord>, CoordinationError>;
    /// Records new watches (one already recorded is left as it is).
    async fn add_watches(&self, watches: &[WatchRecord]) -> Result<(), CoordinationError>;
    /// Removes an ended watch: true when this call removed it, and this
    /// process then tells the user, so that a use is announced once even
    /// while two processes briefly both lead.
    async fn end_watch(&self, watch: &WatchRecord) -> Result<bool, CoordinationError>;
}
