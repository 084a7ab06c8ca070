//! Message webhooks: an API token may name a URL to which every message
//! relayed to its uses is posted, signed with a secret it was shown once.
//! Deliveries wait in the store until sent, so replicas and restarts lose
//! none; one process at a time holds a delivery (a lease) while it tries.

use serde::{Deserialize, Serialize};

use crate::users::UserStoreError;

/// A token's webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    /// The token it belongs to.
    pub token: i64,
    /// Where deliveries go (http or https).
    pub url: String,
    /// The HMAC-SHA256 key of the signature header.
    pub secret: String,
    /// When it was set (Unix seconds).
    pub created_at: i64,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not delivered yet; tried again at `next_at`.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every try failed until the retry time ran out.
    Failed,
}

/// One message to post to a webhook, with its tries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// Its id, from the store.
    pub id: u64,
    /// What happened (the use and the message): the receiver's key for
    /// de-duplication, the same if the message is queued twice.
    pub event: String,
    /// The token whose use got the message.
    pub token: i64,
    /// The URL when it was queued.
    pub url: String,
    /// The JSON posted, fixed when queued (so every try is signed alike).
    pub body: String,
    /// When it was queued (Unix seconds).
    pub created_at: i64,
    /// Where it stands.
    pub state: DeliveryState,
    /// Tries so far.
    pub attempts: u32,
    /// When it is tried next (pending ones).
    pub next_at: i64,
    /// When it was last tried.
    #[serde(default)]
    pub last_at: Option<i64>,
    /// The receiver's last HTTP status.
    #[serde(default)]
    pub last_status: Option<u16>,
    /// Why the last try failed, when it did.
    #[serde(default)]
    pub last_error: Option<String>,
}

/// How one try went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// When (Unix seconds).
    pub at: i64,
    /// The receiver's status, when it answered.
    pub status: Option<u16>,
    /// Why it failed (bounded), when it did.
    pub error: Option<String>,
    /// When to try again; `None`: done (delivered, or given up).
    pub next_at: Option<i64>,
}

/// Webhooks and their deliveries in the store.
#[async_trait::async_trait]
pub trait Webhooks: Send + Sync {
    /// Sets `hook.token`'s webhook, replacing any.
    async fn set_webhook(&self, hook: Webhook) -> Result<(), UserStoreError>;
    /// `token`'s webhook, if it has one.
    async fn webhook(&self, token: i64) -> Result<Option<Webhook>, UserStoreError>;
    /// Removes `token`'s webhook: whether it had one. Queued deliveries
    /// are still tried.
    async fn remove_webhook(&self, token: i64) -> Result<bool, UserStoreError>;
    /// Queues a delivery (its id is assigned here): the id.
    async fn queue_delivery(&self, delivery: Delivery) -> Result<u64, UserStoreError>;
    /// Up to `limit` pending deliveries due at `now` that no other process
    /// holds, now held by `owner` until `until`.
    async fn due_deliveries(
        &self,
        now: i64,
        owner: &str,
        until: i64,
        limit: usize,
    ) -> Result<Vec<Delivery>, UserStoreError>;
    /// Records a try of delivery `id`: delivered, failed for good, or to be
    /// tried again at `attempt.next_at`; either way no longer held.
    async fn record_attempt(
        &self,
        id: u64,
        delivered: bool,
        attempt: Attempt,
    ) -> Result<(), UserStoreError>;
    /// `token`'s latest deliveries, newest first.
    async fn deliveries(&self, token: i64, limit: usize) -> Result<Vec<Delivery>, UserStoreError>;
}
